// Quantized ops without an integer lowering, and parameters that do not fit
// the fixed-point forms, are reported (and the pass fails) instead of being
// lowered with the wrong arithmetic.
//
// RUN: not snn-opt %s -split-input-file --snn-choose-integer-arithmetic --convert-snn-to-linalg 2>&1 | FileCheck %s
// RUN: snn-opt %s -split-input-file --snn-choose-integer-arithmetic --convert-snn-to-linalg -verify-diagnostics

// CHECK: error: 'snn.pool2d' op pooling on quantized types is not supported yet
func.func @pool(%x: tensor<1x4x4x!quant.uniform<i16:f32, 0.01>>) -> tensor<1x2x2x!quant.uniform<i16:f32, 0.01>> {
  // Integer models pool i8 spikes into i8 counts, not quantized values.
  // expected-error @+1 {{'snn.pool2d' op pooling on quantized types is not supported yet}}
  %y = snn.pool2d %x {kind = #snn.pool_kind<sum>, kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : tensor<1x4x4x!quant.uniform<i16:f32, 0.01>> -> tensor<1x2x2x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<1x2x2x!quant.uniform<i16:f32, 0.01>>
}

// -----

// CHECK: error: 'snn.delay' op on quantized types cannot be lowered to linalg yet
func.func @delay(%x: tensor<3x!quant.uniform<i16:f32, 0.01>>, %b: tensor<2x3x!quant.uniform<i16:f32, 0.01>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  // expected-error @+1 {{'snn.delay' op on quantized types cannot be lowered to linalg yet}}
  %y, %b1 = snn.delay %x, %b {steps = array<i64: 2>} : tensor<3x!quant.uniform<i16:f32, 0.01>>, tensor<2x3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

// CHECK: error: 'snn.li' op parameter 'gain' value 2.000000e+09 is too large for a fixed-point factor (2^30 or more)
func.func @huge_gain(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4x!quant.uniform<i16:f32, 0.01>> {
  // expected-error @+1 {{'snn.li' op parameter 'gain' value 2.000000e+09 is too large for a fixed-point factor (2^30 or more)}}
  %v1 = snn.li %x, %v {decay = dense<0.5> : tensor<1xf64>, gain = dense<2.0e9> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>
  return %v1 : tensor<4x!quant.uniform<i16:f32, 0.01>>
}

// -----

// CHECK: error: 'snn.rescale' op scale ratio 2.000000e+09 is too large for a fixed-point factor (2^30 or more)
func.func @huge_ratio(%x: tensor<3x!quant.uniform<i32:f32, 2.0>>) -> tensor<3x!quant.uniform<i16:f32, 1.0e-9>> {
  // expected-error @+1 {{'snn.rescale' op scale ratio 2.000000e+09 is too large for a fixed-point factor (2^30 or more)}}
  %y = snn.rescale %x : tensor<3x!quant.uniform<i32:f32, 2.0>> -> tensor<3x!quant.uniform<i16:f32, 1.0e-9>>
  return %y : tensor<3x!quant.uniform<i16:f32, 1.0e-9>>
}
