// snn-choose-integer-arithmetic decides, once, the integer arithmetic of each
// quantized neuron update and rescale (docs/quantization.md), and
// convert-snn-to-linalg refuses a quantized op without it. The values below
// are worked by hand.
//
// RUN: snn-opt %s -split-input-file --snn-choose-integer-arithmetic | FileCheck %s
// RUN: not snn-opt %s -split-input-file --convert-snn-to-linalg 2>&1 | FileCheck %s --check-prefix=UNCHOSEN

// A rescale by 0.25 / 0.01 = 25 of values below 33280 < 2^16: multipliers of
// 30 - 16 = 14 bits, 25 < 2^14, a 16-bit result: narrow.
// CHECK-LABEL: func.func @rescale_narrow_14(
// CHECK:         snn.rescale %{{.+}} {arithmetic_width = 32 : i64, input_bound = 33280 : i64, multiplier_bits = 14 : i64}
// UNCHOSEN:      error: 'snn.rescale' op on quantized types needs its integer arithmetic chosen (arithmetic_width, multiplier_bits): run snn-choose-integer-arithmetic first
func.func @rescale_narrow_14(%x: tensor<3x!quant.uniform<i32:f32, 0.25>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  %y = snn.rescale %x {input_bound = 33280 : i64} : tensor<3x!quant.uniform<i32:f32, 0.25>> -> tensor<3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

// A ratio of 1 and values below 2^18: 30 - 18 = 12 bits, the fewest a narrow
// rescale takes.
// CHECK-LABEL: func.func @rescale_narrow_12(
// CHECK:         snn.rescale %{{.+}} {arithmetic_width = 32 : i64, input_bound = 262143 : i64, multiplier_bits = 12 : i64}
func.func @rescale_narrow_12(%x: tensor<3x!quant.uniform<i32:f32, 0.01>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  %y = snn.rescale %x {input_bound = 262143 : i64} : tensor<3x!quant.uniform<i32:f32, 0.01>> -> tensor<3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

// Values up to 2^18 leave 11 bits: too few, 64-bit with 30-bit multipliers.
// CHECK-LABEL: func.func @rescale_wide_bound(
// CHECK:         snn.rescale %{{.+}} {arithmetic_width = 64 : i64, input_bound = 262144 : i64, multiplier_bits = 30 : i64}
func.func @rescale_wide_bound(%x: tensor<3x!quant.uniform<i32:f32, 0.01>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  %y = snn.rescale %x {input_bound = 262144 : i64} : tensor<3x!quant.uniform<i32:f32, 0.01>> -> tensor<3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

// A ratio of 2^14 = 163.84 / 0.01 needs 15 bits of 14: wide.
// CHECK-LABEL: func.func @rescale_wide_ratio(
// CHECK:         snn.rescale %{{.+}} {arithmetic_width = 64 : i64, input_bound = 32768 : i64, multiplier_bits = 30 : i64}
func.func @rescale_wide_ratio(%x: tensor<3x!quant.uniform<i32:f32, 163.84>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  %y = snn.rescale %x {input_bound = 32768 : i64} : tensor<3x!quant.uniform<i32:f32, 163.84>> -> tensor<3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

// A 32-bit result: wide, whatever the bound.
// CHECK-LABEL: func.func @rescale_wide_result(
// CHECK:         snn.rescale %{{.+}} {arithmetic_width = 64 : i64, input_bound = 100 : i64, multiplier_bits = 30 : i64}
func.func @rescale_wide_result(%x: tensor<3x!quant.uniform<i32:f32, 0.01>>) -> tensor<3x!quant.uniform<i32:f32, 0.01>> {
  %y = snn.rescale %x {input_bound = 100 : i64} : tensor<3x!quant.uniform<i32:f32, 0.01>> -> tensor<3x!quant.uniform<i32:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i32:f32, 0.01>>
}

// -----

// Without input_bound, the bound of the synapse's sums: int8 input (|x| <=
// 128) times the largest row of |w|, 1 + 2 + 3 + 4 = 10: 1280 < 2^11, so
// 30 - 11 = 19 bits for a ratio of 25.
// CHECK-LABEL: func.func @rescale_of_a_synapse(
// CHECK:         snn.rescale %{{.+}} {arithmetic_width = 32 : i64, multiplier_bits = 19 : i64}
func.func @rescale_of_a_synapse(%x: tensor<4xi8>) -> tensor<2x!quant.uniform<i16:f32, 0.01>> {
  %wi = arith.constant dense<[[1, 2, 3, 4], [-1, 0, 0, 1]]> : tensor<2x4xi8>
  %w = quant.scast %wi : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32, 0.25>>
  %a = snn.linear %x, %w : tensor<4xi8>, tensor<2x4x!quant.uniform<i8:f32, 0.25>> -> tensor<2x!quant.uniform<i32:f32, 0.25>>
  %y = snn.rescale %a : tensor<2x!quant.uniform<i32:f32, 0.25>> -> tensor<2x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<2x!quant.uniform<i16:f32, 0.01>>
}

// -----

// A LIF on 16-bit state with factors 0.9 and 1 and levels of 100 (1.0 at
// 0.01) is narrow; with a gain of 2 (above 1 + 2^-10) it is wide. A float
// neuron gets nothing.
// CHECK-LABEL: func.func @neurons(
// CHECK:         snn.lif {{.+}}arithmetic_width = 32 : i64{{.+}}multiplier_bits = 14 : i64
// CHECK:         snn.lif {{.+}}arithmetic_width = 64 : i64{{.+}}multiplier_bits = 30 : i64
// CHECK:         snn.lif
// CHECK-NOT:     arithmetic_width
// CHECK:         return
// UNCHOSEN:      error: 'snn.lif' op on quantized types needs its integer arithmetic chosen
func.func @neurons(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>, %xf: tensor<4xf32>, %vf: tensor<4xf32>) -> (tensor<4xi8>, tensor<4xi8>, tensor<4xf32>) {
  %v1, %s1 = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xi8>
  %v2, %s2 = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<2.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xi8>
  %v3, %s3 = snn.lif %xf, %vf {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %s1, %s2, %s3 : tensor<4xi8>, tensor<4xi8>, tensor<4xf32>
}
