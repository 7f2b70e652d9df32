//===- SNNToLinalg.cpp - the reference lowering of snn ops ----------------===//
//
// Each snn op becomes one linalg.generic whose body spells out the op's
// documented formula, in the documented order, in the op's element type. This
// lowering is the correctness baseline: it favours plainness over speed.
//
// Quantized ops compute on their storage integers (quant.scast at the op's
// boundary; strip-func-quant-types and canonicalize remove the casts later).
// Inside an elementwise body every value is widened to i64, or to i32 where
// the narrow-arithmetic rule proves that nothing can overflow it (16-bit
// state; what SIMD units multiply fast); a real factor (decay, gain, a
// rescale ratio) is a fixed-point multiplier M with a shift n,
// x * f = round(x * M / 2^n), rounding half away from zero with logical
// shifts of a biased value (no shift of a negative value); levels
// (threshold, reset, leak) are round(value / scale); results saturate to the
// storage range. The rules are spelled out in docs/quantization.md, and the
// numpy reference implements them independently.
//
//===----------------------------------------------------------------------===//
#include "snn/Conversion/Passes.h"
#include "snn/Dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/ADT/bit.h"

#include <cmath>
#include <cstring>
#include <optional>

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_CONVERTSNNTOLINALG
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;
using namespace mlir::snn;

