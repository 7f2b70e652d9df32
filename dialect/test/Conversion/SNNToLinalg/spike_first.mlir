// spike_first: the comparison reads the membrane the step starts with; with
// reset_before_update the reset (here subtract) applies to it before the decay.
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @spike_first_reset_before(
// CHECK:         ^bb0(%[[XI:.+]]: f32, %[[VI:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf ogt, %[[VI]], %{{.+}} : f32
// CHECK-NEXT:      %[[SUB:.+]] = arith.subf %[[VI]], %{{.+}} : f32
// CHECK-NEXT:      %[[START:.+]] = arith.select %[[F]], %[[SUB]], %[[VI]] : f32
// CHECK-NEXT:      arith.mulf %{{.+}}, %[[START]] : f32
func.func @spike_first_reset_before(%x: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<gt>, spike_first, reset_before_update} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %v1, %s : tensor<4xf32>, tensor<4xf32>
}
