"""An MLIR context with everything snnc needs: upstream dialects and passes
(registered by the `mlir` package) plus the snn dialect and passes."""
from mlir import ir

from . import _core


def make_context() -> ir.Context:
    context = ir.Context()
    _core.register_dialect(context)
    return context
