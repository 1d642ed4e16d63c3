// JavaScript confirm, early errors: the static semantics that refine the
// cover grammars (assignment and binding targets, arrow parameters) and a
// selection of early errors (strict mode, duplicate parameters, labels,
// `break`/`continue` targets, `new.target`, `super`, …). Runs on a unit that
// parsed; reports the first problem.
#include "frontend/javascript/javascript_confirm_internal.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sx::jsconfirm {

namespace {

class Checker {
 public:
  Checker(JsConfirmOptions::Goal goal) : goal_(goal) {}
  Problem problem;

  void run(P::ProgramContext *prog) {
    std::vector<P::StatementListItemContext *> items;
    for (auto *mi : prog->moduleItem()) {
      if (mi->statementListItem() == nullptr) break;
      items.push_back(mi->statementListItem());
    }
    Fn top;
    top.strict = goal_ == JsConfirmOptions::Goal::Module || directive_prologue_strict(items);
    // Node runs a script file as a CommonJS module, inside a function: its
    // top level may `return` (the chunker's goal; not ECMAScript's Script).
    top.return_ok = goal_ == JsConfirmOptions::Goal::Repl;
    fns_.push_back(top);
    walk(prog);
  }

 private:
  struct Fn {
    bool strict = false;
    bool return_ok = false;
    bool new_target_ok = false;
    int loops = 0;
    int breakables = 0;
    std::vector<std::pair<std::string, bool>> labels;  // name, labels a loop
  };
  JsConfirmOptions::Goal goal_;
  std::vector<Fn> fns_;
  std::unordered_set<ParseTree *> cover_ok_;
  bool in_for_decl_head_ = false;

  Fn &fn() { return fns_.back(); }
  bool strict() const { return fns_.back().strict; }

  void fail(Token *t, std::string msg, bool cover = false) {
    note(problem, t->getStartIndex(), std::move(msg), cover, t->getTokenIndex());
  }
  void fail(ParserRuleContext *c, std::string msg, bool cover = false) { fail(c->getStart(), std::move(msg), cover); }

  void walk_children(ParseTree *t) {
    for (auto *ch : t->children) walk(ch);
  }

  // ---- assignment targets

  bool simple_target(P::SingleExpressionContext *e) {
    auto *c = call_of(e);
    if (c == nullptr) return false;
    if (as<P::IndexExprContext>(c) || as<P::DotExprContext>(c)) return !in_optional_chain(c);
    if (as<P::SuperMemberExprContext>(c)) return true;
    auto *pe = as<P::PrimaryExprContext>(c);
    if (pe == nullptr) return false;
    auto *p = pe->primaryExpression();
    if (auto *id = as<P::IdentifierExprContext>(p)) {
      if (strict()) {
        std::string n = identifier_text(id->getStart());
        if (n == "eval" || n == "arguments") return false;
      }
      return true;
    }
    if (auto *inner = paren_single(p)) return simple_target(plain(inner));
    return false;
  }

  void check_destructuring_target(P::SingleExpressionContext *e) {
    auto *p = primary_of(e);
    if (as<P::ObjectExprContext>(p) || as<P::ArrayExprContext>(p)) {
      check_assignment_pattern(p);
      return;
    }
    if (!simple_target(e)) fail(e, "invalid destructuring assignment target");
  }

  void check_destructuring_element(P::AssignmentExpressionContext *a) {
    if (a->assignmentOperator() != nullptr) {
      if (a->assignmentOperator()->Assign() == nullptr) {
        fail(a, "invalid destructuring assignment target");
        return;
      }
    }
    check_destructuring_target(a->singleExpression());
  }

