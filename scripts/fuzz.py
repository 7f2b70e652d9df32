#!/usr/bin/env python3
"""Runs the compiler's fuzz targets (python/tests/fuzz_targets.py) for a while.

    python scripts/fuzz.py --minutes 10

Each execution writes a NIR file (a random graph, a valid file with bytes
changed or cut, a file with data outside it, or names that collide) and asks
for C: the compiler must either produce C that compiles under strict flags or
reject the file with an SNNCError; data outside the file must be refused, and
a compiled graph with colliding names must keep every neuron. Prints the
number of executions, how many compiled and how many were rejected, and the
size of the corpus of distinct rejection messages; exits 1 on the first other
outcome, after printing it (the failing file is kept in build/fuzz/).
"""
import argparse
import collections
import os
import shutil
import sys
import time
import traceback

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(REPO, "python", "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzz_targets  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    args = parser.parse_args()
    work = os.path.join(REPO, "build", "fuzz")
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

    @run_settings
    @given(st.data())
    def graphs(data):
        fuzz_targets.random_graph(data.draw, path)
        execute()

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
        return 1
    print(f"{counts['executions']} executions in {args.minutes:g} min: "
          f"{counts['compiled']} compiled, {counts['rejected']} rejected; "
          f"{len(messages)} distinct rejection messages; "
          f"{counts['substitutions checked']} graphs with colliding names, no node "
          "substituted; no crash, no traceback")
    return 0


if __name__ == "__main__":
    sys.exit(main())
