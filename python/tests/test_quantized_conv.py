"""Integer convolution and pooling (--precision int8 / int16).

Three kinds of checks, each against something the code under test does not
compute itself:
- the quantizer's plan for convolutions and pools against values worked out
  by hand in the comments (scales per filter, an average pool's divisor
  folded into the next synapse, the accumulator bound of a synapse that reads
  a pool's counts, the bias correction behind an average pool);
- the integer reference's convolution and sum pooling (reference.INTEGER_STEPS)
  against the definition, output by output, in float64 on the same integers
  (exact: every sum stays below 2^53);
- the generated C against the integer reference, bit for bit on the outputs
  and every state, through stride, padding, dilation, groups, sum and average
  pooling, spikes and int8 values as input, a pool of the input's spikes,
  counts through a Delay, Conv1d, a membrane readout, calibration, the dense
  and the event-driven lowering, under ASan and UBSan, and on a trained and a
  generated network (examples/models/digits_conv, scripts/make_nmnist_cnn.py);
- what integer models refuse, named in one line.
"""
from __future__ import annotations

import subprocess
import sys

import nir
import numpy as np
import pytest

from snnc import api, quantize, reference, semantics
from snnc.frontend.graph import load_graph

from conftest import REPO_ROOT, find_clang, find_tool
from test_quantized import compare_c_with_integer_reference

INTEGER = ("int8", "int16")
POOLS = {"sum": nir.SumPool2d, "avg": nir.AvgPool2d}


def write(path, nodes, edges=None):
    """Writes a NIR graph; without `edges`, a chain in the order of `nodes`."""
    if edges is None:
        names = list(nodes)
        edges = list(zip(names[:-1], names[1:]))
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    return path


def if_layer(shape, threshold=1.0, r=1.0):
    return nir.IF(r=np.full(shape, r), v_threshold=np.full(shape, threshold),
                  v_reset=np.zeros(shape))


def lif_layer(shape, tau=1e-3, r=10.0, threshold=1.0):
    """At dt = 1e-4: decay 0.9, gain r dt / tau = 1 (r = 10)."""
    return nir.LIF(tau=np.full(shape, tau), r=np.full(shape, r), v_leak=np.zeros(shape),
                   v_threshold=np.full(shape, threshold), v_reset=np.zeros(shape))


def pool(kind, kernel, stride, padding=(0, 0)):
    return POOLS[kind](kernel_size=np.array(kernel), stride=np.array(stride),
                       padding=np.array(padding))


def conv2d(weight, bias, input_hw, stride=1, padding=0, dilation=1, groups=1):
    return nir.Conv2d(input_shape=input_hw, weight=np.asarray(weight, np.float64),
                      stride=stride, padding=padding, dilation=dilation, groups=groups,
                      bias=np.asarray(bias, np.float64))


def layer_named(graph, name):
    return next(layer for layer in graph.layers if layer.name == name)


def plan_of(path, calibration=None, **options):
    graph = load_graph(path)
    opts = semantics.resolve_options(**options)
    return graph, opts, quantize.plan(graph, opts, calibration)


# --------------------------------------------------------------------------
# the plan, by hand

# Filter 0 of c1 has max |w| = 127/128 -> s_0 = 2^-7; filter 1 has max
# |w| = 127/64 -> s_1 = 2^-6 (scales per filter, over the whole kernel).
#   filter 0: 127, -0.5 -> -1 (tie, away from zero), 1.5 -> 2, 0
#   filter 1: -127, 2.5 -> 3, 0, 0.25 -> 0
# Biases at the same scales: 1.5/128 -> 1.5 -> 2; -2.5/64 -> -2.5 -> -3.
C1_WEIGHT = [[[[127 / 128, -0.5 / 128], [1.5 / 128, 0.0]]],
             [[[-127 / 64, 2.5 / 64], [0.0, 0.25 / 64]]]]
C1_LEVELS = [[[[127, -1], [2, 0]]], [[[-127, 3], [0, 0]]]]
C1_BIAS = [1.5 / 128, -2.5 / 64]
C1_BIAS_LEVELS = [2, -3]
# fc reads the average of 2x2 windows: the plan folds 1/4 into its weights,
#   [[127/32, 1.5/32], [-127/16, 2.5/16]] / 4 = [[127/128, 1.5/128], [-127/64, 2.5/64]],
# so s = [2^-7, 2^-6] and the levels [[127, 2], [-127, 3]]. (Unfolded, the
# scales would be 2^-5 and 2^-4.)
FC_WEIGHT = [[127 / 32, 1.5 / 32], [-127 / 16, 2.5 / 16]]
FC_LEVELS = [[127, 2], [-127, 3]]


