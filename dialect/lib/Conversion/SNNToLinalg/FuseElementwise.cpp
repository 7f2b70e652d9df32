//===- FuseElementwise.cpp - snn-fuse-elementwise -------------------------===//
//
// MLIR's elementwise fusion (the patterns linalg-fuse-elementwise-ops
// applies) with a control that keeps an elementwise producer out of
// reductions; see the pass description.
//
//===----------------------------------------------------------------------===//
#include "snn/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_SNNFUSEELEMENTWISE
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;

namespace {

/// linalg-fuse-elementwise-ops' own control: a producer with one use.
bool singleUseProducer(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  return producer && producer->hasOneUse();
}

/// Whether `map` (operand indices in terms of the loops) reads the operand
/// contiguously along the innermost loop `last`, or not at all: no result
/// but the last uses the loop, and the last is the loop itself plus terms
/// without it.
bool contiguousAlong(AffineMap map, unsigned last) {
  ArrayRef<AffineExpr> results = map.getResults();
  for (AffineExpr result : results.drop_back())
    if (result.isFunctionOfDim(last))
      return false;
  if (results.empty() || !results.back().isFunctionOfDim(last))
    return true;
  AffineExpr expr = results.back();
  AffineExpr dim = getAffineDimExpr(last, map.getContext());
  if (expr == dim)
    return true;
  auto sum = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!sum || sum.getKind() != AffineExprKind::Add)
    return false;
  return (sum.getRHS() == dim && !sum.getLHS().isFunctionOfDim(last)) ||
         (sum.getLHS() == dim && !sum.getRHS().isFunctionOfDim(last));
}

/// Whether, fused into the consumer, the producer would still read each of
/// its inputs contiguously along the consumer's innermost loop. A transpose
/// (the event-driven convolution's copy from [OH x OW, F] accumulators to
/// [F, OH, OW]) fused into a neuron update would read across the loop the
/// update is vectorized along and keep it scalar; apart, the copy is one
/// cheap loop and the update vectorizes (N-MNIST CNN: 53 -> 27 us/step with
/// gcc -O2).
bool readsStayContiguous(OpOperand *fused, linalg::LinalgOp consumer) {
  auto producer = fused->get().getDefiningOp<linalg::GenericOp>();
  if (!producer)
    return true;
  AffineMap producerResult =
      producer.getIndexingMapMatchingResult(cast<OpResult>(fused->get()));
  if (!producerResult.isPermutation())
    return true; // not fusable anyway
  AffineMap toConsumerLoops =
      inversePermutation(producerResult).compose(consumer.getMatchingIndexingMap(fused));
  unsigned last = consumer.getNumLoops() - 1;
  for (OpOperand *input : producer.getDpsInputOperands())
    if (!contiguousAlong(producer.getMatchingIndexingMap(input).compose(toConsumerLoops), last))
      return false;
  return true;
}

/// ...and a consumer that computes each element once (no reduction loop),
/// where the producer's reads stay contiguous.
bool intoElementwiseConsumer(OpOperand *fused) {
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  return singleUseProducer(fused) && consumer &&
         consumer.getNumLoops() == consumer.getNumParallelLoops() &&
         readsStayContiguous(fused, consumer);
}

struct SNNFuseElementwisePass
    : public snn::impl::SNNFuseElementwiseBase<SNNFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, intoElementwiseConsumer);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, singleUseProducer);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, singleUseProducer);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
