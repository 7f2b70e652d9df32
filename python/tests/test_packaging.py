"""The wheel, built as `pip wheel` builds it: in a build directory of its
own, leaving the source tree (and its build/ directory, which the bootstrap
rebuilds incrementally) as it was; and what the wheel ships."""
import os
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
    # The build requirements are in this environment already (the bootstrap
    # installs them): no download, but the same build a `pip wheel` runs.
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation",
                             "--no-deps", "-q", "-w", str(out), REPO],
                            capture_output=True, text=True, check=False)
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
