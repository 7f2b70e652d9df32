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

#endif // SNN_CONVERSION_PASSES_TD
