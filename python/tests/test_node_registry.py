"""The registry of node kinds (snnc.nodes): every kind has what the compiler
and the oracle need (an emitter, a float reference step, an integer one or a
stated reason why integer models refuse it), the graph reader produces
exactly the registered kinds, and each kind goes through the whole Python
side (graph, state fields, snn IR, reference, quantizer) as its entry says."""
import inspect

import nir
import numpy as np
import pytest

from snnc import SNNCError, api, nodes, quantize, reference
from snnc.frontend import emitter, graph
from snnc.frontend.emitter import state_fields
from snnc.frontend.graph import load_graph
from snnc.nodes import NotQuantizable, Quantization
from snnc.semantics import resolve_options

from conftest import REPO_ROOT

DT = 1e-3


def _missing(table: nodes.PerKind, kinds=None):
    """The kinds (all registered ones by default) without a function in `table`."""
    return tuple(kind for kind in (kinds or nodes.KINDS) if kind not in table)


def _quantizable(kind):
    return isinstance(nodes.KINDS[kind].quantization, Quantization)


def test_every_kind_has_an_emitter_and_reference_steps():
    quantizable = tuple(kind for kind in nodes.KINDS if _quantizable(kind))
    refused = tuple(kind for kind in nodes.KINDS if not _quantizable(kind))
    assert _missing(emitter.EMITTERS) == (), "kinds without an emitter (emitter.EMITTERS)"
    assert _missing(reference.FLOAT_STEPS) == (), \
        "kinds without a float reference step (reference.FLOAT_STEPS)"
    assert _missing(reference.INTEGER_STEPS, quantizable) == (), \
        "quantizable kinds without an integer reference step (reference.INTEGER_STEPS)"
    # An integer step of a kind integer models refuse would never run.
    assert [kind for kind in refused if kind in reference.INTEGER_STEPS] == []


def test_every_kind_has_a_quantize_rule_or_a_reason():
    for kind, entry in nodes.KINDS.items():
        rule = entry.quantization
        assert isinstance(rule, (Quantization, NotQuantizable)), kind
        if isinstance(rule, NotQuantizable):
            assert rule.reason.strip(), f"{kind}: not quantizable, without a reason"


def test_the_checks_enumerate_the_registry():
    """A table missing a kind is found: the checks above are not vacuous."""
    assert len(nodes.KINDS) >= 16
    assert _missing(nodes.PerKind("test table")) == tuple(nodes.KINDS)
    partial = nodes.PerKind("test table")
    partial.register(*tuple(nodes.KINDS)[1:])(lambda *args: None)
    assert _missing(partial) == tuple(nodes.KINDS)[:1]


def test_a_table_refuses_unknown_and_duplicate_kinds():
    table = nodes.PerKind("test table")
    with pytest.raises(ValueError, match="not a kind"):
        table.register("adaptive_lif")(lambda *args: None)
    table.register("lif")(lambda *args: None)
    with pytest.raises(ValueError, match="two test tables for 'lif'"):
        table.register("lif")(lambda *args: None)


def test_the_registry_is_consistent():
    for kind, entry in nodes.KINDS.items():
        assert entry.kind == kind
        assert nodes.BY_NIR_TYPE[entry.nir_type] is entry
        assert hasattr(nir, entry.nir_type), f"{kind}: nir has no class {entry.nir_type}"
        assert entry.category in (nodes.SYNAPSE, nodes.CONVOLUTION, nodes.POOLING,
                                  nodes.RESHAPE, nodes.DELAY, nodes.ELEMENTWISE, nodes.NEURON)
        # State roles name C struct members (<node>_<role>); "spike" and "out"
        # are the emitter's own (last spikes, a recurrent edge's value).
        assert all(role.isidentifier() for role in entry.states), kind
        assert not set(entry.states) & {"spike", "out"}, kind
        if entry.category == nodes.NEURON:
            assert "v" in entry.states, kind
            assert entry.membrane_tau in (None,) + entry.params, kind
        else:
            assert entry.membrane_tau is None and not entry.has_current, kind


def test_graph_takes_exactly_the_registered_nir_types():
    """Every NIR node class the reader accepts (ports and subgraphs aside) is
    a registered kind, and every registered kind is accepted."""
    structural = set(graph.PORTS) | {"NIRGraph"}
    classes = [name for name, value in vars(nir).items()
               if inspect.isclass(value) and issubclass(value, nir.NIRNode)
               and value is not nir.NIRNode]
    accepted = {name for name in classes
                if graph.unsupported_reason(type(name, (), {})()) == ""} - structural
    assert accepted == set(nodes.BY_NIR_TYPE)
    assert set(graph.SUPPORTED) - structural == set(nodes.BY_NIR_TYPE)


