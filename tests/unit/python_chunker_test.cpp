// Tests of the incremental Python chunker (frontend/python): closure rules,
// promptness, split invariance, syntax errors. The walk over CPython's stdlib
// against CPython's own `ast` statement spans is the conformance harness
// (tests/conformance/conformance.cpp, ctest conformance_fast_python).
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/python/python_chunker.h"
#include "frontend/python/python_confirm.h"

namespace sx {
namespace {

// ---------------------------------------------------------------- harness

struct Collect : ChunkSink {
  std::vector<ChunkUnit> units;
  std::optional<ChunkError> error;
  int errors = 0;
  void on_unit(ChunkUnit &&u) override { units.push_back(std::move(u)); }
  void on_error(ChunkError &&e) override {
    ++errors;
    if (!error) error = std::move(e);
  }
};

struct Outcome {
  std::vector<ChunkUnit> units;
  std::optional<ChunkError> error;
};

Outcome run_chunks(const std::vector<std::string_view> &chunks) {
  Collect c;
  PythonChunker ch(c);
  for (auto piece : chunks) ch.feed(piece);
  ch.finish();
  EXPECT_LE(c.errors, 1) << "an error must be reported once";
  return {std::move(c.units), std::move(c.error)};
}

std::vector<std::string_view> split_whole(std::string_view s) { return {s}; }
std::vector<std::string_view> split_bytes(std::string_view s) {
  std::vector<std::string_view> v;
  for (std::size_t i = 0; i < s.size(); ++i) v.push_back(s.substr(i, 1));
  return v;
}
std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> v;
  std::size_t b = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n') {
      v.push_back(s.substr(b, i + 1 - b));
      b = i + 1;
    }
  if (b < s.size()) v.push_back(s.substr(b));
  return v;
}
std::vector<std::string_view> split_random(std::string_view s, unsigned seed, std::size_t max_len = 24) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> len(1, max_len);
  std::vector<std::string_view> v;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = std::min(len(rng), s.size() - i);
    v.push_back(s.substr(i, n));
    i += n;
  }
  return v;
}

std::string describe(const ChunkUnit &u) {
  std::ostringstream o;
  o << u.begin.line << ":" << u.begin.col << "@" << u.begin.offset << "-" << u.end << " " << unit_kind_name(u.kind)
    << " [";
  for (auto &d : u.defines) o << d << ",";
  o << "] [";
  for (auto &d : u.uses) o << d << ",";
  o << "] " << u.code;
  return o.str();
}
std::string describe(const Outcome &r) {
  std::string s;
  for (auto &u : r.units) s += describe(u) + "\n---\n";
  if (r.error)
    s += "ERROR " + std::to_string(r.error->at.line) + ":" + std::to_string(r.error->at.col) + "@" +
         std::to_string(r.error->at.offset) + " " + r.error->message + "\n";
  return s;
}

// Runs `text` under several chunkings and checks that all of them give the
// same units and the same error (split invariance); returns that result.
Outcome chunk(std::string_view text) {
  Outcome whole = run_chunks(split_whole(text));
  std::string expect = describe(whole);
  EXPECT_EQ(describe(run_chunks(split_bytes(text))), expect) << "1-byte chunks differ for:\n" << text;
  EXPECT_EQ(describe(run_chunks(split_lines(text))), expect) << "line chunks differ for:\n" << text;
  for (unsigned seed : {1u, 2u, 3u, 42u})
    EXPECT_EQ(describe(run_chunks(split_random(text, seed))), expect)
        << "random chunks (seed " << seed << ") differ for:\n" << text;
  // Every unit is exactly the bytes of the text at [begin, end).
  for (auto &u : whole.units) {
    EXPECT_EQ(u.code, std::string(text.substr(u.begin.offset, u.end - u.begin.offset)));
  }
  return whole;
}

std::vector<std::string> codes(const Outcome &r) {
  std::vector<std::string> v;
  for (auto &u : r.units) v.push_back(u.code);
  return v;
}

using Strings = std::vector<std::string>;

// ---------------------------------------------------------------- closure

TEST(PythonChunker, SimpleStatementsCloseAtTheirNewline) {
  Outcome r = chunk("x = 1\ny = x + 2\nprint(y)\n");
  EXPECT_EQ(codes(r), (Strings{"x = 1\n", "y = x + 2\n", "print(y)\n"}));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.units[1].begin.line, 2u);
  EXPECT_EQ(r.units[1].begin.offset, 6u);
  EXPECT_EQ(r.units[2].kind, UnitKind::Expr);
  EXPECT_EQ(r.units[0].kind, UnitKind::Assign);
}

