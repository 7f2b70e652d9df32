//===- NeuronUpdates.cpp - neuron ops to linalg ---------------------------===//
//
// Each neuron op (snn.threshold, snn.integrator, snn.li, snn.if, snn.lif,
// snn.cubali, snn.cubalif) becomes one linalg.generic whose body spells out
// the op's documented formula, in the documented order, in the op's element
// type: the membrane update, then the spike and the reset (integrateAndFire;
// under spike_first the spike comes from the starting membrane).
//
//===----------------------------------------------------------------------===//
#include "Elementwise.h"
#include "OpLowerings.h"

namespace mlir::snn::linalg_lowering {
namespace {

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

/// (v_next, spike) of a neuron whose membrane update from a starting membrane
/// is `integrate`: the spike comes from the updated membrane, or under
/// spike_first from `v` before the update.
std::pair<Value, Value> integrateAndFire(BodyMath &m, const SpikeParams &sp, Value v,
                                         Type spikeType, function_ref<Value(Value)> integrate) {
  if (!sp.spikeFirst)
    return fireAndReset(m, sp, integrate(v), spikeType);
  auto [fired, start] = spikeFirst(m, sp, v);
  return finishSpikeFirst(m, sp, fired, integrate(start), spikeType);
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

/// The body builder of a neuron update: over the membrane's type, in the
/// integer arithmetic chosen for it (convert-snn-to-linalg refuses a
/// quantized neuron without one; float neurons take the default).
ElementwiseBuilder neuronBody(OpBuilder &b, NeuronOpInterface op) {
  return ElementwiseBuilder(b, op->getLoc(),
                            cast<RankedTensorType>(op.getMembrane().getType()),
                            chosenArithmetic(op).value_or(IntegerArithmetic{}));
}

} // namespace

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
  ElementwiseBuilder eb = neuronBody(b, op);
  int64_t x = eb.addInput(op.getInput()), v = eb.addInput(op.getV());
  Param gain = eb.addFactor(op.getGainAttr());
  return eb.build({op.getV().getType()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    BodyMath m{nb, l, a};
                    return SmallVector<Value>{m.add(a[v], m.mul(gain, a[x]))};
                  });
}

SmallVector<Value> lower(OpBuilder &b, LIOp op) {
  ElementwiseBuilder eb = neuronBody(b, op);
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

namespace {
/// The body of a point neuron that fires (snn.if, snn.lif): the membrane
/// update `integrate(m, a, start)`, then fire and reset; the op's own
/// parameters are in `eb` already, the spike parameters follow them.
template <typename PointNeuronOp>
SmallVector<Value>
buildPointNeuron(ElementwiseBuilder &eb, PointNeuronOp op, int64_t v,
                 function_ref<Value(BodyMath &, ValueRange, Value)> integrate) {
  SpikeParams sp = addSpikeParams(eb, op);
  Type spikeType = elementType(op.getSpike());
  return eb.build({op.getV().getType(), op.getSpike().getType()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    BodyMath m{nb, l, a};
                    auto [vNext, spike] = integrateAndFire(
                        m, sp, a[v], spikeType, [&](Value start) { return integrate(m, a, start); });
                    return SmallVector<Value>{vNext, spike};
                  });
}
} // namespace

SmallVector<Value> lower(OpBuilder &b, IFOp op) {
  ElementwiseBuilder eb = neuronBody(b, op);
  int64_t x = eb.addInput(op.getInput()), v = eb.addInput(op.getV());
  Param gain = eb.addFactor(op.getGainAttr());
  return buildPointNeuron(eb, op, v, [&](BodyMath &m, ValueRange a, Value start) {
    return m.add(start, m.mul(gain, a[x]));
  });
}

SmallVector<Value> lower(OpBuilder &b, LIFOp op) {
  ElementwiseBuilder eb = neuronBody(b, op);
  int64_t x = eb.addInput(op.getInput()), v = eb.addInput(op.getV());
  Param decay = eb.addFactor(op.getDecayAttr()), gain = eb.addFactor(op.getGainAttr()),
        leak = eb.addLevel(op.getLeakAttr());
  return buildPointNeuron(eb, op, v, [&](BodyMath &m, ValueRange a, Value start) {
    Value decayed = m.mul(decay, start);
    Value driven = m.mul(gain, a[x]);
    return m.addParam(m.add(decayed, driven), leak);
  });
}

SmallVector<Value> lower(OpBuilder &b, CubaLIOp op) {
  ElementwiseBuilder eb = neuronBody(b, op);
  CubaParams c = addCubaParams(eb, op);
  return eb.build({op.getISyn().getType(), op.getV().getType()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    BodyMath m{nb, l, a};
                    auto [iNext, u] = cubaUpdate(m, c);
                    return SmallVector<Value>{iNext, u};
                  });
}

SmallVector<Value> lower(OpBuilder &b, CubaLIFOp op) {
  ElementwiseBuilder eb = neuronBody(b, op);
  CubaParams c = addCubaParams(eb, op);
  SpikeParams sp = addSpikeParams(eb, op);
  Type spikeType = elementType(op.getSpike());
  return eb.build({op.getISyn().getType(), op.getV().getType(),
                   op.getSpike().getType()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    BodyMath m{nb, l, a};
                    Value iNext;
                    auto [vNext, spike] =
                        integrateAndFire(m, sp, a[c.v], spikeType, [&](Value start) {
                          auto [iSynNext, u] = cubaUpdate(m, c, start);
                          iNext = iSynNext;
                          return u;
                        });
                    return SmallVector<Value>{iNext, vNext, spike};
                  });
}

} // namespace mlir::snn::linalg_lowering