def test_the_shipped_models_have_only_registered_kinds():
    paths = sorted((REPO_ROOT / "python" / "tests" / "fixtures").rglob("*.nir")) + \
        sorted((REPO_ROOT / "examples" / "models").rglob("*.nir"))
    assert paths
    for path in paths:
        for layer in load_graph(path).layers:
            assert layer.kind in nodes.KINDS, f"{path.name}: {layer.name} is {layer.kind}"


# --------------------------------------------------------------------------
# One small network per kind: the node under test is "x", placed where an
# integer model accepts it when its kind is quantizable (a synapse reads the
# input and feeds a neuron; a neuron reads a synapse; a delay passes spikes; a
# pool sums spikes for a synapse).

def _ones(n, value=1.0):
    return np.full(n, value)


def _lif(n):
    return nir.LIF(tau=_ones(n, 0.02), r=_ones(n, 20.0), v_leak=_ones(n, 0.0),
                   v_threshold=_ones(n, 1.0), v_reset=_ones(n, 0.0))


def _affine(n_out, n_in):
    rng = np.random.default_rng(n_out * 10 + n_in)
    return nir.Affine(weight=rng.normal(0, 1, (n_out, n_in)), bias=rng.normal(0, 0.1, n_out))


NEURON_EXAMPLES = {
    "integrator": lambda n: nir.I(r=_ones(n, 500.0)),
    "if": lambda n: nir.IF(r=_ones(n, 500.0), v_threshold=_ones(n), v_reset=_ones(n, 0.0)),
    "li": lambda n: nir.LI(tau=_ones(n, 0.02), r=_ones(n, 20.0), v_leak=_ones(n, 0.1)),
    "lif": _lif,
    "cubali": lambda n: nir.CubaLI(tau_syn=_ones(n, 0.005), tau_mem=_ones(n, 0.02),
                                   r=_ones(n, 20.0), v_leak=_ones(n, 0.0), w_in=_ones(n, 2.0)),
    "cubalif": lambda n: nir.CubaLIF(tau_syn=_ones(n, 0.005), tau_mem=_ones(n, 0.02),
                                     r=_ones(n, 20.0), v_leak=_ones(n, 0.0),
                                     w_in=_ones(n, 2.0), v_threshold=_ones(n),
                                     v_reset=_ones(n, 0.0)),
}


def _chain(input_shape, output_size, *named_nodes):
    """Input -> the nodes in order -> Output."""
    nodes_ = {"input": nir.Input(input_type={"input": np.array(input_shape)})}
    nodes_.update(named_nodes)
    nodes_["output"] = nir.Output(output_type={"output": np.array([output_size])})
    names = list(nodes_)
    return nodes_, list(zip(names[:-1], names[1:]))


def _example(kind):
    if kind in NEURON_EXAMPLES:
        return _chain([4], 3, ("w", _affine(3, 4)), ("x", NEURON_EXAMPLES[kind](3)))
    if kind == "affine":
        return _chain([4], 3, ("x", _affine(3, 4)), ("l", _lif(3)))
    if kind == "linear":
        return _chain([4], 3, ("x", nir.Linear(weight=_affine(3, 4).weight)), ("l", _lif(3)))
    if kind == "flatten":
        flatten = nir.Flatten(input_type={"input": np.array([2, 2])}, start_dim=0)
        return _chain([2, 2], 3, ("x", flatten), ("w", _affine(3, 4)), ("l", _lif(3)))
    if kind == "delay":
        return _chain([4], 3, ("w", _affine(3, 4)), ("l", _lif(3)),
                      ("x", nir.Delay(delay=np.array([DT, 2 * DT, 0.0]))))
    if kind == "scale":
        return _chain([4], 4, ("x", nir.Scale(scale=np.array([1.0, -2.0, 0.5, 3.0]))))
    if kind == "threshold":
        return _chain([4], 4, ("x", nir.Threshold(threshold=_ones(4, 0.5))))
    if kind == "conv1d":  # [2, 5] -> [3, 4]
        return _chain([2, 5], 12, ("x", nir.Conv1d(input_shape=5, weight=np.ones((3, 2, 2)),
                                                   stride=1, padding=0, dilation=1, groups=1,
                                                   bias=np.zeros(3))),
                      ("l", NEURON_EXAMPLES["if"]((3, 4))))
    if kind == "conv2d":  # [2, 4, 4] -> [3, 3, 3]
        return _chain([2, 4, 4], 27, ("x", nir.Conv2d(input_shape=(4, 4),
                                                      weight=np.ones((3, 2, 2, 2)), stride=1,
                                                      padding=0, dilation=1, groups=1,
                                                      bias=np.zeros(3))),
                      ("l", NEURON_EXAMPLES["if"]((3, 3, 3))))
    if kind in ("sumpool2d", "avgpool2d"):  # spikes [2, 4, 4] -> [2, 2, 2] -> a synapse
        pool = getattr(nir, nodes.KINDS[kind].nir_type)
        return _chain([2, 4, 4], 3,
                      ("w", nir.Conv2d(input_shape=(4, 4), weight=np.ones((2, 2, 1, 1)),
                                       stride=1, padding=0, dilation=1, groups=1,
                                       bias=np.zeros(2))),
                      ("l", NEURON_EXAMPLES["if"]((2, 4, 4))),
                      ("x", pool(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                                 padding=np.array([0, 0]))),
                      ("f", nir.Flatten(input_type={"input": np.array([2, 2, 2])}, start_dim=0)),
                      ("a", _affine(3, 8)), ("n", _lif(3)))
    raise KeyError(kind)