TEST(PythonChunker, PromptnessOfASimpleStatement) {
  Collect c;
  PythonChunker ch(c);
  ch.feed("x = 1");
  EXPECT_TRUE(c.units.empty()) << "no newline yet: `x = 12` may still follow";
  ch.feed("\n");
  ASSERT_EQ(c.units.size(), 1u) << "closed at its NEWLINE";
  EXPECT_EQ(c.units[0].code, "x = 1\n");
  ch.feed("y = (1,\n");
  EXPECT_EQ(c.units.size(), 1u);
  ch.feed("2)\n");
  EXPECT_EQ(c.units.size(), 2u);
  ch.finish();
  EXPECT_FALSE(c.error);
}

TEST(PythonChunker, LastStatementWithoutNewlineClosesAtFinish) {
  Outcome r = chunk("a = 1\nb = 2");
  EXPECT_EQ(codes(r), (Strings{"a = 1\n", "b = 2"}));
}

TEST(PythonChunker, IfElifElse) {
  const char *src =
      "if x > 1:\n    y = 1\nelif x < 0:\n    y = 2\nelse:\n    y = 3\nprint(y)\n";
  Outcome r = chunk(src);
  EXPECT_EQ(codes(r), (Strings{"if x > 1:\n    y = 1\nelif x < 0:\n    y = 2\nelse:\n    y = 3\n", "print(y)\n"}));
  EXPECT_EQ(r.units[0].kind, UnitKind::Control);
  EXPECT_EQ(r.units[0].defines, (Strings{"y"}));

  // Promptness: the `if` waits for a line that cannot continue it.
  Collect c;
  PythonChunker ch(c);
  ch.feed("if x:\n    pass\n");
  EXPECT_TRUE(c.units.empty());
  ch.feed("else:\n    pass\n");
  EXPECT_TRUE(c.units.empty());
  ch.feed("ex");
  EXPECT_TRUE(c.units.empty()) << "`ex` may become `except`";
  ch.feed("i");
  ASSERT_EQ(c.units.size(), 1u) << "`exi` cannot continue the `if`: closed at once";
  ch.feed("t()\n");
  ch.finish();
  EXPECT_EQ(c.units.size(), 2u);
}

TEST(PythonChunker, OneLineIfWaitsForElse) {
  Outcome r = chunk("if a: b = 1\nelse: b = 2\nc = 3\n");
  EXPECT_EQ(codes(r), (Strings{"if a: b = 1\nelse: b = 2\n", "c = 3\n"}));
}

TEST(PythonChunker, ForElseAndWhileElse) {
  Outcome r = chunk(
      "for i in range(3):\n    if i == 5:\n        break\nelse:\n    print('done')\n"
      "while n > 0:\n    n -= 1\nelse:\n    pass\n"
      "for (a, b) in pairs: pass\n"
      "x = 1\n");
  EXPECT_EQ(codes(r), (Strings{"for i in range(3):\n    if i == 5:\n        break\nelse:\n    print('done')\n",
                               "while n > 0:\n    n -= 1\nelse:\n    pass\n", "for (a, b) in pairs: pass\n", "x = 1\n"}));
  EXPECT_EQ(r.units[0].defines, (Strings{"i"}));
  EXPECT_EQ(r.units[2].defines, (Strings{"a", "b"}));
}

TEST(PythonChunker, TryExceptElseFinally) {
  Outcome r = chunk(
      "try:\n    import numpy as np\nexcept ImportError as e:\n    np = None\nexcept (ValueError, TypeError):\n"
      "    raise\nelse:\n    ok = True\nfinally:\n    done = 1\n"
      "try:\n    pass\nfinally:\n    pass\n"
      "z = 0\n");
  ASSERT_EQ(r.units.size(), 3u) << describe(r);
  EXPECT_EQ(r.units[0].kind, UnitKind::Control);
  EXPECT_EQ(r.units[0].defines, (Strings{"np", "e", "ok", "done"}));
  EXPECT_EQ(r.units[2].code, "z = 0\n");
}

TEST(PythonChunker, ExceptStar) {
  Outcome r = chunk("try:\n    f()\nexcept* ValueError as eg:\n    pass\nexcept* (TypeError, KeyError):\n    pass\ny = 1\n");
  EXPECT_EQ(r.units.size(), 2u) << describe(r);
  EXPECT_FALSE(r.error);
  Outcome bad = chunk("try:\n    f()\nexcept* ValueError:\n    pass\nexcept TypeError:\n    pass\n");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->at.line, 5u);
}

