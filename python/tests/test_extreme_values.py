"""Extreme values: parameters the target type cannot hold, inputs that are NaN,
infinite or huge, and what the generated C does with them (no undefined
behaviour, equal to the reference).

Models are written here with nir.write from explicit parameters; the
expected spike counts of the multi-spike test are worked out by hand from
docs/semantics.md, not computed by snnc.
"""
import os
import re
import shutil
import subprocess
import sys

import nir
import numpy as np
import pytest

from snnc import SNNCError, api

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures", "frameworks")
DIGITS = os.path.join(HERE, "..", "..", "examples", "models", "digits", "digits.nir")
# float-cast-overflow is part of clang's `undefined`, not of gcc's: named so
# that both check float-to-integer conversions.
SANITIZE = ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
            "-fsanitize=float-cast-overflow", "-fno-sanitize-recover=all"]
NAN, INF = float("nan"), float("inf")


def compiler(cc):
    if shutil.which(cc) is None:
        if os.environ.get("SNNC_REQUIRE_CLANG") == "1":
            pytest.fail(f"{cc} is required")
        pytest.skip(f"{cc} is not installed")
    return cc


def chain(path, layers, n_in):
    """Input -> layers (name, node) in order -> Output."""
    nodes = {"input": nir.Input(input_type={"input": np.array([n_in])})}
    width = n_in
    for name, node in layers:
        nodes[name] = node
        if isinstance(node, (nir.Affine, nir.Linear)):
            width = node.weight.shape[0]
    nodes["output"] = nir.Output(output_type={"output": np.array([width])})
    names = ["input"] + [name for name, _ in layers] + ["output"]
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=list(zip(names[:-1], names[1:])),
                                      type_check=False))
    return str(path)


def lif(n=2, **values):
    p = dict(tau=0.02, r=1.0, v_leak=0.0, v_threshold=1.0, v_reset=0.0)
    p.update(values)
    return nir.LIF(**{k: np.full(n, float(v)) for k, v in p.items()})


def cuba_lif(n=2, **values):
    p = dict(tau_syn=0.01, tau_mem=0.02, r=1.0, v_leak=0.0, w_in=1.0, v_threshold=1.0,
             v_reset=0.0)
    p.update(values)
    return nir.CubaLIF(**{k: np.full(n, float(v)) for k, v in p.items()})


def affine(weight=0.5, bias=0.1, n_out=2, n_in=2):
    return nir.Affine(weight=np.full((n_out, n_in), float(weight)),
                      bias=np.full(n_out, float(bias)))


# --------------------------------------------------------------------------
# Item: values that overflow the target type are refused, naming the node and
# the NIR parameters, by the compiler and the reference alike.