def _write(tmp_path, kind):
    nodes_, edges = _example(kind)
    path = tmp_path / f"{kind}.nir"
    nir.write(str(path), nir.NIRGraph(nodes=nodes_, edges=edges, type_check=False))
    return path


def test_every_kind_has_an_example():
    missing = []
    for kind in nodes.KINDS:
        try:
            _example(kind)
        except KeyError:
            missing.append(kind)
    assert missing == [], "kinds without an example network here: add one to _example"


@pytest.mark.parametrize("kind", list(nodes.KINDS))
def test_each_kind_goes_through_graph_emitter_and_reference(tmp_path, kind):
    entry = nodes.KINDS[kind]
    path = _write(tmp_path, kind)
    loaded = load_graph(path)
    layer = next(layer for layer in loaded.layers if layer.name == "x")
    assert (layer.kind, layer.nir_type) == (kind, entry.nir_type)
    if entry.category in nodes.PER_ELEMENT_CATEGORIES:
        assert tuple(layer.params) == entry.params

    for reset in ("subtract", "subtract-delayed"):
        options = resolve_options(dt=DT, reset=reset, precision="f64")
        roles = tuple(field.role for field in state_fields(loaded, options)
                      if field.layer == "x")
        spike = ("spike",) if entry.fires and reset == "subtract-delayed" else ()
        assert roles == entry.states + spike, reset
        api.generate(path, name="m", emit="mlir", dt=DT, reset=reset, precision="f64")
        x = (np.random.default_rng(0).random((6, int(np.prod(loaded.input_shape)))) < 0.5)
        outputs, traces = reference.simulate(loaded, options, x.astype(float), record=True)
        assert outputs.shape == (6,) + tuple(loaded.output_shape)
        assert ("x.v" in traces) == (entry.category == nodes.NEURON)
        assert ("x.i_syn" in traces) == entry.has_current
        assert ("x.spike" in traces) == entry.spikes


@pytest.mark.parametrize("kind", list(nodes.KINDS))
def test_each_kind_quantizes_by_its_rule(tmp_path, kind):
    rule = nodes.KINDS[kind].quantization
    path = _write(tmp_path, kind)
    loaded = load_graph(path)
    options = resolve_options(dt=DT, precision="int8")
    if isinstance(rule, NotQuantizable):
        with pytest.raises(SNNCError, match=f"{kind} nodes are not supported at --precision"):
            quantize.plan(loaded, options)
        return
    plan = quantize.plan(loaded, options)
    assert ("x" in plan.weight_scale) == (rule is Quantization.WEIGHT_SCALES)
    assert ("x" in plan.state_scale) == (rule is Quantization.STATE_SCALE)
    api.generate(path, name="m", emit="mlir", dt=DT, precision="int8")
    x = (np.random.default_rng(1).random((6, int(np.prod(loaded.input_shape)))) < 0.5)
    outputs = reference.simulate_quantized(loaded, options, plan, x.astype(np.int64))
    assert outputs.shape == (6,) + tuple(loaded.output_shape)
