// snn.integrator, snn.li, snn.if and snn.lif become one elementwise
// linalg.generic each (identity maps, all loops parallel; ins are input,
// membrane, per-neuron parameters, then spike_prev; outs are v_next and
// spike). The body spells out the documented update in the op's element type:
//
//   u = (decay * v + gain * input) + leak   (- threshold * spike_prev)
//   spike = u > threshold  (cmpf ogt; oge with compare = ge)
//   v_next = select(spike, v_reset, u)         reset = value
//            select(spike, u - threshold, u)   reset = subtract
//            u                                 reset = subtract_delayed
//
// Exact shortcuts: a parameter that is the single value 1 (a gain, a decay,
// a threshold multiplying spike_prev) costs no mulf, a leak that is the
// single value 0 costs no addf.
//
// The two products `decay * v` and `gain * input` are independent; their
// relative order is not part of the contract (CHECK-DAG), the addition that
// combines them is.
//
// RUN: snn-opt %s --convert-snn-to-linalg | FileCheck %s

// CHECK-DAG: #[[$FLAT3:.+]] = affine_map<(d0, d1) -> (d1 + d0 * 3)>
// CHECK-DAG: #[[$ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>

//===----------------------------------------------------------------------===//
// snn.integrator: v_next = v + gain * input
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @integrator(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[GAIN:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]]]
// CHECK-SAME:        iterator_types = ["parallel"]
// CHECK-SAME:        ins(%[[X]], %[[V]] : tensor<4xf32>, tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[VI:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[GX:.+]] = arith.mulf %[[GAIN]], %[[XI]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.addf %[[VI]], %[[GX]] : f32
// CHECK-NEXT:      linalg.yield %[[VN]] : f32
// CHECK-NEXT:    } -> tensor<4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4xf32>
func.func @integrator(%x: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<4xf32> {
  %a = snn.integrator %x, %v {gain = dense<0.5> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>
  return %a : tensor<4xf32>
}

// gain == 1: no mulf.
// CHECK-LABEL: func.func @integrator_unit_gain(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f64, %[[VI:.+]]: f64, %{{.+}}: f64):
// CHECK-NEXT:      %[[VN:.+]] = arith.addf %[[VI]], %[[XI]] : f64
// CHECK-NEXT:      linalg.yield %[[VN]] : f64
func.func @integrator_unit_gain(%x: tensor<4xf64>, %v: tensor<4xf64>) -> tensor<4xf64> {
  %a = snn.integrator %x, %v {gain = dense<1.0> : tensor<1xf64>} : tensor<4xf64>, tensor<4xf64>
  return %a : tensor<4xf64>
}

// A per-neuron gain is a third input.
// CHECK-LABEL: func.func @integrator_per_neuron(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[GAIN:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]]]
// CHECK-SAME:        ins(%[[X]], %[[V]], %[[GAIN]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[VI:.+]]: f32, %[[GI:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[GX:.+]] = arith.mulf %[[GI]], %[[XI]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.addf %[[VI]], %[[GX]] : f32
// CHECK-NEXT:      linalg.yield %[[VN]] : f32
func.func @integrator_per_neuron(%x: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<4xf32> {
  %a = snn.integrator %x, %v {gain = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf64>} : tensor<4xf32>, tensor<4xf32>
  return %a : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// snn.li: v_next = (decay * v + gain * input) + leak
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @li(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x3xf32>, %[[V:[^:]+]]: tensor<2x3xf32>)
// CHECK-DAG:     %[[DECAY:.+]] = arith.constant 0.899999976 : f32
// CHECK-DAG:     %[[GAIN:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[LEAK:.+]] = arith.constant 2.500000e-01 : f32
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<2x3xf32>
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID2]], #[[$ID2]], #[[$ID2]]]
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[X]], %[[V]] : tensor<2x3xf32>, tensor<2x3xf32>) outs(%[[E]] : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[VI:.+]]: f32, %{{.+}}: f32):
// CHECK-DAG:       %[[DV:.+]] = arith.mulf %[[DECAY]], %[[VI]] : f32
// CHECK-DAG:       %[[GX:.+]] = arith.mulf %[[GAIN]], %[[XI]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[DV]], %[[GX]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.addf %[[S]], %[[LEAK]] : f32
// CHECK-NEXT:      linalg.yield %[[VN]] : f32
// CHECK-NEXT:    } -> tensor<2x3xf32>
func.func @li(%x: tensor<2x3xf32>, %v: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<0.5> : tensor<1xf64>, leak = dense<0.25> : tensor<1xf64>} : tensor<2x3xf32>, tensor<2x3xf32>
  return %a : tensor<2x3xf32>
}

