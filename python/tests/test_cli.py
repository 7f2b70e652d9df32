"""`python -m snnc` as a user runs it: a subprocess with its exit status,
stdout and stderr."""
from __future__ import annotations

import argparse
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import nir
import numpy as np
import pytest

import snnc

from conftest import PACKAGE_PARENT, REPO_ROOT, NirFactory, run_cli

LIF_KW = dict(tau=np.full(4, 0.01), r=np.ones(4), v_leak=np.zeros(4),
              v_threshold=np.ones(4), v_reset=np.zeros(4))


def _inp(n):
    return nir.Input(input_type={"input": np.array([n])})


def _out(n):
    return nir.Output(output_type={"output": np.array([n])})


def _affine(rng, m, n):
    return nir.Affine(weight=rng.normal(size=(m, n)), bias=rng.normal(size=m))


def test_package_parent_is_used():
    assert (PACKAGE_PARENT / "snnc" / "__init__.py").is_file()


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"snnc {snnc.__version__}"


def test_cmake_dir():
    result = run_cli("--cmake-dir")
    assert result.returncode == 0
    path = Path(result.stdout.strip())
    assert path == Path(snnc.cmake_dir())
    if (path / "snncConfig.cmake").is_file():
        assert path.is_dir()
    else:  # a source tree before `cmake --install`
        assert path.name == "cmake"


def test_no_command_is_usage_error():
    result = run_cli()
    assert result.returncode == 2
    assert "usage" in result.stderr


def test_compile_writes_header_and_source(digits, tmp_path):
    out = tmp_path / "out"
    result = run_cli("compile", digits.nir, "-o", out, "--name", "kws", "--preset", "snntorch")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(out)) == ["kws.c", "kws.h"]
    assert result.stdout.split() == [str(out / "kws.c"), str(out / "kws.h")]
    assert result.stderr == ""
    assert "void kws_step(kws_state *s" in (out / "kws.h").read_text()


def _emitted(digits, tmp_path, emit, *options):
    """The one file `snnc compile --emit EMIT` writes, as text."""
    result = run_cli("compile", digits.nir, "-o", tmp_path, "--name", "m", "--emit", emit,
                     *options)
    assert result.returncode == 0, result.stderr
    file_name = {"mlir": "m.snn.mlir"}.get(emit, f"m.{emit}.mlir")
    assert os.listdir(tmp_path) == [file_name]
    return (tmp_path / file_name).read_text()


def test_emit_mlir(digits, tmp_path):
    text = _emitted(digits, tmp_path, "mlir", "--preset", "snntorch")
    assert "snn.lif" in text and "snn.linear" in text
    assert "reset = #snn.reset<subtract_delayed>" in text


def test_emit_linalg(digits, tmp_path):
    text = _emitted(digits, tmp_path, "linalg", "--dt", "1e-4")
    assert "linalg.generic" in text
    # No snn op is left; the state arguments keep the attribute that tells
    # snn-results-in-place (in snn-to-emitc) which result updates them.
    assert set(re.findall(r"\bsnn\.(\w+)", text)) == {"aliasing_output"}


def test_emit_emitc(digits, tmp_path):
    text = _emitted(digits, tmp_path, "emitc", "--preset", "snntorch")
    assert "emitc.func private @m_step_compute(" in text
    # No op of these dialects is left (attributes such as the module's
    # snn.scratch_arenas, which snnc reads, may stay).
    assert not re.search(r"(^|\s|\")(snn|linalg|memref|tensor)\.\w+(\"|\s+%|\s*\()", text,
                         re.MULTILINE)
    assert re.search(r"\bsnn\.scratch_arenas = ", text)


@pytest.mark.parametrize("backend", ["c", "reference"])
def test_run_digits(digits, tmp_path, backend):
    x = digits.inputs[:60]
    np.save(tmp_path / "in.npy", x)
    out = tmp_path / f"{backend}.npy"
    result = run_cli("run", digits.nir, "--input", tmp_path / "in.npy", "--output", out,
                     "--backend", backend, "--preset", "snntorch")
    assert result.returncode == 0, result.stderr
    y = np.load(out)
    assert y.shape == (60, 25, 10)
    assert np.array_equal(y, digits.spikes_f32[:60])
    assert np.array_equal(y, digits.spikes_f64[:60])


