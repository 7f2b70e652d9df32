"""Emitting snn IR for a validated graph: one time step as one function.

The step function is `func.func private @<name>_step_compute(state..., input)
-> (state'..., output)`; the C API wrapper (emit.py) calls it with the state
struct's arrays. When the output is itself a piece of state (the last layer's
spikes under a delayed reset), it is not returned twice: `output_state`
records which state holds it.
"""
from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Tuple

import numpy as np
from mlir import ir
from mlir.dialects import arith, func
from mlir.dialects import tensor as tensor_dialect

from .. import semantics
from ..dialects import snn
from .graph import Graph, Layer


@dataclasses.dataclass
class StateField:
    """One array of the generated state struct."""

    ident: str                 # C field name, e.g. "lif1_v"
    shape: Tuple[int, ...]
    layer: str                 # NIR node name


@dataclasses.dataclass
class ModelIR:
    module: ir.Module
    compute_name: str
    states: List[StateField]
    input_shape: Tuple[int, ...]
    output_shape: Tuple[int, ...]
    output_state: Optional[int]   # index into states when the output is a state
    # state index -> index of an earlier state holding the same value (the
    # computation returns it once; the wrapper copies it)
    state_aliases: Dict[int, int] = dataclasses.field(default_factory=dict)


def _element_type(precision):
    return ir.F32Type.get() if precision == "f32" else ir.F64Type.get()


def _param_attr(values: np.ndarray) -> ir.DenseElementsAttr:
    """A per-neuron parameter: one element when all neurons agree."""
    values = np.asarray(values, dtype=np.float64)
    flat = values.reshape(-1)
    if flat.size and np.all(flat == flat[0]):
        values = flat[:1]
    return ir.DenseElementsAttr.get(np.ascontiguousarray(values), type=ir.F64Type.get())


SPIKING = ("if", "lif", "cubalif")


def _states_of(layer: Layer, options: semantics.Options) -> List[StateField]:
    fields = []
    if layer.kind in ("cubali", "cubalif"):
        fields.append(StateField(f"{layer.ident}_i_syn", layer.out_shape, layer.name))
    if layer.kind in ("integrator", "if", "li", "lif", "cubali", "cubalif"):
        fields.append(StateField(f"{layer.ident}_v", layer.out_shape, layer.name))
    if layer.kind in SPIKING and options.reset == "subtract-delayed":
        fields.append(StateField(f"{layer.ident}_spike", layer.out_shape, layer.name))
    if layer.kind == "delay":
        longest = int(delay_steps_of(layer, options).max())
        if longest > 0:
            fields.append(StateField(f"{layer.ident}_buffer", (longest,) + layer.out_shape,
                                     layer.name))
    return fields


def delay_steps_of(layer: Layer, options: semantics.Options) -> np.ndarray:
    try:
        return semantics.delay_steps(layer.params["delay"], options.dt)
    except ValueError as exc:
        from ..errors import SNNCError
        raise SNNCError(str(exc), node=layer.name) from None


def state_fields(graph: Graph, options: semantics.Options) -> List[StateField]:
    """The state struct's arrays, in order: each layer's neuron state, then the
    previous outputs that recurrent edges read."""
    fields = [field for layer in graph.layers for field in _states_of(layer, options)]
    by_name = {layer.name: layer for layer in graph.layers}
    for producer in graph.delayed_producers():
        layer = by_name[producer]
        fields.append(StateField(f"{layer.ident}_out", layer.out_shape, layer.name))
    return fields