def hand_model(tmp_path, pooling="avg", readout=None):
    """input [1, 3, 3] -> c1 (Conv2d 1->2, 2x2) -> i1 (IF [2, 2, 2]) -> p (2x2
    pool, stride 1: [2, 1, 1]) -> f (Flatten) -> fc (Affine 2->2) -> out (LIF,
    or `readout`) -> output."""
    nodes = {"input": nir.Input(input_type={"input": np.array([1, 3, 3])}),
             "c1": conv2d(C1_WEIGHT, C1_BIAS, (3, 3)),
             "i1": if_layer((2, 2, 2), r=1e4),
             "p": pool(pooling, [2, 2], [1, 1]),
             "f": nir.Flatten(input_type={"input": np.array([2, 1, 1])}, start_dim=0),
             "fc": nir.Affine(weight=np.array(FC_WEIGHT), bias=np.zeros(2)),
             "out": readout if readout is not None else lif_layer(2),
             "output": nir.Output(output_type={"output": np.array([2])})}
    return write(tmp_path / f"hand_{pooling}.nir", nodes)


def test_plan_gives_each_filter_its_scale_and_folds_the_average(tmp_path):
    graph, _, plan = plan_of(hand_model(tmp_path), dt=1e-4, precision="int8")
    # The input (int8 values, |x| <= 128) bounds c1's sums by about
    # 2 x 128 + |b|, far below 2^31: the scales are the exact ones above.
    assert list(plan.weight_scale["c1"]) == [2.0 ** -7, 2.0 ** -6]
    assert list(plan.weight_scale["fc"]) == [2.0 ** -7, 2.0 ** -6]
    assert plan.weight_divisor == {"fc": 4}
    c1, fc = layer_named(graph, "c1"), layer_named(graph, "fc")
    np.testing.assert_array_equal(
        quantize.quantize_weights(plan.weight_of(c1), plan.weight_scale["c1"], 8), C1_LEVELS)
    np.testing.assert_array_equal(
        quantize.quantize_weights(plan.bias_of(c1), plan.weight_scale["c1"], 32),
        C1_BIAS_LEVELS)
    np.testing.assert_array_equal(
        quantize.quantize_weights(plan.weight_of(fc), plan.weight_scale["fc"], 8), FC_LEVELS)


def test_the_ir_holds_the_hand_worked_constants(tmp_path):
    """What the front end writes: the filters' integers with their per-axis
    types (axis 0), the accumulator [F, OH, OW] at the same scales, the
    average pool as a sum, the folded dense weights."""
    mlir = api.generate(hand_model(tmp_path), name="net", emit="mlir", dt=1e-4,
                        precision="int8")["net.snn.mlir"]
    assert "dense<[[[[127, -1], [2, 0]]], [[[-127, 3], [0, 0]]]]> : tensor<2x1x2x2xi8>" in mlir
    assert "dense<[2, -3]> : tensor<2xi32>" in mlir
    per_filter = "{7.812500e-03,1.562500e-02}>"
    assert f"tensor<2x1x2x2x!quant.uniform<i8:f32:0, {per_filter}" in mlir
    assert f"-> tensor<2x2x2x!quant.uniform<i32:f32:0, {per_filter}" in mlir
    assert "#snn.pool_kind<sum>" in mlir and "pool_kind<avg>" not in mlir
    assert "tensor<2x2x2xi8> -> tensor<2x1x1xi8>" in mlir  # spikes in, counts out
    assert "dense<[[127, 2], [-127, 3]]> : tensor<2x2xi8>" in mlir


def test_the_integer_reference_folds_the_average_itself(tmp_path):
    """The oracle's own derivation (reference.pooled_window, real_weight,
    integer_weights) of the same hand-worked integers."""
    graph = load_graph(hand_model(tmp_path))
    fc = layer_named(graph, "fc")
    assert reference.pooled_window(graph, fc) == (4, True)
    assert reference.pooled_window(graph, layer_named(graph, "c1")) == (1, False)
    np.testing.assert_array_equal(
        reference.integer_weights(reference.real_weight(graph, fc), [2.0 ** -7, 2.0 ** -6], 8),
        FC_LEVELS)
    np.testing.assert_array_equal(
        reference.integer_weights(C1_WEIGHT, [2.0 ** -7, 2.0 ** -6], 8), C1_LEVELS)
    sums = load_graph(hand_model(tmp_path, "sum"))
    assert reference.pooled_window(sums, layer_named(sums, "fc")) == (4, False)


@pytest.mark.parametrize("pooling,divisor", [("sum", 1), ("avg", 4)])
def test_a_readout_behind_a_pool_has_the_pool_in_its_range(tmp_path, pooling, divisor):
    # An LI readout has no threshold: 4 times the largest input one step can
    # bring, max_i sum_j |W'_ij| X + |b_i|, with X = 4 (a 2x2 window's count)
    # and W' = W / divisor. Row 1: (127/16 + 2.5/16) / divisor x 4, so
    #   sum pool: 4 x 129.5/16 x 4 = 129.5;  average: 4 x 129.5/64 x 4 = 32.375
    # over 32767 levels.
    readout = nir.LI(tau=np.full(2, 1e-3), r=np.full(2, 10.0), v_leak=np.zeros(2))
    _, _, plan = plan_of(hand_model(tmp_path, pooling, readout), dt=1e-4, precision="int8")
    expected = {"sum": 129.5, "avg": 32.375}[pooling]
    assert plan.state_scale["out"] == pytest.approx(expected / 32767, rel=1e-14)
    assert plan.weight_divisor == ({} if divisor == 1 else {"fc": divisor})


