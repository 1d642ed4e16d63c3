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
//   the payload it takes (take_last_value); with a PCH: the reader's decls
//   never reach CodeGen (PchDeclsToCodeGen), a PCH Clang rejects crashes
//   Interpreter::create (pch_acceptable), a lambda in the input after an
//   #include crashes the mangler (run_text).
// - Headers come precompiled where that keeps native meaning: the prelude,
//   and <bits/stdc++.h> for a program that starts with it (choose_preload).
//   A pool's worker (SX_WORKER_WARM=1, set by libstreamexec) has the
//   <bits/stdc++.h> interpreter started ahead for its first program
//   (start_spare).
//
// Environment:
//   SX_CPP_FLAGS         extra compiler flags, space-separated (e.g. "-O0 -DX=1")
//   SX_CPP_PRELUDE       headers included at start-up: unset/1 = a default set,
//                        0 = none, or a list ("iostream vector map")
//   SX_CPP_PCH           precompiled headers (cpp-prelude.pch, cpp-stdcpp.pch;
//                        backends/cpp/CMakeLists.txt): unset/1 = next to this
//                        executable, 0 = none (headers are parsed), or a directory
//   SX_CPP_RESOURCE_DIR  Clang resource dir (default: the one of the build)
//   SX_CPP_TIMINGS=1     print start-up timings to stderr (start-up chatter), and
//                        the time of a switch to another preload (a unit's stderr)
#include <cxxabi.h>
#include <fcntl.h>
#include <sys/stat.h>
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

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExternalASTSource.h>
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
#include <clang/Lex/PreprocessorOptions.h>
#include <clang/Sema/Sema.h>
#include <clang/Interpreter/Interpreter.h>
#include <clang/Interpreter/Value.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include "backends/common/worker_runtime.h"
#include "backends/cpp/cpp_worker_diagnostics.h"
#include "backends/cpp/cpp_worker_internal.h"


#ifndef SX_CLANG_RESOURCE_DIR
#define SX_CLANG_RESOURCE_DIR "/usr/lib/llvm-19/lib/clang/19"
#endif

namespace {

using namespace sx::cppworker;


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


class CppBackend final : public sx::WorkerBackend {
 public:
  // Runs before the sandbox (worker_main): the PCHs are opened here, since
  // the sandbox hides a build or an install under /tmp or the home
  // directory (a pip --user or npm install). Clang reads them through these
  // descriptors (pch_vfs). Other flags than the PCHs' would make Clang reject them
  // (-O1, -D…) or change what the headers declare: then they are parsed.
  CppBackend() {
    warm_ = env_is("SX_WORKER_WARM", "1");
    if (!split_flags(getenv("SX_CPP_FLAGS")).empty()) return;
    pch_dir_ = find_pch_dir();
    for (Preload p : {Preload::Prelude, Preload::Stdcpp}) {
      std::string path = pch_file(p);
      int fd = path.empty() ? -1 : open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        pch_fd_[p == Preload::Prelude ? 0 : 1] = fcntl(fd, F_DUPFD_CLOEXEC, kPchFdBase);
        close(fd);
      }
    }
  }

  const char *name() const override { return "cpp"; }

  bool init(std::string *err) override {
    timings_ = env_is("SX_CPP_TIMINGS", "1");
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
    // The precompiled headers (backends/cpp/CMakeLists.txt) are built with
    // exactly these flags.
    args_ = {"-std=c++20", "-O0", "-resource-dir", rd && *rd ? rd : SX_CLANG_RESOURCE_DIR,
             "-fno-color-diagnostics"};
    auto extra = split_flags(getenv("SX_CPP_FLAGS"));
    for (auto &f : extra) args_.push_back(f);
    args_.push_back("-Wno-unknown-pragmas");  // kEndOfUnitPragma, even with -Wall -Werror
    // Other flags than the PCH's would make Clang reject it (-O1, -D…) or
    // change what the headers declare: parse them instead.
    // (The PCHs were opened by the constructor, unless extra flags are given.)

    const char *env = getenv("SX_CPP_PRELUDE");
    if (!env || std::strcmp(env, "1") == 0) preload_ = Preload::Prelude;
    else if (std::strcmp(env, "0") == 0) preload_ = Preload::None;
    else preload_ = Preload::Custom;
    double prelude_ms = 0;
    if (!start(preload_, err, &prelude_ms)) return false;
    if (timings_) {
      fprintf(stderr, "sx-cpp-timings create_ms=%.1f prelude_ms=%.1f pch=%s\n", ms_since(t0) - prelude_ms, prelude_ms,
              pch_used_.empty() ? "none" : pch_used_.c_str());
    }
    return true;
  }

