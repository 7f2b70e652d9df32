// snn-large-constants-as-bytes: a constant array of at least min-bytes is
// printed as its little-endian bytes in a string literal, read through an
// accessor; a smaller one, and one used otherwise than by subscript and load,
// stay arrays. 1.0f is 0x3f800000: bytes 000 000 200 077 (octal), the last
// one `?`, which is escaped against trigraphs.
//
// RUN: snn-opt %s --snn-large-constants-as-bytes=min-bytes=8 | FileCheck %s

// CHECK-NOT:   emitc.global static const @big
// CHECK:       emitc.verbatim "{{.*}}static const unsigned char big[1][2048] SNNC_NONSTRING = {\0A  \22\\000\\000\\200\\077\\000\\000\\000\\300\22};" {snn.constant_bytes = 8 : i64}
// CHECK:       emitc.verbatim "static inline float big_at(size_t i) {
// CHECK:       emitc.global static const @small : !emitc.array<1xf32>
// CHECK:       emitc.global static const @passed : !emitc.array<4xf32>
// CHECK-LABEL: emitc.func @read(
// CHECK:         %[[V:.+]] = call_opaque "big_at"(%{{.+}}) : (!emitc.size_t) -> f32
// CHECK:         return %[[V]] : f32
emitc.global static const @big : !emitc.array<2xf32> = dense<[1.0, -2.0]>
emitc.global static const @small : !emitc.array<1xf32> = dense<[3.0]>
emitc.global static const @passed : !emitc.array<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
emitc.func @pass_whole() {
  %p = get_global @passed : !emitc.array<4xf32>
  call_opaque "consume"(%p) : (!emitc.array<4xf32>) -> ()
  return
}
emitc.func @read(%i: !emitc.size_t) -> f32 {
  %g = get_global @big : !emitc.array<2xf32>
  %e = subscript %g[%i] : (!emitc.array<2xf32>, !emitc.size_t) -> !emitc.lvalue<f32>
  %v = load %e : <f32>
  return %v : f32
}
