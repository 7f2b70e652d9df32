"""Discretization: how the continuous-time NIR equations become one time step.

NIR stores neither the time step nor the reset rule nor the comparison with the
threshold, and frameworks that export NIR disagree on all three (see
docs/semantics.md). They are therefore explicit options, with presets that
reproduce what a given exporter computes. The dialect never sees these
choices: the front end turns them into per-op constants here.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

from . import nodes

RESET_MODES = ("value", "subtract", "subtract-delayed")
COMPARE_MODES = ("gt", "ge")
# Floats, or integer models (quantize.py): int8 weights with int16 state, or
# int16 weights with int32 state.
PRECISIONS = ("f32", "f64", "int8", "int16")
INTEGER_PRECISIONS = ("int8", "int16")
# Whether a current-based neuron's membrane sees this step's synaptic current
# (current-first) or the previous step's (voltage-first).
# (joined: the membrane sees the current with this step's input added, before
# the current decays; Norse's LIFCell, with --current-update add-then-decay.)
CUBA_ORDERS = ("current-first", "voltage-first", "joined")
# How to read NIR's `tau`: as written (nir), or as Norse 1.1 writes it, dt
# divided by the true time constant (Norse issue 411), so tau_true = tau_nir / dt.
TAU_CONVENTIONS = ("nir", "norse-inverse")
# Forward Euler, or the exact solution of the linear ODE over one step with
# the input held constant (exponential decay).
INTEGRATORS = ("euler", "exact")
# One spike per step at most, or the number of thresholds crossed (Rockpool).
SPIKE_COUNTS = ("single", "multiple")
# How input joins a synaptic current: i' = d i + g x (g = w_in dt/tau_syn under
# Euler), or i' = d (i + w_in x): the input jumps into the current, which then
# decays (Norse's LIFCell, Rockpool).
CURRENT_UPDATES = ("decay-then-add", "add-then-decay")
# Input gains from NIR's r and w_in, or 1 (Rockpool's simulation ignores both).
INPUT_GAINS = ("nir", "unit")
# When the spike is decided: from the membrane after this step's update (the
# NIR reading), or from the one the step starts with (Spyx); and, for the
# latter, whether the reset applies before or after the update, for IF/LIF and
# for CubaLIF separately (Spyx does one for each).
TIMINGS = ("after-update", "before-update")
# What the network's input carries: values as they are, or spikes (a positive
# input is one spike, anything else none). Spikes bound every synapse the
# input feeds, which integer models turn into narrower arithmetic.
INPUT_KINDS = ("values", "spikes")

# What each exporter's own simulation does (measured against the framework in
# tests/fixtures). Explicit options override a preset field by field.
PRESETS = {
    # snnTorch 1.0 exports dt = 1e-4 and subtracts the threshold times the
    # previous step's spike before thresholding (its default reset_delay).
    "snntorch": {"dt": 1e-4, "reset": "subtract-delayed", "compare": "gt"},
    # Norse 1.1 steps with dt = 1e-3, resets to v_reset, and writes tau as
    # dt / tau_mem (its exporter's bug), which the preset undoes.
    # Its LIFCell (exported as CubaLIF) adds the input to the current, lets the
    # membrane see that, then decays the current.
    "norse": {"dt": 1e-3, "reset": "value", "compare": "gt", "tau_convention": "norse-inverse",
              "current_update": "add-then-decay", "cuba_order": "joined"},
    # Rockpool 3.1 decays exactly (e^(-dt/tau)), adds the input to the current
    # before it decays, ignores the exported r and w_in, fires at v >= thr and
    # emits floor(v/thr) spikes per step, subtracting as many thresholds.
    # Sinabs 3.1 counts tau in time steps (dt = 1), integrates exactly with
    # normalized input ((1 - alpha) r I), and its default MultiSpike fires
    # trunc(v/thr) spikes at v >= thr, subtracting as many thresholds.
    "sinabs": {"dt": 1.0, "reset": "subtract", "compare": "ge", "integrator": "exact",
               "spikes": "multiple"},
    # Spyx 1.0 decides the spike from the membrane before the update, ignores
    # r and w_in, subtracts after the decay in LIF and before it in CuBaLIF.
    "spyx": {"dt": 1.0, "reset": "subtract", "compare": "gt", "input_gains": "unit",
             "spike_timing": "before-update", "reset_timing": "after-update",
             "cuba_reset_timing": "before-update"},
    "rockpool": {"dt": 1e-3, "reset": "subtract", "compare": "ge", "integrator": "exact",
                 "spikes": "multiple", "current_update": "add-then-decay",
                 "input_gains": "unit"},
}


@dataclasses.dataclass(frozen=True)
class Options:
    """Everything besides the NIR file that decides the generated code."""

    dt: float
    reset: str = "value"
    compare: str = "gt"
    precision: str = "f32"
    cuba_order: str = "current-first"
    tau_convention: str = "nir"
    integrator: str = "euler"
    spikes: str = "single"
    current_update: str = "decay-then-add"
    input_gains: str = "nir"
    spike_timing: str = "after-update"
    reset_timing: str = "after-update"
    cuba_reset_timing: str = "after-update"
    input_kind: str = "values"

    def true_tau(self, tau):
        """The time constant a file's `tau` stands for under this convention."""
        return tau if self.tau_convention == "nir" else tau / self.dt

    def describe(self) -> str:
        """One line for generated headers; stable so output stays byte-identical."""
        always = ("precision", "dt", "reset", "compare")
        text = (f"precision={self.precision} dt={self.dt!r} reset={self.reset} "
                f"compare={self.compare}")
        # The others when they differ from their defaults, in field order.
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name in always or value == field.default:
                continue
            label = "tau" if field.name == "tau_convention" else field.name.replace("_", "-")
            text += f" {label}={value}"
        return text


