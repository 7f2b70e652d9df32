//===- SNNDialect.cpp - the snn dialect -----------------------------------===//
#include "snn/Dialect/SNN/SNNDialect.h"
#include "snn/Dialect/SNN/SNNOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::snn;

#include "snn/Dialect/SNN/SNNDialect.cpp.inc"
#include "snn/Dialect/SNN/SNNEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "snn/Dialect/SNN/SNNAttrs.cpp.inc"

void SNNDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "snn/Dialect/SNN/SNNAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "snn/Dialect/SNN/SNNOps.cpp.inc"
      >();
}
