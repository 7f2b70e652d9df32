//===- snn-opt.cpp - mlir-opt with the snn dialect and passes -------------===//
#include "snn/Conversion/Passes.h"
#include "snn/Conversion/Pipelines.h"
#include "snn/Dialect/SNN/SNNDialect.h"
#include "snn/Dialect/SNN/SNNPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::snn::registerSNNConversionPasses();
  mlir::snn::registerSNNPasses();
  mlir::snn::registerSNNPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::snn::SNNDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "snn optimizer driver\n", registry));
}
