"""Large weight arrays reach C as string literals of bytes (snn-large-constants-
as-bytes): the C that reads them back gives the same results, bit for bit, as
the reference at every precision, compiles warning-free under the strict flags
with gcc and clang, and small arrays stay readable."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import nir
import numpy as np
import pytest

from snnc import api

# At least 1 MiB (the pass's threshold) at every precision: 1024 x 1024 weights.
N_IN, N_HIDDEN = 1024, 1024


@pytest.fixture(scope="module")
def large_model(tmp_path_factory):
    rng = np.random.default_rng(7)
    weight = rng.standard_normal((N_HIDDEN, N_IN)) * 0.08
    # A few weights that test the byte decoding at its edges: negative zero,
    # the largest and smallest magnitudes of float32 and int8 alike.
    weight[0, :4] = [-0.0, 1.0, -1.0, 0.5]
    out = rng.standard_normal((4, N_HIDDEN)) * 0.5

    def lif(n):
        return nir.LIF(tau=np.full(n, 0.02), r=np.full(n, 20.0), v_leak=np.zeros(n),
                       v_threshold=np.ones(n), v_reset=np.zeros(n))
    graph = nir.NIRGraph.from_list(
        nir.Affine(weight=weight, bias=rng.standard_normal(N_HIDDEN) * 0.1), lif(N_HIDDEN),
        nir.Affine(weight=out, bias=np.zeros(4)), lif(4))
    path = tmp_path_factory.mktemp("large") / "large.nir"
    nir.write(str(path), graph)
    return str(path)


@pytest.mark.parametrize("precision", ["f32", "f64", "int8", "int16"])
def test_large_weights_as_bytes_equal_the_reference(large_model, precision):
    options = dict(dt=1e-3, precision=precision)
    source = api.generate(large_model, name="big", **options)["big.c"]
    # The hidden layer's weights are bytes; the output layer's (4096 values,
    # below 1 MiB) and the biases readable arrays.
    assert re.search(r"static const unsigned char big_constant_\w+\[\d+\]\[2048\] SNNC_NONSTRING = \{", source)
    assert re.search(r"static inline \w+ big_constant_\w+_at\(size_t i\)", source)
    assert re.search(r"static const (float|double|int\d+_t) big_constant_\w+\[\d+\] = \{", source)
    rng = np.random.default_rng(3)
    inputs = (rng.random((12, N_IN)) < 0.3).astype(np.float64)
    if precision.startswith("int"):
        inputs = inputs * 3
    c = api.run_c(large_model, inputs, **options)
    np.testing.assert_array_equal(c, api.run(large_model, inputs, backend="reference",
                                             **options))
    # Outputs that spike in some steps, not all: the weights reach them.
    assert 0 < np.count_nonzero(c) < c.size, c


def test_strict_flags_accept_the_byte_rows(large_model, tmp_path):
    """gcc and clang with -Wall -Wextra -Wpedantic -Wconversion -Werror (each
    row's literal is shorter than the 4095 characters C11 promises)."""
    files = api.compile(large_model, tmp_path, name="big", dt=1e-3)
    for cc in ("gcc", "clang"):
        if shutil.which(cc) is None:
            pytest.skip(f"{cc} is not installed")
        result = subprocess.run([cc, *api.STRICT_CFLAGS, "-O2", "-c", files["big.c"], "-o",
                                 str(tmp_path / f"big_{cc}.o")], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]


STATE_SUM_C = """
#include <stdio.h>
#include "big.h"
int main(void) {
  static big_state s;
  static big_input_t in[BIG_NUM_INPUTS];
  big_output_t out[BIG_NUM_OUTPUTS];
  unsigned x = 12345;
  double total = 0;
  long spikes = 0;
  big_reset(&s);
  for (int t = 0; t < 20; ++t) {
    for (int i = 0; i < BIG_NUM_INPUTS; ++i) {
      x = x * 1103515245u + 12345u;
      in[i] = (big_input_t)((x >> 16) % 3 == 0);
    }
    big_step(&s, in, out);
    for (size_t k = 0; k < sizeof s.lif_v / sizeof s.lif_v[0]; ++k)
      total += (double)s.lif_v[k] * (double)(k + 1);
    for (int k = 0; k < BIG_NUM_OUTPUTS; ++k)
      spikes += out[k] != 0;
  }
  printf("%a %ld\\n", total, spikes);
  return 0;
}
"""


@pytest.mark.skipif(shutil.which("s390x-linux-gnu-gcc") is None
                    and os.environ.get("SNNC_REQUIRE_CROSS") != "1",
                    reason="s390x-linux-gnu-gcc is not installed")
@pytest.mark.parametrize("precision", ["f32", "int16"])
def test_the_bytes_read_the_same_on_a_big_endian_target(large_model, tmp_path, precision):
    """The accessors assemble each value from its bytes by value, so s390x
    (big-endian, under qemu) steps the network exactly as the host does."""
    files = api.compile(large_model, tmp_path, name="big", dt=1e-3, precision=precision)
    (tmp_path / "main.c").write_text(STATE_SUM_C)
    results = []
    for cc, run in (("gcc", []), ("s390x-linux-gnu-gcc",
                                  ["qemu-s390x", "-L", "/usr/s390x-linux-gnu"])):
        exe = str(tmp_path / f"step_{cc}")
        subprocess.run([cc, "-O2", "-std=c11", "-ffp-contract=off", str(tmp_path / "main.c"),
                        files["big.c"], f"-I{tmp_path}", "-o", exe], check=True)
        results.append(subprocess.run(run + [exe], capture_output=True, text=True,
                                      check=True).stdout)
    assert results[0] == results[1]
    assert int(results[0].split()[1]) > 0  # the outputs spiked


def test_the_byte_arrays_count_in_the_constant_bytes(large_model):
    """What generate_c reports (quantize-report and bench print it) includes
    the arrays printed as bytes: at least the hidden layer's weights."""
    for precision, element in (("f32", 4), ("int8", 1)):
        generated = api.generate_c(large_model, name="big", dt=1e-3, precision=precision)
        assert generated.constant_bytes >= N_HIDDEN * N_IN * element


@pytest.mark.parametrize("precision", ["f32", "int8"])
def test_the_accessors_are_clean_under_sanitizers(large_model, precision):
    """ASan and UBSan (no recovery) find nothing in reading the byte rows."""
    rng = np.random.default_rng(5)
    inputs = (rng.random((6, N_IN)) < 0.3).astype(np.float64)
    options = dict(dt=1e-3, precision=precision)
    c = api.run_c(large_model, inputs, extra_cflags=["-fsanitize=address,undefined",
                                                     "-fno-sanitize-recover=all", "-g"],
                  **options)
    np.testing.assert_array_equal(c, api.run(large_model, inputs, backend="reference",
                                             **options))
