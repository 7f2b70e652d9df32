"""Writes lif784.nir: a 784-128-10 LIF network with random weights,
bernoulli_inputs.npy: 20 sequences of 100 steps of Bernoulli(0.2) spikes, and
calibration_inputs.npy: 10 other such sequences (for --calibrate).

The network quantization is measured on (docs/quantization.md): weights drawn
so that the hidden layer fires at a moderate rate under this input, snnTorch's
discretization (beta = 0.9, threshold 1, reset by subtraction a step late).

usage: python make_model.py [OUTPUT_DIR]
"""
import os
import sys

import nir
import numpy as np

SEED = 2026
SIZES = (784, 128, 10)
BETA = 0.9
DT = 1e-4  # snnTorch's export: tau = dt / (1 - beta)


def build(seed=SEED):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = SIZES
    w1 = rng.normal(0.0, 0.06, (n_hidden, n_in))
    b1 = rng.normal(0.0, 0.05, n_hidden)
    w2 = rng.normal(0.0, 0.2, (n_out, n_hidden))
    b2 = np.zeros(n_out)
    tau = DT / (1 - BETA)

    def lif(n):
        return nir.LIF(tau=np.full(n, tau), r=np.full(n, tau / DT), v_leak=np.zeros(n),
                       v_threshold=np.ones(n), v_reset=np.zeros(n))

    nodes = {"input": nir.Input(input_type=np.array([n_in])),
             "fc1": nir.Affine(weight=w1, bias=b1), "lif1": lif(n_hidden),
             "fc2": nir.Affine(weight=w2, bias=b2), "lif2": lif(n_out),
             "output": nir.Output(output_type=np.array([n_out]))}
    edges = [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"),
             ("lif2", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges)


def inputs(seed=SEED, sequences=20, steps=100, rate=0.2):
    rng = np.random.default_rng(seed + 1)
    return (rng.random((sequences, steps, SIZES[0])) < rate).astype(np.uint8)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    nir.write(os.path.join(out, "lif784.nir"), build())
    np.save(os.path.join(out, "bernoulli_inputs.npy"), inputs())
    np.save(os.path.join(out, "calibration_inputs.npy"), inputs(seed=SEED + 100, sequences=10))
