// streamexec-worker-cpp: embeds clang::Interpreter (clang-repl, Clang 19) and
// runs units as incremental inputs of one translation unit (docs/DESIGN.md §6).
//
// - Each unit is prefixed with `#line N "<answer>"`, so diagnostics carry
//   answer lines. Diagnostics never reach stderr: a DiagnosticConsumer keeps
//   them; a failed unit reports its first error (type "CompileError", with
//   the answer line) and the formatted diagnostics as the traceback.
//   clang-repl rolls a failed input back, so earlier state stays intact.
// - Parse() and Execute() are separate: before the JIT links a unit's
//   module, every symbol it needs is looked up; a unit using a function that
//   is declared but never defined fails as "LinkError" and is undone. (A
//   module that fails to link in ORC leaves its symbols broken for good.)
// - A unit ending in an expression without `;` has a value (clang::Value):
//   builtin types, enums, pointers and std::string are printed.
// - A C++ exception escaping a unit is caught around Execute() and reported
//   (type = the exception's type); the interpreter goes on. Crashes
//   (SIGSEGV, abort(), std::terminate, exit()) end the worker and the host
//   restarts it; the worker first flushes stdio and waits for its output
//   pipes to drain, so what the unit printed still reaches the host.
// - clang-repl 19 bugs worked around (see the functions named):
//   an input ending inside `{` hangs the parser (unclosed_brace_line);
//   `#pragma once` crashes it (without_pragma_once); the rollback of a failed
//   input hides earlier declarations it redeclared, e.g. all of namespace std
//   when it included a header (leading_includes, restore_lookup), lets its
//   statements run with the next input and loses its template
//   instantiations (salvage_failed_input, redo_instantiations); a printed
//   expression with temporaries of class template type does not link
//   (run_text runs it again without value); Value's move constructor frees
//   the payload it takes (take_last_value).
//
// Environment:
//   SX_CPP_FLAGS         extra compiler flags, space-separated (e.g. "-O0 -DX=1")
//   SX_CPP_PRELUDE       headers included at start-up: unset/1 = a default set,
//                        0 = none, or a list ("iostream vector map")
//   SX_CPP_RESOURCE_DIR  Clang resource dir (default: the one of the build)
//   SX_CPP_TIMINGS=1     print start-up timings to stderr (start-up chatter)
#include <cxxabi.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

// GCC's -Wnonnull misfires on clang::CXXRecordDecl::bases() (LazyOffsetPtr)
// inlined from the LLVM headers; the location it reports is in the header.
#pragma GCC diagnostic ignored "-Wnonnull"
#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/Type.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/Stack.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Sema/Sema.h>
#include <clang/Interpreter/Interpreter.h>
#include <clang/Interpreter/Value.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include "backends/common/worker_runtime.h"

#ifndef SX_CLANG_RESOURCE_DIR
#define SX_CLANG_RESOURCE_DIR "/usr/lib/llvm-19/lib/clang/19"
#endif

namespace {

constexpr const char *kAnswerFile = "<answer>";
constexpr const char *kInputsFile = "<<< inputs >>>";  // clang-repl's main file

// Headers included at start-up (hidden behind the model's generation): the
// first #include <iostream> costs ~0.5-1 s. Only headers whose names a
// program including <iostream> sees anyway: with `using namespace std;`,
// <algorithm> (std::count), <set> or <cmath> (::y1, ::j0) would make a
// global `int count` or `set` ambiguous where a normal build is fine.
const char *kDefaultPrelude = "iostream string vector cstdio cstdlib cstring";

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// ---------------------------------------------------------------------------
// Output draining on the way out (exit(), abort(), fatal signals).

// Waits (bounded) until the capture pipes behind fds 1/2 are empty, i.e. the
// runtime's drainer thread has read what the unit wrote, then gives it a
// moment to forward the last frame. Async-signal-safe.
void wait_for_drain() {
  for (int i = 0; i < 400; ++i) {  // <= ~200 ms
    int pending = 0;
    for (int fd = 1; fd <= 2; ++fd) {
      int n = 0;
      if (ioctl(fd, FIONREAD, &n) == 0) pending += n;
    }
    if (pending == 0) break;
    timespec ts{0, 500000};
    nanosleep(&ts, nullptr);
  }
  timespec ts{0, 5000000};  // the drainer's last send()
  nanosleep(&ts, nullptr);
}

void flush_all_streams() {
  std::cout.flush();
  std::cerr.flush();
  std::clog.flush();
  std::wcout.flush();
  std::wcerr.flush();
  fflush(nullptr);
}

// exit() called by the worker itself: hand over the output before the
// process ends.
void at_exit_drain() {
  flush_all_streams();
  wait_for_drain();
}

// --- how a program ends, as natively -------------------------------------------
// JIT-compiled code's atexit(), __cxa_atexit() (static destructors),
// at_quick_exit(), exit() and quick_exit() resolve to these (defined in the
// JIT's main library, ahead of libc): registrations go to lists of the
// program's own, and exit()/quick_exit()/main's return run them in reverse
// order, flush the C and C++ streams and end the program's process with the
// status. The worker's own static destructors (LLVM, clang) never run.
struct AtExit {
  void (*fn)(void *);
  void *arg;
};
std::vector<AtExit> g_atexit, g_at_quick_exit;

extern "C" int sx_cxa_atexit(void (*fn)(void *), void *arg, void *) {
  g_atexit.push_back({fn, arg});
  return 0;
}
extern "C" int sx_atexit(void (*fn)()) {
  g_atexit.push_back({reinterpret_cast<void (*)(void *)>(fn), nullptr});
  return 0;
}
extern "C" int sx_at_quick_exit(void (*fn)()) {
  g_at_quick_exit.push_back({reinterpret_cast<void (*)(void *)>(fn), nullptr});
  return 0;
}

void run_handlers(std::vector<AtExit> &list) {
  // A handler may register more (they run too, as in libc).
  while (!list.empty()) {
    AtExit h = list.back();
    list.pop_back();
    h.fn(h.arg);
  }
}

[[noreturn]] void end_program_process(int code) {
  flush_all_streams();
  if (sx::in_program_child()) sx::exit_program_process(code & 0xff);
  // Not in a program's own process (fork failed): this ends the worker.
  std::exit(code);
}

extern "C" [[noreturn]] void sx_exit(int code) {
  run_handlers(g_atexit);
  end_program_process(code);
}
extern "C" [[noreturn]] void sx_quick_exit(int code) {
  run_handlers(g_at_quick_exit);
  end_program_process(code);
}

// Flushes a stdio stream from a signal handler unless another thread holds
// its lock (then its buffered bytes are lost rather than risking a hang).
void flush_if_unlocked(FILE *f) {
  if (ftrylockfile(f) != 0) return;
  fflush_unlocked(f);
  funlockfile(f);
}

void fatal_signal(int sig) {
  // std::cout/cerr sync with stdio (the default), so their bytes are here.
  flush_if_unlocked(stdout);
  flush_if_unlocked(stderr);
  // A program's own process dies as a native run would, without a word
  // (its program_done event says how); the worker itself says so.
  if (!sx::in_program_child()) {
    const char *what = strsignal(sig);
    char msg[160];
    int n = snprintf(msg, sizeof msg, "\nstreamexec: C++ worker killed by signal %d (%s)\n", sig,
                     what ? what : "?");
    if (n > 0) {
      ssize_t r = write(2, msg, static_cast<size_t>(n));
      (void)r;
    }
  }
  wait_for_drain();
  signal(sig, SIG_DFL);
  raise(sig);
}

// clang's parser recurses once per nested unary operator, and each level
// takes ~5 KiB: with the usual 8 MiB stack, `int x = - - ... 1;` with 2 000
// minus signs crashes clang (clang++ -fsyntax-only too). Units are parsed
// and run on the main thread, whose stack grows on demand up to
// RLIMIT_STACK, into the >= 128 MiB gap the kernel leaves below it: raise the
// soft limit to use that gap (threads keep the stack size fixed at start-up).
// clang also moves some recursion (template instantiation, deep
// expressions in Sema) to a fresh thread when it knows where the stack began.
void grow_main_stack() {
  rlimit rl{};
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    rlim_t want = rlim_t{120} << 20;
    if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max) want = rl.rlim_max;
    if (want > rl.rlim_cur) {
      rl.rlim_cur = want;
      setrlimit(RLIMIT_STACK, &rl);
    }
  }
  clang::noteBottomOfStack();
}

