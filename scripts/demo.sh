#!/usr/bin/env bash
# The product's main job on the shipped example: a spiking network trained with
# snnTorch (examples/models/digits/digits.nir) is compiled to C11 by snnc inside
# a CMake build, linked into examples/cmake_app as a static library, and run on
# the test set; the numpy reference simulator's accuracy is printed beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# shellcheck disable=SC1091
. .venv/bin/activate

digits=examples/models/digits
build=build/cmake_app
cmake -S examples/cmake_app -B "$build" -G Ninja -Dsnnc_DIR="$(python -m snnc --cmake-dir)" >/dev/null
cmake --build "$build"
echo
echo "generated: $build/snnc/digits/digits.h, digits.c ($(wc -c <"$build/snnc/digits/digits.c") bytes)"
"$build/digits_app" "$digits/test_inputs.npy" "$digits/test_labels.npy" \
  "$digits/snntorch_output_spikes_f32.npy"
python -m snnc run "$digits/digits.nir" --preset snntorch --backend reference \
  --input "$digits/test_inputs.npy" --output build/digits_reference_outputs.npy >/dev/null
python - "$digits" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
outputs = np.load("build/digits_reference_outputs.npy")
labels = np.load(f"{d}/test_labels.npy")
correct = int((outputs.sum(axis=1).argmax(axis=1) == labels).sum())
print(f"numpy reference (float64):  accuracy {correct / len(labels):.4f} "
      f"({correct}/{len(labels)} test samples)")
PY
