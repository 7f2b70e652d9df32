//===- SNNPasses.h - transformations within the snn dialect ----*- C++ -*-===//
#ifndef SNN_DIALECT_SNN_SNNPASSES_H
#define SNN_DIALECT_SNN_SNNPASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace snn {

#define GEN_PASS_DECL
#include "snn/Dialect/SNN/SNNPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "snn/Dialect/SNN/SNNPasses.h.inc"

} // namespace snn
} // namespace mlir

#endif // SNN_DIALECT_SNN_SNNPASSES_H
