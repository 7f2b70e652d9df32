"""Integer models (--precision int8 / int16).

The generated integer C must equal the integer reference
(snnc.reference.simulate_quantized, which implements docs/quantization.md in
numpy) bit for bit: outputs and every piece of state after every step. The
quantized models must also stay close to the float64 reference (the cost of
quantization, measured), and be free of undefined behaviour (UBSan).
"""
from __future__ import annotations

import itertools
import os
import subprocess
import sys

import nir
import numpy as np
import pytest
# hypothesis is a test dependency (pyproject.toml [test]): without it this
# module fails to import, rather than its random tests vanishing unreported.
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from snnc import api, quantize, reference, report, semantics
from snnc.frontend.graph import load_graph

from conftest import (DT, NirFactory, REPO_ROOT, assert_layers_spike, find_clang, find_tool,
                      layers_are_lively, spike_rates, write_affine_lif)

INTEGER = ("int8", "int16")
N_STEPS = 40


def spike_counts(seed, n_seq, n_in, steps=N_STEPS, high=1):
    """Spikes (high=1) or small spike counts as integer inputs."""
    rng = np.random.default_rng(seed)
    if high == 1:
        return (rng.random((n_seq, steps, n_in)) < 0.35).astype(np.float64)
    return rng.integers(-high, high + 1, size=(n_seq, steps, n_in)).astype(np.float64)


def compare_c_with_integer_reference(path, inputs, cc=None, calibrate=None, **options):
    """Runs the integer C and the integer reference on `inputs`: outputs and
    every membrane and synaptic current must be equal, and every spiking layer
    (if any) must fire in some, not nearly all, of its neuron-steps
    (conftest.assert_layers_spike)."""
    c_out, c_states = api.run_c(path, inputs, name="net", record_states=True, cc=cc,
                                calibrate=calibrate, **options)
    graph = load_graph(path)
    opts = semantics.resolve_options(**options)
    calibration = None if calibrate is None else np.load(calibrate)
    plan = quantize.plan(graph, opts, calibration)
    # Given the calibration inputs, the reference corrects the biases itself.
    ref_out, traces = reference.simulate_quantized(graph, opts, plan, inputs, record=True,
                                                   calibration=calibration)
    np.testing.assert_array_equal(c_out, ref_out)
    compared = 0
    for layer in graph.layers:
        for key, field in ((".v", "_v"), (".i_syn", "_i_syn")):
            if layer.name + key in traces:
                np.testing.assert_array_equal(c_states[layer.ident + field],
                                              traces[layer.name + key],
                                              err_msg=f"{layer.name}{key}")
                compared += 1
    assert compared > 0
    if spike_rates(traces):  # a model of LI or I neurons alone has no spikes
        assert_layers_spike(traces, context=os.path.basename(path))
    return c_out, ref_out, traces


# Random parameters drawn for conftest.DT (run at that dt: at 1e-4 the if_if
# output layer never fired), compared at `gt` only: with continuous random
# parameters no membrane level lands exactly on a threshold level, and `ge`
# gave the same outputs as `gt` in all 12 configurations that ran it.
CHAINS = {
    "lif_lif": ["affine:12", "lif", "affine:5", "lif"],
    "if_if": ["linear:10", "if", "linear:4", "if"],
    "lif_li": ["affine:10", "lif", "affine:4", "li"],
    "lif_i": ["affine:8", "lif", "linear:3", "i"],
}
# Integer weights, thresholds and inputs, decay 1/2 and gain 1 at dt = 1
# (NirFactory exact=True): an input of 1 becomes the same level as a
# threshold of 1 (both round the same product), so membrane levels land
# exactly on threshold levels and `ge` fires where `gt` does not.
EXACT_CHAIN = ["linear:8", "lif", "affine:6", "if"]
RESETS = ("value", "subtract", "subtract-delayed")


def chain_inputs():
    """Three sequences of spikes and two of spike counts in [-3, 3]."""
    return np.concatenate([spike_counts(5, 3, 6), spike_counts(6, 2, 6, high=3)])