// Per-neuron decay; gain == 1 skips the mulf and leak == 0 the addf.
// CHECK-LABEL: func.func @li_shortcuts(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf64>, %[[V:[^:]+]]: tensor<4xf64>)
// CHECK:         %[[DECAY:.+]] = arith.constant dense<[9.000000e-01, 8.000000e-01, 5.000000e-01, 2.500000e-01]> : tensor<4xf64>
// CHECK:         linalg.generic
// CHECK-SAME:        ins(%[[X]], %[[V]], %[[DECAY]] : tensor<4xf64>, tensor<4xf64>, tensor<4xf64>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f64, %[[VI:.+]]: f64, %[[DI:.+]]: f64, %{{.+}}: f64):
// CHECK-NEXT:      %[[DV:.+]] = arith.mulf %[[DI]], %[[VI]] : f64
// CHECK-NEXT:      %[[VN:.+]] = arith.addf %[[DV]], %[[XI]] : f64
// CHECK-NEXT:      linalg.yield %[[VN]] : f64
func.func @li_shortcuts(%x: tensor<4xf64>, %v: tensor<4xf64>) -> tensor<4xf64> {
  %a = snn.li %x, %v {decay = dense<[0.9, 0.8, 0.5, 0.25]> : tensor<4xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf64>, tensor<4xf64>
  return %a : tensor<4xf64>
}

// A per-neuron leak of zeros is an input like any other: no shortcut.
// CHECK-LABEL: func.func @li_per_neuron_leak(
// CHECK:         %[[LEAK:.+]] = arith.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK:         ins(%{{.+}}, %{{.+}}, %[[LEAK]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[VI:.+]]: f32, %[[LI:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[VI]], %[[XI]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.addf %[[S]], %[[LI]] : f32
// CHECK-NEXT:      linalg.yield %[[VN]] : f32
func.func @li_per_neuron_leak(%x: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<4xf32> {
  %a = snn.li %x, %v {decay = dense<1.0> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<4xf64>} : tensor<4xf32>, tensor<4xf32>
  return %a : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// snn.if: u = v + gain * input, then threshold and reset
//===----------------------------------------------------------------------===//

// reset = value, float spikes.
// CHECK-LABEL: func.func @if_value(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[GAIN:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:         %[[THR:.+]] = arith.constant 1.000000e+00 : f32
// CHECK:         %[[VRESET:.+]] = arith.constant -5.000000e-01 : f32
// CHECK:         %[[EV:.+]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[ES:.+]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[R:.+]]:2 = linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]]]
// CHECK-SAME:        iterator_types = ["parallel"]
// CHECK-SAME:        ins(%[[X]], %[[V]] : tensor<4xf32>, tensor<4xf32>) outs(%[[EV]], %[[ES]] : tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[VI:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[GX:.+]] = arith.mulf %[[GAIN]], %[[XI]] : f32
// CHECK-NEXT:      %[[U:.+]] = arith.addf %[[VI]], %[[GX]] : f32
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf ogt, %[[U]], %[[THR]] : f32
// CHECK-DAG:       %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:       %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[S:.+]] = arith.select %[[F]], %[[ONE]], %[[ZERO]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.select %[[F]], %[[VRESET]], %[[U]] : f32
// CHECK-NEXT:      linalg.yield %[[VN]], %[[S]] : f32, f32
// CHECK-NEXT:    } -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT:    return %[[R]]#0, %[[R]]#1 : tensor<4xf32>, tensor<4xf32>
func.func @if_value(%x: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %v1, %s = snn.if %x, %v {gain = dense<0.5> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<-0.5> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %v1, %s : tensor<4xf32>, tensor<4xf32>
}

// reset = subtract, compare = ge, i8 spikes, per-neuron thresholds.
// CHECK-LABEL: func.func @if_subtract(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf64>, %[[V:[^:]+]]: tensor<4xf64>)
// CHECK:         %[[THR:.+]] = arith.constant dense<[1.000000e+00, 1.500000e+00, 2.000000e+00, 2.500000e+00]> : tensor<4xf64>
// CHECK:         %[[EV:.+]] = tensor.empty() : tensor<4xf64>
// CHECK:         %[[ES:.+]] = tensor.empty() : tensor<4xi8>
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]]]
// CHECK-SAME:        ins(%[[X]], %[[V]], %[[THR]] : tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) outs(%[[EV]], %[[ES]] : tensor<4xf64>, tensor<4xi8>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f64, %[[VI:.+]]: f64, %[[TI:.+]]: f64, %{{.+}}: f64, %{{.+}}: i8):
// CHECK-NEXT:      %[[U:.+]] = arith.addf %[[VI]], %[[XI]] : f64
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf oge, %[[U]], %[[TI]] : f64
// CHECK-NEXT:      %[[S:.+]] = arith.extui %[[F]] : i1 to i8
// CHECK-NEXT:      %[[UT:.+]] = arith.subf %[[U]], %[[TI]] : f64
// CHECK-NEXT:      %[[VN:.+]] = arith.select %[[F]], %[[UT]], %[[U]] : f64
// CHECK-NEXT:      linalg.yield %[[VN]], %[[S]] : f64, i8
func.func @if_subtract(%x: tensor<4xf64>, %v: tensor<4xf64>) -> (tensor<4xf64>, tensor<4xi8>) {
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<[1.0, 1.5, 2.0, 2.5]> : tensor<4xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<ge>} : tensor<4xf64>, tensor<4xf64> -> tensor<4xi8>
  return %v1, %s : tensor<4xf64>, tensor<4xi8>
}

