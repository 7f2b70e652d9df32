//===- SNNPasses.td - transformations within the snn dialect -*- tablegen -*-===//
#ifndef SNN_PASSES_TD
#define SNN_PASSES_TD

include "mlir/Pass/PassBase.td"

def SNNEventDriven : Pass<"snn-event-driven", "ModuleOp"> {
  let summary = "Mark synapses whose input is spikes as event-driven";
  let description = [{
    Spiking networks are sparse in time: most inputs of a synapse are zero at
    most steps. This pass sets the `event_driven` unit attribute on every
    `snn.linear` whose input is spikes (the spike result of `snn.threshold`,
    `snn.if`, `snn.lif`, `snn.cubalif`) or an argument of the step function
    (a network's input, spikes in the usual case). convert-snn-to-linalg then
    lowers it to a gather of the active inputs' positions (branch-free) and a
    loop that adds contiguous rows of the transposed weight, four active inputs
    per pass over the accumulator (inputs known to be spikes without reading
    them or multiplying; int8 weights summed in int16, two per 16-bit lane
    where every input is a spike). The result is identical to the dense form:
    for every output the same products are added in the same order, and the
    skipped products are exact zeros.
  }];
}

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
