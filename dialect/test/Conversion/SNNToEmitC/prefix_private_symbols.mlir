// snn-prefix-private-symbols: identifiers that begin with two underscores are
// reserved in C, so the symbols MLIR names `__...` (bufferization's constant
// globals) become `<prefix>_...`, uses included; other symbols are kept.
//
// RUN: snn-opt %s --snn-prefix-private-symbols=prefix=net | FileCheck %s

// CHECK-NOT:   @__
// CHECK:       memref.global "private" constant @net_constant_2xf32 : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]>
// CHECK:       memref.global "private" constant @keep_me : memref<2xf32>
// CHECK-LABEL: func.func @net_step(
// CHECK:         memref.get_global @net_constant_2xf32 : memref<2xf32>
// CHECK:         memref.get_global @keep_me : memref<2xf32>
memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[1.0, 2.0]>
memref.global "private" constant @keep_me : memref<2xf32> = dense<[3.0, 4.0]>
func.func @net_step() -> (memref<2xf32>, memref<2xf32>) {
  %0 = memref.get_global @__constant_2xf32 : memref<2xf32>
  %1 = memref.get_global @keep_me : memref<2xf32>
  return %0, %1 : memref<2xf32>, memref<2xf32>
}
