// JavaScript chunker and confirm tests (docs/DESIGN.md §3 "Closure").
//
// Every program is fed under several splits (whole, 1 byte, line by line,
// random cuts with fixed seeds) and must yield identical units (split
// invariance). The closure rules are checked with positive and negative
// cases, promptness by feeding byte by byte, and confirm on prefixes of
// test262-parser-tests programs. The chunker over the whole test262 corpus
// (acceptance, acorn's statement spans) is the conformance harness
// (tests/conformance/conformance.cpp, ctest conformance_fast_javascript).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/chunker.h"
#include "frontend/javascript/javascript_chunker.h"
#include "frontend/javascript/javascript_confirm.h"

namespace {

using sx::ChunkError;
using sx::ChunkUnit;
using sx::JsVerdict;

struct Collect : sx::ChunkSink {
  std::vector<ChunkUnit> units;
  std::vector<ChunkError> errors;
  void on_unit(ChunkUnit &&u) override { units.push_back(std::move(u)); }
  void on_error(ChunkError &&e) override { errors.push_back(std::move(e)); }
};

struct ChunkRun {
  std::vector<ChunkUnit> units;
  std::vector<ChunkError> errors;
};

// Feeds `text` cut at the given offsets.
ChunkRun run_cuts(const std::string &text, std::vector<std::size_t> cuts) {
  Collect sink;
  sx::JavaScriptChunker ch(sink);
  std::sort(cuts.begin(), cuts.end());
  std::size_t prev = 0;
  for (std::size_t c : cuts) {
    if (c <= prev || c >= text.size()) continue;
    ch.feed(std::string_view(text).substr(prev, c - prev));
    prev = c;
  }
  ch.feed(std::string_view(text).substr(prev));
  ch.finish();
  return ChunkRun{std::move(sink.units), std::move(sink.errors)};
}

std::vector<std::vector<std::size_t>> splits(const std::string &text) {
  std::vector<std::vector<std::size_t>> out;
  out.push_back({});  // whole
  std::vector<std::size_t> bytes;
  for (std::size_t i = 1; i < text.size(); ++i) bytes.push_back(i);
  out.push_back(bytes);  // 1 byte
  std::vector<std::size_t> lines;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') lines.push_back(i + 1);
  out.push_back(lines);  // each line
  for (unsigned seed : {1u, 2u, 3u}) {
    std::mt19937 rng(seed);
    std::vector<std::size_t> r;
    if (text.size() > 1) {
      std::uniform_int_distribution<std::size_t> d(1, text.size() - 1);
      std::size_t n = 1 + text.size() / 7;
      for (std::size_t k = 0; k < n; ++k) r.push_back(d(rng));
    }
    out.push_back(r);
  }
  return out;
}

std::string describe(const ChunkRun &r) {
  std::ostringstream os;
  for (auto &u : r.units)
    os << "[" << u.begin.offset << "," << u.end << ") " << u.begin.line << ":" << u.begin.col << " "
       << sx::unit_kind_name(u.kind) << " «" << u.code << "»\n";
  for (auto &e : r.errors) os << "error " << e.at.line << ":" << e.at.col << " @" << e.at.offset << " " << e.message << "\n";
  return os.str();
}

bool same(const ChunkRun &a, const ChunkRun &b) {
  if (a.units.size() != b.units.size() || a.errors.size() != b.errors.size()) return false;
  for (std::size_t i = 0; i < a.units.size(); ++i) {
    const auto &x = a.units[i], &y = b.units[i];
    if (x.code != y.code || x.begin.offset != y.begin.offset || x.begin.line != y.begin.line ||
        x.begin.col != y.begin.col || x.end != y.end || x.kind != y.kind || x.defines != y.defines ||
        x.uses != y.uses)
      return false;
  }
  for (std::size_t i = 0; i < a.errors.size(); ++i) {
    const auto &x = a.errors[i], &y = b.errors[i];
    if (x.at.offset != y.at.offset || x.at.line != y.at.line || x.at.col != y.at.col || x.message != y.message)
      return false;
  }
  return true;
}

// Runs all splits, checks they agree and that each unit's code is exactly
// the text at [begin, end). Returns the whole-text run.
ChunkRun chunk(const std::string &text) {
  auto all = splits(text);
  ChunkRun whole = run_cuts(text, all[0]);
  for (std::size_t i = 1; i < all.size(); ++i) {
    ChunkRun r = run_cuts(text, all[i]);
    EXPECT_TRUE(same(whole, r)) << "split " << i << " differs for:\n"
                                << text << "\n--- whole:\n"
                                << describe(whole) << "--- split:\n"
                                << describe(r);
  }
  for (auto &u : whole.units) {
    EXPECT_EQ(u.code, text.substr(u.begin.offset, u.end - u.begin.offset));
  }
  return whole;
}

std::vector<std::string> codes(const ChunkRun &r) {
  std::vector<std::string> out;
  for (auto &u : r.units) out.push_back(u.code);
  return out;
}

using V = std::vector<std::string>;


#define EXPECT_UNITS(text, ...)                                   \
  do {                                                            \
    ChunkRun r_ = chunk(text);                                         \
    EXPECT_TRUE(r_.errors.empty()) << describe(r_);               \
    EXPECT_EQ(codes(r_), (V{__VA_ARGS__})) << describe(r_);       \
  } while (0)

// Feeds byte by byte and returns how many units were out after each byte.
std::vector<std::size_t> units_after_each_byte(const std::string &text) {
  Collect sink;
  sx::JavaScriptChunker ch(sink);
  std::vector<std::size_t> counts;
  for (char c : text) {
    ch.feed(std::string_view(&c, 1));
    counts.push_back(sink.units.size());
  }
  return counts;
}

// ------------------------------------------------------------ corpus files

std::string corpus_dir() {
  std::vector<std::string> candidates;
  if (const char *env = std::getenv("SX_TEST262_DIR")) candidates.push_back(env);
  candidates.push_back(std::string(SX_BINARY_DIR) + "/npm/node_modules/test262-parser-tests");
  candidates.push_back(std::string(SX_SOURCE_DIR) + "/build/npm/node_modules/test262-parser-tests");
  for (auto &c : candidates)
    if (std::filesystem::is_directory(c + "/pass")) return c;
  return "";
}

std::string slurp(const std::filesystem::path &p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::filesystem::path> corpus_files(const std::string &dir) {
  std::vector<std::filesystem::path> files;
  for (auto &e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

const char *kInstall =
    "test262-parser-tests corpus not found. Install it with\n"
    "  scripts/npm-deps build   (installs test262-parser-tests into build/npm)\n"
    "or set SX_TEST262_DIR to the package directory.";

// ----------------------------------------------------------------- confirm

TEST(JavaScriptConfirm, Verdicts) {
  EXPECT_TRUE(sx::confirm_javascript("x = 1").complete());
  EXPECT_TRUE(sx::confirm_javascript("x = 1").ended_by_asi);
  EXPECT_TRUE(sx::confirm_javascript("x = 1;").ended_by_semicolon);
  EXPECT_TRUE(sx::confirm_javascript("x = (1 +").incomplete());
  EXPECT_TRUE(sx::confirm_javascript("function f() {").incomplete());
  EXPECT_TRUE(sx::confirm_javascript("s = 'abc").incomplete());
  EXPECT_TRUE(sx::confirm_javascript("/* comment").incomplete());
  EXPECT_TRUE(sx::confirm_javascript("t = `a ${b} c").incomplete());
  EXPECT_TRUE(sx::confirm_javascript("t = `a ${b").incomplete());
  EXPECT_TRUE(sx::confirm_javascript("re = /ab").incomplete());
  EXPECT_TRUE(sx::confirm_javascript("if (a) {}").is_if_without_else);
  EXPECT_TRUE(sx::confirm_javascript("if (a) {} else if (b) x").is_if_without_else);
  EXPECT_FALSE(sx::confirm_javascript("if (a) {} else {}").is_if_without_else);
  EXPECT_TRUE(sx::confirm_javascript("try {} catch (e) {}").is_try);
  EXPECT_FALSE(sx::confirm_javascript("try {} finally {}").is_try);
  EXPECT_TRUE(sx::confirm_javascript("try {}").incomplete());
  EXPECT_TRUE(sx::confirm_javascript("function f() {}").ended_by_block);
  EXPECT_TRUE(sx::confirm_javascript("do {} while (x)").ended_by_asi);
  EXPECT_TRUE(sx::confirm_javascript("do {} while (x);").ended_by_semicolon);
  EXPECT_TRUE(sx::confirm_javascript("for (;;) x = 1").ended_by_asi);

  JsVerdict e = sx::confirm_javascript("let a = 1;\nlet = ;");
  ASSERT_TRUE(e.error());
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.col, 6u);
  EXPECT_EQ(e.offset, 17u);
  EXPECT_TRUE(sx::confirm_javascript("a b").error());
  EXPECT_TRUE(sx::confirm_javascript("x = 08n").error());
  EXPECT_TRUE(sx::confirm_javascript("3in []").error());
  EXPECT_TRUE(sx::confirm_javascript("'use strict'; with (a) {}").error());
  EXPECT_TRUE(sx::confirm_javascript("a + b = c").error());
  EXPECT_TRUE(sx::confirm_javascript("-a ** 2").error());
  EXPECT_TRUE(sx::confirm_javascript("a ?? b || c").error());
  EXPECT_TRUE(sx::confirm_javascript("x = /(?<a>.)\\k<b>/").error());
  EXPECT_TRUE(sx::confirm_javascript("x = /a/gg").error());
  // A script file is a CommonJS module for node: its top level may return
  // (issue 14, a corpus program); ECMAScript's Script goal may not.
  EXPECT_TRUE(sx::confirm_javascript("return 1").complete());
  sx::JsConfirmOptions script;
  script.goal = sx::JsConfirmOptions::Goal::Script;
  EXPECT_TRUE(sx::confirm_javascript("return 1", script).error());
  // cover grammar: waits for `=` / `=>`
  EXPECT_TRUE(sx::confirm_javascript("[{a = 1}]").incomplete());
  EXPECT_TRUE(sx::confirm_javascript("[{a = 1}] = [{}]").complete());
  EXPECT_TRUE(sx::confirm_javascript("f({a = 1})\nx").error());
}

TEST(JavaScriptConfirm, KindsDefinesUses) {
  JsVerdict v = sx::confirm_javascript("const fs = require('fs');");
  EXPECT_EQ(v.kind, sx::UnitKind::Import);
  EXPECT_EQ(v.defines, (V{"fs"}));
  EXPECT_NE(std::find(v.uses.begin(), v.uses.end(), "require:fs"), v.uses.end());

  v = sx::confirm_javascript("fs.unlinkSync(path)");
  EXPECT_EQ(v.kind, sx::UnitKind::Expr);
  EXPECT_NE(std::find(v.uses.begin(), v.uses.end(), "fs.unlinkSync"), v.uses.end());
  EXPECT_NE(std::find(v.uses.begin(), v.uses.end(), "fs"), v.uses.end());
  EXPECT_NE(std::find(v.uses.begin(), v.uses.end(), "path"), v.uses.end());

  v = sx::confirm_javascript("require('child_process').exec('ls')");
  EXPECT_NE(std::find(v.uses.begin(), v.uses.end(), "require:child_process"), v.uses.end());

  v = sx::confirm_javascript("function f(a) { let b = a + c; return b }");
  EXPECT_EQ(v.kind, sx::UnitKind::Function);
  EXPECT_EQ(v.defines, (V{"f"}));
  EXPECT_EQ(v.uses, (V{"c"}));

  v = sx::confirm_javascript("class A extends B {}");
  EXPECT_EQ(v.kind, sx::UnitKind::Class);
  EXPECT_EQ(v.defines, (V{"A"}));
  EXPECT_EQ(v.uses, (V{"B"}));

  v = sx::confirm_javascript("x = y * 2");
  EXPECT_EQ(v.kind, sx::UnitKind::Assign);
  EXPECT_EQ(v.defines, (V{"x"}));
  EXPECT_EQ(v.uses, (V{"y"}));

  v = sx::confirm_javascript("import { a as b } from 'mod'");
  EXPECT_EQ(v.kind, sx::UnitKind::Import);
  EXPECT_EQ(v.defines, (V{"b"}));

  v = sx::confirm_javascript("for (const k of ks) console.log(k)");
  EXPECT_EQ(v.kind, sx::UnitKind::Control);
  EXPECT_NE(std::find(v.uses.begin(), v.uses.end(), "console.log"), v.uses.end());

  v = sx::confirm_javascript("[a, {b, c: d = e}, ...f] = g");
  EXPECT_EQ(v.defines, (V{"a", "b", "d", "f"}));
  EXPECT_EQ(v.uses, (V{"e", "g"}));

  v = sx::confirm_javascript("for (const f of list) use(f)\ntry { x() } catch (err) { log(err) }");
  EXPECT_EQ(v.uses, (V{"list", "use", "x", "log"}));

  v = sx::confirm_javascript("let [p, {q}] = r;");
  EXPECT_EQ(v.kind, sx::UnitKind::Assign);
  EXPECT_EQ(v.defines, (V{"p", "q"}));
}

// ------------------------------------------------------------- ASI traps

TEST(JavaScriptChunker, AsiContinuations) {
  EXPECT_UNITS("a\n(b)", "a\n(b)");
  EXPECT_UNITS("a\n[1]", "a\n[1]");
  EXPECT_UNITS("a\n.b()", "a\n.b()");
  EXPECT_UNITS("a\n?.b", "a\n?.b");
  EXPECT_UNITS("a\n`t`", "a\n`t`");
  EXPECT_UNITS("a\nin b", "a\nin b");
  EXPECT_UNITS("a\ninstanceof B", "a\ninstanceof B");
  EXPECT_UNITS("x = a\n+ b\n* c", "x = a\n+ b\n* c");
  EXPECT_UNITS("x = a\n, y = b", "x = a\n, y = b");
  EXPECT_UNITS("x = cond\n? 1\n: 2", "x = cond\n? 1\n: 2");
  EXPECT_UNITS("x = a\n?? b", "x = a\n?? b");
  EXPECT_UNITS("x\n= 5", "x\n= 5");
  EXPECT_UNITS("let y\n= 2", "let y\n= 2");
  EXPECT_UNITS("x = 1\n;", "x = 1\n;");
  // division, not a regex, after an identifier
  EXPECT_UNITS("a\n/re/g.test(s)", "a\n/re/g.test(s)");
  EXPECT_UNITS("a = b\n/c/d", "a = b\n/c/d");
  // `let` on its own line followed by a name is a declaration
  EXPECT_UNITS("let\nx = 1", "let\nx = 1");
}

TEST(JavaScriptChunker, AsiBreaks) {
  EXPECT_UNITS("x\n++y", "x", "++y");
  EXPECT_UNITS("x\n--y", "x", "--y");
  EXPECT_UNITS("x = 1\ny = 2", "x = 1", "y = 2");
  EXPECT_UNITS("let a = 1\nlet b = 2\n", "let a = 1", "let b = 2");
  EXPECT_UNITS("a()\n!b", "a()", "!b");
  EXPECT_UNITS("x = 1\n{ y() }", "x = 1", "{ y() }");
  EXPECT_UNITS("const f = () => {}\nf()", "const f = () => {}", "f()");
  EXPECT_UNITS("x = 1\n'str'", "x = 1", "'str'");
  EXPECT_UNITS("x = 1\n42", "x = 1", "42");
  EXPECT_UNITS("x = 1;\n/re/.test(s)", "x = 1;", "/re/.test(s)");
  EXPECT_UNITS("function f() {\n  return\n  x\n}\nf()", "function f() {\n  return\n  x\n}", "f()");
  EXPECT_UNITS("x = y\nelsewhere()", "x = y", "elsewhere()");
  EXPECT_UNITS("a = b\ninx", "a = b", "inx");
  // Regression (issue 14, TheAlgorithms/JavaScript SingleCircularLinkedList):
  // after `return`/`break`/`continue`/`yield`/`debugger` and a line break, a
  // `let` starts a declaration (it was read as `return let`: a syntax error).
  EXPECT_UNITS("function f() {\n  if (!h) return\n\n  let prev\n  let c = h\n}\nf()",
               "function f() {\n  if (!h) return\n\n  let prev\n  let c = h\n}", "f()");
  EXPECT_UNITS("for (;;) {\n  break\n  let x = 1\n}", "for (;;) {\n  break\n  let x = 1\n}");
  EXPECT_UNITS("function* g() {\n  yield\n  let y\n}", "function* g() {\n  yield\n  let y\n}");
  EXPECT_UNITS("debugger\nlet z = 1", "debugger", "let z = 1");
}

TEST(JavaScriptChunker, SemicolonsAndBraces) {
  EXPECT_UNITS("a = 1; b = 2", "a = 1;", "b = 2");
  EXPECT_UNITS("a = 1; b = 2;", "a = 1;", "b = 2;");
  EXPECT_UNITS("let re = /a;b}/g;\nre.test('x')", "let re = /a;b}/g;", "re.test('x')");
  EXPECT_UNITS("for (let i = 0; i < 3; i++) { s += i; }\nconsole.log(s);",
               "for (let i = 0; i < 3; i++) { s += i; }", "console.log(s);");
  EXPECT_UNITS("x = {a: 1, b: {c: 2}};", "x = {a: 1, b: {c: 2}};");
  EXPECT_UNITS("x = {}\n(y)", "x = {}\n(y)");
  EXPECT_UNITS(";;", ";", ";");
}

TEST(JavaScriptChunker, StringsCommentsTemplates) {
  EXPECT_UNITS("const s = \"}{;)( // /* if else\"; // } ; {\n/* ; } { */ foo()",
               "const s = \"}{;)( // /* if else\";", "foo()");
  EXPECT_UNITS("const t = 'it\\'s; }'\nbar()", "const t = 'it\\'s; }'", "bar()");
  EXPECT_UNITS("const s = `line1\n${ a + `inner ${ b ? '}' : \"{\" } ;` }\nline3`;\nfoo()",
               "const s = `line1\n${ a + `inner ${ b ? '}' : \"{\" } ;` }\nline3`;", "foo()");
  EXPECT_UNITS("tag`x ${1}\n;` + 1\nnext()", "tag`x ${1}\n;` + 1", "next()");
  EXPECT_UNITS("/* a\n b */ x = 1 // tail\n\n// only comment\n   y = 2",
               "x = 1", "y = 2");
  EXPECT_UNITS("x = 1 /* multi\nline */ y = 2", "x = 1", "y = 2");
  EXPECT_UNITS("s = \"a\\\nb\"; t()", "s = \"a\\\nb\";", "t()");
  EXPECT_UNITS("x = a / b / c; y = /[/;]}/.source;", "x = a / b / c;", "y = /[/;]}/.source;");
  EXPECT_UNITS("if (x) /a}/.test(s)\nz()", "if (x) /a}/.test(s)", "z()");
}

TEST(JavaScriptChunker, CompoundStatements) {
  EXPECT_UNITS("if (x) {} else {}", "if (x) {} else {}");
  EXPECT_UNITS("if (x) {}\nelse {}", "if (x) {}\nelse {}");
  EXPECT_UNITS("if (x) {}\nfoo()", "if (x) {}", "foo()");
  EXPECT_UNITS("if (a) b()\nelse if (c) d()\nelse e()\nf()", "if (a) b()\nelse if (c) d()\nelse e()", "f()");
  EXPECT_UNITS("if (a) x = 1;\nelse x = 2;", "if (a) x = 1;\nelse x = 2;");
  EXPECT_UNITS("try{}catch(e){}finally{}", "try{}catch(e){}finally{}");
  EXPECT_UNITS("try { a() } catch (e) { b() }\nfinally { c() }\nd()",
               "try { a() } catch (e) { b() }\nfinally { c() }", "d()");
  EXPECT_UNITS("try { a() } catch { b() }\nd()", "try { a() } catch { b() }", "d()");
  EXPECT_UNITS("do {} while (x)", "do {} while (x)");
  EXPECT_UNITS("do { i++ } while (i < 3)\nfoo()", "do { i++ } while (i < 3)", "foo()");
  EXPECT_UNITS("do x++; while (x < 3); y()", "do x++; while (x < 3);", "y()");
  EXPECT_UNITS("while (a) {\n  b()\n}\nc()", "while (a) {\n  b()\n}", "c()");
  EXPECT_UNITS("switch (x) {\n case 1: {}\n /foo/; break\n default: y()\n}\nz()",
               "switch (x) {\n case 1: {}\n /foo/; break\n default: y()\n}", "z()");
  EXPECT_UNITS("outer: for (;;) { break outer }\nx()", "outer: for (;;) { break outer }", "x()");
  EXPECT_UNITS("{ a: 1 }\n({ a: 1 })", "{ a: 1 }", "({ a: 1 })");
  EXPECT_UNITS("{ let x = 1; f(x) }\ng()", "{ let x = 1; f(x) }", "g()");
}

TEST(JavaScriptChunker, DeclarationsAndModernSyntax) {
  EXPECT_UNITS("function f(a, b = 2, ...rest) { return a + b }\nf(1)",
               "function f(a, b = 2, ...rest) { return a + b }", "f(1)");
  EXPECT_UNITS(
      "class Counter extends Base {\n  #count = 0;\n  static instances = 0\n  static { Counter.instances = 1 }\n"
      "  get value() { return this.#count }\n  set value(v) { this.#count = v }\n  #bump() { this.#count++ }\n"
      "  static create() { return new Counter() }\n  [Symbol.iterator]() {}\n  has(o) { return #count in o }\n}\n"
      "new Counter()",
      "class Counter extends Base {\n  #count = 0;\n  static instances = 0\n  static { Counter.instances = 1 }\n"
      "  get value() { return this.#count }\n  set value(v) { this.#count = v }\n  #bump() { this.#count++ }\n"
      "  static create() { return new Counter() }\n  [Symbol.iterator]() {}\n  has(o) { return #count in o }\n}",
      "new Counter()");
  EXPECT_UNITS("async function main() {\n  const r = await fetch(url)\n  for await (const x of r) {}\n}\nmain()",
               "async function main() {\n  const r = await fetch(url)\n  for await (const x of r) {}\n}", "main()");
  EXPECT_UNITS("const data = await load()\nconsole.log(data)", "const data = await load()", "console.log(data)");
  EXPECT_UNITS("function* gen() { yield 1; yield* other() }\nconst it = gen()",
               "function* gen() { yield 1; yield* other() }", "const it = gen()");
  EXPECT_UNITS("const add = (a, b) => a + b\nconst sq = x => x * x\nconst f = async ({a, b: [c = 1]}) => { await a }",
               "const add = (a, b) => a + b", "const sq = x => x * x",
               "const f = async ({a, b: [c = 1]}) => { await a }");
  EXPECT_UNITS("const {a, b: {c = 1}, ...rest} = obj\nconst [x, , y = 2, ...zs] = arr",
               "const {a, b: {c = 1}, ...rest} = obj", "const [x, , y = 2, ...zs] = arr");
  EXPECT_UNITS("x ?\?= 1\ny ||= 2\nz &&= 3\nw = 2 ** 10\nv = a?.b?.[c]?.(d)",
               "x ?\?= 1", "y ||= 2", "z &&= 3", "w = 2 ** 10", "v = a?.b?.[c]?.(d)");
  EXPECT_UNITS("n = 1_000_000 + 0xFF + 0o17 + 0b1010 + 10n + .5e-3",
               "n = 1_000_000 + 0xFF + 0o17 + 0b1010 + 10n + .5e-3");
  EXPECT_UNITS("import fs from 'fs'\nimport { a, b as c } from \"./m.js\"\nexport const k = 1\nexport default function () {}\nexport { k as kk }",
               "import fs from 'fs'", "import { a, b as c } from \"./m.js\"", "export const k = 1",
               "export default function () {}", "export { k as kk }");
  EXPECT_UNITS("const m = await import('./x.js')\nconsole.log(import.meta)", "const m = await import('./x.js')",
               "console.log(import.meta)");
  EXPECT_UNITS("function F() { if (!new.target) throw new Error('x') }", "function F() { if (!new.target) throw new Error('x') }");
  EXPECT_UNITS("label: {\n  break label\n}\n", "label: {\n  break label\n}");
  EXPECT_UNITS("var \\u0061b = 1; const π = 3.14\nconst 变量 = π * 2", "var \\u0061b = 1;", "const π = 3.14",
               "const 变量 = π * 2");
}

// Patterns from real code that tripped earlier versions (token retyping, ASI
// interplay with contextual keywords, regex after a function expression, …).
TEST(JavaScriptChunker, RealWorldPatterns) {
  EXPECT_UNITS("function f() {\n  set[name] = v\n  get(x)\n  return set\n}\nf()",
               "function f() {\n  set[name] = v\n  get(x)\n  return set\n}", "f()");
  EXPECT_UNITS("const it = { next() { return 1 }, return() { return 2 }, throw: e, get: 1, set }",
               "const it = { next() { return 1 }, return() { return 2 }, throw: e, get: 1, set }");
  EXPECT_UNITS("(let[a] = b)", "(let[a] = b)");
  EXPECT_UNITS("class A {\n  static async *gen() {}\n  get [k]() { return 1 }\n  set v(x) {}\n  static x = 1\n"
               "  async run() { await this.x }\n  static\n  y = 2\n  get\n  z() {}\n}",
               "class A {\n  static async *gen() {}\n  get [k]() { return 1 }\n  set v(x) {}\n  static x = 1\n"
               "  async run() { await this.x }\n  static\n  y = 2\n  get\n  z() {}\n}");
  EXPECT_UNITS("export {a}\nfrom 'b'", "export {a}\nfrom 'b'");
  EXPECT_UNITS("let a,\n  b = 2\nfoo()", "let a,\n  b = 2", "foo()");
  EXPECT_UNITS("x = (function () {} / 1)", "x = (function () {} / 1)");
  EXPECT_UNITS("if (1) /foo/.test(s)", "if (1) /foo/.test(s)");
  EXPECT_UNITS("var yield = 1; yield * 2", "var yield = 1;", "yield * 2");
  // as in a script (and the Node REPL), a lone `await` line is an identifier
  EXPECT_UNITS("var await = 1\nawait\nfoo()", "var await = 1", "await", "foo()");
  EXPECT_UNITS("module.exports = async npm => {\n  return npm\n}\nx()", "module.exports = async npm => {\n  return npm\n}", "x()");
  EXPECT_UNITS("position++\n\nlet subtype = 1", "position++", "let subtype = 1");
  EXPECT_UNITS("const f = async function () { return await g() }\nf()", "const f = async function () { return await g() }", "f()");
  EXPECT_UNITS("class B extends class {} {}\nnew B()", "class B extends class {} {}", "new B()");
  EXPECT_UNITS("export default { a: 1 }\nexport default async function () {}",
               "export default { a: 1 }", "export default async function () {}");
  EXPECT_UNITS("a = b\n(c || d).e()", "a = b\n(c || d).e()");
  EXPECT_UNITS("x = y ? {} : function () {}\nz()", "x = y ? {} : function () {}", "z()");
  EXPECT_UNITS("switch (k) { case 'a': { break } default: x = {b: 1} }", "switch (k) { case 'a': { break } default: x = {b: 1} }");
}

TEST(JavaScriptChunker, LayoutAndPositions) {
  EXPECT_UNITS("#!/usr/bin/env node\nconsole.log(1)\n", "console.log(1)");
  EXPECT_UNITS("a = 1\r\nb = 2\r\n\r\nc()\r\n", "a = 1", "b = 2", "c()");
  EXPECT_UNITS("\tif (x)\t{\n\t\ty()\n\t}\n\tz()", "if (x)\t{\n\t\ty()\n\t}", "z()");
  EXPECT_UNITS("x = 1\u2028y = 2", "x = 1", "y = 2");

  ChunkRun r = chunk("// head\n\n  let a = 1;\n  function f() {\n    return a\n  }\n\tf()\n");
  ASSERT_EQ(r.units.size(), 3u) << describe(r);
  EXPECT_EQ(r.units[0].begin.offset, 11u);
  EXPECT_EQ(r.units[0].begin.line, 3u);
  EXPECT_EQ(r.units[0].begin.col, 2u);
  EXPECT_EQ(r.units[0].end, 21u);
  EXPECT_EQ(r.units[1].begin.line, 4u);
  EXPECT_EQ(r.units[1].begin.col, 2u);
  EXPECT_EQ(r.units[1].kind, sx::UnitKind::Function);
  EXPECT_EQ(r.units[2].begin.line, 7u);
  EXPECT_EQ(r.units[2].begin.col, 1u);
  EXPECT_EQ(r.units[2].code, "f()");

  ChunkRun crlf = chunk("a = 1\r\nfoo(\r\n  2)\r\nbar()");
  ASSERT_EQ(crlf.units.size(), 3u);
  EXPECT_EQ(crlf.units[1].begin.line, 2u);
  EXPECT_EQ(crlf.units[2].begin.line, 4u);
  EXPECT_EQ(crlf.units[2].begin.col, 0u);
}

// Regression (conformance harness, test262 pass/10f0ef998c05c611.js and
// pass/116cacc3c80a5a3e.js): ASI ends `do … while (…)` at its `)` even on the
// same line, so what follows is a unit of its own; the do-while's own `;`
// (on any line) still belongs to it.
TEST(JavaScriptChunker, DoWhileEndsAtItsParenthesis) {
  const std::vector<std::pair<std::string, V>> cases = {
      {"do {} while (false) a();", {"do {} while (false)", "a();"}},
      {"do {\n    a();\n} while (false)b()", {"do {\n    a();\n} while (false)", "b()"}},
      {"do x++; while (x < 3) y++", {"do x++; while (x < 3)", "y++"}},
      {"do {} while (false);\nz", {"do {} while (false);", "z"}},
      {"do {} while (false)\n;z", {"do {} while (false)\n;", "z"}},
      {"do while (a) b(); while (c) d()", {"do while (a) b(); while (c)", "d()"}},
      {"do {} while (f(g())) (h)", {"do {} while (f(g()))", "(h)"}},
      {"do;while(0)", {"do;while(0)"}},
  };
  for (auto &[text, units] : cases) {
    ChunkRun r = chunk(text);
    EXPECT_TRUE(r.errors.empty()) << describe(r);
    EXPECT_EQ(codes(r), units) << describe(r);
  }
}

// The conformance harness confirms test262 files with their own goal: the
// Script goal has no import/export, the Module goal no HTML-like comments.
TEST(JavaScriptChunker, ScriptAndModuleGoals) {
  using Goal = sx::JsConfirmOptions::Goal;
  auto run = [](const std::string &text, Goal goal) {
    Collect sink;
    sx::JavaScriptChunker ch(sink, goal);
    for (char c : text) ch.feed(std::string_view(&c, 1));
    ch.finish();
    return ChunkRun{std::move(sink.units), std::move(sink.errors)};
  };
  EXPECT_EQ(run("import x from 'y'\nx\n", Goal::Script).errors.size(), 1u);
  EXPECT_EQ(run("import x from 'y'\nx\n", Goal::Module).units.size(), 2u);
  EXPECT_EQ(run("import x from 'y'\nx\n", Goal::Repl).units.size(), 2u);
  EXPECT_EQ(run("x = 1\n--> an HTML-like comment\ny\n", Goal::Script).units.size(), 2u);
  EXPECT_EQ(run("x = 1\n--> an HTML-like comment\ny\n", Goal::Module).errors.size(), 1u);
  EXPECT_EQ(run("<!-- comment\nawait 1\n", Goal::Module).errors.size(), 1u);
}

TEST(JavaScriptChunker, DeepNesting) {
  std::string deep = "x = " + std::string(1000, '(') + "1" + std::string(1000, ')') + "\ny = 2";
  ChunkRun r = run_cuts(deep, {});
  ASSERT_TRUE(r.errors.empty()) << describe(r);
  ASSERT_EQ(r.units.size(), 2u);
  EXPECT_EQ(r.units[1].code, "y = 2");
  std::string arr = "a = " + std::string(1000, '[') + std::string(1000, ']') + ";";
  ChunkRun r2 = run_cuts(arr, {});
  ASSERT_TRUE(r2.errors.empty()) << describe(r2);
  ASSERT_EQ(r2.units.size(), 1u);
  // pathological nesting is a reported error, not a stack overflow
  std::string too_deep = "a = " + std::string(5000, '(') + "1" + std::string(5000, ')');
  JsVerdict v = sx::confirm_javascript(too_deep);
  EXPECT_TRUE(v.error());
  EXPECT_EQ(v.offset, 4u + 2000u);
}

// A prefix of a valid program (ending at a token boundary) is complete or
// incomplete, never a syntax error: otherwise streaming would report false
// errors.
void expect_prefixes_not_errors(const std::string &text, sx::JsConfirmOptions o) {
  o.analyze = false;
  for (std::size_t k = 1; k < text.size(); ++k) {
    char c = text[k], p = text[k - 1];
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    bool prev_space = p == ' ' || p == '\n' || p == '\t' || p == '\r';
    if (!((space && !prev_space) || p == ';' || p == '}')) continue;
    JsVerdict v = sx::confirm_javascript(std::string_view(text).substr(0, k), o);
    EXPECT_FALSE(v.error()) << "prefix of " << k << " bytes: " << v.message << "\n" << text.substr(0, k);
    if (v.error()) return;
  }
}

const char *kSampleProgram = R"JS(// Fetch some data and print a summary
const fs = require('fs');
const { promisify } = require('util')
const data = [1, 2, 3, 4, 5]
  .map(x => x * 2)
  .filter(x => x > 4)
function summarize(arr) {
  const total = arr.reduce((a, b) => a + b, 0)
  return { total, mean: total / arr.length, }
}
console.log(summarize(data))
class Stack extends Base {
  #items = []
  static count = 0
  push(x) { this.#items.push(x); return this }
  get size() { return this.#items.length }
  static async *from(it) { for await (const x of it) yield x }
}
let count = 0
for (const f of fs.readdirSync('.')) {
  if (f.endsWith('.js')) count++
  else continue
}
console.log(`found ${count} js files in ${path.resolve('.')}`)
async function main() {
  const res = await Promise.all([1, 2].map(async (n) => n * 2))
  return res
}
main().then(r => {
  console.log(r)
}).catch(console.error)
try {
  JSON.parse('{bad')
} catch (e) {
  console.error('parse failed:', e.message)
} finally { done = true }
const re = /^(\d+)-(\d+)$/g, m = '12-34'.match(re)
if (m) console.log(m[1], m[2])
else console.log('no match')
label: do { x = y ** 2 } while (x < 10)
;[x, y] = [y, x]
export { x as default }
)JS";

TEST(JavaScriptConfirm, PrefixesOfValidProgramsAreNotErrors) {
  ASSERT_TRUE(sx::confirm_javascript(kSampleProgram).complete()) << sx::confirm_javascript(kSampleProgram).message;
  expect_prefixes_not_errors(kSampleProgram, sx::JsConfirmOptions{});
  std::string dir = corpus_dir();
  ASSERT_FALSE(dir.empty()) << kInstall;
  auto files = corpus_files(dir + "/pass");
  files.resize(std::min<std::size_t>(files.size(), 300));
  for (auto &f : files) {
    SCOPED_TRACE(f.filename().string());
    sx::JsConfirmOptions o;
    o.goal = f.filename().string().find(".module.js") != std::string::npos ? sx::JsConfirmOptions::Goal::Module
                                                                           : sx::JsConfirmOptions::Goal::Script;
    expect_prefixes_not_errors(slurp(f), o);
  }
}

// ------------------------------------------------------------- promptness

TEST(JavaScriptChunker, PromptAtSemicolonAndBrace) {
  {
    std::string t = "function f(){}";
    auto counts = units_after_each_byte(t + "\nfoo()");
    EXPECT_EQ(counts[t.size() - 2], 0u);
    EXPECT_EQ(counts[t.size() - 1], 1u);  // emitted right after `}`
  }
  {
    std::string t = "x = 1;";
    auto counts = units_after_each_byte(t + " y");
    EXPECT_EQ(counts[t.size() - 2], 0u);
    EXPECT_EQ(counts[t.size() - 1], 1u);  // right after `;`
  }
  {
    std::string t = "try{}catch(e){}finally{}";
    auto counts = units_after_each_byte(t);
    EXPECT_EQ(counts[t.size() - 2], 0u);
    EXPECT_EQ(counts[t.size() - 1], 1u);
  }
  {
    // `x = 1\n` waits for the next token; an identifier is known only when it ends.
    std::string t = "x = 1\n\n  yy = 2";
    auto counts = units_after_each_byte(t);
    std::size_t y = t.find("yy");
    EXPECT_EQ(counts[y - 1], 0u);
    EXPECT_EQ(counts[y], 0u);
    EXPECT_EQ(counts[y + 1], 0u);
    EXPECT_EQ(counts[y + 2], 1u);  // the space after `yy`
  }
  {
    // if without else closes when `foo` is known
    std::string t = "if (x) {}\nfoo()";
    auto counts = units_after_each_byte(t);
    std::size_t brace = t.find('}');
    EXPECT_EQ(counts[brace], 0u);
    EXPECT_EQ(counts[t.find('(', brace) - 1], 0u);
    EXPECT_EQ(counts[t.find('(', brace)], 1u);
  }
  {
    // `in` keeps the expression open; `inx` would not
    std::string t = "a\nin b";
    auto counts = units_after_each_byte(t);
    for (auto c : counts) EXPECT_EQ(c, 0u);
  }
}

// ------------------------------------------------------------------ errors

ChunkError only_error(const std::string &text) {
  ChunkRun r = chunk(text);
  EXPECT_EQ(r.errors.size(), 1u) << describe(r);
  return r.errors.empty() ? ChunkError{} : r.errors[0];
}

TEST(JavaScriptChunker, SyntaxErrors) {
  ChunkError e = only_error("let = ;");
  EXPECT_EQ(e.at.line, 1u);
  EXPECT_EQ(e.at.col, 6u);

  e = only_error("ok()\nlet a = 1;\na = (1,;\nmore()");
  EXPECT_EQ(e.at.line, 3u);
  EXPECT_EQ(e.at.col, 7u);
  EXPECT_EQ(e.at.offset, 23u);

  ChunkRun r = chunk("x = 1\ns = 'abc");
  ASSERT_EQ(r.units.size(), 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].at.line, 2u);
  EXPECT_EQ(r.errors[0].at.col, 8u);  // end of input
  EXPECT_EQ(r.errors[0].code, "s = 'abc");

  e = only_error("}");
  EXPECT_EQ(e.at.col, 0u);
  r = chunk("a = 1\n}\nb = 2");
  ASSERT_EQ(r.units.size(), 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].at.line, 2u);
  EXPECT_EQ(r.errors[0].at.col, 0u);

  e = only_error("function f() {\n  return 1\n");  // unexpected end of input
  EXPECT_EQ(e.at.line, 3u);
  EXPECT_EQ(e.at.col, 0u);

  // `x = 1` then `/re/` on the next line is a division, not a new statement
  e = only_error("x = 1\n/re/.test(s)");
  EXPECT_EQ(e.at.line, 2u);
  e = only_error("x = 1 +* 2;");
  EXPECT_EQ(e.at.col, 7u);
  e = only_error("if (a) {}\nelse else");
  EXPECT_EQ(e.at.line, 2u);
  e = only_error("const x;");
  e = only_error("x = 3in y;");
  e = only_error("throw\nnew Error()");
  EXPECT_EQ(e.at.line, 2u);

  // After an error the rest of the input is ignored.
  r = chunk("a b\nc = 1;\n");
  EXPECT_TRUE(r.units.empty());
  EXPECT_EQ(r.errors.size(), 1u);
}

// ------------------------------------------------------------ performance

std::string sample_unit() {
  std::string s = "function process(items, opts = {}) {\n  const out = [];\n";
  int i = 0;
  while (s.size() < 1000) {
    s += "  for (const [k, v] of Object.entries(items[" + std::to_string(i) + "] ?? {})) {\n";
    s += "    if (v?.enabled && /^x\\d+$/.test(k)) out.push(`${k}=${v.value * 2}`); else continue\n  }\n";
    ++i;
  }
  s += "  return out\n}";
  return s;
}

TEST(JavaScriptConfirm, TimePerConfirmOn1kB) {
  std::string unit = sample_unit();
  ASSERT_TRUE(sx::confirm_javascript(unit).complete());
  const int n = 50;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) sx::confirm_javascript(unit);
  auto t1 = std::chrono::steady_clock::now();
  double ms = std::chrono::duration<double, std::milli>(t1 - t0).count() / n;
  std::printf("confirm on a %zu-byte unit: %.3f ms\n", unit.size(), ms);
  EXPECT_LT(ms, 50.0);
}

}  // namespace
