// The markdown router (frontend/router): fenced code blocks found as
// CommonMark 0.30 finds them — in list items and block quotes, never in HTML
// blocks, indented code or inline code — with their content's indentation
// removed, streamed line by line, positions mapped back to the answer, and
// on_program_end called once per executable fence after its last unit.
//
// Every case runs fed whole, one byte at a time and in random pieces; the
// three event logs must be identical. (tests/oracle/router_cmark_test.cpp
// compares the forwarded text with cmark over the spec and larger corpora.)
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "frontend/chunker.h"
#include "frontend/router/router.h"

namespace {

using sx::Lang;
using sx::Pos;

std::string show(const std::string &s) {
  std::string o;
  for (char c : s) {
    if (c == '\n') o += "\\n";
    else if (c == '\r') o += "\\r";
    else if (c == '\t') o += "\\t";
    else o += c;
  }
  return o;
}
std::string show(const Pos &p) {
  return std::to_string(p.line) + ":" + std::to_string(p.col) + "@" + std::to_string(p.offset);
}

struct Skipped {
  int fence;
  std::string info;
  Pos at;
  std::string why;
};
struct ProgramEnd {
  Lang lang;
  int fence;
  std::size_t units_before, errors_before;
};

struct Recorder : sx::RouterSink {
  std::vector<sx::Unit> units;
  std::vector<sx::SyntaxError> errors;
  std::vector<Skipped> skipped;
  std::vector<ProgramEnd> ends;
  std::vector<Lang> opens;
  std::vector<std::string> bodies;  // what each executable fence's chunker was fed
  std::vector<std::string> log;     // every event, rendered, in order

  void on_unit(sx::Unit &&u) override {
    log.push_back("unit " + std::string(sx::lang_name(u.lang)) + " fence " + std::to_string(u.fence) + " " +
                  show(u.begin) + "-" + std::to_string(u.end) + " " + show(u.code) + " lead " + show(u.lead));
    units.push_back(std::move(u));
  }
  void on_syntax_error(sx::SyntaxError &&e) override {
    log.push_back("error fence " + std::to_string(e.fence) + " at " + show(e.at) + " unit " + show(e.unit_begin) +
                  " " + e.message);
    errors.push_back(std::move(e));
  }
  void on_fence_skipped(int fence, const std::string &info, Pos at, const std::string &why) override {
    log.push_back("skipped " + std::to_string(fence) + " " + show(info) + " " + show(at) + " " + why);
    skipped.push_back({fence, info, at, why});
  }
  void on_fence_open(Lang l) override {
    log.push_back(std::string("open ") + sx::lang_name(l));
    opens.push_back(l);
  }
  void on_program_end(Lang l, int fence) override {
    log.push_back(std::string("end ") + sx::lang_name(l) + " " + std::to_string(fence));
    ends.push_back({l, fence, units.size(), errors.size()});
  }
  std::vector<std::string> codes() const {
    std::vector<std::string> v;
    for (const auto &u : units) v.push_back(u.code);
    return v;
  }
};

// A real chunker that also records the exact text it is fed.
class Tee : public sx::Chunker {
 public:
  Tee(std::unique_ptr<sx::Chunker> real, std::string &into) : real_(std::move(real)), into_(into) {}
  void feed(std::string_view b) override {
    into_.append(b);
    if (real_) real_->feed(b);
  }
  void finish() override {
    if (real_) real_->finish();
  }

