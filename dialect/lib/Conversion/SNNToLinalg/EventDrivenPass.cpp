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
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <optional>

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

/// A sum or average pooling of spikes (counts, zero wherever no window
/// holds a spike), possibly flattened: as sparse as the spikes.
bool isPooledSpikes(Value value) {
  if (auto collapse = value.getDefiningOp<tensor::CollapseShapeOp>())
    value = collapse.getSrc();
  auto pool = value.getDefiningOp<Pool2DOp>();
  return pool && carriesSpikes(pool.getInput()) && !isa<BlockArgument>(pool.getInput());
}

/// What a convolution's input is read from: the rank-1 tensor it was
/// expanded from to [C, H, W] (flat: read at c H W + y W + x), else itself.
std::pair<Value, bool> scannedValueOf(Value input) {
  if (auto expand = input.getDefiningOp<tensor::ExpandShapeOp>();
      expand && cast<RankedTensorType>(expand.getSrc().getType()).getRank() == 1)
    return {expand.getSrc(), true};
  return {input, false};
}

/// The input of a convolution, when it is sparse enough to scatter: spikes
/// (the input as spikes, or a spiking op's result, possibly a flat one
/// expanded to [C, H, W]) or a sum or average pooling of spikes (counts,
/// zero wherever no window holds a spike). Dense values are not: with most
/// inputs active, scattering costs more than the dense loops.
std::optional<ScatteredInput> scatteredInputOf(Value input) {
  auto [peeled, flat] = scannedValueOf(input);
  if (Value source = spikeSourceOf(peeled))
    return ScatteredInput{source, flat, /*spikeSource=*/true, /*unitValues=*/true};
  Operation *producer = peeled.getDefiningOp();
  if (isa_and_nonnull<arith::ExtUIOp, arith::UIToFPOp>(producer) &&
      getElementTypeOrSelf(producer->getOperand(0).getType()).isInteger(1))
    return ScatteredInput{peeled, flat, false, /*unitValues=*/true};
  if (isSpikeResult(peeled))
    return ScatteredInput{peeled, flat, false, isSingleSpikeResult(peeled)};
  if (!flat && isPooledSpikes(peeled))
    return ScatteredInput{peeled, flat, false, false};
  return std::nullopt;
}

/// The input of a float convolution that is not sparse: scattered all the
/// same (every element, without tests), which puts the output channels
/// innermost, where the loop over them vectorizes; the dense loop nest's
/// innermost loop is a float sum, which compilers do not vectorize (it would
/// reorder the additions).
std::optional<ScatteredInput> denseInputOf(Conv2DOp conv) {
  if (!isa<FloatType>(conv.getOutput().getType().getElementType()))
    return std::nullopt;
  auto [scanned, flat] = scannedValueOf(conv.getInput());
  ScatteredInput input{scanned, flat, false, false};
  input.everyInput = true;
  return input;
}

/// The function's network input when the front end marked it as spikes
/// (`snn.network_input`): three arguments follow it for the input given as
/// events (NAME_step_events), the positions, their number and whether they
/// are given. Null events for other functions.
std::optional<InputEvents> addInputEventArguments(func::FuncOp function) {
  if (function.isExternal())
    return std::nullopt;
  for (unsigned i = 0; i < function.getNumArguments(); ++i) {
    if (!function.getArgAttr(i, "snn.network_input"))
      continue;
    auto inputType = cast<RankedTensorType>(function.getArgument(i).getType());
    if (inputType.getRank() != 1)
      return std::nullopt;
    MLIRContext *ctx = function.getContext();
    Builder b(ctx);
    auto readOnly = b.getDictionaryAttr(
        b.getNamedAttr("bufferization.writable", b.getBoolAttr(false)));
    Location loc = function.getLoc();
    if (failed(function.insertArguments(
            {i + 1, i + 1, i + 1},
            {RankedTensorType::get(inputType.getShape(), b.getI32Type()), b.getIndexType(),
             b.getI1Type()},
            {readOnly, b.getDictionaryAttr({}), b.getDictionaryAttr({})}, {loc, loc, loc})))
      return std::nullopt;
    return InputEvents{function.getArgument(i), function.getArgument(i + 1),
                       function.getArgument(i + 2), function.getArgument(i + 3), {}};
  }
  return std::nullopt;
}