namespace {

//===----------------------------------------------------------------------===//
// Quantized values
//===----------------------------------------------------------------------===//

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

/// The type computations run on: a quantized type's storage integer.
Type storageOf(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return RankedTensorType::get(tensor.getShape(), storageOf(tensor.getElementType()));
  if (auto q = dyn_cast<quant::QuantizedType>(type))
    return q.getStorageType();
  return type;
}

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

/// `v` as its storage integers (a quant.scast, or the value it was cast from).
Value toStorage(OpBuilder &b, Location loc, Value v) {
  Type storage = storageOf(v.getType());
  if (storage == v.getType())
    return v;
  if (auto cast = v.getDefiningOp<quant::StorageCastOp>())
    if (cast.getInput().getType() == storage)
      return cast.getInput();
  return quant::StorageCastOp::create(b, loc, storage, v);
}

/// Half away from zero, the rounding of every quantized computation.
int64_t roundHalfAway(double value) { return static_cast<int64_t>(std::llround(value)); }

/// Fixed-point form of real factors that share one shift: f_k = M_k / 2^n
/// with n = `bits` - e for the largest |f_k| = m 2^e (m in [0.5, 1)),
/// clamped to [0, maxShift], so |M_k| <= 2^bits. In i64 bodies bits = 30
/// and x * M_k cannot overflow for |x| < 2^33 (factors of 2^30 or more are
/// refused before lowering, checkQuantized); narrow (i32) bodies choose
/// `bits` from the bound of x (kNarrowMultiplierBits, lower(RescaleOp)).
struct FixedPoint {
  SmallVector<int64_t> multipliers;
  int64_t shift = 0;
};

constexpr int64_t kWideMultiplierBits = 30;

/// Narrow arithmetic (i32 bodies; docs/quantization.md). A neuron update
/// qualifies when every quantized value it reads or writes is stored in 16
/// bits or fewer, every factor is at most 1 + 2^-10 in magnitude (exports
/// carry gains of 1 +- 1e-8) and every level at most 2^15. Then every
/// operand of a factor is below 2^16 + 2^7 in magnitude (a state or input,
/// at most 2^15, plus at most one level or one rounded product by such a
/// factor), its multiplier has at most 14 bits, so |x M| < 2^30 + 2^21, and
/// the rounding offset (at most 2^29) keeps the sum below 2^31; the
/// additions in the body stay far below that.
constexpr int64_t kNarrowMultiplierBits = 14;
constexpr double kNarrowFactorLimit = 1.0 + 0x1p-10;
constexpr int64_t kNarrowLevelLimit = int64_t(1) << 15;
/// A narrow rescale of an input bounded by A < 2^k uses multipliers of
/// 30 - k bits (|x M| < 2^30); below this many bits it stays in i64.
constexpr int64_t kNarrowRescaleMinBits = 12;

FixedPoint toFixedPoint(ArrayRef<double> factors, int64_t bits = kWideMultiplierBits,
                        int64_t maxShift = 62) {
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

/// A discretization parameter inside a linalg.generic body: either one
/// constant shared by all neurons, or a per-neuron tensor read through the
/// identity map. On quantized neurons a factor is a fixed-point multiplier
/// (with `shift`) and a level is an integer at the neurons' scale.
class Param {
public:
  /// Values that need no arithmetic: x * 1 and x + 0 are exact, so skipping
  /// them changes no result and saves work.
  bool isSplatOf(double value) const {
    return splat && attr.getSplatValue<APFloat>().convertToDouble() == value;
  }
  DenseElementsAttr attr;
  bool splat = false;
  Value scalar;         // set when splat
  int64_t inputIndex = -1; // block argument index when per neuron
  int64_t shift = 0;    // fixed-point factors only
};

/// Collects the ins of one linalg.generic over a neuron tensor and its
/// parameters, then builds the op. On quantized neurons the generic works on
/// storage integers: inputs are widened to the body's width (i64, or i32
/// under the narrow rule) and results saturated back to their storage type.
class ElementwiseBuilder {
public:
  ElementwiseBuilder(OpBuilder &b, Location loc, RankedTensorType neuronType,
                     unsigned bodyWidth = 64)
      : b(b), loc(loc), neuronType(neuronType), integer(isQuantized(neuronType)),
        levelType(quantOf(neuronType)), bodyWidth(bodyWidth) {}

  bool isInteger() const { return integer; }

  int64_t addInput(Value v, AffineMap map = {}) {
    inputs.push_back(toStorage(b, loc, v));
    inputMaps.push_back(map ? map : b.getMultiDimIdentityMap(neuronType.getRank()));
    return static_cast<int64_t>(inputs.size()) - 1;
  }

  /// A dimensionless factor (decay, gain, scale).
  Param addFactor(DenseElementsAttr attr) {
    if (!integer)
      return addFloat(attr);
    return addFactorValues(attr, doublesOf(attr),
                           bodyWidth == 32 ? kNarrowMultiplierBits : kWideMultiplierBits);
  }

  /// A real factor given as values (a rescale's ratio), with multipliers of
  /// at most `bits` bits.
  Param addFactorValues(DenseElementsAttr attr, ArrayRef<double> values, int64_t bits) {
    FixedPoint fp = toFixedPoint(values, bits, bodyWidth == 32 ? 30 : 62);
    Param p = addIntegers(attr, fp.multipliers);
    p.shift = fp.shift;
    return p;
  }

  /// A membrane level (threshold, reset value, leak): on quantized neurons
  /// round(value / scale).
  Param addLevel(DenseElementsAttr attr) {
    if (!integer)
      return addFloat(attr);
    // Levels belong to neurons, whose state has one scale (the verifiers
    // give neurons per-tensor types only).
    SmallVector<int64_t> levels;
    for (double v : doublesOf(attr))
      levels.push_back(roundHalfAway(v / levelType.getScale()));
    return addIntegers(attr, levels);
  }

  /// Builds the generic with `numResults` outputs of the types given; the
  /// body callback receives the block arguments (ins, then outs) and returns
  /// the values to yield.
  SmallVector<Value>
  build(TypeRange resultTypes,
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

  static Value widen(OpBuilder &nb, Location l, Value v, unsigned width) {
    auto t = dyn_cast<IntegerType>(v.getType());
    if (!t || t.getWidth() >= width)
      return v;
    if (t.getWidth() == 1)
      return arith::ExtUIOp::create(nb, l, nb.getIntegerType(width), v);
    return arith::ExtSIOp::create(nb, l, nb.getIntegerType(width), v);
  }

  /// A body value (i64 or i32) as the result element `type`: quantized
  /// results saturate to their storage range, spikes (0 or 1) are truncated.
  static Value narrow(OpBuilder &nb, Location l, Value v, Type type) {
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

private:
  Param addFloat(DenseElementsAttr attr) {
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

  Param addIntegers(DenseElementsAttr attr, ArrayRef<int64_t> values) {
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
    auto type = RankedTensorType::get({neuronType.getNumElements()}, b.getIntegerType(width));
    SmallVector<APInt> narrow;
    for (int64_t v : values)
      narrow.push_back(APInt(width, static_cast<uint64_t>(v), /*isSigned=*/true));
    addFlatInput(p, DenseElementsAttr::get(type, narrow));
    return p;
  }

  // Flat, read through the row-major position: multi-dimensional constants
  // reach C with flat initializers, which -Wmissing-braces rejects.
  void addFlatInput(Param &p, DenseElementsAttr values) {
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

  OpBuilder &b;
  Location loc;
  RankedTensorType neuronType;
  bool integer;
  quant::UniformQuantizedType levelType;
  unsigned bodyWidth;
  SmallVector<Value> inputs;
  SmallVector<AffineMap> inputMaps;
};

/// Arithmetic in the body of a generic, with exact shortcuts for parameters
/// that are 1 or 0 everywhere. Floats in the element type; quantized values
/// as i64 with fixed-point factors.
struct BodyMath {
  OpBuilder &b;
  Location loc;
  ValueRange args;

  bool isInteger(Value v) const { return isa<IntegerType>(v.getType()); }

  Value param(const Param &p) {
    return p.splat ? p.scalar : args[p.inputIndex];
  }
  Value mul(const Param &p, Value x) {
    if (p.isSplatOf(1.0))
      return x;
    if (!isInteger(x))
      return arith::MulFOp::create(b, loc, param(p), x);
    Value product = arith::MulIOp::create(b, loc, x, param(p));
    return p.shift == 0 ? product : roundedShift(product, p.shift);
  }
  /// round(p / 2^shift), half away from zero, with logical shifts only (a
  /// right shift of a negative value is implementation-defined in C): q =
  /// p + half - [p < 0] is rounded toward minus infinity by the shift, which
  /// gives half away from zero for both signs; biased by 2^(w-1), q is
  /// non-negative as an unsigned w-bit value, so the unsigned shift floors
  /// it, and 2^(w-1-shift) less is the result. Exact whenever q lies in the
  /// signed w-bit range (the bounds that chose w guarantee it). The sign bit
  /// enters by arithmetic, not a select, which compilers may turn into a
  /// branch that random signs mispredict; a division by 2^shift costs SIMD
  /// units several more instructions.
  Value roundedShift(Value p, int64_t shift) {
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
  /// A level times a spike (the delayed reset's threshold * previous spike).
  Value levelTimesSpike(const Param &p, Value spike) {
    if (!isInteger(spike))
      return mul(p, spike);
    return arith::MulIOp::create(b, loc, param(p), spike);
  }
  Value add(Value x, Value y) {
    if (isInteger(x))
      return arith::AddIOp::create(b, loc, x, y);
    return arith::AddFOp::create(b, loc, x, y);
  }
  Value sub(Value x, Value y) {
    if (isInteger(x))
      return arith::SubIOp::create(b, loc, x, y);
    return arith::SubFOp::create(b, loc, x, y);
  }
  Value addParam(Value x, const Param &p) {
    if (p.isSplatOf(0.0))
      return x;
    return add(x, param(p));
  }
  Value compare(CompareMode mode, Value v, const Param &threshold) {
    if (isInteger(v)) {
      auto pred = mode == CompareMode::ge ? arith::CmpIPredicate::sge
                                          : arith::CmpIPredicate::sgt;
      return arith::CmpIOp::create(b, loc, pred, v, param(threshold));
    }
    auto pred = mode == CompareMode::ge ? arith::CmpFPredicate::OGE
                                        : arith::CmpFPredicate::OGT;
    return arith::CmpFOp::create(b, loc, pred, v, param(threshold));
  }
  /// A spike of element type `t` (1 or 0) from a comparison result.
  Value spikeOf(Value fired, Type t) {
    if (auto ft = dyn_cast<FloatType>(t)) {
      Value one = arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, 1.0));
      Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, 0.0));
      return arith::SelectOp::create(b, loc, fired, one, zero);
    }
    if (t == fired.getType()) // i1 spikes are the comparison itself
      return fired;
    return arith::ExtUIOp::create(b, loc, t, fired);
  }
  /// A spike value in the membrane's arithmetic (float, or the i64 it was
  /// widened to).
  Value spikeAsNumber(Value spike, Value membrane) {
    if (isa<FloatType>(spike.getType()) || isInteger(membrane))
      return spike;
    return arith::UIToFPOp::create(b, loc, membrane.getType(), spike);
  }
};

/// The spike/reset half shared by if, lif and cubalif.
struct SpikeParams {
  Param threshold, vReset;
  ResetMode reset;
  CompareMode compare;
  bool multiSpike = false;
  bool spikeFirst = false;
  bool resetBeforeUpdate = false;
  int64_t spikePrevIndex = -1;
};

/// The most spikes one neuron emits in one step under multi_spike. With the
/// lower bound of 0 (which NaN also takes) it keeps the float-to-integer
/// conversion defined in C: it executes for every neuron, fired or not.
constexpr double kMaxSpikesPerStep = 65536.0;

template <typename OpT>
SpikeParams addSpikeParams(ElementwiseBuilder &eb, OpT op) {
  SpikeParams sp;
  sp.reset = op.getReset();
  sp.compare = op.getCompare();
  sp.multiSpike = op.getMultiSpike();
  sp.spikeFirst = op.getSpikeFirst();
  sp.resetBeforeUpdate = op.getResetBeforeUpdate();
  if (op.getSpikePrev())
    sp.spikePrevIndex = eb.addInput(op.getSpikePrev());
  sp.threshold = eb.addLevel(op.getThresholdAttr());
  // Only a reset to value reads v_reset; an unused per-neuron array would
  // reach C as an unused static const (a -Wall warning).
  if (sp.reset == ResetMode::value)
    sp.vReset = eb.addLevel(op.getVResetAttr());
  return sp;
}

/// Given the integrated membrane `u`, yields (v_next, spike).
std::pair<Value, Value> fireAndReset(BodyMath &m, const SpikeParams &sp, Value u,
                                     Type spikeType) {
  auto ft = dyn_cast<FloatType>(u.getType()); // multi_spike: always float
  if (sp.reset == ResetMode::subtract_delayed) {
    Value prev = m.spikeAsNumber(m.args[sp.spikePrevIndex], u);
    u = m.sub(u, m.levelTimesSpike(sp.threshold, prev));
  }
  Value fired = m.compare(sp.compare, u, sp.threshold);
  if (sp.multiSpike) {
    // n = fired ? trunc(r) : 0 with r = u / threshold clamped to [0, cap]:
    // below 0 or NaN (NaN input, 0/0, a negative threshold's negative ratio)
    // give 0, above the cap (and +inf) the cap, computed in i32. The
    // conversion runs for every neuron, so r must be in range whether or
    // not it fired: both sides are clamped before it.
    Value ratio = arith::DivFOp::create(m.b, m.loc, u, m.param(sp.threshold));
    Value cap = arith::ConstantOp::create(m.b, m.loc, m.b.getFloatAttr(ft, kMaxSpikesPerStep));
    Value zero = arith::ConstantOp::create(m.b, m.loc, m.b.getFloatAttr(ft, 0.0));
    Value tooMany = arith::CmpFOp::create(m.b, m.loc, arith::CmpFPredicate::OGT, ratio, cap);
    Value capped = arith::SelectOp::create(m.b, m.loc, tooMany, cap, ratio);
    // Ordered: false for NaN, which therefore becomes 0 too.
    Value notNegative = arith::CmpFOp::create(m.b, m.loc, arith::CmpFPredicate::OGE, ratio, zero);
    Value bounded = arith::SelectOp::create(m.b, m.loc, notNegative, capped, zero);
    Value whole = arith::FPToSIOp::create(m.b, m.loc, m.b.getI32Type(), bounded);
    Value count = arith::SIToFPOp::create(m.b, m.loc, ft, whole);
    Value spikes = arith::SelectOp::create(m.b, m.loc, fired, count, zero);
    Value vNext = u;
    if (sp.reset == ResetMode::value)
      vNext = arith::SelectOp::create(m.b, m.loc, fired, m.param(sp.vReset), u);
    else
      vNext = m.sub(u, arith::MulFOp::create(m.b, m.loc, spikes, m.param(sp.threshold)));
    // The verifier requires float spikes of the membrane's type here.
    return {vNext, spikes};
  }
  Value spike = m.spikeOf(fired, spikeType);
  Value vNext = u;
  if (sp.reset == ResetMode::value)
    vNext = arith::SelectOp::create(m.b, m.loc, fired, m.param(sp.vReset), u);
  else if (sp.reset == ResetMode::subtract)
    vNext = arith::SelectOp::create(m.b, m.loc, fired,
                                    m.sub(u, m.param(sp.threshold)), u);
  return {vNext, spike};
}

Type elementType(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// The reset of a membrane `v` where `fired` (value or subtract).
Value applyReset(BodyMath &m, const SpikeParams &sp, Value fired, Value v) {
  Value reset = sp.reset == ResetMode::value ? m.param(sp.vReset)
                                             : m.sub(v, m.param(sp.threshold));
  return arith::SelectOp::create(m.b, m.loc, fired, reset, v);
}

/// spike_first: the spike from the starting membrane `v`; returns (fired,
/// membrane to integrate from).
std::pair<Value, Value> spikeFirst(BodyMath &m, const SpikeParams &sp, Value v) {
  Value fired = m.compare(sp.compare, v, sp.threshold);
  Value start = sp.resetBeforeUpdate ? applyReset(m, sp, fired, v) : v;
  return {fired, start};
}

/// spike_first: (v_next, spike) once the membrane `u` is integrated.
std::pair<Value, Value> finishSpikeFirst(BodyMath &m, const SpikeParams &sp, Value fired,
                                         Value u, Type spikeType) {
  Value vNext = sp.resetBeforeUpdate ? u : applyReset(m, sp, fired, u);
  return {vNext, m.spikeOf(fired, spikeType)};
}

/// scale_in / scale_out of every element (per-channel scales give one ratio
/// per channel).
SmallVector<double> rescaleRatios(RescaleOp op) {
  SmallVector<double> in = elementScales(op.getInput().getType());
  SmallVector<double> out = elementScales(op.getOutput().getType());
  SmallVector<double> ratios;
  for (auto [a, b] : llvm::zip(in, out))
    ratios.push_back(a / b);
  return ratios;
}

/// A real-valued parameter of an op (an f64 attribute): a level (threshold,
/// reset value, leak: a membrane value, at the state's scale) or a factor.
struct RealParameter {
  StringRef name;
  bool isLevel;
  DenseFPElementsAttr values;
};

SmallVector<RealParameter> realParameters(Operation *op) {
  SmallVector<RealParameter> parameters;
  for (NamedAttribute attr : op->getAttrs()) {
    auto values = dyn_cast<DenseFPElementsAttr>(attr.getValue());
    if (!values)
      continue;
    StringRef name = attr.getName().getValue();
    parameters.push_back({name, name == "threshold" || name == "v_reset" || name == "leak",
                          values});
  }
  return parameters;
}

/// Convolution, pooling and delay lines have no integer lowering yet; the
/// other ops check that their parameters fit the fixed-point forms.
LogicalResult checkQuantized(Operation *op) {
  bool quantized = false;
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    quantized |= isa<quant::QuantizedType>(cast<RankedTensorType>(t).getElementType());
  if (!quantized)
    return success();
  if (isa<Conv2DOp, Pool2DOp, DelayOp>(op))
    return op->emitOpError() << "on quantized types cannot be lowered to linalg yet";
  if (auto rescale = dyn_cast<RescaleOp>(op)) {
    for (double ratio : rescaleRatios(rescale))
      if (!(ratio < 0x1p30))
        return op->emitOpError() << "scale ratio " << ratio
                                 << " is too large for a fixed-point factor (2^30 or more)";
  }
  // Levels are at the scale of the neuron state (every neuron's first
  // result) or, for snn.threshold, of its input.
  auto q = quantOf(op->getResult(0).getType());
  if (!q)
    q = quantOf(op->getOperand(0).getType());
  for (const RealParameter &p : realParameters(op)) {
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

/// The constant behind a weight operand, looking through the storage cast a
/// quantized constant is built with.
bool matchConstantWeights(Value weight, DenseElementsAttr &values) {
  if (auto cast = weight.getDefiningOp<quant::StorageCastOp>())
    weight = cast.getInput();
  return matchPattern(weight, m_Constant(&values));
}

/// 32 where a neuron update qualifies for narrow arithmetic (see
/// kNarrowMultiplierBits), else 64.
unsigned neuronBodyWidth(Operation *op) {
  bool quantized = false;
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    Type elem = cast<RankedTensorType>(t).getElementType();
    if (auto q = dyn_cast<quant::QuantizedType>(elem)) {
      quantized = true;
      elem = q.getStorageType();
    }
    auto integer = dyn_cast<IntegerType>(elem);
    if (!integer || integer.getWidth() > 16)
      return 64;
  }
  auto state = quantOf(op->getResult(0).getType());
  if (!quantized || !state)
    return 64;
  for (const RealParameter &p : realParameters(op)) {
    for (double v : doublesOf(p.values)) {
      if (p.isLevel ? std::abs(roundHalfAway(v / state.getScale())) > kNarrowLevelLimit
                    : !(std::fabs(v) <= kNarrowFactorLimit))
        return 64;
    }
  }
  return 32;
}

/// The largest magnitude `v` can hold: 1 for single spikes (looking through
/// reshapes and storage casts), 2^N - 1 for an unsigned extension of iN (the
/// input as spikes is one of i1), else its storage type's.
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
  auto elem = cast<RankedTensorType>(storageOf(v.getType())).getElementType();
  unsigned width = cast<IntegerType>(elem).getWidth();
  return width == 1 ? 1 : uint64_t(1) << (width - 1);
}

/// The largest |accumulator| of a synapse with constant integer weights (and
/// bias): max over outputs of sum_j |w_ij| * bound(x) + |bias_i|; nullopt
/// when the weights or the bias are not constants.
std::optional<uint64_t> accumulatorBound(LinearOp op) {
  DenseElementsAttr weights, bias;
  if (!matchConstantWeights(op.getWeight(), weights))
    return std::nullopt;
  if (op.getBias() && !matchConstantWeights(op.getBias(), bias))
    return std::nullopt;
  auto wType = op.getWeight().getType();
  int64_t rows = wType.getDimSize(0), cols = wType.getDimSize(1);
  uint64_t inputBound = magnitudeBound(op.getInput());
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

//===----------------------------------------------------------------------===//
// One function per op
//===----------------------------------------------------------------------===//

/// x * w + acc in the accumulator's element type: floats, or (quantized
/// synapses) i32 storage with the input and weight sign-extended (i1 spikes
/// zero-extended). Integer spikes feeding a float synapse count as unsigned.
struct SynapseMath {
  OpBuilder &b;
  Location loc;
  Type acc;

  Value operand(Value v) {
    if (v.getType() == acc)
      return v;
    if (isa<FloatType>(acc))
      return arith::UIToFPOp::create(b, loc, acc, v);
    if (v.getType().isInteger(1))
      return arith::ExtUIOp::create(b, loc, acc, v);
    return arith::ExtSIOp::create(b, loc, acc, v);
  }
  Value add(Value sum, Value w) {
    Value wideW = operand(w);
    if (isa<FloatType>(acc))
      return arith::AddFOp::create(b, loc, sum, wideW);
    return arith::AddIOp::create(b, loc, sum, wideW);
  }
  Value multiplyAdd(Value sum, Value w, Value x) {
    // Named steps: C++ leaves the order of argument evaluation unspecified,
    // and the IR (hence the C) must not depend on the host compiler.
    Value wideW = operand(w);
    Value wideX = operand(x);
    if (isa<FloatType>(acc))
      return arith::AddFOp::create(b, loc, sum, arith::MulFOp::create(b, loc, wideW, wideX));
    return arith::AddIOp::create(b, loc, sum, product(wideW, wideX));
  }
  /// w * x in the accumulator's type. Below 32 bits the product is taken in
  /// i32 and truncated (exact: the accumulator's bound holds it): C promotes
  /// 16-bit operands to int, and the unsigned forms EmitC prints for a
  /// wrapping multiply would overflow int for two negative factors.
  Value product(Value wideW, Value wideX) {
    if (cast<IntegerType>(acc).getWidth() >= 32)
      return arith::MulIOp::create(b, loc, wideW, wideX);
    Type i32 = b.getI32Type();
    Value p = arith::MulIOp::create(b, loc, arith::ExtSIOp::create(b, loc, i32, wideW),
                                    arith::ExtSIOp::create(b, loc, i32, wideX));
    return arith::TruncIOp::create(b, loc, acc, p);
  }
  Value zero() {
    if (isa<FloatType>(acc))
      return arith::ConstantOp::create(b, loc, b.getFloatAttr(acc, 0.0));
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(acc, 0));
  }
};

/// The value the input as spikes was made from: `x` of
/// extui(cmpi sgt x, 0) or uitofp(cmpf ogt x, 0) (the front end's
/// --input-kind spikes); null otherwise.
Value spikeSourceOf(Value input) {
  Operation *conversion = input.getDefiningOp();
  if (!isa_and_nonnull<arith::ExtUIOp, arith::UIToFPOp>(conversion))
    return {};
  Operation *compare = conversion->getOperand(0).getDefiningOp();
  bool positive = false;
  if (auto cmpi = dyn_cast_or_null<arith::CmpIOp>(compare))
    positive = cmpi.getPredicate() == arith::CmpIPredicate::sgt;
  else if (auto cmpf = dyn_cast_or_null<arith::CmpFOp>(compare))
    positive = cmpf.getPredicate() == arith::CmpFPredicate::OGT;
  Value bound = compare ? compare->getOperand(1) : Value();
  if (!positive ||
      (!matchPattern(bound, m_AnyZeroFloat()) && !matchPattern(bound, m_Zero())))
    return {};
  return compare->getOperand(0);
}

/// Runs `addRows(values, k, count)` over the active list 0 .. numActive - 1:
/// four entries at a time (one pass over the accumulators per four active
/// inputs), then the rest one by one; returns the final values.
SmallVector<Value> forActiveRows(
    OpBuilder &b, Location loc, Value numActive, int64_t numInputs, ValueRange init,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange, Value, int)>
        addRows) {
  constexpr int kRowsPerPass = 4;
  Value zeroIndex = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto singlesFrom = [&](Value first, ValueRange values) {
    auto singles = scf::ForOp::create(
        b, loc, first, numActive, one, values,
        [&](OpBuilder &ob, Location ol, Value k, ValueRange partial) {
          scf::YieldOp::create(ob, ol, addRows(ob, ol, partial, k, 1));
        });
    return SmallVector<Value>(singles.getResults());
  };
  if (numInputs < kRowsPerPass) // too few inputs to fill a group
    return singlesFrom(zeroIndex, init);
  // Groups start below numActive - 3 (0 when fewer than four are active:
  // unsigned index arithmetic must not wrap; EmitC has no index division).
  Value four = arith::ConstantIndexOp::create(b, loc, kRowsPerPass);
  Value three = arith::ConstantIndexOp::create(b, loc, kRowsPerPass - 1);
  Value enough = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, numActive, four);
  Value groupBound = arith::SelectOp::create(
      b, loc, enough, arith::SubIOp::create(b, loc, numActive, three), zeroIndex);
  SmallVector<Value> carried(init);
  carried.push_back(zeroIndex);
  auto groups = scf::ForOp::create(
      b, loc, zeroIndex, groupBound, four, carried,
      [&](OpBuilder &ob, Location ol, Value k, ValueRange state) {
        SmallVector<Value> next = addRows(ob, ol, state.drop_back(), k, kRowsPerPass);
        // Counted from the carried value (equal to k), so that the C reads it.
        next.push_back(arith::AddIOp::create(ob, ol, state.back(), four));
        scf::YieldOp::create(ob, ol, next);
      });
  return singlesFrom(groups.getResults().back(), groups.getResults().drop_back());
}

/// Entry k + r of the list of active positions, as an index.
Value activePosition(OpBuilder &b, Location loc, Value active, Value k, int r) {
  Value at = r == 0 ? k
                    : arith::AddIOp::create(b, loc, k, arith::ConstantIndexOp::create(b, loc, r))
                          .getResult();
  Value position = tensor::ExtractOp::create(b, loc, active, ValueRange{at});
  return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), position);
}

