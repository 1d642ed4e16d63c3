// JavaScript hoisting (docs/DESIGN.md §6a): a script's function declarations
// exist before its first statement runs. A unit that uses a name nothing
// defines yet waits until a later unit of its program declares it, which
// then runs first.
#include "scheduler/executor.h"

#include <algorithm>

namespace sx {

// Bare names (not `a.b` uses) that neither the worker's globals nor a
// dispatched unit nor `also` define, in the unit and — through functions
// declared so far or waiting in the queue — in what it calls.
std::vector<std::string> Executor::missing_names(const Unit &u, const std::set<std::string> &also) const {
  std::vector<std::string> missing;
  std::set<std::string> seen;
  std::vector<std::string> todo(u.uses.begin(), u.uses.end());
  std::set<std::string> own(u.defines.begin(), u.defines.end());
  while (!todo.empty()) {
    std::string n = std::move(todo.back());
    todo.pop_back();
    if (n.find('.') != std::string::npos || !seen.insert(n).second || own.count(n)) continue;
    if (auto f = js_fn_uses_.find(n); f != js_fn_uses_.end()) {
      todo.insert(todo.end(), f->second.begin(), f->second.end());
      continue;
    }
    if (js_known_.count(n) || also.count(n)) continue;
    // A function declared by a queued unit of the program: its own uses count too.
    bool queued = false;
    for (const auto &it : queue_) {
      if (it.kind == Item::Kind::Unit && it.fence == u.fence && it.unit.kind == UnitKind::Function &&
          std::find(it.unit.defines.begin(), it.unit.defines.end(), n) != it.unit.defines.end()) {
        todo.insert(todo.end(), it.unit.uses.begin(), it.unit.uses.end());
        queued = true;
        break;
      }
    }
    missing.push_back(n + (queued ? "" : "?"));  // '?': not declared anywhere yet
  }
  return missing;
}

bool Executor::hoist_plan(std::vector<std::size_t> *first, std::string *waits_for) {
  const Unit &front = queue_.front().unit;
  std::vector<std::string> missing = missing_names(front, {});
  if (missing.empty()) return true;
  bool text_complete = false;
  for (const auto &it : queue_)
    if (it.kind == Item::Kind::End && it.fence == front.fence) text_complete = true;
  // The function declarations of the program the unit needs, transitively.
  std::set<std::string> want;
  for (auto n : missing) {
    if (n.back() == '?') {
      n.pop_back();
      if (!text_complete) {
        *waits_for = "'" + n + "'";
        return false;
      }
      continue;  // never declared: the unit runs as it is (ReferenceError, as natively)
    }
    want.insert(n);
  }
  for (std::size_t i = 1; i < queue_.size(); ++i) {
    const Item &it = queue_[i];
    if (it.kind != Item::Kind::Unit || it.fence != front.fence || it.unit.kind != UnitKind::Function) continue;
    for (const auto &d : it.unit.defines) {
      if (want.count(d)) {
        first->push_back(i);
        break;
      }
    }
  }
  return true;
}

void Executor::note_defined(const Unit &u) {
  js_known_.insert(u.defines.begin(), u.defines.end());
  if (u.kind == UnitKind::Function)
    for (const auto &d : u.defines) js_fn_uses_[d] = u.uses;
}

}  // namespace sx
