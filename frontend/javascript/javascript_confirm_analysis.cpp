// JavaScript confirm, analysis for the chunker (docs/DESIGN.md §3, §4): how
// the unit's last statement ended (by `;`, a block, or ASI at the end of the
// text — which a continuation could still change), the unit's kind, and its
// top-level defines and uses. Runs on a unit that parsed and passed the
// early errors.
#include "frontend/javascript/javascript_confirm_internal.h"

#include <algorithm>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

namespace sx::jsconfirm {

void eos_flags(P::EosContext *e, JsVerdict &v) {
  if (e != nullptr && e->SemiColon() != nullptr)
    v.ended_by_semicolon = true;
  else
    v.ended_by_asi = true;
}

void statement_end(P::StatementContext *s, JsVerdict &v);

void sub_statement_end(P::SubStatementContext *s, JsVerdict &v) {
  if (s->statement() != nullptr)
    statement_end(s->statement(), v);
  else
    v.ended_by_block = true;
}

void statement_end(P::StatementContext *s, JsVerdict &v) {
  if (s->block() != nullptr || s->switchStatement() != nullptr) {
    v.ended_by_block = true;
  } else if (auto *vs = s->variableStatement()) {
    eos_flags(vs->eos(), v);
  } else if (s->emptyStatement() != nullptr) {
    v.ended_by_semicolon = true;
  } else if (auto *is = s->ifStatement()) {
    auto subs = is->subStatement();
    if (is->Else() != nullptr && subs.size() == 2) {
      sub_statement_end(subs[1], v);
    } else {
      v.is_if_without_else = true;
      sub_statement_end(subs[0], v);
    }
  } else if (auto *it = s->iterationStatement()) {
    if (auto *ds = as<P::DoStatementContext>(it)) {
      if (ds->SemiColon() != nullptr)
        v.ended_by_semicolon = true;
      else
        v.ended_by_asi = true;
    } else if (auto *ws = as<P::WhileStatementContext>(it)) {
      statement_end(ws->statement(), v);
    } else if (auto *fs = as<P::ForStatementContext>(it)) {
      statement_end(fs->statement(), v);
    }
  } else if (auto *cs = s->continueStatement()) {
    eos_flags(cs->eos(), v);
  } else if (auto *bs = s->breakStatement()) {
    eos_flags(bs->eos(), v);
  } else if (auto *rs = s->returnStatement()) {
    eos_flags(rs->eos(), v);
  } else if (auto *wi = s->withStatement()) {
    statement_end(wi->statement(), v);
  } else if (auto *ts = s->throwStatement()) {
    eos_flags(ts->eos(), v);
  } else if (auto *tr = s->tryStatement()) {
    v.ended_by_block = true;
    if (tr->finallyClause() == nullptr) v.is_try = true;
  } else if (auto *db = s->debuggerStatement()) {
    eos_flags(db->eos(), v);
  } else if (auto *ls = s->labelledStatement()) {
    if (ls->labelledItem()->statement() != nullptr)
      statement_end(ls->labelledItem()->statement(), v);
    else
      v.ended_by_block = true;
  } else if (auto *es = s->expressionStatement()) {
    eos_flags(es->eos(), v);
    auto list = es->expression()->assignmentExpression();
    if (es->eos()->SemiColon() == nullptr && list.size() == 1) {
      auto *p = primary_of(plain(list[0]));
      auto *id = as<P::IdentifierExprContext>(p);
      if (id != nullptr && id->getStart()->getType() == L::Let) v.last_is_bare_let = true;
    }
  }
}

void module_item_end(P::ModuleItemContext *mi, JsVerdict &v) {
  if (auto *im = mi->importDeclaration()) {
    eos_flags(im->eos(), v);
    return;
  }
  if (auto *ex = mi->exportDeclaration()) {
    if (auto *a = as<P::ExportAllContext>(ex)) eos_flags(a->eos(), v);
    else if (auto *n = as<P::ExportNamedContext>(ex)) {
      eos_flags(n->eos(), v);
      if (n->fromClause() == nullptr && n->eos()->SemiColon() == nullptr) v.last_is_export_list = true;
    }
    else if (auto *var = as<P::ExportVariableContext>(ex)) eos_flags(var->variableStatement()->eos(), v);
    else if (auto *d = as<P::ExportDeclContext>(ex)) {
      if (d->declaration()->lexicalDeclaration() != nullptr)
        eos_flags(d->declaration()->lexicalDeclaration()->eos(), v);
      else
        v.ended_by_block = true;
    } else if (as<P::ExportDefaultDeclContext>(ex)) {
      v.ended_by_block = true;
    } else if (auto *de = as<P::ExportDefaultExprContext>(ex)) {
      eos_flags(de->eos(), v);
    }
    return;
  }
  auto *sli = mi->statementListItem();
  if (auto *d = sli->declaration()) {
    if (d->lexicalDeclaration() != nullptr)
      eos_flags(d->lexicalDeclaration()->eos(), v);
    else
      v.ended_by_block = true;
    return;
  }
  statement_end(sli->statement(), v);
}

// Defines / uses / kind.

namespace {

class Analyzer {
 public:
  std::vector<std::string> defines, uses;

