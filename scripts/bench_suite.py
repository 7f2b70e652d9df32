#!/usr/bin/env python3
"""The benchmark suite: `snnc bench` over LIF networks of several sizes and input
rates, written as a Markdown table (and a PNG plot if matplotlib is installed).

    python scripts/bench_suite.py [--sizes 784-256-10,...] [--rates 0.01,0.05,0.2,0.5]
                                  [--precisions f32] [--cflags "-O2"]
                                  [--input-kind spikes|values] [--out OUT]
    python scripts/bench_suite.py --from-json OUT.json   # the table again

The networks are random (seeded) Affine-LIF-Affine-LIF chains with beta 0.9 and
threshold 1 (snnTorch's conventions, --preset snntorch); 1000 steps of
Bernoulli input, declared as spikes (--input-kind spikes) unless told otherwise. Each f32 run also times the int8 build of the same network
(`snnc bench` does that for float models). Not part of the tests: timing belongs
here, not in asserts.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import nir
import numpy as np


def make_network(sizes, path, seed=0):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = sizes
    tau = 1e-4 / (1 - 0.9)

    def lif(n):
        return nir.LIF(tau=np.full(n, tau), r=np.full(n, tau / 1e-4), v_leak=np.zeros(n),
                       v_threshold=np.ones(n), v_reset=np.zeros(n))

    nodes = {"input": nir.Input(input_type={"input": np.array([n_in])}),
             "fc1": nir.Affine(weight=rng.normal(0, 1 / np.sqrt(n_in * 0.2), (n_hidden, n_in))
                               .astype(np.float32), bias=np.zeros(n_hidden, np.float32)),
             "lif1": lif(n_hidden),
             "fc2": nir.Affine(weight=rng.normal(0, 1 / np.sqrt(n_hidden * 0.1), (n_out, n_hidden))
                               .astype(np.float32), bias=np.zeros(n_out, np.float32)),
             "lif2": lif(n_out),
             "output": nir.Output(output_type={"output": np.array([n_out])})}
    edges = [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"),
             ("lif2", "output")]
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=edges))


def plot(rows, sizes, path):
    """us per step against the input rate: one color per network, one line style
    per implementation."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    colors = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]
    for size, color in zip(sizes, colors):
        for key, style in (("optimized", "-o"), ("int8", "-^"), ("reference", ":x"),
                           ("numpy", "--s")):
            pts = [(r["rate"], r["us_per_step"][key]) for r in rows
                   if r["size"] == size and key in r["us_per_step"]]
            if pts:
                label = {"optimized": "f32 C", "int8": "int8 C", "reference":
                         "reference-lowering C", "numpy": "dense numpy"}[key]
                ax.plot(*zip(*pts), style, color=color, label=f"{size} {label}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("input spike rate")
    ax.set_ylabel("us per step (median)")
    ax.set_title(f"snnc bench, C built with {rows[0].get('cflags', '-O2')}", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown_table(rows):
    """One line per `snnc bench` report; the snnTorch columns appear when some
    report has that time (torch and snnTorch were installed)."""
    nan = float("nan")
    torch = any("snntorch" in r["us_per_step"] for r in rows)
    header = ("| network | precision | input rate | optimized C us/step | int8 C us/step "
              "| reference C us/step | numpy us/step | x reference | x numpy | int8 speed-up "
              "| weights GB/s | memory GB/s |")
    if torch:
        header += " snnTorch us/step | x snnTorch |"
    lines = [header, "|---" * header.count(" |") + "|"]
    for r in rows:
        m = r["us_per_step"]
        line = (f"| {r['size']} | {r['precision']} | {r['rate']:g} | {m['optimized']:.2f} | "
                f"{m.get('int8', nan):.2f} | {m['reference']:.2f} | "
                f"{m.get('numpy', nan):.2f} | {m['reference'] / m['optimized']:.1f} | "
                f"{m.get('numpy', nan) / m['optimized']:.2f} | "
                f"{m['optimized'] / m.get('int8', nan):.2f} | "
                f"{r['weight_read_rate_gbs']:.1f} | {r['memory_bandwidth_gbs']:.1f} |")
        if torch:
            line += (f" {m.get('snntorch', nan):.1f} | "
                     f"{m.get('snntorch', nan) / m['optimized']:.0f} |")
        lines.append(line)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="784-256-10,784-1024-10,2048-2048-10")
    parser.add_argument("--rates", default="0.01,0.05,0.2,0.5")
    parser.add_argument("--precisions", default="f32")
    parser.add_argument("--cflags", default="-O2", help="optimization flags of the C builds")
    parser.add_argument("--input-kind", default="spikes", choices=("spikes", "values"),
                        help="what the networks' input is declared as (the input is "
                             "Bernoulli spikes either way)")
    parser.add_argument("--out", default=None, help="write OUT.md, OUT.json (and OUT.png)")
    parser.add_argument("--from-json", default=None, metavar="JSON",
                        help="print the table of an earlier run's OUT.json, measuring nothing")
    args = parser.parse_args()
    if args.from_json:
        with open(args.from_json) as f:
            print(markdown_table(json.load(f)))
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            path = os.path.join(tmp, f"{size}.nir")
            make_network([int(n) for n in size.split("-")], path)
            for precision in args.precisions.split(","):
                for rate in args.rates.split(","):
                    result = subprocess.run(
                        [sys.executable, "-m", "snnc", "bench", path, "--preset", "snntorch",
                         "--precision", precision, "--rate", rate, "--steps", "1000",
                         "--input-kind", args.input_kind, f"--cflags={args.cflags}", "--json"], capture_output=True, text=True)
                    if result.returncode != 0:
                        print(result.stderr, file=sys.stderr)
                        return 1
                    report = json.loads(result.stdout)
                    report["size"] = size
                    report["precision"] = precision
                    rows.append(report)
                    print(f"{size} {precision} rate {rate}: "
                          f"{report['us_per_step']['optimized']:.2f} us/step", file=sys.stderr)
    table = markdown_table(rows)
    print(table)
    if args.out:
        with open(args.out + ".md", "w") as f:
            f.write(table + "\n")
        with open(args.out + ".json", "w") as f:
            json.dump(rows, f, indent=1)
        plot(rows, args.sizes.split(","), args.out + ".png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
