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

from mlir.dialects import quant

from .. import nodes, semantics
from ..dialects import snn
from ..errors import SNNCError
from .graph import MAX_LAYER_ELEMENTS, Graph, Layer


@dataclasses.dataclass
class StateField:
    """One array of the generated state struct."""

    ident: str                 # C field name, e.g. "lif1_v"
    shape: Tuple[int, ...]
    layer: str                 # NIR node name
    role: str = "v"            # i_syn, v, spike, buffer (a delay line) or out (a
                               # value a recurrent edge reads at the next step)
    # Element type: "f32"/"f64", or for integer models "i8"/"i16"/"i32"
    # (filled in by emit_model).
    element: str = ""


@dataclasses.dataclass
class ModelIR:
    module: ir.Module
    compute_name: str
    states: List[StateField]
    input_shape: Tuple[int, ...]
    output_shape: Tuple[int, ...]
    output_state: Optional[int]   # index into states when the output is a state
    input_element: str = ""       # "f32", "f64" or "i8"
    output_element: str = ""      # as StateField.element
    output_scale: Optional[float] = None  # real value of one output unit (integer models)
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


def _states_of(layer: Layer, options: semantics.Options) -> List[StateField]:
    """The layer's state fields: the roles of its registry entry, in order,
    then its last spikes when a delayed reset reads them."""
    entry = nodes.KINDS[layer.kind]
    fields = []
    for role in entry.states:
        if role == "buffer":
            fields.extend(_delay_buffer(layer, options))
        else:
            fields.append(StateField(f"{layer.ident}_{role}", layer.out_shape, layer.name, role))
    if entry.fires and options.reset == "subtract-delayed":
        fields.append(StateField(f"{layer.ident}_spike", layer.out_shape, layer.name, "spike"))
    return fields


def _delay_buffer(layer: Layer, options: semantics.Options) -> List[StateField]:
    """A delay line's buffer: one slot per step of the longest delay, none
    when no element is delayed."""
    longest = int(delay_steps_of(layer, options).max())
    elements = longest * int(np.prod(layer.out_shape))
    if elements > MAX_LAYER_ELEMENTS:
        raise SNNCError(f"a delay of {longest} steps (dt = {options.dt} s) needs a buffer "
                        f"of {elements} elements; the limit is {MAX_LAYER_ELEMENTS}",
                        node=layer.name)
    if longest == 0:
        return []
    return [StateField(f"{layer.ident}_buffer", (longest,) + layer.out_shape, layer.name,
                       "buffer")]


def delay_steps_of(layer: Layer, options: semantics.Options) -> np.ndarray:
    try:
        return semantics.delay_steps(layer.params["delay"], options.dt)
    except ValueError as exc:
        raise SNNCError(str(exc), node=layer.name) from None


def state_fields(graph: Graph, options: semantics.Options) -> List[StateField]:
    """The state struct's arrays, in order: each layer's neuron state, then the
    previous outputs that recurrent edges read. Refuses first what the
    options make of the graph that the target type cannot hold
    (semantics.check_constants: the compiler and the reference run both call
    this before anything else)."""
    semantics.check_constants(graph, options)
    fields = [field for layer in graph.layers for field in _states_of(layer, options)]
    by_name = {layer.name: layer for layer in graph.layers}
    for producer in graph.delayed_producers():
        layer = by_name[producer]
        fields.append(StateField(f"{layer.ident}_out", layer.out_shape, layer.name, "out"))
    return fields


