// Reference top-level spans of C++ programs, computed by clang 19 itself, for
// the C++ chunker conformance harness (tests/conformance/conformance.cpp).
// Built and run by tests/conformance/cpp_reference_spans.sh.
//
// Method (why these spans can be trusted):
//  1. The whole program is parsed by clang::Interpreter::Parse (clang-repl's
//     own incremental parser, C++20, incremental extensions on). Top-level
//     statements become TopLevelStmtDecls, declarations their usual Decls; the
//     PartialTranslationUnit lists exactly the top-level items of this input.
//     Only decls written in the input buffer are kept (headers are skipped);
//     macro-expanded decls use their expansion range.
//  2. Each decl's range is [first token, end of last token]. Items that end
//     with ';' (variables, classes, expression statements, do-while, using,
//     static_assert ...) but whose range stops before it are extended to the
//     next ';' at bracket depth 0 (clang's raw tokens) before the next item;
//     never after a function body, namespace, extern "C" {}, block, or a
//     statement whose last sub-statement is a block/try.
//  3. Decl ranges that overlap (int a, b;  struct S {...} s;) are merged.
//     Tokens that no decl range covers are attached to the next item
//     (leading attributes, template<> heads), or, when they end with a ';'
//     at depth 0, form an item of their own (clang keeps no decl for an
//     explicit instantiation of a function template).
//  4. Preprocessor directives come from clang's raw lexer: '#' at the start of
//     a line up to the last token of its logical line ('\' continuation
//     handled by clang). An #if/#ifdef/#ifndef ... #endif group is one item
//     (clang-repl cannot take an unterminated conditional), and so is
//     anything that overlaps it.
//  5. Acceptance: the items are then parsed one by one, in order, by a fresh
//     Interpreter — each must be accepted as a complete clang-repl input.
//
// Output: one line per file, "<file name> <begin>-<end> ...", byte offsets,
// end exclusive. Files that clang rejects are reported on stderr and the
// exit status is 1.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Stmt.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Interpreter/Interpreter.h"
#include "clang/Interpreter/PartialTranslationUnit.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/TargetSelect.h"

using namespace clang;

