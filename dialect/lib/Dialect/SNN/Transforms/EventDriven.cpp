//===- EventDriven.cpp - mark spike-driven synapses -----------------------===//
#include "snn/Dialect/SNN/SNNOps.h"
#include "snn/Dialect/SNN/SNNPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_SNNEVENTDRIVEN
#include "snn/Dialect/SNN/SNNPasses.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;
using namespace mlir::snn;

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
    getOperation().walk([](LinearOp linear) {
      if (carriesSpikes(linear.getInput()))
        linear.setEventDriven(true);
    });
  }
};

} // namespace
