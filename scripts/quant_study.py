#!/usr/bin/env python3
"""How much of the float64 reference's output a quantized network keeps, and
what decides it: the shipped scheme against per-layer scales, power-of-two
scales, and float arithmetic with rounded weights (the cost of rounding the
weights alone), over several random 784-128-10 LIF networks
(examples/models/lif784/make_model.py, one seed each) with Bernoulli(0.2)
input. Prints a Markdown table of mean and range over the seeds.

    python scripts/quant_study.py [--seeds 5] [--sequences 20]
"""
import argparse
import dataclasses
import os
import sys
import tempfile

import nir
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples",
                                "models", "lif784"))
import make_model  # noqa: E402

from snnc import quantize, reference, semantics  # noqa: E402
from snnc.frontend.graph import load_graph  # noqa: E402


def per_layer(plan):
    return dataclasses.replace(plan, weight_scale={
        k: np.full_like(v, v.max()) for k, v in plan.weight_scale.items()})


def power_of_two(plan):
    up = lambda s: 2.0 ** np.ceil(np.log2(s))  # noqa: E731
    return dataclasses.replace(
        plan, weight_scale={k: up(v) for k, v in plan.weight_scale.items()},
        state_scale={k: float(up(v)) for k, v in plan.state_scale.items()})


def rounded_weights_in_float(graph, plan):
    """The graph with each weight replaced by its quantized value times its scale."""
    for layer in graph.layers:
        if layer.name in plan.weight_scale:
            scale = plan.weight_scale[layer.name]
            q = quantize.quantize_weights(layer.params["weight"], scale, plan.format.weight_bits)
            layer.params["weight"] = q * np.asarray(scale)[:, None]
    return graph


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--sequences", type=int, default=20)
    args = parser.parse_args()
    variants = ["shipped (per channel, multiplier and shift)",
                "shipped, --calibrate (10 other sequences)", "one scale per layer",
                "power-of-two scales", "float64 with rounded weights"]
    results = {(precision, v): [] for precision in ("int8", "int16") for v in variants}
    rates = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            path = os.path.join(tmp, f"net{seed}.nir")
            nir.write(path, make_model.build(seed=seed))
            graph = load_graph(path)
            inputs = make_model.inputs(seed=seed, sequences=args.sequences).astype(np.float64)
            f64 = semantics.resolve_options(preset="snntorch", precision="f64")
            ref, traces = reference.simulate(graph, f64, inputs, record=True)
            rates.append((traces["lif1.spike"].mean(), ref.mean()))
            for precision in ("int8", "int16"):
                options = semantics.resolve_options(preset="snntorch", precision=precision)
                plan = quantize.plan(graph, options)
                calibration = make_model.inputs(seed=seed + 100, sequences=10)
                calibrated = quantize.plan(graph, options, calibration.astype(np.float64))
                for variant, p in ((variants[0], plan), (variants[1], calibrated),
                                   (variants[2], per_layer(plan)),
                                   (variants[3], power_of_two(plan))):
                    out = reference.simulate_quantized(graph, options, p, inputs)
                    results[(precision, variant)].append(np.mean(out == ref))
                rounded = rounded_weights_in_float(load_graph(path), plan)
                out = reference.simulate(rounded, f64, inputs)
                results[(precision, variants[4])].append(np.mean(out == ref))
    hidden, output = np.mean(rates, axis=0)
    print(f"{args.seeds} networks (seeds 0-{args.seeds - 1}), {args.sequences} sequences x 100 "
          f"steps each; mean spike rate: hidden {hidden:.3f}, output {output:.3f}\n")
    print("| scheme | int8 agreement | int16 agreement |")
    print("|---|---|---|")
    for variant in variants:
        cells = []
        for precision in ("int8", "int16"):
            values = 100 * np.asarray(results[(precision, variant)])
            cells.append(f"{values.mean():.2f}% ({values.min():.2f}-{values.max():.2f})")
        print(f"| {variant} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