def test_check_digits(digits):
    result = run_cli("check", digits.nir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for node in ("input", "fc1", "lif1", "fc2", "lif2", "output"):
        line = next(line for line in lines if line.split()[:1] == [node])
        assert line.split()[-1] == "supported", line
    assert "unsupported" not in result.stdout


def test_check_reports_a_node_that_cannot_be_compiled(tmp_nir):
    """Every NIR node type is supported; a node whose configuration cannot be
    compiled (here: pooling a 1-D input) is named, with the reason."""
    rng = np.random.default_rng(0)
    bad = nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                        padding=np.array([0, 0]))
    path = tmp_nir.graph({"input": _inp(3), "fc": _affine(rng, 4, 3), "weird": bad,
                          "output": _out(4)},
                         [("input", "fc"), ("fc", "weird"), ("weird", "output")])
    result = run_cli("check", path)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if line.split()[:1] == ["weird"])
    assert "SumPool2d" in line
    assert "node 'weird'" in result.stderr and "[C, H, W]" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------
# errors in the user's input: status 1, one line, file (and node), no files


def _bad_graphs(factory, digits_nir, tmp_path):
    """name -> (CLI arguments: model first, expected node or None, words the
    message must contain)."""
    rng = np.random.default_rng(1)
    g = factory.graph
    dt = ["--dt", "1e-3"]
    cases = {}

    cases["missing_file"] = ([tmp_path / "nope.nir", *dt], None, ["no such file"])

    text = tmp_path / "text.nir"
    text.write_text("this is not HDF5\n")
    cases["text_file"] = ([text, *dt], None, ["not a NIR file", "HDF5"])

    truncated = tmp_path / "truncated.nir"
    truncated.write_bytes(Path(digits_nir).read_bytes()[:4096])
    cases["truncated"] = ([truncated, *dt], None, ["damaged HDF5 file", "truncated"])

    cases["missing_dt"] = ([digits_nir], None, ["--dt", "--preset"])
    cases["negative_dt"] = ([digits_nir, "--dt=-0.001"], None, ["--dt", "positive"])
    cases["zero_dt"] = ([digits_nir, "--dt", "0"], None, ["--dt", "positive"])
    cases["nan_dt"] = ([digits_nir, "--dt", "nan"], None, ["--dt"])

    def chain(middle, n_in=3, n_out=4):
        nodes = {"input": _inp(n_in), **dict(middle), "output": _out(n_out)}
        order = list(nodes)
        return g(nodes, list(zip(order[:-1], order[1:])))

    cases["delay_node"] = ([chain([("fc", _affine(rng, 4, 3)),
                                   ("delay1", nir.Delay(delay=np.full(4, 1.5e-3)))]),
                            "--dt", "1e-3"], "delay1", ["delay", "multiple of dt"])
    weight = rng.normal(size=(4, 3))
    weight[2, 1] = np.nan
    cases["nan_weight"] = ([chain([("fc", nir.Affine(weight=weight, bias=np.zeros(4))),
                                   ("lif", nir.LIF(**LIF_KW))]), *dt],
                           "fc", ["weight", "NaN"])
    cases["negative_tau"] = ([chain([("fc", _affine(rng, 4, 3)),
                                     ("lif", nir.LIF(**{**LIF_KW, "tau": np.full(4, -0.01)}))]),
                              *dt], "lif", ["tau", "positive"])
    cases["weight_shape"] = ([chain([("fc", _affine(rng, 4, 5)), ("lif", nir.LIF(**LIF_KW))]),
                              *dt], "fc", ["weight"])
    cases["two_inputs"] = ([g({"input": _inp(3), "input2": _inp(3), "fc": _affine(rng, 4, 3),
                               "output": _out(4)},
                              [("input", "fc"), ("fc", "output")]), *dt],
                           None, ["Input"])
    cases["detached_cycle"] = ([g({"input": _inp(4), "fc": _affine(rng, 4, 4),
                                   "loop_a": _affine(rng, 4, 4), "loop_b": _affine(rng, 4, 4),
                                   "output": _out(4)},
                                  [("input", "fc"), ("fc", "output"), ("loop_a", "loop_b"),
                                   ("loop_b", "loop_a")]), *dt],
                               "loop_a", ["loop_b"])
    # a cycle through the Input: the Input may not receive anything
    cases["cycle_through_input"] = ([g({"input": _inp(4), "fc": _affine(rng, 4, 4),
                                        "output": _out(4)},
                                       [("input", "fc"), ("fc", "input"), ("fc", "output")]),
                                     *dt], "input", ["Input", "incoming"])
    # summed inputs must agree in shape
    cases["fan_in_shapes"] = ([g({"input": _inp(3), "fc1": _affine(rng, 4, 3),
                                  "fc2": _affine(rng, 5, 3), "add": nir.LIF(**LIF_KW),
                                  "output": _out(4)},
                                 [("input", "fc1"), ("input", "fc2"), ("fc1", "add"),
                                  ("fc2", "add"), ("add", "output")]), *dt],
                              "add", ["fc1", "fc2", "shape"])
    cases["dangling"] = ([g({"input": _inp(3), "fc": _affine(rng, 4, 3),
                             "lonely": nir.LIF(**LIF_KW), "output": _out(4)},
                            [("input", "fc"), ("fc", "output")]), *dt],
                         "lonely", [])
    cases["bad_name"] = ([digits_nir, *dt, "--name", "1abc"], None, ["--name", "1abc"])
    return cases