/// Whether, once the kernels are built, the dense input is read only where
/// the events are not given (else regions of their branches); ops left dead
/// by the rewrite (the input's conversion to spikes) are erased first.
bool onlyScannedWithoutEvents(func::FuncOp function, const InputEvents &events) {
  bool erased = true;
  while (erased) {
    erased = false;
    SmallVector<Operation *> dead;
    function.walk([&](Operation *op) {
      if (op != function && isOpTriviallyDead(op))
        dead.push_back(op);
    });
    for (Operation *op : dead) {
      op->erase();
      erased = true;
    }
  }
  return llvm::all_of(events.input.getUsers(), [&](Operation *user) {
    return llvm::any_of(events.branches, [&](Operation *branch) {
      return cast<scf::IfOp>(branch).getElseRegion().isAncestor(user->getParentRegion());
    });
  });
}

struct SNNEventDrivenPass
    : public snn::impl::SNNEventDrivenBase<SNNEventDrivenPass> {
  void runOnOperation() override {
    // At most one function takes the network input (the step computation).
    std::optional<InputEvents> events;
    func::FuncOp eventFunction;
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (!events && (events = addInputEventArguments(function)))
        eventFunction = function;
    SmallVector<LinearOp> synapses;
    getOperation().walk([&](LinearOp linear) {
      DenseElementsAttr weights;
      if ((carriesSpikes(linear.getInput()) || isPooledSpikes(linear.getInput())) &&
          matchConstantWeights(linear.getWeight(), weights))
        synapses.push_back(linear);
    });
    SmallVector<Conv2DOp> convolutions;
    getOperation().walk([&](Conv2DOp conv) { convolutions.push_back(conv); });
    IRRewriter rewriter(&getContext());
    for (Conv2DOp conv : convolutions) {
      // Classified now, not when collected: the input may be the result of
      // a convolution lowered just before.
      DenseElementsAttr weights;
      std::optional<ScatteredInput> scattered = scatteredInputOf(conv.getInput());
      if (!scattered)
        scattered = denseInputOf(conv);
      if (!scattered || !matchConstantWeights(conv.getWeight(), weights))
        continue;
      ScatteredInput &input = *scattered;
      rewriter.setInsertionPoint(conv);
      if (events && input.spikeSource && input.flat && input.scanned == events->input)
        input.events = &*events;
      Value result = lowerEventDriven(rewriter, conv, weights, input);
      replaceWithStorageValues(rewriter, conv, {result});
    }
    for (LinearOp linear : synapses) {
      uint64_t accumulatorLimit =
          isQuantized(linear.getType()) ? accumulatorBound(linear).value_or(0) : 0;
      rewriter.setInsertionPoint(linear);
      SmallVector<Value> replacements =
          lower(rewriter, linear, accumulatorLimit,
                isSingleSpikeResult(linear.getInput()), /*eventDriven=*/true,
                events ? &*events : nullptr);
      replaceWithStorageValues(rewriter, linear, std::move(replacements));
    }
    if (!events)
      return;
    // Events can replace the dense input only if nothing else reads it; else
    // the step ignores them (the branches fold away) and the C API offers
    // no NAME_step_events.
    bool supported = onlyScannedWithoutEvents(eventFunction, *events);
    if (!supported) {
      rewriter.setInsertionPointToStart(&eventFunction.getBody().front());
      Value no = arith::ConstantIntOp::create(rewriter, eventFunction.getLoc(), 0, 1);
      rewriter.replaceAllUsesWith(events->given, no);
    }
    getOperation()->setAttr("snn.input_events", rewriter.getBoolAttr(supported));
  }
};

} // namespace