@pytest.mark.parametrize("chain,reset,precision", [
    pytest.param(chain, reset, precision, id=f"{chain}-{reset}-{precision}")
    for chain, reset, precision in itertools.product(CHAINS, RESETS, INTEGER)])
def test_chains_equal_the_integer_reference(session_nir, chain, reset, precision):
    path = session_nir.directory / f"q_{chain}.nir"
    if not path.exists():
        session_nir.chain(CHAINS[chain], n_in=6, seed=3 + sorted(CHAINS).index(chain),
                          file_name=path.name, uniform_v_reset=True)
    compare_c_with_integer_reference(path, chain_inputs(), dt=DT, reset=reset, compare="gt",
                                     precision=precision)


@pytest.mark.parametrize("precision", INTEGER)
@pytest.mark.parametrize("reset", RESETS)
def test_exact_chain_tells_gt_from_ge(session_nir, reset, precision):
    """Membrane levels on the threshold level: each comparison equals the
    integer reference, and the two give different outputs."""
    path = session_nir.directory / "q_exact.nir"
    if not path.exists():
        session_nir.chain(EXACT_CHAIN, n_in=6, seed=1, exact=True, uniform_v_reset=True,
                          file_name=path.name)
    outputs = [compare_c_with_integer_reference(path, chain_inputs(), dt=1.0, reset=reset,
                                                compare=compare, precision=precision)[0]
               for compare in ("gt", "ge")]
    assert not np.array_equal(*outputs)


def test_per_neuron_parameters_and_uniform_ones(session_nir):
    """Per-neuron decays and thresholds (fixed-point arrays with one shift)
    and layers whose neurons all agree (scalars)."""
    for uniform in (False, True):
        path = session_nir.chain(["affine:9", "lif", "affine:4", "if"], n_in=5, seed=21,
                                 uniform=uniform, file_name=f"q_uniform_{uniform}.nir")
        compare_c_with_integer_reference(path, spike_counts(8, 3, 5), dt=DT,
                                         reset="value", precision="int8")


@pytest.mark.parametrize("name,preset", [("snntorch_synaptic", "snntorch"),
                                         ("snntorch_rleaky", "snntorch"),
                                         ("norse_lifcell", "norse"),
                                         ("spyx_cubalif", "spyx"),
                                         ("spyx_lif", "spyx"),
                                         ("snntorch_leaky_zero", "snntorch")])
@pytest.mark.parametrize("precision", INTEGER)
def test_framework_models(name, preset, precision):
    """CubaLIF in each current order, a recurrent synapse, spikes decided
    before the update: the frameworks' own exports, quantized."""
    path = REPO_ROOT / "python" / "tests" / "fixtures" / "frameworks" / f"{name}.nir"
    n_in = int(np.prod(load_graph(path).input_shape))
    compare_c_with_integer_reference(path, spike_counts(9, 3, n_in), preset=preset,
                                     precision=precision)


