"""The generated C files: the public header and the C API around EmitC's output.

EmitC prints the step computation as a static function with positional array
parameters; this module writes what a C user sees around it: `NAME.h` with
size macros, element typedefs, the caller-owned state struct and the
prefixed functions, and the wrappers `NAME_reset` / `NAME_step` in `NAME.c`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mlir import ir

from . import __version__, _core, driver
from .errors import printable
from .frontend.emitter import ModelIR, StateField
from .semantics import Options


@dataclasses.dataclass(frozen=True)
class ElementType:
    """An element type of the generated C, by its name in the IR (as
    StateField.element): the C type it is printed as, and the numpy type of
    the same bytes (what `run` reads the state and outputs back as)."""

    name: str
    c_type: str
    numpy: type

    @property
    def size(self) -> int:
        return np.dtype(self.numpy).itemsize

    @property
    def is_integer(self) -> bool:
        return np.issubdtype(self.numpy, np.integer)


ELEMENT_TYPES = {element.name: element for element in (
    ElementType("f32", "float", np.float32),
    ElementType("f64", "double", np.float64),
    ElementType("i8", "int8_t", np.int8),
    ElementType("i16", "int16_t", np.int16),
    ElementType("i32", "int32_t", np.int32),
    ElementType("i64", "int64_t", np.int64),
    ElementType("i1", "bool", np.bool_),
)}


def weight_element_bytes(precision: str) -> int:
    """Bytes of one weight at `precision`: the integer format's weight width
    (quantize.FORMATS), or the float type's size."""
    from .quantize import FORMATS
    if precision in FORMATS:
        return FORMATS[precision].weight_bits // 8
    return ELEMENT_TYPES[precision].size


@dataclasses.dataclass(frozen=True)
class StateFieldLayout:
    """One array of the NAME_state struct, where the C compiler puts it."""

    ident: str                 # C field name
    layer: str                 # NIR node name
    role: str                  # as StateField.role
    shape: Tuple[int, ...]
    element: ElementType
    offset: int                # bytes from the start of the struct

    @property
    def count(self) -> int:
        return _count(self.shape)

    @property
    def size(self) -> int:
        return self.count * self.element.size


@dataclasses.dataclass(frozen=True)
class ScratchArena:
    """One arena of the step's temporaries (snn-scratch-arena): an array of
    one element type shared by buffers whose lifetimes do not overlap, a
    field of NAME_state after the states."""

    ident: str
    element: ElementType
    count: int


@dataclasses.dataclass(frozen=True)
class StateLayout:
    fields: Tuple[StateFieldLayout, ...]
    size: int                  # sizeof(NAME_state), padding included
    scratch: Tuple[StateFieldLayout, ...] = ()

    @property
    def field_bytes(self) -> int:
        """The bytes of the state fields themselves, padding and scratch
        excluded."""
        return sum(field.size for field in self.fields)

    @property
    def scratch_bytes(self) -> int:
        return sum(field.size for field in self.scratch)


