// snn.delay: the new buffer is the input followed by the old buffer shifted
// by one; the output reads the old buffer at steps - 1 (per element here), or
// the input where steps is 0. "Minus one" indices are replaced before use.
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @delay(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<3xf32>, %[[B:[^:]+]]: tensor<2x3xf32>)
// CHECK:         %[[SHIFT:.+]] = linalg.generic
// CHECK-SAME:        ins(%[[X]] : tensor<3xf32>)
// CHECK:           linalg.index 0
// CHECK:           arith.cmpi eq
// CHECK:           arith.subi
// CHECK:           tensor.extract %[[B]]
// CHECK:         %[[STEPS:.+]] = arith.constant dense<[2, 0, 1]> : tensor<3xi64>
// CHECK:         %[[OUT:.+]] = linalg.generic
// CHECK-SAME:        ins(%[[X]], %[[STEPS]] : tensor<3xf32>, tensor<3xi64>)
// CHECK:           arith.index_castui
// CHECK:           tensor.extract %[[B]]
// CHECK:         return %[[OUT]], %[[SHIFT]]
func.func @delay(%x: tensor<3xf32>, %b: tensor<2x3xf32>) -> (tensor<3xf32>, tensor<2x3xf32>) {
  %y, %b1 = snn.delay %x, %b {steps = array<i64: 2, 0, 1>} : tensor<3xf32>, tensor<2x3xf32>
  return %y, %b1 : tensor<3xf32>, tensor<2x3xf32>
}
