"""Properties of the generated C files, checked with the C toolchain itself.

Two models are generated once per module: `a` (the digits example, f32,
snnTorch preset) and `b` (a synthetic chain with every supported node type,
f64). The tests compile them with strict warnings on gcc and clang, link them
into one program, look at their symbols with nm, and run the digits model
under AddressSanitizer/UBSan.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from snnc import api, reference, semantics
from snnc.frontend.graph import load_graph

from conftest import DT, NirFactory, assert_layers_spike, cli_env, find_clang, find_tool, run_cli

STRICT = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Werror"]
# Extra warnings the generated code is clean under (gcc 12, clang 14).
# -Wcast-qual: the computation takes the input as a const array, and a
# constant that initializes a buffer is copied by a loop, not by a memcpy
# through a pointer EmitC casts to non-const.
EXTRA = ["-Wshadow", "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wundef", "-Wvla",
         "-Wcast-qual"]
FLAGS = STRICT + EXTRA

B_SPEC = ["affine:12", "lif", "linear:10", "if", "affine:8", "scale", "threshold",
          "linear:6", "i", "affine:4", "li"]
B_OPTIONS = dict(dt=DT, reset="subtract-delayed", compare="ge", precision="f64")
A_OPTIONS = dict(preset="snntorch", precision="f32")

ALLOWED_INCLUDES = {"<stdbool.h>", "<stddef.h>", "<stdint.h>", "<string.h>"}


def compiler(name):
    if name == "clang":
        return find_clang()
    return find_tool(name)


def sh(cmd, **kwargs):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))}\n{result.stdout}{result.stderr}"
    return result


@pytest.fixture(scope="module")
def models(tmp_path_factory, digits):
    """{"a": dir with a.h/a.c (digits), "b": dir with b.h/b.c}; plus the .nir paths."""
    root = tmp_path_factory.mktemp("gen")
    b_nir = NirFactory(root / "nir").chain(B_SPEC, n_in=5, seed=77, file_name="b_model.nir",
                                           uniform_v_reset=True)
    api.compile(digits.nir, root / "a", name="a", **A_OPTIONS)
    api.compile(b_nir, root / "b", name="b", **B_OPTIONS)
    return {"a": root / "a", "b": root / "b", "a_nir": Path(digits.nir), "b_nir": b_nir,
            "root": root}


def sources(models, name):
    d = models[name]
    return (d / f"{name}.h").read_text(), (d / f"{name}.c").read_text()


@pytest.fixture(scope="module")
def objects(models):
    """Object files compiled once: {(model, cc, opt): path}."""
    built = {}

    def get(model, cc, opt):
        key = (model, cc, opt)
        if key not in built:
            out = models["root"] / f"{model}-{cc}{opt}.o"
            sh([compiler(cc), *FLAGS, opt, "-c", models[model] / f"{model}.c",
                f"-I{models[model]}", "-o", out])
            built[key] = out
        return built[key]
    return get


@pytest.mark.parametrize("opt", ["-O0", "-O2"])
@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("model", ["a", "b"])
def test_strict_warnings(objects, model, cc, opt):
    assert objects(model, cc, opt).stat().st_size > 0


def _nm(obj):
    defined = sh(["nm", "--defined-only", obj]).stdout.split("\n")
    undefined = sh(["nm", "--undefined-only", obj]).stdout.split()
    symbols = []
    for line in defined:
        parts = line.split()
        if len(parts) == 3:
            symbols.append((parts[1], parts[2]))
    return symbols, set(undefined) - {"U"}


@pytest.mark.parametrize("opt", ["-O0", "-O2"])
@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("model", ["a", "b"])
def test_symbols(objects, model, cc, opt):
    find_tool("nm")
    symbols, undefined = _nm(objects(model, cc, opt))
    exported = {name for kind, name in symbols if kind.isupper()}
    assert exported == {f"{model}_reset", f"{model}_step"}
    assert undefined <= {"memcpy", "memset"}, undefined
    # no writable file-scope data: weights are read-only, state is the caller's
    writable = [(kind, name) for kind, name in symbols if kind.lower() in "bdgs"]
    assert writable == []


def test_two_models_in_one_program(models, digits, tmp_path):
    """a.c, b.c and a user main.c link together; the digits model run from
    main.c through the public C API gives snnTorch's float32 spikes."""
    sample = digits.inputs[0]
    rows = ",\n".join("{" + ",".join(f"{v}.0f" for v in row) + "}" for row in sample)
    main_c = f"""
#include <stdio.h>
#include "a.h"
#include "b.h"

static const float inputs[25][A_NUM_INPUTS] = {{
{rows}
}};

int main(void) {{
  a_state sa;
  b_state sb;
  a_output_t ya[A_NUM_OUTPUTS];
  b_input_t xb[B_NUM_INPUTS] = {{0}};
  b_output_t yb[B_NUM_OUTPUTS];
  a_reset(&sa);
  b_reset(&sb);
  for (int t = 0; t < 25; ++t) {{
    a_step(&sa, inputs[t], ya);
    for (int i = 0; i < B_NUM_INPUTS; ++i) xb[i] = (b_input_t)((t + i) % 3);
    b_step(&sb, xb, yb);
    for (int i = 0; i < A_NUM_OUTPUTS; ++i) printf("%d", ya[i] > 0.5f ? 1 : 0);
    printf("\\n");
  }}
  printf("%d %d\\n", A_NUM_INPUTS, B_NUM_OUTPUTS);
  return 0;
}}
"""
    (tmp_path / "main.c").write_text(main_c)
    exe = tmp_path / "both"
    sh([find_tool("gcc"), *FLAGS, "-O2", f"-I{models['a']}", f"-I{models['b']}",
        models["a"] / "a.c", models["b"] / "b.c", tmp_path / "main.c", "-o", exe])
    lines = sh([exe]).stdout.split()
    expected = ["".join(str(int(v)) for v in row) for row in digits.spikes_f32[0]]
    assert lines[:25] == expected
    assert lines[25:] == ["64", "4"]


