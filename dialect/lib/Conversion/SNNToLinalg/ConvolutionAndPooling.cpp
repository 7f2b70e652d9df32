//===- ConvolutionAndPooling.cpp - snn.conv2d, snn.pool2d -----------------===//
//
// Convolution and pooling: the convolution as a linalg.generic over a flat
// weight, pooling as linalg.pooling_nchw_sum (divided for average pooling).
// Float models convert inputs of spikes and zero-pad them by one copy;
// integer models pad the storage integers and accumulate in the result's
// storage type (i32), as snn.linear does.
//
//===----------------------------------------------------------------------===//
#include "Elementwise.h"
#include "OpLowerings.h"
#include "Synapses.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::snn::linalg_lowering {
namespace {

/// Strides or dilations as the i64 vector attribute linalg's named ops take.
DenseIntElementsAttr namedOpAttr(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getI64Type()),
      values);
}

/// The input as elements of `elem` (floats, or the input's own storage
/// integers), zero-padded by `padding` on both sides of the two spatial
/// dimensions: [C, H + 2 ph, W + 2 pw]. A copy that reads the input where the
/// position falls inside it (unsigned index compares, so no negative index is
/// ever formed) and zero elsewhere.
Value padAndConvert(OpBuilder &b, Location loc, Value input, Type elem,
                    ArrayRef<int64_t> padding) {
  auto type = cast<RankedTensorType>(input.getType());
  bool converted = type.getElementType() != elem;
  if (!converted && padding[0] == 0 && padding[1] == 0)
    return input;
  SmallVector<int64_t> shape = {type.getDimSize(0),
                                type.getDimSize(1) + 2 * padding[0],
                                type.getDimSize(2) + 2 * padding[1]};
  Value empty = tensor::EmptyOp::create(b, loc, shape, elem);
  auto copy = linalg::GenericOp::create(
      b, loc, TypeRange{RankedTensorType::get(shape, elem)}, ValueRange{},
      ValueRange{empty}, SmallVector<AffineMap>{b.getMultiDimIdentityMap(3)},
      SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange) {
        auto index = [&](int64_t v) -> Value {
          return arith::ConstantIndexOp::create(nb, nloc, v);
        };
        SmallVector<Value> source = {linalg::IndexOp::create(nb, nloc, 0)};
        Value inside = arith::ConstantIntOp::create(nb, nloc, 1, 1);
        for (int d = 0; d < 2; ++d) {
          Value position = linalg::IndexOp::create(nb, nloc, d + 1);
          Value low = index(padding[d]);
          Value high = index(padding[d] + type.getDimSize(d + 1));
          Value afterLow = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::uge,
                                                 position, low);
          Value beforeHigh = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ult,
                                                   position, high);
          Value valid = arith::AndIOp::create(nb, nloc, afterLow, beforeHigh);
          inside = arith::AndIOp::create(nb, nloc, inside, valid);
          // Outside the input, read element 0 instead (and discard it).
          Value shifted = arith::SelectOp::create(
              nb, nloc, afterLow, arith::SubIOp::create(nb, nloc, position, low), index(0));
          source.push_back(arith::SelectOp::create(nb, nloc, beforeHigh, shifted, index(0)));
        }
        Value element = tensor::ExtractOp::create(nb, nloc, input, source);
        if (converted)
          element = arith::UIToFPOp::create(nb, nloc, elem, element);
        Value zero = SynapseMath{nb, nloc, elem}.zero();
        linalg::YieldOp::create(nb, nloc,
                                ValueRange{arith::SelectOp::create(nb, nloc, inside,
                                                                   element, zero)});
      });
  return copy.getResult(0);
}

} // namespace

