// An input of spikes marked snn.network_input gets three arguments after it
// for the input given as events (the C API's NAME_step_events): the
// ascending positions (i32), their number and whether they are given. The
// synapse it feeds is built twice under an scf.if on the flag: over the
// given list, or over the list gathered from the dense input. When nothing
// else reads the dense input, the module says snn.input_events = true.
// RUN: snn-opt %s -split-input-file --snn-event-driven | FileCheck %s

// CHECK:       module attributes {snn.input_events = true}
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<3xf32> {snn.network_input}, %[[LIST:[^:]+]]: tensor<3xi32> {bufferization.writable = false}, %[[COUNT:[^:]+]]: index, %[[GIVEN:[^:]+]]: i1)
// CHECK-NOT:     arith.uitofp
// CHECK:         scf.if %[[GIVEN]]
// CHECK:           scf.for %{{.+}} = %{{.+}} to %[[COUNT]]
// CHECK:             tensor.extract %[[LIST]]
// CHECK:         } else {
// CHECK:           tensor.extract %[[X]]
// CHECK:           arith.cmpf ogt
func.func @step(%v: tensor<2xf32>, %x: tensor<3xf32> {snn.network_input}) -> tensor<2xf32> {
  %zero = arith.constant dense<0.0> : tensor<3xf32>
  %positive = arith.cmpf ogt, %x, %zero : tensor<3xf32>
  %spikes = arith.uitofp %positive : tensor<3xi1> to tensor<3xf32>
  %w = arith.constant dense<[[0.5, 0.25, -1.0], [1.0, 2.0, 0.125]]> : tensor<2x3xf32>
  %y = snn.linear %spikes, %w : tensor<3xf32>, tensor<2x3xf32> -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// The dense input also reaches a neuron directly: the events cannot replace
// it, the flag becomes false (the branches fold away) and the module says so.
// CHECK:       module attributes {snn.input_events = false}
// CHECK-LABEL: func.func @skip(
// CHECK:         %[[NO:.+]] = arith.constant false
// CHECK:         scf.if %[[NO]]
func.func @skip(%v: tensor<3xf32>, %x: tensor<3xf32> {snn.network_input}) -> (tensor<2xf32>, tensor<3xf32>) {
  %zero = arith.constant dense<0.0> : tensor<3xf32>
  %positive = arith.cmpf ogt, %x, %zero : tensor<3xf32>
  %spikes = arith.uitofp %positive : tensor<3xi1> to tensor<3xf32>
  %w = arith.constant dense<[[0.5, 0.25, -1.0], [1.0, 2.0, 0.125]]> : tensor<2x3xf32>
  %y = snn.linear %spikes, %w : tensor<3xf32>, tensor<2x3xf32> -> tensor<2xf32>
  %v1 = snn.li %spikes, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<3xf32>, tensor<3xf32>
  return %y, %v1 : tensor<2xf32>, tensor<3xf32>
}