void install_crash_handlers() {
  // An alternate stack, so a stack overflow still reaches the handler.
  static std::vector<char> alt(1 << 16);
  stack_t ss{};
  ss.ss_sp = alt.data();
  ss.ss_size = alt.size();
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = fatal_signal;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
  atexit(at_exit_drain);
  // The host's interrupt (time limit): JIT-compiled code cannot be stopped
  // safely, but a program's own process can be killed — the interpreter it
  // was forked from keeps the state from before the program.
  struct sigaction si {};
  si.sa_handler = [](int) {
    if (sx::in_program_child()) kill(getpid(), SIGKILL);
  };
  sigemptyset(&si.sa_mask);
  si.sa_flags = SA_RESTART;
  sigaction(SIGINT, &si, nullptr);
}

std::string demangle(const char *name) {
  int st = 0;
  char *d = abi::__cxa_demangle(name, nullptr, nullptr, &st);
  std::string s = (st == 0 && d) ? d : name;
  free(d);
  return s;
}

// ---------------------------------------------------------------------------
// Diagnostics: formatted into a string (never stderr) plus the first error.

class CaptureDiagnostics : public clang::DiagnosticConsumer {
 public:
  explicit CaptureDiagnostics(clang::DiagnosticOptions *opts) : os_(text_), printer_(os_, opts) {}

  void BeginSourceFile(const clang::LangOptions &lo, const clang::Preprocessor *pp) override {
    printer_.BeginSourceFile(lo, pp);
  }
  void EndSourceFile() override { printer_.EndSourceFile(); }

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic &info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    printer_.HandleDiagnostic(level, info);
    bool is_error = level >= clang::DiagnosticsEngine::Error;
    if (is_error) ++errors_;
    if ((is_error || level == clang::DiagnosticsEngine::Note) && !in_file(info, kAnswerFile) &&
        !in_file(info, kInputsFile))
      outside_answer_ = true;
    if (is_error && !have_first_) {
      have_first_ = true;
      llvm::SmallString<256> msg;
      info.FormatDiagnostic(msg);
      first_message_ = msg.str().str();
      first_line_ = answer_line(info);
      first_at_input_end_ = first_line_ == 0 && in_file(info, kInputsFile);
    } else if (have_first_ && first_line_ == 0 && errors_ == 1 &&
               level == clang::DiagnosticsEngine::Note) {
      // An error inside a header or a template: its notes ("in instantiation
      // of … requested here") point back into the answer.
      first_line_ = answer_line(info);
    }
  }

  // clang-repl calls clear() after a failed input; what we captured for the
  // unit stays until take().
  void clear() override { DiagnosticConsumer::clear(); }

  void reset() {
    os_.flush();
    text_.clear();
    have_first_ = false;
    first_message_.clear();
    first_line_ = 0;
    first_at_input_end_ = false;
    outside_answer_ = false;
    errors_ = 0;
  }
  bool had_error() const { return errors_ > 0; }
  const std::string &first_message() const { return first_message_; }
  int first_line() const { return first_line_; }
  // The first error is at the end of the unit ("expected expression" after
  // `a +`): clang-repl places it in its main file, not in the unit.
  bool first_at_input_end() const { return first_at_input_end_; }
  // An error or note in a header (e.g. inside a template instantiation).
  bool outside_answer() const { return outside_answer_; }
  // The formatted diagnostics, without clang-repl's include-stack lines
  // ("In file included from <<< inputs >>>:1:"): each unit is an include of
  // the interpreter's main file, which means nothing to the reader.
  std::string text() {
    os_.flush();
    std::string out;
    std::size_t i = 0;
    while (i < text_.size()) {
      std::size_t j = text_.find('\n', i);
      j = j == std::string::npos ? text_.size() : j + 1;
      std::string_view line(text_.data() + i, j - i);
      if (!(line.starts_with(std::string("In file included from ") + kInputsFile) ||
            line.starts_with(std::string("                 from ") + kInputsFile)))
        out.append(line);
      i = j;
    }
    return out;
  }

 private:
  static bool in_file(const clang::Diagnostic &info, const char *name) {
    if (!info.getLocation().isValid() || !info.hasSourceManager()) return false;
    clang::PresumedLoc p = info.getSourceManager().getPresumedLoc(info.getLocation());
    return p.isValid() && std::strcmp(p.getFilename(), name) == 0;
  }
  static int answer_line(const clang::Diagnostic &info) {
    if (!info.getLocation().isValid() || !info.hasSourceManager()) return 0;
    clang::PresumedLoc p = info.getSourceManager().getPresumedLoc(info.getLocation());
    if (p.isInvalid() || std::strcmp(p.getFilename(), kAnswerFile) != 0) return 0;
    return static_cast<int>(p.getLine());
  }

  std::string text_;
  llvm::raw_string_ostream os_;
  clang::TextDiagnosticPrinter printer_;
  bool have_first_ = false;
  std::string first_message_;
  int first_line_ = 0;
  bool first_at_input_end_ = false;
  bool outside_answer_ = false;
  int errors_ = 0;
};

