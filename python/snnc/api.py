"""The Python API; the CLI calls these same functions."""
from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from typing import Dict, Optional

import numpy as np

from . import driver, quantize, reference, semantics
from . import emit as c_emitter
from .errors import SNNCError
from .options import EMIT_KINDS
from .frontend.emitter import PREVIOUS_STEP, emit_model, state_fields
from .frontend.graph import load_graph
from .mlir_context import make_context

# What the generated C must compile cleanly under (and what `run` uses).
STRICT_CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Werror"]
# Floating point must not depend on the compiler's mood: no fused multiply-add.
FP_CFLAGS = ["-ffp-contract=off"]


# What error messages call a model passed as a nir.NIRGraph (it has no file name).
GRAPH_IN_MEMORY = "<nir.NIRGraph>"


@contextlib.contextmanager
def _model_file(model):
    """A path to `model`: the path itself, or for a nir.NIRGraph (what
    snnTorch's export_to_nir and the other exporters return) a temporary .nir
    file that nir.write makes of it, so that the graph goes the way of any
    model file, its checks and limits included, and the header records the
    sha256 of its NIR form. Errors about the temporary file name the graph."""
    import nir
    if not isinstance(model, nir.NIRGraph):
        yield model
        return
    with tempfile.TemporaryDirectory(prefix="snnc-graph-") as directory:
        path = os.path.join(directory, "graph.nir")
        try:
            nir.write(path, model)
        except Exception as exc:  # nir's own failures (unknown node types, bad arrays)
            raise SNNCError(f"nir.write cannot save the graph: {exc}",
                            path=GRAPH_IN_MEMORY) from None
        try:
            yield path
        except SNNCError as exc:
            if exc.path != path:
                raise
            raise SNNCError(exc.problem, path=GRAPH_IN_MEMORY, node=exc.node) from None


def _accepts_graphs(function):
    """`function`'s first argument, a model path, may also be a nir.NIRGraph."""
    @functools.wraps(function)
    def wrapper(model, *args, **kwargs):
        with _model_file(model) as path:
            return function(path, *args, **kwargs)
    return wrapper


# The discretization options (semantics.Options) and the preset that fills them:
# the options of snnc.options.TABLE but `calibrate` and `no_opt` (`optimize`),
# which are keyword arguments of their own.
OPTION_NAMES = ("preset",) + semantics.OPTION_NAMES


def _options(path=None, **options):
    unknown = sorted(set(options) - set(OPTION_NAMES))
    if unknown:
        raise TypeError(f"unknown options: {', '.join(unknown)}")
    try:
        return semantics.resolve_options(**options)
    except ValueError as exc:
        raise SNNCError(str(exc), path=path) from None


# A generated NAME.h shadows the header of the same name for everything
# compiled with -I on the output directory (CMake's add_snn_model and Bazel's
# snn_library set it up so): the headers of C11 and of POSIX are refused, in
# any case (file systems may ignore case).
C_LIBRARY_HEADERS = frozenset("""
    assert complex ctype errno fenv float inttypes iso646 limits locale math setjmp
    signal stdalign stdarg stdatomic stdbool stddef stdint stdio stdlib stdnoreturn
    string tgmath threads time uchar wchar wctype
    aio arpa cpio dirent dlfcn fcntl fmtmsg fnmatch ftw glob grp iconv langinfo libgen
    monetary mqueue ndbm netdb nl_types poll pthread pwd regex sched search semaphore
    spawn strings stropts syslog tar termios trace ulimit unistd utime utmpx wordexp
    """.split())
# Names of the program entry point and of the C library functions the
# generated code calls.
RESERVED_NAMES = frozenset(("main", "memcpy", "memset"))


