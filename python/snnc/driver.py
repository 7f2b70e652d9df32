"""Pass pipelines, run in-process on the snn IR the front end built.

Every pass is MLIR's own except convert-snn-to-linalg; all run through
`mlir.passmanager` in this process (no subprocess to mlir-opt).
"""
from mlir import ir
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
EMITC_PIPELINE = ", ".join([
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map buffer-alignment=0}",
    "buffer-results-to-out-params{hoist-static-allocs}",
    "func.func(promote-buffers-to-stack{max-alloc-size-in-bytes=4294967295})",
    "convert-linalg-to-loops",
    "lower-affine",
    "canonicalize",
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


def lower_to_emitc(module: ir.Module, optimize: bool = True) -> None:
    run_pipeline(module, _linalg(optimize) + ", " + EMITC_PIPELINE)
