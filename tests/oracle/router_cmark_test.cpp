// The markdown router against cmark 0.30, the CommonMark reference
// implementation (libcmark): every fenced code block cmark finds must be a
// fence the router opens, in the same order, and the text the router forwards
// to that fence's chunker must be cmark's literal text of the block.
//
// Every fenced block counts, whatever its info string (the router is given a
// test hook that makes every fence "executable" and a chunker that records
// what it is fed). Corpora: all 652 examples of the CommonMark 0.30 spec (npm
// package commonmark-spec, installed by scripts/npm-deps), every .md answer of
// examples/ and bench/answers/, LLM-style answers written here, and random
// documents built from the syntax that matters (containers, fences, HTML,
// tabs). Each document is fed whole, one byte at a time and in random pieces.
//
// Normalisation (by design the router forwards the answer's exact bytes):
// cmark turns every line ending into "\n", ends the last line with "\n" and
// replaces NUL with U+FFFD; the router's text is compared after doing the same
// (and see empty_unterminated_last_line).
#include <cmark.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/router/router.h"

namespace {

// ---------------------------------------------------------------- the router

struct Recording {
  std::vector<std::string> bodies;  // one per fence, in the order the router opened them
};

class RecordingChunker : public sx::Chunker {
 public:
  RecordingChunker(Recording &r) : r_(r), idx_(r.bodies.size()) { r_.bodies.emplace_back(); }
  void feed(std::string_view b) override { r_.bodies[idx_].append(b); }
  void finish() override {}

 private:
  Recording &r_;
  std::size_t idx_;
};

class NullSink : public sx::RouterSink {
 public:
  void on_unit(sx::Unit &&) override {}
  void on_syntax_error(sx::SyntaxError &&) override {}
  void on_fence_skipped(int, const std::string &, sx::Pos, const std::string &) override { ++skipped; }
  int skipped = 0;
};

// The bodies the router forwards, fed whole (seed 0), one byte at a time (1)
// or in random pieces of 1–9 bytes.
std::vector<std::string> router_fences(const std::string &doc, unsigned piece_seed) {
  Recording rec;
  NullSink sink;
  sx::RouterConfig cfg;
  cfg.lang_of_info = [](const std::string &) { return sx::Lang::Python; };
  cfg.chunker_factory = [&rec](sx::Lang, sx::ChunkSink &) -> std::unique_ptr<sx::Chunker> {
    return std::make_unique<RecordingChunker>(rec);
  };
  sx::Router router(cfg, sink);
  if (piece_seed == 0) {
    router.feed(doc);
  } else if (piece_seed == 1) {
    for (char c : doc) router.feed(std::string_view(&c, 1));
  } else {
    std::mt19937 rng(piece_seed);
    std::size_t i = 0;
    while (i < doc.size()) {
      std::size_t n = std::min<std::size_t>(doc.size() - i, 1 + rng() % 9);
      router.feed(std::string_view(doc).substr(i, n));
      i += n;
    }
  }
  router.finish();
  EXPECT_EQ(sink.skipped, 0);
  return rec.bodies;
}

std::string normalize(const std::string &s) {
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      o += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else if (s[i] == '\0') {
      o += "\xEF\xBF\xBD";
    } else {
      o += s[i];
    }
  }
  if (!o.empty() && o.back() != '\n') o += '\n';
  return o;
}

// ------------------------------------------------------------------ cmark

std::vector<std::string> split_lines(const std::string &doc) {
  std::vector<std::string> lines;
  std::string cur;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (doc[i] == '\n' || doc[i] == '\r') {
      lines.push_back(cur);
      cur.clear();
      if (doc[i] == '\r' && i + 1 < doc.size() && doc[i + 1] == '\n') ++i;
    } else {
      cur += doc[i];
    }
  }
  lines.push_back(cur);
  return lines;
}

struct CodeBlock {
  int line, col;
  std::string literal;
};

