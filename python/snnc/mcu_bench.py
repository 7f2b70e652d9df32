"""`snnc bench --target cortex-m4f|cortex-m3`: the cost of the generated step
on a microcontroller, counted in instructions rather than timed.

The model's C is built bare-metal with the target's toolchain file (the
compiler and flags, picolibc's semihosting start-up, the MPS2 board's
memory map: snnc.toolchains) and run on qemu's board under -icount shift=0,
where each instruction takes one virtual nanosecond. The harness
(runtime/snnc_mcu_bench_harness.c) reads SysTick, which counts the
processor's 25 MHz clock, around each NAME_step: one tick per 40
instructions, the same count on every run. Before reporting, the harness's
loop of a known instruction count must read the ticks it should (else
-icount is not in effect), and the board's outputs at every step and its
final state must equal, bit for bit, those of the host build of the same
C on the same inputs (so the code measured is the code that computes the
model).
"""
from __future__ import annotations

import math
import os
import re
import statistics
import subprocess
import tempfile
from typing import Dict, List, Optional

import numpy as np

from . import api
from . import toolchains
from .bench import BENCH_CFLAGS, DEFAULT_OPT_FLAGS, step_stack_bytes
from .errors import SNNCError

HARNESS = "snnc_mcu_bench_harness.c"
# Must match the harness's CALIBRATION_INSTRUCTIONS.
CALIBRATION_INSTRUCTIONS = 200_000
# Watched below main's frame besides the step's own stack (from
# -fstack-usage): the library functions the step calls (memcpy, memset).
STACK_PAINT_MARGIN = 1024
# Reserved besides the painted stack: main's frame, printf over semihosting.
HARNESS_STACK = 4096
# picolibc's specs put -Tpicolibc.ld before the command line's options, where
# the script's DEFINED(__stack_size) does not yet see a --defsym of it; the
# script named again after the --defsym does.
LINKER_SCRIPT = "-Tpicolibc.ld"
QEMU_TIMEOUT_SECONDS = 3600
# Sections a firmware keeps in flash, and in RAM (its .data in both).
FLASH_SECTIONS = (".init", ".text", ".rodata", ".data")
RAM_SECTIONS = (".data", ".bss")


def spike_threshold(rate: float) -> int:
    """The harness draws a spike when the top 53 bits of a draw are below
    this: the host harness's `draw * 2^-53 < rate`, in integers (rate * 2^53
    is exact in a double, and k < x holds for an integer k exactly when
    k < ceil(x))."""
    return math.ceil(rate * 2.0 ** 53)


def bernoulli_inputs(steps: int, n_inputs: int, rate: float, seed: int) -> np.ndarray:
    """[steps, n_inputs] of 0.0 and 1.0: the stream both bench harnesses draw
    (xorshift64* from seed | 1, step by step, input by input)."""
    mask = (1 << 64) - 1
    state = (seed | 1) & mask
    below = spike_threshold(rate)
    flat = np.empty(steps * n_inputs, dtype=np.float64)
    for i in range(flat.size):
        state ^= state >> 12
        state ^= (state << 25) & mask
        state ^= state >> 27
        flat[i] = ((state * 0x2545F4914F6CDD1D) & mask) >> 11 < below
    return flat.reshape(steps, n_inputs)


def _first_error(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["no message"])[0]


