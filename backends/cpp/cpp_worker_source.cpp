// The C++ worker, source scans: what the worker reads of a unit's text
// before clang-repl sees it (a raw lexer, no preprocessor): an unclosed
// brace, leading #include lines, `#pragma once` — the clang-repl 19 bugs
// worked around (cpp_worker.cpp's header comment).
#include "backends/cpp/cpp_worker_internal.h"

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <clang/Basic/LangOptions.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>

namespace sx::cppworker {

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

// The unit's leading preprocessor lines (comments skipped), as far as the
// choice of what the interpreter has preloaded depends on them.
UnitDirectives scan_directives(const std::string &code) {
  struct Tok {
    bool line_start, hash, ident;
    std::string_view text;
  };
  std::vector<Tok> toks;
  clang::Lexer lex = raw_lexer(code);
  clang::Token tok;
  for (bool at_end = false; !at_end;) {
    at_end = lex.LexFromRawLexer(tok);
    if (tok.is(clang::tok::eof)) break;
    const char *at = lex.getBufferLocation() - tok.getLength();
    toks.push_back({tok.isAtStartOfLine(), tok.is(clang::tok::hash), tok.is(clang::tok::raw_identifier),
                    std::string_view(at, tok.getLength())});
    if (toks.size() > 4096) break;  // a long unit: its start decides
  }
  UnitDirectives d;
  d.simple = true;
  std::size_t i = 0;
  while (i < toks.size()) {
    if (!toks[i].line_start || !toks[i].hash) return d;  // the first line of code
    ++i;
    // `#` name rest…: the rest spelled without spaces ("<bits/stdc++.h>").
    std::string name, rest;
    if (i < toks.size() && !toks[i].line_start) {
      name = toks[i].ident ? std::string(toks[i].text) : "?";
      for (++i; i < toks.size() && !toks[i].line_start; ++i) rest += toks[i].text;
    }
    if (name == "include") {
      if (rest.size() < 3 || rest.front() != '<' || rest.back() != '>') d.simple = false;
      d.includes = true;
      if (rest == "<bits/stdc++.h>") d.includes_stdcpp = true;
      if (d.defines) d.define_before_include = true;
    } else if (name == "define" || name == "undef") {
      d.defines = true;
    } else if (name != "pragma" && !name.empty()) {
      d.simple = false;  // #if, #line, #include_next, …
    }
  }
  d.only_directives = true;
  return d;
}

// ---------------------------------------------------------------------------

std::vector<std::string> split_flags(const char *s) {
  std::vector<std::string> out;
  std::istringstream in(s ? s : "");
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

}  // namespace sx::cppworker
