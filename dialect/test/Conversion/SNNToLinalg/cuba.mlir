// snn.cubali and snn.cubalif become one elementwise linalg.generic each
// (ins: input, i_syn, v, per-neuron parameters, spike_prev; outs: i_syn_next,
// v_next and, for cubalif, spike):
//
//   i_syn_next = syn_decay * i_syn + syn_gain * input
//   u = (decay * v + gain * i) + leak, i = i_syn_next (i_syn if voltage_first)
//
// then snn.lif's threshold and reset for cubalif. Independent products are
// matched in any order (DAG checks): only the data flow is the contract.
//
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-DAG: #[[$ID1:.+]] = affine_map<(d0) -> (d0)>

// CHECK-LABEL: func.func @cubali(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>, %[[I:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK-DAG:     %[[SDECAY:.+]] = arith.constant 8.000000e-01 : f32
// CHECK-DAG:     %[[SGAIN:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[DECAY:.+]] = arith.constant 0.899999976 : f32
// CHECK-DAG:     %[[GAIN:.+]] = arith.constant 2.500000e-01 : f32
// CHECK-DAG:     %[[LEAK:.+]] = arith.constant 1.250000e-01 : f32
// CHECK-DAG:     %[[EI:.+]] = tensor.empty() : tensor<4xf32>
// CHECK-DAG:     %[[EV:.+]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[R:.+]]:2 = linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]]]
// CHECK-SAME:        iterator_types = ["parallel"]
// CHECK-SAME:        ins(%[[X]], %[[I]], %[[V]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-SAME:        outs(%[[EI]], %[[EV]] : tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[II:.+]]: f32, %[[VI:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-DAG:       %[[SX:.+]] = arith.mulf %[[SGAIN]], %[[XI]] : f32
// CHECK-DAG:       %[[SI:.+]] = arith.mulf %[[SDECAY]], %[[II]] : f32
// CHECK-NEXT:      %[[INEXT:.+]] = arith.addf %[[SI]], %[[SX]] : f32
// CHECK-DAG:       %[[GI:.+]] = arith.mulf %[[GAIN]], %[[INEXT]] : f32
// CHECK-DAG:       %[[DV:.+]] = arith.mulf %[[DECAY]], %[[VI]] : f32
// CHECK-NEXT:      %[[S0:.+]] = arith.addf %[[DV]], %[[GI]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.addf %[[S0]], %[[LEAK]] : f32
// CHECK-NEXT:      linalg.yield %[[INEXT]], %[[VN]] : f32, f32
// CHECK-NEXT:    } -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT:    return %[[R]]#0, %[[R]]#1
func.func @cubali(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<0.5> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<0.25> : tensor<1xf64>, leak = dense<0.125> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %i1, %v1 : tensor<4xf32>, tensor<4xf32>
}

// voltage_first: the membrane integrates the previous current i_syn. Unit
// gains and a zero leak cost nothing.
// CHECK-LABEL: func.func @cubali_voltage_first(
// CHECK-DAG:     %[[SDECAY:.+]] = arith.constant 8.000000e-01 : f32
// CHECK-DAG:     %[[DECAY:.+]] = arith.constant 0.899999976 : f32
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[II:.+]]: f32, %[[VI:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[SI:.+]] = arith.mulf %[[SDECAY]], %[[II]] : f32
// CHECK-NEXT:      %[[INEXT:.+]] = arith.addf %[[SI]], %[[XI]] : f32
// CHECK-NEXT:      %[[DV:.+]] = arith.mulf %[[DECAY]], %[[VI]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.addf %[[DV]], %[[II]] : f32
// CHECK-NEXT:      linalg.yield %[[INEXT]], %[[VN]] : f32, f32
func.func @cubali_voltage_first(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, voltage_first} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %i1, %v1 : tensor<4xf32>, tensor<4xf32>
}

// Without voltage_first the same parameters feed i_syn_next to the membrane.
// CHECK-LABEL: func.func @cubali_current_first(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[II:.+]]: f32, %[[VI:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[SI:.+]] = arith.mulf %{{.+}}, %[[II]] : f32
// CHECK-NEXT:      %[[INEXT:.+]] = arith.addf %[[SI]], %[[XI]] : f32
// CHECK-NEXT:      %[[DV:.+]] = arith.mulf %{{.+}}, %[[VI]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.addf %[[DV]], %[[INEXT]] : f32
// CHECK-NEXT:      linalg.yield %[[INEXT]], %[[VN]] : f32, f32
func.func @cubali_current_first(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %i1, %v1 : tensor<4xf32>, tensor<4xf32>
}

