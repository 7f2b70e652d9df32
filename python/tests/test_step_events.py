"""NAME_step_events: a network whose input is spikes takes each step's spikes
as the ascending list of the active positions, and the step scans no dense
input. Its outputs and states must equal NAME_step's on the same spikes at
every step (fully connected and convolutional first layers, float and
integer), it must refuse a list that is not ascending or out of range without
touching the state, and a model whose dense input is read elsewhere must not
declare it."""
import subprocess
from pathlib import Path

import nir
import numpy as np
import pytest

from snnc import api

from conftest import find_tool
from test_event_driven_conv import convolution_network

ROOT = Path(__file__).resolve().parents[2]
STRICT = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Werror",
          "-Wcast-qual", "-Wshadow"]

# Runs both entry points side by side on the same spikes; prints "mismatch"
# with the step, or "same" and the number of output spikes; then checks the
# refusals of bad lists.
HARNESS = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "m.h"

static m_state dense, events;
static m_input_t in[M_NUM_INPUTS];
static uint32_t active[M_NUM_INPUTS];

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  FILE *f = fopen(argv[1], "rb");
  long steps = atol(argv[2]);
  size_t compared = (size_t)atol(argv[3]); /* bytes of state before the scratch */
  m_output_t a[M_NUM_OUTPUTS], b[M_NUM_OUTPUTS];
  double total = 0;
  m_reset(&dense);
  m_reset(&events);
  for (long t = 0; t < steps; ++t) {
    size_t n = 0;
    if (fread(in, sizeof in, 1, f) != 1) return 2;
    for (uint32_t i = 0; i < M_NUM_INPUTS; ++i)
      if (in[i] > 0) active[n++] = i;
    m_step(&dense, in, a);
    if (m_step_events(&events, active, n, b) != 0) { printf("refused %ld\n", t); return 1; }
    if (memcmp(a, b, sizeof a) != 0 || memcmp(&dense, &events, compared) != 0) {
      printf("mismatch %ld\n", t);
      return 1;
    }
    for (int o = 0; o < M_NUM_OUTPUTS; ++o) total += (double)a[o];
  }
  printf("same %g\n", total);
  /* Bad lists: refused, state untouched. */
  m_state before = events;
  uint32_t descending[2] = {1, 0}, repeated[2] = {0, 0}, beyond[1] = {M_NUM_INPUTS};
  if (m_step_events(&events, descending, 2, b) != -1 ||
      m_step_events(&events, repeated, 2, b) != -1 ||
      m_step_events(&events, beyond, 1, b) != -1 ||
      memcmp(&before, &events, sizeof before) != 0) {
    printf("accepted a bad list\n");
    return 1;
  }
  printf("refused bad lists\n");
  return 0;
}
"""


def run_both(path, options, inputs, tmp_path, cc="gcc", extra=()):
    generated = api.generate_c(str(path), name="m", **options)
    assert generated.step_events
    api.write_files(generated.files(), tmp_path)
    (tmp_path / "harness.c").write_text(HARNESS)
    exe = tmp_path / "harness"
    subprocess.run([find_tool(cc), *STRICT, "-O2", *extra, f"-I{tmp_path}",
                    str(tmp_path / "m.c"), str(tmp_path / "harness.c"), "-o", str(exe)],
                   check=True)
    dtype = generated.input_type.numpy
    np.ascontiguousarray(inputs, dtype=dtype).tofile(tmp_path / "in.bin")
    compared = generated.state.scratch[0].offset if generated.state.scratch \
        else generated.state.size
    result = subprocess.run([str(exe), str(tmp_path / "in.bin"), str(len(inputs)),
                             str(compared)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.split("\n")
    assert lines[0].startswith("same ") and lines[1] == "refused bad lists"
    return float(lines[0].split()[1])


def spikes(rng, steps, n, rate):
    return (rng.random((steps, n)) < rate).astype(np.float64)


@pytest.mark.parametrize("precision", ["f32", "f64", "int8", "int16"])
def test_fully_connected_events_equal_the_dense_step(rng, tmp_path, precision):
    lif784 = ROOT / "examples/models/lif784/lif784.nir"
    total = run_both(lif784, dict(preset="snntorch", input_kind="spikes", precision=precision),
                     spikes(rng, 60, 784, 0.05), tmp_path)
    assert total > 0  # the outputs spiked: the comparison saw activity


@pytest.mark.parametrize("precision", ["f32", "f64"])
@pytest.mark.parametrize("counts", [False, True], ids=["single", "multiple"])
def test_convolutional_events_equal_the_dense_step(rng, tmp_path, precision, counts):
    nodes, edges = convolution_network(3)
    path = tmp_path / "conv.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    options = dict(dt=1.0, compare="ge", input_kind="spikes", precision=precision,
                   spikes="multiple" if counts else "single", reset="subtract")
    total = run_both(path, options, spikes(rng, 25, 200, 0.3), tmp_path)
    assert total > 0


def test_nmnist_events_under_sanitizers(rng, tmp_path):
    path = tmp_path / "nmnist.nir"
    subprocess.run(["python", str(ROOT / "scripts" / "make_nmnist_cnn.py"), str(path)],
                   check=True, capture_output=True)
    total = run_both(path, dict(preset="sinabs", input_kind="spikes"),
                     spikes(rng, 40, 2 * 34 * 34, 0.05), tmp_path,
                     extra=["-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"])
    assert total >= 0


def test_a_dense_reader_of_the_input_means_no_events_entry(tmp_path):
    """The input also reaches a neuron directly (not through a synapse): the
    step must read the dense input, so there is no NAME_step_events."""
    rng = np.random.default_rng(0)
    nodes = {"input": nir.Input(input_type={"input": np.array([4])}),
             "fc": nir.Affine(weight=rng.normal(size=(4, 4)), bias=np.zeros(4)),
             "i": nir.IF(r=np.ones(4), v_threshold=np.ones(4)),
             "output": nir.Output(output_type={"output": np.array([4])})}
    edges = [("input", "fc"), ("fc", "i"), ("input", "i"), ("i", "output")]
    path = tmp_path / "skip.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    generated = api.generate_c(str(path), name="m", dt=1.0, input_kind="spikes")
    assert not generated.step_events
    assert "step_events" not in generated.header
    with_values = api.generate_c(str(path), name="m", dt=1.0)
    assert not with_values.step_events
