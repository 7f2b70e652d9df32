//===- FixedPoint.cpp - quantized values as integers ----------------------===//
//
// The storage integers of quantized values, the fixed-point form of real
// factors and its rounding shift, and the checks that choose i64 or narrow
// (i32) arithmetic for an op. The rules are summed up in FixedPoint.h.
//
//===----------------------------------------------------------------------===//
#include "FixedPoint.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"

#include "llvm/ADT/bit.h"

#include <cmath>

namespace mlir::snn::linalg_lowering {
namespace {

/// The scale of every element of a quantized tensor, row-major: one scale, or
/// one per index along the quantized dimension (per-channel types).
SmallVector<double> elementScales(RankedTensorType type) {
  int64_t n = type.getNumElements();
  if (auto q = dyn_cast<quant::UniformQuantizedType>(type.getElementType()))
    return SmallVector<double>(n, q.getScale());
  auto q = cast<quant::UniformQuantizedPerAxisType>(type.getElementType());
  ArrayRef<double> scales = q.getScales();
  int32_t axis = q.getQuantizedDimension();
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= type.getDimSize(d);
  SmallVector<double> result;
  for (int64_t i = 0; i < n; ++i)
    result.push_back(scales[(i / inner) % type.getDimSize(axis)]);
  return result;
}

/// The op's real parameters (none for ops without ParameterizedOpInterface)
/// and the quantized type of the neurons they belong to, whose scale levels
/// are at (null for float neurons).
std::pair<SmallVector<RealParameter>, quant::UniformQuantizedType>
realParameters(Operation *op) {
  auto parameterized = dyn_cast<ParameterizedOpInterface>(op);
  if (!parameterized)
    return {};
  return {parameterized.getRealParameters(), quantOf(parameterized.getNeurons().getType())};
}

} // namespace

quant::UniformQuantizedType quantOf(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    type = tensor.getElementType();
  return dyn_cast<quant::UniformQuantizedType>(type);
}

bool isQuantized(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    type = tensor.getElementType();
  return isa<quant::QuantizedType>(type);
}

Type storageOf(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return RankedTensorType::get(tensor.getShape(), storageOf(tensor.getElementType()));
  if (auto q = dyn_cast<quant::QuantizedType>(type))
    return q.getStorageType();
  return type;
}

Value toStorage(OpBuilder &b, Location loc, Value v) {
  Type storage = storageOf(v.getType());
  if (storage == v.getType())
    return v;
  if (auto cast = v.getDefiningOp<quant::StorageCastOp>())
    if (cast.getInput().getType() == storage)
      return cast.getInput();
  return quant::StorageCastOp::create(b, loc, storage, v);
}

int64_t roundHalfAway(double value) { return static_cast<int64_t>(std::llround(value)); }

FixedPoint toFixedPoint(ArrayRef<double> factors, int64_t bits, int64_t maxShift) {
  FixedPoint fp;
  double largest = 0;
  for (double f : factors)
    largest = std::max(largest, std::fabs(f));
  if (largest == 0) {
    fp.multipliers.assign(factors.size(), 0);
    return fp;
  }
  int exponent = 0;
  std::frexp(largest, &exponent);
  fp.shift = std::clamp<int64_t>(bits - exponent, 0, maxShift);
  for (double f : factors)
    fp.multipliers.push_back(roundHalfAway(std::ldexp(f, static_cast<int>(fp.shift))));
  return fp;
}

SmallVector<double> doublesOf(DenseElementsAttr attr) {
  SmallVector<double> values;
  for (APFloat v : attr.getValues<APFloat>())
    values.push_back(v.convertToDouble());
  return values;
}

// q = p + half - [p < 0] is rounded toward minus infinity by the shift, which
// gives half away from zero for both signs; biased by 2^(w-1), q is
// non-negative as an unsigned w-bit value, so the unsigned shift floors
// it, and 2^(w-1-shift) less is the result. Exact whenever q lies in the
// signed w-bit range (the bounds that chose w guarantee it). The sign bit
// enters by arithmetic, not a select, which compilers may turn into a
// branch that random signs mispredict; a division by 2^shift costs SIMD
// units several more instructions.
Value roundedShift(OpBuilder &b, Location loc, Value p, int64_t shift) {
  unsigned width = cast<IntegerType>(p.getType()).getWidth();
  auto constant = [&](const APInt &value) -> Value {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(p.getType(), value));
  };
  APInt signBias = APInt::getSignedMinValue(width);
  APInt half = APInt::getOneBitSet(width, static_cast<unsigned>(shift - 1));
  Value negative = arith::ShRUIOp::create(b, loc, p, constant(APInt(width, width - 1)));
  Value biased = arith::SubIOp::create(
      b, loc, arith::AddIOp::create(b, loc, p, constant(signBias + half)), negative);
  Value floored = arith::ShRUIOp::create(b, loc, biased, constant(APInt(width, shift)));
  return arith::SubIOp::create(b, loc, floored, constant(signBias.lshr(shift)));
}