ERROR_CASES = ["missing_file", "text_file", "truncated", "missing_dt", "negative_dt",
               "zero_dt", "nan_dt", "delay_node", "nan_weight",
               "negative_tau", "weight_shape", "two_inputs", "cycle_through_input",
               "detached_cycle", "fan_in_shapes", "dangling", "bad_name"]

NAMES_XFAIL = {}


@pytest.fixture(scope="module")
def error_results(tmp_path_factory, digits):
    """Runs each bad case once (compile and run) and keeps the results."""
    root = tmp_path_factory.mktemp("errors")
    cases = _bad_graphs(NirFactory(root / "nir"), digits.nir, root)
    cache = {}

    def get(name, command="compile"):
        key = (name, command)
        if key not in cache:
            args, node, words = cases[name]
            model, options = args[0], list(args[1:])
            work = root / f"{name}-{command}"
            work.mkdir()
            out_dir = work / "out"
            if command == "compile":
                if "--name" not in options:
                    options += ["--name", "m"]
                result = run_cli("compile", model, "-o", out_dir, *options)
            else:
                np.save(work / "x.npy", np.zeros((5, 3)))
                out_dir.mkdir()  # `run` refuses a missing output directory first
                result = run_cli("run", model, "--input", work / "x.npy", "--output",
                                 out_dir / "y.npy", *options)
            cache[key] = SimpleNamespace(result=result, out_dir=out_dir, model=Path(model),
                                         node=node, words=words)
        return cache[key]
    return get


@pytest.mark.parametrize("name", ERROR_CASES)
def test_compile_error_is_one_clean_line(error_results, name):
    r = error_results(name)
    result = r.result
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("snnc: error: ")
    assert result.stderr.endswith("\n")
    assert result.stdout == ""
    assert not r.out_dir.exists() or os.listdir(r.out_dir) == []


@pytest.mark.parametrize("name", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=NAMES_XFAIL[c]))
    if c in NAMES_XFAIL else c for c in ERROR_CASES])
def test_compile_error_names_file_node_and_problem(error_results, name):
    r = error_results(name)
    message = r.result.stderr.strip()
    assert r.result.returncode == 1
    assert str(r.model) in message, message
    for word in r.words:
        assert word in message, (word, message)
    if r.node is not None:
        # node errors say "node 'NAME'"; the list of unconnected nodes names them plainly
        assert f"node '{r.node}'" in message or (
            "not connected" in message and r.node in message.split(":")[-1]), message


