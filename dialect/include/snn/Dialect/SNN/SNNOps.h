//===- SNNOps.h - snn dialect operations -----------------------*- C++ -*-===//
#ifndef SNN_DIALECT_SNN_SNNOPS_H
#define SNN_DIALECT_SNN_SNNOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "snn/Dialect/SNN/SNNDialect.h"

#define GET_ATTRDEF_CLASSES
#include "snn/Dialect/SNN/SNNAttrs.h.inc"

namespace mlir {
namespace snn {
/// A real-valued parameter of an op (ParameterizedOpInterface): a level (a
/// membrane value, at the membrane's scale) or a factor.
struct RealParameter {
  StringRef name;
  bool isLevel;
  DenseFPElementsAttr values;
};

namespace detail {
/// The f64 elements attributes of `op`, levels as `levelNames` says.
SmallVector<RealParameter> collectRealParameters(Operation *op,
                                                 ArrayRef<llvm::StringLiteral> levelNames);
LogicalResult verifyRealParameters(Operation *op);
LogicalResult verifyNeuron(Operation *op);
} // namespace detail
} // namespace snn
} // namespace mlir

#include "snn/Dialect/SNN/SNNInterfaces.h.inc"

#define GET_OP_CLASSES
#include "snn/Dialect/SNN/SNNOps.h.inc"

namespace mlir {
namespace snn {
/// Whether `value` is the spike result of a spiking op (SpikingOpInterface).
bool isSpikeResult(Value value);
/// Whether `value` is a spike result that holds only 0 and 1 (not the spike
/// counts of a `multi_spike` neuron).
bool isSingleSpikeResult(Value value);
} // namespace snn
} // namespace mlir

#endif // SNN_DIALECT_SNN_SNNOPS_H
