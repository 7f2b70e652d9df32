//===- SNNOps.cpp - verifiers of the snn ops ------------------------------===//
//
// The rules every op shares (element kinds, parameter shapes, matching
// scales) live in the helpers at the top, so that each verifier reads as the
// list of what its op requires.
//
//===----------------------------------------------------------------------===//
#include "snn/Dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <cmath>

using namespace mlir;
using namespace mlir::snn;

namespace {

bool isQuantized(Type t) { return isa<quant::QuantizedType>(t); }

Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// Values that are computed with (membranes, currents, activations) are
/// floats or quantized; integers are only valid as spikes.
LogicalResult verifyComputeElement(Operation *op, Value v, StringRef what) {
  Type t = elementTypeOf(v);
  if (isa<FloatType>(t) || isQuantized(t))
    return success();
  return op->emitOpError() << what
                           << " must have a float or quantized element type, got "
                           << t;
}

LogicalResult verifySpikeElement(Operation *op, Value v, StringRef what) {
  Type t = elementTypeOf(v);
  if (isa<FloatType>(t) || isQuantized(t) || t.isSignlessInteger())
    return success();
  return op->emitOpError() << what
                           << " must have a float, quantized or signless integer "
                              "element type, got "
                           << t;
}

/// Two values that are added or compared must agree exactly: the same float
/// type, or the same quantized type (same storage and scale).
LogicalResult verifySameElement(Operation *op, Value a, StringRef aName, Value b,
                                StringRef bName) {
  Type ta = elementTypeOf(a), tb = elementTypeOf(b);
  if (ta == tb)
    return success();
  if (isQuantized(ta) && isQuantized(tb))
    return op->emitOpError() << "scale mismatch between " << aName << " (" << ta
                             << ") and " << bName << " (" << tb
                             << "); insert snn.rescale";
  return op->emitOpError() << aName << " and " << bName
                           << " must have the same element type, got " << ta
                           << " and " << tb;
}

LogicalResult verifySameShape(Operation *op, Value a, StringRef aName, Value b,
                              StringRef bName) {
  auto ta = cast<RankedTensorType>(a.getType());
  auto tb = cast<RankedTensorType>(b.getType());
  if (ta.getShape() == tb.getShape())
    return success();
  return op->emitOpError() << aName << " and " << bName
                           << " must have the same shape, got " << ta << " and "
                           << tb;
}

/// A parameter holds one value for all neurons or one value per neuron, and
/// every value is finite.
LogicalResult verifyParam(Operation *op, DenseElementsAttr param,
                          StringRef name, Value neurons) {
  auto shape = cast<RankedTensorType>(neurons.getType()).getShape();
  auto paramType = param.getType();
  if (paramType.getNumElements() != 1 && paramType.getShape() != shape)
    return op->emitOpError() << "parameter '" << name
                             << "' must have one element or the neurons' shape ["
                             << shape << "], got " << paramType;
  auto floatType =
      dyn_cast<FloatType>(cast<RankedTensorType>(neurons.getType()).getElementType());
  for (APFloat value : param.getValues<APFloat>()) {
    if (!value.isFinite())
      return op->emitOpError() << "parameter '" << name
                               << "' must be finite, got "
                               << value.convertToDouble();
    if (floatType) {
      double original = value.convertToDouble();
      bool losesInfo = false;
      value.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      if (!value.isFinite())
        return op->emitOpError() << "parameter '" << name << "' value "
                                 << original << " overflows " << floatType;
    }
  }
  return success();
}

LogicalResult verifyStaticShape(Operation *op) {
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    if (!cast<RankedTensorType>(t).hasStaticShape())
      return op->emitOpError()
             << "operands and results must have static shapes, got " << t;
  return success();
}

/// The integer arithmetic chosen for a quantized op (arithmetic_width,
/// multiplier_bits): both or neither, only on quantized values, a width of
/// 32 or 64 bits and multipliers of 1 to 30 bits.
LogicalResult verifyIntegerArithmetic(Operation *op, Value quantizedValue) {
  auto width = op->getAttrOfType<IntegerAttr>("arithmetic_width");
  auto bits = op->getAttrOfType<IntegerAttr>("multiplier_bits");
  if (!width && !bits)
    return success();
  if (!width || !bits)
    return op->emitOpError()
           << "arithmetic_width and multiplier_bits go together (one is missing)";
  if (!isQuantized(elementTypeOf(quantizedValue)))
    return op->emitOpError() << "integer arithmetic is chosen for quantized values only";
  if (width.getInt() != 32 && width.getInt() != 64)
    return op->emitOpError() << "arithmetic_width must be 32 or 64, got " << width.getInt();
  if (bits.getInt() < 1 || bits.getInt() > 30)
    return op->emitOpError() << "multiplier_bits must be in [1, 30], got " << bits.getInt();
  return success();
}

/// Float spikes share the membrane's float type (they are subtracted from it
/// under subtract_delayed); quantized membranes give integer spikes, and a
/// float membrane cannot give quantized spikes.
LogicalResult verifySpikeMatchesMembrane(Operation *op, Value v, Value spike) {
  Type vt = elementTypeOf(v), st = elementTypeOf(spike);
  if (isa<FloatType>(st) && st != vt)
    return op->emitOpError() << "float spikes must have the membrane's element type "
                             << vt << ", got " << st;
  if (isQuantized(st))
    return op->emitOpError() << "spikes must be float or signless integer, got " << st;
  return success();
}

/// The spike-producing neurons share threshold, reset and the optional
/// previous-spike operand.
LogicalResult verifySpiking(Operation *op, Value v, Value spike,
                            Value spikePrev, ResetMode reset) {
  if (failed(verifySpikeElement(op, spike, "spike")) ||
      failed(verifySameShape(op, v, "membrane", spike, "spike")))
    return failure();
  bool delayed = reset == ResetMode::subtract_delayed;
  if (delayed && !spikePrev)
    return op->emitOpError()
           << "reset = subtract_delayed needs the previous spikes as an operand";
  if (!delayed && spikePrev)
    return op->emitOpError() << "a previous-spike operand is only valid with "
                                "reset = subtract_delayed";
  if (op->hasAttr("spike_first") &&
      (reset == ResetMode::subtract_delayed || op->hasAttr("multi_spike")))
    return op->emitOpError()
           << "spike_first excludes reset = subtract_delayed and multi_spike";
  if (op->hasAttr("reset_before_update") && !op->hasAttr("spike_first"))
    return op->emitOpError() << "reset_before_update needs spike_first";
  if (op->hasAttr("multi_spike") && reset == ResetMode::subtract_delayed)
    return op->emitOpError() << "multi_spike needs reset = subtract or value";
  if (op->hasAttr("multi_spike") && !isa<FloatType>(elementTypeOf(spike)))
    return op->emitOpError() << "multi_spike counts need float spikes";
  if (spikePrev && spikePrev.getType() != spike.getType())
    return op->emitOpError() << "previous spikes must have the spike type "
                             << spike.getType() << ", got "
                             << spikePrev.getType();
  return verifySpikeMatchesMembrane(op, v, spike);
}

/// One scale per channel along dimension 0 (`channels` of them) for a
/// per-tensor type or a per-axis type on dimension 0; nothing otherwise.
std::optional<SmallVector<double>> channelScales(Type t, int64_t channels) {
  if (auto q = dyn_cast<quant::UniformQuantizedType>(t))
    return SmallVector<double>(channels, q.getScale());
  auto q = dyn_cast<quant::UniformQuantizedPerAxisType>(t);
  if (!q || q.getQuantizedDimension() != 0 ||
      static_cast<int64_t>(q.getScales().size()) != channels)
    return std::nullopt;
  return SmallVector<double>(q.getScales());
}

bool hasZeroPointsOfZero(Type t) {
  if (auto q = dyn_cast<quant::UniformQuantizedType>(t))
    return q.getZeroPoint() == 0;
  if (auto q = dyn_cast<quant::UniformQuantizedPerAxisType>(t))
    return llvm::all_of(q.getZeroPoints(), [](int64_t z) { return z == 0; });
  return false;
}

} // namespace