  void check_assignment_pattern(P::PrimaryExpressionContext *p) {
    if (auto *oe = as<P::ObjectExprContext>(p)) {
      auto *ol = oe->objectLiteral();
      auto props = ol->propertyDefinition();
      bool trailing_comma = !props.empty() && ol->Comma().size() >= props.size();
      for (std::size_t i = 0; i < props.size(); ++i) {
        auto *pd = props[i];
        if (auto *sp = as<P::PropSpreadContext>(pd)) {
          if (i + 1 != props.size() || trailing_comma) {
            fail(sp, "rest element must be last element");
            continue;
          }
          auto *t = plain(sp->assignmentExpression());
          if (t == nullptr || !simple_target(t)) fail(sp->assignmentExpression(), "invalid rest element");
        } else if (as<P::PropMethodContext>(pd)) {
          fail(pd, "invalid destructuring assignment target");
        } else if (auto *kv = as<P::PropKeyValueContext>(pd)) {
          check_destructuring_element(kv->assignmentExpression());
        } else if (as<P::PropCoverInitContext>(pd)) {
          cover_ok_.insert(pd);
        } else if (auto *sh = as<P::PropShorthandContext>(pd)) {
          if (strict()) {
            std::string n = identifier_text(sh->getStart());
            if (n == "eval" || n == "arguments") fail(sh, "unexpected eval or arguments in strict mode");
          }
        }
      }
      return;
    }
    if (auto *ae = as<P::ArrayExprContext>(p)) {
      auto &ch = ae->arrayLiteral()->children;
      // children: '[' (',' | arrayElement)* ']'
      for (std::size_t i = 1; i + 1 < ch.size(); ++i) {
        auto *el = as<P::ArrayElementContext>(ch[i]);
        if (el == nullptr) continue;
        if (el->Ellipsis() != nullptr) {
          if (i + 2 != ch.size()) {
            fail(el, "rest element must be last element");
            continue;
          }
          auto *t = plain(el->assignmentExpression());
          if (t == nullptr) {
            fail(el->assignmentExpression(), "invalid rest element");
            continue;
          }
          check_destructuring_target(t);
        } else {
          check_destructuring_element(el->assignmentExpression());
        }
      }
    }
  }

  // ---- function-like scopes

  void enter_function(ParserRuleContext *node, P::FormalParameterListContext *params, P::FunctionBodyContext *body,
                      bool arrow, bool method) {
    Fn f;
    bool directive = body != nullptr && directive_prologue_strict(body->statementListItem());
    f.strict = fn().strict || directive;
    f.return_ok = true;
    f.new_target_ok = arrow ? fn().new_target_ok : true;
    fns_.push_back(f);
    bool simple = is_simple_params(params);
    if (directive && !simple) fail(node, "\"use strict\" not allowed in function with non-simple parameters");
    if (arrow || method || f.strict || !simple) {
      std::vector<Token *> names;
      param_names(params, names);
      std::unordered_set<std::string> seen;
      for (auto *t : names) {
        if (!seen.insert(identifier_text(t)).second) fail(t, "duplicate parameter name");
      }
    }
  }

  void check_plain_function_body(P::FunctionDeclarationContext *fd, const char *where) {
    if (fd->AsyncFn() != nullptr || fd->Multiply() != nullptr || strict())
      fail(fd, std::string("function declarations are not allowed ") + where);
  }

  void check_class_tail(P::ClassTailContext *ct) {
    bool have_ctor = false;
    for (auto *el : ct->classElement()) {
      bool is_static = false;
      P::ClassElementNameContext *name = nullptr;
      P::MethodDefinitionContext *md = nullptr;
      if (auto *cm = as<P::ClassMethodContext>(el)) {
        is_static = cm->staticModifier() != nullptr;
        md = cm->methodDefinition();
        name = md->classElementName();
      } else if (auto *cf = as<P::ClassFieldContext>(el)) {
        is_static = cf->staticModifier() != nullptr;
        name = cf->fieldDefinition()->classElementName();
      } else {
        continue;
      }
      std::string key;
      if (name->PrivateName() != nullptr) {
        if (name->PrivateName()->getText() == "#constructor") fail(name, "classes may not have a private field named '#constructor'");
        continue;
      }
      auto *pn = name->propertyName();
      if (pn->identifierName() != nullptr) {
        key = identifier_text(pn->getStart());
      } else if (pn->StringLiteral() != nullptr) {
        std::string s = pn->StringLiteral()->getText();
        key = s.substr(1, s.size() - 2);
      } else {
        continue;
      }
      if (md == nullptr) {
        if (key == "constructor" || (is_static && key == "prototype"))
          fail(name, "classes may not have a field named '" + key + "'");
        continue;
      }
      if (is_static) {
        if (key == "prototype") fail(name, "classes may not have a static property named 'prototype'");
        continue;
      }
      if (key != "constructor") continue;
      if (md->Get() != nullptr || md->GetMod() != nullptr || md->Set() != nullptr || md->SetMod() != nullptr ||
          md->Multiply() != nullptr || md->AsyncMod() != nullptr) {
        fail(name, "class constructor may not be an accessor, generator or async");
      } else if (have_ctor) {
        fail(name, "a class may only have one constructor");
      }
      have_ctor = true;
    }
  }