// cubalif, reset = subtract_delayed with float spikes: per-neuron syn_decay
// is the fourth input, spike_prev the fifth; threshold == 1 so
// threshold * spike_prev is spike_prev.
// CHECK-LABEL: func.func @cubalif_subtract_delayed(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf64>, %[[I:[^:]+]]: tensor<4xf64>, %[[V:[^:]+]]: tensor<4xf64>, %[[P:[^:]+]]: tensor<4xf64>)
// CHECK-DAG:     %[[SDECAY:.+]] = arith.constant dense<[9.000000e-01, 8.000000e-01, 5.000000e-01, 2.500000e-01]> : tensor<4xf64>
// CHECK-DAG:     %[[DECAY:.+]] = arith.constant 9.000000e-01 : f64
// CHECK:         %[[R:.+]]:3 = linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]]]
// CHECK-SAME:        ins(%[[X]], %[[I]], %[[V]], %[[SDECAY]], %[[P]] : tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f64, %[[II:.+]]: f64, %[[VI:.+]]: f64, %[[SDI:.+]]: f64, %[[PI:.+]]: f64, %{{.+}}: f64, %{{.+}}: f64, %{{.+}}: f64):
// CHECK-NEXT:      %[[SI:.+]] = arith.mulf %[[SDI]], %[[II]] : f64
// CHECK-NEXT:      %[[INEXT:.+]] = arith.addf %[[SI]], %[[XI]] : f64
// CHECK-NEXT:      %[[DV:.+]] = arith.mulf %[[DECAY]], %[[VI]] : f64
// CHECK-NEXT:      %[[U0:.+]] = arith.addf %[[DV]], %[[INEXT]] : f64
// CHECK-NEXT:      %[[U:.+]] = arith.subf %[[U0]], %[[PI]] : f64
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf ogt, %[[U]], %{{.+}} : f64
// CHECK-DAG:       %[[ZERO:.+]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:       %[[ONE:.+]] = arith.constant 1.000000e+00 : f64
// CHECK-NEXT:      %[[S:.+]] = arith.select %[[F]], %[[ONE]], %[[ZERO]] : f64
// CHECK-NEXT:      linalg.yield %[[INEXT]], %[[U]], %[[S]] : f64, f64, f64
// CHECK-NEXT:    } -> (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>)
// CHECK-NEXT:    return %[[R]]#0, %[[R]]#1, %[[R]]#2
func.func @cubalif_subtract_delayed(%x: tensor<4xf64>, %i: tensor<4xf64>, %v: tensor<4xf64>, %p: tensor<4xf64>) -> (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) {
  %i1, %v1, %s = snn.cubalif %x, %i, %v, %p {syn_decay = dense<[0.9, 0.8, 0.5, 0.25]> : tensor<4xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64> -> tensor<4xf64>
  return %i1, %v1, %s : tensor<4xf64>, tensor<4xf64>, tensor<4xf64>
}

// cubalif, reset = value with a per-neuron v_reset, compare = ge, i8 spikes,
// voltage_first.
// CHECK-LABEL: func.func @cubalif_value(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>, %[[I:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK-DAG:     %[[THR:.+]] = arith.constant 7.500000e-01 : f32
// CHECK-DAG:     %[[VRESET:.+]] = arith.constant dense<2.500000e-01> : tensor<4xf32>
// CHECK-DAG:     %[[EI:.+]] = tensor.empty() : tensor<4xf32>
// CHECK-DAG:     %[[EV:.+]] = tensor.empty() : tensor<4xf32>
// CHECK-DAG:     %[[ES:.+]] = tensor.empty() : tensor<4xi8>
// CHECK:         linalg.generic
// CHECK-SAME:        ins(%[[X]], %[[I]], %[[V]], %[[VRESET]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-SAME:        outs(%[[EI]], %[[EV]], %[[ES]] : tensor<4xf32>, tensor<4xf32>, tensor<4xi8>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[II:.+]]: f32, %[[VI:.+]]: f32, %[[RI:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32, %{{.+}}: i8):
// CHECK-NEXT:      %[[SI:.+]] = arith.mulf %{{.+}}, %[[II]] : f32
// CHECK-NEXT:      %[[INEXT:.+]] = arith.addf %[[SI]], %[[XI]] : f32
// CHECK-NEXT:      %[[DV:.+]] = arith.mulf %{{.+}}, %[[VI]] : f32
// CHECK-NEXT:      %[[U:.+]] = arith.addf %[[DV]], %[[II]] : f32
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf oge, %[[U]], %[[THR]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.extui %[[F]] : i1 to i8
// CHECK-NEXT:      %[[VN:.+]] = arith.select %[[F]], %[[RI]], %[[U]] : f32
// CHECK-NEXT:      linalg.yield %[[INEXT]], %[[VN]], %[[S]] : f32, f32, i8
func.func @cubalif_value(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi8>) {
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<0.75> : tensor<1xf64>, v_reset = dense<0.25> : tensor<4xf64>, reset = #snn.reset<value>, compare = #snn.compare<ge>, voltage_first} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xi8>
  return %i1, %v1, %s : tensor<4xf32>, tensor<4xf32>, tensor<4xi8>
}

// cubalif, reset = subtract.
// CHECK-LABEL: func.func @cubalif_subtract(
// CHECK:         %[[THR:.+]] = arith.constant 2.000000e+00 : f32
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[II:.+]]: f32, %[[VI:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[SI:.+]] = arith.mulf %{{.+}}, %[[II]] : f32
// CHECK-NEXT:      %[[INEXT:.+]] = arith.addf %[[SI]], %[[XI]] : f32
// CHECK-NEXT:      %[[DV:.+]] = arith.mulf %{{.+}}, %[[VI]] : f32
// CHECK-NEXT:      %[[U:.+]] = arith.addf %[[DV]], %[[INEXT]] : f32
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf ogt, %[[U]], %[[THR]] : f32
// CHECK-DAG:       %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:       %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[S:.+]] = arith.select %[[F]], %[[ONE]], %[[ZERO]] : f32
// CHECK-NEXT:      %[[UT:.+]] = arith.subf %[[U]], %[[THR]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.select %[[F]], %[[UT]], %[[U]] : f32
// CHECK-NEXT:      linalg.yield %[[INEXT]], %[[VN]], %[[S]] : f32, f32, f32
func.func @cubalif_subtract(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<2.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %i1, %v1, %s : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
