// snn.linear becomes one linalg.generic over (out, in): the weight is
// collapsed to 1-D and read through (d0, d1) -> (d0 * IN + d1) (a weight that
// is not a constant is copied flat first; a constant one is folded), the input
// through d1, the accumulator (bias, or zeros) through d0; the body
// accumulates acc + w * x in order of d1.
//
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-DAG: #[[$W4:.+]] = affine_map<(d0, d1) -> (d0 * 4 + d1)>
// CHECK-DAG: #[[$W5:.+]] = affine_map<(d0, d1) -> (d0 * 5 + d1)>
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1) -> (d0)>

// Without a bias the accumulator starts at zero.
// CHECK-LABEL: func.func @linear(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>, %[[W:[^:]+]]: tensor<3x4xf32>)
// CHECK:         %[[FLAT:.+]] = linalg.generic
// CHECK-SAME:        ins(%[[W]] : tensor<3x4xf32>) outs(%{{.+}} : tensor<12xf32>)
// CHECK:         %[[EMPTY:.+]] = tensor.empty() : tensor<3xf32>
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<3xf32>) -> tensor<3xf32>
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$W4]], #[[$IN]], #[[$OUT]]]
// CHECK-SAME:        iterator_types = ["parallel", "reduction"]
// CHECK-SAME:        ins(%[[FLAT]], %[[X]] : tensor<12xf32>, tensor<4xf32>)
// CHECK-SAME:        outs(%[[INIT]] : tensor<3xf32>)
// CHECK-NEXT:    ^bb0(%[[WI:.+]]: f32, %[[XI:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT:      %[[P:.+]] = arith.mulf %[[WI]], %[[XI]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK-NEXT:    } -> tensor<3xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<3xf32>
// CHECK-NOT:     snn.
func.func @linear(%x: tensor<4xf32>, %w: tensor<3x4xf32>) -> tensor<3xf32> {
  %y = snn.linear %x, %w : tensor<4xf32>, tensor<3x4xf32> -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// The bias is the accumulator's initial value: no fill.
// CHECK-LABEL: func.func @linear_bias(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<5xf64>, %[[W:[^:]+]]: tensor<2x5xf64>, %[[B:[^:]+]]: tensor<2xf64>)
// CHECK:         %[[FLAT:.+]] = linalg.generic
// CHECK-SAME:        ins(%[[W]] : tensor<2x5xf64>) outs(%{{.+}} : tensor<10xf64>)
// CHECK-NOT:     linalg.fill
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$W5]], #[[$IN]], #[[$OUT]]]
// CHECK-SAME:        iterator_types = ["parallel", "reduction"]
// CHECK-SAME:        ins(%[[FLAT]], %[[X]] : tensor<10xf64>, tensor<5xf64>)
// CHECK-SAME:        outs(%[[B]] : tensor<2xf64>)
// CHECK-NEXT:    ^bb0(%[[WI:.+]]: f64, %[[XI:.+]]: f64, %[[ACC:.+]]: f64):
// CHECK-NEXT:      %[[P:.+]] = arith.mulf %[[WI]], %[[XI]] : f64
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f64
// CHECK-NEXT:      linalg.yield %[[S]] : f64
// CHECK-NEXT:    } -> tensor<2xf64>
// CHECK-NEXT:    return %[[Y]] : tensor<2xf64>
func.func @linear_bias(%x: tensor<5xf64>, %w: tensor<2x5xf64>, %b: tensor<2xf64>) -> tensor<2xf64> {
  %y = snn.linear %x, %w, %b : tensor<5xf64>, tensor<2x5xf64>, tensor<2xf64> -> tensor<2xf64>
  return %y : tensor<2xf64>
}

// Integer spikes are converted (unsigned: a spike is 0 or 1) to the weight's
// float type before the multiplication.
// CHECK-LABEL: func.func @linear_spikes(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xi1>, %[[W:[^:]+]]: tensor<3x4xf16>)
// CHECK:         %[[FLAT:.+]] = linalg.generic
// CHECK-SAME:        ins(%[[W]] : tensor<3x4xf16>) outs(%{{.+}} : tensor<12xf16>)
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f16
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f16)
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$W4]], #[[$IN]], #[[$OUT]]]
// CHECK-SAME:        ins(%[[FLAT]], %[[X]] : tensor<12xf16>, tensor<4xi1>)
// CHECK-SAME:        outs(%[[INIT]] : tensor<3xf16>)
// CHECK-NEXT:    ^bb0(%[[WI:.+]]: f16, %[[XI:.+]]: i1, %[[ACC:.+]]: f16):
// CHECK-NEXT:      %[[XF:.+]] = arith.uitofp %[[XI]] : i1 to f16
// CHECK-NEXT:      %[[P:.+]] = arith.mulf %[[WI]], %[[XF]] : f16
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f16
// CHECK-NEXT:      linalg.yield %[[S]] : f16
func.func @linear_spikes(%x: tensor<4xi1>, %w: tensor<3x4xf16>) -> tensor<3xf16> {
  %y = snn.linear %x, %w : tensor<4xi1>, tensor<3x4xf16> -> tensor<3xf16>
  return %y : tensor<3xf16>
}

// CHECK-LABEL: func.func @linear_spikes_i8(
// CHECK:         ^bb0(%{{.+}}: f32, %[[XI:.+]]: i8, %{{.+}}: f32):
// CHECK-NEXT:      arith.uitofp %[[XI]] : i8 to f32
func.func @linear_spikes_i8(%x: tensor<2xi8>, %w: tensor<4x2xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %y = snn.linear %x, %w, %b : tensor<2xi8>, tensor<4x2xf32>, tensor<4xf32> -> tensor<4xf32>
  return %y : tensor<4xf32>
}
