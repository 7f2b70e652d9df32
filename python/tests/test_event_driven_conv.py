"""Event-driven convolution (snn-event-driven on snn.conv2d): a convolution fed
by spikes, by a flat spike input viewed as an image, or by a pooling of spikes
scatters each active input into the outputs it reaches. Its C must equal both
the numpy reference and the reference lowering (--no-opt) bit for bit, on the
outputs and on every state, through strides, padding, dilation and groups, for
unit spikes and for spike counts (multiple spikes per step, sum and average
pooling)."""
import nir
import numpy as np
import pytest

from snnc import api, reference
from snnc.frontend.emitter import state_fields
from snnc.frontend.graph import load_graph
from snnc.semantics import resolve_options

from conftest import assert_layers_spike, find_clang, find_tool


def if_layer(shape, threshold):
    return nir.IF(r=np.ones(shape), v_threshold=np.full(shape, threshold))


def convolution_network(seed, pooling=nir.SumPool2d, depthwise=False):
    """input [2, 10, 10] -> Conv 3x3 stride 2 padding 1 (-> 4) -> IF [4, 5, 5]
    -> pooling 2x2 stride 1 [4, 4, 4] -> Conv 3x3 padding 2 dilation 2, two
    groups (-> 6) or depthwise (-> 8) -> IF -> Flatten -> output."""
    rng = np.random.default_rng(seed)
    c2_filters = 8 if depthwise else 6
    c2_groups = 4 if depthwise else 2
    nodes = {
        "input": nir.Input(input_type={"input": np.array([2, 10, 10])}),
        "c1": nir.Conv2d(input_shape=(10, 10), weight=rng.normal(0.15, 0.5, (4, 2, 3, 3)),
                         stride=2, padding=1, dilation=1, groups=1,
                         bias=rng.normal(0, 0.1, 4)),
        "i1": if_layer((4, 5, 5), 1.0),
        "p1": pooling(kernel_size=np.array([2, 2]), stride=np.array([1, 1]),
                      padding=np.array([0, 0])),
        "c2": nir.Conv2d(input_shape=(4, 4),
                         weight=rng.normal(0.0, 0.6, (c2_filters, 4 // c2_groups, 3, 3)),
                         stride=1, padding=2, dilation=2, groups=c2_groups,
                         bias=np.zeros(c2_filters)),
        "i2": if_layer((c2_filters, 4, 4), 1.0),
        "flat": nir.Flatten(input_type={"input": np.array([c2_filters, 4, 4])}, start_dim=0),
        "output": nir.Output(output_type={"output": np.array([c2_filters * 16])}),
    }
    edges = [("input", "c1"), ("c1", "i1"), ("i1", "p1"), ("p1", "c2"), ("c2", "i2"),
             ("i2", "flat"), ("flat", "output")]
    return nodes, edges


CASES = {
    # the network input as spikes (the scan tests x > 0 on the flat input)
    "spike_input": dict(input_kind="spikes", spikes="single", reset="subtract"),
    # spike counts: every conv input is a value to multiply
    "counts": dict(input_kind="spikes", spikes="multiple", reset="subtract"),
    # the input as values (its conv scattered over every element), spikes after
    "value_input": dict(input_kind="values", spikes="single", reset="value"),
}


def run_three_ways(tmp_path, rng, nodes, edges, precision, opts):
    path = tmp_path / "conv.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    path = str(path)
    graph = load_graph(path)
    opts = dict(dt=1.0, compare="ge", precision=precision, **opts)
    x = (rng.random((2, 25, 200)) < 0.3).astype(float)
    scattered, scattered_states = api.run_c(path, x, record_states=True, **opts)
    dense, dense_states = api.run_c(path, x, record_states=True, optimize=False, **opts)
    dtype = np.float32 if precision == "f32" else np.float64
    expected, traces = reference.simulate(graph, resolve_options(**opts), x, dtype=dtype,
                                          record=True)
    return graph, opts, (scattered, scattered_states), (dense, dense_states), (expected, traces)


@pytest.mark.parametrize("precision", ["f32", "f64"])
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("pooling", [nir.SumPool2d, nir.AvgPool2d], ids=["sum", "avg"])
def test_scattered_convolution_equals_dense_and_reference(tmp_path, rng, case, precision,
                                                          pooling):
    nodes, edges = convolution_network(3, pooling)
    graph, opts, (out, states), (dense_out, dense_states), (expected, traces) = \
        run_three_ways(tmp_path, rng, nodes, edges, precision, CASES[case])
    assert_layers_spike(traces, context=case)
    assert np.array_equal(out, expected)
    assert np.array_equal(out, dense_out)
    for field in state_fields(graph, resolve_options(**opts)):
        assert np.array_equal(states[field.ident], dense_states[field.ident]), field.ident
        if field.ident.endswith("_v"):
            layer = field.ident[:-2]
            assert np.array_equal(states[field.ident], traces[layer + ".v"]), field.ident


def test_depthwise_scattered_convolution_equals_reference(tmp_path, rng):
    nodes, edges = convolution_network(5, depthwise=True)
    _, _, (out, states), (dense_out, dense_states), (expected, traces) = \
        run_three_ways(tmp_path, rng, nodes, edges, "f32", CASES["spike_input"])
    assert_layers_spike(traces, context="depthwise")
    assert np.array_equal(out, expected)
    assert np.array_equal(out, dense_out)
    assert np.array_equal(states["c2_v"] if "c2_v" in states else states["i2_v"],
                          traces["i2.v"])


def test_optimized_c_scatters_and_makes_no_padded_copy(tmp_path):
    """The optimized lowering of the spike-fed convolutions has no padded copy
    of their inputs (the dense form makes one per padded convolution)."""
    nodes, edges = convolution_network(3)
    path = tmp_path / "conv.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    opts = dict(dt=1.0, input_kind="spikes")
    scattered = api.generate(str(path), name="m", emit="linalg", **opts)["m.linalg.mlir"]
    dense = api.generate(str(path), name="m", emit="linalg", optimize=False,
                         **opts)["m.linalg.mlir"]
    # c1's input padded to 2x12x12, c2's to 4x8x8
    for padded in ("tensor<2x12x12xf32>", "tensor<4x8x8xf32>"):
        assert padded in dense
        assert padded not in scattered


@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_scattered_convolution_is_clean_under_sanitizers(tmp_path, rng, cc):
    """run_c builds with the strict warning flags (-Werror); here also with
    ASan and UBSan, under gcc and clang: the scatter's index arithmetic
    (unsigned, bounded by the output) never reads or writes out of bounds."""
    compiler = find_clang() if cc == "clang" else find_tool("gcc")
    nodes, edges = convolution_network(3)
    path = tmp_path / "conv.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    opts = dict(dt=1.0, compare="ge", input_kind="spikes", spikes="multiple",
                reset="subtract")
    x = (rng.random((2, 25, 200)) < 0.3).astype(float)
    out = api.run_c(str(path), x, cc=str(compiler),
                    extra_cflags=["-g", "-fsanitize=address,undefined",
                                  "-fno-sanitize-recover=all"], **opts)
    expected = reference.simulate(load_graph(str(path)), resolve_options(**opts), x,
                                  dtype=np.float32)
    assert np.array_equal(out, expected)


@pytest.mark.parametrize("pooling", [nir.SumPool2d, nir.AvgPool2d], ids=["sum", "avg"])
@pytest.mark.parametrize("spikes", ["single", "multiple"])
def test_synapse_after_pooled_spikes_is_event_driven_and_exact(tmp_path, rng, pooling, spikes):
    """A fully connected synapse fed by a flattened pooling of spikes (counts:
    sparse, but not 0/1) gathers the non-zero counts and multiplies: the same
    results as the dense form and the reference."""
    nodes, _ = convolution_network(3, pooling)
    nodes = {name: nodes[name] for name in ("input", "c1", "i1")}
    nodes["p1"] = pooling(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                          padding=np.array([0, 0]))
    nodes["flat"] = nir.Flatten(input_type={"input": np.array([4, 2, 2])}, start_dim=0)
    # Its own seeded weights: the IF layer neither silent nor saturated.
    fc_weight = np.random.default_rng(11).normal(0.05, 0.3, (5, 16))
    nodes["fc"] = nir.Affine(weight=fc_weight, bias=np.zeros(5))
    nodes["i2"] = if_layer((5,), 1.0)
    nodes["output"] = nir.Output(output_type={"output": np.array([5])})
    edges = [("input", "c1"), ("c1", "i1"), ("i1", "p1"), ("p1", "flat"), ("flat", "fc"),
             ("fc", "i2"), ("i2", "output")]
    _, _, (out, states), (dense_out, dense_states), (expected, traces) = run_three_ways(
        tmp_path, rng, nodes, edges, "f32",
        dict(input_kind="spikes", spikes=spikes, reset="subtract"))
    assert_layers_spike(traces, context="pooled")
    assert np.array_equal(out, expected)
    assert np.array_equal(out, dense_out)
    assert np.array_equal(states["i2_v"], traces["i2.v"])
    linalg = api.generate(str(tmp_path / "conv.nir"), name="m", emit="linalg", dt=1.0,
                          input_kind="spikes")["m.linalg.mlir"]
    # fc's weight, transposed for the gather: [16 inputs x 5 outputs] flat
    assert "tensor<80xf32>" in linalg


@pytest.mark.parametrize("precision", ["f32", "f64"])
def test_convolution_of_a_convolution(tmp_path, rng, precision):
    """Regression (found by fuzzing): a convolution fed by another one (dense
    values, scattered over every element) was classified before the first was
    lowered, and read its replaced result."""
    nodes = {"input": nir.Input(input_type={"input": np.array([1, 6, 6])}),
             "c1": nir.Conv2d(input_shape=(6, 6), weight=rng.normal(0.5, 0.5, (2, 1, 2, 2)),
                              stride=2, padding=0, dilation=1, groups=1, bias=np.zeros(2)),
             "c2": nir.Conv2d(input_shape=(3, 3), weight=rng.normal(0.5, 0.5, (3, 2, 2, 2)),
                              stride=1, padding=1, dilation=1, groups=1, bias=np.zeros(3)),
             "i": if_layer((3, 4, 4), 1.0),
             "flat": nir.Flatten(input_type={"input": np.array([3, 4, 4])}, start_dim=0),
             "output": nir.Output(output_type={"output": np.array([48])})}
    edges = [("input", "c1"), ("c1", "c2"), ("c2", "i"), ("i", "flat"), ("flat", "output")]
    path = tmp_path / "twice.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    opts = dict(dt=1.0, precision=precision, input_kind="spikes")
    x = (rng.random((2, 20, 36)) < 0.4).astype(float)
    out = api.run_c(str(path), x, **opts)
    dense = api.run_c(str(path), x, optimize=False, **opts)
    dtype = np.float32 if precision == "f32" else np.float64
    expected = reference.simulate(load_graph(str(path)), resolve_options(**opts), x, dtype=dtype)
    assert np.array_equal(out, expected) and np.array_equal(out, dense)
    assert out.any()
