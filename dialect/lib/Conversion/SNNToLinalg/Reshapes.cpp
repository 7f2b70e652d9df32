//===- Reshapes.cpp - tensor reshapes as copies ---------------------------===//
//
// Not an snn op: every tensor.collapse_shape and tensor.expand_shape of a
// computed tensor, whoever produced it (the front end's Flatten, the other
// lowerings of this pass), becomes a copy, because EmitC cannot print the
// memref reshapes that bufferization would make of them.
//
//===----------------------------------------------------------------------===//
#include "FixedPoint.h"
#include "OpLowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::snn::linalg_lowering {
namespace {

/// Row-major linear combination of the loop dimensions in `group`, indexing
/// the collapsed dimension that `group` forms in `expandedType`.
AffineExpr linearize(ArrayRef<int64_t> group, RankedTensorType expandedType,
                     MLIRContext *ctx) {
  AffineExpr expr = getAffineConstantExpr(0, ctx);
  int64_t stride = 1;
  for (int64_t d : llvm::reverse(group)) {
    expr = expr + getAffineDimExpr(d, ctx) * stride;
    stride *= expandedType.getDimSize(d);
  }
  return expr;
}

/// A reshape of a computed tensor (NIR Flatten, a flat input viewed with its
/// shape) as a copy whose loops run over the expanded shape and whose map to
/// the collapsed side is a row-major linear combination (only multiply and
/// add, no division). Reshapes of constants are left alone: canonicalization
/// folds them into the constant. This keeps memref reshapes, which EmitC
/// cannot print, out of the C pipeline.
template <typename ReshapeOp>
LogicalResult lowerReshape(IRRewriter &rewriter, ReshapeOp op) {
  Value source = op.getSrc();
  if (source.template getDefiningOp<arith::ConstantOp>())
    return success();
  auto srcType = cast<RankedTensorType>(source.getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  if (!srcType.hasStaticShape() || !resultType.hasStaticShape())
    return op.emitOpError() << "with dynamic shapes is not supported";
  constexpr bool collapsing = std::is_same_v<ReshapeOp, tensor::CollapseShapeOp>;
  RankedTensorType expanded = collapsing ? srcType : resultType;
  MLIRContext *ctx = rewriter.getContext();
  unsigned rank = expanded.getRank();
  SmallVector<AffineExpr> collapsedExprs;
  for (const ReassociationIndices &group : op.getReassociationIndices())
    collapsedExprs.push_back(linearize(group, expanded, ctx));
  AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
  AffineMap collapsedMap = AffineMap::get(rank, 0, collapsedExprs, ctx);
  SmallVector<AffineMap> maps = collapsing
                                    ? SmallVector<AffineMap>{identity, collapsedMap}
                                    : SmallVector<AffineMap>{collapsedMap, identity};
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  // Quantized values are copied as their storage integers.
  auto storageType = cast<RankedTensorType>(storageOf(resultType));
  Value empty = tensor::EmptyOp::create(rewriter, loc, storageType.getShape(),
                                        storageType.getElementType());
  auto copy = linalg::GenericOp::create(
      rewriter, loc, TypeRange{storageType}, ValueRange{toStorage(rewriter, loc, source)},
      ValueRange{empty}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, args[0]);
      });
  Value result = copy.getResult(0);
  if (storageType != resultType)
    result = quant::StorageCastOp::create(rewriter, loc, resultType, result);
  rewriter.replaceOp(op, result);
  return success();
}

} // namespace

LogicalResult lowerReshapes(IRRewriter &rewriter, Operation *root) {
  SmallVector<Operation *> reshapes;
  root->walk([&](Operation *op) {
    if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
      reshapes.push_back(op);
  });
  for (Operation *op : reshapes) {
    LogicalResult result =
        llvm::TypeSwitch<Operation *, LogicalResult>(op)
            .Case<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
                [&](auto typed) { return lowerReshape(rewriter, typed); });
    if (failed(result))
      return failure();
  }
  return success();
}

} // namespace mlir::snn::linalg_lowering