def bound_model(tmp_path, pooling):
    """input [1, 2, 2] -> c0 (1x1, weight 1) -> i1 (IF) -> p (2x2 pool: one
    count of at most 4) -> f -> fc (Affine [[1.0]], bias 2^31) -> out (LIF)."""
    nodes = {"input": nir.Input(input_type={"input": np.array([1, 2, 2])}),
             "c0": conv2d(np.ones((1, 1, 1, 1)), [0.0], (2, 2)),
             "i1": if_layer((1, 2, 2), r=1e4),
             "p": pool(pooling, [2, 2], [2, 2]),
             "f": nir.Flatten(input_type={"input": np.array([1, 1, 1])}, start_dim=0),
             "fc": nir.Affine(weight=np.array([[1.0]]), bias=np.array([2.0 ** 31])),
             "out": lif_layer(1),
             "output": nir.Output(output_type={"output": np.array([1])})}
    return write(tmp_path / f"bound_{pooling}.nir", nodes)


@pytest.mark.parametrize("pooling", ["sum", "avg"])
def test_the_accumulator_bound_counts_a_pools_window(tmp_path, pooling):
    # fc reads a count of at most X = 4 (not 128 as for the network input,
    # not 1 as for spikes). Its weight is 1.0 (sum) or 1.0 / 4 (average):
    #   worst = |w| x 4 + 2^31:   sum 2147483652, average 2147483649
    #   terms = 1 x 4 + 1 = 5 (half a level of rounding per weight and bias)
    #   limit = 2^31 - 1 - 5 = 2147483642
    #   s = worst / limit
    _, _, plan = plan_of(bound_model(tmp_path, pooling), dt=1e-4, precision="int8")
    worst = {"sum": 2147483652, "avg": 2147483649}[pooling]
    assert plan.weight_scale["fc"][0] == pytest.approx(worst / 2147483642, rel=1e-15)


def test_the_accumulator_bound_of_a_filter_spans_its_whole_kernel(tmp_path):
    # One filter over 2 channels x 2 x 2 taps, every weight 1.0, bias 2^31,
    # fed by the network input (|x| <= 128):
    #   worst = 8 x 128 + 2^31 = 2147484672
    #   terms = 8 x 128 + 1 = 1025;  limit = 2^31 - 1 - 1025 = 2147482622
    nodes = {"input": nir.Input(input_type={"input": np.array([2, 3, 3])}),
             "c": conv2d(np.ones((1, 2, 2, 2)), [2.0 ** 31], (3, 3)),
             "l": lif_layer((1, 2, 2)),
             "output": nir.Output(output_type={"output": np.array([4])})}
    _, _, plan = plan_of(write(tmp_path / "kernel.nir", nodes), dt=1e-4, precision="int8")
    assert plan.weight_scale["c"][0] == pytest.approx(2147484672 / 2147482622, rel=1e-15)


def calibration_model(tmp_path):
    """input [1, 2, 4] -> c0 (1x1, weight 1) -> i1 (IF: gain 1, threshold 0.5,
    reset to 0, so its spikes are the input's) -> p (average 2x2, stride 2:
    [1, 1, 2]) -> f -> fc (Affine [[127/32, 1.3/32]], bias 0) -> out (LIF)."""
    nodes = {"input": nir.Input(input_type={"input": np.array([1, 2, 4])}),
             "c0": conv2d(np.ones((1, 1, 1, 1)), [0.0], (2, 4)),
             "i1": if_layer((1, 2, 4), threshold=0.5, r=1e4),
             "p": pool("avg", [2, 2], [2, 2]),
             "f": nir.Flatten(input_type={"input": np.array([1, 1, 2])}, start_dim=0),
             "fc": nir.Affine(weight=np.array([[127 / 32, 1.3 / 32]]), bias=np.zeros(1)),
             "out": lif_layer(1),
             "output": nir.Output(output_type={"output": np.array([1])})}
    return write(tmp_path / "calibration.nir", nodes)


# One sequence of two steps (rows of the 2x4 image one after the other):
#   step 0: [1, 1, 0, 1 / 0, 0, 1, 1] -> left window 2 spikes, right window 3
#   step 1: [1, 0, 0, 0 / 0, 0, 0, 1] -> left 1, right 1
# E[count] = [1.5, 2].
CALIBRATION = np.array([[[1, 1, 0, 1, 0, 0, 1, 1], [1, 0, 0, 0, 0, 0, 0, 1]]], np.float64)