TEST(PythonChunker, NestedDefsAndClasses) {
  const char *src =
      "class A(Base, metaclass=M):\n"
      "    \"\"\"Doc.\"\"\"\n"
      "    x: int = 0\n"
      "\n"
      "    def f(self, a, /, b=1, *args, c, d=2, **kw) -> 'A':\n"
      "        def g():\n"
      "            nonlocal a\n"
      "            return a\n"
      "        class Inner:\n"
      "            pass\n"
      "        return g\n"
      "\n"
      "def top():\n"
      "    return A\n"
      "top()\n";
  Outcome r = chunk(src);
  ASSERT_EQ(r.units.size(), 3u) << describe(r);
  EXPECT_EQ(r.units[0].kind, UnitKind::Class);
  EXPECT_EQ(r.units[0].defines, (Strings{"A"}));
  EXPECT_EQ(r.units[1].kind, UnitKind::Function);
  EXPECT_EQ(r.units[1].code, "def top():\n    return A\n");
  EXPECT_EQ(r.units[1].begin.line, 13u);
}

TEST(PythonChunker, DecoratorsAttachToWhatFollows) {
  const char *src =
      "@functools.lru_cache(maxsize=None)\n"
      "@staticmethod\n"
      "\n"
      "# a comment between decorator and def\n"
      "@register('x', key=lambda v: v[0])\n"
      "def f(n):\n"
      "    return n\n"
      "@dataclass\n"
      "class P:\n"
      "    x: int\n"
      "@ decorators[0].attr\n"
      "async def h(): pass\n"
      "f(1)\n";
  Outcome r = chunk(src);
  ASSERT_EQ(r.units.size(), 4u) << describe(r);
  EXPECT_EQ(r.units[0].begin.line, 1u);
  EXPECT_EQ(r.units[0].kind, UnitKind::Function);
  EXPECT_EQ(r.units[0].defines, (Strings{"f"}));
  EXPECT_EQ(r.units[1].kind, UnitKind::Class);
  EXPECT_EQ(r.units[2].code, "@ decorators[0].attr\nasync def h(): pass\n");
  EXPECT_EQ(r.units[2].kind, UnitKind::Function);

  // A lone decorator is not a unit yet; a finished decorated one-liner is.
  Collect c;
  PythonChunker ch(c);
  ch.feed("@dec\n");
  EXPECT_TRUE(c.units.empty());
  ch.feed("def g(): return 1\n");
  EXPECT_EQ(c.units.size(), 1u);
}

TEST(PythonChunker, AsyncDefForWith) {
  const char *src =
      "async def main(urls):\n"
      "    async with session() as s, lock:\n"
      "        async for chunk in s.stream():\n"
      "            await handle(chunk)\n"
      "        else:\n"
      "            pass\n"
      "    results = [await g(u) async for u in urls]\n"
      "    return results\n"
      "asyncio.run(main([]))\n";
  Outcome r = chunk(src);
  ASSERT_EQ(r.units.size(), 2u) << describe(r);
  EXPECT_EQ(r.units[0].kind, UnitKind::Function);
  EXPECT_EQ(r.units[0].defines, (Strings{"main"}));
  Outcome bad = chunk("async with a:\n    pass\n");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->message, "'async with' outside async function");
  Outcome bad2 = chunk("await x\n");
  ASSERT_TRUE(bad2.error);
  EXPECT_EQ(bad2.error->message, "'await' outside function");
}

TEST(PythonChunker, MatchStatementAndSoftKeywordsAsNames) {
  const char *src =
      "match = {'a': 1}\n"
      "case = 2\n"
      "_ = 3\n"
      "match(x)\n"
      "print(match['a'], case, _)\n"
      "match command.split():\n"
      "    case [\"go\", direction] if direction in dirs:\n"
      "        move(direction)\n"
      "    case [\"drop\", *objects]:\n"
      "        drop(objects)\n"
      "    case {'k': 1, **rest} | Point(x=0, y=0) as p:\n"
      "        pass\n"
      "    case -1 | 1.5 + 2j | \"s\" | None | Color.RED:\n"
      "        pass\n"
      "    case _:\n"
      "        match = None\n"
      "y = 1\n";
  Outcome r = chunk(src);
  ASSERT_EQ(r.units.size(), 7u) << describe(r);
  EXPECT_EQ(r.units[0].defines, (Strings{"match"}));
  EXPECT_EQ(r.units[1].defines, (Strings{"case"}));
  EXPECT_EQ(r.units[3].kind, UnitKind::Expr);
  EXPECT_EQ(r.units[5].kind, UnitKind::Control);
  EXPECT_EQ(r.units[5].begin.line, 6u);
  EXPECT_EQ(r.units[6].code, "y = 1\n");

  Collect c;
  PythonChunker ch(c);
  ch.feed("match x:\n");
  EXPECT_TRUE(c.units.empty()) << "a match header is incomplete";
  ch.feed("    case 1:\n        pass\n");
  EXPECT_TRUE(c.units.empty());
  ch.feed("z");
  EXPECT_EQ(c.units.size(), 1u) << "`z` cannot become a continuation keyword";
  ch.feed(" = 1\n");
  EXPECT_EQ(c.units.size(), 2u);
}