class _Types:
    """Element types of the values of one model: one float type throughout,
    or, for integer models, the quantizer's plan (quantize.py)."""

    def __init__(self, options: semantics.Options, plan):
        self.plan = plan
        self.float = None if plan else _element_type(options.precision)

    def name_of(self, elem) -> str:
        if isinstance(elem, ir.IntegerType):
            return f"i{elem.width}"
        if isinstance(elem, quant.QuantizedType):
            return f"i{elem.storage_type_integral_width}"
        return "f32" if isinstance(elem, ir.F32Type) else "f64"

    def spikes(self):
        return self.float or ir.IntegerType.get_signless(8)

    def _quantized(self, bits, scale):
        return quant.UniformQuantizedType.get(
            quant.UniformQuantizedType.FLAG_SIGNED, ir.IntegerType.get_signless(bits),
            ir.F32Type.get(), scale, 0, -(1 << (bits - 1)), (1 << (bits - 1)) - 1)

    def state(self, layer_name):
        if self.float:
            return self.float
        return self._quantized(self.plan.format.state_bits, self.plan.state_scale[layer_name])

    def _per_channel(self, bits, scales):
        """Scales along dimension 0 (a synapse's output channels)."""
        return quant.UniformQuantizedPerAxisType.get(
            quant.UniformQuantizedType.FLAG_SIGNED, ir.IntegerType.get_signless(bits),
            ir.F32Type.get(), [float(v) for v in scales], [0] * len(scales), 0,
            -(1 << (bits - 1)), (1 << (bits - 1)) - 1)

    def weight(self, layer_name):
        if self.float:
            return self.float
        return self._per_channel(self.plan.format.weight_bits,
                                 self.plan.weight_scale[layer_name])

    def accumulator(self, layer_name):
        if self.float:
            return self.float
        return self._per_channel(32, self.plan.weight_scale[layer_name])

    def field(self, field: StateField, graph: Graph):
        layer = next(layer for layer in graph.layers if layer.name == field.layer)
        if field.role in ("spike", "buffer") or (field.role == "out" and
                                                  layer.kind in nodes.SPIKING_NEURONS):
            return self.spikes()
        return self.state(layer.name)


def _tensor(shape, elem):
    return ir.RankedTensorType.get(list(shape), elem)


def _cast(value, elem, location):
    """A value handed to a consumer that needs element type `elem`: for
    quantized values a cast that snn-insert-rescale resolves (into the
    snn.rescale that keeps `location`)."""
    target = _tensor(ir.RankedTensorType(value.type).shape, elem)
    if value.type == target:
        return value
    return ir.Operation.create("builtin.unrealized_conversion_cast", results=[target],
                               operands=[value], loc=location).result


# The child of a rescale's location that marks the previous step's value.
PREVIOUS_STEP = "previous step"


def rescale_location(consumer: str, producer: str, delayed: bool) -> ir.Location:
    """Where the value of `producer` (the previous step's, if `delayed`) is
    converted to `consumer`'s scale: name `consumer`, child `producer` (whose
    child is PREVIOUS_STEP when delayed). It identifies the snn.rescale of an
    edge, e.g. to read the arithmetic chosen for it (api.integer_arithmetic)."""
    child = ir.Location.name(PREVIOUS_STEP) if delayed else None
    return ir.Location.name(consumer, childLoc=ir.Location.name(producer, childLoc=child))


