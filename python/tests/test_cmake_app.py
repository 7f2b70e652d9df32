"""The CMake integration, as a user sees it: find_package(snnc) from the installed
package, add_snn_model() in examples/cmake_app, build, ctest, incremental rebuilds."""
import os
import shutil
import subprocess
import sys

import pytest

import snnc
from snnc import api

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
APP = os.path.join(REPO, "examples", "cmake_app")


def _installed_cmake_dir():
    path = snnc.cmake_dir()
    if not os.path.isfile(os.path.join(path, "snncConfig.cmake")):
        pytest.skip("snnc is imported from the source tree, not an installed package")
    return path


def _run(cmd, cwd):
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def app_build(tmp_path_factory):
    if not shutil.which("cmake"):
        pytest.skip("cmake is not installed")
    build = tmp_path_factory.mktemp("cmake_app")
    _run(["cmake", "-S", APP, "-B", str(build), "-G", "Ninja",
          f"-Dsnnc_DIR={_installed_cmake_dir()}", f"-DSNNC_PYTHON={sys.executable}"], REPO)
    _run(["cmake", "--build", str(build)], REPO)
    return build


def test_app_builds_and_reproduces_snntorch(app_build):
    out = _run(["ctest", "--output-on-failure"], str(app_build))
    assert "100% tests passed" in out
    generated = app_build / "snnc" / "digits"
    assert (generated / "digits.h").is_file() and (generated / "digits.c").is_file()


def test_rebuilds_only_when_model_or_options_change(tmp_path):
    """A private copy of the app and its model, so both can be edited."""
    shutil.copytree(APP, tmp_path / "cmake_app")
    shutil.copytree(os.path.join(REPO, "examples", "models"), tmp_path / "models")
    shutil.copytree(os.path.join(REPO, "examples", "common"), tmp_path / "common")
    source_dir, build = tmp_path / "cmake_app", tmp_path / "build"
    generated = build / "snnc" / "digits" / "digits.c"
    configure = ["cmake", "-S", str(source_dir), "-B", str(build), "-G", "Ninja",
                 f"-Dsnnc_DIR={_installed_cmake_dir()}", f"-DSNNC_PYTHON={sys.executable}"]
    _run(configure, REPO)
    assert "snnc: compiling" in _run(["cmake", "--build", str(build)], REPO)
    assert "precision=f32" in generated.read_text()

    # Nothing changed: nothing to do.
    assert "no work to do" in _run(["cmake", "--build", str(build)], REPO)

    # The model changed: the code is regenerated.
    os.utime(tmp_path / "models" / "digits" / "digits.nir")
    assert "snnc: compiling" in _run(["cmake", "--build", str(build)], REPO)

    # An option changed: regenerated with the new option.
    _run(configure + ["-DDIGITS_PRECISION=f64"], REPO)
    assert "snnc: compiling" in _run(["cmake", "--build", str(build)], REPO)
    text = generated.read_text()
    assert "precision=f64" in text and "double" in text
    # ... and the f64 build reproduces snnTorch's float64 run.
    assert "100% tests passed" in _run(["ctest", "--output-on-failure"], str(build))


