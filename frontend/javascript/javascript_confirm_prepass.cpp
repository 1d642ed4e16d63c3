// JavaScript confirm, the token pre-pass: over all tokens of the unit before
// the parse — line-terminator flags for ASI, `in` flags for for-heads,
// retyping of tokens whose role plain ANTLR prediction could only find with
// unbounded lookahead (arrow heads, contextual keywords, continuation tokens;
// see the `tokens` section of JavaScriptLexer.g4), token-level checks
// (escapes, numbers, regular expressions) and the nesting depth.
#include "frontend/javascript/javascript_confirm_internal.h"

#include <string>
#include <vector>

namespace sx::jsconfirm {

// Deeper nesting is refused (the recursive-descent parser would need more
// than a few MB of stack).
constexpr std::size_t kMaxNesting = 2000;

bool is_open(std::size_t t) {
  return t == L::OpenParen || t == L::OpenBracket || t == L::OpenBrace || t == L::ObjLBrace ||
         t == L::TemplateSubstStart;
}
bool is_close(std::size_t t) {
  return t == L::CloseParen || t == L::CloseBracket || t == L::CloseBrace || t == L::TemplateSubstEnd;
}
bool matches(std::size_t open, std::size_t close) {
  return (open == L::OpenParen && close == L::CloseParen) || (open == L::OpenBracket && close == L::CloseBracket) ||
         ((open == L::OpenBrace || open == L::ObjLBrace) && close == L::CloseBrace) ||
         (open == L::TemplateSubstStart && close == L::TemplateSubstEnd);
}

bool identifier_like(std::size_t type) {
  return type == L::Identifier || (type >= L::Let && type <= L::Public);
}

PrePass pre_pass(const std::vector<Token *> &all, const std::u32string &cps) {
  using Base = sxg::JavaScriptParserBase;
  PrePass pp;
  pp.flags.assign(all.size(), 0);
  std::vector<std::size_t> sig;  // default-channel token indices, EOF included
  bool nl = false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    Token *t = all[i];
    std::size_t type = t->getType();
    if (t->getChannel() != Token::DEFAULT_CHANNEL) {
      if (type == L::LineTerminator) nl = true;
      if (type == L::MultiLineComment) {
        for (std::size_t k = t->getStartIndex(); k <= t->getStopIndex() && k < cps.size(); ++k) {
          char32_t c = cps[k];
          if (c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029) nl = true;
        }
      }
      continue;
    }
    if (nl) pp.flags[i] |= Base::kNewlineBefore;
    nl = false;
    sig.push_back(i);
    if (type == Token::EOF) continue;
    switch (type) {
      case L::UnexpectedCharacter: {
        std::string txt = t->getText();
        note(pp.lexical, t->getStartIndex(), "invalid or unexpected token '" + txt + "'", false, i);
        break;
      }
      case L::UnterminatedString:
        if (t->getStopIndex() + 1 >= cps.size())
          pp.unterminated_token = std::min(pp.unterminated_token, i);
        else
          note(pp.lexical, t->getStartIndex(), "unterminated string literal", false, i);
        break;
      case L::UnterminatedComment:
      case L::UnterminatedRegex:
      case L::TemplateBackslash:
        pp.unterminated_token = std::min(pp.unterminated_token, i);
        break;
      case L::NumericLiteral:
      case L::BigIntLiteral: {
        if (i + 1 < all.size()) {
          Token *nx = all[i + 1];
          if (nx->getStartIndex() == t->getStopIndex() + 1 && is_word_token(nx->getType()))
            note(pp.lexical, nx->getStartIndex(), "identifier starts immediately after numeric literal", false, i + 1);
        }
        break;
      }
      case L::StringLiteral: {
        std::string s = t->getText();
        std::size_t bad = bad_escape(s, false);
        if (bad != std::string::npos) note(pp.lexical, t->getStartIndex(), "invalid escape sequence", false, i);
        break;
      }
      case L::Identifier:
      case L::PrivateName: {
        std::string s = t->getText();
        if (s.find('\\') != std::string::npos) {
          std::string out;
          std::string body = type == L::PrivateName ? s.substr(1) : s;
          if (!decode_identifier(body, out)) note(pp.lexical, t->getStartIndex(), "invalid Unicode escape sequence", false, i);
        }
        break;
      }
      case L::RegularExpressionLiteral: {
        std::u32string txt(cps.begin() + static_cast<long>(t->getStartIndex()),
                           cps.begin() + static_cast<long>(t->getStopIndex()) + 1);
        std::string e = check_regex_literal(txt);
        if (!e.empty()) note(pp.lexical, t->getStartIndex(), e, false, i);
        break;
      }
      default:
        break;
    }
  }

