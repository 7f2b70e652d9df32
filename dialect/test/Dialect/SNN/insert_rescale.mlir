// snn-insert-rescale materializes the casts a quantizer leaves between a
// producer and a consumer of a set type: a cast between equal types
// disappears, one between different scales becomes snn.rescale.
// RUN: snn-opt %s -split-input-file --snn-insert-rescale | FileCheck %s
// Without the pass the casts are the only thing that keeps the IR valid:
// RUN: snn-opt %s -split-input-file --snn-insert-rescale --snn-choose-integer-arithmetic --convert-snn-to-linalg --strip-func-quant-types --canonicalize | FileCheck %s --check-prefix=LOWERED

!acc_a = tensor<4x!quant.uniform<i32:f32, 0.01>>
!acc_b = tensor<4x!quant.uniform<i32:f32, 0.002>>
!v = tensor<4x!quant.uniform<i16:f32, 0.001>>

// Fan-in: two synapses with different weight scales meet at one neuron; each
// accumulator is rescaled to the membrane's scale before the sum.
// CHECK-LABEL: func.func @fan_in(
// CHECK:         %[[A:.+]] = snn.linear %arg0, %{{.+}} : tensor<3xi8>, {{.+}} -> tensor<4x!quant.uniform<i32:f32, 1.000000e-02>>
// CHECK:         %[[B:.+]] = snn.linear %arg1, %{{.+}} : tensor<2xi8>, {{.+}} -> tensor<4x!quant.uniform<i32:f32, 2.000000e-03>>
// CHECK-NEXT:    %[[RA:.+]] = snn.rescale %[[A]] : tensor<4x!quant.uniform<i32:f32, 1.000000e-02>> -> tensor<4x!quant.uniform<i16:f32, 1.000000e-03>>
// CHECK-NEXT:    %[[RB:.+]] = snn.rescale %[[B]] : tensor<4x!quant.uniform<i32:f32, 2.000000e-03>> -> tensor<4x!quant.uniform<i16:f32, 1.000000e-03>>
// CHECK-NEXT:    %[[S:.+]] = snn.sum %[[RA]], %[[RB]]
// CHECK-NEXT:    snn.lif %[[S]], %arg2
// CHECK-NOT:     unrealized_conversion_cast
// LOWERED-LABEL: func.func @fan_in(%arg0: tensor<3xi8>, %arg1: tensor<2xi8>, %arg2: tensor<4xi16>) -> (tensor<4xi16>, tensor<4xi8>)
// LOWERED-NOT:   quant
func.func @fan_in(%x: tensor<3xi8>, %y: tensor<2xi8>, %v: !v) -> (!v, tensor<4xi8>) {
  %wa_i = arith.constant dense<3> : tensor<4x3xi8>
  %wa = quant.scast %wa_i : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8:f32, 0.01>>
  %wb_i = arith.constant dense<-7> : tensor<4x2xi8>
  %wb = quant.scast %wb_i : tensor<4x2xi8> to tensor<4x2x!quant.uniform<i8:f32, 0.002>>
  %a = snn.linear %x, %wa : tensor<3xi8>, tensor<4x3x!quant.uniform<i8:f32, 0.01>> -> !acc_a
  %b = snn.linear %y, %wb : tensor<2xi8>, tensor<4x2x!quant.uniform<i8:f32, 0.002>> -> !acc_b
  %ca = builtin.unrealized_conversion_cast %a : !acc_a to !v
  %cb = builtin.unrealized_conversion_cast %b : !acc_b to !v
  %sum = snn.sum %ca, %cb : !v, !v -> !v
  %v1, %s = snn.lif %sum, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<gt>} : !v, !v -> tensor<4xi8>
  return %v1, %s : !v, tensor<4xi8>
}

// -----

!acc = tensor<4x!quant.uniform<i32:f32, 0.001>>
!v = tensor<4x!quant.uniform<i32:f32, 0.001>>
!v2 = tensor<2x!quant.uniform<i16:f32, 0.0005>>