  void check_declarations(P::VariableDeclarationListContext *list, bool is_const, bool is_lexical) {
    for (auto *d : list->variableDeclaration()) {
      auto *bt = d->bindingTarget();
      if (!in_for_decl_head_ && d->Assign() == nullptr) {
        // `= value` may still follow: fixable by a continuation
        if (bt->bindingIdentifier() == nullptr) fail(d, "missing initializer in destructuring declaration", true);
        else if (is_const) fail(d, "missing initializer in const declaration", true);
      }
      if (is_lexical) {
        std::vector<Token *> names;
        binding_names(bt, names);
        for (auto *t : names)
          if (identifier_text(t) == "let") fail(t, "let is disallowed as a lexically bound name");
      }
    }
  }

  void check_for(P::ForStatementContext *fs) {
    auto *first = fs->forFirst();
    auto *rest = fs->forRest();
    bool in = rest->In() != nullptr, of = rest->Of() != nullptr;
    if ((fs->Await() != nullptr || fs->AwaitKw() != nullptr) && !of) fail(fs, "for await requires 'of'");
    if (!in && !of) {
      if (first != nullptr && first->letOrConst() != nullptr)
        check_declarations(first->variableDeclarationList(), first->letOrConst()->Const() != nullptr, true);
      else if (first != nullptr && first->Var() != nullptr)
        check_declarations(first->variableDeclarationList(), false, false);
      return;
    }
    if (first == nullptr) {
      fail(rest, "unexpected token");
      return;
    }
    if (first->expression() != nullptr) {
      auto list = first->expression()->assignmentExpression();
      if (list.size() != 1 || list[0]->assignmentOperator() != nullptr) {
        fail(first, "invalid left-hand side in for-" + std::string(in ? "in" : "of") + " loop");
        return;
      }
      auto *e = list[0]->singleExpression();
      if (of && first->getStart()->getType() == L::Let) fail(first, "the left-hand side of a for-of loop may not be 'let'");
      if (of && fs->Await() == nullptr && fs->AwaitKw() == nullptr && first->getStart()->getType() == L::Async &&
          first->getStart() == first->getStop())
        fail(first, "the left-hand side of a for-of loop may not be 'async'");
      auto *p = primary_of(e);
      if (as<P::ObjectExprContext>(p) || as<P::ArrayExprContext>(p))
        check_assignment_pattern(p);
      else if (!simple_target(e))
        fail(first, "invalid left-hand side in for loop");
      return;
    }
    auto decls = first->variableDeclarationList()->variableDeclaration();
    if (decls.size() != 1) {
      fail(first, "only one variable may be declared in the head of a for-in/of loop");
      return;
    }
    auto *d = decls[0];
    bool is_var = first->Var() != nullptr;
    if (d->Assign() != nullptr &&
        !(in && is_var && !strict() && d->bindingTarget()->bindingIdentifier() != nullptr))
      fail(d, "for-in/of loop variable declaration may not have an initializer");
    if (!is_var) {
      std::vector<Token *> names;
      binding_names(d->bindingTarget(), names);
      for (auto *t : names)
        if (identifier_text(t) == "let") fail(t, "let is disallowed as a lexically bound name");
    }
  }

  bool label_exists(const std::string &name, bool need_loop) {
    for (auto &l : fn().labels)
      if (l.first == name) return !need_loop || l.second;
    return false;
  }

  // ---- the walk

