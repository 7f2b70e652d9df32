"""Builders for the snn dialect's ops: `snn.LIFOp(...)`, `snn.linear(...)`, ..."""
from ._snn_ops_gen import *  # noqa: F401,F403 (the generated builders are this module's API)