def emit_model(graph: Graph, options: semantics.Options, name: str,
               context: ir.Context) -> ModelIR:
    states = state_fields(graph, options)
    delayed = graph.delayed_producers()
    with context, ir.Location.unknown():
        elem = _element_type(options.precision)

        def tensor(shape):
            return ir.RankedTensorType.get(list(shape), elem)

        module = ir.Module.create()
        # The step takes and returns flat arrays, as the C API does.
        n_in = int(np.prod(graph.input_shape))
        arg_types = [tensor(s.shape) for s in states] + [tensor([n_in])]
        compute_name = f"{name}_step_compute"
        output_state = None
        state_aliases = {}
        with ir.InsertionPoint(module.body):
            function = func.FuncOp(compute_name, (arg_types, []))
            function.attributes["sym_visibility"] = ir.StringAttr.get("private")
            block = function.add_entry_block()
            with ir.InsertionPoint(block):
                state_in = list(block.arguments[:len(states)])
                delayed_in = dict(zip(delayed, state_in[len(states) - len(delayed):]))
                values = {graph.input_name: _reshaped(block.arguments[len(states)],
                                                      graph.input_shape, tensor)}

                def arriving(node, sources, shape):
                    parts = [delayed_in[p] if is_delayed else values[p]
                             for p, is_delayed in sources]
                    parts = [_reshaped(v, shape, tensor) for v in parts]
                    if len(parts) == 1:
                        return parts[0]
                    with ir.Location.name(node):
                        return snn.SumOp(parts[0].type, parts).result

                state_out = []
                for layer in graph.layers:
                    x = arriving(layer.name, layer.sources, layer.in_shape)
                    values[layer.name], new_states = _emit_layer(layer, x, state_in, options,
                                                                 tensor, elem)
                    state_in = state_in[len(new_states):]
                    state_out.extend(new_states)
                state_out.extend(values[p] for p in delayed)
                value = arriving(graph.output_name, graph.output_sources, graph.output_shape)
                value = _reshaped(value, [int(np.prod(graph.output_shape))], tensor)
                # A value is returned once (bufferization cannot return one
                # value twice); the C wrapper copies it to the other fields.
                results = []
                for index, v in enumerate(state_out):
                    if v in results:
                        state_aliases[index] = state_out.index(v)
                    else:
                        results.append(v)
                for index, state_value in enumerate(state_out):
                    if state_value == value and index not in state_aliases:
                        output_state = index
                if output_state is None:
                    results.append(value)
                func.ReturnOp(results)
            function.attributes["function_type"] = ir.TypeAttr.get(
                ir.FunctionType.get(arg_types, [r.type for r in results]))
        if not module.operation.verify():
            raise RuntimeError("internal error: the front end built invalid snn IR")
    return ModelIR(module, compute_name, states, graph.input_shape, graph.output_shape,
                   output_state, state_aliases)


def _reshaped(value, shape, tensor):
    """The value as `shape` (same element count, row-major): collapsed to 1-D,
    then expanded (convert-snn-to-linalg turns both into copies)."""
    source_shape = list(ir.RankedTensorType(value.type).shape)
    if source_shape == list(shape):
        return value
    if len(source_shape) != 1:
        value = tensor_dialect.collapse_shape(tensor([int(np.prod(source_shape))]), value,
                                              [list(range(len(source_shape)))])
    if len(shape) != 1:
        value = tensor_dialect.expand_shape(tensor(shape), value, [list(range(len(shape)))],
                                            [], list(shape))
    return value


def _compare_attr(options):
    return ir.Attribute.parse(f"#snn.compare<{options.compare}>")


def _reset_attr(options):
    return ir.Attribute.parse(f"#snn.reset<{options.reset.replace('-', '_')}>")


