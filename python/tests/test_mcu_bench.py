"""`snnc bench --target cortex-m4f`: instruction counts on qemu's Cortex-M4F
board that repeat exactly, from firmware that computes what the host build
computes, with flash and RAM as arm-none-eabi-size reads them.

The test runs the firmware the bench kept once more itself (qemu directly,
its own copy of the input stream) and compares its outputs with the host
build's, so that it does not rest on the bench's own check; and it makes
that check fail on purpose, to show it can."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

from conftest import cli_env, run_cli
from snnc import api, mcu_bench
from snnc.errors import SNNCError

TARGET = "cortex-m4f"
MACHINE = "mps2-an386"
STEPS = 20
RATE = 0.2
SEED = 7
INSTRUCTIONS_PER_TICK = 40  # the MPS2 board's 25 MHz SysTick under -icount shift=0


@pytest.fixture(scope="module")
def cross_tools():
    missing = [tool for tool in ("qemu-system-arm", "arm-none-eabi-gcc", "arm-none-eabi-size")
               if shutil.which(tool) is None]
    if missing:
        if os.environ.get("SNNC_REQUIRE_CROSS") == "1":
            pytest.fail(f"{', '.join(missing)} required (SNNC_REQUIRE_CROSS=1)")
        pytest.skip(f"{', '.join(missing)} not installed")


def bench_json(digits, build_dir):
    result = run_cli("bench", digits.nir, "--preset", "snntorch", "--target", TARGET,
                     "--steps", STEPS, "--rate", RATE, "--seed", SEED, "--json",
                     "--build-dir", build_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def two_runs(cross_tools, digits, tmp_path_factory):
    root = tmp_path_factory.mktemp("mcu_bench")
    return bench_json(digits, root / "first"), bench_json(digits, root / "second")


def test_two_runs_count_the_same_instructions(two_runs):
    first, second = two_runs
    assert set(first["precisions"]) == {"f32", "int8"}  # int8 beside a float model
    for precision, figures in first["precisions"].items():
        ticks = figures["ticks_of_each_step"]
        assert len(ticks) == STEPS and all(t > 0 for t in ticks)
        assert ticks == second["precisions"][precision]["ticks_of_each_step"], precision
        assert figures["instructions_per_step"] == {
            "median": float(np.median(ticks)) * INSTRUCTIONS_PER_TICK,
            "min": min(ticks) * INSTRUCTIONS_PER_TICK, "max": max(ticks) * INSTRUCTIONS_PER_TICK}
        # The input varies, so does the work of the event-driven synapses.
        assert min(ticks) < max(ticks), precision


def xorshift_spikes(steps, n_inputs, rate, seed):
    """The input stream the bench harnesses document (xorshift64* from
    seed | 1, a spike when the top 53 bits of a draw, times 2^-53, are below
    the rate), written again here in floating point as the host harness
    computes it."""
    mask, state = (1 << 64) - 1, seed | 1
    values = []
    for _ in range(steps * n_inputs):
        state ^= state >> 12
        state = (state ^ (state << 25)) & mask
        state ^= state >> 27
        values.append(float(((state * 0x2545F4914F6CDD1D) & mask) >> 11) * 2.0 ** -53 < rate)
    return np.array(values, dtype=np.float64).reshape(steps, n_inputs)


def test_the_firmware_computes_what_the_host_build_computes(two_runs, digits):
    first, _ = two_runs
    inputs = xorshift_spikes(STEPS, 64, RATE, SEED)
    assert 0.1 < inputs.mean() < 0.3
    for precision, figures in first["precisions"].items():
        assert figures["identical_to_host"] is True
        run = subprocess.run(
            ["qemu-system-arm", "-M", MACHINE, "-icount", "shift=0", "-nographic", "-monitor",
             "none", "-serial", "none", "-semihosting-config",
             f"enable=on,target=native,arg={STEPS},arg={mcu_bench.spike_threshold(RATE)},"
             f"arg={SEED}", "-kernel", figures["firmware"]],
            capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        lines = [line.split() for line in run.stderr.splitlines() if line.startswith("step ")]
        assert [int(fields[1]) for fields in lines] == figures["ticks_of_each_step"]
        dtype = np.int8 if precision == "int8" else np.float32
        board = np.frombuffer(bytes.fromhex("".join(fields[2] for fields in lines)), dtype)
        host = api.run_c(digits.nir, inputs, preset="snntorch", precision=precision)
        assert np.array_equal(board.reshape(STEPS, 10).astype(np.float64), host), precision
        assert np.count_nonzero(host) > 0, "no output spike: the comparison says little"


def test_sizes_are_what_arm_none_eabi_size_reads(two_runs):
    first, _ = two_runs
    for precision, figures in first["precisions"].items():
        # The model's object: Berkeley format (text = .text + .rodata).
        text, data, bss = map(int, subprocess.run(
            ["arm-none-eabi-size", figures["model_object"]], capture_output=True, text=True,
            check=True).stdout.splitlines()[1].split()[:3])
        assert figures["flash_bytes"]["model"] == text + data > 0
        assert figures["ram_bytes"]["model"] == data + bss
        # The whole firmware, section by section.
        sections = {}
        for line in subprocess.run(["arm-none-eabi-size", "-A", figures["firmware"]],
                                   capture_output=True, text=True, check=True
                                   ).stdout.splitlines():
            fields = line.split()
            if len(fields) == 3 and fields[1].isdigit():
                sections[fields[0]] = int(fields[1])
        assert figures["flash_bytes"]["firmware"] == sum(
            sections.get(name, 0) for name in (".init", ".text", ".rodata", ".data"))
        assert figures["ram_bytes"]["firmware"] == sections.get(".data", 0) + sections[".bss"]
        assert figures["flash_bytes"]["firmware"] > figures["flash_bytes"]["model"]
        # The harness keeps the state (the step's scratch included) in .bss.
        assert figures["ram_bytes"]["firmware"] > figures["state_bytes"] > \
            figures["scratch_bytes"] >= 0
        stack = figures["stack_of_step"]
        assert stack["fstack_usage"] > 0
        # Painted stack: what the step really touched, its call included.
        assert stack["fstack_usage"] <= stack["measured"] <= stack["fstack_usage"] + 256
        assert not stack["measured_is_lower_bound"]


def test_a_board_that_computes_otherwise_is_refused(cross_tools, digits, monkeypatch):
    """The bench's comparison with the host is live: a host result that
    differs in one output value makes it fail, naming the step."""
    real_run_c = api.run_c

    def run_c_off_by_one_spike(*args, **kwargs):
        outputs, states = real_run_c(*args, **kwargs)
        outputs = outputs.copy()
        outputs[3, 0] = 1.0 - outputs[3, 0]
        return outputs, states

    monkeypatch.setattr(api, "run_c", run_c_off_by_one_spike)
    with pytest.raises(SNNCError, match=r"outputs differ from the host build's at 1 of 5 "
                                        r"steps \(first: step 3\)"):
        mcu_bench.bench_target(digits.nir, TARGET, steps=5, rate=RATE, seed=SEED,
                               preset="snntorch")


def test_missing_cross_tools_are_one_line(digits, tmp_path):
    result = run_cli("bench", digits.nir, "--preset", "snntorch", "--target", TARGET,
                     env=cli_env(PATH=str(tmp_path)))  # an empty PATH: no compiler, no qemu
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "arm-none-eabi-gcc" in result.stderr and "qemu-system-arm" in result.stderr
