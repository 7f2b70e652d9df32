//===- EventDrivenConvolution.cpp - snn.conv2d fed by events --------------===//
//
// A convolution whose input is spikes (or sums of spikes) is mostly zeros.
// Instead of computing every output from its whole window, each non-zero
// input is scattered into the outputs whose windows contain it: for every
// kernel tap that maps it onto an output position, one contiguous run of
// the weight (all filters of that input channel and tap, stored transposed)
// is added to that position's accumulators, output channels innermost. Rows
// of the input without an active element are skipped after one OR over the
// row. No padded copy of the input is made: padding only bounds the taps.
//
// The results equal the dense form's exactly: for one output, the inputs
// reach it in the order (c, y, x), which is the dense loop's (c, kh, kw)
// order (y and x grow with kh and kw), and the skipped products are exact
// zeros. Integer models sum their storage integers in i32, exactly.
//
//===----------------------------------------------------------------------===//
#include "OpLowerings.h"
#include "Synapses.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cstring>
#include <tuple>

namespace mlir::snn::linalg_lowering {
namespace {

/// The weight [F, Cg, KH, KW] rearranged to [C, KH, KW, Fg] (C = Cg x
/// groups input channels, Fg = F / groups filters per group), flat: the
/// filters an input channel and tap feed are contiguous.
DenseElementsAttr transposeForScatter(DenseElementsAttr weights, int64_t groups) {
  auto type = weights.getType();
  int64_t filters = type.getDimSize(0), channelsPerGroup = type.getDimSize(1);
  int64_t kh = type.getDimSize(2), kw = type.getDimSize(3);
  int64_t filtersPerGroup = filters / groups, taps = kh * kw;
  auto flatType = RankedTensorType::get({filters * channelsPerGroup * taps},
                                        type.getElementType());
  if (weights.isSplat())
    return weights.reshape(flatType);
  // From the raw bytes (an attribute per element costs seconds on large
  // layers), in the host's byte order like every dense attribute.
  ArrayRef<char> raw = weights.getRawData();
  size_t width = raw.size() / static_cast<size_t>(flatType.getNumElements());
  SmallVector<char> transposed(raw.size());
  for (int64_t f = 0; f < filters; ++f) {
    int64_t group = f / filtersPerGroup, local = f % filtersPerGroup;
    for (int64_t c = 0; c < channelsPerGroup; ++c)
      for (int64_t t = 0; t < taps; ++t) {
        int64_t channel = group * channelsPerGroup + c;
        int64_t to = (channel * taps + t) * filtersPerGroup + local;
        int64_t from = (f * channelsPerGroup + c) * taps + t;
        std::memcpy(&transposed[to * width], &raw[from * width], width);
      }
  }
  return DenseElementsAttr::getFromRawBuffer(flatType, transposed);
}

} // namespace

Value lowerEventDriven(OpBuilder &b, Conv2DOp op, DenseElementsAttr weights,
                       const ScatteredInput &source) {
  Location loc = op.getLoc();
  auto inType = op.getInput().getType();
  // Floats, or the storage integers of a quantized convolution (i32 sums).
  auto outType = cast<RankedTensorType>(storageOf(op.getOutput().getType()));
  Type elem = outType.getElementType();
  int64_t channels = inType.getDimSize(0), height = inType.getDimSize(1),
          width = inType.getDimSize(2);
  int64_t filters = outType.getDimSize(0), outHeight = outType.getDimSize(1),
          outWidth = outType.getDimSize(2);
  auto wType = op.getWeight().getType();
  int64_t channelsPerGroup = wType.getDimSize(1);
  int64_t kernel[2] = {wType.getDimSize(2), wType.getDimSize(3)};
  int64_t groups = op.getGroups(), filtersPerGroup = filters / groups;
  ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding(),
                    dilation = op.getDilation();
  MLIRContext *ctx = b.getContext();

  Value rows = arith::ConstantOp::create(b, loc, transposeForScatter(weights, groups));
  auto index = [&](OpBuilder &ob, Location ol, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ob, ol, v);
  };
  Value zeroIndex = index(b, loc, 0), one = index(b, loc, 1);

