// One case per verifier rule of the snn ops (SNNOps.cpp), plus the rules ODS
// generates from the op definitions.
//
// RUN: snn-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// snn.linear
//===----------------------------------------------------------------------===//

func.func @linear_dynamic_input(%x: tensor<?xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op operands and results must have static shapes, got 'tensor<?xf32>'}}
  %y = snn.linear %x, %w : tensor<?xf32>, tensor<3x4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @linear_dynamic_weight(%x: tensor<4xf32>, %w: tensor<3x?xf32>) {
  // expected-error @+1 {{'snn.linear' op operands and results must have static shapes, got 'tensor<3x?xf32>'}}
  %y = snn.linear %x, %w : tensor<4xf32>, tensor<3x?xf32> -> tensor<3xf32>
  return
}

// -----

func.func @linear_rank_input(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op expects input [in], weight [out, in] and result [out], got 'tensor<2x4xf32>', 'tensor<3x4xf32>' and 'tensor<3xf32>'}}
  %y = snn.linear %x, %w : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @linear_rank_weight(%x: tensor<4xf32>, %w: tensor<12xf32>) {
  // expected-error @+1 {{'snn.linear' op expects input [in], weight [out, in] and result [out]}}
  %y = snn.linear %x, %w : tensor<4xf32>, tensor<12xf32> -> tensor<3xf32>
  return
}

// -----

func.func @linear_rank_result(%x: tensor<4xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op expects input [in], weight [out, in] and result [out]}}
  %y = snn.linear %x, %w : tensor<4xf32>, tensor<3x4xf32> -> tensor<3x1xf32>
  return
}

// -----

func.func @linear_columns(%x: tensor<5xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op weight has 4 columns but the input has 5 elements}}
  %y = snn.linear %x, %w : tensor<5xf32>, tensor<3x4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @linear_rows(%x: tensor<4xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op weight has 3 rows but the result has 2 elements}}
  %y = snn.linear %x, %w : tensor<4xf32>, tensor<3x4xf32> -> tensor<2xf32>
  return
}

// -----

func.func @linear_unsigned_input(%x: tensor<4xui8>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op input must have a float, quantized or signless integer element type, got 'ui8'}}
  %y = snn.linear %x, %w : tensor<4xui8>, tensor<3x4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @linear_integer_weight(%x: tensor<4xi8>, %w: tensor<3x4xi8>) {
  // expected-error @+1 {{'snn.linear' op weight must have a float or quantized element type, got 'i8'}}
  %y = snn.linear %x, %w : tensor<4xi8>, tensor<3x4xi8> -> tensor<3xf32>
  return
}

// -----

func.func @linear_integer_result(%x: tensor<4xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op result must have a float or quantized element type, got 'i32'}}
  %y = snn.linear %x, %w : tensor<4xf32>, tensor<3x4xf32> -> tensor<3xi32>
  return
}

// -----

func.func @linear_bias_shape(%x: tensor<4xf32>, %w: tensor<3x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'snn.linear' op bias must have the result type 'tensor<3xf32>', got 'tensor<4xf32>'}}
  %y = snn.linear %x, %w, %b : tensor<4xf32>, tensor<3x4xf32>, tensor<4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @linear_bias_element(%x: tensor<4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{'snn.linear' op bias must have the result type 'tensor<3xf32>', got 'tensor<3xf64>'}}
  %y = snn.linear %x, %w, %b : tensor<4xf32>, tensor<3x4xf32>, tensor<3xf64> -> tensor<3xf32>
  return
}

// -----

// A quantized bias must carry the accumulator's scale.
func.func @linear_bias_scale(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.25>>, %b: tensor<3x!quant.uniform<i32:f32, 0.5>>) {
  // expected-error @+1 {{'snn.linear' op bias must have the result type 'tensor<3x!quant.uniform<i32:f32, 1.250000e-01>>', got 'tensor<3x!quant.uniform<i32:f32, 5.000000e-01>>'}}
  %y = snn.linear %x, %w, %b : tensor<4x!quant.uniform<i8:f32, 0.5>>, tensor<3x4x!quant.uniform<i8:f32, 0.25>>, tensor<3x!quant.uniform<i32:f32, 0.5>> -> tensor<3x!quant.uniform<i32:f32, 0.125>>
  return
}

// -----

func.func @linear_float_weight_quant_input(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op float weights need float input and result}}
  %y = snn.linear %x, %w : tensor<4x!quant.uniform<i8:f32, 0.5>>, tensor<3x4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @linear_float_weight_quant_result(%x: tensor<4xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op float weights need float input and result}}
  %y = snn.linear %x, %w : tensor<4xf32>, tensor<3x4xf32> -> tensor<3x!quant.uniform<i32:f32, 0.5>>
  return
}

// -----

func.func @linear_input_weight_mismatch(%x: tensor<4xf64>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op input and weight must have the same element type, got 'f64' and 'f32'}}
  %y = snn.linear %x, %w : tensor<4xf64>, tensor<3x4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @linear_result_weight_mismatch(%x: tensor<4xi1>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'snn.linear' op result must have the weight's element type 'f32', got 'f16'}}
  %y = snn.linear %x, %w : tensor<4xi1>, tensor<3x4xf32> -> tensor<3xf16>
  return
}

// -----