def test_fan_in_and_calibration(tmp_path):
    """Two synapses with their own scales meet at one neuron (two rescales and
    a saturating sum); calibration changes the state scales and the C still
    equals the reference."""
    rng = np.random.default_rng(4)
    tau, n = 5e-3, 6

    def lif(k):
        return nir.LIF(tau=np.full(k, tau), r=np.full(k, 5.0 * tau / 1e-3), v_leak=np.zeros(k),
                       v_threshold=np.full(k, 1.0), v_reset=np.zeros(k))
    nodes = {"input": nir.Input(input_type=np.array([4])),
             "a": nir.Affine(weight=rng.normal(0, 0.5, (n, 4)), bias=rng.normal(0, 0.1, n)),
             "b": nir.Linear(weight=rng.normal(0, 0.05, (n, 4))),
             "lif": lif(n), "out": nir.Linear(weight=rng.normal(0, 1.0, (3, n))),
             "readout": nir.LI(tau=np.full(3, tau), r=np.full(3, 1.0), v_leak=np.zeros(3)),
             "output": nir.Output(output_type=np.array([3]))}
    edges = [("input", "a"), ("input", "b"), ("a", "lif"), ("b", "lif"), ("lif", "out"),
             ("out", "readout"), ("readout", "output")]
    path = tmp_path / "fan_in.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges))
    inputs = spike_counts(11, 3, 4)
    calibration = tmp_path / "calibration.npy"
    np.save(calibration, spike_counts(12, 2, 4))
    mlir = api.generate(path, name="net", emit="mlir", dt=1e-3, precision="int8")["net.snn.mlir"]
    assert mlir.count("unrealized_conversion_cast") == 3  # a, b and out -> their neurons
    linalg = api.generate(path, name="net", emit="linalg", dt=1e-3,
                          precision="int8")["net.linalg.mlir"]
    assert "quant" not in linalg
    for calibrate in (None, calibration):
        compare_c_with_integer_reference(path, inputs, calibrate=calibrate, dt=1e-3,
                                         precision="int8")
    plain = api.generate(path, name="net", dt=1e-3, precision="int8")
    calibrated = api.generate(path, name="net", dt=1e-3, precision="int8",
                              calibrate=calibration)
    assert plain["net.c"] != calibrated["net.c"]
    assert "calibrated on calibration.npy" in calibrated["net.h"].splitlines()[0]
    assert "NET_OUTPUT_SCALE" in plain["net.h"]  # the LI readout's integers have a scale
    # The report reads the readout back in real units through that scale.
    rows = {row["precision"]: row for row in
            report.quantize_report(path, inputs, dt=1e-3)["rows"]}
    assert rows["int16"]["rms_error_relative"] < 1e-3 < rows["int8"]["rms_error_relative"] < 0.1


def test_digits_int8_and_int16_equal_the_reference(digits):
    inputs = digits.inputs[:60].astype(np.float64)
    for precision in INTEGER:
        compare_c_with_integer_reference(digits.nir, inputs, preset="snntorch",
                                         precision=precision)


@pytest.mark.parametrize("compiler", ["gcc", "clang"])
def test_integer_c_is_clean_under_ubsan_and_asan(digits, session_nir, compiler):
    """No signed overflow, no shift of a negative value, no out-of-range
    conversion: UBSan aborts on any of them."""
    cc = find_clang() if compiler == "clang" else find_tool("gcc")
    flags = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"]
    path = session_nir.chain(["affine:12", "lif", "affine:5", "lif"], n_in=6, seed=3,
                             file_name="q_ubsan.nir", uniform_v_reset=True)
    # Large counts drive the state into saturation.
    inputs = spike_counts(13, 2, 6, high=127)
    for precision in INTEGER:
        api.run_c(path, inputs, name="net", cc=cc, extra_cflags=flags, dt=1e-4,
                  reset="subtract", precision=precision)
        api.run_c(digits.nir, digits.inputs[:5].astype(np.float64), name="net",
                  cc=cc, extra_cflags=flags, preset="snntorch", precision=precision)


def test_saturation_is_reached_and_matches(session_nir):
    """Inputs of +-127 push membranes against the int16 limits; the C and the
    reference saturate identically."""
    path = session_nir.chain(["affine:8", "lif", "affine:3", "li"], n_in=6, seed=3,
                             file_name="q_saturate.nir", uniform_v_reset=True)
    inputs = spike_counts(14, 2, 6, high=127)
    _, _, traces = compare_c_with_integer_reference(path, inputs, dt=1e-4, reset="value",
                                                    precision="int8")
    assert any(np.any(np.abs(v) >= 32767) for k, v in traces.items() if k.endswith(".v"))


def test_unsupported_graphs_are_named(tmp_nir):
    path = tmp_nir.chain(["affine:8", "scale", "threshold"], n_in=4, seed=1)
    with pytest.raises(api.SNNCError) as info:
        api.generate(path, name="net", dt=1e-4, precision="int8")
    assert info.value.node == "scale1" and "not supported at --precision int8" in str(info.value)
    path = tmp_nir.chain(["lif", "affine:3", "lif"], n_in=4, seed=1, file_name="spikes_in.nir")
    with pytest.raises(api.SNNCError, match="through a synapse"):
        api.generate(path, name="net", dt=1e-4, precision="int16")
    path = tmp_nir.chain(["affine:8", "lif", "affine:3"], n_in=4, seed=1,
                         file_name="synapse_out.nir")
    with pytest.raises(api.SNNCError, match="the output must come from one neuron layer"):
        api.generate(path, name="net", dt=1e-4, precision="int8")


