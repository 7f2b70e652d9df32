"""The quantizer: which scale each value of an integer model gets.

Scales are a policy, decided here once per model and recorded in the element
types of the snn IR (`!quant.uniform<iN:f32, scale>`); the arithmetic that
follows from them is the dialect's (convert-snn-to-linalg) and, independently,
the numpy reference's (reference.simulate_quantized). docs/quantization.md
describes the scheme.

- Spikes and the network's input are integers at scale 1 (int8_t); so are
  the counts of a pooling of spikes (at most 127 per window).
- A synapse's weights (dense or convolution) get one symmetric scale per
  output channel (row, filter), max_j |W_ij| / (2^(b-1) - 1); its accumulator
  (int32) then has the weight scales, and the bias is stored at them.
  (Per-channel scales keep 0.1 to 0.9 points more output spikes equal to the
  float64 reference's than one scale per layer on the networks of
  docs/quantization.md.) A synapse fed by an average pool reads the pool's
  sums, its weights divided by the window's size.
- A neuron layer's state (membrane and synaptic current) gets one scale,
  range / (2^(s-1) - 1), with s = 16 for int8 models and 32 for int16 models.
  The range comes from the parameters and weights (default) or from the
  activity the float64 reference shows on calibration inputs.
"""
from __future__ import annotations

import dataclasses
from typing import Dict, Optional

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import nodes, semantics
from .errors import SNNCError
from .frontend.graph import Graph
from .nodes import Quantization
from .semantics import Options


def _kinds_quantized_by(rule: Quantization):
    return nodes.kinds_where(lambda entry: entry.quantization is rule)


# The kinds of each rule of nodes.Quantization.
SYNAPSES = _kinds_quantized_by(Quantization.WEIGHT_SCALES)
NEURONS = _kinds_quantized_by(Quantization.STATE_SCALE)
PASSING_VALUES = _kinds_quantized_by(Quantization.PASSES_VALUES)
POOLS = _kinds_quantized_by(Quantization.COUNTS_SPIKES)


@dataclasses.dataclass(frozen=True)
class QuantFormat:
    name: str
    weight_bits: int
    state_bits: int

    @property
    def weight_max(self) -> int:
        return 2 ** (self.weight_bits - 1) - 1

    @property
    def state_max(self) -> int:
        return 2 ** (self.state_bits - 1) - 1


FORMATS = {"int8": QuantFormat("int8", 8, 16), "int16": QuantFormat("int16", 16, 32)}
ACCUMULATOR_BITS = 32
INPUT_BITS = 8
# The largest magnitude of the network's input as int8 values.
INPUT_MAGNITUDE = 128.0
# A pool's counts are int8 at scale 1: a window holds at most this many spikes.
MAX_POOL_WINDOW = 127
# Default state range, in thresholds: a membrane rarely strays further, and
# saturation (not wrap-around) handles the rest.
THRESHOLDS_OF_RANGE = 8.0
# The 32-bit state of int16 models affords far more range at a resolution
# still below 1e-5 of a threshold, so its default ranges are this much wider.
WIDE_STATE_HEADROOM = 512.0
# Calibrated ranges get this much headroom over the largest value seen.
CALIBRATION_MARGIN = 1.25
# Scales are doubles in types whose expressed type is f32, which MLIR's quant
# dialect bounds to f32's range: from its smallest denormal to its largest
# finite value. Smaller scales are made this coarse (values that small round
# to zero either way); larger ones are refused (check_plan).
MIN_SCALE = 2.0 ** -149
MAX_SCALE = float(np.finfo(np.float32).max)
# Levels (threshold, reset value, leak at the state's scale) must be integers
# well inside int64 (the lowering's checkQuantized: below 2^62).
LEVEL_LIMIT = 2.0 ** 62


