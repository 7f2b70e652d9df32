//===- SNNCoreModule.cpp - snnc._core, the compiler's native half ---------===//
//
// Registers the snn dialect, passes and pipelines into the contexts and the
// pass registry that the `mlir` Python package uses, runs pipelines with a
// reproducer on failure, and prints EmitC IR as C.
//
//===----------------------------------------------------------------------===//
#include "snn-c/Dialects.h"

#include "mlir-c/IR.h"
#include "mlir/Bindings/Python/Nanobind.h"
#include "mlir/Bindings/Python/NanobindAdaptors.h"
#include "mlir/CAPI/IR.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/Cpp/CppEmitter.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <stdexcept>
#include <string>

namespace nb = nanobind;

namespace {
/// A pipeline that failed; the message is what it said, a diagnostic a line
/// (location: message). Raised in Python as snnc._core.PipelineError.
struct PipelineFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
} // namespace

NB_MODULE(_core, m) {
  m.doc() = "Native half of snnc: the snn dialect, its passes and C emission.";

  m.def(
      "register_dialect",
      [](MlirContext context, bool load) {
        MlirDialectHandle handle = mlirGetDialectHandle__snn__();
        mlirDialectHandleRegisterDialect(handle, context);
        if (load)
          mlirDialectHandleLoadDialect(handle, context);
        snnRegisterPasses();
      },
      nb::arg("context").none() = nb::none(), nb::arg("load") = true,
      "Registers (and by default loads) the snn dialect in `context` and the "
      "snn passes in the global pass registry.");

  nb::exception<PipelineFailure>(m, "PipelineError");

  m.def(
      "run_pipeline",
      [](MlirOperation op, const std::string &pipeline,
         std::optional<std::string> reproducer) {
        mlir::Operation *module = unwrap(op);
        mlir::MLIRContext *context = module->getContext();
        mlir::PassManager pm(context, mlir::ModuleOp::getOperationName());
        std::string errors;
        llvm::raw_string_ostream errorStream(errors);
        if (mlir::failed(mlir::parsePassPipeline(pipeline, pm, errorStream)))
          throw nb::value_error(("invalid pass pipeline '" + pipeline +
                                 "': " + errors).c_str());
        pm.enableVerifier(true);
        std::string diagnostics;
        mlir::ScopedDiagnosticHandler collect(
            context, [&](mlir::Diagnostic &diagnostic) {
              std::string location;
              llvm::raw_string_ostream locationStream(location);
              diagnostic.getLocation().print(locationStream);
              diagnostics += location + ": " + diagnostic.str() + "\n";
              return mlir::success();
            });
        // A local reproducer (the IR before the failing pass and that pass)
        // needs the passes to run on one thread.
        bool threaded = context->isMultithreadingEnabled();
        if (reproducer) {
          if (threaded)
            context->disableMultithreading();
          pm.enableCrashReproducerGeneration(*reproducer,
                                             /*genLocalReproducer=*/true);
        }
        mlir::LogicalResult result = pm.run(module);
        if (reproducer && threaded)
          context->enableMultithreading();
        if (mlir::failed(result))
          throw PipelineFailure(diagnostics);
      },
      nb::arg("operation"), nb::arg("pipeline"),
      nb::arg("reproducer").none() = nb::none(),
      "Runs a textual pass pipeline (anchored on builtin.module) on the "
      "module in place, verifying after each pass. On failure raises "
      "PipelineError with the diagnostics; with `reproducer`, a path, MLIR "
      "writes there the IR before the failing pass and that pass "
      "(`snn-opt --run-reproducer PATH` repeats the failure).");

  m.def(
      "translate_to_c",
      [](MlirOperation op) {
        std::string text;
        llvm::raw_string_ostream os(text);
        if (mlir::failed(mlir::emitc::translateToCpp(
                unwrap(op), os, /*declareVariablesAtTop=*/true)))
          throw nb::value_error("EmitC could not print the module as C");
        return text;
      },
      nb::arg("operation"),
      "Prints a module of EmitC-compatible ops as C source text.");
}