def _check_name(name: str, path=None) -> str:
    """NAME is the prefix of every generated symbol and the stem of the files."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or ""):
        raise SNNCError(f"--name must be a C identifier, got '{name or ''}'",
                        path=path)
    if name.lower() in C_LIBRARY_HEADERS:
        raise SNNCError(f"--name '{name}' would write {name}.h, which shadows the C library's "
                        f"<{name.lower()}.h>; choose another name", path=path)
    if name.lower() in RESERVED_NAMES:
        raise SNNCError(f"--name '{name}' is reserved ({', '.join(sorted(RESERVED_NAMES))}); "
                        "choose another name", path=path)
    if re.match(r"__|_[A-Z]", name):
        raise SNNCError(f"--name '{name}' is reserved to the C implementation (it begins with "
                        "two underscores or an underscore and a capital); choose another name",
                        path=path)
    return name


def load_calibration(path) -> np.ndarray:
    """Calibration inputs for an integer model: [T, n_in] or [S, T, n_in]."""
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SNNCError(f"cannot read calibration inputs: {exc}", path=path) from None
    return array


def _calibration_inputs(path, input_shape) -> np.ndarray:
    """The calibration file's inputs, refused unless there is at least one step
    and every value is finite (the scales are chosen from their ranges)."""
    array = _as_sequences(load_calibration(path), input_shape, path=path)
    if array.size == 0:
        raise SNNCError(f"calibration inputs have shape {list(array.shape)}: no time steps",
                        path=path)
    if not np.all(np.isfinite(array)):
        raise SNNCError("calibration inputs contain NaN or Inf", path=path)
    return array


def quantization_plan(graph, options, model_path, calibrate=None):
    """The quantizer's plan for an integer precision (None for floats)."""
    if options.precision not in semantics.INTEGER_PRECISIONS:
        if calibrate is not None:
            raise SNNCError("--calibrate needs --precision int8 or int16", path=model_path)
        return None
    calibration = None
    if calibrate is not None:
        calibration = _calibration_inputs(calibrate, graph.input_shape)
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


@_accepts_graphs
def generate(model_path, *, name: str, emit: str = "c", optimize: bool = True,
             calibrate=None, **options) -> Dict[str, str]:
    """Compiles a NIR file and returns {file name: text} without writing anything.
    `calibrate`: inputs (.npy) from which an integer model's state scales are
    chosen (default: from the parameters and weights alone)."""
    name = _check_name(name, path=model_path)
    if emit not in EMIT_KINDS:
        raise SNNCError(f"--emit must be one of {', '.join(EMIT_KINDS)}, got '{emit}'")
    if emit == "c":
        return generate_c(model_path, name=name, optimize=optimize, calibrate=calibrate,
                          **options).files()
    model, _ = _model_ir(model_path, name, calibrate, options)
    if emit == "mlir":
        return {f"{name}.snn.mlir": str(model.module)}
    if emit == "linalg":
        driver.lower_to_linalg(model.module, optimize)
    else:
        driver.lower_to_emitc(model.module, optimize, prefix=name)
    return {f"{name}.{emit}.mlir": str(model.module)}


@_accepts_graphs
def generate_c(model_path, *, name: str, optimize: bool = True, calibrate=None,
               **options) -> c_emitter.GeneratedC:
    """Compiles a NIR file to C, as `generate`, and returns the files with
    what they declare: the state struct's layout, the input and output types
    and shapes, the output scale of an integer model."""
    name = _check_name(name, path=model_path)
    model, options = _model_ir(model_path, name, calibrate, options)
    return c_emitter.generate_c(model, options, name, model_path, optimize,
                                _calibration_note(calibrate))


def _model_ir(model_path, name: str, calibrate, options):
    """The snn IR of the model and the resolved options."""
    options = _options(path=model_path, **options)
    graph = load_graph(model_path)
    plan = quantization_plan(graph, options, model_path, calibrate)
    try:
        return emit_model(graph, options, name, make_context(), plan), options
    except SNNCError as exc:  # problems found per node name the node, not the file
        if exc.path is None:
            raise SNNCError(exc.problem, path=model_path, node=exc.node) from None
        raise