def test_missing_model_is_a_clear_configure_error(tmp_path):
    project = tmp_path / "bad"
    project.mkdir()
    (project / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\nproject(bad C)\n"
        "find_package(snnc CONFIG REQUIRED)\n"
        "add_snn_model(m MODEL does_not_exist.nir PRESET snntorch)\n")
    result = subprocess.run(["cmake", "-S", str(project), "-B", str(tmp_path / "b"),
                             f"-Dsnnc_DIR={_installed_cmake_dir()}",
                             f"-DSNNC_PYTHON={sys.executable}"],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "model file not found" in result.stderr


def test_python_without_snnc_is_a_clear_configure_error(tmp_path):
    project = tmp_path / "nosnnc"
    project.mkdir()
    (project / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\nproject(p C)\nfind_package(snnc CONFIG REQUIRED)\n")
    python = shutil.which("python3", path="/usr/bin:/bin") or "/usr/bin/python3"
    probe = subprocess.run([python, "-c", "import snnc"], capture_output=True)
    if probe.returncode == 0:
        pytest.skip(f"{python} has snnc installed")
    result = subprocess.run(["cmake", "-S", str(project), "-B", str(tmp_path / "b"),
                             f"-Dsnnc_DIR={_installed_cmake_dir()}", f"-DSNNC_PYTHON={python}"],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "cannot import snnc" in result.stderr


MODEL = os.path.join(REPO, "examples", "models", "digits", "digits.nir")
CALIBRATION = os.path.join(REPO, "examples", "models", "digits", "test_inputs.npy")

# Options as add_snn_model takes them, per target, and as the API takes them:
# each target's C must be what `snnc compile` writes with the same options.
MODELS_WITH_OPTIONS = {
    "spiking": ("PRESET snntorch PRECISION int8 INPUT_KIND spikes",
                dict(preset="snntorch", precision="int8", input_kind="spikes")),
    "exact": ("PRESET snntorch INTEGRATOR exact CUBA_ORDER voltage-first",
              dict(preset="snntorch", integrator="exact", cuba_order="voltage-first")),
    "unoptimized": ("DT 1e-4 NO_OPT", dict(dt=1e-4, optimize=False)),
    "calibrated": (f'PRESET snntorch PRECISION int16 CALIBRATE "{CALIBRATION}"',
                   dict(preset="snntorch", precision="int16", calibrate=CALIBRATION)),
}


@pytest.fixture(scope="module")
def options_build(tmp_path_factory):
    """One project with a target per entry of MODELS_WITH_OPTIONS, built."""
    if not shutil.which("cmake"):
        pytest.skip("cmake is not installed")
    project = tmp_path_factory.mktemp("options")
    (project / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\nproject(options C)\n"
        "find_package(snnc CONFIG REQUIRED)\n" +
        "".join(f'add_snn_model({name} MODEL "{MODEL}" {keywords})\n'
                for name, (keywords, _) in MODELS_WITH_OPTIONS.items()))
    build = project / "build"
    _run(["cmake", "-S", str(project), "-B", str(build), "-G", "Ninja",
          f"-Dsnnc_DIR={_installed_cmake_dir()}", f"-DSNNC_PYTHON={sys.executable}"], REPO)
    _run(["cmake", "--build", str(build)], REPO)
    return build


def _generated_and_expected(build, name):
    generated = (build / "snnc" / name / f"{name}.c").read_text()
    expected = api.generate(MODEL, name=name, **MODELS_WITH_OPTIONS[name][1])[f"{name}.c"]
    return generated, expected


def test_input_kind_reaches_the_compiler(options_build):
    """INPUT_KIND spikes gives the same C as `snnc compile --input-kind spikes`."""
    generated, expected = _generated_and_expected(options_build, "spiking")
    assert "input-kind=spikes" in generated
    assert generated == expected


def test_integrator_and_cuba_order_reach_the_compiler(options_build):
    """INTEGRATOR exact CUBA_ORDER voltage-first gives the same C as
    `snnc compile --integrator exact --cuba-order voltage-first`."""
    generated, expected = _generated_and_expected(options_build, "exact")
    assert "integrator=exact" in generated and "cuba-order=voltage-first" in generated
    assert generated == expected


def test_no_opt_reaches_the_compiler(options_build):
    generated, expected = _generated_and_expected(options_build, "unoptimized")
    optimized = api.generate(MODEL, name="unoptimized", dt=1e-4)["unoptimized.c"]
    assert "no-opt" in generated
    assert generated == expected and generated != optimized


def test_calibrate_reaches_the_compiler(options_build):
    generated, expected = _generated_and_expected(options_build, "calibrated")
    assert "calibrated on test_inputs.npy" in generated
    assert generated == expected