// Per-channel weights need per-channel accumulator scales.
func.func @linear_per_axis_weight(%x: tensor<4xi8>, %w: tensor<3x4x!quant.uniform<i8:f32:0, {0.5, 0.25, 0.125}>>) {
  // expected-error @+1 {{'snn.linear' op result scale 5.000000e-01 of output 1 differs from input scale x weight scale = 2.500000e-01; insert snn.rescale after the synapse}}
  %y = snn.linear %x, %w : tensor<4xi8>, tensor<3x4x!quant.uniform<i8:f32:0, {0.5, 0.25, 0.125}>> -> tensor<3x!quant.uniform<i32:f32, 0.5>>
  return
}

// -----

func.func @linear_per_input_weight(%x: tensor<4xi8>, %w: tensor<3x4x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125, 1.0}>>) {
  // expected-error @+1 {{'snn.linear' op quantized synapses need !quant.uniform weight and result types, per tensor or per output channel (dimension 0)}}
  %y = snn.linear %x, %w : tensor<4xi8>, tensor<3x4x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125, 1.0}>> -> tensor<3x!quant.uniform<i32:f32, 0.5>>
  return
}

// -----

func.func @linear_quant_weight_float_result(%x: tensor<4xi8>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'snn.linear' op quantized synapses need !quant.uniform weight and result types, per tensor or per output channel (dimension 0)}}
  %y = snn.linear %x, %w : tensor<4xi8>, tensor<3x4x!quant.uniform<i8:f32, 0.5>> -> tensor<3xf32>
  return
}

// -----

func.func @linear_quant_weight_float_input(%x: tensor<4xf32>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'snn.linear' op a quantized synapse cannot take float input}}
  %y = snn.linear %x, %w : tensor<4xf32>, tensor<3x4x!quant.uniform<i8:f32, 0.5>> -> tensor<3x!quant.uniform<i32:f32, 0.5>>
  return
}

// -----

func.func @linear_quant_result_scale(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error @+1 {{'snn.linear' op result scale 2.500000e-01 of output 0 differs from input scale x weight scale = 1.250000e-01; insert snn.rescale after the synapse}}
  %y = snn.linear %x, %w : tensor<4x!quant.uniform<i8:f32, 0.5>>, tensor<3x4x!quant.uniform<i8:f32, 0.25>> -> tensor<3x!quant.uniform<i32:f32, 0.25>>
  return
}

// -----

// Spikes carry scale 1, so the result's scale must be the weight's.
func.func @linear_quant_spike_scale(%x: tensor<4xi8>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error @+1 {{'snn.linear' op result scale 1.250000e-01 of output 0 differs from input scale x weight scale = 2.500000e-01; insert snn.rescale after the synapse}}
  %y = snn.linear %x, %w : tensor<4xi8>, tensor<3x4x!quant.uniform<i8:f32, 0.25>> -> tensor<3x!quant.uniform<i32:f32, 0.125>>
  return
}

// -----

func.func @linear_quant_narrow_accumulator(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error @+1 {{'snn.linear' op a quantized accumulator needs at least 32 bits, got '!quant.uniform<i16:f32, 1.250000e-01>'}}
  %y = snn.linear %x, %w : tensor<4x!quant.uniform<i8:f32, 0.5>>, tensor<3x4x!quant.uniform<i8:f32, 0.25>> -> tensor<3x!quant.uniform<i16:f32, 0.125>>
  return
}

//===----------------------------------------------------------------------===//
// snn.scale
//===----------------------------------------------------------------------===//

// -----

func.func @scale_dynamic(%x: tensor<?xf32>) {
  // expected-error @+1 {{'snn.scale' op operands and results must have static shapes, got 'tensor<?xf32>'}}
  %y = snn.scale %x {scale = dense<2.0> : tensor<1xf64>} : tensor<?xf32>
  return
}

// -----

func.func @scale_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{'snn.scale' op input must have a float or quantized element type, got 'i32'}}
  %y = snn.scale %x {scale = dense<2.0> : tensor<1xf64>} : tensor<4xi32>
  return
}

// -----

func.func @scale_param_elements(%x: tensor<4xf32>) {
  // expected-error @+1 {{'snn.scale' op parameter 'scale' must have one element or the neurons' shape [4], got 'tensor<2xf64>'}}
  %y = snn.scale %x {scale = dense<[1.0, 2.0]> : tensor<2xf64>} : tensor<4xf32>
  return
}

// -----

// Four elements, but not the neurons' shape 2x2.
func.func @scale_param_shape(%x: tensor<2x2xf32>) {
  // expected-error @+1 {{'snn.scale' op parameter 'scale' must have one element or the neurons' shape [2, 2], got 'tensor<4xf64>'}}
  %y = snn.scale %x {scale = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf64>} : tensor<2x2xf32>
  return
}

// -----

func.func @scale_param_nan(%x: tensor<4xf32>) {
  // expected-error @+1 {{'snn.scale' op parameter 'scale' must be finite, got nan}}
  %y = snn.scale %x {scale = dense<[1.0, 0x7FF8000000000000, 1.0, 1.0]> : tensor<4xf64>} : tensor<4xf32>
  return
}

// -----

func.func @scale_param_f32(%x: tensor<4xf32>) {
  // expected-error @+1 {{'snn.scale' op attribute 'scale' failed to satisfy constraint: 64-bit float elements attribute}}
  %y = snn.scale %x {scale = dense<2.0> : tensor<1xf32>} : tensor<4xf32>
  return
}

