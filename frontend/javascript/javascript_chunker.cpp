#include "frontend/javascript/javascript_chunker.h"

#include <utility>

#include "JavaScriptLexerBase.h"

namespace sx {
namespace {

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_id_ascii(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '$' || c == '_';
}

bool is_js_space(char32_t cp) {
  return cp == 0xA0 || cp == 0xFEFF || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// Punctuators the scanner assembles character by character (single-character
// brackets, `;`, `,`, `~`, `:` are handled directly). "<!--" and "-->" are
// HTML-like comments.
constexpr std::string_view kPuncts[] = {
    ".",   "...", "?.",  "??",  "?\?=", "?",   "<",   "<=",   "<<",  "<<=", ">",  ">=",  ">>",  ">>=",
    ">>>", ">>>=", "=",  "==",  "===", "=>",  "!",   "!=",   "!==", "+",   "++", "+=",  "-",   "--",
    "-=",  "*",   "**",  "*=",  "**=", "%",   "%=",  "&",    "&&",  "&&=", "&=", "|",   "||",  "||=",
    "|=",  "^",   "^=",  "/",   "/=",  "<!--", "-->"};

bool is_punct(std::string_view s) {
  for (auto p : kPuncts)
    if (p == s) return true;
  return false;
}

bool is_punct_prefix(std::string_view s) {
  for (auto p : kPuncts)
    if (p.size() >= s.size() && p.substr(0, s.size()) == s) return true;
  return false;
}

// A token that continues an expression statement ended (so far) by ASI.
bool continues_expression(std::string_view p) {
  if (p == "++" || p == "--" || p == "!" || p == "~" || p == "{" || p == "}" || p == ")" || p == "]" ||
      p == "...")
    return false;
  return true;  // ( [ . ?. , ; : ? ?? binary and assignment operators, =>
}

// A token that can never start a statement: after a newline candidate it
// settles the decision without confirming (continue reading).
bool pure_continuation(std::string_view p) {
  return p == "." || p == "?." || p == "," || p == "=" || p == "*" || p == "/" || p == "%" || p == "**" ||
         p == "==" || p == "===" || p == "!=" || p == "!==" || p == "<" || p == ">" || p == "<=" ||
         p == ">=" || p == "<<" || p == ">>" || p == ">>>" || p == "&" || p == "|" || p == "^" ||
         p == "&&" || p == "||" || p == "??" || p == "?" || p == ":" || p == "=>" || p == "+=" ||
         p == "-=" || p == "*=" || p == "/=" || p == "%=" || p == "**=" || p == "<<=" || p == ">>=" ||
         p == ">>>=" || p == "&=" || p == "|=" || p == "^=" || p == "&&=" || p == "||=" || p == "?\?=";
}

bool identifier_start_word(std::string_view w) {
  return !w.empty() && w[0] != '#' && !is_digit(static_cast<unsigned char>(w[0])) &&
         jsscan::classify_word(w) == jsscan::WordKind::Name;
}

}  // namespace

JavaScriptChunker::JavaScriptChunker(ChunkSink &sink, JsConfirmOptions::Goal goal)
    : sink_(sink), goal_(goal), tracker_(std::make_unique<jsscan::SlashTracker>()) {}

JavaScriptChunker::~JavaScriptChunker() = default;

Pos JavaScriptChunker::pos_of(std::uint64_t off) const {
  Pos p;
  p.offset = off;
  p.line = line_;
  p.col = static_cast<std::uint32_t>(off - line_start_);
  return p;
}

void JavaScriptChunker::feed(std::string_view bytes) {
  for (char ch : bytes) {
    if (failed_) return;
    const unsigned char c = static_cast<unsigned char>(ch);
    immediate_ = false;
    step(c, off_);
    if (open_) pending_.push_back(static_cast<char>(c));
    recent_.push_back(static_cast<char>(c));
    if (recent_.size() > 16) recent_.erase(0, recent_.size() - 8);
    // position bookkeeping
    if (c == '\n') {
      if (!prev_cr_) ++line_;
      line_start_ = off_ + 1;
      prev_cr_ = false;
    } else if (c == '\r') {
      ++line_;
      line_start_ = off_ + 1;
      prev_cr_ = true;
    } else {
      prev_cr_ = false;
    }
    ++off_;
    if (immediate_ && !failed_) candidate_now();
  }
}

// ------------------------------------------------------------------ scanner

void JavaScriptChunker::step(unsigned char c, std::uint64_t off) {
  if (utf8_need_ > 0) {
    if ((c & 0xC0) == 0x80) {
      utf8_buf_[utf8_have_++] = c;
      if (utf8_have_ < utf8_need_) return;
      char32_t cp = 0;
      unsigned char lead = utf8_buf_[0];
      cp = utf8_need_ == 2 ? (lead & 0x1F) : utf8_need_ == 3 ? (lead & 0x0F) : (lead & 0x07);
      for (int k = 1; k < utf8_need_; ++k) cp = (cp << 6) | (utf8_buf_[k] & 0x3F);
      utf8_need_ = 0;
      code_point(cp, utf8_start_);
      return;
    }
    // invalid sequence: treat what we have as one (identifier-ish) character
    utf8_need_ = 0;
    code_point(0xFFFD, utf8_start_);
  }
  switch (st_) {
    case St::Normal:
      normal(c, off);
      return;
    case St::Word:
      if (is_id_ascii(c)) {
        word_.push_back(static_cast<char>(c));
        return;
      }
      if (c == '\\') {
        word_.push_back('\\');
        st_ = St::WordEsc;
        return;
      }
      if (c >= 0x80) {
        start_utf8(c, off);
        return;
      }
      if (word_ == "#" && c == '!' && tok_start_off_ == 0) {
        // #! line at the very start: a comment
        if (open_ && !unit_has_token_ && unit_begin_.offset == 0) {
          open_ = false;
          pending_.clear();
        }
        word_.clear();
        st_ = St::LineComment;
        return;
      }
      end_word(off);
      st_ = St::Normal;
      normal(c, off);
      return;
    case St::WordEsc:
      word_.push_back(static_cast<char>(c));
      st_ = c == 'u' ? St::WordEscU : St::Word;
      return;
    case St::WordEscU:
      if (c == '{') {
        word_.push_back('{');
        st_ = St::WordEscBrace;
        return;
      }
      st_ = St::Word;
      step(c, off);
      return;
    case St::WordEscBrace:
      word_.push_back(static_cast<char>(c));
      if (c == '}' || !(is_id_ascii(c))) st_ = St::Word;
      return;
    case St::Number: {
      bool more = false;
      if (is_id_ascii(c)) {
        more = true;
        if (word_.size() == 1 && word_[0] == '0' && (c == 'x' || c == 'X' || c == 'o' || c == 'O' || c == 'b' || c == 'B'))
          num_radix_ = true;
        if (!num_radix_ && (c == 'e' || c == 'E')) num_seen_exp_ = true;
      } else if (c == '.' && !num_seen_dot_ && !num_seen_exp_ && !num_radix_) {
        more = true;
        num_seen_dot_ = true;
      } else if ((c == '+' || c == '-') && !num_radix_ && (num_prev_ == 'e' || num_prev_ == 'E')) {
        more = true;
      }
      if (more) {
        word_.push_back(static_cast<char>(c));
        num_prev_ = static_cast<char>(c);
        return;
      }
      end_number(off);
      st_ = St::Normal;
      normal(c, off);
      return;
    }
    case St::Punct: {
      if (punct_ == "." && is_digit(c)) {
        // `.5`: a number starting at the dot
        decide(Tok::Number, "");
        word_ = ".";
        word_.push_back(static_cast<char>(c));
        num_seen_dot_ = true;
        num_seen_exp_ = false;
        num_radix_ = false;
        num_prev_ = static_cast<char>(c);
        punct_.clear();
        st_ = St::Number;
        return;
      }
      std::string ext = punct_;
      ext.push_back(static_cast<char>(c));
      if (c < 0x80 && is_punct_prefix(ext) && !(punct_ == "?." && is_digit(c))) {
        punct_ = std::move(ext);
        if (html_comment(punct_)) end_punct(c);
        return;
      }
      end_punct(c);
      step(c, off);
      return;
    }
    case St::Slash:
      if (c == '/') {
        st_ = St::LineComment;
        return;
      }
      if (c == '*') {
        st_ = St::BlockComment;
        block_comment_star_ = false;
        return;
      }
      begin_token(slash_start_);
      if (tracker_->regex_allowed()) {
        decide(Tok::Regex, "");
        st_ = St::Regex;
      } else {
        punct_ = "/";
        punct_start_ = slash_start_;
        st_ = St::Punct;
      }
      step(c, off);
      return;
    case St::LineComment:
      if (c == '\n' || c == '\r') {
        st_ = St::Normal;
        normal(c, off);
        return;
      }
      if (c >= 0x80) {
        start_utf8(c, off);
      }
      return;
    case St::BlockComment:
      if (block_comment_star_ && c == '/') {
        st_ = St::Normal;
        return;
      }
      block_comment_star_ = c == '*';
      if (c == '\n' || c == '\r') newline_seen();
      // U+2028 / U+2029: E2 80 A8 / E2 80 A9
      if ((c == 0xA8 || c == 0xA9) && bc_prev2_ == 0xE2 && bc_prev1_ == 0x80) newline_seen();
      bc_prev2_ = bc_prev1_;
      bc_prev1_ = c;
      return;
    case St::String:
      if (esc_cr_) {
        esc_cr_ = false;
        if (c == '\n') return;
      }
      if (c == '\\') {
        st_ = St::StringEsc;
      } else if (c == static_cast<unsigned char>(quote_)) {
        tracker_->literal();
        st_ = St::Normal;
        end_token(off + 1, false);
      } else if (c == '\n' || c == '\r') {
        // unterminated string: the confirm reports it
        tracker_->literal();
        st_ = St::Normal;
        end_token(off, false);
        normal(c, off);
      }
      return;
    case St::StringEsc:
      st_ = St::String;
      if (c == '\r') esc_cr_ = true;
      return;
    case St::Template:
      if (c == '\\') {
        st_ = St::TemplateEsc;
      } else if (c == '`') {
        tracker_->literal();
        st_ = St::Normal;
        end_token(off + 1, false);
      } else if (c == '$') {
        st_ = St::TemplateDollar;
      }
      return;
    case St::TemplateDollar:
      if (c == '{') {
        tracker_->subst_open();
        st_ = St::Normal;
        return;
      }
      st_ = St::Template;
      step(c, off);
      return;
    case St::TemplateEsc:
      st_ = St::Template;
      return;
    case St::Regex:
    case St::RegexEsc:
    case St::RegexClass:
    case St::RegexClassEsc:
      if (c == '\n' || c == '\r') {
        // unterminated regular expression: the confirm reports it
        tracker_->literal();
        st_ = St::Normal;
        end_token(off, false);
        normal(c, off);
        return;
      }
      if (st_ == St::RegexEsc) {
        st_ = St::Regex;
      } else if (st_ == St::RegexClassEsc) {
        st_ = St::RegexClass;
      } else if (c == '\\') {
        st_ = st_ == St::Regex ? St::RegexEsc : St::RegexClassEsc;
      } else if (st_ == St::RegexClass) {
        if (c == ']') st_ = St::Regex;
      } else if (c == '[') {
        st_ = St::RegexClass;
      } else if (c == '/') {
        st_ = St::RegexFlags;
      }
      return;
    case St::RegexFlags:
      if (is_id_ascii(c) || c == '\\') return;
      tracker_->literal();
      st_ = St::Normal;
      end_token(off, false);
      normal(c, off);
      return;
  }
}

// First byte of a multi-byte UTF-8 sequence: collect the rest before deciding.
void JavaScriptChunker::start_utf8(unsigned char c, std::uint64_t off) {
  utf8_start_ = off;
  utf8_buf_[0] = c;
  utf8_have_ = 1;
  utf8_need_ = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
}

void JavaScriptChunker::normal(unsigned char c, std::uint64_t off) {
  switch (c) {
    case ' ':
    case '\t':
    case '\v':
    case '\f':
      return;
    case '\n':
      if (!prev_cr_) newline_seen();
      return;
    case '\r':
      newline_seen();
      return;
    case '"':
    case '\'':
      begin_token(off);
      decide(Tok::String, "");
      quote_ = static_cast<char>(c);
      esc_cr_ = false;
      st_ = St::String;
      return;
    case '`':
      begin_token(off);
      decide(Tok::Template, "");
      st_ = St::Template;
      return;
    case '/':
      slash_start_ = off;
      st_ = St::Slash;
      return;
    case '}':
      if (tracker_->brace_closes_subst()) {
        tracker_->subst_close();
        st_ = St::Template;
        return;
      }
      [[fallthrough]];
    case '{':
    case '(':
    case ')':
    case '[':
    case ']':
    case ';':
    case ',':
    case '~':
    case ':': {
      begin_token(off);
      char p[2] = {static_cast<char>(c), 0};
      emit_punct(std::string_view(p, 1), off);
      return;
    }
    default:
      break;
  }
  if (c >= 0x80) {
    start_utf8(c, off);
    return;
  }
  if (is_digit(c)) {
    begin_token(off);
    decide(Tok::Number, "");
    word_.assign(1, static_cast<char>(c));
    num_seen_dot_ = num_seen_exp_ = num_radix_ = false;
    num_prev_ = static_cast<char>(c);
    st_ = St::Number;
    return;
  }
  if (is_id_ascii(c) || c == '\\' || c == '#') {
    begin_token(off);
    tok_start_off_ = off;
    word_.assign(1, static_cast<char>(c));
    st_ = c == '\\' ? St::WordEsc : St::Word;
    return;
  }
  if (c > ' ' && c < 0x7F && is_punct_prefix(std::string(1, static_cast<char>(c)))) {
    begin_token(off);
    punct_.assign(1, static_cast<char>(c));
    punct_start_ = off;
    st_ = St::Punct;
    return;
  }
  if (c < ' ' || c == 0x7F) return;  // other control characters: let the confirm complain if inside code
  // any other ASCII character (@ etc.): a one-character token
  begin_token(off);
  char p[2] = {static_cast<char>(c), 0};
  emit_punct(std::string_view(p, 1), off);
}

void JavaScriptChunker::code_point(char32_t cp, std::uint64_t start) {
  const bool line_sep = cp == 0x2028 || cp == 0x2029;
  std::string bytes(reinterpret_cast<const char *>(utf8_buf_), static_cast<std::size_t>(utf8_have_));
  switch (st_) {
    case St::LineComment:
      if (line_sep) {
        st_ = St::Normal;
        newline_seen();
      }
      return;
    case St::Word:
      if (line_sep || is_js_space(cp)) {
        end_word(start);
        st_ = St::Normal;
        if (line_sep) newline_seen();
        return;
      }
      word_ += bytes;
      return;
    default:  // Normal
      if (line_sep) {
        newline_seen();
        return;
      }
      if (is_js_space(cp)) return;
      begin_token(start);
      tok_start_off_ = start;
      word_ = bytes;
      st_ = St::Word;
      return;
  }
}

void JavaScriptChunker::newline_seen() {
  tracker_->newline();
  token_on_line_ = false;
  if (tracker_->depth() == 0 && open_ && unit_has_token_ && !waiting_) {
    waiting_ = true;
    have_verdict_ = false;
  }
}

void JavaScriptChunker::end_word(std::uint64_t end) {
  std::string w = std::move(word_);
  word_.clear();
  if (!w.empty() && w[0] == '#') {
    decide(Tok::Private, w);
    tracker_->literal();
  } else {
    decide(Tok::Word, w);
    tracker_->word(w);
  }
  const bool first = !unit_has_token_;  // after decide(): the word may open a new unit
  end_token(end, false);
  if (first) unit_is_do_ = w == "do";
}

void JavaScriptChunker::end_number(std::uint64_t end) {
  word_.clear();
  tracker_->literal();
  end_token(end, false);
}

void JavaScriptChunker::emit_punct(std::string_view p, std::uint64_t start) {
  decide(Tok::Punct, p);
  tracker_->punct(p);
  const bool top = tracker_->depth() == 0;
  // `)` at depth 0 in a unit that starts with `do` may end `do … while (…)`:
  // ASI ends a do-while there even without a line break (ES2015+).
  const bool do_end = p == ")" && top && unit_is_do_;
  end_token(start + p.size(), ((p == ";" || p == "}") && top) || do_end);
  do_paren_ = do_end;
}

// Completes the punctuator in punct_ (the longest valid prefix) and
// re-scans what is left; `next` is the character that did not fit.
void JavaScriptChunker::end_punct(unsigned char next) {
  std::string p = std::move(punct_);
  punct_.clear();
  const std::uint64_t start = punct_start_;
  st_ = St::Normal;
  if (html_comment(p)) {
    // HTML-like comment (Annex B): the rest of the line.
    if (open_ && !unit_has_token_ && unit_begin_.offset == start) {
      open_ = false;
      pending_.clear();
    }
    st_ = St::LineComment;
    return;
  }
  std::size_t n = p.size();
  while (n > 0 && !(is_punct(std::string_view(p).substr(0, n)) && p.substr(0, n) != "<!--" && p.substr(0, n) != "-->"))
    --n;
  if (p.substr(0, n) == "?." && is_digit(next)) n = 1;
  if (n == 0) n = 1;
  emit_punct(std::string_view(p).substr(0, n), start);
  for (std::size_t i = n; i < p.size() && !failed_; ++i) step(static_cast<unsigned char>(p[i]), start + i);
}

// ------------------------------------------------------------- decisions

void JavaScriptChunker::begin_token(std::uint64_t off) {
  if (!open_) {
    open_ = true;
    // Bytes of this token seen before the current one (`/`, re-scanned
    // punctuator characters, a multi-byte character) are in recent_.
    std::size_t back = static_cast<std::size_t>(off_ - off);
    pending_ = back <= recent_.size() ? recent_.substr(recent_.size() - back) : std::string();
    unit_begin_ = pos_of(off);
    unit_has_token_ = false;
    last_tok_end_ = off;
  }
  tok_start_ = pos_of(off);
}

void JavaScriptChunker::decide(Tok kind, std::string_view text) {
  if (!waiting_ || failed_) return;
  waiting_ = false;
  if (!have_verdict_ && kind == Tok::Punct && pure_continuation(text)) return;
  if (!have_verdict_ && kind == Tok::Word && (text == "in" || text == "instanceof")) return;
  JsVerdict v;
  if (have_verdict_) {
    v = std::move(stash_);
    have_verdict_ = false;
    if (do_wait_) {  // a complete do-while: only its own `;` continues it
      do_wait_ = false;
      if (!(kind == Tok::Punct && text == ";")) close_unit(v, true);
      return;
    }
  } else {
    std::string_view code(pending_.data(), static_cast<std::size_t>(last_tok_end_ - unit_begin_.offset));
    v = run_confirm(code);
    if (v.error()) {
      report(v, code);
      return;
    }
    if (v.incomplete()) return;
  }
  bool cont = false;
  if (v.ended_by_asi) {
    switch (kind) {
      case Tok::Punct:
        cont = continues_expression(text);
        break;
      case Tok::Template:
        cont = true;
        break;
      case Tok::Word:
        cont = text == "in" || text == "instanceof";
        break;
      default:
        break;
    }
  }
  if (v.last_is_bare_let && ((kind == Tok::Word && identifier_start_word(text)) ||
                             (kind == Tok::Word && (text == "yield" || text == "await" || text == "let")) ||
                             (kind == Tok::Punct && (text == "[" || text == "{"))))
    cont = true;
  if (v.last_is_export_list && kind == Tok::Word && text == "from") cont = true;
  if (v.is_if_without_else && kind == Tok::Word && text == "else") cont = true;
  if (v.is_try && kind == Tok::Word && text == "finally") cont = true;
  if (cont) return;
  close_unit(v, true);
}

void JavaScriptChunker::end_token(std::uint64_t end, bool semicolon_or_brace) {
  if (!unit_has_token_) unit_is_do_ = false;
  last_tok_end_ = end;
  unit_has_token_ = true;
  token_on_line_ = true;
  if (semicolon_or_brace) immediate_ = true;
}

void JavaScriptChunker::candidate_now() {
  const bool do_end = do_paren_;
  do_paren_ = false;
  if (!open_) return;
  std::string_view code(pending_.data(), static_cast<std::size_t>(last_tok_end_ - unit_begin_.offset));
  JsVerdict v = run_confirm(code);
  if (v.error()) {
    report(v, code);
    return;
  }
  if (v.incomplete()) {
    waiting_ = false;
    have_verdict_ = false;
    return;
  }
  if (do_end) {  // `do … while (…)` is complete: wait for the next token
    stash_ = std::move(v);
    have_verdict_ = true;
    waiting_ = true;
    do_wait_ = true;
    return;
  }
  if (!v.ended_by_asi && !v.is_if_without_else && !v.is_try) {
    close_unit(v, false);
    return;
  }
  stash_ = std::move(v);
  have_verdict_ = true;
  waiting_ = true;
}

// HTML-like comments (Annex B) exist only outside the Module goal.
bool JavaScriptChunker::html_comment(std::string_view p) const {
  return goal_ != JsConfirmOptions::Goal::Module && (p == "<!--" || (p == "-->" && !token_on_line_));
}

JsVerdict JavaScriptChunker::run_confirm(std::string_view text) {
  ++confirm_calls_;
  JsConfirmOptions o;
  o.goal = goal_;
  return confirm_javascript(text, o);
}

void JavaScriptChunker::close_unit(const JsVerdict &v, bool keep_next) {
  ChunkUnit u;
  u.code = pending_.substr(0, static_cast<std::size_t>(last_tok_end_ - unit_begin_.offset));
  u.begin = unit_begin_;
  u.end = last_tok_end_;
  u.kind = v.kind;
  u.defines = v.defines;
  u.uses = v.uses;
  if (keep_next) {
    pending_.erase(0, static_cast<std::size_t>(tok_start_.offset - unit_begin_.offset));
    unit_begin_ = tok_start_;
    last_tok_end_ = tok_start_.offset;
  } else {
    pending_.clear();
    open_ = false;
  }
  unit_has_token_ = false;
  waiting_ = false;
  have_verdict_ = false;
  do_wait_ = false;
  sink_.on_unit(std::move(u));
}

void JavaScriptChunker::report(const JsVerdict &v, std::string_view text) {
  ChunkError e;
  e.at.offset = unit_begin_.offset + v.offset;
  e.at.line = unit_begin_.line + v.line - 1;
  e.at.col = v.line == 1 ? unit_begin_.col + v.col : v.col;
  e.message = v.message;
  e.code = std::string(text);
  e.unit_begin = unit_begin_;
  failed_ = true;
  open_ = false;
  pending_.clear();
  sink_.on_error(std::move(e));
}

void JavaScriptChunker::finish() {
  if (failed_) return;
  // Complete the token in progress, as if a separator followed.
  for (int guard = 0; guard < 8 && !failed_; ++guard) {
    if (utf8_need_ > 0) {
      utf8_need_ = 0;
      code_point(0xFFFD, utf8_start_);
      continue;
    }
    switch (st_) {
      case St::Word:
      case St::WordEsc:
      case St::WordEscU:
      case St::WordEscBrace:
        end_word(off_);
        st_ = St::Normal;
        continue;
      case St::Number:
        end_number(off_);
        st_ = St::Normal;
        continue;
      case St::Punct:
        end_punct(' ');
        continue;
      case St::Slash:
        begin_token(slash_start_);
        punct_ = "/";
        punct_start_ = slash_start_;
        st_ = St::Punct;
        continue;
      case St::RegexFlags:
        tracker_->literal();
        st_ = St::Normal;
        end_token(off_, false);
        continue;
      case St::TemplateDollar:
        st_ = St::Template;
        continue;
      default:
        break;
    }
    break;
  }
  if (failed_) return;
  const bool inside = st_ != St::Normal && st_ != St::LineComment;
  if (!open_) {
    if (st_ == St::BlockComment) {
      ChunkError e;
      e.at = pos_of(off_);
      e.message = "unterminated comment";
      e.unit_begin = pos_of(off_);
      failed_ = true;
      sink_.on_error(std::move(e));
    }
    return;
  }
  if (waiting_ && have_verdict_ && !inside) {
    JsVerdict v = std::move(stash_);
    close_unit(v, false);
    return;
  }
  std::string_view code = inside ? std::string_view(pending_)
                                 : std::string_view(pending_.data(), static_cast<std::size_t>(last_tok_end_ - unit_begin_.offset));
  JsVerdict v = run_confirm(code);
  if (v.complete()) {
    close_unit(v, false);
    return;
  }
  if (v.incomplete()) {
    v.offset = off_ - unit_begin_.offset;
    Pos end = pos_of(off_);
    v.line = end.line - unit_begin_.line + 1;
    v.col = v.line == 1 ? end.col - unit_begin_.col : end.col;
    if (v.message.empty()) v.message = "unexpected end of input";
  }
  report(v, code);
}

}  // namespace sx
