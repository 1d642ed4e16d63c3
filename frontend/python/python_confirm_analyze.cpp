// Python confirm, analysis: walks a unit the parser accepted and does what
// CPython's compiler checks beyond the grammar (assignment targets, `return`
// outside a function, `nonlocal` at module level, `from __future__`
// placement, literals), finds the unit's kind and its top-level defined and
// used names (the IR's defines/uses, docs/DESIGN.md §3, §4).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "frontend/python/python_confirm_internal.h"
#include "frontend/stack_budget.h"

namespace sx::pyconfirm {
namespace {

const std::unordered_set<std::string> &future_features() {
  static const std::unordered_set<std::string> f = {
      "nested_scopes", "generators",      "division",       "absolute_import", "with_statement",
      "print_function", "unicode_literals", "barry_as_FLUFL", "generator_stop",  "annotations"};
  return f;
}

// Walks a successfully parsed unit: CPython's compile-time checks that the
// grammar leaves out, the unit's kind, defined and used names (the
// Analysis it derives from).
class Analyzer : public Analysis {
 public:
  Analyzer() = default;

  void run(P::File_inputContext *file) {
    stack_base_ = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    stack_budget_ = sx::stack_budget(stack_base_, kStackBudget);
    scopes_.push_back({Scope::Module, 0, 0});
    bool first = true;
    bool window_open = true;  // future imports still allowed within this unit
    for (auto *st : file->statement()) {
      if (first) kind = statement_kind(st);
      if (auto *ss = st->simple_stmts()) {
        for (auto *s : ss->simple_stmt()) {
          future_order(s, first, window_open);
          first = false;
        }
      } else {
        future_window = false;
        window_open = false;
        first = false;
      }
      statement(st);
    }
  }

 private:
  std::uintptr_t stack_base_ = 0, stack_budget_ = kStackBudget;
  enum class Scope { Module, Class, Function, AsyncFunction, Lambda };
  struct Frame {
    Scope scope;
    int loops;
    int genexp = 0;  // inside a generator expression (where `await` is allowed)
  };

  // ---------------------------------------------------------- helpers

  void error(ParseTree *at, const std::string &msg) { error_at(start_of(at), msg); }
  void error_at(std::size_t index, const std::string &msg) {
    if (index < error_index) {
      error_index = index;
      error_message = msg;
    }
  }
  static std::size_t start_of(ParseTree *t) {
    if (auto *c = dynamic_cast<ParserRuleContext *>(t)) return c->getStart()->getStartIndex();
    if (auto *tn = dynamic_cast<TerminalNode *>(t)) return tn->getSymbol()->getStartIndex();
    return 0;
  }
  bool module_level() const { return scopes_.back().scope == Scope::Module; }
  Scope scope() const { return scopes_.back().scope; }

  void add_define(const std::string &n) {
    if (defined_.insert(n).second) defines.push_back(n);
  }
  void add_use(const std::string &n) {
    if (used_.insert(n).second) uses.push_back(n);
  }

  // A name bound here: at module level it is a define.
  void bind(Token *t) {
    stores_.insert(t->getStartIndex());
    if (module_level()) add_define(t->getText());
  }

  UnitKind statement_kind(P::StatementContext *st) {
    if (auto *c = st->compound_stmt()) {
      if (c->funcdef() || c->async_funcdef()) return UnitKind::Function;
      if (c->classdef()) return UnitKind::Class;
      if (auto *d = c->decorated()) return d->classdef() ? UnitKind::Class : UnitKind::Function;
      return UnitKind::Control;
    }
    auto *s = st->simple_stmts()->simple_stmt(0);
    if (s->import_stmt()) return UnitKind::Import;
    if (auto *e = s->expr_stmt()) {
      if (e->annassign() || e->augassign() || !e->ASSIGN().empty()) return UnitKind::Assign;
      return UnitKind::Expr;
    }
    return UnitKind::Other;
  }

  static bool is_docstring(P::Simple_stmtContext *s) {
    auto *e = s->expr_stmt();
    if (!e || e->annassign() || e->augassign() || !e->ASSIGN().empty()) return false;
    Node n = classify(e->star_expressions());
    if (n.shape != Shape::Literal) return false;
    auto *atom = dynamic_cast<P::AtomContext *>(n.tree);
    if (!atom || atom->STRING().empty()) return false;
    for (auto *s2 : atom->STRING())
      if (string_info(s2->getText()).bytes) return false;
    return true;
  }