  void run(P::ProgramContext *prog, JsVerdict &v) {
    // Names declared at top level (excluded from uses).
    for (auto *mi : prog->moduleItem()) top_declarations(mi);
    for (auto *mi : prog->moduleItem()) walk(mi);
    std::vector<UnitKind> kinds;
    for (auto *mi : prog->moduleItem()) kinds.push_back(item_kind(mi));
    if (kinds.empty()) {
      v.kind = UnitKind::Other;
    } else {
      v.kind = kinds[0];
      for (UnitKind k : kinds)
        if (k != v.kind) v.kind = UnitKind::Other;
    }
    v.defines = defines;
    v.uses = uses;
  }

 private:
  std::vector<std::unordered_set<std::string>> scopes_;
  int fn_depth_ = 0;  // function scopes among scopes_
  std::unordered_set<std::string> declared_, defined_set_, used_set_;

  void define(const std::string &n) {
    if (defined_set_.insert(n).second) defines.push_back(n);
  }
  void use(const std::string &n) {
    if (used_set_.insert(n).second) uses.push_back(n);
  }
  bool bound_locally(const std::string &n) const {
    for (auto &s : scopes_)
      if (s.count(n)) return true;
    return false;
  }
  bool free_name(const std::string &n) const { return !bound_locally(n) && declared_.count(n) == 0; }

  void declare_top(Token *t) {
    std::string n = identifier_text(t);
    declared_.insert(n);
    define(n);
  }

  // var declarations anywhere outside functions, other declarations at top level.
  void top_declarations(P::ModuleItemContext *mi) {
    if (auto *im = mi->importDeclaration()) {
      if (auto *ic = im->importClause()) {
        if (ic->bindingIdentifier() != nullptr) declare_top(ic->bindingIdentifier()->getStart());
        if (ic->namespaceImport() != nullptr) declare_top(ic->namespaceImport()->bindingIdentifier()->getStart());
        if (ic->namedImports() != nullptr)
          for (auto *sp : ic->namedImports()->importSpecifier()) declare_top(sp->bindingIdentifier()->getStart());
      }
      return;
    }
    ParseTree *root = mi;
    if (auto *ex = mi->exportDeclaration()) root = ex;
    collect_top(root, true);
  }

