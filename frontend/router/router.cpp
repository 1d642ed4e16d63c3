#include "frontend/router/router.h"
#include "frontend/router/markdown.h"

#include <algorithm>
#include <cctype>
#include <deque>

namespace sx {

using md::Cursor;
using md::Line;

// Maps a chunker's program-text coordinates to the answer's. The program text
// is the concatenation of the fence's content lines, each without its
// stripped prefix; one entry per program line says where its bytes are in the
// answer. Entries before the last reported unit are dropped (the chunker
// never reports a position before it again).
class Router::Bridge final : public ChunkSink {
 public:
  Bridge(RouterSink &sink, Lang lang, int fence, bool raw, Pos fallback)
      : sink_(sink), lang_(lang), fence_(fence), raw_(raw), fallback_(fallback) {}

  // A program line starts: its first `synth` bytes are spaces standing for
  // the rest of a partly consumed tab (at answer offset ans - 1), then come
  // the answer's bytes from `ans` (line `line`, column `col`) on.
  void begin_line(std::uint64_t ans, std::uint32_t line, std::uint32_t col, std::uint32_t synth) {
    if (!failed_) lines_.push_back(Entry{len_, ans, line, col, synth});
  }
  void fed(std::string_view s) {
    len_ += s.size();
    if (!s.empty()) last_ = s.back();
    keep(s);
  }
  // The program text not yet part of a reported unit (for Unit::lead).
  void keep(std::string_view s) {
    if (!failed_) unclaimed_ += s;
  }

  // Raw mode: the program text starts `n` bytes into the answer (a byte order
  // mark was skipped), on its first line.
  void skip_raw(std::uint32_t n) { raw_skip_ = n; }

  Pos map(std::uint64_t off) const {
    if (raw_) return Pos{off + raw_skip_, 0, 0};
    if (lines_.empty()) return fallback_;
    auto it = std::upper_bound(lines_.begin(), lines_.end(), off,
                               [](std::uint64_t o, const Entry &e) { return o < e.prog; });
    const Entry &e = it == lines_.begin() ? *it : *std::prev(it);
    std::uint64_t delta = off >= e.prog ? off - e.prog : 0;
    if (delta < e.synth) return Pos{e.ans - 1, e.line, e.col - 1};
    return Pos{e.ans + (delta - e.synth), e.line, e.col + static_cast<std::uint32_t>(delta - e.synth)};
  }
  Pos map(const Pos &p) const {
    if (raw_) return Pos{p.offset + raw_skip_, p.line, p.line == 1 ? p.col + raw_skip_ : p.col};
    Pos a = map(p.offset);
    // Past the last line ending fed: the start of the next answer line.
    if (p.offset == len_ && (last_ == '\n' || last_ == '\r') && !lines_.empty()) {
      a.line = lines_.back().line + 1;
      a.col = 0;
    }
    return a;
  }
  std::uint64_t map_end(std::uint64_t end) const {
    return end == 0 ? map(std::uint64_t{0}).offset : map(end - 1).offset + 1;
  }

  void on_unit(ChunkUnit &&c) override {
    Unit u;
    u.lang = lang_;
    // What the program text has between the previous unit and this one.
    std::uint64_t lead = std::min<std::uint64_t>(c.begin.offset - claimed_, unclaimed_.size());
    u.lead = unclaimed_.substr(0, lead);
    unclaimed_.erase(0, std::min<std::uint64_t>(c.end - claimed_, unclaimed_.size()));
    claimed_ = c.end;
    u.code = std::move(c.code);
    u.begin = map(c.begin);
    u.end = map_end(c.end);
    u.fence = fence_;
    u.kind = c.kind;
    u.defines = std::move(c.defines);
    u.uses = std::move(c.uses);
    // Later positions are at c.end or after: keep the entry holding c.end.
    while (lines_.size() >= 2 && lines_[1].prog <= c.end) lines_.pop_front();
    sink_.on_unit(std::move(u));
  }
  void on_error(ChunkError &&c) override {
    SyntaxError e;
    e.lang = lang_;
    e.at = map(c.at);
    e.message = std::move(c.message);
    e.code = std::move(c.code);
    e.unit_begin = map(c.unit_begin);
    e.fence = fence_;
    failed_ = true;  // the chunker ignores the rest of the program: no more lines to map
    sink_.on_syntax_error(std::move(e));
  }