std::vector<CodeBlock> cmark_code_blocks(const std::string &doc) {
  std::vector<CodeBlock> out;
  cmark_node *root = cmark_parse_document(doc.data(), doc.size(), CMARK_OPT_DEFAULT);
  cmark_iter *it = cmark_iter_new(root);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_CODE_BLOCK) continue;
    const char *lit = cmark_node_get_literal(n);
    out.push_back(CodeBlock{cmark_node_get_start_line(n), cmark_node_get_start_column(n), lit ? lit : ""});
  }
  cmark_iter_free(it);
  cmark_node_free(root);
  return out;
}

// Literal texts of cmark's fenced code blocks, in document order. cmark 0.30
// has no "is fenced" accessor. A fenced block's source position is its fence
// character, an indented block's is the first character of its text (or the
// partly consumed tab before it): a block starting at a backtick or tilde is
// fenced iff overwriting that character changes the parse there (an indented
// block stays an indented block starting at the same place).
std::vector<std::string> cmark_fences(const std::string &doc) {
  std::vector<std::string> out;
  std::vector<std::string> lines = split_lines(doc);
  std::vector<std::size_t> starts{0};  // byte offset of each line
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (doc[i] == '\r' && i + 1 < doc.size() && doc[i + 1] == '\n') ++i;
    if (doc[i] == '\n' || doc[i] == '\r') starts.push_back(i + 1);
  }
  for (const CodeBlock &b : cmark_code_blocks(doc)) {
    std::size_t at = starts.at(b.line - 1) + b.col - 1;
    if (at >= doc.size() || (doc[at] != '`' && doc[at] != '~')) continue;  // indented
    std::string changed = doc;
    changed[at] = 'x';
    bool still = false;
    for (const CodeBlock &c : cmark_code_blocks(changed)) still |= c.line == b.line && c.col == b.col;
    if (!still) out.push_back(b.literal);
  }
  return out;
}

// --------------------------------------------------------------- comparing

std::string show(const std::string &s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '\n') o += "\\n";
    else if (c == '\t') o += "\\t";
    else if (c == '\r') o += "\\r";
    else if (c < 0x20) o += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
    else o += static_cast<char>(c);
  }
  return o + "\"";
}

bool empty_unterminated_last_line(const std::string &doc) {
  std::size_t b = doc.find_last_of("\r\n");
  std::string last = b == std::string::npos ? doc : doc.substr(b + 1);
  return !last.empty() && last.find_first_not_of(" \t>") == std::string::npos;
}

// Compares one document; returns "" or a description of the first difference.
// `blocks` counts cmark's fenced blocks.
std::string compare_doc(const std::string &doc, std::size_t *blocks) {
  std::vector<std::string> want = cmark_fences(doc);
  *blocks += want.size();
  unsigned random_seed = 7 + static_cast<unsigned>(std::hash<std::string>()(doc) % 1000);
  for (unsigned seed : {0u, 1u, random_seed}) {
    std::vector<std::string> got = router_fences(doc, seed);
    const char *how = seed == 0 ? "whole" : seed == 1 ? "1 byte at a time" : "random pieces";
    std::ostringstream o;
    if (got.size() != want.size()) {
      o << "fed " << how << ": cmark finds " << want.size() << " fenced blocks, the router " << got.size();
      for (std::size_t i = 0; i < std::max(got.size(), want.size()); ++i)
        o << "\n  #" << i << " cmark " << (i < want.size() ? show(want[i]) : "-") << "\n     router "
          << (i < got.size() ? show(got[i]) : "-");
      return o.str();
    }
    for (std::size_t i = 0; i < want.size(); ++i) {
      std::string g = normalize(got[i]);
      // The document's last line has no line ending and holds only container
      // markers and spaces: it is an empty content line of the last fence;
      // cmark still ends it with "\n", the router has no byte to forward.
      if (g != want[i] && i + 1 == want.size() && g + "\n" == want[i] && empty_unterminated_last_line(doc)) g += "\n";
      if (g != want[i]) {
        o << "fed " << how << ": fenced block #" << i << "\n  cmark  " << show(want[i]) << "\n  router "
          << show(got[i]);
        return o.str();
      }
    }
  }
  return "";
}

