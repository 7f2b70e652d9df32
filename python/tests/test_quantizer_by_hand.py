"""The quantizer's integer constants against values worked out by hand.

The C-vs-integer-reference tests compare two implementations; these pin the
quantizer itself (quantize.py: round_half_away, quantize_weights, the plan's
weight and state scales, bias_of and the calibrated bias correction) and the
constants the front end writes into the IR to numbers derived in the comments
from the rule of docs/quantization.md, never by the code under test.

Scales are powers of two wherever a tie is tested (127/128 / 127 is exactly
2^-7), so that W / s lands exactly on .5 and the tie rule decides.
"""
from __future__ import annotations

import numpy as np
import pytest

from snnc import api, quantize, reference, semantics
from snnc.frontend.graph import load_graph

from conftest import REPO_ROOT, write_affine_lif

INT8_OPTIONS = dict(dt=1e-4, reset="subtract", precision="int8")


def test_rounding_is_half_away_from_zero():
    # Ties: 0.5 -> 1, -0.5 -> -1, 1.5 -> 2, -2.5 -> -3 (half-even would give
    # 0, 0, 2, -2; floor 0, -1, 1, -3); non-ties go to the nearest.
    np.testing.assert_array_equal(
        quantize.round_half_away([0.5, -0.5, 1.5, -2.5, 2.4, -2.6, 0.0]),
        [1, -1, 2, -3, 2, -3, 0])
    # The largest double below 0.5 is not a tie: it rounds to 0 (adding 0.5
    # to it gives 1.0 in float64, which is why the tie test must be exact).
    below_half = np.nextafter(0.5, 0.0)
    np.testing.assert_array_equal(quantize.round_half_away([below_half, -below_half]), [0, 0])
    # Whole numbers from 2^52 on stay as they are; 2^52 - 0.5 is a tie -> 2^52.
    np.testing.assert_array_equal(quantize.round_half_away([2.0 ** 53, 2.0 ** 52 - 0.5]),
                                  [2.0 ** 53, 2.0 ** 52])


def test_weight_ties_at_a_power_of_two_scale():
    # At scale 2^-2: 0.125 / 0.25 = 0.5 -> 1; -0.125 -> -0.5 -> -1;
    # 0.375 -> 1.5 -> 2; -0.625 -> -2.5 -> -3; 0.3 -> 1.2 -> 1.
    np.testing.assert_array_equal(
        quantize.quantize_weights([0.125, -0.125, 0.375, -0.625, 0.3], 0.25, 8),
        [1, -1, 2, -3, 1])


def test_clip_is_symmetric_at_both_ends():
    # int8: +-(2^7 - 1) = +-127; -128 is never used (zero point 0, symmetric).
    # 127.4 -> 127; -127.6 rounds to -128, clipped to -127; +-200 -> +-127.
    np.testing.assert_array_equal(
        quantize.quantize_weights([200.0, -200.0, 127.4, -127.6, -127.0], 1.0, 8),
        [127, -127, 127, -127, -127])
    # int16: +-(2^15 - 1) = +-32767. The tie 32766.5 -> 32767; the tie
    # -32767.5 -> -32768, clipped to -32767; +-40000 -> +-32767.
    np.testing.assert_array_equal(
        quantize.quantize_weights([40000.0, -40000.0, 32766.5, -32767.5], 1.0, 16),
        [32767, -32767, 32767, -32767])
    # int32 (biases): +-(2^31 - 1) = +-2147483647.
    np.testing.assert_array_equal(quantize.quantize_weights([3e9, -3e9], 1.0, 32),
                                  [2147483647, -2147483647])


def test_one_scale_per_row():
    # Row i at scale s_i: row 0 at 2^-1, row 1 at 2^-3.
    # Row 0: 0.25 / 0.5 = 0.5 -> 1, -0.75 / 0.5 = -1.5 -> -2.
    # Row 1: 0.0625 / 0.125 = 0.5 -> 1, -0.3125 / 0.125 = -2.5 -> -3.
    np.testing.assert_array_equal(
        quantize.quantize_weights([[0.25, -0.75], [0.0625, -0.3125]], [0.5, 0.125], 8),
        [[1, -2], [1, -3]])


# A square weight (so that a scale taken over the wrong axis still has the
# right shape) whose row maxima are 127 times a power of two:
#   row 0: max |W_0j| = 127/128 -> s_0 = 2^-7
#   row 1: max |W_1j| = 127/64  -> s_1 = 2^-6
#   row 2: max |W_2j| = 127/1024 -> s_2 = 2^-10
# (the column maxima, 127/64, 2.5/64 and 127/1024, give other scales).
SQUARE_WEIGHT = [[127 / 128, -0.5 / 128, 1.5 / 128],
                 [-127 / 64, 2.5 / 64, 0.0],
                 [0.0, -2.5 / 1024, 127 / 1024]]
