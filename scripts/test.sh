#!/usr/bin/env bash
# Every test: the dialect's lit suite, pytest (end to end through C with gcc
# and clang, the CLI, the CMake and Bazel examples), the portability matrix,
# then the mutation check. Bootstraps the machine first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --cross
# shellcheck disable=SC1091
. .venv/bin/activate

echo "== lit: dialect/test"
lit -sv dialect/test
echo "== pytest: python/tests"
# Nothing may be skipped for want of a tool: bootstrap installed them all.
# SNNC_FAIL_ON_SKIP=1: any other skip fails the run too (conftest.py names them).
SNNC_REQUIRE_CLANG=1 SNNC_REQUIRE_BAZEL=1 SNNC_REQUIRE_CROSS=1 SNNC_FAIL_ON_SKIP=1 \
    python -m pytest python/tests -q "$@"
echo "== portability matrix: the example on 9 targets, bit-identical to the host"
python scripts/portability.py
echo "== mutation check: every semantic mutant must be killed (docs/testing.md)"
python scripts/mutants.py