def test_inputs_must_be_int8_integers(session_nir):
    path = session_nir.chain(["affine:4", "lif"], n_in=3, seed=2, file_name="q_inputs.nir")
    for bad in (np.full((5, 3), 0.5), np.full((5, 3), 200.0)):
        with pytest.raises(api.SNNCError, match="whole numbers in"):
            api.run(path, bad, backend="reference", dt=1e-4, precision="int8")


def test_calibrate_needs_an_integer_precision(session_nir, tmp_path):
    path = session_nir.chain(["affine:4", "lif"], n_in=3, seed=2, file_name="q_cal.nir")
    np.save(tmp_path / "c.npy", np.zeros((4, 3)))
    with pytest.raises(api.SNNCError, match="--calibrate needs --precision int8 or int16"):
        api.generate(path, name="net", dt=1e-4, calibrate=tmp_path / "c.npy")


def test_fixed_point_rules():
    """The documented forms, on values whose fixed point is known by hand."""
    multipliers, shift = reference.fixed_point([0.9])
    assert shift == 30 and multipliers[0] == round(0.9 * 2 ** 30)
    multipliers, shift = reference.fixed_point([25.0])
    assert (multipliers[0], shift) == (25 * 2 ** 25, 25)
    assert reference.fixed_point([0.0, 0.0])[1] == 0
    # Rounding half away from zero, symmetric in the sign.
    x = np.array([3, -3, 5, -5, 1, -1], dtype=np.int64)
    np.testing.assert_array_equal(reference.times_factor(x, [0.5]), [2, -2, 3, -3, 1, -1])
    np.testing.assert_array_equal(quantize.round_half_away([0.5, -0.5, 1.5, -2.5, 2.4]),
                                  [1, -1, 2, -3, 2])
    # Narrow arithmetic: 14-bit multipliers (0.9 = 14746 / 2^14), shifts at most 30.
    multipliers, shift = reference.fixed_point([0.9], 14, 30)
    assert (multipliers[0], shift) == (14746, 14)
    assert reference.fixed_point([1e-12], 14, 30)[1] == 30
    # A narrow rescale with 14-bit multipliers: 25 = 12800 / 2^9. (Which
    # rescales are narrow, and with how many bits, the compiler decides:
    # dialect/test/Conversion/SNNToLinalg/integer_arithmetic.mlir.)
    multipliers, shift = reference.fixed_point([25.0], 14, 30)
    assert (multipliers[0], shift) == (12800, 9)
    np.testing.assert_array_equal(reference.times_factor(np.array([3, -3]), [25.0], (32, 14)),
                                  [75, -75])


def test_the_reference_computes_in_the_arithmetic_the_compiler_chose(digits):
    """The integer arithmetic is decided once, by the compiler, and read from
    its IR: the digits network's neurons run narrow (16-bit state, factors
    near 1), the rescale of the first synapse (fed by the int8 input, sums
    up to 2^19 and more) wide, the second's (fed by single spikes) narrow."""
    graph = load_graph(str(digits.nir))
    opts = api._options(preset="snntorch", precision="int8")
    chosen = api.integer_arithmetic(graph, opts, quantize.plan(graph, opts, None))
    assert chosen.neurons == {"lif1": (32, 14), "lif2": (32, 14)}
    assert chosen.rescales[("lif1", "fc1", False)] == (64, 30)
    width, bits = chosen.rescales[("lif2", "fc2", False)]
    assert width == 32 and 12 <= bits <= 18


# --------------------------------------------------------------------------
# the cost of quantization, measured


