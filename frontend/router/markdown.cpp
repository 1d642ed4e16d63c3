// CommonMark line recognisers (markdown.h).
#include "frontend/router/markdown.h"

#include <algorithm>
#include <cctype>

namespace sx::md {

// Advances over `count` columns; a tab wider than what is left is partly consumed.
void advance_cols(const Line &ln, Cursor &cur, int count) {
  while (count > 0 && cur.off < ln.s.size()) {
    if (ln.s[cur.off] == '\t') {
      int to_tab = kTab - cur.col % kTab;
      cur.partial = to_tab > count;
      int adv = std::min(count, to_tab);
      cur.col += adv;
      if (!cur.partial) ++cur.off;
      count -= adv;
    } else {
      cur.partial = false;
      ++cur.off;
      ++cur.col;
      --count;
    }
  }
}

// Advances over `count` bytes (a tab counts as the columns to its tab stop).
void advance_bytes(const Line &ln, Cursor &cur, std::size_t count) {
  while (count > 0 && cur.off < ln.s.size()) {
    cur.col += ln.s[cur.off] == '\t' ? kTab - cur.col % kTab : 1;
    cur.partial = false;
    ++cur.off;
    --count;
  }
}

Nonspace first_nonspace(const Line &ln, const Cursor &cur) {
  std::size_t i = cur.off;
  int col = cur.col;
  int to_tab = kTab - cur.col % kTab;
  for (;;) {
    int c = ln.peek(i);
    if (c == ' ') {
      ++i;
      ++col;
      if (--to_tab == 0) to_tab = kTab;
    } else if (c == '\t') {
      ++i;
      col += to_tab;
      to_tab = kTab;
    } else {
      return Nonspace{i, col - cur.col, c};
    }
  }
}


// Yes, `cur` moves past the container's prefix.
Match match_container(const Frame &f, const Line &ln, Cursor &cur) {
  Nonspace n = first_nonspace(ln, cur);
  if (f.quote) {
    if (n.indent >= 4) return Match::No;
    if (n.c == kNeed) return Match::More;
    if (n.c != '>') return Match::No;
    Cursor c = cur;
    advance_cols(ln, c, n.indent + 1);
    int next = ln.peek(c.off);
    if (next == kNeed) return Match::More;
    if (space_or_tab(next)) advance_cols(ln, c, 1);
    cur = c;
    return Match::Yes;
  }
  if (n.indent >= f.w) {
    advance_cols(ln, cur, f.w);
    return Match::Yes;
  }
  if (n.c == kNeed) return Match::More;
  if (n.blank() && f.has_child) {
    advance_bytes(ln, cur, n.off - cur.off);
    return Match::Yes;
  }
  return Match::No;
}

// Block starts, at the first non-space byte p of a complete line.

bool atx_heading(const Line &ln, std::size_t p) {
  std::size_t n = 0;
  while (ln.peek(p + n) == '#') ++n;
  int c = ln.peek(p + n);
  return n >= 1 && n <= 6 && (c == ' ' || c == '\t' || c == '\n');
}

// Length of the opening fence's run, 0 if the line is not an opening fence.
int opening_fence(const Line &ln, std::size_t p, bool tail_backtick) {
  int c = ln.peek(p);
  if (c != '`' && c != '~') return 0;
  std::size_t n = 0;
  while (ln.peek(p + n) == c) ++n;
  if (n < 3) return 0;
  if (c == '`') {
    if (ln.s.find('`', p + n) != std::string_view::npos || tail_backtick) return 0;
  }
  return static_cast<int>(n);
}

bool thematic_break(const Line &ln, std::size_t p) {
  int c = ln.peek(p);
  if (c != '*' && c != '-' && c != '_') return false;
  int n = 0;
  for (std::size_t i = p;; ++i) {
    int d = ln.peek(i);
    if (d == c) {
      ++n;
    } else if (!space_or_tab(d)) {
      return d == '\n' && n >= 3;
    }
  }
}

bool setext_underline(const Line &ln, std::size_t p) {
  int c = ln.peek(p);
  if (c != '=' && c != '-') return false;
  std::size_t i = p;
  while (ln.peek(i) == c) ++i;
  while (space_or_tab(ln.peek(i))) ++i;
  return ln.peek(i) == '\n';
}

// Length of a list marker at p (0 if none). A marker that interrupts a
// paragraph must start an ordered list at 1 and have content after it.
int list_marker(const Line &ln, std::size_t p, bool interrupts) {
  int c = ln.peek(p);
  std::size_t q = p;
  if (c == '*' || c == '-' || c == '+') {
    q = p + 1;
  } else if (digit(c)) {
    long start = 0;
    int digits = 0;
    do {
      start = start * 10 + (ln.peek(q) - '0');
      ++q;
      ++digits;
    } while (digits < 9 && digit(ln.peek(q)));
    if (interrupts && start != 1) return 0;
    int d = ln.peek(q);
    if (d != '.' && d != ')') return 0;
    ++q;
  } else {
    return 0;
  }
  if (!space_char(ln.peek(q))) return 0;
  if (interrupts) {
    std::size_t i = q;
    while (space_or_tab(ln.peek(i))) ++i;
    if (ln.peek(i) == '\n') return 0;
  }
  return static_cast<int>(q - p);
}

// Case-insensitive: does the line continue at i with `word`?
bool at_word(const Line &ln, std::size_t i, std::string_view word) {
  for (std::size_t k = 0; k < word.size(); ++k)
    if (lower(ln.peek(i + k)) != word[k]) return false;
  return true;
}

constexpr std::string_view kBlockTags[] = {
    "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center", "col",
    "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
    "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr",
    "html", "iframe", "legend", "li", "link", "main", "menu", "menuitem", "nav", "noframes", "ol",
    "optgroup", "option", "p", "param", "section", "source", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "title", "tr", "track", "ul"};

// An HTML open tag or closing tag starting at p ('<'); returns the offset
// after its '>' or 0.
std::size_t html_tag(const Line &ln, std::size_t p) {
  std::size_t i = p + 1;
  bool closing = ln.peek(i) == '/';
  if (closing) ++i;
  if (!alpha(ln.peek(i))) return 0;
  while (alpha(ln.peek(i)) || digit(ln.peek(i)) || ln.peek(i) == '-') ++i;
  auto skip_space = [&](std::size_t j) {
    while (space_char(ln.peek(j)) && ln.peek(j) != '\n') ++j;
    return j;
  };
  if (closing) {
    i = skip_space(i);
    return ln.peek(i) == '>' ? i + 1 : 0;
  }
  for (;;) {  // attributes: whitespace, name, optional value
    std::size_t j = skip_space(i);
    if (j == i) break;
    int c = ln.peek(j);
    if (!(alpha(c) || c == '_' || c == ':')) break;
    ++j;
    while (alpha(ln.peek(j)) || digit(ln.peek(j)) || ln.peek(j) == '_' || ln.peek(j) == '.' ||
           ln.peek(j) == ':' || ln.peek(j) == '-')
      ++j;
    i = j;
    std::size_t k = skip_space(j);
    if (ln.peek(k) != '=') continue;
    k = skip_space(k + 1);
    int q = ln.peek(k);
    if (q == '"' || q == '\'') {
      std::size_t e = k + 1;
      while (ln.peek(e) != q && ln.peek(e) != '\n' && ln.peek(e) != kText) ++e;
      if (ln.peek(e) != q) return 0;
      i = e + 1;
    } else {
      std::size_t e = k;
      for (;; ++e) {
        int c2 = ln.peek(e);
        if (space_char(c2) || c2 == '"' || c2 == '\'' || c2 == '=' || c2 == '<' || c2 == '>' || c2 == '`' ||
            c2 == kText)
          break;
      }
      if (e == k) return 0;
      i = e;
    }
  }
  i = skip_space(i);
  if (ln.peek(i) == '/') ++i;
  return ln.peek(i) == '>' ? i + 1 : 0;
}

// HTML block start condition (1–7) met at p, 0 if none. Condition 7 cannot
// interrupt a paragraph.
int html_block_start(const Line &ln, std::size_t p, bool interrupts) {
  if (ln.peek(p) != '<') return 0;
  for (std::string_view t : {"script", "pre", "style", "textarea"}) {
    if (at_word(ln, p + 1, t)) {
      int c = ln.peek(p + 1 + t.size());
      if (space_char(c) || c == '>') return 1;
    }
  }
  if (at_word(ln, p + 1, "!--")) return 2;
  if (ln.peek(p + 1) == '?') return 3;
  if (ln.peek(p + 1) == '!' && ln.peek(p + 2) >= 'A' && ln.peek(p + 2) <= 'Z') return 4;
  if (at_word(ln, p + 1, "![cdata[")) return 5;
  std::size_t i = p + 1;
  if (ln.peek(i) == '/') ++i;
  for (std::string_view t : kBlockTags) {
    if (!at_word(ln, i, t)) continue;
    int c = ln.peek(i + t.size());
    if (space_char(c) || c == '>' || (c == '/' && ln.peek(i + t.size() + 1) == '>')) return 6;
  }
  if (interrupts) return 0;
  std::size_t e = html_tag(ln, p);
  if (e == 0) return 0;
  while (ln.peek(e) == ' ' || ln.peek(e) == '\t' || ln.peek(e) == '\f') ++e;
  return ln.peek(e) == '\n' ? 7 : 0;
}


// Does the line from p meet the end condition of HTML block type t?
bool html_block_end(const Line &ln, std::size_t p, int t, unsigned tail_hits) {
  if (t > 5) return false;
  if (tail_hits & (1u << t)) return true;
  std::string_view rest = p < ln.s.size() ? ln.s.substr(p) : std::string_view();
  for (std::size_t k = 0; k < std::size(kHtmlEnds); ++k) {
    if (html_end_type(k) != t) continue;
    std::string_view pat = kHtmlEnds[k];
    if (t != 1) {
      if (rest.find(pat) != std::string_view::npos) return true;
      continue;
    }
    for (std::size_t i = 0; i + pat.size() <= rest.size(); ++i) {
      std::size_t j = 0;
      while (j < pat.size() && lower(static_cast<unsigned char>(rest[i + j])) == pat[j]) ++j;
      if (j == pat.size()) return true;
    }
  }
  return false;
}

// Link reference definitions ([label]: destination "title"). cmark removes
// them from the start of a paragraph when the paragraph ends or meets a
// setext underline; a paragraph made only of them is no paragraph (it is no
// heading either, and it leaves its list item empty).

bool punct(int c) { return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~'); }

std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && space_or_tab(s[i])) ++i;
  return i;
}
// After spaces: a line end (or the end of the text)?
bool line_end_at(std::string_view s, std::size_t *i) {
  bool seen = false;
  if (*i < s.size() && s[*i] == '\r') ++*i, seen = true;
  if (*i < s.size() && s[*i] == '\n') ++*i, seen = true;
  return seen || *i >= s.size();
}
// Spaces, up to one line end, spaces.
std::size_t skip_spnl(std::string_view s, std::size_t i) {
  i = skip_spaces(s, i);
  std::size_t j = i;
  if (line_end_at(s, &j) && j > i) i = skip_spaces(s, j);
  return i;
}
// Length of the destination at i, -1 if none.
long link_destination(std::string_view s, std::size_t i) {
  std::size_t o = i;
  if (i < s.size() && s[i] == '<') {
    for (++i; i < s.size();) {
      if (s[i] == '>') {
        ++i;
        break;
      }
      if (s[i] == '\\') i += 2;
      else if (s[i] == '\n' || s[i] == '<') return -1;
      else ++i;
    }
    if (i >= s.size()) return -1;
    return static_cast<long>(i - o);
  }
  int parens = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\' && i + 1 < s.size() && punct(static_cast<unsigned char>(s[i + 1]))) {
      i += 2;
    } else if (c == '(') {
      if (++parens > 32) return -1;
      ++i;
    } else if (c == ')') {
      if (parens == 0) break;
      --parens;
      ++i;
    } else if (space_char(c) || c < 0x20 || c == 0x7f) {
      if (i == o) return -1;
      break;
    } else {
      ++i;
    }
  }
  if (i >= s.size() || parens != 0) return -1;
  return static_cast<long>(i - o);
}
// Length of the title at i, 0 if none: the longest run from an opening quote
// (or parenthesis) to a closing one in which every inner delimiter is
// backslash-escaped.
std::size_t link_title(std::string_view s, std::size_t i) {
  if (i >= s.size()) return 0;
  char open = s[i], close = open == '(' ? ')' : open;
  if (open != '"' && open != '\'' && open != '(') return 0;
  std::size_t best = 0;
  for (std::size_t j = i + 1; j < s.size(); ++j) {
    char c = s[j];
    if (c == 0) break;
    bool escaped = s[j - 1] == '\\' && j - 1 > i;
    if (c == close) {
      best = j + 1 - i;
      if (!escaped) break;
    } else if (open == '(' && c == '(' && !escaped) {
      break;
    }
  }
  return best;
}
// Length of the definition at the start of s, 0 if there is none.
std::size_t link_reference(std::string_view s) {
  if (s.empty() || s[0] != '[') return 0;
  std::size_t i = 1;
  int length = 0;
  while (i < s.size() && s[i] != '[' && s[i] != ']') {
    if (s[i] == '\\') {
      ++i;
      ++length;
      if (i < s.size() && punct(static_cast<unsigned char>(s[i]))) {
        ++i;
        ++length;
      }
    } else {
      ++i;
      ++length;
    }
    if (length > 1000) return 0;
  }
  if (i >= s.size() || s[i] != ']') return 0;
  if (s.substr(1, i - 1).find_first_not_of(" \t\r\n") == std::string_view::npos) return 0;
  ++i;
  if (i >= s.size() || s[i] != ':') return 0;
  i = skip_spnl(s, i + 1);
  long dest = link_destination(s, i);
  if (dest < 0) return 0;
  i += static_cast<std::size_t>(dest);
  std::size_t before_title = i;
  i = skip_spnl(s, i);
  std::size_t title = i == before_title ? 0 : link_title(s, i);
  i = title ? i + title : before_title;
  i = skip_spaces(s, i);
  if (!line_end_at(s, &i)) {
    if (!title) return 0;
    i = skip_spaces(s, before_title);
    if (!line_end_at(s, &i)) return 0;
  }
  return i;
}
// Is a paragraph's text (its lines without leading spaces, each ending with
// "\n") made only of link reference definitions?
bool only_link_references(std::string_view s) {
  while (!s.empty() && s[0] == '[') {
    std::size_t n = link_reference(s);
    if (n == 0) break;
    s.remove_prefix(n);
  }
  return s.empty();
}


}  // namespace sx::md
