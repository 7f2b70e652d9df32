"""The numpy reference simulator: the tests' oracle. It never produces generated
code; the one compiler path that runs it is calibration (quantize.py), which
observes the float64 network's ranges on the user's inputs to choose scales.

It reads the same validated graph as the front end but computes every step
from the NIR parameters itself, in float64 by default. Sums and updates are
evaluated in the order the snn ops document (a weighted sum accumulates input
by input, starting from the bias), so with `dtype=np.float32` it reproduces
IEEE single-precision C compiled without FMA contraction bit for bit.
"""
from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Tuple

import numpy as np

from . import nodes, semantics
from .frontend.graph import Graph, Layer
from .semantics import Options

# One step of each kind: f(layer, c, state, x, options, dtype) -> the layer's
# output, in float (simulate); f(layer, c, state, x, options, plan) in the
# integer arithmetic of an integer model (simulate_quantized), for the kinds
# integer models take. c: the layer's constants (_constants; a synapse's as
# storage integers in integer models).
FLOAT_STEPS = nodes.PerKind("reference step")
INTEGER_STEPS = nodes.PerKind("integer reference step")


class _LayerState:
    def __init__(self, layer: Layer, batch: int, dtype, options: Options):
        shape = (batch,) + tuple(layer.out_shape)
        self.i_syn = np.zeros(shape, dtype)
        self.v = np.zeros(shape, dtype)
        self.spike = np.zeros(shape, dtype)
        if layer.kind == "delay":
            # Whole steps, rounded; the compiler refuses non-multiples of dt.
            self.steps = np.rint(layer.params["delay"] / options.dt).astype(np.int64)
            self.history = [np.zeros(shape, dtype) for _ in range(int(self.steps.max()))]


def _weighted_sum(weight, bias, x, dtype):
    """y[b, i] = bias[i] + sum_j weight[i, j] x[b, j], summed in order of j."""
    batch = x.shape[0]
    acc = np.zeros((batch, weight.shape[0]), dtype) if bias is None else \
        np.broadcast_to(bias, (batch, weight.shape[0])).astype(dtype)
    for j in range(weight.shape[1]):
        acc = acc + weight[:, j][None, :] * x[:, j][:, None]
    return acc