# (case, layers, options, node, words the message must contain)
REFUSED = [
    ("weight_1e300_f32", [("fc", affine(weight=1e300)), ("lif", lif())], dict(dt=1e-3),
     "fc", ["parameter 'weight' has 1e+300", "float32 cannot hold", "largest 3.4e+38"]),
    ("threshold_1e39_f32", [("fc", affine()), ("lif", lif(v_threshold=1e39))], dict(dt=1e-3),
     "lif", ["parameter 'v_threshold' has 1e+39", "float32 cannot hold"]),
    ("reset_1e39_f32", [("fc", affine()), ("lif", lif(v_reset=-1e39))],
     dict(dt=1e-3, reset="subtract"), "lif", ["parameter 'v_reset' has -1e+39"]),
    ("r_1e300_f32", [("fc", affine()), ("lif", lif(r=1e300))], dict(dt=1e-3),
     "lif", ["r 1e+300, tau 0.02 with dt 0.001 gives a gain of 5e+298, beyond float32"]),
    ("tau_1e-300_f32", [("fc", affine()), ("lif", lif(tau=1e-300))], dict(dt=1e-3),
     "lif", ["tau 1e-300 with dt 0.001 gives a decay of -1e+297, beyond float32"]),
    ("tau_denormal_f64", [("fc", affine()), ("lif", lif(tau=5e-324))],
     dict(dt=1e-3, precision="f64"), "lif", ["tau 4.94e-324 with dt 0.001 gives a decay",
                                             "overflows float64"]),
    ("tau_syn_tiny_f32", [("fc", affine()), ("cuba", cuba_lif(tau_syn=1e-42))], dict(dt=1e-3),
     "cuba", ["tau_syn 1e-42 with dt 0.001 gives a syn decay of -1e+39", "beyond float32"]),
    ("dt_1e300_f32", [("fc", affine()), ("lif", lif())], dict(dt=1e300),
     "lif", ["tau 0.02 with dt 1e+300 gives a decay of -5e+301, beyond float32"]),
    ("dt_1e300_if_f32", [("fc", affine()), ("if", nir.IF(r=np.ones(2), v_threshold=np.ones(2),
                                                          v_reset=np.zeros(2)))],
     dict(dt=1e300), "if", ["r 1 with dt 1e+300 gives a gain of 1e+300, beyond float32"]),
    ("scale_1e39_f32", [("scale", nir.Scale(scale=np.full(2, 1e39)))], dict(dt=1e-3),
     "scale", ["parameter 'scale' has 1e+39"]),
    ("delay_1e17_s", [("late", nir.Delay(delay=np.array([1e17, 1e-3])))], dict(dt=1e-3),
     "late", ["a delay of 1e+17 s at dt = 0.001 s is 1e+20 steps"]),
    ("weight_1e30_int8", [("fc", affine(weight=1e30)), ("lif", lif())],
     dict(dt=1e-3, precision="int8"), "lif",
     ["the accumulator of 'fc'", "rescale by 3.23e+31", "below 2^30"]),
    ("bias_1e30_int16", [("fc", affine(bias=1e30)), ("lif", lif())],
     dict(dt=1e-3, precision="int16"), "lif", ["the accumulator of 'fc'", "below 2^30"]),
    ("threshold_1e-30_int8", [("fc", affine()), ("lif", lif(v_threshold=1e-30))],
     dict(dt=1e-3, precision="int8"), "lif", ["from v_threshold 1e-30", "below 2^30"]),
    ("weight_1e300_int8", [("fc", affine(weight=1e300)), ("lif", lif())],
     dict(dt=1e-3, precision="int8"), "fc",
     ["parameter 'weight' has 1e+300", "--precision int8 scale", "beyond float32"]),
    ("threshold_1e300_int16", [("fc", affine()), ("lif", lif(v_threshold=1e300))],
     dict(dt=1e-3, precision="int16"), "lif", ["v_threshold 1e+300", "beyond float32"]),
    ("decay_int8", [("fc", affine()), ("lif", lif(tau=1e-300))],
     dict(dt=1e-3, precision="int8"), "lif",
     ["tau 1e-300 with dt 0.001 gives a decay of -1e+297", "fixed-point factors"]),
    ("leak_levels_int8", [("fc", affine()), ("lif", lif(v_leak=1e300))],
     dict(dt=1e-3, precision="int8"), "lif",
     ["v_leak 1e+300, tau 0.02 with dt 0.001 gives a leak of 5e+298", "below 2^62"]),
]


@pytest.mark.parametrize("case,layers,options,node,words", REFUSED, ids=[c[0] for c in REFUSED])
def test_values_the_type_cannot_hold_are_refused(tmp_path, case, layers, options, node, words):
    path = chain(tmp_path / f"{case}.nir", layers, 2)
    with pytest.raises(SNNCError) as compiled:
        api.generate(path, name="m", **options)
    message = str(compiled.value)
    assert f"node '{node}'" in message, message
    for word in words:
        assert word in message, (word, message)
    # The reference refuses the same model with the same message, rather than
    # computing with infinities.
    with pytest.raises(SNNCError) as simulated:
        api.run(path, np.ones((3, 2)), backend="reference", **options)
    assert str(simulated.value) == message


@pytest.mark.parametrize("case", ["weight_1e300_f32", "threshold_1e-30_int8", "delay_1e17_s",
                                  "tau_1e-300_f32"])
def test_refusals_through_the_cli(tmp_path, case):
    _, layers, options, node, words = next(c for c in REFUSED if c[0] == case)
    path = chain(tmp_path / f"{case}.nir", layers, 2)
    out = tmp_path / "out"
    flags = [f"--{key.replace('_', '-')}={value}" for key, value in options.items()]
    result = subprocess.run([sys.executable, "-m", "snnc", "compile", path, "-o", str(out),
                             "--name", "m", *flags], capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"snnc: error: {path}: node '{node}': "), lines[0]
    for word in words:
        assert word in lines[0]
    assert not out.exists() or os.listdir(out) == []


