//===- SNNPasses.td - transformations within the snn dialect -*- tablegen -*-===//
#ifndef SNN_PASSES_TD
#define SNN_PASSES_TD

include "mlir/Pass/PassBase.td"

def SNNInsertRescale : Pass<"snn-insert-rescale", "ModuleOp"> {
  let summary = "Insert snn.rescale where a quantized producer meets a consumer of another scale";
  let description = [{
    A quantizer gives every value its own scale (in its `!quant.uniform`
    element type) and connects a producer to a consumer that needs a set type
    (a neuron's input has its membrane's type, the operands of `snn.sum` have
    the sum's type) through `builtin.unrealized_conversion_cast`, since the
    snn verifiers reject a direct mismatch. This pass materializes each such
    cast: where both sides have the same type the cast disappears, where the
    scales (or storage widths) differ it becomes `snn.rescale`. Casts between
    other types are left to the conversions they belong to.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

#endif // SNN_PASSES_TD