  void walk(ParseTree *t) {
    check_stack();
    if (auto *term = dynamic_cast<TerminalNode *>(t)) {
      terminal(term->getSymbol());
      return;
    }
    auto *ctx = static_cast<ParserRuleContext *>(t);
    switch (ctx->getRuleIndex()) {
      case P::RuleFunctionDeclaration: {
        auto *fd = static_cast<P::FunctionDeclarationContext *>(ctx);
        if (fd->bindingIdentifier() == nullptr && as<P::ExportDefaultDeclContext>(fd->parent) == nullptr)
          fail(fd, "function statement requires a name");
        enter_function(fd, fd->functionTail()->formalParameterList(), fd->functionTail()->functionBody(), false, false);
        walk_children(fd);
        fns_.pop_back();
        return;
      }
      case P::RuleFunctionExpression: {
        auto *fe = static_cast<P::FunctionExpressionContext *>(ctx);
        enter_function(fe, fe->functionTail()->formalParameterList(), fe->functionTail()->functionBody(), false, false);
        walk_children(fe);
        fns_.pop_back();
        return;
      }
      case P::RuleMethodDefinition: {
        auto *md = static_cast<P::MethodDefinitionContext *>(ctx);
        // The name (possibly computed) belongs to the enclosing scope.
        walk(md->classElementName());
        P::FormalParameterListContext *params = md->formalParameterList();
        enter_function(md, params, md->functionBody(), false, true);
        for (auto *ch : md->children)
          if (ch != md->classElementName()) walk(ch);
        fns_.pop_back();
        if (as<P::PropMethodContext>(md->parent) && md->classElementName()->PrivateName() != nullptr)
          fail(md->classElementName(), "private names are only allowed in classes");
        return;
      }
      case P::RuleArrowFunction: {
        auto *af = static_cast<P::ArrowFunctionContext *>(ctx);
        auto *body = af->arrowBody()->functionBody();
        enter_function(af, af->arrowParameters()->formalParameterList(), body, true, false);
        walk_children(af);
        fns_.pop_back();
        return;
      }
      case P::RuleClassDeclaration:
      case P::RuleClassExpression: {
        if (auto *cd = as<P::ClassDeclarationContext>(ctx)) {
          if (cd->bindingIdentifier() == nullptr && as<P::ExportDefaultDeclContext>(cd->parent) == nullptr)
            fail(cd, "class statement requires a name");
        }
        Fn f = fn();
        f.strict = true;
        fns_.push_back(f);
        walk_children(ctx);
        fns_.pop_back();
        return;
      }
      case P::RuleClassTail:
        check_class_tail(static_cast<P::ClassTailContext *>(ctx));
        walk_children(ctx);
        return;
      case P::RuleClassElement:
        if (as<P::StaticBlockContext>(ctx)) {
          Fn f;
          f.strict = true;
          f.new_target_ok = true;
          fns_.push_back(f);
          walk_children(ctx);
          fns_.pop_back();
          return;
        }
        walk_children(ctx);
        return;
      case P::RuleFieldDefinition: {
        auto *fd = static_cast<P::FieldDefinitionContext *>(ctx);
        walk(fd->classElementName());
        Fn f;
        f.strict = true;
        f.new_target_ok = true;
        fns_.push_back(f);
        for (auto *ch : fd->children)
          if (ch != fd->classElementName()) walk(ch);
        fns_.pop_back();
        return;
      }
      case P::RuleAssignmentExpression: {
        auto *a = static_cast<P::AssignmentExpressionContext *>(ctx);
        if (auto *op = a->assignmentOperator()) {
          auto *lhs = a->singleExpression();
          auto *p = primary_of(lhs);
          if (op->Assign() != nullptr && (as<P::ObjectExprContext>(p) || as<P::ArrayExprContext>(p))) {
            check_assignment_pattern(p);
          } else if (!simple_target(lhs)) {
            fail(lhs, "invalid assignment target");
          }
        }
        walk_children(ctx);
        return;
      }
      case P::RuleSingleExpression:
        single_expression(static_cast<P::SingleExpressionContext *>(ctx));
        walk_children(ctx);
        return;
      case P::RuleCallExpression:
        call_expression(static_cast<P::CallExpressionContext *>(ctx));
        walk_children(ctx);
        return;
      case P::RulePrimaryExpression:
        if (auto *pe = as<P::ParenExprContext>(ctx)) {
          auto items = pe->parenItem();
          if (items.empty()) {
            fail(pe, "unexpected token ')'", true);
          } else if (pe->Comma().size() >= items.size()) {
            fail(pe->Comma().back()->getSymbol(), "unexpected token ','", true);
          } else {
            for (auto *it : items)
              if (it->Ellipsis() != nullptr) fail(it, "unexpected token '...'", true);
          }
        }
        walk_children(ctx);
        return;
      case P::RulePropertyDefinition:
        if (as<P::PropCoverInitContext>(ctx) && cover_ok_.count(ctx) == 0)
          fail(ctx, "invalid shorthand property initializer", true);
        walk_children(ctx);
        return;
      case P::RuleArrayLiteral:
      case P::RuleArrayBindingPattern: {
        auto &ch = ctx->children;
        bool prev_element = false;
        for (std::size_t i = 1; i + 1 < ch.size(); ++i) {
          bool is_comma = dynamic_cast<TerminalNode *>(ch[i]) != nullptr;
          if (!is_comma) {
            if (prev_element) fail(static_cast<ParserRuleContext *>(ch[i]), "unexpected token");
            if (as<P::BindingRestElementContext>(ch[i]) && i + 2 != ch.size())
              fail(static_cast<ParserRuleContext *>(ch[i]), "rest element must be last element");
          }
          prev_element = !is_comma;
        }
        walk_children(ctx);
        return;
      }
      case P::RuleTemplateLiteral:  // untagged (tagged ones are taggedTemplate)
        for (auto *sp : static_cast<P::TemplateLiteralContext *>(ctx)->templateSpan()) {
          if (sp->TemplateChars() == nullptr) continue;
          if (bad_escape(sp->TemplateChars()->getText(), true) != std::string::npos)
            fail(sp, "invalid escape sequence in template literal");
        }
        walk_children(ctx);
        return;
      case P::RuleIdentifier:
        identifier(static_cast<P::IdentifierContext *>(ctx));
        return;
      case P::RuleBindingIdentifier: {
        if (strict()) {
          std::string n = identifier_text(ctx->getStart());
          if (n == "eval" || n == "arguments") fail(ctx, "unexpected eval or arguments in strict mode");
        }
        walk_children(ctx);
        return;
      }
      case P::RuleVariableStatement:
        check_declarations(static_cast<P::VariableStatementContext *>(ctx)->variableDeclarationList(), false, false);
        walk_children(ctx);
        return;
      case P::RuleLexicalDeclaration: {
        auto *ld = static_cast<P::LexicalDeclarationContext *>(ctx);
        check_declarations(ld->variableDeclarationList(), ld->letOrConst()->Const() != nullptr, true);
        walk_children(ctx);
        return;
      }
      case P::RuleIterationStatement: {
        Fn &f = fn();
        ++f.loops;
        ++f.breakables;
        if (auto *fs = as<P::ForStatementContext>(ctx)) {
          check_for(fs);
          bool decl_head = fs->forRest()->In() != nullptr || fs->forRest()->Of() != nullptr;
          for (auto *ch : fs->children) {
            bool head = ch == fs->forFirst();
            bool save = in_for_decl_head_;
            if (head) in_for_decl_head_ = decl_head;
            walk(ch);
            in_for_decl_head_ = save;
          }
        } else {
          walk_children(ctx);
        }
        --fn().loops;
        --fn().breakables;
        return;
      }
      case P::RuleSwitchStatement:
        ++fn().breakables;
        walk_children(ctx);
        --fn().breakables;
        return;
      case P::RuleLabelledStatement: {
        auto *ls = static_cast<P::LabelledStatementContext *>(ctx);
        std::string name = identifier_text(ls->labelIdentifier()->getStart());
        auto *item = ls->labelledItem();
        if (item->functionDeclaration() != nullptr) check_plain_function_body(item->functionDeclaration(), "as labelled statements");
        bool loop = item->statement() != nullptr && item->statement()->iterationStatement() != nullptr;
        // A label on a labelled loop also labels the loop.
        if (!loop && item->statement() != nullptr && item->statement()->labelledStatement() != nullptr) {
          auto *inner = item->statement()->labelledStatement();
          while (inner != nullptr) {
            auto *ii = inner->labelledItem();
            if (ii->statement() != nullptr && ii->statement()->iterationStatement() != nullptr) {
              loop = true;
              break;
            }
            inner = ii->statement() != nullptr ? ii->statement()->labelledStatement() : nullptr;
          }
        }
        fn().labels.emplace_back(name, loop);
        walk_children(ctx);
        fn().labels.pop_back();
        return;
      }
      case P::RuleBreakStatement: {
        auto *bs = static_cast<P::BreakStatementContext *>(ctx);
        if (bs->labelIdentifier() != nullptr) {
          if (!label_exists(identifier_text(bs->labelIdentifier()->getStart()), false))
            fail(bs->labelIdentifier(), "undefined label");
        } else if (fn().breakables == 0) {
          fail(bs, "illegal break statement", true);  // a label may still follow
        }
        walk_children(ctx);
        return;
      }
      case P::RuleContinueStatement: {
        auto *cs = static_cast<P::ContinueStatementContext *>(ctx);
        if (fn().loops == 0) {
          fail(cs, "illegal continue statement", cs->labelIdentifier() == nullptr);
        } else if (cs->labelIdentifier() != nullptr &&
                   !label_exists(identifier_text(cs->labelIdentifier()->getStart()), true)) {
          fail(cs->labelIdentifier(), "undefined label");
        }
        walk_children(ctx);
        return;
      }
      case P::RuleReturnStatement:
        if (!fn().return_ok) fail(ctx, "illegal return statement");
        walk_children(ctx);
        return;
      case P::RuleWithStatement:
        if (strict()) fail(ctx, "strict mode code may not include a with statement");
        walk_children(ctx);
        return;
      case P::RuleIfStatement:
        for (auto *ss : static_cast<P::IfStatementContext *>(ctx)->subStatement())
          if (ss->functionDeclaration() != nullptr) check_plain_function_body(ss->functionDeclaration(), "in an if statement here");
        walk_children(ctx);
        return;
      case P::RuleExportDeclaration:
        if (auto *en = as<P::ExportNamedContext>(ctx)) {
          if (en->fromClause() == nullptr) {
            for (auto *sp : en->namedExports()->exportSpecifier()) {
              auto *local = sp->moduleExportName(0);
              // (a `from` clause may still follow: fixable by a continuation)
              if (local->StringLiteral() != nullptr) {
                fail(local, "string export names require 'from'", true);
                continue;
              }
              std::string n = identifier_text(local->getStart());
              if (is_reserved_word(n) || is_strict_reserved(n)) fail(local, "unexpected reserved word", true);
            }
          }
        }
        walk_children(ctx);
        return;
      default:
        walk_children(ctx);
        return;
    }
  }

