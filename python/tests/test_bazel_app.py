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


def test_input_kind_reaches_the_compiler(workspace):
    """input_kind = "spikes" gives the same C as `snnc compile --input-kind spikes`."""
    from snnc import api
    build = workspace / "BUILD"
    original = build.read_text()
    try:
        build.write_text(original + '\nsnn_library(\n    name = "spiking",\n'
                         '    src = "@snnc//examples/models/digits:digits.nir",\n'
                         '    preset = "snntorch",\n    precision = "int8",\n'
                         '    input_kind = "spikes",\n)\n')
        _bazel(workspace, "build", "//:spiking")
        generated = (workspace / "bazel-bin" / "spiking" / "spiking.c").read_text()
    finally:
        build.write_text(original)
    model = workspace.parent / "models" / "digits" / "digits.nir"
    expected = api.generate(str(model), name="spiking", preset="snntorch", precision="int8",
                            input_kind="spikes")["spiking.c"]
    assert "input-kind=spikes" in generated
    assert generated == expected