def test_bias_correction_behind_an_average_pool(tmp_path):
    # fc quantizes W / 4 = [127/128, 1.3/128]: s = 2^-7, levels [127, round(1.3) = 1],
    # rounding error [0, -0.3/128]; on the integer model's input (the counts):
    #   b' = 0 - (0 x 1.5 + (-0.3/128) x 2) = 0.6/128, the level round(0.6) = 1.
    # (Mixed up, the folded weights with the mean averages [0.375, 0.5] would
    # give 0.15/128, the file's weights with the counts 2.4/128.)
    # The convolution keeps its bias: no correction per filter fits every
    # output position (docs/quantization.md).
    path = calibration_model(tmp_path)
    graph, opts, plan = plan_of(path, CALIBRATION, dt=1e-4, reset="value", precision="int8")
    assert set(plan.bias) == {"fc"}
    assert plan.bias["fc"][0] == pytest.approx(0.6 / 128, rel=1e-12)
    assert quantize.quantize_weights(plan.bias["fc"], plan.weight_scale["fc"], 32)[0] == 1
    # The integer reference's own derivation agrees.
    derived = reference.corrected_biases(graph, opts, plan, CALIBRATION)
    assert set(derived) == {"fc"}
    np.testing.assert_array_equal(derived["fc"], plan.bias["fc"])


# --------------------------------------------------------------------------
# the integer reference's convolution and pooling, against the definition


def convolution_by_definition(x, weight, bias, stride, padding, dilation, groups):
    """y[s, f, o] = b[f] + sum over c, k of w[f, c, k] x_padded[s, g(f) Cg + c,
    o stride + k dilation], output by output, in float64 (1-D or 2-D)."""
    spatial, kernel = x.shape[2:], weight.shape[2:]
    padded = np.pad(x.astype(np.float64), [(0, 0), (0, 0)] + [(p, p) for p in padding])
    out_size = [(n + 2 * p - d * (k - 1) - 1) // s + 1
                for n, k, s, p, d in zip(spatial, kernel, stride, padding, dilation)]
    filters, per_group = weight.shape[:2]
    filters_per_group = filters // groups
    y = np.empty(x.shape[:1] + (filters,) + tuple(out_size))
    for f in range(filters):
        group = f // filters_per_group
        channels = slice(group * per_group, (group + 1) * per_group)
        for position in np.ndindex(*out_size):
            taps = tuple(slice(o * s, o * s + d * (k - 1) + 1, d)
                         for o, s, d, k in zip(position, stride, dilation, kernel))
            patch = padded[(slice(None), channels) + taps]
            y[(slice(None), f) + position] = bias[f] + (patch * weight[f]).sum(
                axis=tuple(range(1, patch.ndim)))
    return y


# (kind, input [C, ...], filters, kernel, stride, padding, dilation, groups)
CONVOLUTIONS = [
    ("conv2d", (2, 7, 7), 3, (3, 3), (2, 2), (1, 1), (1, 1), 1),
    ("conv2d", (4, 6, 5), 6, (3, 2), (1, 2), (2, 0), (2, 1), 2),
    ("conv2d", (3, 5, 5), 3, (3, 3), (1, 1), (1, 1), (1, 1), 3),  # depthwise
    ("conv2d", (2, 4, 9), 4, (1, 3), (1, 3), (0, 2), (1, 2), 1),
    ("conv2d", (3, 3, 3), 5, (1, 1), (1, 1), (0, 0), (1, 1), 1),
    ("conv1d", (3, 11), 4, (3,), (2,), (1,), (1,), 1),
    ("conv1d", (4, 12), 2, (2,), (1,), (3,), (3,), 2),
]