def _emit_layer(layer: Layer, x, state_in, options, tensor, elem):
    """Emits one layer; returns (its output value, its new state values)."""
    loc = ir.Location.name(layer.name)
    p = layer.params
    dt = options.dt
    with loc:
        if layer.kind in ("affine", "linear"):
            weight = arith.ConstantOp(
                tensor(p["weight"].shape),
                ir.DenseElementsAttr.get(p["weight"].astype(_np_dtype(options)),
                                         type=elem)).result
            bias = None
            if "bias" in p:
                bias = arith.ConstantOp(
                    tensor(p["bias"].shape),
                    ir.DenseElementsAttr.get(p["bias"].astype(_np_dtype(options)),
                                             type=elem)).result
            return snn.linear(tensor(layer.out_shape), x, weight, bias=bias), []
        if layer.kind in ("conv1d", "conv2d"):
            return _emit_conv(layer, x, options, tensor, elem), []
        if layer.kind in ("sumpool2d", "avgpool2d"):
            kind = ir.Attribute.parse(f"#snn.pool_kind<{layer.kind[:3]}>")
            return snn.Pool2DOp(tensor(layer.out_shape), x, kind,
                                ir.DenseI64ArrayAttr.get([int(v) for v in p["kernel"]]),
                                ir.DenseI64ArrayAttr.get([int(v) for v in p["stride"]])).result, []
        if layer.kind == "flatten":
            return _reshaped(x, layer.out_shape, tensor), []
        if layer.kind == "delay":
            steps = delay_steps_of(layer, options).reshape(-1)
            if steps.max() == 0:
                return x, []
            if np.all(steps == steps[0]):
                steps = steps[:1]
            y, buffer_next = snn.DelayOp(x, state_in[0],
                                         ir.DenseI64ArrayAttr.get([int(v) for v in steps])).results
            return y, [buffer_next]
        if layer.kind == "scale":
            return snn.scale(x, _param_attr(p["scale"])), []
        if layer.kind == "threshold":
            return snn.threshold(tensor(layer.out_shape), x, _param_attr(p["threshold"]),
                                 _compare_attr(options)), []
        if layer.kind == "integrator":
            gain = _unit_or(semantics.integrator_gain(p["r"], dt), options)
            v_next = snn.integrator(x, state_in[0], _param_attr(gain))
            return v_next, [v_next]
        if layer.kind == "li":
            decay, gain, leak = semantics.leaky_constants(options.true_tau(p["tau"]), p["r"],
                                                          p["v_leak"], dt, options.integrator)
            gain = _unit_or(gain, options)
            v_next = snn.li(x, state_in[0], _param_attr(decay), _param_attr(gain),
                            _param_attr(leak))
            return v_next, [v_next]
        if layer.kind in ("cubali", "cubalif"):
            return _emit_cuba(layer, x, state_in, options, tensor)
        delayed = options.reset == "subtract-delayed"
        spike_prev = state_in[1] if delayed else None
        spike_params = (_param_attr(p["v_threshold"]), _param_attr(p["v_reset"]),
                        _reset_attr(options), _compare_attr(options))
        multi_spike = ir.UnitAttr.get() if options.spikes == "multiple" else None
        timing = _timing_attrs(options, options.reset_timing)
        neuron_type = tensor(layer.out_shape)
        if layer.kind == "if":
            gain = _unit_or(semantics.integrator_gain(p["r"], dt), options)
            op = snn.IFOp(neuron_type, neuron_type, x, state_in[0], _param_attr(gain),
                          *spike_params, spike_prev=spike_prev, multi_spike=multi_spike,
                          **timing)
        else:
            decay, gain, leak = semantics.leaky_constants(options.true_tau(p["tau"]), p["r"],
                                                          p["v_leak"], dt, options.integrator)
            gain = _unit_or(gain, options)
            op = snn.LIFOp(neuron_type, neuron_type, x, state_in[0], _param_attr(decay),
                           _param_attr(gain), _param_attr(leak), *spike_params,
                           spike_prev=spike_prev, multi_spike=multi_spike, **timing)
        v_next, spike = op.results
        return spike, ([v_next, spike] if delayed else [v_next])


def _timing_attrs(options, reset_timing):
    """spike_first / reset_before_update unit attributes from the options."""
    if options.spike_timing != "before-update":
        return {}
    attrs = {"spike_first": ir.UnitAttr.get()}
    if reset_timing == "before-update":
        attrs["reset_before_update"] = ir.UnitAttr.get()
    return attrs