def emit_model(graph: Graph, options: semantics.Options, name: str,
               context: ir.Context, plan=None) -> ModelIR:
    """The snn IR of one step; `plan` (quantize.plan) for integer models."""
    states = state_fields(graph, options)
    delayed = graph.delayed_producers()
    by_name = {layer.name: layer for layer in graph.layers}
    with context, ir.Location.unknown():
        types = _Types(options, plan)
        module = ir.Module.create()
        # The step takes and returns flat arrays, as the C API does.
        n_in = int(np.prod(graph.input_shape))
        state_elems = [types.field(s, graph) for s in states]
        for field, state_elem in zip(states, state_elems):
            field.element = types.name_of(state_elem)
        input_elem = types.float or ir.IntegerType.get_signless(8)
        arg_types = [_tensor(s.shape, e) for s, e in zip(states, state_elems)] + \
            [_tensor([n_in], input_elem)]
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
                network_input = block.arguments[len(states)]
                if options.input_kind == "spikes":
                    with ir.Location.name(graph.input_name):
                        network_input = _as_spikes(network_input)
                values = {graph.input_name: _reshaped(network_input, graph.input_shape)}

                def arriving(node, sources, shape):
                    parts = [delayed_in[p] if is_delayed else values[p]
                             for p, is_delayed in sources]
                    parts = [_reshaped(v, shape) for v in parts]
                    layer = by_name.get(node)
                    if plan is not None and layer is not None and layer.kind in nodes.NEURONS:
                        parts = [_cast(v, types.state(node), rescale_location(node, p, is_delayed))
                                 for v, (p, is_delayed) in zip(parts, sources)]
                    if len(parts) == 1:
                        return parts[0]
                    with ir.Location.name(node):
                        return snn.SumOp(parts[0].type, parts).result

                state_out = []
                for layer in graph.layers:
                    x = arriving(layer.name, layer.sources, layer.in_shape)
                    values[layer.name], new_states = _emit_layer(layer, x, state_in, options, types)
                    state_in = state_in[len(new_states):]
                    state_out.extend(new_states)
                state_out.extend(values[p] for p in delayed)
                value = arriving(graph.output_name, graph.output_sources, graph.output_shape)
                value = _reshaped(value, [int(np.prod(graph.output_shape))])
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
            # A state argument names the result that holds its new value
            # (snn.aliasing_output, read by snn-results-in-place: the state
            # is updated in its own buffer); an alias of another state gets
            # none (the C wrapper copies it). The input is never written
            # (bufferization copies rather than update it in place), so the
            # C wrapper passes the caller's const array without a copy.
            i64 = ir.IntegerType.get_signless(64)
            updated = [index for index in range(len(states)) if index not in state_aliases]
            # An input of spikes is marked for snn-event-driven, which lets
            # the step take it as a list of events (NAME_step_events).
            input_attrs = {"bufferization.writable": ir.BoolAttr.get(False)}
            if options.input_kind == "spikes":
                input_attrs["snn.network_input"] = ir.UnitAttr.get()
            function.attributes["arg_attrs"] = ir.ArrayAttr.get(
                [ir.DictAttr.get({"snn.aliasing_output": ir.IntegerAttr.get(
                    i64, updated.index(index))} if index in updated else {})
                 for index in range(len(states))] +
                [ir.DictAttr.get(input_attrs)])
        if not module.operation.verify():
            raise RuntimeError("internal error: the front end built invalid snn IR")
        output_elem = ir.RankedTensorType(value.type).element_type
        output_scale = None
        if isinstance(output_elem, quant.UniformQuantizedType):
            output_scale = output_elem.scale
        model = ModelIR(module, compute_name, states, graph.input_shape, graph.output_shape,
                        output_state, types.name_of(input_elem), types.name_of(output_elem),
                        output_scale)
        model.state_aliases = state_aliases
    return model


def _as_spikes(x):
    """`x` as spikes in its own element type: 1 where it is positive, else 0
    (arith on tensors, which convert-elementwise-to-linalg lowers). The
    comparison's i1 stays visible to the lowering, which bounds the synapses
    it feeds by 1."""
    tensor_type = ir.RankedTensorType(x.type)
    elem = tensor_type.element_type
    if isinstance(elem, ir.IntegerType):
        zero = arith.ConstantOp(tensor_type, ir.DenseElementsAttr.get_splat(
            tensor_type, ir.IntegerAttr.get(elem, 0))).result
        positive = arith.CmpIOp(arith.CmpIPredicate.sgt, x, zero).result
        return arith.ExtUIOp(tensor_type, positive).result
    zero = arith.ConstantOp(tensor_type, ir.DenseElementsAttr.get_splat(
        tensor_type, ir.FloatAttr.get(elem, 0.0))).result
    positive = arith.CmpFOp(arith.CmpFPredicate.OGT, x, zero).result
    return arith.UIToFPOp(tensor_type, positive).result