@pytest.mark.parametrize("case", CONVOLUTIONS,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(CONVOLUTIONS)])
@pytest.mark.parametrize("weight_bits", [8, 16])
def test_integer_convolution_equals_the_definition(tmp_path, case, weight_bits):
    kind, in_shape, filters, kernel, stride, padding, dilation, groups = case
    rng = np.random.default_rng(sum(in_shape) * 31 + filters + weight_bits)
    limit = 2 ** (weight_bits - 1) - 1
    weight = rng.integers(-limit, limit + 1, size=(filters, in_shape[0] // groups) + kernel)
    bias = rng.integers(-(2 ** 31 - 1), 2 ** 31, size=filters)
    node_type = nir.Conv2d if kind == "conv2d" else nir.Conv1d
    node = node_type(input_shape=in_shape[1:] if kind == "conv2d" else in_shape[1],
                     weight=weight.astype(np.float64), stride=stride, padding=padding,
                     dilation=dilation, groups=groups, bias=bias.astype(np.float64))
    # int8 values, a third of them at the negative end of the range
    x = rng.integers(-128, 128, size=(3,) + in_shape)
    x[rng.random(x.shape) < 0.3] = -128
    expected = convolution_by_definition(x, weight, bias, stride, padding, dilation, groups)
    nodes = {"input": nir.Input(input_type={"input": np.array(in_shape)}), "x": node,
             "output": nir.Output(output_type={"output": np.array([expected[0].size])})}
    layer = load_graph(write(tmp_path / "x.nir", nodes)).layers[0]
    y = reference.INTEGER_STEPS[kind](layer, {"weight": weight, "bias": bias}, None, x,
                                      semantics.resolve_options(dt=1.0, precision="int8"), None)
    assert y.dtype == np.int64 and y.shape == expected.shape
    # Every partial sum is an integer below 2^40: exact in float64.
    assert np.abs(expected).max() < 2.0 ** 40
    np.testing.assert_array_equal(y, expected.astype(np.int64))


@pytest.mark.parametrize("kind", ["sumpool2d", "avgpool2d"])
@pytest.mark.parametrize("kernel,stride,padding", [((2, 2), (2, 2), (0, 0)),
                                                   ((3, 2), (1, 2), (1, 1))])
def test_integer_pooling_sums_the_counts(tmp_path, kind, kernel, stride, padding):
    """Both pools sum (an average's divisor lives in the next synapse's
    weights), the zero-padded windows included."""
    spikes = (np.random.default_rng(5).random((3, 2, 5, 6)) < 0.5).astype(np.int64)
    # The window sums by definition: a depthwise convolution with kernels of ones.
    expected = convolution_by_definition(spikes, np.ones((2, 1) + kernel), np.zeros(2), stride,
                                         padding, (1, 1), 2)
    nodes = {"input": nir.Input(input_type={"input": np.array([2, 5, 6])}),
             "x": pool(kind[:3], kernel, stride, padding),
             "output": nir.Output(output_type={"output": np.array([expected[0].size])})}
    layer = load_graph(write(tmp_path / "p.nir", nodes)).layers[0]
    y = reference.INTEGER_STEPS[kind](layer, {}, None, spikes,
                                      semantics.resolve_options(dt=1.0, precision="int8"), None)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, expected.astype(np.int64))


# --------------------------------------------------------------------------
# the C against the integer reference


def two_convolutions(seed, pooling):
    """input [2, 10, 10] -> c1 (Conv 3x3, stride 2, padding 1, -> 4) -> i1 (IF
    [4, 5, 5]) -> p1 (2x2 pool, stride 1) -> c2 (Conv 3x3, padding 2, dilation
    2, two groups, -> 6) -> i2 (IF [6, 4, 4]) -> Flatten -> output."""
    rng = np.random.default_rng(seed)
    return {
        "input": nir.Input(input_type={"input": np.array([2, 10, 10])}),
        "c1": conv2d(rng.normal(0.15, 0.5, (4, 2, 3, 3)), rng.normal(0, 0.1, 4), (10, 10),
                     stride=2, padding=1),
        "i1": if_layer((4, 5, 5)),
        "p1": pool(pooling, [2, 2], [1, 1]),
        "c2": conv2d(rng.normal(0.0, 0.6, (6, 2, 3, 3)), np.zeros(6), (4, 4), padding=2,
                     dilation=2, groups=2),
        "i2": if_layer((6, 4, 4)),
        "flat": nir.Flatten(input_type={"input": np.array([6, 4, 4])}, start_dim=0),
        "output": nir.Output(output_type={"output": np.array([96])}),
    }


def convolutions_then_affine(seed, pooling):
    """input [2, 10, 10] -> c1 (3x3, stride 2, padding 1, -> 4) -> i1 (IF) ->
    p1 (2x2 pool, stride 1) -> c2 (3x3, padding 1, two groups, -> 6) -> i2
    (IF) -> Flatten -> fc (Affine 96 -> 10) -> i3 (IF) -> output."""
    rng = np.random.default_rng(seed)
    return {
        "input": nir.Input(input_type={"input": np.array([2, 10, 10])}),
        "c1": conv2d(rng.normal(0.15, 0.5, (4, 2, 3, 3)), rng.normal(0, 0.1, 4), (10, 10),
                     stride=2, padding=1),
        "i1": if_layer((4, 5, 5)),
        "p1": pool(pooling, [2, 2], [1, 1]),
        "c2": conv2d(rng.normal(0.0, 0.6, (6, 2, 3, 3)), rng.normal(0, 0.1, 6), (4, 4),
                     padding=1, groups=2),
        "i2": if_layer((6, 4, 4)),
        "flat": nir.Flatten(input_type={"input": np.array([6, 4, 4])}, start_dim=0),
        "fc": nir.Affine(weight=rng.normal(0.0, 0.5, (10, 96)), bias=rng.normal(0, 0.1, 10)),
        "i3": if_layer((10,)),
        "output": nir.Output(output_type={"output": np.array([10])}),
    }


# The IF layers of these networks integrate with gain 1 at dt = 1.
CONV_OPTIONS = dict(dt=1.0, compare="ge", reset="subtract")


def network_inputs(input_kind, n_in, seed=7, steps=25):
    """Spikes (0/1 at rate 0.3) or int8 values in [-3, 3] (as values: the
    first convolution multiplies)."""
    rng = np.random.default_rng(seed)
    if input_kind == "spikes":
        return (rng.random((2, steps, n_in)) < 0.3).astype(np.float64)
    return rng.integers(-3, 4, size=(2, steps, n_in)).astype(np.float64)


@pytest.mark.parametrize("precision", INTEGER)
@pytest.mark.parametrize("input_kind", ["spikes", "values"])
@pytest.mark.parametrize("pooling", sorted(POOLS))
def test_convolutions_equal_the_integer_reference(tmp_path, pooling, input_kind, precision):
    path = write(tmp_path / "two_convolutions.nir", two_convolutions(3, pooling))
    compare_c_with_integer_reference(path, network_inputs(input_kind, 200),
                                     precision=precision, input_kind=input_kind, **CONV_OPTIONS)


@pytest.mark.parametrize("precision", INTEGER)
@pytest.mark.parametrize("pooling", sorted(POOLS))
def test_convolutions_pool_and_affine_equal_the_integer_reference(tmp_path, pooling, precision):
    """conv -> IF -> pool -> conv -> IF -> flatten -> affine -> IF."""
    path = write(tmp_path / "chain.nir", convolutions_then_affine(3, pooling))
    compare_c_with_integer_reference(path, network_inputs("spikes", 200), precision=precision,
                                     input_kind="spikes", **CONV_OPTIONS)


@pytest.mark.parametrize("pooling", sorted(POOLS))
def test_dense_and_event_driven_lowerings_agree(tmp_path, pooling):
    """Fed by spikes, the integer convolutions are scattered (snn-event-driven);
    the reference lowering's C (--no-opt) sums them densely: both equal the
    integer reference, states included."""
    path = write(tmp_path / "chain.nir", convolutions_then_affine(3, pooling))
    inputs = network_inputs("spikes", 200, seed=8)
    options = dict(CONV_OPTIONS, precision="int8", input_kind="spikes")
    scattered, scattered_states = api.run_c(path, inputs, record_states=True, **options)
    dense, dense_states = api.run_c(path, inputs, record_states=True, optimize=False, **options)
    np.testing.assert_array_equal(scattered, dense)
    assert scattered_states.keys() == dense_states.keys()
    for key in scattered_states:
        np.testing.assert_array_equal(scattered_states[key], dense_states[key], err_msg=key)
    c_out, _, _ = compare_c_with_integer_reference(path, inputs, **options)
    np.testing.assert_array_equal(c_out, dense)


@pytest.mark.parametrize("precision", INTEGER)
def test_a_pool_of_the_input_spikes(tmp_path, precision):
    """--input-kind spikes: the network input is spikes, which a pool may
    count before the first convolution (counts up to 4 as its input)."""
    rng = np.random.default_rng(11)
    nodes = {"input": nir.Input(input_type={"input": np.array([2, 8, 8])}),
             "p0": pool("sum", [2, 2], [2, 2]),
             "c1": conv2d(rng.normal(0.1, 0.4, (3, 2, 3, 3)), rng.normal(0, 0.1, 3), (4, 4),
                          padding=1),
             "i1": if_layer((3, 4, 4), threshold=2.0),
             "flat": nir.Flatten(input_type={"input": np.array([3, 4, 4])}, start_dim=0),
             "output": nir.Output(output_type={"output": np.array([48])})}
    path = write(tmp_path / "input_pool.nir", nodes)
    compare_c_with_integer_reference(path, network_inputs("spikes", 128), precision=precision,
                                     input_kind="spikes", **CONV_OPTIONS)


@pytest.mark.parametrize("precision", INTEGER)
def test_conv1d_into_a_membrane_readout(tmp_path, precision):
    """Conv1d (a Conv2d of height 1, its accumulator [F, 1, L] seen as [F, L]
    with the scales kept on the filters) into LIF, then a grouped, dilated,
    padded Conv1d into an LI readout: the output is the membrane, whose
    scale comes from the weights (no threshold)."""
    rng = np.random.default_rng(4)
    tau, shape = 5e-3, (4, 10)
    nodes = {"input": nir.Input(input_type={"input": np.array([3, 20])}),
             "c1": nir.Conv1d(input_shape=20, weight=rng.normal(0.2, 0.6, (4, 3, 3)), stride=2,
                              padding=1, dilation=1, groups=1, bias=rng.normal(0, 0.1, 4)),
             "l1": lif_layer(shape, tau=tau, r=5.0),
             "c2": nir.Conv1d(input_shape=10, weight=rng.normal(0.0, 0.8, (4, 2, 3)), stride=1,
                              padding=2, dilation=2, groups=2, bias=rng.normal(0, 0.1, 4)),
             "li": nir.LI(tau=np.full(shape, tau), r=np.full(shape, 5.0), v_leak=np.zeros(shape)),
             "output": nir.Output(output_type={"output": np.array([40])})}
    path = write(tmp_path / "conv1d.nir", nodes)
    _, ref_out, _ = compare_c_with_integer_reference(
        path, network_inputs("spikes", 60, seed=4), dt=1e-3, reset="subtract",
        precision=precision, input_kind="spikes")
    assert np.abs(ref_out).max() > 0


def test_calibrated_convolutions_equal_the_integer_reference(tmp_path):
    """With --calibrate the state ranges come from the float64 run and the
    Affine behind the average pool gets a corrected bias (the convolutions
    keep theirs); the reference derives both itself."""
    path = write(tmp_path / "chain.nir", convolutions_then_affine(3, "avg"))
    calibration = tmp_path / "calibration.npy"
    np.save(calibration, network_inputs("spikes", 200, seed=9, steps=20))
    graph, _, plan = plan_of(path, np.load(calibration), precision="int8", input_kind="spikes",
                             **CONV_OPTIONS)
    assert set(plan.bias) == {"fc"}
    compare_c_with_integer_reference(path, network_inputs("spikes", 200), calibrate=calibration,
                                     precision="int8", input_kind="spikes", **CONV_OPTIONS)


@pytest.mark.parametrize("pooling", sorted(POOLS))
def test_counts_through_a_delay(tmp_path, pooling):
    """A pool's counts delayed by 0, 1 and 2 steps (per channel) before
    Flatten and an Affine: the Delay's buffer holds counts, and with
    --calibrate the Affine's mean input is the delayed counts (zero before
    the delay has filled). The quantizer's corrected bias equals the
    reference's own derivation; the C equals the reference."""
    rng = np.random.default_rng(3)
    nodes = {"input": nir.Input(input_type={"input": np.array([2, 6, 6])}),
             "c0": conv2d(rng.normal(0.3, 0.5, (3, 2, 3, 3)), np.zeros(3), (6, 6), padding=1),
             "i0": if_layer((3, 6, 6)),
             "p": pool(pooling, [2, 2], [2, 2]),
             "d": nir.Delay(delay=np.tile(np.array([0.0, 1.0, 2.0])[:, None, None], (1, 3, 3))),
             "f": nir.Flatten(input_type={"input": np.array([3, 3, 3])}, start_dim=0),
             "fc": nir.Affine(weight=rng.normal(0.0, 0.4, (5, 27)), bias=rng.normal(0, 0.1, 5)),
             "i1": if_layer((5,)),
             "output": nir.Output(output_type={"output": np.array([5])})}
    path = write(tmp_path / "delayed_counts.nir", nodes)
    calibration = tmp_path / "calibration.npy"
    np.save(calibration, network_inputs("spikes", 72, seed=3))
    options = dict(CONV_OPTIONS, precision="int8", input_kind="spikes")
    graph, opts, plan = plan_of(path, np.load(calibration), **options)
    derived = reference.corrected_biases(graph, opts, plan, np.load(calibration))
    assert set(plan.bias) == set(derived) == {"fc"}
    np.testing.assert_array_equal(plan.bias["fc"], derived["fc"])
    compare_c_with_integer_reference(path, network_inputs("spikes", 72), calibrate=calibration,
                                     **options)


@pytest.mark.parametrize("compiler", ["gcc", "clang"])
def test_integer_convolution_is_clean_under_sanitizers(tmp_path, compiler):
    """int8 values up to +-127 into the first convolution (its int32 sums and
    the rescale near their bounds, membranes into saturation), counts of
    both pools: no undefined behaviour, no access out of bounds, and the
    outputs still equal the integer reference."""
    cc = find_clang() if compiler == "clang" else find_tool("gcc")
    flags = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"]
    inputs = np.random.default_rng(13).integers(-127, 128, size=(2, 15, 200)).astype(np.float64)
    for pooling in sorted(POOLS):
        path = write(tmp_path / f"ubsan_{pooling}.nir", convolutions_then_affine(5, pooling))
        options = dict(CONV_OPTIONS, precision="int8")
        c_out = api.run_c(path, inputs, cc=cc, extra_cflags=flags, **options)
        graph = load_graph(path)
        opts = semantics.resolve_options(**options)
        expected = reference.simulate_quantized(graph, opts, quantize.plan(graph, opts), inputs)
        np.testing.assert_array_equal(c_out, expected)


def test_the_convolutional_digits_example(tmp_path):
    """examples/models/digits_conv (snnTorch's Conv2d -> LIF -> AvgPool2d ->
    Conv2d -> LIF -> AvgPool2d -> Flatten -> Affine -> LIF): int8 and int16
    equal the integer reference on 40 test sequences, and on all 450 int8 is
    as accurate as the float model within a point (measured: 97.11% for both,
    docs/quantization.md)."""
    directory = REPO_ROOT / "examples" / "models" / "digits_conv"
    inputs = np.load(directory / "test_inputs.npy").astype(np.float64)
    inputs = inputs.reshape(inputs.shape[:2] + (-1,))
    for precision in INTEGER:
        compare_c_with_integer_reference(directory / "digits_conv.nir", inputs[:40],
                                         preset="snntorch", precision=precision)
    from snnc import report
    rows = {row["precision"]: row for row in report.quantize_report(
        directory / "digits_conv.nir", inputs, np.load(directory / "test_labels.npy"),
        preset="snntorch")["rows"]}
    assert rows["f32"]["accuracy"] - rows["int8"]["accuracy"] <= 0.01
    assert rows["int8"]["weight_bytes"] == rows["f32"]["weight_bytes"] // 4


@pytest.fixture(scope="module")
def nmnist(tmp_path_factory):
    path = tmp_path_factory.mktemp("nmnist") / "nmnist.nir"
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "make_nmnist_cnn.py"),
                    str(path)], check=True, capture_output=True)
    return path


