"""Hostile input, sanitizers, valgrind, and what fuzzing found (see docs/robustness.md;
the fuzz tests are in test_fuzz.py).

The corpus in corpus/ was written by corpus/make_corpus.py; expected.json
says which node each message must name and which words it must contain.
"""
import json
import os
import shutil
import subprocess
import sys

import nir
import numpy as np
import pytest

from snnc import SNNCError, api

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
EXPECTED = json.load(open(os.path.join(CORPUS, "expected.json")))
FIXTURES = os.path.join(HERE, "fixtures", "frameworks")
DIGITS = os.path.join(HERE, "..", "..", "examples", "models", "digits")


def snnc(*args):
    # A short read deadline, so the file on which libhdf5 loops costs seconds.
    env = dict(os.environ, SNNC_READ_TIMEOUT="5")
    return subprocess.run([sys.executable, "-m", "snnc", *args], capture_output=True, text=True,
                          env=env)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_corpus_file_gets_one_clean_line(case, tmp_path):
    path = os.path.join(CORPUS, case)
    out_dir = tmp_path / "out"
    result = snnc("compile", path, "-o", str(out_dir), "--name", "m", "--dt", "1e-3")
    expected = EXPECTED[case]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    message = lines[0]
    assert message.startswith("snnc: error: ") and case in message
    if expected["node"]:
        assert f"node '{expected['node']}'" in message, message
    for word in expected["words"]:
        assert word in message, (word, message)
    # Nothing written, not even a partial file.
    assert not out_dir.exists() or os.listdir(out_dir) == []


@pytest.mark.parametrize("case", ["truncated.nir", "huge_dimensions.nir", "algebraic_loop.nir"])
def test_corpus_run_and_check_fail_cleanly_too(case, tmp_path):
    path = os.path.join(CORPUS, case)
    np.save(tmp_path / "x.npy", np.zeros((2, 3)))
    for args in (["run", path, "--input", str(tmp_path / "x.npy"), "--output",
                  str(tmp_path / "y.npy"), "--dt", "1e-3"], ["check", path]):
        result = snnc(*args)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.startswith("snnc: error: ") and case in result.stderr
    assert not (tmp_path / "y.npy").exists()


def test_odd_but_valid_node_names_compile(tmp_path):
    """Names that are not C identifiers or are C keywords become valid fields."""
    rng = np.random.default_rng(1)
    names = ["1st layer", "int", "fc-1", "static"]
    nodes = {"input": nir.Input(input_type={"input": np.array([3])}),
             "output": nir.Output(output_type={"output": np.array([4])}),
             names[0]: nir.Affine(weight=rng.normal(size=(4, 3)), bias=np.zeros(4)),
             names[1]: nir.LIF(tau=np.full(4, 0.02), r=np.ones(4), v_leak=np.zeros(4),
                               v_threshold=np.ones(4), v_reset=np.zeros(4)),
             names[2]: nir.Linear(weight=rng.normal(size=(4, 4))),
             names[3]: nir.LIF(tau=np.full(4, 0.02), r=np.ones(4), v_leak=np.zeros(4),
                               v_threshold=np.ones(4), v_reset=np.zeros(4))}
    chain = ["input"] + names + ["output"]
    path = str(tmp_path / "names.nir")
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=list(zip(chain[:-1], chain[1:])),
                                 type_check=False))
    x = rng.random((10, 3))
    out = api.run(path, x, backend="c", dt=1e-3, precision="f64")
    assert np.array_equal(out, api.run(path, x, backend="reference", dt=1e-3, precision="f64"))
    header = api.generate(path, name="m", dt=1e-3)["m.h"]
    assert "int__v[4]" in header and "static__v[4]" in header


# --------------------------------------------------------------------------
# Generated C under sanitizers (gcc and clang) and valgrind

def _models():
    models = [(os.path.join(DIGITS, "digits.nir"), dict(preset="snntorch"), 64)]
    for case, options in (("snntorch_leaky_subtract", dict(preset="snntorch")),
                          ("snntorch_synaptic", dict(preset="snntorch")),
                          ("snntorch_rleaky", dict(preset="snntorch")),
                          ("snntorch_conv", dict(preset="snntorch")),
                          ("norse_lifbox", dict(preset="norse")),
                          ("norse_conv", dict(preset="norse"))):
        inputs = np.load(os.path.join(FIXTURES, f"{case}_input.npy"))
        models.append((os.path.join(FIXTURES, f"{case}.nir"), options,
                       int(np.prod(inputs.shape[2:]))))
    return models


