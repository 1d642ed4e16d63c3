#include "frontend/cpp/cpp_chunker.h"

#include <string>
#include <utility>

namespace sx {
namespace {
constexpr std::size_t kMaxBracketDepth = 256;
// clang's parser recurses once per nested unary operator (- - - x, !!!x,
// **p) at ~5 KiB of stack each: clang++ itself crashes at ~1 500 with an
// 8 MiB stack. The C++ worker grows its stack to 120 MiB (~20 000 levels);
// longer runs of operator characters are refused here, so no input length
// can crash the parser. (A run of N characters is at most N operators.)
constexpr std::size_t kMaxOperatorRun = 10000;

bool ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}
bool ident_char(unsigned char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool blank(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool raw_prefix(std::string_view id) {
  return id == "R" || id == "u8R" || id == "uR" || id == "UR" || id == "LR";
}
// characters that cannot appear in a raw string delimiter
bool bad_delim(unsigned char c) {
  return c == ' ' || c == ')' || c == '\\' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n' ||
         c == '"' || c == '(';
}

}  // namespace

void CppChunker::feed(std::string_view bytes) {
  for (char ch : bytes) {
    if (failed_ || finished_) return;
    step(static_cast<unsigned char>(ch));
  }
}

void CppChunker::step(unsigned char c) {
  const Pos p = here();
  // Deferred decisions about the previous byte.
  if (slash_pending_) {
    slash_pending_ = false;
    if (c == '/' || c == '*') {
      mode_ = c == '/' ? Mode::LineComment : Mode::BlockComment;
      star_prev_ = false;
      if (have_pending_) pending_.push_back(static_cast<char>(c));
      goto advance;
    }
    slash_is_token();
    if (failed_) return;
  }
  if (quote_pending_) {
    quote_pending_ = false;
    if (!ident_char(c)) {  // 1'x' is a number then a char literal; 1') too
      in_number_ = false;
      mode_ = Mode::Char;
      esc_ = false;
    }
  }
  if (have_pending_) pending_.push_back(static_cast<char>(c));

  switch (mode_) {
    case Mode::Code:
      code(c, p);
      break;
    case Mode::LineComment:
      if (c == '\n' && !bs_prev_) {
        mode_ = Mode::Code;
        newline_in_code();
      }
      break;
    case Mode::BlockComment:
      if (star_prev_ && c == '/') {
        mode_ = Mode::Code;
        star_prev_ = false;
      } else {
        star_prev_ = c == '*';
      }
      break;
    case Mode::String:
      string_byte(c, p, '"');
      break;
    case Mode::Char:
      string_byte(c, p, '\'');
      break;
    case Mode::RawDelim:
      if (c == '(') {
        mark_sig(p, c, false);
        mode_ = Mode::RawBody;
        raw_term_ = ")" + raw_delim_ + "\"";
        raw_match_ = 0;
      } else if (bad_delim(c)) {
        // not a raw string after all: an identifier followed by "...
        mode_ = Mode::String;
        esc_ = false;
        string_byte(c, p, '"');
      } else {
        mark_sig(p, c, false);
        raw_delim_.push_back(static_cast<char>(c));
      }
      break;
    case Mode::RawBody:
      mark_sig(p, c, false);
      if (c == static_cast<unsigned char>(raw_term_[raw_match_])) {
        if (++raw_match_ == raw_term_.size()) mode_ = Mode::Code;
      } else {
        raw_match_ = c == ')' ? 1 : 0;
      }
      break;
  }

advance:
  bs_prev_ = c == '\\' || (c == '\r' && bs_prev_);
  ++offset_;
  if (c == '\n') {
    ++line_;
    col_ = 0;
  } else {
    ++col_;
  }
}

void CppChunker::string_byte(unsigned char c, const Pos &p, char quote) {
  if (esc_) {
    esc_ = c == '\r';  // '\' CR LF is a line splice
    mark_sig(p, c, false);
    return;
  }
  if (c == '\n') {  // unterminated literal; the confirmer reports it
    mode_ = Mode::Code;
    newline_in_code();
    return;
  }
  mark_sig(p, c, false);
  if (c == '\\') esc_ = true;
  else if (c == static_cast<unsigned char>(quote)) mode_ = Mode::Code;
}

void CppChunker::code(unsigned char c, const Pos &p) {
  if (in_ident_) {
    if (ident_char(c)) {
      if (ident_.size() < 8) ident_.push_back(static_cast<char>(c));
      ++ident_len_;
      mark_sig(p, c, false);
      return;
    }
    std::string id = ident_len_ <= 8 ? ident_ : std::string();
    ident_end();
    if (failed_) return;
    if (c == '"' && raw_prefix(id)) {
      mark_sig(p, c, false);
      mode_ = Mode::RawDelim;
      raw_delim_.clear();
      return;
    }
  }
  if (in_number_) {
    if (ident_char(c) || c == '.') {
      num_exp_ = c == 'e' || c == 'E' || c == 'p' || c == 'P';
      mark_sig(p, c, false);
      return;
    }
    if ((c == '+' || c == '-') && num_exp_) {
      num_exp_ = false;
      mark_sig(p, c, false);
      return;
    }
    if (c == '\'') {  // digit separator or a char literal: the next byte decides
      quote_pending_ = true;
      mark_sig(p, c, false);
      return;
    }
    in_number_ = false;
  }
  if (c == '\n') {
    newline_in_code();
    return;
  }
  if (blank(c)) return;
  if (c == '/') {
    slash_pending_ = true;
    slash_pos_ = p;
    slash_line_start_ = at_line_start_;
    at_line_start_ = false;
    return;
  }
  const bool line_start = at_line_start_;
  at_line_start_ = false;
  if (!in_directive_ && (c == '+' || c == '-' || c == '!' || c == '~' || c == '*' || c == '&')) {
    if (++op_run_ > kMaxOperatorRun) {
      fail(p, "more than " + std::to_string(kMaxOperatorRun) +
                  " operators in a row: nesting too deep for the C++ parser's stack");
      return;
    }
  } else {
    op_run_ = 0;
  }
  if (in_directive_ && dir_name_pending_ && !ident_start(c)) dir_name_pending_ = false;
  if (macro_call_ == 1 && c != '(') macro_call_ = 0;

  if (ident_start(c)) {
    token_start(p, true, line_start);
    if (failed_) return;
    in_ident_ = true;
    ident_.assign(1, static_cast<char>(c));
    ident_len_ = 1;
    mark_sig(p, c, line_start);
    return;
  }
  token_start(p, false, line_start, c);
  if (failed_) return;
  mark_sig(p, c, line_start);
  if (digit(c)) {
    in_number_ = true;
    num_exp_ = false;
    return;
  }
  switch (c) {
    case '"':
      mode_ = Mode::String;
      esc_ = false;
      return;
    case '\'':
      mode_ = Mode::Char;
      esc_ = false;
      return;
    case '#':
      if (line_start && !in_directive_) {
        in_directive_ = true;
        dir_name_pending_ = true;
        dir_name_.clear();
        dir_start_ = pending_.size() - 1;
        macro_call_ = 0;
      }
      return;
    default:
      break;
  }
  if (in_directive_) return;  // brackets and ';' inside a directive are inert
  switch (c) {
    case '(': case '[': case '{':
      if (macro_call_ == 1) macro_call_ = c == '(' && brackets_.empty() ? 2 : 0;
      brackets_.push_back(static_cast<char>(c));
      // clang's limit (-fbracket-depth, 256 by default): deeper code can never
      // compile, and refusing it here keeps the confirm and clang's own
      // recursive parser away from unbounded nesting.
      if (brackets_.size() > kMaxBracketDepth)
        fail(p, "bracket nesting level exceeded maximum of " + std::to_string(kMaxBracketDepth));
      return;
    case ')': case ']': case '}': {
      const char open = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (brackets_.empty() || brackets_.back() != open) {
        // unmatched or mismatched: the structure is broken, confirm now
        candidate();
        if (!brackets_.empty()) brackets_.pop_back();
        return;
      }
      brackets_.pop_back();
      if (c == ')' && macro_call_ == 2 && brackets_.empty()) {
        macro_call_ = 0;
        if (pp_depth_ == 0) macro_item();
        return;
      }
      if (c == '}' && brackets_.empty() && pp_depth_ == 0) candidate();
      return;
    }
    case ';':
      if (brackets_.empty() && pp_depth_ == 0) candidate();
      return;
    default:
      return;
  }
}

void CppChunker::newline_in_code() {
  at_line_start_ = true;
  if (in_directive_ && !bs_prev_) end_directive();
}

// The byte at p (already appended if a unit is open) belongs to a token.
void CppChunker::mark_sig(const Pos &p, unsigned char c, bool line_start) {
  if (!have_pending_) {
    have_pending_ = true;
    pending_.assign(1, static_cast<char>(c));
    pend_begin_ = p;
    begins_line_ = line_start;
  }
  sig_len_ = pending_.size();
}

// A new token starts at p (c: its first byte, 0 for an identifier): it may
// decide a unit waiting for else/catch, or an item macro's use waiting for a
// ';' of its own.
void CppChunker::token_start(const Pos &p, bool ident, bool line_start, unsigned char c) {
  if (!waiting_ || deciding_) return;
  if (wait_semicolon_ && c == ';') {
    waiting_ = wait_semicolon_ = false;  // the unit goes on: `DEF(a);` closes at the ';'
    wait_verdict_ = CppVerdict();
    return;
  }
  if (ident && !wait_semicolon_) {
    deciding_ = true;
    decide_pos_ = p;
    return;
  }
  close_waiting(p, line_start);
}

void CppChunker::ident_end() {
  in_ident_ = false;
  std::string_view id = ident_len_ <= 8 ? std::string_view(ident_) : std::string_view();
  if (in_directive_ && dir_name_pending_) {
    dir_name_ = std::string(id);
    dir_name_pending_ = false;
  }
  if (deciding_) {
    deciding_ = false;
    if ((wait_else_ && id == "else") || (wait_catch_ && id == "catch")) {
      waiting_ = false;  // the unit goes on
      wait_verdict_ = CppVerdict();
    } else {
      close_waiting(decide_pos_, false);
      sig_len_ = ident_len_;
    }
  }
  // The open unit is just this identifier: a use of an item macro?
  if (!in_directive_ && !waiting_ && have_pending_ && brackets_.empty() && sig_len_ == ident_len_ &&
      !item_macros_.empty() && item_macros_.count(pending_.substr(0, ident_len_)))
    macro_call_ = 1;
}

void CppChunker::slash_is_token() {
  if (macro_call_ == 1) macro_call_ = 0;
  const bool line_start = slash_line_start_;
  token_start(slash_pos_, false, line_start, '/');
  if (failed_) return;
  if (!have_pending_) {
    have_pending_ = true;
    pending_.assign(1, '/');
    pend_begin_ = slash_pos_;
    begins_line_ = line_start;
  }
  sig_len_ = pending_.size();
  if (in_directive_ && dir_name_pending_) dir_name_pending_ = false;
}

void CppChunker::end_directive() {
  in_directive_ = false;
  dir_name_pending_ = false;
  bool unmatched = false;
  if (dir_name_ == "if" || dir_name_ == "ifdef" || dir_name_ == "ifndef") {
    ++pp_depth_;
  } else if (dir_name_ == "endif") {
    if (pp_depth_ > 0) --pp_depth_;
    else unmatched = true;
  } else if (dir_name_ == "define" || dir_name_ == "undef") {
    define_seen();
  }
  if (have_pending_ && ((brackets_.empty() && pp_depth_ == 0) || unmatched)) candidate();
}

// Records (or forgets) an item macro: `#define NAME(` with no space before
// '(' and a replacement list whose last token ends with '}' or ';'.
void CppChunker::define_seen() {
  if (!have_pending_ || dir_start_ >= sig_len_) return;
  std::string_view d(pending_.data() + dir_start_, sig_len_ - dir_start_);
  std::size_t i = 1;  // after '#'
  auto skip_blanks = [&] {
    while (i < d.size() && (d[i] == ' ' || d[i] == '\t')) ++i;
  };
  skip_blanks();
  const bool define = d.substr(i, 6) == "define";
  i += define ? 6 : 5;  // "define" / "undef"
  skip_blanks();
  std::size_t b = i;
  while (i < d.size() && ident_char(static_cast<unsigned char>(d[i]))) ++i;
  if (i == b) return;
  std::string name(d.substr(b, i - b));
  item_macros_.erase(name);
  if (define && i < d.size() && d[i] == '(' && (d.back() == '}' || d.back() == ';')) item_macros_.insert(name);
}

// The open unit is `NAME(args)`, a use of an item macro: confirmed as the
// statement `NAME(args);` (for its kind and names) and closed here.
void CppChunker::macro_item() {
  if (!have_pending_ || waiting_) return;
  std::string probe(pending_.data(), sig_len_);
  probe += ';';
  ++confirms_;
  CppVerdict v = confirm_cpp(probe, begins_line_);
  if (v.status != CppVerdict::Status::Complete || v.wants_else || v.wants_catch) return;
  // The next token decides: the use may end with a ';' of its own (a macro
  // whose replacement ends in '}' but is a declaration: `DEF(a);`).
  waiting_ = wait_semicolon_ = true;
  wait_else_ = wait_catch_ = false;
  unit_len_ = sig_len_;
  wait_verdict_ = std::move(v);
}

void CppChunker::candidate() {
  if (!have_pending_ || waiting_) return;
  std::string_view text(pending_.data(), sig_len_);
  ++confirms_;
  CppVerdict v = confirm_cpp(text, begins_line_);
  switch (v.status) {
    case CppVerdict::Status::Incomplete:
      return;
    case CppVerdict::Status::Error:
      fail(verdict_pos(v), v.message);
      return;
    case CppVerdict::Status::Complete:
      if (v.wants_else || v.wants_catch) {
        waiting_ = true;
        wait_else_ = v.wants_else;
        wait_catch_ = v.wants_catch;
        unit_len_ = sig_len_;
        wait_verdict_ = std::move(v);
        return;
      }
      emit(sig_len_, std::move(v));
      pending_.clear();
      have_pending_ = false;
      sig_len_ = 0;
      return;
  }
}

// The waiting unit is closed; the next unit starts at `next_token`.
void CppChunker::close_waiting(const Pos &next_token, bool line_start) {
  waiting_ = false;
  wait_semicolon_ = false;
  deciding_ = false;
  emit(unit_len_, std::move(wait_verdict_));
  wait_verdict_ = CppVerdict();
  const std::size_t cut = static_cast<std::size_t>(next_token.offset - pend_begin_.offset);
  pending_.erase(0, cut);
  pend_begin_ = next_token;
  begins_line_ = line_start;
  sig_len_ = pending_.size();
  have_pending_ = !pending_.empty();
}

void CppChunker::emit(std::size_t len, CppVerdict &&v) {
  macro_call_ = 0;
  ChunkUnit u;
  u.code.assign(pending_, 0, len);
  u.begin = pend_begin_;
  u.end = pend_begin_.offset + len;
  u.kind = v.kind;
  u.defines = std::move(v.defines);
  u.uses = std::move(v.uses);
  sink_.on_unit(std::move(u));
}

// A confirm verdict's position (relative to the open unit) in program text.
Pos CppChunker::verdict_pos(const CppVerdict &v) const {
  Pos at;
  at.offset = pend_begin_.offset + v.offset;
  at.line = pend_begin_.line + v.line - 1;
  at.col = v.line == 1 ? pend_begin_.col + v.col : v.col;
  return at;
}

void CppChunker::fail(const Pos &at, std::string message) {
  failed_ = true;
  ChunkError e;
  e.at = at;
  e.message = std::move(message);
  e.code = pending_.substr(0, sig_len_);
  e.unit_begin = pend_begin_;
  sink_.on_error(std::move(e));
  pending_.clear();
  pending_.shrink_to_fit();
  have_pending_ = false;
}

void CppChunker::finish() {
  if (failed_ || finished_) return;
  finished_ = true;
  if (slash_pending_) {
    slash_pending_ = false;
    slash_is_token();
    if (failed_) return;
  }
  if (quote_pending_) {
    quote_pending_ = false;
    in_number_ = false;
    mode_ = Mode::Char;
  }
  if (in_ident_) {
    ident_end();
    if (failed_) return;
  }
  in_number_ = false;
  if (waiting_) close_waiting(here(), true);
  if (in_directive_) {
    in_directive_ = false;
    if (dir_name_ == "if" || dir_name_ == "ifdef" || dir_name_ == "ifndef") ++pp_depth_;
    else if (dir_name_ == "endif" && pp_depth_ > 0) --pp_depth_;
  }
  if (!have_pending_ || sig_len_ == 0) return;
  std::string_view text(pending_.data(), sig_len_);
  ++confirms_;
  CppVerdict v = confirm_cpp(text, begins_line_);
  if (v.status == CppVerdict::Status::Complete) {
    emit(sig_len_, std::move(v));
    pending_.clear();
    have_pending_ = false;
    return;
  }
  if (v.status == CppVerdict::Status::Error) {
    fail(verdict_pos(v), v.message);
    return;
  }
  fail(here(), v.message.empty() ? "unexpected end of input" : "unexpected end of input: " + v.message);
}

}  // namespace sx