  static bool is_future_import(P::Simple_stmtContext *s) {
    auto *i = s->import_stmt();
    if (!i || !i->import_from()) return false;
    auto *f = i->import_from();
    return !f->relative_dots() && f->dotted_name() && f->dotted_name()->getText() == "__future__";
  }

  void future_order(P::Simple_stmtContext *s, bool first, bool &window_open) {
    bool fut = is_future_import(s);
    if (first && is_docstring(s)) {
      leading_docstring = true;
      return;
    }
    if (fut) {
      if (!has_future) {
        has_future = true;
        future_index = start_of(s);
      }
      if (!window_open) error(s, "from __future__ imports must occur at the beginning of the file");
      return;
    }
    window_open = false;
    future_window = false;
  }

  // ---------------------------------------------------------- statements

  void statement(P::StatementContext *st) {
    if (auto *c = st->compound_stmt()) compound(c);
    else simple_stmts(st->simple_stmts());
  }

  void simple_stmts(P::Simple_stmtsContext *ss) {
    for (auto *s : ss->simple_stmt()) simple(s);
  }

  void block(P::BlockContext *b) {
    if (auto *ss = b->simple_stmts()) simple_stmts(ss);
    else
      for (auto *st : b->statement()) statement(st);
  }

  void loop_block(P::BlockContext *b) {
    ++scopes_.back().loops;
    block(b);
    --scopes_.back().loops;
  }

  void simple(P::Simple_stmtContext *s) {
    if (auto *e = s->expr_stmt()) return expr_stmt(e);
    if (auto *r = s->return_stmt()) {
      if (scope() != Scope::Function && scope() != Scope::AsyncFunction) error(r, "'return' outside function");
      if (auto *v = r->star_expressions()) no_bare_star(v);
      return walk(r);
    }
    if (auto *i = s->import_stmt()) return import(i);
    if (auto *b = s->break_stmt()) {
      if (scopes_.back().loops == 0) error(b, "'break' outside loop");
      return;
    }
    if (auto *c = s->continue_stmt()) {
      if (scopes_.back().loops == 0) error(c, "'continue' not properly in loop");
      return;
    }
    if (auto *n = s->nonlocal_stmt()) {
      if (module_level()) error(n, "nonlocal declaration not allowed at module level");
      return;
    }
    if (auto *d = s->del_stmt()) {
      store_target(d->target_list(), Target::Del);
      return walk(d);
    }
    return walk(s);  // raise, pass, yield, assert, global
  }

  void expr_stmt(P::Expr_stmtContext *e) {
    auto *lhs = e->star_expressions();
    if (auto *ann = e->annassign()) {
      Node n = classify(lhs);
      if (n.shape == Shape::Tuple) error(lhs, "only single target (not tuple) can be annotated");
      else if (n.shape == Shape::List) error(lhs, "only single target (not list) can be annotated");
      else if (n.shape == Shape::Name) {
        stores_.insert(n.name->getStartIndex());
        if (ann->ASSIGN() && module_level()) add_define(n.name->getText());
      } else if (n.shape != Shape::Attribute && n.shape != Shape::Subscript)
        error(lhs, "illegal target for annotation");
      if (auto *rhs = ann->assign_rhs()) rhs_check(rhs);
    } else if (auto *aug = e->augassign()) {
      (void)aug;
      Node n = classify(lhs);
      if (n.shape == Shape::Name) {
        if (module_level()) add_define(n.name->getText());
        // also read: stays a use
      } else if (n.shape != Shape::Attribute && n.shape != Shape::Subscript) {
        error(lhs, std::string("'") + shape_name(n.shape) + "' is an illegal expression for augmented assignment");
      }
      rhs_check(e->assign_rhs(0));
    } else if (!e->ASSIGN().empty()) {
      auto rhs = e->assign_rhs();
      store_target(lhs, Target::Assign);
      for (std::size_t i = 0; i + 1 < rhs.size(); ++i) {
        if (rhs[i]->yield_expr()) error(rhs[i], "assignment to yield expression not possible");
        else store_target(rhs[i]->star_expressions(), Target::Assign);
      }
      rhs_check(rhs.back());
    } else {
      no_bare_star(lhs);
    }
    walk(e);
  }