// ------------------------------------------------------------- spec examples

struct Example {
  int number;
  std::string section, markdown;
};

std::string spec_path() { return std::string(SX_BINARY_DIR) + "/npm/node_modules/commonmark-spec/spec.txt"; }

// The examples of spec.txt, as the package's index.js extracts them, with the
// spec's "→" turned into the tab it stands for.
std::vector<Example> spec_examples() {
  std::ifstream in(spec_path(), std::ios::binary);
  std::vector<Example> out;
  if (!in) return out;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::vector<std::string> lines;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  const std::string fence(32, '`');
  std::string section;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string &l = lines[i];
    if (l == "<!-- END TESTS -->") break;
    if (l == fence + " example") {
      std::string md;
      std::size_t j = i + 1;
      for (; j < lines.size() && lines[j] != "."; ++j) md += lines[j] + "\n";
      while (j < lines.size() && lines[j] != fence) ++j;
      std::string tabbed;
      for (std::size_t k = 0; k < md.size(); ++k) {
        if (md.compare(k, 3, "\xE2\x86\x92") == 0) {
          tabbed += '\t';
          k += 2;
        } else {
          tabbed += md[k];
        }
      }
      out.push_back(Example{static_cast<int>(out.size()) + 1, section, tabbed});
      i = j;
      continue;
    }
    std::size_t h = 0;
    while (h < l.size() && l[h] == '#') ++h;
    if (h >= 1 && h <= 6) {
      std::size_t b = h;
      while (b < l.size() && l[b] == ' ') ++b;
      section = l.substr(b);
    }
  }
  return out;
}

// Examples where the router differs from cmark by design, with the reason.
// (None today: every example matches.)
const std::map<int, std::string> kKnownDifferences = {};

TEST(RouterCmark, CommonMarkSpecExamples) {
  std::vector<Example> ex = spec_examples();
  ASSERT_EQ(ex.size(), 652u) << "CommonMark 0.30 spec not found or not as expected at " << spec_path()
                             << " (scripts/npm-deps BUILD_DIR installs commonmark-spec@0.30.0)";
  std::set<std::string> required = {"Fenced code blocks", "List items", "Lists", "Block quotes",
                                    "HTML blocks", "Indented code blocks", "Tabs"};
  std::map<std::string, int> per_section;
  std::size_t blocks = 0, docs_with_blocks = 0, failures = 0;
  for (const Example &e : ex) {
    ++per_section[e.section];
    std::size_t before = blocks;
    std::string diff = compare_doc(e.markdown, &blocks);
    if (blocks > before) ++docs_with_blocks;
    auto known = kKnownDifferences.find(e.number);
    if (known != kKnownDifferences.end()) {
      EXPECT_NE(diff, "") << "example " << e.number << " is listed as a known difference (" << known->second
                          << ") but now matches: remove it from kKnownDifferences";
      continue;
    }
    if (!diff.empty()) {
      ++failures;
      ADD_FAILURE() << "spec example " << e.number << " (" << e.section << ")\n" << show(e.markdown) << "\n" << diff;
    }
  }
  for (const std::string &s : required) EXPECT_GT(per_section[s], 0) << "no example in section " << s;
  std::printf("[ oracle ] CommonMark 0.30 spec: %zu examples run, %zu fenced code blocks in %zu examples compared, "
              "%zu mismatches, %zu known differences\n",
              ex.size(), blocks, docs_with_blocks, failures, kKnownDifferences.size());
  EXPECT_GE(blocks, 35u);
}

// ------------------------------------------------------ answers of this repo