def test_digits_report_meets_the_targets(digits):
    """int8 within 1 point of f32 on the shipped example, weights at 25% of
    f32's bytes; int16 as accurate as f32."""
    inputs = digits.inputs.astype(np.float64)
    labels = digits.labels
    result = report.quantize_report(digits.nir, inputs, labels, preset="snntorch")
    rows = {row["precision"]: row for row in result["rows"]}
    assert rows["f32"]["agreement"] == 1.0  # f32 gives snnTorch's spikes on this model
    assert rows["f32"]["accuracy"] - rows["int8"]["accuracy"] <= 0.01
    assert rows["int16"]["accuracy"] >= rows["f32"]["accuracy"] - 0.0025
    assert rows["int8"]["weight_bytes"] <= 0.26 * rows["f32"]["weight_bytes"]
    assert rows["int8"]["state_bytes"] < rows["int16"]["state_bytes"] < rows["f32"]["state_bytes"]
    assert rows["int16"]["agreement"] > 0.999
    text = report.format_report(result)
    assert "int8" in text and "accuracy" in text


def test_bernoulli_network_agreement(tmp_path):
    """784-128-10 LIF network, Bernoulli(0.2) input (docs/quantization.md gives
    the table): int16 keeps 99.9% of the float64 reference's output entries.
    int8 falls short of the issue's 98% on this network (measured 94.0%, 95.4%
    calibrated; rounding the weights to 8 bits costs as much in float
    arithmetic, see the docs), so its bounds here are the measured values less
    a margin, guards against regressions. Calibration on other inputs (bias
    correction, state ranges) must help."""
    sys.path.insert(0, str(REPO_ROOT / "examples" / "models" / "lif784"))
    try:
        import make_model
    finally:
        sys.path.pop(0)
    path = tmp_path / "lif784.nir"
    nir.write(str(path), make_model.build())
    inputs = make_model.inputs().astype(np.float64)  # 20 sequences x 100 steps
    calibration = tmp_path / "calibration.npy"
    np.save(calibration, make_model.inputs(seed=make_model.SEED + 100, sequences=10))
    plain = {row["precision"]: row for row in
             report.quantize_report(path, inputs, preset="snntorch")["rows"]}
    calibrated = {row["precision"]: row for row in
                  report.quantize_report(path, inputs, preset="snntorch",
                                         calibrate=calibration)["rows"]}
    assert plain["int16"]["agreement"] >= 0.999 and calibrated["int16"]["agreement"] >= 0.999
    assert plain["int8"]["agreement"] >= 0.93
    assert calibrated["int8"]["agreement"] >= max(0.945, plain["int8"]["agreement"] + 0.005)


def test_quantize_report_cli(cli, digits, tmp_path):
    plot = tmp_path / "raster.png"
    args = ["quantize-report", str(digits.nir), "--preset", "snntorch",
            "--input", str(digits.dir / "test_inputs.npy"),
            "--labels", str(digits.dir / "test_labels.npy")]
    try:
        import matplotlib  # noqa: F401
        args += ["--plot", str(plot)]
    except ImportError:
        plot = None
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split()[:2] == ["precision", "weights"]
    assert [line.split()[0] for line in lines[2:5]] == ["f32", "int16", "int8"]
    if plot is not None:
        assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = cli("quantize-report", str(digits.nir), "--preset", "snntorch",
              "--input", str(digits.dir / "test_inputs.npy"),
              "--labels", str(tmp_path / "missing.npy"))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "missing.npy" in bad.stderr


@st.composite
def integer_chains(draw):
    """Synapse-neuron pairs (what integer models support); only the last
    neuron may be a non-spiking readout."""
    n_pairs = draw(st.integers(1, 3))
    spec = []
    for index in range(n_pairs):
        spec.append(f"{draw(st.sampled_from(['affine', 'linear']))}:{draw(st.integers(1, 9))}")
        kinds = ["lif", "if", "li", "i"] if index == n_pairs - 1 else ["lif", "if"]
        spec.append(draw(st.sampled_from(kinds)))
    return dict(spec=spec, n_in=draw(st.integers(1, 20)), seed=draw(st.integers(0, 10**6)),
                reset=draw(st.sampled_from(RESETS)), compare=draw(st.sampled_from(["gt", "ge"])),
                precision=draw(st.sampled_from(INTEGER)), uniform=draw(st.booleans()),
                high=draw(st.sampled_from([1, 3, 127])))


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(arch=integer_chains())
def test_random_integer_chains(session_nir, arch):
    """Random integer models (sizes, parameters, resets, comparisons, inputs
    from spikes to +-127): the C equals the integer reference."""
    path = session_nir.chain(arch["spec"], n_in=arch["n_in"], seed=arch["seed"],
                             uniform=arch["uniform"], uniform_v_reset=True,
                             file_name=f"q_random_{arch['seed']}.nir")
    inputs = spike_counts(arch["seed"], 2, arch["n_in"], steps=25, high=arch["high"])
    options = dict(dt=1e-3, reset=arch["reset"], compare=arch["compare"],
                   precision=arch["precision"])
    # A random model may never fire (one neuron, one weak input) or always:
    # such an example leaves the spike paths untested and is replaced by
    # another (before the C is built), not counted.
    graph, opts = load_graph(path), semantics.resolve_options(**options)
    _, traces = reference.simulate_quantized(graph, opts, quantize.plan(graph, opts, None),
                                             inputs, record=True)
    assume(layers_are_lively(traces))
    compare_c_with_integer_reference(path, inputs, **options)