  // The accumulators [OH x OW, F], from the bias.
  auto accType = RankedTensorType::get({outHeight * outWidth, filters}, elem);
  Value empty = tensor::EmptyOp::create(b, loc, accType.getShape(), elem);
  Value acc;
  if (Value bias = op.getBias()) {
    acc = linalg::GenericOp::create(
              b, loc, TypeRange{accType}, ValueRange{toStorage(b, loc, bias)},
              ValueRange{empty},
              SmallVector<AffineMap>{AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx),
                                     b.getMultiDimIdentityMap(2)},
              SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
              [](OpBuilder &nb, Location nloc, ValueRange args) {
                linalg::YieldOp::create(nb, nloc, args[0]);
              })
              .getResult(0);
  } else {
    acc = linalg::FillOp::create(b, loc, SynapseMath{b, loc, elem}.zero(), empty).getResult(0);
  }

  // Element (c, y, x) of the scanned tensor: [C, H, W], or its flat source.
  Type scannedElem = cast<RankedTensorType>(source.scanned.getType()).getElementType();
  auto scannedAt = [&](OpBuilder &ob, Location ol, Value c, Value y, Value x) -> Value {
    if (!source.flat)
      return tensor::ExtractOp::create(ob, ol, source.scanned, ValueRange{c, y, x});
    Value row = arith::AddIOp::create(
        ob, ol, arith::MulIOp::create(ob, ol, c, index(ob, ol, height)), y);
    Value at = arith::AddIOp::create(
        ob, ol, arith::MulIOp::create(ob, ol, row, index(ob, ol, width)), x);
    return tensor::ExtractOp::create(ob, ol, source.scanned, ValueRange{at});
  };
  auto scannedZero = [&](OpBuilder &ob, Location ol) -> Value {
    if (isa<FloatType>(scannedElem))
      return arith::ConstantOp::create(ob, ol, ob.getFloatAttr(scannedElem, 0.0));
    return arith::ConstantOp::create(ob, ol, ob.getIntegerAttr(scannedElem, 0));
  };
  // Active: x > 0 for the source of spikes (as the conversion to spikes
  // tests), x != 0 for values.
  auto isActive = [&](OpBuilder &ob, Location ol, Value v) -> Value {
    if (isa<FloatType>(scannedElem))
      return arith::CmpFOp::create(
          ob, ol, source.spikeSource ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::UNE, v,
          scannedZero(ob, ol));
    return arith::CmpIOp::create(
        ob, ol, source.spikeSource ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::ne, v,
        scannedZero(ob, ol));
  };

  // The output position an input coordinate reaches through tap k of one
  // dimension: (i + p - k d) / s, when that is a whole number within the
  // output. Unsigned index arithmetic: the subtraction happens only where
  // i + p >= k d. Division only for a stride above 1 (in i64: EmitC prints
  // no division of indices).
  auto reach = [&](OpBuilder &ob, Location ol, Value i, Value k, int dim,
                   int64_t extent) -> std::pair<Value, Value> {
    Value shifted = arith::AddIOp::create(ob, ol, i, index(ob, ol, padding[dim]));
    Value offset = arith::MulIOp::create(ob, ol, k, index(ob, ol, dilation[dim]));
    Value notBefore =
        arith::CmpIOp::create(ob, ol, arith::CmpIPredicate::uge, shifted, offset);
    Value distance = arith::SelectOp::create(
        ob, ol, notBefore, arith::SubIOp::create(ob, ol, shifted, offset), index(ob, ol, 0));
    Value position = distance, valid = notBefore;
    if (stride[dim] != 1) {
      Type i64 = ob.getI64Type();
      Value wide = arith::IndexCastUIOp::create(ob, ol, i64, distance);
      Value s = arith::ConstantIntOp::create(ob, ol, stride[dim], 64);
      Value whole = arith::CmpIOp::create(
          ob, ol, arith::CmpIPredicate::eq, arith::RemUIOp::create(ob, ol, wide, s),
          arith::ConstantIntOp::create(ob, ol, 0, 64));
      valid = arith::AndIOp::create(ob, ol, valid, whole);
      position = arith::IndexCastUIOp::create(ob, ol, ob.getIndexType(),
                                              arith::DivUIOp::create(ob, ol, wide, s));
    }
    Value inside = arith::CmpIOp::create(ob, ol, arith::CmpIPredicate::ult, position,
                                         index(ob, ol, extent));
    return {arith::AndIOp::create(ob, ol, valid, inside), position};
  };

  // Adds input (c, y, x), of value v, into every output it reaches.
  auto scatter = [&](OpBuilder &ob, Location ol, Value accIn, Value c, Value y, Value x,
                     Value v) -> Value {
    // The input channel's group and the first accumulator of its filters.
    Value firstFilter = zeroIndex;
    if (groups != 1) {
      Type i64 = ob.getI64Type();
      Value group = arith::IndexCastUIOp::create(
          ob, ol, ob.getIndexType(),
          arith::DivUIOp::create(ob, ol, arith::IndexCastUIOp::create(ob, ol, i64, c),
                                 arith::ConstantIntOp::create(ob, ol, channelsPerGroup, 64)));
      firstFilter = arith::MulIOp::create(ob, ol, group, index(ob, ol, filtersPerGroup));
    }
    auto overRows = scf::ForOp::create(
        ob, ol, zeroIndex, index(ob, ol, kernel[0]), one, ValueRange{accIn},
        [&](OpBuilder &rb, Location rl, Value kh, ValueRange rowAcc) {
          Value rowValid, outY;
          std::tie(rowValid, outY) = reach(rb, rl, y, kh, 0, outHeight);
          auto ifRow = scf::IfOp::create(
              rb, rl, rowValid,
              [&](OpBuilder &tb, Location tl) {
                auto overColumns = scf::ForOp::create(
                    tb, tl, zeroIndex, index(tb, tl, kernel[1]), one, rowAcc,
                    [&](OpBuilder &cb, Location cl, Value kw, ValueRange colAcc) {
                      Value colValid, outX;
                      std::tie(colValid, outX) = reach(cb, cl, x, kw, 1, outWidth);
                      auto ifColumn = scf::IfOp::create(
                          cb, cl, colValid,
                          [&](OpBuilder &ab, Location al) {
                            // Run ((c KH + kh) KW + kw) Fg of the rows, into
                            // accumulators (oy OW + ox, first filter ..).
                            Value tap = arith::AddIOp::create(
                                ab, al,
                                arith::MulIOp::create(
                                    ab, al,
                                    arith::AddIOp::create(
                                        ab, al,
                                        arith::MulIOp::create(ab, al, c,
                                                              index(ab, al, kernel[0])),
                                        kh),
                                    index(ab, al, kernel[1])),
                                kw);
                            Value base =
                                arith::MulIOp::create(ab, al, tap, index(ab, al, filtersPerGroup));
                            Value position = arith::AddIOp::create(
                                ab, al,
                                arith::MulIOp::create(ab, al, outY, index(ab, al, outWidth)),
                                outX);
                            auto overFilters = scf::ForOp::create(
                                ab, al, zeroIndex, index(ab, al, filtersPerGroup), one,
                                colAcc,
                                [&](OpBuilder &fb, Location fl, Value f, ValueRange partial) {
                                  SynapseMath math{fb, fl, elem};
                                  Value w = tensor::ExtractOp::create(
                                      fb, fl, rows,
                                      ValueRange{arith::AddIOp::create(fb, fl, base, f)});
                                  Value filter = arith::AddIOp::create(fb, fl, firstFilter, f);
                                  Value sum = tensor::ExtractOp::create(
                                      fb, fl, partial[0], ValueRange{position, filter});
                                  sum = v ? math.multiplyAdd(sum, w, v) : math.add(sum, w);
                                  scf::YieldOp::create(
                                      fb, fl,
                                      ValueRange{tensor::InsertOp::create(
                                          fb, fl, sum, partial[0],
                                          ValueRange{position, filter})});
                                });
                            scf::YieldOp::create(ab, al, overFilters.getResults());
                          },
                          [&](OpBuilder &eb, Location el) {
                            scf::YieldOp::create(eb, el, colAcc);
                          });
                      scf::YieldOp::create(cb, cl, ifColumn.getResults());
                    });
                scf::YieldOp::create(tb, tl, overColumns.getResults());
              },
              [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, rowAcc); });
          scf::YieldOp::create(rb, rl, ifRow.getResults());
        });
    return overRows.getResult(0);
  };

  // The elements of row (c, y), each scattered if active (every one for a
  // dense input, whose zeros are then added as the dense form adds them).
  auto overColumns = [&](OpBuilder &tb, Location tl, ValueRange rowAcc, Value c,
                         Value y) -> scf::ForOp {
    return scf::ForOp::create(
        tb, tl, zeroIndex, index(tb, tl, width), one, rowAcc,
        [&](OpBuilder &xb, Location xl, Value x, ValueRange elemAcc) {
          Value v = scannedAt(xb, xl, c, y, x);
          Value value = source.unitValues ? Value() : v;
          if (source.everyInput) {
            scf::YieldOp::create(xb, xl,
                                 ValueRange{scatter(xb, xl, elemAcc[0], c, y, x, value)});
            return;
          }
          auto ifActive = scf::IfOp::create(
              xb, xl, isActive(xb, xl, v),
              [&](OpBuilder &ab, Location al) {
                scf::YieldOp::create(ab, al,
                                     ValueRange{scatter(ab, al, elemAcc[0], c, y, x, value)});
              },
              [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, elemAcc); });
          scf::YieldOp::create(xb, xl, ifActive.getResults());
        });
  };
  // Over the input's rows; for a sparse input a row is visited element by
  // element only if an OR over its activity bits (a reduction compilers
  // vectorize) finds one.
  Type i32 = b.getI32Type();
  auto scanAll = [&](OpBuilder &sb, Location sl) -> scf::ForOp {
    return scf::ForOp::create(
        sb, sl, zeroIndex, index(sb, sl, channels), one, ValueRange{acc},
        [&](OpBuilder &cb, Location cl, Value c, ValueRange channelAcc) {
          auto overRows = scf::ForOp::create(
              cb, cl, zeroIndex, index(cb, cl, height), one, channelAcc,
              [&](OpBuilder &rb, Location rl, Value y, ValueRange rowAcc) {
                if (source.everyInput) {
                  scf::YieldOp::create(rb, rl, overColumns(rb, rl, rowAcc, c, y).getResults());
                  return;
                }
                Value zeroBits = arith::ConstantIntOp::create(rb, rl, 0, 32);
                auto bits = scf::ForOp::create(
                    rb, rl, zeroIndex, index(rb, rl, width), one, ValueRange{zeroBits},
                    [&](OpBuilder &ib, Location il, Value x, ValueRange partial) {
                      Value v = scannedAt(ib, il, c, y, x);
                      Value nonZero =
                          isa<FloatType>(scannedElem)
                              ? arith::CmpFOp::create(ib, il, arith::CmpFPredicate::UNE, v,
                                                      scannedZero(ib, il))
                                    .getResult()
                              : arith::CmpIOp::create(ib, il, arith::CmpIPredicate::ne, v,
                                                      scannedZero(ib, il))
                                    .getResult();
                      Value bit = arith::ExtUIOp::create(ib, il, i32, nonZero);
                      scf::YieldOp::create(
                          ib, il, ValueRange{arith::OrIOp::create(ib, il, partial[0], bit)});
                    });
                Value any = arith::CmpIOp::create(rb, rl, arith::CmpIPredicate::ne,
                                                  bits.getResult(0), zeroBits);
                auto ifAny = scf::IfOp::create(
                    rb, rl, any,
                    [&](OpBuilder &tb, Location tl) {
                      scf::YieldOp::create(tb, tl, overColumns(tb, tl, rowAcc, c, y).getResults());
                    },
                    [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, rowAcc); });
                scf::YieldOp::create(rb, rl, ifAny.getResults());
              });
          scf::YieldOp::create(cb, cl, overRows.getResults());
        });
  };
  // The input given as events (NAME_step_events): the caller's ascending
  // list of flat positions c H W + y W + x instead of the scan, in the same
  // order.
  auto overEvents = [&](OpBuilder &eb, Location el) -> scf::ForOp {
    InputEvents &events = *source.events;
    return scf::ForOp::create(
        eb, el, zeroIndex, events.count, one, ValueRange{acc},
        [&](OpBuilder &kb, Location kl, Value k, ValueRange eventAcc) {
          Type i64 = kb.getI64Type();
          Value position = arith::ExtUIOp::create(
              kb, kl, i64, tensor::ExtractOp::create(kb, kl, events.positions, ValueRange{k}));
          auto constant = [&](int64_t v) { return arith::ConstantIntOp::create(kb, kl, v, 64); };
          auto asIndex = [&](Value v) {
            return arith::IndexCastUIOp::create(kb, kl, kb.getIndexType(), v).getResult();
          };
          Value plane = constant(height * width), row = constant(width);
          Value within = arith::RemUIOp::create(kb, kl, position, plane);
          Value c = asIndex(arith::DivUIOp::create(kb, kl, position, plane));
          Value y = asIndex(arith::DivUIOp::create(kb, kl, within, row));
          Value x = asIndex(arith::RemUIOp::create(kb, kl, within, row));
          scf::YieldOp::create(kb, kl,
                               ValueRange{scatter(kb, kl, eventAcc[0], c, y, x, Value())});
        });
  };
  Value scattered;
  if (source.events) {
    auto branch = scf::IfOp::create(
        b, loc, source.events->given,
        [&](OpBuilder &tb, Location tl) {
          scf::YieldOp::create(tb, tl, overEvents(tb, tl).getResults());
        },
        [&](OpBuilder &eb, Location el) {
          scf::YieldOp::create(eb, el, scanAll(eb, el).getResults());
        });
    source.events->branches.push_back(branch);
    scattered = branch.getResult(0);
  } else {
    scattered = scanAll(b, loc).getResult(0);
  }

  // Back to the output's layout [F, OH, OW].
  AffineExpr f = getAffineDimExpr(0, ctx), oy = getAffineDimExpr(1, ctx),
             ox = getAffineDimExpr(2, ctx);
  Value out = tensor::EmptyOp::create(b, loc, outType.getShape(), elem);
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{scattered},
             ValueRange{out},
             SmallVector<AffineMap>{AffineMap::get(3, 0, {oy * outWidth + ox, f}, ctx),
                                    b.getMultiDimIdentityMap(3)},
             SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, args[0]);
             })
      .getResult(0);
}

} // namespace mlir::snn::linalg_lowering