@dataclasses.dataclass
class QuantPlan:
    format: QuantFormat
    weight_scale: Dict[str, np.ndarray]  # synapse layer -> per output channel scale of
                                         # weights and accumulator
    state_scale: Dict[str, float]    # neuron layer -> scale of its state
    # synapse layer -> bias to quantize instead of the file's (calibrated
    # models: the file's bias less the mean effect of rounding the weights)
    bias: Dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    # synapse layer -> the window size KH*KW of the average pool whose sums
    # it reads: its weights are divided by it (W / (KH KW) . sum = W . mean)
    weight_divisor: Dict[str, int] = dataclasses.field(default_factory=dict)

    def bias_of(self, layer):
        """The bias a synapse layer is quantized with, or None."""
        if layer.name in self.bias:
            return self.bias[layer.name]
        return layer.params.get("bias")

    def weight_of(self, layer) -> np.ndarray:
        """The real weights a synapse layer is quantized from: the file's,
        divided by the window of the average pool it reads (if any)."""
        weight = np.asarray(layer.params["weight"], np.float64)
        return weight / self.weight_divisor[layer.name] \
            if layer.name in self.weight_divisor else weight


def round_half_away(values) -> np.ndarray:
    """Rounds half away from zero (as C's llround), exactly, in float64."""
    values = np.asarray(values, dtype=np.float64)
    # rint is exact but breaks ties to even; the ties (fraction exactly 0.5,
    # exact to test) go away from zero instead. (sign * floor(|v| + 0.5)
    # rounded the largest double below 0.5 up: the addition itself rounds.)
    whole = np.trunc(values)
    tie = np.abs(values - whole) == 0.5
    return np.where(tie, whole + np.sign(values), np.rint(values))


def quantize_weights(weight, scale, bits: int) -> np.ndarray:
    """round(W / scale) clipped to the symmetric range; `scale` is one value or
    one per row (output channel)."""
    limit = 2 ** (bits - 1) - 1
    weight = np.asarray(weight, dtype=np.float64)
    scale = np.asarray(scale, dtype=np.float64)
    if scale.ndim == 1 and weight.ndim >= 2:  # one scale per row (filter): dimension 0
        scale = scale.reshape(scale.shape + (1,) * (weight.ndim - 1))
    q = round_half_away(weight / scale)
    return np.clip(q, -limit, limit).astype(np.int64)


def origin_of(graph: Graph, name: str) -> str:
    """The node whose values `name` passes on unchanged: the first node up
    from `name` that is not a Flatten or a Delay (the network input's name
    when the values are the input's)."""
    by_name = {layer.name: layer for layer in graph.layers}
    while name in by_name and by_name[name].kind in PASSING_VALUES \
            and len(by_name[name].sources) == 1:
        name = by_name[name].sources[0][0]
    return name


def window_size(layer) -> int:
    """KH * KW of a pooling layer."""
    return int(np.prod([int(k) for k in layer.params["kernel"]]))


@dataclasses.dataclass(frozen=True)
class SynapseInput:
    """What a synapse (dense or convolution) reads in an integer model."""

    origin: str          # the node whose values arrive (origin_of), or the network input
    magnitude: float     # their largest magnitude: 128 (int8 input), 1 (spikes), KH*KW (counts)
    pooled: bool = False  # counts of a pool (sum or average) of spikes
    divisor: int = 1     # KH*KW when they are the sums of an average pool, else 1


def synapse_input(graph: Graph, layer) -> SynapseInput:
    """What `layer` (a synapse with one source, as check_quantizable requires) reads."""
    by_name = {other.name: other for other in graph.layers}
    origin = origin_of(graph, layer.sources[0][0])
    if origin == graph.input_name:
        return SynapseInput(origin, INPUT_MAGNITUDE)
    producer = by_name[origin]
    if producer.kind in POOLS:
        window = window_size(producer)
        return SynapseInput(origin, float(window), True,
                            window if producer.kind in nodes.AVERAGING_POOLS else 1)
    return SynapseInput(origin, 1.0)