# Integer weights, W_ij / s_i rounded half away from zero:
#   row 0: 127, -0.5 -> -1, 1.5 -> 2
#   row 1: -127, 2.5 -> 3, 0
#   row 2: 0, -2.5 -> -3, 127
SQUARE_WEIGHT_LEVELS = [[127, -1, 2], [-127, 3, 0], [0, -3, 127]]
# Biases at the same scales: 1.5 / 128 -> 1.5 -> 2; -2.5 / 64 -> -2.5 -> -3;
# 0.5 / 1024 -> 0.5 -> 1.
SQUARE_BIAS = [1.5 / 128, -2.5 / 64, 0.5 / 1024]
SQUARE_BIAS_LEVELS = [2, -3, 1]


def square_model(tmp_path):
    path = write_affine_lif(tmp_path / "square.nir", SQUARE_WEIGHT, SQUARE_BIAS)
    return path, load_graph(path)


def test_plan_gives_each_output_row_its_own_scale(tmp_path):
    path, graph = square_model(tmp_path)
    plan = quantize.plan(graph, semantics.resolve_options(**INT8_OPTIONS))
    # The accumulator bound (sum |W| x 128 + |b|, about 3 x 128, against
    # 2^31) does not coarsen any of these; the scales are exact.
    assert list(plan.weight_scale["fc"]) == [2.0 ** -7, 2.0 ** -6, 2.0 ** -10]
    layer = next(layer for layer in graph.layers if layer.name == "fc")
    np.testing.assert_array_equal(
        quantize.quantize_weights(layer.params["weight"], plan.weight_scale["fc"], 8),
        SQUARE_WEIGHT_LEVELS)
    # No calibration: the bias quantized is the file's, at the weight scales, in int32.
    np.testing.assert_array_equal(plan.bias_of(layer), SQUARE_BIAS)
    np.testing.assert_array_equal(
        quantize.quantize_weights(plan.bias_of(layer), plan.weight_scale["fc"], 32),
        SQUARE_BIAS_LEVELS)


def test_the_ir_holds_the_hand_worked_constants(tmp_path):
    """What the front end writes (the constants the C is made from)."""
    path, _ = square_model(tmp_path)
    mlir = api.generate(path, name="net", emit="mlir", **INT8_OPTIONS)["net.snn.mlir"]
    assert "dense<[[127, -1, 2], [-127, 3, 0], [0, -3, 127]]> : tensor<3x3xi8>" in mlir
    assert "dense<[2, -3, 1]> : tensor<3xi32>" in mlir


def test_the_integer_reference_derives_the_same_constants(tmp_path):
    """The oracle's own derivation (reference.integer_weights) on the same
    hand-worked numbers."""
    np.testing.assert_array_equal(
        reference.integer_weights(SQUARE_WEIGHT, [2.0 ** -7, 2.0 ** -6, 2.0 ** -10], 8),
        SQUARE_WEIGHT_LEVELS)
    np.testing.assert_array_equal(
        reference.integer_weights(SQUARE_BIAS, [2.0 ** -7, 2.0 ** -6, 2.0 ** -10], 32),
        SQUARE_BIAS_LEVELS)
    np.testing.assert_array_equal(
        reference.integer_weights([-127.6, 32766.5, -32767.5, np.nextafter(0.5, 0.0)], 1.0, 16),
        [-128, 32767, -32767, 0])


def test_int16_scales(tmp_path):
    # int16 weights: s_i = max_j |W_ij| / 32767. Row 0: 32767 / 2^20 -> 2^-20;
    # row 1: 32767 / 2^10 -> 2^-10. 1.5 / 2^20 -> 1.5 -> 2; -2.5 / 2^10 -> -3.
    weight = [[32767 / 2 ** 20, 1.5 / 2 ** 20], [-2.5 / 2 ** 10, -32767 / 2 ** 10]]
    path = write_affine_lif(tmp_path / "int16.nir", weight, [0.0, 0.0])
    graph = load_graph(path)
    plan = quantize.plan(graph, semantics.resolve_options(**dict(INT8_OPTIONS,
                                                                 precision="int16")))
    assert list(plan.weight_scale["fc"]) == [2.0 ** -20, 2.0 ** -10]
    np.testing.assert_array_equal(
        quantize.quantize_weights(weight, plan.weight_scale["fc"], 16), [[32767, 2], [-3, -32767]])
    # The state of an int16 model is 32-bit: 8 thresholds x 512 of range over
    # 2^31 - 1 levels; threshold 1 -> 4096 / 2147483647.
    assert plan.state_scale["lif"] == 4096.0 / 2147483647


def test_state_scale_of_int8_models(tmp_path):
    path, graph = square_model(tmp_path)
    plan = quantize.plan(graph, semantics.resolve_options(**INT8_OPTIONS))
    # 8 thresholds (threshold 1.0) over 2^15 - 1 levels: 8 / 32767; the
    # threshold is then the level 1 / (8 / 32767) = 4095.875 -> 4096.
    assert plan.state_scale["lif"] == 8.0 / 32767


