"""The `snnc` command line: compile, run, check.

Errors in the user's input print one line (file, node, problem) to stderr and
exit with status 1; bad usage exits with status 2 (argparse).
"""
from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from . import options as option_table
from .errors import SNNCError, printable
from .frontend.nirfile import read_timeout
from .semantics import PRESETS
from .toolchains import CORTEX_M_TARGETS

EXIT_INPUT_ERROR = 1


def _add_semantics(parser):
    """The arguments of options.TABLE, in its order and with its help texts."""
    groups = {
        option_table.DISCRETIZATION: parser.add_argument_group(
            "discretization (NIR stores none of these; a preset replaces the defaults, "
            "explicit options replace the preset's)"),
        option_table.GENERATED_CODE: parser.add_argument_group("generated code"),
    }
    for option in option_table.TABLE:
        kwargs = {"help": option.help_text().replace("%", "%%")}  # argparse formats with %
        if option.type is bool:
            kwargs["action"] = "store_true"
        else:
            # Always None when not given: resolve_options tells "not given"
            # (the preset decides) from an explicit value.
            kwargs.update(choices=option.choices, metavar=option.metavar)
            if option.type is not str:
                kwargs["type"] = option.type
        groups[option.section].add_argument(option.flag, dest=option.name, **kwargs)


def _semantics(args):
    """The API's keyword arguments from the table's options, but `optimize`,
    which only compile and run take."""
    return {option.keyword: getattr(args, option.name) for option in option_table.TABLE
            if option.name != "no_opt"}


def _cmd_compile(args):
    from . import api
    written = api.compile(args.model, args.output_dir, name=args.name, emit=args.emit,
                          optimize=not args.no_opt, **_semantics(args))
    for path in written.values():
        print(printable(path))
    return 0


def _load_npy(path):
    import numpy as np
    try:
        return np.load(path, allow_pickle=False)
    except Exception as exc:  # numpy raises many types for bad files
        raise SNNCError(f"not a readable .npy file ({exc})", path=path) from None


def _cmd_run(args):
    import numpy as np
    from . import api
    api.check_output_file(args.output)  # before the work, not after
    inputs = _load_npy(args.input)
    options = _semantics(args)
    if args.backend == "c":
        options["optimize"] = not args.no_opt
    outputs = api.run(args.model, inputs, backend=args.backend, **options)
    written = api.save_array(args.output, np.asarray(outputs))
    print(f"{printable(written)}: {list(outputs.shape)} outputs ({args.backend} backend)")
    return 0


def _cmd_check(args):
    from .frontend.graph import node_type_name, read_nir, unsupported_reason, load_graph
    nir_graph = read_nir(args.model)
    problems = 0
    print(f"{printable(args.model)}: {len(nir_graph.nodes)} nodes, {len(nir_graph.edges)} edges")
    for name, node in sorted(nir_graph.nodes.items()):
        reason = unsupported_reason(node)
        status = "unsupported: " + reason if reason else "supported"
        problems += bool(reason)
        print(f"  {name:24s} {node_type_name(node):10s} {status}")
    if problems == 0:
        graph = load_graph(args.model)  # structure: edges, shapes, parameters
        print("the graph can be compiled; NIR stores no time step, reset rule or threshold "
              f"comparison: pass --dt/--reset/--compare or --preset "
              f"({', '.join(sorted(PRESETS))})")
        for hint in exporter_hints(graph):
            print("note: " + hint)
        return 0
    print(f"{problems} node(s) cannot be compiled yet")
    return EXIT_INPUT_ERROR


def exporter_hints(graph):
    """Parameter patterns that betray the exporting framework or its known bugs."""
    import numpy as np
    hints = []
    taus = [layer.params[k] for layer in graph.layers for k in ("tau", "tau_mem")
            if k in layer.params]
    rs = [(layer.params["r"], layer.params.get("tau", layer.params.get("tau_mem")))
          for layer in graph.layers if "r" in layer.params]
    if taus and max(float(np.max(t)) for t in taus) < 1e-4:
        hints.append("every tau is below 0.1 ms: Norse 1.1 writes dt/tau instead of tau "
                     "(Norse issue 411); if the file comes from Norse, use --preset norse")
    if rs and all(t is not None and np.allclose(r, t / 1e-4, rtol=1e-5) for r, t in rs):
        hints.append("r = tau / 1e-4 everywhere: the signature of snnTorch's exporter; use "
                     "--preset snntorch")
    return hints


def _cmd_quantize_report(args):
    import json
    from . import report
    inputs = _load_npy(args.input)
    labels = report.load_labels(args.labels) if args.labels else None
    options = _semantics(args)
    options.pop("precision")
    result = report.quantize_report(args.model, inputs, labels, args.plot, **options)
    print(json.dumps(result, indent=1) if args.json else report.format_report(result))
    if args.plot and not args.json:
        print(f"plot: {args.plot}")
    return 0