@pytest.mark.parametrize("name", ["missing_file", "truncated", "missing_dt", "negative_dt",
                                  "delay_node", "nan_weight", "fan_in_shapes"])
def test_run_error_is_one_clean_line(error_results, name):
    r = error_results(name, "run")
    result = r.result
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("snnc: error: "), result.stderr
    assert str(r.model) in lines[0]
    if r.node is not None:
        assert f"node '{r.node}'" in lines[0]
    assert "Traceback" not in result.stderr
    assert not r.out_dir.exists() or os.listdir(r.out_dir) == []


def test_run_bad_input_shape(digits, tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((5, 7)))
    result = run_cli("run", digits.nir, "--input", tmp_path / "x.npy", "--output",
                     tmp_path / "y.npy", "--preset", "snntorch")
    assert result.returncode == 1
    assert result.stderr.startswith("snnc: error: ") and len(result.stderr.splitlines()) == 1
    assert "64" in result.stderr
    assert not (tmp_path / "y.npy").exists()


def test_bad_choice_is_usage_error(digits, tmp_path):
    result = run_cli("compile", digits.nir, "-o", tmp_path / "o", "--name", "m", "--reset",
                     "sometimes", "--dt", "1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def _precision_sensitive_model(tmp_nir):
    """0.1 + 0.1 + 0.1 > 0.3 is true in double and false in single precision:
    an IF neuron (gain 1 at dt = 1) fires one step earlier in f64."""
    return tmp_nir.graph({"input": _inp(1), "w": nir.Linear(weight=np.array([[0.1]])),
                          "if": nir.IF(r=np.ones(1), v_threshold=np.full(1, 0.3),
                                       v_reset=np.zeros(1)),
                          "output": _out(1)},
                         [("input", "w"), ("w", "if"), ("if", "output")], type_check=True)


def test_precision_changes_c_results(tmp_nir, tmp_path):
    path = _precision_sensitive_model(tmp_nir)
    np.save(tmp_path / "x.npy", np.ones((6, 1)))
    spikes = {}
    for precision in ("f32", "f64"):
        out = tmp_path / f"{precision}.npy"
        result = run_cli("run", path, "--input", tmp_path / "x.npy", "--output", out,
                         "--backend", "c", "--dt", "1", "--precision", precision)
        assert result.returncode == 0, result.stderr
        spikes[precision] = np.load(out)[:, 0]
    assert spikes["f64"].tolist() == [0, 0, 1, 0, 0, 1]
    assert spikes["f32"].tolist() == [0, 0, 0, 1, 0, 0]


def test_reference_backend_honours_precision(tmp_nir, tmp_path):
    path = _precision_sensitive_model(tmp_nir)
    np.save(tmp_path / "x.npy", np.ones((6, 1)))
    results = {}
    for backend in ("c", "reference"):
        out = tmp_path / f"{backend}.npy"
        result = run_cli("run", path, "--input", tmp_path / "x.npy", "--output", out,
                         "--backend", backend, "--dt", "1", "--precision", "f32")
        assert result.returncode == 0, result.stderr
        results[backend] = np.load(out)
    assert np.array_equal(results["c"], results["reference"])


def test_cli_runs_outside_the_source_tree(digits, tmp_path):
    """The subprocess gets the package through PYTHONPATH only (no cwd magic)."""
    model = tmp_path / "m.nir"
    shutil.copy(digits.nir, model)
    result = run_cli("check", "m.nir", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("m.nir: 6 nodes, 5 edges")


def test_every_option_and_positional_has_help_that_states_its_default():
    """`snnc <command> --help` explains every argument; an optional one says
    its default (or that it is required, or has no default)."""
    from snnc.cli import build_parser
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for command, sub in [("snnc", parser)] + sorted(subparsers.choices.items()):
        for action in sub._actions:
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction,
                                   argparse._SubParsersAction)):
                continue
            name = "/".join(action.option_strings) or action.dest
            text = action.help or ""
            if not text:
                missing.append(f"{command} {name}: no help")
            elif (action.option_strings and not action.required
                  and not isinstance(action, argparse._StoreTrueAction)
                  and not re.search(r"default: |required", text)):
                missing.append(f"{command} {name}: no default in {text!r}")
            elif action.option_strings and action.required and "required" not in text:
                missing.append(f"{command} {name}: required, but the help does not say so")
    assert not missing, "\n".join(missing)