  sx::ExecOutcome execute(const sx::ExecRequest &req) override {
    int line = req.line > 0 ? req.line : 1;
    if (!replayable_) return execute_unit(req.code, line);
    UnitDirectives d = scan_directives(req.code);
    choose_preload(d);
    sx::ExecOutcome o = execute_unit(req.code, line);
    if (d.simple && d.only_directives && o.status == sx::Status::Ok) replay_.emplace_back(req.code, line);
    else replayable_ = false;
    return o;
  }

  sx::ExecOutcome execute_unit(const std::string &code, int line) {
    const std::string text = without_pragma_once(code);
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

  // The program's process was forked from its interpreter, which keeps the
  // state from before the program: the pages the program writes first are
  // copied then — ~800 page faults, 10-13 ms of each of its first units on a
  // slow VM. A statement that does nothing, parsed, compiled, linked and run
  // here, while the process waits for the program, writes most of them:
  // the parser's, Sema's, CodeGen's and the JIT's state. Nothing of it is
  // visible to the program (no declaration, no output).
  // In a warm worker's first program, the spare interpreter is started here
  // too (start_spare): in the program's own process, where its pages are
  // its own (started before the fork, the program's first units would copy
  // them: ~25 ms more for a `std::cout` line).
  void prepare_program(bool first) override {
    touch_pages();
    if (warm_ && first) start_spare();
  }
  void touch_pages() {
    diags_->reset();
    if (auto e = interp_->ParseAndExecute("(void)0;")) llvm::consumeError(std::move(e));
    diags_->reset();
    jit_errors_.clear();
  }

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
  // What the interpreter has preloaded before the program's first unit.
  //  Prelude: kDefaultPrelude (from cpp-prelude.pch, else parsed);
  //  Custom: SX_CPP_PRELUDE's list (parsed); None: nothing;
  //  Stdcpp: <bits/stdc++.h> (cpp-stdcpp.pch), for a program that starts
  //          by including it.
  enum class Preload { None, Prelude, Custom, Stdcpp };

  // Before a unit, while every unit so far was only #include <…> / #define /
  // #pragma lines (replayable_): start over with another preload if the
  // unit makes it the one a native build has. The units so far are run
  // again (replay_), so the result is as if the program had started there.
  // - A #define or #undef before an #include (`#define _GLIBCXX_DEBUG`,
  //   `#define NDEBUG`, then headers): natively the headers see the macro;
  //   preloaded ones would not. Start with nothing preloaded.
  // - #include <bits/stdc++.h> (and no macro before it): load it
  //   precompiled (~20 ms, where parsing it takes ~1 s). Only then: it
  //   declares names (::y1, std::count …) a program that includes less
  //   may use for its own.
  // Each program chooses for itself: a program runs in a process forked
  // from the state before it (fork_per_program), which it replaces only
  // when it commits.
  void choose_preload(const UnitDirectives &d) {
    bool define_first = d.simple && d.includes && (d.define_before_include || saw_define_);
    saw_define_ = saw_define_ || d.defines;
    if (!d.simple || !d.includes) return;
    Preload want = preload_;
    if (define_first) {
      if (preload_ == Preload::Prelude || preload_ == Preload::Custom) want = Preload::None;
    } else if (d.includes_stdcpp && (preload_ == Preload::Prelude || preload_ == Preload::None) &&
               !pch_path(Preload::Stdcpp).empty()) {
      want = Preload::Stdcpp;
    }
    if (want != preload_) switch_to(want);
  }

  // Starts a new interpreter with preload `p` (the spare, if it has that
  // one) and replays the units so far; keeps the current one if anything
  // fails. The old interpreter is left alive (not destroyed): functions it
  // compiled may be registered with atexit (static destructors of the
  // prelude's headers).
  void switch_to(Preload p) {
    Engine old = take_engine();
    std::string err;
    bool ok = true;
    bool spare = spare_.interp && spare_.preload == p;
    auto t0 = std::chrono::steady_clock::now();
    if (spare) {
      put_engine(std::move(spare_));
      spare_ = Engine{};
    } else {
      ok = start(p, &err, nullptr);
    }
    if (timings_) fprintf(stderr, "sx-cpp-timings switch_ms=%.1f spare=%d\n", ms_since(t0), spare ? 1 : 0);
    for (std::size_t i = 0; ok && i < replay_.size(); ++i)
      ok = execute_unit(replay_[i].first, replay_[i].second).status == sx::Status::Ok;
    if (ok) {
      (void)old.interp.release();
      return;
    }
    if (interp_) (void)interp_.release();  // it may have run code too
    put_engine(std::move(old));
  }

  // A worker started ahead of its session (a pool's, SX_WORKER_WARM=1) also
  // starts, for its first program (prepare_program), the interpreter a
  // program that begins with #include <bits/stdc++.h> switches to
  // (choose_preload): that switch is then ~0 ms instead of ~70-120 ms (a new
  // interpreter, its PCH checked and its headers' initializers run).
  void start_spare() {
    if (preload_ != Preload::Prelude || pch_path(Preload::Stdcpp).empty()) return;
    Engine current = take_engine();
    std::string why;
    auto t0 = std::chrono::steady_clock::now();
    if (start(Preload::Stdcpp, &why, nullptr)) {
      if (timings_) fprintf(stderr, "sx-cpp-timings spare_ms=%.1f pch=%s\n", ms_since(t0), pch_used_.c_str());
      spare_ = take_engine();
    } else {
      fprintf(stderr, "streamexec: C++ worker: no spare interpreter: %s\n", why.c_str());
      if (interp_) (void)interp_.release();
    }
    put_engine(std::move(current));
  }

  // The interpreter and what belongs to it, moved out (take_engine) and
  // back (put_engine).
  struct PendingModule {
    std::vector<std::string> decls;  // what it needs from elsewhere
    std::string a_def;               // one symbol it defines (to make the JIT link it)
  };
  struct Engine {
    std::unique_ptr<clang::Interpreter> interp;
    CaptureDiagnostics *diags = nullptr;  // owned by interp's DiagnosticsEngine
    Preload preload = Preload::None;
    std::string pch;
    std::vector<PendingModule> pending;
    std::unordered_map<std::string, std::size_t> pending_defs;
    std::vector<std::size_t> unlinked;
  };
  Engine take_engine() {
    Engine e;
    e.interp = std::move(interp_);
    e.diags = diags_;
    e.preload = preload_;
    e.pch = std::move(pch_used_);
    e.pending = std::move(pending_);
    e.pending_defs = std::move(pending_defs_);
    e.unlinked = std::move(unlinked_);
    diags_ = nullptr;
    pch_used_.clear();
    pending_.clear();
    pending_defs_.clear();
    unlinked_.clear();
    return e;
  }
  void put_engine(Engine &&e) {
    interp_ = std::move(e.interp);
    diags_ = e.diags;
    preload_ = e.preload;
    pch_used_ = std::move(e.pch);
    pending_ = std::move(e.pending);
    pending_defs_ = std::move(e.pending_defs);
    unlinked_ = std::move(e.unlinked);
  }

  // A new interpreter (interp_, diags_) with preload `p`: from its
  // precompiled header if there is one Clang accepts, else parsed.
  bool start(Preload p, std::string *err, double *prelude_ms) {
    std::string pch = pch_path(p);
    if (!pch.empty() && !pch_acceptable(pch)) pch.clear();
    if (!create_interpreter(pch, err)) {
      if (pch.empty()) return false;
      pch.clear();  // not expected after pch_acceptable(); parse instead
      if (!create_interpreter(pch, err)) return false;
    }
    preload_ = p;
    pch_used_ = pch;
    std::string prelude = pch.empty() ? prelude_source(p) : std::string();
    if (pch.empty() && prelude.empty()) return true;
    auto tp = std::chrono::steady_clock::now();
    diags_->reset();
    // With a PCH: runs the initializers of its headers' globals (clang
    // hands them to CodeGen when the PCH's translation unit starts).
    if (auto e = interp_->ParseAndExecute(prelude)) {
      // Not fatal: a unit that needs the header reports the problem itself.
      fprintf(stderr, "streamexec: C++ prelude failed: %s\n%s", llvm::toString(std::move(e)).c_str(),
              diags_->text().c_str());
    }
    if (prelude_ms) *prelude_ms = ms_since(tp);
    return true;
  }

  // The compiler's arguments, with `pch` loaded if it is not empty.
  std::vector<const char *> compiler_args(const std::string &pch) const {
    std::vector<const char *> argv;
    for (auto &a : args_) argv.push_back(a.c_str());
    if (!pch.empty()) {
      argv.push_back("-include-pch");
      argv.push_back(pch.c_str());
    }
    return argv;
  }

  bool create_interpreter(const std::string &pch, std::string *err) {
    clang::IncrementalCompilerBuilder cb;
    cb.SetCompilerArgs(compiler_args(pch));
    auto ci = cb.CreateCpp();
    if (!ci) {
      *err = "cannot create the compiler instance: " + llvm::toString(ci.takeError());
      return false;
    }
    // Our consumer before the interpreter starts its action, so it sees
    // BeginSourceFile and every diagnostic from then on.
    diags_ = new CaptureDiagnostics(&(*ci)->getDiagnosticOpts());
    (*ci)->getDiagnostics().setClient(diags_, /*ShouldOwnClient=*/true);
    if (!pch.empty()) (*ci)->createFileManager(pch_vfs());
    auto interp = clang::Interpreter::create(std::move(*ci));
    if (!interp) {
      *err = "cannot create clang::Interpreter: " + llvm::toString(interp.takeError()) + "\n" + diags_->text();
      return false;
    }
    interp_ = std::move(*interp);
    clang::CompilerInstance &inst = *interp_->getCompilerInstance();
    if (!pch.empty()) {
      if (clang::ExternalASTSource *reader = inst.getASTContext().getExternalSource()) {
        pch_consumers_.push_back(std::make_unique<PchDeclsToCodeGen>(&inst.getASTConsumer()));
        reader->StartTranslationUnit(pch_consumers_.back().get());
      }
    }
    inst.getPreprocessor().addPPCallbacks(std::make_unique<EndOfUnitHook>(inst.getSema(), &unit_instantiations_));
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
    return true;
  }

  // clang-repl 19 never starts the translation unit of a PCH's reader (its
  // action does not run ParseAST), so the reader has no consumer: the
  // inline functions, template instantiations and variables it
  // deserializes never reach CodeGen, and units fail to link ("Symbols not
  // found: std::__lg(long), std::min<unsigned long>…"). CodeGen's own
  // HandleInterestingDecl ignores them once the first partial translation
  // unit has ended; as top-level decls of the current input they are
  // emitted when used.
  class PchDeclsToCodeGen final : public clang::ASTConsumer {
   public:
    explicit PchDeclsToCodeGen(clang::ASTConsumer *to) : to_(to) {}
    bool HandleTopLevelDecl(clang::DeclGroupRef d) override { return to_->HandleTopLevelDecl(d); }

   private:
    clang::ASTConsumer *to_;
  };

  // Would Clang load this PCH with our flags? A PCH it rejects (built by
  // another Clang, with other flags, from headers changed since, or
  // missing/corrupt) makes clang::Interpreter::create crash after the
  // error, so read it first with a compiler instance of our own: the same
  // checks, ~1-5 ms.
  bool pch_acceptable(const std::string &pch) {
    clang::IncrementalCompilerBuilder cb;
    cb.SetCompilerArgs(compiler_args(pch));
    auto ci = cb.CreateCpp();
    if (!ci) {
      llvm::consumeError(ci.takeError());
      return false;
    }
    clang::CompilerInstance &c = **ci;
    c.getDiagnostics().setClient(new clang::IgnoringDiagConsumer, /*ShouldOwnClient=*/true);
    c.createFileManager(pch_vfs());
    c.createSourceManager(c.getFileManager());
    c.createPreprocessor(clang::TU_Incremental);
    if (c.getDiagnostics().hasErrorOccurred()) return false;
    c.createASTContext();
    c.createPCHExternalASTSource(pch, clang::DisableValidationForModuleKind::None,
                                 /*AllowPCHWithCompilerErrors=*/false, /*DeserializationListener=*/nullptr,
                                 /*OwnDeserializationListener=*/false);
    return c.getASTContext().getExternalSource() && !c.getDiagnostics().hasErrorOccurred();
  }

  // The precompiled header of preload `p`, if there is one: cpp-prelude.pch
  // (kDefaultPrelude), cpp-stdcpp.pch (<bits/stdc++.h>) in pch_dir_.
  std::string pch_path(Preload p) const {
    int i = p == Preload::Prelude ? 0 : p == Preload::Stdcpp ? 1 : -1;
    if (i < 0 || pch_fd_[i] < 0) return {};
    return std::string(kPchVfsDir) + (i == 0 ? "/cpp-prelude.pch" : "/cpp-stdcpp.pch");
  }
  // Its file in pch_dir_, if readable (before the sandbox).
  std::string pch_file(Preload p) const {
    if (pch_dir_.empty()) return {};
    const char *name = p == Preload::Prelude ? "cpp-prelude.pch" : p == Preload::Stdcpp ? "cpp-stdcpp.pch" : nullptr;
    if (!name) return {};
    std::string path = pch_dir_ + "/" + name;
    return access(path.c_str(), R_OK) == 0 ? path : std::string();
  }
  // The host's file system with the PCHs, mapped from their descriptors, at
  // kPchVfsDir: what Clang's FileManager reads.
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> pch_vfs() {
    if (!vfs_) {
      vfs_ = file_system_with({{std::string(kPchVfsDir) + "/cpp-prelude.pch", pch_fd_[0]},
                               {std::string(kPchVfsDir) + "/cpp-stdcpp.pch", pch_fd_[1]}});
    }
    return vfs_;
  }
  std::vector<int> kept_fds() const override {
    std::vector<int> k;
    for (int fd : pch_fd_)
      if (fd >= 0) k.push_back(fd);
    return k;
  }
  static constexpr int kPchFdBase = 210;  // above ProgramFile's 200
  static constexpr const char *kPchVfsDir = "/streamexec-pch";

  // SX_CPP_PCH: unset or "1" = the directory of this executable (the build
  // tree's bin/, or libexec/streamexec when installed); "0" = no PCH; else
  // a directory.
  static std::string find_pch_dir() {
    const char *env = getenv("SX_CPP_PCH");
    if (env && std::strcmp(env, "0") == 0) return {};
    if (env && *env && std::strcmp(env, "1") != 0) return env;
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    std::string exe(buf, static_cast<std::size_t>(n));
    std::size_t slash = exe.rfind('/');
    return slash == std::string::npos ? std::string() : exe.substr(0, slash);
  }

  Preload preload_ = Preload::Prelude;
  std::string pch_dir_;                              // where the PCHs are; empty: none used
  int pch_fd_[2] = {-1, -1};                         // cpp-prelude.pch, cpp-stdcpp.pch, opened before the sandbox
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs_;  // pch_vfs()
  std::string pch_used_;                             // the PCH the interpreter loaded, or empty
  bool replayable_ = true;                           // every unit so far: directives only, run again by switch_to
  bool saw_define_ = false;                          // … one of them had a #define / #undef
  std::vector<std::pair<std::string, int>> replay_;  // those units (code, line)
  std::vector<std::unique_ptr<PchDeclsToCodeGen>> pch_consumers_;  // live as long as their interpreters

  bool main_defined_ = false;  // by a unit of the current program
  // Runs `text`, whose first line is answer line `line`.
  sx::ExecOutcome run_text(const std::string &text, int line) {
    int end_line = line + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    std::string code = "#line " + std::to_string(line) + " \"" + kAnswerFile + "\"\n" + text + kEndOfUnitPragma;
    sx::ExecOutcome o = run(code, line, end_line);
    if (!pch_used_.empty() && o.status == sx::Status::Ok && text.find("#include") != std::string::npos) {
      // With a PCH loaded, clang-repl 19 crashes (in the Itanium mangler)
      // on a lambda in a top-level statement that is the next input after
      // one that included a header (<unistd.h>, then
      // `std::printf("%s", [] { … }());`). An empty input in between avoids it.
      run("", end_line, end_line);
    }
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
    while (!todo.empty() && seen.size() < 50000) {
      const clang::FunctionDecl *fd = todo.back();
      todo.pop_back();
      const clang::FunctionDecl *def = nullptr;
      if (!fd || !fd->isDefined(def) || !def || def->isInvalidDecl()) continue;
      if (!seen.insert(def->getCanonicalDecl()).second) continue;
      if (!def->isTemplateInstantiation()) continue;  // headers' own inline functions are known to CodeGen
      ci.getASTConsumer().HandleTopLevelDecl(clang::DeclGroupRef(const_cast<clang::FunctionDecl *>(def)));
      functions_used(def, &todo);
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

  // The headers preload `p` parses: kDefaultPrelude, or SX_CPP_PRELUDE's
  // list ("iostream map" or "<iostream>,<map>").
  static std::string prelude_source(Preload p) {
    if (p == Preload::None) return {};
    if (p == Preload::Stdcpp) return "#include <bits/stdc++.h>\n";
    const char *env = getenv("SX_CPP_PRELUDE");
    std::string list = p == Preload::Prelude || !env ? kDefaultPrelude : env;
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
  std::vector<std::size_t> unlinked_;  // pending_ indices not linked yet (link_ahead)
  std::vector<PendingModule> pending_;  // modules not linked yet (no initializers)
  std::unordered_map<std::string, std::size_t> pending_defs_;  // symbol -> pending_ index
  CaptureDiagnostics *diags_ = nullptr;  // owned by the DiagnosticsEngine
  std::unique_ptr<clang::Interpreter> interp_;
  Engine spare_;          // start_spare()
  bool warm_ = false;     // SX_WORKER_WARM=1: started ahead of its session
  bool timings_ = false;  // SX_CPP_TIMINGS=1: start-up and switch times on stderr
};

}  // namespace

int main() {
  CppBackend b;
  return sx::worker_main(b);
}