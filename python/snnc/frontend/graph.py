"""Reading a NIR file into a validated, ordered list of layers.

This module knows NIR's structure (nodes, edges, shapes, parameters) and
nothing about discretization or code generation. Both the IR emitter and the
reference simulator start from the `Graph` it returns.
"""
from __future__ import annotations

import dataclasses
import keyword
import os
import re
from typing import Dict, List, Tuple

import numpy as np

from ..errors import SNNCError
from ..nodes import (BY_NIR_TYPE, CONVOLUTION, NEURON, PER_ELEMENT_CATEGORIES, POOLING,
                     RESHAPE, SYNAPSE)
from .nirfile import MAX_LAYER_ELEMENTS, read_nir  # noqa: F401 (read_nir: the CLI's)

PORTS = ("Input", "Output")
# The NIR node types the reader takes: those of the node kinds, the ports and
# subgraphs (inlined).
SUPPORTED = tuple(BY_NIR_TYPE) + PORTS + ("NIRGraph",)
# Time constants divide the time step: zero or negative values are meaningless.
POSITIVE_PARAMS = ("tau", "tau_syn", "tau_mem")

C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
    "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
    "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
    "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
    "_Complex", "_Imaginary", "_Alignas", "_Alignof", "_Atomic", "_Generic",
    "_Noreturn", "_Static_assert", "_Thread_local",
}


