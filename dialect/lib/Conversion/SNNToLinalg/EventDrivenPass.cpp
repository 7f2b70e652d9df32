//===- EventDrivenPass.cpp - snn-event-driven ------------------------------===//
//
// Lowers the synapses fed by spikes to the event-driven kernels of
// EventDrivenSynapses.cpp, before convert-snn-to-linalg lowers the rest
// densely. What the kernels need to know of the synapse's producers (single
// spikes, the bound of its sums) is read here, while those producers are
// still snn ops.
//
//===----------------------------------------------------------------------===//
#include "FixedPoint.h"
#include "OpLowerings.h"
#include "Synapses.h"

#include "snn/Conversion/Passes.h"
#include "snn/Dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_SNNEVENTDRIVEN
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;
using namespace mlir::snn;
using namespace mlir::snn::linalg_lowering;

namespace {

/// Spikes: the spike result of a spiking op, an argument of the step
/// function (the network's input), or a conversion of booleans (the input as
/// spikes).
bool carriesSpikes(Value value) {
  if (isa<BlockArgument>(value))
    return true;
  Operation *producer = value.getDefiningOp();
  if (isa_and_nonnull<arith::ExtUIOp, arith::UIToFPOp>(producer))
    return getElementTypeOrSelf(producer->getOperand(0).getType()).isInteger(1);
  return isSpikeResult(value);
}

struct SNNEventDrivenPass
    : public snn::impl::SNNEventDrivenBase<SNNEventDrivenPass> {
  void runOnOperation() override {
    SmallVector<LinearOp> synapses;
    getOperation().walk([&](LinearOp linear) {
      DenseElementsAttr weights;
      if (carriesSpikes(linear.getInput()) &&
          matchConstantWeights(linear.getWeight(), weights))
        synapses.push_back(linear);
    });
    IRRewriter rewriter(&getContext());
    for (LinearOp linear : synapses) {
      uint64_t accumulatorLimit =
          isQuantized(linear.getType()) ? accumulatorBound(linear).value_or(0) : 0;
      rewriter.setInsertionPoint(linear);
      SmallVector<Value> replacements =
          lower(rewriter, linear, accumulatorLimit,
                isSingleSpikeResult(linear.getInput()), /*eventDriven=*/true);
      replaceWithStorageValues(rewriter, linear, std::move(replacements));
    }
  }
};

} // namespace