@pytest.mark.parametrize("case,layers,options", [
    # float32's largest neighbourhood: 3.4e38 fits (below 3.4028e38).
    ("weight_3.4e38_f32", [("fc", affine(weight=3.4e38, bias=-3.4e38)), ("lif", lif())],
     dict(dt=1e-3)),
    ("threshold_3.4e38_f32", [("fc", affine()), ("lif", lif(v_threshold=3.4e38))], dict(dt=1e-3)),
    ("weight_1e300_f64", [("fc", affine(weight=1e300)), ("lif", lif(v_threshold=1e39))],
     dict(dt=1e-3, precision="f64")),
    # Denormal and tiny parameters: they round to zero in float32.
    ("tiny_f32", [("fc", affine(weight=5e-324, bias=1e-300)), ("lif", lif(v_leak=1e-300))],
     dict(dt=1e-3)),
    # A scale below float32's smallest denormal (which MLIR's quant types
    # refuse, aborting before): the weights round to zero.
    ("tiny_weights_int8", [("fc", affine(weight=1e-300, bias=0.0)), ("lif", lif())],
     dict(dt=1e-3, precision="int8")),
    ("huge_threshold_int8", [("fc", affine()), ("lif", lif(v_threshold=1e30))],
     dict(dt=1e-3, precision="int8")),
], ids=lambda v: v if isinstance(v, str) else "")
def test_values_the_type_holds_compile_and_equal_the_reference(tmp_path, case, layers, options):
    path = chain(tmp_path / f"{case}.nir", layers, 2)
    x = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 1.0]])
    c = api.run_c(path, x, cc=compiler("gcc"), **options)
    np.testing.assert_array_equal(c, api.run(path, x, backend="reference", **options))


# --------------------------------------------------------------------------
# Item: multi-spike neurons clamp the ratio u / threshold to [0, 65536] before
# converting it to an integer (NaN and negative ratios give no spike).

def multi_spike_if(tmp_path):
    """Input(4) -> IF(r = 1, thresholds 1, -1, 0, 1): no synapse, so that each
    neuron sees its own input only (a matrix product would spread a NaN or
    an infinity to every neuron: 0 * inf is NaN)."""
    return chain(tmp_path / "multi.nir", [
        ("neuron", nir.IF(r=np.ones(4), v_threshold=np.array([1.0, -1.0, 0.0, 1.0]),
                          v_reset=np.zeros(4)))], 4)


# One column per neuron; with dt = 1 and r = 1 the membrane adds the input.
MULTI_INPUTS = np.array([
    [2.5, 2.5, 1.0, 1e30],
    [0.0, -5.0, -2.0, -1e30],
    [NAN, 1.75, 1.0, -3.4e38],
    [1.0, -0.25, INF, 0.0],
    [1.0, 0.25, -INF, 3.4e38],
])
# Worked out from docs/semantics.md (subtract reset, v >= thr):
# neuron 0 (thr 1): u = 2.5 -> 2 spikes, v = 0.5; 0.5 -> none; NaN from then on -> none.
# neuron 1 (thr -1): u = 2.5 fires but 2.5 / -1 < 0 -> none (not -2); -2.5 does not fire;
#   -0.75 fires, ratio 0.75 -> none; -1.0 fires, ratio 1 -> 1 spike, v = 0; 0.25 -> none.
# neuron 2 (thr 0): u = 1 -> 1/0 = inf -> the cap 65536, v = 1 - 65536 * 0 = 1; -1 does
#   not fire; 0 fires, 0/0 = NaN -> none; inf -> the cap; inf - inf = NaN -> none.
# neuron 3 (thr 1): 1e30 -> the cap, v = 1e30 - 65536 (= 1e30 at f64); -1e30 -> v = 0 (f64),
#   no spike; -3.4e38 (a ratio of -3.4e38, undefined behaviour before) -> none; then
#   3.4e38 - 3.4e38 = 0 at f64 (at f32, 1e30 - 65536 rounds to 1e30f too) -> none.
MULTI_EXPECTED = np.array([
    [2, 0, 65536, 65536],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 1, 65536, 0],
    [0, 0, 0, 0],
], dtype=np.float64)
MULTI_OPTIONS = dict(dt=1.0, spikes="multiple", compare="ge", input_gains="nir")


