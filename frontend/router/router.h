// Markdown router: finds fenced code blocks in the answer stream and streams
// each body to the chunker of its language (docs/DESIGN.md §2). In raw mode the whole
// stream is one program of one language.
//
// Fenced code blocks are found exactly as CommonMark 0.30 (its reference
// implementation cmark is the oracle of tests/oracle/router_cmark_test.cpp)
// finds them, in the block structure of the answer: at top level, in list
// items (`-`, `*`, `+`, `1.`, `1)`) and block quotes (`>`), nested in any
// order, but never inside an HTML block (`<!-- … -->`, `<details>`, `<pre>` …),
// an indented code block or a paragraph line (inline code). An opening fence
// is ≥ 3 backticks or tildes indented ≤ 3 columns relative to its container;
// the first word of its info string names the language (case-insensitive;
// attributes may follow: ```python title="x"); a backtick fence's info string
// has no backtick. The block ends at a line holding only a fence of the same
// character at least as long (≤ 3 columns of indentation, then only spaces or
// tabs), when its container ends (a line that does not continue the list item
// or quote: lazy continuation lines do not continue a fence), or at the end of
// the stream. Backticks later in a line ("print(1)```") do not close a fence.
//
// Each content line goes to the chunker without its container prefix ("> ",
// the list item's indentation) and without up to the opening fence's own
// indentation (tab stops of 4; a partly consumed tab becomes spaces), the
// moment its bytes arrive. Units and errors are reported in answer
// coordinates, mapped line by line: line and byte offset are exact, and the
// column of a position is its byte column in the answer line (a position on
// the spaces that stand for a partly consumed tab maps to that tab).
//
// Memory is bounded: at most kMaxDepth nested containers (a deeper marker is
// prose), a line buffer of kMaxLine bytes outside code (beyond it a few facts
// about the rest of the line are kept: blank or not, a backtick, HTML end
// conditions), and up to kMaxParagraph bytes of a paragraph that may be only
// link reference definitions; per executable fence, one small entry per line
// of the open unit to map positions. Work is O(1) amortized per byte (O(depth)
// per line). Known differences from cmark, all about lines longer than
// kMaxLine: an HTML type-7 tag, a setext underline or a closing fence line
// that long is not recognised (a closing fence line that long is content).
#ifndef STREAMEXEC_FRONTEND_ROUTER_H
#define STREAMEXEC_FRONTEND_ROUTER_H

#include <array>
#include <cstdint>
#include <functional>
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
  // A fence of an executable language ended — at its closing fence line, when
  // its container (list item, block quote) ended, or at the end of the stream
  // (Router::finish) — after its chunker's finish(), i.e. after its last unit
  // or error. Called once per such fence. Raw mode: once, from
  // Router::finish(), with fence -1 (if the raw language has a chunker).
  virtual void on_program_end(Lang /*lang*/, int /*fence*/) {}
};

// sx_options.mode, `--mode`: an answer of markdown with fenced code, or the
// source of one language (lang).
enum class Mode { Markdown, Raw };

struct RouterConfig {
  Mode mode = Mode::Markdown;
  Lang lang = Lang::Python;  // raw mode only
  // Test hooks, unset in production. lang_of_info: the language of a fence
  // from its whole info string (default: lang_from_name of its first word).
  // chunker_factory: builds the chunker a program's text is fed to (default:
  // make_chunker), e.g. one that records the exact text forwarded.
  std::function<Lang(const std::string &info)> lang_of_info;
  std::function<std::unique_ptr<Chunker>(Lang, ChunkSink &)> chunker_factory;
};

namespace md {
// A position inside the line being examined: byte offset, column (tab stops
// of 4) and whether the tab at `off` is partly consumed.
struct Cursor {
  std::size_t off = 0;
  int col = 0;
  bool partial = false;
};
// An open container block: a block quote, or a list item whose content is
// indented `w` columns (relative to its parent's content).
struct Frame {
  bool quote = false;
  bool has_child = false;
  int w = 0;
};
struct Line;
}  // namespace md

