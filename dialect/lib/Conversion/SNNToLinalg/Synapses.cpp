//===- Synapses.cpp - snn.linear to linalg --------------------------------===//
//
// The reference lowering of snn.linear: one linalg.generic that starts from
// the bias and accumulates input by input (j ascending), the order the
// reference simulator sums in. snn-event-driven lowers the synapses fed by
// spikes with constant weights through the same function, to the optimized
// kernels of EventDrivenSynapses.cpp.
//
//===----------------------------------------------------------------------===//
#include "FixedPoint.h"
#include "OpLowerings.h"
#include "Synapses.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace mlir::snn::linalg_lowering {

bool matchConstantWeights(Value weight, DenseElementsAttr &values) {
  if (auto cast = weight.getDefiningOp<quant::StorageCastOp>())
    weight = cast.getInput();
  return matchPattern(weight, m_Constant(&values));
}

namespace {

/// `v`, an integer tensor, converted element by element to `elem` (sign
/// extension or truncation).
Value convertElements(OpBuilder &b, Location loc, Value v, IntegerType elem) {
  auto type = cast<RankedTensorType>(v.getType());
  unsigned rank = type.getRank();
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(), elem);
  auto convert = linalg::GenericOp::create(
      b, loc, TypeRange{empty.getType()}, ValueRange{v}, ValueRange{empty},
      SmallVector<AffineMap>(2, b.getMultiDimIdentityMap(rank)),
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value converted =
            args[0].getType().getIntOrFloatBitWidth() < elem.getWidth()
                ? arith::ExtSIOp::create(nb, nloc, elem, args[0]).getResult()
                : arith::TruncIOp::create(nb, nloc, elem, args[0]).getResult();
        linalg::YieldOp::create(nb, nloc, converted);
      });
  return convert.getResult(0);
}

/// A copy of the constant `values` made by a loop that reads it element by
/// element (the generic reads it in its body, so canonicalization does not
/// fold the copy away as an identity). Bufferization would otherwise copy the
/// constant into the writable buffer with memcpy, from a pointer EmitC casts
/// to non-const (-Wcast-qual).
Value elementwiseCopy(OpBuilder &b, Location loc, Value values) {
  auto type = cast<RankedTensorType>(values.getType());
  unsigned rank = type.getRank();
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  auto copy = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{}, ValueRange{empty},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange) {
        SmallVector<Value> indices;
        for (unsigned d = 0; d < rank; ++d)
          indices.push_back(linalg::IndexOp::create(nb, nloc, d));
        linalg::YieldOp::create(nb, nloc,
                                tensor::ExtractOp::create(nb, nloc, values, indices).getResult());
      });
  return copy.getResult(0);
}

} // namespace

uint64_t magnitudeBound(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, quant::StorageCastOp>(def))
      break;
    v = def->getOperand(0);
  }
  if (auto extended = v.getDefiningOp<arith::ExtUIOp>()) {
    unsigned width = getElementTypeOrSelf(extended.getIn().getType()).getIntOrFloatBitWidth();
    return (uint64_t(1) << width) - 1;
  }
  if (isSingleSpikeResult(v))
    return 1;
  // A sum pooling of integers: at most a window's worth of its input's bound.
  if (auto pool = v.getDefiningOp<Pool2DOp>();
      pool && isa<IntegerType>(pool.getType().getElementType()))
    return static_cast<uint64_t>(pool.getKernel()[0] * pool.getKernel()[1]) *
           magnitudeBound(pool.getInput());
  auto elem = cast<RankedTensorType>(storageOf(v.getType())).getElementType();
  unsigned width = cast<IntegerType>(elem).getWidth();
  return width == 1 ? 1 : uint64_t(1) << (width - 1);
}

namespace {

/// max over output channels (dimension 0 of the weight) of the sum of its
/// |weights| times the input's bound, plus |bias|.
std::optional<uint64_t> accumulatorBound(Value input, Value weight, Value biasValue) {
  DenseElementsAttr weights, bias;
  if (!matchConstantWeights(weight, weights))
    return std::nullopt;
  if (biasValue && !matchConstantWeights(biasValue, bias))
    return std::nullopt;
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t rows = wType.getDimSize(0), cols = wType.getNumElements() / rows;
  uint64_t inputBound = magnitudeBound(input);
  SmallVector<uint64_t> sums(rows, 0);
  int64_t index = 0;
  for (APInt w : weights.getValues<APInt>())
    sums[index++ / cols] += w.abs().getZExtValue();
  uint64_t largest = 0;
  for (int64_t i = 0; i < rows; ++i) {
    uint64_t biasMagnitude = 0;
    if (bias)
      biasMagnitude = (bias.isSplat() ? bias.getSplatValue<APInt>()
                                      : bias.getValues<APInt>()[i]).abs().getZExtValue();
    largest = std::max(largest, sums[i] * inputBound + biasMagnitude);
  }
  return largest;
}

} // namespace

