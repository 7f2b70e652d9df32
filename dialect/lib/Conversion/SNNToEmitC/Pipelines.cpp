//===- Pipelines.cpp - the compile as two named pass pipelines ------------===//
#include "snn/Conversion/Pipelines.h"

#include "snn/Conversion/Passes.h"
#include "snn/Dialect/SNN/SNNPasses.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ConvertToEmitC/ConvertToEmitCPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Quant/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include <cstdint>

using namespace mlir;

void snn::buildSNNToLinalgPipeline(OpPassManager &pm,
                                   const SNNPipelineOptions &options) {
  // Scale conversions the quantizer asked for (a no-op on float models).
  pm.addPass(createSNNInsertRescale());
  // The integer arithmetic of quantized ops, decided once (also read by
  // snnc's integer reference).
  pm.addPass(createSNNChooseIntegerArithmetic());
  if (options.optimize)
    pm.addPass(createSNNEventDriven());
  // The reference lowering: one linalg.generic per snn op and per
  // elementwise arith op on tensors (the input's conversion to spikes);
  // integer models then drop their quantized types for the storage integers.
  pm.addPass(createConvertSNNToLinalg());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addPass(quant::createStripFuncQuantTypes());
  pm.addPass(createCanonicalizerPass());
  if (options.optimize) {
    // Elementwise generics that feed one another (an integer model's rescale
    // and its neuron update) become one loop, without the buffer between
    // them; each element's arithmetic is unchanged. Never into a reduction
    // (snn-fuse-elementwise), where the producer would be recomputed.
    pm.addPass(createSNNFuseElementwise());
    pm.addPass(createCanonicalizerPass());
  }
}

void snn::buildSNNToEmitCPipeline(OpPassManager &pm,
                                  const SNNPipelineOptions &options) {
  buildSNNToLinalgPipeline(pm, options);
  // Each new state is computed in its argument's buffer; one-shot-bufferize
  // copies only where an old value is still read after the new one is
  // written, and results equivalent to an argument are dropped.
  pm.addPass(createSNNResultsInPlace());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // Aligned memref.alloca does not legalize to EmitC.
  bufferize.bufferAlignment = 0;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  // Results become out-parameters, static allocations hoisted into them, so
  // no heap buffer reaches C (EmitC has no lowering for dealloc) ...
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  // ... the temporaries go to arenas the caller owns (the step's stack stays
  // small), sharing memory where their lifetimes allow ...
  pm.addPass(createSNNScratchArena());
  pm.addPass(createCanonicalizerPass());
  // ... and any other to the stack (no malloc in C).
  bufferization::PromoteBuffersToStackPassOptions toStack;
  toStack.maxAllocSizeInBytes = UINT32_MAX;
  pm.addNestedPass<func::FuncOp>(
      bufferization::createPromoteBuffersToStackPass(toStack));
  // Float compares become C's own operators, which compute the ordered
  // predicates (and une) exactly; convert-to-emitc adds NaN tests to others.
  pm.addPass(createConvertFloatComparesToEmitC());
  pm.addPass(createConvertToEmitC());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createSNNUseEveryArgument());
  if (!options.symbolPrefix.empty()) {
    SNNPrefixPrivateSymbolsOptions prefix;
    prefix.prefix = options.symbolPrefix;
    pm.addPass(createSNNPrefixPrivateSymbols(prefix));
  }
  // Large weight arrays as string literals of bytes (C compilers parse them
  // many times faster than float literals); after the renaming, as the
  // accessors are named after the arrays.
  pm.addPass(createSNNLargeConstantsAsBytes());
}

void snn::registerSNNPipelines() {
  static const bool registered = [] {
    PassPipelineRegistration<SNNPipelineOptions>(
        "snn-to-linalg", "Lower the snn IR of a model to linalg on tensors",
        buildSNNToLinalgPipeline);
    PassPipelineRegistration<SNNPipelineOptions>(
        "snn-to-emitc",
        "Lower the snn IR of a model to EmitC, states updated in place",
        buildSNNToEmitCPipeline);
    return true;
  }();
  (void)registered;
}
