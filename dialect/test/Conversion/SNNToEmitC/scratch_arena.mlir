// snn-scratch-arena moves the top-level temporaries into arenas that become
// trailing arguments: buffers of one element type whose lifetimes (first to
// last top-level use) are disjoint share an arena, largest first, each into
// the arena that wastes least; buffers live together never do. Arenas are
// whole 8-byte units. Loads and stores take the row-major index.
// RUN: snn-opt %s --snn-scratch-arena | FileCheck %s

// %a (16 floats) and %b (8 floats, used after %a's last use) share an arena
// of 16; %c (live with %a) has its own; %d (3 x i16) one of 4 (8 bytes).
// %e is read through a view, not element by element: it stays.
// CHECK:       module attributes {snn.scratch_arenas = [memref<16xf32>, memref<4xi16>, memref<2xf32>]}
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[X:[^:]+]]: memref<4xf32>, %[[I:[^:]+]]: index, %[[J:[^:]+]]: index,
// CHECK-SAME:    %[[AB:[^:]+]]: memref<16xf32>, %[[D:[^:]+]]: memref<4xi16>, %[[C:[^:]+]]: memref<2xf32>)
// CHECK:         %[[E:.+]] = memref.alloc() : memref<2x2xf32>
// CHECK:         %[[V:.+]] = memref.load %[[X]][%[[I]]]
// CHECK:         %[[ROW:.+]] = arith.muli %[[I]], %{{.+}} : index
// CHECK:         %[[AT:.+]] = arith.addi %[[ROW]], %[[J]] : index
// CHECK:         memref.store %[[V]], %[[AB]][%[[AT]]] : memref<16xf32>
// CHECK:         memref.store %[[V]], %[[C]][%[[I]]] : memref<2xf32>
// CHECK:         memref.load %[[AB]]
// CHECK:         memref.load %[[C]][%[[J]]]
// CHECK:         memref.store %{{.+}}, %[[AB]][%[[I]]] : memref<16xf32>
// CHECK:         memref.store %{{.+}}, %[[D]][%[[J]]] : memref<4xi16>
// CHECK:         memref.load %[[AB]][%[[J]]] : memref<16xf32>
// CHECK-NOT:     memref.alloc
func.func @step(%x: memref<4xf32>, %i: index, %j: index) {
  %e = memref.alloc() : memref<2x2xf32>
  %ev = memref.collapse_shape %e [[0, 1]] : memref<2x2xf32> into memref<4xf32>
  %a = memref.alloc() : memref<4x4xf32>
  %c = memref.alloc() : memref<2xf32>
  %v = memref.load %x[%i] : memref<4xf32>
  memref.store %v, %a[%i, %j] : memref<4x4xf32>
  memref.store %v, %c[%i] : memref<2xf32>
  %w = memref.load %a[%j, %i] : memref<4x4xf32>
  %u = memref.load %c[%j] : memref<2xf32>
  %b = memref.alloc() : memref<8xf32>
  memref.store %w, %b[%i] : memref<8xf32>
  %d = memref.alloc() : memref<3xi16>
  %k = arith.constant 7 : i16
  memref.store %k, %d[%j] : memref<3xi16>
  %y = memref.load %b[%j] : memref<8xf32>
  %z = arith.addf %y, %u : f32
  memref.store %z, %x[%i] : memref<4xf32>
  memref.store %z, %ev[%i] : memref<4xf32>
  return
}