def _consumers(graph: Graph) -> Dict[str, list]:
    """node -> the nodes that read it (the Output's name for the output)."""
    readers: Dict[str, list] = {}
    for layer in graph.layers:
        for source, _ in layer.sources:
            readers.setdefault(source, []).append(layer.name)
    for source, _ in graph.output_sources:
        readers.setdefault(source, []).append(graph.output_name)
    return readers


def _check_pool(graph: Graph, layer, options: Options, readers) -> None:
    """A pool of spikes gives int8 counts that only synapses read."""
    precision = options.precision
    kernel = "x".join(str(int(k)) for k in layer.params["kernel"])
    window = window_size(layer)
    if window > MAX_POOL_WINDOW:
        raise SNNCError(f"its {kernel} window counts up to {window} spikes; at --precision "
                        f"{precision} counts are int8, so a window may hold at most "
                        f"{MAX_POOL_WINDOW}", node=layer.name)
    kinds = {other.name: other.kind for other in graph.layers}
    sources = [name for name, _ in layer.sources]
    origin = origin_of(graph, sources[0]) if len(sources) == 1 else None
    pools_spikes = origin is not None and (
        kinds.get(origin) in nodes.SPIKING_NEURONS or
        (origin == graph.input_name and options.input_kind == "spikes"))
    if not pools_spikes:
        raise SNNCError(f"at --precision {precision} a {layer.kind} node must pool the spikes "
                        "of one spiking neuron layer (directly or through Flatten or Delay; "
                        "or the network input under --input-kind spikes)", node=layer.name)
    # Follow the counts through Flatten and Delay to whatever reads them.
    pending, readers_of_counts = [layer.name], []
    while pending:
        for reader in readers.get(pending.pop(), []):
            if kinds.get(reader) in PASSING_VALUES:
                pending.append(reader)
            else:
                readers_of_counts.append(reader)
    for reader in readers_of_counts:
        if kinds.get(reader) in SYNAPSES:
            continue
        where = "the network's output" if reader == graph.output_name else \
            f"the {kinds[reader]} node '{reader}'"
        if layer.kind in nodes.AVERAGING_POOLS:
            raise SNNCError(f"at --precision {precision} an {layer.kind} node must feed only "
                            "synapses (directly or through Flatten or Delay): its 1/"
                            f"({kernel}) is folded into their weights; it reaches {where}",
                            node=layer.name)
        raise SNNCError(f"at --precision {precision} a {layer.kind} node must feed only "
                        "synapses (directly or through Flatten or Delay): its spike counts "
                        f"have no scale of their own; it reaches {where}", node=layer.name)


