//===- Delays.cpp - snn.delay to linalg -----------------------------------===//
//
// snn.delay: two linalg.generic ops over the op's state buffer, one that
// reads the delayed values and one that shifts the buffer by a step.
//
//===----------------------------------------------------------------------===//
#include "OpLowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::snn::linalg_lowering {

/// The delay line: the output reads the old buffer at (steps - 1), or the
/// input where steps is 0; the new buffer is the input followed by the old
/// buffer shifted by one. Indices that would be "minus one" are replaced
/// before use (unsigned index arithmetic never goes negative).
SmallVector<Value> lower(OpBuilder &b, DelayOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto inType = op.getInput().getType();
  auto bufferType = op.getBuffer().getType();
  unsigned rank = inType.getRank();
  Value buffer = op.getBuffer();
  auto index = [](OpBuilder &nb, Location l, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nb, l, v);
  };
  // buffer_next[k, i...] = k == 0 ? input[i...] : buffer[k - 1, i...]
  SmallVector<AffineExpr> dropFirst;
  for (unsigned d = 1; d <= rank; ++d)
    dropFirst.push_back(getAffineDimExpr(d, ctx));
  Value emptyBuffer = tensor::EmptyOp::create(b, loc, bufferType.getShape(),
                                              bufferType.getElementType());
  auto shift = linalg::GenericOp::create(
      b, loc, TypeRange{bufferType}, ValueRange{op.getInput()}, ValueRange{emptyBuffer},
      SmallVector<AffineMap>{AffineMap::get(rank + 1, 0, dropFirst, ctx),
                             b.getMultiDimIdentityMap(rank + 1)},
      SmallVector<utils::IteratorType>(rank + 1, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value k = linalg::IndexOp::create(nb, l, 0);
        Value first = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, k, index(nb, l, 0));
        Value previous = arith::SelectOp::create(
            nb, l, first, index(nb, l, 0), arith::SubIOp::create(nb, l, k, index(nb, l, 1)));
        SmallVector<Value> at = {previous};
        for (unsigned d = 1; d <= rank; ++d)
          at.push_back(linalg::IndexOp::create(nb, l, d));
        Value older = tensor::ExtractOp::create(nb, l, buffer, at);
        linalg::YieldOp::create(nb, l,
                                ValueRange{arith::SelectOp::create(nb, l, first, args[0], older)});
      });
  // output[i...] = steps[i] == 0 ? input[i...] : buffer[steps[i] - 1, i...]
  ArrayRef<int64_t> steps = op.getSteps();
  SmallVector<Value> inputs = {op.getInput()};
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  if (steps.size() > 1) {
    auto stepsType = RankedTensorType::get({static_cast<int64_t>(steps.size())}, b.getI64Type());
    inputs.push_back(arith::ConstantOp::create(
        b, loc, DenseIntElementsAttr::get(stepsType, steps)));
    AffineExpr position = getAffineConstantExpr(0, ctx);
    int64_t stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      position = position + getAffineDimExpr(d, ctx) * stride;
      stride *= inType.getDimSize(d);
    }
    maps.push_back(AffineMap::get(rank, 0, {position}, ctx));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value emptyOut = tensor::EmptyOp::create(b, loc, inType.getShape(), inType.getElementType());
  auto read = linalg::GenericOp::create(
      b, loc, TypeRange{inType}, inputs, ValueRange{emptyOut}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value delay = steps.size() > 1
                          ? arith::IndexCastUIOp::create(nb, l, nb.getIndexType(), args[1])
                                .getResult()
                          : index(nb, l, steps[0]);
        Value none = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, delay,
                                           index(nb, l, 0));
        Value slot = arith::SelectOp::create(
            nb, l, none, index(nb, l, 0), arith::SubIOp::create(nb, l, delay, index(nb, l, 1)));
        SmallVector<Value> at = {slot};
        for (unsigned d = 0; d < rank; ++d)
          at.push_back(linalg::IndexOp::create(nb, l, d));
        Value delayed = tensor::ExtractOp::create(nb, l, buffer, at);
        linalg::YieldOp::create(nb, l,
                                ValueRange{arith::SelectOp::create(nb, l, none, args[0], delayed)});
      });
  return {read.getResult(0), shift.getResult(0)};
}

} // namespace mlir::snn::linalg_lowering
