// The reference lowering does not handle quantized types yet: every op with a
// quantized operand or result is reported (and the pass fails) instead of
// being lowered with the wrong arithmetic.
//
// RUN: not snn-opt %s -split-input-file --convert-snn-to-linalg 2>&1 | FileCheck %s
// RUN: snn-opt %s -split-input-file --convert-snn-to-linalg -verify-diagnostics

// CHECK: error: 'snn.linear' op on quantized types cannot be lowered to linalg yet
func.func @linear(%x: tensor<4xi8>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.25>>) -> tensor<3x!quant.uniform<i32:f32, 0.25>> {
  // expected-error @+1 {{'snn.linear' op on quantized types cannot be lowered to linalg yet}}
  %y = snn.linear %x, %w : tensor<4xi8>, tensor<3x4x!quant.uniform<i8:f32, 0.25>> -> tensor<3x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<3x!quant.uniform<i32:f32, 0.25>>
}

// -----

// CHECK: error: 'snn.rescale' op on quantized types cannot be lowered to linalg yet
func.func @rescale(%x: tensor<3x!quant.uniform<i32:f32, 0.25>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  // expected-error @+1 {{'snn.rescale' op on quantized types cannot be lowered to linalg yet}}
  %y = snn.rescale %x : tensor<3x!quant.uniform<i32:f32, 0.25>> -> tensor<3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

// CHECK: error: 'snn.scale' op on quantized types cannot be lowered to linalg yet
func.func @scale(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4x!quant.uniform<i16:f32, 0.01>> {
  // expected-error @+1 {{'snn.scale' op on quantized types cannot be lowered to linalg yet}}
  %y = snn.scale %x {scale = dense<2.0> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<4x!quant.uniform<i16:f32, 0.01>>
}

// -----

// CHECK: error: 'snn.threshold' op on quantized types cannot be lowered to linalg yet
func.func @threshold(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4xi8> {
  // expected-error @+1 {{'snn.threshold' op on quantized types cannot be lowered to linalg yet}}
  %y = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xi8>
  return %y : tensor<4xi8>
}

// -----

// CHECK: error: 'snn.integrator' op on quantized types cannot be lowered to linalg yet
func.func @integrator(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4x!quant.uniform<i16:f32, 0.01>> {
  // expected-error @+1 {{'snn.integrator' op on quantized types cannot be lowered to linalg yet}}
  %v1 = snn.integrator %x, %v {gain = dense<1.0> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>
  return %v1 : tensor<4x!quant.uniform<i16:f32, 0.01>>
}

// -----

// CHECK: error: 'snn.li' op on quantized types cannot be lowered to linalg yet
func.func @li(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4x!quant.uniform<i16:f32, 0.01>> {
  // expected-error @+1 {{'snn.li' op on quantized types cannot be lowered to linalg yet}}
  %v1 = snn.li %x, %v {decay = dense<0.5> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>
  return %v1 : tensor<4x!quant.uniform<i16:f32, 0.01>>
}

// -----

// CHECK: error: 'snn.if' op on quantized types cannot be lowered to linalg yet
func.func @if(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4xi8> {
  // expected-error @+1 {{'snn.if' op on quantized types cannot be lowered to linalg yet}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xi8>
  return %s : tensor<4xi8>
}

// -----

// CHECK: error: 'snn.lif' op on quantized types cannot be lowered to linalg yet
func.func @lif(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>, %p: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'snn.lif' op on quantized types cannot be lowered to linalg yet}}
  %v1, %s = snn.lif %x, %v, %p {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4xi8> -> tensor<4xi8>
  return %s : tensor<4xi8>
}

// -----

// CHECK: error: 'snn.cubali' op on quantized types cannot be lowered to linalg yet
func.func @cubali(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %i: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4x!quant.uniform<i16:f32, 0.01>> {
  // expected-error @+1 {{'snn.cubali' op on quantized types cannot be lowered to linalg yet}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.5> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.5> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>
  return %v1 : tensor<4x!quant.uniform<i16:f32, 0.01>>
}

// -----

// CHECK: error: 'snn.cubalif' op on quantized types cannot be lowered to linalg yet
func.func @cubalif(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %i: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4xi8> {
  // expected-error @+1 {{'snn.cubalif' op on quantized types cannot be lowered to linalg yet}}
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.5> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.5> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xi8>
  return %s : tensor<4xi8>
}

// -----

// A float op ahead of a quantized one does not hide the error.
// CHECK: error: 'snn.lif' op on quantized types cannot be lowered to linalg yet
func.func @mixed(%x: tensor<4xi8>, %w: tensor<4x4xf32>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>, %q: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4xf32> {
  %y = snn.linear %x, %w : tensor<4xi8>, tensor<4x4xf32> -> tensor<4xf32>
  // expected-error @+1 {{'snn.lif' op on quantized types cannot be lowered to linalg yet}}
  %v1, %s = snn.lif %q, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xi8>
  return %y : tensor<4xf32>
}