//===----------------------------------------------------------------------===//

/// The element types of a synapse (snn.linear, snn.conv2d) with `outputs`
/// output channels along dimension 0 of its weight and result.
static LogicalResult verifySynapseElements(Operation *op, Type inElem, Type wElem,
                                           Type outElem, int64_t outputs) {
  if (!isQuantized(wElem)) {
    if (isQuantized(inElem) || isQuantized(outElem))
      return op->emitOpError() << "float weights need float input and result";
    // Integer spikes may feed a float synapse; float values must agree.
    if (isa<FloatType>(inElem) && inElem != wElem)
      return op->emitOpError() << "input and weight must have the same element "
                                  "type, got "
                               << inElem << " and " << wElem;
    if (outElem != wElem)
      return op->emitOpError() << "result must have the weight's element type "
                               << wElem << ", got " << outElem;
    return success();
  }
  if (isa<FloatType>(inElem))
    return op->emitOpError() << "a quantized synapse cannot take float input";
  auto qIn = dyn_cast<quant::UniformQuantizedType>(inElem);
  if (isQuantized(inElem) && !qIn)
    return op->emitOpError() << "a quantized synapse's input needs a per-tensor "
                                "!quant.uniform type, got "
                             << inElem;
  auto wScales = channelScales(wElem, outputs);
  auto outScales = channelScales(outElem, outputs);
  if (!wScales || !outScales)
    return op->emitOpError() << "quantized synapses need !quant.uniform weight and result "
                                "types, per tensor or per output channel (dimension 0)";
  // Symmetric quantization only: with zero points the product of scales is
  // not the accumulator's scale.
  for (Type t : {inElem, wElem, outElem})
    if (isQuantized(t) && !hasZeroPointsOfZero(t))
      return op->emitOpError() << "quantized synapses need zero points of 0, got " << t;
  auto expressed = [](Type t) { return cast<quant::QuantizedType>(t).getExpressedType(); };
  if (expressed(outElem) != expressed(wElem) || (qIn && expressed(inElem) != expressed(wElem)))
    return op->emitOpError() << "quantized input, weight and result must express the "
                                "same float type";
  // The accumulator's scale is the product of the scales that are multiplied
  // (per output channel); spikes (0/1 integers) carry scale 1.
  double inScale = qIn ? qIn.getScale() : 1.0;
  for (int64_t i = 0; i < outputs; ++i) {
    double expected = inScale * (*wScales)[i];
    if (std::fabs((*outScales)[i] - expected) > 1e-9 * std::fabs(expected))
      return op->emitOpError() << "result scale " << (*outScales)[i] << " of output " << i
                               << " differs from input scale x weight scale = " << expected
                               << "; insert snn.rescale after the synapse";
  }
  if (cast<quant::QuantizedType>(outElem).getStorageTypeIntegralWidth() < 32)
    return op->emitOpError() << "a quantized accumulator needs at least 32 bits, "
                                "got "
                             << outElem;
  return success();
}