/// Rows of int8 weights added without a multiply (every active input is 1)
/// into int16 sums, two weights per 16-bit lane. Weights are stored offset by
/// 128 (unsigned bytes), outputs 2k and 2k + 1 of input j in one lane:
/// p = (w[2k][j] + 128) + 256 (w[2k+1][j] + 128); the same bytes as the int8
/// weights. For every lane, modulo 2^16,
///   total = sum p = sum lo + 256 sum hi,   high = sum (p >> 8) = sum hi,
/// so sum hi = high and sum lo = total - 256 high; less 128 per row added,
/// these are the two outputs' sums. Every value is exact modulo 2^16, and the
/// true sums (with the bias) lie within int16 (the accumulator's bound), so
/// the wrapped results are the sums themselves. Per 16 weights and row: one
/// load, two adds and a shift, where sign-extending the int8 weights to int16
/// first costs more (SSE2 has no instruction for it).
Value lowerPackedRows(OpBuilder &b, Location loc, DenseElementsAttr weights, Value active,
                      Value numActive, Value init) {
  auto wType = weights.getType();
  int64_t rows = wType.getDimSize(0), cols = wType.getDimSize(1), lanes = rows / 2;
  Type i16 = b.getI16Type();
  // Built as raw data (an attribute per element would cost seconds on large
  // layers), in the host's byte order like every dense attribute.
  SmallVector<uint16_t> packed;
  packed.reserve(cols * lanes);
  ArrayRef<char> raw = weights.getRawData();
  auto offsetByte = [&](int64_t i, int64_t j) {
    return static_cast<uint16_t>(static_cast<int8_t>(raw[i * cols + j]) + 128);
  };
  for (int64_t j = 0; j < cols; ++j)
    for (int64_t k = 0; k < lanes; ++k)
      packed.push_back(static_cast<uint16_t>(offsetByte(2 * k, j) | offsetByte(2 * k + 1, j) << 8));
  auto packedType = RankedTensorType::get({cols * lanes}, i16);
  ArrayRef<char> packedBytes(reinterpret_cast<const char *>(packed.data()),
                             packed.size() * sizeof(uint16_t));
  Value packedRows = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::getFromRawBuffer(packedType, packedBytes));
  Value zeroIndex = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value two = arith::ConstantIndexOp::create(b, loc, 2);
  Value numLanes = arith::ConstantIndexOp::create(b, loc, lanes);
  // p >> 8 and p << 8 as a division and a product by 256: C promotes
  // uint16_t to int, and gcc's -Wconversion (with sanitizers on) cannot
  // tell that a shift by a variable amount fits in 16 bits again.
  Value byteBase = arith::ConstantOp::create(b, loc, b.getIntegerAttr(i16, 256));
  Value zeros = linalg::FillOp::create(
                    b, loc, arith::ConstantOp::create(b, loc, b.getIntegerAttr(i16, 0)).getResult(),
                    ValueRange{tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{lanes}, i16)})
                    .getResult(0);
  auto sums = forActiveRows(
      b, loc, numActive, cols, ValueRange{zeros, zeros},
      [&](OpBuilder &ob, Location ol, ValueRange partial, Value k, int count) {
        SmallVector<Value> bases;
        for (int r = 0; r < count; ++r)
          bases.push_back(arith::MulIOp::create(ob, ol, activePosition(ob, ol, active, k, r),
                                                numLanes));
        auto loop = scf::ForOp::create(
            ob, ol, zeroIndex, numLanes, one, partial,
            [&](OpBuilder &ib, Location il, Value lane, ValueRange state) {
              Value total = tensor::ExtractOp::create(ib, il, state[0], ValueRange{lane});
              Value high = tensor::ExtractOp::create(ib, il, state[1], ValueRange{lane});
              Value rowTotal, rowHigh;
              for (Value base : bases) {
                Value at = arith::AddIOp::create(ib, il, base, lane);
                Value p = tensor::ExtractOp::create(ib, il, packedRows, ValueRange{at});
                Value hi = arith::DivUIOp::create(ib, il, p, byteBase);
                rowTotal = rowTotal ? arith::AddIOp::create(ib, il, rowTotal, p).getResult() : p;
                rowHigh = rowHigh ? arith::AddIOp::create(ib, il, rowHigh, hi).getResult() : hi;
              }
              total = arith::AddIOp::create(ib, il, total, rowTotal);
              high = arith::AddIOp::create(ib, il, high, rowHigh);
              scf::YieldOp::create(
                  ib, il,
                  ValueRange{tensor::InsertOp::create(ib, il, total, state[0], ValueRange{lane}),
                             tensor::InsertOp::create(ib, il, high, state[1], ValueRange{lane})});
            });
        return SmallVector<Value>(loop.getResults());
      });
  // 128 per row added, modulo 2^16 (index_cast truncates).
  Value count = arith::IndexCastOp::create(b, loc, i16, numActive);
  Value offset = arith::MulIOp::create(
      b, loc, count, arith::ConstantOp::create(b, loc, b.getIntegerAttr(i16, 128)));
  auto unpack = scf::ForOp::create(
      b, loc, zeroIndex, numLanes, one, ValueRange{init},
      [&](OpBuilder &ob, Location ol, Value lane, ValueRange acc) {
        Value total = tensor::ExtractOp::create(ob, ol, sums[0], ValueRange{lane});
        Value high = tensor::ExtractOp::create(ob, ol, sums[1], ValueRange{lane});
        Value odd = arith::SubIOp::create(ob, ol, high, offset);
        Value even = arith::SubIOp::create(
            ob, ol,
            arith::SubIOp::create(ob, ol, total, arith::MulIOp::create(ob, ol, high, byteBase)),
            offset);
        Value evenAt = arith::MulIOp::create(ob, ol, lane, two);
        Value oddAt = arith::AddIOp::create(ob, ol, evenAt, one);
        Value result = acc[0];
        for (auto [value, at] : {std::pair{even, evenAt}, std::pair{odd, oddAt}}) {
          Value sum = arith::AddIOp::create(
              ob, ol, tensor::ExtractOp::create(ob, ol, result, ValueRange{at}), value);
          result = tensor::InsertOp::create(ob, ol, sum, result, ValueRange{at});
        }
        scf::YieldOp::create(ob, ol, result);
      });
  return unpack.getResult(0);
}