  void collect_top(ParseTree *t, bool top_level) {
    auto *ctx = dynamic_cast<ParserRuleContext *>(t);
    if (ctx == nullptr) return;
    switch (ctx->getRuleIndex()) {
      case P::RuleFunctionDeclaration: {
        auto *fd = static_cast<P::FunctionDeclarationContext *>(ctx);
        if (top_level && fd->bindingIdentifier() != nullptr) declare_top(fd->bindingIdentifier()->getStart());
        return;
      }
      case P::RuleClassDeclaration: {
        auto *cd = static_cast<P::ClassDeclarationContext *>(ctx);
        if (top_level && cd->bindingIdentifier() != nullptr) declare_top(cd->bindingIdentifier()->getStart());
        return;
      }
      case P::RuleFunctionExpression:
      case P::RuleArrowFunction:
      case P::RuleClassExpression:
      case P::RuleMethodDefinition:
        return;
      case P::RuleVariableStatement: {
        std::vector<Token *> names;
        for (auto *d : static_cast<P::VariableStatementContext *>(ctx)->variableDeclarationList()->variableDeclaration())
          binding_names(d->bindingTarget(), names);
        for (auto *n : names) declare_top(n);
        break;
      }
      case P::RuleForFirst: {
        auto *ff = static_cast<P::ForFirstContext *>(ctx);
        if (ff->Var() != nullptr) {
          std::vector<Token *> names;
          for (auto *d : ff->variableDeclarationList()->variableDeclaration()) binding_names(d->bindingTarget(), names);
          for (auto *n : names) declare_top(n);
        }
        break;
      }
      case P::RuleLexicalDeclaration: {
        if (top_level) {
          std::vector<Token *> names;
          for (auto *d : static_cast<P::LexicalDeclarationContext *>(ctx)->variableDeclarationList()->variableDeclaration())
            binding_names(d->bindingTarget(), names);
          for (auto *n : names) declare_top(n);
        }
        break;
      }
      case P::RuleBlock:
      case P::RuleIfStatement:
      case P::RuleIterationStatement:
      case P::RuleSwitchStatement:
      case P::RuleTryStatement:
      case P::RuleLabelledStatement:
      case P::RuleWithStatement:
        for (auto *ch : ctx->children) collect_top(ch, false);
        return;
      default:
        break;
    }
    for (auto *ch : ctx->children) collect_top(ch, top_level);
  }

  // Names declared inside a function (params + body, not nested functions).
  void collect_local(ParseTree *t, std::unordered_set<std::string> &out, bool root) {
    auto *ctx = dynamic_cast<ParserRuleContext *>(t);
    if (ctx == nullptr) return;
    std::size_t r = ctx->getRuleIndex();
    if (!root && (r == P::RuleFunctionExpression || r == P::RuleArrowFunction || r == P::RuleMethodDefinition ||
                  r == P::RuleClassExpression))
      return;
    if (!root && r == P::RuleFunctionDeclaration) {
      auto *fd = static_cast<P::FunctionDeclarationContext *>(ctx);
      if (fd->bindingIdentifier() != nullptr) out.insert(identifier_text(fd->bindingIdentifier()->getStart()));
      return;
    }
    if (r == P::RuleClassDeclaration) {
      auto *cd = static_cast<P::ClassDeclarationContext *>(ctx);
      if (cd->bindingIdentifier() != nullptr) out.insert(identifier_text(cd->bindingIdentifier()->getStart()));
      return;
    }
    if (r == P::RuleBindingIdentifier) out.insert(identifier_text(ctx->getStart()));
    for (auto *ch : ctx->children) collect_local(ch, out, false);
  }

  // Block-scoped names at the top level: for-heads, catch parameters, lexical
  // declarations directly in a block.
  void enter_block_scope(ParserRuleContext *ctx) {
    std::unordered_set<std::string> s;
    std::vector<Token *> names;
    if (auto *fs = as<P::ForStatementContext>(ctx)) {
      if (fs->forFirst() != nullptr && fs->forFirst()->variableDeclarationList() != nullptr)
        for (auto *d : fs->forFirst()->variableDeclarationList()->variableDeclaration()) binding_names(d->bindingTarget(), names);
    } else if (auto *cc = as<P::CatchClauseContext>(ctx)) {
      if (cc->bindingTarget() != nullptr) binding_names(cc->bindingTarget(), names);
    } else if (auto *b = as<P::BlockContext>(ctx)) {
      for (auto *it : b->statementListItem()) {
        auto *d = it->declaration();
        if (d == nullptr) continue;
        if (d->lexicalDeclaration() != nullptr)
          for (auto *vd : d->lexicalDeclaration()->variableDeclarationList()->variableDeclaration())
            binding_names(vd->bindingTarget(), names);
        if (d->classDeclaration() != nullptr && d->classDeclaration()->bindingIdentifier() != nullptr)
          names.push_back(d->classDeclaration()->bindingIdentifier()->getStart());
        if (d->functionDeclaration() != nullptr && d->functionDeclaration()->bindingIdentifier() != nullptr)
          names.push_back(d->functionDeclaration()->bindingIdentifier()->getStart());
      }
    }
    for (auto *n : names) s.insert(identifier_text(n));
    scopes_.push_back(std::move(s));
  }

