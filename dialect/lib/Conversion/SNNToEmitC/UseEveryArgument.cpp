//===- UseEveryArgument.cpp - no unused parameters in the C ---------------===//
#include "snn/Conversion/Passes.h"

#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_SNNUSEEVERYARGUMENT
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;

namespace {

struct SNNUseEveryArgumentPass
    : public snn::impl::SNNUseEveryArgumentBase<SNNUseEveryArgumentPass> {
  void runOnOperation() override {
    for (auto function : getOperation().getOps<emitc::FuncOp>()) {
      if (function.isExternal())
        continue;
      Block &body = function.getBody().front();
      OpBuilder builder = OpBuilder::atBlockBegin(&body);
      for (BlockArgument argument : body.getArguments())
        if (argument.use_empty())
          emitc::VerbatimOp::create(builder, function.getLoc(),
                                    builder.getStringAttr("(void){};"),
                                    ValueRange{argument});
    }
  }
};

} // namespace