def _reshaped(value, shape):
    """The value as `shape` (same element count, row-major): collapsed to 1-D,
    then expanded (convert-snn-to-linalg turns both into copies)."""
    value_type = ir.RankedTensorType(value.type)
    source_shape = list(value_type.shape)
    if source_shape == list(shape):
        return value
    elem = value_type.element_type
    if len(source_shape) != 1:
        value = tensor_dialect.collapse_shape(_tensor([int(np.prod(source_shape))], elem), value,
                                              [list(range(len(source_shape)))])
    if len(shape) != 1:
        value = tensor_dialect.expand_shape(_tensor(shape, elem), value,
                                            [list(range(len(shape)))], [], list(shape))
    return value


def _compare_attr(options):
    return ir.Attribute.parse(f"#snn.compare<{options.compare}>")


def _reset_attr(options):
    return ir.Attribute.parse(f"#snn.reset<{options.reset.replace('-', '_')}>")


# The snn ops of each kind: f(layer, c, x, state_in, options, types) -> (the
# layer's output, its new state values in the order of its state fields),
# with c the op's constants (semantics.layer_constants) and state_in the
# state arguments from the layer's first field on.
EMITTERS = nodes.PerKind("emitter")


def _emit_layer(layer: Layer, x, state_in, options, types):
    """Emits one layer; returns (its output value, its new state values)."""
    # Every constant of the op, as semantics.check_constants checked it.
    c = {name: constant.values for name, constant in
         semantics.layer_constants(layer, options).items()}
    with ir.Location.name(layer.name):
        return EMITTERS[layer.kind](layer, c, x, state_in, options, types)


def _float_constant(values, options, elem):
    return arith.ConstantOp(
        _tensor(values.shape, elem),
        ir.DenseElementsAttr.get(values.astype(_np_dtype(options)), type=elem)).result


@EMITTERS.register("affine", "linear")
def _emit_synapse(layer, c, x, state_in, options, types):
    if types.plan is not None:
        return _emit_quantized_synapse(layer, x, types), []
    elem = types.float
    weight = _float_constant(c["weight"], options, elem)
    bias = _float_constant(c["bias"], options, elem) if "bias" in c else None
    return snn.linear(_tensor(layer.out_shape, elem), x, weight, bias=bias), []


@EMITTERS.register("conv1d", "conv2d")
def _emit_conv(layer, c, x, state_in, options, types):
    """Conv2d directly; Conv1d as a Conv2d of height 1. Integer models: the
    weights at one scale per filter, the bias and the int32 accumulator
    [F, OH, OW] at the same scales (per-axis types along dimension 0), the
    input (spikes, int8 values or a pool's counts) as it arrives."""
    p = layer.params
    weight, in_shape, out_shape = c["weight"], layer.in_shape, layer.out_shape
    if types.plan is not None:
        weight, bias = _quantized_weight_and_bias(layer, types)
    stride, padding, dilation = (list(map(int, p[k])) for k in ("stride", "padding", "dilation"))
    if layer.kind == "conv1d":
        weight = weight[:, :, None, :]
        x = _reshaped(x, [in_shape[0], 1, in_shape[1]])
        stride, padding, dilation = [1] + stride, [0] + padding, [1] + dilation
        out_2d = [out_shape[0], 1, out_shape[1]]
    else:
        out_2d = list(out_shape)
    if types.plan is not None:
        plan, elem = types.plan, types.accumulator(layer.name)
        w = _storage_constant(weight, plan.format.weight_bits, types.weight(layer.name))
        b = _storage_constant(bias, 32, elem)
    else:
        elem = types.float
        w = _float_constant(weight, options, elem)
        b = _float_constant(c["bias"], options, elem)
    y = snn.Conv2DOp(_tensor(out_2d, elem), x, w, ir.DenseI64ArrayAttr.get(stride),
                     ir.DenseI64ArrayAttr.get(padding), ir.DenseI64ArrayAttr.get(dilation),
                     ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(p["groups"])),
                     bias=b).result
    if types.plan is not None and layer.kind == "conv1d":
        # [F, 1, OW] -> [F, OW] keeping the filters in dimension 0, the axis
        # of the per-channel scales (a detour through 1-D would lose it).
        return tensor_dialect.collapse_shape(_tensor(list(out_shape), elem), y,
                                             [[0, 1], [2]]), []
    return _reshaped(y, list(out_shape)), []