 private:
  std::unique_ptr<sx::Chunker> real_;
  std::string &into_;
};

// Feeds `text` in pieces: 0 = whole, 1 = one byte at a time, else random
// pieces of 1–16 bytes from that seed. finish() unless told not to.
void run_into(Recorder &r, sx::Router &router, const std::string &text, unsigned how) {
  if (how == 0) {
    router.feed(text);
  } else if (how == 1) {
    for (char c : text) router.feed(std::string_view(&c, 1));
  } else {
    std::mt19937 rng(how);
    std::size_t i = 0;
    while (i < text.size()) {
      std::size_t n = std::min<std::size_t>(text.size() - i, 1 + rng() % 16);
      router.feed(std::string_view(text).substr(i, n));
      i += n;
    }
  }
  (void)r;
}

sx::RouterConfig teeing(sx::RouterConfig cfg, Recorder &r) {
  cfg.chunker_factory = [&r](Lang l, sx::ChunkSink &s) -> std::unique_ptr<sx::Chunker> {
    auto real = sx::make_chunker(l, s);
    if (!real) return nullptr;
    r.bodies.emplace_back();
    return std::make_unique<Tee>(std::move(real), r.bodies.back());
  };
  return cfg;
}

Recorder run_once(const std::string &text, unsigned how, sx::RouterConfig cfg = {}) {
  Recorder r;
  r.bodies.reserve(256);  // Tee keeps a reference into the vector
  sx::Router router(teeing(cfg, r), r);
  run_into(r, router, text, how);
  EXPECT_EQ(router.offset(), text.size());
  router.finish();
  return r;
}

// Each program's units, leads and codes in order, are its text: the start of
// what its chunker was fed.
void expect_leads_rebuild_the_text(const Recorder &r) {
  std::map<int, std::string> rebuilt;
  for (const auto &u : r.units) rebuilt[u.fence] += u.lead + u.code;
  for (const auto &[fence, text] : rebuilt) {
    bool prefix = false;
    for (const auto &b : r.bodies) prefix |= b.compare(0, text.size(), text) == 0;
    EXPECT_TRUE(prefix) << "fence " << fence << ": " << show(text);
  }
}

// Runs whole, byte by byte and in random pieces: same events every time.
Recorder run(const std::string &text, sx::RouterConfig cfg = {}) {
  Recorder whole = run_once(text, 0, cfg);
  expect_leads_rebuild_the_text(whole);
  for (unsigned how : {1u, 2u, 3u, 4u, 5u}) {
    Recorder other = run_once(text, how, cfg);
    EXPECT_EQ(other.log, whole.log) << "split " << how << " of " << show(text);
    EXPECT_EQ(other.bodies, whole.bodies) << "split " << how << " of " << show(text);
  }
  return whole;
}

Pos pos_of(const std::string &text, const std::string &needle, std::size_t from = 0) {
  std::size_t off = text.find(needle, from);
  EXPECT_NE(off, std::string::npos) << needle;
  Pos p;
  p.offset = off;
  p.line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < off; ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++p.line;
      line_start = i + 1;
    }
  }
  p.col = static_cast<std::uint32_t>(off - line_start);
  return p;
}

void expect_pos(const Pos &got, const Pos &want, const std::string &what) {
  EXPECT_EQ(got.offset, want.offset) << what;
  EXPECT_EQ(got.line, want.line) << what;
  EXPECT_EQ(got.col, want.col) << what;
}

using Codes = std::vector<std::string>;

// ---------------------------------------------------------------- leads

TEST(RouterLead, CommentsAndBlankLinesBeforeEachUnitAreItsLead) {
  std::string body = "#!/usr/bin/env python3\n# about\n\nimport os\n\n# two\nx = 1  # same line\n# tail\n";
  Recorder r = run("Text\n```python\n" + body + "```\n");
  ASSERT_EQ(r.units.size(), 2u);
  EXPECT_EQ(r.units[0].lead, "#!/usr/bin/env python3\n# about\n\n");
  EXPECT_EQ(r.units[0].code, "import os\n");
  EXPECT_EQ(r.units[1].lead, "\n# two\n");
  EXPECT_EQ(r.units[1].lead + r.units[1].code, "\n# two\nx = 1  # same line\n");
}

// ---------------------------------------------------------------- list items

