"""The Python API; the CLI calls these same functions."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from typing import Dict, Optional

import numpy as np

from . import driver, reference, semantics
from . import emit as c_emitter
from .errors import SNNCError
from .frontend.emitter import emit_model, state_fields
from .frontend.graph import load_graph
from .mlir_context import make_context

EMIT_KINDS = ("c", "mlir", "linalg")
# What the generated C must compile cleanly under (and what `run` uses).
STRICT_CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Werror"]
# Floating point must not depend on the compiler's mood: no fused multiply-add.
FP_CFLAGS = ["-ffp-contract=off"]


OPTION_NAMES = ("preset", "dt", "reset", "compare", "precision", "cuba_order",
                "tau_convention", "integrator", "spikes", "current_update", "input_gains",
                "spike_timing", "reset_timing", "cuba_reset_timing")


def _options(path=None, **options):
    unknown = sorted(set(options) - set(OPTION_NAMES))
    if unknown:
        raise TypeError(f"unknown options: {', '.join(unknown)}")
    try:
        return semantics.resolve_options(**options)
    except ValueError as exc:
        raise SNNCError(str(exc), path=path) from None


def _check_name(name: str, path=None) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or "") or name in (
            "main", "memcpy", "memset"):
        raise SNNCError(f"--name must be a C identifier, got '{name}'", path=path)
    return name


def generate(model_path, *, name: str, emit: str = "c", optimize: bool = True,
             **options) -> Dict[str, str]:
    """Compiles a NIR file and returns {file name: text} without writing anything."""
    name = _check_name(name, path=model_path)
    if emit not in EMIT_KINDS:
        raise SNNCError(f"--emit must be one of {', '.join(EMIT_KINDS)}, got '{emit}'")
    options = _options(path=model_path, **options)
    graph = load_graph(model_path)
    try:
        model = emit_model(graph, options, name, make_context())
    except SNNCError as exc:  # problems found per node name the node, not the file
        if exc.path is None:
            raise SNNCError(exc.problem, path=model_path, node=exc.node) from None
        raise
    if emit == "mlir":
        return {f"{name}.snn.mlir": str(model.module)}
    if emit == "linalg":
        driver.lower_to_linalg(model.module, optimize)
        return {f"{name}.linalg.mlir": str(model.module)}
    return c_emitter.generate_c(model, options, name, model_path, optimize).files()


def write_files(files: Dict[str, str], output_dir) -> Dict[str, str]:
    """Writes each file atomically (temporary file, then rename); returns paths."""
    os.makedirs(output_dir, exist_ok=True)
    written = {}
    for file_name, text in sorted(files.items()):
        target = os.path.join(output_dir, file_name)
        fd, tmp = tempfile.mkstemp(dir=output_dir, prefix=f".{file_name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        written[file_name] = target
    return written


def compile(model_path, output_dir, *, name: str, emit: str = "c", optimize: bool = True,
            **options) -> Dict[str, str]:
    """Compiles MODEL.nir into OUTPUT_DIR (NAME.h and NAME.c, or MLIR text).

    Options (see semantics.resolve_options): preset, dt, reset, compare,
    precision, cuba_order, tau_convention, integrator, spikes, current_update,
    input_gains."""
    files = generate(model_path, name=name, emit=emit, optimize=optimize, **options)
    return write_files(files, output_dir)


def runtime_dir() -> str:
    """Where the C harness lives: in the installed package, or the source tree."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "runtime"),
                      os.path.join(here, "..", "..", "runtime")):
        if os.path.isfile(os.path.join(candidate, "snnc_run_harness.c")):
            return os.path.normpath(candidate)
    raise SNNCError("the C run harness is missing from this installation")


def _as_sequences(inputs, n_in, path="input"):
    array = np.asarray(inputs)
    if array.ndim not in (2, 3) or array.shape[-1] != n_in:
        raise SNNCError(f"inputs must have shape [T, {n_in}] or [S, T, {n_in}], got "
                        f"{list(array.shape)}", path=path)
    if not np.issubdtype(array.dtype, np.number) and array.dtype != np.bool_:
        raise SNNCError(f"inputs must be numeric, got {array.dtype}", path=path)
    return array