def integer_arithmetic(graph, options, plan) -> reference.IntegerArithmetic:
    """The integer arithmetic the compiler chooses for an integer model: the
    snn IR of (graph, options, plan) through snn-choose-integer-arithmetic,
    read back from the ops' attributes (each neuron op is located at its
    node, each snn.rescale at its edge: frontend.emitter.rescale_location).
    The integer reference computes in it."""
    from mlir import ir

    model = emit_model(graph, options, "arithmetic", make_context(), plan)
    driver.choose_integer_arithmetic(model.module)
    neurons, rescales = {}, {}
    with model.module.context:
        step = model.module.body.operations[0]
        for op in step.regions[0].blocks[0].operations:
            if "arithmetic_width" not in op.attributes:
                continue
            chosen = (ir.IntegerAttr(op.attributes["arithmetic_width"]).value,
                      ir.IntegerAttr(op.attributes["multiplier_bits"]).value)
            location = op.location
            if op.name == "snn.rescale":
                producer = location.child_loc
                marker = producer.child_loc
                delayed = marker.is_a_name() and marker.name_str == PREVIOUS_STEP
                key, table = (location.name_str, producer.name_str, delayed), rescales
            else:
                key, table = location.name_str, neurons
            # One op per node and per edge: a second would stand for another.
            if key in table:
                raise RuntimeError(f"internal error: two ops located at {key}")
            table[key] = chosen
    return reference.IntegerArithmetic(neurons, rescales)


def write_files(files: Dict[str, str], output_dir) -> Dict[str, str]:
    """Writes {file name: text} into OUTPUT_DIR (created if missing), all or
    nothing; returns {file name: path}. See write_atomically."""
    output_dir = os.fspath(output_dir)
    check_output_dir(output_dir, files)
    targets = {os.path.join(output_dir, file_name): _utf8(text)
               for file_name, text in sorted(files.items())}
    try:
        os.makedirs(output_dir, exist_ok=True)
    except OSError as exc:
        raise _write_error(exc, output_dir) from None
    write_atomically(targets)
    return {file_name: os.path.join(output_dir, file_name) for file_name in sorted(files)}


@_accepts_graphs
def compile(model_path, output_dir, *, name: str, emit: str = "c", optimize: bool = True,
            **options) -> Dict[str, str]:
    """Compiles MODEL.nir (a path, or a nir.NIRGraph in memory) into
    OUTPUT_DIR (NAME.h and NAME.c, or MLIR text).

    Options: those of snnc.options.TABLE, as keyword arguments (`optimize=False`
    is --no-opt); see semantics.resolve_options for how they combine."""
    # The output directory is checked before the (slower) compile, and again
    # when the files are written.
    check_output_dir(output_dir, [f"{_check_name(name, path=model_path)}.h"])
    files = generate(model_path, name=name, emit=emit, optimize=optimize, **options)
    return write_files(files, output_dir)


def check_output_dir(output_dir, file_names=()) -> None:
    """Refuses, before anything is written, an output directory that cannot
    be one (empty, a file, a dangling link, under a file), cannot be written,
    or in which the files cannot be created."""
    output_dir = os.fspath(output_dir)
    if output_dir == "":
        raise SNNCError("the output directory is an empty path")
    if os.path.islink(output_dir) and not os.path.exists(output_dir):
        raise SNNCError("a symbolic link to a missing directory", path=output_dir)
    if os.path.exists(output_dir) and not os.path.isdir(output_dir):
        raise SNNCError("exists and is not a directory", path=output_dir)
    existing = _nearest_existing(output_dir)
    if not os.path.isdir(existing):
        raise SNNCError(f"cannot create it: {existing} is not a directory",
                        path=output_dir)
    if not os.access(existing, os.W_OK | os.X_OK):
        problem = ("the directory is not writable" if existing == output_dir else
                   f"cannot create it: {existing} is not writable")
        raise SNNCError(problem, path=output_dir)
    for file_name in file_names:
        _check_file_name(existing, file_name, output_dir)
        target = os.path.join(output_dir, file_name)
        if os.path.isdir(target) and not os.path.islink(target):
            raise SNNCError("is a directory", path=target)


