# -*- Python -*-
# lit configuration for the snn dialect's tests (snn-opt + FileCheck).
#
# Tools:
#   snn-opt    $SNN_OPT if set, else the binary shipped with the installed
#              `snnc` Python package (snnc.snn_opt_path()).
#   FileCheck, not
#              $LLVM_TOOLS_DIR if set, else the bin/ directory of the `llvm`
#              Python package (the MLIR/LLVM wheels).
#
# Scratch files go under $SNN_TEST_EXEC_ROOT (default: a directory in the
# system temp dir), so running the suite leaves the source tree untouched.
#
#   SNN_OPT=build/dev/dialect/snn-opt lit -v dialect/test

import getpass
import importlib.util
import os
import re
import shlex
import subprocess
import sys
import tempfile

import lit.formats

config.name = "SNN"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["lit.cfg.py", "Inputs", "Output"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))


def _exec_root():
    root = os.environ.get("SNN_TEST_EXEC_ROOT")
    if root:
        return os.path.abspath(root)
    try:
        user = getpass.getuser()
    except Exception:  # no user name (e.g. a container without passwd entry)
        user = "user"
    return os.path.join(tempfile.gettempdir(), "snn-dialect-test-" + user)


config.test_exec_root = _exec_root()


def _check_executable(path, name, origin):
    if not path:
        lit_config.fatal("%s: no path found (%s)" % (name, origin))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        lit_config.fatal(
            "%s not found or not executable: %s (%s)" % (name, path, origin))
    return path


def _snn_opt():
    """$SNN_OPT, else ask the installed snnc package (only then, lazily)."""
    env = os.environ.get("SNN_OPT")
    if env:
        return _check_executable(os.path.abspath(env), "snn-opt",
                                 "from $SNN_OPT")
    cmd = [sys.executable, "-c", "import snnc; print(snnc.snn_opt_path())"]
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, check=False)
    except OSError as e:
        lit_config.fatal("snn-opt: cannot run %s: %s" % (sys.executable, e))
    if proc.returncode != 0:
        lit_config.fatal(
            "snn-opt: $SNN_OPT is not set and the snnc Python package is not "
            "importable by %s (%s). Set SNN_OPT=/path/to/snn-opt or install "
            "snnc." % (sys.executable,
                       (proc.stderr.strip().splitlines() or ["no output"])[-1]))
    return _check_executable(proc.stdout.strip(), "snn-opt",
                             "from snnc.snn_opt_path(); set $SNN_OPT to override")


def _llvm_tools_dir():
    env = os.environ.get("LLVM_TOOLS_DIR")
    if env:
        return os.path.abspath(env), "from $LLVM_TOOLS_DIR"
    spec = importlib.util.find_spec("llvm")
    if spec is None or not spec.submodule_search_locations:
        lit_config.fatal(
            "FileCheck/not: $LLVM_TOOLS_DIR is not set and the `llvm` Python "
            "package is not importable by %s" % sys.executable)
    return (os.path.join(list(spec.submodule_search_locations)[0], "bin"),
            "from the `llvm` Python package; set $LLVM_TOOLS_DIR to override")


def _add_tool(name, path):
    # Replace the tool's name only where it stands as a command word, never
    # inside a path or another name (e.g. `not` in `notes`, or `snn-opt` in
    # `/bin/snn-opt`).
    config.substitutions.append(
        (r"(?<![\w./-])" + re.escape(name) + r"(?![\w./-])",
         shlex.quote(path)))


_tools_dir, _tools_origin = _llvm_tools_dir()
_add_tool("snn-opt", _snn_opt())
_add_tool("FileCheck", _check_executable(
    os.path.join(_tools_dir, "FileCheck"), "FileCheck", _tools_origin))
_add_tool("not", _check_executable(
    os.path.join(_tools_dir, "not"), "not", _tools_origin))
