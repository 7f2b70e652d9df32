//===- IntegerArithmetic.cpp - snn-choose-integer-arithmetic ---------------===//
//
// Decides, once, the integer arithmetic of every quantized neuron update and
// rescale (FixedPoint.h: chooseNeuronArithmetic, chooseRescaleArithmetic)
// and writes it on the op, where convert-snn-to-linalg and snnc's integer
// reference read it.
//
//===----------------------------------------------------------------------===//
#include "FixedPoint.h"
#include "Synapses.h"

#include "snn/Conversion/Passes.h"
#include "snn/Dialect/SNN/SNNOps.h"

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_SNNCHOOSEINTEGERARITHMETIC
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;
using namespace mlir::snn;
using namespace mlir::snn::linalg_lowering;

namespace {

struct SNNChooseIntegerArithmeticPass
    : public snn::impl::SNNChooseIntegerArithmeticBase<SNNChooseIntegerArithmeticPass> {
  void runOnOperation() override {
    // Every choice is made before any is written: a rescale's bound reads
    // the synapse before it, never another choice.
    SmallVector<std::pair<Operation *, IntegerArithmetic>> choices;
    getOperation().walk([&](Operation *op) {
      if (chosenArithmetic(op))
        return;
      if (auto neuron = dyn_cast<NeuronOpInterface>(op);
          neuron && isQuantized(neuron.getMembrane().getType()))
        choices.push_back({op, chooseNeuronArithmetic(op)});
      else if (auto rescale = dyn_cast<RescaleOp>(op))
        choices.push_back({op, chooseRescaleArithmetic(rescale, rescaleInputBound(rescale))});
    });
    for (auto [op, arithmetic] : choices)
      setChosenArithmetic(op, arithmetic);
  }
};

} // namespace