@pytest.mark.parametrize("model", ["a", "b"])
def test_no_heap_no_stdio(models, model):
    header, source = sources(models, model)
    for text in (header, source):
        for word in ("malloc", "calloc", "realloc", "free(", "printf", "stdio", "FILE",
                     "alloca", "abort", "exit("):
            assert word not in text, word
    includes = set(re.findall(r"#include\s+(\S+)", source))
    assert includes - {f'"{model}.h"'} <= ALLOWED_INCLUDES
    # The header declares the scratch arrays (the digits model's list of
    # active positions is int16_t): only freestanding headers.
    assert set(re.findall(r"#include\s+(\S+)", header)) <= {"<stdint.h>", "<stdbool.h>"}


@pytest.mark.parametrize("model", ["a", "b"])
def test_weights_are_static_const(models, model):
    _, source = sources(models, model)
    # every file-scope definition with an initializer (the weight arrays)
    definitions = [line for line in source.splitlines()
                   if re.match(r"^[A-Za-z_].*\]\s*=\s*\{", line)]
    assert definitions, "no weight arrays found"
    for line in definitions:
        assert line.startswith("static const "), line[:80]
    # nothing else at file scope is non-static besides the two API functions
    functions = re.findall(r"^(?!static)[A-Za-z_][\w\s\*]*?\b(\w+)\s*\(", source, re.M)
    assert set(functions) == {f"{model}_reset", f"{model}_step"}


def test_weight_values_match_the_nir_file(models):
    """The f64 model's weight initializers hold the NIR weights exactly: row by
    output, or (an event-driven synapse, fed by the network's input) row by input."""
    import nir
    graph = nir.read(str(models["b_nir"]))
    _, source = sources(models, "b")
    arrays = {}
    for m in re.finditer(r"static const double (\w+)\[(\d+)\] = \{([^}]*)\};", source):
        arrays[m.group(1)] = np.array([float(v) for v in m.group(3).split(",")])
    weight = graph.nodes["affine0"].weight.astype(np.float64)
    by_input = weight.T.reshape(-1)
    assert any(a.shape == by_input.shape and np.array_equal(a, by_input)
               for a in arrays.values())