# The choices of every option that has a fixed set of values.
CHOICES = {"reset": RESET_MODES, "compare": COMPARE_MODES, "precision": PRECISIONS,
           "cuba_order": CUBA_ORDERS, "tau_convention": TAU_CONVENTIONS,
           "integrator": INTEGRATORS, "spikes": SPIKE_COUNTS,
           "current_update": CURRENT_UPDATES, "input_gains": INPUT_GAINS,
           "spike_timing": TIMINGS, "reset_timing": TIMINGS, "cuba_reset_timing": TIMINGS,
           "input_kind": INPUT_KINDS}
# Every option's name, as Options, the API and the CLI spell it (with _).
OPTION_NAMES = tuple(field.name for field in dataclasses.fields(Options))


def resolve_options(*, preset: Optional[str] = None, **explicit) -> Options:
    """Combines a preset with explicit options (OPTION_NAMES; None means not
    given); explicit ones win.

    Raises ValueError with a user-facing message on an unknown or missing value.
    """
    unknown = sorted(set(explicit) - set(OPTION_NAMES))
    if unknown:
        raise TypeError(f"unknown options: {', '.join(unknown)}")
    values = {}
    if preset is not None:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset '{preset}' (known: {', '.join(sorted(PRESETS))})")
        values.update(PRESETS[preset])
    values.update({key: value for key, value in explicit.items() if value is not None})
    if "dt" not in values:
        raise ValueError("the time step is not stored in NIR: pass --dt SECONDS "
                         f"or --preset ({', '.join(sorted(PRESETS))})")
    dt_value = values["dt"]
    try:
        dt_value = float(dt_value)
    except (TypeError, ValueError):
        raise ValueError(f"--dt must be a number, got {dt_value!r}") from None
    if not (dt_value > 0 and dt_value < float("inf")):
        raise ValueError(f"--dt must be a positive finite number, got {dt_value!r}")
    values["dt"] = dt_value
    for key, allowed in CHOICES.items():
        if key in values and values[key] not in allowed:
            flag = key.replace("_", "-")
            raise ValueError(f"--{flag} must be one of {', '.join(allowed)}, got '{values[key]}'")
    if values.get("cuba_order") == "joined" and values.get("current_update") != "add-then-decay":
        raise ValueError("--cuba-order joined needs --current-update add-then-decay")
    if values.get("spike_timing") == "before-update" and (
            values.get("reset") == "subtract-delayed" or values.get("spikes") == "multiple"):
        raise ValueError("--spike-timing before-update excludes --reset subtract-delayed and "
                         "--spikes multiple")
    if values.get("spikes") == "multiple" and values.get("reset") == "subtract-delayed":
        raise ValueError("--spikes multiple needs --reset subtract or value")
    return Options(**values)


# Forward Euler: v' = v + dt/tau (v_leak - v + r I)
#               = (1 - dt/tau) v + (r dt/tau) I + (v_leak dt/tau).
# The products are evaluated left to right in float64, as written here, so
# that the constants are reproducible bit for bit.

def leaky_constants(tau, r, v_leak, dt, integrator="euler"):
    """(decay, gain, leak) of a leaky membrane (NIR LI, LIF):
    euler: 1 - dt/tau, r dt/tau, v_leak dt/tau;
    exact: e^(-dt/tau), r (1 - e^(-dt/tau)), v_leak (1 - e^(-dt/tau))."""
    if integrator == "exact":
        import numpy as np
        rise = -np.expm1(-dt / np.asarray(tau, dtype=np.float64))
        return 1.0 - rise, r * rise, v_leak * rise
    return 1.0 - dt / tau, r * dt / tau, v_leak * dt / tau