def check_quantizable(graph: Graph, options: Options) -> None:
    """Raises SNNCError naming the node for what the integer path cannot do yet."""
    if options.spikes == "multiple":
        raise SNNCError(f"--precision {options.precision} needs --spikes single "
                        "(spike counts are float-only so far)")
    precision = options.precision
    by_name = {layer.name: layer for layer in graph.layers}
    kinds = {layer.name: layer.kind for layer in graph.layers}
    kinds[graph.input_name] = "input"

    def carries_integers(name):
        """Spikes, the network input or a pool's counts (int8 at scale 1),
        possibly through Flatten and Delay."""
        return kinds[name] in ("input",) + nodes.SPIKING_NEURONS + PASSING_VALUES + POOLS

    for layer in graph.layers:
        if isinstance(nodes.KINDS[layer.kind].quantization, nodes.NotQuantizable):
            raise SNNCError(f"{layer.kind} nodes are not supported at --precision "
                            f"{precision} yet", node=layer.name)
    # Pools first: what they read and who reads their counts (their own
    # message rather than that of the node they reach).
    readers = _consumers(graph)
    for layer in graph.layers:
        if layer.kind in POOLS:
            _check_pool(graph, layer, options, readers)
    for layer in graph.layers:
        sources = [name for name, _ in layer.sources]
        if layer.kind in SYNAPSES + PASSING_VALUES:
            if len(sources) != 1 or not carries_integers(sources[0]):
                raise SNNCError(f"at --precision {precision} a {layer.kind} node must take "
                                "spikes, the network input or a pooling of spikes from "
                                "exactly one node", node=layer.name)
        elif layer.kind in NEURONS:
            for source in sources:
                if carries_integers(source):
                    raise SNNCError(f"at --precision {precision} spikes must reach a "
                                    f"neuron through a synapse (edge from '{source}')",
                                    node=layer.name)
                producer = by_name.get(source)
                # A convolution's scales run along its first dimension (the
                # filters): the neuron must receive [F, OH, OW] as it is.
                if producer is not None and producer.kind in SYNAPSES and \
                        tuple(producer.out_shape) != tuple(layer.in_shape):
                    raise SNNCError(f"at --precision {precision} the output of '{source}' "
                                    f"({list(producer.out_shape)}) must arrive in its own "
                                    f"shape, not as {list(layer.in_shape)}: its channels "
                                    "have scales of their own", node=layer.name)
    output_sources = [name for name, _ in graph.output_sources]
    if len(output_sources) != 1 or kinds.get(output_sources[0]) not in NEURONS + PASSING_VALUES:
        raise SNNCError(f"at --precision {precision} the output must come from one "
                        "neuron layer (spikes or a membrane readout)", node=graph.output_name)


def _weight_scale(layer, weight, arriving: SynapseInput, fmt: QuantFormat) -> np.ndarray:
    """Per output channel (row, filter): max_j |W_ij| / (2^(b-1) - 1), or
    coarser where that much precision could overflow the int32 accumulator:
    sum_j |W_ij| X + |b_i|, over the channel's whole kernel for a convolution,
    with X the largest input (arriving.magnitude). `weight`: the real weights
    quantized (QuantPlan.weight_of)."""
    weight = np.abs(np.asarray(weight, np.float64))
    weight = weight.reshape(weight.shape[0], -1)
    largest = weight.max(axis=1, initial=0.0)
    x_max = arriving.magnitude
    bias = np.abs(np.asarray(layer.params.get("bias", np.zeros(weight.shape[0])), np.float64))
    # The bound after rounding: half a step per weight and bias on top.
    worst = weight.sum(axis=1) * x_max + bias
    terms = weight.shape[1] * x_max + 1
    accumulator_limit = 2.0 ** (ACCUMULATOR_BITS - 1) - 1 - terms
    scale = np.maximum(largest / fmt.weight_max, worst / accumulator_limit)
    return np.where(scale > 0, np.maximum(scale, MIN_SCALE), 1.0)


def _incoming_bound(graph: Graph, layer, plan: "QuantPlan") -> float:
    """The largest value one step of input can bring a neuron: max over neurons
    of sum |W| + |b| over the synapses that feed it (inputs at most 1; the
    counts of a pool at most its window)."""
    by_name = {other.name: other for other in graph.layers}
    total = 0.0
    for source, _ in layer.sources:
        producer = by_name.get(source)
        if producer is not None and producer.kind in SYNAPSES:
            weight = np.abs(plan.weight_of(producer))
            arriving = synapse_input(graph, producer)
            w = weight.reshape(weight.shape[0], -1).sum(axis=1) * \
                (arriving.magnitude if arriving.pooled else 1.0)
            if "bias" in producer.params:
                w = w + np.abs(np.asarray(producer.params["bias"], dtype=np.float64))
            total += float(w.max(initial=0.0))
    return total


def _level_bound(layer) -> float:
    p = layer.params
    levels = [np.abs(np.asarray(p[k], dtype=np.float64)).max(initial=0.0)
              for k in ("v_threshold", "v_reset") if k in p]
    return float(max(levels, default=0.0))


