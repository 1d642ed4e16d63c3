// CommonMark, line by line (https://spec.commonmark.org/0.30/): the block
// starts and ends the router needs — container prefixes, fences, ATX and
// setext headings, thematic breaks, list markers, HTML blocks, link
// reference definitions — recognised on one line at a time, with the
// columns of tabs. Used by router.cpp; cmark is the judge in the tests
// (tests/oracle/router_cmark_test.cpp).
#ifndef STREAMEXEC_FRONTEND_ROUTER_MARKDOWN_H
#define STREAMEXEC_FRONTEND_ROUTER_MARKDOWN_H

#include <cstddef>
#include <iterator>
#include <string_view>

#include "frontend/router/router.h"

namespace sx::md {

constexpr int kTab = 4;
constexpr int kNeed = -1;   // peek past the bytes seen so far of an unfinished line
constexpr int kText = 256;  // peek past the kept bytes of a cut line whose rest is not blank

// A line being examined: its bytes without the line ending. Once the line is
// complete, reading past its bytes gives `after` ('\n', or kText for a line
// cut at Router::kMaxLine whose rest is not blank: no syntax matches it).
struct Line {
  std::string_view s;
  bool complete = true;
  int after = '\n';
  int peek(std::size_t i) const {
    if (i < s.size()) return static_cast<unsigned char>(s[i]);
    return complete ? after : kNeed;
  }
};

inline bool space_or_tab(int c) { return c == ' ' || c == '\t'; }
// cmark's whitespace (isspace in its scanners): the line end counts.
inline bool space_char(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
inline int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
inline bool alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool digit(int c) { return c >= '0' && c <= '9'; }

// Advances over `count` columns; a tab wider than what is left is partly consumed.
void advance_cols(const Line &ln, Cursor &cur, int count);
// Advances over `count` bytes.
void advance_bytes(const Line &ln, Cursor &cur, std::size_t count);

// The first byte after the spaces and tabs at `cur`.
struct Nonspace {
  std::size_t off;
  int indent;  // columns from cur
  int c;       // the byte there: '\n' at the line end, kNeed if not seen yet
  bool blank() const { return c == '\n'; }
};
Nonspace first_nonspace(const Line &ln, const Cursor &cur);

enum class Match { Yes, No, More };

// Does the line continue the container (CommonMark "check open blocks")? On
// Yes, `cur` moves past the container's prefix.
Match match_container(const Frame &f, const Line &ln, Cursor &cur);

// Block starts at byte p of the line (its indentation already checked):
bool atx_heading(const Line &ln, std::size_t p);
// An opening code fence: its length (0: none).
int opening_fence(const Line &ln, std::size_t p, bool tail_backtick);
bool thematic_break(const Line &ln, std::size_t p);
bool setext_underline(const Line &ln, std::size_t p);
// A list marker: its width in bytes (0: none); `interrupts`: it would
// interrupt a paragraph.
int list_marker(const Line &ln, std::size_t p, bool interrupts);
// An HTML block start: its type 1-7 (0: none).
int html_block_start(const Line &ln, std::size_t p, bool interrupts);

inline constexpr std::string_view kHtmlEnds[] = {"</script>", "</pre>", "</style>", "</textarea>", "-->", "?>", ">",
                                          "]]>"};
// The HTML block type whose end condition a pattern of kHtmlEnds is.
inline int html_end_type(std::size_t pattern) { return pattern < 4 ? 1 : static_cast<int>(pattern) - 2; }
// Does the line from p meet the end condition of HTML block type t?
bool html_block_end(const Line &ln, std::size_t p, int t, unsigned tail_hits);

// Is a paragraph's text (its lines without leading spaces, each ending with
// "\n") made only of link reference definitions?
bool only_link_references(std::string_view s);

}  // namespace sx::md

#endif