  void rhs_check(P::Assign_rhsContext *r) {
    if (auto *s = r->star_expressions()) no_bare_star(s);
  }

  // `*a` alone (no comma) where a value is needed.
  void no_bare_star(P::Star_expressionsContext *s) {
    if (s->COMMA().empty() && s->star_expression().size() == 1 && s->star_expression(0)->STAR())
      error(s, "can't use starred expression here");
  }

  enum class Target { Assign, Del, Local };

  void store_target(ParseTree *t, Target mode) {
    Node n = classify(t);
    switch (n.shape) {
      case Shape::Name: {
        std::string name = n.name->getText();
        if (name == "__debug__")
          error(t, mode == Target::Del ? "cannot delete __debug__" : "cannot assign to __debug__");
        if (mode == Target::Del) stores_.insert(n.name->getStartIndex());
        else if (mode == Target::Local) stores_.insert(n.name->getStartIndex());
        else bind(n.name);
        return;
      }
      case Shape::Attribute:
      case Shape::Subscript:
        return;
      case Shape::Tuple:
      case Shape::List: {
        int stars = 0;
        for (auto *el : n.elts) {
          Node en = classify(el);
          if (en.shape == Shape::Starred) {
            if (mode == Target::Del) {
              error(el, "cannot delete starred");
              continue;
            }
            if (++stars > 1) error(el, "multiple starred expressions in assignment");
            store_target(en.inner, mode);
          } else {
            store_target(el, mode);
          }
        }
        return;
      }
      case Shape::Starred:
        if (mode == Target::Del) error(t, "cannot delete starred");
        else error(t, "starred assignment target must be in a list or tuple");
        return;
      default:
        error(n.tree, std::string(mode == Target::Del ? "cannot delete " : "cannot assign to ") +
                          shape_name(n.shape));
        return;
    }
  }

  void import(P::Import_stmtContext *i) {
    if (auto *in = i->import_name()) {
      for (auto *d : in->dotted_as_names()->dotted_as_name()) {
        if (d->name()) add_define_if_module(d->name()->getText());
        else add_define_if_module(d->dotted_name()->name(0)->getText());
      }
      return;
    }
    auto *f = i->import_from();
    auto *t = f->import_from_targets();
    bool future = !f->relative_dots() && f->dotted_name() && f->dotted_name()->getText() == "__future__";
    if (t->STAR()) {
      if (future) error(t, "future feature * is not defined");
      return;
    }
    for (auto *a : t->import_as_names()->import_as_name()) {
      std::string feature = a->name(0)->getText();
      if (future) {
        if (feature == "braces") error(a, "not a chance");
        else if (!future_features().count(feature)) error(a, "future feature " + feature + " is not defined");
      }
      add_define_if_module(a->name().size() > 1 ? a->name(1)->getText() : feature);
    }
  }

  void add_define_if_module(const std::string &n) {
    if (module_level()) add_define(n);
  }