def plan(graph: Graph, options: Options, calibration: Optional[np.ndarray] = None) -> QuantPlan:
    fmt = FORMATS[options.precision]
    # First what the reference run checks first too (emitter.state_fields).
    semantics.check_constants(graph, options)
    check_quantizable(graph, options)
    weight_scale, state_scale, divisors = {}, {}, {}
    for layer in graph.layers:
        if layer.kind in SYNAPSES:
            arriving = synapse_input(graph, layer)
            if arriving.divisor != 1:
                divisors[layer.name] = arriving.divisor
    # Scales and weights of the plan so far (weight_of reads the divisors).
    folding = QuantPlan(fmt, weight_scale, state_scale, weight_divisor=divisors)
    for layer in graph.layers:
        if layer.kind in SYNAPSES:
            weight_scale[layer.name] = _weight_scale(layer, folding.weight_of(layer),
                                                     synapse_input(graph, layer), fmt)
            _check_weight_scale(layer, folding.weight_of(layer), weight_scale[layer.name],
                                options)

    headroom = WIDE_STATE_HEADROOM if fmt.state_bits > 16 else 1.0
    observed, mean_inputs = ({}, {}) if calibration is None else \
        _calibrated_activity(graph, options, calibration)
    for layer in graph.layers:
        if layer.kind not in NEURONS:
            continue
        levels = _level_bound(layer)
        if layer.name in observed:
            bound = max(observed[layer.name], levels) * CALIBRATION_MARGIN
        elif layer.kind in nodes.SPIKING_NEURONS and levels > 0:
            bound = THRESHOLDS_OF_RANGE * levels * headroom
        else:
            # No threshold to go by: a few steps' worth of the largest input.
            bound = 4.0 * max(_incoming_bound(graph, layer, folding), levels) * headroom
        bound = bound if bound > 0 else 1.0
        state_scale[layer.name] = max(bound / fmt.state_max, MIN_SCALE)
    result = QuantPlan(fmt, weight_scale, state_scale,
                       _corrected_biases(graph, folding, mean_inputs), divisors)
    check_plan(graph, options, result, calibrated=set(observed))
    return result


def _check_weight_scale(layer, weight, scale, options):
    """A synapse's per-channel scales must be f32 scales (MAX_SCALE)."""
    bad = ~(scale <= MAX_SCALE)
    if not np.any(bad):
        return
    row = int(np.argmax(bad))
    weight = np.abs(np.asarray(weight, np.float64))[row]
    bias = np.abs(np.asarray(layer.params.get("bias", np.zeros(len(scale))), np.float64))
    name, value = ("weight", weight.max()) if weight.max() >= bias[row] else ("bias", bias[row])
    raise SNNCError(f"parameter '{name}' has {_g(value)} (row {row}), which needs a "
                    f"--precision {options.precision} scale of {_g(scale[row])}, beyond "
                    f"float32 (largest {_g(MAX_SCALE)})", node=layer.name)


def _g(value) -> str:
    return f"{float(value):.3g}"


def _state_origin(graph: Graph, layer, calibrated) -> str:
    """Where a neuron layer's state range comes from, for messages."""
    if layer.name in calibrated:
        return "its range on the calibration inputs"
    levels = _level_bound(layer)
    if layer.kind in nodes.SPIKING_NEURONS and levels > 0:
        p = layer.params
        which = max(("v_threshold", "v_reset"),
                    key=lambda k: float(np.abs(np.asarray(p[k], np.float64)).max(initial=0.0)))
        return f"{which} {_g(np.abs(np.asarray(p[which], np.float64)).max())}"
    synapses = [name for name, _ in layer.sources]
    return "the weights and biases of " + ", ".join(f"'{name}'" for name in synapses)