/// The event-driven synapse in two passes. First the positions of the
/// non-zero inputs are gathered, in order, without a branch: every position
/// is written at the current count, and the count advances only for an active
/// input. Then for each active input j, x[j] times row j of the transposed
/// weight (contiguous) is added to every output. The row loop has a constant
/// trip count, which compilers vectorize at -O2. Per output the products
/// arrive in the same order as in the dense form, and the skipped ones are
/// exact zeros, so the result is the same.
///
/// `spikeSource`, when set, is the value the input was made from as spikes
/// (input = x > 0, converted): the scan tests x > 0 on it directly and adds
/// rows without reading the input (every active value is 1, and w * 1 = w).
/// `binaryInput` says the input itself holds only 0 and 1 (single spikes of
/// a neuron): rows are added without reading it either.
///
/// int8 weights summed in int16 (`init` of i16) with an even number of
/// outputs and inputs of 1 take the packed form (lowerPackedRows).
Value lowerEventDriven(OpBuilder &b, LinearOp op, DenseElementsAttr weights, Value input,
                       Value init, Value spikeSource, bool binaryInput) {
  Location loc = op.getLoc();
  auto wType = op.getWeight().getType();
  int64_t rows = wType.getDimSize(0), cols = wType.getDimSize(1);
  // Transposed byte by byte from the raw data (per-element attributes would
  // cost seconds on large layers).
  auto flatType = RankedTensorType::get({rows * cols}, weights.getType().getElementType());
  DenseElementsAttr transposedAttr;
  if (weights.isSplat()) {
    transposedAttr = weights.reshape(flatType);
  } else {
    ArrayRef<char> raw = weights.getRawData();
    size_t width = raw.size() / static_cast<size_t>(rows * cols);
    SmallVector<char> transposed(raw.size());
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t i = 0; i < rows; ++i)
        std::memcpy(&transposed[(j * rows + i) * width], &raw[(i * cols + j) * width], width);
    transposedAttr = DenseElementsAttr::getFromRawBuffer(flatType, transposed);
  }
  Value rowsByInput = arith::ConstantOp::create(b, loc, transposedAttr);
  Value zeroIndex = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value numInputs = arith::ConstantIndexOp::create(b, loc, cols);
  Value numOutputs = arith::ConstantIndexOp::create(b, loc, rows);
  Value scanned = spikeSource ? spikeSource : input;
  Type inElem = cast<RankedTensorType>(scanned.getType()).getElementType();
  Type accElem = cast<RankedTensorType>(init.getType()).getElementType();
  // Positions as the narrowest integer that holds them: this list lives on
  // the stack of the step function.
  Type positionType = b.getIntegerType(cols <= (1 << 15) ? 16 : 32);
  Value positions = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{cols}, positionType);
  auto isActive = [&](OpBuilder &ob, Location ol, Value j) -> Value {
    Value x = tensor::ExtractOp::create(ob, ol, scanned, ValueRange{j});
    if (isa<FloatType>(inElem)) {
      Value zero = arith::ConstantOp::create(ob, ol, ob.getFloatAttr(inElem, 0.0));
      return arith::CmpFOp::create(
          ob, ol, spikeSource ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::UNE, x, zero);
    }
    Value zero = arith::ConstantOp::create(ob, ol, ob.getIntegerAttr(inElem, 0));
    return arith::CmpIOp::create(
        ob, ol, spikeSource ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::ne, x, zero);
  };
  // An integer that is non-zero wherever the input is active, to OR over a
  // block: an integer input itself (all lanes of its own width), a float's
  // x != 0 as an i32 (EmitC has no bit cast). For spikes (x > 0) a negative
  // x also marks its block, which the exact test then skips.
  Type bitsType = isa<FloatType>(inElem) ? b.getI32Type() : inElem;
  auto bitsZero = [&](OpBuilder &ob, Location ol) -> Value {
    return arith::ConstantOp::create(ob, ol, ob.getIntegerAttr(bitsType, 0));
  };
  auto activityBits = [&](OpBuilder &ob, Location ol, Value j) -> Value {
    if (!isa<FloatType>(inElem))
      return tensor::ExtractOp::create(ob, ol, scanned, ValueRange{j});
    Value x = tensor::ExtractOp::create(ob, ol, scanned, ValueRange{j});
    Value zero = arith::ConstantOp::create(ob, ol, ob.getFloatAttr(inElem, 0.0));
    Value nonZero = arith::CmpFOp::create(ob, ol, arith::CmpFPredicate::UNE, x, zero);
    Value one = arith::ConstantOp::create(ob, ol, ob.getIntegerAttr(bitsType, 1));
    return arith::SelectOp::create(ob, ol, nonZero, one, bitsZero(ob, ol));
  };
  // Appends positions first .. first + extent - 1 that are active.
  auto gatherRange = [&](OpBuilder &ob, Location ol, Value first, Value extent,
                         ValueRange state) {
    return scf::ForOp::create(
        ob, ol, zeroIndex, extent, one, state,
        [&](OpBuilder &ib, Location il, Value i, ValueRange partial) {
          Value j = arith::AddIOp::create(ib, il, first, i);
          Value active = isActive(ib, il, j);
          Value position = arith::IndexCastUIOp::create(ib, il, positionType, j);
          Value written =
              tensor::InsertOp::create(ib, il, position, partial[0], ValueRange{partial[1]});
          Value step = arith::SelectOp::create(ib, il, active, one, zeroIndex);
          Value count = arith::AddIOp::create(ib, il, partial[1], step);
          scf::YieldOp::create(ib, il, ValueRange{written, count});
        });
  };
  // Blocks of 16 inputs: a block is gathered only if one of its inputs is
  // active, found by OR-ing the block's activity bits (a reduction compilers
  // vectorize in the input's own width). Sparse input skips most blocks.
  constexpr int64_t kBlock = 16;
  int64_t blocks = cols / kBlock;
  Value blockSize = arith::ConstantIndexOp::create(b, loc, kBlock);
  auto gatherBlocks = scf::ForOp::create(
      b, loc, zeroIndex, arith::ConstantIndexOp::create(b, loc, blocks), one,
      ValueRange{positions, zeroIndex},
      [&](OpBuilder &ob, Location ol, Value block, ValueRange state) {
        Value first = arith::MulIOp::create(ob, ol, block, blockSize);
        auto bits = scf::ForOp::create(
            ob, ol, zeroIndex, blockSize, one, ValueRange{bitsZero(ob, ol)},
            [&](OpBuilder &ib, Location il, Value i, ValueRange partial) {
              Value j = arith::AddIOp::create(ib, il, first, i);
              Value merged = arith::OrIOp::create(ib, il, partial[0], activityBits(ib, il, j));
              scf::YieldOp::create(ib, il, ValueRange{merged});
            });
        Value any = arith::CmpIOp::create(ob, ol, arith::CmpIPredicate::ne, bits.getResult(0),
                                          bitsZero(ob, ol));
        auto gathered = scf::IfOp::create(
            ob, ol, any,
            [&](OpBuilder &tb, Location tl) {
              scf::ForOp steps = gatherRange(tb, tl, first, blockSize, state);
              scf::YieldOp::create(tb, tl, steps.getResults());
              // Sixteen straight-line steps: no counter, compare and branch
              // per input (a third of a step's instructions).
              (void)loopUnrollFull(steps);
            },
            [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, state); });
        scf::YieldOp::create(ob, ol, gathered.getResults());
      });
  // The inputs after the last whole block.
  auto gather = gatherRange(b, loc, arith::ConstantIndexOp::create(b, loc, blocks * kBlock),
                            arith::ConstantIndexOp::create(b, loc, cols - blocks * kBlock),
                            gatherBlocks.getResults());
  Value active = gather.getResult(0), numActive = gather.getResult(1);
  bool unitInputs = spikeSource || binaryInput;
  Type wElem = weights.getType().getElementType();
  if (unitInputs && accElem.isInteger(16) && wElem.isInteger(8) && rows % 2 == 0 &&
      !weights.isSplat())
    return lowerPackedRows(b, loc, weights, active, numActive, init);
  // For every output i, adds row by row: acc[i] += w[base_r + i] * x_r, in
  // the order of the rows. Integer rows whose x are all 1 (`xs` empty) are
  // summed first in a narrow type (four int8 weights fit in int16: twice the
  // lanes of a vector), then added to the accumulator; integer addition is
  // exact, so the order does not matter there.
  auto addRows = [&](OpBuilder &ob, Location ol, Value acc, ArrayRef<Value> bases,
                     ArrayRef<Value> xs) {
    auto loop = scf::ForOp::create(
        ob, ol, zeroIndex, numOutputs, one, ValueRange{acc},
        [&](OpBuilder &ib, Location il, Value i, ValueRange partial) {
          SynapseMath math{ib, il, accElem};
          SmallVector<Value> ws;
          for (Value base : bases) {
            Value at = arith::AddIOp::create(ib, il, base, i);
            ws.push_back(tensor::ExtractOp::create(ib, il, rowsByInput, ValueRange{at}));
          }
          Value sum = tensor::ExtractOp::create(ib, il, partial[0], ValueRange{i});
          if (!xs.empty()) {
            for (auto [w, x] : llvm::zip(ws, xs))
              sum = math.multiplyAdd(sum, w, x);
          } else if (ws.size() == 1 || isa<FloatType>(accElem)) {
            for (Value w : ws)
              sum = math.add(sum, w);
          } else {
            unsigned narrowBits = wElem.getIntOrFloatBitWidth() <= 8 ? 16 : 32;
            SynapseMath narrow{ib, il, ib.getIntegerType(narrowBits)};
            Value rowSum = narrow.operand(ws[0]);
            for (Value w : ArrayRef<Value>(ws).drop_front())
              rowSum = narrow.add(rowSum, w);
            sum = math.add(sum, rowSum);
          }
          Value updated = tensor::InsertOp::create(ib, il, sum, partial[0], ValueRange{i});
          scf::YieldOp::create(ib, il, ValueRange{updated});
        });
    return loop.getResult(0);
  };
  // Rows k .. k + count - 1 of the active list: their bases and (unless
  // every active input is 1, as for spikes) their inputs.
  auto rowsAt = [&](OpBuilder &ob, Location ol, Value k, int count,
                    SmallVector<Value> &bases, SmallVector<Value> &xs) {
    SynapseMath math{ob, ol, accElem};
    for (int r = 0; r < count; ++r) {
      Value j = activePosition(ob, ol, active, k, r);
      if (!unitInputs)
        xs.push_back(math.operand(tensor::ExtractOp::create(ob, ol, input, ValueRange{j})));
      bases.push_back(arith::MulIOp::create(ob, ol, j, numOutputs));
    }
  };
  // Adds `count` rows starting at k: floats as they are; integers without a
  // multiply when every x is 1 (spikes; a 32-bit vector multiply is slow or
  // missing on many targets, SSE2 among them), x * w = w, so the result is
  // the same.
  auto addActive = [&](OpBuilder &ob, Location ol, Value acc, Value k, int count) -> Value {
    SmallVector<Value> bases, xs;
    rowsAt(ob, ol, k, count, bases, xs);
    if (unitInputs)
      return addRows(ob, ol, acc, bases, {});
    if (isa<FloatType>(accElem))
      return addRows(ob, ol, acc, bases, xs);
    Value oneX = arith::ConstantOp::create(ob, ol, ob.getIntegerAttr(accElem, 1));
    Value allOne;
    for (Value x : xs) {
      Value isOne = arith::CmpIOp::create(ob, ol, arith::CmpIPredicate::eq, x, oneX);
      allOne = allOne ? arith::AndIOp::create(ob, ol, allOne, isOne).getResult() : isOne;
    }
    auto branch = scf::IfOp::create(
        ob, ol, allOne,
        [&](OpBuilder &tb, Location tl) {
          scf::YieldOp::create(tb, tl, addRows(tb, tl, acc, bases, {}));
        },
        [&](OpBuilder &eb, Location el) {
          scf::YieldOp::create(eb, el, addRows(eb, el, acc, bases, xs));
        });
    return branch.getResult(0);
  };
  return forActiveRows(b, loc, numActive, cols, ValueRange{init},
                       [&](OpBuilder &ob, Location ol, ValueRange acc, Value k, int count) {
                         return SmallVector<Value>{addActive(ob, ol, acc[0], k, count)};
                       })[0];
}

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

