// snn-fuse-elementwise: MLIR's elementwise fusion, into elementwise consumers
// only. A convolution's padded copy of its input stays a loop of its own
// (fused into the convolution, its bounds tests would run for every tap), as
// upstream's linalg-fuse-elementwise-ops would not keep it; an elementwise
// chain (here the scale of a sum) still becomes one loop.
//
// RUN: snn-opt %s -split-input-file --convert-snn-to-linalg --snn-fuse-elementwise | FileCheck %s
// RUN: snn-opt %s -split-input-file --convert-snn-to-linalg --linalg-fuse-elementwise-ops | FileCheck %s --check-prefix=UPSTREAM

// CHECK-LABEL: func.func @padded_convolution(
// CHECK:         %[[PADDED:.+]] = linalg.generic
// CHECK:           arith.cmpi uge
// CHECK:         linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[PADDED]],
// UPSTREAM-LABEL: func.func @padded_convolution(
// UPSTREAM:         linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// UPSTREAM:           arith.cmpi uge
func.func @padded_convolution(%x: tensor<1x4x4xf32>) -> tensor<1x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<1x1x3x3xf32>
  %y = snn.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x4x4xf32>, tensor<1x1x3x3xf32> -> tensor<1x4x4xf32>
  return %y : tensor<1x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @elementwise_chain(
// CHECK:         linalg.generic
// CHECK:           arith.addf
// CHECK:           arith.mulf
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @elementwise_chain(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %s = snn.sum %a, %b : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %y = snn.scale %s {scale = dense<2.0> : tensor<1xf64>} : tensor<4xf32>
  return %y : tensor<4xf32>
}
