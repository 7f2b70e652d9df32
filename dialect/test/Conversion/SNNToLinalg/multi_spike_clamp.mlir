// multi_spike: the ratio r = u / threshold is clamped to [0, 65536] before
// its conversion to i32, which runs for every neuron whether or not it fired
// (the select on `fired` comes after). Below 0 or NaN gives 0 (the ordered
// `oge` is false for NaN: a NaN membrane, 0 / 0, a negative threshold's
// negative ratio), above the cap (and +inf) gives the cap. In C an
// out-of-range float-to-int conversion is undefined behaviour.
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @lif_multi(
// CHECK:         linalg.generic
// CHECK:           %[[U:.+]] = arith.addf
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf oge, %[[U]], %[[THR:[^ ]+]] : f64
// CHECK-NEXT:      %[[R:.+]] = arith.divf %[[U]], %[[THR]] : f64
// CHECK-NEXT:      %[[CAP:.+]] = arith.constant 6.553600e+04 : f64
// CHECK-NEXT:      %[[ZERO:.+]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT:      %[[TOO:.+]] = arith.cmpf ogt, %[[R]], %[[CAP]] : f64
// CHECK-NEXT:      %[[CAPPED:.+]] = arith.select %[[TOO]], %[[CAP]], %[[R]] : f64
// CHECK-NEXT:      %[[NN:.+]] = arith.cmpf oge, %[[R]], %[[ZERO]] : f64
// CHECK-NEXT:      %[[B:.+]] = arith.select %[[NN]], %[[CAPPED]], %[[ZERO]] : f64
// CHECK-NEXT:      %[[W:.+]] = arith.fptosi %[[B]] : f64 to i32
// CHECK-NEXT:      %[[N:.+]] = arith.sitofp %[[W]] : i32 to f64
// CHECK-NEXT:      %[[S:.+]] = arith.select %[[F]], %[[N]], %[[ZERO]] : f64
// CHECK-NEXT:      %[[NT:.+]] = arith.mulf %[[S]], %[[THR]] : f64
// CHECK-NEXT:      %[[V:.+]] = arith.subf %[[U]], %[[NT]] : f64
// CHECK-NEXT:      linalg.yield %[[V]], %[[S]] : f64, f64
func.func @lif_multi(%x: tensor<3xf64>, %v: tensor<3xf64>) -> (tensor<3xf64>, tensor<3xf64>) {
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<[1.0, -1.0, 0.0]> : tensor<3xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<ge>, multi_spike} : tensor<3xf64>, tensor<3xf64> -> tensor<3xf64>
  return %v1, %s : tensor<3xf64>, tensor<3xf64>
}

// A reset to value: the same clamp; the membrane takes v_reset where it fired.
// CHECK-LABEL: func.func @if_multi_value(
// CHECK:         linalg.generic
// CHECK:           %[[F:.+]] = arith.cmpf ogt
// CHECK-NEXT:      %[[R:.+]] = arith.divf
// CHECK:           %[[TOO:.+]] = arith.cmpf ogt, %[[R]], %{{.+}} : f32
// CHECK-NEXT:      %[[CAPPED:.+]] = arith.select %[[TOO]], %{{.+}}, %[[R]] : f32
// CHECK-NEXT:      %[[NN:.+]] = arith.cmpf oge, %[[R]], %[[ZERO:[^ ]+]] : f32
// CHECK-NEXT:      %[[B:.+]] = arith.select %[[NN]], %[[CAPPED]], %[[ZERO]] : f32
// CHECK-NEXT:      arith.fptosi %[[B]] : f32 to i32
// CHECK:           arith.select %[[F]], %{{.+}}, %{{.+}} : f32
func.func @if_multi_value(%x: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>, multi_spike} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %v1, %s : tensor<4xf32>, tensor<4xf32>
}