def _unit_or(gain, options):
    """Input gains as computed, or 1 where the options say the framework
    ignores NIR's r and w_in."""
    return np.ones_like(np.asarray(gain, dtype=np.float64)) if options.input_gains == "unit" \
        else gain


def _emit_conv(layer, x, options, tensor, elem):
    """Conv2d directly; Conv1d as a Conv2d of height 1."""
    p = layer.params
    weight, in_shape, out_shape = p["weight"], layer.in_shape, layer.out_shape
    stride, padding, dilation = (list(map(int, p[k])) for k in ("stride", "padding", "dilation"))
    if layer.kind == "conv1d":
        weight = weight[:, :, None, :]
        x = _reshaped(x, [in_shape[0], 1, in_shape[1]], tensor)
        stride, padding, dilation = [1] + stride, [0] + padding, [1] + dilation
        out_2d = [out_shape[0], 1, out_shape[1]]
    else:
        out_2d = list(out_shape)
    dtype = _np_dtype(options)
    w = arith.ConstantOp(tensor(weight.shape),
                         ir.DenseElementsAttr.get(weight.astype(dtype), type=elem)).result
    b = arith.ConstantOp(tensor(p["bias"].shape),
                         ir.DenseElementsAttr.get(p["bias"].astype(dtype), type=elem)).result
    y = snn.Conv2DOp(tensor(out_2d), x, w, ir.DenseI64ArrayAttr.get(stride),
                     ir.DenseI64ArrayAttr.get(padding), ir.DenseI64ArrayAttr.get(dilation),
                     ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(p["groups"])),
                     bias=b).result
    return _reshaped(y, list(out_shape), tensor)


def _emit_cuba(layer, x, state_in, options, tensor):
    p, dt = layer.params, options.dt
    syn_decay, syn_gain = semantics.synapse_constants(options.true_tau(p["tau_syn"]),
                                                      p["w_in"], dt, options.integrator)
    if options.current_update == "add-then-decay":
        syn_gain = p["w_in"]  # the input jumps into the current, then it decays
    decay, gain, leak = semantics.leaky_constants(options.true_tau(p["tau_mem"]), p["r"],
                                                  p["v_leak"], dt, options.integrator)
    syn_gain, gain = _unit_or(syn_gain, options), _unit_or(gain, options)
    neuron_type = tensor(layer.out_shape)
    common = [_param_attr(syn_decay), _param_attr(syn_gain), _param_attr(decay),
              _param_attr(gain), _param_attr(leak)]
    voltage_first = ir.UnitAttr.get() if options.cuba_order == "voltage-first" else None
    add_then_decay = ir.UnitAttr.get() if options.current_update == "add-then-decay" else None
    joined = ir.UnitAttr.get() if options.cuba_order == "joined" else None
    if layer.kind == "cubali":
        i_next, v_next = snn.CubaLIOp(x, state_in[0], state_in[1], *common,
                                      voltage_first=voltage_first,
                                      add_then_decay=add_then_decay,
                                      membrane_sees_joined=joined).results
        return v_next, [i_next, v_next]
    delayed = options.reset == "subtract-delayed"
    op = snn.CubaLIFOp(neuron_type, neuron_type, neuron_type, x, state_in[0], state_in[1],
                       *common, _param_attr(p["v_threshold"]), _param_attr(p["v_reset"]),
                       _reset_attr(options), _compare_attr(options),
                       spike_prev=state_in[2] if delayed else None,
                       voltage_first=voltage_first, add_then_decay=add_then_decay,
                       membrane_sees_joined=joined,
                       multi_spike=ir.UnitAttr.get() if options.spikes == "multiple" else None,
                       **_timing_attrs(options, options.cuba_reset_timing))
    i_next, v_next, spike = op.results
    return spike, ([i_next, v_next, spike] if delayed else [i_next, v_next])


def _np_dtype(options):
    return np.float32 if options.precision == "f32" else np.float64
