//===- OpLowerings.h - one lowering per snn op ------------------*- C++ -*-===//
//
// The entry points the pass (SNNToLinalg.cpp) dispatches to: each returns the
// values that replace the op's results, built at the builder's insertion
// point, in storage integers for quantized results.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_CONVERSION_SNNTOLINALG_OPLOWERINGS_H
#define SNN_CONVERSION_SNNTOLINALG_OPLOWERINGS_H

#include "FixedPoint.h"

#include "snn/Dialect/SNN/SNNOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::snn::linalg_lowering {

// NeuronUpdates.cpp
SmallVector<Value> lower(OpBuilder &b, ThresholdOp op);
SmallVector<Value> lower(OpBuilder &b, IntegratorOp op);
SmallVector<Value> lower(OpBuilder &b, LIOp op);
SmallVector<Value> lower(OpBuilder &b, IFOp op);
SmallVector<Value> lower(OpBuilder &b, LIFOp op);
SmallVector<Value> lower(OpBuilder &b, CubaLIOp op);
SmallVector<Value> lower(OpBuilder &b, CubaLIFOp op);

// Elementwise.cpp
SmallVector<Value> lower(OpBuilder &b, SumOp op);
SmallVector<Value> lower(OpBuilder &b, ScaleOp op);
SmallVector<Value> lower(OpBuilder &b, RescaleOp op, IntegerArithmetic arithmetic);

// Synapses.cpp; `eventDriven` (snn-event-driven): the kernels of
// EventDrivenSynapses.cpp where the weights are constant.
struct InputEvents;
SmallVector<Value> lower(OpBuilder &b, LinearOp op, uint64_t accumulatorLimit,
                         bool binaryInput, bool eventDriven = false,
                         InputEvents *events = nullptr);

// ConvolutionAndPooling.cpp
SmallVector<Value> lower(OpBuilder &b, Conv2DOp op);
SmallVector<Value> lower(OpBuilder &b, Pool2DOp op);

// Delays.cpp
SmallVector<Value> lower(OpBuilder &b, DelayOp op);

// Reshapes.cpp: every tensor reshape under `root`, once the snn ops are gone.
LogicalResult lowerReshapes(IRRewriter &rewriter, Operation *root);

/// Replaces `op` by `replacements`, each integer value cast back to the
/// quantized type of the result it replaces (quant.scast).
void replaceWithStorageValues(IRRewriter &rewriter, Operation *op,
                              SmallVector<Value> replacements);

} // namespace mlir::snn::linalg_lowering

#endif // SNN_CONVERSION_SNNTOLINALG_OPLOWERINGS_H
