//===- SNNDialect.h - the snn dialect --------------------------*- C++ -*-===//
#ifndef SNN_DIALECT_SNN_SNNDIALECT_H
#define SNN_DIALECT_SNN_SNNDIALECT_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Dialect.h"

#include "snn/Dialect/SNN/SNNDialect.h.inc"
#include "snn/Dialect/SNN/SNNEnums.h.inc"

#endif // SNN_DIALECT_SNN_SNNDIALECT_H