TEST(PythonChunker, PartialIdentifierAtColumnZeroIsNotYetADecision) {
  Collect c;
  PythonChunker ch(c);
  ch.feed("if x:\n    pass\nel");
  EXPECT_TRUE(c.units.empty()) << "`el` may become `else`";
  ch.feed("se:\n    pass\n");
  EXPECT_TRUE(c.units.empty()) << "`else` continues the `if`";
  ch.feed("y = 2\n");
  ch.finish();
  ASSERT_EQ(c.units.size(), 2u);
  EXPECT_EQ(c.units[0].code, "if x:\n    pass\nelse:\n    pass\n");
  EXPECT_FALSE(c.error);

  Outcome r = chunk("if x:\n    pass\nel = 1\n");
  EXPECT_EQ(codes(r), (Strings{"if x:\n    pass\n", "el = 1\n"}));
}

TEST(PythonChunker, CommentsAndBlankLinesInsideABlockDoNotCloseIt) {
  const char *src =
      "# leading comment\n"
      "\n"
      "def f():\n"
      "    x = 1\n"
      "# a comment at column 0 inside the block\n"
      "\n"
      "\n"
      "    return x\n"
      "   # an indented comment\n"
      "\n"
      "# trailing comment\n"
      "f()\n"
      "# end\n";
  Outcome r = chunk(src);
  ASSERT_EQ(r.units.size(), 2u) << describe(r);
  EXPECT_EQ(r.units[0].code,
            "def f():\n    x = 1\n# a comment at column 0 inside the block\n\n\n    return x\n");
  EXPECT_EQ(r.units[0].begin.line, 3u);
  EXPECT_EQ(r.units[0].begin.offset, 19u);
  EXPECT_EQ(r.units[1].code, "f()\n");
  EXPECT_EQ(r.units[1].begin.line, 12u);
}

TEST(PythonChunker, StringsHidingQuotesBracketsCommentsAndKeywords) {
  const char *src =
      "a = \"\\\"\\\"\\\" ''' ( [ { # not a comment\"\n"
      "b = '\"\"\" else: (\\''\n"
      "c = r'\\'' + rb\"\\\"\" + Rb'x' + BR\"y\" + u'z' + F'{a}' + fR\"{b}\"\n"
      "d = ''\n"
      "e = \"\"\"\"quoted\" ''' \"\"\"\n"
      "f = '''it''s'''\n"
      "g = '#' # real comment with a quote ' and bracket (\n"
      "h = 1\n";
  Outcome r = chunk(src);
  EXPECT_FALSE(r.error) << describe(r);
  EXPECT_EQ(r.units.size(), 8u) << describe(r);
}

TEST(PythonChunker, TripleQuotedStringsSpanningLinesWithColumnZeroContent) {
  const char *src =
      "x = \"\"\"\n"
      "if y:\n"
      "else: )\n"
      "def z(\n"
      "\"\"\"\n"
      "doc = '''\n"
      "'''\n"
      "def f():\n"
      "    '''Docstring\n"
      "with column-0 text\n"
      "    '''\n"
      "    return 1\n"
      "w = 2\n";
  Outcome r = chunk(src);
  EXPECT_EQ(codes(r), (Strings{"x = \"\"\"\nif y:\nelse: )\ndef z(\n\"\"\"\n", "doc = '''\n'''\n",
                               "def f():\n    '''Docstring\nwith column-0 text\n    '''\n    return 1\n", "w = 2\n"}));
}

TEST(PythonChunker, BackslashContinuation) {
  Outcome r = chunk("x = 1 + \\\n2\nif a and \\\nb:\n    pass\ny = \\\n   3\n");
  EXPECT_EQ(codes(r), (Strings{"x = 1 + \\\n2\n", "if a and \\\nb:\n    pass\n", "y = \\\n   3\n"}));
  Outcome bad = chunk("x = 1 \\ 2\n");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->message, "unexpected character after line continuation character");
}

