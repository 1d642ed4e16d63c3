// The C++ worker, values: a unit's trailing expression (clang::Value) as
// text — builtin types, enums, pointers, std::string — as clang-repl
// prints them.
#include "backends/cpp/cpp_worker_internal.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <string>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Type.h>
#include <clang/Interpreter/Interpreter.h>

namespace sx::cppworker {

// ---------------------------------------------------------------------------
// Values.

template <typename F>
std::string float_str(F v) {
  char buf[128];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".einfa") == std::string::npos) s += ".0";  // 7 -> 7.0
  return s;
}

const char *escape_of(unsigned char c) {
  switch (c) {
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    case '\0': return "\\0";
    case '\\': return "\\\\";
    default: return nullptr;
  }
}

std::string char_str(unsigned char c) {
  if (const char *e = escape_of(c)) return std::string("'") + e + "'";
  if (c == '\'') return "'\\''";
  char buf[16];
  if (c >= 0x20 && c < 0x7f) snprintf(buf, sizeof buf, "'%c'", c);
  else snprintf(buf, sizeof buf, "'\\x%02x'", c);
  return buf;
}

std::string quote(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (const char *e = c != '\0' ? escape_of(c) : "\\x00") {
      out += e;
    } else if (c == '"') {
      out += "\\\"";
    } else if (c < 0x20 || c == 0x7f) {
      char b[8];
      snprintf(b, sizeof b, "\\x%02x", c);
      out += b;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// std::basic_string<char, std::char_traits<char>, std::allocator<char>>.
bool is_std_string(clang::QualType ct) {
  const auto *sd = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(ct->getAsCXXRecordDecl());
  if (!sd || sd->getName() != "basic_string" || !sd->isInStdNamespace()) return false;
  const auto &args = sd->getTemplateArgs();
  if (args.size() != 3 || args[0].getKind() != clang::TemplateArgument::Type) return false;
  if (!args[0].getAsType()->isSpecificBuiltinType(clang::BuiltinType::Char_S) &&
      !args[0].getAsType()->isSpecificBuiltinType(clang::BuiltinType::Char_U))
    return false;
  for (unsigned i = 1; i < 3; ++i) {
    if (args[i].getKind() != clang::TemplateArgument::Type) return false;
    const auto *d = args[i].getAsType()->getAsCXXRecordDecl();
    if (!d || !d->isInStdNamespace() || (d->getName() != (i == 1 ? "char_traits" : "allocator")))
      return false;
  }
  return true;
}

// A printable form of a unit's trailing expression; false if it has none.
bool format_value(const clang::Value &v, std::string *out) {
  using K = clang::Value;
  switch (v.getKind()) {
    case K::K_Bool: *out = v.getBool() ? "true" : "false"; return true;
    case K::K_Char_S: *out = char_str(static_cast<unsigned char>(v.getChar_S())); return true;
    case K::K_Char_U: *out = char_str(v.getChar_U()); return true;
    case K::K_SChar: *out = std::to_string(static_cast<int>(v.getSChar())); return true;
    case K::K_UChar: *out = std::to_string(static_cast<unsigned>(v.getUChar())); return true;
    case K::K_Short: *out = std::to_string(v.getShort()); return true;
    case K::K_UShort: *out = std::to_string(v.getUShort()); return true;
    case K::K_Int: *out = std::to_string(v.getInt()); return true;
    case K::K_UInt: *out = std::to_string(v.getUInt()); return true;
    case K::K_Long: *out = std::to_string(v.getLong()); return true;
    case K::K_ULong: *out = std::to_string(v.getULong()); return true;
    case K::K_LongLong: *out = std::to_string(v.getLongLong()); return true;
    case K::K_ULongLong: *out = std::to_string(v.getULongLong()); return true;
    case K::K_Float: *out = float_str(v.getFloat()); return true;
    case K::K_Double: *out = float_str(v.getDouble()); return true;
    case K::K_LongDouble: *out = float_str(v.getLongDouble()); return true;
    case K::K_PtrOrObj: {
      clang::QualType t = v.getType();
      if (t.isNull()) return false;
      // An lvalue of class type comes as a reference to the object itself.
      clang::QualType ct = t.getNonReferenceType().getCanonicalType();
      if (ct->isPointerType() || ct->isNullPtrType() || ct->isMemberPointerType() ||
          ct->isBlockPointerType()) {
        char buf[40];
        snprintf(buf, sizeof buf, "0x%" PRIxPTR, reinterpret_cast<std::uintptr_t>(v.getPtr()));
        *out = buf;
        return true;
      }
      // std::string (the JIT shares the worker's libstdc++, so the layout is ours).
      if (is_std_string(ct) && v.getPtr()) {
        *out = quote(*static_cast<const std::string *>(v.getPtr()));
        return true;
      }
      return false;
    }
    default:
      return false;  // void, unspecified
  }
}

}  // namespace sx::cppworker
