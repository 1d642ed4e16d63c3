#include "frontend/router/router.h"

#include <algorithm>
#include <cctype>

namespace sx {

// Maps a chunker's program-text coordinates to the answer's.
class Router::Bridge final : public ChunkSink {
 public:
  Bridge(RouterSink &sink, Lang lang, Pos body, int fence)
      : sink_(sink), lang_(lang), body_(body), fence_(fence) {}

  Pos map(Pos p) const {
    Pos a;
    a.offset = body_.offset + p.offset;
    a.line = body_.line + p.line - 1;
    a.col = p.line == 1 ? body_.col + p.col : p.col;
    return a;
  }
  void on_unit(ChunkUnit &&c) override {
    Unit u;
    u.lang = lang_;
    u.code = std::move(c.code);
    u.begin = map(c.begin);
    u.end = body_.offset + c.end;
    u.fence = fence_;
    u.kind = c.kind;
    u.defines = std::move(c.defines);
    u.uses = std::move(c.uses);
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
    sink_.on_syntax_error(std::move(e));
  }

 private:
  RouterSink &sink_;
  Lang lang_;
  Pos body_;
  int fence_;
};

namespace {
constexpr std::size_t kMaxFenceLine = 4096;  // longer lines are prose, not fences

// Parses an opening fence line (without its newline). Returns false if it is not one.
bool parse_opening(const std::string &line, char *fc, std::size_t *flen, std::string *info) {
  std::size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return false;
  char c = line[i];
  std::size_t j = i;
  while (j < line.size() && line[j] == c) ++j;
  if (j - i < 3) return false;
  std::string rest = line.substr(j);
  if (c == '`' && rest.find('`') != std::string::npos) return false;
  // trim
  auto b = rest.find_first_not_of(" \t\r");
  auto e = rest.find_last_not_of(" \t\r");
  *info = b == std::string::npos ? "" : rest.substr(b, e - b + 1);
  *fc = c;
  *flen = j - i;
  return true;
}

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
  if (!cfg_.markdown) {
    bridge_ = std::make_unique<Bridge>(sink_, cfg_.raw_lang, Pos{}, -1);
    chunker_ = make_chunker(cfg_.raw_lang, *bridge_);
    if (!chunker_) sink_.on_fence_skipped(-1, lang_name(cfg_.raw_lang), Pos{}, "no chunker for this language");
  }
}

Router::~Router() = default;

void Router::feed(std::string_view bytes) {
  if (!cfg_.markdown) {
    if (chunker_) chunker_->feed(bytes);
    off_ += bytes.size();
    return;
  }
  // Outside fences and on potential closing-fence lines we look byte by byte;
  // inside a body, runs of plain bytes are forwarded in one piece.
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (state_ != State::Outside && !line_may_close_) {
      // Forward everything up to and including the next line end.
      std::size_t j = i;
      while (j < bytes.size() && bytes[j] != '\n' && bytes[j] != '\r') ++j;
      if (j > i) {
        forward(bytes.substr(i, j - i));
        off_ += j - i;
        col_ += static_cast<std::uint32_t>(j - i);
        prev_cr_ = false;
        i = j;
        continue;
      }
    }
    char c = bytes[i++];
    if (state_ == State::Outside) {
      byte_outside(c);
    } else {
      byte_in_fence(c);
    }
    ++off_;
    // Track answer line/col. "\r\n" is one line end; a lone "\r" is one too.
    if (c == '\n') {
      if (!prev_cr_) {
        ++line_;
      }
      col_ = 0;
      prev_cr_ = false;
    } else if (c == '\r') {
      ++line_;
      col_ = 0;
      prev_cr_ = true;
    } else {
      ++col_;
      prev_cr_ = false;
    }
  }
}

void Router::byte_outside(char c) {
  if (line_buf_.empty() && !line_overflow_) {
    line_start_ = Pos{off_, line_, col_};
  }
  if (c == '\n') {
    open_line_done();
    line_buf_.clear();
    line_overflow_ = false;
    return;
  }
  if (line_buf_.size() < kMaxFenceLine) {
    line_buf_ += c;
  } else {
    line_overflow_ = true;
  }
}

void Router::open_line_done() {
  if (line_overflow_) return;
  std::string line = line_buf_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  char fc;
  std::size_t flen;
  std::string info;
  if (!parse_opening(line, &fc, &flen, &info)) return;
  int idx = fences_++;
  fence_char_ = fc;
  fence_len_ = flen;
  held_.clear();
  line_may_close_ = true;
  std::string word = info_lang(info);
  Lang lang = lang_from_name(word);
  // The body starts on the next line.
  Pos body{off_ + 1, line_ + 1, 0};
  if (lang != Lang::Unknown) {
    bridge_ = std::make_unique<Bridge>(sink_, lang, body, idx);
    chunker_ = make_chunker(lang, *bridge_);
  } else {
    chunker_.reset();
  }
  if (chunker_) {
    state_ = State::InFence;
    sink_.on_fence_open(lang);
  } else {
    state_ = State::InSkippedFence;
    std::string why = word.empty() ? "fence has no language" :
                      lang == Lang::Unknown ? "unknown language '" + word + "'" :
                                              std::string("no chunker for ") + lang_name(lang);
    sink_.on_fence_skipped(idx, info, line_start_, why);
  }
}

void Router::forward(std::string_view s) {
  if (state_ == State::InFence && chunker_) chunker_->feed(s);
}

// Whether a (partial) body line is a closing fence: No, not yet decided
// (Maybe), or Yes.
Router::FenceLine Router::closing_state(std::string_view h) const {
  std::size_t i = 0;
  while (i < h.size() && h[i] == ' ') ++i;
  if (i > 3) return FenceLine::No;
  std::size_t j = i;
  while (j < h.size() && h[j] == fence_char_) ++j;
  std::size_t run = j - i;
  if (j == h.size()) return run >= fence_len_ ? FenceLine::Yes : FenceLine::Maybe;
  if (run < fence_len_) return FenceLine::No;
  for (std::size_t k = j; k < h.size(); ++k)
    if (h[k] != ' ' && h[k] != '\t') return FenceLine::No;
  return FenceLine::Yes;
}

void Router::byte_in_fence(char c) {
  if (c == '\n' || c == '\r') {
    if (line_may_close_) {
      if (closing_state(held_) == FenceLine::Yes) {
        held_.clear();
        close_fence();  // the fence line's newline is prose
        return;
      }
      forward(held_);
      held_.clear();
    }
    char nl = c;
    forward(std::string_view(&nl, 1));
    line_may_close_ = true;
    return;
  }
  if (!line_may_close_) {
    forward(std::string_view(&c, 1));
    return;
  }
  held_ += c;
  if (closing_state(held_) == FenceLine::No) {
    forward(held_);
    held_.clear();
    line_may_close_ = false;
  }
}

void Router::close_fence() {
  if (state_ == State::InFence && chunker_) chunker_->finish();
  chunker_.reset();
  bridge_.reset();
  state_ = State::Outside;
  line_buf_.clear();
  line_overflow_ = false;
}

void Router::finish() {
  if (!cfg_.markdown) {
    if (chunker_) chunker_->finish();
    return;
  }
  if (state_ == State::Outside) return;
  if (!held_.empty() && closing_state(held_) != FenceLine::Yes) forward(held_);
  held_.clear();
  close_fence();
}

}  // namespace sx