TEST(RouterLists, NumberedStepWithPythonFenceIndentedThreeSpaces) {
  // The bug: the body kept the list item's 3 spaces ("unexpected indent").
  std::string a = "1. Step\n   ```python\n   x = 1\n   if x:\n       print(x)\n   ```\n";
  Recorder r = run(a);
  EXPECT_EQ(r.codes(), (Codes{"x = 1\n", "if x:\n    print(x)\n"}));
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.units.size(), 2u);
  expect_pos(r.units[0].begin, pos_of(a, "x = 1"), "unit 0 begins at its first byte in the answer");
  EXPECT_EQ(r.units[0].end, pos_of(a, "   if").offset);
  expect_pos(r.units[1].begin, pos_of(a, "if x"), "unit 1 begins at its first byte in the answer");
  EXPECT_EQ(r.units[1].end, pos_of(a, "   ```\n", 20).offset);
  EXPECT_EQ(r.units[1].fence, 0);
  ASSERT_EQ(r.ends.size(), 1u);
  EXPECT_EQ(r.ends[0].lang, Lang::Python);
  EXPECT_EQ(r.ends[0].fence, 0);
  EXPECT_EQ(r.ends[0].units_before, 2u);
}

TEST(RouterLists, BulletedJsTemplateLiteralKeepsItsExactText) {
  // The bug: two extra spaces on every line of the template literal.
  std::string a = "- Run this:\n  ```js\n  const s = `a\n    b\n  c`;\n  console.log(s);\n  ```\n- Done.\n";
  Recorder r = run(a);
  ASSERT_EQ(r.bodies.size(), 1u);
  EXPECT_EQ(r.bodies[0], "const s = `a\n  b\nc`;\nconsole.log(s);\n");
  ASSERT_GE(r.units.size(), 1u);
  EXPECT_EQ(r.units[0].code, "const s = `a\n  b\nc`;");
  expect_pos(r.units[0].begin, pos_of(a, "const"), "unit begin");
  EXPECT_EQ(r.units[0].lang, Lang::JavaScript);
}

TEST(RouterLists, ContentIndentationOfEachListKind) {
  // "-", "*", "+", "1." and "1)" items, content indented by the marker's width
  // plus its spaces; wide numbers; a fence less indented than the content.
  std::string a =
      "* a\n  ```python\n  a = 1\n  ```\n"
      "+ b\n\n  ```python\n  b = 2\n  ```\n"
      "1) c\n   ```python\n   c = 3\n   ```\n"
      "10.  d\n     ```python\n     d = 4\n     ```\n"
      "- e\n ```python\n x = 5\n ```\n";
  Recorder r = run(a);
  EXPECT_EQ(r.codes(), (Codes{"a = 1\n", "b = 2\n", "c = 3\n", "d = 4\n", "x = 5\n"}));
  EXPECT_EQ(r.ends.size(), 5u);
}

TEST(RouterLists, FenceIndentedInsideItsContainerLosesThatIndentationToo) {
  // Indented 2 spaces inside the item: content lines lose up to 2 more spaces.
  std::string a = "1. x\n     ```python\n     if True:\n         y = 1\n    z = 2\n     ```\n";
  Recorder r = run(a);
  ASSERT_EQ(r.bodies.size(), 1u);
  EXPECT_EQ(r.bodies[0], "if True:\n    y = 1\nz = 2\n");
}

TEST(RouterLists, FenceEndsWithItsListItem) {
  std::string a = "1. ```python\n   a = 1\n2. ```python\n   b = 2\n3. Done\n";
  // Streaming: the first program ends as soon as "2" shows the item ended.
  Recorder r;
  sx::Router router({}, r);
  std::string upto = a.substr(0, a.find("2. "));
  router.feed(upto);
  EXPECT_TRUE(r.ends.empty());
  router.feed("2");
  ASSERT_EQ(r.ends.size(), 1u);
  EXPECT_EQ(r.ends[0].fence, 0);
  EXPECT_EQ(r.units.size(), 1u);
  router.feed(a.substr(upto.size() + 1));
  router.finish();
  Recorder w = run(a);
  EXPECT_EQ(w.codes(), (Codes{"a = 1\n", "b = 2\n"}));
  ASSERT_EQ(w.ends.size(), 2u);
  EXPECT_EQ(w.ends[1].fence, 1);
  EXPECT_EQ(w.ends[1].units_before, 2u);
}

TEST(RouterLists, BlankLinesInsideTheFenceKeepTheItemOpen) {
  std::string a = "- ```python\n  a = 1\n\n      \n  b = a\n  ```\n";
  Recorder r = run(a);
  ASSERT_EQ(r.bodies.size(), 1u);
  EXPECT_EQ(r.bodies[0], "a = 1\n\n    \nb = a\n");
  EXPECT_EQ(r.codes(), (Codes{"a = 1\n", "b = a\n"}));
}