namespace {

struct Item {
  unsigned b, e;
  bool needs_semi;
};

std::unique_ptr<Interpreter> make_interp() {
  IncrementalCompilerBuilder CB;
  CB.SetCompilerArgs({"-std=c++20", "-w", "-Xclang", "-fsyntax-only"});
  auto CI = CB.CreateCpp();
  if (!CI) {
    llvm::logAllUnhandledErrors(CI.takeError(), llvm::errs(), "CreateCpp: ");
    return nullptr;
  }
  auto I = Interpreter::create(std::move(*CI));
  if (!I) {
    llvm::logAllUnhandledErrors(I.takeError(), llvm::errs(), "Interpreter: ");
    return nullptr;
  }
  return std::move(*I);
}

// Does the statement end with a block (no ';' follows it)?
bool stmt_needs_semi(const Stmt *S) {
  while (S) {
    if (isa<CompoundStmt>(S) || isa<CXXTryStmt>(S) || isa<NullStmt>(S)) return false;
    if (auto *I = dyn_cast<IfStmt>(S)) { S = I->getElse() ? I->getElse() : I->getThen(); continue; }
    if (auto *F = dyn_cast<ForStmt>(S)) { S = F->getBody(); continue; }
    if (auto *F = dyn_cast<CXXForRangeStmt>(S)) { S = F->getBody(); continue; }
    if (auto *W = dyn_cast<WhileStmt>(S)) { S = W->getBody(); continue; }
    if (auto *W = dyn_cast<SwitchStmt>(S)) { S = W->getBody(); continue; }
    if (auto *L = dyn_cast<LabelStmt>(S)) { S = L->getSubStmt(); continue; }
    if (auto *A = dyn_cast<AttributedStmt>(S)) { S = A->getSubStmt(); continue; }
    return true;  // expression, do-while, return, break, declaration statement ...
  }
  return true;
}

bool decl_needs_semi(const Decl *D) {
  if (auto *T = dyn_cast<TopLevelStmtDecl>(D)) return stmt_needs_semi(T->getStmt());
  if (auto *FT = dyn_cast<FunctionTemplateDecl>(D)) D = FT->getTemplatedDecl();
  if (auto *F = dyn_cast<FunctionDecl>(D)) return !F->doesThisDeclarationHaveABody();
  if (isa<NamespaceDecl>(D)) return false;
  if (auto *L = dyn_cast<LinkageSpecDecl>(D)) {
    if (L->hasBraces()) return false;
    for (auto *Inner : L->decls()) return decl_needs_semi(Inner);
    return true;
  }
  if (isa<EmptyDecl>(D)) return false;
  return true;
}

struct RawTok {
  unsigned b, e;
  bool semi, open, close;
};

bool analyse(const std::string &name, const std::string &text, std::vector<Item> &out) {
  auto I = make_interp();
  if (!I) return false;
  auto PTU = I->Parse(text);
  if (!PTU) {
    std::string msg;
    llvm::handleAllErrors(PTU.takeError(), [&](const llvm::ErrorInfoBase &E) { msg = E.message(); });
    std::cerr << name << ": clang rejects the whole program: " << msg << "\n";
    return false;
  }
  CompilerInstance *CI = I->getCompilerInstance();
  SourceManager &SM = CI->getSourceManager();
  const LangOptions &LO = CI->getLangOpts();

  FileID fid;
  std::vector<Item> items;
  for (Decl *D : PTU->TUPart->decls()) {
    if (D->isImplicit()) continue;
    SourceRange R = D->getSourceRange();
    if (auto *T = dyn_cast<TopLevelStmtDecl>(D); T && T->getStmt()) R = T->getStmt()->getSourceRange();
    // abbreviated function templates (auto f(C auto x)) have no template loc
    if (auto *FT = dyn_cast<FunctionTemplateDecl>(D); FT && R.getBegin().isInvalid())
      R = FT->getTemplatedDecl()->getSourceRange();
    if (R.isInvalid()) {
      std::cerr << name << ": a top-level decl without source range\n";
      continue;
    }
    CharSourceRange ER = SM.getExpansionRange(R);
    SourceLocation B = ER.getBegin(), E = ER.getEnd();
    if (!SM.getBufferName(B).starts_with("input_line_")) continue;
    if (fid.isInvalid()) fid = SM.getFileID(B);
    if (SM.getFileID(B) != fid || SM.getFileID(E) != fid) continue;
    unsigned b = SM.getFileOffset(B);
    unsigned e = SM.getFileOffset(Lexer::getLocForEndOfToken(E, 0, SM, LO));
    if (e > text.size()) e = static_cast<unsigned>(text.size());
    items.push_back({b, e, decl_needs_semi(D)});
  }

  // raw tokens of the program text (comments dropped), directive lines apart
  std::vector<RawTok> toks;
  std::vector<Item> directives;  // with #if groups merged
  {
    Lexer L(SourceLocation(), LO, text.data(), text.data(), text.data() + text.size());
    L.SetCommentRetentionState(false);
    Token T;
    std::vector<std::pair<unsigned, int>> cond;  // start of open #if groups
    bool in_dir = false;
    unsigned dir_b = 0, dir_e = 0;
    std::string dir_name;
    bool want_name = false;
    auto end_dir = [&]() {
      if (!in_dir) return;
      in_dir = false;
      if (dir_name == "if" || dir_name == "ifdef" || dir_name == "ifndef") {
        cond.push_back({dir_b, 0});
      } else if (dir_name == "endif" && !cond.empty()) {
        unsigned gb = cond.back().first;
        cond.pop_back();
        if (cond.empty()) directives.push_back({gb, dir_e, false});
      } else if (cond.empty()) {
        directives.push_back({dir_b, dir_e, false});
      }
    };
    for (;;) {
      L.LexFromRawLexer(T);
      if (T.is(tok::eof)) break;
      // the lexer was given an empty file location, so a token's raw
      // location encoding is its offset in `text`
      unsigned b = static_cast<unsigned>(T.getLocation().getRawEncoding());
      unsigned e = b + T.getLength();
      if (T.isAtStartOfLine()) end_dir();
      if (T.is(tok::hash) && T.isAtStartOfLine()) {
        in_dir = true;
        dir_b = b;
        dir_e = e;
        dir_name.clear();
        want_name = true;
        continue;
      }
      if (in_dir) {
        if (want_name && T.is(tok::raw_identifier)) dir_name = T.getRawIdentifier().str();
        want_name = false;
        dir_e = e;
        continue;
      }
      toks.push_back({b, e, T.is(tok::semi), T.isOneOf(tok::l_paren, tok::l_square, tok::l_brace),
                      T.isOneOf(tok::r_paren, tok::r_square, tok::r_brace)});
    }
    end_dir();
  }

  std::sort(items.begin(), items.end(), [](const Item &a, const Item &b) { return a.b < b.b || (a.b == b.b && a.e > b.e); });
  // merge overlapping decls first (int a, b;)
  std::vector<Item> merged;
  for (auto &it : items) {
    if (!merged.empty() && it.b < merged.back().e) {
      if (it.e >= merged.back().e) {
        merged.back().needs_semi = it.needs_semi;
        merged.back().e = it.e;
      }
      continue;
    }
    merged.push_back(it);
  }
  // A declaration or statement that clang's range leaves open ends at the next
  // ';' at bracket depth 0 (ranges stop before the ';', and for some
  // declarations — e.g. templates with a trailing return type — even earlier),
  // unless another item starts first.
  for (std::size_t k = 0; k < merged.size(); ++k) {
    Item &it = merged[k];
    if (!it.needs_semi) continue;
    unsigned limit = k + 1 < merged.size() ? merged[k + 1].b : static_cast<unsigned>(text.size());
    int depth = 0;
    for (auto &t : toks) {
      if (t.b < it.e) continue;
      if (t.b >= limit) break;
      if (t.open) ++depth;
      if (t.close) --depth;
      if (depth < 0) break;
      if (t.semi && depth == 0) {
        it.e = t.e;
        break;
      }
    }
  }
  // add directive items, merge anything overlapping a directive/#if group
  for (auto &d : directives) merged.push_back(d);
  std::sort(merged.begin(), merged.end(), [](const Item &a, const Item &b) { return a.b < b.b; });
  std::vector<Item> all;
  for (auto &it : merged) {
    if (!all.empty() && it.b < all.back().e) {
      all.back().e = std::max(all.back().e, it.e);
      continue;
    }
    all.push_back(it);
  }
  // Tokens no decl covers: a run ending in ';' at depth 0 is an item of its
  // own (clang keeps no decl for e.g. explicit instantiations of function
  // templates); the rest (leading attributes, template<> heads) belongs to
  // the next item.
  {
    auto covered = [&](const RawTok &t) {
      for (auto &it : all)
        if (it.b <= t.b && t.b < it.e) return true;
      return false;
    };
    std::vector<Item> extra;
    bool open = false;
    unsigned run_b = 0;
    int depth = 0;
    for (auto &t : toks) {
      if (covered(t)) {
        if (open) {  // an unfinished run touching an item: attach to it
          for (auto &it : all)
            if (it.b <= t.b && t.b < it.e) it.b = std::min(it.b, run_b);
          open = false;
        }
        continue;
      }
      if (!open) {
        open = true;
        run_b = t.b;
        depth = 0;
      }
      if (t.open) ++depth;
      if (t.close) --depth;
      if (t.semi && depth == 0) {
        extra.push_back({run_b, t.e, false});
        open = false;
      }
    }
    if (open) {
      std::cerr << name << ": tokens at " << run_b << ".. belong to no item\n";
      extra.push_back({run_b, toks.back().e, false});
    }
    for (auto &x : extra) all.push_back(x);
  }
  // merge again (attachment can make items touch)
  std::sort(all.begin(), all.end(), [](const Item &a, const Item &b) { return a.b < b.b; });
  out.clear();
  for (auto &it : all) {
    if (!out.empty() && it.b < out.back().e) {
      out.back().e = std::max(out.back().e, it.e);
      continue;
    }
    out.push_back(it);
  }
  return true;
}

// Each item must be accepted on its own, in order, by clang-repl.
bool accept_items(const std::string &name, const std::string &text, const std::vector<Item> &items) {
  auto I = make_interp();
  if (!I) return false;
  for (std::size_t k = 0; k < items.size(); ++k) {
    std::string code = text.substr(items[k].b, items[k].e - items[k].b);
    auto PTU = I->Parse(code);
    if (!PTU) {
      std::string msg;
      llvm::handleAllErrors(PTU.takeError(), [&](const llvm::ErrorInfoBase &E) { msg = E.message(); });
      std::cerr << name << ": clang-repl rejects item " << k << " [" << items[k].b << "," << items[k].e
                << ") on its own: " << msg << "\n--\n" << code << "\n--\n";
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  bool check_items = true;
  int status = 0;
  for (int a = 1; a < argc; ++a) {
    std::string path = argv[a];
    if (path == "--no-item-check") {
      check_items = false;
      continue;
    }
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string text = ss.str();
    std::string name = path.substr(path.find_last_of('/') + 1);
    std::vector<Item> items;
    if (!analyse(name, text, items) || (check_items && !accept_items(name, text, items))) {
      status = 1;
      continue;
    }
    std::cout << name;
    for (auto &it : items) std::cout << " " << it.b << "-" << it.e;
    std::cout << "\n" << std::flush;
  }
  return status;
}
