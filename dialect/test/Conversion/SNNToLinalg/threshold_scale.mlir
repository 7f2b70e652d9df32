// snn.scale and snn.threshold become one elementwise linalg.generic each:
// identity maps, all loops parallel. A one-element parameter is a scalar
// constant used inside the body; a per-element parameter is an extra
// tensor input (a constant converted to the element type).
//
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-DAG: #[[$FLAT3:.+]] = affine_map<(d0, d1) -> (d1 + d0 * 3)>
// CHECK-DAG: #[[$FLAT2:.+]] = affine_map<(d0, d1) -> (d1 + d0 * 2)>
// CHECK-DAG: #[[$ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>

//===----------------------------------------------------------------------===//
// snn.scale
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @scale(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x3xf32>)
// CHECK:         %[[K:.+]] = arith.constant 2.500000e+00 : f32
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<2x3xf32>
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID2]], #[[$ID2]]]
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[X]] : tensor<2x3xf32>) outs(%[[E]] : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[R:.+]] = arith.mulf %[[K]], %[[XI]] : f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
// CHECK-NEXT:    } -> tensor<2x3xf32>
// CHECK-NEXT:    return %[[Y]]
func.func @scale(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = snn.scale %x {scale = dense<2.5> : tensor<1xf64>} : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// The f64 parameter is rounded to the element type (0.1 -> f32); a
// multi-dimensional per-element parameter is flat, read at the row-major position.
// CHECK-LABEL: func.func @scale_per_element(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x3xf32>)
// CHECK:         %[[K:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 1.000000e-01]> : tensor<6xf32>
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID2]], #[[$FLAT3]], #[[$ID2]]]
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[X]], %[[K]] : tensor<2x3xf32>, tensor<6xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[KI:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[R:.+]] = arith.mulf %[[KI]], %[[XI]] : f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
func.func @scale_per_element(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = snn.scale %x {scale = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 0.1]]> : tensor<2x3xf64>} : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// x * 1 is exact: no multiplication.
// CHECK-LABEL: func.func @scale_one(
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID1]], #[[$ID1]]]
// CHECK-SAME:        iterator_types = ["parallel"]
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f64, %{{.+}}: f64):
// CHECK-NEXT:      linalg.yield %[[XI]] : f64
func.func @scale_one(%x: tensor<4xf64>) -> tensor<4xf64> {
  %y = snn.scale %x {scale = dense<1.0> : tensor<1xf64>} : tensor<4xf64>
  return %y : tensor<4xf64>
}

// A per-element parameter is never short-cut, even when all ones.
// CHECK-LABEL: func.func @scale_per_element_ones(
// CHECK:         %[[K:.+]] = arith.constant dense<1.000000e+00> : tensor<4xf64>
// CHECK:         ins(%{{.+}}, %[[K]] : tensor<4xf64>, tensor<4xf64>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f64, %[[KI:.+]]: f64, %{{.+}}: f64):
// CHECK-NEXT:      %[[R:.+]] = arith.mulf %[[KI]], %[[XI]] : f64
// CHECK-NEXT:      linalg.yield %[[R]] : f64
func.func @scale_per_element_ones(%x: tensor<4xf64>) -> tensor<4xf64> {
  %y = snn.scale %x {scale = dense<1.0> : tensor<4xf64>} : tensor<4xf64>
  return %y : tensor<4xf64>
}

//===----------------------------------------------------------------------===//
// snn.threshold
//===----------------------------------------------------------------------===//

// Float spikes: select 1.0 / 0.0; `gt` is an ordered greater-than.
// CHECK-LABEL: func.func @threshold_gt_float(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<8xf32>)
// CHECK:         %[[T:.+]] = arith.constant 1.000000e+00 : f32
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<8xf32>
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID1]], #[[$ID1]]]
// CHECK-SAME:        iterator_types = ["parallel"]
// CHECK-SAME:        ins(%[[X]] : tensor<8xf32>) outs(%[[E]] : tensor<8xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf ogt, %[[XI]], %[[T]] : f32
// CHECK-DAG:       %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:       %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK:           %[[S:.+]] = arith.select %[[F]], %[[ONE]], %[[ZERO]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
func.func @threshold_gt_float(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<8xf32> -> tensor<8xf32>
  return %a : tensor<8xf32>
}

// Integer spikes: zero-extend the comparison; `ge` is ordered greater-or-equal.
// CHECK-LABEL: func.func @threshold_ge_i8(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<8xf32>)
// CHECK:         %[[T:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<8xi8>
// CHECK:         linalg.generic
// CHECK-SAME:        ins(%[[X]] : tensor<8xf32>) outs(%[[E]] : tensor<8xi8>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %{{.+}}: i8):
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf oge, %[[XI]], %[[T]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.extui %[[F]] : i1 to i8
// CHECK-NEXT:      linalg.yield %[[S]] : i8
// CHECK-NEXT:    } -> tensor<8xi8>
func.func @threshold_ge_i8(%x: tensor<8xf32>) -> tensor<8xi8> {
  %b = snn.threshold %x {threshold = dense<0.5> : tensor<1xf64>, compare = #snn.compare<ge>} : tensor<8xf32> -> tensor<8xi8>
  return %b : tensor<8xi8>
}

// Per-neuron thresholds are a second input.
// CHECK-LABEL: func.func @threshold_per_neuron(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x2xf64>)
// CHECK:         %[[T:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf64>
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID2]], #[[$FLAT2]], #[[$ID2]]]
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[X]], %[[T]] : tensor<2x2xf64>, tensor<4xf64>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f64, %[[TI:.+]]: f64, %{{.+}}: f64):
// CHECK-NEXT:      arith.cmpf ogt, %[[XI]], %[[TI]] : f64
func.func @threshold_per_neuron(%x: tensor<2x2xf64>) -> tensor<2x2xf64> {
  %a = snn.threshold %x {threshold = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf64>, compare = #snn.compare<gt>} : tensor<2x2xf64> -> tensor<2x2xf64>
  return %a : tensor<2x2xf64>
}