def lay_out_state(states: Sequence[StateField],
                  scratch: Sequence[ScratchArena] = ()) -> StateLayout:
    """The state struct as the C ABI lays it out: each array aligned to its
    element size, the struct's size a multiple of the largest; the scratch
    arenas follow the states. (The ABIs of the portability matrix align each
    of these types to its size, but for double on i686, which it aligns to 4
    in a struct; there the fields of a float model, all of one type, land at
    the same offsets all the same, and every arena is a whole number of
    8-byte units.) A model without state or scratch has one char (C forbids
    empty structs)."""
    fields, offset, largest = [], 0, 1
    entries = [(state.ident, state.layer, state.role, tuple(state.shape),
                ELEMENT_TYPES[state.element]) for state in states]
    entries += [(arena.ident, "", "scratch", (arena.count,), arena.element)
                for arena in scratch]
    for ident, layer, role, shape, element in entries:
        offset = -(-offset // element.size) * element.size
        fields.append(StateFieldLayout(ident, layer, role, shape, element, offset))
        offset += fields[-1].size
        largest = max(largest, element.size)
    size = -(-offset // largest) * largest if fields else 1
    return StateLayout(tuple(fields[:len(states)]), size, tuple(fields[len(states):]))


def scratch_arenas(module: ir.Module) -> Tuple[ScratchArena, ...]:
    """The arenas snn-scratch-arena added to the step computation, in
    argument order (its `snn.scratch_arenas` module attribute)."""
    if "snn.scratch_arenas" not in module.operation.attributes:
        return ()
    arenas = []
    for index, attr in enumerate(ir.ArrayAttr(module.operation.attributes["snn.scratch_arenas"])):
        memref = ir.MemRefType(ir.TypeAttr(attr).value)
        element = ELEMENT_TYPES[str(memref.element_type)]
        arenas.append(ScratchArena(f"scratch{index}", element, memref.shape[0]))
    return tuple(arenas)


@dataclasses.dataclass
class GeneratedC:
    """The two files, and what they declare, for the callers that use the
    model (run, quantize-report, bench) without reading the text back."""

    header_name: str
    header: str
    source_name: str
    source: str
    state: StateLayout
    input_type: ElementType
    input_shape: Tuple[int, ...]
    output_type: ElementType
    output_shape: Tuple[int, ...]
    # Real value of one output unit of an integer model (NAME_OUTPUT_SCALE),
    # None when the outputs are the values themselves.
    output_scale: Optional[float]
    # Bytes of the static const arrays: weights, biases, per-neuron parameters
    # (an index table counted at 8 bytes per entry, as on a 64-bit host).
    constant_bytes: int
    # Whether NAME.h declares NAME_step_events (an input of spikes every
    # reader of which can take it as events).
    step_events: bool = False

    def files(self) -> Dict[str, str]:
        return {self.header_name: self.header, self.source_name: self.source}


def model_digest(path) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _comment_text(text: str) -> str:
    """A file or node name, safe inside a C comment: newlines and other control
    characters escaped (errors.printable), so no line splice or trigraph can
    reach past the comment, and `*/` split so it cannot end it (HDF5 names hold
    no '/', but a graph built in memory may)."""
    return printable(text).replace("*/", "*\\/")


def _dims(shape) -> str:
    return "".join(f"[{d}]" for d in shape)


def _count(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _input_events(module: ir.Module) -> Optional[bool]:
    """Whether the step computation takes the input as events (snn-event-driven's
    `snn.input_events`): None when it has no event arguments (not an input
    of spikes, or --no-opt), False when it has them but ignores them (some
    op reads the dense input), True when NAME_step_events can use them."""
    attributes = module.operation.attributes
    if "snn.input_events" not in attributes:
        return None
    return bool(ir.BoolAttr(attributes["snn.input_events"]).value)


def _qualify_parameters(source: str, function: str, input_index: int,
                        events_index: Optional[int] = None) -> str:
    """Qualifies the array parameters of `function` restrict (`T v[restrict N]`,
    C99): the step passes each one a different field of the state, the input
    or the output, so none overlaps another. Without it, a neuron loop that
    updates its state in place and reads another state array is not
    vectorized (the compiler must assume the arrays overlap). The input, which
    the computation never writes (bufferization.writable = false), is also
    const, so the step passes the caller's const array without a cast.

    The one edit of EmitC's text: EmitC (MLIR 22) has no way to qualify a
    parameter (no restrict or const on emitc.func arguments, and an array
    parameter's qualifiers go inside its brackets, where an opaque type cannot
    reach), so the signature EmitC prints, `static void f(T v1[N], ...)`, is
    qualified here."""
    head = f"static void {function}("
    start = source.index(head) + len(head)
    end = source.index(")", start)
    parameters = [re.sub(r"^(\w+ v\d+)\[", r"\1[restrict ", p)
                  for p in source[start:end].split(", ")]
    parameters[input_index] = "const " + parameters[input_index]
    if events_index is not None:  # the list of input events, also never written
        parameters[events_index] = "const " + parameters[events_index]
    return source[:start] + ", ".join(parameters) + source[end:]


def _constant_bytes(module: ir.Module) -> Tuple[int, int]:
    """Bytes of the constant arrays of the EmitC module: emitc.global ops,
    which EmitC prints as `static const` arrays, and the large ones printed
    as bytes (snn-large-constants-as-bytes records their size). Returned as
    (bytes of fixed-size elements, number of index elements): an index is a
    size_t in C, whose size depends on the target."""
    total, indices = 0, 0
    for op in module.body.operations:
        if "snn.constant_bytes" in op.attributes:
            total += ir.IntegerAttr(op.attributes["snn.constant_bytes"]).value
        elif op.operation.name == "emitc.global" and "const_specifier" in op.attributes:
            array = ir.ShapedType(op.attributes["type"].value)
            if str(array.element_type) == "index":
                indices += _count(array.shape)
            else:
                total += _count(array.shape) * _element_bytes(array.element_type)
    return total, indices


def _element_bytes(element: ir.Type) -> int:
    """Bytes of one element of a constant array: besides the model's value
    types (ELEMENT_TYPES) the lowering keeps tables of other widths, e.g. a
    delay's steps as i64."""
    if isinstance(element, ir.IntegerType):
        return max(element.width // 8, 1)
    if isinstance(element, ir.FloatType):
        return element.width // 8
    raise ValueError(f"no byte size for a constant array of {element}")


def generate_c(model: ModelIR, options: Options, name: str, model_path,
               optimize: bool = True, calibration_note: str = "") -> GeneratedC:
    """Lowers `model.module` to EmitC (in place) and returns the two files
    with what they declare."""
    # Every state the step returns (aliases are copies the wrapper makes) is
    # updated in its own argument (the front end's snn.aliasing_output).
    driver.lower_to_emitc(model.module, optimize, prefix=name)
    events = _input_events(model.module)
    compute_c = _qualify_parameters(
        _core.translate_to_c(model.module.operation), model.compute_name,
        input_index=len(model.states),
        events_index=None if events is None else len(model.states) + 1)

    input_type = ELEMENT_TYPES[model.input_element]
    output_type = ELEMENT_TYPES[model.output_element]
    scratch = scratch_arenas(model.module)
    state = lay_out_state(model.states, scratch)
    fixed_constant_bytes, index_constants = _constant_bytes(model.module)
    constant_bytes_c = (f"({fixed_constant_bytes} + {index_constants} * sizeof(size_t))"
                        if index_constants else str(fixed_constant_bytes))
    upper = name.upper()
    model_file = _comment_text(os.path.basename(os.fspath(model_path)))
    described = options.describe() + ("" if optimize else " no-opt") + calibration_note
    origin = (f"generated by snnc {__version__} from {model_file} "
              f"(sha256 {model_digest(model_path)}), options: {described}; do not edit")

    fields = []
    for field in state.fields:
        fields.append(f"  {field.element.c_type} {field.ident}{_dims(field.shape)}; "
                      f"/* of node '{_comment_text(field.layer)}' */")
    if state.scratch:
        fields.append("  /* Scratch: the step's temporaries, no value of which outlives a step;")
        fields.append("     buffers whose lifetimes do not overlap share an array. */")
    for field in state.scratch:
        fields.append(f"  {field.element.c_type} {field.ident}{_dims(field.shape)};")
    uses_integers = any(element.is_integer and element.name != "i1" for element in
                        [input_type, output_type] +
                        [field.element for field in state.fields + state.scratch])
    if not fields:  # C forbids empty structs
        fields.append("  char unused; /* the model has no state */")

    header = "\n".join([
        f"/* {name}.h: {origin} */",
        f"#ifndef {upper}_H_INCLUDED",
        f"#define {upper}_H_INCLUDED",
        "",
        f'#define {upper}_SNNC_VERSION "{__version__}"',
        f"#define {upper}_NUM_INPUTS {_count(model.input_shape)}",
        f"#define {upper}_NUM_OUTPUTS {_count(model.output_shape)}",
        *([f"/* An output of n stands for n * {upper}_OUTPUT_SCALE. */",
           f"#define {upper}_OUTPUT_SCALE {model.output_scale!r}"]
          if model.output_scale is not None else []),
        "/* Bytes of memory the model uses: the state struct (scratch included),",
        "   the scratch within it, and the constant arrays (weights, biases,",
        "   parameters) in read-only memory. The stack of a step is small and",
        "   holds no array. */",
        f"#define {upper}_STATE_BYTES {state.size}",
        f"#define {upper}_SCRATCH_BYTES {state.scratch_bytes}",
        f"#define {upper}_CONSTANT_BYTES {constant_bytes_c}",
        "",
        *(["#include <stdbool.h>", ""] if any(f.element.name == "i1" for f in state.scratch)
          else []),
        *(["#include <stddef.h>"] if events else []),
        *(["#include <stdint.h>", ""] if uses_integers or events else []),
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        f"typedef {input_type.c_type} {name}_input_t;",
        f"typedef {output_type.c_type} {name}_output_t;",
        "",
        "/* Every piece of neuron state; owned by the caller, no other memory is used. */",
        f"typedef struct {name}_state {{",
        *fields,
        f"}} {name}_state;",
        "",
        "/* Puts the network at rest: every state to zero. */",
        f"void {name}_reset({name}_state *s);",
        "",
        f"/* Advances the network by one time step: reads in[{upper}_NUM_INPUTS],",
        f"   writes out[{upper}_NUM_OUTPUTS] and updates *s in place; in and out",
        "   must not overlap *s. */",
        f"void {name}_step({name}_state *s, const {name}_input_t *in, {name}_output_t *out);",
        "",
        *([f"/* The same step, for an input of spikes given as events: active[0 .. n_active)",
           "   are the positions of this step's spiking inputs, in ascending order, each",
           f"   below {upper}_NUM_INPUTS (the step then scans no dense input). The results",
           f"   equal {name}_step's on the same spikes. Returns 0, or -1 (and leaves *s",
           "   and out alone) if the positions are not ascending or out of range. */",
           f"int {name}_step_events({name}_state *s, const uint32_t *active, size_t n_active,",
           f"                 {' ' * len(name)}{name}_output_t *out);",
           ""] if events else []),
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {upper}_H_INCLUDED */",
        "",
    ])

    # The computation reads the caller's input array where it is (a const
    # parameter) and updates the state in place
    # (snn-results-in-place); a state that is a copy of another
    # (an alias) is copied after it.
    def step_body(input_arguments):
        args = [f"s->{s.ident}" for s in model.states] + input_arguments
        if model.output_state is None:
            args.append("out")
        args += [f"s->{field.ident}" for field in state.scratch]
        body = [f"  {model.compute_name}({', '.join(args)});"]
        if not model.states:
            body.insert(0, "  (void)s;")
        for index, source in sorted(model.state_aliases.items()):
            target, origin_field = model.states[index].ident, model.states[source].ident
            body.append(f"  memcpy(s->{target}, s->{origin_field}, sizeof s->{target});")
        if model.output_state is not None:
            field = model.states[model.output_state].ident
            body.append(f"  memcpy(out, s->{field}, sizeof s->{field});")
        return body

    # With event arguments, the dense step gives none (and the events step
    # no dense input: nothing reads it when the events are given). Positions
    # below NUM_INPUTS fit int32_t, the computation's type for them.
    dense_step = step_body(["in"] + (["NULL", "0", "false"] if events is not None else []))
    events_step = [
        f"int {name}_step_events({name}_state *s, const uint32_t *active, size_t n_active,",
        f"                 {' ' * len(name)}{name}_output_t *out) {{",
        "  for (size_t k = 0; k < n_active; ++k)",
        f"    if (active[k] >= {upper}_NUM_INPUTS || (k > 0 && active[k] <= active[k - 1]))",
        "      return -1;",
        *step_body(["NULL", "(const int32_t *)active", "n_active", "true"]),
        "  return 0;",
        "}",
        "",
    ] if events else []

    source = "\n".join([
        f"/* {name}.c: {origin} */",
        f'#include "{name}.h"',
        "",
        "#include <stdbool.h>",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "#include <string.h>",
        "",
        f'_Static_assert(sizeof({name}_state) == {upper}_STATE_BYTES, '
        f'"{name}_state has the size {name}.h states");',
        "",
        "/* Lets gcc if-convert and vectorize the neuron updates: under the default",
        "   -ftrapping-math it keeps any float operation that might raise an exception",
        "   out of a branch it was not in, and leaves selects such as a clamp before a",
        "   conversion as branches. The values computed are the same; the code never",
        "   reads the floating-point exception flags. */",
        "#if defined(__GNUC__) && !defined(__clang__)",
        '#pragma GCC optimize("no-trapping-math")',
        "#endif",
        "",
        "/* The step computation, printed by MLIR's EmitC from the lowered snn IR. */",
        compute_c.rstrip(),
        "",
        f"void {name}_reset({name}_state *s) {{",
        "  memset(s, 0, sizeof *s);",
        "}",
        "",
        f"void {name}_step({name}_state *s, const {name}_input_t *in, {name}_output_t *out) {{",
        *dense_step,
        "}",
        "",
        *events_step,
    ])
    return GeneratedC(f"{name}.h", header, f"{name}.c", source, state,
                      input_type, tuple(model.input_shape), output_type,
                      tuple(model.output_shape), model.output_scale,
                      fixed_constant_bytes + 8 * index_constants, bool(events))
