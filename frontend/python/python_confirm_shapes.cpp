// Python confirm, expression shapes: what kind of expression a subtree is
// (a name, a tuple, a call, …), as CPython's expression kinds, for the
// target checks of the analysis ("cannot assign to function call"). Assumes
// a tree the parser accepted.
#include "frontend/python/python_confirm_internal.h"

namespace sx::pyconfirm {

const char *shape_name(Shape s) {
  switch (s) {
    case Shape::Name: return "name";
    case Shape::Attribute: return "attribute";
    case Shape::Subscript: return "subscript";
    case Shape::Call: return "function call";
    case Shape::Tuple: return "tuple";
    case Shape::List: return "list";
    case Shape::Starred: return "starred";
    case Shape::Literal: return "literal";
    case Shape::True_: return "True";
    case Shape::False_: return "False";
    case Shape::None_: return "None";
    case Shape::Ellipsis: return "ellipsis";
    case Shape::Compare: return "comparison";
    case Shape::Operator: return "expression";
    case Shape::IfExp: return "conditional expression";
    case Shape::Lambda: return "lambda";
    case Shape::Await: return "await expression";
    case Shape::Yield: return "yield expression";
    case Shape::NamedExpr: return "named expression";
    case Shape::GenExp: return "generator expression";
    case Shape::ListComp: return "list comprehension";
    case Shape::SetComp: return "set comprehension";
    case Shape::DictComp: return "dict comprehension";
    case Shape::Dict: return "dict literal";
    case Shape::Set: return "set display";
    case Shape::FString: return "f-string expression";
    case Shape::Other: return "expression";
  }
  return "expression";
}

Node classify(ParseTree *t) {
  Node n;
  for (;;) {
    n.tree = t;
    auto *ctx = dynamic_cast<ParserRuleContext *>(t);
    if (!ctx) return n;
    switch (ctx->getRuleIndex()) {
      case P::RuleStar_expressions: {
        auto *c = static_cast<P::Star_expressionsContext *>(ctx);
        auto e = c->star_expression();
        if (e.size() == 1 && c->COMMA().empty()) { t = e[0]; continue; }
        n.shape = Shape::Tuple;
        n.elts.assign(e.begin(), e.end());
        return n;
      }
      case P::RuleTarget_list: {
        auto *c = static_cast<P::Target_listContext *>(ctx);
        auto e = c->target();
        if (e.size() == 1 && c->COMMA().empty()) { t = e[0]; continue; }
        n.shape = Shape::Tuple;
        n.elts.assign(e.begin(), e.end());
        return n;
      }
      case P::RuleStar_expression: {
        auto *c = static_cast<P::Star_expressionContext *>(ctx);
        if (c->STAR()) { n.shape = Shape::Starred; n.inner = c->bitwise_or(); return n; }
        t = c->expression();
        continue;
      }
      case P::RuleStar_named_expression: {
        auto *c = static_cast<P::Star_named_expressionContext *>(ctx);
        if (c->STAR()) { n.shape = Shape::Starred; n.inner = c->bitwise_or(); return n; }
        t = c->named_expression();
        continue;
      }
      case P::RuleTarget: {
        auto *c = static_cast<P::TargetContext *>(ctx);
        if (c->STAR()) { n.shape = Shape::Starred; n.inner = c->bitwise_or(); return n; }
        t = c->bitwise_or();
        continue;
      }
      case P::RuleNamed_expression: {
        auto *c = static_cast<P::Named_expressionContext *>(ctx);
        if (c->WALRUS()) { n.shape = Shape::NamedExpr; return n; }
        t = c->expression();
        continue;
      }
      case P::RuleAssign_rhs: {
        auto *c = static_cast<P::Assign_rhsContext *>(ctx);
        if (c->yield_expr()) { n.shape = Shape::Yield; return n; }
        t = c->star_expressions();
        continue;
      }
      case P::RuleYield_expr: n.shape = Shape::Yield; return n;
      case P::RuleExpression: {
        auto *c = static_cast<P::ExpressionContext *>(ctx);
        if (c->lambdef()) { n.shape = Shape::Lambda; return n; }
        if (c->IF()) { n.shape = Shape::IfExp; return n; }
        t = c->disjunction(0);
        continue;
      }
      case P::RuleInversion: {
        auto *c = static_cast<P::InversionContext *>(ctx);
        if (c->NOT()) { n.shape = Shape::Operator; return n; }
        t = c->comparison();
        continue;
      }
      case P::RuleComparison: {
        if (ctx->children.size() > 1) { n.shape = Shape::Compare; return n; }
        t = ctx->children[0];
        continue;
      }
      case P::RuleDisjunction:
      case P::RuleConjunction:
      case P::RuleBitwise_or:
      case P::RuleBitwise_xor:
      case P::RuleBitwise_and:
      case P::RuleShift_expr:
      case P::RuleSum:
      case P::RuleTerm:
      case P::RuleFactor:
      case P::RulePower:
        if (ctx->children.size() > 1) { n.shape = Shape::Operator; return n; }
        t = ctx->children[0];
        continue;
      case P::RuleAwait_primary: {
        auto *c = static_cast<P::Await_primaryContext *>(ctx);
        if (c->AWAIT()) { n.shape = Shape::Await; return n; }
        t = c->primary();
        continue;
      }
      case P::RulePrimary: {
        auto *c = static_cast<P::PrimaryContext *>(ctx);
        auto tr = c->trailer();
        if (tr.empty()) { t = c->atom(); continue; }
        auto *last = tr.back();
        n.shape = last->LPAR() ? Shape::Call : last->LSQB() ? Shape::Subscript : Shape::Attribute;
        return n;
      }
      case P::RuleAtom: {
        auto *c = static_cast<P::AtomContext *>(ctx);
        if (c->name()) { n.shape = Shape::Name; n.name = c->name()->getStart(); return n; }
        if (c->TRUE()) { n.shape = Shape::True_; return n; }
        if (c->FALSE()) { n.shape = Shape::False_; return n; }
        if (c->NONE()) { n.shape = Shape::None_; return n; }
        if (c->ELLIPSIS()) { n.shape = Shape::Ellipsis; return n; }
        if (c->NUMBER()) { n.shape = Shape::Literal; return n; }
        if (!c->STRING().empty()) {
          n.shape = Shape::Literal;
          for (auto *s : c->STRING())
            if (string_info(s->getText()).fstring) n.shape = Shape::FString;
          return n;
        }
        if (c->LPAR()) {
          if (c->yield_expr()) { n.shape = Shape::Yield; return n; }
          auto *tc = c->testlist_comp();
          if (!tc) { n.shape = Shape::Tuple; return n; }
          if (tc->comp_for()) { n.shape = Shape::GenExp; return n; }
          auto e = tc->star_named_expression();
          if (e.size() == 1 && tc->COMMA().empty()) { t = e[0]; continue; }
          n.shape = Shape::Tuple;
          n.elts.assign(e.begin(), e.end());
          return n;
        }
        if (c->LSQB()) {
          auto *tc = c->testlist_comp();
          n.shape = Shape::List;
          if (!tc) return n;
          if (tc->comp_for()) { n.shape = Shape::ListComp; return n; }
          auto e = tc->star_named_expression();
          n.elts.assign(e.begin(), e.end());
          return n;
        }
        if (c->LBRACE()) {
          auto *d = c->dictorsetmaker();
          if (!d) { n.shape = Shape::Dict; return n; }
          bool dict = !d->dict_item().empty();
          n.shape = d->comp_for() ? (dict ? Shape::DictComp : Shape::SetComp) : (dict ? Shape::Dict : Shape::Set);
          return n;
        }
        return n;
      }
      default:
        return n;
    }
  }
}

}  // namespace sx::pyconfirm
