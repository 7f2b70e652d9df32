// Round trip of every snn op through the custom and the generic assembly
// formats. The second run parses the generic form printed by the first, so
// both formats must carry every operand, attribute and type.
//
// RUN: snn-opt %s | snn-opt | FileCheck %s
// RUN: snn-opt %s --mlir-print-op-generic | snn-opt | FileCheck %s

!qa = !quant.uniform<i8:f32, 5.000000e-01>
!qw = !quant.uniform<i8:f32, 2.500000e-01>
!qacc = !quant.uniform<i32:f32, 1.250000e-01>
!qv = !quant.uniform<i16:f32, 1.000000e-02>

//===----------------------------------------------------------------------===//
// snn.linear
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @linear(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4xf32>, %[[W:[^:]+]]: tensor<3x4xf32>)
// CHECK-NEXT:    %[[Y:[^ ,]+]] = snn.linear %[[X]], %[[W]] : tensor<4xf32>, tensor<3x4xf32> -> tensor<3xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<3xf32>
func.func @linear(%x: tensor<4xf32>, %w: tensor<3x4xf32>) -> tensor<3xf32> {
  %y = snn.linear %x, %w : tensor<4xf32>, tensor<3x4xf32> -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// CHECK-LABEL: func.func @linear_bias(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4xf64>, %[[W:[^:]+]]: tensor<3x4xf64>, %[[B:[^:]+]]: tensor<3xf64>)
// CHECK-NEXT:    %[[Y:[^ ,]+]] = snn.linear %[[X]], %[[W]], %[[B]] : tensor<4xf64>, tensor<3x4xf64>, tensor<3xf64> -> tensor<3xf64>
// CHECK-NEXT:    return %[[Y]] : tensor<3xf64>
func.func @linear_bias(%x: tensor<4xf64>, %w: tensor<3x4xf64>, %b: tensor<3xf64>) -> tensor<3xf64> {
  %y = snn.linear %x, %w, %b : tensor<4xf64>, tensor<3x4xf64>, tensor<3xf64> -> tensor<3xf64>
  return %y : tensor<3xf64>
}

// Integer spikes feed a float synapse.
// CHECK-LABEL: func.func @linear_spikes(
// CHECK-SAME:    %[[S:[^:]+]]: tensor<4xi1>, %[[T:[^:]+]]: tensor<4xi8>, %[[W:[^:]+]]: tensor<3x4xf32>, %[[B:[^:]+]]: tensor<3xf32>)
// CHECK-NEXT:    snn.linear %[[S]], %[[W]] : tensor<4xi1>, tensor<3x4xf32> -> tensor<3xf32>
// CHECK-NEXT:    snn.linear %[[T]], %[[W]], %[[B]] : tensor<4xi8>, tensor<3x4xf32>, tensor<3xf32> -> tensor<3xf32>
func.func @linear_spikes(%s: tensor<4xi1>, %t: tensor<4xi8>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %y = snn.linear %s, %w : tensor<4xi1>, tensor<3x4xf32> -> tensor<3xf32>
  %z = snn.linear %t, %w, %b : tensor<4xi8>, tensor<3x4xf32>, tensor<3xf32> -> tensor<3xf32>
  return %y, %z : tensor<3xf32>, tensor<3xf32>
}

// The result's scale is the input's times the weight's: 0.5 * 0.25.
// CHECK-LABEL: func.func @linear_quant(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>, %[[W:[^:]+]]: tensor<3x4x!quant.uniform<i8:f32, 2.500000e-01>>, %[[B:[^:]+]]: tensor<3x!quant.uniform<i32:f32, 1.250000e-01>>)
// CHECK-NEXT:    snn.linear %[[X]], %[[W]] : tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>, tensor<3x4x!quant.uniform<i8:f32, 2.500000e-01>> -> tensor<3x!quant.uniform<i32:f32, 1.250000e-01>>
// CHECK-NEXT:    snn.linear %[[X]], %[[W]], %[[B]] : tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>, tensor<3x4x!quant.uniform<i8:f32, 2.500000e-01>>, tensor<3x!quant.uniform<i32:f32, 1.250000e-01>> -> tensor<3x!quant.uniform<i32:f32, 1.250000e-01>>
func.func @linear_quant(%x: tensor<4x!qa>, %w: tensor<3x4x!qw>, %b: tensor<3x!qacc>) -> (tensor<3x!qacc>, tensor<3x!qacc>) {
  %y = snn.linear %x, %w : tensor<4x!qa>, tensor<3x4x!qw> -> tensor<3x!qacc>
  %z = snn.linear %x, %w, %b : tensor<4x!qa>, tensor<3x4x!qw>, tensor<3x!qacc> -> tensor<3x!qacc>
  return %y, %z : tensor<3x!qacc>, tensor<3x!qacc>
}

// Spikes carry scale 1: the accumulator has the weight's scale.
// CHECK-LABEL: func.func @linear_quant_spikes(
// CHECK-NEXT:    snn.linear %{{.+}}, %{{.+}} : tensor<4xi8>, tensor<3x4x!quant.uniform<i8:f32, 2.500000e-01>> -> tensor<3x!quant.uniform<i32:f32, 2.500000e-01>>
func.func @linear_quant_spikes(%s: tensor<4xi8>, %w: tensor<3x4x!qw>) -> tensor<3x!quant.uniform<i32:f32, 2.500000e-01>> {
  %y = snn.linear %s, %w : tensor<4xi8>, tensor<3x4x!qw> -> tensor<3x!quant.uniform<i32:f32, 2.500000e-01>>
  return %y : tensor<3x!quant.uniform<i32:f32, 2.500000e-01>>
}

//===----------------------------------------------------------------------===//
// snn.scale, snn.threshold, snn.rescale
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @scale(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<2x3xf32>, %[[Q:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>)
// CHECK-NEXT:    snn.scale %[[X]] {scale = dense<2.000000e+00> : tensor<1xf64>} : tensor<2x3xf32>
// CHECK-NEXT:    snn.scale %[[X]] {scale = dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf64>} : tensor<2x3xf32>
// CHECK-NEXT:    snn.scale %[[Q]] {scale = dense<5.000000e-01> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>
func.func @scale(%x: tensor<2x3xf32>, %q: tensor<4x!qv>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<4x!qv>) {
  %a = snn.scale %x {scale = dense<2.0> : tensor<1xf64>} : tensor<2x3xf32>
  %b = snn.scale %x {scale = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf64>} : tensor<2x3xf32>
  %c = snn.scale %q {scale = dense<0.5> : tensor<1xf64>} : tensor<4x!qv>
  return %a, %b, %c : tensor<2x3xf32>, tensor<2x3xf32>, tensor<4x!qv>
}

// CHECK-LABEL: func.func @threshold(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<8xf32>, %[[M:[^:]+]]: tensor<2x3xf64>, %[[Q:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>)
// CHECK-NEXT:    snn.threshold %[[X]] {compare = #snn.compare<gt>, threshold = dense<1.000000e+00> : tensor<1xf64>} : tensor<8xf32> -> tensor<8xf32>
// CHECK-NEXT:    snn.threshold %[[X]] {compare = #snn.compare<ge>, threshold = dense<5.000000e-01> : tensor<1xf64>} : tensor<8xf32> -> tensor<8xi8>
// CHECK-NEXT:    snn.threshold %[[M]] {compare = #snn.compare<gt>, threshold = dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf64>} : tensor<2x3xf64> -> tensor<2x3xi1>
// CHECK-NEXT:    snn.threshold %[[Q]] {compare = #snn.compare<ge>, threshold = dense<1.000000e+00> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 1.000000e-02>> -> tensor<4xi8>
func.func @threshold(%x: tensor<8xf32>, %m: tensor<2x3xf64>, %q: tensor<4x!qv>) -> (tensor<8xf32>, tensor<8xi8>, tensor<2x3xi1>, tensor<4xi8>) {
  %a = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<gt>} : tensor<8xf32> -> tensor<8xf32>
  %b = snn.threshold %x {threshold = dense<0.5> : tensor<1xf64>, compare = #snn.compare<ge>} : tensor<8xf32> -> tensor<8xi8>
  %c = snn.threshold %m {threshold = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf64>, compare = #snn.compare<gt>} : tensor<2x3xf64> -> tensor<2x3xi1>
  %d = snn.threshold %q {threshold = dense<1.0> : tensor<1xf64>, compare = #snn.compare<ge>} : tensor<4x!qv> -> tensor<4xi8>
  return %a, %b, %c, %d : tensor<8xf32>, tensor<8xi8>, tensor<2x3xi1>, tensor<4xi8>
}

// Storage type, scale and zero point may all change; the expressed type not.
// CHECK-LABEL: func.func @rescale(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<8x!quant.uniform<i32:f32, 1.000000e-03>>, %[[M:[^:]+]]: tensor<2x3x!quant.uniform<i8:f64, 5.000000e-01:3>>)
// CHECK-NEXT:    snn.rescale %[[X]] : tensor<8x!quant.uniform<i32:f32, 1.000000e-03>> -> tensor<8x!quant.uniform<i16:f32, 1.000000e-02>>
// CHECK-NEXT:    snn.rescale %[[M]] : tensor<2x3x!quant.uniform<i8:f64, 5.000000e-01:3>> -> tensor<2x3x!quant.uniform<i16:f64, 1.250000e-01:-2>>
func.func @rescale(%x: tensor<8x!quant.uniform<i32:f32, 1.000000e-03>>, %m: tensor<2x3x!quant.uniform<i8:f64, 5.000000e-01:3>>) -> (tensor<8x!qv>, tensor<2x3x!quant.uniform<i16:f64, 1.250000e-01:-2>>) {
  %a = snn.rescale %x : tensor<8x!quant.uniform<i32:f32, 1.000000e-03>> -> tensor<8x!qv>
  %b = snn.rescale %m : tensor<2x3x!quant.uniform<i8:f64, 5.000000e-01:3>> -> tensor<2x3x!quant.uniform<i16:f64, 1.250000e-01:-2>>
  return %a, %b : tensor<8x!qv>, tensor<2x3x!quant.uniform<i16:f64, 1.250000e-01:-2>>
}

//===----------------------------------------------------------------------===//
// snn.integrator, snn.li
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @integrator(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>, %[[XD:[^:]+]]: tensor<4xf64>, %[[VD:[^:]+]]: tensor<4xf64>, %[[XQ:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, %[[VQ:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>)
// CHECK-NEXT:    %[[A:[^ ,]+]] = snn.integrator %[[X]], %[[V]] {gain = dense<1.000000e-03> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>
// CHECK-NEXT:    %[[B:[^ ,]+]] = snn.integrator %[[XD]], %[[VD]] {gain = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf64>} : tensor<4xf64>, tensor<4xf64>
// CHECK-NEXT:    %[[C:[^ ,]+]] = snn.integrator %[[XQ]], %[[VQ]] {gain = dense<1.000000e+00> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]] : tensor<4xf32>, tensor<4xf64>, tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>
func.func @integrator(%x: tensor<4xf32>, %v: tensor<4xf32>, %xd: tensor<4xf64>, %vd: tensor<4xf64>, %xq: tensor<4x!qv>, %vq: tensor<4x!qv>) -> (tensor<4xf32>, tensor<4xf64>, tensor<4x!qv>) {
  %a = snn.integrator %x, %v {gain = dense<1.000000e-03> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>
  %b = snn.integrator %xd, %vd {gain = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf64>} : tensor<4xf64>, tensor<4xf64>
  %c = snn.integrator %xq, %vq {gain = dense<1.0> : tensor<1xf64>} : tensor<4x!qv>, tensor<4x!qv>
  return %a, %b, %c : tensor<4xf32>, tensor<4xf64>, tensor<4x!qv>
}

// CHECK-LABEL: func.func @li(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<2x3xf32>, %[[V:[^:]+]]: tensor<2x3xf32>, %[[XD:[^:]+]]: tensor<4xf64>, %[[VD:[^:]+]]: tensor<4xf64>, %[[XQ:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, %[[VQ:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>)
// CHECK-NEXT:    snn.li %[[X]], %[[V]] {decay = dense<9.000000e-01> : tensor<1xf64>, gain = dense<1.000000e+00> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>} : tensor<2x3xf32>, tensor<2x3xf32>
// CHECK-NEXT:    snn.li %[[XD]], %[[VD]] {decay = dense<[9.000000e-01, 8.000000e-01, 5.000000e-01, 2.500000e-01]> : tensor<4xf64>, gain = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf64>, leak = dense<[0.000000e+00, -1.000000e+00, 5.000000e-01, 2.000000e+00]> : tensor<4xf64>} : tensor<4xf64>, tensor<4xf64>
// CHECK-NEXT:    snn.li %[[XQ]], %[[VQ]] {decay = dense<5.000000e-01> : tensor<1xf64>, gain = dense<5.000000e-01> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>
func.func @li(%x: tensor<2x3xf32>, %v: tensor<2x3xf32>, %xd: tensor<4xf64>, %vd: tensor<4xf64>, %xq: tensor<4x!qv>, %vq: tensor<4x!qv>) -> (tensor<2x3xf32>, tensor<4xf64>, tensor<4x!qv>) {
  %a = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<2x3xf32>, tensor<2x3xf32>
  %b = snn.li %xd, %vd {decay = dense<[0.9, 0.8, 0.5, 0.25]> : tensor<4xf64>, gain = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf64>, leak = dense<[0.0, -1.0, 0.5, 2.0]> : tensor<4xf64>} : tensor<4xf64>, tensor<4xf64>
  %c = snn.li %xq, %vq {decay = dense<0.5> : tensor<1xf64>, gain = dense<0.5> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4x!qv>, tensor<4x!qv>
  return %a, %b, %c : tensor<2x3xf32>, tensor<4xf64>, tensor<4x!qv>
}

//===----------------------------------------------------------------------===//
// snn.if
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @if_value(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK-NEXT:    %[[VN:[^ ,]+]], %[[S:[^ ,]+]] = snn.if %[[X]], %[[V]] {compare = #snn.compare<gt>, gain = dense<1.000000e+00> : tensor<1xf64>, reset = #snn.reset<value>, threshold = dense<1.000000e+00> : tensor<1xf64>, v_reset = dense<-5.000000e-01> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT:    return %[[VN]], %[[S]] : tensor<4xf32>, tensor<4xf32>
func.func @if_value(%x: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<-0.5> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %v1, %s : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @if_subtract(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4xf64>, %[[V:[^:]+]]: tensor<4xf64>)
// CHECK-NEXT:    snn.if %[[X]], %[[V]] {compare = #snn.compare<ge>, gain = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf64>, reset = #snn.reset<subtract>, threshold = dense<[1.000000e+00, 1.500000e+00, 2.000000e+00, 2.500000e+00]> : tensor<4xf64>, v_reset = dense<0.000000e+00> : tensor<4xf64>} : tensor<4xf64>, tensor<4xf64> -> tensor<4xi8>
func.func @if_subtract(%x: tensor<4xf64>, %v: tensor<4xf64>) -> (tensor<4xf64>, tensor<4xi8>) {
  %v1, %s = snn.if %x, %v {gain = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf64>, threshold = dense<[1.0, 1.5, 2.0, 2.5]> : tensor<4xf64>, v_reset = dense<0.0> : tensor<4xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<ge>} : tensor<4xf64>, tensor<4xf64> -> tensor<4xi8>
  return %v1, %s : tensor<4xf64>, tensor<4xi8>
}

// CHECK-LABEL: func.func @if_subtract_delayed(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<2x3xf32>, %[[V:[^:]+]]: tensor<2x3xf32>, %[[P:[^:]+]]: tensor<2x3xf32>)
// CHECK-NEXT:    snn.if %[[X]], %[[V]], %[[P]] {compare = #snn.compare<gt>, gain = dense<1.000000e+00> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, threshold = dense<1.000000e+00> : tensor<1xf64>, v_reset = dense<0.000000e+00> : tensor<1xf64>} : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
func.func @if_subtract_delayed(%x: tensor<2x3xf32>, %v: tensor<2x3xf32>, %p: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %v1, %s = snn.if %x, %v, %p {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %v1, %s : tensor<2x3xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @if_quant(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, %[[V:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, %[[P:[^:]+]]: tensor<4xi8>)
// CHECK-NEXT:    snn.if %[[X]], %[[V]], %[[P]] {compare = #snn.compare<ge>, gain = dense<1.000000e+00> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, threshold = dense<1.000000e+00> : tensor<1xf64>, v_reset = dense<0.000000e+00> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4xi8> -> tensor<4xi8>
func.func @if_quant(%x: tensor<4x!qv>, %v: tensor<4x!qv>, %p: tensor<4xi8>) -> (tensor<4x!qv>, tensor<4xi8>) {
  %v1, %s = snn.if %x, %v, %p {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<ge>} : tensor<4x!qv>, tensor<4x!qv>, tensor<4xi8> -> tensor<4xi8>
  return %v1, %s : tensor<4x!qv>, tensor<4xi8>
}

//===----------------------------------------------------------------------===//
// snn.lif
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @lif_value(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK-NEXT:    %[[VN:[^ ,]+]], %[[S:[^ ,]+]] = snn.lif %[[X]], %[[V]] {compare = #snn.compare<gt>, decay = dense<9.000000e-01> : tensor<1xf64>, gain = dense<1.000000e+00> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>, reset = #snn.reset<value>, threshold = dense<1.000000e+00> : tensor<1xf64>, v_reset = dense<0.000000e+00> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT:    return %[[VN]], %[[S]] : tensor<4xf32>, tensor<4xf32>
func.func @lif_value(%x: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %v1, %s : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @lif_subtract(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<2x3xf32>, %[[V:[^:]+]]: tensor<2x3xf32>)
// CHECK-NEXT:    snn.lif %[[X]], %[[V]] {compare = #snn.compare<ge>, decay = dense<5.000000e-01> : tensor<1xf64>, gain = dense<5.000000e-01> : tensor<1xf64>, leak = dense<2.500000e-01> : tensor<1xf64>, reset = #snn.reset<subtract>, threshold = dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf64>, v_reset = dense<0.000000e+00> : tensor<1xf64>} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xi1>
func.func @lif_subtract(%x: tensor<2x3xf32>, %v: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi1>) {
  %v1, %s = snn.lif %x, %v {decay = dense<0.5> : tensor<1xf64>, gain = dense<0.5> : tensor<1xf64>, leak = dense<0.25> : tensor<1xf64>, threshold = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<ge>} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xi1>
  return %v1, %s : tensor<2x3xf32>, tensor<2x3xi1>
}

// CHECK-LABEL: func.func @lif_subtract_delayed(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4xf64>, %[[V:[^:]+]]: tensor<4xf64>, %[[P:[^:]+]]: tensor<4xi8>)
// CHECK-NEXT:    snn.lif %[[X]], %[[V]], %[[P]] {compare = #snn.compare<gt>, decay = dense<[9.000000e-01, 8.000000e-01, 5.000000e-01, 2.500000e-01]> : tensor<4xf64>, gain = dense<1.000000e+00> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, threshold = dense<1.000000e+00> : tensor<1xf64>, v_reset = dense<0.000000e+00> : tensor<1xf64>} : tensor<4xf64>, tensor<4xf64>, tensor<4xi8> -> tensor<4xi8>
func.func @lif_subtract_delayed(%x: tensor<4xf64>, %v: tensor<4xf64>, %p: tensor<4xi8>) -> (tensor<4xf64>, tensor<4xi8>) {
  %v1, %s = snn.lif %x, %v, %p {decay = dense<[0.9, 0.8, 0.5, 0.25]> : tensor<4xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4xf64>, tensor<4xf64>, tensor<4xi8> -> tensor<4xi8>
  return %v1, %s : tensor<4xf64>, tensor<4xi8>
}

// CHECK-LABEL: func.func @lif_quant(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, %[[V:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>)
// CHECK-NEXT:    snn.lif %[[X]], %[[V]] {compare = #snn.compare<gt>, decay = dense<9.000000e-01> : tensor<1xf64>, gain = dense<1.000000e+00> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>, reset = #snn.reset<value>, threshold = dense<1.000000e+00> : tensor<1xf64>, v_reset = dense<0.000000e+00> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4x!quant.uniform<i16:f32, 1.000000e-02>> -> tensor<4xi8>
func.func @lif_quant(%x: tensor<4x!qv>, %v: tensor<4x!qv>) -> (tensor<4x!qv>, tensor<4xi8>) {
  %v1, %s = snn.lif %x, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4x!qv>, tensor<4x!qv> -> tensor<4xi8>
  return %v1, %s : tensor<4x!qv>, tensor<4xi8>
}

//===----------------------------------------------------------------------===//
// snn.cubali, snn.cubalif
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cubali(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4xf32>, %[[I:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK-NEXT:    %[[I1:[^ ,]+]], %[[V1:[^ ,]+]] = snn.cubali %[[X]], %[[I]], %[[V]] {decay = dense<9.000000e-01> : tensor<1xf64>, gain = dense<1.000000e+00> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>, syn_decay = dense<8.000000e-01> : tensor<1xf64>, syn_gain = dense<1.000000e+00> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
// CHECK-NEXT:    %[[I2:[^ ,]+]], %[[V2:[^ ,]+]] = snn.cubali %[[X]], %[[I1]], %[[V1]] {decay = dense<9.000000e-01> : tensor<1xf64>, gain = dense<1.000000e+00> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>, syn_decay = dense<8.000000e-01> : tensor<1xf64>, syn_gain = dense<1.000000e+00> : tensor<1xf64>, voltage_first} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
// CHECK-NEXT:    return %[[I1]], %[[V1]], %[[I2]], %[[V2]]
func.func @cubali(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  %i2, %v2 = snn.cubali %x, %i1, %v1 {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, voltage_first} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %i1, %v1, %i2, %v2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @cubali_f64_quant(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<2x3xf64>, %[[I:[^:]+]]: tensor<2x3xf64>, %[[V:[^:]+]]: tensor<2x3xf64>, %[[XQ:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, %[[IQ:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, %[[VQ:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>)
// CHECK-NEXT:    snn.cubali %[[X]], %[[I]], %[[V]] {decay = dense<9.000000e-01> : tensor<1xf64>, gain = dense<5.000000e-01> : tensor<1xf64>, leak = dense<1.250000e-01> : tensor<1xf64>, syn_decay = dense<{{\[}}[5.000000e-01, 6.000000e-01, 0.69999999999999996], [8.000000e-01, 9.000000e-01, 1.000000e+00]]> : tensor<2x3xf64>, syn_gain = dense<2.000000e+00> : tensor<1xf64>} : tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>
// CHECK-NEXT:    snn.cubali %[[XQ]], %[[IQ]], %[[VQ]] {decay = dense<5.000000e-01> : tensor<1xf64>, gain = dense<1.000000e+00> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>, syn_decay = dense<5.000000e-01> : tensor<1xf64>, syn_gain = dense<1.000000e+00> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>
func.func @cubali_f64_quant(%x: tensor<2x3xf64>, %i: tensor<2x3xf64>, %v: tensor<2x3xf64>, %xq: tensor<4x!qv>, %iq: tensor<4x!qv>, %vq: tensor<4x!qv>) -> (tensor<2x3xf64>, tensor<2x3xf64>, tensor<4x!qv>, tensor<4x!qv>) {
  %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<[[0.5, 0.6, 0.7], [0.8, 0.9, 1.0]]> : tensor<2x3xf64>, syn_gain = dense<2.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<0.5> : tensor<1xf64>, leak = dense<0.125> : tensor<1xf64>} : tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>
  %i2, %v2 = snn.cubali %xq, %iq, %vq {syn_decay = dense<0.5> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.5> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<4x!qv>, tensor<4x!qv>, tensor<4x!qv>
  return %i1, %v1, %i2, %v2 : tensor<2x3xf64>, tensor<2x3xf64>, tensor<4x!qv>, tensor<4x!qv>
}

// CHECK-LABEL: func.func @cubalif_value(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4xf32>, %[[I:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK-NEXT:    %[[I1:[^ ,]+]], %[[V1:[^ ,]+]], %[[S:[^ ,]+]] = snn.cubalif %[[X]], %[[I]], %[[V]] {compare = #snn.compare<gt>, decay = dense<9.000000e-01> : tensor<1xf64>, gain = dense<1.000000e+00> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>, reset = #snn.reset<value>, syn_decay = dense<8.000000e-01> : tensor<1xf64>, syn_gain = dense<1.000000e+00> : tensor<1xf64>, threshold = dense<1.000000e+00> : tensor<1xf64>, v_reset = dense<0.000000e+00> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT:    return %[[I1]], %[[V1]], %[[S]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
func.func @cubalif_value(%x: tensor<4xf32>, %i: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %i1, %v1, %s : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @cubalif_subtract(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4xf64>, %[[I:[^:]+]]: tensor<4xf64>, %[[V:[^:]+]]: tensor<4xf64>)
// CHECK-NEXT:    snn.cubalif %[[X]], %[[I]], %[[V]] {compare = #snn.compare<ge>, decay = dense<9.000000e-01> : tensor<1xf64>, gain = dense<1.000000e+00> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>, reset = #snn.reset<subtract>, syn_decay = dense<[9.000000e-01, 8.000000e-01, 5.000000e-01, 2.500000e-01]> : tensor<4xf64>, syn_gain = dense<1.000000e+00> : tensor<1xf64>, threshold = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf64>, v_reset = dense<0.000000e+00> : tensor<1xf64>, voltage_first} : tensor<4xf64>, tensor<4xf64>, tensor<4xf64> -> tensor<4xi1>
func.func @cubalif_subtract(%x: tensor<4xf64>, %i: tensor<4xf64>, %v: tensor<4xf64>) -> (tensor<4xf64>, tensor<4xf64>, tensor<4xi1>) {
  %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<[0.9, 0.8, 0.5, 0.25]> : tensor<4xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract>, compare = #snn.compare<ge>, voltage_first} : tensor<4xf64>, tensor<4xf64>, tensor<4xf64> -> tensor<4xi1>
  return %i1, %v1, %s : tensor<4xf64>, tensor<4xf64>, tensor<4xi1>
}

// CHECK-LABEL: func.func @cubalif_subtract_delayed(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, %[[I:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, %[[V:[^:]+]]: tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, %[[P:[^:]+]]: tensor<4xi8>)
// CHECK-NEXT:    snn.cubalif %[[X]], %[[I]], %[[V]], %[[P]] {compare = #snn.compare<gt>, decay = dense<5.000000e-01> : tensor<1xf64>, gain = dense<1.000000e+00> : tensor<1xf64>, leak = dense<0.000000e+00> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, syn_decay = dense<5.000000e-01> : tensor<1xf64>, syn_gain = dense<1.000000e+00> : tensor<1xf64>, threshold = dense<1.000000e+00> : tensor<1xf64>, v_reset = dense<0.000000e+00> : tensor<1xf64>} : tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4xi8> -> tensor<4xi8>
func.func @cubalif_subtract_delayed(%x: tensor<4x!qv>, %i: tensor<4x!qv>, %v: tensor<4x!qv>, %p: tensor<4xi8>) -> (tensor<4x!qv>, tensor<4x!qv>, tensor<4xi8>) {
  %i1, %v1, %s = snn.cubalif %x, %i, %v, %p {syn_decay = dense<0.5> : tensor<1xf64>, syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.5> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>} : tensor<4x!qv>, tensor<4x!qv>, tensor<4x!qv>, tensor<4xi8> -> tensor<4xi8>
  return %i1, %v1, %s : tensor<4x!qv>, tensor<4x!qv>, tensor<4xi8>
}

// CHECK-LABEL: func.func @sum_three(
// CHECK:         snn.sum %{{.+}}, %{{.+}}, %{{.+}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
func.func @sum_three(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %y = snn.sum %a, %b, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// CHECK-LABEL: func.func @sum_quantized(
// CHECK:         snn.sum %{{.+}}, %{{.+}} : tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>, tensor<4x!quant.uniform<i16:f32, 1.000000e-02>> -> tensor<4x!quant.uniform<i16:f32, 1.000000e-02>>
func.func @sum_quantized(%a: tensor<4x!quant.uniform<i16:f32, 0.01>>, %b: tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<4x!quant.uniform<i16:f32, 0.01>> {
  %y = snn.sum %a, %b : tensor<4x!quant.uniform<i16:f32, 0.01>>, tensor<4x!quant.uniform<i16:f32, 0.01>> -> tensor<4x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<4x!quant.uniform<i16:f32, 0.01>>
}

// CHECK-LABEL: func.func @conv_and_pool(
// CHECK:         snn.conv2d %{{.+}}, %{{.+}}, %{{.+}} {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : tensor<1x8x8xf32>, tensor<2x1x3x3xf32>, tensor<2xf32> -> tensor<2x8x8xf32>
// CHECK:         snn.pool2d %{{.+}} {kernel = array<i64: 2, 2>, kind = #snn.pool_kind<avg>, stride = array<i64: 2, 2>} : tensor<2x8x8xf32> -> tensor<2x4x4xf32>
func.func @conv_and_pool(%x: tensor<1x8x8xf32>, %w: tensor<2x1x3x3xf32>, %b: tensor<2xf32>) -> tensor<2x4x4xf32> {
  %y = snn.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x8x8xf32>, tensor<2x1x3x3xf32>, tensor<2xf32> -> tensor<2x8x8xf32>
  %p = snn.pool2d %y {kind = #snn.pool_kind<avg>, kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : tensor<2x8x8xf32> -> tensor<2x4x4xf32>
  return %p : tensor<2x4x4xf32>
}

// CHECK-LABEL: func.func @delay(
// CHECK:         snn.delay %{{.+}}, %{{.+}} {steps = array<i64: 2, 0, 1>} : tensor<3xf32>, tensor<2x3xf32>
func.func @delay(%x: tensor<3xf32>, %b: tensor<2x3xf32>) -> (tensor<3xf32>, tensor<2x3xf32>) {
  %y, %b1 = snn.delay %x, %b {steps = array<i64: 2, 0, 1>} : tensor<3xf32>, tensor<2x3xf32>
  return %y, %b1 : tensor<3xf32>, tensor<2x3xf32>
}