def run_c(model_path, inputs, *, name: str = "model", cc: Optional[str] = None,
          record_states: bool = False, workdir=None, extra_cflags=(), run_under=(),
          optimize: bool = True, **options):
    """Compiles the model to C, builds it with the host compiler and runs it.

    Returns outputs of shape [T, n_out] (or [S, T, n_out] for [S, T, n_in]
    inputs); with `record_states=True`, also {state field: [S, T, ...]}.
    `extra_cflags` (e.g. sanitizers) are added to the compile command and
    `run_under` (e.g. valgrind) is put in front of the program.
    """
    files = generate(model_path, name=name, emit="c", optimize=optimize, **options)
    opts = _options(path=model_path, **options)
    graph = load_graph(model_path)
    n_in = int(np.prod(graph.input_shape))
    n_out = int(np.prod(graph.output_shape))
    array = _as_sequences(inputs, n_in)
    single = array.ndim == 2
    seqs = array[None] if single else array
    n_seq, n_steps = seqs.shape[:2]
    compiler = cc or os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        raise SNNCError("no C compiler found: set CC")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        write_files(files, tmp)
        exe = os.path.join(tmp, "run")
        upper = name.upper()
        cmd = [compiler, *STRICT_CFLAGS, *FP_CFLAGS, "-O2", *extra_cflags, f"-I{tmp}",
               f'-DSNNC_MODEL_HEADER="{name}.h"', f"-DSNNC_MODEL={name}",
               f"-DSNNC_NUM_INPUTS={upper}_NUM_INPUTS", f"-DSNNC_NUM_OUTPUTS={upper}_NUM_OUTPUTS",
               os.path.join(tmp, f"{name}.c"), os.path.join(runtime_dir(), "snnc_run_harness.c"),
               "-o", exe]
        build = subprocess.run(cmd, capture_output=True, text=True)
        if build.returncode != 0:
            raise SNNCError(f"the generated C did not compile with {compiler}:\n{build.stderr}")
        in_path, out_path = os.path.join(tmp, "in.bin"), os.path.join(tmp, "out.bin")
        np.ascontiguousarray(seqs, dtype=np.float64).tofile(in_path)
        args = [*run_under, exe, in_path, out_path, str(n_seq), str(n_steps)]
        state_path = os.path.join(tmp, "state.bin")
        if record_states:
            args.append(state_path)
        result = subprocess.run(args, capture_output=True, text=True)
        if result.returncode != 0:
            raise SNNCError(f"the compiled model failed (status {result.returncode}): "
                            f"{result.stderr.strip()}")
        if run_under and result.stderr.strip():
            raise SNNCError(f"{run_under[0]} reported: {result.stderr.strip()}")
        outputs = np.fromfile(out_path, dtype=np.float64).reshape(n_seq, n_steps, n_out)
        outputs = outputs.reshape((n_seq, n_steps) + tuple(graph.output_shape))
        states = None
        if record_states:
            states = _split_states(np.fromfile(state_path, dtype=_np_type(opts.precision)),
                                   graph, opts, n_seq, n_steps)
    if single:
        outputs = outputs[0]
        states = {k: v[0] for k, v in states.items()} if states is not None else None
    return (outputs, states) if record_states else outputs


def _np_type(precision):
    return np.float32 if precision == "f32" else np.float64


def _split_states(raw, graph, options, n_seq, n_steps):
    """The state struct's bytes per step -> {field: [S, T, ...]}; the struct holds
    arrays of one element type only, so it has no padding."""
    from .frontend.emitter import state_fields
    fields = state_fields(graph, options)
    sizes = [int(np.prod(f.shape)) for f in fields]
    per_step = sum(sizes) or None
    if per_step is None:
        return {}
    raw = raw.reshape(n_seq, n_steps, per_step)
    out, offset = {}, 0
    for field, size in zip(fields, sizes):
        out[field.ident] = raw[:, :, offset:offset + size].reshape(
            (n_seq, n_steps) + tuple(field.shape))
        offset += size
    return out


def run(model_path, inputs, *, backend: str = "c", name: str = "model", **options):
    """Runs the model on inputs [T, n_in] (or [S, T, n_in]) with the C backend
    or the numpy reference; returns the values that reach the Output node."""
    if backend == "reference":
        opts = _options(path=model_path, **options)
        graph = load_graph(model_path)
        try:  # the same checks of options against the graph as the compiler's
            state_fields(graph, opts)
        except SNNCError as exc:
            raise SNNCError(exc.problem, path=model_path, node=exc.node) from None
        array = _as_sequences(inputs, int(np.prod(graph.input_shape)))
        return reference.simulate(graph, opts, array, dtype=_np_type(opts.precision))
    if backend == "c":
        return run_c(model_path, inputs, name=name, **options)
    raise SNNCError(f"--backend must be c or reference, got '{backend}'")
