// Prediction caches of the generated ANTLR lexers and parsers, one set per
// parse in flight (docs/DESIGN.md §3, "Many sessions").
//
// A generated recognizer keeps its DFA and prediction-context cache in
// static members shared by every instance. The 4.9 C++ runtime that Debian
// ships is not safe when parses on several threads use them at once (its
// DFA start states and several counters are written without a lock:
// antlr/antlr4#3332, fixed only in 4.10), so sessions on different threads
// either had to take turns (the Python confirm held one process-wide mutex)
// or raced (the JavaScript and C++ confirms). Instead, each parse takes a
// cache set of its own from a pool and gives it back when it is done: a
// set is used by one parse at a time, stays warm from parse to parse, and
// the pool grows to the number of parses that ever ran at once. The lock is
// held only to take and give back a set.
#ifndef STREAMEXEC_FRONTEND_DFA_CACHES_H
#define STREAMEXEC_FRONTEND_DFA_CACHES_H

#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "antlr4-runtime.h"

namespace sx {

class DfaCaches {
 public:
  struct Set {
    std::vector<antlr4::dfa::DFA> dfa;
    antlr4::atn::PredictionContextCache contexts;
    explicit Set(const antlr4::atn::ATN &atn) {
      std::size_t n = atn.getNumberOfDecisions();
      dfa.reserve(n);
      for (std::size_t i = 0; i < n; ++i) dfa.emplace_back(atn.getDecisionState(i), i);
    }
  };

  // A set lent to one parse; given back when the lease ends. The simulator
  // that uses it must be gone by then: declare the lease before the
  // recognizer, assign it after.
  class Lease {
   public:
    Lease() = default;
    Lease(DfaCaches &pool, std::unique_ptr<Set> set) : pool_(&pool), set_(std::move(set)) {}
    Lease(Lease &&o) noexcept : pool_(o.pool_), set_(std::move(o.set_)) {}
    Lease(const Lease &) = delete;
    Lease &operator=(const Lease &) = delete;
    Lease &operator=(Lease &&o) noexcept {
      if (this != &o) {
        release();
        pool_ = o.pool_;
        set_ = std::move(o.set_);
      }
      return *this;
    }
    ~Lease() { release(); }
    Set &operator*() const { return *set_; }

   private:
    void release() {
      if (set_) pool_->give_back(std::move(set_));
    }
    DfaCaches *pool_ = nullptr;
    std::unique_ptr<Set> set_;
  };

  // Points `parser` at a set of its own: a new simulator replaces the one
  // its constructor made (setInterpreter deletes that one).
  template <class Simulator = antlr4::atn::ParserATNSimulator, class Parser>
  Lease lend(Parser &parser) {
    Lease lease(*this, take(parser.getATN()));
    parser.setInterpreter(new Simulator(&parser, parser.getATN(), (*lease).dfa, (*lease).contexts));
    return lease;
  }
  template <class Lexer>
  Lease lend_lexer(Lexer &lexer) {
    Lease lease(*this, take(lexer.getATN()));
    lexer.setInterpreter(
        new antlr4::atn::LexerATNSimulator(&lexer, lexer.getATN(), (*lease).dfa, (*lease).contexts));
    return lease;
  }

 private:
  std::unique_ptr<Set> take(const antlr4::atn::ATN &atn) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (!free_.empty()) {
        auto s = std::move(free_.back());
        free_.pop_back();
        return s;
      }
    }
    return std::make_unique<Set>(atn);
  }
  void give_back(std::unique_ptr<Set> s) {
    std::lock_guard<std::mutex> lk(mu_);
    free_.push_back(std::move(s));
  }
  std::mutex mu_;
  std::vector<std::unique_ptr<Set>> free_;
};

// The pool of the generated recognizer R (a lexer or a parser class): one
// per class in the process.
template <class R>
DfaCaches &dfa_caches() {
  static DfaCaches pool;
  return pool;
}

}  // namespace sx

#endif