@pytest.mark.parametrize("model,n_in,n_out", [("a", 64, 10), ("b", 5, 4)])
def test_header_macros(models, model, n_in, n_out):
    header, _ = sources(models, model)
    upper = model.upper()
    assert re.search(rf"^#define {upper}_NUM_INPUTS {n_in}$", header, re.M)
    assert re.search(rf"^#define {upper}_NUM_OUTPUTS {n_out}$", header, re.M)
    assert re.search(rf"^#ifndef {upper}_H_INCLUDED$", header, re.M)


@pytest.mark.parametrize("model", ["a", "b"])
def test_header_in_cplusplus(models, model, tmp_path):
    gxx = find_tool("g++")
    cpp = tmp_path / "use.cpp"
    cpp.write_text(f"""
#include "{model}.h"
#include "{model}.h"  // the include guard works
int run_one() {{
  static {model}_state s;
  {model}_input_t x[{model.upper()}_NUM_INPUTS] = {{}};
  {model}_output_t y[{model.upper()}_NUM_OUTPUTS];
  {model}_reset(&s);
  {model}_step(&s, x, y);
  return static_cast<int>(y[0]);
}}
""")
    flags = ["-std=c++11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", f"-I{models[model]}"]
    sh([gxx, *flags, "-fsyntax-only", cpp])
    # C linkage: the object refers to the unmangled C names
    obj = tmp_path / "use.o"
    sh([gxx, *flags, "-c", cpp, "-o", obj])
    undefined = set(sh(["nm", "--undefined-only", obj]).stdout.split())
    assert {f"{model}_reset", f"{model}_step"} <= undefined


@pytest.mark.parametrize("model", ["a", "b"])
def test_generated_files_record_sha256(models, model):
    """Both generated files name the model file, its sha256 (computed here with
    hashlib) and the options in their first line, so a build can tell which
    weights it holds."""
    nir_path = Path(models[f"{model}_nir"])
    digest = hashlib.sha256(nir_path.read_bytes()).hexdigest()
    header, source = sources(models, model)
    source_first = source.splitlines()[0]
    assert source_first.startswith(f"/* {model}.c: ") and f"sha256 {digest}" in source_first
    assert nir_path.name in source_first
    header_first = header.splitlines()[0]
    assert header_first.startswith(f"/* {model}.h: ") and nir_path.name in header_first
    assert f"sha256 {digest}" in header_first
    assert "options: precision=" in header_first


def test_byte_identical_output(models, digits, tmp_path):
    """Compiling twice, from different directories (relative and absolute model
    paths, the model copied elsewhere) and with different PYTHONHASHSEED gives
    the same bytes."""
    runs = []
    for model_key, name, opts in (("a_nir", "a", ["--preset", "snntorch"]),
                                  ("b_nir", "b", ["--dt", str(DT), "--reset",
                                                  "subtract-delayed", "--compare", "ge",
                                                  "--precision", "f64"])):
        src = Path(models[model_key])
        copy_dir = tmp_path / f"copy-{name}"
        copy_dir.mkdir()
        shutil.copy(src, copy_dir / src.name)
        outputs = []
        for i, (cwd, model_arg, seed) in enumerate([
                (tmp_path, src.resolve(), "0"),
                (src.parent, src.name, "12345"),
                (copy_dir, src.name, "random")]):
            out = tmp_path / f"out-{name}-{i}"
            result = run_cli("compile", model_arg, "-o", out, "--name", name, *opts, cwd=cwd,
                             env=cli_env(PYTHONHASHSEED=seed))
            assert result.returncode == 0, result.stderr
            outputs.append({f: (out / f).read_bytes() for f in (f"{name}.h", f"{name}.c")})
            assert sorted(os.listdir(out)) == [f"{name}.c", f"{name}.h"]
        assert outputs[0] == outputs[1] == outputs[2]
        # and the same bytes as the in-process API wrote
        assert outputs[0][f"{name}.c"] == (models[name] / f"{name}.c").read_bytes()
        runs.append(outputs[0])
    assert runs[0] != runs[1]


