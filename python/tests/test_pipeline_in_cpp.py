"""The compile's pipeline lives in C++ (snn-to-linalg, snn-to-emitc): snn-opt,
given `snnc compile --emit mlir`'s output and the pipeline snnc names, writes
what `snnc compile --emit emitc` writes, byte for byte, and its C is the step
computation of `snnc compile`'s NAME.c. A pipeline that fails leaves a
reproducer that snn-opt repeats."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from mlir import ir

import snnc
from snnc import _core, driver
from snnc.errors import SNNCError
from snnc.mlir_context import make_context

from conftest import REPO_ROOT, run_cli

FRAMEWORKS = REPO_ROOT / "python" / "tests" / "fixtures" / "frameworks"

# (model, preset, extra options): float and integer, dense and event-driven,
# convolution, recurrence, current-based neurons, multiple spikes.
CONFIGURATIONS = [
    ("examples/models/digits/digits.nir", "snntorch", []),
    ("examples/models/digits/digits.nir", "snntorch", ["--precision", "int8"]),
    ("examples/models/digits/digits.nir", "snntorch", ["--precision", "f64", "--no-opt"]),
    ("examples/models/digits/digits.nir", "snntorch",
     ["--precision", "int16", "--input-kind", "spikes"]),
    ("python/tests/fixtures/frameworks/norse_conv.nir", "norse", []),
    ("python/tests/fixtures/frameworks/snntorch_rleaky.nir", "snntorch",
     ["--precision", "int16", "--no-opt"]),
    ("python/tests/fixtures/frameworks/spyx_cubalif.nir", "spyx", []),
    ("python/tests/fixtures/frameworks/rockpool_lif_burst.nir", "rockpool", []),
]


def _compile(model, preset, extra, emit, out):
    result = run_cli("compile", REPO_ROOT / model, "-o", out, "--name", "net",
                     "--preset", preset, "--emit", emit, *extra)
    assert result.returncode == 0, result.stderr
    return out


def _step_computation(c_source: str) -> str:
    """The part of NAME.c that EmitC printed, without the qualifiers emit.py
    adds to its parameters (restrict and const)."""
    start = c_source.index("from the lowered snn IR. */\n") + len("from the lowered snn IR. */\n")
    end = c_source.index("\nvoid net_reset(")
    text = c_source[start:end]
    text = text.replace("[restrict ", "[").replace("(const ", "(").replace(", const ", ", ")
    return text.rstrip() + "\n"


@pytest.mark.parametrize("model,preset,extra", CONFIGURATIONS,
                         ids=[f"{m.split('/')[-1]}-{'-'.join(e) or 'default'}"
                              for m, _, e in CONFIGURATIONS])
def test_snn_opt_reproduces_the_compile(model, preset, extra, tmp_path):
    snn_ir = _compile(model, preset, extra, "mlir", tmp_path / "snn") / "net.snn.mlir"
    emitc_ir = (_compile(model, preset, extra, "emitc", tmp_path / "emitc")
                / "net.emitc.mlir").read_text()
    c_source = (_compile(model, preset, extra, "c", tmp_path / "c") / "net.c").read_text()

    pipeline = driver.pipeline("emitc", optimize="--no-opt" not in extra, symbol_prefix="net")
    result = subprocess.run([snnc.snn_opt_path(), str(snn_ir),
                             f"--pass-pipeline=builtin.module({pipeline})"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    # mlir-opt's driver ends its output with one more newline than the module.
    assert result.stdout == emitc_ir + "\n"

    with make_context():
        module = ir.Module.parse(result.stdout)
        assert _core.translate_to_c(module.operation).rstrip() + "\n" == \
            _step_computation(c_source)


def test_snn_opt_is_a_command_with_the_pipelines():
    """The package's console script `snn-opt` (beside this interpreter) runs
    the shipped binary, which registers both pipelines."""
    command = os.path.join(os.path.dirname(sys.executable), "snn-opt")
    result = subprocess.run([command, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "--snn-to-emitc" in result.stdout and "--snn-to-linalg" in result.stdout


def test_the_pipeline_names_its_options():
    assert driver.pipeline("emitc", True, "net") == "snn-to-emitc{optimize=true symbol-prefix=net}"
    assert driver.pipeline("linalg", False) == "snn-to-linalg{optimize=false}"


# A quantized pooling has no integer lowering yet: convert-snn-to-linalg
# fails on it (dialect/test/Conversion/SNNToLinalg/quantized_invalid.mlir).
UNLOWERABLE = """
func.func private @net_step_compute(%x: tensor<3x!quant.uniform<i16:f32, 0.01>>, %b: tensor<2x3x!quant.uniform<i16:f32, 0.01>>) -> tensor<3x!quant.uniform<i16:f32, 0.01>> {
  %y, %b1 = snn.delay %x, %b {steps = array<i64: 2>} : tensor<3x!quant.uniform<i16:f32, 0.01>>, tensor<2x3x!quant.uniform<i16:f32, 0.01>>
  return %y : tensor<3x!quant.uniform<i16:f32, 0.01>>
}
"""


def test_a_failed_pipeline_leaves_a_reproducer_that_snn_opt_repeats(tmp_path):
    with make_context():
        module = ir.Module.parse(UNLOWERABLE)
        with pytest.raises(SNNCError) as raised:
            driver.lower_to_emitc(module, optimize=True, prefix="net")
    message = str(raised.value)
    assert "snn-to-emitc{optimize=true symbol-prefix=net} failed" in message
    assert "'snn.delay' op on quantized types cannot be lowered to linalg yet" in message
    path = re.search(r"reproducer: (\S+) ", message).group(1)
    try:
        text = open(path).read()
        # The IR before the failing pass (the snn op is still there) and that
        # pass, as MLIR writes a local reproducer.
        assert "snn.delay" in text
        assert "convert-snn-to-linalg" in re.search(r"pipeline: \"(.*)\"", text).group(1)
        repeated = subprocess.run([snnc.snn_opt_path(), "--run-reproducer", path],
                                  capture_output=True, text=True, check=False)
        assert repeated.returncode != 0
        assert "cannot be lowered to linalg yet" in repeated.stderr
    finally:
        os.unlink(path)


def test_a_pipeline_that_succeeds_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    with make_context():
        module = ir.Module.parse(UNLOWERABLE.replace("!quant.uniform<i16:f32, 0.01>", "f32"))
        driver.lower_to_emitc(module, optimize=True, prefix="net")
    assert list(tmp_path.iterdir()) == []
