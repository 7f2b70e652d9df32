// Fan-in sums add in operand order; reshapes of computed values become copies
// over the expanded shape (multiply-add index maps, no division), while
// reshapes of constants are left for canonicalization to fold.
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-DAG: #[[$ID:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$LIN:.+]] = affine_map<(d0, d1) -> (d1 + d0 * 3)>

// CHECK-LABEL: func.func @sum_three(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<4xf32>, %[[C:[^:]+]]: tensor<4xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]], #[[$ID]]]
// CHECK-SAME:        ins(%[[A]], %[[B]], %[[C]] :
// CHECK-NEXT:    ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %[[Z:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[S1:.+]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT:      %[[S2:.+]] = arith.addf %[[S1]], %[[Z]] : f32
// CHECK-NEXT:      linalg.yield %[[S2]] : f32
func.func @sum_three(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %y = snn.sum %a, %b, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// CHECK-LABEL: func.func @flatten(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x3xf32>)
// CHECK-NOT:     tensor.collapse_shape
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID2]], #[[$LIN]]]
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[X]] : tensor<2x3xf32>)
func.func @flatten(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %y = tensor.collapse_shape %x [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  return %y : tensor<6xf32>
}

// CHECK-LABEL: func.func @unflatten(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<6xf32>)
// CHECK-NOT:     tensor.expand_shape
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$LIN]], #[[$ID2]]]
// CHECK-SAME:        ins(%[[X]] : tensor<6xf32>)
func.func @unflatten(%x: tensor<6xf32>) -> tensor<2x3xf32> {
  %y = tensor.expand_shape %x [[0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @constant_reshape_is_kept(
// CHECK:         tensor.collapse_shape
func.func @constant_reshape_is_kept() -> tensor<6xf32> {
  %c = arith.constant dense<1.0> : tensor<2x3xf32>
  %y = tensor.collapse_shape %c [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  return %y : tensor<6xf32>
}