/// `accumulatorLimit`: a bound on |every partial sum| of a quantized synapse
/// (accumulatorBound, taken before its producers were lowered), or 0. Below
/// 2^15 the sums run in i16 (twice the lanes of i32; exact, as no partial
/// sum, in any order, can leave the range) and the result is sign-extended
/// to the declared i32 accumulator.
SmallVector<Value> lower(OpBuilder &b, LinearOp op, uint64_t accumulatorLimit,
                         bool binaryInput) {
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
  if (op.getEventDriven() && matchConstantWeights(op.getWeight(), constantWeights))
    return {declared(lowerEventDriven(b, op, constantWeights, input, init,
                                      spikeSourceOf(input), binaryInput))};
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

/// result = round(input * scale_in / scale_out), saturated: one fixed-point
/// factor. Narrow (i32, multipliers of 30 - k bits) when the input is
/// bounded by 2^k with 30 - k >= kNarrowRescaleMinBits, the ratios are below
/// 2^(30 - k) and the result is stored in 16 bits or fewer; else i64.
SmallVector<Value> lower(OpBuilder &b, RescaleOp op, uint64_t inputBound) {
  auto inType = op.getInput().getType();
  SmallVector<double> ratios = rescaleRatios(op);
  if (llvm::all_equal(ratios))
    ratios.resize(1);
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
  ElementwiseBuilder eb(b, op.getLoc(), inType, narrow ? 32 : 64);
  int64_t x = eb.addInput(op.getInput());
  auto attrType = RankedTensorType::get({static_cast<int64_t>(ratios.size())}, b.getF64Type());
  Param factor = eb.addFactorValues(DenseElementsAttr::get(attrType, ArrayRef<double>(ratios)),
                                    ratios, narrow ? multiplierBits : kWideMultiplierBits);
  return eb.build({op.getType()}, [&](OpBuilder &nb, Location l, ValueRange a) {
    BodyMath m{nb, l, a};
    return SmallVector<Value>{m.mul(factor, a[x])};
  });
}

/// Strides or dilations as the i64 vector attribute linalg's named ops take.
DenseIntElementsAttr namedOpAttr(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getI64Type()),
      values);
}