def test_accumulator_bound_coarsens_the_scale(tmp_path):
    # One weight 1.0 and a bias of 2^31, fed by the network input (|x| <= 128):
    # max/127 would put the bias at 2^31 x 127 levels. The bound instead:
    #   worst = 1.0 x 128 + 2^31 = 2147483776
    #   terms = 1 x 128 + 1 = 129 (half a level of rounding per weight and bias)
    #   limit = 2^31 - 1 - 129 = 2147483518
    #   s = worst / limit = 2147483776 / 2147483518 (= 1 + 1.2e-7)
    # The bias is then round(2^31 x 2147483518 / 2147483776)
    #   = round(2^31 - 258 x 2^31 / 2147483776) = round(2147483390.0000154) = 2147483390,
    # the weight round(1 / s) = 1: the accumulator stays within int32.
    path = write_affine_lif(tmp_path / "coarse.nir", [[1.0]], [2.0 ** 31], threshold=2.0 ** 20)
    graph = load_graph(path)
    plan = quantize.plan(graph, semantics.resolve_options(**INT8_OPTIONS))
    scale = plan.weight_scale["fc"]
    assert scale[0] == pytest.approx(2147483776 / 2147483518, rel=1e-15)
    assert quantize.quantize_weights([[1.0]], scale, 8)[0, 0] == 1
    assert quantize.quantize_weights([2.0 ** 31], scale, 32)[0] == 2147483390


def calibrated_plan(tmp_path, calibration, **options):
    # W = [[127/128, 0.3/128]]: s = 2^-7, levels [127, round(0.3) = 0]; the
    # rounding error Wq s - W is [0, -0.3/128]. Bias 0.
    path = write_affine_lif(tmp_path / "calibrated.nir", [[127 / 128, 0.3 / 128]], [0.0])
    graph = load_graph(path)
    opts = semantics.resolve_options(**INT8_OPTIONS, **options)
    return graph, quantize.plan(graph, opts, np.asarray(calibration, np.float64))


# One sequence, two steps; the second input is 2, then 4.
CALIBRATION = [[[0.0, 2.0], [0.0, 4.0]]]


def test_bias_correction_with_values_as_input(tmp_path):
    # E[x] = [0, (2 + 4) / 2 = 3]; b' = 0 - (0 x 0 + (-0.3/128) x 3) = 0.9/128,
    # at s = 2^-7 the level round(0.9) = 1.
    graph, plan = calibrated_plan(tmp_path, CALIBRATION)
    layer = next(layer for layer in graph.layers if layer.name == "fc")
    assert plan.bias_of(layer)[0] == pytest.approx(0.9 / 128, rel=1e-12)
    assert quantize.quantize_weights(plan.bias_of(layer), plan.weight_scale["fc"], 32)[0] == 1


def test_bias_correction_with_spikes_as_input(tmp_path):
    # --input-kind spikes: the synapse sees 2 and 4 as one spike each, so
    # E[x] = [0, 1]; b' = 0.3/128, the level round(0.3) = 0. (The plan used
    # the raw values' mean, 3, before: b' = 0.9/128, level 1.)
    graph, plan = calibrated_plan(tmp_path, CALIBRATION, input_kind="spikes")
    layer = next(layer for layer in graph.layers if layer.name == "fc")
    assert plan.bias_of(layer)[0] == pytest.approx(0.3 / 128, rel=1e-12)
    assert quantize.quantize_weights(plan.bias_of(layer), plan.weight_scale["fc"], 32)[0] == 0


@pytest.mark.parametrize("name,preset,input_kind", [
    ("snntorch_rleaky", "snntorch", "values"),   # a recurrent synapse
    ("snntorch_synaptic", "snntorch", "spikes"),
    ("spyx_lif", "spyx", "values")])
def test_calibrated_biases_equal_the_reference_derivation(name, preset, input_kind):
    """Not by hand, but independent: the plan's corrected biases against the
    integer reference's own derivation (reference.corrected_biases, which
    measures E[x] as the input each synapse receives in the float64 run)."""
    path = REPO_ROOT / "python" / "tests" / "fixtures" / "frameworks" / f"{name}.nir"
    graph = load_graph(path)
    opts = semantics.resolve_options(preset=preset, precision="int8", input_kind=input_kind)
    n_in = int(np.prod(graph.input_shape))
    calibration = np.random.default_rng(3).integers(0, 4, size=(3, 30, n_in)).astype(np.float64)
    plan = quantize.plan(graph, opts, calibration)
    derived = reference.corrected_biases(graph, opts, plan, calibration)
    assert set(plan.bias) == set(derived)
    for layer in graph.layers:
        if layer.name in derived:
            np.testing.assert_array_equal(plan.bias[layer.name], derived[layer.name],
                                          err_msg=layer.name)
