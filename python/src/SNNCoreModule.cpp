//===- SNNCoreModule.cpp - snnc._core, the compiler's native half ---------===//
//
// Registers the snn dialect and passes into the contexts and the pass
// registry that the `mlir` Python package uses, and prints EmitC IR as C.
//
//===----------------------------------------------------------------------===//
#include "snn-c/Dialects.h"

#include "mlir-c/IR.h"
#include "mlir/Bindings/Python/Nanobind.h"
#include "mlir/Bindings/Python/NanobindAdaptors.h"
#include "mlir/CAPI/IR.h"
#include "mlir/Target/Cpp/CppEmitter.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace nb = nanobind;

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