// Each unit ends with `#pragma sx_end_of_unit` (unknown pragmas are ignored
// silently): when the preprocessor reaches it, Sema has seen the whole unit,
// and the template instantiations it needs are still pending. If the unit
// fails, clang-repl 19 drops them, while Sema considers them done: later
// units that use the same specializations would not link. Keep a copy.
constexpr const char *kEndOfUnitPragma = "\n#pragma sx_end_of_unit\n";

class EndOfUnitHook : public clang::PPCallbacks {
 public:
  EndOfUnitHook(clang::Sema &s, std::vector<clang::Sema::PendingImplicitInstantiation> *out)
      : sema_(s), out_(out) {}
  void PragmaDirective(clang::SourceLocation, clang::PragmaIntroducerKind) override {
    out_->assign(sema_.PendingInstantiations.begin(), sema_.PendingInstantiations.end());
  }

 private:
  clang::Sema &sema_;
  std::vector<clang::Sema::PendingImplicitInstantiation> *out_;
};

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

// clang::Interpreter::LastValue is private and only handed out by
// ParseAndExecute(); we run Parse() and Execute() separately (to check the
// module before the JIT links it), so reach it the standard way: explicit
// instantiation may name private members.
template <auto Member>
struct PrivateAccess {
  friend constexpr auto last_value_member() { return Member; }
};
constexpr auto last_value_member();
template struct PrivateAccess<&clang::Interpreter::LastValue>;

// ---------------------------------------------------------------------------

// A raw lexer over a unit (C++20, // comments): the worker's own scans of a
// unit's text before clang-repl sees it. No preprocessor, no identifiers
// looked up: comments, strings and character literals are skipped.
clang::Lexer raw_lexer(const std::string &code) {
  static const clang::LangOptions lo = [] {
    clang::LangOptions l;
    l.CPlusPlus = l.CPlusPlus11 = l.CPlusPlus14 = l.CPlusPlus17 = l.CPlusPlus20 = 1;
    l.LineComment = 1;
    l.Bool = 1;
    return l;
  }();
  const char *begin = code.data();
  return clang::Lexer(clang::SourceLocation(), lo, begin, begin, begin + code.size());
}

// clang-repl 19 loops forever on a unit that ends inside a `{ … }` body
// (function, class, namespace, lambda, block): the parser never sees its
// closing brace. Returns the 1-based line (in the unit) of the first '{'
// left open, or 0. Raw lexing skips comments, strings and character
// literals; preprocessor lines are ignored (a macro may hold a lone brace).
int unclosed_brace_line(const std::string &code) {
  const char *begin = code.data();
  clang::Lexer lex = raw_lexer(code);
  std::vector<const char *> open;
  bool in_directive = false;
  clang::Token tok;
  for (;;) {
    bool at_end = lex.LexFromRawLexer(tok);
    if (tok.is(clang::tok::eof)) break;
    if (tok.isAtStartOfLine()) in_directive = tok.is(clang::tok::hash);
    if (!in_directive) {
      const char *at = lex.getBufferLocation() - tok.getLength();
      if (tok.is(clang::tok::l_brace)) open.push_back(at);
      else if (tok.is(clang::tok::r_brace) && !open.empty()) open.pop_back();
    }
    if (at_end) break;
  }
  if (open.empty()) return 0;
  return 1 + static_cast<int>(std::count(begin, open.front(), '\n'));
}

// The unit's leading block of preprocessor lines, if it has an #include and
// code follows: {bytes of the block, its number of lines}; else {0, 0}.
//
// Such a block runs as an input of its own: when clang-repl 19 rolls back a
// failed input it drops the input's top-level names from lookup (and with
// the declarations of a header included there, it may crash, or lose all of
// namespace std), while the include guards stay defined.
std::pair<std::size_t, int> leading_includes(const std::string &code) {
  const char *begin = code.data();
  clang::Lexer lex = raw_lexer(code);
  clang::Token tok;
  const char *last_directive_end = nullptr;  // end of the last token of a directive line
  bool include = false, after_hash = false;
  for (;;) {
    bool at_end = lex.LexFromRawLexer(tok);
    if (tok.is(clang::tok::eof)) return {0, 0};  // nothing but directives
    if (tok.isAtStartOfLine()) {
      if (!tok.is(clang::tok::hash)) break;  // the first line of code
      after_hash = true;
    } else if (after_hash) {
      after_hash = false;
      // Only directives that stand on their own (no #if … #endif, which
      // may span the split).
      llvm::StringRef name = tok.is(clang::tok::raw_identifier) ? tok.getRawIdentifier() : "";
      if (name == "include") include = true;
      else if (name != "define" && name != "undef" && name != "pragma") return {0, 0};
    }
    last_directive_end = lex.getBufferLocation();
    if (at_end) return {0, 0};
  }
  if (!include || !last_directive_end) return {0, 0};
  const char *nl = static_cast<const char *>(
      memchr(last_directive_end, '\n', static_cast<std::size_t>(begin + code.size() - last_directive_end)));
  if (!nl) return {0, 0};
  std::string_view tail(last_directive_end, static_cast<std::size_t>(nl - last_directive_end));
  if (tail.find("/*") != std::string_view::npos) return {0, 0};  // a comment across the split
  std::size_t n = static_cast<std::size_t>(nl + 1 - begin);
  return {n, static_cast<int>(std::count(begin, nl + 1, '\n'))};
}

