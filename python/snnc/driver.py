"""Pass pipelines, run in-process on the snn IR the front end built.

Every pass is MLIR's own except the snn dialect's (snn-insert-rescale,
snn-event-driven, convert-snn-to-linalg, convert-float-compares-to-emitc); all
run through `mlir.passmanager` in this process (no subprocess to mlir-opt).
"""
from typing import Sequence

from mlir import ir
from mlir.dialects import bufferization, func, linalg, tensor
from mlir.passmanager import PassManager

# Scale conversions the quantizer asked for (a no-op on float models).
LEGALIZE_PIPELINE = "snn-insert-rescale"
# Reference lowering: one linalg.generic per snn op (and per elementwise arith
# op on tensors: the conversion of the input to spikes); integer models then
# drop their quantized types for the storage integers.
LINALG_PIPELINE = ("convert-snn-to-linalg, func.func(convert-elementwise-to-linalg), "
                   "strip-func-quant-types, canonicalize")
# Optimizations within the snn dialect, run before the lowering (results are
# identical to the reference lowering's; tests compare the two).
OPTIMIZE_PIPELINE = "snn-event-driven"

# From linalg on tensors to EmitC. Notes on the choices:
# - results become out-parameters, and static allocations are hoisted into
#   them, so no heap buffer reaches C (EmitC has no lowering for dealloc);
# - remaining temporaries go to the stack (no malloc in generated code);
# - buffer-alignment=0: aligned memref.alloca does not legalize to EmitC.
# - state is updated in place: each new state value is materialized in its
#   argument (results_for_in_place_buffers), the tensor.empty it would be computed into
#   becomes that argument, and results equivalent to an argument are dropped;
#   one-shot-bufferize copies only where an old value is still read after the
#   new one is written;
# - float compares become C's own operators, which compute the ordered
#   predicates (and une) exactly; convert-to-emitc adds NaN tests to them.
EMITC_PIPELINE = ", ".join([
    "eliminate-empty-tensors",
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map buffer-alignment=0}",
    "drop-equivalent-buffer-results",
    "buffer-results-to-out-params{hoist-static-allocs}",
    "func.func(promote-buffers-to-stack{max-alloc-size-in-bytes=4294967295})",
    "convert-linalg-to-loops",
    "lower-affine",
    "canonicalize",
    "convert-float-compares-to-emitc",
    "convert-to-emitc",
    "reconcile-unrealized-casts",
])


def run_pipeline(module: ir.Module, pipeline: str) -> None:
    """Runs a textual pass pipeline on the module in place, verifying after each pass."""
    with module.context:
        pm = PassManager.parse(f"builtin.module({pipeline})")
        pm.enable_verifier(True)
        pm.run(module.operation)


# After the lowering: elementwise generics that feed one another (an integer
# model's rescale and its neuron update) become one loop, without the buffer
# between them. MLIR's own pass; each element's arithmetic is unchanged.
FUSE_PIPELINE = "linalg-fuse-elementwise-ops, canonicalize"


def _linalg(optimize: bool) -> str:
    return ", ".join([LEGALIZE_PIPELINE] + ([OPTIMIZE_PIPELINE] if optimize else []) +
                     [LINALG_PIPELINE] + ([FUSE_PIPELINE] if optimize else []))


def lower_to_linalg(module: ir.Module, optimize: bool = True) -> None:
    run_pipeline(module, _linalg(optimize))


def results_for_in_place_buffers(module: ir.Module, state_args: Sequence[int]) -> None:
    """Rewrites the step's results for the in-place pipeline. Result r is the
    new value of state argument state_args[r] (the results after them are not
    state): each is returned through bufferization.materialize_in_destination
    into that argument. A result that is an argument of the step itself (a
    network whose output is its input, Input -> Flatten -> Output) becomes a
    copy of it: bufferization would return the argument's own buffer,
    drop-equivalent-buffer-results would drop the result, and the step would
    have no output to write."""
    with module.context, ir.Location.unknown():
        step = next(op for op in module.body.operations if isinstance(op, func.FuncOp))
        block = step.regions[0].blocks[0]
        ret = block.operations[len(block.operations) - 1]
        values = list(ret.operands)
        with ir.InsertionPoint(ret):
            for r, value in enumerate(values):
                if isinstance(value, ir.BlockArgument) and r >= len(state_args):
                    shaped = ir.RankedTensorType(value.type)
                    empty = tensor.EmptyOp(shaped.shape, shaped.element_type).result
                    values[r] = linalg.copy(value, outs=[empty])
            for r, arg in enumerate(state_args):
                values[r] = bufferization.MaterializeInDestinationOp(
                    values[r].type, values[r], block.arguments[arg]).result
            func.ReturnOp(values)
        ret.erase()


def prefix_private_symbols(module: ir.Module, prefix: str) -> None:
    """Renames the module-level symbols MLIR named with a leading `__` (the
    constants bufferization turns into memref.global `__constant_<shape>`,
    then emitc.global) to `<prefix>_...`: identifiers that begin with two
    underscores are reserved in C (C11 7.1.3), static or not. Every use of a
    symbol is renamed with it; nothing else in the module changes."""
    with module.context:
        for op in list(module.body.operations):
            if "sym_name" not in op.attributes:
                continue
            name = ir.StringAttr(op.attributes["sym_name"]).value
            if not name.startswith("__"):
                continue
            new_name = f"{prefix}_{name[2:]}"
            ir.SymbolTable.replace_all_symbol_uses(name, new_name, module.operation)
            ir.SymbolTable.set_symbol_name(op, new_name)


def lower_to_emitc(module: ir.Module, optimize: bool = True,
                   state_args: Sequence[int] = (), prefix: str = "") -> None:
    """Lowers to EmitC; with `prefix` (the model's name), symbols MLIR named
    `__...` become `<prefix>_...` (prefix_private_symbols)."""
    run_pipeline(module, _linalg(optimize))
    results_for_in_place_buffers(module, state_args)
    run_pipeline(module, EMITC_PIPELINE)
    if prefix:
        prefix_private_symbols(module, prefix)