std::vector<std::filesystem::path> md_files(const std::string &dir) {
  std::vector<std::filesystem::path> v;
  for (const auto &e : std::filesystem::directory_iterator(std::string(SX_SOURCE_DIR) + "/" + dir))
    if (e.path().extension() == ".md") v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

TEST(RouterCmark, RepositoryAnswers) {
  std::size_t blocks = 0, files = 0;
  for (const char *dir : {"examples", "bench/answers"}) {
    for (const auto &p : md_files(dir)) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      ++files;
      std::string diff = compare_doc(ss.str(), &blocks);
      EXPECT_EQ(diff, "") << p;
    }
  }
  std::printf("[ oracle ] %zu answers of examples/ and bench/answers/: %zu fenced code blocks compared\n", files,
              blocks);
  EXPECT_GE(files, 40u);
  EXPECT_GT(blocks, 60u);
}

// ------------------------------------------- answers written the way LLMs do

const char *const kLlmAnswers[] = {
    // numbered steps, fences indented to the list item's content
    "Here is how to do it:\n\n1. Load the data:\n   ```python\n   import csv\n   rows = list(csv.reader(open('a.csv')))\n"
    "   ```\n2. Count the rows:\n\n   ```python\n   if rows:\n       print(len(rows))\n   ```\n\n3. Done.\n",
    // bullets with a JS template literal
    "- First install nothing.\n- Then run:\n  ```js\n  const s = `line one\n    indented\n  back`;\n  console.log(s);\n"
    "  ```\n- That's it.\n",
    // a step whose fence is indented less than the item's content
    "1. Step one\n ```python\n x = 1\n ```\n2. Step two\n",
    // ordered list with ')' and wide numbers
    "9) nine\n10) ten:\n    ```py\n    print(10)\n    ```\n",
    // block quote with a fence, then a lazy line that ends it
    "> Note:\n> ```python\n> print('quoted')\n> ```\n\n> ```python\n> x = 1\nnot quoted anymore\n",
    // nested quotes and a list inside a quote
    "> > ```python\n> > deep = 2\n> > ```\n>\n> 1. item\n>    ```python\n>    print(deep)\n>    ```\n",
    // details block: HTML block type 6, fence inside does not count until the blank line
    "<details>\n<summary>Solution</summary>\n```python\nprint('hidden')\n```\n</details>\n\n```python\nprint('shown')\n```\n",
    // details with blank lines inside: the fence after the blank line is real markdown
    "<details>\n<summary>Solution</summary>\n\n```python\nprint('in details, after a blank line')\n```\n\n</details>\n",
    // HTML comment with a fence inside
    "<!--\n```python\nprint('commented out')\n```\n-->\n```python\nprint('after the comment')\n```\n",
    // <pre> and <script> blocks
    "<pre>\n```python\nprint(1)\n```\n</pre>\n<script>\n```js\nx\n```\n</script>\n```js\nconsole.log(2)\n```\n",
    // inline code with triple backticks and an indented code block
    "Use ```python print(1)``` inline.\n\n    ```python\n    print('indented code')\n    ```\n\nText.\n",
    // longer closing fence, tildes, info attributes
    "````python title=\"a.py\"\nprint('```')\n``````\n~~~ {.python .numberLines}\nprint('~')\n~~~~\n",
    // fence in a list item that ends with the item
    "- ```python\n  a = 1\n- ```python\n  b = 2\n\nparagraph\n",
    // tabs in list items and quotes
    "-\t```python\n\tx = 1\n\tif x:\n\t    print(x)\n\t```\n>\t```python\n>\t\tprint('tab')\n>\t```\n",
    // CRLF answer with a list
    "1. Run:\r\n   ```python\r\n   print('crlf')\r\n   ```\r\n2. Done\r\n",
    // a fence interrupting a paragraph in a list item, then a lazy paragraph line
    "* Do this\n  ```sh\n  ls\n  ```\n  and then\nthat\n* ```python\n  print('next item')\n  ```\n",
    // unclosed fence at the end
    "Last step:\n\n```python\nprint('never closed')\n",
    // a list item beginning with a blank line
    "-\n  ```python\n  print('blank first line')\n  ```\n",
    // headings, thematic breaks and setext lines around fences
    "## Setup\n```bash\npip install x\n```\n---\nTitle\n=====\n```python\nimport x\n```\n***\n",
    // 4-space indented list content and a fence indented 4+ relative to it (indented code)
    "1.  Step:\n\n        ```python\n        print('indented code in a list')\n        ```\n\n    ```python\n    print('fence in the item')\n    ```\n",
    // a quote inside a list inside a quote
    "> - quoted item\n>   > ```python\n>   > print('three levels')\n>   > ```\n",
};

