#!/usr/bin/env python3
"""The portability matrix: the same models built by CMake for many targets and run
there (natively or under qemu), with every target's results required to be
bit-identical to the host's, and the host's to snnc's numpy reference.

Each build is examples/cmake_app with a toolchain file from cmake/toolchains/;
ctest runs the app on the digits test set: float builds must reproduce
snnTorch's output spikes, integer builds the integer reference's (computed
here with `snnc.api.run(..., backend="reference")` on the same inputs), both
with accuracy >= 0.95. The app prints a fingerprint (an FNV-1a hash of every
output and state value after every step); every target's must equal the
host's (host-gcc, built first whether listed or not), and the host's must
equal the fingerprint of the reference's outputs and states, computed here
from the reference simulation. A target without a fingerprint fails. Prints
a Markdown table; exits 1 unless every build passes and matches.

    python scripts/portability.py [--targets host-gcc,aarch64,...]
                                  [--precisions f32,f64,int8,int16]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

from snnc import toolchains

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TOOLCHAINS = os.path.join(REPO, "cmake", "toolchains")
DIGITS = os.path.join(REPO, "examples", "models", "digits")
BASELINE = "host-gcc"

# name -> (toolchain file or None, extra cmake definitions, size tool, description)
TARGETS = {
    "host-gcc": (None, {"CMAKE_C_COMPILER": "gcc"}, "size", "x86_64, gcc"),
    "host-clang": (None, {"CMAKE_C_COMPILER": "clang"}, "size", "x86_64, clang"),
    "i686": ("i686-linux-gnu", {}, "i686-linux-gnu-size", "i686 (SSE2), qemu-i386"),
    "aarch64": ("aarch64-linux-gnu", {}, "aarch64-linux-gnu-size", "aarch64, qemu-aarch64"),
    "armhf": ("arm-linux-gnueabihf", {}, "arm-linux-gnueabihf-size", "armv7 hard-float, qemu-arm"),
    "riscv64": ("riscv64-linux-gnu", {}, "riscv64-linux-gnu-size", "riscv64, qemu-riscv64"),
    "s390x": ("s390x-linux-gnu", {}, "s390x-linux-gnu-size", "s390x big-endian, qemu-s390x"),
    "cortex-m4f": ("cortex-m4f", {}, "arm-none-eabi-size", "Cortex-M4F bare metal, qemu mps2-an386"),
    "cortex-m3": ("cortex-m3", {}, "arm-none-eabi-size", "Cortex-M3 bare metal (no FPU), qemu mps2-an385"),
}


def compiler_version(target):
    toolchain, defs, _, _ = TARGETS[target]
    # The toolchain file's compiler, read as `snnc bench --target` reads it.
    cc = toolchains.compiler_of(toolchain, TOOLCHAINS) if toolchain else defs["CMAKE_C_COMPILER"]
    out = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout
    first = out.splitlines()[0] if out else cc
    match = re.search(r"(\d+\.\d+\.\d+)", first)
    name = "clang" if "clang" in first else "gcc"
    return f"{name} {match.group(1) if match else '?'}"


# What the app hashes after each step, in order (examples/common/digits_app.c).
FINGERPRINTED = ("output", "lif1.v", "lif1.spike", "lif2.v", "lif2.spike")


def c_types(generated):
    """The little-endian numpy type of each fingerprinted value, from the C
    the compiler declares for it (its output type and state layout)."""
    types = {"output": np.dtype(generated.output_type.numpy).newbyteorder("<")}
    for field in generated.state.fields:
        types[f"{field.layer}.{field.role}"] = np.dtype(field.element.numpy).newbyteorder("<")
    return {name: types[name] for name in FINGERPRINTED}
FNV_OFFSET, FNV_PRIME, MASK = 0xcbf29ce484222325, 0x100000001b3, (1 << 64) - 1


def fnv1a(data: bytes) -> int:
    """64-bit FNV-1a of a byte string, as digits_app.c computes it."""
    h = FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & MASK
    return h


def reference_expectation(precision, build_root):
    """The numpy reference (snnc.reference, written from the documentation,
    not from the compiler) on the app's inputs: returns (path of its output
    spikes as uint8 .npy, the fingerprint the app must print). The app hashes
    each value's bytes least significant first, so little-endian bytes of the
    C types, sample by sample, step by step, in FINGERPRINTED order."""
    from snnc import api, reference, semantics
    from snnc.frontend.graph import load_graph
    model = os.path.join(DIGITS, "digits.nir")
    inputs = np.load(os.path.join(DIGITS, "test_inputs.npy")).astype(np.float64)
    outputs = api.run(model, inputs, backend="reference", preset="snntorch",
                      precision=precision)
    options = semantics.resolve_options(preset="snntorch", precision=precision)
    graph = load_graph(model)
    plan = api.quantization_plan(graph, options, model)
    if plan is not None:
        traced, traces = reference.simulate_quantized(graph, options, plan, inputs, record=True)
    else:
        dtype = np.float32 if precision == "f32" else np.float64
        traced, traces = reference.simulate(graph, options, inputs, dtype=dtype, record=True)
    if not np.array_equal(traced, outputs):
        raise SystemExit(f"the reference's outputs at {precision} differ between api.run and "
                         "a recorded simulation")
    values = dict(traces, output=outputs)
    types = c_types(api.generate_c(model, name="digits", preset="snntorch",
                                   precision=precision))
    steps = np.empty(outputs.shape[:2], dtype=[
        (name, types[name], values[name].shape[2:]) for name in FINGERPRINTED])
    for name in FINGERPRINTED:
        steps[name] = values[name].astype(types[name])
    os.makedirs(build_root, exist_ok=True)
    spikes = os.path.join(build_root, f"reference_spikes_{precision}.npy")
    np.save(spikes, (outputs != 0).astype(np.uint8))
    return spikes, f"{fnv1a(steps.tobytes()):016x}"


def run_target(target, precision, build_root, snnc_dir, python, expected_spikes=None):
    toolchain, defs, size_tool, _ = TARGETS[target]
    build = os.path.join(build_root, f"{target}-{precision}")
    shutil.rmtree(build, ignore_errors=True)
    cmd = ["cmake", "-S", os.path.join(REPO, "examples", "cmake_app"), "-B", build, "-G", "Ninja",
           f"-Dsnnc_DIR={snnc_dir}", f"-DSNNC_PYTHON={python}", f"-DDIGITS_PRECISION={precision}"]
    if expected_spikes:
        cmd.append(f"-DDIGITS_EXPECTED_SPIKES={expected_spikes}")
    if toolchain:
        cmd.append(f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(TOOLCHAINS, toolchain + '.cmake')}")
    cmd += [f"-D{k}={v}" for k, v in defs.items()]
    result = {"target": target, "precision": precision, "ok": False, "fingerprint": None,
              "accuracy": "-", "text": "-", "data": "-", "seconds": 0.0, "error": ""}
    start = time.monotonic()
    for step in (cmd, ["cmake", "--build", build]):
        proc = subprocess.run(step, capture_output=True, text=True)
        if proc.returncode != 0:
            result["error"] = f"{' '.join(step[:2])} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
            return result
    proc = subprocess.run(["ctest", "-V"], cwd=build, capture_output=True, text=True)
    result["seconds"] = time.monotonic() - start
    fingerprint = re.search(r"fingerprint of all outputs and states: ([0-9a-f]+)", proc.stdout)
    accuracy = re.search(r"accuracy ([0-9.]+)", proc.stdout)
    if fingerprint:
        result["fingerprint"] = fingerprint.group(1)
    if accuracy:
        result["accuracy"] = accuracy.group(1)
    if proc.returncode != 0:
        result["error"] = f"ctest failed:\n{proc.stdout[-2000:]}"
        return result
    if not fingerprint:
        result["error"] = f"the app printed no fingerprint:\n{proc.stdout[-2000:]}"
        return result
    objects = [os.path.join(d, f) for d, _, files in os.walk(build) for f in files
               if f in ("digits.c.o", "digits.c.obj")]
    if objects and shutil.which(size_tool):
        sizes = subprocess.run([size_tool, objects[0]], capture_output=True, text=True).stdout
        fields = sizes.splitlines()[-1].split()
        result["text"], result["data"] = fields[0], str(int(fields[1]) + int(fields[2]))
    result["ok"] = True
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--precisions", default="f32,f64,int8,int16")
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build", "portability"))
    args = parser.parse_args()
    targets = args.targets.split(",")
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}; known: {', '.join(TARGETS)}")
    # Every target is compared with the host's gcc build, which is run first
    # whether it was asked for or not.
    targets = [BASELINE] + [t for t in targets if t != BASELINE]
    precisions = args.precisions.split(",")
    snnc_dir = subprocess.run([sys.executable, "-m", "snnc", "--cmake-dir"], capture_output=True,
                              text=True, check=True).stdout.strip()
    started = time.monotonic()
    rows = []
    expected = {}
    for precision in precisions:
        spikes, expected[precision] = reference_expectation(precision, args.build_dir)
        integer = precision.startswith("int")
        for target in targets:
            row = run_target(target, precision, args.build_dir, snnc_dir, sys.executable,
                             spikes if integer else None)
            row["compiler"] = compiler_version(target)
            rows.append(row)
            status = "ok" if row["ok"] else "FAILED"
            print(f"[{status}] {target} {precision} ({row['seconds']:.1f} s)", file=sys.stderr)
            if row["error"]:
                print(row["error"], file=sys.stderr)

    baseline = {r["precision"]: r["fingerprint"] for r in rows
                if r["target"] == BASELINE and r["ok"]}
    failures = 0
    print("| target | compiler | precision | result | accuracy | fingerprint | "
          "text bytes | data bytes |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        precision = r["precision"]
        if r["target"] == BASELINE:
            good = r["ok"] and r["fingerprint"] == expected[precision]
            verdict = "identical to the reference" if good else (
                f"DIFFERENT from the reference (`{expected[precision]}`)" if r["ok"]
                else "FAILED")
        else:
            good = r["ok"] and baseline.get(precision) is not None and \
                r["fingerprint"] == baseline[precision]
            verdict = f"identical to {BASELINE}" if good else "FAILED" if not r["ok"] else (
                f"DIFFERENT from {BASELINE}" if precision in baseline
                else f"no {BASELINE} fingerprint to compare with")
        failures += not good
        print(f"| {TARGETS[r['target']][3]} | {r['compiler']} | {precision} | {verdict} | "
              f"{r['accuracy']} | `{r['fingerprint'] or '-'}` | {r['text']} | {r['data']} |")
    minutes = (time.monotonic() - started) / 60
    if failures:
        print(f"{failures} of {len(rows)} builds failed or differ ({minutes:.1f} min)",
              file=sys.stderr)
        return 1
    print(f"all {len(rows)} builds bit-identical to {BASELINE}, and {BASELINE} to the "
          f"reference ({minutes:.1f} min)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