def synapse_constants(tau_syn, w_in, dt, integrator="euler"):
    """(syn_decay, syn_gain) of a current-based synapse (NIR CubaLI, CubaLIF):
    tau_syn dI/dt = -I + w_in S  ->  I' = (1 - dt/tau_syn) I + (w_in dt/tau_syn) S
    (exact: e^(-dt/tau_syn) and w_in (1 - e^(-dt/tau_syn)))."""
    if integrator == "exact":
        import numpy as np
        rise = -np.expm1(-dt / np.asarray(tau_syn, dtype=np.float64))
        return 1.0 - rise, w_in * rise
    return 1.0 - dt / tau_syn, w_in * dt / tau_syn


# Steps beyond this cannot be counted exactly in float64 (nor safely converted
# to int64); no buffer could hold such a delay anyway.
MAX_DELAY_STEPS = 2.0 ** 53


def delay_steps(delay, dt):
    """A NIR delay in seconds as a whole number of steps; ValueError if the
    delay is not a multiple of dt (within a relative 1e-6) or is more steps
    than float64 counts exactly (2^53)."""
    import numpy as np
    delay = np.asarray(delay, dtype=np.float64)
    with np.errstate(over="ignore"):
        steps = np.rint(delay / dt)
    too_long = ~(steps < MAX_DELAY_STEPS)
    if np.any(too_long):
        index = int(np.argmax(too_long.reshape(-1)))
        raise ValueError(f"a delay of {_g(delay.reshape(-1)[index])} s at dt = {_g(dt)} s is "
                         f"{_g(steps.reshape(-1)[index])} steps, beyond any delay line "
                         "(its buffer holds at most 16777216 elements)")
    if not np.allclose(steps * dt, delay, rtol=1e-6, atol=1e-12 * dt):
        raise ValueError(f"delay {np.asarray(delay).reshape(-1)[:4].tolist()} s is not a "
                         f"multiple of dt = {dt} s")
    return steps.astype(np.int64)


def integrator_gain(r, dt):
    """Input gain of a non-leaky membrane (NIR I, IF): v' = v + r dt I."""
    return r * dt


# ---------------------------------------------------------------------------
# The constants that reach the IR, and whether the target type holds them.

@dataclasses.dataclass(frozen=True)
class Constant:
    """One per-op constant of the IR, in float64 as the front end computes it.

    `sources` names what it is computed from: NIR parameters of the node (as
    the file writes them) and "dt". `role`: "weight" (weights and biases of
    synapses and convolutions), "factor" (dimensionless: decays, gains,
    scales) or "level" (a membrane value: threshold, reset value, leak)."""

    values: "object"
    sources: tuple
    role: str


def layer_constants(layer, options: Options) -> dict:
    """Every constant the front end puts on `layer`'s op, keyed by the op's
    attribute names (weight and bias for synapses and convolutions): the one
    place where they are computed from the NIR parameters, so that what is
    checked (check_constants) is what is emitted."""
    import numpy as np
    p, dt, kind, entry = layer.params, options.dt, layer.kind, nodes.KINDS[layer.kind]
    c = {}
    unit = options.input_gains == "unit"

    def gain_of(values):
        return np.ones_like(np.asarray(values, dtype=np.float64)) if unit else values

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        if entry.category in (nodes.SYNAPSE, nodes.CONVOLUTION):
            c["weight"] = Constant(p["weight"], ("weight",), "weight")
            if "bias" in p:
                c["bias"] = Constant(p["bias"], ("bias",), "weight")
        elif kind == "scale":
            c["scale"] = Constant(p["scale"], ("scale",), "factor")
        elif kind == "threshold":
            c["threshold"] = Constant(p["threshold"], ("threshold",), "level")
        elif entry.category == nodes.NEURON and entry.membrane_tau is None:  # no leak
            c["gain"] = Constant(gain_of(integrator_gain(p["r"], dt)), ("r", "dt"), "factor")
        elif entry.has_current:
            syn_decay, syn_gain = synapse_constants(options.true_tau(p["tau_syn"]), p["w_in"],
                                                    dt, options.integrator)
            syn_sources = ("w_in", "tau_syn", "dt")
            if options.current_update == "add-then-decay":
                syn_gain, syn_sources = p["w_in"], ("w_in",)
            c["syn_decay"] = Constant(syn_decay, ("tau_syn", "dt"), "factor")
            c["syn_gain"] = Constant(gain_of(syn_gain), syn_sources, "factor")
        if entry.membrane_tau is not None:
            tau = entry.membrane_tau
            decay, gain, leak = leaky_constants(options.true_tau(p[tau]), p["r"], p["v_leak"],
                                                dt, options.integrator)
            c["decay"] = Constant(decay, (tau, "dt"), "factor")
            c["gain"] = Constant(gain_of(gain), ("r", tau, "dt"), "factor")
            c["leak"] = Constant(leak, ("v_leak", tau, "dt"), "level")
        if entry.fires:
            c["threshold"] = Constant(p["v_threshold"], ("v_threshold",), "level")
            c["v_reset"] = Constant(p["v_reset"], ("v_reset",), "level")
    return c


