//===- Dialects.cpp - C API of the snn dialect ----------------------------===//
#include "snn-c/Dialects.h"

#include "snn/Conversion/Passes.h"
#include "snn/Conversion/Pipelines.h"
#include "snn/Dialect/SNN/SNNDialect.h"
#include "snn/Dialect/SNN/SNNPasses.h"

#include "mlir/CAPI/Registration.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(SNN, snn, mlir::snn::SNNDialect)

void snnRegisterPasses(void) {
  // The pass registry is global; registering twice would abort.
  static const bool registered = [] {
    mlir::snn::registerSNNConversionPasses();
    mlir::snn::registerSNNPasses();
    mlir::snn::registerSNNPipelines();
    return true;
  }();
  (void)registered;
}