MODELS = _models()


@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("model,options,n_in", MODELS,
                         ids=[os.path.basename(m[0]) for m in MODELS])
def test_generated_c_is_clean_under_sanitizers(model, options, n_in, cc):
    if shutil.which(cc) is None:
        if os.environ.get("SNNC_REQUIRE_CLANG") == "1":
            pytest.fail(f"{cc} is required")
        pytest.skip(f"{cc} is not installed")
    x = (np.random.default_rng(5).random((3, 20, n_in)) < 0.3).astype(float)
    plain = api.run_c(model, x, cc=cc, **options)
    checked = api.run_c(model, x, cc=cc, extra_cflags=[
        "-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
        "-fno-sanitize-recover=all"], **options)
    assert np.array_equal(plain, checked)


def test_generated_c_is_clean_under_valgrind():
    if shutil.which("valgrind") is None:
        if os.environ.get("SNNC_REQUIRE_CROSS") == "1":
            pytest.fail("valgrind is required")
        pytest.skip("valgrind is not installed")
    model, options, n_in = MODELS[0]
    x = (np.random.default_rng(6).random((2, 10, n_in)) < 0.3).astype(float)
    out = api.run_c(model, x, run_under=["valgrind", "-q", "--error-exitcode=99",
                                         "--leak-check=full"], **options)
    assert np.array_equal(out, api.run_c(model, x, **options))


# --------------------------------------------------------------------------
# What fuzzing found (the fuzz tests themselves are in test_fuzz.py)

from fuzz_targets import compile_or_reject  # noqa: E402


def test_regression_single_input_single_output_synapse(tmp_path):
    """Found by scripts/fuzz.py (an abort inside MLIR): a 1x1 event-driven synapse
    whose loops canonicalization folded away left a branch yielding the constant
    bias. Now the row loop's trip count skips inactive inputs instead."""
    nodes = {"input": nir.Input(input_type={"input": np.array([1])}),
             "fc": nir.Affine(weight=np.array([[0.5]]), bias=np.array([0.1])),
             "output": nir.Output(output_type={"output": np.array([1])})}
    path = str(tmp_path / "one.nir")
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=[("input", "fc"), ("fc", "output")]))
    x = np.array([[0.0], [1.0], [2.0]])
    result = subprocess.run([sys.executable, "-c",
                             "import sys, numpy as np; from snnc import api; "
                             f"print(api.run({path!r}, np.array({x.tolist()}), dt=1e-3, "
                             "precision='f64').ravel().tolist())"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[0.1, 0.6, 1.1]"


@pytest.mark.parametrize("shape", [[1], [2, 3]])
def test_regression_output_is_the_input(tmp_path, shape):
    """Found by scripts/fuzz.py: Input -> Flatten -> Output (an identity) made a
    step computation without an output parameter (bufferization returned the
    input's own buffer, and the in-place pipeline dropped that result), so the
    C did not compile. Now the output is a copy of the input."""
    flat = int(np.prod(shape))
    nodes = {"input": nir.Input(input_type={"input": np.array(shape)}),
             "flatten": nir.Flatten(input_type={"input": np.array(shape)}, start_dim=0),
             "output": nir.Output(output_type={"output": np.array([flat])})}
    path = str(tmp_path / "identity.nir")
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=[("input", "flatten"),
                                                     ("flatten", "output")]))
    assert compile_or_reject(path)
    x = np.arange(3 * flat, dtype=np.float64).reshape(3, flat) - 2.5  # T x n_in, flat
    np.testing.assert_array_equal(api.run_c(path, x, dt=1e-3, precision="f64"), x)


def test_regression_delay_longer_than_the_limit(tmp_path):
    """Found by scripts/fuzz.py: a delay of 1e9 s at dt = 1 ms asked for a state
    buffer of 10^12 elements, which reached EmitC as an unprintable module (a
    traceback). Now the delay is refused, naming the node and the sizes."""
    nodes = {"input": nir.Input(input_type={"input": np.array([2])}),
             "late": nir.Delay(delay=np.array([1e9, 1e-3])),
             "output": nir.Output(output_type={"output": np.array([2])})}
    path = str(tmp_path / "late.nir")
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=[("input", "late"), ("late", "output")]))
    with pytest.raises(SNNCError, match=r"node 'late': a delay of 1000000000000 steps .* "
                                        r"needs a buffer of 2000000000000 elements; the "
                                        r"limit is 16777216"):
        api.generate(path, name="m", dt=1e-3)
    assert not compile_or_reject(path)
