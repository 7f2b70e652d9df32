"""The Python API; the CLI calls these same functions."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from typing import Dict, Optional

import numpy as np

from . import driver, quantize, reference, semantics
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


# The discretization options (semantics.Options) and the preset that fills them.
OPTION_NAMES = ("preset",) + semantics.OPTION_NAMES


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


def load_calibration(path) -> np.ndarray:
    """Calibration inputs for an integer model: [T, n_in] or [S, T, n_in]."""
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SNNCError(f"cannot read calibration inputs: {exc}", path=path) from None
    return array


def quantization_plan(graph, options, model_path, calibrate=None):
    """The quantizer's plan for an integer precision (None for floats)."""
    if options.precision not in semantics.INTEGER_PRECISIONS:
        if calibrate is not None:
            raise SNNCError("--calibrate needs --precision int8 or int16", path=model_path)
        return None
    calibration = None
    if calibrate is not None:
        calibration = _as_sequences(load_calibration(calibrate),
                                    int(np.prod(graph.input_shape)), path=calibrate)
    try:
        return quantize.plan(graph, options, calibration)
    except SNNCError as exc:
        if exc.path is None:
            raise SNNCError(exc.problem, path=model_path, node=exc.node) from None
        raise


def _calibration_note(calibrate) -> str:
    if calibrate is None:
        return ""
    return (f" calibrated on {os.path.basename(os.fspath(calibrate))} "
            f"(sha256 {c_emitter.model_digest(calibrate)[:16]})")


def generate(model_path, *, name: str, emit: str = "c", optimize: bool = True,
             calibrate=None, **options) -> Dict[str, str]:
    """Compiles a NIR file and returns {file name: text} without writing anything.
    `calibrate`: inputs (.npy) from which an integer model's state scales are
    chosen (default: from the parameters and weights alone)."""
    name = _check_name(name, path=model_path)
    if emit not in EMIT_KINDS:
        raise SNNCError(f"--emit must be one of {', '.join(EMIT_KINDS)}, got '{emit}'")
    options = _options(path=model_path, **options)
    graph = load_graph(model_path)
    plan = quantization_plan(graph, options, model_path, calibrate)
    try:
        model = emit_model(graph, options, name, make_context(), plan)
    except SNNCError as exc:  # problems found per node name the node, not the file
        if exc.path is None:
            raise SNNCError(exc.problem, path=model_path, node=exc.node) from None
        raise
    if emit == "mlir":
        return {f"{name}.snn.mlir": str(model.module)}
    if emit == "linalg":
        driver.lower_to_linalg(model.module, optimize)
        return {f"{name}.linalg.mlir": str(model.module)}
    return c_emitter.generate_c(model, options, name, model_path, optimize,
                                _calibration_note(calibrate)).files()


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
          optimize: bool = True, calibrate=None, **options):
    """Compiles the model to C, builds it with the host compiler and runs it.

    Returns outputs of shape [T, n_out] (or [S, T, n_out] for [S, T, n_in]
    inputs); with `record_states=True`, also {state field: [S, T, ...]}.
    `extra_cflags` (e.g. sanitizers) are added to the compile command and
    `run_under` (e.g. valgrind) is put in front of the program.
    """
    files = generate(model_path, name=name, emit="c", optimize=optimize, calibrate=calibrate,
                     **options)
    opts = _options(path=model_path, **options)
    graph = load_graph(model_path)
    n_in = int(np.prod(graph.input_shape))
    n_out = int(np.prod(graph.output_shape))
    array = _as_sequences(inputs, n_in)
    if opts.precision in semantics.INTEGER_PRECISIONS:
        _check_integer_inputs(array)
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
            states = _split_states(np.fromfile(state_path, dtype=np.uint8), graph, opts,
                                   n_seq, n_steps, _state_elements(files, name))
    if single:
        outputs = outputs[0]
        states = {k: v[0] for k, v in states.items()} if states is not None else None
    return (outputs, states) if record_states else outputs


def _np_type(precision):
    return np.float32 if precision == "f32" else np.float64


NUMPY_TYPES = {"float": np.float32, "double": np.float64, "int8_t": np.int8,
               "int16_t": np.int16, "int32_t": np.int32}


def _state_elements(files, name):
    """{field: numpy type} from the generated header's state struct."""
    header = files[f"{name}.h"]
    struct = header[header.index(f"typedef struct {name}_state"):]
    struct = struct[:struct.index("}")]
    return {m.group(2): NUMPY_TYPES[m.group(1)]
            for m in re.finditer(r"^\s+(float|double|int8_t|int16_t|int32_t) (\w+)\[", struct,
                                 re.MULTILINE)}


def _check_integer_inputs(array):
    if array.size and (np.any(array != np.round(array)) or array.min() < -128 or
                       array.max() > 127):
        raise SNNCError("integer models take whole numbers in [-128, 127] (spikes or "
                        "spike counts) as input", path="input")


def _split_states(raw, graph, options, n_seq, n_steps, elements):
    """The state struct's bytes per step -> {field: [S, T, ...]}. Each array is
    aligned to its element size (the C ABI of the hosts `run` supports), and
    the struct's size is a multiple of the largest."""
    from .frontend.emitter import state_fields
    fields = state_fields(graph, options)
    if not fields:
        return {}
    layout, offset, largest = [], 0, 1
    for field in fields:
        dtype = np.dtype(elements[field.ident])
        offset = -(-offset // dtype.itemsize) * dtype.itemsize
        size = int(np.prod(field.shape))
        layout.append((field, dtype, offset, size))
        offset += size * dtype.itemsize
        largest = max(largest, dtype.itemsize)
    per_step = -(-offset // largest) * largest
    raw = raw.reshape(n_seq, n_steps, per_step)
    out = {}
    for field, dtype, start, size in layout:
        chunk = np.ascontiguousarray(raw[:, :, start:start + size * dtype.itemsize])
        out[field.ident] = chunk.view(dtype).reshape((n_seq, n_steps) + tuple(field.shape))
    return out


def run(model_path, inputs, *, backend: str = "c", name: str = "model", calibrate=None,
        **options):
    """Runs the model on inputs [T, n_in] (or [S, T, n_in]) with the C backend
    or the numpy reference; returns the values that reach the Output node
    (for integer models the integers the C produces: spikes, or outputs in
    units of NAME_OUTPUT_SCALE)."""
    if backend == "reference":
        opts = _options(path=model_path, **options)
        graph = load_graph(model_path)
        try:  # the same checks of options against the graph as the compiler's
            state_fields(graph, opts)
        except SNNCError as exc:
            raise SNNCError(exc.problem, path=model_path, node=exc.node) from None
        array = _as_sequences(inputs, int(np.prod(graph.input_shape)))
        plan = quantization_plan(graph, opts, model_path, calibrate)
        if plan is not None:
            _check_integer_inputs(array)
            return reference.simulate_quantized(graph, opts, plan, array).astype(np.float64)
        return reference.simulate(graph, opts, array, dtype=_np_type(opts.precision))
    if backend == "c":
        return run_c(model_path, inputs, name=name, calibrate=calibrate, **options)
    raise SNNCError(f"--backend must be c or reference, got '{backend}'")
