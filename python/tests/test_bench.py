"""`snnc bench` runs and reports what it promises. Timing thresholds are not
tested (machines are noisy); the speed figures live in docs/performance.md."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from snnc import api

DIGITS = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "models", "digits",
                      "digits.nir")


def test_bench_json_has_the_side_by_side_figures():
    result = subprocess.run([sys.executable, "-m", "snnc", "bench", DIGITS, "--preset",
                             "snntorch", "--steps", "50", "--runs", "2", "--rounds", "1",
                             "--json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    expected = {"optimized", "reference", "numpy", "int8"}
    if importlib.util.find_spec("snntorch") and importlib.util.find_spec("torch"):
        expected.add("snntorch")  # timed only where the user has it
    assert set(report["us_per_step"]) == expected
    assert all(v > 0 for v in report["us_per_step"].values())
    # The step's temporaries are in the scratch arrays of the state, not on
    # the stack: the largest, fc1's sums (128 floats) and the active-position
    # list of fc2 (128 int16), are live together.
    assert report["bytes"]["scratch"] >= 4 * 128 + 2 * 128
    assert 0 < report["bytes"]["stack_of_step"] <= 256
    assert report["memory_bandwidth_gbs"] > 0 and report["cache_bandwidth_gbs"] > 0
    # The first synapse's active rows (rate 0.2 of 64 inputs), all of the second.
    assert report["weight_bytes_read_per_step_upper_bound"] == \
        pytest.approx((0.2 * 128 * 64 + 10 * 128) * 4)
    # Weights and biases of both synapses, and the LIFs' parameters, as float32.
    assert report["bytes"]["constants"] >= (128 * 64 + 128 + 10 * 128 + 10) * 4
    assert report["bytes"]["state"] == (128 * 2 + 10 * 2) * 4


def test_optimized_and_reference_lowering_agree_on_the_example():
    inputs = np.load(os.path.join(os.path.dirname(DIGITS), "test_inputs.npy"))[:60]
    for precision in ("f32", "f64", "int8", "int16"):
        fast, fast_states = api.run_c(DIGITS, inputs, preset="snntorch", precision=precision,
                                      record_states=True)
        plain, plain_states = api.run_c(DIGITS, inputs, preset="snntorch",
                                        precision=precision, record_states=True,
                                        optimize=False)
        assert np.array_equal(fast, plain)
        assert all(np.array_equal(fast_states[k], plain_states[k]) for k in fast_states)


def test_pytorch_column_of_a_convolutional_network(tmp_path):
    """With torch installed, the PyTorch step of a conv network (F.conv2d,
    pooling, IF with a subtracting reset) is timed only after its float64
    outputs equal the reference's; without torch there is no column."""
    import nir
    from snnc import bench as bench_module
    from snnc.frontend.graph import load_graph
    from test_event_driven_conv import convolution_network
    nodes, edges = convolution_network(3)
    path = tmp_path / "conv.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    options = api._options(path=str(path), preset="sinabs", input_kind="spikes")
    graph = load_graph(str(path))
    try:
        import torch
    except ImportError:
        assert bench_module._pytorch_step(graph, options, 30, 0.3, 1) is None
        return
    us = bench_module._pytorch_step(graph, options, 30, 0.3, 1)
    assert us is not None and us > 0  # it reproduced the reference first
    layers, _ = bench_module._pytorch_modules(graph, options, torch)
    # A wrong pooling scale makes the check fail, and the column disappears.
    original = torch.nn.functional.avg_pool2d
    try:
        torch.nn.functional.avg_pool2d = lambda x, **a: original(x, **a) * 0.5
        assert bench_module._pytorch_step(graph, options, 30, 0.3, 1) is None
    finally:
        torch.nn.functional.avg_pool2d = original