// clang-repl 19 crashes on `#pragma once` in an input (its buffer has no
// file entry); it means nothing in a REPL: blank it out.
std::string without_pragma_once(std::string code) {
  if (code.find("once") == std::string::npos) return code;
  const char *begin = code.data();
  clang::Lexer lex = raw_lexer(code);
  clang::Token tok;
  std::vector<std::pair<std::size_t, std::size_t>> blank;
  std::size_t hash_at = 0;
  int state = 0;  // 1: after `#` at the start of a line, 2: after `# pragma`
  for (bool at_end = false; !at_end;) {
    at_end = lex.LexFromRawLexer(tok);
    if (tok.is(clang::tok::eof)) break;
    std::size_t at = static_cast<std::size_t>(lex.getBufferLocation() - begin) - tok.getLength();
    llvm::StringRef word = tok.is(clang::tok::raw_identifier) ? tok.getRawIdentifier() : "";
    if (tok.isAtStartOfLine() && tok.is(clang::tok::hash)) {
      state = 1;
      hash_at = at;
    } else if (state == 1 && word == "pragma") {
      state = 2;
    } else if (state == 2 && word == "once") {
      blank.emplace_back(hash_at, at + tok.getLength());
      state = 0;
    } else {
      state = 0;
    }
  }
  for (auto [from, to] : blank)
    for (std::size_t i = from; i < to; ++i)
      if (code[i] != '\n') code[i] = ' ';
  return code;
}

// ---------------------------------------------------------------------------

