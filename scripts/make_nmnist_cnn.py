#!/usr/bin/env python3
"""Writes the convolutional N-MNIST network of the NIR paper as a NIR file,
with random weights (seeded), for measuring snnc on a realistic CNN:

    input 2x34x34 -> Conv2d 5x5 stride 2 padding 1 -> 16 ch, IF
    -> Conv2d 3x3 padding 1 -> 16 ch, IF -> SumPool2d 2
    -> Conv2d 3x3 padding 1 -> 8 ch, IF -> SumPool2d 2 -> Flatten
    -> Affine 128 -> 256, IF -> Affine 256 -> 10, IF

The IF neurons are Sinabs' IAF (r = 1, threshold 1, reset to 0); compile with
`--preset sinabs --input-kind spikes`. The weights are not trained but drawn
from a seeded normal distribution, and each synapse's are scaled (bisection,
layer by layer, with snnc's reference simulator) so that the IF layer it
feeds spikes in about 4% of its neuron-steps on Bernoulli input spikes at
rate 0.05 (what the benchmarks feed it): the event-driven code paths then
see the sparse activity of a working network. The script prints each
layer's rate on other inputs and exits 1 if one is outside 1%-15%. About 20 s.

    python scripts/make_nmnist_cnn.py OUT.nir [--seed 0]
"""
import argparse
import sys

import nir
import numpy as np

INPUT_SHAPE = (2, 34, 34)
INPUT_RATE = 0.05
# Each layer spikes in about this fraction of its neuron-steps (its weights
# are scaled to it, layer by layer), and must end within RATE_BOUNDS.
TARGET_RATE = 0.04
RATE_BOUNDS = (0.01, 0.15)
# Weights are scale * N(WEIGHT_MEAN, 1): a positive mean, so that sparse
# positive input spikes drive the (leakless) IF membranes up rather than
# cancelling out.
WEIGHT_MEAN = 0.2
CALIBRATION_STEPS = 60

# name -> weight shape of each synapse, in the order of the chain.
SYNAPSES = {"conv1": (16, 2, 5, 5), "conv2": (16, 16, 3, 3), "conv3": (8, 16, 3, 3),
            "fc1": (256, 128), "fc2": (10, 256)}
# The IF layer each synapse feeds.
FED = {"conv1": "if1", "conv2": "if2", "conv3": "if3", "fc1": "if4", "fc2": "if5"}


def integrate_and_fire(shape):
    """Sinabs' IAF as its NIR export writes it: r = 1, threshold 1, reset 0."""
    return nir.IF(r=np.ones(shape), v_threshold=np.ones(shape), v_reset=np.zeros(shape))


def build(raw_weights, scales):
    w = {name: scales[name] * raw_weights[name] for name in SYNAPSES}
    conv = dict(stride=1, padding=1, dilation=1, groups=1)
    nodes = {
        "input": nir.Input(input_type={"input": np.array(INPUT_SHAPE)}),
        "conv1": nir.Conv2d(input_shape=(34, 34), weight=w["conv1"], stride=2, padding=1,
                            dilation=1, groups=1, bias=np.zeros(16)),
        "if1": integrate_and_fire((16, 16, 16)),  # (34 + 2 - 5) // 2 + 1 = 16
        "conv2": nir.Conv2d(input_shape=(16, 16), weight=w["conv2"], bias=np.zeros(16), **conv),
        "if2": integrate_and_fire((16, 16, 16)),
        "pool1": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                               padding=np.array([0, 0])),
        "conv3": nir.Conv2d(input_shape=(8, 8), weight=w["conv3"], bias=np.zeros(8), **conv),
        "if3": integrate_and_fire((8, 8, 8)),
        "pool2": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                               padding=np.array([0, 0])),
        "flatten": nir.Flatten(input_type={"input": np.array([8, 4, 4])}, start_dim=0),
        "fc1": nir.Affine(weight=w["fc1"], bias=np.zeros(256)),
        "if4": integrate_and_fire((256,)),
        "fc2": nir.Affine(weight=w["fc2"], bias=np.zeros(10)),
        "if5": integrate_and_fire((10,)),
        "output": nir.Output(output_type={"output": np.array([10])}),
    }
    order = ["input", "conv1", "if1", "conv2", "if2", "pool1", "conv3", "if3", "pool2",
             "flatten", "fc1", "if4", "fc2", "if5", "output"]
    return nir.NIRGraph(nodes=nodes, edges=list(zip(order[:-1], order[1:])), type_check=False)


def spike_rates(graph, inputs):
    """{IF layer: fraction of its neuron-steps with a spike}, from snnc's
    reference simulator."""
    from snnc import reference, semantics
    from snnc.frontend.graph import build_graph
    options = semantics.resolve_options(preset="sinabs", input_kind="spikes")
    _, traces = reference.simulate(build_graph(graph, "nmnist_cnn"), options, inputs,
                                   record=True)
    return {key[:-len(".spike")]: float(np.mean(np.asarray(trace) > 0))
            for key, trace in traces.items() if key.endswith(".spike")}


def calibrated(seed):
    """The graph with each synapse's scale found by bisection (in log scale,
    layer by layer, each with the earlier ones fixed) so that the IF layer
    it feeds spikes in TARGET_RATE of its neuron-steps."""
    rng = np.random.default_rng(seed)
    raw = {name: rng.normal(WEIGHT_MEAN, 1.0, size=shape) for name, shape in SYNAPSES.items()}
    inputs = (rng.random((CALIBRATION_STEPS, int(np.prod(INPUT_SHAPE)))) < INPUT_RATE
              ).astype(np.float64)
    scales = {name: 1.0 for name in SYNAPSES}
    for name in SYNAPSES:
        low, high = -8.0, 4.0  # log2 of the scale
        for _ in range(14):
            scales[name] = 2.0 ** ((low + high) / 2)
            rate = spike_rates(build(raw, scales), inputs)[FED[name]]
            if rate < TARGET_RATE:
                low = (low + high) / 2
            else:
                high = (low + high) / 2
        scales[name] = 2.0 ** ((low + high) / 2)
    return build(raw, scales), scales


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="the .nir file to write")
    parser.add_argument("--seed", type=int, default=0, help="of the weights (default: 0)")
    args = parser.parse_args()
    graph, scales = calibrated(args.seed)
    nir.write(args.output, graph)
    # Checked on inputs other than the calibration's, over more steps.
    check_inputs = (np.random.default_rng(args.seed + 1).random(
        (200, int(np.prod(INPUT_SHAPE)))) < INPUT_RATE).astype(np.float64)
    rates = spike_rates(graph, check_inputs)
    low, high = RATE_BOUNDS
    print(f"{args.output}: weight scales "
          + ", ".join(f"{name} {scale:.3g}" for name, scale in scales.items())
          + f"; spike rates at input rate {INPUT_RATE} (reference simulator, 200 steps): "
          + ", ".join(f"{name} {rate:.1%}" for name, rate in rates.items()))
    outside = [name for name, rate in rates.items() if not low <= rate <= high]
    if outside:
        print(f"layers {outside} spike outside {low:.0%}-{high:.0%} of their neuron-steps "
              f"after calibration: try another --seed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