 private:
  struct Entry {
    std::uint64_t prog;  // offset of the line in the program text
    std::uint64_t ans;   // answer offset of its first byte taken from the answer
    std::uint32_t line, col;
    std::uint32_t synth;
  };
  RouterSink &sink_;
  Lang lang_;
  int fence_;
  bool raw_;
  std::uint32_t raw_skip_ = 0;
  Pos fallback_;
  std::deque<Entry> lines_;
  std::string unclaimed_;      // program text from offset claimed_ on
  std::uint64_t claimed_ = 0;  // end of the last reported unit
  std::uint64_t len_ = 0;
  char last_ = 0;  // last byte fed
  bool failed_ = false;
};

namespace {

// The language word of an info string: "python title=x" -> "python",
// "{python}" -> "python", "py3," -> "py3".
std::string info_lang(const std::string &info) {
  std::string w;
  for (char ch : info) {
    if (ch == '{' || ch == '.') {
      if (w.empty()) continue;
    }
    if (std::isspace(static_cast<unsigned char>(ch)) || ch == '{' || ch == '}' || ch == ',' || ch == ';' ||
        ch == '=' || ch == '`')
      break;
    w += ch;
  }
  return w;
}

}  // namespace

Router::Router(const RouterConfig &cfg, RouterSink &sink) : cfg_(cfg), sink_(sink) {
  if (cfg_.mode == Mode::Raw) {
    bridge_ = std::make_unique<Bridge>(sink_, cfg_.lang, -1, true, Pos{});
    chunker_ = make(cfg_.lang, *bridge_);
    if (!chunker_) sink_.on_fence_skipped(-1, lang_name(cfg_.lang), Pos{}, "no chunker for this language");
  }
}

Router::~Router() = default;

std::unique_ptr<Chunker> Router::make(Lang lang, ChunkSink &sink) const {
  return cfg_.chunker_factory ? cfg_.chunker_factory(lang, sink) : make_chunker(lang, sink);
}

void Router::feed(std::string_view bytes) {
  if (cfg_.mode == Mode::Raw) {
    std::string_view rest = bytes;
    // A UTF-8 byte order mark at the start of a file is no code: python3,
    // node and clang skip it (real programs have one, e.g. from Windows
    // editors). Decided byte by byte: any chunking gives the same units.
    static constexpr std::string_view kBom = "\xEF\xBB\xBF";
    while (!bom_decided_ && !rest.empty()) {
      bom_buf_ += rest.front();
      rest.remove_prefix(1);
      if (kBom.substr(0, bom_buf_.size()) != bom_buf_) {
        bom_decided_ = true;
        if (chunker_) {
          bridge_->keep(bom_buf_);
          chunker_->feed(bom_buf_);
        }
      } else if (bom_buf_.size() == kBom.size()) {
        bom_decided_ = true;
        if (bridge_) bridge_->skip_raw(static_cast<std::uint32_t>(kBom.size()));
      }
    }
    if (chunker_ && !rest.empty()) {
      bridge_->keep(rest);
      chunker_->feed(rest);
    }
    off_ += bytes.size();
    return;
  }
  std::size_t i = 0;
  while (i < bytes.size()) {
    char c = bytes[i];
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') {  // the rest of a CRLF line ending
        if (lf_to_chunker_) forward("\n");
        lf_to_chunker_ = false;
        ++off_;
        ++i;
        continue;
      }
    }
    if (line_fresh_) {
      line_start_ = Pos{off_, line_, col_};
      line_fresh_ = false;
    }
    if (c == '\n' || c == '\r') {
      end_of_line(c == '\r');
      ++off_;
      ++line_;
      col_ = 0;
      after_cr_ = c == '\r';
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < bytes.size() && bytes[j] != '\n' && bytes[j] != '\r') ++j;
    take(bytes.substr(i, j - i));
    off_ += j - i;
    col_ += static_cast<std::uint32_t>(j - i);
    i = j;
  }
}

