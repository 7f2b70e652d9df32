// snn-results-in-place: a state argument's new value is materialized in the
// argument itself (so bufferization computes it there); a result that is an
// argument but not state is copied (bufferization would otherwise return the
// argument's own buffer and drop the result); the attribute is consumed.
//
// RUN: snn-opt %s -split-input-file --snn-results-in-place -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @states(
// CHECK-SAME:    %[[A:.+]]: tensor<2xf32>, %[[B:.+]]: tensor<3xf32>, %[[X:.+]]: tensor<2xf32>)
// CHECK-NOT:     snn.aliasing_output
// CHECK:         %[[NEW_B:.+]] = bufferization.materialize_in_destination %{{.+}} in %[[B]] : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK:         %[[NEW_A:.+]] = bufferization.materialize_in_destination %{{.+}} in %[[A]] : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
// CHECK:         return %[[NEW_B]], %[[NEW_A]], %{{.+}} :
func.func @states(%a: tensor<2xf32> {snn.aliasing_output = 1 : i64}, %b: tensor<3xf32> {snn.aliasing_output = 0 : i64}, %x: tensor<2xf32>) -> (tensor<3xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a1 = arith.addf %a, %x : tensor<2xf32>
  %b1 = arith.negf %b : tensor<3xf32>
  return %b1, %a1, %a1 : tensor<3xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @output_is_input(
// CHECK-SAME:    %[[X:.+]]: tensor<4xf32>)
// CHECK:         %[[EMPTY:.+]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[COPY:.+]] = linalg.copy ins(%[[X]] : tensor<4xf32>) outs(%[[EMPTY]] : tensor<4xf32>)
// CHECK:         return %[[COPY]]
func.func @output_is_input(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// expected-error @below {{argument 0: snn.aliasing_output = 2 names no result (the function has 1)}}
func.func @no_such_result(%a: tensor<2xf32> {snn.aliasing_output = 2 : i64}) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}

// -----

// expected-error @below {{result 0 is the new value of two arguments}}
func.func @two_states_one_result(%a: tensor<2xf32> {snn.aliasing_output = 0 : i64}, %b: tensor<2xf32> {snn.aliasing_output = 0 : i64}) -> tensor<2xf32> {
  %s = arith.addf %a, %b : tensor<2xf32>
  return %s : tensor<2xf32>
}

// -----

// expected-error @below {{argument 0 has type 'tensor<2xf32>' but its new value (result 0) has type 'tensor<3xf32>'}}
func.func @other_type(%a: tensor<2xf32> {snn.aliasing_output = 0 : i64}, %b: tensor<3xf32>) -> tensor<3xf32> {
  return %b : tensor<3xf32>
}
