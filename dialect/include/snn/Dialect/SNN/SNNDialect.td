//===- SNNDialect.td - the snn dialect ----------------------*- tablegen -*-===//
//
// The `snn` dialect: one op per NIR primitive, on ranked tensors with value
// semantics. Neuron state goes in as operands and comes out as results, so one
// time step of a network is a pure function.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_DIALECT_TD
#define SNN_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def SNN_Dialect : Dialect {
  let name = "snn";
  let cppNamespace = "::mlir::snn";
  let summary = "Spiking neural network primitives with explicit state";
  let description = [{
    The `snn` dialect holds one op per primitive of the Neuromorphic
    Intermediate Representation (NIR): synapses (`snn.linear`, `snn.scale`,
    `snn.sum` for the edges that meet at a node),
    neurons (`snn.integrator`, `snn.if`, `snn.li`, `snn.lif`, `snn.cubali`,
    `snn.cubalif`), `snn.threshold`, and `snn.rescale` for quantized data.

    Ops work on ranked tensors. Every piece of neuron state is an operand and
    the updated state is a result: nothing is hidden, and one time step of a
    network is a pure `func.func`.

    All ops are type-polymorphic: the same op is valid on `f16`, `f32`, `f64`
    and on quantized element types (`!quant.uniform`). The scale lives in the
    element type, so two values that meet with different scales are a
    verifier error; `snn.rescale` converts between them.

    Discretization constants (decay, input gain, leak, threshold, reset value,
    reset mode, comparison) are attributes that a front end computes. The
    dialect knows nothing about time constants or about the framework a
    network came from.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def SNN_ResetValue : I32EnumAttrCase<"value", 0>;
def SNN_ResetSubtract : I32EnumAttrCase<"subtract", 1>;
def SNN_ResetSubtractDelayed : I32EnumAttrCase<"subtract_delayed", 2>;

def SNN_ResetModeEnum : I32EnumAttr<"ResetMode", "what a spike does to the membrane",
    [SNN_ResetValue, SNN_ResetSubtract, SNN_ResetSubtractDelayed]> {
  let cppNamespace = "::mlir::snn";
  let genSpecializedAttr = 0;
  let description = [{
    - `value`: after a spike the membrane is set to `v_reset`.
    - `subtract`: after a spike the threshold is subtracted from the membrane.
    - `subtract_delayed`: the threshold times the previous step's spike is
      subtracted from the next membrane update (snnTorch's default); the op
      then takes the previous spikes as an extra state operand.
  }];
}
def SNN_ResetModeAttr : EnumAttr<SNN_Dialect, SNN_ResetModeEnum, "reset"> {
  let assemblyFormat = "`<` $value `>`";
}

def SNN_CompareGT : I32EnumAttrCase<"gt", 0>;
def SNN_CompareGE : I32EnumAttrCase<"ge", 1>;
def SNN_CompareModeEnum : I32EnumAttr<"CompareMode",
    "comparison of the membrane with the threshold",
    [SNN_CompareGT, SNN_CompareGE]> {
  let cppNamespace = "::mlir::snn";
  let genSpecializedAttr = 0;
}
def SNN_CompareModeAttr : EnumAttr<SNN_Dialect, SNN_CompareModeEnum, "compare"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // SNN_DIALECT_TD