def _g(value) -> str:
    """A number in messages: three significant digits."""
    return f"{float(value):.3g}"


FLOAT_NAMES = {"f32": "float32", "f64": "float64"}


def describe_constant(layer, options: Options, name: str, constant: Constant,
                      index: int) -> str:
    """'parameter 'weight' has 1e+300' or 'tau 1e-300 with dt 0.001 gives a
    decay of -1e+297', for element `index` (row-major) of the constant."""
    import numpy as np
    values = np.asarray(constant.values, dtype=np.float64)
    value = values.reshape(-1)[index] if values.size > 1 else values.reshape(-1)[0]
    if len(constant.sources) == 1 and constant.sources[0] != "dt":
        return f"parameter '{constant.sources[0]}' has {_g(value)}"
    parts = []
    for source in constant.sources:
        if source == "dt":
            continue
        array = np.asarray(layer.params[source], dtype=np.float64).reshape(-1)
        parts.append(f"{source} {_g(array[index] if array.size > 1 else array[0])}")
    text = ", ".join(parts)
    if "dt" in constant.sources:
        text += f" with dt {_g(options.dt)}"
    what = name.replace("_", " ")
    if not np.isfinite(value):
        return f"{text} gives a {what} that overflows float64"
    return f"{text} gives a {what} of {_g(value)}"


def check_constants(graph, options: Options, precision: Optional[str] = None) -> None:
    """Refuses, naming the node and the NIR parameters, a model whose
    constants the target type cannot hold: at f32/f64 every constant of the IR
    must be finite in that type; at int8/int16 every factor finite and below
    2^30 (fixed-point multipliers; the scales, levels and rescales are the
    quantizer's, quantize.check_plan) and delays must be countable. The front
    end (emitter.state_fields, quantize.plan) and the reference simulators
    call it before anything is computed, so the compiler and the oracle refuse
    the same models with the same message. `precision` overrides the
    options' (the reference simulates f32 options in float64 too)."""
    import numpy as np
    from .errors import SNNCError
    precision = precision or options.precision
    integer = precision in INTEGER_PRECISIONS
    dtype = np.float32 if precision == "f32" else np.float64
    for layer in graph.layers:
        if layer.kind == "delay":
            try:
                delay_steps(layer.params["delay"], options.dt)
            except ValueError as exc:
                raise SNNCError(str(exc), node=layer.name) from None
            continue
        for name, constant in layer_constants(layer, options).items():
            values = np.asarray(constant.values, dtype=np.float64)
            with np.errstate(over="ignore"):
                if integer:
                    if constant.role != "factor":
                        continue  # weights and levels: quantize.check_plan
                    bad = ~(np.abs(values) < FIXED_POINT_FACTOR_LIMIT)
                else:
                    bad = ~np.isfinite(values.astype(dtype))
            if not np.any(bad):
                continue
            index = int(np.argmax(bad.reshape(-1)))
            what = describe_constant(layer, options, name, constant, index)
            if what.endswith("overflows float64"):
                problem = what
            elif integer:
                problem = (f"{what}, beyond the fixed-point factors of --precision "
                           f"{precision} (magnitude below 2^30)")
            elif what.startswith("parameter"):
                largest = float(np.finfo(dtype).max)
                problem = f"{what}, which {FLOAT_NAMES[precision]} cannot hold (largest {_g(largest)})"
            else:
                problem = f"{what}, beyond {FLOAT_NAMES[precision]}"
            raise SNNCError(problem, node=layer.name)


# A real factor of an integer model is a multiplier M and a shift n with
# |M| <= 2^30 (docs/quantization.md); factors of 2^30 or more do not fit
# (the lowering's checkQuantized refuses them too).
FIXED_POINT_FACTOR_LIMIT = 2.0 ** 30