TEST(RouterLists, LineIndentedFourMoreThanTheItemIsIndentedCode) {
  std::string a = "- item\n\n      ```python\n      print(1)\n      ```\n";
  Recorder r = run(a);
  EXPECT_TRUE(r.units.empty());
  EXPECT_TRUE(r.opens.empty());
  EXPECT_TRUE(r.skipped.empty());
  EXPECT_TRUE(r.ends.empty());
}

TEST(RouterLists, SkippedFencesInListsAreReported) {
  std::string a = "- ```bash\n  ls\n  ```\n- ```\n  plain\n  ```\n- ```python\n  x = 1\n  ```\n";
  Recorder r = run(a);
  ASSERT_EQ(r.skipped.size(), 2u);
  EXPECT_EQ(r.skipped[0].fence, 0);
  EXPECT_EQ(r.skipped[0].info, "bash");
  EXPECT_NE(r.skipped[0].why.find("bash"), std::string::npos);
  expect_pos(r.skipped[0].at, Pos{0, 1, 0}, "skipped fence: start of its opening line");
  EXPECT_EQ(r.skipped[1].fence, 1);
  EXPECT_NE(r.skipped[1].why.find("no language"), std::string::npos);
  ASSERT_EQ(r.units.size(), 1u);
  EXPECT_EQ(r.units[0].fence, 2);
  ASSERT_EQ(r.ends.size(), 1u);  // skipped fences have no program end
  EXPECT_EQ(r.ends[0].fence, 2);
}

TEST(RouterLists, SyntaxErrorPositionIsInTheAnswer) {
  std::string a = "1. Step\n   ```python\n   x = (1,\n   2))\n   ```\n";
  Recorder r = run(a);
  ASSERT_EQ(r.errors.size(), 1u);
  // The stray ')' is column 2 of the program's line 2: answer line 4, column 3 + 2.
  EXPECT_EQ(r.errors[0].at.line, 4u);
  EXPECT_EQ(r.errors[0].at.col, 5u);
  EXPECT_EQ(r.errors[0].at.offset, pos_of(a, "2))").offset + 2);
  expect_pos(r.errors[0].unit_begin, pos_of(a, "x = (1"), "error's unit begin");
  ASSERT_EQ(r.ends.size(), 1u);
  EXPECT_EQ(r.ends[0].errors_before, 1u);
}

TEST(RouterLists, CrlfAnswer) {
  std::string a = "1. Run:\r\n   ```python\r\n   print('a')\r\n   if 1:\r\n       x = 2\r\n   ```\r\n2. Done\r\n";
  Recorder r = run(a);
  EXPECT_EQ(r.codes(), (Codes{"print('a')\r\n", "if 1:\r\n    x = 2\r\n"}));
  ASSERT_EQ(r.units.size(), 2u);
  expect_pos(r.units[1].begin, pos_of(a, "if 1"), "CRLF unit begin");
  EXPECT_EQ(r.units[1].end, a.rfind("   ```"));
}

// ------------------------------------------------------------- block quotes

TEST(RouterQuotes, QuotedFenceRunsWithoutTheMarkers) {
  std::string a = "> ```python\n> x = 1\n> print(x)\n> ```\n";
  Recorder r = run(a);
  EXPECT_EQ(r.codes(), (Codes{"x = 1\n", "print(x)\n"}));
  ASSERT_EQ(r.units.size(), 2u);
  expect_pos(r.units[1].begin, pos_of(a, "print"), "quoted unit begin");
  EXPECT_EQ(r.units[1].end, pos_of(a, "> ```\n", 5).offset);
  EXPECT_EQ(r.ends.size(), 1u);
}

