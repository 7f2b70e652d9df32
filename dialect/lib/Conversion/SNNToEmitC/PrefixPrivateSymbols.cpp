//===- PrefixPrivateSymbols.cpp - no reserved identifiers in the C --------===//
#include "snn/Conversion/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_SNNPREFIXPRIVATESYMBOLS
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;

namespace {

struct SNNPrefixPrivateSymbolsPass
    : public snn::impl::SNNPrefixPrivateSymbolsBase<SNNPrefixPrivateSymbolsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (Operation &op : llvm::make_early_inc_range(module.getBody()->getOperations())) {
      auto name = op.getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
      if (!name || !name.getValue().starts_with("__"))
        continue;
      auto renamed = StringAttr::get(
          &getContext(), prefix + "_" + name.getValue().drop_front(2).str());
      if (failed(SymbolTable::replaceAllSymbolUses(&op, renamed, module)))
        return signalPassFailure();
      SymbolTable::setSymbolName(&op, renamed);
    }
  }
};

} // namespace