TEST(PythonChunker, BracketsSpanningLinesWithColumnZeroContent) {
  Outcome r = chunk("data = [\n1,\n2,\n# comment\n{'k':\n(3,\n)}\n]\nprint(\ndata\n)\n");
  EXPECT_EQ(codes(r), (Strings{"data = [\n1,\n2,\n# comment\n{'k':\n(3,\n)}\n]\n", "print(\ndata\n)\n"}));
}

TEST(PythonChunker, CrLfAndLoneCr) {
  Outcome r = chunk("x = 1\r\nif y:\r\n    z = 2\r\nelse:\r\n    z = 3\r\nw = [\r\n4]\r\n");
  EXPECT_EQ(codes(r), (Strings{"x = 1\r\n", "if y:\r\n    z = 2\r\nelse:\r\n    z = 3\r\n", "w = [\r\n4]\r\n"}));
  EXPECT_EQ(r.units[2].begin.line, 6u);
  Outcome cr = chunk("a = 1\rdef f():\r    return 2\rb = '''x\r'''\r");
  EXPECT_EQ(codes(cr), (Strings{"a = 1\r", "def f():\r    return 2\r", "b = '''x\r'''\r"}));
  EXPECT_EQ(cr.units[2].begin.line, 4u);

  // A CR at the end of a chunk: is it CR LF? Decided by the next byte.
  Collect c;
  PythonChunker ch(c);
  ch.feed("x = 1\r");
  EXPECT_TRUE(c.units.empty());
  ch.feed("\n");
  ASSERT_EQ(c.units.size(), 1u);
  EXPECT_EQ(c.units[0].code, "x = 1\r\n");
}

TEST(PythonChunker, TabsAndFormFeed) {
  Outcome r = chunk("if x:\n\tif y:\n\t\tpass\n\telse:\n\t        pass\n\fz = 1\ndef f():\n\f    return 1\n");
  EXPECT_FALSE(r.error) << describe(r);
  EXPECT_EQ(codes(r), (Strings{"if x:\n\tif y:\n\t\tpass\n\telse:\n\t        pass\n", "\fz = 1\n",
                               "def f():\n\f    return 1\n"}));
  // A form feed resets the column: this line is at column 0.
  Outcome ff = chunk("def g():\n    pass\n    \fh = 1\n");
  EXPECT_EQ(codes(ff), (Strings{"def g():\n    pass\n", "    \fh = 1\n"}));
}

TEST(PythonChunker, UnicodeIdentifiers) {
  Outcome r = chunk("π = 3.14\nnaïve = 1\nΔt = π * naïve\n変数 = 'ok'\n");
  ASSERT_EQ(r.units.size(), 4u) << describe(r);
  EXPECT_EQ(r.units[0].defines, (Strings{"π"}));
  EXPECT_EQ(r.units[1].defines, (Strings{"naïve"}));
  EXPECT_EQ(r.units[2].uses, (Strings{"π", "naïve"}));
  EXPECT_EQ(r.units[3].begin.offset, std::string("π = 3.14\nnaïve = 1\nΔt = π * naïve\n").size());
  Outcome bad = chunk("€ = 2\n");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->message, "invalid character '€' (U+20AC)");
}

TEST(PythonChunker, DeeplyNestedBrackets) {
  // CPython accepts 200 nested brackets and rejects more ("too many nested
  // parentheses"); the scanner itself has no limit.
  std::string ok = "x = " + std::string(200, '(') + "1" + std::string(200, ')') + "\n";
  Outcome r = chunk(ok);
  EXPECT_FALSE(r.error) << describe(r);
  EXPECT_EQ(r.units.size(), 1u);

  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += i % 2 ? "[\n" : "(";
  deep += "1";
  for (int i = 999; i >= 0; --i) deep += i % 2 ? "]" : ")";
  deep += "\n";
  Outcome d = chunk("y = 1\n" + deep);
  ASSERT_EQ(d.units.size(), 1u);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->message, "too many nested parentheses");
}

// Regression (libFuzzer, tests/fuzz/regressions/python/): nesting without
// brackets is bounded by a stack guard, in the parser and in the tree walk
// after it (a 4 000-deep `- - … 1` overflowed the stack in the walk under
// ASan). The guard reads the frame address: with a local's address it fired
// on a one-line docstring under clang ASan (locals live on a fake stack).
TEST(PythonChunker, DeepUnaryChainsStopAtTheStackGuard) {
  Outcome doc = chunk("\"\"\"Docstring.\"\"\"\nimport sys\n");
  EXPECT_FALSE(doc.error) << describe(doc);
  EXPECT_EQ(doc.units.size(), 2u);
  for (std::size_t n : {1000u, 4000u, 20000u, 100000u}) {
    Outcome r = chunk("x = " + std::string(n, '-') + "1\n");
    if (r.error) {
      EXPECT_EQ(r.error->message, "too many nested expressions") << n;
    } else {
      EXPECT_EQ(r.units.size(), 1u) << n;
    }
    if (n == 100000u) {
      EXPECT_TRUE(r.error) << "the guard must stop a 100 000-deep chain";
    }
  }
}