// Bytes of the current line (no line ending).
void Router::take(std::string_view run) {
  while (!run.empty()) {
    switch (scan_) {
      case Scan::Prose: append_prose(run); return;
      case Scan::FenceBody: forward(run); return;
      case Scan::FencePrefix: {
        std::size_t k = 0;
        while (k < run.size() && scan_ == Scan::FencePrefix) {
          buf_ += run[k++];
          prefix_step(false);
        }
        run.remove_prefix(k);
        break;
      }
    }
  }
}

void Router::append_prose(std::string_view run) {
  if (buf_.size() < kMaxLine) {
    std::size_t room = kMaxLine - buf_.size();
    buf_.append(run.substr(0, room));
    run.remove_prefix(std::min(room, run.size()));
  }
  if (run.empty()) return;
  if (!overflow_) {
    overflow_ = true;
    tail_win_.clear();
    for (std::size_t k = buf_.size() - std::min<std::size_t>(buf_.size(), 10); k < buf_.size(); ++k)
      tail_win_ += static_cast<char>(md::lower(static_cast<unsigned char>(buf_[k])));
  }
  for (char ch : run) {
    tail_ws_ = tail_ws_ && md::space_or_tab(ch);
    tail_backtick_ = tail_backtick_ || ch == '`';
    tail_win_ += static_cast<char>(md::lower(static_cast<unsigned char>(ch)));
    if (tail_win_.size() > 11) tail_win_.erase(0, tail_win_.size() - 11);
    for (std::size_t k = 0; k < std::size(md::kHtmlEnds); ++k)
      if (tail_win_.ends_with(md::kHtmlEnds[k])) tail_html_end_ |= 1u << md::html_end_type(k);
  }
}

void Router::end_of_line(bool cr) {
  lf_to_chunker_ = false;
  if (scan_ == Scan::Prose || (scan_ == Scan::FencePrefix && prefix_step(true) == Step::Fail)) process_buffered_line();
  if (scan_ == Scan::FenceBody) {
    // A LF right after a lone CR would read as one CRLF line ending (an empty
    // content line between "a\r" and "  \n"): it goes as a CR, so the
    // program keeps the answer's lines.
    forward(cr || last_fed_ == '\r' ? "\r" : "\n");
    lf_to_chunker_ = cr;
  }
  new_line();
}

void Router::new_line() {
  buf_.clear();
  overflow_ = false;
  tail_ws_ = true;
  tail_backtick_ = false;
  tail_html_end_ = 0;
  tail_win_.clear();
  cur_ = Cursor{};
  matched_ = 0;
  cc_started_ = cc_trail_ = false;
  cc_pos_ = 0;
  cc_run_ = 0;
  line_fresh_ = true;
  scan_ = leaf_ == Leaf::Fence ? Scan::FencePrefix : Scan::Prose;
}

void Router::process_buffered_line() {
  Line ln{buf_, true, overflow_ && !tail_ws_ ? md::kText : '\n'};
  process_line(ln);
}

// FencePrefix: decide what the line is once enough of it is seen.
Router::Step Router::prefix_step(bool complete) {
  Step r = step(complete);
  if (r == Step::More && buf_.size() >= kMaxLine) r = matched_ == depth_ ? Step::Content : Step::Fail;
  switch (r) {
    case Step::More:
      break;
    case Step::Fail:  // a container ended, and the fence with it; the line is prose
      close_fence();
      scan_ = Scan::Prose;
      break;
    case Step::Close:  // the rest of the line is consumed
      close_fence();
      break;
    case Step::Content:
      start_content(complete);
      scan_ = Scan::FenceBody;
      break;
  }
  return r;
}

