// Integer convolution and pooling: snn.conv2d on quantized weights (per
// output channel) sums the storage integers in i32 (inputs of i8 spikes,
// counts or values sign-extended); snn.pool2d sums i8 counts in i8. Dense
// with convert-snn-to-linalg; fed by spikes (here the input as spikes,
// extui(x > 0)), snn-event-driven scatters the i8 weights rearranged
// [C, KH, KW, F] into i32 accumulators, without a multiply.
// RUN: snn-opt %s --convert-snn-to-linalg --canonicalize | FileCheck %s --check-prefix=DENSE
// RUN: snn-opt %s --snn-event-driven --convert-snn-to-linalg --canonicalize | FileCheck %s --check-prefix=EVENT

!w = !quant.uniform<i8:f32:0, {0.5, 0.25}>
!acc = !quant.uniform<i32:f32:0, {0.5, 0.25}>

// DENSE-LABEL: func.func @step(
// DENSE-DAG:     arith.constant dense<[5, -6]> : tensor<2xi32>
// DENSE-DAG:     arith.constant dense<[1, -2, 3, 4]> : tensor<4xi8>
// DENSE:         linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// DENSE:           arith.extsi %{{.+}} : i8 to i32
// DENSE:           arith.extsi %{{.+}} : i8 to i32
// DENSE:           arith.muli %{{.+}}, %{{.+}} : i32
// DENSE:           arith.addi %{{.+}}, %{{.+}} : i32
// DENSE:         quant.scast %{{.+}} : tensor<2x2x2xi32> to tensor<2x2x2x!quant.uniform<i32:f32:0, {5.000000e-01,2.500000e-01}>>
// DENSE:         linalg.pooling_nchw_sum {{.+}} outs(%{{.+}} : tensor<1x1x2x2xi8>)

// The scatter: w[f][0][0][k] = [[1, -2], [3, 4]] as [c][kh][kw][f] = [1, 3, -2, 4].
// EVENT-LABEL: func.func @step(
// EVENT-DAG:     arith.constant dense<[1, 3, -2, 4]> : tensor<4xi8>
// EVENT:         scf.for
// EVENT:           arith.cmpi sgt
// EVENT:           scf.if
// EVENT:             scf.for %{{.+}} = %c0 to %c2 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (tensor<4x2xi32>)
// EVENT:               tensor.extract
// EVENT:               tensor.extract
// EVENT-NEXT:          arith.extsi %{{.+}} : i8 to i32
// EVENT-NEXT:          arith.addi %{{.+}}, %{{.+}} : i32
// EVENT-NEXT:          tensor.insert
func.func @step(%x: tensor<1x2x3xi8>, %p: tensor<1x4x4xi8>) -> (tensor<2x2x2x!acc>, tensor<1x2x2xi8>) {
  %zero = arith.constant dense<0> : tensor<1x2x3xi8>
  %positive = arith.cmpi sgt, %x, %zero : tensor<1x2x3xi8>
  %spikes = arith.extui %positive : tensor<1x2x3xi1> to tensor<1x2x3xi8>
  %wi = arith.constant dense<[[[[1, -2]]], [[[3, 4]]]]> : tensor<2x1x1x2xi8>
  %w = quant.scast %wi : tensor<2x1x1x2xi8> to tensor<2x1x1x2x!w>
  %bi = arith.constant dense<[5, -6]> : tensor<2xi32>
  %b = quant.scast %bi : tensor<2xi32> to tensor<2x!acc>
  %y = snn.conv2d %spikes, %w, %b {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : tensor<1x2x3xi8>, tensor<2x1x1x2x!w>, tensor<2x!acc> -> tensor<2x2x2x!acc>
  %s = snn.pool2d %p {kernel = array<i64: 2, 2>, kind = #snn.pool_kind<sum>, stride = array<i64: 2, 2>} : tensor<1x4x4xi8> -> tensor<1x2x2xi8>
  return %y, %s : tensor<2x2x2x!acc>, tensor<1x2x2xi8>
}