// Regression (conformance harness, generated/deep_indent_1000.py): CPython
// takes 99 levels of indentation and rejects the 100th ("too many levels of
// indentation"); the chunker accepted any depth.
TEST(PythonChunker, IndentationLevelLimit) {
  auto nested = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += std::string(static_cast<std::size_t>(i), ' ') + "if True:\n";
    return s + std::string(static_cast<std::size_t>(n), ' ') + "pass\nz = 3\n";
  };
  Outcome ok = chunk(nested(99));
  EXPECT_FALSE(ok.error) << describe(ok);
  EXPECT_EQ(ok.units.size(), 2u);
  Outcome bad = chunk(nested(100));
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->message, "too many levels of indentation");
  EXPECT_EQ(bad.error->at.line, 101u);
}

TEST(PythonChunker, FStringsWithNestedQuotes) {
  Outcome r = chunk("d = {'k': 1}\nprint(f\"{d['k']} {x!r:>{w}} {'a' + 'b'} {{}}\")\ns = f'''{d[\"k\"]}\n'''\n");
  EXPECT_FALSE(r.error) << describe(r);
  EXPECT_EQ(r.units.size(), 3u);
  // Python 3.11 rules for replacement fields.
  Outcome b = chunk("x = 1\ny = f'{\"\\n\".join(a)}'\n");
  ASSERT_TRUE(b.error);
  EXPECT_EQ(b.error->message, "f-string expression part cannot include a backslash");
  EXPECT_EQ(b.error->at.line, 2u);
  Outcome e = chunk("f'{}'\n");
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->message, "f-string: empty expression not allowed");
}

TEST(PythonChunker, WalrusLambdaStarExpressionsTypeHints) {
  const char *src =
      "if (n := len(a)) > 10: print(n)\n"
      "f = lambda x, *a, k=1, **kw: (x, a, k, kw)\n"
      "first, *rest = items\n"
      "print(*rest, **opts)\n"
      "merged = [*a, *b], {**c, 'k': 1}, {*s}\n"
      "def g(a: int, *args: str, b: list[int] | None = None, **kw: 'Any') -> dict[str, int]: ...\n"
      "x: int = 5\n"
      "y: tuple[int, ...]\n"
      "vals[1:2, ::3], vals[...]\n"
      "res = [y for x in data if (y := f(x)) is not None]\n"
      "z = 1 if a else 2\n"
      "del x, vals[0]\n"
      "assert x, 'msg'\n"
      "raise ValueError('bad') from None\n"
      "global q\n"
      "n = 0x_FF + 0o17 + 0b1_0 + 1_000.5e-3 + 3j + .5 + 1.\n";
  Outcome r = chunk(src);
  EXPECT_FALSE(r.error) << describe(r);
  ASSERT_EQ(r.units.size(), 16u) << describe(r);
  EXPECT_EQ(r.units[0].defines, (Strings{"n"}));
  EXPECT_EQ(r.units[2].defines, (Strings{"first", "rest"}));
  EXPECT_EQ(r.units[6].kind, UnitKind::Assign);
  EXPECT_EQ(r.units[9].defines, (Strings{"res", "y"}));
}

TEST(PythonChunker, KindDefinesAndDottedCallUses) {
  const char *src =
      "import os, sys as system, xml.dom.minidom\n"
      "from shutil import rmtree as rm, copy\n"
      "from . import sibling\n"
      "os.remove(path)\n"
      "subprocess.run(['ls'], check=True).stdout\n"
      "shutil.rmtree(d)\n"
      "with open(p) as fh, lock:\n    data = fh.read()\n"
      "pass\n";
  Outcome r = chunk(src);
  ASSERT_EQ(r.units.size(), 8u) << describe(r);
  EXPECT_EQ(r.units[0].kind, UnitKind::Import);
  EXPECT_EQ(r.units[0].defines, (Strings{"os", "system", "xml"}));
  EXPECT_EQ(r.units[1].defines, (Strings{"rm", "copy"}));
  EXPECT_EQ(r.units[2].defines, (Strings{"sibling"}));
  EXPECT_EQ(r.units[3].uses, (Strings{"os.remove", "os", "path"}));
  EXPECT_EQ(r.units[4].uses, (Strings{"subprocess.run", "subprocess"}));
  EXPECT_EQ(r.units[5].uses, (Strings{"shutil.rmtree", "shutil", "d"}));
  EXPECT_EQ(r.units[6].kind, UnitKind::Control);
  EXPECT_EQ(r.units[6].defines, (Strings{"fh", "data"}));
  EXPECT_EQ(r.units[7].kind, UnitKind::Other);
}