def _nearest_existing(path: str) -> str:
    """`path`, or its nearest ancestor that exists (or is a link)."""
    path = os.path.abspath(path)
    while not os.path.lexists(path):
        path = os.path.dirname(path)
    return path


def _check_file_name(directory: str, file_name: str, where: str) -> None:
    """Refuses a file name longer than the file system under `directory` allows."""
    try:
        limit = os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    length = len(os.fsencode(file_name))
    if length > limit:
        abridged = file_name if len(file_name) <= 40 else file_name[:20] + "..." + file_name[-12:]
        raise SNNCError(f"the file name {abridged} is {length} bytes long; the file system "
                        f"allows {limit}", path=where)


def _utf8(text: str) -> bytes:
    # Names from the model reach the files escaped (emit._comment_text); this
    # keeps any stray surrogate from becoming a traceback.
    return text.encode("utf-8", "backslashreplace")


def write_atomically(contents: Dict[str, bytes]) -> None:
    """Writes {path: bytes} all or nothing: every file goes to a temporary
    beside its target, and only when all are written are they renamed over the
    targets, so a failure before then leaves the previous files as they were
    (and no temporary). Files get mode 0o666 minus the umask, as any file a
    program creates."""
    temporaries = {}
    target = None
    try:
        for target, data in contents.items():
            temporaries[target] = _write_temporary(os.path.dirname(target) or ".", data)
        for target in list(temporaries):
            os.replace(temporaries[target], target)
            del temporaries[target]
    except OSError as exc:
        raise _write_error(exc, target) from None
    finally:
        for temporary in temporaries.values():
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _write_temporary(directory: str, data: bytes) -> str:
    """A new file in `directory` holding `data`; a short name, so that any
    target name the file system accepts can be written."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        path = os.path.join(directory, f".snnc-{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(path, flags, 0o666)  # the kernel applies the umask
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except BaseException:
            os.unlink(path)
            raise
        return path
    raise FileExistsError(f"no free temporary file name in {directory}")


def _write_error(exc: OSError, target) -> SNNCError:
    where = target or exc.filename
    return SNNCError(f"cannot write: {exc.strerror or exc}",
                     path=os.fspath(where) if where else None)


def save_array(path, array) -> str:
    """Saves `array` as .npy exactly at `path` (np.save would append .npy),
    atomically; the directory must exist. Returns the path."""
    path = check_output_file(path)
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    write_atomically({path: buffer.getvalue()})
    return path


def check_output_file(path) -> str:
    """Refuses, before anything is written, an output file path that is empty,
    a directory, in a missing directory, or a device or pipe."""
    path = os.fspath(path)
    if path == "":
        raise SNNCError("the output file is an empty path")
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise SNNCError(f"no such directory: {directory}", path=path)
    if os.path.isdir(path):
        raise SNNCError("is a directory; give a file name (e.g. outputs.npy)", path=path)
    if os.path.lexists(path) and not (os.path.islink(path) or os.path.isfile(path)):
        # renaming over a device or a pipe would replace it, not write into it
        raise SNNCError("exists and is not a regular file", path=path)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise SNNCError(f"the directory {directory} is not writable", path=path)
    _check_file_name(directory, os.path.basename(path), path)
    return path


def runtime_dir() -> str:
    """Where the C harness lives: in the installed package, or the source tree."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "runtime"),
                      os.path.join(here, "..", "..", "runtime")):
        if os.path.isfile(os.path.join(candidate, "snnc_run_harness.c")):
            return os.path.normpath(candidate)
    raise SNNCError("the C run harness is missing from this installation")