  void compound(P::Compound_stmtContext *c) {
    if (auto *s = c->if_stmt()) {
      walk(s->named_expression());
      block(s->block());
      for (auto *e : s->elif_clause()) {
        walk(e->named_expression());
        block(e->block());
      }
      if (auto *e = s->else_clause()) block(e->block());
    } else if (auto *s = c->while_stmt()) {
      walk(s->named_expression());
      loop_block(s->block());
      if (auto *e = s->else_clause()) block(e->block());
    } else if (auto *s = c->for_stmt()) {
      for_stmt(s);
    } else if (auto *s = c->try_stmt()) {
      block(s->block());
      auto ex = s->except_clause();
      for (std::size_t i = 0; i < ex.size(); ++i) {
        if (!ex[i]->expression() && i + 1 < ex.size()) error(ex[i], "default 'except:' must be last");
        if (ex[i]->expression()) walk(ex[i]->expression());
        if (ex[i]->name()) bind(ex[i]->name()->getStart());
        block(ex[i]->block());
      }
      for (auto *e : s->except_star_clause()) {
        walk(e->expression());
        if (e->name()) bind(e->name()->getStart());
        block(e->block());
      }
      if (auto *e = s->else_clause()) block(e->block());
      if (auto *f = s->finally_clause()) block(f->block());
    } else if (auto *s = c->with_stmt()) {
      with_stmt(s);
    } else if (auto *s = c->funcdef()) {
      funcdef(s, false);
    } else if (auto *s = c->classdef()) {
      classdef(s);
    } else if (auto *s = c->decorated()) {
      for (auto *d : s->decorator()) walk(d->named_expression());
      if (s->classdef()) classdef(s->classdef());
      else if (s->funcdef()) funcdef(s->funcdef(), false);
      else funcdef(s->async_funcdef()->funcdef(), true);
    } else if (auto *s = c->async_funcdef()) {
      funcdef(s->funcdef(), true);
    } else if (auto *s = c->async_stmt()) {
      if (scope() != Scope::AsyncFunction)
        error(s, s->for_stmt() ? "'async for' outside async function" : "'async with' outside async function");
      if (s->for_stmt()) for_stmt(s->for_stmt());
      else with_stmt(s->with_stmt());
    } else if (auto *s = c->match_stmt()) {
      match_stmt(s);
    }
  }

  void for_stmt(P::For_stmtContext *s) {
    store_target(s->target_list(), Target::Assign);
    walk(s->target_list());
    no_bare_star(s->star_expressions());
    walk(s->star_expressions());
    loop_block(s->block());
    if (auto *e = s->else_clause()) block(e->block());
  }

  void with_stmt(P::With_stmtContext *s) {
    for (auto *w : s->with_item()) {
      if (w->target()) {
        store_target(w->target(), Target::Assign);
        walk(w->target());
      }
      walk(w->expression());
    }
    block(s->block());
  }

  template <typename Param>
  void check_parameters(const std::vector<Param *> &ps, bool lambda) {
    std::unordered_set<std::string> seen;
    bool seen_slash = false, seen_star = false, bare_pending = false, seen_kwargs = false, seen_default = false;
    ParseTree *bare_at = nullptr;
    auto dup = [&](P::NameContext *n) {
      if (!n) return;
      if (!seen.insert(n->getText()).second)
        error(n, "duplicate argument '" + n->getText() + "' in function definition");
    };
    for (std::size_t i = 0; i < ps.size(); ++i) {
      Param *p = ps[i];
      if (seen_kwargs) error(p, "arguments cannot follow var-keyword argument");
      if (p->SLASH()) {
        if (i == 0) error(p, "at least one argument must precede /");
        else if (seen_slash) error(p, "/ may appear only once");
        else if (seen_star) error(p, "/ must be ahead of *");
        seen_slash = true;
      } else if (p->DSTAR()) {
        if (bare_pending) error(bare_at, "named arguments must follow bare *");
        bare_pending = false;
        seen_kwargs = true;
        dup(p->name());
      } else if (p->STAR()) {
        if (seen_star) error(p, "* argument may appear only once");
        seen_star = true;
        bare_pending = !p->name();
        bare_at = p;
        dup(p->name());
      } else {
        dup(p->name());
        if (seen_star) {
          bare_pending = false;
        } else if (p->ASSIGN()) {
          seen_default = true;
        } else if (seen_default) {
          error(p, "non-default argument follows default argument");
        }
      }
    }
    if (bare_pending) error(bare_at, "named arguments must follow bare *");
    (void)lambda;
  }

  void funcdef(P::FuncdefContext *f, bool is_async) {
    bind(f->name()->getStart());
    if (auto *ps = f->parameters()) {
      check_parameters(ps->parameter(), false);
      for (auto *p : ps->parameter()) {
        if (p->expression()) walk(p->expression());
        if (p->annotation()) walk(p->annotation());
        if (p->star_annotation()) walk(p->star_annotation());
      }
    }
    if (f->expression()) walk(f->expression());
    std::vector<std::string> params;
    if (auto *ps = f->parameters())
      for (auto *p : ps->parameter())
        if (p->name()) params.push_back(p->name()->getText());
    scopes_.push_back({is_async ? Scope::AsyncFunction : Scope::Function, 0, 0});
    push_locals(params);
    block(f->block());
    pop_locals(params);
    scopes_.pop_back();
  }

