"""The generated op builders import their helpers relatively; they are MLIR's own.

Aliasing the module (rather than copying names) keeps one set of helpers and
one `_cext`, the one that `mlir.ir` uses.
"""
import sys

import mlir.dialects._ods_common as _mlir_ods_common

sys.modules[__name__] = _mlir_ods_common