def _cmd_bench(args):
    import json
    from . import bench
    if args.target != "host":
        from . import mcu_bench
        report = mcu_bench.bench_target(args.model, args.target, steps=args.steps,
                                        rate=args.rate, seed=args.seed, cflags=args.cflags,
                                        build_dir=args.build_dir, optimize=not args.no_opt,
                                        **_semantics(args))
        print(json.dumps(report, indent=1) if args.json
              else mcu_bench.format_target_report(report))
        return 0
    if args.build_dir is not None:
        raise SNNCError("--build-dir keeps the firmware of a --target build; the host bench "
                        "builds none")
    report = bench.bench(args.model, steps=args.steps, rate=args.rate, runs=args.runs,
                         rounds=args.rounds, seed=args.seed, cflags=args.cflags,
                         **_semantics(args))
    print(json.dumps(report, indent=1) if args.json else bench.format_report(report))
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="snnc", description="Compile spiking neural networks (NIR) to C11.")
    parser.add_argument("--version", action="version", version=f"snnc {__version__}")
    parser.add_argument("--cmake-dir", action="store_true",
                        help="print the directory of snncConfig.cmake and exit")
    parser.add_argument("--bazel-dir", action="store_true",
                        help="print the Bazel workspace of snnc's rules (for "
                             "local_repository) and exit")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("compile", help="NIR -> NAME.h + NAME.c (or MLIR)")
    p.add_argument("model", help="the .nir file")
    p.add_argument("-o", "--output-dir", required=True,
                   help="directory for the generated files (created if missing; required)")
    p.add_argument("--name", required=True,
                   help="C prefix of every generated symbol and the files' name (required)")
    p.add_argument("--emit", choices=option_table.EMIT_KINDS, default="c",
                   help="c: NAME.h and NAME.c; mlir: the snn IR (NAME.snn.mlir); linalg: "
                        "after snn-to-linalg; emitc: after snn-to-emitc, what EmitC prints "
                        "as the step computation (default: c)")
    _add_semantics(p)
    p.set_defaults(func=_cmd_compile)

    p = sub.add_parser("run", help="run a model on inputs [T, n_in] saved as .npy")
    p.add_argument("model", help="the .nir file")
    p.add_argument("--input", required=True,
                   help=".npy of shape [T, n_in] or [S, T, n_in], or in the Input "
                        "node's shape: [T, *shape] or [S, T, *shape] (required)")
    p.add_argument("--output", required=True, help=".npy written with the outputs (required)")
    p.add_argument("--backend", choices=("c", "reference"), default="c",
                   help="c: compile the generated C with the host's cc and run it; reference: "
                        "the numpy reference simulator (default: c)")
    _add_semantics(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("bench", help="time the generated C against the reference lowering "
                                      "and a dense numpy step, side by side; or count its "
                                      "instructions on a Cortex-M board (--target)")
    p.add_argument("model", help="the .nir file")
    p.add_argument("--target", choices=("host",) + CORTEX_M_TARGETS, default="host",
                   help="host: time the C on this machine; cortex-m4f, cortex-m3: build it "
                        "bare-metal (arm-none-eabi-gcc, picolibc) and count the "
                        "instructions of each step on qemu's MPS2 board, with flash, RAM "
                        "and stack (default: host)")
    p.add_argument("--steps", type=int, default=1000,
                   help="time steps per timed run, or measured on the board (default: 1000)")
    p.add_argument("--rate", type=float, default=0.2,
                   help="input spike probability per step (default: 0.2)")
    p.add_argument("--seed", type=int, default=1,
                   help="of the input spikes, the same stream on the host and the board "
                        "(default: 1)")
    p.add_argument("--runs", type=int, default=5,
                   help="host: timed runs per round (default: 5)")
    p.add_argument("--rounds", type=int, default=3,
                   help="host: interleaved rounds; medians are over all runs (default: 3)")
    p.add_argument("--cflags", default="-O2",
                   help="optimization flags of the C builds, e.g. '-O2 -march=native' "
                        "(default: -O2)")
    p.add_argument("--build-dir", metavar="DIR",
                   help="with --target: keep each precision's firmware (firmware.elf, "
                        "model.o, model.su) in DIR/PRECISION (default: a temporary "
                        "directory)")
    p.add_argument("--json", action="store_true",
                   help="print the figures as JSON instead of a table (default: table)")
    _add_semantics(p)
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("quantize-report",
                       help="bytes and fidelity of f32, int16 and int8 against the float64 "
                            "reference")
    p.add_argument("model", help="the .nir file")
    p.add_argument("--input", required=True,
                   help=".npy of shape [T, n_in] or [S, T, n_in], or in the Input "
                        "node's shape: [T, *shape] or [S, T, *shape] (required)")
    p.add_argument("--labels", help=".npy of S class labels: also report accuracy (the "
                                    "output neuron with the most spikes) (default: none)")
    p.add_argument("--plot", metavar="OUT.png", help="write output rasters (or traces), "
                                                      "reference against each precision "
                                                      "(default: no plot)")
    p.add_argument("--json", action="store_true",
                   help="print the report as JSON instead of a table (default: table)")
    _add_semantics(p)
    p.set_defaults(func=_cmd_quantize_report)

    p = sub.add_parser("check", help="which nodes can be compiled, and why not")
    p.add_argument("model", help="the .nir file")
    p.set_defaults(func=_cmd_check)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.cmake_dir or args.bazel_dir:
        from . import bazel_dir, cmake_dir
        print(cmake_dir() if args.cmake_dir else bazel_dir())
        return 0
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        read_timeout()  # a bad SNNC_READ_TIMEOUT is refused before any work
        return args.func(args)
    except SNNCError as exc:
        print(f"snnc: error: {exc}", file=sys.stderr)  # SNNCError escapes its own text
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`snnc check ... | head`): stop quietly, as
        # other command-line tools do, and keep Python from reporting the
        # closed pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