def check_plan(graph: Graph, options: Options, plan: QuantPlan, calibrated=()) -> None:
    """Refuses, naming the node and where the numbers come from, a plan the
    integer lowering cannot carry out exactly: state scales beyond float32,
    rescale ratios of 2^30 or more (fixed-point factors) and levels of 2^62
    or more (the lowering's checkQuantized, which would otherwise fail with
    an MLIR diagnostic). The reference (simulate_quantized) checks the same."""
    by_name = {layer.name: layer for layer in graph.layers}
    precision = options.precision
    for layer in graph.layers:
        if layer.kind not in NEURONS:
            continue
        scale = plan.state_scale[layer.name]
        origin = _state_origin(graph, layer, calibrated)
        if not scale <= MAX_SCALE:
            raise SNNCError(f"its state range ({origin}) needs a --precision {precision} scale "
                            f"of {_g(scale)}, beyond float32 (largest {_g(MAX_SCALE)})",
                            node=layer.name)
        for source, _ in layer.sources:
            producer = by_name.get(source)
            if producer is None:
                continue
            if producer.kind in SYNAPSES:
                ratio = float(np.max(plan.weight_scale[source])) / scale
                what = f"the accumulator of '{source}' (scale {_g(np.max(plan.weight_scale[source]))}, " \
                       "from its weight and bias)"
            elif producer.kind in NEURONS and plan.state_scale[source] != scale:
                ratio = plan.state_scale[source] / scale
                what = f"the state of '{source}' (scale {_g(plan.state_scale[source])})"
            else:
                continue
            if not ratio < semantics.FIXED_POINT_FACTOR_LIMIT:
                raise SNNCError(f"{what} reaches its state (scale {_g(scale)}, from {origin}) "
                                f"through a rescale by {_g(ratio)}, beyond the fixed-point "
                                f"factors of --precision {precision} (below 2^30)",
                                node=layer.name)
        for name, constant in semantics.layer_constants(layer, options).items():
            if constant.role != "level":
                continue
            values = np.asarray(constant.values, np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                bad = ~(np.abs(values / scale) < LEVEL_LIMIT)
            if np.any(bad):
                index = int(np.argmax(bad.reshape(-1)))
                what = semantics.describe_constant(layer, options, name, constant, index)
                raise SNNCError(f"{what}, beyond the levels --precision {precision} can count at "
                                f"its state scale {_g(scale)} (from {origin}; below 2^62 levels)",
                                node=layer.name)


def _corrected_biases(graph: Graph, plan: QuantPlan, mean_inputs):
    """Bias correction: rounding W to W_q moves the mean input current of
    output i by sum_j (W_q - W)_ij E[x_j]; the bias takes it back. E[x] comes
    from the calibration run (Nagel et al., 2019, "Data-free quantization
    through weight equalization and bias correction"; here with data). Only
    dense synapses have a mean_input: a convolution's correction would differ
    from output position to output position (docs/quantization.md). W is the
    weight quantized (a pool's window divided out), x what the integer
    synapse reads (a pool's counts)."""
    biases = {}
    for layer in graph.layers:
        if layer.name not in mean_inputs:
            continue
        weight = plan.weight_of(layer)
        scale = plan.weight_scale[layer.name]
        rounded = quantize_weights(weight, scale, plan.format.weight_bits) * scale[:, None]
        bias = np.asarray(layer.params.get("bias", np.zeros(weight.shape[0])), np.float64)
        biases[layer.name] = bias - (rounded - weight) @ mean_inputs[layer.name]
    return biases


def _calibrated_activity(graph: Graph, options: Options, inputs: np.ndarray):
    """From the float64 reference on `inputs`: the largest |state| per neuron
    layer (plus one threshold: the membrane before a subtracting reset), and
    the mean input of each synapse fed by the network input or by spikes."""
    from . import reference
    float_options = dataclasses.replace(options, precision="f64")
    inputs = np.asarray(inputs, np.float64)
    if inputs.ndim == 2:
        inputs = inputs[None]
    _, traces = reference.simulate(graph, float_options, inputs, record=True)
    mean_inputs = _mean_inputs(graph, options, inputs, traces)
    ranges = {}
    for layer in graph.layers:
        if layer.kind not in NEURONS:
            continue
        largest = 0.0
        for key in (".v", ".i_syn"):
            trace = traces.get(layer.name + key)
            if trace is not None and trace.size:
                largest = max(largest, float(np.abs(trace).max()))
        ranges[layer.name] = largest + _level_bound(layer)
    return ranges, mean_inputs


def _mean_inputs(graph: Graph, options: Options, inputs: np.ndarray, traces):
    """E[x] of every dense synapse (Affine, Linear): the mean, over every
    sequence and step of the calibration run, of what it reads in the integer
    model: the network input (as spikes, 0 or 1, under --input-kind spikes), a
    spiking layer's spikes, or the counts of a pooling of them (sums, for an
    average pool too: its divisor is in the folded weights), through Flatten
    (the same values), Delay (d steps later) and recurrent edges (one step
    later; zero before)."""
    by_name = {layer.name: layer for layer in graph.layers}
    n_seq, n_steps = inputs.shape[:2]
    produced: Dict[str, np.ndarray] = {}

    def late(values, lag):
        """values [S, T, ...] as read `lag` steps later (per element of
        values[0, 0]): step t reads step t - lag, zero before the first."""
        flat = values.reshape(n_seq, n_steps, -1)
        lag = np.broadcast_to(np.asarray(lag, np.int64), values.shape[2:]).reshape(-1)
        step = np.arange(n_steps)[:, None] - lag[None, :]
        read = flat[:, np.maximum(step, 0), np.arange(flat.shape[-1])[None, :]]
        return np.where(step[None] >= 0, read, 0.0).reshape(values.shape)

    def arriving(layer):
        name, delayed = layer.sources[0]
        values = late(output_of(name), int(delayed))
        return values.reshape((n_seq, n_steps) + tuple(layer.in_shape))

    def output_of(name):
        """What node `name` hands on at every step: [S, T] + its shape."""
        if name in produced:
            return produced[name]
        if name == graph.input_name:
            values = (inputs > 0).astype(np.float64) if options.input_kind == "spikes" \
                else inputs
            values = values.reshape((n_seq, n_steps) + tuple(graph.input_shape))
        else:
            layer = by_name[name]
            if name + ".spike" in traces:
                values = traces[name + ".spike"]
            elif layer.kind == "delay":
                steps = np.rint(np.asarray(layer.params["delay"], np.float64) / options.dt)
                values = late(arriving(layer), steps.astype(np.int64))
            elif layer.kind in POOLS:
                values = _window_sums(arriving(layer), layer.params["kernel"],
                                      layer.params["stride"], layer.params["padding"])
            else:  # Flatten
                values = arriving(layer)
            values = values.reshape((n_seq, n_steps) + tuple(layer.out_shape))
        produced[name] = values
        return values

    means = {}
    for layer in graph.layers:
        if nodes.KINDS[layer.kind].category != nodes.SYNAPSE:
            continue
        read = arriving(layer).reshape(n_seq * n_steps, -1)
        means[layer.name] = read.sum(axis=0) / (n_seq * n_steps)
    return means


def _window_sums(values, kernel, stride, padding) -> np.ndarray:
    """Sum pooling of values [..., C, H, W]: the sum of each KH x KW window of
    the zero-padded image, windows `stride` apart."""
    kernel, stride, padding = ([int(v) for v in pair] for pair in (kernel, stride, padding))
    widths = [(0, 0)] * (values.ndim - 2) + [(padding[0], padding[0]), (padding[1], padding[1])]
    windows = sliding_window_view(np.pad(values, widths), kernel, axis=(-2, -1))
    return windows[..., ::stride[0], ::stride[1], :, :].sum(axis=(-2, -1))