/// The input as floats of `elem`, zero-padded by `padding` on both sides of
/// the two spatial dimensions: [C, H + 2 ph, W + 2 pw]. A copy that reads the
/// input where the position falls inside it (unsigned index compares, so no
/// negative index is ever formed) and zero elsewhere.
Value padAndConvert(OpBuilder &b, Location loc, Value input, FloatType elem,
                    ArrayRef<int64_t> padding) {
  auto type = cast<RankedTensorType>(input.getType());
  bool isFloat = type.getElementType() == elem;
  if (isFloat && padding[0] == 0 && padding[1] == 0)
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
        if (!isFloat)
          element = arith::UIToFPOp::create(nb, nloc, elem, element);
        Value zero = arith::ConstantOp::create(nb, nloc, nb.getFloatAttr(elem, 0.0));
        linalg::YieldOp::create(nb, nloc,
                                ValueRange{arith::SelectOp::create(nb, nloc, inside,
                                                                   element, zero)});
      });
  return copy.getResult(0);
}

/// The convolution is the loop nest of linalg.conv_2d_nchw_fchw (output
/// position outer, then c, kh, kw as reductions) written as a linalg.generic,
/// because the weight is read flat: EmitC prints a multi-dimensional constant
/// with a flat initializer, which -Wmissing-braces rejects, while the named
/// op insists on a 4-D weight.
SmallVector<Value> lower(OpBuilder &b, Conv2DOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto wType = op.getWeight().getType();
  auto outType = op.getOutput().getType();
  auto elem = cast<FloatType>(outType.getElementType());
  int64_t filters = wType.getDimSize(0), channels = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  Value padded = padAndConvert(b, loc, op.getInput(), elem, op.getPadding());
  Value flatWeight = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({filters * channels * kh * kw}, elem), op.getWeight(),
      ArrayRef<ReassociationIndices>{{0, 1, 2, 3}});
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
               b, loc, TypeRange{outType}, ValueRange{bias}, ValueRange{empty},
               SmallVector<AffineMap>{biasMap, b.getMultiDimIdentityMap(3)},
               SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
               [](OpBuilder &nb, Location nloc, ValueRange args) {
                 linalg::YieldOp::create(nb, nloc, args[0]);
               })
               .getResult(0);
  } else {
    Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(elem, 0.0));
    init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  }
  // The window's extent, as linalg.pooling ops take it: a tensor that is never
  // read (its loads vanish with the unused block argument) but gives the
  // loops (c, kh, kw) their bounds.
  Value window = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{channels, kh, kw}, elem);
  AffineMap windowMap = AffineMap::get(6, 0, {d(3), d(4), d(5)}, ctx);
  auto parallel = utils::IteratorType::parallel, reduction = utils::IteratorType::reduction;
  auto conv = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{padded, flatWeight, window}, ValueRange{init},
      SmallVector<AffineMap>{inputMap, weightMap, windowMap, outMap},
      SmallVector<utils::IteratorType>{parallel, parallel, parallel, reduction, reduction,
                                       reduction},
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        Value product = arith::MulFOp::create(nb, nloc, args[1], args[0]);
        linalg::YieldOp::create(nb, nloc,
                                ValueRange{arith::AddFOp::create(nb, nloc, args[3], product)});
      });
  return {conv.getResult(0)};
}

