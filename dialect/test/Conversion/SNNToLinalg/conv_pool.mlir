// snn.conv2d: zero padding as a copy (unsigned compares, no negative index),
// then one linalg.generic over (f, oh, ow, c, kh, kw) reading the weight
// flat, starting from the bias. snn.pool2d: linalg.pooling_nchw_sum, then a
// division by the window size for avg.
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d1 * 2 + d4, d2 + d5 * 2)>
// CHECK-DAG: #[[$W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0 * 9 + d3 * 9 + d4 * 3 + d5)>
// CHECK-DAG: #[[$WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4, d5)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>

// CHECK-LABEL: func.func @conv(
// CHECK:         arith.cmpi uge
// CHECK:         arith.cmpi ult
// CHECK:         tensor.extract
// CHECK:         %[[FLAT:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1, 2, 3]] : tensor<2x1x3x3xf32> into tensor<18xf32>
// CHECK:         linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$IN]], #[[$W]], #[[$WIN]], #[[$OUT]]]
// CHECK-SAME:        iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK-NEXT:    ^bb0(%[[X:.+]]: f32, %[[WI:.+]]: f32, %{{.+}}: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT:      %[[P:.+]] = arith.mulf %[[WI]], %[[X]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
func.func @conv(%x: tensor<1x8x8xf32>, %b: tensor<2xf32>) -> tensor<2x4x6xf32> {
  %w = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %y = snn.conv2d %x, %w, %b {stride = array<i64: 2, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 2>, groups = 1 : i64} : tensor<1x8x8xf32>, tensor<2x1x3x3xf32>, tensor<2xf32> -> tensor<2x4x6xf32>
  return %y : tensor<2x4x6xf32>
}

// CHECK-LABEL: func.func @avg_pool(
// CHECK:         linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK:         arith.constant 4.000000e+00 : f32
// CHECK:         arith.divf
func.func @avg_pool(%x: tensor<2x8x8xf32>) -> tensor<2x4x4xf32> {
  %p = snn.pool2d %x {kind = #snn.pool_kind<avg>, kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : tensor<2x8x8xf32> -> tensor<2x4x4xf32>
  return %p : tensor<2x4x4xf32>
}

// CHECK-LABEL: func.func @sum_pool(
// CHECK:         linalg.pooling_nchw_sum
// CHECK-NOT:     arith.divf
func.func @sum_pool(%x: tensor<2x8x8xf32>) -> tensor<2x4x4xf32> {
  %p = snn.pool2d %x {kind = #snn.pool_kind<sum>, kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : tensor<2x8x8xf32> -> tensor<2x4x4xf32>
  return %p : tensor<2x4x4xf32>
}

// Grouped convolution (4 channels, 2 groups, 4 filters): filter f reads the
// 2 channels of its group, (f / 2) * 2 + c, the group found by an unsigned
// division in i64.
// CHECK-LABEL: func.func @grouped(
// CHECK:         linalg.generic
// CHECK:           %[[F:.+]] = linalg.index 0 : index
// CHECK:           %[[F64:.+]] = arith.index_castui %[[F]] : index to i64
// CHECK:           %[[G:.+]] = arith.divui %[[F64]], %c2_i64 : i64
// CHECK:           arith.index_castui %[[G]] : i64 to index
// CHECK:           tensor.extract
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @grouped(%x: tensor<4x3x3xf32>) -> tensor<4x1x1xf32> {
  %w = arith.constant dense<0.5> : tensor<4x2x3x3xf32>
  %y = snn.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<4x3x3xf32>, tensor<4x2x3x3xf32> -> tensor<4x1x1xf32>
  return %y : tensor<4x1x1xf32>
}

// Pooling with padding: the input is zero-padded by one copy ([1, 4, 4] ->
// [1, 6, 6]) and pooled as without ([1, 2, 2] with windows of 3, stride 2).
// CHECK-LABEL: func.func @padded_pool(
// CHECK:         linalg.generic
// CHECK:           arith.cmpi uge
// CHECK:           arith.cmpi ult
// CHECK:         } -> tensor<1x6x6xf32>
// CHECK:         linalg.pooling_nchw_sum {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x1x6x6xf32>, tensor<3x3xf32>)
func.func @padded_pool(%x: tensor<1x4x4xf32>) -> tensor<1x2x2xf32> {
  %y = snn.pool2d %x {kind = #snn.pool_kind<sum>, kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : tensor<1x4x4xf32> -> tensor<1x2x2xf32>
  return %y : tensor<1x2x2xf32>
}