// -----

func.func @scale_result_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'snn.scale' op requires the same type for all operands and results}}
  %y = "snn.scale"(%x) {scale = dense<2.0> : tensor<1xf64>} : (tensor<4xf32>) -> tensor<4xf64>
  return
}

//===----------------------------------------------------------------------===//
// snn.threshold
//===----------------------------------------------------------------------===//

// -----

func.func @threshold_dynamic(%x: tensor<2x?xf32>) {
  // expected-error @+1 {{'snn.threshold' op operands and results must have static shapes, got 'tensor<2x?xf32>'}}
  %y = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<2x?xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @threshold_integer_input(%x: tensor<4xi8>) {
  // expected-error @+1 {{'snn.threshold' op input must have a float or quantized element type, got 'i8'}}
  %y = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<4xi8> -> tensor<4xi8>
  return
}

// -----

func.func @threshold_signed_result(%x: tensor<4xf32>) {
  // expected-error @+1 {{'snn.threshold' op result must have a float, quantized or signless integer element type, got 'si8'}}
  %y = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<4xf32> -> tensor<4xsi8>
  return
}

// -----

func.func @threshold_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'snn.threshold' op input and result must have the same shape, got 'tensor<2x3xf32>' and 'tensor<6xf32>'}}
  %y = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<2x3xf32> -> tensor<6xf32>
  return
}

// -----

func.func @threshold_param_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'snn.threshold' op parameter 'threshold' must have one element or the neurons' shape [2, 3], got 'tensor<3x2xf64>'}}
  %y = snn.threshold %x {threshold = dense<1.0> : tensor<3x2xf64>, compare = #snn.compare<gt>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @threshold_param_inf(%x: tensor<4xf32>) {
  // expected-error @+1 {{'snn.threshold' op parameter 'threshold' must be finite, got INF}}
  %y = snn.threshold %x {threshold = dense<0x7FF0000000000000> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @threshold_missing_compare(%x: tensor<4xf32>) {
  // expected-error @+1 {{'snn.threshold' op requires attribute 'compare'}}
  %y = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>} : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @threshold_bad_compare(%x: tensor<4xf32>) {
  // expected-error @+2 {{expected ::mlir::snn::CompareMode to be one of: gt, ge}}
  // expected-error @+1 {{failed to parse SNN_CompareModeAttr parameter 'value'}}
  %y = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<lt>} : tensor<4xf32> -> tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// snn.rescale
//===----------------------------------------------------------------------===//

// -----

func.func @rescale_shape(%x: tensor<8x!quant.uniform<i32:f32, 0.001>>) {
  // expected-error @+1 {{'snn.rescale' op input and result must have the same shape, got 'tensor<8x!quant.uniform<i32:f32, 1.000000e-03>>' and 'tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>'}}
  %y = snn.rescale %x : tensor<8x!quant.uniform<i32:f32, 0.001>> -> tensor<4x!quant.uniform<i16:f32, 0.01>>
  return
}

// -----

func.func @rescale_float(%x: tensor<8xf32>) {
  // expected-error @+1 {{'snn.rescale' op input must be !quant.uniform (per tensor or per channel of dimension 0) and the result per-tensor !quant.uniform, got 'tensor<8xf32>' and 'tensor<8xf16>'}}
  %y = snn.rescale %x : tensor<8xf32> -> tensor<8xf16>
  return
}

// -----

func.func @rescale_float_result(%x: tensor<8x!quant.uniform<i32:f32, 0.001>>) {
  // expected-error @+1 {{'snn.rescale' op input must be !quant.uniform (per tensor or per channel of dimension 0) and the result per-tensor !quant.uniform}}
  %y = snn.rescale %x : tensor<8x!quant.uniform<i32:f32, 0.001>> -> tensor<8xf32>
  return
}

// -----

func.func @rescale_per_axis(%x: tensor<2x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.003, 0.004}>>) {
  // expected-error @+1 {{'snn.rescale' op input must be !quant.uniform (per tensor or per channel of dimension 0) and the result per-tensor !quant.uniform}}
  %y = snn.rescale %x : tensor<2x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.003, 0.004}>> -> tensor<2x4x!quant.uniform<i16:f32, 0.01>>
  return
}

// -----

func.func @rescale_expressed(%x: tensor<8x!quant.uniform<i32:f32, 0.001>>) {
  // expected-error @+1 {{'snn.rescale' op input and result must express the same type, got 'f32' and 'f64'}}
  %y = snn.rescale %x : tensor<8x!quant.uniform<i32:f32, 0.001>> -> tensor<8x!quant.uniform<i16:f64, 0.01>>
  return
}

//===----------------------------------------------------------------------===//
// snn.integrator
//===----------------------------------------------------------------------===//

// -----

func.func @integrator_dynamic(%x: tensor<?xf32>, %v: tensor<?xf32>) {
  // expected-error @+1 {{'snn.integrator' op operands and results must have static shapes, got 'tensor<?xf32>'}}
  %v1 = snn.integrator %x, %v {gain = dense<1.0> : tensor<1xf64>} : tensor<?xf32>, tensor<?xf32>
  return
}

// -----

