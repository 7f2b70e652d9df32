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
    lowers it to a loop over the inputs that skips the zeros and adds one
    contiguous row of the transposed weight per active input. The result is
    identical to the dense form: for every output the same products are added
    in the same order, and the skipped products are exact zeros.
  }];
}

#endif // SNN_PASSES_TD
