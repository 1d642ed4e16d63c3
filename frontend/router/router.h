// Markdown router: finds fenced code blocks in the answer stream and streams
// each body to the chunker of its language (DESIGN §2). In raw mode the whole
// stream is one program of one language.
//
// Fences follow CommonMark: an opening line of up to 3 spaces, then ≥ 3
// backticks or tildes, then an info string whose first word names the
// language (case-insensitive; attributes may follow: ```python title="x").
// The block ends at a line holding only a fence of the same character at
// least as long (up to 3 spaces before, whitespace after), or at end of
// stream. Backticks later in a line ("print(1)```") do not close a fence.
#ifndef STREAMEXEC_FRONTEND_ROUTER_H
#define STREAMEXEC_FRONTEND_ROUTER_H

#include <memory>
#include <string>
#include <string_view>

#include "frontend/chunker.h"
#include "ir/ir.h"

namespace sx {

class RouterSink {
 public:
  virtual ~RouterSink() = default;
  // A closed unit, in answer coordinates (id/timestamps not yet assigned).
  virtual void on_unit(Unit &&u) = 0;
  virtual void on_syntax_error(SyntaxError &&e) = 0;
  // A fence that is not executed: unlabeled, unknown language, or a language
  // without a chunker. `info` is the fence's info string.
  virtual void on_fence_skipped(int fence, const std::string &info, Pos at, const std::string &why) = 0;
  // A fence of an executable language opened: its first unit is coming (the
  // scheduler starts that language's worker now, behind generation).
  virtual void on_fence_open(Lang) {}
};

struct RouterConfig {
  bool markdown = true;
  Lang raw_lang = Lang::Python;  // raw mode only
};

class Router {
 public:
  Router(const RouterConfig &cfg, RouterSink &sink);
  ~Router();
  void feed(std::string_view bytes);
  void finish();
  // Answer bytes consumed so far.
  std::uint64_t offset() const { return off_; }
  // Markdown mode, outside any fence: no byte fed so far belongs to a unit
  // that is still to close (every later unit begins at offset() or after).
  bool between_units() const { return cfg_.markdown && state_ == State::Outside; }

 private:
  class Bridge;
  void byte_outside(char c);
  void byte_in_fence(char c);
  void open_line_done();
  void forward(std::string_view s);
  void close_fence();
  enum class FenceLine { No, Maybe, Yes };
  FenceLine closing_state(std::string_view held) const;

  RouterConfig cfg_;
  RouterSink &sink_;
  std::unique_ptr<Bridge> bridge_;
  std::unique_ptr<Chunker> chunker_;

  // Position of the next byte in the answer.
  std::uint64_t off_ = 0;
  std::uint32_t line_ = 1, col_ = 0;
  bool prev_cr_ = false;

  enum class State { Outside, InFence, InSkippedFence } state_ = State::Outside;
  std::string line_buf_;        // Outside: the current line (capped)
  bool line_overflow_ = false;
  Pos line_start_;
  int fences_ = 0;              // fences opened so far
  char fence_char_ = 0;
  std::size_t fence_len_ = 0;
  // InFence: bytes of the current body line held back while they may still be
  // a closing fence.
  std::string held_;
  bool line_may_close_ = true;
};

}  // namespace sx

#endif
