"""`snn-opt` on PATH: runs the snn-opt binary shipped in the package (mlir-opt
with the snn dialect, its passes and the snn-to-linalg / snn-to-emitc
pipelines), with the same arguments, as the same process."""
import os
import sys

from . import snn_opt_path


def main() -> None:
    binary = snn_opt_path()
    os.execv(binary, [binary] + sys.argv[1:])


if __name__ == "__main__":
    main()