/// The convolution is the loop nest of linalg.conv_2d_nchw_fchw (output
/// position outer, then c, kh, kw as reductions; with groups, c within the
/// filter's group) written as a linalg.generic,
/// because the weight is read flat: EmitC prints a multi-dimensional constant
/// with a flat initializer, which -Wmissing-braces rejects, while the named
/// op insists on a 4-D weight.
SmallVector<Value> lower(OpBuilder &b, Conv2DOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto wType = cast<RankedTensorType>(storageOf(op.getWeight().getType()));
  auto outType = cast<RankedTensorType>(storageOf(op.getOutput().getType()));
  // The accumulator's type: the float type, or the result's storage (i32).
  Type elem = outType.getElementType(), wElem = wType.getElementType();
  int64_t filters = wType.getDimSize(0), channels = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  Value input = toStorage(b, loc, op.getInput());
  // Integer models pad their storage integers (spikes, counts, int8 input).
  Type paddedElem = isa<FloatType>(elem) ? elem
                                         : cast<RankedTensorType>(input.getType()).getElementType();
  Value padded = padAndConvert(b, loc, input, paddedElem, op.getPadding());
  Value flatWeight = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({filters * channels * kh * kw}, wElem),
      toStorage(b, loc, op.getWeight()), ArrayRef<ReassociationIndices>{{0, 1, 2, 3}});
  // Loops: (f, oh, ow, c, kh, kw).
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
  AffineMap inputMap = AffineMap::get(
      6, 0, {d(3), d(1) * stride[0] + d(4) * dilation[0], d(2) * stride[1] + d(5) * dilation[1]},
      ctx);
  AffineMap weightMap = AffineMap::get(
      6, 0, {d(0) * (channels * kh * kw) + d(3) * (kh * kw) + d(4) * kw + d(5)}, ctx);
  AffineMap outMap = AffineMap::get(6, 0, {d(0), d(1), d(2)}, ctx);
  // The accumulator starts from the bias, as in snn.linear.
  Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(), elem);
  Value init;
  if (Value bias = op.getBias()) {
    AffineMap biasMap = AffineMap::get(3, 0, {d(0)}, ctx);
    init = linalg::GenericOp::create(
               b, loc, TypeRange{outType}, ValueRange{toStorage(b, loc, bias)},
               ValueRange{empty},
               SmallVector<AffineMap>{biasMap, b.getMultiDimIdentityMap(3)},
               SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
               [](OpBuilder &nb, Location nloc, ValueRange args) {
                 linalg::YieldOp::create(nb, nloc, args[0]);
               })
               .getResult(0);
  } else {
    init = linalg::FillOp::create(b, loc, SynapseMath{b, loc, elem}.zero(), empty).getResult(0);
  }
  // The window's extent, as linalg.pooling ops take it: a tensor that is never
  // read (its loads vanish with the unused block argument) but gives the
  // loops (c, kh, kw) their bounds.
  Value window = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{channels, kh, kw}, elem);
  AffineMap windowMap = AffineMap::get(6, 0, {d(3), d(4), d(5)}, ctx);
  auto parallel = utils::IteratorType::parallel, reduction = utils::IteratorType::reduction;
  SmallVector<utils::IteratorType> iterators = {parallel, parallel, parallel,
                                                 reduction, reduction, reduction};
  int64_t groups = op.getGroups();
  if (groups != 1) {
    // With groups, c runs over the channels of f's group: the input channel
    // is (f / (filters / groups)) * channels + c, read with an unsigned
    // division (an affine floordiv would lower to signed arithmetic, which
    // -Wsign-conversion rejects on the size_t indices).
    auto conv = linalg::GenericOp::create(
        b, loc, TypeRange{outType}, ValueRange{flatWeight, window}, ValueRange{init},
        SmallVector<AffineMap>{weightMap, windowMap, outMap}, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          auto index = [&](unsigned dim) { return linalg::IndexOp::create(nb, nloc, dim); };
          auto constant = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, nloc, v); };
          auto muladd = [&](Value x, int64_t scale, Value y) -> Value {
            return arith::AddIOp::create(nb, nloc,
                                         arith::MulIOp::create(nb, nloc, x, constant(scale)), y);
          };
          // In i64: EmitC prints no division of indices.
          Type i64 = nb.getI64Type();
          Value group = arith::IndexCastUIOp::create(
              nb, nloc, nb.getIndexType(),
              arith::DivUIOp::create(
                  nb, nloc, arith::IndexCastUIOp::create(nb, nloc, i64, index(0)),
                  arith::ConstantIntOp::create(nb, nloc, filters / groups, 64)));
          Value channel = muladd(group, channels, index(3));
          Value row = muladd(index(1), stride[0],
                             arith::MulIOp::create(nb, nloc, index(4), constant(dilation[0])));
          Value column = muladd(index(2), stride[1],
                                arith::MulIOp::create(nb, nloc, index(5), constant(dilation[1])));
          Value x = tensor::ExtractOp::create(nb, nloc, padded, ValueRange{channel, row, column});
          SynapseMath math{nb, nloc, elem};
          linalg::YieldOp::create(nb, nloc, math.multiplyAdd(args[2], args[0], x));
        });
    return {conv.getResult(0)};
  }
  auto conv = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{padded, flatWeight, window}, ValueRange{init},
      SmallVector<AffineMap>{inputMap, weightMap, windowMap, outMap}, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SynapseMath math{nb, nloc, elem};
        linalg::YieldOp::create(nb, nloc, math.multiplyAdd(args[3], args[1], args[0]));
      });
  return {conv.getResult(0)};
}

SmallVector<Value> lower(OpBuilder &b, Pool2DOp op) {
  Location loc = op.getLoc();
  auto inType = op.getInput().getType();
  auto outType = op.getOutput().getType();
  // Floats, or (integer models) counts in the input's own integer type.
  Type elem = outType.getElementType();
  SmallVector<int64_t, 2> padding = op.getPaddingOrZero();
  Value input = padAndConvert(b, loc, op.getInput(), elem, padding);
  int64_t c = inType.getDimSize(0);
  Value batched = tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get({1, c, inType.getDimSize(1) + 2 * padding[0],
                             inType.getDimSize(2) + 2 * padding[1]},
                            elem),
      input, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
  auto accType =
      RankedTensorType::get({1, c, outType.getDimSize(1), outType.getDimSize(2)}, elem);
  Value empty = tensor::EmptyOp::create(b, loc, accType.getShape(), elem);
  Value init =
      linalg::FillOp::create(b, loc, SynapseMath{b, loc, elem}.zero(), empty).getResult(0);
  // The named op takes the window's shape from a (never read) tensor.
  Value window = tensor::EmptyOp::create(b, loc, op.getKernel(), elem);
  auto pool = linalg::PoolingNchwSumOp::create(
      b, loc, TypeRange{accType}, ValueRange{batched, window}, ValueRange{init},
      {b.getNamedAttr("strides", namedOpAttr(b, op.getStride())),
       b.getNamedAttr("dilations", namedOpAttr(b, {1, 1}))});
  Value sum = tensor::CollapseShapeOp::create(
      b, loc, outType, pool.getResult(0),
      ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
  if (op.getKind() == PoolKind::sum)
    return {sum};
  ElementwiseBuilder eb(b, loc, outType);
  int64_t x = eb.addInput(sum);
  double count = static_cast<double>(op.getKernel()[0] * op.getKernel()[1]);
  return eb.build({outType}, [&](OpBuilder &nb, Location l, ValueRange a) {
    Value divisor = arith::ConstantOp::create(nb, l, nb.getFloatAttr(elem, count));
    return SmallVector<Value>{arith::DivFOp::create(nb, l, a[x], divisor)};
  });
}

} // namespace mlir::snn::linalg_lowering
