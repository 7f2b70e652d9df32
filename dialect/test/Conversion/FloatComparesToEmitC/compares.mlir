// Ordered float compares and une become emitc.cmp with C's own operator (the
// same result for NaN); the other predicates, and compares of vectors, stay
// for convert-to-emitc. The full pipeline's C then reads `x > y`, not
// `x > y && x == x && y == y`.
// RUN: snn-opt %s --convert-float-compares-to-emitc | FileCheck %s
// RUN: snn-opt %s --convert-float-compares-to-emitc --convert-to-emitc \
// RUN:   --reconcile-unrealized-casts | FileCheck %s --check-prefix=EMITC

// CHECK-LABEL: func.func @compares(
// CHECK-SAME:    %[[X:.+]]: f32, %[[Y:.+]]: f32
// CHECK:         emitc.cmp gt, %[[X]], %[[Y]] : (f32, f32) -> i1
// CHECK:         emitc.cmp ge, %[[X]], %[[Y]] : (f32, f32) -> i1
// CHECK:         emitc.cmp lt, %[[X]], %[[Y]] : (f32, f32) -> i1
// CHECK:         emitc.cmp le, %[[X]], %[[Y]] : (f32, f32) -> i1
// CHECK:         emitc.cmp eq, %[[X]], %[[Y]] : (f32, f32) -> i1
// CHECK:         emitc.cmp ne, %[[X]], %[[Y]] : (f32, f32) -> i1
// CHECK:         arith.cmpf ugt, %[[X]], %[[Y]] : f32
// CHECK:         arith.cmpf one, %[[X]], %[[Y]] : f32
// The six compares print as one operator each; the NaN tests that follow
// belong to ugt (the seventh compare).
// EMITC-LABEL: func.func @compares(
// EMITC-SAME:    %[[X:.+]]: f32, %[[Y:.+]]: f32
// EMITC-COUNT-7: emitc.cmp {{gt|ge|lt|le|eq|ne}}, %[[X]], %[[Y]] : (f32, f32) -> i1
// EMITC-NEXT:    emitc.cmp ne, %[[X]], %[[X]]
func.func @compares(%x: f32, %y: f32) -> (i1, i1, i1, i1, i1, i1, i1, i1) {
  %0 = arith.cmpf ogt, %x, %y : f32
  %1 = arith.cmpf oge, %x, %y : f32
  %2 = arith.cmpf olt, %x, %y : f32
  %3 = arith.cmpf ole, %x, %y : f32
  %4 = arith.cmpf oeq, %x, %y : f32
  %5 = arith.cmpf une, %x, %y : f32
  %6 = arith.cmpf ugt, %x, %y : f32
  %7 = arith.cmpf one, %x, %y : f32
  return %0, %1, %2, %3, %4, %5, %6, %7 : i1, i1, i1, i1, i1, i1, i1, i1
}

// CHECK-LABEL: func.func @vectors(
// CHECK:         arith.cmpf ogt, %{{.+}}, %{{.+}} : vector<4xf64>
func.func @vectors(%x: vector<4xf64>, %y: vector<4xf64>) -> vector<4xi1> {
  %0 = arith.cmpf ogt, %x, %y : vector<4xf64>
  return %0 : vector<4xi1>
}