  void terminal(Token *t) {
    if (!strict()) return;
    std::size_t type = t->getType();
    if (type == L::NumericLiteral) {
      if (is_legacy_octal_number(t->getText())) fail(t, "octal literals are not allowed in strict mode");
    } else if (type == L::StringLiteral) {
      if (has_octal_escape(t->getText())) fail(t, "octal escape sequences are not allowed in strict mode");
    }
  }

  void identifier(P::IdentifierContext *id) {
    Token *t = id->getStart();
    std::size_t type = t->getType();
    std::string raw = t->getText();
    if (type == L::Identifier && raw.find('\\') != std::string::npos) {
      std::string n = identifier_text(t);
      if (is_reserved_word(n) && !(n == "yield" && !strict()) && !(n == "await" && goal_ != JsConfirmOptions::Goal::Module))
        fail(t, "keyword must not contain escaped characters");
      else if (strict() && is_strict_reserved(n))
        fail(t, "unexpected strict mode reserved word");
      return;
    }
    if (strict() && type == L::Let) {
      fail(t, "unexpected strict mode reserved word", true);  // `let` may start a declaration
      return;
    }
    if (strict() && (type == L::Static || type == L::Yield || type == L::Implements ||
                     type == L::Interface || type == L::Package || type == L::Private ||
                     type == L::Protected || type == L::Public))
      fail(t, "unexpected strict mode reserved word");
  }