@pytest.mark.parametrize("precision", ["f32", "int8", "int16"])
def test_input_as_spikes(precision):
    """--input-kind spikes: a positive input is one spike, anything else none.
    The optimized C (which scans the raw input for x > 0 and adds rows without
    a multiply), the reference lowering's C, and the model fed the thresholded
    input as values all agree; integer models also equal the reference."""
    path = REPO_ROOT / "examples" / "models" / "digits" / "digits.nir"
    rng = np.random.default_rng(12)
    inputs = rng.integers(-3, 4, size=(4, 20, 64)).astype(np.float64)
    spikes = dict(preset="snntorch", precision=precision, input_kind="spikes")
    fast, fast_states = api.run_c(path, inputs, record_states=True, **spikes)
    plain, plain_states = api.run_c(path, inputs, record_states=True, optimize=False, **spikes)
    as_values = api.run_c(path, (inputs > 0).astype(np.float64), preset="snntorch",
                          precision=precision)
    np.testing.assert_array_equal(fast, plain)
    for key in fast_states:
        np.testing.assert_array_equal(fast_states[key], plain_states[key], err_msg=key)
    np.testing.assert_array_equal(fast, as_values)
    assert fast.sum() > 0
    if precision in INTEGER:
        compare_c_with_integer_reference(path, inputs, **spikes)


def test_input_as_spikes_makes_the_first_rescale_narrow():
    """Spikes bound the first synapse's accumulator by sum |w| instead of
    128 sum |w|: its rescale computes in int32 (no int64 left in the C)."""
    path = REPO_ROOT / "examples" / "models" / "digits" / "digits.nir"
    values = api.generate(path, name="m", preset="snntorch", precision="int8")["m.c"]
    spikes = api.generate(path, name="m", preset="snntorch", precision="int8",
                          input_kind="spikes")["m.c"]
    assert "int64_t" in values
    assert "int64_t" not in spikes


@pytest.mark.parametrize("cuba_order", ["current-first", "voltage-first", "joined"])
def test_narrow_arithmetic_at_its_limits(tmp_path, cuba_order):
    """The narrow (int32) rule near its limits: CubaLIF with the current added
    before it decays (the compound operands of the overflow argument), gains
    just under 1 + 2^-10, decays near 1, inputs of +-127 that drive the
    synaptic current into saturation. The C must stay int32 and equal the
    (int64) reference bit for bit."""
    n_in, n = 5, 6
    rng = np.random.default_rng(7)
    dt, tau_mem, tau_syn = 1e-4, 1e-4 * 1024, 1e-4 * 512
    nodes = {"input": nir.Input(input_type=np.array([n_in])),
             "fc": nir.Affine(weight=rng.normal(0, 2.0, (n, n_in)), bias=rng.normal(0, 1.0, n)),
             "cuba": nir.CubaLIF(tau_syn=np.full(n, tau_syn), tau_mem=np.full(n, tau_mem),
                                 r=np.full(n, 1024.9), v_leak=np.full(n, 0.01),
                                 v_threshold=np.linspace(0.5, 4.0, n), v_reset=np.zeros(n),
                                 w_in=np.linspace(0.99, 1.0009, n)),
             "output": nir.Output(output_type=np.array([n]))}
    path = tmp_path / "limits.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=[("input", "fc"), ("fc", "cuba"),
                                                           ("cuba", "output")]))
    options = dict(dt=dt, reset="subtract", precision="int8", current_update="add-then-decay",
                   cuba_order=cuba_order)
    source = api.generate(path, name="net", **options)["net.c"]
    step = source[source.index("static void net_step_compute"):]
    assert "int64_t" not in step.split("net_step_compute")[1].split("\nvoid ")[0]
    inputs = rng.integers(-127, 128, size=(3, 60, n_in)).astype(np.float64)
    _, _, traces = compare_c_with_integer_reference(path, inputs, **options)
    assert any(np.any(np.abs(v) >= 32767) for k, v in traces.items() if k.endswith(".i_syn"))


