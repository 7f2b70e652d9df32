//===- Elementwise.cpp - elementwise generics and ops ---------------------===//
//
// The ElementwiseBuilder's generic and its parameters, and the lowerings of
// the ops that are nothing but one elementwise body: snn.sum, snn.scale and
// snn.rescale.
//
//===----------------------------------------------------------------------===//
#include "Elementwise.h"
#include "OpLowerings.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/bit.h"

#include <cmath>

namespace mlir::snn::linalg_lowering {
namespace {

/// An integer body input at `width` bits: i1 spikes zero-extended, storage
/// integers sign-extended.
Value widen(OpBuilder &nb, Location l, Value v, unsigned width) {
  auto t = dyn_cast<IntegerType>(v.getType());
  if (!t || t.getWidth() >= width)
    return v;
  if (t.getWidth() == 1)
    return arith::ExtUIOp::create(nb, l, nb.getIntegerType(width), v);
  return arith::ExtSIOp::create(nb, l, nb.getIntegerType(width), v);
}

/// A body value (i64 or i32) as the result element `type`: quantized
/// results saturate to their storage range, spikes (0 or 1) are truncated.
Value narrow(OpBuilder &nb, Location l, Value v, Type type) {
  if (v.getType() == type)
    return v;
  if (auto q = dyn_cast<quant::QuantizedType>(type)) {
    auto storage = cast<IntegerType>(q.getStorageType());
    unsigned width = cast<IntegerType>(v.getType()).getWidth();
    if (storage.getWidth() < width) {
      Value lo = arith::ConstantIntOp::create(nb, l, q.getStorageTypeMin(), width);
      Value hi = arith::ConstantIntOp::create(nb, l, q.getStorageTypeMax(), width);
      Value below = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, v, lo);
      Value above = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sgt, v, hi);
      v = arith::SelectOp::create(nb, l, below, lo,
                                  arith::SelectOp::create(nb, l, above, hi, v));
    }
    type = storage;
  }
  if (v.getType() == type)
    return v;
  return arith::TruncIOp::create(nb, l, type, v);
}

} // namespace

SmallVector<Value> ElementwiseBuilder::build(
    TypeRange resultTypes,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<Value> outputs;
  SmallVector<Type> storageTypes;
  for (Type t : resultTypes) {
    auto rt = cast<RankedTensorType>(storageOf(t));
    storageTypes.push_back(rt);
    outputs.push_back(
        tensor::EmptyOp::create(b, loc, rt.getShape(), rt.getElementType()));
  }
  unsigned rank = neuronType.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.append(outputs.size(), b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, storageTypes, inputs, outputs, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        if (!integer) {
          linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
          return;
        }
        SmallVector<Value> wide;
        for (auto [index, arg] : llvm::enumerate(args))
          wide.push_back(index < inputs.size() ? widen(nb, nloc, arg, bodyWidth) : arg);
        SmallVector<Value> results = body(nb, nloc, wide);
        for (auto [value, type] : llvm::zip(results, resultTypes))
          value = narrow(nb, nloc, value, cast<RankedTensorType>(type).getElementType());
        linalg::YieldOp::create(nb, nloc, results);
      });
  return SmallVector<Value>(generic.getResults());
}