  void single_expression(P::SingleExpressionContext *e) {
    if (as<P::ArrowExprContext>(e) || as<P::YieldExprContext>(e)) {
      auto *parent = as<P::AssignmentExpressionContext>(e->parent);
      if (parent == nullptr || parent->singleExpression() != e)
        fail(e, as<P::ArrowExprContext>(e) ? "malformed arrow function parameter list" : "unexpected yield expression");
      return;
    }
    if (auto *pf = as<P::PostfixExprContext>(e)) {
      if (!simple_target(pf->singleExpression())) fail(pf, "invalid left-hand side expression in postfix operation");
      return;
    }
    if (auto *pr = as<P::PrefixExprContext>(e)) {
      if (!simple_target(pr->singleExpression())) fail(pr, "invalid left-hand side expression in prefix operation");
      return;
    }
    if (auto *pw = as<P::PowerExprContext>(e)) {
      auto *l = pw->singleExpression(0);
      if (as<P::UnaryExprContext>(l) || as<P::AwaitExprContext>(l))
        fail(pw->Power()->getSymbol(), "unary operator used immediately before exponentiation expression");
      return;
    }
    if (auto *co = as<P::CoalesceExprContext>(e)) {
      for (auto *x : co->singleExpression())
        if (as<P::LogicalAndExprContext>(x) || as<P::LogicalOrExprContext>(x))
          fail(co->NullCoalesce()->getSymbol(), "cannot mix ?? with && or || without parentheses");
      return;
    }
    if (auto *lo = as<P::LogicalOrExprContext>(e)) {
      for (auto *x : lo->singleExpression())
        if (as<P::CoalesceExprContext>(x)) fail(lo->Or()->getSymbol(), "cannot mix ?? with && or || without parentheses");
      return;
    }
    if (auto *la = as<P::LogicalAndExprContext>(e)) {
      for (auto *x : la->singleExpression())
        if (as<P::CoalesceExprContext>(x)) fail(la->And()->getSymbol(), "cannot mix ?? with && or || without parentheses");
      return;
    }
    if (auto *u = as<P::UnaryExprContext>(e)) {
      if (strict() && u->op->getType() == L::Delete) {
        auto *operand = u->singleExpression();
        while (true) {
          auto *p = primary_of(operand);
          if (as<P::IdentifierExprContext>(p)) {
            fail(u, "delete of an unqualified identifier in strict mode");
            break;
          }
          auto *inner = paren_single(p);
          if (inner == nullptr || plain(inner) == nullptr) break;
          operand = plain(inner);
        }
      }
      return;
    }
    if (auto *pi = as<P::PrivateInExprContext>(e)) {
      auto *rel = as<P::RelationalExprContext>(pi->parent);
      if (rel == nullptr || rel->singleExpression(0) != pi || rel->relationalOperator()->In() == nullptr)
        fail(pi, "unexpected private name");
      return;
    }
  }

