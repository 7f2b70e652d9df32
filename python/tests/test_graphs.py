"""Graphs beyond chains: fan-in, fan-out, recurrent cycles, nested subgraphs,
Flatten, CubaLI/CubaLIF. The generated C must equal the numpy reference bit for
bit (outputs and every state), and the reference must do what NIR says.
Every spiking layer of a network compared must fire in some, not nearly all,
of its neuron-steps (conftest.assert_layers_spike). Parameters come from one
generator seeded here, consumed once at import in a fixed order; each test's
inputs come from its own generator (the `rng` fixture)."""
import numpy as np
import nir
import pytest

from snnc import SNNCError, api, reference
from snnc.frontend.emitter import state_fields
from snnc.frontend.graph import load_graph
from snnc.semantics import resolve_options

from conftest import assert_layers_spike


def lif(n, thr=1.0):
    return nir.LIF(tau=np.full(n, 0.02), r=np.full(n, 20.0), v_leak=np.zeros(n),
                   v_threshold=np.full(n, thr), v_reset=np.zeros(n))


def affine(rng, n_out, n_in, scale=1.0, zero_mean=False):
    """Normal weights and biases; zero_mean=True centres each row, so that a
    neuron's drive does not lean one way (and keep it silent or saturated)."""
    weight = rng.normal(0, scale, (n_out, n_in))
    bias = rng.normal(0, 0.1, n_out)
    if zero_mean:
        weight -= weight.mean(axis=1, keepdims=True)
    return nir.Affine(weight=weight, bias=bias)


def cuba(n, spiking=True):
    kw = dict(tau_syn=np.full(n, 0.005), tau_mem=np.full(n, 0.02), r=np.full(n, 20.0),
              v_leak=np.zeros(n), w_in=np.full(n, 2.0))
    if spiking:
        return nir.CubaLIF(**kw, v_threshold=np.ones(n), v_reset=np.zeros(n))
    return nir.CubaLI(**kw)


def io(n_in, n_out):
    return {"input": nir.Input(input_type={"input": np.array([n_in])}),
            "output": nir.Output(output_type={"output": np.array([n_out])})}


def write(tmp_path, name, nodes, edges):
    path = tmp_path / f"{name}.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    return str(path)


