//===- Passes.td - conversions out of the snn dialect -------*- tablegen -*-===//
#ifndef SNN_CONVERSION_PASSES_TD
#define SNN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSNNToLinalg : Pass<"convert-snn-to-linalg", "ModuleOp"> {
  let summary = "Lower snn ops on float tensors to linalg.generic and arith";
  let description = [{
    The reference lowering: every snn op becomes one `linalg.generic` (plus
    `tensor.collapse_shape` of weights, so that constants reach C as flat
    arrays) whose body spells out the op's documented formula in the op's
    element type, in the documented order of evaluation. Ops on quantized
    types compute on their storage integers (fixed-point factors, levels at
    the state's scale, saturation; docs/quantization.md), between
    `quant.scast` ops that `strip-func-quant-types` and `canonicalize`
    remove. Convolution, pooling and delay lines on quantized types are not
    lowered yet: the pass reports an error on them.

    `tensor.collapse_shape` and `tensor.expand_shape` of computed values (not
    of constants, which canonicalization folds) become copies whose loops run
    over the expanded shape, so that no memref reshape reaches EmitC.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::quant::QuantDialect",
  ];
}

def SNNChooseIntegerArithmetic : Pass<"snn-choose-integer-arithmetic", "ModuleOp"> {
  let summary = "Choose the integer arithmetic of each quantized neuron update and rescale";
  let description = [{
    The one place the integer policy of docs/quantization.md is decided. Each
    quantized neuron op and `snn.rescale` gets `arithmetic_width` (the width
    of its body's integers, 32 or 64) and `multiplier_bits` (the bits of its
    fixed-point multipliers); convert-snn-to-linalg reads them and refuses a
    quantized op without them, and snnc's integer reference reads them from
    the IR instead of deciding again.

    - A neuron update is narrow (32 bits, 14-bit multipliers) when every
      quantized value it reads or writes is stored in 16 bits or fewer, every
      factor is at most 1 + 2^-10 in magnitude and every level at most 2^15
      at the membrane's scale; else 64 bits with 30-bit multipliers.
    - A rescale of an input bounded by A < 2^k (the bound of a synapse's
      sums from its constant weights and its input's bound, the rescale's
      `input_bound` when it has one, else the input's storage range) is narrow
      with multipliers of 30 - k bits when 30 - k >= 12, its ratios are
      below 2^(30 - k) and its result is stored in 16 bits or fewer; else 64
      bits with 30-bit multipliers.

    Ops that have both attributes already keep them. Run after
    snn-insert-rescale (which makes the rescales) and before
    snn-event-driven (which lowers the synapses whose weights bound the
    rescales' inputs).
  }];
}

def SNNEventDriven : Pass<"snn-event-driven", "ModuleOp"> {
  let summary = "Lower the synapses fed by spikes to event-driven kernels";
  let description = [{
    Spiking networks are sparse in time: most inputs of a synapse are zero at
    most steps. This pass lowers every `snn.linear` with constant weights
    whose input is spikes (the spike result of an op with
    SpikingOpInterface, or a conversion of booleans), a sum or average
    pooling of spikes (possibly flattened), or an argument of the step
    function (a network's input, spikes in the usual case) to a gather
    of the active inputs' positions (branch-free) and a loop that adds
    contiguous rows of the transposed weight, four active inputs per pass
    over the accumulator (inputs known to be single spikes without reading
    them or multiplying; int8 weights summed in int16, two per 16-bit lane
    where every input is a spike). Other synapses are left to
    convert-snn-to-linalg. The result is identical to the dense form: for
    every output the same products are added in the same order, and the
    skipped products are exact zeros.

    An `snn.conv2d` (float or quantized) with constant weights whose input is spikes (or a
    flat tensor of spikes expanded to [C, H, W]) or a sum or average pooling
    of spikes is lowered to a scatter: each non-zero input adds, for every
    kernel tap that maps it onto an output, a contiguous run of the weight
    rearranged to [C, KH, KW, F] into accumulators laid out [OH x OW, F]
    (output channels innermost), which one copy puts back into [F, OH, OW].
    Rows of the input without an active element are skipped after an OR over
    the row; no padded copy is made. Again the result equals the dense
    form's: each output receives its inputs in the dense loop's (c, kh, kw)
    order.

    A step function argument marked `snn.network_input` (the front end's
    input of spikes) gets three arguments after it: the positions of the
    active inputs given as events (`tensor<N x i32>`, ascending), their
    number (`index`) and whether they are given (`i1`). Each kernel whose
    spikes come from that input is built twice, under an `scf.if` on the
    flag: over the given positions, or over those it gathers or scans from
    the dense input (the same order, so the same results). If, once the
    kernels are built, some other op still reads the dense input, the flag
    is replaced by `false`; the module records which as `snn.input_events`
    (true or false), for the C API's NAME_step_events.

    A quantized synapse's result goes back to its quantized type through
    `quant.scast`. Run after snn-choose-integer-arithmetic, which reads the
    bound of a rescale's input from the synapse before this pass lowers it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::quant::QuantDialect",
  ];
}

def ConvertFloatComparesToEmitC : Pass<"convert-float-compares-to-emitc"> {
  let summary = "Print ordered float compares (and une) as C's own operators";
  let description = [{
    C's `<`, `>`, `<=`, `>=` and `==` on floats are false when an operand is
    NaN, which is IEEE's ordered predicate, and `!=` is true then, the
    unordered one. This pass rewrites scalar `arith.cmpf` with the predicates
    `olt`, `ogt`, `ole`, `oge`, `oeq` and `une` to `emitc.cmp` with the one C
    operator, instead of the explicit NaN tests that convert-to-emitc joins to
    it (`x > y && x == x && y == y`), which C compilers do not fold and
    vectorize poorly. The result is the same for every input, NaN included.
    Run before convert-to-emitc; other predicates are left to it.
  }];
  let dependentDialects = ["::mlir::emitc::EmitCDialect"];
}

def SNNResultsInPlace : Pass<"snn-results-in-place", "ModuleOp"> {
  let summary = "Return each new state value through its own argument";
  let description = [{
    The step function takes every state array as an argument and returns its
    new value. A state argument names the result that holds its new value with
    the argument attribute `snn.aliasing_output = <result index>` (the front
    end sets it; an argument without it is read only). This pass returns each
    such result through `bufferization.materialize_in_destination` into its
    argument, so that one-shot bufferization computes the new state in the
    argument's buffer (copying only where an old value is still read after the
    new one is written) and drop-equivalent-buffer-results removes the result.
    A result that is not state but is an argument itself (a network whose
    output is its input) becomes a `linalg.copy` of it: bufferization would
    return the argument's buffer, the result would be dropped, and the step
    would have no output to write. The attribute is removed.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def SNNPrefixPrivateSymbols : Pass<"snn-prefix-private-symbols", "ModuleOp"> {
  let summary = "Rename the symbols MLIR named `__...` to `<prefix>_...`";
  let description = [{
    Bufferization names the globals of constants `__constant_<shape>`, and
    EmitC prints them as C identifiers; identifiers that begin with two
    underscores are reserved in C (C11 7.1.3), static or not. This pass
    renames every module-level symbol that begins with `__` to
    `<prefix>_<rest>` and every use of it with it; nothing else changes.
  }];
  let options = [
    Option<"prefix", "prefix", "std::string", /*default=*/"\"snn\"",
           "The replacement of the leading `__` (the model's name), without the `_` that follows it">,
  ];
}

def SNNScratchArena : Pass<"snn-scratch-arena", "ModuleOp"> {
  let summary = "Move the step's temporaries into caller-owned arenas, planned by liveness";
  let description = [{
    Runs on bufferized, loop-level IR. Every `memref.alloc` of static shape
    and identity layout in a function, used only by `memref.load` and
    `memref.store`, moves into an arena: a new trailing argument
    `memref<N x T>`. A buffer lives from the first top-level op that uses it
    (or holds its use) to the last; buffers of one element type whose lifetimes
    are pairwise disjoint share an arena, as large as the largest of them
    (rounded up to whole 8-byte units). The plan takes the largest buffer
    first and puts it in the arena of its type that admits it and wastes
    least, else a new one. Loads and stores address the arena with the
    buffer's row-major index. Other allocations are left alone.

    Buffers that are live together are never in one arena: as separate
    (restrict) arrays the C compiler knows they do not overlap and
    vectorizes the loops between them, which it often cannot prove for two
    ranges of one array. Nor do buffers of different element types share:
    the C compiler may assume that an int16_t store does not change a float
    (strict aliasing). The arena types, in argument order, are recorded on
    the module as `snn.scratch_arenas` (an array of types) for the code that
    declares the arenas in C; the pass expects one function with a body.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect"];
}

def SNNUseEveryArgument : Pass<"snn-use-every-argument", "ModuleOp"> {
  let summary = "Cast to void the arguments an emitc.func never reads";
  let description = [{
    An integer model whose weights all round to zero (or whose rescale
    multipliers are all zero) does not read its input, and C compilers warn
    about an unused parameter under -Wextra. This pass adds, at the start of
    each `emitc.func` body, `emitc.verbatim "(void){};"` of every argument
    that nothing uses, which EmitC prints as `(void)v5;`. Other functions are
    unchanged.
  }];
  let dependentDialects = ["::mlir::emitc::EmitCDialect"];
}

def SNNLargeConstantsAsBytes : Pass<"snn-large-constants-as-bytes", "ModuleOp"> {
  let summary = "Print large constant arrays as one string literal of bytes";
  let description = [{
    A C compiler parses a large array of float literals slowly and with much
    memory (a 4096-4000 layer's 16 M floats: 2 minutes and 6 GB for gcc -O2);
    it reads a string literal of the same bytes many times faster. This pass
    rewrites every one-dimensional constant `emitc.global` of f32, f64 or a
    signless integer type of at least `min-bytes` bytes, read only through
    `emitc.subscript` and `emitc.load`, into

    - `static const unsigned char NAME[rows][2048] = {"...", ...};`
      (emitc.verbatim): the values' bytes in little-endian order, a string
      literal of 2048 bytes a row (C11 compilers need take no longer one),
      with octal escapes where a byte is not a plain printable character;
    - `static inline T NAME_at(size_t i)` (emitc.verbatim): element i, loaded
      as it is on targets known to be little-endian, else assembled from its
      bytes by shifts (and converted by memcpy for floats, by two's complement
      for integers), so that the value does not depend on the byte order;
    - each load of element i: a call of NAME_at(i) (emitc.call_opaque).

    The verbatim array carries `snn.constant_bytes` (its size), so that what
    the C declares can still be counted. Smaller arrays stay readable.
  }];
  let options = [
    Option<"minBytes", "min-bytes", "uint64_t", /*default=*/"1048576",
           "Arrays of at least this many bytes are printed as bytes">,
  ];
  let dependentDialects = ["::mlir::emitc::EmitCDialect"];
}

def SNNFuseElementwise : Pass<"snn-fuse-elementwise"> {
  let summary = "MLIR's elementwise fusion, into elementwise consumers only";
  let description = [{
    linalg-fuse-elementwise-ops with one restriction: an elementwise
    producer is fused only into a consumer whose loops are all parallel (an
    integer model's rescale into its neuron update, where each element is
    computed once either way). Fused into a reduction, a producer is computed
    again for every use: a convolution's padded input (its bounds tests and
    conversion) for each of its kernel's taps, which made the optimized C of
    a convolutional network slower than the reference lowering's. Otherwise
    the same patterns as linalg-fuse-elementwise-ops (reshape folding by
    expansion, constant folding, the canonicalizations it applies).
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // SNN_CONVERSION_PASSES_TD