SmallVector<Value> lower(OpBuilder &b, Pool2DOp op) {
  Location loc = op.getLoc();
  auto inType = op.getInput().getType();
  auto outType = op.getOutput().getType();
  auto elem = cast<FloatType>(outType.getElementType());
  Value input = padAndConvert(b, loc, op.getInput(), elem, {0, 0});
  int64_t c = inType.getDimSize(0);
  Value batched = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({1, c, inType.getDimSize(1), inType.getDimSize(2)}, elem),
      input, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
  auto accType =
      RankedTensorType::get({1, c, outType.getDimSize(1), outType.getDimSize(2)}, elem);
  Value empty = tensor::EmptyOp::create(b, loc, accType.getShape(), elem);
  Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(elem, 0.0));
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
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

SmallVector<Value> lower(OpBuilder &b, ThresholdOp op) {
  ElementwiseBuilder eb(b, op.getLoc(), op.getInput().getType());
  int64_t x = eb.addInput(op.getInput());
  Param threshold = eb.addLevel(op.getThresholdAttr());
  Type spikeType = elementType(op.getOutput());
  return eb.build({op.getType()}, [&](OpBuilder &nb, Location l, ValueRange a) {
    BodyMath m{nb, l, a};
    return SmallVector<Value>{
        m.spikeOf(m.compare(op.getCompare(), a[x], threshold), spikeType)};
  });
}

SmallVector<Value> lower(OpBuilder &b, IntegratorOp op) {
  ElementwiseBuilder eb(b, op.getLoc(), op.getV().getType(), neuronBodyWidth(op));
  int64_t x = eb.addInput(op.getInput()), v = eb.addInput(op.getV());
  Param gain = eb.addFactor(op.getGainAttr());
  return eb.build({op.getV().getType()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    BodyMath m{nb, l, a};
                    return SmallVector<Value>{m.add(a[v], m.mul(gain, a[x]))};
                  });
}

SmallVector<Value> lower(OpBuilder &b, LIOp op) {
  ElementwiseBuilder eb(b, op.getLoc(), op.getV().getType(), neuronBodyWidth(op));
  int64_t x = eb.addInput(op.getInput()), v = eb.addInput(op.getV());
  Param decay = eb.addFactor(op.getDecayAttr()), gain = eb.addFactor(op.getGainAttr()),
        leak = eb.addLevel(op.getLeakAttr());
  return eb.build({op.getV().getType()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    BodyMath m{nb, l, a};
                    Value decayed = m.mul(decay, a[v]);
                    Value driven = m.mul(gain, a[x]);
                    return SmallVector<Value>{m.addParam(m.add(decayed, driven), leak)};
                  });
}

SmallVector<Value> lower(OpBuilder &b, IFOp op) {
  ElementwiseBuilder eb(b, op.getLoc(), op.getV().getType(), neuronBodyWidth(op));
  int64_t x = eb.addInput(op.getInput()), v = eb.addInput(op.getV());
  Param gain = eb.addFactor(op.getGainAttr());
  SpikeParams sp = addSpikeParams(eb, op);
  Type spikeType = elementType(op.getSpike());
  return eb.build({op.getV().getType(), op.getSpike().getType()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    BodyMath m{nb, l, a};
                    if (sp.spikeFirst) {
                      auto [fired, start] = spikeFirst(m, sp, a[v]);
                      Value u = m.add(start, m.mul(gain, a[x]));
                      auto [vNext, spike] = finishSpikeFirst(m, sp, fired, u, spikeType);
                      return SmallVector<Value>{vNext, spike};
                    }
                    Value u = m.add(a[v], m.mul(gain, a[x]));
                    auto [vNext, spike] = fireAndReset(m, sp, u, spikeType);
                    return SmallVector<Value>{vNext, spike};
                  });
}