  void enter_scope(ParserRuleContext *fn, P::BindingIdentifierContext *own_name) {
    std::unordered_set<std::string> s;
    if (own_name != nullptr) s.insert(identifier_text(own_name->getStart()));
    collect_local(fn, s, true);
    s.insert("arguments");
    scopes_.push_back(std::move(s));
    ++fn_depth_;
  }
  void exit_scope() {
    scopes_.pop_back();
    --fn_depth_;
  }

  // Destructuring assignment `[a, {b}] = …`: the identifiers are written
  // (defined at top level); defaults and computed keys are read.
  void pattern_target(P::AssignmentExpressionContext *el) {
    if (el == nullptr) return;
    if (el->assignmentOperator() != nullptr) walk(el->assignmentExpression());
    auto *p = primary_of(el->singleExpression());
    if (auto *id = as<P::IdentifierExprContext>(p)) {
      std::string n = identifier_text(id->getStart());
      if (fn_depth_ == 0 && !bound_locally(n)) define(n);
    } else if (as<P::ArrayExprContext>(p) || as<P::ObjectExprContext>(p)) {
      pattern_targets(p);
    } else {
      walk(el->singleExpression());
    }
  }
  void pattern_targets(P::PrimaryExpressionContext *p) {
    if (auto *ae = as<P::ArrayExprContext>(p)) {
      for (auto *el : ae->arrayLiteral()->arrayElement()) pattern_target(el->assignmentExpression());
    } else if (auto *oe = as<P::ObjectExprContext>(p)) {
      for (auto *pd : oe->objectLiteral()->propertyDefinition()) {
        if (auto *kv = as<P::PropKeyValueContext>(pd)) {
          walk(kv->propertyName());
          pattern_target(kv->assignmentExpression());
        } else if (as<P::PropShorthandContext>(pd) || as<P::PropCoverInitContext>(pd)) {
          std::string n = identifier_text(pd->getStart());
          if (fn_depth_ == 0 && !bound_locally(n)) define(n);
          if (auto *ci = as<P::PropCoverInitContext>(pd)) walk(ci->assignmentExpression());
        } else if (auto *sp = as<P::PropSpreadContext>(pd)) {
          pattern_target(sp->assignmentExpression());
        }
      }
    }
  }

  // "a.b.c" for a member chain rooted at a free identifier, else "".
  std::string dotted(P::CallExpressionContext *c) {
    if (auto *d = as<P::DotExprContext>(c)) {
      if (d->identifierName() == nullptr) return "";
      std::string base = dotted(d->callExpression());
      if (base.empty()) return "";
      return base + "." + d->identifierName()->getText();
    }
    if (auto *pe = as<P::PrimaryExprContext>(c)) {
      if (auto *id = as<P::IdentifierExprContext>(pe->primaryExpression())) {
        std::string n = identifier_text(id->getStart());
        return bound_locally(n) ? "" : n;
      }
    }
    return "";
  }

  static std::string string_value(Token *t) {
    std::string s = t->getText();
    return s.size() >= 2 ? s.substr(1, s.size() - 2) : s;
  }

