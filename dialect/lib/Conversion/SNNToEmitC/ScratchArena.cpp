//===- ScratchArena.cpp - temporaries in caller-owned memory --------------===//
//
// The step's temporaries (a convolution's accumulators, a padded input, the
// list of active positions) would otherwise be arrays on the stack of the
// step function: 100 KB for a small convolutional network, more than most
// microcontrollers have. Here they move into arenas, new arguments of the
// function that the caller owns; buffers whose lifetimes do not overlap
// share an arena (a greedy plan by size, as the arena planners of
// TensorFlow Lite Micro and microTVM).
//
//===----------------------------------------------------------------------===//
#include "snn/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

#include <algorithm>

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_SNNSCRATCHARENA
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;

namespace {

/// One temporary: its allocation and the span of top-level ops that use it.
struct Buffer {
  memref::AllocOp alloc;
  int64_t elements;
  size_t first, last;
};

/// Buffers of one element type whose lifetimes are pairwise disjoint: one
/// arena, as large as the largest of them.
struct Slot {
  Type element;
  int64_t elements = 0;
  SmallVector<Buffer *> buffers;

  bool admits(const Buffer &buffer) const {
    return llvm::none_of(buffers, [&](Buffer *other) {
      return other->first <= buffer.last && buffer.first <= other->last;
    });
  }
};

/// Arenas are sized in whole 8-byte units, so that the C struct holding them
/// has the same layout on every ABI (none aligns a type above 8 here).
constexpr int64_t kArenaUnitBytes = 8;

int64_t elementBytes(Type type) {
  return std::max<int64_t>(1, static_cast<int64_t>(type.getIntOrFloatBitWidth()) / 8);
}

/// Whether every use of `alloc` is a load or a store of an element of it.
bool onlyLoadsAndStores(memref::AllocOp alloc) {
  return llvm::all_of(alloc->getUses(), [](OpOperand &use) {
    if (auto store = dyn_cast<memref::StoreOp>(use.getOwner()))
      return use.get() == store.getMemRef() && use.getOperandNumber() == 1;
    return isa<memref::LoadOp>(use.getOwner());
  });
}

/// Assigns the buffers to slots, largest first: each joins the slot of its
/// type that admits it and wastes least (the smallest at least as large as
/// it, else the largest, which grows), or a new one. Sharing a slot rather
/// than packing bytes at offsets keeps two buffers that are live together
/// in different arrays, which the C compiler can tell apart (restrict):
/// within one array it often cannot, and stops vectorizing loops.
SmallVector<Slot> assignSlots(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  std::stable_sort(order.begin(), order.end(), [](Buffer *a, Buffer *b) {
    return a->elements > b->elements;
  });
  SmallVector<Slot> slots;
  for (Buffer *buffer : order) {
    Type element = buffer->alloc.getType().getElementType();
    Slot *best = nullptr;
    for (Slot &slot : slots) {
      if (slot.element != element || !slot.admits(*buffer))
        continue;
      bool fits = slot.elements >= buffer->elements;
      bool bestFits = best && best->elements >= buffer->elements;
      if (!best || (fits && (!bestFits || slot.elements < best->elements)) ||
          (!fits && !bestFits && slot.elements > best->elements))
        best = &slot;
    }
    if (!best) {
      slots.push_back(Slot{element, 0, {}});
      best = &slots.back();
    }
    best->elements = std::max(best->elements, buffer->elements);
    best->buffers.push_back(buffer);
  }
  return slots;
}

/// Element `indices` of a buffer of `shape` in its arena: the row-major
/// linear index.
Value arenaIndex(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ValueRange indices) {
  Value linear = indices.back();
  int64_t stride = shape.back();
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d) {
    Value term = arith::MulIOp::create(b, loc, indices[d],
                                       arith::ConstantIndexOp::create(b, loc, stride));
    linear = arith::AddIOp::create(b, loc, term, linear);
    stride *= shape[d];
  }
  return linear;
}

struct SNNScratchArenaPass : public snn::impl::SNNScratchArenaBase<SNNScratchArenaPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Attribute> arenas;
    for (auto function : module.getOps<func::FuncOp>()) {
      if (function.isExternal())
        continue;
      Block &body = function.getBody().front();
      DenseMap<Operation *, size_t> position;
      for (auto [i, op] : llvm::enumerate(body))
        position[&op] = i;
      // Temporaries of static shape, read and written element by element;
      // others stay where they are. One allocated in a region (the gather
      // of a kernel built in both branches of an scf.if) lives as long as
      // the top-level op that holds it.
      SmallVector<memref::AllocOp> allocs;
      function.walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
      SmallVector<Buffer> buffers;
      for (memref::AllocOp alloc : allocs) {
        MemRefType type = alloc.getType();
        if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
            !type.getElementType().isIntOrFloat() || !onlyLoadsAndStores(alloc))
          continue;
        // Live from the first use to the last (an allocation's contents are
        // undefined until written, so where it stands does not matter).
        size_t first = body.getOperations().size(), last = 0;
        for (Operation *user : alloc->getUsers()) {
          size_t at = position[body.findAncestorOpInBlock(*user)];
          first = std::min(first, at);
          last = std::max(last, at);
        }
        if (alloc->use_empty())
          first = last = position[body.findAncestorOpInBlock(*alloc)];
        buffers.push_back(Buffer{alloc, type.getNumElements(), first, last});
      }
      for (Slot &slot : assignSlots(buffers)) {
        int64_t unit = std::max<int64_t>(1, kArenaUnitBytes / elementBytes(slot.element));
        int64_t size = (slot.elements + unit - 1) / unit * unit;
        auto arenaType = MemRefType::get({size}, slot.element);
        unsigned index = function.getNumArguments();
        if (failed(function.insertArgument(index, arenaType, {}, function.getLoc())))
          return signalPassFailure();
        Value arena = body.getArgument(index);
        arenas.push_back(TypeAttr::get(arenaType));
        for (Buffer *buffer : slot.buffers) {
          ArrayRef<int64_t> shape = buffer->alloc.getType().getShape();
          for (Operation *user : llvm::make_early_inc_range(buffer->alloc->getUsers())) {
            OpBuilder b(user);
            if (auto load = dyn_cast<memref::LoadOp>(user)) {
              Value at = arenaIndex(b, load.getLoc(), shape, load.getIndices());
              load.replaceAllUsesWith(
                  memref::LoadOp::create(b, load.getLoc(), arena, ValueRange{at}).getResult());
            } else {
              auto store = cast<memref::StoreOp>(user);
              Value at = arenaIndex(b, store.getLoc(), shape, store.getIndices());
              memref::StoreOp::create(b, store.getLoc(), store.getValueToStore(), arena,
                                      ValueRange{at});
            }
            user->erase();
          }
          buffer->alloc->erase();
        }
      }
    }
    module->setAttr("snn.scratch_arenas", ArrayAttr::get(module.getContext(), arenas));
  }
};

} // namespace
