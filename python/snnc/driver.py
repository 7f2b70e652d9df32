"""The compile's pass pipelines, run in-process on the snn IR the front end built.

The pipelines themselves are registered in C++ (dialect/lib/Conversion/
SNNToEmitC/Pipelines.cpp) under the names `snn-to-linalg` and `snn-to-emitc`,
so `snn-opt --pass-pipeline='builtin.module(snn-to-emitc{...})'` repeats a
compile from its `--emit mlir` output; this module only names them with their
options and turns a failure into a clear error with a reproducer.
"""
import os
import tempfile

from mlir import ir

from . import _core
from .errors import SNNCError


def pipeline(kind: str, optimize: bool = True, symbol_prefix: str = "") -> str:
    """The textual pipeline `snn-to-<kind>` with its options, as snn-opt
    takes it inside `builtin.module(...)`."""
    options = [f"optimize={'true' if optimize else 'false'}"]
    if symbol_prefix:
        options.append(f"symbol-prefix={symbol_prefix}")
    return f"snn-to-{kind}{{{' '.join(options)}}}"


def run_pipeline(module: ir.Module, text: str, name: str = "snnc") -> None:
    """Runs a pipeline on the module in place. On failure raises SNNCError
    with what the pipeline said, and leaves a reproducer in the temporary
    directory (the IR before the failing pass, and that pass) whose path the
    message gives; on success nothing is left behind."""
    handle, reproducer = tempfile.mkstemp(prefix=f"snnc-{name}-", suffix=".reproducer.mlir")
    os.close(handle)
    try:
        _core.run_pipeline(module.operation, text, reproducer)
    except _core.PipelineError as exc:
        said = str(exc).strip() or "no diagnostic"
        if os.path.getsize(reproducer) == 0:
            os.unlink(reproducer)
            where = "no reproducer was written"
        else:
            where = (f"reproducer: {reproducer} "
                     f"(repeat with: snn-opt --run-reproducer {reproducer})")
        raise SNNCError(f"internal error: the pass pipeline {text} failed: {said}; "
                        f"{where}") from None
    os.unlink(reproducer)


# What decides the integer arithmetic (a prefix of snn-to-linalg): the rescales
# are made, then each quantized neuron update and rescale gets its arithmetic.
CHOOSE_INTEGER_ARITHMETIC = "snn-insert-rescale, snn-choose-integer-arithmetic"


def choose_integer_arithmetic(module: ir.Module) -> None:
    run_pipeline(module, CHOOSE_INTEGER_ARITHMETIC)


def lower_to_linalg(module: ir.Module, optimize: bool = True) -> None:
    run_pipeline(module, pipeline("linalg", optimize))


def lower_to_emitc(module: ir.Module, optimize: bool = True, prefix: str = "") -> None:
    """Lowers to EmitC; with `prefix` (the model's name), symbols MLIR named
    `__...` become `<prefix>_...` (snn-prefix-private-symbols)."""
    run_pipeline(module, pipeline("emitc", optimize, prefix), name=prefix or "snnc")
