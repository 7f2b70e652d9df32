//===- SNNInterfaces.td - what passes ask of snn ops --------*- tablegen -*-===//
//
// The questions the verifier, the event-driven analysis and the lowering ask
// of an op (which result is spikes, are they single, which parameters are
// levels, which operands are state), answered by the op's own definition
// instead of lists of op names kept elsewhere. A new neuron op that declares
// these interfaces is seen by every pass that needs to know.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_INTERFACES_TD
#define SNN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def SNN_ParameterizedOpInterface : OpInterface<"ParameterizedOpInterface"> {
  let cppNamespace = "::mlir::snn";
  let description = [{
    An op with real-valued parameters: f64 dense-elements attributes holding
    one value (for every neuron) or one value per neuron of `getNeurons()`.
    A parameter is a *level* (a membrane value: threshold, reset value, leak;
    at the membrane's scale when quantized) or a *factor* (a multiplier:
    decay, gain, scale). An op names its levels (`SNN_ParameterizedOp`'s
    `levels` in ODS); every other f64 elements attribute is a factor.

    The verifier checks every parameter: its shape, and that each value is
    finite and finite in the neurons' float type.
  }];
  let methods = [
    InterfaceMethod<[{The neurons the parameters belong to: their shape and
        element type (the membrane; the input of snn.threshold and snn.scale).}],
      "::mlir::Value", "getNeurons">,
    StaticInterfaceMethod<"The names of the parameters that are levels.",
      "::llvm::ArrayRef<::llvm::StringLiteral>", "getLevelParameterNames">,
    InterfaceMethod<"Every parameter, in attribute order.",
      "::llvm::SmallVector<::mlir::snn::RealParameter>", "getRealParameters", (ins),
      /*methodBody=*/[{}], /*defaultImplementation=*/[{
        return ::mlir::snn::detail::collectRealParameters(
            $_op.getOperation(), ConcreteOp::getLevelParameterNames());
      }]>,
  ];
  let verify = [{ return ::mlir::snn::detail::verifyRealParameters($_op); }];
  // After the op's own verifier, so that its messages (types, shapes) come first.
  let verifyWithRegions = 1;
}

def SNN_SpikingOpInterface : OpInterface<"SpikingOpInterface"> {
  let cppNamespace = "::mlir::snn";
  let description = [{
    An op one of whose results is spikes: per neuron 0 or 1, or with
    `multi_spike` the number of thresholds crossed. Synapses fed by single
    spikes are lowered without reading or multiplying them
    (snn-event-driven, convert-snn-to-linalg).
  }];
  let methods = [
    InterfaceMethod<"The spike result.", "::mlir::Value", "getSpikes", (ins),
      [{}], [{ return $_op.getSpike(); }]>,
    InterfaceMethod<"Whether every spike is 0 or 1 (not a count).",
      "bool", "producesSingleSpikes", (ins), [{}],
      [{ return !$_op.getMultiSpike(); }]>,
  ];
}

def SNN_NeuronOpInterface : OpInterface<"NeuronOpInterface"> {
  let cppNamespace = "::mlir::snn";
  let description = [{
    A layer of neurons that advances its state by one time step: the first
    operand is the input, every other operand is state (in order: synaptic
    current, membrane, previous spikes, as the op has them), and the first
    results are the new values of those states, in the same order (a previous
    spike's new value is the spike result). The verifier checks what every
    neuron requires: static shapes, a float or quantized membrane, an input
    of the membrane's shape and element type, and each state of the type of
    its new value.
  }];
  let methods = [
    InterfaceMethod<"The input (the synaptic drive).", "::mlir::Value",
      "getNeuronInput", (ins), [{}], [{ return $_op.getInput(); }]>,
    InterfaceMethod<"The membrane potential.", "::mlir::Value", "getMembrane",
      (ins), [{}], [{ return $_op.getV(); }]>,
    InterfaceMethod<"The state operands.", "::mlir::OperandRange",
      "getStateOperands", (ins), [{}],
      [{ return $_op->getOperands().drop_front(); }]>,
    InterfaceMethod<"The new values of the state operands, in their order.",
      "::mlir::ResultRange", "getNextState", (ins), [{}],
      [{ return $_op->getResults().take_front($_op->getNumOperands() - 1); }]>,
  ];
  let verify = [{ return ::mlir::snn::detail::verifyNeuron($_op); }];
  let verifyWithRegions = 1;
}

#endif // SNN_INTERFACES_TD