  static Token *first_string_arg(P::ArgumentsContext *args) {
    auto list = args->argument();
    if (list.empty() || list[0]->Ellipsis() != nullptr) return nullptr;
    auto *lit = as<P::LiteralExprContext>(primary_of(plain(list[0]->assignmentExpression())));
    if (lit == nullptr || lit->literal()->StringLiteral() == nullptr) return nullptr;
    return lit->literal()->StringLiteral()->getSymbol();
  }

  void walk(ParseTree *t) {
    check_stack();
    auto *ctx = dynamic_cast<ParserRuleContext *>(t);
    if (ctx == nullptr) return;
    switch (ctx->getRuleIndex()) {
      case P::RuleFunctionDeclaration:
        enter_scope(ctx, nullptr);
        for (auto *ch : ctx->children) walk(ch);
        exit_scope();
        return;
      case P::RuleFunctionExpression:
        enter_scope(ctx, static_cast<P::FunctionExpressionContext *>(ctx)->bindingIdentifier());
        for (auto *ch : ctx->children) walk(ch);
        exit_scope();
        return;
      case P::RuleArrowFunction:
      case P::RuleMethodDefinition:
        enter_scope(ctx, nullptr);
        for (auto *ch : ctx->children) walk(ch);
        exit_scope();
        return;
      case P::RuleIterationStatement:
      case P::RuleCatchClause:
      case P::RuleBlock:
        if (fn_depth_ == 0) {  // inside functions the function scope covers them
          enter_block_scope(ctx);
          for (auto *ch : ctx->children) walk(ch);
          scopes_.pop_back();
          return;
        }
        break;
      case P::RuleImportDeclaration: {
        auto *im = static_cast<P::ImportDeclarationContext *>(ctx);
        Token *mod = im->fromClause() != nullptr ? im->fromClause()->StringLiteral()->getSymbol()
                                                 : (im->StringLiteral() != nullptr ? im->StringLiteral()->getSymbol() : nullptr);
        if (mod != nullptr) use("import:" + string_value(mod));
        return;
      }
      case P::RuleAssignmentExpression: {
        auto *a = static_cast<P::AssignmentExpressionContext *>(ctx);
        if (a->assignmentOperator() != nullptr && a->assignmentOperator()->Assign() != nullptr) {
          auto *lhs = primary_of(a->singleExpression());
          if (as<P::ArrayExprContext>(lhs) || as<P::ObjectExprContext>(lhs)) {
            pattern_targets(lhs);
            walk(a->assignmentExpression());
            return;
          }
          // plain assignment to a bare identifier writes it
          auto *id = as<P::IdentifierExprContext>(primary_of(a->singleExpression()));
          if (id != nullptr) {
            std::string n = identifier_text(id->getStart());
            if (fn_depth_ == 0 && !bound_locally(n)) define(n);
            walk(a->assignmentExpression());
            return;
          }
        }
        break;
      }
      case P::RulePrimaryExpression:
        if (auto *id = as<P::IdentifierExprContext>(ctx)) {
          std::string n = identifier_text(id->getStart());
          if (free_name(n)) use(n);
          return;
        }
        break;
      case P::RulePropertyDefinition:
        if (auto *sh = as<P::PropShorthandContext>(ctx)) {
          std::string n = identifier_text(sh->getStart());
          if (free_name(n)) use(n);
          return;
        }
        break;
      case P::RuleCallExpression:
        if (auto *ce = as<P::CallExprContext>(ctx)) {
          auto *callee = ce->callExpression();
          std::string d = dotted(callee);
          if (!d.empty()) {
            if (d.find('.') != std::string::npos) use(d);
            if (d == "require") {
              if (Token *s = first_string_arg(ce->arguments())) use("require:" + string_value(s));
            }
          }
        } else if (auto *ic = as<P::ImportCallExprContext>(ctx)) {
          auto *lit = as<P::LiteralExprContext>(primary_of(plain(ic->assignmentExpression(0))));
          if (lit != nullptr && lit->literal()->StringLiteral() != nullptr)
            use("import:" + string_value(lit->literal()->StringLiteral()->getSymbol()));
        }
        break;
      default:
        break;
    }
    for (auto *ch : ctx->children) walk(ch);
  }

