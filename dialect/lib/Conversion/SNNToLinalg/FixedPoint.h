//===- FixedPoint.h - quantized values as integers --------------*- C++ -*-===//
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
#ifndef SNN_CONVERSION_SNNTOLINALG_FIXEDPOINT_H
#define SNN_CONVERSION_SNNTOLINALG_FIXEDPOINT_H

#include "snn/Dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace mlir::snn::linalg_lowering {

quant::UniformQuantizedType quantOf(Type type);

bool isQuantized(Type type);

/// The type computations run on: a quantized type's storage integer.
Type storageOf(Type type);

/// `v` as its storage integers (a quant.scast, or the value it was cast from).
Value toStorage(OpBuilder &b, Location loc, Value v);

/// Half away from zero, the rounding of every quantized computation.
int64_t roundHalfAway(double value);

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
                        int64_t maxShift = 62);

SmallVector<double> doublesOf(DenseElementsAttr attr);

/// round(p / 2^shift), half away from zero, with logical shifts only (a
/// right shift of a negative value is implementation-defined in C).
Value roundedShift(OpBuilder &b, Location loc, Value p, int64_t shift);

/// scale_in / scale_out of every element (per-channel scales give one ratio
/// per channel).
SmallVector<double> rescaleRatios(RescaleOp op);

/// Convolution, pooling and delay lines have no integer lowering yet; the
/// other ops check that their parameters fit the fixed-point forms.
LogicalResult checkQuantized(Operation *op);

/// The integer arithmetic of a quantized elementwise body: the width of its
/// integers and the bits of its fixed-point multipliers (their shift is at
/// most 30 in 32-bit bodies, 62 in 64-bit ones).
struct IntegerArithmetic {
  unsigned width = 64;
  int64_t multiplierBits = kWideMultiplierBits;
};

/// The policy (snn-choose-integer-arithmetic): narrow where a neuron update
/// qualifies (see kNarrowMultiplierBits), else wide.
IntegerArithmetic chooseNeuronArithmetic(Operation *op);
/// The policy for a rescale of values bounded by `inputBound` (see
/// kNarrowRescaleMinBits).
IntegerArithmetic chooseRescaleArithmetic(RescaleOp op, uint64_t inputBound);

/// The arithmetic chosen for `op` (its arithmetic_width and
/// multiplier_bits), or none.
std::optional<IntegerArithmetic> chosenArithmetic(Operation *op);
/// Records `arithmetic` on `op`.
void setChosenArithmetic(Operation *op, IntegerArithmetic arithmetic);

} // namespace mlir::snn::linalg_lowering

#endif // SNN_CONVERSION_SNNTOLINALG_FIXEDPOINT_H