// A chain: the first neuron's state has its synapse's scale (no rescale);
// the second layer's does not (one rescale).
// CHECK-LABEL: func.func @chain(
// CHECK:         %[[A:.+]] = snn.linear
// CHECK-NEXT:    snn.lif %[[A]], %arg1
// CHECK:         %[[B:.+]] = snn.linear
// CHECK-NEXT:    %[[R:.+]] = snn.rescale %[[B]] : tensor<2x!quant.uniform<i32:f32, 2.000000e-03>> -> tensor<2x!quant.uniform<i16:f32, 5.000000e-04>>
// CHECK-NEXT:    snn.lif %[[R]], %arg2
// CHECK-NOT:     unrealized_conversion_cast
func.func @chain(%x: tensor<3xi8>, %v: !v, %v2: !v2) -> (!v, !v2, tensor<2xi8>) {
  %w1_i = arith.constant dense<1> : tensor<4x3xi8>
  %w1 = quant.scast %w1_i : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8:f32, 0.001>>
  %a = snn.linear %x, %w1 : tensor<3xi8>, tensor<4x3x!quant.uniform<i8:f32, 0.001>> -> !acc
  %ca = builtin.unrealized_conversion_cast %a : !acc to !v
  %v1, %s1 = snn.lif %ca, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<gt>} : !v, !v -> tensor<4xi8>
  %w2_i = arith.constant dense<2> : tensor<2x4xi8>
  %w2 = quant.scast %w2_i : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32, 0.002>>
  %b = snn.linear %s1, %w2 : tensor<4xi8>, tensor<2x4x!quant.uniform<i8:f32, 0.002>> -> tensor<2x!quant.uniform<i32:f32, 0.002>>
  %cb = builtin.unrealized_conversion_cast %b : tensor<2x!quant.uniform<i32:f32, 0.002>> to !v2
  %v2n, %s2 = snn.lif %cb, %v2 {decay = dense<0.8> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : !v2, !v2 -> tensor<2xi8>
  return %v1, %v2n, %s2 : !v, !v2, tensor<2xi8>
}

// -----

!v = tensor<4x!quant.uniform<i16:f32, 0.001>>

// A recurrent loop: the previous step's spikes (a state argument) go through
// the recurrent synapse and join the feed-forward input; both accumulators
// have other scales than the membrane.
// CHECK-LABEL: func.func @recurrent(
// CHECK:         %[[FF:.+]] = snn.linear %arg0
// CHECK:         %[[REC:.+]] = snn.linear %arg2
// CHECK-DAG:     %[[RFF:.+]] = snn.rescale %[[FF]] : tensor<4x!quant.uniform<i32:f32, 3.000000e-03>>
// CHECK-DAG:     %[[RREC:.+]] = snn.rescale %[[REC]] : tensor<4x!quant.uniform<i32:f32, 5.000000e-03>>
// CHECK:         %[[S:.+]] = snn.sum %[[RFF]], %[[RREC]]
// CHECK:         %[[V:.+]], %[[SPIKES:.+]] = snn.lif %[[S]], %arg1
// CHECK:         return %[[V]], %[[SPIKES]]
func.func @recurrent(%x: tensor<3xi8>, %v: !v, %previous: tensor<4xi8>) -> (!v, tensor<4xi8>) {
  %wf_i = arith.constant dense<5> : tensor<4x3xi8>
  %wf = quant.scast %wf_i : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8:f32, 0.003>>
  %wr_i = arith.constant dense<-1> : tensor<4x4xi8>
  %wr = quant.scast %wr_i : tensor<4x4xi8> to tensor<4x4x!quant.uniform<i8:f32, 0.005>>
  %ff = snn.linear %x, %wf : tensor<3xi8>, tensor<4x3x!quant.uniform<i8:f32, 0.003>> -> tensor<4x!quant.uniform<i32:f32, 0.003>>
  %rec = snn.linear %previous, %wr : tensor<4xi8>, tensor<4x4x!quant.uniform<i8:f32, 0.005>> -> tensor<4x!quant.uniform<i32:f32, 0.005>>
  %cf = builtin.unrealized_conversion_cast %ff : tensor<4x!quant.uniform<i32:f32, 0.003>> to !v
  %cr = builtin.unrealized_conversion_cast %rec : tensor<4x!quant.uniform<i32:f32, 0.005>> to !v
  %sum = snn.sum %cf, %cr : !v, !v -> !v
  %v1, %s = snn.lif %sum, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<gt>} : !v, !v -> tensor<4xi8>
  return %v1, %s : !v, tensor<4xi8>
}
