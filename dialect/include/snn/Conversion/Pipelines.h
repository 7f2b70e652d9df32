//===- Pipelines.h - snn IR to linalg and to EmitC, as named pipelines ----===//
//
// The whole compile from the front end's snn IR, registered under names so
// that `snn-opt --pass-pipeline='builtin.module(snn-to-emitc{...})'` and
// snnc run the very same passes:
//   snn-to-linalg{optimize}               snn IR -> linalg on tensors
//   snn-to-emitc{optimize symbol-prefix}  snn IR -> EmitC (C with
//                                         mlir-translate --mlir-to-cpp)
//
//===----------------------------------------------------------------------===//
#ifndef SNN_CONVERSION_PIPELINES_H
#define SNN_CONVERSION_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace snn {

struct SNNPipelineOptions : public PassPipelineOptions<SNNPipelineOptions> {
  PassOptions::Option<bool> optimize{
      *this, "optimize",
      llvm::cl::desc("Run the optimizations (event-driven synapses, fusion of "
                     "elementwise loops); the results are identical"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> symbolPrefix{
      *this, "symbol-prefix",
      llvm::cl::desc("snn-to-emitc: the model's name, which replaces the "
                     "leading `__` of the symbols MLIR names (empty: keep)"),
      llvm::cl::init("")};
};

/// snn IR to linalg on tensors (the reference lowering, then MLIR's own
/// cleanups; with `optimize`, snn-event-driven before and elementwise fusion
/// after).
void buildSNNToLinalgPipeline(OpPassManager &pm, const SNNPipelineOptions &options);

/// snn IR to EmitC: the linalg pipeline, states updated in their arguments,
/// bufferization, loops, EmitC.
void buildSNNToEmitCPipeline(OpPassManager &pm, const SNNPipelineOptions &options);

/// Registers both pipelines (idempotent).
void registerSNNPipelines();

} // namespace snn
} // namespace mlir

#endif // SNN_CONVERSION_PIPELINES_H