  void classdef(P::ClassdefContext *c) {
    bind(c->name()->getStart());
    if (auto *a = c->arguments()) {
      for (auto *arg : a->argument())
        if (arg->comp_for()) error(arg->comp_for(), "invalid syntax");
      walk(a);
    }
    scopes_.push_back({Scope::Class, 0, 0});
    block(c->block());
    scopes_.pop_back();
  }

  // ---------------------------------------------------------- match

  void match_stmt(P::Match_stmtContext *m) {
    auto *subj = m->subject_expr();
    if (subj->COMMA().empty() && subj->star_named_expression(0)->STAR())
      error(subj, "can't use starred expression here");
    walk(subj);
    for (auto *cb : m->case_block()) {
      patterns(cb->patterns());
      if (cb->guard()) walk(cb->guard());
      block(cb->block());
    }
  }

  void patterns(P::PatternsContext *ps, bool in_brackets = false) {
    auto items = ps->maybe_star_pattern();
    if (!in_brackets && items.size() == 1 && ps->COMMA().empty() && items[0]->STAR())
      error(items[0], "invalid syntax");
    int stars = 0;
    for (auto *it : items) {
      if (it->STAR()) {
        if (++stars > 1) error(it, "multiple starred names in sequence pattern");
        capture(it->name());
      } else {
        pattern(it->pattern());
      }
    }
  }

  void capture(P::NameContext *n) {
    if (n->getText() != "_") bind(n->getStart());
  }

  void pattern(P::PatternContext *p) {
    for (auto *c : p->or_pattern()->closed_pattern()) closed_pattern(c);
    if (p->name()) capture(p->name());
  }

  void closed_pattern(P::Closed_patternContext *c) {
    if (auto *na = c->name_or_attr()) {
      bool is_class = c->LPAR() != nullptr;
      if (na->name().size() > 1 || is_class) add_use(na->name(0)->getText());
      else capture(na->name(0));
      if (auto *args = c->pattern_arguments()) {
        std::unordered_set<std::string> kw;
        bool seen_kw = false;
        for (auto *a : args->pattern_argument()) {
          if (a->name()) {
            seen_kw = true;
            if (!kw.insert(a->name()->getText()).second)
              error(a, "attribute name repeated in class pattern: " + a->name()->getText());
          } else if (seen_kw) {
            error(a, "positional patterns follow keyword patterns");
          }
          pattern(a->pattern());
        }
      }
    } else if (auto *ps = c->patterns()) {
      patterns(ps, c->LSQB() != nullptr);
    } else if (auto *mi = c->mapping_items()) {
      auto items = mi->mapping_item();
      for (std::size_t i = 0; i < items.size(); ++i) {
        auto *it = items[i];
        if (it->DSTAR()) {
          if (i + 1 < items.size()) error(items[i + 1], "invalid syntax");
          capture(it->name());
          continue;
        }
        if (auto *key = it->name_or_attr()) {
          if (key->name().size() < 2) error(key, "mapping pattern keys may only match literals and attribute lookups");
          else add_use(key->name(0)->getText());
        }
        pattern(it->pattern());
      }
    }
  }

  // ---------------------------------------------------------- expressions

  void check_arguments(P::ArgumentsContext *a) {
    auto args = a->argument();
    bool seen_kw = false, seen_dstar = false;
    std::unordered_set<std::string> kw;
    for (auto *arg : args) {
      if (arg->comp_for() && (args.size() > 1 || !a->COMMA().empty()))
        error(arg, "Generator expression must be parenthesized");
      if (arg->DSTAR()) {
        seen_dstar = true;
      } else if (arg->STAR()) {
        if (seen_dstar) error(arg, "iterable argument unpacking follows keyword argument unpacking");
      } else if (arg->ASSIGN()) {
        std::string n = arg->name()->getText();
        if (!kw.insert(n).second) error(arg, "keyword argument repeated: " + n);
        seen_kw = true;
      } else {
        if (seen_dstar) error(arg, "positional argument follows keyword argument unpacking");
        else if (seen_kw) error(arg, "positional argument follows keyword argument");
      }
    }
  }