TEST(RouterCmark, LlmStyleAnswers) {
  std::size_t blocks = 0;
  for (std::size_t i = 0; i < std::size(kLlmAnswers); ++i) {
    std::string diff = compare_doc(kLlmAnswers[i], &blocks);
    EXPECT_EQ(diff, "") << "answer #" << i << " " << show(kLlmAnswers[i]);
  }
  std::printf("[ oracle ] %zu LLM-style answers: %zu fenced code blocks compared\n", std::size(kLlmAnswers), blocks);
  EXPECT_GE(blocks, 28u);
}

// ------------------------------------------------------------- long lines

// Outside code the router keeps kMaxLine bytes of a line and a few facts
// about the rest (blank or not, a backtick, HTML end conditions): exact for
// all of these.
TEST(RouterCmark, LongLines) {
  std::string big(3 * sx::Router::kMaxLine, 'a');
  std::string spaces(3 * sx::Router::kMaxLine, ' ');
  const std::string docs[] = {
      "<!-- " + big + " -->\n```python\nx = 1\n```\n",
      "<!-- " + big + "\n```python\nx = 1\n```\n-->\n",
      "```python " + big + "\nx = 2\n```\n",
      "```python " + big + "`\nx = 3\n```\n",
      "~~~python " + big + "`\nx = 3\n~~~\n",
      big + "\n    ```python\n    x = 4\n",
      "- ```python\n  s = '" + big + "'\n  ```\n",
      "<div " + big + "\n```python\nx\n```\n\n```python\ny\n```\n",
      "<pre " + big + "</pre>\n```python\nx\n```\n",
      "- a\n" + spaces + "\n  ```python\n  x\n  ```\n",
      "-\n" + spaces + "\n" + spaces + "\n  ```python\n  x\n  ```\n",
      "```python\n" + spaces + "x\n" + spaces + "\n```\n",
      "> " + spaces + "x\n```python\nz\n```\n",
      spaces + "```python\nx\n```\n",
  };
  std::size_t blocks = 0;
  for (const std::string &d : docs) EXPECT_EQ(compare_doc(d, &blocks), "") << show(d.substr(0, 60));
  EXPECT_GE(blocks, 12u);
}

// Differences by design: the line buffer outside code is bounded, so lines
// longer than Router::kMaxLine (8 KiB) that are only meaningful whole are not
// recognised. Each case must still differ (or be removed from this list).
TEST(RouterCmark, KnownDifferences) {
  std::string big(2 * sx::Router::kMaxLine, 'a');
  const std::pair<std::string, std::string> cases[] = {
      {"an HTML block type 7 start whose tag is longer than kMaxLine",
       "<x a='" + big + "'>\n```python\nx\n```\n"},
      {"a setext underline longer than kMaxLine (the paragraph goes on, so \"2.\" cannot interrupt it)",
       "Para\n" + std::string(2 * sx::Router::kMaxLine, '=') + "\n2. ```python\n   x\n"},
      {"a closing fence line longer than kMaxLine (it is content)",
       "```python\nx\n```" + std::string(2 * sx::Router::kMaxLine, ' ') + "\nprint('after')\n"},
  };
  for (const auto &[why, doc] : cases) {
    std::size_t blocks = 0;
    EXPECT_NE(compare_doc(doc, &blocks), "") << why << ": now matches cmark; remove it from the list";
  }
}

// ------------------------------------------------------- random documents

