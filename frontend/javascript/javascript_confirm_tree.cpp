// JavaScript confirm, parse-tree helpers shared by the early-error checker
// and the analysis: unwrapping expressions, binding and parameter names,
// directive prologues. Assume a tree the parser accepted.
#include "frontend/javascript/javascript_confirm_internal.h"

#include <vector>

namespace sx::jsconfirm {

P::PrimaryExpressionContext *primary_of(P::SingleExpressionContext *e) {
  auto *l = as<P::LhsExprContext>(e);
  if (l == nullptr) return nullptr;
  auto *c = as<P::PrimaryExprContext>(l->callExpression());
  return c == nullptr ? nullptr : c->primaryExpression();
}

P::CallExpressionContext *call_of(P::SingleExpressionContext *e) {
  auto *l = as<P::LhsExprContext>(e);
  return l == nullptr ? nullptr : l->callExpression();
}

// The single expression of an assignmentExpression without operator.
P::SingleExpressionContext *plain(P::AssignmentExpressionContext *a) {
  if (a == nullptr || a->assignmentOperator() != nullptr) return nullptr;
  return a->singleExpression();
}

// `( x )` with exactly one plain item: the item, else null.
P::AssignmentExpressionContext *paren_single(P::PrimaryExpressionContext *p) {
  auto *pe = as<P::ParenExprContext>(p);
  if (pe == nullptr) return nullptr;
  auto items = pe->parenItem();
  if (items.size() != 1 || !pe->Comma().empty() || items[0]->Ellipsis() != nullptr) return nullptr;
  return items[0]->assignmentExpression();
}

// Whether an optional chain (`?.`) occurs in the member/call chain of c.
bool in_optional_chain(P::CallExpressionContext *c) {
  while (c != nullptr) {
    if (as<P::OptionalExprContext>(c)) return true;
    if (auto *x = as<P::IndexExprContext>(c)) {
      c = x->callExpression();
    } else if (auto *x2 = as<P::DotExprContext>(c)) {
      c = x2->callExpression();
    } else if (auto *x3 = as<P::CallExprContext>(c)) {
      c = x3->callExpression();
    } else if (auto *x4 = as<P::TaggedTemplateExprContext>(c)) {
      c = x4->callExpression();
    } else {
      return false;
    }
  }
  return false;
}

bool is_simple_params(P::FormalParameterListContext *fp) {
  if (fp == nullptr) return true;
  if (fp->functionRestParameter() != nullptr) return false;
  for (auto *p : fp->formalParameter()) {
    auto *be = p->bindingElement();
    if (be->Assign() != nullptr || be->bindingTarget()->bindingIdentifier() == nullptr) return false;
  }
  return true;
}


void binding_element_names(P::BindingElementContext *e, std::vector<Token *> &out) {
  binding_names(e->bindingTarget(), out);
}

void binding_names(P::BindingTargetContext *t, std::vector<Token *> &out) {
  if (t == nullptr) return;
  if (auto *id = t->bindingIdentifier()) {
    out.push_back(id->getStart());
  } else if (auto *o = t->objectBindingPattern()) {
    for (auto *bp : o->bindingProperty()) {
      if (bp->bindingElement() != nullptr)
        binding_element_names(bp->bindingElement(), out);
      else if (bp->bindingIdentifier() != nullptr)
        out.push_back(bp->bindingIdentifier()->getStart());
    }
    if (o->bindingRestProperty() != nullptr) out.push_back(o->bindingRestProperty()->bindingIdentifier()->getStart());
  } else if (auto *a = t->arrayBindingPattern()) {
    for (auto *ch : a->children) {
      if (auto *be = as<P::BindingElementContext>(ch)) binding_element_names(be, out);
      if (auto *re = as<P::BindingRestElementContext>(ch)) binding_names(re->bindingTarget(), out);
    }
  }
}

void param_names(P::FormalParameterListContext *fp, std::vector<Token *> &out) {
  if (fp == nullptr) return;
  for (auto *p : fp->formalParameter()) binding_element_names(p->bindingElement(), out);
  if (fp->functionRestParameter() != nullptr) binding_names(fp->functionRestParameter()->bindingTarget(), out);
}

// Whether the statement list starts with a "use strict" directive.
bool directive_prologue_strict(const std::vector<P::StatementListItemContext *> &items) {
  for (auto *it : items) {
    auto *st = it->statement();
    if (st == nullptr) return false;
    auto *es = st->expressionStatement();
    if (es == nullptr) return false;
    auto list = es->expression()->assignmentExpression();
    if (list.size() != 1) return false;
    auto *pr = primary_of(plain(list[0]));
    auto *lit = as<P::LiteralExprContext>(pr);
    if (lit == nullptr || lit->literal()->StringLiteral() == nullptr) return false;
    std::string s = lit->literal()->StringLiteral()->getText();
    if (s == "'use strict'" || s == "\"use strict\"") return true;
  }
  return false;
}


}  // namespace sx::jsconfirm