Router::Step Router::step(bool complete) {
  Line ln{buf_, complete, '\n'};
  while (matched_ < depth_) {
    md::Match m = md::match_container(frames_[matched_], ln, cur_);
    if (m == md::Match::More) return Step::More;
    if (m == md::Match::No) return Step::Fail;
    ++matched_;
  }
  if (!cc_started_) {
    md::Nonspace n = md::first_nonspace(ln, cur_);
    if (n.indent >= 4) return Step::Content;
    if (n.c == md::kNeed) return Step::More;
    if (n.c != static_cast<unsigned char>(fence_char_)) return Step::Content;
    cc_started_ = true;
    cc_pos_ = n.off;
  }
  for (; cc_pos_ < buf_.size(); ++cc_pos_) {
    char ch = buf_[cc_pos_];
    if (!cc_trail_ && ch == fence_char_) {
      ++cc_run_;
    } else if (ch == ' ' || ch == '\t') {
      cc_trail_ = true;
      if (cc_run_ < fence_len_) return Step::Content;
    } else {
      return Step::Content;
    }
  }
  if (!complete) return Step::More;
  return cc_run_ >= fence_len_ ? Step::Close : Step::Content;
}

// The rest of the line from the cursor (less up to the fence's indentation)
// is content.
void Router::start_content(bool complete) {
  Line ln{buf_, complete, '\n'};
  for (int i = 0; i < fence_indent_ && md::space_or_tab(ln.peek(cur_.off)); ++i) md::advance_cols(ln, cur_, 1);
  if (!fence_exec_) return;
  std::size_t from = cur_.off;
  std::uint32_t synth = 0;
  if (cur_.partial) {
    synth = static_cast<std::uint32_t>(md::kTab - cur_.col % md::kTab);
    ++from;
  }
  bridge_->begin_line(line_start_.offset + from, line_start_.line, static_cast<std::uint32_t>(from), synth);
  if (synth) forward(std::string(synth, ' '));
  if (from < buf_.size()) forward(std::string_view(buf_).substr(from));
}

void Router::mark_child() {
  if (depth_ > 0) frames_[depth_ - 1].has_child = true;
}

