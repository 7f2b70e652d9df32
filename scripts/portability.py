#!/usr/bin/env python3
"""The portability matrix: the same models built by CMake for many targets and run
there (natively or under qemu), with every target's results required to be
bit-identical to the host's.

Each build is examples/cmake_app with a toolchain file from cmake/toolchains/;
ctest runs the app (reproduce snnTorch's spikes, accuracy >= 0.95), and the
app's fingerprint (a hash of every output and state value after every step)
is compared across targets. Prints a Markdown table; exits 1 unless every
target passes and matches the host.

    python scripts/portability.py [--targets host-gcc,aarch64,...] [--precisions f32,f64,int8]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TOOLCHAINS = os.path.join(REPO, "cmake", "toolchains")

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
    cc = defs.get("CMAKE_C_COMPILER")
    if toolchain:
        with open(os.path.join(TOOLCHAINS, toolchain + ".cmake")) as f:
            cc = re.search(r"set\(CMAKE_C_COMPILER (\S+)\)", f.read()).group(1)
    out = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout
    first = out.splitlines()[0] if out else cc
    match = re.search(r"(\d+\.\d+\.\d+)", first)
    name = "clang" if "clang" in first else "gcc"
    return f"{name} {match.group(1) if match else '?'}"


def run_target(target, precision, build_root, snnc_dir, python):
    toolchain, defs, size_tool, _ = TARGETS[target]
    build = os.path.join(build_root, f"{target}-{precision}")
    shutil.rmtree(build, ignore_errors=True)
    cmd = ["cmake", "-S", os.path.join(REPO, "examples", "cmake_app"), "-B", build, "-G", "Ninja",
           f"-Dsnnc_DIR={snnc_dir}", f"-DSNNC_PYTHON={python}", f"-DDIGITS_PRECISION={precision}"]
    if toolchain:
        cmd.append(f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(TOOLCHAINS, toolchain + '.cmake')}")
    cmd += [f"-D{k}={v}" for k, v in defs.items()]
    result = {"target": target, "precision": precision, "ok": False, "fingerprint": "-",
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
    parser.add_argument("--precisions", default="f32,f64,int8")
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build", "portability"))
    args = parser.parse_args()
    targets = args.targets.split(",")
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}; known: {', '.join(TARGETS)}")
    snnc_dir = subprocess.run([sys.executable, "-m", "snnc", "--cmake-dir"], capture_output=True,
                              text=True, check=True).stdout.strip()
    rows = []
    for precision in args.precisions.split(","):
        for target in targets:
            row = run_target(target, precision, args.build_dir, snnc_dir, sys.executable)
            row["compiler"] = compiler_version(target)
            rows.append(row)
            status = "ok" if row["ok"] else "FAILED"
            print(f"[{status}] {target} {precision} ({row['seconds']:.1f} s)", file=sys.stderr)
            if row["error"]:
                print(row["error"], file=sys.stderr)

    reference = {r["precision"]: r["fingerprint"] for r in rows if r["target"] == targets[0]}
    failures = 0
    print(f"| target | compiler | precision | result | accuracy | fingerprint | "
          f"text bytes | data bytes |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        identical = r["ok"] and r["fingerprint"] == reference.get(r["precision"])
        verdict = "identical to " + targets[0] if identical else (
            "DIFFERENT" if r["ok"] else "FAILED")
        failures += not identical
        print(f"| {TARGETS[r['target']][3]} | {r['compiler']} | {r['precision']} | {verdict} | "
              f"{r['accuracy']} | `{r['fingerprint']}` | {r['text']} | {r['data']} |")
    if failures:
        print(f"{failures} of {len(rows)} builds failed or differ", file=sys.stderr)
        return 1
    print(f"all {len(rows)} builds bit-identical", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