LogicalResult LinearOp::verify() {
  if (failed(verifyStaticShape(*this)))
    return failure();
  auto inType = getInput().getType();
  auto wType = getWeight().getType();
  auto outType = getOutput().getType();
  if (inType.getRank() != 1 || wType.getRank() != 2 || outType.getRank() != 1)
    return emitOpError() << "expects input [in], weight [out, in] and result "
                            "[out], got "
                         << inType << ", " << wType << " and " << outType;
  if (wType.getDimSize(1) != inType.getDimSize(0))
    return emitOpError() << "weight has " << wType.getDimSize(1)
                         << " columns but the input has " << inType.getDimSize(0)
                         << " elements";
  if (wType.getDimSize(0) != outType.getDimSize(0))
    return emitOpError() << "weight has " << wType.getDimSize(0)
                         << " rows but the result has " << outType.getDimSize(0)
                         << " elements";
  if (failed(verifySpikeElement(*this, getInput(), "input")) ||
      failed(verifyComputeElement(*this, getWeight(), "weight")) ||
      failed(verifyComputeElement(*this, getOutput(), "result")))
    return failure();
  if (Value bias = getBias()) {
    if (bias.getType() != outType)
      return emitOpError() << "bias must have the result type " << outType
                           << ", got " << bias.getType();
  }

  return verifySynapseElements(*this, inType.getElementType(), wType.getElementType(),
                               outType.getElementType(), outType.getDimSize(0));
}

/// Output extent of a convolution or pooling window sweep, or -1 if the
/// window does not fit.
static int64_t windowExtent(int64_t size, int64_t kernel, int64_t stride,
                            int64_t padding, int64_t dilation) {
  int64_t span = dilation * (kernel - 1) + 1;
  if (size + 2 * padding < span || stride <= 0)
    return -1;
  return (size + 2 * padding - span) / stride + 1;
}