std::optional<uint64_t> accumulatorBound(LinearOp op) {
  return accumulatorBound(op.getInput(), op.getWeight(), op.getBias());
}

std::optional<uint64_t> accumulatorBound(Conv2DOp op) {
  return accumulatorBound(op.getInput(), op.getWeight(), op.getBias());
}

uint64_t rescaleInputBound(RescaleOp op) {
  std::optional<uint64_t> bound = op.getInputBound();
  if (auto linear = op.getInput().getDefiningOp<LinearOp>(); linear && !bound)
    bound = accumulatorBound(linear);
  if (auto conv = op.getInput().getDefiningOp<Conv2DOp>(); conv && !bound)
    bound = accumulatorBound(conv);
  return bound ? *bound : magnitudeBound(op.getInput());
}

/// `accumulatorLimit`: a bound on |every partial sum| of a quantized synapse
/// (accumulatorBound, taken before its producers were lowered), or 0. Below
/// 2^15 the sums run in i16 (twice the lanes of i32; exact, as no partial
/// sum, in any order, can leave the range) and the result is sign-extended
/// to the declared i32 accumulator.
SmallVector<Value> lower(OpBuilder &b, LinearOp op, uint64_t accumulatorLimit,
                         bool binaryInput, bool eventDriven, InputEvents *events) {
  Location loc = op.getLoc();
  auto wType = cast<RankedTensorType>(storageOf(op.getWeight().getType()));
  auto declaredType = cast<RankedTensorType>(storageOf(op.getOutput().getType()));
  auto outType = declaredType;
  bool narrowSums = isQuantized(op.getOutput().getType()) &&
                    declaredType.getElementType().isInteger(32) && accumulatorLimit > 0 &&
                    accumulatorLimit < (uint64_t(1) << 15);
  if (narrowSums)
    outType = RankedTensorType::get(declaredType.getShape(), b.getI16Type());
  Type wElem = wType.getElementType(), accElem = outType.getElementType();
  int64_t rows = wType.getDimSize(0), cols = wType.getDimSize(1);
  Value input = toStorage(b, loc, op.getInput());
  auto declared = [&](Value sums) {
    return narrowSums ? convertElements(b, loc, sums, b.getI32Type()) : sums;
  };
  // Flat weights: C receives `static const T w[rows * cols]`, whose flat
  // initializer is valid under -Wmissing-braces, and the row-major order is
  // the layout a dense kernel streams through.
  Value flatWeight = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({rows * cols}, wElem),
      toStorage(b, loc, op.getWeight()), ArrayRef<ReassociationIndices>{{0, 1}});
  Value init;
  if (Value bias = op.getBias()) {
    init = toStorage(b, loc, bias);
    if (narrowSums) {
      init = convertElements(b, loc, init, b.getI16Type());
    } else if (matchPattern(init, m_Constant())) {
      init = elementwiseCopy(b, loc, init);
    }
  } else {
    Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(), accElem);
    init = linalg::FillOp::create(b, loc, SynapseMath{b, loc, accElem}.zero(), empty)
               .getResult(0);
  }
  DenseElementsAttr constantWeights;
  if (eventDriven && matchConstantWeights(op.getWeight(), constantWeights))
    return {declared(lowerEventDriven(b, op, constantWeights, input, init,
                                      spikeSourceOf(input), binaryInput, events))};
  AffineExpr i = b.getAffineDimExpr(0), j = b.getAffineDimExpr(1);
  SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {i * cols + j}),
                                 AffineMap::get(2, 0, {j}),
                                 AffineMap::get(2, 0, {i})};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{flatWeight, input},
      ValueRange{init}, maps,
      {utils::IteratorType::parallel, utils::IteratorType::reduction},
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SynapseMath math{nb, nloc, accElem};
        linalg::YieldOp::create(nb, nloc, math.multiplyAdd(args[2], args[0], args[1]));
      });
  return {declared(generic.getResult(0))};
}

} // namespace mlir::snn::linalg_lowering
