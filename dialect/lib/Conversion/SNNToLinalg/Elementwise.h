//===- Elementwise.h - one linalg.generic per element -----------*- C++ -*-===//
//
// The builder behind every elementwise lowering (neurons, sums, scales,
// rescales, average pooling's division): the ins of one linalg.generic over
// a tensor, its discretization parameters as constants or per-element
// tensors, and the arithmetic of its body in floats or fixed point.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_CONVERSION_SNNTOLINALG_ELEMENTWISE_H
#define SNN_CONVERSION_SNNTOLINALG_ELEMENTWISE_H

#include "FixedPoint.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace mlir::snn::linalg_lowering {

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
  /// `arithmetic`: of the integer body of a quantized op (the chosen one of
  /// a neuron update or rescale; 64 bits with 30-bit multipliers by default).
  ElementwiseBuilder(OpBuilder &b, Location loc, RankedTensorType neuronType,
                     IntegerArithmetic arithmetic = {})
      : b(b), loc(loc), neuronType(neuronType), integer(isQuantized(neuronType)),
        levelType(quantOf(neuronType)), bodyWidth(arithmetic.width),
        multiplierBits(arithmetic.multiplierBits) {}

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
    return addFactorValues(attr, doublesOf(attr));
  }

  /// A real factor given as values (a rescale's ratio).
  Param addFactorValues(DenseElementsAttr attr, ArrayRef<double> values) {
    FixedPoint fp = toFixedPoint(values, multiplierBits, bodyWidth == 32 ? 30 : 62);
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
        function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body);

private:
  Param addFloat(DenseElementsAttr attr);

  Param addIntegers(DenseElementsAttr attr, ArrayRef<int64_t> values);

  // Flat, read through the row-major position: multi-dimensional constants
  // reach C with flat initializers, which -Wmissing-braces rejects.
  void addFlatInput(Param &p, DenseElementsAttr values);

  OpBuilder &b;
  Location loc;
  RankedTensorType neuronType;
  bool integer;
  quant::UniformQuantizedType levelType;
  unsigned bodyWidth;
  int64_t multiplierBits;
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
    return p.shift == 0 ? product : roundedShift(b, loc, product, p.shift);
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

} // namespace mlir::snn::linalg_lowering

#endif // SNN_CONVERSION_SNNTOLINALG_ELEMENTWISE_H