@pytest.mark.parametrize("precision", INTEGER)
def test_the_nmnist_network(nmnist, precision):
    """The NIR paper's N-MNIST CNN (2x34x34 spikes, three convolutions, two
    sum pools, two Affine layers), with single spikes: 100 steps of input
    spikes at 0.05 (every layer fires in 4-7% of its neuron-steps)."""
    rng = np.random.default_rng(2)
    inputs = (rng.random((2, 100, 2 * 34 * 34)) < 0.05).astype(np.float64)
    compare_c_with_integer_reference(nmnist, inputs, preset="sinabs", spikes="single",
                                     input_kind="spikes", precision=precision)


# --------------------------------------------------------------------------
# what integer models refuse, and how


def spiking_front(shape=(2, 4, 4)):
    """input -> c0 (1x1 conv) -> i0 (IF): spikes of `shape` to pool."""
    channels = shape[0]
    return {"input": nir.Input(input_type={"input": np.array(shape)}),
            "c0": conv2d(np.ones((channels, channels, 1, 1)), np.zeros(channels), shape[1:]),
            "i0": if_layer(shape)}


# case -> (nodes without the Output, the Output's size, the node named, the message)
REFUSALS = {
    # a pool of int8 values: counts could reach 4 x 128
    "pool_of_values": ({"input": nir.Input(input_type={"input": np.array([2, 4, 4])}),
                        "p": pool("sum", [2, 2], [2, 2]),
                        "c": conv2d(np.ones((1, 2, 1, 1)), [0.0], (2, 2)),
                        "i": if_layer((1, 2, 2))},
                       4, "p", "must pool the spikes of one spiking neuron layer"),
    # a pool of a convolution's accumulator
    "pool_of_a_synapse": ({"input": nir.Input(input_type={"input": np.array([2, 4, 4])}),
                           "c": conv2d(np.ones((1, 2, 1, 1)), [0.0], (4, 4)),
                           "p": pool("sum", [2, 2], [2, 2]),
                           "i": if_layer((1, 2, 2))},
                          4, "p", "must pool the spikes of one spiking neuron layer"),
    # an average pool straight into a neuron: no synapse to fold 1/4 into
    "average_into_a_neuron": (dict(spiking_front(), p=pool("avg", [2, 2], [2, 2]),
                                   i=if_layer((2, 2, 2))),
                              8, "p", "its 1/(2x2) is folded into their weights; it reaches "
                                      "the if node 'i'"),
    # a sum pool's counts as the network's output, through Flatten
    "counts_as_output": (dict(spiking_front(), p=pool("sum", [2, 2], [2, 2]),
                              f=nir.Flatten(input_type={"input": np.array([2, 2, 2])},
                                            start_dim=0)),
                         8, "p", "it reaches the network's output"),
    # a 12x12 window counts up to 144 spikes, beyond int8
    "window_beyond_int8": (dict(spiking_front((1, 12, 12)), p=pool("sum", [12, 12], [12, 12]),
                                c=conv2d(np.ones((1, 1, 1, 1)), [0.0], (1, 1)),
                                i=if_layer((1, 1, 1))),
                           1, "p", "counts up to 144 spikes"),
}


def refused_model(tmp_path, case):
    nodes, size, _, _ = REFUSALS[case]
    return write(tmp_path / f"{case}.nir",
                 dict(nodes, output=nir.Output(output_type={"output": np.array([size])})))


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_what_integer_models_refuse_is_named(tmp_path, case):
    _, _, node, message = REFUSALS[case]
    path = refused_model(tmp_path, case)
    for precision in INTEGER:
        with pytest.raises(api.SNNCError) as refused:
            api.generate(path, name="net", dt=1.0, precision=precision)
        assert refused.value.node == node and message in str(refused.value)
    # The float model compiles: the refusal is the integer path's.
    api.generate(path, name="net", dt=1.0, precision="f32")


def test_the_cli_names_the_node_in_one_line(cli, tmp_path):
    path = refused_model(tmp_path, "average_into_a_neuron")
    result = cli("compile", path, "-o", tmp_path / "out", "--name", "net", "--dt", "1",
                 "--precision", "int8")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "'p'" in result.stderr and "avgpool2d" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