TEST(RouterQuotes, NestedQuotesAndListsInQuotes) {
  std::string a =
      "> > ```python\n> > a = 1\n> > ```\n>\n> 1. step\n>    ```python\n>    print(a)\n>    ```\n"
      "> - quoted item\n>   > ```python\n>   > b = 2\n>   > ```\n";
  Recorder r = run(a);
  EXPECT_EQ(r.codes(), (Codes{"a = 1\n", "print(a)\n", "b = 2\n"}));
  ASSERT_EQ(r.units.size(), 3u);
  expect_pos(r.units[1].begin, pos_of(a, "print(a)"), "list in quote");
  expect_pos(r.units[2].begin, pos_of(a, "b = 2"), "quote in list in quote");
  EXPECT_EQ(r.ends.size(), 3u);
}

TEST(RouterQuotes, LazyLineDoesNotContinueTheFence) {
  std::string a = "> ```python\n> x = 1\ny = 2\n> ```\n";
  Recorder r;
  sx::Router router({}, r);
  router.feed(a.substr(0, a.find("y = 2")));
  EXPECT_TRUE(r.ends.empty());
  router.feed("y");  // the quote ended: so did the fence
  ASSERT_EQ(r.ends.size(), 1u);
  EXPECT_EQ(r.units.size(), 1u);
  router.feed(a.substr(a.find("y = 2") + 1));
  router.finish();
  Recorder w = run(a);
  EXPECT_EQ(w.codes(), (Codes{"x = 1\n"}));
  // "> ```" opens a new, unlabeled fence.
  ASSERT_EQ(w.skipped.size(), 1u);
  EXPECT_EQ(w.skipped[0].fence, 1);
}

TEST(RouterQuotes, QuoteMarkerWithoutSpaceAndIndentedMarkers) {
  std::string a = ">```python\n>x = 1\n   > y = 2\n>```\n";
  Recorder r = run(a);
  EXPECT_EQ(r.codes(), (Codes{"x = 1\n", "y = 2\n"}));
}

// -------------------------------------------------------------- HTML blocks

TEST(RouterHtml, FenceInsideAnyHtmlBlockNeverRuns) {
  const char *const blocks[] = {
      "<script>\n```python\nprint(1)\n```\n</script>\n",      // 1
      "<pre>\n```python\nprint(1)\n```\n</pre>\n",            // 1
      "<style\n```python\nprint(1)\n```\n</style>\n",         // 1
      "<textarea>\n```python\nprint(1)\n```\n</textarea>\n",  // 1
      "<!--\n```python\nprint(1)\n```\n-->\n",                // 2
      "<?php\n```python\nprint(1)\n```\n?>\n",                // 3
      "<!DOCTYPE x\n```python\nprint(1)\n```\n>\n",           // 4
      "<![CDATA[\n```python\nprint(1)\n```\n]]>\n",           // 5
      "<details>\n<summary>x</summary>\n```python\nprint(1)\n```\n</details>\n",  // 6
      "<div class=\"a\">\n```python\nprint(1)\n```\n</div>\n",                    // 6
      "<custom-tag attr='1'>\n```python\nprint(1)\n```\n</custom-tag>\n",         // 7
      "- <!--\n  ```python\n  print(1)\n  ```\n  -->\n",                           // in a list item
      "> <div>\n> ```python\n> print(1)\n> ```\n",                                 // in a quote
  };
  for (const char *b : blocks) {
    Recorder r = run(b);
    EXPECT_TRUE(r.units.empty()) << b;
    EXPECT_TRUE(r.opens.empty()) << b;
    EXPECT_TRUE(r.skipped.empty()) << b;
    EXPECT_TRUE(r.ends.empty()) << b;
  }
}

TEST(RouterHtml, FencesAfterTheEndConditionRun) {
  std::string a =
      "<!-- a comment\n```python\nprint('no')\n```\nstill the comment -->\n```python\nprint('one')\n```\n"
      "<details>\n<summary>Solution</summary>\n\n```python\nprint('two')\n```\n\n</details>\n\n"
      "<pre><code>x</code></pre>\n```python\nprint('three')\n```\n";
  Recorder r = run(a);
  EXPECT_EQ(r.codes(), (Codes{"print('one')\n", "print('two')\n", "print('three')\n"}));
}