TEST(PythonChunker, FutureImportsMustOpenTheProgram) {
  Outcome ok = chunk("\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nfrom __future__ import division\nx = 1\n");
  EXPECT_FALSE(ok.error) << describe(ok);
  EXPECT_EQ(ok.units.size(), 4u);
  Outcome bad = chunk("import os\nfrom __future__ import annotations\n");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->at.line, 2u);
  EXPECT_EQ(bad.error->message, "from __future__ imports must occur at the beginning of the file");
  Outcome unknown = chunk("from __future__ import braces\n");
  ASSERT_TRUE(unknown.error);
  EXPECT_EQ(unknown.error->message, "not a chance");
}

TEST(PythonChunker, ByteOrderMarkIsSkipped) {
  Outcome r = chunk("\xEF\xBB\xBFx = 1\ny = 2\n");
  EXPECT_EQ(codes(r), (Strings{"x = 1\n", "y = 2\n"}));
  EXPECT_EQ(r.units[0].begin.offset, 3u);
}

// ---------------------------------------------------------------- errors

TEST(PythonChunkerErrors, UnmatchedClosingBracket) {
  Outcome r = chunk("x = (1,\n2))\ny = 3\n");
  EXPECT_TRUE(r.units.empty());
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->at.line, 2u);
  EXPECT_EQ(r.error->at.col, 2u);
  EXPECT_EQ(r.error->at.offset, 10u);
  EXPECT_EQ(r.error->message, "unmatched ')'");
  EXPECT_EQ(r.error->unit_begin.offset, 0u);
  Outcome m = chunk("a = [1,\n2)\n");
  ASSERT_TRUE(m.error);
  EXPECT_EQ(m.error->message, "closing parenthesis ')' does not match opening parenthesis '[' on line 1");
}

TEST(PythonChunkerErrors, ReportedAsSoonAsCertain) {
  Collect c;
  PythonChunker ch(c);
  ch.feed("x = 1\ndef f(:\n");
  ASSERT_TRUE(c.error) << "inside the brackets, but already impossible";
  EXPECT_EQ(c.error->at.line, 2u);
  EXPECT_EQ(c.error->at.col, 6u);
  EXPECT_EQ(c.units.size(), 1u);
  ch.feed("    pass\n)\n");  // ignored
  ch.finish();
  EXPECT_EQ(c.errors, 1);

  Collect c2;
  PythonChunker ch2(c2);
  ch2.feed("x = (1,\n2))\n");
  ASSERT_TRUE(c2.error);
  EXPECT_EQ(c2.error->at.line, 2u);
}

TEST(PythonChunkerErrors, UnexpectedIndent) {
  Outcome r = chunk("x = 1\n    y = 2\nz = 3\n");
  EXPECT_EQ(codes(r), (Strings{"x = 1\n"}));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message, "unexpected indent");
  EXPECT_EQ(r.error->at.line, 2u);
  EXPECT_EQ(r.error->at.col, 4u);
  Outcome dedent = chunk("if x:\n        a = 1\n    b = 2\n");
  ASSERT_TRUE(dedent.error);
  EXPECT_EQ(dedent.error->message, "unindent does not match any outer indentation level");
  EXPECT_EQ(dedent.error->at.line, 3u);
}

TEST(PythonChunkerErrors, ExpectedAnIndentedBlock) {
  Collect c;
  PythonChunker ch(c);
  ch.feed("if x:\ny");
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->at.line, 2u);
  EXPECT_EQ(c.error->at.col, 0u);
  EXPECT_EQ(c.error->message, "expected an indented block");
  Outcome t = chunk("try:\n    pass\nx = 1\n");
  ASSERT_TRUE(t.error);
  EXPECT_EQ(t.error->message, "expected 'except' or 'finally' block");
  EXPECT_EQ(t.error->at.line, 3u);
}