LogicalResult Conv2DOp::verify() {
  if (failed(verifyStaticShape(*this)) ||
      failed(verifySpikeElement(*this, getInput(), "input")) ||
      failed(verifyComputeElement(*this, getWeight(), "weight")))
    return failure();
  auto in = getInput().getType();
  auto w = getWeight().getType();
  auto out = getOutput().getType();
  if (in.getRank() != 3 || w.getRank() != 4 || out.getRank() != 3)
    return emitOpError() << "expects input [C, H, W], weight [F, C/groups, KH, KW] "
                            "and result [F, OH, OW]";
  for (auto [name, values] : {std::pair{"stride", getStride()},
                              std::pair{"padding", getPadding()},
                              std::pair{"dilation", getDilation()}}) {
    if (values.size() != 2)
      return emitOpError() << name << " must have two values";
    for (int64_t v : values)
      if (v < 0 || (v == 0 && StringRef(name) != "padding"))
        return emitOpError() << name << " values must be positive";
  }
  int64_t groups = getGroups();
  if (groups < 1 || in.getDimSize(0) % groups || w.getDimSize(0) % groups)
    return emitOpError() << "groups (" << groups
                         << ") must divide the input and output channels";
  if (w.getDimSize(1) * groups != in.getDimSize(0))
    return emitOpError() << "weight expects " << w.getDimSize(1) * groups
                         << " input channels, input has " << in.getDimSize(0);
  if (failed(verifyComputeElement(*this, getOutput(), "result")) ||
      failed(verifySynapseElements(*this, in.getElementType(), w.getElementType(),
                                   out.getElementType(), w.getDimSize(0))))
    return failure();
  // The bias is added to the accumulator: the result's element type.
  if (Value bias = getBias())
    if (bias.getType() != RankedTensorType::get({w.getDimSize(0)}, out.getElementType()))
      return emitOpError() << "bias must be [" << w.getDimSize(0) << "] of the result's type";
  for (int d = 0; d < 2; ++d) {
    int64_t expected =
        windowExtent(in.getDimSize(d + 1), w.getDimSize(d + 2), getStride()[d],
                     getPadding()[d], getDilation()[d]);
    if (out.getDimSize(0) != w.getDimSize(0) || out.getDimSize(d + 1) != expected)
      return emitOpError() << "result shape must be [" << w.getDimSize(0) << ", "
                           << windowExtent(in.getDimSize(1), w.getDimSize(2),
                                           getStride()[0], getPadding()[0],
                                           getDilation()[0])
                           << ", "
                           << windowExtent(in.getDimSize(2), w.getDimSize(3),
                                           getStride()[1], getPadding()[1],
                                           getDilation()[1])
                           << "], got " << out;
  }
  return success();
}

LogicalResult Pool2DOp::verify() {
  if (failed(verifyStaticShape(*this)) ||
      failed(verifySpikeElement(*this, getInput(), "input")))
    return failure();
  // Integer spikes pool to counts of the same integer type (integer models:
  // snnc's quantizer bounds a window's count by the type), or to floats.
  Type inElem = getInput().getType().getElementType();
  Type outElem = getOutput().getType().getElementType();
  if (!(inElem.isSignlessInteger() && outElem == inElem) &&
      failed(verifyComputeElement(*this, getOutput(), "result")))
    return failure();
  auto in = getInput().getType();
  auto out = getOutput().getType();
  if (in.getRank() != 3 || out.getRank() != 3)
    return emitOpError() << "expects input [C, H, W] and result [C, OH, OW]";
  if (getKernel().size() != 2 || getStride().size() != 2 ||
      (getPadding() && getPadding()->size() != 2))
    return emitOpError() << "kernel, stride and padding must have two values";
  SmallVector<int64_t, 2> padding = getPaddingOrZero();
  if (padding[0] < 0 || padding[1] < 0)
    return emitOpError() << "padding must not be negative";
  if ((isQuantized(in.getElementType()) || isa<IntegerType>(outElem)) &&
      getKind() == PoolKind::avg)
    return emitOpError() << "average pooling needs a float result (an integer model "
                            "folds the average's divisor into the next synapse's weights)";
  if (isQuantized(in.getElementType()))
    return emitOpError() << "pooling on quantized types is not supported yet";
  for (int d = 0; d < 2; ++d) {
    if (getKernel()[d] < 1 || getStride()[d] < 1)
      return emitOpError() << "kernel and stride values must be positive";
    int64_t expected =
        windowExtent(in.getDimSize(d + 1), getKernel()[d], getStride()[d], padding[d], 1);
    if (out.getDimSize(0) != in.getDimSize(0) || out.getDimSize(d + 1) != expected)
      return emitOpError() << "result shape must be [" << in.getDimSize(0) << ", "
                           << windowExtent(in.getDimSize(1), getKernel()[0], getStride()[0],
                                           padding[0], 1)
                           << ", "
                           << windowExtent(in.getDimSize(2), getKernel()[1], getStride()[1],
                                           padding[1], 1)
                           << "], got " << out;
  }
  if (in.getElementType() != out.getElementType() && !isa<IntegerType>(in.getElementType()))
    return emitOpError() << "result must have the input's element type";
  return success();
}

