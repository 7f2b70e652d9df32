// i1 spikes are the comparison result itself: no zero-extension (extui i1 to
// i1 would be invalid IR).
//
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @threshold_i1(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %{{.+}}: i1):
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf ogt, %[[XI]], %{{.+}} : f32
// CHECK-NEXT:      linalg.yield %[[F]] : i1
func.func @threshold_i1(%x: tensor<4xf32>) -> tensor<4xi1> {
  %z = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<4xf32> -> tensor<4xi1>
  return %z : tensor<4xi1>
}

// CHECK-LABEL: func.func @lif_i1(
// CHECK:         linalg.generic
// CHECK:           %[[F:.+]] = arith.cmpf oge, %[[U:.+]], %{{.+}} : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.select %[[F]], %{{.+}}, %[[U]] : f32
// CHECK-NEXT:      linalg.yield %[[VN]], %[[F]] : f32, i1
func.func @lif_i1(%x: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<ge>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
  return %v1, %s : tensor<4xf32>, tensor<4xi1>
}
