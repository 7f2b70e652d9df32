// snn-event-driven scatters a float convolution fed by spikes (or by a
// pooling of spikes): each active input adds, for every tap that maps it onto
// an output, the filters' weights of its channel and tap (contiguous: the
// weight rearranged [F, C, KH, KW] -> [C, KH, KW, F]) into accumulators laid
// out [OH x OW, F], put back into [F, OH, OW] by one copy. A float
// convolution of dense values (here a membrane) is scattered too, but every
// element, without tests: the loop over the filters is innermost, where it
// vectorizes.
// RUN: snn-opt %s --snn-event-driven | FileCheck %s --check-prefix=PASS
// RUN: snn-opt %s --snn-event-driven --convert-snn-to-linalg --canonicalize | FileCheck %s --check-prefix=LOWER

// PASS-LABEL: func.func @step(
// PASS-NOT:     snn.conv2d
// PASS:         return

// Weights w[f][0][0][k] = [[1, 2], [3, 4]] as [c][kh][kw][f]: [1, 3, 2, 4].
// LOWER-LABEL: func.func @step(
// LOWER-DAG:     arith.constant dense<[1.000000e+00, 3.000000e+00, 2.000000e+00, 4.000000e+00]> : tensor<4xf32>
// Over rows (canonicalization drops the loops of trip count 1: the single
// channel, the single kernel row); a row's OR of activity bits gates its scan.
// LOWER:         scf.for %{{.+}} = %c0 to %c2 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (tensor<6x2xf32>)
// LOWER:           scf.for %{{.+}} = %c0 to %c4 step %c1 iter_args(%{{.+}} = %c0_i32) -> (i32)
// LOWER:             arith.ori
// LOWER:           scf.if
// LOWER:             scf.for %{{.+}} = %c0 to %c4 step %c1
// LOWER:               arith.cmpf une
// LOWER:               scf.if
// The taps: the row, then the columns, each bounded by the output; then the
// filters.
// LOWER:                 arith.cmpi uge
// LOWER:                 scf.if
// LOWER:                   scf.for %{{.+}} = %c0 to %c2 step %c1
// LOWER:                     arith.cmpi uge
// LOWER:                     scf.if
// LOWER:                       scf.for %{{.+}} = %c0 to %c2 step %c1
// Single spikes: the weight is added without a multiply.
// LOWER-NOT:                     arith.mulf
// LOWER:                         arith.addf
// LOWER:                         tensor.insert
// Back to [F, OH, OW].
// LOWER:         linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.+}} : tensor<6x2xf32>) outs(%{{.+}} : tensor<2x2x3xf32>)
// The membrane's convolution: every element, no OR of a row, no activity
// test; the values are multiplied.
// LOWER:         scf.for %{{.+}} = %c0 to %c2 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (tensor<6x2xf32>)
// LOWER-NEXT:      scf.for %{{.+}} = %c0 to %c4 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (tensor<6x2xf32>)
// LOWER-NOT:         arith.cmpf
// LOWER:             scf.for %{{.+}} = %c0 to %c2 step %c1
// LOWER:                 arith.mulf
// LOWER:                 arith.addf
func.func @step(%x: tensor<1x2x4xf32>, %v: tensor<1x2x4xf32>, %v2: tensor<1x2x4xf32>) -> (tensor<1x2x4xf32>, tensor<2x2x3xf32>, tensor<1x2x4xf32>, tensor<2x2x3xf32>) {
  %w = arith.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>, threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>, reset = #snn.reset<value>, compare = #snn.compare<gt>} : tensor<1x2x4xf32>, tensor<1x2x4xf32> -> tensor<1x2x4xf32>
  %y = snn.conv2d %s, %w {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : tensor<1x2x4xf32>, tensor<2x1x1x2xf32> -> tensor<2x2x3xf32>
  %v3 = snn.li %x, %v2 {decay = dense<0.9> : tensor<1xf64>, gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>} : tensor<1x2x4xf32>, tensor<1x2x4xf32>
  %z = snn.conv2d %v3, %w {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : tensor<1x2x4xf32>, tensor<2x1x1x2xf32> -> tensor<2x2x3xf32>
  return %v1, %y, %v3, %z : tensor<1x2x4xf32>, tensor<2x2x3xf32>, tensor<1x2x4xf32>, tensor<2x2x3xf32>
}