@pytest.mark.parametrize("model", ["a", "b"])
def test_sanitizers(models, digits, model, tmp_path):
    """The harness over the digits test set (and b on random inputs) under
    -fsanitize=address,undefined reports nothing and gives the same outputs."""
    gcc = find_tool("gcc")
    d = models[model]
    upper = model.upper()
    exe = tmp_path / "harness"
    sh([gcc, *STRICT, "-ffp-contract=off", "-O1", "-g", "-fno-omit-frame-pointer",
        "-fsanitize=address,undefined", "-fno-sanitize-recover=all", f"-I{d}",
        f'-DSNNC_MODEL_HEADER="{model}.h"', f"-DSNNC_MODEL={model}",
        f"-DSNNC_NUM_INPUTS={upper}_NUM_INPUTS", f"-DSNNC_NUM_OUTPUTS={upper}_NUM_OUTPUTS",
        d / f"{model}.c", Path(api.runtime_dir()) / "snnc_run_harness.c", "-o", exe])
    assert "__asan_init" in sh(["nm", exe]).stdout  # really instrumented
    if model == "a":
        x = digits.inputs[:150].astype(np.float64)
        n_out = 10
    else:
        x = np.random.default_rng(3).normal(size=(6, 30, 5))
        n_out = 4
    x.tofile(tmp_path / "in.bin")
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    result = subprocess.run([exe, tmp_path / "in.bin", tmp_path / "out.bin", str(x.shape[0]),
                             str(x.shape[1]), tmp_path / "states.bin"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "Sanitizer" not in result.stderr and "runtime error" not in result.stderr
    assert result.stderr == ""
    out = np.fromfile(tmp_path / "out.bin", dtype=np.float64).reshape(x.shape[0], x.shape[1],
                                                                       n_out)
    if model == "a":
        assert np.array_equal(out, digits.spikes_f32[:150])
    else:
        expected, traces = reference.simulate(load_graph(models["b_nir"]),
                                              semantics.resolve_options(**B_OPTIONS), x,
                                              record=True)
        assert np.array_equal(out, expected)
        assert_layers_spike(traces, context="model b")


def test_clang_requirement_switch(monkeypatch):
    """Without clang, clang tests skip; with SNNC_REQUIRE_CLANG=1 (CI) they fail."""
    import conftest
    monkeypatch.setattr(conftest.shutil, "which", lambda name: None)
    monkeypatch.delenv("SNNC_REQUIRE_CLANG", raising=False)
    with pytest.raises(pytest.skip.Exception):
        find_clang()
    monkeypatch.setenv("SNNC_REQUIRE_CLANG", "1")
    with pytest.raises(pytest.fail.Exception):
        find_clang()


def test_fail_on_skip_switch(tmp_path):
    """With SNNC_FAIL_ON_SKIP=1 (CI) a skipped test, or a module skipped at
    import, fails the run and the summary names it; an explicit xfail does
    not. Without the switch, skips pass as pytest's own."""
    conftest = Path(__file__).with_name("conftest.py")
    shutil.copy(conftest, tmp_path / "conftest.py")
    (tmp_path / "test_some.py").write_text(
        "import pytest\n"
        "def test_passes():\n    pass\n"
        "def test_needs_a_tool():\n    pytest.skip('the tool is missing')\n"
        "@pytest.mark.xfail(strict=True, reason='known mismatch')\n"
        "def test_known_mismatch():\n    assert False\n")
    (tmp_path / "test_gone.py").write_text(
        "import pytest\npytest.importorskip('no_such_module_snnc')\n"
        "def test_never_collected():\n    pass\n")
    (tmp_path / "test_only_xfail.py").write_text(
        "import pytest\n"
        "@pytest.mark.xfail(strict=True, reason='known mismatch')\n"
        "def test_known_mismatch():\n    assert False\n")

    def pytest_run(*args, **env):
        environment = cli_env(**env)
        environment.pop("SNNC_FAIL_ON_SKIP", None)
        environment.update(env)
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               *args], cwd=tmp_path, env=environment, capture_output=True,
                              text=True, timeout=120)

    strict = pytest_run(SNNC_FAIL_ON_SKIP="1")
    assert strict.returncode == 1, strict.stdout
    assert "SNNC_FAIL_ON_SKIP=1: 2 skipped test(s) fail the run" in strict.stdout
    assert "SKIPPED test_some.py::test_needs_a_tool: the tool is missing" in strict.stdout
    assert "SKIPPED test_gone.py:" in strict.stdout
    assert "test_known_mismatch" not in strict.stdout.split("fail the run")[1]
    assert pytest_run().returncode == 0
    only_xfail = pytest_run("test_only_xfail.py", SNNC_FAIL_ON_SKIP="1")
    assert only_xfail.returncode == 0, only_xfail.stdout