Param ElementwiseBuilder::addFloat(DenseElementsAttr attr) {
  Param p;
  p.attr = attr;
  auto elem = cast<FloatType>(neuronType.getElementType());
  if (attr.getNumElements() == 1) {
    p.splat = true;
    double value = (*attr.getValues<APFloat>().begin()).convertToDouble();
    p.scalar = arith::ConstantOp::create(b, loc, b.getFloatAttr(elem, value));
    return p;
  }
  SmallVector<APFloat> values;
  for (APFloat value : attr.getValues<APFloat>()) {
    bool losesInfo = false;
    value.convert(elem.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    values.push_back(value);
  }
  auto type = RankedTensorType::get({neuronType.getNumElements()}, elem);
  addFlatInput(p, DenseElementsAttr::get(type, values));
  return p;
}

Param ElementwiseBuilder::addIntegers(DenseElementsAttr attr, ArrayRef<int64_t> values) {
  Param p;
  p.attr = attr;
  if (values.size() == 1) {
    p.splat = true;
    p.scalar = arith::ConstantIntOp::create(b, loc, values[0], bodyWidth);
    return p;
  }
  // Stored in the narrowest of i8/i16/i32/i64 that holds every value
  // (per-neuron thresholds and narrow multipliers fit i16): fewer constant
  // bytes; the body widens them.
  unsigned width = 8;
  for (int64_t v : values)
    while (width < 64 && !llvm::isIntN(width, v))
      width *= 2;
  // One value per index of the first dimension (a convolution's per-filter
  // rescale over [F, OH, OW]): stored once per filter, read through d0,
  // instead of once per element.
  int64_t rank = neuronType.getRank(), rows = rank > 1 ? neuronType.getDimSize(0) : 0;
  int64_t inner = rows > 0 ? neuronType.getNumElements() / rows : 0;
  bool perRow = inner > 1;
  for (int64_t i = 0; perRow && i < static_cast<int64_t>(values.size()); ++i)
    perRow = values[i] == values[(i / inner) * inner];
  SmallVector<APInt> narrow;
  for (int64_t i = 0; i < static_cast<int64_t>(values.size()); i += perRow ? inner : 1)
    narrow.push_back(APInt(width, static_cast<uint64_t>(values[i]), /*isSigned=*/true));
  auto type = RankedTensorType::get({static_cast<int64_t>(narrow.size())},
                                    b.getIntegerType(width));
  if (!perRow) {
    addFlatInput(p, DenseElementsAttr::get(type, narrow));
    return p;
  }
  Value tensor = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, narrow));
  p.inputIndex = addInput(tensor, AffineMap::get(rank, 0, {b.getAffineDimExpr(0)},
                                                 b.getContext()));
  return p;
}

void ElementwiseBuilder::addFlatInput(Param &p, DenseElementsAttr values) {
  Value tensor = arith::ConstantOp::create(b, loc, values);
  MLIRContext *ctx = b.getContext();
  AffineExpr position = getAffineConstantExpr(0, ctx);
  int64_t stride = 1;
  for (int d = neuronType.getRank() - 1; d >= 0; --d) {
    position = position + getAffineDimExpr(d, ctx) * stride;
    stride *= neuronType.getDimSize(d);
  }
  p.inputIndex =
      addInput(tensor, AffineMap::get(neuronType.getRank(), 0, {position}, ctx));
}

SmallVector<Value> lower(OpBuilder &b, SumOp op) {
  ElementwiseBuilder eb(b, op.getLoc(), op.getOutput().getType());
  for (Value input : op.getInputs())
    eb.addInput(input);
  return eb.build({op.getType()}, [&](OpBuilder &nb, Location l, ValueRange a) {
    BodyMath m{nb, l, a};
    Value total = a[0];
    for (unsigned i = 1, e = op.getInputs().size(); i < e; ++i)
      total = m.add(total, a[i]);
    return SmallVector<Value>{total};
  });
}

SmallVector<Value> lower(OpBuilder &b, ScaleOp op) {
  ElementwiseBuilder eb(b, op.getLoc(), op.getInput().getType());
  int64_t x = eb.addInput(op.getInput());
  Param scale = eb.addFactor(op.getScaleAttr());
  return eb.build({op.getType()}, [&](OpBuilder &nb, Location l, ValueRange a) {
    BodyMath m{nb, l, a};
    return SmallVector<Value>{m.mul(scale, a[x])};
  });
}

/// result = round(input * scale_in / scale_out), saturated: one fixed-point
/// factor, in the arithmetic chosen for the op (snn-choose-integer-arithmetic).
SmallVector<Value> lower(OpBuilder &b, RescaleOp op, IntegerArithmetic arithmetic) {
  auto inType = op.getInput().getType();
  SmallVector<double> ratios = rescaleRatios(op);
  if (llvm::all_equal(ratios))
    ratios.resize(1);
  ElementwiseBuilder eb(b, op.getLoc(), inType, arithmetic);
  int64_t x = eb.addInput(op.getInput());
  auto attrType = RankedTensorType::get({static_cast<int64_t>(ratios.size())}, b.getF64Type());
  Param factor = eb.addFactorValues(DenseElementsAttr::get(attrType, ArrayRef<double>(ratios)),
                                    ratios);
  return eb.build({op.getType()}, [&](OpBuilder &nb, Location l, ValueRange a) {
    BodyMath m{nb, l, a};
    return SmallVector<Value>{m.mul(factor, a[x])};
  });
}

} // namespace mlir::snn::linalg_lowering
