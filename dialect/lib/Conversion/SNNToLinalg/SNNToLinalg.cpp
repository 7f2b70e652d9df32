//===- SNNToLinalg.cpp - the convert-snn-to-linalg pass -------------------===//
//
// The pass: it reads what the lowerings need to know about an op's producers
// (bounds, single spikes) before any op is lowered, then replaces each snn op
// by its lowering (OpLowerings.h) and finally the reshapes left around them.
//
// The lowerings, by concern:
//   FixedPoint.{h,cpp}          quantized values as storage integers, fixed
//                               point factors, rounding, narrow arithmetic
//   Elementwise.{h,cpp}         the one-generic-per-element builder; sum,
//                               scale, rescale
//   NeuronUpdates.cpp           neuron ops: membrane update, fire, reset
//   Synapses.{h,cpp}            snn.linear, the reference (dense) form
//   EventDrivenSynapses.cpp     snn.linear's optimized kernels (event-driven
//                               gather, packed int8 rows), and
//   EventDrivenPass.cpp         the snn-event-driven pass that applies them
//   ConvolutionAndPooling.cpp   snn.conv2d, snn.pool2d
//   Delays.cpp                  snn.delay
//   Reshapes.cpp                tensor reshapes from any producer, as copies
// Every lowering but EventDrivenSynapses.cpp is plain on purpose: one generic
// that spells out the op's documented formula, the correctness baseline.
//
//===----------------------------------------------------------------------===//
#include "FixedPoint.h"
#include "OpLowerings.h"
#include "Synapses.h"

#include "snn/Conversion/Passes.h"
#include "snn/Dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_CONVERTSNNTOLINALG
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;
using namespace mlir::snn;
using namespace mlir::snn::linalg_lowering;

namespace {

struct ConvertSNNToLinalgPass
    : public snn::impl::ConvertSNNToLinalgBase<ConvertSNNToLinalgPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<SNNDialect>(op->getDialect()))
        ops.push_back(op);
    });
    // Bounds of synapses' sums and synapses fed by single spikes (0 or 1),
    // read before the ops that make their inputs are lowered.
    DenseMap<Operation *, uint64_t> accumulatorLimits;
    DenseSet<Operation *> binaryInputs;
    for (Operation *op : ops) {
      if (auto linear = dyn_cast<LinearOp>(op); linear && isQuantized(linear.getType()))
        accumulatorLimits[op] = accumulatorBound(linear).value_or(0);
      if (auto linear = dyn_cast<LinearOp>(op); linear && isSingleSpikeResult(linear.getInput()))
        binaryInputs.insert(op);
    }
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      if (failed(checkQuantized(op)))
        return signalPassFailure();
      rewriter.setInsertionPoint(op);
      SmallVector<Value> replacements =
          llvm::TypeSwitch<Operation *, SmallVector<Value>>(op)
              .Case<Conv2DOp, Pool2DOp, DelayOp, SumOp, ScaleOp, ThresholdOp, IntegratorOp,
                    LIOp, IFOp, LIFOp, CubaLIOp, CubaLIFOp>(
                  [&](auto typed) { return lower(rewriter, typed); })
              .Case<LinearOp>([&](LinearOp linear) {
                return lower(rewriter, linear, accumulatorLimits.lookup(op),
                             binaryInputs.contains(op));
              })
              .Case<RescaleOp>([&](RescaleOp rescale) {
                return lower(rewriter, rescale, *chosenArithmetic(rescale));
              })
              .Default([](Operation *) { return SmallVector<Value>(); });
      if (replacements.empty()) {
        op->emitOpError() << "has no lowering to linalg";
        return signalPassFailure();
      }
      replaceWithStorageValues(rewriter, op, std::move(replacements));
    }
    if (failed(lowerReshapes(rewriter, getOperation())))
      return signalPassFailure();
  }
};

} // namespace

void mlir::snn::linalg_lowering::replaceWithStorageValues(IRRewriter &rewriter, Operation *op,
                                                          SmallVector<Value> replacements) {
  // Integer results go back to the op's quantized types for its users.
  for (auto [value, old] : llvm::zip(replacements, op->getResults()))
    if (value.getType() != old.getType())
      value = quant::StorageCastOp::create(rewriter, op->getLoc(), old.getType(), value);
  rewriter.replaceOp(op, replacements);
}
