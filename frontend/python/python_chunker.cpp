#include "frontend/python/python_chunker.h"

#include <utility>

namespace sx {

namespace {

bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_ident(unsigned char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

bool is_clause_keyword(const std::string &w) {
  return w == "elif" || w == "else" || w == "except" || w == "finally";
}

bool is_clause_keyword_prefix(std::string_view w) {
  for (std::string_view k : {"elif", "else", "except", "finally"})
    if (k.substr(0, w.size()) == w) return true;
  return false;
}

const char kBom[] = "\xEF\xBB\xBF";

}  // namespace

PythonChunker::PythonChunker(ChunkSink &sink) : sink_(sink) {}

// ------------------------------------------------------------------ input

void PythonChunker::feed(std::string_view bytes) {
  for (char ch : bytes) {
    if (failed_) return;
    auto c = static_cast<unsigned char>(ch);
    if (!bom_done_) {
      // A UTF-8 byte order mark at the very start is not part of the text.
      bom_.push_back(static_cast<char>(c));
      if (bom_ == std::string_view(kBom, bom_.size())) {
        if (bom_.size() == 3) {
          bom_done_ = true;
          bom_.clear();
          pos_.offset = 3;
          pos_.col = 3;
          pending_begin_ = line_start_pos_ = pos_;
        }
        continue;
      }
      bom_done_ = true;
      std::string replay = std::move(bom_);
      bom_.clear();
      for (char r : replay) {
        if (failed_) return;
        step(static_cast<unsigned char>(r));
      }
      continue;
    }
    step(c);
  }
}

void PythonChunker::finish() {
  if (failed_) return;
  if (!bom_done_) {
    bom_done_ = true;
    std::string replay = std::move(bom_);
    bom_.clear();
    for (char r : replay) {
      if (failed_) return;
      step(static_cast<unsigned char>(r));
    }
  }
  if (failed_) return;
  if (cr_wait_) {
    cr_wait_ = false;
    physical_line_end();
    if (failed_) return;
  }
  if (line_ == LineState::FirstIdent) {
    std::string word = pending_.substr(first_tok_);
    line_ = LineState::Body;
    first_token_complete(word);
    if (failed_) return;
  }
  if (!has_code_) return;

  ParseVerdict v = confirm(pending_.size());
  switch (v.status) {
    case ParseVerdict::Status::Complete:
      emit(v, line_ == LineState::Body ? pending_.size() : last_code_end_);
      return;
    case ParseVerdict::Status::Error:
      fail(map(v.at), v.message);
      return;
    case ParseVerdict::Status::Incomplete:
      break;
  }
  std::string at_line = std::to_string(pos_.line);
  if (mode_ == Mode::Str1 || mode_ == Mode::Quote1) {
    fail(string_start_, "unterminated string literal (detected at line " + at_line + ")");
  } else if (mode_ == Mode::Str3) {
    fail(string_start_, "unterminated triple-quoted string literal (detected at line " + at_line + ")");
  } else if (!brackets_.empty()) {
    fail(brackets_.back().at, std::string("'") + static_cast<char>(brackets_.back().ch) + "' was never closed");
  } else {
    fail(pos_, v.message);
  }
}

// ------------------------------------------------------------------ scanner

Pos PythonChunker::append(unsigned char c) {
  Pos at = pos_;
  pending_.push_back(static_cast<char>(c));
  ++pos_.offset;
  if (c == '\n') {
    if (!prev_cr_) ++pos_.line;
    pos_.col = 0;
  } else if (c == '\r') {
    ++pos_.line;
    pos_.col = 0;
  } else {
    ++pos_.col;
  }
  prev_cr_ = c == '\r';
  return at;
}

void PythonChunker::step(unsigned char c) {
  if (cr_wait_) {
    // The previous byte was a CR that ended a line: CR LF is one line break.
    cr_wait_ = false;
    if (c == '\n') {
      append(c);
      physical_line_end();
      return;
    }
    physical_line_end();
    if (failed_) return;
  }
  if (join_cr_) {
    join_cr_ = false;
    if (c == '\n') {
      append(c);
      return;
    }
  }
  Pos at = append(c);
  for (;;) {
    switch (mode_) {
      case Mode::Comment:
        if (c == '\r' || c == '\n') {
          mode_ = Mode::Code;
          code_newline(c);
        }
        return;
      case Mode::Str1:
        if (escape_cr_) {
          escape_cr_ = false;
          if (c == '\n') return;
        }
        if (escape_) {
          escape_ = false;
          if (c == '\r') escape_cr_ = true;
          return;
        }
        if (c == '\\') {
          escape_ = true;
        } else if (c == quote_) {
          mode_ = Mode::Code;
        } else if (c == '\r' || c == '\n') {
          // Unterminated: the line break ends it (ANTLR reports the error).
          mode_ = Mode::Code;
          code_newline(c);
        }
        return;
      case Mode::Str3:
        if (escape_) {
          escape_ = false;
          quote_run_ = 0;
        } else if (c == '\\') {
          escape_ = true;
          quote_run_ = 0;
        } else if (c == quote_) {
          if (++quote_run_ == 3) mode_ = Mode::Code;
        } else {
          quote_run_ = 0;
          if (c == '\n' || c == '\r') early_check();
        }
        return;
      case Mode::Quote1:
        if (c == quote_) {
          mode_ = Mode::Quote2;
          return;
        }
        mode_ = Mode::Str1;
        continue;  // c is the first byte of the string's contents
      case Mode::Quote2:
        if (c == quote_) {
          mode_ = Mode::Str3;
          quote_run_ = 0;
          return;
        }
        mode_ = Mode::Code;  // an empty string; c is code
        continue;
      case Mode::Code:
        code_byte(c, at);
        return;
    }
  }
}

void PythonChunker::code_byte(unsigned char c, Pos at) {
  if (line_ == LineState::FirstIdent) {
    if (is_ident(c)) {
      // Decided as soon as it cannot become a continuation keyword.
      std::string_view word(pending_.data() + first_tok_, pending_.size() - first_tok_);
      if (!is_clause_keyword_prefix(word)) {
        line_ = LineState::Body;
        first_token_complete(std::string(word));
      }
      return;
    }
    std::string word = pending_.substr(first_tok_, pending_.size() - 1 - first_tok_);
    line_ = LineState::Body;
    first_token_complete(word);
    if (failed_) return;
  }
  if (backslash_) {
    backslash_ = false;
    if (c == '\n') {  // explicit line joining
      early_check();
      return;
    }
    if (c == '\r') {
      join_cr_ = true;
      early_check();
      return;
    }
  }
  if (line_ == LineState::Start) {
    switch (c) {
      case ' ': ++indent_col_; return;
      case '\t': indent_col_ = (indent_col_ / 8 + 1) * 8; return;
      case '\f': indent_col_ = 0; return;
      case '#':
        line_ = LineState::CommentLine;
        mode_ = Mode::Comment;
        return;
      case '\r':
      case '\n':
        code_newline(c);
        return;
      default:
        break;
    }
    begin_line_code(c, at);
    std::string word(1, static_cast<char>(c));
    if (is_ident_start(c) && is_clause_keyword_prefix(word)) {
      line_ = LineState::FirstIdent;
      return;
    }
    line_ = LineState::Body;
    first_token_complete(is_ident_start(c) ? word : std::string());
    if (failed_) return;
  }
  switch (c) {
    case '#':
      mode_ = Mode::Comment;
      return;
    case '\'':
    case '"':
      quote_ = c;
      mode_ = Mode::Quote1;
      escape_ = escape_cr_ = false;
      string_start_ = at;
      return;
    case '\\':
      backslash_ = true;
      return;
    case '(':
    case '[':
    case '{':
      brackets_.push_back({c, at});
      return;
    case ')':
    case ']':
    case '}':
      if (!brackets_.empty()) brackets_.pop_back();
      return;
    case '\r':
    case '\n':
      code_newline(c);
      return;
    default:
      return;
  }
}

void PythonChunker::code_newline(unsigned char c) {
  if (c == '\r') {
    cr_wait_ = true;  // decided by the next byte (or finish)
    return;
  }
  physical_line_end();
}

void PythonChunker::physical_line_end() {
  if (line_ == LineState::Start || line_ == LineState::CommentLine) {
    blank_line_end();
    return;
  }
  if (!brackets_.empty()) {  // implicit line joining
    early_check();
    return;
  }
  logical_line_end();
}

void PythonChunker::new_line_state() {
  line_ = LineState::Start;
  indent_col_ = 0;
  line_start_ = pending_.size();
  line_start_pos_ = pos_;
  backslash_ = false;
}

void PythonChunker::blank_line_end() {
  if (!has_code_) {
    pending_.clear();
    pending_begin_ = pos_;
  }
  new_line_state();
}

void PythonChunker::logical_line_end() {
  last_code_end_ = pending_.size();
  last_code_decorator_ = line_decorator_;
  bool trigger = line_triggers_b_;
  new_line_state();
  if (trigger) decision_b();
  else early_check();
}

void PythonChunker::begin_line_code(unsigned char c, Pos at) {
  if (!has_code_ && line_start_ > 0) drop_front(line_start_, line_start_pos_);
  first_tok_ = pending_.size() - 1;
  first_tok_pos_ = at;
  line_col0_ = indent_col_ == 0;
  line_decorator_ = line_col0_ && c == '@';
  had_code_ = has_code_;
  line_triggers_b_ = line_col0_ || !has_code_;
}

void PythonChunker::first_token_complete(const std::string &word) {
  if (had_code_ && line_col0_) {
    decision_a(word);
    if (failed_) return;
  }
  has_code_ = true;
}

// ------------------------------------------------------------------ decisions

void PythonChunker::decision_a(const std::string &word) {
  if (is_clause_keyword(word)) return;  // continues the open statement
  if (last_code_decorator_) return;     // decorators attach to what follows
  ParseVerdict v = confirm(line_start_);
  switch (v.status) {
    case ParseVerdict::Status::Complete:
      emit(v, last_code_end_);
      if (failed_) return;
      drop_front(line_start_, line_start_pos_);
      return;
    case ParseVerdict::Status::Incomplete:
      // A column-0 line can never continue an unfinished block.
      fail(first_tok_pos_, v.message == "unexpected EOF while parsing" ? "invalid syntax" : v.message);
      return;
    case ParseVerdict::Status::Error:
      fail(map(v.at), v.message);
      return;
  }
}

void PythonChunker::decision_b() {
  if (unit_waits_for_clause()) {
    early_check();
    return;
  }
  ParseVerdict v = confirm(pending_.size());
  switch (v.status) {
    case ParseVerdict::Status::Complete:
      emit(v, pending_.size());
      if (failed_) return;
      drop_front(pending_.size(), pos_);
      return;
    case ParseVerdict::Status::Incomplete:
      return;
    case ParseVerdict::Status::Error:
      fail(map(v.at), v.message);
      return;
  }
}

void PythonChunker::early_check() {
  if (!has_code_ || failed_) return;
  if (pending_.size() < 2 * last_confirm_size_) return;
  ParseVerdict v = confirm(pending_.size(), false);
  if (v.status == ParseVerdict::Status::Error) fail(map(v.at), v.message);
}

bool PythonChunker::unit_waits_for_clause() const {
  std::size_t i = 0, n = pending_.size();
  auto skip_space = [&] {
    for (;;) {
      while (i < n && (pending_[i] == ' ' || pending_[i] == '\t' || pending_[i] == '\f')) ++i;
      if (i < n && pending_[i] == '\\' && i + 1 < n && (pending_[i + 1] == '\n' || pending_[i + 1] == '\r')) {
        i += 2;
        if (pending_[i - 1] == '\r' && i < n && pending_[i] == '\n') ++i;
        continue;
      }
      return;
    }
  };
  auto word = [&] {
    std::size_t b = i;
    while (i < n && is_ident(static_cast<unsigned char>(pending_[i]))) ++i;
    return std::string_view(pending_).substr(b, i - b);
  };
  skip_space();
  std::string_view w = word();
  if (w == "if" || w == "for" || w == "while" || w == "try") return true;
  if (w == "async") {
    skip_space();
    return word() == "for";
  }
  return false;
}

ParseVerdict PythonChunker::confirm(std::size_t len, bool analyze) {
  last_confirm_size_ = len;
  return confirm_python(std::string_view(pending_).substr(0, len), analyze);
}

// ------------------------------------------------------------------ output

Pos PythonChunker::map(Pos rel) const {
  Pos p;
  p.offset = pending_begin_.offset + rel.offset;
  p.line = pending_begin_.line + rel.line - 1;
  p.col = rel.line == 1 ? pending_begin_.col + rel.col : rel.col;
  return p;
}

void PythonChunker::emit(const ParseVerdict &v, std::size_t code_end) {
  // `from __future__` imports may only follow a docstring and other futures.
  if (v.has_future && (future_phase_ == 2 || (future_phase_ == 1 && v.leading_docstring))) {
    fail(map(v.future_at), "from __future__ imports must occur at the beginning of the file");
    return;
  }
  if (v.future_window) future_phase_ = (v.leading_docstring && future_phase_ != 0) ? 2 : 1;
  else future_phase_ = 2;

  ChunkUnit u;
  u.code = pending_.substr(0, code_end);
  u.begin = pending_begin_;
  u.end = pending_begin_.offset + code_end;
  u.kind = v.kind;
  u.defines = v.defines;
  u.uses = v.uses;
  has_code_ = false;
  sink_.on_unit(std::move(u));
}

void PythonChunker::drop_front(std::size_t n, Pos new_begin) {
  pending_.erase(0, n);
  pending_begin_ = new_begin;
  line_start_ = line_start_ > n ? line_start_ - n : 0;
  first_tok_ = first_tok_ > n ? first_tok_ - n : 0;
  last_code_end_ = last_code_end_ > n ? last_code_end_ - n : 0;
  last_confirm_size_ = 0;
}

void PythonChunker::fail(Pos at, const std::string &message) {
  failed_ = true;
  ChunkError e;
  e.at = at;
  e.message = message;
  e.code = pending_;
  e.unit_begin = pending_begin_;
  pending_.clear();
  pending_.shrink_to_fit();
  brackets_.clear();
  sink_.on_error(std::move(e));
}

}  // namespace sx