  // Arrow heads: `(` … `)` `=>` and `async` before them; control heads.
  std::vector<std::size_t> stack;  // positions in sig
  std::vector<std::uint8_t> ctl_close(sig.size(), 0);  // `)` closing if/while/for/with (
  auto nl_before = [&](std::size_t k) { return (pp.flags[sig[k]] & Base::kNewlineBefore) != 0; };
  auto type_at = [&](std::size_t k) -> std::size_t { return all[sig[k]]->getType(); };
  auto retype = [&](std::size_t k, std::size_t type) {
    if (auto *w = dynamic_cast<antlr4::WritableToken *>(all[sig[k]])) w->setType(type);
  };
  std::vector<std::uint8_t> open_ctl;  // parallel to stack
  // Innermost bracket of each token: class body, object literal or other.
  constexpr std::uint8_t kOther = 0, kClassBody = 1, kObject = 2;
  std::vector<std::uint8_t> inner(sig.size(), kOther);
  std::vector<std::uint8_t> open_kind;      // parallel to stack
  std::vector<std::size_t> class_pending;   // depths where a class body `{` is expected
  for (std::size_t k = 0; k < sig.size(); ++k) {
    std::size_t type = type_at(k);
    inner[k] = open_kind.empty() ? kOther : open_kind.back();
    if (type == L::Class || type == L::ClassExprKw) class_pending.push_back(stack.size());
    if (is_open(type)) {
      if (stack.size() >= kMaxNesting && !pp.too_deep.set)
        note(pp.too_deep, all[sig[k]]->getStartIndex(), "brackets nested too deeply", false, sig[k]);
      std::uint8_t kind = type == L::ObjLBrace ? kObject : kOther;
      if (type == L::OpenBrace && !class_pending.empty() && class_pending.back() == stack.size()) {
        kind = kClassBody;
        class_pending.pop_back();
      }
      open_kind.push_back(kind);
      bool ctl = false;
      if (type == L::OpenParen && k > 0) {
        std::size_t p = type_at(k - 1);
        ctl = p == L::If || p == L::While || p == L::For || p == L::With ||
              (p == L::Await && k > 1 && type_at(k - 2) == L::For);
      }
      stack.push_back(k);
      open_ctl.push_back(ctl ? 1 : 0);
      continue;
    }
    if (is_close(type)) {
      if (!stack.empty() && matches(type_at(stack.back()), type)) {
        std::size_t open = stack.back();
        bool ctl = open_ctl.back() != 0;
        stack.pop_back();
        open_ctl.pop_back();
        open_kind.pop_back();
        while (!class_pending.empty() && class_pending.back() > stack.size()) class_pending.pop_back();
        if (ctl) ctl_close[k] = 1;
        if (type == L::CloseParen && k + 1 < sig.size() && type_at(k + 1) == L::ARROW && !nl_before(k + 1)) {
          retype(open, L::ArrowLParen);
          if (open > 0 && type_at(open - 1) == L::Async && !nl_before(open)) retype(open - 1, L::AsyncArrow);
        }
      }
      continue;
    }
    // `async x =>`; also `async x` at the end of the text (only an arrow can follow)
    if (identifier_like(type) && k > 0 && type_at(k - 1) == L::Async && !nl_before(k) && k + 1 < sig.size()) {
      bool arrow = type_at(k + 1) == L::ARROW && !nl_before(k + 1);
      // at the end of the text, unless it is an `async` method being written
      bool member = inner[k - 1] == kClassBody ||
                    (inner[k - 1] == kObject && k > 1 && (type_at(k - 2) == L::ObjLBrace || type_at(k - 2) == L::Comma));
      if (arrow || (type_at(k + 1) == Token::EOF && !member)) retype(k - 1, L::AsyncArrow);
    }
  }

