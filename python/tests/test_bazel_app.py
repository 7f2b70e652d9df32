"""The Bazel integration: examples/bazel_app built and tested offline with snn_library,
natively and cross-compiled for aarch64 (run under qemu), and incremental rebuilds
that touch only the model and what includes it when the model changes."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

pytestmark = pytest.mark.skipif(
    shutil.which("bazel") is None and os.environ.get("SNNC_REQUIRE_BAZEL") != "1",
    reason="bazel is not installed")


def _bazel(workspace, *args):
    env = dict(os.environ, SNNC_PYTHON=sys.executable)
    result = subprocess.run(["bazel", *args], cwd=workspace, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, f"bazel {' '.join(args)} failed:\n{result.stderr[-4000:]}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A private copy of the parts of the repository the example uses."""
    root = tmp_path_factory.mktemp("bazel_repo")
    shutil.copy(os.path.join(REPO, "WORKSPACE"), root / "WORKSPACE")
    shutil.copytree(os.path.join(REPO, "rules"), root / "rules")
    shutil.copytree(os.path.join(REPO, "examples", "common"), root / "examples" / "common")
    shutil.copytree(os.path.join(REPO, "examples", "models"), root / "examples" / "models")
    app = root / "examples" / "bazel_app"
    app.mkdir()
    for name in ("WORKSPACE", "BUILD", ".bazelrc", ".bazelignore"):
        shutil.copy(os.path.join(REPO, "examples", "bazel_app", name), app / name)
    yield app
    subprocess.run(["bazel", "shutdown"], cwd=app, capture_output=True)


def _compiled(output):
    """The C files compiled and the NIR files converted, from `bazel -s` output."""
    return set(re.findall(r"SUBCOMMAND: # (\S+) \[action '((?:Compiling|snnc: compiling) [^']*)'",
                          output))


def test_native_build_and_test(workspace):
    out = _bazel(workspace, "test", "//...")
    assert "1 test passes" in out


def test_model_change_rebuilds_only_the_model(workspace):
    _bazel(workspace, "build", "//...")
    # A new version of the model: the same network, written again (new bytes).
    import nir
    model = workspace.parent / "models" / "digits" / "digits.nir"
    graph = nir.read(str(model))
    graph.nodes["fc2"].bias = np.asarray(graph.nodes["fc2"].bias) + np.float32(0.0)
    os.remove(model)
    nir.write(str(model), graph)
    actions = {label for label, _ in _compiled(_bazel(workspace, "build", "-s", "//..."))}
    assert "//:digits_snnc_generated" in actions, actions
    assert "//:digits" in actions, actions
    # Code unrelated to the model is not recompiled. (The app and the test
    # include digits.h, whose first line records the model's hash, so they are.)
    assert not any("common:npy" in label for label in actions), actions


@pytest.mark.skipif(shutil.which("aarch64-linux-gnu-gcc") is None
                    and os.environ.get("SNNC_REQUIRE_CROSS") != "1",
                    reason="aarch64-linux-gnu-gcc is not installed")
def test_aarch64_cross_build_runs_under_qemu(workspace):
    out = _bazel(workspace, "test", "--config=aarch64", "//...")
    assert "1 test passes" in out
    binary = workspace / "bazel-bin" / "digits_test"
    with open(binary, "rb") as f:
        header = f.read(20)
    assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == 183  # EM_AARCH64


# Options as snn_library takes them (Starlark), per target, and as the API takes
# them: each target's C must be what `snnc compile` writes with the same options.
DIGITS = "@snnc//examples/models/digits"
LIBRARIES_WITH_OPTIONS = {
    "spiking": ('preset = "snntorch", precision = "int8", input_kind = "spikes"',
                dict(preset="snntorch", precision="int8", input_kind="spikes")),
    "exact": ('preset = "snntorch", integrator = "exact", cuba_order = "voltage-first"',
              dict(preset="snntorch", integrator="exact", cuba_order="voltage-first")),
    "unoptimized": ("dt = 1e-4, no_opt = True", dict(dt=1e-4, optimize=False)),
    "calibrated": (f'preset = "snntorch", precision = "int16", '
                   f'calibrate = "{DIGITS}:test_inputs.npy"',
                   dict(preset="snntorch", precision="int16", calibrate="test_inputs.npy")),
}


@pytest.fixture(scope="module")
def options_build(workspace):
    """The example's BUILD with an snn_library per entry of
    LIBRARIES_WITH_OPTIONS, built; the generated C of each."""
    build = workspace / "BUILD"
    original = build.read_text()
    try:
        build.write_text(original + "".join(
            f'\nsnn_library(\n    name = "{name}",\n    src = "{DIGITS}:digits.nir",\n'
            f"    {attributes},\n)\n"
            for name, (attributes, _) in LIBRARIES_WITH_OPTIONS.items()))
        _bazel(workspace, "build", *(f"//:{name}" for name in LIBRARIES_WITH_OPTIONS))
        return {name: (workspace / "bazel-bin" / name / f"{name}.c").read_text()
                for name in LIBRARIES_WITH_OPTIONS}
    finally:
        build.write_text(original)


def _expected(workspace, name):
    digits = workspace.parent / "models" / "digits"
    options = dict(LIBRARIES_WITH_OPTIONS[name][1])
    if "calibrate" in options:
        options["calibrate"] = str(digits / options["calibrate"])
    from snnc import api
    return api.generate(str(digits / "digits.nir"), name=name, **options)[f"{name}.c"]


def test_input_kind_reaches_the_compiler(workspace, options_build):
    """input_kind = "spikes" gives the same C as `snnc compile --input-kind spikes`."""
    generated = options_build["spiking"]
    assert "input-kind=spikes" in generated
    assert generated == _expected(workspace, "spiking")


def test_integrator_and_cuba_order_reach_the_compiler(workspace, options_build):
    """integrator = "exact", cuba_order = "voltage-first" give the same C as
    `snnc compile --integrator exact --cuba-order voltage-first`."""
    generated = options_build["exact"]
    assert "integrator=exact" in generated and "cuba-order=voltage-first" in generated
    assert generated == _expected(workspace, "exact")


def test_no_opt_reaches_the_compiler(workspace, options_build):
    generated = options_build["unoptimized"]
    assert "no-opt" in generated
    assert generated == _expected(workspace, "unoptimized")


def test_calibrate_reaches_the_compiler(workspace, options_build):
    generated = options_build["calibrated"]
    assert "calibrated on test_inputs.npy" in generated
    assert generated == _expected(workspace, "calibrated")