TEST(PythonChunkerErrors, UnterminatedStrings) {
  Outcome a = chunk("x = 1\ny = \"abc");
  EXPECT_EQ(codes(a), (Strings{"x = 1\n"}));
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->message, "unterminated string literal (detected at line 2)");
  EXPECT_EQ(a.error->at.line, 2u);
  EXPECT_EQ(a.error->at.col, 4u);
  Outcome b = chunk("s = '''abc\n\ndef\n");
  ASSERT_TRUE(b.error);
  EXPECT_EQ(b.error->message, "unterminated triple-quoted string literal (detected at line 4)");
  EXPECT_EQ(b.error->at.line, 1u);
  Outcome c = chunk("s = 'abc\nt = 1\n");
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->message, "unterminated string literal (detected at line 1)");
  EXPECT_EQ(c.error->at.col, 4u);
}

TEST(PythonChunkerErrors, EndOfInputInsideAStatement) {
  Outcome a = chunk("def f():\n");
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->message, "expected an indented block");
  Outcome b = chunk("x = (1,\n 2");
  ASSERT_TRUE(b.error);
  EXPECT_EQ(b.error->message, "'(' was never closed");
  EXPECT_EQ(b.error->at.col, 4u);
  Outcome c = chunk("x = 1 + \\\n");
  ASSERT_TRUE(c.error);
}

TEST(PythonChunkerErrors, InvalidStatements) {
  struct Case {
    const char *src;
    unsigned line, col;
    const char *message;
  } const cases[] = {
      {"print \"hello\"\n", 1, 6, "invalid syntax"},
      {"x = 1\n1 = x\n", 2, 0, "cannot assign to literal"},
      {"f() = 3\n", 1, 0, "cannot assign to function call"},
      {"(a, b) += 1\n", 1, 0, "'tuple' is an illegal expression for augmented assignment"},
      {"return 1\n", 1, 0, "'return' outside function"},
      {"for x in y:\n    pass\nelse:\n    break\n", 4, 4, "'break' outside loop"},
      {"def f(a=1, b): pass\n", 1, 11, "non-default argument follows default argument"},
      {"def f(a, a): pass\n", 1, 9, "duplicate argument 'a' in function definition"},
      {"f(a=1, b)\n", 1, 7, "positional argument follows keyword argument"},
      {"f(x for x in y, 1)\n", 1, 2, "Generator expression must be parenthesized"},
      {"x = 0777\n", 1, 5, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"},
      {"b'x' 'y'\n", 1, 0, "cannot mix bytes and nonbytes literals"},
      {"*a = 1\n", 1, 0, "starred assignment target must be in a list or tuple"},
      {"x = $\n", 1, 4, "invalid syntax"},
      {"else:\n    pass\n", 1, 0, "invalid syntax"},
      {"def f():\n    pass\nelse:\n    pass\n", 3, 0, "invalid syntax"},
      {"nonlocal x\n", 1, 0, "nonlocal declaration not allowed at module level"},
  };
  for (const auto &k : cases) {
    Outcome r = chunk(k.src);
    ASSERT_TRUE(r.error) << k.src;
    EXPECT_EQ(r.error->message, k.message) << k.src;
    EXPECT_EQ(r.error->at.line, k.line) << k.src;
    EXPECT_EQ(r.error->at.col, k.col) << k.src;
  }
}

// ---------------------------------------------------------------- confirm

TEST(PythonConfirm, Verdicts) {
  using S = ParseVerdict::Status;
  EXPECT_EQ(confirm_python("x = 1\n").status, S::Complete);
  EXPECT_EQ(confirm_python("x = 1").status, S::Complete);
  EXPECT_EQ(confirm_python("").status, S::Complete);
  EXPECT_EQ(confirm_python("def f():\n").status, S::Incomplete);
  EXPECT_EQ(confirm_python("x = (1,\n").status, S::Incomplete);
  EXPECT_EQ(confirm_python("x = '''abc\n").status, S::Incomplete);
  EXPECT_EQ(confirm_python("x = 1 + \\\n").status, S::Incomplete);
  EXPECT_EQ(confirm_python("@dec\n").status, S::Incomplete);
  EXPECT_EQ(confirm_python("from m import (a,\n").status, S::Incomplete);
  EXPECT_EQ(confirm_python("from m import a, \\\n").status, S::Incomplete);
  ParseVerdict e = confirm_python("x = (1,\n2))\n");
  EXPECT_EQ(e.status, S::Error);
  EXPECT_EQ(e.at.line, 2u);
  EXPECT_EQ(e.at.col, 2u);
  EXPECT_EQ(e.at.offset, 10u);
  EXPECT_EQ(confirm_python("x = \xff\n").status, S::Error);
  ParseVerdict k = confirm_python("class C:\n    pass\n");
  EXPECT_EQ(k.kind, UnitKind::Class);
}

}  // namespace
}  // namespace sx