def graphs(seed=7):
    rng = np.random.default_rng(seed)
    g = {}
    g["fan_in"] = ({**io(6, 5), "fa": affine(rng, 5, 6, 0.8), "fb": affine(rng, 5, 6, 0.8),
                    "l": lif(5)},
                   [("input", "fa"), ("input", "fb"), ("fa", "l"), ("fb", "l"), ("l", "output")])
    g["fan_out_and_in"] = (
        {**io(6, 4), "f": affine(rng, 8, 6, 0.8), "la": lif(8), "lb": lif(8, 0.5),
         "ra": affine(rng, 4, 8), "rb": affine(rng, 4, 8), "lo": lif(4)},
        [("input", "f"), ("f", "la"), ("f", "lb"), ("la", "ra"), ("lb", "rb"),
         ("ra", "lo"), ("rb", "lo"), ("lo", "output")])
    # The recurrent network of the NIR paper's shape: lif -> w_rec -> lif.
    g["recurrent"] = ({**io(6, 8), "f": affine(rng, 8, 6, 0.8), "l": lif(8),
                       "w_rec": nir.Linear(weight=rng.normal(0, 0.6, (8, 8)))},
                      [("input", "f"), ("f", "l"), ("l", "w_rec"), ("w_rec", "l"),
                       ("l", "output")])
    g["cuba"] = ({**io(6, 4), "f": affine(rng, 7, 6, 0.8), "c": cuba(7),
                  "r": affine(rng, 4, 7), "li": cuba(4, spiking=False)},
                 [("input", "f"), ("f", "c"), ("c", "r"), ("r", "li"), ("li", "output")])
    g["flatten"] = ({"input": nir.Input(input_type={"input": np.array([2, 3])}),
                     "flat": nir.Flatten(input_type={"input": np.array([2, 3])}, start_dim=0),
                     "f": affine(rng, 4, 6), "l": lif(4),
                     "output": nir.Output(output_type={"output": np.array([4])})},
                    [("input", "flat"), ("flat", "f"), ("f", "l"), ("l", "output")])
    inner = nir.NIRGraph(nodes={"input": nir.Input(input_type={"input": np.array([5])}),
                                "w": affine(rng, 5, 5, zero_mean=True), "l": lif(5),
                                "output": nir.Output(output_type={"output": np.array([5])})},
                         edges=[("input", "w"), ("w", "l"), ("l", "output")], type_check=False)
    # Rows of zero mean: drawn as they come, f's real-valued output times w's
    # negative rows drove the block's neurons to fire at 99% of the steps.
    g["nested"] = ({**io(6, 5), "f": affine(rng, 5, 6, 0.8, zero_mean=True), "block": inner,
                    "l": lif(5)},
                   [("input", "f"), ("f", "block"), ("block", "l"), ("l", "output")])
    def image_io(shape, n_out):
        return {"input": nir.Input(input_type={"input": np.array(shape)}),
                "output": nir.Output(output_type={"output": np.array([n_out])})}

    # Kernels of zero mean: drawn as they come, two of the three channels summed
    # to about -5 and, fed positive spikes, never fired.
    kernels = rng.normal(0, 0.6, (3, 2, 3, 3))
    kernels -= kernels.mean(axis=(1, 2, 3), keepdims=True)
    conv = nir.Conv2d(input_shape=(7, 7), weight=kernels,
                      stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=1,
                      bias=rng.normal(0, 0.1, 3))
    # output [3, 4, 7]: H = (7 + 2 - 3) // 2 + 1, W = (7 + 4 - 5) // 1 + 1 (dilated kernel 5)
    g["conv2d_pool"] = ({**image_io([2, 7, 7], 6), "conv": conv, "l1": lif(84),
                         "pool": nir.SumPool2d(kernel_size=np.array([2, 2]),
                                               stride=np.array([2, 2]),
                                               padding=np.array([0, 0])),
                         "flat": nir.Flatten(input_type={"input": np.array([3, 2, 3])},
                                             start_dim=0),
                         "f": affine(rng, 6, 18), "l2": lif(6)},
                        [("input", "conv"), ("conv", "l1"), ("l1", "pool"), ("pool", "flat"),
                         ("flat", "f"), ("f", "l2"), ("l2", "output")])
    g["conv2d_pool"][0]["l1"] = nir.LIF(tau=np.full((3, 4, 7), 0.02), r=np.full((3, 4, 7), 20.),
                                         v_leak=np.zeros((3, 4, 7)),
                                         v_threshold=rng.uniform(0.5, 1.5, (3, 4, 7)),
                                         v_reset=np.zeros((3, 4, 7)))
    # The same network with the windows averaged (divided by kh * kw = 4), and
    # the next synapse's weights four times larger to keep its layer lively.
    averaged = dict(g["conv2d_pool"][0])
    averaged["pool"] = nir.AvgPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                                     padding=np.array([0, 0]))
    averaged["f"] = nir.Affine(weight=4 * averaged["f"].weight, bias=averaged["f"].bias)
    g["conv2d_avgpool"] = (averaged, list(g["conv2d_pool"][1]))
    # Pooling with padding: windows of 3, stride 2, one zero row and column on
    # each side ([3, 4, 7] -> [3, 2, 4]); the average divides by 9, padding
    # included.
    for name, pool_type in (("conv2d_pool_padded", nir.SumPool2d),
                            ("conv2d_avgpool_padded", nir.AvgPool2d)):
        padded = dict(g["conv2d_pool"][0])
        padded["pool"] = pool_type(kernel_size=np.array([3, 3]), stride=np.array([2, 2]),
                                   padding=np.array([1, 1]))
        padded["flat"] = nir.Flatten(input_type={"input": np.array([3, 2, 4])}, start_dim=0)
        scale = 9 if pool_type is nir.AvgPool2d else 1
        padded["f"] = nir.Affine(weight=scale * rng.normal(0, 0.5, (6, 24)),
                                 bias=rng.normal(0, 0.1, 6))
        g[name] = (padded, list(g["conv2d_pool"][1]))
    # Grouped convolutions: 4 input channels in 2 groups of 2 (6 filters, 3 per
    # group), and depthwise (4 groups of 1 channel, 2 filters each), dilated.
    for name, groups, filters, dilation in (("conv2d_grouped", 2, 6, 1),
                                            ("conv2d_depthwise", 4, 8, 2)):
        kernels = rng.normal(0.15, 0.6, (filters, 4 // groups, 3, 3))
        grouped = nir.Conv2d(input_shape=(6, 6), weight=kernels, stride=1, padding=1,
                             dilation=dilation, groups=groups,
                             bias=rng.normal(0, 0.1, filters))
        size = 6 + 2 - 2 * dilation  # (6 + 2 - dilation * 2 - 1) // 1 + 1
        shape = (filters, size, size)
        g[name] = ({**image_io([4, 6, 6], filters * size * size), "conv": grouped,
                    "l": nir.LIF(tau=np.full(shape, 0.02), r=np.full(shape, 20.),
                                 v_leak=np.zeros(shape), v_threshold=rng.uniform(0.5, 1.5, shape),
                                 v_reset=np.zeros(shape)),
                    "flat": nir.Flatten(input_type={"input": np.array(shape)}, start_dim=0)},
                   [("input", "conv"), ("conv", "l"), ("l", "flat"), ("flat", "output")])
    conv1 = nir.Conv1d(input_shape=9, weight=rng.normal(0, 0.6, (2, 3, 3)), stride=2,
                       padding=1, dilation=1, groups=1, bias=np.zeros(2))
    g["conv1d"] = ({**image_io([3, 9], 10), "conv": conv1,
                            "l": nir.LIF(tau=np.full((2, 5), 0.02), r=np.full((2, 5), 20.),
                                         v_leak=np.zeros((2, 5)), v_threshold=np.ones((2, 5)),
                                         v_reset=np.zeros((2, 5))),
                            "flat": nir.Flatten(input_type={"input": np.array([2, 5])},
                                                start_dim=0)},
                           [("input", "conv"), ("conv", "l"), ("l", "flat"), ("flat", "output")])
    return g


GRAPHS = graphs()


def inputs(rng, n_in):
    """Three sequences of 30 steps of Bernoulli(0.4) spikes."""
    return (rng.random((3, 30, n_in)) < 0.4).astype(float)


@pytest.mark.parametrize("reset", ["value", "subtract-delayed"])
@pytest.mark.parametrize("precision", ["f32", "f64"])
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_c_equals_reference(tmp_path, rng, name, precision, reset):
    nodes, edges = GRAPHS[name]
    path = write(tmp_path, name, nodes, edges)
    graph = load_graph(path)
    opts = dict(dt=1e-3, reset=reset, precision=precision)
    options = resolve_options(**opts)
    x = inputs(rng, int(np.prod(graph.input_shape)))
    out_c, states = api.run_c(path, x, record_states=True, **opts)
    dtype = np.float32 if precision == "f32" else np.float64
    out_ref, traces = reference.simulate(graph, options, x, dtype=dtype, record=True)
    assert np.array_equal(out_c, out_ref)
    assert_layers_spike(traces, context=name)
    for field in state_fields(graph, options):
        layer = next(l for l in graph.layers if l.name == field.layer)
        suffix = field.ident[len(layer.ident) + 1:]
        key = {"v": ".v", "i_syn": ".i_syn", "spike": ".spike"}.get(suffix)
        if key:
            assert np.array_equal(states[field.ident], traces[layer.name + key]), field.ident


@pytest.mark.parametrize("cuba_order,current_update", [("voltage-first", "decay-then-add"),
                                                        ("joined", "add-then-decay")])
@pytest.mark.parametrize("precision", ["f32", "f64"])
def test_cuba_orders_equal_the_reference(tmp_path, rng, cuba_order, current_update, precision):
    """The synaptic current a CubaLIF membrane sees under the other orders
    (test_c_equals_reference runs the default, current-first)."""
    nodes, edges = GRAPHS["cuba"]
    path = write(tmp_path, "cuba", nodes, edges)
    opts = dict(dt=1e-3, precision=precision, cuba_order=cuba_order,
                current_update=current_update)
    x = inputs(rng, 6)
    out_c, states = api.run_c(path, x, record_states=True, **opts)
    dtype = np.float32 if precision == "f32" else np.float64
    graph = load_graph(path)
    out_ref, traces = reference.simulate(graph, resolve_options(**opts), x, dtype=dtype,
                                         record=True)
    assert np.array_equal(out_c, out_ref)
    assert_layers_spike(traces, context=f"cuba {cuba_order}")
    assert np.array_equal(states["c_v"], traces["c.v"])
    assert np.array_equal(states["c_i_syn"], traces["c.i_syn"])


def test_fan_in_is_the_sum_of_the_edges(tmp_path, rng):
    """Two synapses into one neuron act as one synapse with the summed input."""
    nodes, edges = GRAPHS["fan_in"]
    path = write(tmp_path, "fan_in", nodes, edges)
    fa, fb = nodes["fa"], nodes["fb"]
    merged = {**io(6, 5), "f": nir.Affine(weight=fa.weight + fb.weight, bias=fa.bias + fb.bias),
              "l": nodes["l"]}
    merged_path = write(tmp_path, "merged", merged,
                        [("input", "f"), ("f", "l"), ("l", "output")])
    x = inputs(rng, 6)
    options = resolve_options(dt=1e-3, precision="f64")
    a, traces = reference.simulate(load_graph(path), options, x, record=True)
    b = reference.simulate(load_graph(merged_path), options, x)
    assert_layers_spike(traces, context="fan_in")  # silent outputs would agree trivially
    assert np.mean(a == b) > 0.99  # equal up to rounding of the reordered sums


def test_recurrent_edge_carries_the_previous_step(tmp_path):
    """With identity recurrence and no feed-forward drive after step 0, a value
    injected at step 0 circulates one step at a time."""
    nodes = {**io(1, 1), "f": nir.Linear(weight=np.array([[1.0]])),
             "i": nir.I(r=np.array([1.0])),
             "back": nir.Linear(weight=np.array([[1.0]]))}
    edges = [("input", "f"), ("f", "i"), ("i", "back"), ("back", "i"), ("i", "output")]
    path = write(tmp_path, "loop", nodes, edges)
    x = np.zeros((5, 1))
    x[0, 0] = 1.0
    out = api.run(path, x, backend="c", dt=1.0, precision="f64")
    # v[t] = v[t-1] + (x[t] + v[t-1]): 1, 2, 4, 8, 16
    assert out[:, 0].tolist() == [1.0, 2.0, 4.0, 8.0, 16.0]
    # The cycle is cut after the neuron: the recurrent synapse reads the
    # neuron's previous output, and the neuron reads the synapse's fresh one.
    graph = load_graph(path)
    sources = {layer.name: layer.sources for layer in graph.layers}
    assert sources["back"] == [("i", True)]
    assert sources["i"] == [("f", False), ("back", False)]


def test_algebraic_loop_is_an_error(tmp_path):
    nodes = {**io(2, 2), "a": nir.Linear(weight=np.eye(2)), "b": nir.Linear(weight=np.eye(2))}
    path = write(tmp_path, "loop", nodes,
                 [("input", "a"), ("a", "b"), ("b", "a"), ("b", "output")])
    with pytest.raises(SNNCError, match="algebraic loop"):
        load_graph(path)


def test_delay_shifts_each_element_by_its_own_steps(tmp_path, rng):
    nodes = {**io(3, 3), "d": nir.Delay(delay=np.array([0.0, 1e-3, 3e-3]))}
    path = write(tmp_path, "delay", nodes, [("input", "d"), ("d", "output")])
    x = rng.normal(size=(8, 3))
    for backend in ("c", "reference"):
        out = api.run(path, x, backend=backend, dt=1e-3, precision="f64")
        assert np.array_equal(out[:, 0], x[:, 0])
        assert np.array_equal(out[1:, 1], x[:-1, 1]) and out[0, 1] == 0
        assert np.array_equal(out[3:, 2], x[:-3, 2]) and not out[:3, 2].any()


def test_delay_in_a_network_c_equals_reference(tmp_path, rng):
    nodes = {**io(6, 5), "f": affine(rng, 5, 6, 0.8), "d": nir.Delay(delay=np.full(5, 2e-3)),
             "l": lif(5)}
    path = write(tmp_path, "delay_net", nodes,
                 [("input", "f"), ("f", "d"), ("d", "l"), ("l", "output")])
    x = inputs(rng, 6)
    for precision, dtype in (("f32", np.float32), ("f64", np.float64)):
        out = api.run(path, x, backend="c", dt=1e-3, precision=precision)
        ref, traces = reference.simulate(load_graph(path),
                                         resolve_options(dt=1e-3, precision=precision), x,
                                         dtype=dtype, record=True)
        assert np.array_equal(out, ref)
        assert_layers_spike(traces, context=f"delay_net {precision}")
        assert out[:, :2].sum() == 0  # nothing arrives before two steps


def test_delay_that_is_not_a_multiple_of_dt_is_an_error(tmp_path):
    nodes = {**io(2, 2), "d": nir.Delay(delay=np.array([1.5e-3, 1e-3]))}
    path = write(tmp_path, "bad_delay", nodes, [("input", "d"), ("d", "output")])
    with pytest.raises(SNNCError, match="not a multiple of dt"):
        api.run(path, np.zeros((2, 2)), backend="c", dt=1e-3)


@pytest.mark.parametrize("name", ["cuba", "fan_out_and_in"])
def test_exact_integrator_c_equals_reference(tmp_path, rng, name):
    nodes, edges = GRAPHS[name]
    path = write(tmp_path, name, nodes, edges)
    x = inputs(rng, 6)
    opts = dict(dt=1e-3, integrator="exact", precision="f64")
    out = api.run(path, x, backend="c", **opts)
    ref, traces = reference.simulate(load_graph(path), resolve_options(**opts), x, record=True)
    assert np.array_equal(out, ref)
    assert_layers_spike(traces, context=name)
    assert not np.array_equal(out, api.run(path, x, backend="reference", dt=1e-3,
                                           precision="f64"))


def test_exact_integrator_decays_exponentially(tmp_path):
    """An LI neuron without input decays by e^(-dt/tau) per step."""
    nodes = {**io(1, 1), "li": nir.LI(tau=np.array([0.01]), r=np.array([1.0]),
                                      v_leak=np.array([0.0]))}
    path = write(tmp_path, "li", nodes, [("input", "li"), ("li", "output")])
    x = np.zeros((5, 1))
    x[0] = 1.0
    out = api.run(path, x, backend="c", dt=1e-3, integrator="exact", precision="f64")[:, 0]
    e = np.exp(-0.1)
    assert out[0] == pytest.approx(1 - e, rel=1e-15)
    assert np.allclose(out[1:] / out[:-1], e, rtol=1e-14)


@pytest.mark.parametrize("precision", ["f32", "f64"])
@pytest.mark.parametrize("reset", ["subtract", "value"])
def test_multiple_spikes_per_step_c_equals_reference(tmp_path, rng, precision, reset):
    nodes, edges = GRAPHS["cuba"]
    nodes = dict(nodes)
    nodes["c"] = nir.CubaLIF(tau_syn=np.full(7, 0.005), tau_mem=np.full(7, 0.02),
                             r=np.full(7, 20.0), v_leak=np.zeros(7), w_in=np.full(7, 2.0),
                             v_threshold=np.full(7, 0.05), v_reset=np.zeros(7))
    path = write(tmp_path, "burst", nodes, edges)
    x = inputs(rng, 6) * 3
    opts = dict(dt=1e-3, spikes="multiple", reset=reset, compare="ge", precision=precision,
                current_update="add-then-decay", integrator="exact")
    graph = load_graph(path)
    out_c, states = api.run_c(path, x, record_states=True, **opts)
    dtype = np.float32 if precision == "f32" else np.float64
    out_ref, traces = reference.simulate(graph, resolve_options(**opts), x, dtype=dtype,
                                         record=True)
    assert np.array_equal(out_c, out_ref)
    assert_layers_spike(traces, context="burst")
    assert traces["c.spike"].max() > 1  # several spikes in one step happened
    assert np.array_equal(states["c_v"], traces["c.v"])


@pytest.mark.parametrize("reset_timing", ["after-update", "before-update"])
@pytest.mark.parametrize("reset", ["subtract", "value"])
def test_spike_before_update_c_equals_reference(tmp_path, rng, reset, reset_timing):
    x = inputs(rng, 6)
    opts = dict(dt=1e-3, reset=reset, precision="f32", spike_timing="before-update",
                reset_timing=reset_timing, cuba_reset_timing=reset_timing)
    for name in ("fan_out_and_in", "cuba"):
        path = write(tmp_path, name, *GRAPHS[name])
        ref, traces = reference.simulate(load_graph(path), resolve_options(**opts), x,
                                         dtype=np.float32, record=True)
        assert np.array_equal(api.run(path, x, backend="c", **opts), ref)
        assert_layers_spike(traces, context=name)
