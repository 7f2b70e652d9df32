//===- Synapses.h - the arithmetic of snn.linear ----------------*- C++ -*-===//
//
// What the reference (Synapses.cpp) and the event-driven
// (EventDrivenSynapses.cpp) lowerings of snn.linear share: the bounds that
// choose the accumulator's type, the multiply-add in that type, and the entry
// to the event-driven kernels.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_CONVERSION_SNNTOLINALG_SYNAPSES_H
#define SNN_CONVERSION_SNNTOLINALG_SYNAPSES_H

#include "snn/Dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <optional>

namespace mlir::snn::linalg_lowering {

/// The constant behind a weight operand, looking through the storage cast a
/// quantized constant is built with.
bool matchConstantWeights(Value weight, DenseElementsAttr &values);

/// The largest magnitude `v` can hold: 1 for single spikes (looking through
/// reshapes and storage casts), 2^N - 1 for an unsigned extension of iN (the
/// input as spikes is one of i1), a window's worth of the input's bound for
/// an integer sum pooling, else its storage type's.
uint64_t magnitudeBound(Value v);

/// The largest |accumulator| of a synapse with constant integer weights (and
/// bias): max over outputs of sum_j |w_ij| * bound(x) + |bias_i|; nullopt
/// when the weights or the bias are not constants.
std::optional<uint64_t> accumulatorBound(LinearOp op);
std::optional<uint64_t> accumulatorBound(Conv2DOp op);

/// A bound on |input| of a rescale: its input_bound when it has one, else
/// the bound of the synapse that makes its input, else the input's storage
/// range. Read before the synapse is lowered.
uint64_t rescaleInputBound(RescaleOp op);

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


/// The network input given as events: the step function's arguments that
/// carry the positions of this step's active inputs (ascending, i32), their
/// number, and whether they are given (else the dense input is scanned).
/// Kernels whose spikes come from `input` build both ways under an scf.if on
/// `given` (snn-event-driven; the C API's NAME_step_events).
struct InputEvents {
  Value input;     // the dense input argument
  Value positions; // tensor<N x i32>
  Value count;     // index
  Value given;     // i1
  /// The scf.if ops built on `given`: every use of `input` left after the
  /// rewrite must be in one of their else regions.
  SmallVector<Operation *> branches;
};

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
                       Value init, Value spikeSource, bool binaryInput,
                       InputEvents *events = nullptr);

/// What the event-driven convolution scans for active inputs.
struct ScatteredInput {
  Value scanned;    // [C, H, W], or (flat) the [C x H x W] tensor it was expanded from
  bool flat;
  bool spikeSource; // scanned is the value the input as spikes was made from (x > 0)
  bool unitValues;  // every active input is 1: no multiply
  bool everyInput = false; // a dense input: every element scattered, no tests
  InputEvents *events = nullptr; // set when `scanned` is the input given as events
};

/// snn.conv2d by scattering each active input into the outputs it reaches
/// (EventDrivenConvolution.cpp); the same results as the dense form. Returns
/// the sums in the result's storage type.
Value lowerEventDriven(OpBuilder &b, Conv2DOp op, DenseElementsAttr weights,
                       const ScatteredInput &source);

/// The value the input as spikes was made from: `x` of
/// extui(cmpi sgt x, 0) or uitofp(cmpf ogt x, 0) (the front end's
/// --input-kind spikes); null otherwise.
Value spikeSourceOf(Value input);

} // namespace mlir::snn::linalg_lowering

#endif // SNN_CONVERSION_SNNTOLINALG_SYNAPSES_H