def test_the_api_takes_a_nir_graph_in_memory(digits, tmp_path):
    """snnc.compile and snnc.run take the graph an exporter returns as well as
    a path, with the same C (but for the header's record of its source) and
    the same outputs."""
    graph = nir.read(str(digits.nir))
    from_file = snnc.compile(digits.nir, tmp_path / "file", name="m", preset="snntorch")
    from_graph = snnc.compile(graph, tmp_path / "graph", name="m", preset="snntorch")
    for file_name in ("m.c", "m.h"):
        file_text = open(from_file[file_name]).read().split("\n", 1)
        graph_text = open(from_graph[file_name]).read().split("\n", 1)
        assert graph_text[1] == file_text[1]
        assert "from graph.nir (sha256 " in graph_text[0]
    inputs = digits.inputs[0]
    np.testing.assert_array_equal(snnc.run(graph, inputs, preset="snntorch"),
                                  snnc.run(digits.nir, inputs, preset="snntorch"))


def test_a_bad_graph_in_memory_is_named_as_such(tmp_path):
    graph = nir.NIRGraph.from_list(
        nir.Affine(weight=np.ones((2, 3)), bias=np.zeros(2)),
        nir.LIF(tau=np.array([-1.0, 0.02]), r=np.ones(2), v_leak=np.zeros(2),
                v_threshold=np.ones(2)))
    with pytest.raises(snnc.SNNCError) as raised:
        snnc.compile(graph, tmp_path, name="m", dt=1e-3)
    assert str(raised.value).startswith("<nir.NIRGraph>: node '")
    assert "tau" in str(raised.value)
    assert not list(tmp_path.iterdir())


def test_run_takes_inputs_in_the_input_nodes_shape(tmp_path):
    """An image network's inputs as the Input node has them, [T, 1, 8, 8] or
    [S, T, 1, 8, 8], give what the flattened [T, 64] and [S, T, 64] give; a
    shape that is neither is refused, naming both forms."""
    model = REPO_ROOT / "python" / "tests" / "fixtures" / "frameworks" / "norse_conv.nir"
    images = np.load(str(model).replace(".nir", "_input.npy"))[:2, :12]  # [2, 12, 1, 8, 8]
    flat = images.reshape(2, 12, 64)
    for backend in ("c", "reference"):
        np.testing.assert_array_equal(
            snnc.run(model, images, backend=backend, preset="norse"),
            snnc.run(model, flat, backend=backend, preset="norse"))
        np.testing.assert_array_equal(
            snnc.run(model, images[0], backend=backend, preset="norse"),
            snnc.run(model, flat[0], backend=backend, preset="norse"))
    np.save(tmp_path / "images.npy", images[0])
    result = run_cli("run", model, "--preset", "norse", "--input", tmp_path / "images.npy",
                     "--output", tmp_path / "out.npy")
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"),
                                  snnc.run(model, flat[0], preset="norse"))
    with pytest.raises(snnc.SNNCError) as raised:
        snnc.run(model, images[0, :, :, :4], preset="norse")
    assert "[T, 64] or [S, T, 64] (or [T, 1, 8, 8] or [S, T, 1, 8, 8]" in str(raised.value)


def test_a_closed_pipe_ends_quietly(digits):
    """`snnc check ... | head -1`: the reader may close the pipe before snnc
    writes (here it is closed before snnc starts); one exit status, no
    traceback."""
    import subprocess
    import sys
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "snnc", "check", str(digits.nir)],
                                stdout=write_end, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert result.stderr == ""