def _convolve(x, weight, bias, stride, padding, dilation, groups):
    """x [S, C, H, W], weight [F, C/groups, KH, KW]: the output starts from the
    bias and accumulates weight * input in order of c, then kh, then kw."""
    n_seq, channels, height, width = x.shape
    filters, per_group, kh, kw = weight.shape
    xp = np.zeros((n_seq, channels, height + 2 * padding[0], width + 2 * padding[1]), x.dtype)
    xp[:, :, padding[0]:padding[0] + height, padding[1]:padding[1] + width] = x
    oh = (height + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (width + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    acc = np.broadcast_to(bias[None, :, None, None], (n_seq, filters, oh, ow)).astype(x.dtype)
    per_filter_group = filters // groups
    for f0 in range(0, filters, per_filter_group):
        g = f0 // per_filter_group
        fs = slice(f0, f0 + per_filter_group)
        for c in range(per_group):
            for i in range(kh):
                for j in range(kw):
                    window = xp[:, g * per_group + c,
                                i * dilation[0]:i * dilation[0] + stride[0] * (oh - 1) + 1:stride[0],
                                j * dilation[1]:j * dilation[1] + stride[1] * (ow - 1) + 1:stride[1]]
                    acc[:, fs] = acc[:, fs] + weight[None, fs, c, i, j, None, None] * window[:, None]
    return acc


def _pool(x, kernel, stride, padding, average):
    """Sum (or average) of each window of the zero-padded input, summed in
    order of kh, then kw; the average divides by the window's size, padding
    included."""
    if any(padding):
        padded = np.zeros(x.shape[:2] + (x.shape[2] + 2 * padding[0],
                                          x.shape[3] + 2 * padding[1]), x.dtype)
        padded[:, :, padding[0]:padding[0] + x.shape[2], padding[1]:padding[1] + x.shape[3]] = x
        x = padded
    n_seq, channels, height, width = x.shape
    oh = (height - kernel[0]) // stride[0] + 1
    ow = (width - kernel[1]) // stride[1] + 1
    acc = np.zeros((n_seq, channels, oh, ow), x.dtype)
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            acc = acc + x[:, :, i:i + stride[0] * (oh - 1) + 1:stride[0],
                          j:j + stride[1] * (ow - 1) + 1:stride[1]]
    if average:
        acc = acc / x.dtype.type(kernel[0] * kernel[1])
    return acc


def _constants(layer: Layer, options: Options, cast) -> Dict[str, Optional[np.ndarray]]:
    """Per-step constants from the NIR parameters (forward Euler)."""
    p, dt, entry = dict(layer.params), options.dt, nodes.KINDS[layer.kind]
    for key in ("tau", "tau_syn", "tau_mem"):
        if key in p and options.tau_convention == "norse-inverse":
            p[key] = p[key] / dt  # Norse writes dt / tau
    c: Dict[str, Optional[np.ndarray]] = {}
    if entry.category in (nodes.SYNAPSE, nodes.CONVOLUTION):
        c["weight"] = cast(p["weight"])
        c["bias"] = cast(p["bias"]) if "bias" in p else None
    elif entry.membrane_tau is not None:
        tau = p[entry.membrane_tau]
        # The fraction of the way to the input-driven value covered in one step.
        if options.integrator == "exact":
            step = -np.expm1(-dt / tau)
        else:
            step = dt / tau
        c["decay"] = cast(1.0 - step)
        c["gain"] = cast(p["r"] * step if options.integrator == "exact" else p["r"] * dt / tau)
        c["leak"] = cast(p["v_leak"] * step if options.integrator == "exact"
                         else p["v_leak"] * dt / tau)
        if entry.has_current:
            if options.integrator == "exact":
                syn_step = -np.expm1(-dt / p["tau_syn"])
                c["syn_gain"] = cast(p["w_in"] * syn_step)
            else:
                syn_step = dt / p["tau_syn"]
                c["syn_gain"] = cast(p["w_in"] * dt / p["tau_syn"])
            c["syn_decay"] = cast(1.0 - syn_step)
            if options.current_update == "add-then-decay":
                c["syn_gain"] = cast(p["w_in"])
    elif entry.category == nodes.NEURON:  # a membrane without leak
        c["decay"] = None
        c["gain"] = cast(p["r"] * dt)
        c["leak"] = None
    if options.input_gains == "unit":
        for key in ("gain", "syn_gain"):
            if c.get(key) is not None:
                c[key] = np.ones_like(c[key])
    if entry.fires:
        c["threshold"] = cast(p["v_threshold"])
        c["v_reset"] = cast(p["v_reset"])
    if entry.category == nodes.ELEMENTWISE:  # its parameters are its constants
        for name in entry.params:
            c[name] = cast(p[name])
    return c


def _fire(u, st, c, options, dtype):
    """Threshold and reset of an integrated membrane u; returns the spikes."""
    if options.reset == "subtract-delayed":
        u = u - c["threshold"] * st.spike
    fired = u >= c["threshold"] if options.compare == "ge" else u > c["threshold"]
    if options.spikes == "multiple":
        # Where the neuron fires, trunc(u / thr) spikes, at most 65536 and at
        # least 0: a ratio that is negative (a negative threshold), zero or NaN
        # (a NaN membrane, 0 / 0) gives none (docs/semantics.md). Zero is left
        # out too so that a count is never -0.0 (0 / -0.5): counts are whole
        # numbers (found by differential fuzzing).
        cap = np.asarray(65536.0, dtype=dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = u / c["threshold"]
            counted = fired & (ratio > 0)
            count = np.where(counted, np.trunc(np.minimum(ratio, cap)), np.zeros_like(u))
        st.v = np.where(fired, c["v_reset"], u) if options.reset == "value" else \
            u - count * c["threshold"]
        st.spike = count
        return count
    spike = fired.astype(dtype)
    if options.reset == "value":
        st.v = np.where(fired, c["v_reset"], u)
    elif options.reset == "subtract":
        st.v = np.where(fired, u - c["threshold"], u)
    else:
        st.v = u
    st.spike = spike
    return spike


def _advance_current(st, c, x, options):
    """Updates the synaptic current; returns the current the membrane sees."""
    joined = None
    if options.current_update == "add-then-decay":
        joined = st.i_syn + c["syn_gain"] * x
        i_next = c["syn_decay"] * joined
    else:
        i_next = c["syn_decay"] * st.i_syn + c["syn_gain"] * x
    i_used = {"voltage-first": st.i_syn, "joined": joined}.get(options.cuba_order, i_next)
    st.i_syn = i_next
    return i_used


def _reset(v, fired, c, options):
    if options.reset == "value":
        return np.where(fired, c["v_reset"], v)
    return np.where(fired, v - c["threshold"], v)


def _integrate(c, start, drive):
    """The membrane after one step from `start` with input `drive`, before
    any threshold: decay (when it leaks), plus gain times input, plus leak."""
    integrated = start if c["decay"] is None else c["decay"] * start
    u = integrated + c["gain"] * drive
    if c["leak"] is not None:
        u = u + c["leak"]
    return u


# Flatten and Delay move values without arithmetic, of any dtype: the same
# step serves the float and the integer simulation.
@FLOAT_STEPS.register("flatten")
@INTEGER_STEPS.register("flatten")
def _step_flatten(layer, c, st, x, *_):
    return x.reshape((x.shape[0],) + tuple(layer.out_shape))


@FLOAT_STEPS.register("delay")
@INTEGER_STEPS.register("delay")
def _step_delay(layer, c, st, x, *_):
    # y[t] = x[t - steps]: history[k] holds x[t - 1 - k].
    y = x.copy()
    for k, past in enumerate(st.history):
        y = np.where(st.steps == k + 1, past, y)
    st.history = [x] + st.history[:-1] if st.history else []
    return y


@FLOAT_STEPS.register("affine", "linear")
def _step_synapse(layer, c, st, x, options, dtype):
    return _weighted_sum(c["weight"], c["bias"], x, dtype)


@FLOAT_STEPS.register("conv1d", "conv2d")
def _step_conv(layer, c, st, x, options, dtype):
    p = layer.params
    stride, padding, dilation = (list(p[k]) for k in ("stride", "padding", "dilation"))
    weight = c["weight"]
    if layer.kind == "conv1d":
        x = x[:, :, None, :]
        weight = weight[:, :, None, :]
        stride, padding, dilation = [1] + stride, [0] + padding, [1] + dilation
    y = _convolve(x, weight, c["bias"], stride, padding, dilation, int(p["groups"]))
    return y.reshape((x.shape[0],) + tuple(layer.out_shape))


@FLOAT_STEPS.register("sumpool2d", "avgpool2d")
def _step_pool(layer, c, st, x, options, dtype):
    return _pool(x, list(layer.params["kernel"]), list(layer.params["stride"]),
                 list(layer.params["padding"]), layer.kind == "avgpool2d")


@FLOAT_STEPS.register("scale")
def _step_scale(layer, c, st, x, options, dtype):
    return c["scale"] * x


@FLOAT_STEPS.register("threshold")
def _step_threshold(layer, c, st, x, options, dtype):
    fired = x >= c["threshold"] if options.compare == "ge" else x > c["threshold"]
    return fired.astype(dtype)


@FLOAT_STEPS.register("integrator", "li")
def _step_membrane(layer, c, st, x, options, dtype):
    st.v = _integrate(c, st.v, x)
    return st.v


@FLOAT_STEPS.register("cubali")
def _step_current_membrane(layer, c, st, x, options, dtype):
    st.v = _integrate(c, st.v, _advance_current(st, c, x, options))
    return st.v


@FLOAT_STEPS.register("if", "lif", "cubalif")
def _step_firing(layer, c, st, x, options, dtype):
    current = nodes.KINDS[layer.kind].has_current
    if options.spike_timing == "before-update":
        # The spike comes from the membrane the step starts with; the reset
        # applies before or after this step's update.
        reset_timing = options.cuba_reset_timing if current else options.reset_timing
        fired = st.v >= c["threshold"] if options.compare == "ge" else st.v > c["threshold"]
        start = _reset(st.v, fired, c, options) if reset_timing == "before-update" else st.v
        drive = _advance_current(st, c, x, options) if current else x
        u = _integrate(c, start, drive)
        st.v = u if reset_timing == "before-update" else _reset(u, fired, c, options)
        st.spike = fired.astype(dtype)
        return st.spike
    drive = _advance_current(st, c, x, options) if current else x
    return _fire(_integrate(c, st.v, drive), st, c, options, dtype)


def simulate(graph: Graph, options: Options, inputs: np.ndarray, *,
             dtype=np.float64, record: bool = False):
    """Runs the network on `inputs` of shape [T, n_in] or [S, T, n_in].

    Every sequence starts from rest (all state zero). Values meeting at a node
    are summed in the order of their edges; a recurrent (back) edge delivers
    its producer's output of the previous step (zero at the first step).
    Returns the outputs, [T, n_out] or [S, T, n_out]; with `record=True` also
    a dict mapping "<node>.v", "<node>.i_syn" and "<node>.spike" to traces.
    """
    # The compiler's refusal of constants the type cannot hold, so that both
    # refuse the same models with the same message; then, independently, no
    # constant computed here may be infinite (it would be computed with).
    semantics.check_constants(graph, options,
                              precision="f32" if np.dtype(dtype) == np.float32 else "f64")
    cast = lambda a: np.asarray(a, dtype=np.float64).astype(dtype)  # noqa: E731
    with np.errstate(over="ignore"):
        consts = [_constants(layer, options, cast) for layer in graph.layers]
    _require_finite(graph, consts)

    def meet(layer, parts):
        total = None
        for _, part in parts:
            total = part if total is None else total + part
        return total

    def step(layer, c, st, x):
        return FLOAT_STEPS[layer.kind](layer, c, st, x, options, dtype)

    return _run(graph, options, inputs, dtype, consts, step, meet, record)


def _require_finite(graph, consts):
    for layer, c in zip(graph.layers, consts):
        for key, value in c.items():
            if value is not None and not np.all(np.isfinite(value)):
                raise AssertionError(f"internal error: the reference's constant '{key}' of "
                                     f"node '{layer.name}' is not finite, and "
                                     "semantics.check_constants did not refuse it")


def _run(graph: Graph, options: Options, inputs, dtype, consts, step, meet, record):
    """The time loop shared by the float and the integer simulations: `step`
    advances one layer, `meet(layer, [((producer, delayed), value)])` combines
    the values arriving at a layer (None: the Output); `delayed`: the value is
    the producer's of the previous step."""
    inputs = np.asarray(inputs)
    if options.input_kind == "spikes":
        inputs = (inputs > 0).astype(dtype)
    single = inputs.ndim == 2
    if single:
        inputs = inputs[None]
    n_seq, n_steps = inputs.shape[:2]
    states = [_LayerState(layer, n_seq, dtype, options) for layer in graph.layers]
    by_name = {layer.name: layer for layer in graph.layers}
    previous = {p: np.zeros((n_seq,) + tuple(by_name[p].out_shape), dtype)
                for p in graph.delayed_producers()}
    outputs = np.zeros((n_seq, n_steps) + tuple(graph.output_shape), dtype)
    traces: Dict[str, np.ndarray] = {}
    if record:
        for layer in graph.layers:
            shape = (n_seq, n_steps) + layer.out_shape
            entry = nodes.KINDS[layer.kind]
            if entry.category == nodes.NEURON:
                traces[f"{layer.name}.v"] = np.zeros(shape, dtype)
            if entry.has_current:
                traces[f"{layer.name}.i_syn"] = np.zeros(shape, dtype)
            if entry.spikes:
                traces[f"{layer.name}.spike"] = np.zeros(shape, dtype)

    def arriving(layer, sources, shape, values):
        parts = [((producer, delayed), (previous if delayed else values)[producer]
                  .reshape((n_seq,) + tuple(shape))) for producer, delayed in sources]
        return meet(layer, parts)

    for t in range(n_steps):
        values = {graph.input_name: inputs[:, t].astype(dtype)}
        for layer, c, st in zip(graph.layers, consts, states):
            x = arriving(layer, layer.sources, layer.in_shape, values)
            values[layer.name] = step(layer, c, st, x)
            if record:
                for key, value in ((".v", st.v), (".i_syn", st.i_syn),
                                   (".spike", values[layer.name])):
                    if layer.name + key in traces:
                        traces[layer.name + key][:, t] = value
        outputs[:, t] = arriving(None, graph.output_sources, graph.output_shape, values)
        for producer in previous:
            previous[producer] = values[producer]

    if single:
        outputs = outputs[0]
        traces = {k: v[0] for k, v in traces.items()}
    return (outputs, traces) if record else outputs


# ---------------------------------------------------------------------------
# Integer models (--precision int8 / int16)
#
# The arithmetic of docs/quantization.md, written from the document and not
# from the compiler: int64 numpy arrays, factors as fixed-point multipliers
# with one shift per parameter, rounding half away from zero, saturation where
# a value is stored. Scales come from the quantizer's plan (written into the
# IR's types) and the width and multiplier bits of each neuron update and
# rescale from the compiler's choice (IntegerArithmetic, written into the IR
# by snn-choose-integer-arithmetic): the reference implements the arithmetic,
# not the policy that chooses it. Everything else comes from the NIR
# parameters: the integer weights and biases too, divided by the window of an
# average pool they read, rounded, clipped and (given the calibration inputs)
# bias-corrected here by the rule of docs/quantization.md, with no call into
# the quantizer's own functions, so that a wrong quantization of the
# constants cannot move both sides at once.

WIDE_MULTIPLIER_BITS = 30
# A synapse's bias and accumulator (docs/quantization.md).
ACCUMULATOR_BITS = 32


@dataclasses.dataclass(frozen=True)
class IntegerArithmetic:
    """The compiler's choice of integer arithmetic, which the reference takes
    as given (it implements the arithmetic, not the policy that chooses it):
    for each neuron layer and each rescaled edge (consumer, producer,
    delayed), the width of the body's integers (32 or 64) and the bits of
    its fixed-point multipliers, as snn-choose-integer-arithmetic wrote them
    into the IR (read by api.integer_arithmetic)."""

    neurons: Dict[str, Tuple[int, int]]
    rescales: Dict[Tuple[str, str, bool], Tuple[int, int]]


def fixed_point(factors, bits=WIDE_MULTIPLIER_BITS, max_shift=62):
    """(multipliers, shift) with factor ~= multiplier / 2^shift: shift = bits - e
    for the largest |factor| = m 2^e (m in [0.5, 1)), clamped to [0, max_shift]."""
    factors = np.asarray(factors, dtype=np.float64)
    largest = float(np.abs(factors).max(initial=0.0))
    if largest == 0:
        return np.zeros(factors.shape, np.int64), 0
    shift = int(min(max(bits - np.frexp(largest)[1], 0), max_shift))
    return round_half_away_from_zero(np.ldexp(factors, shift)).astype(np.int64), shift


def times_factor(x, factors, arithmetic=(64, WIDE_MULTIPLIER_BITS)):
    """round(x * M / 2^shift), half away from zero, in `arithmetic` (width,
    multiplier bits): the multipliers have that many bits, the shift is at
    most 30 in 32-bit arithmetic, 62 in 64-bit."""
    width, bits = arithmetic
    multipliers, shift = fixed_point(factors, bits, 30 if width == 32 else 62)
    product = x * multipliers
    if shift == 0:
        return product
    divisor = np.int64(1) << np.int64(shift)
    half = divisor >> np.int64(1)
    return np.where(product < 0, -((-product + half) // divisor), (product + half) // divisor)


def saturate(x, bits):
    limit = (1 << (bits - 1))
    return np.clip(x, -limit, limit - 1)


def round_half_away_from_zero(values) -> np.ndarray:
    """Rounds to the nearest whole number, ties away from zero, exactly for
    every double: |v| - floor(|v|) is exact in float64, so the tie test needs
    no addition of 0.5 (which itself rounds: 0.49999999999999994 + 0.5 is 1.0)."""
    values = np.asarray(values, dtype=np.float64)
    magnitude = np.abs(values)
    whole = np.floor(magnitude)
    return np.copysign(whole + (magnitude - whole >= 0.5), values)


def integer_weights(weight, channel_scales, bits) -> np.ndarray:
    """docs/quantization.md: row i of a synapse's weights is stored at its
    output channel's scale s_i, as round(W_ij / s_i) (half away from zero)
    within the symmetric range +-(2^(bits-1) - 1) (zero point 0; -2^(bits-1)
    is never used). With bits = 32 this is the bias, at the same scales."""
    largest = (1 << (bits - 1)) - 1
    weight = np.asarray(weight, dtype=np.float64)
    scales = np.asarray(channel_scales, dtype=np.float64)
    # One scale per row (output channel), whatever the rank of the weight.
    scales = scales.reshape(scales.shape + (1,) * (weight.ndim - scales.ndim))
    levels = round_half_away_from_zero(weight / scales)
    return np.clip(levels, -largest, largest).astype(np.int64)


def _levels(values, scale):
    return round_half_away_from_zero(np.asarray(values, dtype=np.float64) / scale).astype(np.int64)


def _has_weight_scales(layer) -> bool:
    """Dense synapses and convolutions: integer weights at one scale per
    output channel, an int32 accumulator at the same scales."""
    return nodes.KINDS[layer.kind].quantization is nodes.Quantization.WEIGHT_SCALES


def pooled_window(graph: Graph, layer) -> Tuple[int, bool]:
    """docs/quantization.md, read from the graph: (KH*KW, is an average) of
    the pool whose counts reach `layer` through Flatten and Delay nodes, or
    (1, False) when no pool feeds it. The integer model reads the pool's sums;
    an average's 1 / (KH KW) goes into the weights of `layer`."""
    by_name = {other.name: other for other in graph.layers}
    name = layer.sources[0][0]
    while name in by_name and nodes.KINDS[by_name[name].kind].category in \
            (nodes.RESHAPE, nodes.DELAY):
        name = by_name[name].sources[0][0]
    source = by_name.get(name)
    if source is None or nodes.KINDS[source.kind].category != nodes.POOLING:
        return 1, False
    kernel_h, kernel_w = (int(k) for k in source.params["kernel"])
    return kernel_h * kernel_w, source.kind in nodes.AVERAGING_POOLS


def real_weight(graph: Graph, layer) -> np.ndarray:
    """The real weights the integer weights of `layer` stand for: the NIR
    weights, divided by the window of an average pool it reads (which the
    integer model sums: W / (KH KW) . sum = W . mean)."""
    weight = np.asarray(layer.params["weight"], dtype=np.float64)
    window, averaged = pooled_window(graph, layer)
    return weight / window if averaged else weight


@INTEGER_STEPS.register("affine", "linear")
def _step_synapse_int(layer, c, st, x, options, plan):
    # c["weight"] and c["bias"] hold the storage integers (simulate_quantized).
    acc = np.zeros((x.shape[0], c["weight"].shape[0]), np.int64)
    if c["bias"] is not None:
        acc = acc + c["bias"][None, :]
    return acc + x @ c["weight"].T


@INTEGER_STEPS.register("conv1d", "conv2d")
def _step_conv_int(layer, c, st, x, options, plan):
    """The convolution of the float step on int64 arrays: the storage
    integers of the weights and bias (simulate_quantized) and the input as it
    arrives (spikes, int8 values or a pool's counts), exactly."""
    return _step_conv(layer, c, st, np.asarray(x, np.int64), options, np.int64)


@INTEGER_STEPS.register("sumpool2d", "avgpool2d")
def _step_pool_int(layer, c, st, x, options, plan):
    """The sum of each window of integer spikes (an average pool too: its
    divisor is in the weights of the synapses it feeds)."""
    return _pool(np.asarray(x, np.int64), list(layer.params["kernel"]),
                 list(layer.params["stride"]), list(layer.params["padding"]), False)


@INTEGER_STEPS.register("integrator", "if", "li", "lif", "cubali", "cubalif")
def _step_neuron_int(layer, c, st, x, options, plan):
    entry = nodes.KINDS[layer.kind]
    bits, scale = plan.format.state_bits, plan.state_scale[layer.name]
    thr = _levels(c["threshold"], scale) if entry.fires else None
    v_reset = _levels(c["v_reset"], scale) if entry.fires else None
    leak = _levels(c["leak"], scale) if c.get("leak") is not None else 0

    def times(x, factors):
        return times_factor(x, factors, c["arithmetic"])

    def fired_at(v):
        return v >= thr if options.compare == "ge" else v > thr

    def reset(v, fired):
        return np.where(fired, v_reset if options.reset == "value" else v - thr, v)

    def integrate(start, drive):
        decayed = start if c["decay"] is None else times(start, c["decay"])
        return decayed + times(drive, c["gain"]) + leak

    def advance_current():
        """Updates i_syn (saturated when stored); returns the current the
        membrane sees (not saturated)."""
        joined = None
        if options.current_update == "add-then-decay":
            joined = st.i_syn + times(x, c["syn_gain"])
            i_next = times(joined, c["syn_decay"])
        else:
            i_next = times(st.i_syn, c["syn_decay"]) + times(x, c["syn_gain"])
        used = {"voltage-first": st.i_syn, "joined": joined}.get(options.cuba_order, i_next)
        st.i_syn = saturate(i_next, bits)
        return used

    if entry.fires and options.spike_timing == "before-update":
        timing = options.cuba_reset_timing if entry.has_current else options.reset_timing
        fired = fired_at(st.v)
        start = reset(st.v, fired) if timing == "before-update" else st.v
        drive = advance_current() if entry.has_current else x
        u = integrate(start, drive)
        st.v = saturate(u if timing == "before-update" else reset(u, fired), bits)
        st.spike = fired.astype(np.int64)
        return st.spike
    drive = advance_current() if entry.has_current else x
    u = integrate(st.v, drive)
    if not entry.fires:
        st.v = saturate(u, bits)
        return st.v
    if options.reset == "subtract-delayed":
        u = u - thr * st.spike
    fired = fired_at(u)
    st.v = saturate(reset(u, fired) if options.reset != "subtract-delayed" else u, bits)
    st.spike = fired.astype(np.int64)
    return st.spike


def _mean_synapse_inputs(graph: Graph, options: Options, inputs) -> Dict[str, np.ndarray]:
    """E[x] of every dense synapse: the mean of the input it receives, over
    every sequence and step, when the float64 reference runs on `inputs`
    (spikes where the input is declared as spikes, a recurrent synapse's
    previous-step spikes, what a Flatten or Delay passes on), as the integer
    model has it: the sums of a pool, where the float run has averages."""
    semantics.check_constants(graph, options, precision="f64")
    cast = lambda a: np.asarray(a, dtype=np.float64)  # noqa: E731
    consts = [_constants(layer, options, cast) for layer in graph.layers]
    totals: Dict[str, np.ndarray] = {}
    counts: Dict[str, int] = {}
    windows = {layer.name: pooled_window(graph, layer) for layer in graph.layers
               if layer.kind in nodes.SYNAPSES}

    def step(layer, c, st, x):
        if layer.kind in nodes.SYNAPSES:
            flat = x.reshape(x.shape[0], -1)
            window, averaged = windows[layer.name]
            if averaged:  # an average of spikes is a whole count over the window
                flat = np.rint(flat * window)
            totals[layer.name] = totals.get(layer.name, 0.0) + flat.sum(axis=0)
            counts[layer.name] = counts.get(layer.name, 0) + flat.shape[0]
        return FLOAT_STEPS[layer.kind](layer, c, st, x, options, np.float64)

    def meet(layer, parts):
        return sum(part for _, part in parts)

    _run(graph, options, np.asarray(inputs, dtype=np.float64), np.float64, consts, step, meet,
         False)
    return {name: totals[name] / counts[name] for name in totals}


def corrected_biases(graph: Graph, options: Options, plan, calibration) -> Dict[str, np.ndarray]:
    """The bias correction of docs/quantization.md, derived on its own:
    b'_i = b_i - sum_j (Wq_ij s_i - W_ij) E[x_j] for every dense synapse (b = 0
    where the NIR node has none), with Wq the integer weights at the plan's
    channel scales s_i and E[x] from the float64 reference on `calibration`
    (W and x as the integer model has them: behind an average pool, the
    weights divided by its window and its sums). Convolutions keep their
    bias: docs/quantization.md says why."""
    means = _mean_synapse_inputs(graph, options, calibration)
    biases = {}
    for layer in graph.layers:
        if layer.kind not in nodes.SYNAPSES:
            continue
        weight = real_weight(graph, layer)
        scales = np.asarray(plan.weight_scale[layer.name], dtype=np.float64)
        rounding_error = integer_weights(weight, scales, plan.format.weight_bits) \
            * scales[:, None] - weight
        bias = np.asarray(layer.params["bias"], dtype=np.float64) if "bias" in layer.params \
            else np.zeros(weight.shape[0])
        biases[layer.name] = bias - rounding_error @ means[layer.name]
    return biases


def simulate_quantized(graph: Graph, options: Options, plan, inputs: np.ndarray, *,
                       record: bool = False, calibration: Optional[np.ndarray] = None,
                       arithmetic: Optional[IntegerArithmetic] = None):
    """The integer model of `plan` on integer `inputs` [T, n_in] or [S, T, n_in]
    (int8 range). Returns integer outputs (spikes, or states at their scale)
    and, with `record=True`, traces as in `simulate`, in storage integers.

    The integer weights and biases are derived here from the NIR parameters
    and the plan's scales. `calibration`: the inputs the plan was calibrated
    on; the biases are then corrected here too (corrected_biases). Without
    them, a calibrated plan's corrected biases (plan.bias) are taken as given."""
    from .quantize import check_plan
    semantics.check_constants(graph, options)
    check_plan(graph, options, plan)
    cast = lambda a: np.asarray(a, dtype=np.float64)  # noqa: E731
    fmt = plan.format
    consts = [_constants(layer, options, cast) for layer in graph.layers]
    by_name = {layer.name: layer for layer in graph.layers}
    biases = dict(plan.bias) if calibration is None else \
        corrected_biases(graph, options, plan, calibration)
    for layer, c in zip(graph.layers, consts):
        if _has_weight_scales(layer):
            # From here on a synapse's constants are its storage integers.
            scales = plan.weight_scale[layer.name]
            bias = biases.get(layer.name, c["bias"])
            c["weight"] = integer_weights(real_weight(graph, layer), scales, fmt.weight_bits)
            c["bias"] = None if bias is None else integer_weights(bias, scales,
                                                                   ACCUMULATOR_BITS)

    if arithmetic is None:
        from .api import integer_arithmetic  # the compiler's choice, read from its IR
        arithmetic = integer_arithmetic(graph, options, plan)
    for layer, c in zip(graph.layers, consts):
        if layer.kind in nodes.NEURONS:
            c["arithmetic"] = arithmetic.neurons[layer.name]

    def rescaled(edge, value, layer):
        """A synapse's accumulator (or another neuron's state) at `layer`'s
        state scale, as snn-insert-rescale places snn.rescale, in the
        arithmetic the compiler chose for that rescale."""
        producer, delayed = edge
        source = by_name.get(producer)
        if source is None:
            return value
        to_scale = plan.state_scale[layer.name]
        if _has_weight_scales(source):
            # Per-channel accumulator scales: one ratio per channel, always a
            # rescale (a per-channel type never equals the state's type). The
            # channel is the first dimension after the batch's (a convolution's
            # filters): the ratio holds for all of the channel's positions.
            ratios = np.asarray(plan.weight_scale[producer], np.float64) / to_scale
            ratios = ratios.reshape(ratios.shape + (1,) * (value.ndim - 2))
        elif plan.state_scale[producer] == to_scale:
            return value
        else:
            ratios = [plan.state_scale[producer] / to_scale]
        chosen = arithmetic.rescales.get((layer.name, producer, delayed))
        if chosen is None:
            raise AssertionError(f"the compiler made no rescale from '{producer}' to "
                                 f"'{layer.name}', whose scales differ")
        return saturate(times_factor(value, ratios, chosen), fmt.state_bits)

    def meet(layer, parts):
        """Neurons take their inputs at their state's scale; a fan-in sums and
        saturates (snn.sum)."""
        if layer is None or layer.kind not in nodes.NEURONS:
            return sum(part for _, part in parts)
        parts = [rescaled(edge, part, layer) for edge, part in parts]
        return parts[0] if len(parts) == 1 else saturate(sum(parts), fmt.state_bits)

    def step(layer, c, st, x):
        return INTEGER_STEPS[layer.kind](layer, c, st, x, options, plan)

    return _run(graph, options, inputs, np.int64, consts, step, meet, record)