func.func @integrator_integer_membrane(%x: tensor<4xi32>, %v: tensor<4xi32>) {
  // expected-error @+1 {{'snn.integrator' op membrane must have a float or quantized element type, got 'i32'}}
  %v1 = snn.integrator %x, %v {gain = dense<1.0> : tensor<1xf64>} : tensor<4xi32>, tensor<4xi32>
  return
}

// -----

func.func @integrator_shape(%x: tensor<3xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.integrator' op input and membrane must have the same shape, got 'tensor<3xf32>' and 'tensor<4xf32>'}}
  %v1 = snn.integrator %x, %v {gain = dense<1.0> : tensor<1xf64>} : tensor<3xf32>, tensor<4xf32>
  return
}

// -----

func.func @integrator_element(%x: tensor<4xf64>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.integrator' op input and membrane must have the same element type, got 'f64' and 'f32'}}
  %v1 = snn.integrator %x, %v {gain = dense<1.0> : tensor<1xf64>} : tensor<4xf64>, tensor<4xf32>
  return
}

// -----

// Float into a quantized membrane is a type mismatch, not a scale mismatch.
func.func @integrator_float_into_quant(%x: tensor<4xf32>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{'snn.integrator' op input and membrane must have the same element type, got 'f32' and '!quant.uniform<i16:f32, 1.000000e-02>'}}
  %v1 = snn.integrator %x, %v {gain = dense<1.0> : tensor<1xf64>} : tensor<4xf32>, tensor<4x!quant.uniform<i16:f32, 0.01>>
  return
}

// -----

func.func @integrator_scale_mismatch(%x: tensor<4x!quant.uniform<i16:f32, 0.02>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{'snn.integrator' op scale mismatch between input ('!quant.uniform<i16:f32, 2.000000e-02>') and membrane ('!quant.uniform<i16:f32, 1.000000e-02>'); insert snn.rescale}}
  %v1 = snn.integrator %x, %v {gain = dense<1.0> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 0.02>>, tensor<4x!quant.uniform<i16:f32, 0.01>>
  return
}

// -----

// The same scale in another storage type is still a mismatch.
func.func @integrator_storage_mismatch(%x: tensor<4x!quant.uniform<i8:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{'snn.integrator' op scale mismatch between input ('!quant.uniform<i8:f32, 1.000000e-02>') and membrane ('!quant.uniform<i16:f32, 1.000000e-02>'); insert snn.rescale}}
  %v1 = snn.integrator %x, %v {gain = dense<1.0> : tensor<1xf64>} : tensor<4x!quant.uniform<i8:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>
  return
}

// -----

func.func @integrator_param_elements(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.integrator' op parameter 'gain' must have one element or the neurons' shape [4], got 'tensor<3xf64>'}}
  %v1 = snn.integrator %x, %v {gain = dense<[1.0, 2.0, 3.0]> : tensor<3xf64>} : tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @integrator_missing_param(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.integrator' op requires attribute 'gain'}}
  %v1 = snn.integrator %x, %v : tensor<4xf32>, tensor<4xf32>
  return
}

// -----

// The custom format infers v_next from v; the generic format can disagree.
func.func @integrator_result_type(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.integrator' op failed to verify that all of {v, v_next} have same type}}
  %v1 = "snn.integrator"(%x, %v) {gain = dense<1.0> : tensor<1xf64>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf64>
  return
}

//===----------------------------------------------------------------------===//
// snn.li
//===----------------------------------------------------------------------===//

// -----

func.func @li_dynamic(%x: tensor<4xf32>, %v: tensor<?xf32>) {
  // expected-error @+1 {{'snn.li' op operands and results must have static shapes, got 'tensor<?xf32>'}}
  %v1 = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<?xf32>
  return
}

// -----

func.func @li_integer_membrane(%x: tensor<4xi16>, %v: tensor<4xi16>) {
  // expected-error @+1 {{'snn.li' op membrane must have a float or quantized element type, got 'i16'}}
  %v1 = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xi16>, tensor<4xi16>
  return
}

// -----

func.func @li_shape(%x: tensor<2x3xf32>, %v: tensor<3x2xf32>) {
  // expected-error @+1 {{'snn.li' op input and membrane must have the same shape, got 'tensor<2x3xf32>' and 'tensor<3x2xf32>'}}
  %v1 = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<2x3xf32>, tensor<3x2xf32>
  return
}

// -----

func.func @li_scale_mismatch(%x: tensor<4x!quant.uniform<i32:f32, 0.001>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{'snn.li' op scale mismatch between input ('!quant.uniform<i32:f32, 1.000000e-03>') and membrane ('!quant.uniform<i16:f32, 1.000000e-02>'); insert snn.rescale}}
  %v1 = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4x!quant.uniform<i32:f32, 0.001>>, tensor<4x!quant.uniform<i16:f32, 0.01>>
  return
}

// -----