SmallVector<double> rescaleRatios(RescaleOp op) {
  SmallVector<double> in = elementScales(op.getInput().getType());
  SmallVector<double> out = elementScales(op.getOutput().getType());
  SmallVector<double> ratios;
  for (auto [a, b] : llvm::zip(in, out))
    ratios.push_back(a / b);
  return ratios;
}

LogicalResult checkQuantized(Operation *op) {
  bool quantized = false;
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    quantized |= isa<quant::QuantizedType>(cast<RankedTensorType>(t).getElementType());
  if (!quantized)
    return success();
  if (isa<Pool2DOp, DelayOp>(op))
    return op->emitOpError() << "on quantized types cannot be lowered to linalg yet";
  if (isa<NeuronOpInterface, RescaleOp>(op) && !chosenArithmetic(op))
    return op->emitOpError() << "on quantized types needs its integer arithmetic chosen "
                                "(arithmetic_width, multiplier_bits): run "
                                "snn-choose-integer-arithmetic first";
  if (auto rescale = dyn_cast<RescaleOp>(op)) {
    for (double ratio : rescaleRatios(rescale))
      if (!(ratio < 0x1p30))
        return op->emitOpError() << "scale ratio " << ratio
                                 << " is too large for a fixed-point factor (2^30 or more)";
  }
  // Levels are at the scale of the neurons' state.
  auto [parameters, q] = realParameters(op);
  for (const RealParameter &p : parameters) {
    for (double v : doublesOf(p.values)) {
      double limit = p.isLevel ? 0x1p62 : 0x1p30;
      double magnitude = p.isLevel && q ? std::fabs(v / q.getScale()) : std::fabs(v);
      if (!(magnitude < limit))
        return op->emitOpError() << "parameter '" << p.name << "' value " << v
                                 << (p.isLevel ? " is out of range at the membrane's scale"
                                               : " is too large for a fixed-point factor (2^30 or more)");
    }
  }
  return success();
}

IntegerArithmetic chooseNeuronArithmetic(Operation *op) {
  const IntegerArithmetic wide{64, kWideMultiplierBits};
  bool quantized = false;
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    Type elem = cast<RankedTensorType>(t).getElementType();
    if (auto q = dyn_cast<quant::QuantizedType>(elem)) {
      quantized = true;
      elem = q.getStorageType();
    }
    auto integer = dyn_cast<IntegerType>(elem);
    if (!integer || integer.getWidth() > 16)
      return wide;
  }
  auto [parameters, state] = realParameters(op);
  if (!quantized || !state)
    return wide;
  for (const RealParameter &p : parameters) {
    for (double v : doublesOf(p.values)) {
      if (p.isLevel ? std::abs(roundHalfAway(v / state.getScale())) > kNarrowLevelLimit
                    : !(std::fabs(v) <= kNarrowFactorLimit))
        return wide;
    }
  }
  return {32, kNarrowMultiplierBits};
}

IntegerArithmetic chooseRescaleArithmetic(RescaleOp op, uint64_t inputBound) {
  SmallVector<double> ratios = rescaleRatios(op);
  int64_t multiplierBits = 30 - static_cast<int64_t>(llvm::bit_width(inputBound));
  double largest = 0;
  for (double r : ratios)
    largest = std::max(largest, std::fabs(r));
  int exponent = 0;
  std::frexp(largest, &exponent);
  auto outStorage = cast<IntegerType>(
      cast<RankedTensorType>(storageOf(op.getType())).getElementType());
  bool narrow = multiplierBits >= kNarrowRescaleMinBits && exponent <= multiplierBits &&
                outStorage.getWidth() <= 16;
  if (narrow)
    return {32, multiplierBits};
  return {64, kWideMultiplierBits};
}

std::optional<IntegerArithmetic> chosenArithmetic(Operation *op) {
  auto width = op->getAttrOfType<IntegerAttr>("arithmetic_width");
  auto bits = op->getAttrOfType<IntegerAttr>("multiplier_bits");
  if (!width || !bits)
    return std::nullopt;
  return IntegerArithmetic{static_cast<unsigned>(width.getInt()), bits.getInt()};
}

void setChosenArithmetic(Operation *op, IntegerArithmetic arithmetic) {
  Builder b(op->getContext());
  op->setAttr("arithmetic_width", b.getI64IntegerAttr(arithmetic.width));
  op->setAttr("multiplier_bits", b.getI64IntegerAttr(arithmetic.multiplierBits));
}

} // namespace mlir::snn::linalg_lowering