@EMITTERS.register("sumpool2d", "avgpool2d")
def _emit_pool(layer, c, x, state_in, options, types):
    """Integer models pool spikes into int8 counts, and an average pool as a
    sum: its 1 / (KH KW) is in the weights of the synapses it feeds
    (quantize.QuantPlan.weight_of)."""
    p = layer.params
    pool_kind = "sum" if types.plan is not None else layer.kind[:3]
    kind = ir.Attribute.parse(f"#snn.pool_kind<{pool_kind}>")
    padding = [int(v) for v in p["padding"]]
    return snn.Pool2DOp(_tensor(layer.out_shape, types.spikes()), x, kind,
                        ir.DenseI64ArrayAttr.get([int(v) for v in p["kernel"]]),
                        ir.DenseI64ArrayAttr.get([int(v) for v in p["stride"]]),
                        padding=ir.DenseI64ArrayAttr.get(padding) if any(padding) else None
                        ).result, []


@EMITTERS.register("flatten")
def _emit_flatten(layer, c, x, state_in, options, types):
    return _reshaped(x, layer.out_shape), []


@EMITTERS.register("delay")
def _emit_delay(layer, c, x, state_in, options, types):
    steps = delay_steps_of(layer, options).reshape(-1)
    if steps.max() == 0:
        return x, []
    if np.all(steps == steps[0]):
        steps = steps[:1]
    y, buffer_next = snn.DelayOp(x, state_in[0],
                                 ir.DenseI64ArrayAttr.get([int(v) for v in steps])).results
    return y, [buffer_next]


@EMITTERS.register("scale")
def _emit_scale(layer, c, x, state_in, options, types):
    return snn.scale(x, _param_attr(c["scale"])), []


@EMITTERS.register("threshold")
def _emit_threshold(layer, c, x, state_in, options, types):
    return snn.threshold(_tensor(layer.out_shape, types.float), x, _param_attr(c["threshold"]),
                         _compare_attr(options)), []


@EMITTERS.register("integrator")
def _emit_integrator(layer, c, x, state_in, options, types):
    v_next = snn.integrator(x, state_in[0], _param_attr(c["gain"]))
    return v_next, [v_next]


@EMITTERS.register("li")
def _emit_li(layer, c, x, state_in, options, types):
    v_next = snn.li(x, state_in[0], _param_attr(c["decay"]), _param_attr(c["gain"]),
                    _param_attr(c["leak"]))
    return v_next, [v_next]


def _firing_operands(layer, c, state_in, options, types, reset_timing):
    """What the ops of firing neurons share: their state and spike types, the
    spike arguments (threshold, reset value, reset, compare) and attributes."""
    neuron_type = _tensor(layer.out_shape, types.state(layer.name))
    spike_type = _tensor(layer.out_shape, types.spikes())
    spike_args = [_param_attr(c["threshold"]), _param_attr(c["v_reset"]),
                  _reset_attr(options), _compare_attr(options)]
    # Under a delayed reset the last spikes are state too, after the others.
    previous_spikes = state_in[len(nodes.KINDS[layer.kind].states)] \
        if options.reset == "subtract-delayed" else None
    attributes = dict(spike_prev=previous_spikes,
                      multi_spike=ir.UnitAttr.get() if options.spikes == "multiple" else None,
                      **_timing_attrs(options, reset_timing))
    return neuron_type, spike_type, spike_args, attributes


def _fired(op, options):
    """A firing neuron's output, its spikes (the op's last result), and its
    new state: the other results, and the spikes under a delayed reset."""
    results = list(op.results)
    return results[-1], (results if options.reset == "subtract-delayed" else results[:-1])


@EMITTERS.register("if")
def _emit_if(layer, c, x, state_in, options, types):
    neuron_type, spike_type, spike_args, attributes = _firing_operands(
        layer, c, state_in, options, types, options.reset_timing)
    op = snn.IFOp(neuron_type, spike_type, x, state_in[0], _param_attr(c["gain"]), *spike_args,
                  **attributes)
    return _fired(op, options)