  // Names bound by the `for` clauses of a comprehension.
  void comp_names(P::Comp_forContext *cf, std::vector<std::string> &out) {
    for (; cf;) {
      collect_target_names(cf->target_list(), out);
      auto *it = cf->comp_iter();
      cf = nullptr;
      while (it) {
        if (it->comp_for()) {
          cf = it->comp_for();
          break;
        }
        it = it->comp_if()->comp_iter();
      }
    }
  }
  void collect_target_names(ParseTree *t, std::vector<std::string> &out) {
    Node n = classify(t);
    if (n.shape == Shape::Name) out.push_back(n.name->getText());
    else if (n.shape == Shape::Starred) collect_target_names(n.inner, out);
    else if (n.shape == Shape::Tuple || n.shape == Shape::List)
      for (auto *e : n.elts) collect_target_names(e, out);
  }

  // A generator expression (`genexp`) may be asynchronous anywhere; list,
  // set and dict comprehensions only inside `async def`. The first iterable
  // is evaluated in the enclosing scope.
  void comprehension(P::Comp_forContext *cf, bool genexp, std::vector<ParseTree *> element) {
    std::vector<std::string> names;
    comp_names(cf, names);
    walk(cf->disjunction());
    push_locals(names);
    if (genexp) ++scopes_.back().genexp;
    for (auto *e : element) walk(e);
    for (P::Comp_forContext *c = cf; c;) {
      if (c->ASYNC() && !genexp && scope() != Scope::AsyncFunction)
        error(c, "asynchronous comprehension outside of an asynchronous function");
      store_target(c->target_list(), Target::Local);
      walk(c->target_list());
      if (c != cf) walk(c->disjunction());
      auto *it = c->comp_iter();
      c = nullptr;
      while (it) {
        if (it->comp_for()) {
          c = it->comp_for();
          break;
        }
        walk(it->comp_if()->disjunction());
        it = it->comp_if()->comp_iter();
      }
    }
    if (genexp) --scopes_.back().genexp;
    pop_locals(names);
  }

  void push_locals(const std::vector<std::string> &names) {
    for (auto &n : names) ++local_[n];
  }
  void pop_locals(const std::vector<std::string> &names) {
    for (auto &n : names)
      if (--local_[n] == 0) local_.erase(n);
  }

  void walk(ParseTree *t) {
    auto *ctx = dynamic_cast<ParserRuleContext *>(t);
    if (!ctx) return;
    // The tree can be as deep as GuardedParser allowed, and a walk frame is
    // not smaller than a parser frame: same budget here (fuzz regression).
    auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    if (stack_base_ > here && stack_base_ - here > stack_budget_) {
      error(t, "too many nested expressions");
      return;
    }
    switch (ctx->getRuleIndex()) {
      case P::RuleAtom: return atom(static_cast<P::AtomContext *>(ctx));
      case P::RulePrimary: return primary(static_cast<P::PrimaryContext *>(ctx));
      case P::RuleNamed_expression: {
        auto *c = static_cast<P::Named_expressionContext *>(ctx);
        if (c->WALRUS()) {
          auto *tok = c->name()->getStart();
          stores_.insert(tok->getStartIndex());
          if (module_level()) add_define(tok->getText());
        }
        break;
      }
      case P::RuleSlice: {
        auto *c = static_cast<P::SliceContext *>(ctx);
        if (c->WALRUS()) {
          auto *tok = c->name()->getStart();
          stores_.insert(tok->getStartIndex());
          if (module_level()) add_define(tok->getText());
        }
        break;
      }
      case P::RuleArgument: {
        auto *c = static_cast<P::ArgumentContext *>(ctx);
        if (c->WALRUS()) {
          auto *tok = c->name()->getStart();
          stores_.insert(tok->getStartIndex());
          if (module_level()) add_define(tok->getText());
        }
        if (c->comp_for()) return comprehension(c->comp_for(), true, {c->expression()});
        break;
      }
      case P::RuleArguments:
        check_arguments(static_cast<P::ArgumentsContext *>(ctx));
        break;
      case P::RuleYield_expr:
        if (scope() != Scope::Function && scope() != Scope::AsyncFunction && scope() != Scope::Lambda)
          error(ctx, "'yield' outside function");
        else if (auto *s = static_cast<P::Yield_exprContext *>(ctx)->star_expressions())
          no_bare_star(s);
        break;
      case P::RuleAwait_primary:
        if (static_cast<P::Await_primaryContext *>(ctx)->AWAIT() && scopes_.back().genexp == 0) {
          Scope s = scope();
          if (s == Scope::Module || s == Scope::Class) error(ctx, "'await' outside function");
          else if (s != Scope::AsyncFunction) error(ctx, "'await' outside async function");
        }
        break;
      case P::RuleLambdef: {
        auto *l = static_cast<P::LambdefContext *>(ctx);
        if (auto *ps = l->lambda_parameters()) {
          check_parameters(ps->lambda_parameter(), true);
          for (auto *p : ps->lambda_parameter())
            if (p->expression()) walk(p->expression());
        }
        std::vector<std::string> params;
        if (auto *ps = l->lambda_parameters())
          for (auto *p : ps->lambda_parameter())
            if (p->name()) params.push_back(p->name()->getText());
        scopes_.push_back({Scope::Lambda, 0, 0});
        push_locals(params);
        walk(l->expression());
        pop_locals(params);
        scopes_.pop_back();
        return;
      }
      default:
        break;
    }
    for (auto *ch : ctx->children) walk(ch);
  }

