#!/usr/bin/env python3
"""The mutation check: small deliberate bugs in the semantics must make tests fail.

    python scripts/mutants.py                 # every mutant (see docs/testing.md)
    python scripts/mutants.py --only ref-   # the mutants whose id starts so
    python scripts/mutants.py --list

Each mutant replaces one exact snippet of one module of the installed snnc
package, in a copy of the package (the nanobind extension included), and runs
the tests listed for it against that copy (PYTHONPATH puts the copy first, for
pytest and for every `python -m snnc` the tests start). A mutant is killed when
a test fails; it survives when all pass. A snippet that is not found exactly
once is an error of this list (the code moved on): the run fails and says so.
Exits 1 unless every mutant is killed.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TESTS = os.path.join(REPO, "python", "tests")


def t(*names):
    """Test files (or node ids) under python/tests."""
    return [os.path.join(TESTS, name) for name in names]


# (id, module, original snippet, mutated snippet, tests that should kill it)
# The tests are run in order with -x: the first failure kills the mutant.
MUTANTS = [
    # --- semantics.py: presets and discretization constants -------------------
    ("sem-preset-snntorch-reset", "semantics.py",
     '"snntorch": {"dt": 1e-4, "reset": "subtract-delayed"',
     '"snntorch": {"dt": 1e-4, "reset": "subtract"',
     t("test_presets.py", "test_framework_fixtures.py")),
    ("sem-preset-sinabs-compare", "semantics.py",
     '"sinabs": {"dt": 1.0, "reset": "subtract", "compare": "ge"',
     '"sinabs": {"dt": 1.0, "reset": "subtract", "compare": "gt"',
     t("test_presets.py", "test_framework_fixtures.py")),
    ("sem-preset-rockpool-compare", "semantics.py",
     '"rockpool": {"dt": 1e-3, "reset": "subtract", "compare": "ge"',
     '"rockpool": {"dt": 1e-3, "reset": "subtract", "compare": "gt"',
     t("test_presets.py", "test_framework_fixtures.py")),
    ("sem-preset-norse-dt", "semantics.py",
     '"norse": {"dt": 1e-3,', '"norse": {"dt": 1e-4,',
     t("test_presets.py", "test_framework_fixtures.py")),
    ("sem-preset-spyx-timing", "semantics.py",
     '"spike_timing": "before-update", "reset_timing": "after-update"',
     '"spike_timing": "after-update", "reset_timing": "after-update"',
     t("test_presets.py", "test_framework_fixtures.py")),
    ("sem-leak-grouping", "semantics.py",
     "return 1.0 - dt / tau, r * dt / tau, v_leak * dt / tau",
     "return 1.0 - dt / tau, r * dt / tau, v_leak * (dt / tau)",
     t("test_end_to_end.py", "test_semantics.py")),
    ("sem-exact-is-euler", "semantics.py",
     "rise = -np.expm1(-dt / np.asarray(tau, dtype=np.float64))",
     "rise = dt / np.asarray(tau, dtype=np.float64)",
     t("test_framework_fixtures.py", "test_end_to_end.py")),
    ("sem-syn-decay", "semantics.py",
     "return 1.0 - dt / tau_syn, w_in * dt / tau_syn",
     "return 1.0 - dt / tau_syn / 2, w_in * dt / tau_syn",
     t("test_end_to_end.py", "test_framework_fixtures.py")),
    ("sem-integrator-gain", "semantics.py",
     "    return r * dt\n", "    return r\n",
     t("test_end_to_end.py", "test_framework_fixtures.py")),
    ("sem-norse-tau", "semantics.py",
     "return tau if self.tau_convention == \"nir\" else tau / self.dt",
     "return tau if self.tau_convention == \"nir\" else tau * self.dt",
     t("test_framework_fixtures.py", "test_end_to_end.py")),
    ("sem-delay-steps", "semantics.py",
     "    return steps.astype(np.int64)\n", "    return steps.astype(np.int64) + 1\n",
     t("test_graphs.py", "test_end_to_end.py")),
    # --- reference.py: the float oracle -----------------------------------------
    ("ref-compare-swapped", "reference.py",
     'fired = u >= c["threshold"] if options.compare == "ge" else u > c["threshold"]',
     'fired = u > c["threshold"] if options.compare == "ge" else u > c["threshold"]',
     t("test_presets.py", "test_framework_fixtures.py", "test_end_to_end.py")),
    ("ref-delayed-reset-unscaled", "reference.py",
     'u = u - c["threshold"] * st.spike', "u = u - st.spike",
     t("test_framework_fixtures.py", "test_end_to_end.py")),
    ("ref-norse-joined-current", "reference.py",
     '    i_used = {"voltage-first": st.i_syn, "joined": joined}',
     '    i_used = {"voltage-first": st.i_syn, "joined": i_next}',
     t("test_framework_fixtures.py", "test_end_to_end.py")),
    ("ref-voltage-first-current", "reference.py",
     '    i_used = {"voltage-first": st.i_syn,', '    i_used = {"voltage-first": i_next,',
     t("test_graphs.py", "test_framework_fixtures.py")),
    ("ref-int-voltage-first-current", "reference.py",
     '        used = {"voltage-first": st.i_syn,', '        used = {"voltage-first": i_next,',
     t("test_quantized.py")),
    # The reference computes in the arithmetic the compiler chose; a rescale
    # that ignores the choice (always 64-bit, 30-bit multipliers) rounds
    # differently from the narrow C.
    ("ref-rescale-arithmetic-ignored", "reference.py",
     "saturate(times_factor(value, ratios, chosen), fmt.state_bits)",
     "saturate(times_factor(value, ratios), fmt.state_bits)",
     t("test_quantized.py")),
    ("ref-multi-spike-round", "reference.py",
     "np.trunc(np.minimum(ratio, cap))", "np.round(np.minimum(ratio, cap))",
     t("test_framework_fixtures.py", "test_extreme_values.py", "test_end_to_end.py")),
    ("ref-sum-skips-first-input", "reference.py",
     "    for j in range(weight.shape[1]):\n", "    for j in range(1, weight.shape[1]):\n",
     t("test_end_to_end.py", "test_framework_fixtures.py")),
    ("ref-avgpool-divisor", "reference.py",
     "acc = acc / x.dtype.type(kernel[0] * kernel[1])",
     "acc = acc / x.dtype.type(kernel[0])",
     t("test_graphs.py", "test_end_to_end.py")),
    ("ref-conv-no-bias", "reference.py",
     "acc = np.broadcast_to(bias[None, :, None, None], (n_seq, filters, oh, ow)).astype(x.dtype)",
     "acc = np.zeros((n_seq, filters, oh, ow), x.dtype)",
     t("test_graphs.py", "test_framework_fixtures.py")),
    ("ref-delay-off-by-one", "reference.py",
     "y = np.where(st.steps == k + 1, past, y)", "y = np.where(st.steps == k + 2, past, y)",
     t("test_graphs.py", "test_end_to_end.py")),
    ("ref-before-update-reset", "reference.py",
     'start = _reset(st.v, fired, c, options) if reset_timing == "before-update" else st.v',
     'start = _reset(st.v, fired, c, options) if reset_timing == "after-update" else st.v',
     t("test_framework_fixtures.py", "test_end_to_end.py")),
    ("ref-input-spikes-ge", "reference.py",
     'inputs = (inputs > 0).astype(dtype)', 'inputs = (inputs >= 0).astype(dtype)',
     t("test_end_to_end.py", "test_quantized.py")),
    ("ref-unit-gains-ignored", "reference.py",
     '    if options.input_gains == "unit":\n', '    if options.input_gains == "none":\n',
     t("test_framework_fixtures.py", "test_end_to_end.py")),
    # --- quantize.py: the integer plan's rounding and clipping ------------------
    ("q-round-floor", "quantize.py",
     "return np.where(tie, whole + np.sign(values), np.rint(values))",
     "return np.floor(values)",
     t("test_quantizer_by_hand.py", "test_quantized.py")),
    ("q-round-half-even", "quantize.py",
     "return np.where(tie, whole + np.sign(values), np.rint(values))",
     "return np.rint(values)",
     t("test_quantizer_by_hand.py", "test_quantized.py")),
    ("q-clip-low-end", "quantize.py",
     "return np.clip(q, -limit, limit).astype(np.int64)",
     "return np.clip(q, -4, limit).astype(np.int64)",
     t("test_quantizer_by_hand.py", "test_quantized.py")),
    ("q-per-tensor-scale", "quantize.py",
     "largest = weight.max(axis=1, initial=0.0)", "largest = weight.max(initial=0.0)",
     t("test_quantizer_by_hand.py", "test_quantized.py")),
    # --- the front end ---------------------------------------------------------
    ("fe-uniform-params", "frontend/emitter.py",
     "if flat.size and np.all(flat == flat[0]):", "if flat.size:",
     t("test_end_to_end.py", "test_graphs.py")),
    ("fe-recurrent-not-delayed", "frontend/graph.py",
     "sources = [(p, (p, name) in back_edges) for p in predecessors[name]]",
     "sources = [(p, False) for p in predecessors[name]]",
     t("test_graphs.py", "test_end_to_end.py")),
    ("fe-flatten-collision", "frontend/graph.py",
     "        if flat_name in flat_nodes:\n", "        if False:\n",
     t("test_hostile_files.py", "test_fuzz.py")),
    ("fe-unique-idents", "frontend/graph.py",
     "        while ident in taken or (ident != base and ident in reserved):\n",
     "        while False:\n",
     t("test_hostile_files.py", "test_robustness.py")),
    ("fe-external-storage", "frontend/nirfile.py",
     "        if plist.get_external_count() > 0:\n", "        if False:\n",
     t("test_hostile_files.py", "test_robustness.py")),
    # --- the C emission's Python side --------------------------------------------
    ("emit-num-outputs", "emit.py",
     'f"#define {upper}_NUM_OUTPUTS {_count(model.output_shape)}"',
     'f"#define {upper}_NUM_OUTPUTS {_count(model.input_shape)}"',
     t("test_end_to_end.py", "test_generated_c.py")),
    ("emit-reset-partial", "emit.py",
     '"  memset(s, 0, sizeof *s);"', '"  memset(s, 0, 1);"',
     t("test_end_to_end.py", "test_generated_c.py")),
    # NAME_step_events accepts a repeated position (a spike counted twice).
    ("emit-events-repeats", "emit.py",
     "(k > 0 && active[k] <= active[k - 1])", "(k > 0 && active[k] < active[k - 1])",
     t("test_step_events.py")),
    # The wrapper passes the scratch arrays in the wrong order.
    ("emit-scratch-order", "emit.py",
     'args += [f"s->{field.ident}" for field in state.scratch]',
     'args += [f"s->{field.ident}" for field in reversed(state.scratch)]',
     t("test_event_driven_conv.py", "test_step_events.py")),
    # --- integer convolution and pooling ----------------------------------------
    # The average pool's divisor is not folded into the next synapse.
    ("q-avg-not-folded", "quantize.py",
     "        return weight / self.weight_divisor[layer.name] \\\n",
     "        return weight * 1.0 / 1 \\\n",
     t("test_quantized_conv.py")),
]


def package_dir(python):
    out = subprocess.run([python, "-c", "import snnc, os; print(os.path.dirname(snnc.__file__))"],
                         capture_output=True, text=True, check=True, cwd="/")
    return out.stdout.strip()


def apply(copy_root, module, original, mutated):
    path = os.path.join(copy_root, "snnc", module)
    with open(path) as f:
        text = f.read()
    count = text.count(original)
    if count != 1:
        return f"snippet found {count} times in {module}"
    with open(path, "w") as f:
        f.write(text.replace(original, mutated))
    return None


def run_mutant(mutant, source_package, python, timeout):
    ident, module, original, mutated, tests = mutant
    with tempfile.TemporaryDirectory(prefix="snnc-mutant-") as root:
        shutil.copytree(source_package, os.path.join(root, "snnc"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        problem = apply(root, module, original, mutated)
        if problem:
            return "error", problem, 0.0
        env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.path.join(REPO, "python",
                                                                           "tests"),
                   PYTHONDONTWRITEBYTECODE="1")
        env.pop("SNNC_FAIL_ON_SKIP", None)
        where = subprocess.run([python, "-c", "import snnc; print(snnc.__file__)"], env=env,
                               capture_output=True, text=True, cwd=REPO).stdout.strip()
        if not where.startswith(root):
            return "error", f"the tests would import {where}, not the mutated copy", 0.0
        existing = [test for test in tests if os.path.exists(test.split("::")[0])]
        start = time.monotonic()
        try:
            result = subprocess.run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                     *existing], capture_output=True, text=True, env=env,
                                    cwd=REPO, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout", f"tests ran over {timeout} s", time.monotonic() - start
        seconds = time.monotonic() - start
        if result.returncode == 0:
            return "survived", "all tests passed", seconds
        if result.returncode == 1:
            failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
            return "killed", (failed[0][7:] if failed else "a test failed"), seconds
        tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["?"]
        return "error", f"pytest exit {result.returncode}: {tail[0]}", seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the mutants whose id starts so")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds per mutant's test run (default 900)")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if m[0].startswith(args.only)]
    if args.list:
        for ident, module, original, mutated, tests in chosen:
            print(f"{ident:30s} {module:22s} {' '.join(os.path.basename(x) for x in tests)}")
        return 0
    python = sys.executable
    source = package_dir(python)
    print(f"{len(chosen)} mutants of {source}")
    results = []
    for mutant in chosen:
        status, detail, seconds = run_mutant(mutant, source, python, args.timeout)
        results.append((mutant[0], status, detail, seconds))
        print(f"{status:9s} {mutant[0]:30s} {seconds:6.1f} s  {detail}", flush=True)
    killed = sum(1 for r in results if r[1] == "killed")
    print(f"{killed} of {len(results)} mutants killed")
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
