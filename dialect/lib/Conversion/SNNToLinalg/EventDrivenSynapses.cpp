//===- EventDrivenSynapses.cpp - optimized snn.linear ---------------------===//
//
// The optimized kernels: unlike the rest of this conversion, which spells
// each op out plainly as the correctness baseline, this file is written for
// speed. A synapse fed by spikes (lowered here by snn-event-driven; --no-opt
// skips that pass) gathers the positions of its active inputs and adds only their rows of
// the transposed weight, four rows per pass; int8 weights of unit inputs are
// summed two outputs to a 16-bit lane (lowerPackedRows). Every kernel gives
// the dense form's results exactly (docs/design.md, "Event-driven synapses";
// the tests compare both lowerings at every precision).
//
//===----------------------------------------------------------------------===//
#include "Synapses.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

namespace mlir::snn::linalg_lowering {
namespace {

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

} // namespace

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

Value lowerEventDriven(OpBuilder &b, LinearOp op, DenseElementsAttr weights, Value input,
                       Value init, Value spikeSource, bool binaryInput, InputEvents *events) {
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
  // The network input given as events (NAME_step_events) may replace the
  // gather: then the list has the events' type.
  bool fromEvents = events && spikeSource && spikeSource == events->input;
  // Positions as the narrowest integer that holds them: this list is a
  // scratch array of the step.
  Type positionType = b.getIntegerType(!fromEvents && cols <= (1 << 15) ? 16 : 32);
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
  auto gatherAll = [&](OpBuilder &gb, Location gl) -> scf::ForOp {
    Value positions = tensor::EmptyOp::create(gb, gl, ArrayRef<int64_t>{cols}, positionType);
    auto gatherBlocks = scf::ForOp::create(
        gb, gl, zeroIndex, arith::ConstantIndexOp::create(gb, gl, blocks), one,
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
    return gatherRange(gb, gl, arith::ConstantIndexOp::create(gb, gl, blocks * kBlock),
                       arith::ConstantIndexOp::create(gb, gl, cols - blocks * kBlock),
                       gatherBlocks.getResults());
  };
  // Set below, before the kernel is built (once per branch with events).
  Value active, numActive;
  bool unitInputs = spikeSource || binaryInput;
  Type wElem = weights.getType().getElementType();
  bool packed = unitInputs && accElem.isInteger(16) && wElem.isInteger(8) && rows % 2 == 0 &&
                !weights.isSplat();
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
  auto accumulate = [&](OpBuilder &ab, Location al) -> Value {
    if (packed)
      return lowerPackedRows(ab, al, weights, active, numActive, init);
    return forActiveRows(ab, al, numActive, cols, ValueRange{init},
                         [&](OpBuilder &ob, Location ol, ValueRange acc, Value k, int count) {
                           return SmallVector<Value>{addActive(ob, ol, acc[0], k, count)};
                         })[0];
  };
  if (!fromEvents) {
    scf::ForOp gather = gatherAll(b, loc);
    active = gather.getResult(0);
    numActive = gather.getResult(1);
    return accumulate(b, loc);
  }
  // The caller's list when it gives one (ascending, as the gather's); the
  // kernel is built in both branches, which yield the sums (in place).
  auto branch = scf::IfOp::create(
      b, loc, events->given,
      [&](OpBuilder &tb, Location tl) {
        active = events->positions;
        numActive = events->count;
        scf::YieldOp::create(tb, tl, ValueRange{accumulate(tb, tl)});
      },
      [&](OpBuilder &eb, Location el) {
        scf::ForOp gather = gatherAll(eb, el);
        active = gather.getResult(0);
        numActive = gather.getResult(1);
        scf::YieldOp::create(eb, el, ValueRange{accumulate(eb, el)});
      });
  events->branches.push_back(branch);
  return branch.getResult(0);
}

} // namespace mlir::snn::linalg_lowering
