"""Discretization options and constants, against numbers computed by hand."""
from __future__ import annotations

import dataclasses
import math

import nir
import numpy as np
import pytest

from snnc import api, reference, semantics
from snnc.frontend.graph import load_graph
from snnc.semantics import Options, integrator_gain, leaky_constants, resolve_options

# --------------------------------------------------------------------------
# resolve_options


def test_snntorch_preset():
    o = resolve_options(preset="snntorch")
    assert o == Options(dt=1e-4, reset="subtract-delayed", compare="gt", precision="f32")


def test_defaults_without_preset():
    o = resolve_options(dt=0.5)
    assert (o.dt, o.reset, o.compare, o.precision) == (0.5, "value", "gt", "f32")


@pytest.mark.parametrize("override,expected", [
    (dict(dt=1e-3), dict(dt=1e-3, reset="subtract-delayed", compare="gt")),
    (dict(reset="value"), dict(dt=1e-4, reset="value", compare="gt")),
    (dict(reset="subtract"), dict(dt=1e-4, reset="subtract", compare="gt")),
    (dict(compare="ge"), dict(dt=1e-4, reset="subtract-delayed", compare="ge")),
    (dict(precision="f64"), dict(dt=1e-4, reset="subtract-delayed", precision="f64")),
    (dict(dt=2.0, reset="value", compare="ge", precision="f64"),
     dict(dt=2.0, reset="value", compare="ge", precision="f64")),
])
def test_explicit_options_override_the_preset(override, expected):
    o = resolve_options(preset="snntorch", **override)
    for key, value in expected.items():
        assert getattr(o, key) == value, key


def test_none_means_not_given():
    assert resolve_options(preset="snntorch", dt=None, reset=None, compare=None,
                           precision=None) == resolve_options(preset="snntorch")


def test_dt_given_as_text_or_int():
    assert resolve_options(dt="0.001").dt == 0.001
    o = resolve_options(dt=1)
    assert o.dt == 1.0 and isinstance(o.dt, float)


def test_options_are_frozen_and_describe_is_stable():
    o = resolve_options(preset="snntorch", precision="f64")
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.dt = 1.0
    assert o.describe() == "precision=f64 dt=0.0001 reset=subtract-delayed compare=gt"


