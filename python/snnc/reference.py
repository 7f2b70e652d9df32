"""The numpy reference simulator: the tests' oracle, never a compiler code path.

It reads the same validated graph as the front end but computes every step
from the NIR parameters itself, in float64 by default. Sums and updates are
evaluated in the order the snn ops document (a weighted sum accumulates input
by input, starting from the bias), so with `dtype=np.float32` it reproduces
IEEE single-precision C compiled without FMA contraction bit for bit.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np

from .frontend.graph import Graph, Layer
from .semantics import Options


class _LayerState:
    def __init__(self, layer: Layer, batch: int, dtype):
        shape = (batch,) + tuple(layer.out_shape)
        self.v = np.zeros(shape, dtype)
        self.spike = np.zeros(shape, dtype)


def _weighted_sum(weight, bias, x, dtype):
    """y[b, i] = bias[i] + sum_j weight[i, j] x[b, j], summed in order of j."""
    batch = x.shape[0]
    acc = np.zeros((batch, weight.shape[0]), dtype) if bias is None else \
        np.broadcast_to(bias, (batch, weight.shape[0])).astype(dtype)
    for j in range(weight.shape[1]):
        acc = acc + weight[:, j][None, :] * x[:, j][:, None]
    return acc


def simulate(graph: Graph, options: Options, inputs: np.ndarray, *,
             dtype=np.float64, record: bool = False):
    """Runs the network on `inputs` of shape [T, n_in] or [S, T, n_in].

    Every sequence starts from rest (all state zero). Returns the outputs,
    [T, n_out] or [S, T, n_out]; with `record=True` also a dict mapping
    "<node>.v" and "<node>.spike" to [S, T, ...] traces.
    """
    inputs = np.asarray(inputs)
    single = inputs.ndim == 2
    if single:
        inputs = inputs[None]
    n_seq, n_steps = inputs.shape[:2]
    dt = options.dt
    delayed = options.reset == "subtract-delayed"
    cast = lambda a: np.asarray(a, dtype=np.float64).astype(dtype)  # noqa: E731

    # Per-step constants from the NIR parameters (forward Euler).
    consts: List[Dict[str, np.ndarray]] = []
    for layer in graph.layers:
        p = layer.params
        c: Dict[str, Optional[np.ndarray]] = {}
        if layer.kind in ("affine", "linear"):
            c["weight"] = cast(p["weight"])
            c["bias"] = cast(p["bias"]) if "bias" in p else None
        elif layer.kind in ("li", "lif"):
            c["decay"] = cast(1.0 - dt / p["tau"])
            c["gain"] = cast(p["r"] * dt / p["tau"])
            c["leak"] = cast(p["v_leak"] * dt / p["tau"])
        elif layer.kind in ("integrator", "if"):
            c["decay"] = None
            c["gain"] = cast(p["r"] * dt)
            c["leak"] = None
        if layer.kind in ("if", "lif"):
            c["threshold"] = cast(p["v_threshold"])
            c["v_reset"] = cast(p["v_reset"])
        if layer.kind == "threshold":
            c["threshold"] = cast(p["threshold"])
        if layer.kind == "scale":
            c["scale"] = cast(p["scale"])
        consts.append(c)

    states = [_LayerState(layer, n_seq, dtype) for layer in graph.layers]
    outputs = np.zeros((n_seq, n_steps) + tuple(graph.output_shape), dtype)
    traces: Dict[str, np.ndarray] = {}
    if record:
        for layer in graph.layers:
            if layer.kind in ("integrator", "if", "li", "lif"):
                traces[f"{layer.name}.v"] = np.zeros((n_seq, n_steps) + layer.out_shape, dtype)
            if layer.kind in ("if", "lif", "threshold"):
                traces[f"{layer.name}.spike"] = np.zeros((n_seq, n_steps) + layer.out_shape,
                                                         dtype)

    for t in range(n_steps):
        x = inputs[:, t].astype(dtype)
        for layer, c, st in zip(graph.layers, consts, states):
            kind = layer.kind
            if kind in ("affine", "linear"):
                x = _weighted_sum(c["weight"], c["bias"], x, dtype)
            elif kind == "scale":
                x = c["scale"] * x
            elif kind == "threshold":
                fired = x >= c["threshold"] if options.compare == "ge" else x > c["threshold"]
                x = fired.astype(dtype)
            else:
                integrated = st.v if c["decay"] is None else c["decay"] * st.v
                u = integrated + c["gain"] * x
                if c["leak"] is not None:
                    u = u + c["leak"]
                if kind in ("integrator", "li"):
                    st.v = u
                    x = u
                else:
                    if delayed:
                        u = u - c["threshold"] * st.spike
                    fired = u >= c["threshold"] if options.compare == "ge" else \
                        u > c["threshold"]
                    spike = fired.astype(dtype)
                    if options.reset == "value":
                        st.v = np.where(fired, c["v_reset"], u)
                    elif options.reset == "subtract":
                        st.v = np.where(fired, u - c["threshold"], u)
                    else:
                        st.v = u
                    st.spike = spike
                    x = spike
            if record:
                if f"{layer.name}.v" in traces:
                    traces[f"{layer.name}.v"][:, t] = st.v
                if f"{layer.name}.spike" in traces:
                    traces[f"{layer.name}.spike"][:, t] = x
        outputs[:, t] = x.reshape((n_seq,) + tuple(graph.output_shape))

    if single:
        outputs = outputs[0]
        traces = {k: v[0] for k, v in traces.items()}
    return (outputs, traces) if record else outputs