def _build(model_path, board, precision, directory, cflags, calibrate, options):
    """Generates the model's C at `precision`, compiles it to model.o (with
    model.su) and links it with the harness into firmware.elf."""
    generated = api.generate_c(model_path, name="model", calibrate=calibrate,
                               **dict(options, precision=precision))
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise SNNCError(f"cannot create the build directory ({exc.strerror})",
                        path=directory) from None
    api.write_files(generated.files(), directory)
    flags = [*board.compile_flags, *BENCH_CFLAGS, *cflags.split()]
    obj = os.path.join(directory, "model.o")
    compiled = subprocess.run([board.compiler, *flags, "-fstack-usage", "-c", "model.c",
                               "-o", obj], capture_output=True, text=True, cwd=directory)
    if compiled.returncode != 0:
        raise SNNCError(f"{board.target} {precision}: the generated C did not compile with "
                        f"{board.compiler}: {_first_error(compiled.stderr)}")
    stack = step_stack_bytes(directory, "model")
    if stack is None:
        raise SNNCError(f"{board.target} {precision}: {board.compiler} -fstack-usage named no "
                        "model_step")
    painted = -(-(stack + STACK_PAINT_MARGIN) // 8) * 8
    elf = os.path.join(directory, "firmware.elf")
    linked = subprocess.run(
        [board.compiler, *flags, "-Wall", "-Wextra", f"-I{directory}",
         '-DSNNC_MODEL_HEADER="model.h"', "-DSNNC_MODEL=model",
         "-DSNNC_NUM_INPUTS=MODEL_NUM_INPUTS", "-DSNNC_NUM_OUTPUTS=MODEL_NUM_OUTPUTS",
         f"-DSNNC_STACK_PAINT_BYTES={painted}u", os.path.join(api.runtime_dir(), HARNESS), obj,
         *board.link_flags, f"-Wl,--defsym=__stack_size={painted + HARNESS_STACK}",
         LINKER_SCRIPT, "-o", elf], capture_output=True, text=True, cwd=directory)
    if linked.returncode != 0:
        overflow = re.search(r"region `(\w+)' overflowed by (\d+) bytes", linked.stderr)
        if overflow:
            region, excess = overflow.groups()
            needs = (f"the model's constants are {generated.constant_bytes} bytes, besides "
                     f"its code" if region == "flash" else
                     f"the step needs {stack} bytes of stack (-fstack-usage) and the state "
                     f"{generated.state.size} bytes, besides the harness's")
            raise SNNCError(f"{board.target} {precision}: the firmware does not fit the "
                            f"board's {region} (overflowed by {excess} bytes): {needs}")
        raise SNNCError(f"{board.target} {precision}: the firmware did not link: "
                        f"{_first_error(linked.stderr)}")
    return generated, elf, obj, stack


def _parse_run(text: str, board, precision) -> Dict:
    """The harness's lines (see its header) -> {"window_ticks", ...}."""
    run: Dict = {"steps": [], "outputs": []}
    for line in text.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0] in ("window_ticks", "calibration_ticks") and len(fields) == 2:
            run[fields[0]] = int(fields[1])
        elif fields[0] == "step" and len(fields) in (2, 3):
            run["steps"].append(int(fields[1]))
            run["outputs"].append(bytes.fromhex(fields[2] if len(fields) == 3 else ""))
        elif fields[0] == "stack_bytes" and len(fields) == 2:
            run["stack_exhausted"] = fields[1].startswith(">")
            run["stack_bytes"] = int(fields[1].lstrip(">"))
        elif fields[0] == "state" and len(fields) in (2, 3):
            run["state_size"] = int(fields[1])
            run["state"] = bytes.fromhex(fields[2] if len(fields) == 3 else "")
    missing = [key for key in ("window_ticks", "calibration_ticks", "stack_bytes", "state")
               if key not in run]
    if missing:
        raise SNNCError(f"{board.target} {precision}: the firmware's output lacks "
                        f"{', '.join(missing)}: {_first_error(text)}")
    return run


