"""The shipped example against snnTorch's own output spikes.

examples/models/digits holds a 64-128-10 network trained and exported by
snnTorch, its test inputs and the output spikes snnTorch itself computed at
float32 (as trained) and float64. With `--preset snntorch`, the compiled C
and the reference must reproduce those spikes exactly.
"""
from __future__ import annotations

import numpy as np
import pytest

import snnc
from snnc import api, reference, semantics
from snnc.frontend.graph import load_graph

NP_TYPES = {"f32": np.float32, "f64": np.float64}


def accuracy(spikes, labels):
    """argmax of spike counts over time (ties: lowest index) vs the labels."""
    return float(np.mean(np.argmax(spikes.sum(axis=1), axis=1) == labels))


def snntorch_spikes(digits, precision):
    return digits.spikes_f32 if precision == "f32" else digits.spikes_f64


@pytest.fixture(scope="module")
def c_runs(digits):
    """C outputs and states at both precisions, compiled once per module."""
    return {p: api.run_c(digits.nir, digits.inputs, name="digits", preset="snntorch",
                         precision=p, record_states=True) for p in ("f32", "f64")}


@pytest.fixture(scope="module")
def ref_runs(digits):
    graph = load_graph(digits.nir)
    options = semantics.resolve_options(preset="snntorch")
    return {p: reference.simulate(graph, options, digits.inputs, dtype=NP_TYPES[p], record=True)
            for p in ("f32", "f64")}


def test_fixture_is_consistent(digits):
    """snnTorch's own results as documented in the README."""
    assert set(np.unique(digits.inputs)) <= {0, 1}
    assert set(np.unique(digits.spikes_f32)) <= {0, 1}
    assert accuracy(digits.spikes_f32, digits.labels) >= 0.9
    assert accuracy(digits.spikes_f64, digits.labels) >= 0.9


@pytest.mark.parametrize("precision", ["f32", "f64"])
def test_c_reproduces_snntorch_bit_exactly(digits, c_runs, precision):
    outputs, _ = c_runs[precision]
    expected = snntorch_spikes(digits, precision)
    assert outputs.shape == expected.shape == (450, 25, 10)
    assert np.array_equal(outputs, expected), (
        f"{np.count_nonzero(outputs != expected)} of {outputs.size} spikes differ")


@pytest.mark.parametrize("precision", ["f32", "f64"])
def test_reference_reproduces_snntorch_bit_exactly(digits, ref_runs, precision):
    outputs, _ = ref_runs[precision]
    assert np.array_equal(outputs, snntorch_spikes(digits, precision))


@pytest.mark.parametrize("precision", ["f32", "f64"])
def test_c_membranes_equal_reference(c_runs, ref_runs, precision):
    _, states = c_runs[precision]
    _, traces = ref_runs[precision]
    assert set(states) == {"lif1_v", "lif1_spike", "lif2_v", "lif2_spike"}
    for layer in ("lif1", "lif2"):
        assert states[f"{layer}_v"].dtype == NP_TYPES[precision]
        assert np.array_equal(states[f"{layer}_v"], traces[f"{layer}.v"]), layer
        assert np.array_equal(states[f"{layer}_spike"], traces[f"{layer}.spike"]), layer
    # the hidden layer is neither silent nor saturated
    assert 0.01 < float(np.mean(traces["lif1.spike"])) < 0.9


@pytest.mark.parametrize("precision", ["f32", "f64"])
def test_accuracy(digits, c_runs, precision):
    outputs, _ = c_runs[precision]
    assert accuracy(outputs, digits.labels) >= 0.9


def test_public_run_api(digits):
    """snnc.run with both backends on a slice of the test set."""
    x = digits.inputs[:40]
    ref = snnc.run(digits.nir, x, backend="reference", preset="snntorch")
    c = snnc.run(digits.nir, x, backend="c", preset="snntorch", precision="f64")
    assert ref.shape == c.shape == (40, 25, 10)
    assert np.array_equal(ref, digits.spikes_f64[:40])
    assert np.array_equal(c, digits.spikes_f64[:40])
    # one sequence [T, n_in] -> [T, n_out]
    single = snnc.run(digits.nir, x[3], backend="reference", preset="snntorch")
    assert single.shape == (25, 10)
    assert np.array_equal(single, digits.spikes_f64[3])


def test_wrong_semantics_do_not_reproduce_snntorch(digits):
    """The preset matters: a plain reset-to-value does not give snnTorch's spikes."""
    graph = load_graph(digits.nir)
    options = semantics.resolve_options(dt=1e-4, reset="value")
    outputs = reference.simulate(graph, options, digits.inputs[:100])
    assert not np.array_equal(outputs, digits.spikes_f64[:100])
