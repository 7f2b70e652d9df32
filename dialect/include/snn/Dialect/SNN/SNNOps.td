//===- SNNOps.td - snn dialect operations -------------------*- tablegen -*-===//
//
// Conventions shared by every op:
//  - Operands and results are ranked tensors. Element types are floats
//    (f16/f32/f64), quantized types (`!quant.uniform`) or, for spikes only,
//    signless integers.
//  - Parameter attributes (`decay`, `gain`, ...) are f64 dense elements with
//    either one element (broadcast to every neuron) or exactly the shape of
//    the neuron tensor (one value per neuron).
//  - State operands and the matching results have identical types, and every
//    value that is added to another carries the same element type (the same
//    scale when quantized): a mismatch is a verifier error, resolved by
//    inserting `snn.rescale`.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_OPS_TD
#define SNN_OPS_TD

include "snn/Dialect/SNN/SNNDialect.td"
include "snn/Dialect/SNN/SNNInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

class SNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<SNN_Dialect, mnemonic, traits # [Pure]>;

defvar SNN_Param = F64ElementsAttr;

// The integer arithmetic of a quantized neuron update or rescale, chosen once
// by snn-choose-integer-arithmetic and read by the lowering (and by snnc's
// integer reference): the width of the body's integers (32 or 64) and the
// bits of its fixed-point multipliers. Absent on float ops.
defvar SNN_IntegerArithmetic = (ins OptionalAttr<I64Attr>:$arithmetic_width,
                                    OptionalAttr<I64Attr>:$multiplier_bits);

// An op with real-valued parameters (SNN_ParameterizedOpInterface): `levels`
// names the parameters that are membrane values, the others are factors;
// `neurons` is the accessor of the value they belong to.
class SNN_ParameterizedOp<string mnemonic, list<string> levels, string neurons,
                          list<Trait> traits = []>
    : SNN_Op<mnemonic, traits # [SNN_ParameterizedOpInterface]> {
  code levelParameterNames = !if(!empty(levels), "return {};",
      "static constexpr ::llvm::StringLiteral names[] = {"
      # !interleave(!foreach(name, levels, "\"" # name # "\""), ", ")
      # "}; return names;");
  let extraClassDeclaration = [{
    static ::llvm::ArrayRef<::llvm::StringLiteral> getLevelParameterNames() {
  }] # levelParameterNames # [{
    }
    ::mlir::Value getNeurons() { return }] # neurons # [{(); }
  }];
}

// A neuron layer (SNN_NeuronOpInterface), spiking or not.
class SNN_NeuronOp<string mnemonic, list<string> levels, list<Trait> traits = []>
    : SNN_ParameterizedOp<mnemonic, levels, "getV", traits # [SNN_NeuronOpInterface]>;
class SNN_SpikingNeuronOp<string mnemonic, list<string> levels, list<Trait> traits = []>
    : SNN_NeuronOp<mnemonic, levels # ["threshold", "v_reset"],
                   traits # [SNN_SpikingOpInterface]>;

//===----------------------------------------------------------------------===//
// Synapses
//===----------------------------------------------------------------------===//

