#!/usr/bin/env python3
"""The cost of building a large model, from NIR to an object file.

    python scripts/build_cost.py [--hidden 4096] [--inputs 4096] [--precision f32]

Writes a LIF network inputs-hidden-10 with random weights (seeded) as NIR,
then times `snnc compile` and `cc -O2 -c` on its C, each as a separate process,
and prints wall time and peak memory (maximum resident set size) of both and
their sum, with the sizes of the .nir and the .c.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import nir
import numpy as np


def write_model(path, n_in, n_hidden, seed=1):
    rng = np.random.default_rng(seed)
    weight1 = (rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)).astype(np.float32)
    weight2 = (rng.standard_normal((10, n_hidden)) / np.sqrt(n_hidden)).astype(np.float32)

    def lif(n):
        return nir.LIF(tau=np.full(n, 0.02, np.float32), r=np.ones(n, np.float32),
                       v_leak=np.zeros(n, np.float32), v_threshold=np.ones(n, np.float32))
    graph = nir.NIRGraph.from_list(nir.Affine(weight=weight1, bias=np.zeros(n_hidden, np.float32)),
                                   lif(n_hidden),
                                   nir.Affine(weight=weight2, bias=np.zeros(10, np.float32)),
                                   lif(10))
    nir.write(path, graph)


# Runs a command and prints its peak resident set (KiB) as the last line of
# stderr: each step is measured in a process of its own, so that its peak is
# not the earlier steps' (getrusage of the children is a maximum over all).
_PEAK = ("import resource, subprocess, sys\n"
         "code = subprocess.run(sys.argv[1:]).returncode\n"
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
         "sys.exit(code)\n")


def measured(command):
    """Wall seconds and peak resident MB of one command."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _PEAK, *command], capture_output=True,
                            text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return elapsed, int(result.stderr.strip().splitlines()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=4096)
    parser.add_argument("--hidden", type=int, default=4096)
    parser.add_argument("--precision", default="f32")
    parser.add_argument("--cc", default=os.environ.get("CC", "cc"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "large.nir")
        write_model(model, args.inputs, args.hidden)
        steps = {}
        for name, command in (
                ("snnc compile", [sys.executable, "-m", "snnc", "compile", model, "-o", tmp,
                                  "--name", "large", "--dt", "1e-3",
                                  "--precision", args.precision]),
                (f"{args.cc} -O2 -c", [args.cc, "-O2", "-std=c11", "-c",
                                       os.path.join(tmp, "large.c"), "-o",
                                       os.path.join(tmp, "large.o")])):
            steps[name] = measured(command)
        sizes = {"nir": os.path.getsize(model), "c": os.path.getsize(os.path.join(tmp, "large.c"))}
    print(f"{args.inputs}-{args.hidden}-10 LIF, {args.precision}: "
          f".nir {sizes['nir'] / 1e6:.0f} MB, .c {sizes['c'] / 1e6:.0f} MB")
    for name, (seconds, megabytes) in steps.items():
        print(f"  {name:16s} {seconds:7.1f} s  peak {megabytes:7.0f} MB")
    total = sum(s for s, _ in steps.values())
    peak = max(m for _, m in steps.values())
    print(f"  {'NIR to object':16s} {total:7.1f} s  peak {peak:7.0f} MB")


if __name__ == "__main__":
    main()