@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("precision", ["f32", "f64"])
@pytest.mark.parametrize("reset", ["subtract", "value"])
def test_multi_spike_counts_of_nan_negative_and_huge_ratios(tmp_path, cc, precision, reset):
    path = multi_spike_if(tmp_path)
    options = dict(MULTI_OPTIONS, precision=precision, reset=reset)
    c = api.run_c(path, MULTI_INPUTS, cc=compiler(cc), extra_cflags=SANITIZE, **options)
    reference = api.run(path, MULTI_INPUTS, backend="reference", **options)
    if reset == "subtract":
        np.testing.assert_array_equal(c, MULTI_EXPECTED)
    np.testing.assert_array_equal(c, reference)


def test_multi_spike_membranes_equal_the_reference(tmp_path):
    """NaN stays in the membrane (no spike ever); the other states as the
    reference computes them."""
    path = multi_spike_if(tmp_path)
    options = dict(MULTI_OPTIONS, precision="f64", reset="subtract")
    _, states = api.run_c(path, MULTI_INPUTS, record_states=True, **options)
    v = states["neuron_v"]
    assert np.isnan(v[2:, 0]).all() and v[1, 0] == 0.5
    np.testing.assert_array_equal(v[:, 1], [2.5, -2.5, -0.75, 0.0, 0.25])
    np.testing.assert_array_equal(v[:, 2], [1.0, -1.0, 0.0, INF, NAN])


# --------------------------------------------------------------------------
# Item: every preset, at f32 and f64, fed NaN, +-Inf, +-1e30 and +-3.4e38,
# runs clean under ASan and UBSan with gcc and clang and equals the
# reference; integer models are fed their extremes (-128 and 127).

PRESET_MODELS = {"snntorch": "snntorch_synaptic", "norse": "norse_lifbox",
                 "sinabs": "sinabs_iaf", "spyx": "spyx_cubalif", "rockpool": "rockpool_lif_burst"}
EXTREMES = [NAN, INF, -INF, 1e30, -1e30, 3.4e38, -3.4e38]


def extreme_inputs(n_in, steps=6):
    rng = np.random.default_rng(7)
    x = (rng.random((4, steps, n_in)) < 0.4).astype(np.float64)
    # Sequence 0: every extreme at every input, in turn.
    for t in range(steps):
        for i in range(n_in):
            x[0, t, i] = EXTREMES[(t + i) % len(EXTREMES)]
    x[1, 2] = NAN                       # one NaN step among ordinary ones
    x[2, :] = 3.4e38 * np.where(np.arange(steps) % 2, -1.0, 1.0)[:, None]
    x[3, :, ::2] = -1e30                # large negative membranes
    return x


@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("precision", ["f32", "f64"])
@pytest.mark.parametrize("preset", sorted(PRESET_MODELS))
def test_presets_under_sanitizers_with_extreme_inputs(preset, precision, cc):
    path = os.path.join(FIXTURES, f"{PRESET_MODELS[preset]}.nir")
    x = extreme_inputs(12)
    options = dict(preset=preset, precision=precision)
    c = api.run_c(path, x, cc=compiler(cc), extra_cflags=SANITIZE, **options)
    np.testing.assert_array_equal(c, api.run(path, x, backend="reference", **options))


@pytest.mark.parametrize("precision", ["f32", "f64"])
def test_nan_input_is_no_spike_under_input_kind_spikes(precision):
    """`x > 0` is false for NaN: no spike, and nothing else changes."""
    path = os.path.join(FIXTURES, "snntorch_leaky_subtract.nir")
    x = extreme_inputs(12)
    options = dict(preset="snntorch", precision=precision, input_kind="spikes")
    c = api.run_c(path, x, cc=compiler("gcc"), extra_cflags=SANITIZE, **options)
    np.testing.assert_array_equal(c, api.run(path, x, backend="reference", **options))
    as_spikes = np.where(np.isnan(x), 0.0, x)
    np.testing.assert_array_equal(c, api.run(path, as_spikes, backend="reference", **options))


