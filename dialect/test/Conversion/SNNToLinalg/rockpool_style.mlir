// multi_spike: n = trunc(u / thr clamped to [0, 65536]) where the neuron fires
// (through i32; the clamp keeps the conversion defined in C, multi_spike_clamp.mlir),
// reset subtracts n thresholds;
// add_then_decay: i' = syn_decay * (i + x) (syn_gain 1 skipped).
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @rockpool_style(
// CHECK:         linalg.generic
// CHECK:           %[[J:.+]] = arith.addf %{{.+}}, %{{.+}} : f32
// CHECK-NEXT:      %[[I:.+]] = arith.mulf %{{.+}}, %[[J]] : f32
// CHECK:           %[[F:.+]] = arith.cmpf oge
// CHECK-NEXT:      %[[R:.+]] = arith.divf
// CHECK:           arith.cmpf ogt, %[[R]]
// CHECK:           arith.cmpf oge, %[[R]]
// CHECK:           arith.fptosi %{{.+}} : f32 to i32
// CHECK-NEXT:      %[[N:.+]] = arith.sitofp %{{.+}} : i32 to f32
// CHECK:           %[[S:.+]] = arith.select %[[F]], %[[N]], %{{.+}} : f32
// CHECK-NEXT:      %[[NT:.+]] = arith.mulf %[[S]], %{{.+}} : f32
// CHECK-NEXT:      arith.subf %{{.+}}, %[[NT]] : f32
func.func @rockpool_style(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<0.5> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<ge>, add_then_decay, multi_spike} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %i1, %v1, %s : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