@pytest.mark.parametrize("kwargs,words", [
    (dict(), ["time step", "--dt", "--preset", "snntorch"]),
    (dict(reset="value"), ["--dt"]),
    (dict(preset="lava"), ["unknown preset", "lava", "norse", "sinabs", "snntorch"]),
    (dict(dt=0.0), ["--dt", "positive"]),
    (dict(dt=-1e-3), ["--dt", "positive"]),
    (dict(dt=math.inf), ["--dt", "finite"]),
    (dict(dt=math.nan), ["--dt"]),
    (dict(dt="fast"), ["--dt", "number", "fast"]),
    (dict(dt=[1]), ["--dt", "number"]),
    (dict(dt=1e-3, reset="hard"), ["--reset", "hard", "value", "subtract-delayed"]),
    (dict(dt=1e-3, compare=">"), ["--compare", "gt", "ge"]),
    (dict(dt=1e-3, precision="f16"), ["--precision", "f16", "f32", "f64"]),
    (dict(preset="snntorch", precision="bf16"), ["--precision"]),
])
def test_errors(kwargs, words):
    with pytest.raises(ValueError) as info:
        resolve_options(**kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
    assert "\n" not in message


def test_presets_table_is_valid():
    for name, values in semantics.PRESETS.items():
        o = resolve_options(preset=name)
        assert o.reset in semantics.RESET_MODES and o.compare in semantics.COMPARE_MODES
        assert o.dt == values["dt"]


# --------------------------------------------------------------------------
# per-step constants (forward Euler), computed by hand


def test_leaky_constants_exact_by_hand():
    # tau = 1/2, dt = 1/8: dt/tau = 1/4, so
    # decay = 1 - 1/4 = 3/4; gain = r dt / tau = 2 * 1/4 = 1/2; leak = -1 * 1/4.
    assert leaky_constants(0.5, 2.0, -1.0, 0.125) == (0.75, 0.5, -0.25)


def test_leaky_constants_decimal_by_hand():
    # tau = 20 ms, dt = 1 ms: dt/tau = 0.05 -> decay 0.95, gain 3 * 0.05 = 0.15,
    # leak 0.5 * 0.05 = 0.025.
    decay, gain, leak = leaky_constants(0.02, 3.0, 0.5, 0.001)
    assert math.isclose(decay, 0.95, rel_tol=1e-15)
    assert math.isclose(gain, 0.15, rel_tol=1e-15)
    assert math.isclose(leak, 0.025, rel_tol=1e-15)
    # documented evaluation order, bit for bit: (r * dt) / tau, (v_leak * dt) / tau
    assert gain == (3.0 * 0.001) / 0.02
    assert leak == (0.5 * 0.001) / 0.02
    assert decay == 1.0 - 0.001 / 0.02


def test_leaky_constants_snntorch_export():
    # snnTorch writes tau = dt / (1 - beta), r = tau / dt: beta 0.9 at dt 1e-4
    # gives tau = 1e-3 and r = 10, so decay = beta and gain = 1.
    tau = 1e-4 / (1 - 0.9)
    decay, gain, leak = leaky_constants(tau, tau / 1e-4, 0.0, 1e-4)
    assert math.isclose(decay, 0.9, rel_tol=1e-12)
    assert math.isclose(gain, 1.0, rel_tol=1e-12)
    assert leak == 0.0


def test_leaky_constants_per_neuron_arrays():
    tau = np.array([0.5, 0.25, 1.0])
    decay, gain, leak = leaky_constants(tau, np.array([2.0, 1.0, 4.0]),
                                        np.array([1.0, 0.0, -2.0]), 0.125)
    assert decay.tolist() == [0.75, 0.5, 0.875]
    assert gain.tolist() == [0.5, 0.5, 0.5]
    assert leak.tolist() == [0.25, 0.0, -0.25]


def test_integrator_gain_by_hand():
    assert integrator_gain(4.0, 0.25) == 1.0
    assert integrator_gain(3.0, 0.5) == 1.5


# --------------------------------------------------------------------------
# whole trajectories, by hand, through the reference and the C code
#
# One neuron behind Linear([[1]]) at dt = 1. LIF with tau = 2, r = 2: decay
# 0.5, gain 1; v_threshold 1, v_reset -0.5, v_leak 0. Input
# x = 1, 0.5, 0.75, 2, 0, 0. Worked out in the comments of LIF_CASES.

X_LIF = [1.0, 0.5, 0.75, 2.0, 0.0, 0.0]
LIF_CASES = {
    # u = v/2 + x; fire when u > 1; then v = -0.5
    # u: 1, 1, 1.25*, 1.75*, -0.25, -0.125
    ("value", "gt"): ([0, 0, 1, 1, 0, 0], [1.0, 1.0, -0.5, -0.5, -0.25, -0.125]),
    # fire when u >= 1: u: 1*, 0.25, 0.875, 2.4375*, -0.25, -0.125
    ("value", "ge"): ([1, 0, 0, 1, 0, 0], [-0.5, 0.25, 0.875, -0.5, -0.25, -0.125]),
    # fire when u > 1; then v = u - 1: u: 1, 1, 1.25*, 2.125*, 0.5625, 0.28125
    ("subtract", "gt"): ([0, 0, 1, 1, 0, 0], [1.0, 1.0, 0.25, 1.125, 0.5625, 0.28125]),
    # u = v/2 + x - 1*s_prev; fire when u > 1; v = u:
    # u: 1, 1, 1.25*, 0.625+2-1 = 1.625*, 0.8125-1 = -0.1875, -0.09375
    ("subtract-delayed", "gt"): ([0, 0, 1, 1, 0, 0],
                                 [1.0, 1.0, 1.25, 1.625, -0.1875, -0.09375]),
    # same with ge: u: 1*, 0.5+0.5-1 = 0, 0.75, 2.375*, 1.1875-1 = 0.1875, 0.09375
    ("subtract-delayed", "ge"): ([1, 0, 0, 1, 0, 0],
                                 [1.0, 0.0, 0.75, 2.375, 0.1875, 0.09375]),
}


def _one_neuron(tmp_nir, node):
    return tmp_nir.graph({"input": nir.Input(input_type={"input": np.array([1])}),
                          "w": nir.Linear(weight=np.array([[1.0]])), "n": node,
                          "output": nir.Output(output_type={"output": np.array([1])})},
                         [("input", "w"), ("w", "n"), ("n", "output")], type_check=True)


@pytest.mark.parametrize("reset,compare", sorted(LIF_CASES))
def test_lif_trajectory_by_hand(tmp_nir, reset, compare):
    spikes, membrane = LIF_CASES[(reset, compare)]
    path = _one_neuron(tmp_nir, nir.LIF(tau=np.array([2.0]), r=np.array([2.0]),
                                        v_leak=np.array([0.0]), v_threshold=np.array([1.0]),
                                        v_reset=np.array([-0.5])))
    x = np.array(X_LIF)[:, None]
    options = dict(dt=1.0, reset=reset, compare=compare)
    graph = load_graph(path)
    for dtype in (np.float32, np.float64):
        out, traces = reference.simulate(graph, resolve_options(**options), x, dtype=dtype,
                                         record=True)
        assert out[:, 0].tolist() == spikes
        assert traces["n.v"][:, 0].tolist() == membrane
    out, states = api.run_c(path, x, record_states=True, precision="f64", **options)
    assert out[:, 0].tolist() == spikes
    assert states["n_v"][:, 0].tolist() == membrane


def test_li_and_i_trajectories_by_hand(tmp_nir):
    # LI: tau 2, r 2, v_leak 1 at dt 1: v' = v/2 + x + 0.5.
    # x = 1, 0, 0, -2: v = 1.5, 1.25, 1.125, -0.9375
    li = _one_neuron(tmp_nir, nir.LI(tau=np.array([2.0]), r=np.array([2.0]),
                                     v_leak=np.array([1.0])))
    x = np.array([[1.0], [0.0], [0.0], [-2.0]])
    expected_li = [1.5, 1.25, 1.125, -0.9375]
    # I: r 3 at dt 0.5: v' = v + 1.5 x. x = 1, 2, -1, 0: v = 1.5, 4.5, 3, 3
    integ = _one_neuron(tmp_nir, nir.I(r=np.array([3.0])))
    y = np.array([[1.0], [2.0], [-1.0], [0.0]])
    expected_i = [1.5, 4.5, 3.0, 3.0]
    for path, inputs, dt, expected in ((li, x, 1.0, expected_li), (integ, y, 0.5, expected_i)):
        ref = reference.simulate(load_graph(path), resolve_options(dt=dt), inputs)
        assert ref[:, 0].tolist() == expected
        out = api.run_c(path, inputs, dt=dt, precision="f32")
        assert out[:, 0].tolist() == expected


def test_if_trajectory_by_hand(tmp_nir):
    # IF: r 1 at dt 1 (gain 1), threshold 1, v_reset 0.25, value reset, gt.
    # x = 0.5 each step: u = 0.5, 1 (not > 1), 1.5* -> 0.25, 0.75, 1.25* -> 0.25
    path = _one_neuron(tmp_nir, nir.IF(r=np.array([1.0]), v_threshold=np.array([1.0]),
                                       v_reset=np.array([0.25])))
    x = np.full((5, 1), 0.5)
    out, states = api.run_c(path, x, record_states=True, dt=1.0, precision="f64")
    assert out[:, 0].tolist() == [0, 0, 1, 0, 1]
    assert states["n_v"][:, 0].tolist() == [0.5, 1.0, 0.25, 0.75, 0.25]