TEST(RouterHtml, TypeSevenCannotInterruptAParagraph) {
  std::string a = "Some text\n<custom>\n```python\nprint('runs')\n```\n";
  Recorder r = run(a);
  EXPECT_EQ(r.codes(), (Codes{"print('runs')\n"}));
}

// ------------------------------------------------- inline and indented code

TEST(RouterCode, InlineCodeAndIndentedCodeNeverRun) {
  const char *const docs[] = {
      "Use ```python print(1)``` inline.\n",
      "Text ```python\nprint(1)\n```\n",  // the opener is inline: "```" on the last line opens an empty fence
      "    ```python\n    print(1)\n    ```\n",
      "\t```python\n\tprint(1)\n\t```\n",
      "Paragraph\n    ```python\n    print(1)\n",  // indented text continues the paragraph: no fence either
  };
  for (const char *d : docs) {
    Recorder r = run(d);
    EXPECT_TRUE(r.units.empty()) << d;
    EXPECT_TRUE(r.opens.empty()) << d;
  }
}

// ------------------------------------------------------------------- fences

TEST(RouterFences, ClosingFences) {
  // Longer closer; closer indented 3 columns inside an item; 4 is content.
  std::string a =
      "```python\nx = 1\n`````\nprint('prose')\n"
      "- ```python\n  y = 2\n     ```\n"
      "- ```python\n  z = 3\n      ```\n  ```\n";
  Recorder r = run(a);
  ASSERT_EQ(r.bodies.size(), 3u);
  EXPECT_EQ(r.bodies[0], "x = 1\n");
  EXPECT_EQ(r.bodies[1], "y = 2\n");
  EXPECT_EQ(r.bodies[2], "z = 3\n    ```\n");
  EXPECT_EQ(r.ends.size(), 3u);
}

TEST(RouterFences, InfoStrings) {
  // A backtick fence's info string cannot hold a backtick; a tilde fence's can.
  std::string a = "```py`x\nprint(1)\n```\n";
  Recorder r = run(a);
  EXPECT_TRUE(r.units.empty());
  ASSERT_EQ(r.skipped.size(), 1u);  // the last line opens an unlabeled fence
  EXPECT_EQ(r.skipped[0].info, "");

  std::string b = "~~~python `x`\nprint(1)\n~~~\n```python title=\"a.py\" {.x}\nprint(2)\n```\n";
  Recorder s = run(b);
  EXPECT_EQ(s.codes(), (Codes{"print(1)\n", "print(2)\n"}));
}

TEST(RouterFences, TopLevelIndentedFence) {
  std::string a = "  ```python\n  if True:\n      print(1)\n x = 2\ny = 3\n  ```\n";
  Recorder r = run(a);
  ASSERT_EQ(r.bodies.size(), 1u);
  EXPECT_EQ(r.bodies[0], "if True:\n    print(1)\nx = 2\ny = 3\n");
}

TEST(RouterFences, UnclosedFenceEndsWithTheStream) {
  std::string a = "- step\n\n  ```python\n  print('never closed')";
  Recorder r = run(a);
  EXPECT_EQ(r.codes(), (Codes{"print('never closed')"}));
  ASSERT_EQ(r.ends.size(), 1u);
  EXPECT_EQ(r.ends[0].units_before, 1u);
  // No byte of a last content line: the program ends all the same.
  Recorder s = run("```python\nx = 1\n");
  EXPECT_EQ(s.ends.size(), 1u);
  Recorder t = run("```python");
  EXPECT_EQ(t.opens.size(), 1u);
  EXPECT_EQ(t.ends.size(), 1u);
}

// --------------------------------------------------------------------- tabs

TEST(RouterTabs, TabsAfterListMarkersAndInContent) {
  // "-\t": content at column 4; a content tab at column 0 is those 4 columns.
  std::string a = "-\t```python\n\tx = 1\n\tif x:\n\t\tprint(x)\n\t```\n";
  Recorder r = run(a);
  EXPECT_EQ(r.codes(), (Codes{"x = 1\n", "if x:\n\tprint(x)\n"}));
  ASSERT_EQ(r.units.size(), 2u);
  expect_pos(r.units[0].begin, pos_of(a, "x = 1"), "after a tab");
}

