// The C++ worker, diagnostics: clang's diagnostics formatted into a string
// (never stderr) with the first error, and the end-of-unit hook that keeps a
// unit's pending template instantiations. Used by cpp_worker.cpp only.
#ifndef STREAMEXEC_BACKENDS_CPP_WORKER_DIAGNOSTICS_H
#define STREAMEXEC_BACKENDS_CPP_WORKER_DIAGNOSTICS_H

#include <string>
#include <vector>

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Sema/Sema.h>
#include <llvm/Support/raw_ostream.h>

#include "backends/cpp/cpp_worker_internal.h"

namespace sx::cppworker {

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

}  // namespace sx::cppworker

#endif