  // Contextual keywords (see the `tokens` section of JavaScriptLexer.g4).
  auto after_dot = [&](std::size_t k) {
    return k > 0 && (type_at(k - 1) == L::Dot || type_at(k - 1) == L::QuestionDot);
  };
  auto next_same_line = [&](std::size_t k) -> std::size_t {
    return k + 1 < sig.size() && !nl_before(k + 1) ? type_at(k + 1) : Token::INVALID_TYPE;
  };
  auto name_start = [&](std::size_t t) {
    if (t == L::In || t == L::Instanceof || t == L::Of) return false;
    return is_word_token(t) || t == L::StringLiteral || t == L::OpenBracket || t == L::PrivateName ||
           t == L::FunctionExprKw || t == L::ClassExprKw;
  };
  // Tokens after which `await` / `yield` cannot be an identifier (on the same line).
  auto operand_only = [&](std::size_t t) {
    if (t == L::In || t == L::Instanceof || t == L::Of || t == L::As || t == L::From) return false;
    if (is_word_token(t)) return true;
    switch (t) {
      case L::StringLiteral: case L::RegularExpressionLiteral: case L::ArrowLParen: case L::AsyncArrow:
      case L::ObjLBrace: case L::Not: case L::BitNot: case L::PrivateName: case L::FunctionExprKw:
      case L::ClassExprKw:
        return true;
      default:
        return false;
    }
  };
  auto ends_expression = [&](std::size_t k, bool update_ends) {
    std::size_t t = type_at(k);
    if (after_dot(k) && is_word_token(t)) return true;
    if (update_ends && (t == L::PlusPlus || t == L::MinusMinus || t == L::ContPlusPlus || t == L::ContMinusMinus))
      return true;
    switch (t) {
      case L::Identifier: case L::NumericLiteral: case L::BigIntLiteral: case L::StringLiteral:
      case L::RegularExpressionLiteral: case L::BackTickEnd: case L::NullLiteral: case L::TrueLiteral:
      case L::FalseLiteral: case L::This: case L::Super: case L::CloseBracket: case L::PrivateName:
      case L::Let: case L::Static: case L::Async: case L::Get: case L::Set: case L::From: case L::As:
      case L::Implements: case L::Interface: case L::Package: case L::Private: case L::Protected: case L::Public:
        return true;
      case L::CloseParen:
        return ctl_close[k] == 0;
      default:
        return false;
    }
  };
  // Where a declaration may start.
  auto statement_start = [&](std::size_t k) {
    if (k == 0) return true;
    if (nl_before(k) && ends_expression(k - 1, true)) return true;  // after ASI
    // `return`, `break`, `continue`, `yield` and `debugger` before a line
    // break are whole statements (restricted productions: ASI after them).
    if (nl_before(k)) {
      std::size_t p = type_at(k - 1);
      if (p == L::Return || p == L::Break || p == L::Continue || p == L::Yield || p == L::Debugger) return true;
    }
    std::size_t p = type_at(k - 1);
    switch (p) {
      case L::SemiColon: case L::OpenBrace: case L::CloseBrace: case L::Colon: case L::Else: case L::Do:
      case L::Export:
        return true;
      case L::CloseParen:
        return ctl_close[k - 1] != 0;
      case L::OpenParen:  // for (let …
        return k > 1 && (type_at(k - 2) == L::For || (type_at(k - 2) == L::Await && k > 2 && type_at(k - 3) == L::For));
      default:
        return false;
    }
  };
  // Where a class member / object property may start (for get/set/static/async).
  auto member_start = [&](std::size_t k) {
    if (k == 0 || inner[k] == kOther) return false;
    std::size_t p = type_at(k - 1);
    if (inner[k] == kObject) return p == L::ObjLBrace || p == L::Comma;
    return p == L::OpenBrace || p == L::SemiColon || p == L::CloseBrace || p == L::StaticMod || nl_before(k);
  };
  for (std::size_t k = 0; k < sig.size(); ++k) {
    std::size_t type = type_at(k);
    if (after_dot(k)) continue;
    std::size_t next = next_same_line(k);
    if ((type == L::Get || type == L::Set || type == L::Static || type == L::Async) && !member_start(k) &&
        !(type == L::Async && (next == L::Function_ || next == L::FunctionExprKw)))
      continue;
    switch (type) {
      case L::Let: {
        std::size_t n = k + 1 < sig.size() ? type_at(k + 1) : Token::INVALID_TYPE;
        if (((identifier_like(n) || n == L::OpenBracket || n == L::OpenBrace || n == L::ObjLBrace) && statement_start(k)) ||
            (k > 0 && type_at(k - 1) == L::Export))
          retype(k, L::LetDecl);
        break;
      }
      case L::Async:
        if (next == L::Function_ || next == L::FunctionExprKw)
          retype(k, L::AsyncFn);
        else if (name_start(next) || next == L::Multiply)
          retype(k, L::AsyncMod);
        break;
      case L::Get:
        if (name_start(next)) retype(k, L::GetMod);
        break;
      case L::Set:
        if (name_start(next)) retype(k, L::SetMod);
        break;
      case L::Static:
        if (name_start(next) || next == L::Multiply) retype(k, L::StaticMod);
        break;
      case L::Await:
        if (operand_only(next)) retype(k, L::AwaitKw);
        break;
      case L::Yield:
        if (operand_only(next)) retype(k, L::YieldKw);
        break;
      case L::Return:
        if (next != Token::INVALID_TYPE && next != L::SemiColon && next != L::CloseBrace && next != Token::EOF)
          retype(k, L::ReturnArg);
        break;
      default:
        break;
    }
  }