@EMITTERS.register("lif")
def _emit_lif(layer, c, x, state_in, options, types):
    neuron_type, spike_type, spike_args, attributes = _firing_operands(
        layer, c, state_in, options, types, options.reset_timing)
    op = snn.LIFOp(neuron_type, spike_type, x, state_in[0], _param_attr(c["decay"]),
                   _param_attr(c["gain"]), _param_attr(c["leak"]), *spike_args, **attributes)
    return _fired(op, options)


def _timing_attrs(options, reset_timing):
    """spike_first / reset_before_update unit attributes from the options."""
    if options.spike_timing != "before-update":
        return {}
    attrs = {"spike_first": ir.UnitAttr.get()}
    if reset_timing == "before-update":
        attrs["reset_before_update"] = ir.UnitAttr.get()
    return attrs


def _current_operands(c, options):
    """What CUBA ops share: the current's and the membrane's constants and
    the order of their updates."""
    constants = [_param_attr(c[k]) for k in ("syn_decay", "syn_gain", "decay", "gain", "leak")]
    order = dict(
        voltage_first=ir.UnitAttr.get() if options.cuba_order == "voltage-first" else None,
        add_then_decay=ir.UnitAttr.get() if options.current_update == "add-then-decay"
        else None,
        membrane_sees_joined=ir.UnitAttr.get() if options.cuba_order == "joined" else None)
    return constants, order


@EMITTERS.register("cubali")
def _emit_cubali(layer, c, x, state_in, options, types):
    constants, order = _current_operands(c, options)
    i_next, v_next = snn.CubaLIOp(x, state_in[0], state_in[1], *constants, **order).results
    return v_next, [i_next, v_next]


@EMITTERS.register("cubalif")
def _emit_cubalif(layer, c, x, state_in, options, types):
    constants, order = _current_operands(c, options)
    neuron_type, spike_type, spike_args, attributes = _firing_operands(
        layer, c, state_in, options, types, options.cuba_reset_timing)
    op = snn.CubaLIFOp(neuron_type, neuron_type, spike_type, x, state_in[0], state_in[1],
                       *constants, *spike_args, **order, **attributes)
    return _fired(op, options)


def _storage_constant(values, bits, quantized_type):
    """An integer constant in its quantized type (arith.constant of the storage
    integers, then quant.scast)."""
    storage = ir.IntegerType.get_signless(bits)
    array = np.ascontiguousarray(values, dtype={8: np.int8, 16: np.int16, 32: np.int32}[bits])
    constant = arith.ConstantOp(_tensor(array.shape, storage),
                                ir.DenseElementsAttr.get(array, type=storage)).result
    return ir.Operation.create("quant.scast", results=[_tensor(array.shape, quantized_type)],
                               operands=[constant]).result


def _quantized_weight_and_bias(layer, types):
    """A synapse's storage integers: its weights (an average pool's window
    divided out) at one scale per output channel, and its bias (None when it
    has none) at the same scales in int32."""
    from ..quantize import quantize_weights
    plan = types.plan
    scale = plan.weight_scale[layer.name]
    weight = quantize_weights(plan.weight_of(layer), scale, plan.format.weight_bits)
    bias = plan.bias_of(layer)
    return weight, None if bias is None else quantize_weights(bias, scale, 32)


def _emit_quantized_synapse(layer, x, types):
    """Weights at the layer's weight scale; the bias and the int32 accumulator
    at the same scale (the input is spikes, int8 or a pool's counts at scale 1)."""
    plan = types.plan
    weight, bias = _quantized_weight_and_bias(layer, types)
    weight = _storage_constant(weight, plan.format.weight_bits, types.weight(layer.name))
    if bias is not None:
        bias = _storage_constant(bias, 32, types.accumulator(layer.name))
    return snn.linear(_tensor(layer.out_shape, types.accumulator(layer.name)), x, weight,
                      bias=bias)


def _np_dtype(options):
    return np.float32 if options.precision == "f32" else np.float64
