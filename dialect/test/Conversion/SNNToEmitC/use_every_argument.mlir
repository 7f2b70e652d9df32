// snn-use-every-argument: an argument that nothing reads (an integer model
// whose weights all round to zero does not read its input) is cast to void,
// so -Wextra has no unused parameter to warn about; used ones are not.
//
// RUN: snn-opt %s --snn-use-every-argument | FileCheck %s

// CHECK-LABEL: emitc.func private @step(
// CHECK-SAME:    %[[STATE:.+]]: !emitc.array<2xi16>, %[[INPUT:.+]]: !emitc.array<3xi8>)
// CHECK-NEXT:    verbatim "(void){};" args %[[INPUT]] : !emitc.array<3xi8>
// CHECK-NOT:     verbatim
// CHECK:         return
emitc.func private @step(%state: !emitc.array<2xi16>, %input: !emitc.array<3xi8>) attributes {specifiers = ["static"]} {
  %zero = "emitc.constant"() <{value = 0 : i16}> : () -> i16
  %index = "emitc.constant"() <{value = 0 : index}> : () -> !emitc.size_t
  %element = emitc.subscript %state[%index] : (!emitc.array<2xi16>, !emitc.size_t) -> !emitc.lvalue<i16>
  emitc.assign %zero : i16 to %element : <i16>
  emitc.return
}