def SNN_LinearOp : SNN_Op<"linear"> {
  let summary = "dense synapse: y = W x (+ b)";
  let description = [{
    A fully connected synapse (NIR `Linear` and `Affine`). `weight` has shape
    `[out, in]`, `input` shape `[in]`, the optional `bias` and the result
    shape `[out]`. Entry `i` of the result is
    `sum_j weight[i, j] * input[j] + bias[i]`, accumulated in order of `j`.

    With quantized types the result's scale must equal the product of the
    input's and the weight's scales (the accumulator's scale), and a bias must
    carry the result's element type.

    convert-snn-to-linalg lowers it in the dense form above; snn-event-driven
    lowers those fed by spikes to kernels that skip the zero inputs, with the
    same result.

    Example:
    ```mlir
    %w = arith.constant dense<0.5> : tensor<10x64xf32>
    %b = arith.constant dense<0.1> : tensor<10xf32>
    %y = snn.linear %x, %w, %b : tensor<64xf32>, tensor<10x64xf32>, tensor<10xf32> -> tensor<10xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def SNN_Conv2DOp : SNN_Op<"conv2d"> {
  let summary = "2-D convolution synapse";
  let description = [{
    NIR `Conv2d` (and `Conv1d`, as a convolution of height 1). `input` has
    shape `[C, H, W]`, `weight` `[F, C / groups, KH, KW]`, the optional
    `bias` `[F]`, the result `[F, OH, OW]` with
    `OH = (H + 2 padding[0] - dilation[0] (KH - 1) - 1) / stride[0] + 1`
    (likewise OW). Input outside the image reads as zero. Each output
    element starts from the bias (or zero) and accumulates
    `weight[f, c, kh, kw] * input[g * C / groups + c, oh * stride + kh * dilation - padding, ...]`
    in order of `c`, then `kh`, then `kw`, where `g = f / (F / groups)` is the
    filter's group and `c` runs over its `C / groups` channels (depthwise
    when `groups = C`).

    Example:
    ```mlir
    %y = snn.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
                                dilation = array<i64: 1, 1>, groups = 1 : i64}
        : tensor<1x8x8xf32>, tensor<2x1x3x3xf32>, tensor<2xf32> -> tensor<2x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def SNN_PoolSum : I32EnumAttrCase<"sum", 0>;
def SNN_PoolAvg : I32EnumAttrCase<"avg", 1>;
def SNN_PoolKindEnum : I32EnumAttr<"PoolKind", "how a pooling window is reduced",
    [SNN_PoolSum, SNN_PoolAvg]> {
  let cppNamespace = "::mlir::snn";
  let genSpecializedAttr = 0;
}
def SNN_PoolKindAttr : EnumAttr<SNN_Dialect, SNN_PoolKindEnum, "pool_kind"> {
  let assemblyFormat = "`<` $value `>`";
}

def SNN_Pool2DOp : SNN_Op<"pool2d"> {
  let summary = "2-D sum or average pooling";
  let description = [{
    NIR `SumPool2d` and `AvgPool2d`: `input` `[C, H, W]`, result
    `[C, OH, OW]` with `OH = (H + 2 padding[0] - kernel[0]) / stride[0] + 1`
    (no `padding`: zero). Input outside the image reads as zero. Each output
    is the sum of its window in order of `kh`, then `kw`, starting from zero;
    `avg` divides that sum by `kernel[0] * kernel[1]`, padding included (as
    PyTorch's `count_include_pad`).

    Example:
    ```mlir
    %y = snn.pool2d %x {kind = #snn.pool_kind<avg>, kernel = array<i64: 2, 2>,
                        stride = array<i64: 2, 2>} : tensor<2x8x8xf32> -> tensor<2x4x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, SNN_PoolKindAttr:$kind,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$stride,
                       OptionalAttr<DenseI64ArrayAttr>:$padding);
  let extraClassDeclaration = [{
    /// The padding on each side of (H, W): the attribute's, or none.
    ::llvm::SmallVector<int64_t, 2> getPaddingOrZero() {
      if (auto padding = getPadding())
        return ::llvm::SmallVector<int64_t, 2>(*padding);
      return {0, 0};
    }
  }];
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def SNN_DelayOp : SNN_Op<"delay",
    [AllTypesMatch<["input", "output"]>, AllTypesMatch<["buffer", "buffer_next"]>]> {
  let summary = "delay line: y[t] = x[t - steps]";
  let description = [{
    NIR `Delay` with the delay in time steps, one value for all elements or
    one per element. `buffer` holds the previous inputs, most recent first:
    shape `[D, ...input shape]` with `D` the largest delay. The result is
    `input` where the delay is 0 and `buffer[steps - 1]` elsewhere;
    `buffer_next` is `input` followed by `buffer[0 .. D-2]`.

    Example:
    ```mlir
    %y, %b1 = snn.delay %x, %b {steps = array<i64: 2, 0, 1>}
        : tensor<3xf32>, tensor<2x3xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$buffer,
                       DenseI64ArrayAttr:$steps);
  let results = (outs AnyRankedTensor:$output, AnyRankedTensor:$buffer_next);
  let assemblyFormat = "$input `,` $buffer attr-dict `:` type($input) `,` type($buffer)";
  let hasVerifier = 1;
}

def SNN_SumOp : SNN_Op<"sum"> {
  let summary = "sum of the values that arrive at a node";
  let description = [{
    NIR sums every edge that enters a node (fan-in). The result is
    `((inputs[0] + inputs[1]) + inputs[2]) + ...`, in operand order. All
    operands and the result have one type; with quantized types a different
    scale is a verifier error that `snn.rescale` resolves.

    Example:
    ```mlir
    %y = snn.sum %a, %b : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs) `->` type($output)";
  let hasVerifier = 1;
}

def SNN_ScaleOp : SNN_ParameterizedOp<"scale", [], "getInput", [SameOperandsAndResultType]> {
  let summary = "elementwise scaling: y = scale * x";
  let description = [{
    NIR `Scale`. Multiplies each element by `scale` (one value, or one per
    element).

    Example:
    ```mlir
    %y = snn.scale %x {scale = dense<2.0> : tensor<1xf64>} : tensor<16xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, SNN_Param:$scale);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def SNN_ThresholdOp : SNN_ParameterizedOp<"threshold", ["threshold"], "getInput", [
    DeclareOpInterfaceMethods<SNN_SpikingOpInterface, ["getSpikes", "producesSingleSpikes"]>]> {
  let summary = "spike where the input crosses a threshold";
  let description = [{
    NIR `Threshold`: `z = input > threshold` (or `>=` with
    `compare = #snn.compare<ge>`), as 1 or 0 of the result's element type.
    The result has the input's shape; its element type may be a float or a
    signless integer.

    Example:
    ```mlir
    %z = snn.threshold %x {threshold = dense<1.0> : tensor<1xf64>,
                           compare = #snn.compare<gt>} : tensor<8xf32> -> tensor<8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, SNN_Param:$threshold,
                       SNN_CompareModeAttr:$compare);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def SNN_RescaleOp : SNN_Op<"rescale"> {
  let summary = "convert a quantized tensor to another scale";
  let description = [{
    Re-expresses quantized values at the result's scale:
    `result = round(input * scale_in / scale_out)`, saturated to the result's
    storage range. Both element types are `!quant.uniform` with the same
    expressed type; shapes are equal. Quantization passes insert it wherever
    a producer's scale differs from what its consumer needs.

    `input_bound`, when present, is a bound on |input| in storage units that
    snn-choose-integer-arithmetic may rely on to compute in narrower
    integers; without it the bound comes from the producer (a synapse's
    constant weights) or the input's type.

    Example:
    ```mlir
    %y = snn.rescale %x : tensor<8x!quant.uniform<i32:f32, 0.001>>
                        -> tensor<8x!quant.uniform<i16:f32, 0.01>>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, OptionalAttr<I64Attr>:$input_bound),
                       SNN_IntegerArithmetic);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Neurons
//===----------------------------------------------------------------------===//

def SNN_IntegratorOp : SNN_NeuronOp<"integrator", [], [AllTypesMatch<["v", "v_next"]>]> {
  let summary = "integrator neuron: v' = v + gain * x";
  let description = [{
    NIR `I` (dv/dt = r I), discretized: `v_next = v + gain * input`.
    The result is the neuron's state and also its output.

    Example:
    ```mlir
    %v1 = snn.integrator %x, %v {gain = dense<0.001> : tensor<1xf64>} : tensor<4xf32>, tensor<4xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$v, SNN_Param:$gain),
                       SNN_IntegerArithmetic);
  let results = (outs AnyRankedTensor:$v_next);
  let assemblyFormat = "$input `,` $v attr-dict `:` type($input) `,` type($v)";
}

def SNN_LIOp : SNN_NeuronOp<"li", ["leak"], [AllTypesMatch<["v", "v_next"]>]> {
  let summary = "leaky integrator: v' = decay * v + gain * x + leak";
  let description = [{
    NIR `LI` discretized by the front end:
    `v_next = (decay * v + gain * input) + leak`, evaluated in that order.
    For forward Euler with step `dt`: decay = 1 - dt/tau,
    gain = r dt/tau, leak = v_leak dt/tau.

    Example:
    ```mlir
    %v1 = snn.li %x, %v {decay = dense<0.9> : tensor<1xf64>,
                         gain = dense<1.0> : tensor<1xf64>,
                         leak = dense<0.0> : tensor<1xf64>} : tensor<10xf32>, tensor<10xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$v,
                            SNN_Param:$decay, SNN_Param:$gain, SNN_Param:$leak),
                       SNN_IntegerArithmetic);
  let results = (outs AnyRankedTensor:$v_next);
  let assemblyFormat = "$input `,` $v attr-dict `:` type($input) `,` type($v)";
}

// Shared by the spiking neurons: threshold, reset value and the two modes.
// `multi_spike`: the spike output counts how many thresholds the membrane
// crossed, n = trunc(u / threshold) (at most 65536) where it fires, and a
// subtracting reset removes n thresholds (Rockpool's neurons).
// `spike_first`: the spike is decided from the membrane the step starts with
// (before this step's update), and the reset applies to that membrane before
// the update when `reset_before_update` is set, else to the updated one
// (Spyx's neurons).
defvar SNN_SpikeParams = (ins SNN_Param:$threshold, SNN_Param:$v_reset,
                              SNN_ResetModeAttr:$reset, SNN_CompareModeAttr:$compare,
                              UnitAttr:$multi_spike, UnitAttr:$spike_first,
                              UnitAttr:$reset_before_update);

def SNN_IFOp : SNN_SpikingNeuronOp<"if", [], [AllTypesMatch<["v", "v_next"]>]> {
  let summary = "integrate-and-fire neuron";
  let description = [{
    NIR `IF` discretized by the front end (gain = r dt):
    ```
    u = v + gain * input            (- threshold * spike_prev  if reset = subtract_delayed)
    spike = u > threshold           (>= with compare = ge)
    v_next = spike ? v_reset : u            reset = value
             u - threshold * spike          reset = subtract
             u                              reset = subtract_delayed
    ```
    `spike_prev` (the previous step's spikes) is present exactly when
    `reset = subtract_delayed`; it has the spike result's type.

    Example:
    ```mlir
    %v1, %s = snn.if %x, %v {gain = dense<1.0> : tensor<1xf64>,
        threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>,
        reset = #snn.reset<subtract>, compare = #snn.compare<gt>}
        : tensor<10xf32>, tensor<10xf32> -> tensor<10xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$v,
                            Optional<AnyRankedTensor>:$spike_prev, SNN_Param:$gain),
                       SNN_SpikeParams, SNN_IntegerArithmetic);
  let results = (outs AnyRankedTensor:$v_next, AnyRankedTensor:$spike);
  let assemblyFormat = [{
    $input `,` $v (`,` $spike_prev^)? attr-dict `:` type($input) `,` type($v)
    (`,` type($spike_prev)^)? `->` type($spike)
  }];
  let hasVerifier = 1;
}

def SNN_LIFOp : SNN_SpikingNeuronOp<"lif", ["leak"], [AllTypesMatch<["v", "v_next"]>]> {
  let summary = "leaky integrate-and-fire neuron";
  let description = [{
    NIR `LIF` discretized by the front end:
    ```
    u = (decay * v + gain * input) + leak   (- threshold * spike_prev  if subtract_delayed)
    spike = u > threshold                   (>= with compare = ge)
    v_next = spike ? v_reset : u            reset = value
             u - threshold * spike          reset = subtract
             u                              reset = subtract_delayed
    ```
    `spike_prev` (the previous step's spikes) is present exactly when
    `reset = subtract_delayed`; it has the spike result's type.

    Example (snnTorch's Leaky, beta = 0.9):
    ```mlir
    %v1, %s1 = snn.lif %x, %v, %s {decay = dense<0.9> : tensor<1xf64>,
        gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>,
        threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>,
        reset = #snn.reset<subtract_delayed>, compare = #snn.compare<gt>}
        : tensor<10xf32>, tensor<10xf32>, tensor<10xf32> -> tensor<10xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$v,
                            Optional<AnyRankedTensor>:$spike_prev,
                            SNN_Param:$decay, SNN_Param:$gain, SNN_Param:$leak),
                       SNN_SpikeParams, SNN_IntegerArithmetic);
  let results = (outs AnyRankedTensor:$v_next, AnyRankedTensor:$spike);
  let assemblyFormat = [{
    $input `,` $v (`,` $spike_prev^)? attr-dict `:` type($input) `,` type($v)
    (`,` type($spike_prev)^)? `->` type($spike)
  }];
  let hasVerifier = 1;
}

def SNN_CubaLIOp : SNN_NeuronOp<"cubali", ["leak"],
    [AllTypesMatch<["v", "v_next"]>, AllTypesMatch<["i_syn", "i_syn_next"]>]> {
  let summary = "current-based leaky integrator";
  let description = [{
    NIR `CubaLI` discretized by the front end:
    ```
    i_syn_next = syn_decay * i_syn + syn_gain * input
    v_next = (decay * v + gain * i) + leak
    ```
    where `i` is `i_syn_next`, or `i_syn` when the unit attribute
    `voltage_first` is present (the membrane sees the previous current).
    With `add_then_decay` the input joins the current before it decays:
    `i_syn_next = syn_decay * (i_syn + syn_gain * input)` (Rockpool), and
    with `membrane_sees_joined` as well the membrane sees the joined current
    `i_syn + syn_gain * input` before its decay (Norse's LIFCell).

    Example:
    ```mlir
    %i1, %v1 = snn.cubali %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>,
        syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>,
        gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>}
        : tensor<10xf32>, tensor<10xf32>, tensor<10xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$i_syn, AnyRankedTensor:$v,
                            SNN_Param:$syn_decay, SNN_Param:$syn_gain,
                            SNN_Param:$decay, SNN_Param:$gain, SNN_Param:$leak,
                            UnitAttr:$voltage_first, UnitAttr:$add_then_decay,
                            UnitAttr:$membrane_sees_joined),
                       SNN_IntegerArithmetic);
  let results = (outs AnyRankedTensor:$i_syn_next, AnyRankedTensor:$v_next);
  let assemblyFormat = [{
    $input `,` $i_syn `,` $v attr-dict `:` type($input) `,` type($i_syn) `,` type($v)
  }];
  let hasVerifier = 1;
}

def SNN_CubaLIFOp : SNN_SpikingNeuronOp<"cubalif", ["leak"],
    [AllTypesMatch<["v", "v_next"]>, AllTypesMatch<["i_syn", "i_syn_next"]>]> {
  let summary = "current-based leaky integrate-and-fire neuron";
  let description = [{
    NIR `CubaLIF`: `snn.cubali`'s update followed by `snn.lif`'s threshold and
    reset on the membrane (`spike_prev` present exactly when
    `reset = subtract_delayed`).

    Example:
    ```mlir
    %i1, %v1, %s = snn.cubalif %x, %i, %v {syn_decay = dense<0.8> : tensor<1xf64>,
        syn_gain = dense<1.0> : tensor<1xf64>, decay = dense<0.9> : tensor<1xf64>,
        gain = dense<1.0> : tensor<1xf64>, leak = dense<0.0> : tensor<1xf64>,
        threshold = dense<1.0> : tensor<1xf64>, v_reset = dense<0.0> : tensor<1xf64>,
        reset = #snn.reset<value>, compare = #snn.compare<gt>}
        : tensor<10xf32>, tensor<10xf32>, tensor<10xf32> -> tensor<10xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$i_syn, AnyRankedTensor:$v,
                            Optional<AnyRankedTensor>:$spike_prev,
                            SNN_Param:$syn_decay, SNN_Param:$syn_gain,
                            SNN_Param:$decay, SNN_Param:$gain, SNN_Param:$leak,
                            UnitAttr:$voltage_first, UnitAttr:$add_then_decay,
                            UnitAttr:$membrane_sees_joined),
                       SNN_SpikeParams, SNN_IntegerArithmetic);
  let results = (outs AnyRankedTensor:$i_syn_next, AnyRankedTensor:$v_next,
                      AnyRankedTensor:$spike);
  let assemblyFormat = [{
    $input `,` $i_syn `,` $v (`,` $spike_prev^)? attr-dict `:` type($input) `,`
    type($i_syn) `,` type($v) (`,` type($spike_prev)^)? `->` type($spike)
  }];
  let hasVerifier = 1;
}

#endif // SNN_OPS_TD