LogicalResult DelayOp::verify() {
  if (failed(verifyStaticShape(*this)) ||
      failed(verifySpikeElement(*this, getInput(), "input")))
    return failure();
  auto in = getInput().getType();
  auto buffer = getBuffer().getType();
  ArrayRef<int64_t> steps = getSteps();
  if (steps.size() != 1 && static_cast<int64_t>(steps.size()) != in.getNumElements())
    return emitOpError() << "steps must have one value or one per element ("
                         << in.getNumElements() << "), got " << steps.size();
  int64_t longest = 0;
  for (int64_t s : steps) {
    if (s < 0)
      return emitOpError() << "steps must not be negative, got " << s;
    longest = std::max(longest, s);
  }
  SmallVector<int64_t> expected = {std::max<int64_t>(longest, 1)};
  llvm::append_range(expected, in.getShape());
  if (buffer.getShape() != ArrayRef<int64_t>(expected) ||
      buffer.getElementType() != in.getElementType())
    return emitOpError() << "buffer must be " << RankedTensorType::get(expected, in.getElementType())
                         << " for the longest delay, got " << buffer;
  return success();
}

LogicalResult SumOp::verify() {
  if (getInputs().size() < 2)
    return emitOpError() << "needs at least two inputs, got " << getInputs().size();
  if (failed(verifyStaticShape(*this)) ||
      failed(verifyComputeElement(*this, getOutput(), "result")))
    return failure();
  for (auto [index, input] : llvm::enumerate(getInputs())) {
    std::string name = "input #" + std::to_string(index);
    if (failed(verifySameShape(*this, input, name, getOutput(), "result")) ||
        failed(verifySameElement(*this, input, name, getOutput(), "result")))
      return failure();
  }
  return success();
}

LogicalResult ScaleOp::verify() {
  if (failed(verifyStaticShape(*this)))
    return failure();
  return verifyComputeElement(*this, getInput(), "input");
}

LogicalResult ThresholdOp::verify() {
  if (failed(verifyStaticShape(*this)) ||
      failed(verifyComputeElement(*this, getInput(), "input")) ||
      failed(verifySpikeElement(*this, getOutput(), "result")) ||
      failed(verifySameShape(*this, getInput(), "input", getOutput(), "result")) ||
      failed(verifySpikeMatchesMembrane(*this, getInput(), getOutput())))
    return failure();
  return success();
}

Value ThresholdOp::getSpikes() { return getOutput(); }
bool ThresholdOp::producesSingleSpikes() { return true; }

LogicalResult RescaleOp::verify() {
  if (failed(verifyStaticShape(*this)) ||
      failed(verifySameShape(*this, getInput(), "input", getOutput(), "result")))
    return failure();
  auto inType = getInput().getType();
  Type in = inType.getElementType(), out = elementTypeOf(getOutput());
  // Per-channel input (a synapse's accumulator) is converted to one scale.
  int64_t channels = inType.getRank() ? inType.getDimSize(0) : 1;
  if (!channelScales(in, channels) || !isa<quant::UniformQuantizedType>(out))
    return emitOpError() << "input must be !quant.uniform (per tensor or per channel of "
                            "dimension 0) and the result per-tensor !quant.uniform, got "
                         << getInput().getType() << " and " << getOutput().getType();
  auto qIn = cast<quant::QuantizedType>(in), qOut = cast<quant::QuantizedType>(out);
  if (qIn.getExpressedType() != qOut.getExpressedType())
    return emitOpError() << "input and result must express the same type, got "
                         << qIn.getExpressedType() << " and "
                         << qOut.getExpressedType();
  return verifyIntegerArithmetic(*this, getInput());
}

// snn.integrator and snn.li have no verifier of their own: what they require
// is what every neuron requires (NeuronOpInterface, verifyNeuron below).

LogicalResult IFOp::verify() {
  if (failed(verifyStaticShape(*this)))
    return failure();
  return verifySpiking(*this, getV(), getSpike(), getSpikePrev(), getReset());
}

