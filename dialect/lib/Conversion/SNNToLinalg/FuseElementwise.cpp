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

/// ...and a consumer that computes each element once (no reduction loop).
bool intoElementwiseConsumer(OpOperand *fused) {
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  return singleUseProducer(fused) && consumer &&
         consumer.getNumLoops() == consumer.getNumParallelLoops();
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
