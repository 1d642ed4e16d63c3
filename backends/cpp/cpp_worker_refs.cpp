// The C++ worker, function references: the functions a function definition
// uses, implicit calls included (constructors, destructors of temporaries,
// locals, members and bases, operator new/delete) — what must be linked
// before it, and the template instantiations to hand to CodeGen.
#include "backends/cpp/cpp_worker_internal.h"

#include <vector>

// GCC 12 inlines RecursiveASTVisitor's traversal of a record's bases here and
// then warns that clang::LazyOffsetPtr::get may be called on a null source
// (-Wnonnull, in clang's header): a false positive — the pointer is only
// used when the offset is lazy, which needs an external AST source.
#pragma GCC diagnostic ignored "-Wnonnull"
#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>

namespace sx::cppworker {
namespace {

class FunctionRefs : public clang::RecursiveASTVisitor<FunctionRefs> {
 public:
  bool shouldVisitImplicitCode() const { return true; }
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool VisitDeclRefExpr(clang::DeclRefExpr *e) { return add(e->getDecl()); }
  bool VisitMemberExpr(clang::MemberExpr *e) { return add(e->getMemberDecl()); }
  bool VisitCXXConstructExpr(clang::CXXConstructExpr *e) {
    add(e->getConstructor());
    return add_dtor(e->getType());
  }
  bool VisitCXXBindTemporaryExpr(clang::CXXBindTemporaryExpr *e) {
    return add(e->getTemporary() ? const_cast<clang::CXXDestructorDecl *>(e->getTemporary()->getDestructor())
                                 : nullptr);
  }
  bool VisitCXXNewExpr(clang::CXXNewExpr *e) {
    add(e->getOperatorNew());
    return add(e->getOperatorDelete());
  }
  bool VisitCXXDeleteExpr(clang::CXXDeleteExpr *e) {
    add(e->getOperatorDelete());
    return add_dtor(e->getDestroyedType());
  }
  bool VisitVarDecl(clang::VarDecl *v) { return add_dtor(v->getType()); }
  bool VisitCXXDestructorDecl(clang::CXXDestructorDecl *d) {
    // Members and bases are destroyed implicitly.
    if (const auto *rd = d->getParent(); rd && rd->hasDefinition()) {
      for (const auto *f : rd->fields()) add_dtor(f->getType());
      for (const auto &b : rd->bases()) add_dtor(b.getType());
    }
    return true;
  }

  std::vector<const clang::FunctionDecl *> found;

 private:
  bool add(clang::Decl *d) {
    if (auto *fd = llvm::dyn_cast_or_null<clang::FunctionDecl>(d)) found.push_back(fd);
    return true;
  }
  bool add_dtor(clang::QualType t) {
    if (t.isNull()) return true;
    const auto *rd = t->getBaseElementTypeUnsafe()->getAsCXXRecordDecl();
    if (rd && rd->hasDefinition())
      if (const auto *dt = rd->getDestructor()) found.push_back(dt);
    return true;
  }
};

}  // namespace

void functions_used(const clang::FunctionDecl *def, std::vector<const clang::FunctionDecl *> *out) {
  FunctionRefs refs;
  refs.TraverseDecl(const_cast<clang::FunctionDecl *>(def));
  out->insert(out->end(), refs.found.begin(), refs.found.end());
}

}  // namespace sx::cppworker
