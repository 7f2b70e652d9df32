"""The output side under hostile or mistaken arguments: where files go, what
they are called, how they are written. Every refusal is one line
`snnc: error: ...`, exit status 1, no traceback, and nothing written."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

import numpy as np
import pytest

from snnc import api
from snnc.frontend import nirfile
from snnc.errors import SNNCError

from conftest import cli_env, run_cli

DT = ["--dt", "1e-3"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A small valid model (3 inputs, 4 LIF neurons)."""
    from conftest import NirFactory
    return NirFactory(tmp_path_factory.mktemp("nir")).chain(["affine:4", "lif"], n_in=3,
                                                           file_name="small.nir")


def assert_refused(result, *words):
    """Status 1, one line `snnc: error: ...` holding every word, no traceback."""
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("snnc: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def listing(directory):
    return sorted(os.listdir(directory))


# --------------------------------------------------------------------------
# -o: where the files go


@pytest.mark.parametrize("case, words", [
    ("existing file", ["exists and is not a directory"]),
    ("dangling symlink", ["symbolic link to a missing directory"]),
    ("empty path", ["output directory is an empty path"]),
    ("/dev/null", ["/dev/null", "not a directory"]),
    ("under a file", ["somefile/out", "is not a directory"]),
])
def test_output_dir_that_cannot_be_a_directory_is_refused(model, tmp_path, case, words):
    (tmp_path / "somefile").write_text("mine\n")
    os.symlink(tmp_path / "missing", tmp_path / "dangling")
    output = {"existing file": "somefile", "dangling symlink": "dangling", "empty path": "",
              "/dev/null": "/dev/null", "under a file": "somefile/out"}[case]
    before = listing(tmp_path)
    result = run_cli("compile", model, "-o", output, "--name", "net", *DT, cwd=tmp_path)
    assert_refused(result, *words)
    assert listing(tmp_path) == before
    assert (tmp_path / "somefile").read_text() == "mine\n"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_unwritable_output_dir_is_refused(model, tmp_path):
    if os.geteuid() != 0:
        unwritable = tmp_path / "readonly"
        unwritable.mkdir()
        unwritable.chmod(0o555)
        words = ["not writable"]
    else:
        # Root may write into any directory whatever its mode; sysfs refuses
        # new entries even to root, so it is the honest stand-in here.
        unwritable = "/sys"
        if not os.path.isdir("/sys/kernel") or _can_create_in("/sys"):
            pytest.skip("running as root and /sys is not a sysfs that refuses new files")
        words = ["cannot write"]
    before = listing(unwritable)
    for output in (unwritable, os.path.join(unwritable, "out")):
        result = run_cli("compile", model, "-o", output, "--name", "net", *DT)
        assert_refused(result, *words)
        assert listing(unwritable) == before


def _can_create_in(directory):
    try:
        os.mkdir(os.path.join(directory, "snnc-probe"))
    except OSError:
        return False
    os.rmdir(os.path.join(directory, "snnc-probe"))
    return True


def test_name_too_long_for_the_file_system_is_refused(model, tmp_path):
    name = "a" * 300  # a C identifier, but NAME.h exceeds NAME_MAX (255 bytes)
    result = run_cli("compile", model, "-o", tmp_path / "out", "--name", name, *DT)
    assert_refused(result, "302 bytes long", "allows 255")
    assert not (tmp_path / "out").exists()


def test_undecodable_model_path_is_shown_escaped(model, tmp_path):
    env = cli_env()
    missing = [sys.executable, "-m", "snnc", "compile", os.fsencode(tmp_path) + b"/\xff.nir",
               "-o", os.fsencode(tmp_path / "out"), "--name", "net", *DT]
    result = subprocess.run(missing, env=env, capture_output=True, text=True, timeout=120)
    line = assert_refused(result, ".nir: no such file")
    # the byte is shown as an escape (\xff, or the \udcff Python decodes it to)
    assert "\\xff.nir" in line or "\\udcff.nir" in line, line
    assert not (tmp_path / "out").exists()

    # A valid model under such a name compiles; its name is recorded escaped.
    undecodable = os.fsencode(tmp_path) + b"/\xfe.nir"
    shutil.copy(model, undecodable)
    result = subprocess.run(missing[:4] + [undecodable] + missing[5:], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    header = (tmp_path / "out" / "net.h").read_text(encoding="utf-8")
    assert "from \\xfe.nir (sha256" in header.splitlines()[0]


# --------------------------------------------------------------------------
# --name: what the files are called


@pytest.mark.parametrize("name, words", [
    ("string", ["would write string.h", "shadows the C library's <string.h>"]),
    ("String", ["would write String.h", "<string.h>"]),  # case-insensitive file systems
    ("unistd", ["<unistd.h>"]),
    ("stdatomic", ["<stdatomic.h>"]),
    ("main", ["'main' is reserved"]),
    ("__net", ["reserved to the C implementation"]),
    ("_Net", ["reserved to the C implementation"]),
    ("net-1", ["must be a C identifier"]),
])
def test_names_that_clash_with_c_are_refused(model, tmp_path, name, words):
    result = run_cli("compile", model, "-o", tmp_path / "out", "--name", name, *DT)
    assert_refused(result, *words)
    assert not (tmp_path / "out").exists()


def test_every_c_and_posix_header_name_is_refused_and_others_are_not():
    for header in sorted(api.C_LIBRARY_HEADERS):
        for name in (header, header.upper()):
            with pytest.raises(SNNCError, match="shadows the C library"):
                api._check_name(name)
    for name in ("kws", "_net", "net_2", "strings2", "string_model", "digits"):
        assert api._check_name(name) == name


# --------------------------------------------------------------------------
# how the files are written


def test_failed_write_leaves_the_previous_pair_and_no_temporary(tmp_path, monkeypatch):
    old = {"net.c": "old c\n", "net.h": "old h\n"}
    for file_name, text in old.items():
        (tmp_path / file_name).write_text(text)
    real_write_temporary = api._write_temporary
    written = []

    def fail_on_the_second(directory, data):
        if written:
            raise OSError(28, "No space left on device")
        written.append(real_write_temporary(directory, data))
        return written[-1]

    monkeypatch.setattr(api, "_write_temporary", fail_on_the_second)
    with pytest.raises(SNNCError, match="No space left on device"):
        api.write_files({"net.c": "new c\n", "net.h": "new h\n"}, tmp_path)
    assert written, "the first file was not written, so the test proved nothing"
    assert listing(tmp_path) == ["net.c", "net.h"]
    for file_name, text in old.items():
        assert (tmp_path / file_name).read_text() == text


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_generated_files_honour_the_umask(model, tmp_path, umask, mode):
    result = subprocess.run([sys.executable, "-m", "snnc", "compile", str(model), "-o",
                             str(tmp_path), "--name", "net", *DT], env=cli_env(),
                            capture_output=True, text=True, timeout=120,
                            preexec_fn=lambda: os.umask(umask))
    assert result.returncode == 0, result.stderr
    for file_name in ("net.c", "net.h"):
        assert stat.S_IMODE(os.stat(tmp_path / file_name).st_mode) == mode


# --------------------------------------------------------------------------
# run --output


@pytest.fixture
def inputs(tmp_path):
    path = tmp_path / "in.npy"
    np.save(path, np.ones((5, 3)))
    return path


def test_run_output_is_written_exactly_where_asked(model, tmp_path, inputs):
    result = run_cli("run", model, "--input", inputs, "--output", tmp_path / "spikes",
                     "--backend", "reference", *DT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{tmp_path / 'spikes'}: [5, 4] outputs")
    assert np.load(tmp_path / "spikes").shape == (5, 4)
    assert not (tmp_path / "spikes.npy").exists()
    assert not [f for f in listing(tmp_path) if f.startswith(".")], "a temporary was left"


@pytest.mark.parametrize("output, words", [
    ("missing/out.npy", ["no such directory"]),
    (".", ["is a directory"]),
    ("/dev/null", ["/dev/null", "not a regular file"]),
    ("", ["output file is an empty path"]),
])
def test_run_output_that_cannot_be_written_is_refused(model, tmp_path, inputs, output, words):
    before = listing(tmp_path)
    result = run_cli("run", model, "--input", inputs, "--output", output,
                     "--backend", "reference", *DT, cwd=tmp_path)
    assert_refused(result, *words)
    assert listing(tmp_path) == before
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


# --------------------------------------------------------------------------
# --calibrate


@pytest.mark.parametrize("shape", [(0, 3), (2, 0, 3), (0, 5, 3)])
def test_calibration_without_time_steps_is_refused(model, tmp_path, shape):
    np.save(tmp_path / "calibration.npy", np.zeros(shape))
    result = run_cli("compile", model, "-o", tmp_path / "out", "--name", "net", *DT,
                     "--precision", "int8", "--calibrate", tmp_path / "calibration.npy")
    assert_refused(result, "calibration.npy", "no time steps")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_calibration_with_nan_or_inf_is_refused(model, tmp_path, bad):
    calibration = np.ones((5, 3))
    calibration[2, 1] = bad
    np.save(tmp_path / "calibration.npy", calibration)
    result = run_cli("compile", model, "-o", tmp_path / "out", "--name", "net", *DT,
                     "--precision", "int8", "--calibrate", tmp_path / "calibration.npy")
    assert_refused(result, "calibration.npy", "NaN or Inf")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------
# SNNC_READ_TIMEOUT


@pytest.mark.parametrize("value", ["abc", "", "0", "-5", "nan", "inf"])
def test_bad_read_timeout_is_refused(model, value):
    result = run_cli("check", model, env=cli_env(SNNC_READ_TIMEOUT=value))
    assert_refused(result, "SNNC_READ_TIMEOUT must be a positive number of seconds",
                   f"got '{value}'")


def test_read_timeout_default_and_override(monkeypatch):
    monkeypatch.delenv("SNNC_READ_TIMEOUT", raising=False)
    assert nirfile.read_timeout() == nirfile.READ_TIMEOUT
    monkeypatch.setenv("SNNC_READ_TIMEOUT", "2.5")
    assert nirfile.read_timeout() == 2.5


# --------------------------------------------------------------------------
# CMake and Bazel get the refusal through the compile step


def test_cmake_build_reports_a_shadowing_name(tmp_path):
    cmake = shutil.which("cmake")
    if cmake is None:
        pytest.skip("cmake is not installed")
    from conftest import DIGITS_DIR
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.16)\nproject(shadow C)\n"
        "find_package(snnc CONFIG REQUIRED)\n"
        f'add_snn_model(string MODEL "{DIGITS_DIR / "digits.nir"}" PRESET snntorch)\n')
    cmake_dir = subprocess.run([sys.executable, "-m", "snnc", "--cmake-dir"], env=cli_env(),
                               capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([cmake, "-S", tmp_path, "-B", tmp_path / "build", f"-Dsnnc_DIR={cmake_dir}",
                    f"-DSNNC_PYTHON={sys.executable}"], capture_output=True, check=True)
    build = subprocess.run([cmake, "--build", tmp_path / "build"], capture_output=True,
                           text=True)
    assert build.returncode != 0
    assert ("--name 'string' would write string.h, which shadows the C library's <string.h>"
            in build.stdout + build.stderr)
    assert not (tmp_path / "build" / "snnc" / "string" / "string.h").exists()


def test_bazel_build_reports_a_shadowing_name(tmp_path):
    if shutil.which("bazel") is None:
        pytest.skip("bazel is not installed")
    from conftest import REPO_ROOT
    # The parts of the repository the example workspace uses, with a BUILD
    # file whose model is named after <string.h>.
    shutil.copy(REPO_ROOT / "WORKSPACE", tmp_path / "WORKSPACE")
    shutil.copytree(REPO_ROOT / "rules", tmp_path / "rules")
    shutil.copytree(REPO_ROOT / "examples" / "models", tmp_path / "examples" / "models")
    app = tmp_path / "examples" / "bazel_app"
    app.mkdir()
    for name in ("WORKSPACE", ".bazelrc", ".bazelignore"):
        shutil.copy(REPO_ROOT / "examples" / "bazel_app" / name, app / name)
    (app / "BUILD").write_text(
        'load("@snnc//rules:snn.bzl", "snn_library")\n'
        'snn_library(name = "string", src = "@snnc//examples/models/digits:digits.nir",\n'
        '            preset = "snntorch")\n')
    env = dict(os.environ, SNNC_PYTHON=sys.executable)
    try:
        build = subprocess.run(["bazel", "build", "//:string"], cwd=app, env=env,
                               capture_output=True, text=True, timeout=600)
    finally:
        subprocess.run(["bazel", "shutdown"], cwd=app, capture_output=True)
    assert build.returncode != 0
    assert ("--name 'string' would write string.h, which shadows the C library's <string.h>"
            in build.stderr), build.stderr[-3000:]
