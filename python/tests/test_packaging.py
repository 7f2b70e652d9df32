"""The wheel, built as `pip wheel` builds it: in a build directory of its
own, leaving the source tree (and its build/ directory, which the bootstrap
rebuilds incrementally) as it was; what the wheel ships; and the wheel
installed into a fresh virtual environment (its dependencies downloaded by
pip) and used from outside the repository: snnc, snn-opt, a CMake project
(find_package, add_snn_model) and a Bazel project (local_repository at
--bazel-dir, snn_library)."""
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _tree_state():
    """What a build could change in the tree: git's view of it and every
    file under build/ with its size and modification time."""
    status = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    files = {}
    for root, _, names in os.walk(os.path.join(REPO, "build")):
        for name in names:
            path = os.path.join(root, name)
            stat = os.lstat(path)
            files[path] = (stat.st_size, stat.st_mtime_ns)
    return status, files


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    if not os.path.isdir(os.path.join(REPO, ".git")):
        pytest.skip("not a git checkout: the tree's state cannot be compared")
    before = _tree_state()
    out = tmp_path_factory.mktemp("wheel")
    # As the README's install steps build it: pip's isolated build (its own
    # environment with the build requirements, downloaded; a temporary build
    # directory).
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                             str(out), REPO], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-4000:]
    after = _tree_state()
    wheels = [name for name in os.listdir(out) if name.endswith(".whl")]
    assert len(wheels) == 1, wheels
    return os.path.join(out, wheels[0]), before, after


def test_a_wheel_build_leaves_the_tree_alone(wheel):
    _, (status_before, build_before), (status_after, build_after) = wheel
    assert status_after == status_before
    changed = sorted(path for path in set(build_before) | set(build_after)
                     if build_before.get(path) != build_after.get(path))
    assert not changed, changed[:20]


def test_the_wheel_ships_what_users_run(wheel):
    path, _, _ = wheel
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names
                            if n.endswith(".dist-info/entry_points.txt"))
    for required in ("snnc/bin/snn-opt", "snnc/bazel/WORKSPACE", "snnc/bazel/rules/snn.bzl",
                     "snnc/bazel/rules/repositories.bzl", "snnc/cmake/snncConfig.cmake",
                     "snnc/snn_opt.py"):
        assert required in names, required
    assert any(n.startswith("snnc/_core.") for n in names)
    assert "snn-opt = snnc.snn_opt:main" in entry_points
    assert "snnc = snnc.cli:main" in entry_points


APP_C = """
#include <stdio.h>
#include "net.h"
int main(void) {
  static net_state s;
  static net_input_t in[NET_NUM_INPUTS];
  net_output_t out[NET_NUM_OUTPUTS];
  net_reset(&s);
  net_step(&s, in, out);
  printf("outputs %d\\n", NET_NUM_OUTPUTS);
  return 0;
}
"""


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """The wheel installed with its dependencies into a fresh virtual
    environment (pip downloads them), used from a directory outside the repo."""
    path, _, _ = wheel
    root = tmp_path_factory.mktemp("user")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    result = subprocess.run([python, "-m", "pip", "install", "-q", path],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-4000:]
    work = root / "work"
    work.mkdir()
    shutil.copy(os.path.join(REPO, "examples", "models", "digits", "digits.nir"), work)
    return venv, work


def _project(work, name, files):
    """A directory of `work` with the model, a program that steps it, and
    the build files {name: text}."""
    project = work / name
    project.mkdir()
    shutil.copy(work / "digits.nir", project)
    (project / "app.c").write_text(APP_C)
    for file_name, text in files.items():
        (project / file_name).write_text(text)
    return project


def _run(command, cwd, env=None):
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False,
                            env=env)
    assert result.returncode == 0, f"{command} failed:\n{result.stderr[-4000:]}"
    return result.stdout


def test_the_installed_commands_work_outside_the_repo(installed):
    venv, work = installed
    bin_dir = venv / "bin"
    assert "snnc 0." in _run([str(bin_dir / "snnc"), "--version"], work)
    _run([str(bin_dir / "snnc"), "compile", "digits.nir", "-o", "out", "--name", "net",
          "--preset", "snntorch"], work)
    assert sorted(os.listdir(work / "out")) == ["net.c", "net.h"]
    assert "--snn-to-emitc" in _run([str(bin_dir / "snn-opt"), "--help"], work)


def test_a_cmake_project_uses_the_installed_package(installed):
    venv, work = installed
    project = _project(work, "cmake_project", {"CMakeLists.txt": """
cmake_minimum_required(VERSION 3.20)
project(user_app LANGUAGES C)
find_package(snnc CONFIG REQUIRED)
add_snn_model(net MODEL digits.nir PRESET snntorch)
add_executable(app app.c)
target_link_libraries(app PRIVATE snnc::net)
"""})
    cmake_dir = _run([str(venv / "bin" / "python"), "-m", "snnc", "--cmake-dir"], work).strip()
    _run(["cmake", "-S", str(project), "-B", str(project / "build"), f"-Dsnnc_DIR={cmake_dir}"],
         work)
    _run(["cmake", "--build", str(project / "build")], work)
    assert "outputs 10" in _run([str(project / "build" / "app")], work)


@pytest.mark.skipif(shutil.which("bazel") is None
                    and os.environ.get("SNNC_REQUIRE_BAZEL") != "1",
                    reason="bazel is not installed")
def test_a_bazel_project_uses_the_installed_rules(installed):
    venv, work = installed
    python = str(venv / "bin" / "python")
    bazel_dir = _run([python, "-m", "snnc", "--bazel-dir"], work).strip()
    project = _project(work, "bazel_project", {"WORKSPACE": f"""
local_repository(name = "snnc", path = "{bazel_dir}")
load("@snnc//rules:repositories.bzl", "snnc_configure", "snnc_offline_repositories")
snnc_offline_repositories()
snnc_configure()
""", "BUILD": """
load("@snnc//rules:snn.bzl", "snn_library")
snn_library(name = "net", src = "digits.nir", preset = "snntorch")
cc_binary(name = "app", srcs = ["app.c"], deps = [":net"])
"""})
    env = dict(os.environ, SNNC_PYTHON=python)
    try:
        out = _run(["bazel", "run", "//:app"], project, env)
    finally:
        subprocess.run(["bazel", "shutdown"], cwd=project, capture_output=True)
    assert "outputs 10" in out