  void atom(P::AtomContext *a) {
    if (auto *n = a->name()) {
      Token *t = n->getStart();
      if (!stores_.count(t->getStartIndex()) && !local_.count(t->getText())) add_use(t->getText());
      return;
    }
    auto strs = a->STRING();
    if (!strs.empty()) {
      bool any_bytes = false, any_text = false;
      for (auto *s : strs) {
        StringInfo si = string_info(s->getText());
        (si.bytes ? any_bytes : any_text) = true;
        if (si.bytes && si.non_ascii) error(s, "bytes can only contain ASCII literal characters");
        std::string esc = bad_escape(s->getText(), si);
        if (esc.empty() && si.fstring) esc = bad_fstring(s->getText(), si);
        if (!esc.empty()) error(s, esc);
      }
      if (any_bytes && any_text) error(strs[0], "cannot mix bytes and nonbytes literals");
      return;
    }
    if (auto *tc = a->testlist_comp()) {
      if (auto *cf = tc->comp_for()) {
        auto *first = tc->star_named_expression(0);
        if (first->STAR()) error(first, "iterable unpacking cannot be used in comprehension");
        return comprehension(cf, a->LPAR() != nullptr, {first});
      }
    }
    if (auto *d = a->dictorsetmaker()) {
      if (auto *cf = d->comp_for()) {
        std::vector<ParseTree *> el;
        if (!d->dict_item().empty()) {
          auto *it = d->dict_item(0);
          if (it->DSTAR()) error(it, "dict unpacking cannot be used in dict comprehension");
          el.push_back(it);
        } else {
          auto *first = d->star_named_expression(0);
          if (first->STAR()) error(first, "iterable unpacking cannot be used in comprehension");
          el.push_back(first);
        }
        return comprehension(cf, false, el);
      }
    }
    for (auto *ch : a->children) walk(ch);
  }

  void primary(P::PrimaryContext *p) {
    auto tr = p->trailer();
    auto *name = p->atom()->name();
    if (name && !tr.empty() && !stores_.count(name->getStart()->getStartIndex())) {
      std::string path = name->getText();
      std::size_t i = 0;
      while (i < tr.size() && tr[i]->DOT()) path += "." + tr[i++]->name()->getText();
      if (i > 0 && i < tr.size() && tr[i]->LPAR()) add_use(path);
    }
    for (auto *ch : p->children) walk(ch);
  }

  std::vector<Frame> scopes_;
  std::unordered_set<std::size_t> stores_;  // start indices of NAME tokens that are bound, not read
  std::unordered_map<std::string, int> local_;  // comprehension variables in scope
  std::unordered_set<std::string> defined_, used_;
};

}  // namespace

Analysis analyze(P::File_inputContext *file) {
  Analyzer an;
  an.run(file);
  return std::move(static_cast<Analysis &>(an));
}

}  // namespace sx::pyconfirm