TEST(RouterTabs, PartlyConsumedTabBecomesSpaces) {
  // ">\t": the quote's optional space takes 1 column of the tab; the fence is
  // indented 2 more columns, which its content lines lose: of ">\t\tlet" the
  // first tab (columns 1-4) keeps 1 column, as a space.
  std::string a = ">\t```js\n>\t\tlet x = 1;\n>\t```\n";
  Recorder r = run(a);
  ASSERT_EQ(r.bodies.size(), 1u);
  EXPECT_EQ(r.bodies[0], " \tlet x = 1;\n");
  ASSERT_EQ(r.units.size(), 1u);
  expect_pos(r.units[0].begin, pos_of(a, "let"), "after the tabs");
  EXPECT_EQ(r.units[0].end, pos_of(a, ";").offset + 1);
  // A position on the synthetic space maps to the tab it stands for: here
  // the Python unit that fails ("unexpected indent") begins there.
  std::string b = ">\t```python\n>\t\tx = 1\n>\t```\n";
  Recorder s = run(b);
  ASSERT_EQ(s.errors.size(), 1u);
  expect_pos(s.errors[0].unit_begin, pos_of(b, "\t\tx"), "synthetic space maps to its tab");
  expect_pos(s.errors[0].at, pos_of(b, "x = 1"), "error at the first token");
}

// -------------------------------------------------------------- boundaries

TEST(RouterLimits, NestingDepthIsCapped) {
  auto quoted = [](int depth, const std::string &line) {
    std::string p;
    for (int i = 0; i < depth; ++i) p += "> ";
    return p + line + "\n";
  };
  int cap = sx::Router::kMaxDepth;
  Recorder in = run(quoted(cap, "```python") + quoted(cap, "x = 1") + quoted(cap, "```"));
  EXPECT_EQ(in.codes(), (Codes{"x = 1\n"}));
  Recorder deeper = run(quoted(cap + 1, "```python") + quoted(cap + 1, "x = 1") + quoted(cap + 1, "```"));
  EXPECT_TRUE(deeper.units.empty());  // the 65th marker is prose
  EXPECT_TRUE(deeper.opens.empty());
}

TEST(RouterLimits, LinesLongerThanTheBuffer) {
  std::string big(3 * sx::Router::kMaxLine, 'a');
  // The end of an HTML comment far beyond the kept bytes ends the comment.
  Recorder r = run("<!-- " + big + " -->\n```python\nx = 1\n```\n");
  EXPECT_EQ(r.codes(), (Codes{"x = 1\n"}));
  // A long info string: the language is its first word.
  Recorder s = run("```python " + big + "\nx = 2\n```\n");
  EXPECT_EQ(s.codes(), (Codes{"x = 2\n"}));
  // ... but a backtick anywhere in it means no fence.
  Recorder t = run("```python " + big + "`\nx = 3\n```\n");
  EXPECT_TRUE(t.units.empty());
  // A long prose line is a paragraph line: indented text after it continues it.
  Recorder u = run(big + "\n    ```python\n    x = 4\n");
  EXPECT_TRUE(u.opens.empty());
  // A long code line is forwarded as it comes.
  Recorder v = run("- ```python\n  s = '" + big + "'\n  ```\n");
  ASSERT_EQ(v.units.size(), 1u);
  EXPECT_EQ(v.units[0].code, "s = '" + big + "'\n");
}

TEST(RouterLimits, BetweenUnits) {
  Recorder r;
  sx::Router router({}, r);
  router.feed("Intro\n<!--\n```python\n");
  EXPECT_TRUE(router.between_units());
  router.feed("-->\n1. ```python\n   x = 1\n");
  EXPECT_FALSE(router.between_units());
  router.feed("2. next\n");
  EXPECT_TRUE(router.between_units());
  router.finish();
}

// ------------------------------------------------------------ program ends

