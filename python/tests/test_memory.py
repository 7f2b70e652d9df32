"""Memory of the generated C: every model's step keeps a small stack (its
temporaries are scratch arrays of NAME_state, snn-scratch-arena), and the
byte counts the header states are what the C compiler lays out.

The stack is measured by gcc's -fstack-usage, for the host and for the
Cortex-M4F (arm-none-eabi-gcc, when installed), on the shipped examples, the
framework fixtures, the N-MNIST network (scripts/make_nmnist_cnn.py) and a
convolutional network with grouped, dilated and pooled layers."""
import os
import subprocess
import sys
from pathlib import Path

import nir
import numpy as np
import pytest

from snnc import api, toolchains
from snnc.bench import step_stack_bytes

from conftest import find_tool
from test_event_driven_conv import convolution_network

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "python" / "tests" / "fixtures" / "frameworks"
STACK_LIMIT = 4096  # bytes, the bound for NAME_step
# What the steps measured here take at most (the N-MNIST CNN: 256 bytes on the
# host; lif784 int8 with its input as spikes 872: the packed int8 kernel's
# lane sums, two per branch, are loop-carried buffers that stay on the
# stack): a layer's temporary left on the stack would exceed it.
SMALL_STACK = 1024
STRICT = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Werror"]


def framework_models():
    for path in sorted(FIXTURES.glob("*.nir")):
        framework = path.name.split("_")[0]
        yield path.stem, path, dict(preset=framework)


@pytest.fixture(scope="module")
def nmnist(tmp_path_factory):
    path = tmp_path_factory.mktemp("nmnist") / "nmnist.nir"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_nmnist_cnn.py"), str(path)],
                   check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def conv_network(tmp_path_factory):
    nodes, edges = convolution_network(3)
    path = tmp_path_factory.mktemp("conv") / "conv.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    return path


MODELS = [("digits", ROOT / "examples/models/digits/digits.nir", dict(preset="snntorch")),
          ("digits_conv", ROOT / "examples/models/digits_conv/digits_conv.nir",
           dict(preset="snntorch")),
          ("lif784", ROOT / "examples/models/lif784/lif784.nir", dict(preset="snntorch")),
          # input as spikes: the first synapse's kernel is built twice (the
          # input as events or scanned), its gather list inside a branch
          ("lif784_spikes", ROOT / "examples/models/lif784/lif784.nir",
           dict(preset="snntorch", input_kind="spikes"))]


def compile_for_stack(generated, directory, compiler, flags):
    api.write_files(generated.files(), directory)
    subprocess.run([compiler, *STRICT, *flags, "-O2", "-fstack-usage", "-c",
                    str(directory / "m.c"), "-o", str(directory / "m.o")],
                   check=True, capture_output=True, text=True, cwd=directory)
    stack = step_stack_bytes(str(directory), "m")
    assert stack is not None, "no stack usage of m_step"
    return stack


def check_stack(path, options, precision, tmp_path):
    generated = api.generate_c(str(path), name="m", precision=precision, **options)
    host = compile_for_stack(generated, tmp_path / "host", find_tool("gcc"), [])
    assert host <= min(STACK_LIMIT, SMALL_STACK), \
        f"{path.name} {precision}: {host} bytes of stack on the host"
    board = toolchains.cortex_m_board("cortex-m4f")
    if os.environ.get("SNNC_REQUIRE_CROSS") == "1" or not board.missing_tools():
        m4 = compile_for_stack(generated, tmp_path / "m4", board.compiler, board.compile_flags)
        assert m4 <= min(STACK_LIMIT, SMALL_STACK), \
            f"{path.name} {precision}: {m4} bytes of stack on Cortex-M4F"
    return generated


def configurations():
    """(name, path, options, precision): every model at f32 and f64, and at
    int8 and int16 where snnc quantizes it (not yet: the multi-spike neurons
    of the Rockpool and Sinabs presets, and snntorch_conv's pooling of a
    convolution's sums: integer models pool spikes only)."""
    for name, path, options in MODELS + list(framework_models()):
        integer = options["preset"] not in ("rockpool", "sinabs") and name != "snntorch_conv"
        for precision in ["f32", "f64"] + (["int8", "int16"] if integer else []):
            yield pytest.param(name, path, options, precision, id=f"{name}-{precision}")


@pytest.mark.parametrize("name,path,options,precision", configurations())
def test_step_stack_is_small(name, path, options, precision, tmp_path):
    for d in ("host", "m4"):
        (tmp_path / d).mkdir()
    check_stack(path, options, precision, tmp_path)


@pytest.mark.parametrize("precision", ["f32", "f64"])
def test_convolutional_networks_stack_is_small(nmnist, conv_network, precision, tmp_path):
    for index, (path, options) in enumerate(
            [(nmnist, dict(preset="sinabs", input_kind="spikes")),
             (conv_network, dict(dt=1.0, input_kind="spikes")),
             (conv_network, dict(dt=1.0)),
             (nmnist, dict(preset="sinabs", input_kind="spikes", optimize=False))]):
        directory = tmp_path / str(index)
        for d in ("host", "m4"):
            (directory / d).mkdir(parents=True)
        generated = check_stack(path, options, precision, directory)
        assert generated.state.scratch_bytes > 0


@pytest.mark.parametrize("precision", ["f32", "f64"])
def test_header_byte_counts_are_the_compilers(nmnist, precision, tmp_path):
    """NAME_STATE_BYTES and NAME_SCRATCH_BYTES equal sizeof the struct and
    the sum of sizeof its scratch arrays, as the C compiler computes them;
    NAME_CONSTANT_BYTES equals the sizes of the object's read-only symbols
    (nm), i.e. of the static const arrays."""
    generated = api.generate_c(str(nmnist), name="m", precision=precision, preset="sinabs",
                               input_kind="spikes")
    api.write_files(generated.files(), tmp_path)
    scratch = [field.ident for field in generated.state.scratch]
    assert len(scratch) >= 2  # the plan keeps buffers live together apart
    sizes = " + ".join(f"sizeof(((m_state *)0)->{ident})" for ident in scratch)
    program = tmp_path / "sizes.c"
    program.write_text(
        '#include <stdio.h>\n#include "m.h"\n'
        "int main(void) {\n"
        '  printf("%zu %zu %zu\\n", sizeof(m_state), (size_t)M_STATE_BYTES, '
        "(size_t)M_SCRATCH_BYTES);\n"
        f'  printf("%zu\\n", (size_t)({sizes}));\n'
        '  printf("%zu\\n", (size_t)M_CONSTANT_BYTES);\n'
        "  return 0;\n}\n")
    gcc = find_tool("gcc")
    subprocess.run([gcc, *STRICT, f"-I{tmp_path}", str(program), "-o", str(tmp_path / "sizes")],
                   check=True)
    lines = subprocess.run([str(tmp_path / "sizes")], check=True, capture_output=True,
                           text=True).stdout.split("\n")
    struct_size, state_bytes, scratch_bytes = map(int, lines[0].split())
    assert struct_size == state_bytes
    assert int(lines[1]) == scratch_bytes
    subprocess.run([gcc, *STRICT, "-O2", "-c", str(tmp_path / "m.c"), "-o",
                    str(tmp_path / "m.o")], check=True)
    symbols = subprocess.run(["nm", "-S", "--defined-only", str(tmp_path / "m.o")],
                             check=True, capture_output=True, text=True).stdout
    rodata = sum(int(fields[1], 16) for fields in map(str.split, symbols.splitlines())
                 if len(fields) == 4 and fields[2] in "rR")
    assert rodata == int(lines[2])
