#!/usr/bin/env python3
"""Runs the compiler's fuzz targets (python/tests/fuzz_targets.py) for a while.

    python scripts/fuzz.py --minutes 10

Each execution writes a NIR file (a random graph, a valid file with bytes
changed or cut, a file with data outside it, or names that collide) and asks
for C: the compiler must either produce C that compiles under strict flags or
reject the file with an SNNCError; data outside the file must be refused, and
a compiled graph with colliding names must keep every neuron. A random graph
is differential: it runs in f32, f64, int8 and int16 under random presets and
options on random inputs, through the C and the numpy reference, which must
refuse it together or agree (f64 and integers bit for bit, f32 bit for bit
with the reference run in float32, NaN equal to NaN).

Prints the number of executions, how many compiled and how many were
rejected, the fraction of random graphs that compiled (per precision), and
the size of the corpus of distinct rejection messages; exits 1 on the first
other outcome, after printing it. The failing file is kept as failure.nir in
the work directory (build/fuzz/), shrunk by hypothesis to a small example;
for a differential failure also the options and inputs of the run
(failure.json, failure_inputs.npy), and the example as first found
(failure_first.*: shrinking rebuilds C for every candidate and can take
several minutes):

    snnc run build/fuzz/failure.nir --input build/fuzz/failure_inputs.npy \
        --output c.npy --backend c OPTIONS...       # and --backend reference
"""
import argparse
import collections
import json
import os
import shutil
import sys
import time
import traceback

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(REPO, "python", "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
import numpy as np  # noqa: E402

import fuzz_targets  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--work", default=os.path.join(REPO, "build", "fuzz"),
                        help="directory for the files (default build/fuzz)")
    args = parser.parse_args()
    work = args.work
    os.makedirs(work, exist_ok=True)
    source = os.path.join(REPO, "python", "tests", "fixtures", "frameworks",
                          "snntorch_leaky_subtract.nir")
    counts = collections.Counter()
    messages = set()
    deadline = time.monotonic() + 60 * args.minutes
    path = os.path.join(work, "case.nir")

    def execute():
        counts["executions"] += 1
        try:
            compiled = fuzz_targets.compile_or_reject(path)
        except Exception:
            shutil.copy(path, os.path.join(work, "failure.nir"))
            raise
        counts["compiled" if compiled else "rejected"] += 1
        if not compiled:
            from snnc import api
            try:
                api.generate(path, name="m", dt=1e-3)
            except Exception as exc:  # the rejection message, for the corpus count
                messages.add(str(exc).split(":", 1)[-1].split("(")[0].strip()[:80])

    run_settings = settings(max_examples=200, deadline=None, database=None,
                            suppress_health_check=list(HealthCheck))

    tally = fuzz_targets.DifferentialTally()
    last_run = {}
    differential_failures = []

    # A random graph builds and runs up to four C programs (about 1 s each
    # here): fewer per round, so rounds of the four targets keep alternating.
    @settings(run_settings, max_examples=40)
    @given(st.data())
    def graphs(data):
        last_run.clear()
        try:
            results = fuzz_targets.differential_round(data.draw, path, last_run=last_run)
        except Exception:
            # Shrinking rebuilds C for every candidate and may take minutes:
            # the first failing example is kept as it was, each smaller one
            # replaces failure.* as hypothesis finds it.
            stems = ["failure"] if differential_failures else ["failure_first", "failure"]
            differential_failures.append(path)
            for stem in stems:
                shutil.copy(path, os.path.join(work, f"{stem}.nir"))
                if last_run:
                    with open(os.path.join(work, f"{stem}.json"), "w") as f:
                        json.dump(last_run["options"], f, indent=1)
                    np.save(os.path.join(work, f"{stem}_inputs.npy"), last_run["inputs"])
            raise
        tally.add(results)
        counts["executions"] += len(results)
        accepted = sum(varied is not None for varied in results.values())
        counts["compiled"] += accepted
        counts["rejected"] += len(results) - accepted

    @run_settings
    @given(st.data())
    def mutations(data):
        with open(path, "wb") as f:
            f.write(fuzz_targets.mutated_bytes(data.draw, source))
        execute()

    secret = fuzz_targets.write_secret(work)

    @run_settings
    @given(st.data())
    def pointers(data):
        if not fuzz_targets.pointer_outside(data.draw, path, secret):
            return
        counts["executions"] += 1
        try:
            from snnc import SNNCError, api
            try:
                api.generate(path, name="m", dt=1e-3, precision="f64")
            except SNNCError as exc:
                text = str(exc)
                if fuzz_targets.SECRET_MARKER.decode() in text or not (
                        "inside the model file" in text or "soft link" in text):
                    raise AssertionError(f"wrong refusal: {text}") from None
                counts["rejected"] += 1
            else:
                raise AssertionError("data outside the file was compiled")
        except Exception:
            shutil.copy(path, os.path.join(work, "failure.nir"))
            raise

    @run_settings
    @given(st.data())
    def names(data):
        counts["executions"] += 1
        try:
            neurons = fuzz_targets.colliding_names(data.draw, path)
            compiled = fuzz_targets.compile_keeps_every_neuron(path, neurons)
        except Exception:
            shutil.copy(path, os.path.join(work, "failure.nir"))
            raise
        counts["compiled" if compiled else "rejected"] += 1
        counts["substitutions checked"] += 1

    print(f"fuzzing for {args.minutes:g} min; if this process dies (an abort inside MLIR), "
          f"{path} holds the input that killed it", flush=True)
    round_number = 0
    try:
        while time.monotonic() < deadline:
            for target in (graphs, mutations, pointers, names):
                seed(round_number)(target)()
                round_number += 1
    except Exception:
        traceback.print_exc()
        print(f"FAILURE after {counts['executions']} executions; file kept in "
              f"{os.path.join(work, 'failure.nir')}")
        print(f"differential so far: {tally.summary()}")
        return 1
    print(f"{counts['executions']} executions in {args.minutes:g} min: "
          f"{counts['compiled']} compiled, {counts['rejected']} rejected; "
          f"{len(messages)} distinct rejection messages; "
          f"{counts['substitutions checked']} graphs with colliding names, no node "
          "substituted; no crash, no traceback")
    print(f"differential: {tally.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