TEST(RouterProgramEnd, OncePerExecutableFenceAfterItsLastUnit) {
  std::string a =
      "```python\na = 1\n```\n"      // closing fence
      "> ```python\n> b = 2\n\n"      // its quote ends (blank line)
      "```bash\nls\n```\n"            // skipped: no program end
      "~~~js\nlet c = 3;\n~~~\n"
      "```python\nd = 4";             // the stream ends
  Recorder r = run(a);
  ASSERT_EQ(r.ends.size(), 4u);
  EXPECT_EQ(r.ends[0].fence, 0);
  EXPECT_EQ(r.ends[0].units_before, 1u);
  EXPECT_EQ(r.ends[1].fence, 1);
  EXPECT_EQ(r.ends[1].units_before, 2u);
  EXPECT_EQ(r.ends[2].lang, Lang::JavaScript);
  EXPECT_EQ(r.ends[2].fence, 3);
  EXPECT_EQ(r.ends[2].units_before, 3u);
  EXPECT_EQ(r.ends[3].fence, 4);
  EXPECT_EQ(r.ends[3].units_before, 4u);
  EXPECT_EQ(r.opens.size(), 4u);
  // The log shows each end right after its fence's last unit.
  std::size_t unit_b = 0, end_1 = 0;
  for (std::size_t i = 0; i < r.log.size(); ++i) {
    if (r.log[i].find("b = 2") != std::string::npos) unit_b = i;
    if (r.log[i] == "end python 1") end_1 = i;
  }
  EXPECT_EQ(end_1, unit_b + 1);
}

TEST(RouterProgramEnd, CalledWhenTheFenceCloses) {
  Recorder r;
  sx::Router router({}, r);
  router.feed("```python\nx = 1\n``");
  EXPECT_TRUE(r.ends.empty());
  router.feed("`\n");
  ASSERT_EQ(r.ends.size(), 1u);
  router.finish();
  EXPECT_EQ(r.ends.size(), 1u);
}

TEST(RouterProgramEnd, RawModeOnceFromFinish) {
  sx::RouterConfig cfg;
  cfg.mode = sx::Mode::Raw;
  cfg.lang = Lang::Python;
  Recorder r;
  sx::Router router(cfg, r);
  router.feed("x = 1\nif x:\n    y = 2\n");
  EXPECT_TRUE(r.ends.empty());
  router.finish();
  router.finish();
  ASSERT_EQ(r.ends.size(), 1u);
  EXPECT_EQ(r.ends[0].fence, -1);
  EXPECT_EQ(r.ends[0].lang, Lang::Python);
  EXPECT_EQ(r.ends[0].units_before, 2u);
}

}  // namespace

// ------------------------------------------------------------------- raw mode

// Regression (issue 14, a corpus program from TheAlgorithms/C-Plus-Plus): a
// file that starts with a UTF-8 byte order mark. python3, node and clang
// skip it; the chunker saw it as a token and the first unit never closed.
TEST(RouterRaw, ByteOrderMarkAtTheStartIsSkipped) {
  for (Lang lang : {Lang::Python, Lang::JavaScript, Lang::Cpp}) {
    sx::RouterConfig cfg;
    cfg.mode = sx::Mode::Raw;
    cfg.lang = lang;
    const std::string code = lang == Lang::Python ? "x = 1\ny = 2\n" : "int x = 1;\nint y = 2;\n";
    std::string text = "\xEF\xBB\xBF" + code;
    if (lang == Lang::JavaScript) text = "\xEF\xBB\xBF" "let x = 1;\nlet y = 2;\n";
    Recorder r = run(text, cfg);
    ASSERT_EQ(r.units.size(), 2u) << sx::lang_name(lang);
    EXPECT_TRUE(r.errors.empty());
    EXPECT_EQ(r.bodies.at(0), text.substr(3));
    expect_pos(r.units[0].begin, Pos{3, 1, 3}, "first unit after the BOM");
    expect_pos(r.units[1].begin, pos_of(text, lang == Lang::Python ? "y =" : lang == Lang::JavaScript ? "let y" : "int y"),
               "second unit");
  }
  // Not a BOM: the bytes are the program's.
  sx::RouterConfig cfg;
  cfg.mode = sx::Mode::Raw;
  Recorder r = run("\xEF\xBBx = 1\n", cfg);
  EXPECT_EQ(r.bodies.at(0), "\xEF\xBBx = 1\n");
}
