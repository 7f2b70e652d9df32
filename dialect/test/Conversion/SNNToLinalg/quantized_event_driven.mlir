// snn-event-driven on quantized synapses fed by spikes (here the step's
// argument, or the input as spikes): the integer event-driven kernels, then
// the rest of the integer lowering as in quantized.mlir.
//
// RUN: snn-opt %s -split-input-file --snn-event-driven --convert-snn-to-linalg --strip-func-quant-types --canonicalize 2>&1 | FileCheck %s

// Event-driven integer synapse: active inputs are gathered, then added four
// rows per pass over the accumulator; when all four inputs are 1 the weights
// are summed in int16 (no multiply) and the sum added once; the remaining
// active inputs follow one by one.
// CHECK-LABEL: func.func @event_driven(
// CHECK:         %[[LIST:.+]]:2 = scf.for {{.+}} -> (tensor<5xi16>, index)
// CHECK:         %[[GROUPS:.+]]:2 = scf.for %{{.+}} = %c0 to %{{.+}} step %c4 iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %c0) -> (tensor<3xi32>, index)
// CHECK:           scf.if %{{.+}} -> (tensor<3xi32>)
// CHECK:             arith.extsi %{{.+}} : i8 to i16
// CHECK:             arith.addi %{{.+}} : i16
// CHECK:             arith.extsi %{{.+}} : i16 to i32
// CHECK:           } else {
// CHECK:             arith.muli %{{.+}} : i32
// CHECK:         scf.for %{{.+}} = %[[GROUPS]]#1 to %[[LIST]]#1 step %c1
func.func @event_driven(%x: tensor<5xi8>) -> tensor<3x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<[[1, 2, 3, 4, 5], [-1, -2, -3, -4, -5], [0, 127, -128, 5, 9]]> : tensor<3x5xi8>
  %w = quant.scast %wi : tensor<3x5xi8> to tensor<3x5x!quant.uniform<i8:f32, 0.25>>
  %y = snn.linear %x, %w : tensor<5xi8>, tensor<3x5x!quant.uniform<i8:f32, 0.25>> -> tensor<3x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<3x!quant.uniform<i32:f32, 0.25>>
}

// -----
// Int8 weights whose rows are added without a multiply (the input as spikes)
// into int16 sums take the packed form: outputs 2k and 2k + 1 of input j
// share a 16-bit lane, (w[2k][j] + 128) + 256 (w[2k+1][j] + 128) (input 0:
// 129 + 256 * 127 = 32641, then 128 + 256 * 131 = 33664, printed as i16,
// -31872). Per row: the lane is added to a total, lane / 256 to a high sum;
// at the end the two outputs are high - 128 n and total - 256 high - 128 n
// (modulo 2^16), added to the accumulator's even and odd elements.
// CHECK-LABEL: func.func @packed_rows(
// CHECK:         arith.constant dense<[32641, -31872, 32386, -31745,
// CHECK:         scf.if %{{.+}} -> (tensor<16xi16>, index)
// CHECK:         scf.for %{{.+}} = %c0 to %{{.+}} step %c4 iter_args({{.+}}) -> (tensor<2xi16>, tensor<2xi16>, index)
// CHECK:           scf.for %{{.+}} = %c0 to %c2 step %c1
// CHECK-COUNT-4:     arith.divui %{{.+}}, %c256_i16 : i16
// CHECK:         scf.for {{.+}} -> (tensor<2xi16>, tensor<2xi16>)
// CHECK:           arith.divui %{{.+}}, %c256_i16 : i16
// CHECK:         %[[N:.+]] = arith.index_cast %{{.+}} : index to i16
// CHECK:         %[[OFFSET:.+]] = arith.muli %[[N]], %c128_i16 : i16
// CHECK:         scf.for {{.+}} -> (tensor<4xi16>)
// CHECK:           %[[ODD:.+]] = arith.subi %{{.+}}, %[[OFFSET]] : i16
// CHECK:           arith.muli %{{.+}}, %c256_i16 : i16
// CHECK:         arith.extsi %{{.+}} : i16 to i32
// CHECK-NOT:     arith.extsi %{{.+}} : i8 to i16
func.func @packed_rows(%x: tensor<16xi8>) -> tensor<4x!quant.uniform<i32:f32, 0.25>> {
  %zero = arith.constant dense<0> : tensor<16xi8>
  %positive = arith.cmpi sgt, %x, %zero : tensor<16xi8>
  %s = arith.extui %positive : tensor<16xi1> to tensor<16xi8>
  %wi = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
                              [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16],
                              [0, 127, -128, 5, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                              [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]]> : tensor<4x16xi8>
  %w = quant.scast %wi : tensor<4x16xi8> to tensor<4x16x!quant.uniform<i8:f32, 0.25>>
  %y = snn.linear %s, %w : tensor<16xi8>, tensor<4x16x!quant.uniform<i8:f32, 0.25>> -> tensor<4x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<4x!quant.uniform<i32:f32, 0.25>>
}