// One complete line outside fenced code (CommonMark's block algorithm: match
// the open blocks, open new ones, add the rest as text).
void Router::process_line(const Line &ln) {
  Cursor cur;
  if (line_start_.offset == 0 && ln.s.starts_with("\xEF\xBB\xBF")) cur.off = 3;  // BOM
  int matched = 0;
  while (matched < depth_ && md::match_container(frames_[matched], ln, cur) == md::Match::Yes) ++matched;
  bool all = matched == depth_;
  bool leaf_ok = false;  // the open leaf block continues on this line
  if (all) {
    md::Nonspace n = md::first_nonspace(ln, cur);
    switch (leaf_) {
      case Leaf::Paragraph:
        leaf_ok = !n.blank();
        break;
      case Leaf::IndentedCode:
        if (n.indent >= 4) {
          md::advance_cols(ln, cur, 4);
          leaf_ok = true;
        } else if (n.blank()) {
          md::advance_bytes(ln, cur, n.off - cur.off);
          leaf_ok = true;
        }
        break;
      case Leaf::Html:
        leaf_ok = html_type_ <= 5 || !n.blank();
        break;
      case Leaf::None:
      case Leaf::Fence:
        break;
    }
  }
  bool par_container = leaf_ == Leaf::Paragraph && leaf_ok;  // new blocks would interrupt it
  bool maybe_lazy = leaf_ == Leaf::Paragraph;
  bool opened = false;    // a new block started: unmatched blocks are closed
  bool line_used = false; // the line is a heading, break or fence opener, not text
  auto close_unmatched = [&] {
    if (!opened) {
      opened = true;
      depth_ = matched;
      if (leaf_ == Leaf::Paragraph) close_paragraph();
      leaf_ = Leaf::None;
    }
  };
  if (!(leaf_ok && (leaf_ == Leaf::IndentedCode || leaf_ == Leaf::Html))) {
    for (;;) {
      md::Nonspace n = md::first_nonspace(ln, cur);
      bool indented = n.indent >= 4;
      int depth_now = opened ? depth_ : matched;
      if (!indented && n.c == '>') {
        if (depth_now >= kMaxDepth) break;
        close_unmatched();
        mark_child();
        md::advance_bytes(ln, cur, n.off + 1 - cur.off);
        if (md::space_or_tab(ln.peek(cur.off))) md::advance_cols(ln, cur, 1);
        frames_[depth_++] = md::Frame{true, false, 0};
        par_container = maybe_lazy = false;
        continue;
      }
      if (!indented && md::atx_heading(ln, n.off)) {
        close_unmatched();
        mark_child();
        line_used = true;
        break;
      }
      if (int len = indented ? 0 : md::opening_fence(ln, n.off, overflow_ && tail_backtick_)) {
        close_unmatched();
        mark_child();
        std::size_t b = n.off + len;
        while (b < ln.s.size() && md::space_or_tab(ln.s[b])) ++b;
        std::size_t e = ln.s.size();
        while (e > b && md::space_or_tab(ln.s[e - 1])) --e;
        open_fence(ln.s[n.off], len, static_cast<int>(n.off - cur.off), std::string(ln.s.substr(b, e - b)));
        line_used = true;
        break;
      }
      if (int t = indented ? 0 : md::html_block_start(ln, n.off, maybe_lazy)) {
        close_unmatched();
        mark_child();
        leaf_ = Leaf::Html;
        html_type_ = t;
        break;
      }
      if (!indented && par_container && md::setext_underline(ln, n.off)) {
        if (par_refs_ && md::only_link_references(par_text_)) {
          par_refs_ = false;  // no heading: the line is the paragraph's text
          break;
        }
        opened = true;  // the paragraph becomes a heading and ends
        leaf_ = Leaf::None;
        line_used = true;
        break;
      }
      if (!indented && md::thematic_break(ln, n.off)) {
        close_unmatched();
        mark_child();
        line_used = true;
        break;
      }
      if (int len = indented ? 0 : md::list_marker(ln, n.off, par_container)) {
        if (depth_now >= kMaxDepth) break;
        close_unmatched();
        mark_child();
        md::advance_bytes(ln, cur, n.off + len - cur.off);
        Cursor save = cur;
        while (cur.col - save.col <= 5 && md::space_or_tab(ln.peek(cur.off))) md::advance_cols(ln, cur, 1);
        int spaces = cur.col - save.col;
        int padding = len + spaces;
        if (spaces >= 5 || spaces < 1 || ln.peek(cur.off) == '\n') {
          padding = len + 1;
          cur = save;
          if (spaces > 0) md::advance_cols(ln, cur, 1);
        }
        frames_[depth_++] = md::Frame{false, false, n.indent + padding};
        par_container = maybe_lazy = false;
        continue;
      }
      if (indented && !maybe_lazy && !n.blank()) {
        close_unmatched();
        mark_child();
        md::advance_cols(ln, cur, 4);
        leaf_ = Leaf::IndentedCode;
        break;
      }
      break;
    }
  }
  md::Nonspace n = md::first_nonspace(ln, cur);
  if (!opened && leaf_ == Leaf::Paragraph && !leaf_ok && !n.blank()) {  // lazy continuation
    paragraph_text(ln, n.off);
    return;
  }
  if (!opened) {
    depth_ = matched;
    if (!leaf_ok) {
      if (leaf_ == Leaf::Paragraph) close_paragraph();
      leaf_ = Leaf::None;
    }
  }
  if (line_used) return;
  switch (leaf_) {
    case Leaf::Html:
      if (md::html_block_end(ln, n.off, html_type_, overflow_ ? tail_html_end_ : 0)) leaf_ = Leaf::None;
      break;
    case Leaf::None:
      if (!n.blank()) {
        par_depth_ = depth_;
        par_first_ = depth_ > 0 && !frames_[depth_ - 1].has_child;
        mark_child();
        leaf_ = Leaf::Paragraph;
        par_text_.clear();
        par_refs_ = ln.peek(n.off) == '[';
        paragraph_text(ln, n.off);
      }
      break;
    case Leaf::Paragraph:
      paragraph_text(ln, n.off);
      break;
    case Leaf::IndentedCode:
    case Leaf::Fence:
      break;
  }
}

