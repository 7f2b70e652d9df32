#!/usr/bin/env bash
# Every test: the dialect's lit suite, then pytest (end to end through C with
# gcc and clang, the CLI, the CMake example). Bootstraps the machine first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# shellcheck disable=SC1091
. .venv/bin/activate

echo "== lit: dialect/test"
lit -sv dialect/test
echo "== pytest: python/tests"
SNNC_REQUIRE_CLANG=1 python -m pytest python/tests -q "$@"
