// What the files of the C++ worker share: cpp_worker.cpp (the backend:
// compile, link, run a unit, program ends), cpp_worker_exit.cpp (how a
// program ends as natively: atexit, exit, crashes; output drained on the way
// out), cpp_worker_diagnostics.h (clang's diagnostics captured),
// cpp_worker_refs.cpp (the functions a definition uses),
// cpp_worker_values.cpp (values printed as clang-repl would),
// cpp_worker_source.cpp (the worker's own scans of a unit's text),
// cpp_worker_pchfs.cpp (the precompiled headers' files in the sandbox).
#ifndef STREAMEXEC_BACKENDS_CPP_WORKER_INTERNAL_H
#define STREAMEXEC_BACKENDS_CPP_WORKER_INTERNAL_H

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <clang/AST/Decl.h>
#include <clang/Interpreter/Value.h>
#include <llvm/ADT/IntrusiveRefCntPtr.h>
#include <llvm/Support/VirtualFileSystem.h>

namespace sx::cppworker {

constexpr const char *kAnswerFile = "<answer>";
constexpr const char *kInputsFile = "<<< inputs >>>";  // clang-repl's main file

// Headers included at start-up (hidden behind the model's generation): the
// first #include <iostream> costs ~0.5-1 s. Only headers whose names a
// program including <iostream> sees anyway: with `using namespace std;`,
// <algorithm> (std::count), <set> or <cmath> (::y1, ::j0) would make a
// global `int count` or `set` ambiguous where a normal build is fine.
// Loaded from cpp-prelude.pch, which backends/cpp/CMakeLists.txt builds
// from this very line (keep it one line).
constexpr const char *kDefaultPrelude = "iostream string vector cstdio cstdlib cstring";

inline double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// --- cpp_worker_exit.cpp ----------------------------------------------------------
// Flushes the C and C++ streams.
void flush_all_streams();
// Crash handlers that drain the output first, and a large main stack.
void install_crash_handlers();
void grow_main_stack();
std::string demangle(const char *name);

// --- cpp_worker_refs.cpp ------------------------------------------------------------
// Appends the functions `def` uses (implicit calls included) to *out.
void functions_used(const clang::FunctionDecl *def, std::vector<const clang::FunctionDecl *> *out);

// --- cpp_worker_values.cpp ----------------------------------------------------------
// A unit's value as text, false if its type is not printable.
bool format_value(const clang::Value &v, std::string *out);

// --- cpp_worker_source.cpp ----------------------------------------------------------
// The line of a `{` the unit leaves open (clang-repl 19 hangs on it), 0 if none.
int unclosed_brace_line(const std::string &code);
// The unit's leading #include lines: (their length in bytes, their count).
std::pair<std::size_t, int> leading_includes(const std::string &code);
// What a unit's leading preprocessor lines do (cpp_worker.cpp, choose_preload).
struct UnitDirectives {
  bool simple = false;                 // only #include <…>, #define, #undef, #pragma
  bool only_directives = false;        // and nothing else follows (the unit is directives only)
  bool includes = false;               // an #include among them
  bool includes_stdcpp = false;        // #include <bits/stdc++.h>
  bool defines = false;                // a #define or #undef among them
  bool define_before_include = false;  // … that comes before an #include
};
UnitDirectives scan_directives(const std::string &code);
// `#pragma once` blanked out (it crashes clang-repl 19).
std::string without_pragma_once(std::string code);
std::vector<std::string> split_flags(const char *s);

// --- cpp_worker_pchfs.cpp -----------------------------------------------------------
// The real file system with `files` (absolute name, open descriptor; -1:
// left out) served from their descriptors, mapped when Clang opens them.
llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> file_system_with(const std::vector<std::pair<std::string, int>> &files);

}  // namespace sx::cppworker

// How a program ends, as natively (cpp_worker_exit.cpp): the JIT's atexit(),
// __cxa_atexit(), at_quick_exit(), exit() and quick_exit() resolve to these.
extern "C" int sx_cxa_atexit(void (*fn)(void *), void *arg, void *);
extern "C" int sx_atexit(void (*fn)());
extern "C" int sx_at_quick_exit(void (*fn)());
extern "C" [[noreturn]] void sx_exit(int code);
extern "C" [[noreturn]] void sx_quick_exit(int code);

#endif