// Lines built from the pieces whose combinations matter: container markers,
// indentation with spaces and tabs, fences, HTML starts and ends, blank lines.
// Link reference definitions: a paragraph made only of them is no paragraph
// (no setext heading, and its list item stays empty).
std::string random_refs_doc(std::mt19937 &rng) {
  static const char *const prefixes[] = {"", "", "", " ", "  ", "    ", "- ", "> ", "1. ", "-", "  > "};
  static const char *const bodies[] = {
      "[a]: /url", "[a]:", "/url", "'t'", "\"t\"", "(t)", "[b]: <x y>", "[c]: /u 'title", "more'", "===", "---",
      "", "", "", "```py", "    ```py", "  ```", "x", "[d]: /u \"t\" junk", "[e]: /u(x)", "[ ]: /x", "[f]: <>",
      "[g]: /u 't\\'", "[h]:   /u   ", "<b>", "2. x", "- [i]: /u", "[j]: /u (a(b)", "  [k]:", "\t/url"};
  std::string doc;
  int n = 1 + static_cast<int>(rng() % 10);
  for (int i = 0; i < n; ++i) {
    int parts = static_cast<int>(rng() % 3);
    for (int k = 0; k < parts; ++k) doc += prefixes[rng() % std::size(prefixes)];
    doc += bodies[rng() % std::size(bodies)];
    doc += "\n";
  }
  return doc;
}

std::string random_doc(std::mt19937 &rng) {
  static const char *const prefixes[] = {"", "", "", " ", "  ", "   ", "    ", "\t", " \t", "  \t", "> ", ">",
                                         "> > ", ">\t", "- ", "-\t", "* ", "+ ", "1. ", "2) ", "10. ", "-    ",
                                         "- - ", ">  - ", "1.  ", "-", "1.", "  > ", "     ", "1.\t", "*\t\t"};
  static const char *const bodies[] = {
      "```python", "```", "~~~", "````", "``` py ``", "~~~ `x`", "```py", "x = 1", "  y", "text", "", "", "",
      "<!--", "-->", "<div>", "</div>", "<pre>", "</pre>", "<?x", "?>", "<a href=\"x\">", "<!X", ">",
      "<![CDATA[", "]]>", "***", "---", "===", "# h", "    code", "\tcode", "`", "<script>", "</script>",
      "<textarea x>", "<details>", "<b>", "  ```", "   ~~~~", "``` ", "~~~~~~", "\t```", "<!-- x -->",
      "[a]: /url", "<x y='1'/>", "```js\tx", " \t ", "\t\t", "- - -", "1. x", "<style>"};
  std::string doc;
  int n = 1 + static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i) {
    int parts = static_cast<int>(rng() % 3);
    for (int k = 0; k < parts; ++k) doc += prefixes[rng() % std::size(prefixes)];
    doc += bodies[rng() % std::size(bodies)];
    switch (rng() % 10) {
      case 0: doc += "\r\n"; break;
      case 1: doc += "\r"; break;
      case 2: if (i + 1 == n) break; [[fallthrough]];
      default: doc += "\n"; break;
    }
  }
  return doc;
}

TEST(RouterCmark, RandomDocuments) {
  // SX_ORACLE_DOCS / SX_ORACLE_SEED run more (or other) documents.
  const char *docs_env = std::getenv("SX_ORACLE_DOCS");
  const char *seed_env = std::getenv("SX_ORACLE_SEED");
  std::mt19937 rng(seed_env ? static_cast<unsigned>(std::stoul(seed_env)) : 20240601u);
  std::size_t blocks = 0;
  int failures = 0;
  const int kDocs = docs_env ? std::stoi(docs_env) : 6000;
  for (int i = 0; i < kDocs && failures < 5; ++i) {
    std::string doc = i % 4 == 3 ? random_refs_doc(rng) : random_doc(rng);
    std::string diff = compare_doc(doc, &blocks);
    if (!diff.empty()) {
      ++failures;
      ADD_FAILURE() << "random document " << i << " " << show(doc) << "\n" << diff;
    }
  }
  std::printf("[ oracle ] %d random documents: %zu fenced code blocks compared\n", kDocs, blocks);
}

}  // namespace
