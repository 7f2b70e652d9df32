//===- ResultsInPlace.cpp - new state values in their own arguments -------===//
//
// The step function returns the new value of every state it takes; the C API
// updates the caller's state in place instead. This pass states that in the
// IR (bufferization.materialize_in_destination into the argument), so that
// one-shot bufferization computes each new state in its argument's buffer.
//
//===----------------------------------------------------------------------===//
#include "snn/Conversion/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/DenseMap.h"

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_SNNRESULTSINPLACE
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kAliasingOutput = "snn.aliasing_output";

/// Rewrites the results of `function` as the pass description says; fails
/// (with an error on the function) on an attribute that names no result, or
/// a result named twice, or a result of another type than its argument.
LogicalResult returnStatesInPlace(func::FuncOp function) {
  if (function.isExternal())
    return success();
  Block &body = function.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  unsigned numResults = ret.getNumOperands();

  // Result index -> the argument it updates.
  llvm::DenseMap<unsigned, BlockArgument> stateOfResult;
  for (BlockArgument arg : function.getArguments()) {
    auto index =
        function.getArgAttrOfType<IntegerAttr>(arg.getArgNumber(), kAliasingOutput);
    if (!index)
      continue;
    int64_t result = index.getInt();
    if (result < 0 || result >= numResults)
      return function.emitError() << "argument " << arg.getArgNumber() << ": "
                                  << kAliasingOutput << " = " << result
                                  << " names no result (the function has "
                                  << numResults << ")";
    if (!stateOfResult.try_emplace(result, arg).second)
      return function.emitError()
             << "result " << result << " is the new value of two arguments";
    if (ret.getOperand(result).getType() != arg.getType())
      return function.emitError()
             << "argument " << arg.getArgNumber() << " has type " << arg.getType()
             << " but its new value (result " << result << ") has type "
             << ret.getOperand(result).getType();
    function.removeArgAttr(arg.getArgNumber(), kAliasingOutput);
  }

  OpBuilder builder(ret);
  Location loc = ret.getLoc();
  SmallVector<Value> values(ret.getOperands());
  for (unsigned r = 0; r < numResults; ++r) {
    if (stateOfResult.count(r) || !isa<BlockArgument>(values[r]))
      continue;
    auto shaped = cast<RankedTensorType>(values[r].getType());
    Value empty = tensor::EmptyOp::create(builder, loc, shaped.getShape(),
                                          shaped.getElementType());
    values[r] = linalg::CopyOp::create(builder, loc, values[r], empty)->getResult(0);
  }
  for (unsigned r = 0; r < numResults; ++r) {
    auto state = stateOfResult.find(r);
    if (state == stateOfResult.end())
      continue;
    values[r] = bufferization::MaterializeInDestinationOp::create(
        builder, loc, values[r].getType(), values[r], state->second)
                    .getResult();
  }
  ret->setOperands(values);
  return success();
}

struct SNNResultsInPlacePass
    : public snn::impl::SNNResultsInPlaceBase<SNNResultsInPlacePass> {
  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (failed(returnStatesInPlace(function)))
        return signalPassFailure();
  }
};

} // namespace