@pytest.mark.parametrize("compiler", ["gcc", "clang"])
def test_narrow_sums_of_negative_products_under_ubsan(tmp_path, compiler):
    """A synapse whose sums fit int16 (one large weight, two inputs: the bound
    127 * 128 + 1 * 128 is below 2^15) fed by negative int8 values: each
    product of two negative numbers is taken in int32 (C would multiply the
    uint16_t forms as int and overflow; clang's UBSan aborts on it, found
    before the fix). The outputs equal the integer reference."""
    cc = find_clang() if compiler == "clang" else find_tool("gcc")
    if cc is None:
        pytest.skip(f"{compiler} not installed")
    path = write_affine_lif(tmp_path / "negative.nir", np.array([[-1.0, -0.01], [-0.5, 0.02]]),
                          bias=np.zeros(2), threshold=0.5)
    options = dict(dt=1e-4, reset="subtract", precision="int8")
    inputs = np.random.default_rng(5).integers(-127, 128, size=(2, 40, 2)).astype(np.float64)
    inputs[:, ::3] = -127  # both factors at their most negative
    c_out = api.run_c(path, inputs, name="net", cc=cc, **options,
                      extra_cflags=["-fsanitize=undefined", "-fno-sanitize-recover=all"])
    graph = load_graph(path)
    opts = semantics.resolve_options(**options)
    ref_out = reference.simulate_quantized(graph, opts, quantize.plan(graph, opts, None), inputs)
    np.testing.assert_array_equal(c_out, ref_out)


def test_packed_rows_past_the_16_bit_wrap(tmp_path):
    """Packed int8 rows (two weights per 16-bit lane, docs/design.md): with 600
    inputs all active, 128 per row added reaches 76800, past 2^16, and the
    totals wrap many times; the wrapped arithmetic must still give the exact
    sums. The C (packed) equals the reference lowering's C (a dense int16 sum)
    and the integer reference, states included, at every input rate."""
    n_in, n = 600, 6
    rng = np.random.default_rng(21)
    weight = rng.uniform(-0.1, 0.1, (n, n_in))
    weight[np.arange(n), rng.integers(0, n_in, n)] = [1.0, -1.0, 0.8, -0.7, 0.9, 1.0]
    path = write_affine_lif(tmp_path / "wide.nir", weight, bias=rng.uniform(-0.5, 0.5, n),
                          threshold=2.0)
    options = dict(dt=1e-4, reset="subtract", precision="int8", input_kind="spikes")
    source = api.generate(path, name="net", **options)["net.c"]
    assert f"int16_t net_constant_{n_in * n // 2}xi16" in source  # the packed rows
    rates = np.array([1.0, 0.9, 0.5, 0.02])[:, None, None]
    inputs = (rng.random((4, 30, n_in)) < rates).astype(np.float64)
    fast, fast_states = api.run_c(path, inputs, record_states=True, **options)
    plain, plain_states = api.run_c(path, inputs, record_states=True, optimize=False, **options)
    np.testing.assert_array_equal(fast, plain)
    for key in fast_states:
        np.testing.assert_array_equal(fast_states[key], plain_states[key], err_msg=key)
    compare_c_with_integer_reference(path, inputs, **options)
    assert 0 < fast.sum() < fast.size