def _measure_precision(model_path, board, precision, directory, *, steps, rate, seed, cflags,
                       calibrate, options, inputs_cache) -> Dict:
    generated, elf, obj, stack = _build(model_path, board, precision, directory,
                                                 cflags, calibrate, options)
    try:
        ran = board.run(elf, [str(steps), str(spike_threshold(rate)), str(seed)],
                        count_instructions=True, timeout=QEMU_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise SNNCError(f"{board.target} {precision}: qemu did not finish {steps} steps within "
                        f"{QEMU_TIMEOUT_SECONDS} s") from None
    if ran.returncode != 0:
        raise SNNCError(f"{board.target} {precision}: the firmware failed on qemu (status "
                        f"{ran.returncode}): {_first_error(ran.stderr + ran.stdout)}")
    run = _parse_run(ran.stderr, board, precision)
    per_tick = board.instructions_per_tick
    loop_ticks = run["calibration_ticks"] - run["window_ticks"]
    if abs(loop_ticks * per_tick - CALIBRATION_INSTRUCTIONS) > per_tick:
        raise SNNCError(f"{board.target}: a loop of {CALIBRATION_INSTRUCTIONS} instructions "
                        f"read {loop_ticks} SysTick ticks, not "
                        f"{CALIBRATION_INSTRUCTIONS // per_tick}: qemu is not counting one "
                        f"instruction per virtual nanosecond (-icount shift=0)")
    if len(run["steps"]) != steps:
        raise SNNCError(f"{board.target} {precision}: the firmware reported "
                        f"{len(run['steps'])} of {steps} steps")
    if run["state_size"] != generated.state.size:
        raise SNNCError(f"{board.target} {precision}: the board's state struct has "
                        f"{run['state_size']} bytes, the compiler laid out "
                        f"{generated.state.size}")

    # The same C built for the host, on the same inputs.
    n_inputs = int(np.prod(generated.input_shape))
    if "inputs" not in inputs_cache:
        inputs_cache["inputs"] = bernoulli_inputs(steps, n_inputs, rate, seed)
    host_outputs, host_states = api.run_c(model_path, inputs_cache["inputs"],
                                          record_states=True, calibrate=calibrate,
                                          **dict(options, precision=precision))
    output_type = np.dtype(generated.output_type.numpy).newbyteorder("<")
    board_outputs = np.frombuffer(b"".join(run["outputs"]), dtype=output_type)
    host_outputs = host_outputs.reshape(steps, -1).astype(output_type)
    if board_outputs.size != host_outputs.size:
        raise SNNCError(f"{board.target} {precision}: the board wrote {board_outputs.size} "
                        f"output values, the host {host_outputs.size}")
    board_outputs = board_outputs.reshape(host_outputs.shape)
    differing = [t for t in range(steps)
                 if board_outputs[t].tobytes() != host_outputs[t].tobytes()]
    if differing:
        raise SNNCError(f"{board.target} {precision}: the board's outputs differ from the "
                        f"host build's at {len(differing)} of {steps} steps (first: step "
                        f"{differing[0]}), so the code measured does not compute what the "
                        f"host's does")
    board_state = api._split_states(np.frombuffer(run["state"], dtype=np.uint8),
                                    generated.state, 1, 1)
    different_fields = [name for name, values in board_state.items()
                        if values[0, 0].tobytes() != host_states[name][-1].tobytes()]
    if different_fields:
        raise SNNCError(f"{board.target} {precision}: after {steps} steps the board's state "
                        f"differs from the host build's in {', '.join(different_fields)}")

    model_sections = toolchains.section_sizes(board.size_tool, obj)
    firmware_sections = toolchains.section_sizes(board.size_tool, elf)
    ticks = run["steps"]
    return {
        "ticks_per_step": {"median": statistics.median(ticks), "min": min(ticks),
                           "max": max(ticks)},
        "instructions_per_step": {"median": statistics.median(ticks) * per_tick,
                                  "min": min(ticks) * per_tick, "max": max(ticks) * per_tick},
        "ticks_of_each_step": ticks,
        "flash_bytes": {"model": sum(model_sections.get(s, 0) for s in FLASH_SECTIONS),
                        "firmware": sum(firmware_sections.get(s, 0) for s in FLASH_SECTIONS)},
        "ram_bytes": {"model": sum(model_sections.get(s, 0) for s in RAM_SECTIONS),
                      "firmware": sum(firmware_sections.get(s, 0) for s in RAM_SECTIONS)},
        "firmware_stack_reserved": firmware_sections.get(".stack", 0),
        "state_bytes": run["state_size"],
        # The step's temporaries, kept in NAME_state after the states.
        "scratch_bytes": generated.state.scratch_bytes,
        "stack_of_step": {"fstack_usage": stack, "measured": run["stack_bytes"],
                          "measured_is_lower_bound": run["stack_exhausted"]},
        "calibration": {"window_ticks": run["window_ticks"],
                        "loop_instructions": CALIBRATION_INSTRUCTIONS,
                        "loop_ticks": run["calibration_ticks"]},
        "identical_to_host": True,
        "firmware": elf,
        "model_object": obj,
    }


def _compiler_version(board) -> str:
    result = subprocess.run([board.compiler, "-dumpversion"], capture_output=True, text=True)
    return f"{board.compiler} {result.stdout.strip() or '?'}"


def bench_target(model_path, target: str, *, steps: int = 1000, rate: float = 0.2,
                 seed: int = 1, cflags: str = DEFAULT_OPT_FLAGS, calibrate=None,
                 build_dir: Optional[str] = None, optimize: bool = True,
                 **options) -> Dict:
    """Counts the instructions of each step on `target` (toolchains.CORTEX_M_TARGETS)
    at the precision asked and, for a float model, at int8 too (as the host
    bench does; a graph the quantizer does not support yet is reported as
    not built). Returns the figures (see format_target_report). With
    `build_dir`, each precision's firmware, object and .su files stay in
    build_dir/PRECISION. `optimize=False` measures the reference lowering
    (--no-opt)."""
    board = toolchains.cortex_m_board(target)
    missing = board.missing_tools()
    if missing:
        raise SNNCError(f"--target {target} needs {', '.join(missing)}, not found on this "
                        f"machine (Debian: gcc-arm-none-eabi picolibc-arm-none-eabi "
                        f"qemu-system-arm)")
    if steps < 1:
        raise SNNCError(f"--steps must be at least 1, got {steps}")
    if not 0.0 <= rate <= 1.0:
        raise SNNCError(f"--rate must be in [0, 1], got {rate}")
    if seed < 0:
        raise SNNCError(f"--seed must be a non-negative integer, got {seed}")
    opts = api._options(path=model_path, **options)
    precisions: List[str] = [opts.precision]
    if opts.precision in ("f32", "f64"):
        precisions.append("int8")
    results: Dict[str, Dict] = {}
    inputs_cache: Dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = build_dir if build_dir is not None else tmp
        for precision in precisions:
            try:
                results[precision] = _measure_precision(
                    model_path, board, precision, os.path.join(root, precision), steps=steps,
                    rate=rate, seed=seed, cflags=cflags, calibrate=calibrate,
                    options=dict(options, optimize=optimize), inputs_cache=inputs_cache)
            except SNNCError as exc:
                if precision == opts.precision:
                    raise
                results[precision] = {"not_built": str(exc)}
            if build_dir is None and "firmware" in results[precision]:
                del results[precision]["firmware"], results[precision]["model_object"]
    return {
        "model": os.path.basename(os.fspath(model_path)), "target": target,
        "board": f"{toolchains.QEMU} -M {board.machine} -icount shift=0",
        "compiler": _compiler_version(board), "cflags": cflags,
        "options": opts.describe() + ("" if optimize else " no-opt"),
        "steps": steps, "rate": rate, "seed": seed,
        "instructions_per_tick": board.instructions_per_tick,
        "precisions": results,
    }


def format_target_report(report: Dict) -> str:
    per_tick = report["instructions_per_tick"]
    lines = [f"{report['model']} on {report['target']} ({report['board']}), "
             f"{report['compiler']} {report['cflags']}: {report['steps']} steps, input rate "
             f"{report['rate']:g}, seed {report['seed']}, {report['options']}",
             f"  instructions per step = SysTick ticks x {per_tick} (the board's 25 MHz "
             f"clock, one instruction per virtual ns); identical on every run"]
    header = (f"  {'precision':9s} {'instructions/step':>29s}  {'flash B':>17s}  "
              f"{'RAM B':>33s}  {'stack of step B':>18s}")
    columns = (f"  {'':9s} {'median':>9s} {'min':>9s} {'max':>9s}  {'model':>8s} "
               f"{'firmware':>8s}  {'model':>6s} {'state':>8s} {'scratch':>8s} "
               f"{'firmware':>8s}  {'-fstack':>8s} {'measured':>9s}")
    lines += [header, columns]
    verified, skipped = [], []
    for precision, r in report["precisions"].items():
        if "not_built" in r:
            skipped.append(f"  {precision}: not built: {r['not_built']}")
            continue
        i, flash, ram, stack = (r["instructions_per_step"], r["flash_bytes"], r["ram_bytes"],
                                r["stack_of_step"])
        measured = ("> " if stack["measured_is_lower_bound"] else "") + str(stack["measured"])
        lines.append(f"  {precision:9s} {i['median']:9.0f} {i['min']:9d} {i['max']:9d}  "
                     f"{flash['model']:8d} {flash['firmware']:8d}  {ram['model']:6d} "
                     f"{r['state_bytes']:8d} {r['scratch_bytes']:8d} {ram['firmware']:8d}  "
                     f"{stack['fstack_usage']:8d} {measured:>9s}")
        verified.append(precision)
    lines += skipped
    if verified:
        first = report["precisions"][verified[0]]
        c = first["calibration"]
        lines.append(f"  flash: .text+.rodata+.data (+ the start-up's .init in the firmware); "
                     f"RAM: .data+.bss; state: sizeof(NAME_state), the step's scratch "
                     f"included; the firmware (model + harness + picolibc) holds the state in "
                     f"its .bss, its stack reservation ({first['firmware_stack_reserved']} B) "
                     f"apart")
        lines.append(f"  checked: a loop of {c['loop_instructions']} instructions read "
                     f"{c['loop_ticks']} ticks (an empty window {c['window_ticks']}); the "
                     f"outputs of all {report['steps']} steps and the final state equal the "
                     f"host build's bit for bit at {', '.join(verified)}")
    return "\n".join(lines)
