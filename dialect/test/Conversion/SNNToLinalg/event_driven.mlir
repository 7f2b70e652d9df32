// snn-event-driven lowers synapses fed by spikes (or by the step's
// arguments) with constant weights: it gathers the positions of the active
// inputs (branch-free: every position is written at the count, the count
// advances for active ones) and adds one row of the transposed weight per
// active input, in a row loop of constant trip count. Other synapses are left
// to convert-snn-to-linalg.
// RUN: snn-opt %s --snn-event-driven | FileCheck %s --check-prefix=PASS
// RUN: snn-opt %s --snn-event-driven --convert-snn-to-linalg --canonicalize | FileCheck %s --check-prefix=LOWER

// The first two synapses (fed by the argument, by the LIF's spikes) are
// lowered by the pass; the third (fed by a leaky integrator's membrane) is not.
// PASS-LABEL: func.func @step(
// PASS-NOT:     snn.linear
// PASS:         scf.for
// PASS:         snn.lif
// PASS-NOT:     snn.linear
// PASS:         scf.for
// PASS:         snn.li
// PASS:         snn.linear %{{.+}}, %{{.+}} :
// PASS:         return

// LOWER-LABEL: func.func @step(
// LOWER:         arith.constant dense<[5.000000e-01, 1.000000e+00, 2.500000e-01, 2.000000e+00]> : tensor<4xf32>
// LOWER:         %[[POS:.+]]:2 = scf.for %[[J:.+]] = %c0 to %c2 step %c1 iter_args(%[[LIST:.+]] = %{{.+}}, %[[COUNT:.+]] = %c0) -> (tensor<2xi16>, index)
// LOWER:           %[[ACTIVE:.+]] = arith.cmpf une
// LOWER:           %[[P:.+]] = arith.index_castui %[[J]] : index to i16
// LOWER:           tensor.insert %[[P]] into %[[LIST]][%[[COUNT]]]
// LOWER:           %[[STEP:.+]] = arith.select %[[ACTIVE]], %c1, %c0 : index
// LOWER:           arith.addi %[[COUNT]], %[[STEP]] : index
// LOWER:         scf.for %{{.+}} = %c0 to %[[POS]]#1 step %c1
// LOWER:           tensor.extract %[[POS]]#0
// LOWER:           scf.for %{{.+}} = %c0 to %c2 step %c1
// LOWER:             arith.mulf
// LOWER:             arith.addf
// LOWER:             tensor.insert
// The second synapse reads the LIF's spikes (0 or 1): its rows are added
// without reading them, w * 1 = w.
// LOWER:         linalg.generic
// LOWER:         scf.for %{{.+}} = %c0 to %{{.+}} step %c1
// LOWER:           scf.for %{{.+}} = %c0 to %c2 step %c1
// LOWER-NOT:         arith.mulf
// LOWER:             arith.addf
// LOWER:             tensor.insert
// LOWER:         linalg.generic
func.func @step(%x: tensor<2xf32>, %v: tensor<2xf32>, %v2: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %w = arith.constant dense<[[0.5, 0.25], [1.0, 2.0]]> : tensor<2x2xf32>
  %y = snn.linear %x, %w : tensor<2xf32>, tensor<2x2xf32> -> tensor<2xf32>
  %v1, %s = snn.lif %y, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  %z = snn.linear %s, %w : tensor<2xf32>, tensor<2x2xf32> -> tensor<2xf32>
  %v3 = snn.li %z, %v2 {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<2xf32>, tensor<2xf32>
  %o = snn.linear %v3, %w : tensor<2xf32>, tensor<2x2xf32> -> tensor<2xf32>
  return %v1, %v3, %o : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// Inputs are scanned in blocks of 16 (two here): the OR of a block's
// activity bits (vectorizable) decides whether the block is gathered, in
// sixteen straight-line steps (the loop fully unrolled).
// LOWER-LABEL: func.func @blocks(
// LOWER:         scf.for %{{.+}} = %c0 to %c2 step %c1
// LOWER:           %[[ANY:.+]] = scf.for %{{.+}} = %c0 to %c16 step %c1 iter_args(%[[ACC:.+]] = %c0_i32) -> (i32)
// LOWER:             arith.cmpf une
// LOWER:             arith.extui %{{.+}} : i1 to i32
// LOWER:             arith.ori %[[ACC]], %{{.+}} : i32
// LOWER:           %[[SOME:.+]] = arith.cmpi ne, %[[ANY]], %c0_i32 : i32
// LOWER:           scf.if %[[SOME]] -> (tensor<32xi16>, index) {
// LOWER-NOT:         scf.for
// LOWER-COUNT-16:    tensor.insert
// LOWER:           } else {
func.func @blocks(%x: tensor<32xf32>) -> tensor<1xf32> {
  %w = arith.constant dense<0.5> : tensor<1x32xf32>
  %y = snn.linear %x, %w : tensor<32xf32>, tensor<1x32xf32> -> tensor<1xf32>
  return %y : tensor<1xf32>
}

// The input as spikes (x > 0, converted back to f32): the scan tests x > 0 on
// the raw input, and rows are added without a multiply (every active input
// is 1); the conversion itself is left unused and removed.
// LOWER-LABEL: func.func @input_spikes(
// LOWER-NOT:     arith.uitofp
// LOWER:         scf.for
// LOWER:           tensor.extract %arg0
// LOWER:           arith.cmpf ogt
// LOWER-NOT:     arith.mulf
// LOWER:         return
func.func @input_spikes(%x: tensor<32xf32>) -> tensor<1xf32> {
  %zero = arith.constant dense<0.0> : tensor<32xf32>
  %positive = arith.cmpf ogt, %x, %zero : tensor<32xf32>
  %s = arith.uitofp %positive : tensor<32xi1> to tensor<32xf32>
  %w = arith.constant dense<0.5> : tensor<1x32xf32>
  %y = snn.linear %s, %w : tensor<32xf32>, tensor<1x32xf32> -> tensor<1xf32>
  return %y : tensor<1xf32>
}