  void call_expression(P::CallExpressionContext *c) {
    if (auto *oe = as<P::OptionalExprContext>(c)) {
      if (oe->optionalTail()->taggedTemplate() != nullptr) fail(oe->optionalTail(), "invalid tagged template on optional chain");
      if (as<P::NewExprContext>(oe->callExpression())) fail(oe, "invalid optional chain from new expression");
      return;
    }
    if (auto *te = as<P::TaggedTemplateExprContext>(c)) {
      if (in_optional_chain(te->callExpression())) fail(te->taggedTemplate(), "invalid tagged template on optional chain");
      return;
    }
    if (auto *ne = as<P::NewExprContext>(c)) {
      auto *operand = ne->callExpression();
      if (as<P::SuperCallExprContext>(operand) || as<P::ImportCallExprContext>(operand))
        fail(operand, "unexpected token after new");
      return;
    }
    if (auto *nt = as<P::NewTargetExprContext>(c)) {
      Token *name = nt->identifierName()->getStart();
      if (name->getText() != "target") fail(name, "unexpected token");
      else if (!fn().new_target_ok) fail(nt, "new.target expression is not allowed here");
      return;
    }
    if (auto *im = as<P::ImportMetaExprContext>(c)) {
      Token *name = im->identifierName()->getStart();
      if (name->getText() != "meta") fail(name, "unexpected token");
      else if (goal_ == JsConfirmOptions::Goal::Script) fail(im, "cannot use 'import.meta' outside a module");
      return;
    }
  }
};


}  // namespace

Problem check_early_errors(P::ProgramContext *prog, JsConfirmOptions::Goal goal) {
  Checker checker(goal);
  checker.run(prog);
  return checker.problem;
}

}  // namespace sx::jsconfirm
