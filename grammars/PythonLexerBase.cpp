#include "PythonLexerBase.h"

#include "PythonLexer.h"

namespace sxg {

using antlr4::CommonToken;
using antlr4::Token;

namespace {

bool is_open(std::size_t t) {
  return t == PythonLexer::LPAR || t == PythonLexer::LSQB || t == PythonLexer::LBRACE;
}
bool is_close(std::size_t t) {
  return t == PythonLexer::RPAR || t == PythonLexer::RSQB || t == PythonLexer::RBRACE;
}
char32_t opener_of(char32_t close) {
  return close == U')' ? U'(' : close == U']' ? U'[' : U'{';
}

// Column of a run of leading whitespace: tab stops of 8, form feed resets.
int advance_indent(int col, const std::string &ws) {
  for (char c : ws) {
    if (c == ' ') ++col;
    else if (c == '\t') col = (col / 8 + 1) * 8;
    else if (c == '\f') col = 0;
  }
  return col;
}

}  // namespace

PythonLexerBase::PythonLexerBase(antlr4::CharStream *input) : antlr4::Lexer(input) {}

void PythonLexerBase::reset() {
  queue_.clear();
  indents_.assign(1, 0);
  brackets_.clear();
  issues_.clear();
  line_indent_ = 0;
  at_line_start_ = true;
  indent_frozen_ = false;
  emitted_any_ = false;
  last_was_newline_ = true;
  last_was_join_ = false;
  eof_ = false;
  open_at_eof_ = false;
  antlr4::Lexer::reset();
}

std::size_t PythonLexerBase::input_size() { return _input->size(); }

std::unique_ptr<Token> PythonLexerBase::make(std::size_t type, std::size_t start,
                                             std::size_t stop, const std::string &text) {
  auto t = std::make_unique<CommonToken>(std::pair<antlr4::TokenSource *, antlr4::CharStream *>(this, _input),
                                         type, Token::DEFAULT_CHANNEL, start, stop);
  t->setText(text);
  t->setLine(getLine());
  t->setCharPositionInLine(getCharPositionInLine());
  return t;
}

void PythonLexerBase::enqueue(std::unique_ptr<Token> t) {
  std::size_t type = t->getType();
  if (type != Token::EOF) {
    emitted_any_ = true;
    last_was_newline_ = type == PythonLexer::NEWLINE;
  }
  queue_.push_back(std::move(t));
}

void PythonLexerBase::handle_eof() {
  eof_ = true;
  std::size_t n = input_size();
  if (last_was_join_) open_at_eof_ = true;
  if (emitted_any_ && !last_was_newline_) enqueue(make(PythonLexer::NEWLINE, n, n - 1, "<NEWLINE>"));
  while (indents_.size() > 1) {
    indents_.pop_back();
    enqueue(make(PythonLexer::DEDENT, n, n - 1, "<DEDENT>"));
  }
  enqueue(make(Token::EOF, n, n - 1, "<EOF>"));
}

std::unique_ptr<Token> PythonLexerBase::nextToken() {
  while (queue_.empty()) {
    if (eof_) {
      // Keep answering EOF, like antlr4::Lexer does.
      std::size_t n = input_size();
      return make(Token::EOF, n, n - 1, "<EOF>");
    }
    std::unique_ptr<Token> t = antlr4::Lexer::nextToken();
    std::size_t type = t->getType();

    if (type == Token::EOF) {
      handle_eof();
      break;
    }
    if (type == PythonLexer::LINE_JOIN) {
      last_was_join_ = true;
      if (at_line_start_) indent_frozen_ = true;
      continue;
    }
    if (type == PythonLexer::WS) {
      // WS never changes last_was_join_: "\\\n   <EOF>" is still open.
      if (at_line_start_ && !indent_frozen_) line_indent_ = advance_indent(line_indent_, t->getText());
      continue;
    }
    if (type == PythonLexer::COMMENT) {
      last_was_join_ = false;
      continue;
    }
    last_was_join_ = false;
    if (type == PythonLexer::NEWLINE) {
      if (!brackets_.empty()) continue;  // implicit line joining
      if (at_line_start_) {              // blank or comment-only line
        line_indent_ = 0;
        indent_frozen_ = false;
        continue;
      }
      at_line_start_ = true;
      indent_frozen_ = false;
      line_indent_ = 0;
      enqueue(std::move(t));
      break;
    }

    // A default-channel token. Input that ends inside a string or after a
    // continuation backslash is "open": the rest of the input is swallowed.
    std::size_t start = t->getStartIndex();
    if (type == PythonLexer::STRING) {
      // STRING "" / '' directly followed by the same quote: the lexer could
      // not match a triple-quoted string, which only happens when it is not
      // terminated before the end of the input.
      std::string text = t->getText();
      std::size_t len = text.size();
      if (len >= 2 && text[len - 1] == text[len - 2] &&
          (len == 2 || !(text[len - 3] == '\'' || text[len - 3] == '"' || text[len - 3] == '\\')) &&
          _input->LA(1) == static_cast<std::size_t>(static_cast<unsigned char>(text[len - 1]))) {
        open_at_eof_ = true;
      }
    } else if (type == PythonLexer::UNTERMINATED_STRING) {
      std::size_t la = _input->LA(1);
      if (la == static_cast<std::size_t>(antlr4::IntStream::EOF) ||
          (la == U'\\' && _input->LA(2) == static_cast<std::size_t>(antlr4::IntStream::EOF)))
        open_at_eof_ = true;
    } else if (type == PythonLexer::ERROR_CHAR && t->getText() == "\\" &&
               _input->LA(1) == static_cast<std::size_t>(antlr4::IntStream::EOF)) {
      open_at_eof_ = true;
      handle_eof();
      break;
    }

    if (at_line_start_) {
      at_line_start_ = false;
      int indent = line_indent_;
      if (indent > indents_.back()) {
        indents_.push_back(indent);
        if (indents_.size() > kMaxIndent) {  // indents_[0] is column 0, not a level
          issues_.push_back({start, "too many levels of indentation"});
          enqueue(make(PythonLexer::TOO_DEEP, start, start - 1, "<TOO_DEEP>"));
          break;
        }
        enqueue(make(PythonLexer::INDENT, start, start - 1, "<INDENT>"));
      } else if (indent < indents_.back()) {
        while (indent < indents_.back()) {
          indents_.pop_back();
          enqueue(make(PythonLexer::DEDENT, start, start - 1, "<DEDENT>"));
        }
        if (indent != indents_.back()) {
          // Keep the stack consistent with what CPython would report.
          enqueue(make(PythonLexer::BAD_DEDENT, start, start - 1, "<BAD_DEDENT>"));
        }
      }
    }

    if (is_open(type)) {
      if (brackets_.size() >= kMaxNesting) {
        issues_.push_back({start, "too many nested parentheses"});
        auto bad = make(PythonLexer::TOO_DEEP, start, t->getStopIndex(), t->getText());
        brackets_.push_back({static_cast<char32_t>(t->getText()[0]), start});
        enqueue(std::move(bad));
        break;
      }
      brackets_.push_back({static_cast<char32_t>(t->getText()[0]), start});
    } else if (is_close(type)) {
      char32_t c = static_cast<char32_t>(t->getText()[0]);
      if (brackets_.empty()) {
        issues_.push_back({start, std::string("unmatched '") + static_cast<char>(c) + "'"});
      } else {
        Open o = brackets_.back();
        brackets_.pop_back();
        if (o.ch != opener_of(c)) {
          std::string msg = std::string("closing parenthesis '") + static_cast<char>(c) +
                            "' does not match opening parenthesis '" + static_cast<char>(o.ch) + "'";
          issues_.push_back({start, msg, o.index});
        }
      }
    }

    bool open_string = open_at_eof_ && (type == PythonLexer::STRING || type == PythonLexer::UNTERMINATED_STRING);
    if (open_string) {
      // The open string runs to the end of the input; present it as a STRING
      // so that an error is only reported if a string cannot stand here.
      std::size_t n = input_size();
      auto s = make(PythonLexer::STRING, start, n - 1, t->getText());
      enqueue(std::move(s));
      handle_eof();
      break;
    }
    enqueue(std::move(t));
    break;
  }
  std::unique_ptr<Token> out = std::move(queue_.front());
  queue_.pop_front();
  return out;
}

}  // namespace sxg
