"""snnc: compile spiking neural networks saved as NIR into dependency-free C11.

    import snnc
    snnc.compile("model.nir", "out", name="kws", preset="snntorch")
    outputs = snnc.run("model.nir", inputs, backend="c", preset="snntorch")

A model is a path to a .nir file or a nir.NIRGraph held in memory (e.g. what
snntorch.export_to_nir returns).
"""
__version__ = "0.1.0"

from .errors import SNNCError  # noqa: E402


def compile(*args, **kwargs):
    """See snnc.api.compile."""
    from . import api
    return api.compile(*args, **kwargs)


def run(*args, **kwargs):
    """See snnc.api.run."""
    from . import api
    return api.run(*args, **kwargs)


def cmake_dir() -> str:
    """The directory holding snncConfig.cmake (for -Dsnnc_DIR=...)."""
    import os
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "cmake")


def bazel_dir() -> str:
    """The Bazel workspace holding snnc's rules (for local_repository's path)."""
    import os
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bazel")


def snn_opt_path() -> str:
    """The snn-opt binary shipped with the package."""
    import os
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "snn-opt")


__all__ = ["SNNCError", "compile", "run", "cmake_dir", "bazel_dir", "snn_opt_path",
           "__version__"]
