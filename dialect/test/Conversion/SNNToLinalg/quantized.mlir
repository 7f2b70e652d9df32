// Integer lowering of quantized snn ops: computations on the storage
// integers, fixed-point factors applied in i64 (in i32 where the narrow rule
// proves it cannot overflow) with rounding half away from zero by logical
// shifts of a biased value (no shift of negative values), levels at the
// membrane's scale, results saturated to the storage range. After
// strip-func-quant-types and canonicalize no quantized type is left.
//
// RUN: snn-opt %s -split-input-file --snn-choose-integer-arithmetic --convert-snn-to-linalg --strip-func-quant-types --canonicalize 2>&1 | FileCheck %s

// The synapse accumulates in i32 storage: weights and input sign-extended.
// CHECK-LABEL: func.func @linear(%arg0: tensor<4xi8>) -> tensor<3xi32>
// CHECK-NOT:     quant
// CHECK:         linalg.generic
// CHECK:           %[[W:.+]] = arith.extsi %{{.+}} : i8 to i32
// CHECK:           %[[X:.+]] = arith.extsi %{{.+}} : i8 to i32
// CHECK:           %[[P:.+]] = arith.muli %[[W]], %[[X]] : i32
// CHECK:           arith.addi %{{.+}}, %[[P]] : i32
func.func @linear(%x: tensor<4xi8>) -> tensor<3x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<[[1, 2, 3, 4], [-1, -2, -3, -4], [0, 127, -128, 5]]> : tensor<3x4xi8>
  %w = quant.scast %wi : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32, 0.25>>
  %y = snn.linear %x, %w : tensor<4xi8>, tensor<3x4x!quant.uniform<i8:f32, 0.25>> -> tensor<3x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<3x!quant.uniform<i32:f32, 0.25>>
}

// -----

