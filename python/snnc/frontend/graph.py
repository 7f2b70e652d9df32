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

# NIR node type -> (layer kind, parameter fields that are per-neuron).
NEURON_PARAMS = {
    "I": ("integrator", ("r",)),
    "IF": ("if", ("r", "v_threshold", "v_reset")),
    "LI": ("li", ("tau", "r", "v_leak")),
    "LIF": ("lif", ("tau", "r", "v_leak", "v_threshold", "v_reset")),
}
ELEMENTWISE_PARAMS = {
    "Scale": ("scale", ("scale",)),
    "Threshold": ("threshold", ("threshold",)),
}
SYNAPSES = {"Affine": "affine", "Linear": "linear"}
PORTS = ("Input", "Output")
SUPPORTED = tuple(NEURON_PARAMS) + tuple(ELEMENTWISE_PARAMS) + tuple(SYNAPSES) + PORTS
# Parameters that divide or scale time: zero or negative values are meaningless.
POSITIVE_PARAMS = ("tau",)

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


@dataclasses.dataclass
class Graph:
    path: str
    input_name: str
    input_shape: Tuple[int, ...]
    output_name: str
    output_shape: Tuple[int, ...]
    layers: List[Layer]


def node_type_name(node) -> str:
    return type(node).__name__


def c_identifier(name: str) -> str:
    """A C identifier for a node name: invalid characters become '_'."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not ident or ident[0].isdigit():
        ident = "n_" + ident
    if ident in C_KEYWORDS or keyword.iskeyword(ident):
        ident = ident + "_"
    return ident


def _shape_of(type_dict, path, node_name) -> Tuple[int, ...]:
    if not type_dict:
        raise SNNCError("has no shape", path=path, node=node_name)
    shapes = list(type_dict.values())
    if len(shapes) != 1:
        raise SNNCError(f"has {len(shapes)} ports; one is supported", path=path, node=node_name)
    shape = tuple(int(d) for d in np.asarray(shapes[0]).reshape(-1))
    if not shape or any(d <= 0 for d in shape):
        raise SNNCError(f"has an invalid shape {list(shape)}", path=path, node=node_name)
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


def read_nir(path):
    """nir.read with errors that name the file."""
    import nir

    path = os.fspath(path)
    if not os.path.exists(path):
        raise SNNCError("no such file", path=path)
    try:
        # No type checking: nir would then add Input/Output nodes to dangling
        # ends and reject shape mismatches without naming the node; the graph
        # is validated here instead, with errors that name the node.
        return nir.read(path, type_check=False)
    except Exception as exc:  # h5py and nir raise many types for bad files
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SNNCError(f"not a readable NIR file ({detail})", path=path) from None


def unsupported_reason(node) -> str:
    """Why a node cannot be compiled yet, or '' when it can."""
    type_name = node_type_name(node)
    if type_name == "NIRGraph":
        return "nested subgraphs are not supported yet"
    if type_name not in SUPPORTED:
        return f"node type {type_name} is not supported yet"
    return ""


def load_graph(path) -> Graph:
    """Reads, validates and orders a NIR graph; raises SNNCError on any problem."""
    path = os.fspath(path)
    nir_graph = read_nir(path)
    return build_graph(nir_graph, path)


def build_graph(nir_graph, path) -> Graph:
    nodes = dict(nir_graph.nodes)
    if not nodes:
        raise SNNCError("the graph has no nodes", path=path)
    for name, node in nodes.items():
        reason = unsupported_reason(node)
        if reason:
            raise SNNCError(reason, path=path, node=name)

    successors: Dict[str, List[str]] = {name: [] for name in nodes}
    predecessors: Dict[str, List[str]] = {name: [] for name in nodes}
    for edge in nir_graph.edges:
        source, target = (str(e) for e in edge)
        for end in (source, target):
            if end not in nodes:
                raise SNNCError(f"edge {source} -> {target} refers to an unknown node '{end}'",
                                path=path)
        successors[source].append(target)
        predecessors[target].append(source)

    inputs = [n for n, node in nodes.items() if node_type_name(node) == "Input"]
    outputs = [n for n, node in nodes.items() if node_type_name(node) == "Output"]
    if len(inputs) != 1:
        raise SNNCError(f"the graph needs exactly one Input node, found {len(inputs)}", path=path)
    if len(outputs) != 1:
        raise SNNCError(f"the graph needs exactly one Output node, found {len(outputs)}",
                        path=path)

    for name in nodes:
        if len(predecessors[name]) > 1:
            raise SNNCError(f"has {len(predecessors[name])} incoming edges; fan-in is not "
                            "supported yet", path=path, node=name)
        if len(successors[name]) > 1:
            raise SNNCError(f"has {len(successors[name])} outgoing edges; fan-out is not "
                            "supported yet", path=path, node=name)

    # The supported graphs are chains from the Input to the Output.
    order = [inputs[0]]
    seen = {inputs[0]}
    while successors[order[-1]]:
        nxt = successors[order[-1]][0]
        if nxt in seen:
            raise SNNCError(f"edge {order[-1]} -> {nxt} closes a cycle; recurrent graphs are "
                            "not supported yet", path=path, node=nxt)
        order.append(nxt)
        seen.add(nxt)
    if order[-1] != outputs[0]:
        raise SNNCError(f"the path from the Input ends at '{order[-1]}', not at the Output",
                        path=path, node=order[-1])
    dangling = [n for n in nodes if n not in seen]
    if dangling:
        raise SNNCError(f"node(s) not connected between Input and Output: {', '.join(dangling)}",
                        path=path)

    input_shape = _shape_of(nodes[inputs[0]].input_type, path, inputs[0])
    layers: List[Layer] = []
    idents: Dict[str, str] = {}
    shape = input_shape
    for name in order[1:-1]:
        node = nodes[name]
        layer = _make_layer(name, node, shape, path)
        if layer.ident in idents:
            raise SNNCError(f"its C name '{layer.ident}' collides with node "
                            f"'{idents[layer.ident]}'; rename one of them", path=path, node=name)
        idents[layer.ident] = name
        layers.append(layer)
        shape = layer.out_shape
    output_shape = _shape_of(nodes[outputs[0]].output_type, path, outputs[0])
    if int(np.prod(output_shape)) != int(np.prod(shape)):
        raise SNNCError(f"the Output has shape {list(output_shape)} but receives {list(shape)}",
                        path=path, node=outputs[0])
    if not layers:
        raise SNNCError("the graph has no computing node between Input and Output", path=path)
    return Graph(path=path, input_name=inputs[0], input_shape=input_shape,
                 output_name=outputs[0], output_shape=shape, layers=layers)


def _make_layer(name, node, in_shape, path) -> Layer:
    type_name = node_type_name(node)
    ident = c_identifier(name)
    if type_name in SYNAPSES:
        weight = _as_float_array(node.weight, path, name, "weight")
        if weight.ndim != 2:
            raise SNNCError(f"weight must be a matrix [out, in], got shape {list(weight.shape)}",
                            path=path, node=name)
        if len(in_shape) != 1 or weight.shape[1] != in_shape[0]:
            raise SNNCError(f"weight has {weight.shape[1]} columns but the input has shape "
                            f"{list(in_shape)}", path=path, node=name)
        params = {"weight": weight}
        if type_name == "Affine":
            bias = _as_float_array(node.bias, path, name, "bias").reshape(-1)
            if bias.size == 1:
                bias = np.full(weight.shape[0], bias[0])
            if bias.shape != (weight.shape[0],):
                raise SNNCError(f"bias has {bias.size} elements but the weight has "
                                f"{weight.shape[0]} rows", path=path, node=name)
            params["bias"] = bias
        return Layer(name, type_name, SYNAPSES[type_name], ident, in_shape,
                     (weight.shape[0],), params)

    kind, fields = NEURON_PARAMS.get(type_name) or ELEMENTWISE_PARAMS[type_name]
    params = {}
    for field in fields:
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
    return Layer(name, type_name, kind, ident, in_shape, in_shape, params)