// reset = subtract_delayed: spike_prev (float) is the last input; the
// threshold times spike_prev is subtracted before the comparison and the
// membrane is not reset after it.
// CHECK-LABEL: func.func @if_subtract_delayed(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>, %[[P:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[THR:.+]] = arith.constant 2.000000e+00 : f32
// CHECK:         linalg.generic
// CHECK-SAME:        ins(%[[X]], %[[V]], %[[P]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[VI:.+]]: f32, %[[PI:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[U0:.+]] = arith.addf %[[VI]], %[[XI]] : f32
// CHECK-NEXT:      %[[TP:.+]] = arith.mulf %[[THR]], %[[PI]] : f32
// CHECK-NEXT:      %[[U:.+]] = arith.subf %[[U0]], %[[TP]] : f32
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf ogt, %[[U]], %[[THR]] : f32
// CHECK-DAG:       %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:       %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[S:.+]] = arith.select %[[F]], %[[ONE]], %[[ZERO]] : f32
// CHECK-NEXT:      linalg.yield %[[U]], %[[S]] : f32, f32
func.func @if_subtract_delayed(%x: tensor<4xf32>, %v: tensor<4xf32>, %p: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %v1, %s = snn.if %x, %v, %p {gain = dense<1.0> : tensor<1xf64>, threshold = dense<2.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %v1, %s : tensor<4xf32>, tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// snn.lif: u = (decay * v + gain * input) + leak, then threshold and reset
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @lif_value(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK-DAG:     %[[DECAY:.+]] = arith.constant 0.899999976 : f32
// CHECK-DAG:     %[[GAIN:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[LEAK:.+]] = arith.constant 1.250000e-01 : f32
// CHECK-DAG:     %[[THR:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:     %[[VRESET:.+]] = arith.constant -2.500000e-01 : f32
// CHECK:         %[[R:.+]]:2 = linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]]]
// CHECK-SAME:        iterator_types = ["parallel"]
// CHECK-SAME:        ins(%[[X]], %[[V]] : tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[VI:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-DAG:       %[[GX:.+]] = arith.mulf %[[GAIN]], %[[XI]] : f32
// CHECK-DAG:       %[[DV:.+]] = arith.mulf %[[DECAY]], %[[VI]] : f32
// CHECK-NEXT:      %[[S0:.+]] = arith.addf %[[DV]], %[[GX]] : f32
// CHECK-NEXT:      %[[U:.+]] = arith.addf %[[S0]], %[[LEAK]] : f32
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf ogt, %[[U]], %[[THR]] : f32
// CHECK-DAG:       %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:       %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[S:.+]] = arith.select %[[F]], %[[ONE]], %[[ZERO]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.select %[[F]], %[[VRESET]], %[[U]] : f32
// CHECK-NEXT:      linalg.yield %[[VN]], %[[S]] : f32, f32
// CHECK-NEXT:    } -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT:    return %[[R]]#0, %[[R]]#1
func.func @lif_value(%x: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<0.5> : tensor<1xf64>, leak = dense<0.125> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<-0.25> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %v1, %s : tensor<4xf32>, tensor<4xf32>
}

// 2-D neurons, per-neuron thresholds and reset values, reset = subtract
// (which does not read v_reset, so the per-neuron array is not an input),
// compare = ge; gain == 1 and leak == 0 cost nothing.
// CHECK-LABEL: func.func @lif_subtract(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x3xf32>, %[[V:[^:]+]]: tensor<2x3xf32>)
// CHECK-DAG:     %[[DECAY:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[THR:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]> : tensor<6xf32>
// CHECK-NOT:     arith.constant dense<[0.000000e+00, 1.000000e+00
// CHECK-DAG:     %[[EV:.+]] = tensor.empty() : tensor<2x3xf32>
// CHECK-DAG:     %[[ES:.+]] = tensor.empty() : tensor<2x3xi8>
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID2]], #[[$ID2]], #[[$FLAT3]], #[[$ID2]], #[[$ID2]]]
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[X]], %[[V]], %[[THR]] : tensor<2x3xf32>, tensor<2x3xf32>, tensor<6xf32>)
// CHECK-SAME:        outs(%[[EV]], %[[ES]] : tensor<2x3xf32>, tensor<2x3xi8>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[VI:.+]]: f32, %[[TI:.+]]: f32, %{{.+}}: f32, %{{.+}}: i8):
// CHECK-NEXT:      %[[DV:.+]] = arith.mulf %[[DECAY]], %[[VI]] : f32
// CHECK-NEXT:      %[[U:.+]] = arith.addf %[[DV]], %[[XI]] : f32
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf oge, %[[U]], %[[TI]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.extui %[[F]] : i1 to i8
// CHECK-NEXT:      %[[UT:.+]] = arith.subf %[[U]], %[[TI]] : f32
// CHECK-NEXT:      %[[VN:.+]] = arith.select %[[F]], %[[UT]], %[[U]] : f32
// CHECK-NEXT:      linalg.yield %[[VN]], %[[S]] : f32, i8
func.func @lif_subtract(%x: tensor<2x3xf32>, %v: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi8>) {
  %v1, %s = snn.lif %x, %v {decay = dense<0.5> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf64>, v_reset = dense<[[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]> : tensor<2x3xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<ge>} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xi8>
  return %v1, %s : tensor<2x3xf32>, tensor<2x3xi8>
}

// snnTorch's Leaky: reset = subtract_delayed with integer spikes. spike_prev
// comes after the per-neuron parameters, is converted unsigned to the
// membrane type, multiplied by the threshold (1.5, so a mulf) and subtracted.
// CHECK-LABEL: func.func @lif_subtract_delayed(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf64>, %[[V:[^:]+]]: tensor<4xf64>, %[[P:[^:]+]]: tensor<4xi8>)
// CHECK-DAG:     %[[DECAY:.+]] = arith.constant dense<[9.000000e-01, 8.000000e-01, 5.000000e-01, 2.500000e-01]> : tensor<4xf64>
// CHECK-DAG:     %[[THR:.+]] = arith.constant 1.500000e+00 : f64
// CHECK:         linalg.generic
// CHECK-SAME:        indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]]]
// CHECK-SAME:        ins(%[[X]], %[[V]], %[[DECAY]], %[[P]] : tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xi8>)
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f64, %[[VI:.+]]: f64, %[[DI:.+]]: f64, %[[PI:.+]]: i8, %{{.+}}: f64, %{{.+}}: i8):
// CHECK-NEXT:      %[[DV:.+]] = arith.mulf %[[DI]], %[[VI]] : f64
// CHECK-NEXT:      %[[U0:.+]] = arith.addf %[[DV]], %[[XI]] : f64
// CHECK-NEXT:      %[[PF:.+]] = arith.uitofp %[[PI]] : i8 to f64
// CHECK-NEXT:      %[[TP:.+]] = arith.mulf %[[THR]], %[[PF]] : f64
// CHECK-NEXT:      %[[U:.+]] = arith.subf %[[U0]], %[[TP]] : f64
// CHECK-NEXT:      %[[F:.+]] = arith.cmpf oge, %[[U]], %[[THR]] : f64
// CHECK-NEXT:      %[[S:.+]] = arith.extui %[[F]] : i1 to i8
// CHECK-NEXT:      linalg.yield %[[U]], %[[S]] : f64, i8
func.func @lif_subtract_delayed(%x: tensor<4xf64>, %v: tensor<4xf64>, %p: tensor<4xi8>) -> (tensor<4xf64>, tensor<4xi8>) {
  %v1, %s = snn.lif %x, %v, %p {decay = dense<[0.9, 0.8, 0.5, 0.25]> : tensor<4xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.5> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<ge>} : tensor<4xf64>, tensor<4xf64>, tensor<4xi8> -> tensor<4xi8>
  return %v1, %s : tensor<4xf64>, tensor<4xi8>
}

// threshold == 1: threshold * spike_prev is spike_prev itself (no mulf).
// CHECK-LABEL: func.func @lif_subtract_delayed_unit_threshold(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[XI:.+]]: f32, %[[VI:.+]]: f32, %[[PI:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[DV:.+]] = arith.mulf %{{.+}}, %[[VI]] : f32
// CHECK-NEXT:      %[[U0:.+]] = arith.addf %[[DV]], %[[XI]] : f32
// CHECK-NEXT:      %[[U:.+]] = arith.subf %[[U0]], %[[PI]] : f32
// CHECK-NEXT:      arith.cmpf ogt, %[[U]], %{{.+}} : f32
func.func @lif_subtract_delayed_unit_threshold(%x: tensor<4xf32>, %v: tensor<4xf32>, %p: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %v1, %s = snn.lif %x, %v, %p {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %v1, %s : tensor<4xf32>, tensor<4xf32>
}