  // Whether an initializer is require(...) / require(...).x / await import(...).
  static bool is_require_init(P::AssignmentExpressionContext *a) {
    auto *e = plain(a);
    if (e == nullptr) return false;
    if (auto *aw = as<P::AwaitExprContext>(e)) e = aw->singleExpression();
    auto *c = call_of(e);
    while (c != nullptr) {
      if (auto *d = as<P::DotExprContext>(c)) {
        c = d->callExpression();
        continue;
      }
      if (auto *ix = as<P::IndexExprContext>(c)) {
        c = ix->callExpression();
        continue;
      }
      break;
    }
    if (c == nullptr) return false;
    if (as<P::ImportCallExprContext>(c)) return true;
    auto *ce = as<P::CallExprContext>(c);
    if (ce == nullptr) return false;
    auto *pe = as<P::PrimaryExprContext>(ce->callExpression());
    if (pe == nullptr) return false;
    auto *id = as<P::IdentifierExprContext>(pe->primaryExpression());
    return id != nullptr && id->getText() == "require";
  }

  static UnitKind declarations_kind(P::VariableDeclarationListContext *list) {
    bool all_require = true;
    for (auto *d : list->variableDeclaration())
      if (d->assignmentExpression() == nullptr || !is_require_init(d->assignmentExpression())) all_require = false;
    return all_require ? UnitKind::Import : UnitKind::Assign;
  }

  static UnitKind item_kind(P::ModuleItemContext *mi) {
    if (mi->importDeclaration() != nullptr) return UnitKind::Import;
    if (auto *ex = mi->exportDeclaration()) {
      if (auto *d = as<P::ExportDeclContext>(ex)) return declaration_kind(d->declaration());
      if (auto *var = as<P::ExportVariableContext>(ex)) return declarations_kind(var->variableStatement()->variableDeclarationList());
      if (auto *dd = as<P::ExportDefaultDeclContext>(ex)) return dd->functionDeclaration() != nullptr ? UnitKind::Function : UnitKind::Class;
      return UnitKind::Other;
    }
    auto *sli = mi->statementListItem();
    if (sli->declaration() != nullptr) return declaration_kind(sli->declaration());
    auto *s = sli->statement();
    if (s->variableStatement() != nullptr) return declarations_kind(s->variableStatement()->variableDeclarationList());
    if (auto *es = s->expressionStatement()) {
      auto list = es->expression()->assignmentExpression();
      bool assign = !list.empty();
      bool require = !list.empty();
      for (auto *a : list) {
        if (a->assignmentOperator() == nullptr) {
          assign = false;
          require = false;
        } else if (a->assignmentOperator()->Assign() == nullptr || !is_require_init(a->assignmentExpression())) {
          require = false;
        }
      }
      if (require) return UnitKind::Import;
      return assign ? UnitKind::Assign : UnitKind::Expr;
    }
    if (s->ifStatement() != nullptr || s->iterationStatement() != nullptr || s->switchStatement() != nullptr ||
        s->tryStatement() != nullptr || s->withStatement() != nullptr || s->labelledStatement() != nullptr ||
        s->throwStatement() != nullptr || s->returnStatement() != nullptr || s->breakStatement() != nullptr ||
        s->continueStatement() != nullptr)
      return UnitKind::Control;
    return UnitKind::Other;
  }

  static UnitKind declaration_kind(P::DeclarationContext *d) {
    if (d->functionDeclaration() != nullptr) return UnitKind::Function;
    if (d->classDeclaration() != nullptr) return UnitKind::Class;
    return declarations_kind(d->lexicalDeclaration()->variableDeclarationList());
  }
};

}  // namespace

void analyze(P::ProgramContext *prog, JsVerdict &v) {
  Analyzer an;
  an.run(prog, v);
}

}  // namespace sx::jsconfirm