std::vector<std::string> split_flags(const char *s) {
  std::vector<std::string> out;
  std::istringstream in(s ? s : "");
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// The functions a function definition uses, including implicit calls
// (constructors, destructors of temporaries and locals, operator new/delete).
class FunctionRefs : public clang::RecursiveASTVisitor<FunctionRefs> {
 public:
  bool shouldVisitImplicitCode() const { return true; }
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool VisitDeclRefExpr(clang::DeclRefExpr *e) { return add(e->getDecl()); }
  bool VisitMemberExpr(clang::MemberExpr *e) { return add(e->getMemberDecl()); }
  bool VisitCXXConstructExpr(clang::CXXConstructExpr *e) {
    add(e->getConstructor());
    return add_dtor(e->getType());
  }
  bool VisitCXXBindTemporaryExpr(clang::CXXBindTemporaryExpr *e) {
    return add(e->getTemporary() ? const_cast<clang::CXXDestructorDecl *>(e->getTemporary()->getDestructor())
                                 : nullptr);
  }
  bool VisitCXXNewExpr(clang::CXXNewExpr *e) {
    add(e->getOperatorNew());
    return add(e->getOperatorDelete());
  }
  bool VisitCXXDeleteExpr(clang::CXXDeleteExpr *e) {
    add(e->getOperatorDelete());
    return add_dtor(e->getDestroyedType());
  }
  bool VisitVarDecl(clang::VarDecl *v) { return add_dtor(v->getType()); }
  bool VisitCXXDestructorDecl(clang::CXXDestructorDecl *d) {
    // Members and bases are destroyed implicitly.
    if (const auto *rd = d->getParent(); rd && rd->hasDefinition()) {
      for (const auto *f : rd->fields()) add_dtor(f->getType());
      for (const auto &b : rd->bases()) add_dtor(b.getType());
    }
    return true;
  }

  std::vector<const clang::FunctionDecl *> found;

 private:
  bool add(clang::Decl *d) {
    if (auto *fd = llvm::dyn_cast_or_null<clang::FunctionDecl>(d)) found.push_back(fd);
    return true;
  }
  bool add_dtor(clang::QualType t) {
    if (t.isNull()) return true;
    const auto *rd = t->getBaseElementTypeUnsafe()->getAsCXXRecordDecl();
    if (rd && rd->hasDefinition())
      if (const auto *dt = rd->getDestructor()) found.push_back(dt);
    return true;
  }
};

class CppBackend final : public sx::WorkerBackend {
 public:
  const char *name() const override { return "cpp"; }

  bool init(std::string *err) override {
    bool timings = env_is("SX_CPP_TIMINGS", "1");
    auto t0 = std::chrono::steady_clock::now();
    grow_main_stack();
    install_crash_handlers();
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();

    const char *rd = getenv("SX_CPP_RESOURCE_DIR");
    // -O0, not -O1: clang-repl 19 at -O1 miscompiles namespace-scope const
    // globals with dynamic initialisers read from a later unit (they read as
    // 0; tests/unit/cpp_worker_test.cpp ConstGlobalsAcrossUnits). -O0 is
    // also ~2x cheaper per unit. SX_CPP_FLAGS=-O1 opts back in.
    args_ = {"-std=c++20", "-O0", "-resource-dir", rd && *rd ? rd : SX_CLANG_RESOURCE_DIR,
             "-fno-color-diagnostics"};
    for (auto &f : split_flags(getenv("SX_CPP_FLAGS"))) args_.push_back(f);
    args_.push_back("-Wno-unknown-pragmas");  // kEndOfUnitPragma, even with -Wall -Werror
    std::vector<const char *> argv;
    for (auto &a : args_) argv.push_back(a.c_str());

    clang::IncrementalCompilerBuilder cb;
    cb.SetCompilerArgs(argv);
    auto ci = cb.CreateCpp();
    if (!ci) {
      *err = "cannot create the compiler instance: " + llvm::toString(ci.takeError());
      return false;
    }
    // Our consumer before the interpreter starts its action, so it sees
    // BeginSourceFile and every diagnostic from then on.
    diags_ = new CaptureDiagnostics(&(*ci)->getDiagnosticOpts());
    (*ci)->getDiagnostics().setClient(diags_, /*ShouldOwnClient=*/true);
    auto interp = clang::Interpreter::create(std::move(*ci));
    if (!interp) {
      *err = "cannot create clang::Interpreter: " + llvm::toString(interp.takeError()) + "\n" +
             diags_->text();
      return false;
    }
    interp_ = std::move(*interp);
    interp_->getCompilerInstance()->getPreprocessor().addPPCallbacks(
        std::make_unique<EndOfUnitHook>(interp_->getCompilerInstance()->getSema(), &unit_instantiations_));
    // The JIT reports link errors ("Symbols not found: …") to stderr by
    // default; they belong to the unit's error instead.
    auto jit = interp_->getExecutionEngine();
    if (!jit) {
      *err = "cannot create the JIT: " + llvm::toString(jit.takeError());
      return false;
    }
    jit->getExecutionSession().setErrorReporter([this](llvm::Error e) {
      jit_errors_ += llvm::toString(std::move(e));
      jit_errors_ += "\n";
    });
    // How a program ends (see sx_exit): these names resolve to ours, ahead
    // of libc's, for JIT-compiled code.
    {
      llvm::orc::SymbolMap ours;
      auto def = [&](const char *name, auto *fn) {
        ours[jit->mangleAndIntern(name)] = {llvm::orc::ExecutorAddr::fromPtr(reinterpret_cast<void *>(fn)),
                                            llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
      };
      def("exit", &sx_exit);
      def("quick_exit", &sx_quick_exit);
      def("atexit", &sx_atexit);
      def("at_quick_exit", &sx_at_quick_exit);
      def("__cxa_atexit", &sx_cxa_atexit);
      // clang-repl's ORC platform support defines some of them itself (it
      // would run static destructors only when the JIT is torn down): ours
      // replace them.
      for (auto &[name, _] : ours) {
        if (auto e = jit->getMainJITDylib().remove({name})) llvm::consumeError(std::move(e));
      }
      if (auto e = jit->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(ours)))) {
        *err = "cannot define the exit functions in the JIT: " + llvm::toString(std::move(e));
        return false;
      }
    }
    double create_ms = ms_since(t0);

    double prelude_ms = 0;
    std::string prelude = prelude_source();
    if (!prelude.empty()) {
      auto tp = std::chrono::steady_clock::now();
      diags_->reset();
      if (auto e = interp_->ParseAndExecute(prelude)) {
        // Not fatal: a unit that needs the header reports the problem itself.
        fprintf(stderr, "streamexec: C++ prelude failed: %s\n%s", llvm::toString(std::move(e)).c_str(),
                diags_->text().c_str());
      }
      prelude_ms = ms_since(tp);
    }
    if (timings) {
      fprintf(stderr, "sx-cpp-timings create_ms=%.1f prelude_ms=%.1f\n", create_ms, prelude_ms);
    }
    return true;
  }

  sx::ExecOutcome execute(const sx::ExecRequest &req) override {
    int line = req.line > 0 ? req.line : 1;
    const std::string text = without_pragma_once(req.code);
    if (int open = unclosed_brace_line(text)) {
      sx::ExecOutcome o;
      o.status = sx::Status::Error;
      o.has_error = true;
      o.error.type = "CompileError";
      o.error.message = "expected '}': the unit ends inside a '{' opened here";
      o.error.line = line + open - 1;
      o.error.traceback = std::string(kAnswerFile) + ":" + std::to_string(o.error.line) + ": error: " +
                          o.error.message + "\n";
      return o;
    }
    auto [prefix, prefix_lines] = leading_includes(text);
    if (prefix > 0) {
      sx::ExecOutcome o = run_text(text.substr(0, prefix), line);
      if (o.status != sx::Status::Ok) return o;
      return run_text(text.substr(prefix), line + prefix_lines);
    }
    return run_text(text, line);
  }

  void flush_output() override { flush_all_streams(); }

  // Each program runs in its own process, forked from the interpreter: a
  // complete program (with main) ends it with its exit status, as a native
  // run does, and the next program starts from the state before it; a
  // program without main commits its state (clang-repl style, a notebook).
  bool fork_per_program() const override { return true; }

  void begin_program(int) override { main_defined_ = false; }

  sx::ProgramOutcome end_program(const sx::ProgramEndRequest &req) override {
    sx::ProgramOutcome o;
    o.unit_id = req.unit_id;
    if (!main_defined_) return o;  // committed by the runtime: later programs build on it
    // A native build of a program with a failed unit fails: nothing runs and
    // nothing of it remains.
    if (req.failed) {
      o.discard = true;
      o.note = "main() not run: the program does not build";
      return o;
    }
    std::vector<std::size_t> linked;
    std::string missing = unresolved_closure({"main"}, nullptr, &linked);
    if (!missing.empty()) {
      o.status = sx::Status::Error;
      o.has_exit_code = false;
      o.has_error = true;
      o.error.type = "LinkError";
      o.error.message = "undefined symbols: " + missing;
      o.error.traceback = "ld: undefined symbols (needed by main): " + missing + "\n";
      o.discard = true;
      return o;
    }
    auto addr = interp_->getSymbolAddress("main");
    if (!addr) {
      o.status = sx::Status::Error;
      o.has_exit_code = false;
      o.has_error = true;
      o.error.type = "LinkError";
      o.error.message = demangle_symbols(llvm::toString(addr.takeError()));
      o.discard = true;
      return o;
    }
    mark_linked(linked);
    // argc/argv as for a program run as `./answer`. An exception escaping
    // main reaches std::terminate, which aborts, as natively.
    static char arg0[] = "answer";
    char *argv[] = {arg0, nullptr};
    using Main = int (*)(int, char **, char **);
    int status = addr->toPtr<Main>()(1, argv, environ);
    sx_exit(status);
  }

 private:
  bool main_defined_ = false;  // by a unit of the current program
  // Runs `text`, whose first line is answer line `line`.
  sx::ExecOutcome run_text(const std::string &text, int line) {
    int end_line = line + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    std::string code = "#line " + std::to_string(line) + " \"" + kAnswerFile + "\"\n" + text + kEndOfUnitPragma;
    sx::ExecOutcome o = run(code, line, end_line);
    if (o.has_error && o.error.type == "LinkError" && may_end_in_expression(text)) {
      // clang-repl 19 bug: printing the value of an expression whose
      // temporaries have implicitly instantiated destructors (e.g.
      // `std::vector<int>{1}.size()`) references destructors it never emits
      // ("undefined symbols: std::vector<int>::~vector()"). Nothing of the
      // unit ran, so run it once more as a statement, without a value.
      sx::ExecOutcome again = run(code + "\n;", line, end_line);
      if (again.status == sx::Status::Ok) return again;
    }
    return o;
  }

  // One attempt at a unit. A unit that fails to link is removed again (Undo)
  // and the JIT's pending initializers are flushed, or every later unit would
  // fail with the same "Failed to materialize symbols".
  sx::ExecOutcome run(const std::string &code, int line, int end_line) {
    sx::ExecOutcome o;
    diags_->reset();
    jit_errors_.clear();
    auto fail = [&](const char *type, std::string message, int at, std::string tb) {
      o.status = sx::Status::Error;
      o.has_error = true;
      o.error.type = type;
      o.error.message = std::move(message);
      o.error.line = at;
      o.error.traceback = cap(std::move(tb));
      return o;
    };

    // 1. Parse (and generate the unit's llvm::Module).
    clang::TranslationUnitDecl *tu_before = interp_->getASTContext().getTranslationUnitDecl();
    unit_instantiations_.clear();
    auto ptu = interp_->Parse(code);
    if (!ptu) {
      std::string msg = llvm::toString(ptu.takeError());
      clang::TranslationUnitDecl *failed = interp_->getASTContext().getTranslationUnitDecl();
      if (failed != tu_before) restore_lookup(failed);
      std::string tb = diags_->text();  // before the clean-up adds anything
      int first_line = diags_->first_line();
      bool at_input_end = diags_->first_at_input_end();
      std::string first_message = diags_->first_message();
      bool had_error = diags_->had_error();
      // Not when the errors came from instantiating templates: those would
      // just fail again.
      if (!diags_->outside_answer()) redo_instantiations();
      diags_->reset();
      salvage_failed_input();
      if (had_error) {
        int at = first_line;
        if (at == 0) at = at_input_end ? end_line : line;
        return fail("CompileError", first_message, at, tb);
      }
      return fail("CompileError", msg, line, tb + msg + "\n");
    }

    // A complete program's `main` runs at the end of the program (end_program).
    bool defines_main = false;
    if (ptu->TUPart) {
      for (clang::Decl *d : ptu->TUPart->decls()) {
        auto *fd = llvm::dyn_cast<clang::FunctionDecl>(d);
        if (fd && fd->isMain() && fd->doesThisDeclarationHaveABody()) defines_main = true;
      }
    }

    // 2. Link check before the JIT sees the module: a module that fails to
    //    link leaves its symbols in an error state in the JIT for good.
    std::vector<std::size_t> linked;
    bool links_now = ptu->TheModule && has_initializers(*ptu->TheModule);
    if (links_now) {
      std::string missing = unresolved_symbols(*ptu->TheModule, &linked);
      if (!missing.empty()) {
        undo(&*ptu);
        std::string msg = "undefined symbols: " + missing;
        return fail("LinkError", msg, line, diags_->text() + msg + "\n");
      }
    } else if (ptu->TheModule) {
      add_pending(*ptu->TheModule);  // before Execute moves the module away
    }

    // 3. Run. A C++ exception escaping the unit unwinds through the JIT and
    //    clang-repl (no handlers there; unwind tables are) to here; the
    //    unit's initializer has been consumed, the interpreter stays usable.
    llvm::Error e = llvm::Error::success();
    bool threw = false;
    std::string exc_type, exc_what;
    try {
      if (ptu->TheModule) e = interp_->Execute(*ptu);
    } catch (const std::exception &ex) {
      threw = true;
      exc_type = current_exception_type();
      exc_what = ex.what();
    } catch (...) {
      threw = true;
      exc_type = current_exception_type();
    }
    clang::Value v;
    take_last_value(&v);
    if (links_now && !e) mark_linked(linked);
    if (!e && !threw) link_ahead();
    if (threw) {
      if (exc_type.empty()) exc_type = "UncaughtException";
      std::string tb = "uncaught exception of type '" + exc_type + "'";
      tb += exc_what.empty() ? "\n" : "\n  what():  " + exc_what + "\n";
      return fail(exc_type.c_str(), exc_what.empty() ? "uncaught exception of type '" + exc_type + "'" : exc_what,
                  0, tb);  // line unknown: no source locations at run time
    }
    if (e) {
      std::string msg = demangle_symbols(llvm::toString(std::move(e)));
      recover_after_link_error(&*ptu);
      std::string jit = demangle_symbols(jit_errors_);
      return fail("LinkError", first_line_of(jit.empty() ? msg : jit), line, diags_->text() + jit + msg + "\n");
    }
    std::string s;
    if (v.isValid() && format_value(v, &s)) {
      o.has_value = true;
      o.value = std::move(s);
    }
    if (defines_main) {
      o.defines_main = true;
      main_defined_ = true;
    }
    return o;
  }

  // ORC links a module when one of its symbols is first looked up: at once
  // if it has initializers (top-level statements, dynamic initialization),
  // else only when a later unit uses something it defines. So a function may
  // call another that a later unit defines, as in one translation unit.
  //
  // Before a module that will link now reaches the JIT, check that every
  // symbol it needs resolves: in the process (libc, libstdc++ …), in modules
  // already linked, or — recursively — in not-yet-linked modules. Returns the
  // unresolved names, demangled; empty if the module can link.
  std::string unresolved_symbols(const llvm::Module &m, std::vector<std::size_t> *linked) {
    auto is_init_list = [](const llvm::GlobalValue &g) { return g.getName().starts_with("llvm."); };
    std::vector<std::string> todo;
    for (const auto &g : m.global_values()) {
      if (is_init_list(g) || !g.hasName()) continue;
      if (const auto *f = llvm::dyn_cast<llvm::Function>(&g); f && f->isIntrinsic()) continue;
      if (g.isDeclaration() && !g.use_empty() && !g.hasExternalWeakLinkage()) todo.push_back(g.getName().str());
      // A weak definition loses to one a pending module made first.
      else if (!g.isDeclaration() && g.isWeakForLinker()) todo.push_back(g.getName().str());
    }
    return unresolved_closure(std::move(todo), &m, linked);
  }

  // The names in `todo` and, through not-yet-linked modules, what they
  // need: those that resolve nowhere, demangled. `m`: the module about to
  // link (its own definitions count), or null.
  std::string unresolved_closure(std::vector<std::string> todo, const llvm::Module *m,
                                 std::vector<std::size_t> *linked) {
    std::set<std::string> seen;
    std::vector<std::string> missing;
    while (!todo.empty()) {
      std::string name = std::move(todo.back());
      todo.pop_back();
      if (!seen.insert(name).second) continue;
      if (auto it = pending_defs_.find(name); it != pending_defs_.end()) {
        std::size_t mi = it->second;
        if (std::find(linked->begin(), linked->end(), mi) == linked->end()) {
          linked->push_back(mi);
          for (const auto &d : pending_[mi].decls) todo.push_back(d);
        }
        continue;
      }
      if (m && m->getNamedValue(name) && !m->getNamedValue(name)->isDeclaration()) continue;  // our own weak def
      auto addr = interp_->getSymbolAddress(name);
      if (addr) continue;
      llvm::consumeError(addr.takeError());
      missing.push_back(demangle(name.c_str()));
    }
    std::sort(missing.begin(), missing.end());
    std::string out;
    for (std::size_t i = 0; i < missing.size() && i < 8; ++i) out += (i ? ", " : "") + missing[i];
    if (missing.size() > 8) out += ", …";
    return out;
  }

  static bool has_initializers(const llvm::Module &m) {
    const auto *ctors = m.getNamedGlobal("llvm.global_ctors");
    return ctors && ctors->hasInitializer() && !ctors->getInitializer()->isNullValue();
  }

  // Remembers a module that ORC will link lazily.
  void add_pending(const llvm::Module &m) {
    PendingModule pm;
    std::size_t idx = pending_.size();
    for (const auto &g : m.global_values()) {
      if (!g.hasName() || g.getName().starts_with("llvm.")) continue;
      if (const auto *f = llvm::dyn_cast<llvm::Function>(&g); f && f->isIntrinsic()) continue;
      if (g.isDeclaration()) {
        if (!g.use_empty() && !g.hasExternalWeakLinkage()) pm.decls.push_back(g.getName().str());
      } else if (!g.hasLocalLinkage()) {
        pending_defs_.emplace(g.getName().str(), idx);  // first definition wins, as in ORC
        if (pm.a_def.empty()) pm.a_def = g.getName().str();
      }
    }
    pending_.push_back(std::move(pm));
    unlinked_.push_back(idx);
  }

  // Links (and so generates machine code for) the pending modules whose
  // every need resolves by now, while the model is still writing: a
  // complete program's functions are then ready when main runs at the end,
  // instead of being compiled on main's first call.
  void link_ahead() {
    for (std::size_t k = 0; k < unlinked_.size();) {
      std::size_t mi = unlinked_[k];
      const PendingModule &pm = pending_[mi];
      if (pm.a_def.empty() || !pending_defs_.count(pm.a_def)) {  // nothing to link, or linked already
        unlinked_.erase(unlinked_.begin() + static_cast<std::ptrdiff_t>(k));
        continue;
      }
      std::vector<std::size_t> linked{mi};
      if (!unresolved_closure(pm.decls, nullptr, &linked).empty()) {
        ++k;  // needs something a later unit may define
        continue;
      }
      std::string keep = std::move(jit_errors_);
      auto addr = interp_->getSymbolAddress(pm.a_def);
      jit_errors_ = std::move(keep);
      if (!addr) llvm::consumeError(addr.takeError());
      mark_linked(linked);
      unlinked_.erase(unlinked_.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }

  // Modules linked by now are no longer pending.
  void mark_linked(const std::vector<std::size_t> &linked) {
    if (linked.empty()) return;
    for (auto it = pending_defs_.begin(); it != pending_defs_.end();) {
      if (std::find(linked.begin(), linked.end(), it->second) != linked.end()) it = pending_defs_.erase(it);
      else ++it;
    }
    for (std::size_t mi : linked) pending_[mi].decls.clear();
  }

  // Move-assignment only: clang 19's Value(Value&&) releases the payload it
  // just took over (a use-after-free for class-type values, e.g. std::string).
  void take_last_value(clang::Value *out) {
    clang::Value &last = (*interp_).*last_value_member();
    *out = std::move(last);  // leaves it unspecified, as ParseAndExecute does
  }

  // The failed unit's template instantiations (see EndOfUnitHook): Sema has
  // instantiated them, CodeGen skipped them because of the errors, and later
  // units referencing them would not get a definition (CodeGen emits member
  // functions on first use by itself, but not free function templates such
  // as std::uninitialized_copy<…>). Hand every instantiated function reachable
  // from the unit's instantiations to CodeGen, which emits them when a later
  // unit uses them; instantiate what is still pending.
  void redo_instantiations() {
    if (unit_instantiations_.empty()) return;
    clang::CompilerInstance &ci = *interp_->getCompilerInstance();
    clang::Sema &sema = ci.getSema();
    clang::DiagnosticsEngine &diags = ci.getDiagnostics();
    std::vector<const clang::FunctionDecl *> todo;
    for (auto &p : unit_instantiations_) {
      auto *fd = llvm::dyn_cast_or_null<clang::FunctionDecl>(p.first);
      if (!fd || fd->isInvalidDecl()) continue;
      if (fd->isDefined()) todo.push_back(fd);
      else sema.PendingInstantiations.push_back(p);
    }
    unit_instantiations_.clear();
    sema.PerformPendingInstantiations();  // hands what it instantiates to CodeGen itself
    if (diags.hasErrorOccurred()) {
      diags.Reset(/*soft=*/true);
      diags.getClient()->clear();
    }
    std::set<const clang::FunctionDecl *> seen;
    FunctionRefs refs;
    while (!todo.empty() && seen.size() < 50000) {
      const clang::FunctionDecl *fd = todo.back();
      todo.pop_back();
      const clang::FunctionDecl *def = nullptr;
      if (!fd || !fd->isDefined(def) || !def || def->isInvalidDecl()) continue;
      if (!seen.insert(def->getCanonicalDecl()).second) continue;
      if (!def->isTemplateInstantiation()) continue;  // headers' own inline functions are known to CodeGen
      ci.getASTConsumer().HandleTopLevelDecl(clang::DeclGroupRef(const_cast<clang::FunctionDecl *>(def)));
      refs.found.clear();
      refs.TraverseDecl(const_cast<clang::FunctionDecl *>(def));
      todo.insert(todo.end(), refs.found.begin(), refs.found.end());
    }
  }

  // After a failed Parse(), CodeGen still holds what it emitted for the
  // input's declarations before the error; clang-repl 19 would put that
  // into the next input's module, where the failed unit's initializers and
  // statements would run. Take it out now as a module of its own, without
  // initializers and with the failed unit's own definitions made internal
  // (they were rolled back; a corrected unit defines them again). What stays
  // visible are the template instantiations and inline functions CodeGen
  // now considers emitted and later modules will reference.
  void salvage_failed_input() {
    auto flush = interp_->Parse("");
    if (!flush) {
      llvm::consumeError(flush.takeError());
      diags_->reset();
      return;
    }
    if (!flush->TheModule) return;
    llvm::Module &m = *flush->TheModule;
    for (const char *list : {"llvm.global_ctors", "llvm.global_dtors"})
      if (auto *g = m.getNamedGlobal(list)) g->eraseFromParent();
    for (llvm::GlobalValue &g : m.global_values()) {
      if (g.isDeclaration() || g.hasLocalLinkage() || g.isWeakForLinker() || g.getName().starts_with("llvm."))
        continue;
      g.setVisibility(llvm::GlobalValue::DefaultVisibility);
      g.setLinkage(llvm::GlobalValue::InternalLinkage);
    }
    drop_dead_locals(m);
    if (m.empty() && m.global_empty() && m.alias_empty()) return;
    add_pending(m);
    if (auto e = interp_->Execute(*flush)) {  // no initializers: links lazily, runs nothing
      llvm::consumeError(std::move(e));
    }
  }

  // Erases internal functions and variables nothing uses (to a fixed point).
  static void drop_dead_locals(llvm::Module &m) {
    for (bool changed = true; changed;) {
      changed = false;
      std::vector<llvm::GlobalValue *> dead;
      for (llvm::GlobalValue &g : m.global_values()) {
        if (!g.hasLocalLinkage()) continue;
        g.removeDeadConstantUsers();
        if (g.use_empty()) dead.push_back(&g);
      }
      for (llvm::GlobalValue *g : dead) {
        if (auto *f = llvm::dyn_cast<llvm::Function>(g)) f->deleteBody();
        else if (auto *v = llvm::dyn_cast<llvm::GlobalVariable>(g)) v->setInitializer(nullptr);
      }
      for (llvm::GlobalValue *g : dead) {
        g->removeDeadConstantUsers();
        if (g->use_empty()) {
          g->eraseFromParent();
          changed = true;
        }
      }
    }
  }

  // Rolls the last input back (it has not run) and repairs lookup.
  void undo(clang::PartialTranslationUnit *ptu) {
    clang::TranslationUnitDecl *tu = ptu->TUPart;
    if (auto ue = interp_->Undo()) llvm::consumeError(std::move(ue));
    if (tu) restore_lookup(tu);
  }

  // clang-repl 19's rollback removes every top-level name the failed input
  // (re)declared from lookup, also when an earlier input declared it: a
  // failed `namespace ns { … }` hides all of ns, a failed redeclaration of
  // f() hides f. Make the earlier declarations visible again.
  static void restore_lookup(clang::TranslationUnitDecl *failed) {
    clang::DeclContext *tu = failed->getPrimaryContext();
    for (clang::Decl *d : failed->decls()) {
      auto *nd = llvm::dyn_cast<clang::NamedDecl>(d);
      if (!nd || nd->getDeclName().isEmpty()) continue;
      clang::Decl *prev = d->getPreviousDecl();
      while (prev && prev->getTranslationUnitDecl() == failed) prev = prev->getPreviousDecl();
      auto *pnd = llvm::dyn_cast_or_null<clang::NamedDecl>(prev);
      if (!pnd) continue;
      auto visible = tu->lookup(pnd->getDeclName());
      if (std::find(visible.begin(), visible.end(), pnd) == visible.end()) tu->makeDeclVisibleInContext(pnd);
    }
  }

  void recover_after_link_error(clang::PartialTranslationUnit *ptu) {
    undo(ptu);
    auto jit = interp_->getExecutionEngine();
    if (!jit) {
      llvm::consumeError(jit.takeError());
      return;
    }
    std::string keep = std::move(jit_errors_);
    if (auto ie = jit->initialize(jit->getMainJITDylib())) llvm::consumeError(std::move(ie));
    jit_errors_ = std::move(keep);
  }

  // Does the unit end with something other than `;` or `}` (so clang-repl
  // may have printed a trailing expression's value)? Comments are not
  // parsed: a false positive only costs one more failed attempt.
  static bool may_end_in_expression(const std::string &code) {
    std::size_t i = code.find_last_not_of(" \t\r\n");
    return i != std::string::npos && code[i] != ';' && code[i] != '}';
  }

  static std::string first_line_of(const std::string &s) {
    std::size_t b = s.find_first_not_of(" \n");
    if (b == std::string::npos) return {};
    std::size_t e = s.find('\n', b);
    return s.substr(b, e == std::string::npos ? std::string::npos : e - b);
  }

  static std::string cap(std::string s) {
    constexpr std::size_t kMax = 16 << 10;
    if (s.size() > kMax) {
      s.resize(kMax);
      s += "\n[... diagnostics truncated]\n";
    }
    return s;
  }

  // "_Z1gv" -> "g()" in ORC's messages.
  static std::string demangle_symbols(const std::string &s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
      bool at_word = i == 0 || !(std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_');
      if (at_word && s.compare(i, 2, "_Z") == 0) {
        std::size_t j = i;
        while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.' ||
                                s[j] == '$'))
          ++j;
        std::string sym = s.substr(i, j - i);
        out += demangle(sym.c_str());
        i = j;
      } else {
        out += s[i++];
      }
    }
    return out;
  }

  // SX_CPP_PRELUDE: unset or "1" = kDefaultPrelude, "0" = none, else a list
  // of headers ("iostream map" or "<iostream>,<map>").
  static std::string prelude_source() {
    const char *env = getenv("SX_CPP_PRELUDE");
    std::string list = !env || std::strcmp(env, "1") == 0 ? kDefaultPrelude : env;
    if (list == "0") return {};
    for (char &c : list)
      if (c == ',' || c == '<' || c == '>') c = ' ';
    std::string out;
    for (const auto &h : split_flags(list.c_str())) out += "#include <" + h + ">\n";
    return out;
  }

  static bool env_is(const char *name, const char *val) {
    const char *v = getenv(name);
    return v && std::strcmp(v, val) == 0;
  }
  static std::string current_exception_type() {
    const std::type_info *t = abi::__cxa_current_exception_type();
    return t ? demangle(t->name()) : std::string();
  }

  std::vector<std::string> args_;
  std::string jit_errors_;  // what the JIT session reported during the unit
  std::vector<clang::Sema::PendingImplicitInstantiation> unit_instantiations_;  // see EndOfUnitHook
  struct PendingModule {
    std::vector<std::string> decls;  // what it needs from elsewhere
    std::string a_def;               // one symbol it defines (to make the JIT link it)
  };
  std::vector<std::size_t> unlinked_;  // pending_ indices not linked yet (link_ahead)
  std::vector<PendingModule> pending_;  // modules not linked yet (no initializers)
  std::unordered_map<std::string, std::size_t> pending_defs_;  // symbol -> pending_ index
  CaptureDiagnostics *diags_ = nullptr;  // owned by the DiagnosticsEngine
  std::unique_ptr<clang::Interpreter> interp_;
};

}  // namespace

int main() {
  CppBackend b;
  return sx::worker_main(b);
}
