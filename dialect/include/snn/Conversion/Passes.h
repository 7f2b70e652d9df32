//===- Passes.h - conversions out of the snn dialect -----------*- C++ -*-===//
#ifndef SNN_CONVERSION_PASSES_H
#define SNN_CONVERSION_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace snn {

#define GEN_PASS_DECL
#include "snn/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "snn/Conversion/Passes.h.inc"

} // namespace snn
} // namespace mlir

#endif // SNN_CONVERSION_PASSES_H