LogicalResult LIFOp::verify() {
  if (failed(verifyStaticShape(*this)))
    return failure();
  return verifySpiking(*this, getV(), getSpike(), getSpikePrev(), getReset());
}

/// CubaLI and CubaLIF share the synaptic-current half.
template <typename CubaOp>
static LogicalResult verifyCuba(CubaOp op) {
  if (op.getMembraneSeesJoined() && (!op.getAddThenDecay() || op.getVoltageFirst()))
    return op.emitOpError()
           << "membrane_sees_joined needs add_then_decay and excludes voltage_first";
  if (failed(verifyStaticShape(op)) ||
      failed(verifyComputeElement(op, op.getV(), "membrane")) ||
      failed(verifyComputeElement(op, op.getISyn(), "synaptic current")) ||
      failed(verifySameShape(op, op.getInput(), "input", op.getV(), "membrane")) ||
      failed(verifySameShape(op, op.getISyn(), "synaptic current", op.getV(),
                             "membrane")) ||
      failed(verifySameElement(op, op.getInput(), "input", op.getISyn(),
                               "synaptic current")) ||
      failed(verifySameElement(op, op.getISyn(), "synaptic current", op.getV(),
                               "membrane")))
    return failure();
  return success();
}

LogicalResult CubaLIOp::verify() { return verifyCuba(*this); }

LogicalResult CubaLIFOp::verify() {
  if (failed(verifyCuba(*this)))
    return failure();
  return verifySpiking(*this, getV(), getSpike(), getSpikePrev(), getReset());
}

bool mlir::snn::isSpikeResult(Value value) {
  auto producer = value.getDefiningOp<SpikingOpInterface>();
  return producer && producer.getSpikes() == value;
}

bool mlir::snn::isSingleSpikeResult(Value value) {
  return isSpikeResult(value) &&
         value.getDefiningOp<SpikingOpInterface>().producesSingleSpikes();
}

//===----------------------------------------------------------------------===//
// What the interfaces check and collect
//===----------------------------------------------------------------------===//

SmallVector<RealParameter>
mlir::snn::detail::collectRealParameters(Operation *op,
                                         ArrayRef<llvm::StringLiteral> levelNames) {
  SmallVector<RealParameter> parameters;
  for (NamedAttribute attr : op->getAttrs()) {
    auto values = dyn_cast<DenseFPElementsAttr>(attr.getValue());
    if (!values)
      continue;
    StringRef name = attr.getName().getValue();
    parameters.push_back({name, llvm::is_contained(levelNames, name), values});
  }
  return parameters;
}

LogicalResult mlir::snn::detail::verifyRealParameters(Operation *op) {
  auto parameterized = cast<ParameterizedOpInterface>(op);
  for (const RealParameter &p : parameterized.getRealParameters())
    if (failed(verifyParam(op, p.values, p.name, parameterized.getNeurons())))
      return failure();
  return success();
}

/// What every neuron requires: static shapes, a membrane that is computed
/// with, an input of the membrane's shape and element type, and each state
/// of the type of its new value. Runs after the op's own verifier, whose
/// messages are more specific (e.g. the input of a current-based neuron is
/// compared with the synaptic current first).
LogicalResult mlir::snn::detail::verifyNeuron(Operation *op) {
  auto neuron = cast<NeuronOpInterface>(op);
  Value input = neuron.getNeuronInput(), v = neuron.getMembrane();
  if (failed(verifyStaticShape(op)) ||
      failed(verifyComputeElement(op, v, "membrane")) ||
      failed(verifySameShape(op, input, "input", v, "membrane")) ||
      failed(verifySameElement(op, input, "input", v, "membrane")))
    return failure();
  if (op->getNumOperands() - 1 > op->getNumResults())
    return op->emitOpError() << "has " << op->getNumOperands() - 1
                             << " state operands but only " << op->getNumResults()
                             << " results";
  for (auto [index, state, next] :
       llvm::enumerate(neuron.getStateOperands(), neuron.getNextState()))
    if (state.getType() != next.getType())
      return op->emitOpError() << "state operand #" << index << " has type "
                               << state.getType() << " but its new value has type "
                               << next.getType();
  return verifyIntegerArithmetic(op, v);
}

#include "snn/Dialect/SNN/SNNInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "snn/Dialect/SNN/SNNOps.cpp.inc"
