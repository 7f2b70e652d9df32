"""The trained convolutional example (examples/models/digits_conv) gives the
same bits on the targets of the portability matrix: its C, at int8, int16 and
f32, built by each Linux cross compiler and run under qemu-user (i686,
aarch64, armhf, riscv64, s390x) and by clang, must give the outputs and every
state byte of the host gcc build, which must equal the reference (integer or
float); the Cortex-M4F and M3 builds are checked against the host build by
`snnc bench --target` (test_mcu_bench.py's machinery), here on a few steps.
scripts/portability.py does the same for the fully connected example through
CMake."""
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from snnc import api, mcu_bench, reference, semantics
from snnc.frontend.graph import load_graph

from conftest import find_clang

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "models" / "digits_conv" / "digits_conv.nir"
SEQUENCES = 12

# target -> (compiler, what runs its programs)
LINUX_TARGETS = {
    "i686": ("i686-linux-gnu-gcc", ["qemu-i386", "-L", "/usr/i686-linux-gnu"]),
    "aarch64": ("aarch64-linux-gnu-gcc", ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]),
    "armhf": ("arm-linux-gnueabihf-gcc", ["qemu-arm", "-L", "/usr/arm-linux-gnueabihf"]),
    "riscv64": ("riscv64-linux-gnu-gcc", ["qemu-riscv64", "-L", "/usr/riscv64-linux-gnu"]),
    "s390x": ("s390x-linux-gnu-gcc", ["qemu-s390x", "-L", "/usr/s390x-linux-gnu"]),
}
BIG_ENDIAN = {"s390x"}


def build_and_run(directory, generated, compiler, runner, inputs, byte_order="<"):
    """Outputs and every state field after every step, from the run harness
    (which writes doubles and the state struct's bytes in the target's byte
    order): (outputs [S, T, n], {field: [S, T, ...]}). The scratch arrays are
    left out: they hold nothing between steps."""
    directory.mkdir(parents=True, exist_ok=True)
    api.write_files(generated.files(), directory)
    exe = directory / "run"
    subprocess.run([compiler, *api.STRICT_CFLAGS, *api.FP_CFLAGS, "-O2", f"-I{directory}",
                    '-DSNNC_MODEL_HEADER="m.h"', "-DSNNC_MODEL=m",
                    "-DSNNC_NUM_INPUTS=M_NUM_INPUTS", "-DSNNC_NUM_OUTPUTS=M_NUM_OUTPUTS",
                    str(directory / "m.c"),
                    os.path.join(api.runtime_dir(), "snnc_run_harness.c"), "-o", str(exe)],
                   check=True, capture_output=True, text=True)
    inputs.astype(byte_order + "f8").tofile(directory / "in.bin")
    subprocess.run([*runner, str(exe), str(directory / "in.bin"), str(directory / "out.bin"),
                    str(inputs.shape[0]), str(inputs.shape[1]), str(directory / "states.bin")],
                   check=True, capture_output=True, text=True)
    steps = inputs.shape[:2]
    outputs = np.fromfile(directory / "out.bin", dtype=byte_order + "f8").reshape(*steps, -1)
    raw = np.fromfile(directory / "states.bin", dtype=np.uint8).reshape(
        *steps, generated.state.size)
    states = {}
    for field in generated.state.fields:
        dtype = np.dtype(field.element.numpy).newbyteorder(byte_order)
        chunk = np.ascontiguousarray(raw[:, :, field.offset:field.offset + field.size])
        states[field.ident] = chunk.view(dtype).reshape(*steps, *field.shape).astype(
            field.element.numpy)
    return outputs, states


@pytest.fixture(scope="module")
def inputs():
    return np.load(ROOT / "examples" / "models" / "digits_conv" /
                   "test_inputs.npy")[:SEQUENCES].reshape(SEQUENCES, 25, -1)


@pytest.fixture(scope="module")
def host_runs(tmp_path_factory, inputs):
    """precision -> (generated C, host gcc's outputs and states)."""
    root = tmp_path_factory.mktemp("host")
    runs = {}
    for precision in ("f32", "int8", "int16"):
        generated = api.generate_c(str(MODEL), name="m", preset="snntorch", precision=precision)
        runs[precision] = (generated, build_and_run(root / precision, generated,
                                                    shutil.which("gcc"), [], inputs))
    return runs


@pytest.mark.parametrize("precision", ["f32", "int8", "int16"])
def test_host_build_equals_the_reference(host_runs, inputs, precision):
    generated, (got, _) = host_runs[precision]
    options = semantics.resolve_options(preset="snntorch", precision=precision)
    graph = load_graph(str(MODEL))
    if precision == "f32":
        expected = reference.simulate(graph, options, inputs, dtype=np.float32)
    else:
        plan = api.quantization_plan(graph, options, str(MODEL))
        expected = reference.simulate_quantized(graph, options, plan, inputs)
    assert np.array_equal(got, expected)
    assert got.any()


@pytest.mark.parametrize("precision", ["f32", "int8", "int16"])
@pytest.mark.parametrize("target", sorted(LINUX_TARGETS) + ["clang"])
def test_target_gives_the_host_bits(host_runs, inputs, target, precision, tmp_path):
    generated, (expected_outputs, expected_states) = host_runs[precision]
    if target == "clang":
        compiler, runner = find_clang(), []
    else:
        compiler, runner = LINUX_TARGETS[target]
    outputs, states = build_and_run(tmp_path, generated, compiler, runner, inputs,
                                    ">" if target in BIG_ENDIAN else "<")
    assert np.array_equal(outputs, expected_outputs)
    assert states.keys() == expected_states.keys()
    for ident, values in states.items():
        assert np.array_equal(values, expected_states[ident]), ident


@pytest.mark.parametrize("target", ["cortex-m4f", "cortex-m3"])
def test_cortex_m_gives_the_host_bits(target):
    """snnc bench --target refuses to report unless every step's outputs and
    the final state equal the host build's, bit for bit."""
    report = mcu_bench.bench_target(str(MODEL), target, steps=10, rate=0.2,
                                    preset="snntorch", precision="int8")
    measured = report["precisions"]["int8"]
    assert "not_built" not in measured
    assert measured["instructions_per_step"]["median"] > 0