@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("precision", ["int8", "int16"])
@pytest.mark.parametrize("preset", sorted(PRESET_MODELS))
def test_integer_presets_under_sanitizers_with_extreme_inputs(preset, precision, cc):
    path = os.path.join(FIXTURES, f"{PRESET_MODELS[preset]}.nir")
    x = np.random.default_rng(8).integers(-128, 128, (3, 6, 12)).astype(np.float64)
    x[0] = 127.0
    x[1] = -128.0
    options = dict(preset=preset, precision=precision)
    if preset in ("sinabs", "rockpool"):
        options["spikes"] = "single"  # integer models count one spike per step
    c = api.run_c(path, x, cc=compiler(cc), extra_cflags=SANITIZE, **options)
    np.testing.assert_array_equal(c, api.run(path, x, backend="reference", **options))


@pytest.mark.parametrize("backend", ["c", "reference"])
def test_integer_models_refuse_nan_inputs(backend):
    path = os.path.join(FIXTURES, "snntorch_synaptic.nir")
    x = np.zeros((3, 12))
    x[1, 4] = NAN
    with pytest.raises(SNNCError, match=r"whole numbers in \[-128, 127\]"):
        api.run(path, x, backend=backend, preset="snntorch", precision="int8")


# --------------------------------------------------------------------------
# Item: small defects of the generated C.

@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("precision", ["int8", "int16"])
@pytest.mark.parametrize("layers", [
    # Weights so small that they, and the rescale of their accumulator, round
    # to zero (exactly zero weights keep a scale of 1 and read the input).
    [("fc", affine(weight=1e-300, bias=0.0)), ("lif", lif())],
    # The rescale into the state (threshold 1e30) has a multiplier of zero.
    [("fc", affine()), ("lif", lif(v_threshold=1e30))],
], ids=["weights_round_to_zero", "rescale_rounds_to_zero"])
def test_integer_model_that_never_reads_its_input(tmp_path, cc, precision, layers):
    """Its step never reads the input: the parameter is cast to void, or
    -Wextra -Werror (unused parameter) rejected the C."""
    path = chain(tmp_path / "zero.nir", layers, 2)
    options = dict(dt=1e-3, precision=precision)
    source = api.generate(path, name="m", **options)["m.c"]
    assert re.search(r"\(void\)v\d+;", source)
    x = np.array([[1.0, 0.0], [127.0, -128.0]])
    c = api.run_c(path, x, cc=compiler(cc), **options)  # strict flags, -Werror
    np.testing.assert_array_equal(c, api.run(path, x, backend="reference", **options))


@pytest.mark.parametrize("precision", ["f32", "int8"])
def test_no_reserved_identifiers_in_the_generated_c(precision):
    files = api.generate(DIGITS, name="kws", preset="snntorch", precision=precision)
    # C11 7.1.3: identifiers that begin with two underscores, or with one and
    # an upper-case letter, are reserved (the header's __cplusplus test is
    # the implementation's own macro, as are __GNUC__ and __clang__ that
    # guard a gcc pragma; _Static_assert is a C11 keyword).
    for name, text in files.items():
        reserved = set(re.findall(r"\b_[_A-Z]\w*", text)) - {
            "__cplusplus", "__GNUC__", "__clang__", "_Static_assert"}
        assert not reserved, (name, sorted(reserved))
    assert re.search(r"static const \w+ kws_constant_\w+\[", files["kws.c"])


def test_regression_a_zero_spike_count_is_positive_zero(tmp_path):
    """Found by differential fuzzing: under --spikes multiple, a neuron with a
    negative threshold whose membrane is exactly +0.0 fires (0 >= -0.5) and
    counted trunc(0 / -0.5) = -0.0 spikes in the reference, +0.0 in the C."""
    nodes = {"input": nir.Input(input_type={"input": np.array([1])}),
             "if": nir.IF(r=np.ones(1), v_threshold=np.full(1, -0.5), v_reset=np.zeros(1)),
             "output": nir.Output(output_type={"output": np.array([1])})}
    path = str(tmp_path / "zero.nir")
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=[("input", "if"), ("if", "output")]))
    x = np.zeros((3, 1))
    c_out = api.run(path, x, preset="sinabs", precision="f64")
    ref_out = api.run(path, x, backend="reference", preset="sinabs", precision="f64")
    assert np.all(np.signbit(c_out) == np.signbit(ref_out)) and not np.any(np.signbit(ref_out))
    np.testing.assert_array_equal(c_out, ref_out)
