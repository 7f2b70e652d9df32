//===- FloatComparesToEmitC.cpp - float compares as C's own operators ------===//
//
// C's relational operators on floats already are IEEE's ordered predicates
// (`<`, `>`, `<=`, `>=`, `==` are false when an operand is NaN) and `!=` is
// the unordered one (true when an operand is NaN). MLIR's arith-to-emitc
// spells the predicates out with explicit NaN tests (`x > y && x == x &&
// y == y`), which gcc neither folds nor vectorizes well; this pass prints
// those six predicates as the single C operator, with the same result for
// every input, NaN included. Run before convert-to-emitc; other predicates
// are left to it.
//
//===----------------------------------------------------------------------===//
#include "snn/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <optional>

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_CONVERTFLOATCOMPARESTOEMITC
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;

namespace {

/// The C operator that computes `predicate` exactly, NaN included.
std::optional<emitc::CmpPredicate> cOperatorOf(arith::CmpFPredicate predicate) {
  switch (predicate) {
  case arith::CmpFPredicate::OEQ:
    return emitc::CmpPredicate::eq;
  case arith::CmpFPredicate::OGT:
    return emitc::CmpPredicate::gt;
  case arith::CmpFPredicate::OGE:
    return emitc::CmpPredicate::ge;
  case arith::CmpFPredicate::OLT:
    return emitc::CmpPredicate::lt;
  case arith::CmpFPredicate::OLE:
    return emitc::CmpPredicate::le;
  case arith::CmpFPredicate::UNE:
    return emitc::CmpPredicate::ne;
  default:
    return std::nullopt;
  }
}

struct FloatCompareToCOperator : OpRewritePattern<arith::CmpFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::CmpFOp op, PatternRewriter &rewriter) const override {
    // Scalars only: EmitC has no vector or tensor comparison.
    if (!isa<FloatType>(op.getLhs().getType()))
      return failure();
    std::optional<emitc::CmpPredicate> predicate = cOperatorOf(op.getPredicate());
    if (!predicate)
      return failure();
    rewriter.replaceOpWithNewOp<emitc::CmpOp>(op, op.getType(), *predicate, op.getLhs(),
                                              op.getRhs());
    return success();
  }
};

struct ConvertFloatComparesToEmitCPass
    : public snn::impl::ConvertFloatComparesToEmitCBase<ConvertFloatComparesToEmitCPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FloatCompareToCOperator>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
