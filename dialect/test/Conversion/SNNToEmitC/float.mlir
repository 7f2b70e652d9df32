// The registered pipeline snn-to-emitc, from snn IR to EmitC, on a float
// model: one synapse and one LIF layer. The state argument (marked
// snn.aliasing_output) is updated in place: the function returns nothing, the
// spikes are written to an out-parameter, the weights become a static const
// global named with the prefix (not MLIR's reserved `__constant`). Without
// `optimize` the synapse is a dense loop nest; with it (the default), an
// event-driven gather of the active inputs.
//
// RUN: snn-opt %s --pass-pipeline='builtin.module(snn-to-emitc{optimize=false symbol-prefix=m})' | FileCheck %s --check-prefixes=CHECK,DENSE
// RUN: snn-opt %s --pass-pipeline='builtin.module(snn-to-emitc{symbol-prefix=m})' | FileCheck %s --check-prefixes=CHECK,EVENT

// CHECK-NOT:   __constant
// CHECK:       emitc.global static const @m_constant_6xf32 : !emitc.array<6xf32>
// After the model's arguments, the scratch arenas (snn-scratch-arena): the
// synapse's sums, and (event-driven) the active inputs' positions.
// CHECK:       emitc.func private @m_step_compute(%[[V:[^:]+]]: !emitc.array<2xf32>, %[[X:[^:]+]]: !emitc.array<3xf32>, %[[OUT:[^:]+]]: !emitc.array<2xf32>,
// DENSE-SAME:    %{{[^:]+}}: !emitc.array<2xf32>) attributes {specifiers = ["static"]} {
// EVENT-SAME:    %[[POS:[^:]+]]: !emitc.array<4xi16>, %{{[^:]+}}: !emitc.array<2xf32>) attributes {specifiers = ["static"]} {
// CHECK-NOT:     memref
// CHECK-NOT:     linalg
// CHECK-NOT:     -> !emitc.array
// DENSE:         for
// DENSE:           for
// DENSE:             subscript %[[X]]
// DENSE:             mul
// DENSE:             add
// The gather: positions of the nonzero inputs, then one row per position.
// EVENT:         for
// EVENT:           subscript %[[X]]
// EVENT:           cmp ne
// EVENT:           subscript %[[POS]]
// EVENT:         for
// EVENT:           subscript %[[X]]
// EVENT:           for
// EVENT:             mul
// EVENT:             add
// The LIF: v' = 0.9 v + y, spike = v' > 1, written where they belong.
// CHECK:         for
// CHECK:           subscript %[[V]]
// CHECK:           cmp gt
// CHECK:           subscript %[[V]]
// CHECK-NEXT:      assign %{{.+}} : f32 to
// CHECK:           subscript %[[OUT]]
// CHECK-NEXT:      assign %{{.+}} : f32 to
// CHECK:         return
// CHECK-NEXT:  }
// CHECK-NOT:   snn.aliasing_output
func.func private @m_step_compute(%v: tensor<2xf32> {snn.aliasing_output = 0 : i64}, %x: tensor<3xf32> {bufferization.writable = false}) -> (tensor<2xf32>, tensor<2xf32>) {
  %w = arith.constant dense<[[0.5, 0.25, -1.0], [1.0, 2.0, 0.125]]> : tensor<2x3xf32>
  %y = snn.linear %x, %w : tensor<3xf32>, tensor<2x3xf32> -> tensor<2xf32>
  %v1, %s = snn.lif %y, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  return %v1, %s : tensor<2xf32>, tensor<2xf32>
}