  // `(` `[` `` ` `` `+` `-` `++` `--` on the same line right after a token that
  // ends an expression can only continue that expression.
  for (std::size_t k = 1; k < sig.size(); ++k) {
    std::size_t type = type_at(k);
    std::size_t cont = 0;
    switch (type) {
      case L::OpenParen: cont = L::ContParen; break;
      case L::OpenBracket: cont = L::ContBracket; break;
      case L::BackTick: cont = L::ContBackTick; break;
      case L::Plus: cont = L::ContPlus; break;
      case L::Minus: cont = L::ContMinus; break;
      case L::PlusPlus: cont = L::ContPlusPlus; break;
      case L::MinusMinus: cont = L::ContMinusMinus; break;
      default: break;
    }
    if (cont != 0 && !nl_before(k) && ends_expression(k - 1, false)) retype(k, cont);
  }

  // `in` in the head of a for statement (before the first `;` at depth 0).
  for (std::size_t k = 0; k < sig.size(); ++k) {
    if (type_at(k) != L::For) continue;
    std::size_t j = k + 1;
    if (j < sig.size() && type_at(j) == L::Await) ++j;
    if (j >= sig.size() || type_at(j) != L::OpenParen) continue;
    int depth = 0;
    for (++j; j < sig.size(); ++j) {
      std::size_t type = type_at(j);
      if (is_open(type) || type == L::ArrowLParen || type == L::ContParen || type == L::ContBracket ||
          type == L::ObjLBrace) {
        ++depth;
      } else if (is_close(type)) {
        if (--depth < 0) break;
      } else if (depth == 0 && type == L::SemiColon) {
        break;
      } else if (depth == 0 && type == L::In) {
        pp.flags[sig[j]] |= Base::kNoIn;
      }
    }
  }
  return pp;
}


}  // namespace sx::jsconfirm