def _as_the_compiler_sees_it(generated, directory):
    """{"NAME_state": size, field: (offset, size), "input_t"/"output_t": size,
    "OUTPUT_SCALE": value} printed by a program that includes the header."""
    name = generated.header_name[:-len(".h")]
    api.write_files(generated.files(), directory)
    lines = [f'printf("{name}_state %zu\\n", sizeof({name}_state));',
             f'printf("input_t %zu\\n", sizeof({name}_input_t));',
             f'printf("output_t %zu\\n", sizeof({name}_output_t));']
    for field in generated.state.fields:
        lines.append(f'printf("{field.ident} %zu %zu\\n", offsetof({name}_state, {field.ident}), '
                     f'sizeof((({name}_state *)0)->{field.ident}));')
    if generated.output_scale is not None:
        lines.append(f'printf("OUTPUT_SCALE %.17g\\n", (double){name.upper()}_OUTPUT_SCALE);')
    program = directory / "layout.c"
    program.write_text("#include <stddef.h>\n#include <stdio.h>\n"
                       f'#include "{generated.header_name}"\n'
                       "int main(void) {\n  " + "\n  ".join(lines) + "\n  return 0;\n}\n")
    sh([compiler("gcc"), *FLAGS, f"-I{directory}", program, "-o", directory / "layout"])
    printed = {}
    for line in sh([directory / "layout"]).stdout.splitlines():
        key, *values = line.split()
        printed[key] = float(values[0]) if key == "OUTPUT_SCALE" else tuple(map(int, values))
    return printed


@pytest.mark.parametrize("model,options", [
    ("digits", A_OPTIONS),
    # odd sizes, so that an int16 array after an int8 one needs padding
    ("chain", dict(dt=DT, reset="subtract-delayed", precision="int8")),
    ("chain", dict(dt=DT, reset="subtract-delayed", precision="int16")),
])
def test_state_layout_is_the_compilers(model, options, digits, tmp_nir, tmp_path):
    """The layout `generate_c` reports (what `run` reads the recorded state
    with) is where the C compiler puts each field of the state struct."""
    nir_path = digits.nir if model == "digits" else tmp_nir.chain(
        ["affine:5", "lif", "affine:3", "lif", "affine:2", "li"], n_in=4, seed=3)
    generated = api.generate_c(nir_path, name="m", **options)
    printed = _as_the_compiler_sees_it(generated, tmp_path)
    expected = {"m_state": (generated.state.size,),
                "input_t": (generated.input_type.size,),
                "output_t": (generated.output_type.size,)}
    expected.update({field.ident: (field.offset, field.size) for field in generated.state.fields})
    if generated.output_scale is not None:
        expected["OUTPUT_SCALE"] = generated.output_scale
    assert printed == expected
    assert len({field.element.name for field in generated.state.fields}) == \
        (1 if model == "digits" else 2)
