// snn-to-emitc on an integer model: an int8 synapse whose i32 accumulator
// (scale 0.25) meets an int16 LIF membrane (scale 0.01). snn-insert-rescale
// turns the cast between them into snn.rescale, the lowering computes on the
// storage integers, and with `optimize` the rescale is fused into the
// neuron's loop (no int16 buffer between them). EmitC does signed +, - and *
// on unsigned types (wraparound, not C's undefined overflow). No quantized
// type is left.
//
// RUN: snn-opt %s --pass-pipeline='builtin.module(snn-to-emitc{symbol-prefix=q})' | FileCheck %s
// RUN: snn-opt %s --pass-pipeline='builtin.module(snn-to-emitc{symbol-prefix=q})' | FileCheck %s --check-prefix=FUSED

// Two int16 arrays besides the model's arguments, both scratch arenas
// (snn-scratch-arena): the active inputs' positions and the accumulator; the
// rescaled values never reach memory. No array is left on the stack.
// FUSED:       module attributes {snn.scratch_arenas = [memref<4xi16>, memref<4xi16>]}
// FUSED-NOT:   "emitc.variable"() <{value = #emitc.opaque<"">}> : () -> !emitc.array
// FUSED:       return

// CHECK-NOT:   quant
// CHECK-NOT:   unrealized_conversion_cast
// CHECK:       emitc.global static const @q_constant_6xi8 : !emitc.array<6xi8>
// CHECK:       emitc.func private @q_step_compute(%[[V:[^:]+]]: !emitc.array<2xi16>, %[[X:[^:]+]]: !emitc.array<3xi8>, %[[OUT:[^:]+]]: !emitc.array<2xi8>, %[[POS:[^:]+]]: !emitc.array<4xi16>, %[[ACC:[^:]+]]: !emitc.array<4xi16>)
// CHECK-DAG:     "emitc.constant"() <{value = 409600 : i32}> : () -> i32
// The accumulator is kept in i16 here (|sum| <= 3 * 127 * 8 fits).
// The rescale by 0.25 / 0.01 = 25 = 409600 / 2^14, in the neuron's loop.
// CHECK:         for
// CHECK:           subscript %[[ACC]]
// CHECK:           subscript %[[V]]
// CHECK:           mul %{{.+}}, %{{.+}} : (ui32, ui32) -> ui32
// CHECK:           bitwise_right_shift
// CHECK-NOT:     for
// CHECK:           cmp gt
// CHECK:           subscript %[[V]]
// CHECK-NEXT:      assign %{{.+}} : i16 to
// CHECK:           subscript %[[OUT]]
// CHECK-NEXT:      assign %{{.+}} : i8 to
// CHECK:         return
func.func private @q_step_compute(%v: tensor<2x!quant.uniform<i16:f32, 0.01>> {snn.aliasing_output = 0 : i64}, %x: tensor<3xi8> {bufferization.writable = false}) -> (tensor<2x!quant.uniform<i16:f32, 0.01>>, tensor<2xi8>) {
  %wi = arith.constant dense<[[2, 1, -4], [4, 8, 1]]> : tensor<2x3xi8>
  %w = quant.scast %wi : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32, 0.25>>
  %y = snn.linear %x, %w : tensor<3xi8>, tensor<2x3x!quant.uniform<i8:f32, 0.25>> -> tensor<2x!quant.uniform<i32:f32, 0.25>>
  %c = builtin.unrealized_conversion_cast %y : tensor<2x!quant.uniform<i32:f32, 0.25>> to tensor<2x!quant.uniform<i16:f32, 0.01>>
  %v1, %s = snn.lif %c, %v {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<2x!quant.uniform<i16:f32, 0.01>>, tensor<2x!quant.uniform<i16:f32, 0.01>> -> tensor<2xi8>
  return %v1, %s : tensor<2x!quant.uniform<i16:f32, 0.01>>, tensor<2xi8>
}