@dataclasses.dataclass
class Layer:
    """One computing node of the graph, in execution order."""

    name: str            # the NIR node name
    nir_type: str        # e.g. "LIF"
    kind: str            # e.g. "lif"
    ident: str           # a C identifier derived from the name
    in_shape: Tuple[int, ...]
    out_shape: Tuple[int, ...]
    # float64 arrays: weights keep their shape; neuron parameters are
    # broadcast to the neurons' shape.
    params: Dict[str, np.ndarray]
    # What arrives at the node, summed in this order (the order of the edges in
    # the file): (producer, delayed). A producer is a layer's name or the
    # graph's Input; `delayed` marks a back edge of a cycle, which carries the
    # producer's output of the previous time step.
    sources: List[Tuple[str, bool]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Graph:
    path: str
    input_name: str
    input_shape: Tuple[int, ...]
    output_name: str
    output_shape: Tuple[int, ...]
    layers: List[Layer]
    # What reaches the Output node, summed in order (as Layer.sources).
    output_sources: List[Tuple[str, bool]] = dataclasses.field(default_factory=list)

    def delayed_producers(self) -> List[str]:
        """Layers whose previous output is read through a back edge: their
        output is part of the state."""
        seen: List[str] = []
        for layer in self.layers:
            for producer, delayed in layer.sources:
                if delayed and producer not in seen:
                    seen.append(producer)
        return seen


def node_type_name(node) -> str:
    return type(node).__name__


def c_identifier(name: str) -> str:
    """A C identifier for a node name: invalid characters become '_'."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not ident or ident[0].isdigit():
        ident = "n_" + ident
    elif ident[0] == "_":  # _x and __x are reserved in C, struct members included
        ident = "n" + ident
    if ident in C_KEYWORDS or keyword.iskeyword(ident):
        ident = ident + "_"
    return ident


def _shape_of(type_dict, path, node_name) -> Tuple[int, ...]:
    if not type_dict:
        raise SNNCError("has no shape", path=path, node=node_name)
    shapes = list(type_dict.values())
    if len(shapes) != 1:
        raise SNNCError(f"has {len(shapes)} ports; one is supported", path=path, node=node_name)
    try:
        values = np.asarray(shapes[0], dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise SNNCError("has a shape that is not a list of integers", path=path,
                        node=node_name) from None
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)) \
            or np.any(np.abs(values) > 2 ** 40):
        raise SNNCError(f"has an invalid shape {values.tolist()}", path=path, node=node_name)
    shape = tuple(int(d) for d in values)
    if not shape or any(d <= 0 for d in shape):
        raise SNNCError(f"has an invalid shape {list(shape)}", path=path, node=node_name)
    if int(np.prod(shape, dtype=np.float64)) > MAX_LAYER_ELEMENTS:
        raise SNNCError(f"its shape {list(shape)} has more than {MAX_LAYER_ELEMENTS} elements",
                        path=path, node=node_name)
    return shape


def _as_float_array(value, path, node_name, field) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise SNNCError(f"parameter '{field}' is not numeric", path=path, node=node_name) from None
    if not np.all(np.isfinite(array)):
        raise SNNCError(f"parameter '{field}' contains NaN or Inf", path=path, node=node_name)
    return array


def _broadcast_param(value, shape, path, node_name, field) -> np.ndarray:
    """NIR exporters write per-neuron parameters as [n], [1] or [] arrays."""
    array = _as_float_array(value, path, node_name, field)
    if array.size == 1:
        return np.full(shape, float(array.reshape(-1)[0]))
    if array.shape == shape:
        return array.copy()
    if array.size == int(np.prod(shape)):
        return array.reshape(shape).copy()
    raise SNNCError(f"parameter '{field}' has shape {list(array.shape)} but the layer has "
                    f"{list(shape)} neurons", path=path, node=node_name)


def unsupported_reason(node) -> str:
    """Why a node cannot be compiled yet, or '' when it can."""
    type_name = node_type_name(node)
    if type_name not in SUPPORTED:
        return f"node type {type_name} is not supported yet"
    return ""


def load_graph(path) -> Graph:
    """Reads, validates and orders a NIR graph; raises SNNCError on any problem."""
    path = os.fspath(path)
    nir_graph = read_nir(path)
    return build_graph(nir_graph, path)


def _inline_subgraphs(nodes, edges, path, prefix=""):
    """Replaces nested NIRGraph nodes by their contents, named `outer.inner`.

    An edge to a subgraph `g` (or to its port `g.<input node>`) goes to what
    that Input node feeds; an edge from `g` (or `g.<output node>`) comes from
    what feeds that Output node.
    """
    flat_nodes, flat_edges = {}, []
    origins = {}  # flat name -> which node took it, for the collision message
    entries, exits = {}, {}  # subgraph -> {port: [flat node names]}

    def add(flat_name, node, origin):
        # `g.lif` may be a node of that name or node `lif` of subgraph `g`:
        # one must never stand in for the other.
        if flat_name in flat_nodes:
            raise SNNCError(f"the name '{prefix + flat_name}' is taken by {origins[flat_name]} "
                            f"and by {origin}; NIR names a subgraph's nodes "
                            "'subgraph.node', so the two cannot be told apart: rename one",
                            path=path, node=prefix + flat_name)
        flat_nodes[flat_name] = node
        origins[flat_name] = origin

    for name, node in nodes.items():
        full = prefix + name
        if node_type_name(node) != "NIRGraph":
            add(name, node, f"the node '{full}'")
            continue
        inner_nodes, inner_edges = _inline_subgraphs(dict(node.nodes),
                                                     [tuple(str(x) for x in e)
                                                      for e in node.edges], path, full + ".")
        ports_in = [n for n, v in inner_nodes.items() if node_type_name(v) == "Input"]
        ports_out = [n for n, v in inner_nodes.items() if node_type_name(v) == "Output"]
        if not ports_in or not ports_out:
            raise SNNCError("a subgraph needs Input and Output nodes", path=path, node=full)
        entries[name] = {p: [] for p in ports_in}
        exits[name] = {p: [] for p in ports_out}
        for inner_name, inner in inner_nodes.items():
            if inner_name not in ports_in and inner_name not in ports_out:
                add(f"{name}.{inner_name}", inner,
                    f"node '{inner_name}' of subgraph '{full}'")
        for source, target in inner_edges:
            if source in ports_in and target in ports_out:
                raise SNNCError(f"subgraph input '{source}' is wired straight to output "
                                f"'{target}'; this is not supported yet", path=path, node=full)
            if source in ports_in:
                entries[name][source].append(f"{name}.{target}")
            elif target in ports_out:
                exits[name][target].append(f"{name}.{source}")
            else:
                flat_edges.append((f"{name}.{source}", f"{name}.{target}"))

    def resolve(end, ports, kind):
        graph_name, _, port = end.partition(".")
        table = ports.get(end) or ports.get(graph_name)
        if end in flat_nodes and end in nodes:  # a node of this graph, named with a dot
            if table is not None and end not in ports and port in table:
                raise SNNCError(f"an edge names '{end}', which is both a node and port "
                                f"'{port}' of subgraph '{prefix + graph_name}': rename one",
                                path=path, node=prefix + end)
            return [end]
        if table is None:
            return [end]
        if end in ports:  # the subgraph itself: it must have exactly one such port
            if len(table) != 1:
                raise SNNCError(f"an edge names subgraph '{end}', which has {len(table)} "
                                f"{kind} ports; name one as {end}.<port>", path=path,
                                node=prefix + end)
            return next(iter(table.values()))
        if port not in table:
            raise SNNCError(f"subgraph '{graph_name}' has no {kind} port '{port}'",
                            path=path, node=prefix + graph_name)
        return table[port]

    for source, target in edges:
        for a in resolve(source, exits, "output"):
            for b in resolve(target, entries, "input"):
                flat_edges.append((a, b))
    return flat_nodes, flat_edges


def build_graph(nir_graph, path) -> Graph:
    nodes, edges = _inline_subgraphs(dict(nir_graph.nodes),
                                     [tuple(str(x) for x in e) for e in nir_graph.edges], path)
    if not nodes:
        raise SNNCError("the graph has no nodes", path=path)
    for name, node in nodes.items():
        reason = unsupported_reason(node)
        if reason:
            raise SNNCError(reason, path=path, node=name)

    successors: Dict[str, List[str]] = {name: [] for name in nodes}
    predecessors: Dict[str, List[str]] = {name: [] for name in nodes}
    for source, target in edges:
        for end in (source, target):
            if end not in nodes:
                raise SNNCError(f"edge {source} -> {target} refers to an unknown node '{end}'",
                                path=path)
        if source in predecessors[target]:
            raise SNNCError(f"edge {source} -> {target} appears twice", path=path, node=target)
        successors[source].append(target)
        predecessors[target].append(source)

    inputs = [n for n, node in nodes.items() if node_type_name(node) == "Input"]
    outputs = [n for n, node in nodes.items() if node_type_name(node) == "Output"]
    if len(inputs) != 1:
        raise SNNCError(f"the graph needs exactly one Input node, found {len(inputs)}", path=path)
    if len(outputs) != 1:
        raise SNNCError(f"the graph needs exactly one Output node, found {len(outputs)}",
                        path=path)
    input_name, output_name = inputs[0], outputs[0]
    if predecessors[input_name]:
        raise SNNCError(f"the Input has an incoming edge from '{predecessors[input_name][0]}'",
                        path=path, node=input_name)
    if successors[output_name]:
        raise SNNCError(f"the Output has an outgoing edge to '{successors[output_name][0]}'",
                        path=path, node=output_name)
    if not predecessors[output_name]:
        raise SNNCError("nothing reaches the Output", path=path, node=output_name)

    back_edges = _recurrent_edges(
        input_name, successors,
        lambda n: _is_neuron(nodes[n]), path)
    reached = _reachable(input_name, successors)
    unreached = [n for n in nodes if n not in reached]
    if unreached:
        raise SNNCError(f"node(s) not reachable from the Input: {', '.join(unreached)}",
                        path=path, node=unreached[0])
    reaching = _reachable(output_name, predecessors)
    dead = [n for n in nodes if n not in reaching]
    if dead:
        raise SNNCError(f"node(s) whose output reaches no Output: {', '.join(dead)}",
                        path=path, node=dead[0])

    order = _topological_order(nodes, predecessors, back_edges)
    if len(order) != len(nodes):
        stuck = [n for n in nodes if n not in order]
        raise SNNCError("the graph's cycles cannot be ordered with one recurrent edge per "
                        f"cycle (nodes {', '.join(stuck)})", path=path, node=stuck[0])
    shapes: Dict[str, Tuple[int, ...]] = {
        input_name: _shape_of(nodes[input_name].input_type, path, input_name)}
    # Shapes flow along the edges; a node fed only by recurrent edges learns
    # its input shape from its producer, which may come later in the order.
    built: Dict[str, Layer] = {}
    pending = [n for n in order if n not in (input_name, output_name)]
    while pending:
        progress = False
        for name in list(pending):
            sources = [(p, (p, name) in back_edges) for p in predecessors[name]]
            if not any(p in shapes for p, _ in sources):
                continue
            try:
                layer = _make_layer(name, nodes[name],
                                    _arriving_shape(name, sources, shapes, path), path)
            except (TypeError, ValueError, AttributeError, IndexError, KeyError,
                    OverflowError) as exc:
                # Parameters of the wrong kind (strings, wrong nesting, ...).
                raise SNNCError(f"malformed parameters ({type(exc).__name__}: "
                                f"{str(exc).splitlines()[0] if str(exc) else ''})",
                                path=path, node=name) from None
            if int(np.prod(layer.out_shape)) > MAX_LAYER_ELEMENTS:
                raise SNNCError(f"its output has {int(np.prod(layer.out_shape))} elements; the "
                                f"limit is {MAX_LAYER_ELEMENTS}", path=path, node=name)
            layer.sources = sources
            built[name] = layer
            shapes[name] = layer.out_shape
            pending.remove(name)
            progress = True
        if not progress:
            raise SNNCError("the input shape of this node cannot be inferred from any edge",
                            path=path, node=pending[0])
    layers = [built[n] for n in order if n in built]
    _assign_unique_idents(layers)
    if not layers:
        raise SNNCError("the graph has no computing node between Input and Output", path=path)
    # A producer may have been built after its consumer (a cycle): check every
    # edge now that all shapes are known.
    for layer in layers:
        for producer, delayed in layer.sources:
            if int(np.prod(shapes[producer])) != int(np.prod(layer.in_shape)):
                kind = " (a recurrent edge)" if delayed else ""
                raise SNNCError(f"receives {list(shapes[producer])} from '{producer}'{kind} "
                                f"but expects {list(layer.in_shape)}", path=path,
                                node=layer.name)
    output_sources = [(p, False) for p in predecessors[output_name]]
    arriving = _arriving_shape(output_name, output_sources, shapes, path)
    declared = nodes[output_name].output_type
    if declared and all(v is not None for v in declared.values()):
        output_shape = _shape_of(declared, path, output_name)
        if int(np.prod(output_shape)) != int(np.prod(arriving)):
            raise SNNCError(f"the Output has shape {list(output_shape)} but receives "
                            f"{list(arriving)}", path=path, node=output_name)
    return Graph(path=path, input_name=input_name, input_shape=shapes[input_name],
                 output_name=output_name, output_shape=arriving, layers=layers,
                 output_sources=output_sources)


def _assign_unique_idents(layers: List[Layer]) -> None:
    """Gives every layer a distinct C identifier, deterministically.

    Names that differ in NIR may sanitize alike (`1st-layer` and `1st.layer`,
    `α` and `β`, `int` and `int_`). A node whose name is already a C identifier
    keeps it; the others get their sanitized name, or, when that is taken, the
    first free `_2`, `_3`, ... suffix in graph order that is no other node's
    sanitized name."""
    bases = {layer.name: c_identifier(layer.name) for layer in layers}
    reserved = set(bases.values())
    taken = {layer.name for layer in layers if bases[layer.name] == layer.name}
    for layer in layers:
        base = bases[layer.name]
        if base == layer.name:
            layer.ident = base
            continue
        ident, suffix = base, 2
        while ident in taken or (ident != base and ident in reserved):
            ident, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(ident)
        layer.ident = ident


def _reachable(start, neighbours) -> set:
    seen, stack = {start}, [start]
    while stack:
        for n in neighbours[stack.pop()]:
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return seen


def _recurrent_edges(start, successors, is_stateful, path) -> set:
    """The edges that carry the previous step's value: one per cycle.

    A depth-first walk from the Input (successors in file order) finds each
    cycle; the cycle is cut on the edge that leaves its last neuron before the
    walk closed it, so that memoryless nodes in the loop (a recurrent synapse
    with a bias) compute from the neuron's previous output within the step,
    as the frameworks do (snnTorch's RLeaky: W_rec s[t-1] + b at step t). A
    cycle without a neuron has no state to carry: an algebraic loop.
    """
    cuts, on_stack, done = set(), set(), set()
    stack = [(start, iter(successors[start]))]
    on_stack.add(start)
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            on_stack.discard(node)
            done.add(node)
        elif child in on_stack:
            names = [n for n, _ in stack]
            cycle = names[names.index(child):]  # child ... node, then back to child
            for position in range(len(cycle) - 1, -1, -1):
                if is_stateful(cycle[position]):
                    following = cycle[position + 1] if position + 1 < len(cycle) else child
                    cuts.add((cycle[position], following))
                    break
            else:
                raise SNNCError("algebraic loop: the cycle " + " -> ".join(cycle + [child]) +
                                " has no neuron to hold the previous step's value",
                                path=path, node=child)
        elif child not in done:
            on_stack.add(child)
            stack.append((child, iter(successors[child])))
    return cuts


def _topological_order(nodes, predecessors, back_edges) -> List[str]:
    """Kahn's algorithm on the forward edges, ties broken by file order."""
    remaining = {n: sum(1 for p in predecessors[n] if (p, n) not in back_edges) for n in nodes}
    position = {n: i for i, n in enumerate(nodes)}
    successors: Dict[str, List[str]] = {n: [] for n in nodes}
    for n in nodes:
        for p in predecessors[n]:
            if (p, n) not in back_edges:
                successors[p].append(n)
    ready = sorted((n for n, k in remaining.items() if k == 0), key=position.get)
    order = []
    while ready:
        n = ready.pop(0)
        order.append(n)
        for s in successors[n]:
            remaining[s] -= 1
            if remaining[s] == 0:
                ready.append(s)
                ready.sort(key=position.get)
    return order


def _arriving_shape(name, sources, shapes, path) -> Tuple[int, ...]:
    """The shape of what arrives at a node: all known sources must agree."""
    known = [(p, shapes[p]) for p, _ in sources if p in shapes]
    first_name, first = known[0]
    for producer, shape in known[1:]:
        if shape != first:
            raise SNNCError(f"receives {list(first)} from '{first_name}' but {list(shape)} "
                            f"from '{producer}'; summed inputs must have equal shapes",
                            path=path, node=name)
    return first


def _is_neuron(node) -> bool:
    """Whether a node keeps a membrane from step to step: a cycle through it
    can carry the previous step's value."""
    entry = BY_NIR_TYPE.get(node_type_name(node))
    return entry is not None and entry.category == NEURON


def _make_layer(name, node, in_shape, path) -> Layer:
    entry = BY_NIR_TYPE[node_type_name(node)]
    if entry.category in PER_ELEMENT_CATEGORIES:
        make = _make_per_element
    else:
        make = {SYNAPSE: _make_synapse, CONVOLUTION: _make_conv, POOLING: _make_pool,
                RESHAPE: _make_flatten}[entry.category]
    return make(name, node, entry, c_identifier(name), in_shape, path)


def _make_synapse(name, node, entry, ident, in_shape, path) -> Layer:
    weight = _as_float_array(node.weight, path, name, "weight")
    if weight.ndim != 2:
        raise SNNCError(f"weight must be a matrix [out, in], got shape {list(weight.shape)}",
                        path=path, node=name)
    # Some exporters keep a batch dimension of 1 ([1, n]): a dense synapse
    # reads its input flat, so only the element count must agree.
    if weight.shape[1] != int(np.prod(in_shape)) or \
            sum(1 for d in in_shape if d != 1) > 1:
        raise SNNCError(f"weight has {weight.shape[1]} columns but the input has shape "
                        f"{list(in_shape)}", path=path, node=name)
    in_shape = (weight.shape[1],)
    params = {"weight": weight}
    if "bias" in entry.params:
        bias = _as_float_array(node.bias, path, name, "bias").reshape(-1)
        if bias.size == 1:
            bias = np.full(weight.shape[0], bias[0])
        if bias.shape != (weight.shape[0],):
            raise SNNCError(f"bias has {bias.size} elements but the weight has "
                            f"{weight.shape[0]} rows", path=path, node=name)
        params["bias"] = bias
    return Layer(name, entry.nir_type, entry.kind, ident, in_shape, (weight.shape[0],), params)


def _make_flatten(name, node, entry, ident, in_shape, path) -> Layer:
    from nir.ir.utils import calc_flatten_output
    try:
        out_shape = tuple(int(d) for d in calc_flatten_output(
            list(in_shape), int(node.start_dim), int(node.end_dim)))
    except Exception:
        out_shape = ()
    if not out_shape or int(np.prod(out_shape)) != int(np.prod(in_shape)):
        raise SNNCError(f"cannot flatten {list(in_shape)} from dimension {node.start_dim} "
                        f"to {node.end_dim}", path=path, node=name)
    return Layer(name, entry.nir_type, entry.kind, ident, in_shape, out_shape, {})


def _make_per_element(name, node, entry, ident, in_shape, path) -> Layer:
    """Neurons, delays and elementwise nodes: one value of each parameter per
    element, and the output has the input's shape."""
    params = {}
    for field in entry.params:
        value = getattr(node, field, None)
        if value is None:
            if field == "v_reset":  # nir < 1.0.6 files lack it: NIR's default
                value = 0.0
            else:
                raise SNNCError(f"parameter '{field}' is missing", path=path, node=name)
        params[field] = _broadcast_param(value, in_shape, path, name, field)
    for field in POSITIVE_PARAMS:
        if field in params and np.any(params[field] <= 0):
            raise SNNCError(f"parameter '{field}' must be positive", path=path, node=name)
    if "delay" in params and np.any(params["delay"] < 0):
        raise SNNCError("parameter 'delay' must not be negative", path=path, node=name)
    return Layer(name, entry.nir_type, entry.kind, ident, in_shape, in_shape, params)


def _pair(value, count, path, name, field):
    """NIR writes window parameters as an int or one value per spatial dim."""
    array = np.asarray(value).reshape(-1)
    if array.size == 1:
        array = np.repeat(array, count)
    if array.size != count or not np.all(np.isfinite(array.astype(float))):
        raise SNNCError(f"'{field}' must have {count} value(s), got {list(array)}",
                        path=path, node=name)
    return [int(v) for v in array]


def _window_extent(size, kernel, stride, padding, dilation):
    span = dilation * (kernel - 1) + 1
    if stride <= 0 or size + 2 * padding < span:
        return -1
    return (size + 2 * padding - span) // stride + 1


def _make_conv(name, node, entry, ident, in_shape, path) -> Layer:
    dims = 2 if entry.kind == "conv2d" else 1
    weight = _as_float_array(node.weight, path, name, "weight")
    if weight.ndim != dims + 2:
        raise SNNCError(f"weight must have {dims + 2} dimensions [F, C/groups, "
                        f"{'KH, KW' if dims == 2 else 'K'}], got {list(weight.shape)}",
                        path=path, node=name)
    if len(in_shape) != dims + 1:
        raise SNNCError(f"expects input [C, {'H, W' if dims == 2 else 'L'}], got "
                        f"{list(in_shape)}", path=path, node=name)
    groups = int(np.asarray(node.groups).reshape(-1)[0])
    if groups < 1 or in_shape[0] % groups or weight.shape[0] % groups \
            or weight.shape[1] * groups != in_shape[0]:
        raise SNNCError(f"weight {list(weight.shape)} with groups={groups} does not fit "
                        f"{in_shape[0]} input channels", path=path, node=name)
    stride = _pair(node.stride, dims, path, name, "stride")
    dilation = _pair(node.dilation, dims, path, name, "dilation")
    kernel = list(weight.shape[2:])
    if isinstance(node.padding, str):
        if node.padding == "valid":
            padding = [0] * dims
        elif node.padding == "same" and all((d * (k - 1)) % 2 == 0
                                            for d, k in zip(dilation, kernel)):
            padding = [d * (k - 1) // 2 for d, k in zip(dilation, kernel)]
        else:
            raise SNNCError(f"padding '{node.padding}' is not supported", path=path, node=name)
    else:
        padding = _pair(node.padding, dims, path, name, "padding")
    if any(v < 1 for v in stride + dilation) or any(p < 0 for p in padding):
        raise SNNCError("stride and dilation must be positive and padding not negative",
                        path=path, node=name)
    out_spatial = [_window_extent(in_shape[1 + d], kernel[d], stride[d], padding[d],
                                  dilation[d]) for d in range(dims)]
    if any(e < 1 for e in out_spatial):
        raise SNNCError(f"the kernel {kernel} does not fit the input {list(in_shape)}",
                        path=path, node=name)
    bias = getattr(node, "bias", None)
    bias = np.zeros(weight.shape[0]) if bias is None else \
        _as_float_array(bias, path, name, "bias").reshape(-1)
    if bias.size == 1:
        bias = np.full(weight.shape[0], bias[0])
    if bias.shape != (weight.shape[0],):
        raise SNNCError(f"bias has {bias.size} elements for {weight.shape[0]} filters",
                        path=path, node=name)
    params = {"weight": weight, "bias": bias, "stride": np.array(stride),
              "padding": np.array(padding), "dilation": np.array(dilation),
              "groups": np.array(groups)}
    return Layer(name, entry.nir_type, entry.kind, ident, in_shape,
                 (weight.shape[0], *out_spatial), params)


def _make_pool(name, node, entry, ident, in_shape, path) -> Layer:
    if len(in_shape) != 3:
        raise SNNCError(f"expects input [C, H, W], got {list(in_shape)}", path=path, node=name)
    kernel = _pair(node.kernel_size, 2, path, name, "kernel_size")
    stride = _pair(node.stride, 2, path, name, "stride")
    padding = _pair(node.padding, 2, path, name, "padding")
    if any(p < 0 for p in padding):
        raise SNNCError(f"padding must not be negative, got {padding}", path=path, node=name)
    out_spatial = [_window_extent(in_shape[1 + d], kernel[d], stride[d], padding[d], 1)
                   for d in range(2)]
    if any(v < 1 for v in kernel + stride) or any(e < 1 for e in out_spatial):
        raise SNNCError(f"the window {kernel} with stride {stride} does not fit the input "
                        f"{list(in_shape)}", path=path, node=name)
    params = {"kernel": np.array(kernel), "stride": np.array(stride),
              "padding": np.array(padding)}
    return Layer(name, entry.nir_type, entry.kind, ident, in_shape,
                 (in_shape[0], *out_spatial), params)