// An accumulator of unknown bound (a function argument) stays in i64.
// A ratio of 0.25 / 0.01 = 25 = 838860800 / 2^25: multiply in i64, add
// 2^63 + 2^24 and subtract the sign bit (p + 2^24 - [p < 0], biased to be
// non-negative as unsigned), shift right by 25 (logical), subtract
// 2^63 / 2^25 = 2^38, saturate to [-32768, 32767].
// CHECK-LABEL: func.func @rescale(%arg0: tensor<3xi32>) -> tensor<3xi16>
// CHECK-DAG:     %[[M:.+]] = arith.constant 838860800 : i64
// CHECK-DAG:     %[[HALF:.+]] = arith.constant -9223372036837998592 : i64
// CHECK-DAG:     %[[BIAS:.+]] = arith.constant 274877906944 : i64
// CHECK-DAG:     %[[LO:.+]] = arith.constant -32768 : i64
// CHECK-DAG:     %[[HI:.+]] = arith.constant 32767 : i64
// CHECK:         %[[X:.+]] = arith.extsi %{{.+}} : i32 to i64
// CHECK:         %[[P:.+]] = arith.muli %[[X]], %[[M]] : i64
// CHECK:         %[[NEG:.+]] = arith.shrui %[[P]], %c63_i64 : i64
// CHECK:         %[[B:.+]] = arith.addi %[[P]], %[[HALF]] : i64
// CHECK:         %[[B2:.+]] = arith.subi %[[B]], %[[NEG]] : i64
// CHECK:         %[[F:.+]] = arith.shrui %[[B2]], %c25_i64 : i64
// CHECK:         %[[Q:.+]] = arith.subi %[[F]], %[[BIAS]] : i64
// CHECK:         arith.cmpi slt, %[[Q]], %[[LO]]
// CHECK:         arith.cmpi sgt, %[[Q]], %[[HI]]
// CHECK:         arith.trunci %{{.+}} : i64 to i16
// CHECK-NOT:     arith.shrsi
func.func @rescale(%x: tensor<3x!quant.uniform<i32:f32, 0.25>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  %y = snn.rescale %x : tensor<3x!quant.uniform<i32:f32, 0.25>> -> tensor<3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

// LIF with a delayed reset on 16-bit state, factors <= 1, levels <= 2^15:
// narrow arithmetic, in i32 with 14-bit multipliers: decay 0.9 =
// 14746 / 2^14, threshold 1.0 / 0.01 = 100 levels, the previous spike
// widened and multiplied by it.
// CHECK-LABEL: func.func @lif(%arg0: tensor<4xi16>, %arg1: tensor<4xi16>, %arg2: tensor<4xi8>) -> (tensor<4xi16>, tensor<4xi8>)
// CHECK-DAG:     %[[DECAY:.+]] = arith.constant 14746 : i32
// CHECK-DAG:     %[[THR:.+]] = arith.constant 100 : i32
// CHECK-DAG:     %[[HALF:.+]] = arith.constant -2147475456 : i32
// CHECK:         linalg.generic
// CHECK:           %[[X:.+]] = arith.extsi %{{.+}} : i16 to i32
// CHECK:           %[[V:.+]] = arith.extsi %{{.+}} : i16 to i32
// CHECK:           %[[S:.+]] = arith.extsi %{{.+}} : i8 to i32
// CHECK:           arith.muli %[[V]], %[[DECAY]] : i32
// CHECK:           arith.shrui %{{.+}}, %c31_i32 : i32
// CHECK:           arith.addi %{{.+}}, %[[HALF]] : i32
// CHECK:           arith.shrui %{{.+}}, %c14_i32 : i32
// CHECK:           %[[U:.+]] = arith.addi %{{.+}}, %[[X]] : i32
// CHECK:           %[[RESET:.+]] = arith.muli %[[S]], %[[THR]] : i32
// CHECK:           %[[U2:.+]] = arith.subi %[[U]], %[[RESET]] : i32
// CHECK:           %[[F:.+]] = arith.cmpi sgt, %[[U2]], %[[THR]] : i32
// CHECK:           arith.extui %[[F]] : i1 to i8
// CHECK:           arith.trunci %{{.+}} : i32 to i16
// CHECK-NOT:       i64
func.func @lif(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>, %p: tensor<4xi8>) -> (tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4xi8>) {
  %v1, %s = snn.lif %x, %v, %p {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4xi8> -> tensor<4xi8>
  return %v1, %s : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4xi8>
}

// -----

// A gain of 2 (above 1 + 2^-10) leaves the narrow rule's proof: the same LIF stays in i64.
// CHECK-LABEL: func.func @lif_gain_above_one(
// CHECK:         arith.constant 966367642 : i64
// CHECK:         linalg.generic
// CHECK:           arith.extsi %{{.+}} : i16 to i64
// CHECK-NOT:       i32
// CHECK:           linalg.yield
func.func @lif_gain_above_one(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> (tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4xi8>) {
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<2.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xi8>
  return %v1, %s : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4xi8>
}

// -----

// Per-neuron factors share one shift (from the largest): 0.5 and 0.25 as
// 2^29 and 2^28 over 2^30 (32-bit state: i64 arithmetic); a per-neuron leak
// as levels (0.02 / 0.01 = 2, ...), stored in the narrowest type that holds
// them.
// CHECK-LABEL: func.func @li(
// CHECK-DAG:     arith.constant dense<[536870912, 268435456]> : tensor<2xi32>
// CHECK-DAG:     arith.constant dense<[2, -3]> : tensor<2xi8>
// CHECK:         arith.shrui %{{.+}}, %c30_i64 : i64
func.func @li(%x: tensor<2x!quant.uniform<i32:f32, 0.01>>, %v: tensor<2x!quant.uniform<i32:f32, 0.01>>) -> tensor<2x!quant.uniform<i32:f32, 0.01>> {
  %v1 = snn.li %x, %v {decay = dense<[0.5, 0.25]> : tensor<2xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<[0.02, -0.03]> : tensor<2xf64>} : tensor<2x!quant.uniform<i32:f32, 0.01>>, tensor<2x!quant.uniform<i32:f32, 0.01>>
  return %v1 : tensor<2x!quant.uniform<i32:f32, 0.01>>
}

// -----

// Sums widen, add, and saturate.
// CHECK-LABEL: func.func @sum(
// CHECK:         arith.addi %{{.+}}, %{{.+}} : i64
// CHECK:         arith.trunci %{{.+}} : i64 to i16
func.func @sum(%a: tensor<4x!quant.uniform<i16:f32, 0.01>>, %b: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4x!quant.uniform<i16:f32, 0.01>> {
  %y = snn.sum %a, %b : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<4x!quant.uniform<i16:f32, 0.01>>
}

// -----

// Per-channel accumulator scales: one fixed-point factor per output, with one
// shift (from the largest ratio, 0.02 / 0.01 = 2 = 2^29 / 2^28).
// CHECK-LABEL: func.func @rescale_per_channel(
// CHECK-DAG:     arith.constant dense<[134217728, 268435456, 536870912]> : tensor<3xi32>
// CHECK:         arith.shrui %{{.+}}, %c28_i64 : i64
func.func @rescale_per_channel(%x: tensor<3x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.02}>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  %y = snn.rescale %x : tensor<3x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.02}>> -> tensor<3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

// The accumulator of constant weights is bounded: max over outputs of
// sum |w| * 128 (int8 input) = 260 * 128 = 33280 < 2^16, so its rescale is
// narrow with 30 - 16 = 14-bit multipliers: 25 = 12800 / 2^9, in i32.
// CHECK-LABEL: func.func @rescale_bounded(
// CHECK-DAG:     %[[M:.+]] = arith.constant 12800 : i32
// CHECK:         linalg.generic
// CHECK:           arith.muli %{{.+}}, %[[M]] : i32
// CHECK:           arith.shrui %{{.+}}, %c9_i32 : i32
// CHECK:           arith.trunci %{{.+}} : i32 to i16
// CHECK-NOT:     i64
func.func @rescale_bounded(%x: tensor<4xi8>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  %wi = arith.constant dense<[[1, 2, 3, 4], [-1, -2, -3, -4], [0, 127, -128, 5]]> : tensor<3x4xi8>
  %w = quant.scast %wi : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32, 0.25>>
  %acc = snn.linear %x, %w : tensor<4xi8>, tensor<3x4x!quant.uniform<i8:f32, 0.25>> -> tensor<3x!quant.uniform<i32:f32, 0.25>>
  %y = snn.rescale %acc : tensor<3x!quant.uniform<i32:f32, 0.25>> -> tensor<3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

// Spikes (here an unsigned extension of i1) bound the accumulator by
// max_i sum_j |w_ij| = 260 < 2^15: the sums run in i16, then the result is
// sign-extended to the declared i32 accumulator.
// Products are taken in i32 and truncated (C would multiply two uint16_t
// as int, which overflows for two negative factors).
// CHECK-LABEL: func.func @narrow_sums(
// CHECK:         linalg.generic
// CHECK:           arith.extsi %{{.+}} : i8 to i32
// CHECK:           arith.muli %{{.+}} : i32
// CHECK:           arith.trunci %{{.+}} : i32 to i16
// CHECK:           arith.addi %{{.+}} : i16
// CHECK:         linalg.generic
// CHECK:           arith.extsi %{{.+}} : i16 to i32
func.func @narrow_sums(%s: tensor<4xi1>) -> tensor<3x!quant.uniform<i32:f32, 0.25>> {
  %x = arith.extui %s : tensor<4xi1> to tensor<4xi8>
  %wi = arith.constant dense<[[1, 2, 3, 4], [-1, -2, -3, -4], [0, 127, -128, 5]]> : tensor<3x4xi8>
  %w = quant.scast %wi : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32, 0.25>>
  %y = snn.linear %x, %w : tensor<4xi8>, tensor<3x4x!quant.uniform<i8:f32, 0.25>> -> tensor<3x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<3x!quant.uniform<i32:f32, 0.25>>
}