class Router {
 public:
  static constexpr int kMaxDepth = 64;             // nested containers kept
  static constexpr std::size_t kMaxLine = 8192;    // bytes of a line kept outside code
  static constexpr std::size_t kMaxParagraph = 65536;  // paragraph text kept to find link definitions

  Router(const RouterConfig &cfg, RouterSink &sink);
  ~Router();
  void feed(std::string_view bytes);
  // End of the answer: the last line (even without a line ending) is
  // processed, an open fence ends.
  void finish();
  // Answer bytes consumed so far.
  std::uint64_t offset() const { return off_; }
  // Markdown mode, outside any executable fence: no byte fed so far belongs to
  // a unit that is still to close (every later unit begins at offset() or after).
  bool between_units() const { return cfg_.mode == Mode::Markdown && !(leaf_ == Leaf::Fence && fence_exec_); }

 private:
  class Bridge;
  enum class Leaf : std::uint8_t { None, Paragraph, Fence, IndentedCode, Html };
  enum class Scan : std::uint8_t { Prose, FencePrefix, FenceBody };
  enum class Step : std::uint8_t { More, Fail, Close, Content };

  void take(std::string_view run);
  void append_prose(std::string_view run);
  void end_of_line(bool cr);
  void new_line();
  Step prefix_step(bool complete);
  Step step(bool complete);
  void start_content(bool complete);
  void process_line(const md::Line &ln);
  void process_buffered_line();
  void mark_child();
  void paragraph_text(const md::Line &ln, std::size_t from);
  void close_paragraph();
  void open_fence(char fc, int len, int indent, const std::string &info);
  void close_fence();
  void forward(std::string_view s);
  std::unique_ptr<Chunker> make(Lang lang, ChunkSink &sink) const;

  // Raw mode: the first bytes, while they may be a UTF-8 byte order mark.
  std::string bom_buf_;
  bool bom_decided_ = false;
  RouterConfig cfg_;
  RouterSink &sink_;
  std::unique_ptr<Bridge> bridge_;
  std::unique_ptr<Chunker> chunker_;
  bool finished_ = false;

  // Position of the next byte in the answer.
  std::uint64_t off_ = 0;
  std::uint32_t line_ = 1, col_ = 0;

  // Block structure: the open containers and the open leaf block.
  std::array<md::Frame, kMaxDepth> frames_{};
  int depth_ = 0;
  Leaf leaf_ = Leaf::None;
  int html_type_ = 0;  // Leaf::Html: start condition 1–7
  // Leaf::Paragraph: while it may be only link reference definitions
  // (par_refs_), its text; the depth of its container, which had no block before it.
  std::string par_text_;
  bool par_refs_ = false;
  int par_depth_ = 0;
  bool par_first_ = false;
  // Leaf::Fence
  int fences_ = 0;  // fences opened so far
  int fence_idx_ = -1;
  char fence_char_ = 0;
  int fence_len_ = 0;
  int fence_indent_ = 0;  // bytes of indentation of the opening fence
  bool fence_exec_ = false;
  Lang fence_lang_ = Lang::Unknown;

  // The current line.
  Scan scan_ = Scan::Prose;
  Pos line_start_;
  bool line_fresh_ = true;  // no byte of the current line seen yet
  bool after_cr_ = false;   // the previous byte was a CR (a LF now is part of its line ending)
  bool lf_to_chunker_ = false;  // ... and that line ending went to the chunker
  char last_fed_ = 0;           // last byte fed to the open fence's chunker
  std::string buf_;         // Prose: the line (≤ kMaxLine); FencePrefix: its bytes so far
  // Prose, line longer than kMaxLine: facts about the bytes beyond.
  bool overflow_ = false;
  bool tail_ws_ = true;       // only spaces and tabs
  bool tail_backtick_ = false;
  unsigned tail_html_end_ = 0;  // bit t: an end condition of HTML block type t occurs
  std::string tail_win_;      // last bytes (lowercase), to find end conditions across the cut
  // FencePrefix: containers matched so far and the cursor after them, then
  // the closing-fence scan.
  md::Cursor cur_;
  int matched_ = 0;
  bool cc_started_ = false, cc_trail_ = false;
  std::size_t cc_pos_ = 0;
  int cc_run_ = 0;
};

}  // namespace sx

#endif