func.func @li_param_decay(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.li' op parameter 'decay' must have one element or the neurons' shape [4], got 'tensor<2xf64>'}}
  %v1 = snn.li %x, %v {decay = dense<[0.9, 0.8]> : tensor<2xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @li_param_gain_inf(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.li' op parameter 'gain' must be finite, got INF}}
  %v1 = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<0x7FF0000000000000> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @li_param_leak_neg_inf(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.li' op parameter 'leak' must be finite, got -INF}}
  %v1 = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<[0.0, 0.0, 0xFFF0000000000000, 0.0]> : tensor<4xf64>} : tensor<4xf32>, tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// snn.if
//===----------------------------------------------------------------------===//

// -----

func.func @if_dynamic(%x: tensor<?xf32>, %v: tensor<?xf32>) {
  // expected-error @+1 {{'snn.if' op operands and results must have static shapes, got 'tensor<?xf32>'}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<?xf32>, tensor<?xf32> -> tensor<4xf32>
  return
}

// -----

func.func @if_integer_membrane(%x: tensor<4xi32>, %v: tensor<4xi32>) {
  // expected-error @+1 {{'snn.if' op membrane must have a float or quantized element type, got 'i32'}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  return
}

// -----

// Integer spikes may feed a synapse, not a neuron directly.
func.func @if_integer_input(%x: tensor<4xi8>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.if' op input and membrane must have the same element type, got 'i8' and 'f32'}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xi8>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @if_input_shape(%x: tensor<5xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.if' op input and membrane must have the same shape}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<5xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @if_scale_mismatch(%x: tensor<4x!quant.uniform<i16:f32, 0.02>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{'snn.if' op scale mismatch between input ('!quant.uniform<i16:f32, 2.000000e-02>') and membrane ('!quant.uniform<i16:f32, 1.000000e-02>'); insert snn.rescale}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.02>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xi8>
  return
}

// -----

func.func @if_param_gain(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.if' op parameter 'gain' must have one element or the neurons' shape [4], got 'tensor<5xf64>'}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<5xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @if_spike_element(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.if' op spike must have a float, quantized or signless integer element type, got 'ui8'}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xui8>
  return
}

// -----

func.func @if_spike_shape(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.if' op membrane and spike must have the same shape, got 'tensor<4xf32>' and 'tensor<2x2xf32>'}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @if_param_threshold(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.if' op parameter 'threshold' must have one element or the neurons' shape [4], got 'tensor<2xf64>'}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<2xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @if_param_v_reset_inf(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.if' op parameter 'v_reset' must be finite, got -INF}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0xFFF0000000000000> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @if_delayed_without_prev(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.if' op reset = subtract_delayed needs the previous spikes as an operand}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @if_prev_without_delayed(%x: tensor<4xf32>, %v: tensor<4xf32>, %p: tensor<4xf32>) {
  // expected-error @+1 {{'snn.if' op a previous-spike operand is only valid with reset = subtract_delayed}}
  %v1, %s = snn.if %x, %v, %p {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @if_prev_type(%x: tensor<4xf32>, %v: tensor<4xf32>, %p: tensor<4xf32>) {
  // expected-error @+1 {{'snn.if' op previous spikes must have the spike type 'tensor<4xi8>', got 'tensor<4xf32>'}}
  %v1, %s = snn.if %x, %v, %p {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @if_quant_float_spikes(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{'snn.if' op float spikes must have the membrane's element type}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xf32>
  return
}

// -----

func.func @if_bad_reset(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+2 {{expected ::mlir::snn::ResetMode to be one of: value, subtract, subtract_delayed}}
  // expected-error @+1 {{failed to parse SNN_ResetModeAttr parameter 'value'}}
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<zero>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// snn.lif
//===----------------------------------------------------------------------===//

// -----

func.func @lif_dynamic(%x: tensor<4xf32>, %v: tensor<4xf32>, %p: tensor<?xf32>) {
  // expected-error @+1 {{'snn.lif' op operands and results must have static shapes, got 'tensor<?xf32>'}}
  %v1, %s = snn.lif %x, %v, %p {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<?xf32> -> tensor<4xf32>
  return
}

// -----

func.func @lif_integer_membrane(%x: tensor<4xi8>, %v: tensor<4xi8>) {
  // expected-error @+1 {{'snn.lif' op membrane must have a float or quantized element type, got 'i8'}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xi8>, tensor<4xi8> -> tensor<4xi8>
  return
}

// -----

func.func @lif_shape(%x: tensor<3xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op input and membrane must have the same shape, got 'tensor<3xf32>' and 'tensor<4xf32>'}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<3xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @lif_element(%x: tensor<4xf16>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op input and membrane must have the same element type, got 'f16' and 'f32'}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf16>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @lif_scale_mismatch(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.005>>) {
  // expected-error @+1 {{'snn.lif' op scale mismatch between input ('!quant.uniform<i16:f32, 1.000000e-02>') and membrane ('!quant.uniform<i16:f32, 5.000000e-03>'); insert snn.rescale}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.005>> -> tensor<4xi8>
  return
}

// -----

func.func @lif_param_decay(%x: tensor<2x3xf32>, %v: tensor<2x3xf32>) {
  // expected-error @+1 {{'snn.lif' op parameter 'decay' must have one element or the neurons' shape [2, 3], got 'tensor<6xf64>'}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<6xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @lif_param_gain(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op parameter 'gain' must have one element or the neurons' shape [4], got 'tensor<2xf64>'}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<2xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @lif_param_leak_nan(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op parameter 'leak' must be finite, got nan}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0x7FF8000000000000> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @lif_param_threshold_inf(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op parameter 'threshold' must be finite, got INF}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<[1.0, 1.0, 0x7FF0000000000000, 1.0]> : tensor<4xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @lif_param_v_reset(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op parameter 'v_reset' must have one element or the neurons' shape [4], got 'tensor<4x1xf64>'}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<4x1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @lif_spike_element(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op spike must have a float, quantized or signless integer element type, got 'index'}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xindex>
  return
}

// -----

func.func @lif_spike_shape(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op membrane and spike must have the same shape, got 'tensor<4xf32>' and 'tensor<5xi1>'}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<5xi1>
  return
}

// -----

func.func @lif_delayed_without_prev(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op reset = subtract_delayed needs the previous spikes as an operand}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @lif_prev_without_delayed(%x: tensor<4xf32>, %v: tensor<4xf32>, %p: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op a previous-spike operand is only valid with reset = subtract_delayed}}
  %v1, %s = snn.lif %x, %v, %p {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @lif_prev_shape(%x: tensor<4xf32>, %v: tensor<4xf32>, %p: tensor<3xi8>) {
  // expected-error @+1 {{'snn.lif' op previous spikes must have the spike type 'tensor<4xi8>', got 'tensor<3xi8>'}}
  %v1, %s = snn.lif %x, %v, %p {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<3xi8> -> tensor<4xi8>
  return
}

// -----

func.func @lif_prev_element(%x: tensor<4xf32>, %v: tensor<4xf32>, %p: tensor<4xi1>) {
  // expected-error @+1 {{'snn.lif' op previous spikes must have the spike type 'tensor<4xi8>', got 'tensor<4xi1>'}}
  %v1, %s = snn.lif %x, %v, %p {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xi1> -> tensor<4xi8>
  return
}

// -----

func.func @lif_quant_float_spikes(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{'snn.lif' op float spikes must have the membrane's element type}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xf16>
  return
}

// -----

func.func @lif_missing_reset(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op requires attribute 'reset'}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @lif_result_type(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op failed to verify that all of {v, v_next} have same type}}
  %v1, %s = "snn.lif"(%x, %v) {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<3xf32>, tensor<4xf32>)
  return
}

//===----------------------------------------------------------------------===//
// snn.cubali
//===----------------------------------------------------------------------===//

// -----

func.func @cubali_dynamic(%x: tensor<4xf32>, %i: tensor<?xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubali' op operands and results must have static shapes, got 'tensor<?xf32>'}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<?xf32>, tensor<4xf32>
  return
}

// -----

func.func @cubali_integer_membrane(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xi32>) {
  // expected-error @+1 {{'snn.cubali' op membrane must have a float or quantized element type, got 'i32'}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
  return
}

// -----

func.func @cubali_integer_current(%x: tensor<4xf32>, %i: tensor<4xi32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubali' op synaptic current must have a float or quantized element type, got 'i32'}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<4xi32>, tensor<4xf32>
  return
}

// -----

func.func @cubali_input_shape(%x: tensor<3xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubali' op input and membrane must have the same shape, got 'tensor<3xf32>' and 'tensor<4xf32>'}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<3xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @cubali_current_shape(%x: tensor<4xf32>, %i: tensor<2x2xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubali' op synaptic current and membrane must have the same shape, got 'tensor<2x2xf32>' and 'tensor<4xf32>'}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<2x2xf32>, tensor<4xf32>
  return
}

// -----

func.func @cubali_input_current_element(%x: tensor<4xf64>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubali' op input and synaptic current must have the same element type, got 'f64' and 'f32'}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf64>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @cubali_current_membrane_element(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf64>) {
  // expected-error @+1 {{'snn.cubali' op synaptic current and membrane must have the same element type, got 'f32' and 'f64'}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf64>
  return
}

// -----

func.func @cubali_input_current_scale(%x: tensor<4x!quant.uniform<i16:f32, 0.02>>, %i: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{'snn.cubali' op scale mismatch between input ('!quant.uniform<i16:f32, 2.000000e-02>') and synaptic current ('!quant.uniform<i16:f32, 1.000000e-02>'); insert snn.rescale}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 0.02>>, tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>
  return
}

// -----

func.func @cubali_current_membrane_scale(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %i: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.04>>) {
  // expected-error @+1 {{'snn.cubali' op scale mismatch between synaptic current ('!quant.uniform<i16:f32, 1.000000e-02>') and membrane ('!quant.uniform<i16:f32, 4.000000e-02>'); insert snn.rescale}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.04>>
  return
}

// -----

func.func @cubali_param_syn_decay(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubali' op parameter 'syn_decay' must have one element or the neurons' shape [4], got 'tensor<2xf64>'}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<2xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @cubali_param_syn_gain_inf(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubali' op parameter 'syn_gain' must be finite, got INF}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<0x7FF0000000000000> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @cubali_param_leak(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubali' op parameter 'leak' must have one element or the neurons' shape [4], got 'tensor<8xf64>'}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<8xf64>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @cubali_result_type(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubali' op failed to verify that all of {i_syn, i_syn_next} have same type}}
  %i1, %v1 = "snn.cubali"(%x, %i, %v) {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf64>, tensor<4xf32>)
  return
}

//===----------------------------------------------------------------------===//
// snn.cubalif
//===----------------------------------------------------------------------===//

// -----

func.func @cubalif_dynamic(%x: tensor<?xf32>, %i: tensor<?xf32>, %v: tensor<?xf32>) {
  // expected-error @+1 {{'snn.cubalif' op operands and results must have static shapes, got 'tensor<?xf32>'}}
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<?xf32>, tensor<?xf32>, tensor<?xf32> -> tensor<4xf32>
  return
}

// -----

func.func @cubalif_scale_mismatch(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %i: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.02>>) {
  // expected-error @+1 {{'snn.cubalif' op scale mismatch between synaptic current ('!quant.uniform<i16:f32, 1.000000e-02>') and membrane ('!quant.uniform<i16:f32, 2.000000e-02>'); insert snn.rescale}}
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.02>> -> tensor<4xi8>
  return
}

// -----

func.func @cubalif_param_decay_nan(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubalif' op parameter 'decay' must be finite, got nan}}
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0x7FF8000000000000> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @cubalif_param_threshold(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubalif' op parameter 'threshold' must have one element or the neurons' shape [4], got 'tensor<3xf64>'}}
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<3xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @cubalif_spike_shape(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubalif' op membrane and spike must have the same shape, got 'tensor<4xf32>' and 'tensor<1xi8>'}}
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1xi8>
  return
}

// -----

func.func @cubalif_delayed_without_prev(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubalif' op reset = subtract_delayed needs the previous spikes as an operand}}
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @cubalif_prev_without_delayed(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>, %p: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubalif' op a previous-spike operand is only valid with reset = subtract_delayed}}
  %i1, %v1, %s = snn.cubalif %x, %i, %v, %p {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @cubalif_prev_type(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>, %p: tensor<4xf64>) {
  // expected-error @+1 {{'snn.cubalif' op previous spikes must have the spike type 'tensor<4xf32>', got 'tensor<4xf64>'}}
  %i1, %v1, %s = snn.cubalif %x, %i, %v, %p {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf64> -> tensor<4xf32>
  return
}

// -----

func.func @cubalif_quant_float_spikes(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %i: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{'snn.cubalif' op float spikes must have the membrane's element type}}
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xf32>
  return
}

// -----

// Float spikes are subtracted from the membrane under subtract_delayed: same type.
func.func @lif_spikes_other_float_type(%x: tensor<4xf32>, %v: tensor<4xf32>, %s: tensor<4xf64>) {
  // expected-error @+1 {{'snn.lif' op float spikes must have the membrane's element type 'f32', got 'f64'}}
  %v1, %s1 = snn.lif %x, %v, %s {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf64> -> tensor<4xf64>
  return
}

// -----

func.func @lif_quantized_spikes_from_float_membrane(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op spikes must be float or signless integer}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 1.0>>
  return
}

// -----

func.func @threshold_quantized_to_float(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{'snn.threshold' op float spikes must have the membrane's element type}}
  %z = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4xf32>
  return
}

// -----

func.func @rescale_dynamic(%x: tensor<?x!quant.uniform<i32:f32, 0.25>>) {
  // expected-error @+1 {{'snn.rescale' op operands and results must have static shapes}}
  %y = snn.rescale %x : tensor<?x!quant.uniform<i32:f32, 0.25>> -> tensor<?x!quant.uniform<i16:f32, 0.01>>
  return
}

// -----

func.func @linear_zero_point(%x: tensor<4x!quant.uniform<i8:f32, 0.5:3>>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error @+1 {{'snn.linear' op quantized synapses need zero points of 0}}
  %y = snn.linear %x, %w : tensor<4x!quant.uniform<i8:f32, 0.5:3>>, tensor<3x4x!quant.uniform<i8:f32, 0.25>> -> tensor<3x!quant.uniform<i32:f32, 0.125>>
  return
}

// -----

func.func @linear_expressed_types_differ(%x: tensor<4x!quant.uniform<i8:f64, 0.5>>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error @+1 {{'snn.linear' op quantized input, weight and result must express the same float type}}
  %y = snn.linear %x, %w : tensor<4x!quant.uniform<i8:f64, 0.5>>, tensor<3x4x!quant.uniform<i8:f32, 0.25>> -> tensor<3x!quant.uniform<i32:f32, 0.125>>
  return
}

// -----

func.func @param_overflows_f16(%x: tensor<4xf16>, %v: tensor<4xf16>) {
  // expected-error @+1 {{'snn.integrator' op parameter 'gain' value 1.000000e+10 overflows 'f16'}}
  %v1 = snn.integrator %x, %v {gain = dense<1.0e10> : tensor<1xf64>} : tensor<4xf16>, tensor<4xf16>
  return
}

// -----

func.func @sum_one_input(%a: tensor<4xf32>) {
  // expected-error @+1 {{'snn.sum' op needs at least two inputs, got 1}}
  %y = snn.sum %a : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @sum_scale_mismatch(%a: tensor<4x!quant.uniform<i16:f32, 0.01>>, %b: tensor<4x!quant.uniform<i16:f32, 0.02>>) {
  // expected-error @+1 {{'snn.sum' op scale mismatch between input #1 ('!quant.uniform<i16:f32, 2.000000e-02>') and result ('!quant.uniform<i16:f32, 1.000000e-02>'); insert snn.rescale}}
  %y = snn.sum %a, %b : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.02>> -> tensor<4x!quant.uniform<i16:f32, 0.01>>
  return
}

// -----

func.func @sum_shape_mismatch(%a: tensor<4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'snn.sum' op input #1 and result must have the same shape}}
  %y = snn.sum %a, %b : tensor<4xf32>, tensor<5xf32> -> tensor<4xf32>
  return
}

// -----

func.func @conv_wrong_result_shape(%x: tensor<1x8x8xf32>, %w: tensor<2x1x3x3xf32>) {
  // expected-error @+1 {{'snn.conv2d' op result shape must be [2, 6, 6], got 'tensor<2x8x8xf32>'}}
  %y = snn.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x8x8xf32>, tensor<2x1x3x3xf32> -> tensor<2x8x8xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<3x8x8xf32>, %w: tensor<2x1x3x3xf32>) {
  // expected-error @+1 {{'snn.conv2d' op weight expects 1 input channels, input has 3}}
  %y = snn.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<3x8x8xf32>, tensor<2x1x3x3xf32> -> tensor<2x6x6xf32>
  return
}

// -----

func.func @conv_zero_stride(%x: tensor<1x8x8xf32>, %w: tensor<2x1x3x3xf32>) {
  // expected-error @+1 {{'snn.conv2d' op stride values must be positive}}
  %y = snn.conv2d %x, %w {stride = array<i64: 0, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x8x8xf32>, tensor<2x1x3x3xf32> -> tensor<2x6x6xf32>
  return
}

// -----

func.func @pool_integer_average(%x: tensor<2x8x8xi8>) {
  // expected-error @+1 {{'snn.pool2d' op average pooling needs a float result (an integer model folds the average's divisor into the next synapse's weights)}}
  %y = snn.pool2d %x {kind = #snn.pool_kind<avg>, kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : tensor<2x8x8xi8> -> tensor<2x4x4xi8>
  return
}

// -----

func.func @conv_quantized_result_scale(%x: tensor<1x4x4xi8>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>) {
  // expected-error @+1 {{'snn.conv2d' op result scale 5.000000e-01 of output 1 differs from input scale x weight scale = 2.500000e-01; insert snn.rescale after the synapse}}
  %y = snn.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x4x4xi8>, tensor<2x1x3x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>> -> tensor<2x2x2x!quant.uniform<i32:f32:0, {0.5, 0.5}>>
  return
}

// -----

func.func @pool_wrong_result_shape(%x: tensor<2x8x8xf32>) {
  // expected-error @+1 {{'snn.pool2d' op result shape must be [2, 4, 4], got 'tensor<2x3x3xf32>'}}
  %y = snn.pool2d %x {kind = #snn.pool_kind<sum>, kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : tensor<2x8x8xf32> -> tensor<2x3x3xf32>
  return
}

// -----

func.func @delay_buffer_too_short(%x: tensor<3xf32>, %b: tensor<1x3xf32>) {
  // expected-error @+1 {{'snn.delay' op buffer must be 'tensor<2x3xf32>' for the longest delay, got 'tensor<1x3xf32>'}}
  %y, %b1 = snn.delay %x, %b {steps = array<i64: 2, 0, 1>} : tensor<3xf32>, tensor<1x3xf32>
  return
}

// -----

func.func @delay_negative(%x: tensor<3xf32>, %b: tensor<1x3xf32>) {
  // expected-error @+1 {{'snn.delay' op steps must not be negative, got -1}}
  %y, %b1 = snn.delay %x, %b {steps = array<i64: -1>} : tensor<3xf32>, tensor<1x3xf32>
  return
}

// -----

func.func @multi_spike_delayed(%x: tensor<4xf32>, %v: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op multi_spike needs reset = subtract or value}}
  %v1, %s1 = snn.lif %x, %v, %s {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>, multi_spike} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @joined_without_add_then_decay(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.cubali' op membrane_sees_joined needs add_then_decay and excludes voltage_first}}
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, membrane_sees_joined} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @reset_before_update_alone(%x: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'snn.lif' op reset_before_update needs spike_first}}
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<gt>, reset_before_update} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

// The integer arithmetic (snn-choose-integer-arithmetic) is for quantized
// ops, both attributes together, of a width of 32 or 64 and 1 to 30 bits.
func.func @arithmetic_on_floats(%x: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'snn.li' op integer arithmetic is chosen for quantized values only}}
  %v1 = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, arithmetic_width = 32 : i64, multiplier_bits = 14 : i64} : tensor<4xf32>, tensor<4xf32>
  return %v1 : tensor<4xf32>
}

// -----

func.func @arithmetic_half(%x: tensor<3x!quant.uniform<i32:f32, 0.25>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  // expected-error @+1 {{'snn.rescale' op arithmetic_width and multiplier_bits go together (one is missing)}}
  %y = snn.rescale %x {arithmetic_width = 32 : i64} : tensor<3x!quant.uniform<i32:f32, 0.25>> -> tensor<3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

func.func @arithmetic_width(%x: tensor<3x!quant.uniform<i32:f32, 0.25>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  // expected-error @+1 {{'snn.rescale' op arithmetic_width must be 32 or 64, got 48}}
  %y = snn.rescale %x {arithmetic_width = 48 : i64, multiplier_bits = 14 : i64} : tensor<3x!quant.uniform<i32:f32, 0.25>> -> tensor<3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}

// -----

func.func @multiplier_bits(%x: tensor<4x!quant.uniform<i16:f32, 0.01>>, %v: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4x!quant.uniform<i16:f32, 0.01>> {
  // expected-error @+1 {{'snn.li' op multiplier_bits must be in [1, 30], got 31}}
  %v1 = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, arithmetic_width = 64 : i64, multiplier_bits = 31 : i64} : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>>
  return %v1 : tensor<4x!quant.uniform<i16:f32, 0.01>>
}