SmallVector<Value> lower(OpBuilder &b, LIFOp op) {
  ElementwiseBuilder eb(b, op.getLoc(), op.getV().getType(), neuronBodyWidth(op));
  int64_t x = eb.addInput(op.getInput()), v = eb.addInput(op.getV());
  Param decay = eb.addFactor(op.getDecayAttr()), gain = eb.addFactor(op.getGainAttr()),
        leak = eb.addLevel(op.getLeakAttr());
  SpikeParams sp = addSpikeParams(eb, op);
  Type spikeType = elementType(op.getSpike());
  return eb.build({op.getV().getType(), op.getSpike().getType()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    BodyMath m{nb, l, a};
                    if (sp.spikeFirst) {
                      auto [fired, start] = spikeFirst(m, sp, a[v]);
                      Value decayed = m.mul(decay, start);
                      Value driven = m.mul(gain, a[x]);
                      Value u = m.addParam(m.add(decayed, driven), leak);
                      auto [vNext, spike] = finishSpikeFirst(m, sp, fired, u, spikeType);
                      return SmallVector<Value>{vNext, spike};
                    }
                    Value decayed = m.mul(decay, a[v]);
                    Value driven = m.mul(gain, a[x]);
                    Value u = m.addParam(m.add(decayed, driven), leak);
                    auto [vNext, spike] = fireAndReset(m, sp, u, spikeType);
                    return SmallVector<Value>{vNext, spike};
                  });
}

/// The synaptic-current and membrane update shared by cubali and cubalif;
/// returns (i_syn_next, u).
struct CubaParams {
  int64_t x, i, v;
  Param synDecay, synGain, decay, gain, leak;
  bool voltageFirst;
  bool addThenDecay;
  bool seesJoined;
};

template <typename OpT>
CubaParams addCubaParams(ElementwiseBuilder &eb, OpT op) {
  CubaParams c;
  c.x = eb.addInput(op.getInput());
  c.i = eb.addInput(op.getISyn());
  c.v = eb.addInput(op.getV());
  c.synDecay = eb.addFactor(op.getSynDecayAttr());
  c.synGain = eb.addFactor(op.getSynGainAttr());
  c.decay = eb.addFactor(op.getDecayAttr());
  c.gain = eb.addFactor(op.getGainAttr());
  c.leak = eb.addLevel(op.getLeakAttr());
  c.voltageFirst = op.getVoltageFirst();
  c.addThenDecay = op.getAddThenDecay();
  c.seesJoined = op.getMembraneSeesJoined();
  return c;
}

std::pair<Value, Value> cubaUpdate(BodyMath &m, const CubaParams &c, Value vStart = {}) {
  // Named steps: C++ leaves the order of nested calls unspecified, and the IR
  // should list the operations in the documented order.
  Value iNext, joined;
  if (c.addThenDecay) {
    joined = m.add(m.args[c.i], m.mul(c.synGain, m.args[c.x]));
    iNext = m.mul(c.synDecay, joined);
  } else {
    Value synDecayed = m.mul(c.synDecay, m.args[c.i]);
    Value synDriven = m.mul(c.synGain, m.args[c.x]);
    iNext = m.add(synDecayed, synDriven);
  }
  Value iUsed = c.voltageFirst ? m.args[c.i] : c.seesJoined ? joined : iNext;
  Value decayed = m.mul(c.decay, vStart ? vStart : m.args[c.v]);
  Value driven = m.mul(c.gain, iUsed);
  Value u = m.addParam(m.add(decayed, driven), c.leak);
  return {iNext, u};
}

SmallVector<Value> lower(OpBuilder &b, CubaLIOp op) {
  ElementwiseBuilder eb(b, op.getLoc(), op.getV().getType(), neuronBodyWidth(op));
  CubaParams c = addCubaParams(eb, op);
  return eb.build({op.getISyn().getType(), op.getV().getType()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    BodyMath m{nb, l, a};
                    auto [iNext, u] = cubaUpdate(m, c);
                    return SmallVector<Value>{iNext, u};
                  });
}

SmallVector<Value> lower(OpBuilder &b, CubaLIFOp op) {
  ElementwiseBuilder eb(b, op.getLoc(), op.getV().getType(), neuronBodyWidth(op));
  CubaParams c = addCubaParams(eb, op);
  SpikeParams sp = addSpikeParams(eb, op);
  Type spikeType = elementType(op.getSpike());
  return eb.build({op.getISyn().getType(), op.getV().getType(),
                   op.getSpike().getType()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    BodyMath m{nb, l, a};
                    if (sp.spikeFirst) {
                      auto [fired, start] = spikeFirst(m, sp, a[c.v]);
                      auto [iNext, u] = cubaUpdate(m, c, start);
                      auto [vNext, spike] = finishSpikeFirst(m, sp, fired, u, spikeType);
                      return SmallVector<Value>{iNext, vNext, spike};
                    }
                    auto [iNext, u] = cubaUpdate(m, c);
                    auto [vNext, spike] = fireAndReset(m, sp, u, spikeType);
                    return SmallVector<Value>{iNext, vNext, spike};
                  });
}

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

struct ConvertSNNToLinalgPass
    : public snn::impl::ConvertSNNToLinalgBase<ConvertSNNToLinalgPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<SNNDialect>(op->getDialect()))
        ops.push_back(op);
    });
    // A rescale's input bound is read before its producer is lowered (the
    // constant weights are out of sight afterwards).
    DenseMap<Operation *, uint64_t> rescaleInputBounds, accumulatorLimits;
    // Synapses fed by single spikes (0 or 1), known only before the neuron
    // that makes them is lowered.
    DenseSet<Operation *> binaryInputs;
    for (Operation *op : ops) {
      if (auto linear = dyn_cast<LinearOp>(op); linear && isQuantized(linear.getType()))
        accumulatorLimits[op] = accumulatorBound(linear).value_or(0);
      if (auto linear = dyn_cast<LinearOp>(op); linear && isSingleSpikeResult(linear.getInput()))
        binaryInputs.insert(op);
      auto rescale = dyn_cast<RescaleOp>(op);
      if (!rescale)
        continue;
      std::optional<uint64_t> bound;
      if (auto linear = rescale.getInput().getDefiningOp<LinearOp>())
        bound = accumulatorBound(linear);
      rescaleInputBounds[op] = bound ? *bound : magnitudeBound(rescale.getInput());
    }
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      if (failed(checkQuantized(op)))
        return signalPassFailure();
      if (auto conv = dyn_cast<Conv2DOp>(op); conv && conv.getGroups() != 1) {
        op->emitOpError() << "with groups > 1 cannot be lowered to linalg yet";
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      SmallVector<Value> replacements =
          llvm::TypeSwitch<Operation *, SmallVector<Value>>(op)
              .Case<Conv2DOp, Pool2DOp, DelayOp, SumOp, ScaleOp, ThresholdOp, IntegratorOp,
                    LIOp, IFOp, LIFOp, CubaLIOp, CubaLIFOp>(
                  [&](auto typed) { return lower(rewriter, typed); })
              .Case<LinearOp>([&](LinearOp linear) {
                return lower(rewriter, linear, accumulatorLimits.lookup(op),
                             binaryInputs.contains(op));
              })
              .Case<RescaleOp>([&](RescaleOp rescale) {
                return lower(rewriter, rescale, rescaleInputBounds.lookup(op));
              })
              .Default([](Operation *) { return SmallVector<Value>(); });
      if (replacements.empty()) {
        op->emitOpError() << "has no lowering to linalg";
        return signalPassFailure();
      }
      // Integer results go back to the op's quantized types for its users.
      for (auto [value, old] : llvm::zip(replacements, op->getResults()))
        if (value.getType() != old.getType())
          value = quant::StorageCastOp::create(rewriter, op->getLoc(), old.getType(), value);
      rewriter.replaceOp(op, replacements);
    }
    SmallVector<Operation *> reshapes;
    getOperation().walk([&](Operation *op) {
      if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
        reshapes.push_back(op);
    });
    for (Operation *op : reshapes) {
      LogicalResult result =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
                  [&](auto typed) { return lowerReshape(rewriter, typed); });
      if (failed(result))
        return signalPassFailure();
    }
  }
};

} // namespace
