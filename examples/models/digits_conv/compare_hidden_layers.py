#!/usr/bin/env python3
"""How close snnc's hidden layers come to snnTorch's on the test set.

The shipped fixtures hold only the output spikes. This script measures the
layers behind them: it runs snnTorch on the test inputs (the network rebuilt by
train_digits_conv.build_net with the weights of digits_conv.nir) and snnc's
reference simulator with `--preset snntorch` (whose membranes and spikes equal
the generated C's bit for bit: python/tests/test_digits_conv.py), at float32 and
float64, and prints per LIF layer how many spikes and membranes differ, the
largest membrane difference, and how close snnTorch's membranes come to the
threshold. It needs torch and snnTorch and snnc's Python package (numpy only
for the reference), so run it from the repository root with the training venv::

    PYTHONPATH=python venv/bin/python examples/models/digits_conv/compare_hidden_layers.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import nir
import numpy as np
import snntorch as snn
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import train_digits_conv as example  # noqa: E402  (the network's definition)

from snnc import reference, semantics  # noqa: E402
from snnc.frontend.graph import load_graph  # noqa: E402

DT = 1e-4  # the snnTorch exporter's time step (--preset snntorch)


def load_trained_net(graph: nir.NIRGraph) -> torch.nn.Sequential:
    net = example.build_net()
    state = net.state_dict()
    for name in ("conv1", "conv2", "fc"):
        state[f"{name}.weight"] = torch.as_tensor(np.asarray(graph.nodes[name].weight))
        state[f"{name}.bias"] = torch.as_tensor(np.asarray(graph.nodes[name].bias))
    net.load_state_dict(state)
    return net.eval()


def snntorch_traces(net: torch.nn.Sequential, inputs: np.ndarray, dtype) -> dict:
    """{"<layer>.v"/"<layer>.spike": [N, T, ...]} of every Leaky layer."""
    net = net.to(dtype)
    example.reset_state(net)
    x = torch.as_tensor(inputs, dtype=dtype).transpose(0, 1)
    traces: dict[str, list] = {}
    with torch.no_grad():
        for t in range(x.shape[0]):
            h = x[t]
            for name, layer in net.named_children():
                h = layer(h)
                if isinstance(layer, snn.Leaky):
                    h = (h[0] if isinstance(h, tuple) else h).to(dtype)
                    traces.setdefault(f"{name}.spike", []).append(h.clone())
                    traces.setdefault(f"{name}.v", []).append(layer.mem.clone())
    return {k: torch.stack(v, 1).numpy() for k, v in traces.items()}


def main() -> None:
    torch.set_num_threads(1)
    path = HERE / "digits_conv.nir"
    graph = nir.read(path)
    inputs = np.load(HERE / "test_inputs.npy")
    net = load_trained_net(graph)
    options = semantics.resolve_options(preset="snntorch")

    tau = np.asarray(graph.nodes["lif1"].tau, dtype=np.float64).ravel()[0]
    r = np.asarray(graph.nodes["lif1"].r, dtype=np.float64).ravel()[0]
    decay, gain = 1.0 - DT / tau, r * DT / tau
    print(f"snnc's constants from the exported tau, r: decay {decay!r}, gain {gain!r}; "
          f"as float32 {np.float32(decay)!r}, {np.float32(gain)!r}; "
          f"snnTorch's beta {np.float64(np.float32(example.BETA))!r}")

    for precision, torch_type, np_type in (("f32", torch.float32, np.float32),
                                           ("f64", torch.float64, np.float64)):
        ours = reference.simulate(load_graph(path), options, inputs, dtype=np_type,
                                  record=True)[1]
        theirs = snntorch_traces(net, inputs, torch_type)
        for layer in ("lif1", "lif2", "lif3"):
            v_ours, v_theirs = ours[f"{layer}.v"], theirs[f"{layer}.v"]
            spikes_differ = np.count_nonzero(ours[f"{layer}.spike"] != theirs[f"{layer}.spike"])
            v_differ = np.abs(v_ours.astype(np.float64) - v_theirs.astype(np.float64))
            # at step 0 v = gain * (synaptic input): with gain 1 it shows the sum alone
            at_step0 = np.count_nonzero(v_ours[:, 0] != v_theirs[:, 0])
            closest = np.abs(v_theirs.astype(np.float64) - example.THRESHOLD)
            print(f"{precision} {layer}: spikes differ {spikes_differ} of {v_ours.size}; "
                  f"membranes differ {np.count_nonzero(v_differ)} (step 0: {at_step0} of "
                  f"{v_ours[:, 0].size}), largest {v_differ.max():.3g}; snnTorch's "
                  f"membranes within 1e-5 of the threshold: "
                  f"{np.count_nonzero(closest < 1e-5)}, closest {closest.min():.3g}")


if __name__ == "__main__":
    main()