def _as_sequences(inputs, input_shape, path="input"):
    """The inputs as [T, n_in] or [S, T, n_in]: flattened already, or in the
    Input node's shape, [T, *shape] or [S, T, *shape] (taken so when both
    readings fit, which needs a shape with a leading 1)."""
    shape = tuple(int(d) for d in np.atleast_1d(input_shape))
    n_in = int(np.prod(shape))
    array = np.asarray(inputs)
    rank = len(shape)
    if rank > 1 and array.ndim in (rank + 1, rank + 2) and array.shape[-rank:] == shape:
        array = array.reshape(array.shape[:-rank] + (n_in,))
    if array.ndim not in (2, 3) or array.shape[-1] != n_in:
        node = "".join(f", {d}" for d in shape)
        raise SNNCError(f"inputs must have shape [T, {n_in}] or [S, T, {n_in}]"
                        + (f" (or [T{node}] or [S, T{node}], the Input node's shape)"
                           if rank > 1 else "") + f", got {list(np.shape(inputs))}", path=path)
    if not np.issubdtype(array.dtype, np.number) and array.dtype != np.bool_:
        raise SNNCError(f"inputs must be numeric, got {array.dtype}", path=path)
    return array


@_accepts_graphs
def run_c(model_path, inputs, *, name: str = "model", cc: Optional[str] = None,
          record_states: bool = False, workdir=None, extra_cflags=(), run_under=(),
          optimize: bool = True, calibrate=None, **options):
    """Compiles the model to C, builds it with the host compiler and runs it.

    Returns outputs of shape [T, n_out] (or [S, T, n_out] for [S, T, n_in]
    inputs); with `record_states=True`, also {state field: [S, T, ...]}.
    `extra_cflags` (e.g. sanitizers) are added to the compile command and
    `run_under` (e.g. valgrind) is put in front of the program.
    """
    generated = generate_c(model_path, name=name, optimize=optimize, calibrate=calibrate,
                           **options)
    n_in, n_out = int(np.prod(generated.input_shape)), int(np.prod(generated.output_shape))
    array = _as_sequences(inputs, generated.input_shape)
    if generated.input_type.is_integer:
        _check_integer_inputs(array)
    single = array.ndim == 2
    seqs = array[None] if single else array
    n_seq, n_steps = seqs.shape[:2]
    compiler = cc or os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        raise SNNCError("no C compiler found: set CC")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        write_files(generated.files(), tmp)
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
        outputs = outputs.reshape((n_seq, n_steps) + generated.output_shape)
        states = None
        if record_states:
            states = _split_states(np.fromfile(state_path, dtype=np.uint8), generated.state,
                                   n_seq, n_steps)
    if single:
        outputs = outputs[0]
        states = {k: v[0] for k, v in states.items()} if states is not None else None
    return (outputs, states) if record_states else outputs


def _check_integer_inputs(array):
    if array.size and (np.any(array != np.round(array)) or array.min() < -128 or
                       array.max() > 127):
        raise SNNCError("integer models take whole numbers in [-128, 127] (spikes or "
                        "spike counts) as input", path="input")


def _split_states(raw, layout: c_emitter.StateLayout, n_seq, n_steps):
    """The state struct's bytes per step (as the run harness writes them)
    -> {field: [S, T, ...]}."""
    if not layout.fields:
        return {}
    raw = raw.reshape(n_seq, n_steps, layout.size)
    out = {}
    for field in layout.fields:
        chunk = np.ascontiguousarray(raw[:, :, field.offset:field.offset + field.size])
        out[field.ident] = chunk.view(field.element.numpy).reshape((n_seq, n_steps) + field.shape)
    return out


@_accepts_graphs
def run(model_path, inputs, *, backend: str = "c", name: str = "model", calibrate=None,
        **options):
    """Runs the model on inputs [T, n_in] (or [S, T, n_in]; or in the Input
    node's shape, [T, *shape] or [S, T, *shape]) with the C backend
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
        array = _as_sequences(inputs, graph.input_shape)
        plan = quantization_plan(graph, opts, model_path, calibrate)
        if plan is not None:
            _check_integer_inputs(array)
            return reference.simulate_quantized(graph, opts, plan, array).astype(np.float64)
        return reference.simulate(graph, opts, array,
                                  dtype=c_emitter.ELEMENT_TYPES[opts.precision].numpy)
    if backend == "c":
        return run_c(model_path, inputs, name=name, calibrate=calibrate, **options)
    raise SNNCError(f"--backend must be c or reference, got '{backend}'")