// A line of the open paragraph: kept while the paragraph may be only link
// reference definitions.
void Router::paragraph_text(const Line &ln, std::size_t from) {
  if (!par_refs_) return;
  std::size_t n = from < ln.s.size() ? ln.s.size() - from : 0;
  if (overflow_ || par_text_.size() + n + 1 > kMaxParagraph) {
    par_refs_ = false;
    par_text_.clear();
    return;
  }
  par_text_.append(ln.s.substr(from, n));
  par_text_ += '\n';
}

// The open paragraph ends. Made only of link reference definitions, it
// vanishes: a list item it was the first block of has no block again.
void Router::close_paragraph() {
  if (par_refs_ && par_first_ && par_depth_ > 0 && depth_ >= par_depth_ && md::only_link_references(par_text_))
    frames_[par_depth_ - 1].has_child = false;
  par_refs_ = false;
  par_text_.clear();
}

void Router::open_fence(char fc, int len, int indent, const std::string &info) {
  int idx = fences_++;
  leaf_ = Leaf::Fence;
  fence_idx_ = idx;
  fence_char_ = fc;
  fence_len_ = len;
  fence_indent_ = indent;
  std::string word = info_lang(info);
  Lang lang = cfg_.lang_of_info ? cfg_.lang_of_info(info) : lang_from_name(word);
  fence_lang_ = lang;
  fence_exec_ = false;
  if (lang != Lang::Unknown) {
    // Where an empty program's positions go: the line after the opening fence.
    Pos next{off_ + 1, line_start_.line + 1, 0};
    bridge_ = std::make_unique<Bridge>(sink_, lang, idx, false, next);
    chunker_ = make(lang, *bridge_);
  } else {
    chunker_.reset();
  }
  if (chunker_) {
    fence_exec_ = true;
    sink_.on_fence_open(lang);
  } else {
    bridge_.reset();
    std::string why = word.empty() && lang == Lang::Unknown ? "fence has no language" :
                      lang == Lang::Unknown ? "unknown language '" + word + "'" :
                                              std::string("no chunker for ") + lang_name(lang);
    sink_.on_fence_skipped(idx, info, line_start_, why);
  }
}

void Router::close_fence() {
  if (fence_exec_ && chunker_) {
    chunker_->finish();
    sink_.on_program_end(fence_lang_, fence_idx_);
  }
  chunker_.reset();
  bridge_.reset();
  fence_exec_ = false;
  last_fed_ = 0;
  leaf_ = Leaf::None;
}

void Router::forward(std::string_view s) {
  if (fence_exec_ && chunker_ && !s.empty()) {
    last_fed_ = s.back();
    bridge_->fed(s);
    chunker_->feed(s);
  }
}

void Router::finish() {
  if (finished_) return;
  finished_ = true;
  if (cfg_.mode == Mode::Raw) {
    if (chunker_) {
      if (!bom_decided_ && !bom_buf_.empty()) {  // the start of a BOM, and nothing else
        bridge_->keep(bom_buf_);
        chunker_->feed(bom_buf_);
      }
      bom_decided_ = true;
      chunker_->finish();
      sink_.on_program_end(cfg_.lang, -1);
    }
    return;
  }
  if (!line_fresh_) {  // the last line has no line ending
    if (scan_ == Scan::Prose || (scan_ == Scan::FencePrefix && prefix_step(true) == Step::Fail))
      process_buffered_line();
  }
  if (leaf_ == Leaf::Fence) close_fence();
}

}  // namespace sx
