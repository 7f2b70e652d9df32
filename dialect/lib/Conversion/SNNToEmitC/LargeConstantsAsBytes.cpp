//===- LargeConstantsAsBytes.cpp - big weight arrays as string literals ---===//
//
// See the pass description (Passes.td). A row's string literal is written as
// lines of 64 bytes (adjacent literals are concatenated); octal escapes always
// have three digits, so a digit after one is never taken as part of it, and
// `?` is escaped too, so that no trigraph can form.
//
//===----------------------------------------------------------------------===//
#include "snn/Conversion/Passes.h"

#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/bit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir {
namespace snn {
#define GEN_PASS_DEF_SNNLARGECONSTANTSASBYTES
#include "snn/Conversion/Passes.h.inc"
} // namespace snn
} // namespace mlir

using namespace mlir;

namespace {

/// The C type of an element, or "" for types this pass leaves alone.
std::string cTypeOf(Type element) {
  if (element.isF32())
    return "float";
  if (element.isF64())
    return "double";
  if (auto integer = dyn_cast<IntegerType>(element);
      integer && integer.isSignless() &&
      llvm::is_contained({8u, 16u, 32u, 64u}, integer.getWidth()))
    return "int" + std::to_string(integer.getWidth()) + "_t";
  return "";
}

/// Bytes per row of the byte array: each row is one string literal, shorter
/// than the 4095 characters C11 requires compilers to take in one (gcc
/// -Wpedantic warns about longer ones).
constexpr uint64_t kRowBytes = 2048;

/// The elements' little-endian bytes, as
/// `static const unsigned char name[rows][kRowBytes]`, one string literal a
/// row (the last one's missing bytes are zero). The rows are contiguous, so
/// byte o of the data is byte o of the array object. A literal of exactly
/// kRowBytes characters leaves out its terminating zero, which C allows
/// (6.7.9p14).
void printBytes(llvm::raw_ostream &os, StringRef name, DenseElementsAttr values,
                unsigned elementBytes) {
  int64_t count = values.getNumElements();
  uint64_t total = static_cast<uint64_t>(count) * elementBytes;
  uint64_t rows = (total + kRowBytes - 1) / kRowBytes;
  // GCC 15 warns about such rows under -Wextra and takes `nonstring` on a
  // two-dimensional array to mean them; older GCCs warn about the attribute
  // there instead, so only GCC 15 and newer get it.
  os << "#ifndef SNNC_NONSTRING\n"
     << "#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 15\n"
     << "#define SNNC_NONSTRING __attribute__((nonstring))\n"
     << "#else\n"
     << "#define SNNC_NONSTRING\n"
     << "#endif\n"
     << "#endif\n";
  os << "static const unsigned char " << name << "[" << rows << "][" << kRowBytes
     << "] SNNC_NONSTRING = {";
  ArrayRef<char> raw = values.getRawData();
  // Dense data is stored in the host's byte order (a splat holds one
  // element); the literal holds little-endian bytes whatever the host.
  bool bigEndianHost = llvm::endianness::native == llvm::endianness::big;
  uint64_t column = 0;
  for (int64_t i = 0; i < count; ++i) {
    const char *element = raw.data() + (values.isSplat() ? 0 : i * elementBytes);
    for (unsigned b = 0; b < elementBytes; ++b, ++column) {
      if (column % kRowBytes == 0)
        os << (column ? "\",\n  \"" : "\n  \"");
      else if (column % 64 == 0)
        os << "\"\n  \"";
      auto byte = static_cast<unsigned char>(element[bigEndianHost ? elementBytes - 1 - b : b]);
      if (byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\' && byte != '?')
        os << static_cast<char>(byte);
      else
        os << '\\' << static_cast<char>('0' + (byte >> 6))
           << static_cast<char>('0' + ((byte >> 3) & 7)) << static_cast<char>('0' + (byte & 7));
    }
  }
  os << "\"};";
}

/// `static inline T name_at(size_t i)`: element i from its bytes. On a
/// target known to be little-endian the bytes are the value's own (one
/// load); elsewhere the value is assembled from them by shifts, so that it
/// does not depend on the byte order.
void printAccessor(llvm::raw_ostream &os, StringRef name, StringRef cType,
                   unsigned elementBytes, bool isFloat) {
  std::string word = elementBytes == 8 ? "uint64_t" : "uint32_t";
  os << "static inline " << cType << " " << name << "_at(size_t i) {\n";
  // A character pointer may walk every byte of an object (C11 6.3.2.3).
  os << "  const unsigned char *p = (const unsigned char *)&" << name << " + "
     << elementBytes << " * i;\n";
  os << "  " << cType << " value;\n";
  os << "#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && "
        "__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__\n";
  os << "  memcpy(&value, p, sizeof value);\n";
  os << "#else\n";
  os << "  " << word << " bits = (" << word << ")p[0]";
  for (unsigned b = 1; b < elementBytes; ++b)
    os << " | (" << word << ")p[" << b << "] << " << 8 * b;
  os << ";\n";
  if (isFloat) {
    os << "  memcpy(&value, &bits, sizeof value);\n";
  } else {
    // Two's complement without an implementation-defined conversion: a value
    // with the sign bit set is -(~bits) - 1, where ~bits (within the width)
    // fits the signed type.
    unsigned width = 8 * elementBytes;
    std::string complement = width < 32 ? "(~bits & 0x" + llvm::utohexstr((1u << width) - 1) + "u)"
                                        : "~bits";
    os << "  value = (bits >> " << width - 1 << ") ? (" << cType << ")(-(" << cType << ")"
       << complement << " - 1) : (" << cType << ")bits;\n";
  }
  os << "#endif\n";
  os << "  return value;\n";
  os << "}";
}

struct SNNLargeConstantsAsBytesPass
    : public snn::impl::SNNLargeConstantsAsBytesBase<SNNLargeConstantsAsBytesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto global : llvm::make_early_inc_range(module.getOps<emitc::GlobalOp>()))
      rewrite(module, global);
  }

  void rewrite(ModuleOp module, emitc::GlobalOp global) {
    auto array = dyn_cast<emitc::ArrayType>(global.getType());
    auto values = dyn_cast_or_null<DenseElementsAttr>(global.getInitialValueAttr());
    if (!global.getConstSpecifier() || !array || array.getRank() != 1 || !values)
      return;
    Type element = array.getElementType();
    std::string cType = cTypeOf(element);
    if (cType.empty())
      return;
    unsigned elementBytes = element.getIntOrFloatBitWidth() / 8;
    if (static_cast<uint64_t>(array.getNumElements()) * elementBytes < minBytes)
      return;
    // Every use: get_global -> subscript -> load, nothing else.
    SmallVector<emitc::GetGlobalOp> getters;
    auto uses = SymbolTable::getSymbolUses(global, module);
    if (!uses)
      return;
    for (const SymbolTable::SymbolUse &use : *uses) {
      auto getter = dyn_cast<emitc::GetGlobalOp>(use.getUser());
      if (!getter)
        return;
      for (Operation *user : getter->getUsers()) {
        auto subscript = dyn_cast<emitc::SubscriptOp>(user);
        if (!subscript || subscript.getIndices().size() != 1)
          return;
        for (Operation *reader : subscript->getUsers())
          if (!isa<emitc::LoadOp>(reader))
            return;
      }
      getters.push_back(getter);
    }

    StringRef name = global.getSymName();
    std::string bytes, accessor;
    llvm::raw_string_ostream bytesStream(bytes), accessorStream(accessor);
    printBytes(bytesStream, name, values, elementBytes);
    printAccessor(accessorStream, name, cType, elementBytes, isa<FloatType>(element));
    OpBuilder builder(global);
    auto data = emitc::VerbatimOp::create(builder, global.getLoc(), bytes);
    data->setAttr("snn.constant_bytes",
                  builder.getI64IntegerAttr(array.getNumElements() * elementBytes));
    emitc::VerbatimOp::create(builder, global.getLoc(), accessor);

    std::string callee = (name + "_at").str();
    for (emitc::GetGlobalOp getter : getters) {
      for (Operation *user : llvm::make_early_inc_range(getter->getUsers())) {
        auto subscript = cast<emitc::SubscriptOp>(user);
        Value index = subscript.getIndices().front();
        for (Operation *reader : llvm::make_early_inc_range(subscript->getUsers())) {
          OpBuilder at(reader);
          auto call = emitc::CallOpaqueOp::create(at, reader->getLoc(), TypeRange{element},
                                                  callee, ValueRange{index});
          reader->getResult(0).replaceAllUsesWith(call.getResult(0));
          reader->erase();
        }
        subscript->erase();
      }
      getter->erase();
    }
    global->erase();
  }
};

} // namespace
