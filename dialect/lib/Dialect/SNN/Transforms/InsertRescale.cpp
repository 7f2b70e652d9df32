//===- InsertRescale.cpp - materialize scale conversions ------------------===//
#include "snn/Dialect/SNN/SNNOps.h"
#include "snn/Dialect/SNN/SNNPasses.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_SNNINSERTRESCALE
#include "snn/Dialect/SNN/SNNPasses.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;
using namespace mlir::snn;

namespace {

bool isQuantizedTensor(Type t) {
  auto tensor = dyn_cast<RankedTensorType>(t);
  return tensor && isa<quant::QuantizedType>(tensor.getElementType());
}

struct SNNInsertRescalePass
    : public snn::impl::SNNInsertRescaleBase<SNNInsertRescalePass> {
  void runOnOperation() override {
    SmallVector<UnrealizedConversionCastOp> casts;
    getOperation().walk([&](UnrealizedConversionCastOp cast) { casts.push_back(cast); });
    IRRewriter rewriter(&getContext());
    for (UnrealizedConversionCastOp conversion : casts) {
      if (conversion.getNumOperands() != 1 || conversion.getNumResults() != 1)
        continue;
      Value input = conversion.getOperand(0);
      Type from = input.getType(), to = conversion.getResult(0).getType();
      if (!isQuantizedTensor(from) || !isQuantizedTensor(to) ||
          cast<RankedTensorType>(from).getShape() != cast<RankedTensorType>(to).getShape()) {
        // Casts between other types belong to other conversions.
        continue;
      }
      if (from == to) {
        rewriter.replaceOp(conversion, input);
        continue;
      }
      rewriter.setInsertionPoint(conversion);
      rewriter.replaceOpWithNewOp<RescaleOp>(conversion, to, input);
    }
  }
};

} // namespace
