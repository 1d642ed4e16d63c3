// C++ chunker: closure rules (docs/DESIGN.md §3, C++), split invariance, positions,
// errors. The corpus against clang's reference spans is the conformance
// harness (tests/conformance/conformance.cpp, ctest conformance_fast_cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/chunker.h"
#include "frontend/cpp/cpp_chunker.h"
#include "frontend/cpp/cpp_confirm.h"

namespace {

using sx::ChunkError;
using sx::ChunkUnit;
using sx::CppChunker;
using sx::CppVerdict;
using sx::UnitKind;

struct Collected {
  std::vector<ChunkUnit> units;
  std::vector<std::uint64_t> fed_at_emit;  // bytes fed when each unit was emitted
  bool has_error = false;
  ChunkError error;
  std::uint64_t fed_at_error = 0;
};

class Sink : public sx::ChunkSink {
 public:
  Collected c;
  std::uint64_t fed = 0;
  void on_unit(ChunkUnit &&u) override {
    c.units.push_back(std::move(u));
    c.fed_at_emit.push_back(fed);
  }
  void on_error(ChunkError &&e) override {
    EXPECT_FALSE(c.has_error) << "error reported twice";
    c.has_error = true;
    c.error = std::move(e);
    c.fed_at_error = fed;
  }
};

// Feed `text` cut at `cuts` (sorted offsets), then finish.
Collected run_cuts(const std::string &text, const std::vector<std::size_t> &cuts, bool finish = true) {
  Sink s;
  CppChunker ch(s);
  std::size_t prev = 0;
  auto feed = [&](std::size_t to) {
    if (to <= prev) return;
    s.fed = to;
    ch.feed(std::string_view(text).substr(prev, to - prev));
    prev = to;
  };
  for (std::size_t c : cuts) feed(std::min(c, text.size()));
  feed(text.size());
  if (finish) ch.finish();
  return s.c;
}

std::vector<std::size_t> cuts_every(const std::string &t, std::size_t n) {
  std::vector<std::size_t> v;
  for (std::size_t i = n; i < t.size(); i += n) v.push_back(i);
  return v;
}
std::vector<std::size_t> cuts_lines(const std::string &t) {
  std::vector<std::size_t> v;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i] == '\n') v.push_back(i + 1);
  return v;
}
std::vector<std::size_t> cuts_random(const std::string &t, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::size_t> v;
  std::size_t i = 0;
  while (true) {
    i += 1 + rng() % 9;
    if (i >= t.size()) break;
    v.push_back(i);
  }
  return v;
}

std::string describe(const Collected &c) {
  std::ostringstream o;
  for (auto &u : c.units) o << "[" << u.begin.offset << "," << u.end << ") " << u.begin.line << ":" << u.begin.col
                            << " <<" << u.code << ">>\n";
  if (c.has_error) o << "ERROR " << c.error.at.line << ":" << c.error.at.col << " @" << c.error.at.offset << " "
                     << c.error.message << "\n";
  return o.str();
}

bool same(const Collected &a, const Collected &b) {
  if (a.units.size() != b.units.size() || a.has_error != b.has_error) return false;
  for (std::size_t i = 0; i < a.units.size(); ++i) {
    const auto &x = a.units[i], &y = b.units[i];
    if (x.code != y.code || x.begin.offset != y.begin.offset || x.begin.line != y.begin.line ||
        x.begin.col != y.begin.col || x.end != y.end || x.kind != y.kind || x.defines != y.defines ||
        x.uses != y.uses)
      return false;
  }
  if (a.has_error && (a.error.at.offset != b.error.at.offset || a.error.at.line != b.error.at.line ||
                      a.error.at.col != b.error.at.col || a.error.message != b.error.message))
    return false;
  return true;
}

// Positions must be consistent with the text.
void check_positions(const std::string &text, const Collected &c) {
  for (auto &u : c.units) {
    ASSERT_LE(u.end, text.size());
    EXPECT_EQ(u.code, text.substr(u.begin.offset, u.end - u.begin.offset));
    std::uint32_t line = 1, col = 0;
    for (std::size_t i = 0; i < u.begin.offset; ++i) {
      if (text[i] == '\n') { ++line; col = 0; } else { ++col; }
    }
    EXPECT_EQ(u.begin.line, line) << u.code;
    EXPECT_EQ(u.begin.col, col) << u.code;
    ASSERT_FALSE(u.code.empty());
    EXPECT_FALSE(std::isspace(static_cast<unsigned char>(u.code.front()))) << u.code;
    EXPECT_FALSE(std::isspace(static_cast<unsigned char>(u.code.back()))) << u.code;
  }
}

// Runs every split strategy, checks they agree, returns the whole-text result.
Collected run_all(const std::string &text) {
  Collected whole = run_cuts(text, {});
  check_positions(text, whole);
  std::vector<std::pair<std::string, std::vector<std::size_t>>> splits = {
      {"1 byte", cuts_every(text, 1)}, {"2 bytes", cuts_every(text, 2)}, {"per line", cuts_lines(text)}};
  for (unsigned seed : {1u, 2u, 3u, 42u}) splits.push_back({"random " + std::to_string(seed), cuts_random(text, seed)});
  for (auto &[name, cuts] : splits) {
    Collected c = run_cuts(text, cuts);
    EXPECT_TRUE(same(whole, c)) << "split " << name << " differs\nwhole:\n" << describe(whole) << "split:\n"
                                << describe(c);
  }
  return whole;
}

std::vector<std::string> codes(const Collected &c) {
  std::vector<std::string> v;
  for (auto &u : c.units) v.push_back(u.code);
  return v;
}

void expect_units(const std::string &text, const std::vector<std::string> &want) {
  Collected c = run_all(text);
  EXPECT_FALSE(c.has_error) << describe(c);
  EXPECT_EQ(codes(c), want) << describe(c);
}

// Units emitted after feeding exactly `prefix` (no finish).
std::vector<std::string> emitted_after(const std::string &prefix) {
  Collected c = run_cuts(prefix, cuts_every(prefix, 1), /*finish=*/false);
  EXPECT_FALSE(c.has_error) << describe(c);
  return codes(c);
}

using V = std::vector<std::string>;

// ---------------------------------------------------------------- confirm ---

TEST(CppConfirm, CompleteIncompleteError) {
  EXPECT_EQ(sx::confirm_cpp("int x = 1;").status, CppVerdict::Status::Complete);
  EXPECT_EQ(sx::confirm_cpp("struct A {}").status, CppVerdict::Status::Incomplete);
  EXPECT_EQ(sx::confirm_cpp("auto f = []{ return 1; }").status, CppVerdict::Status::Incomplete);
  EXPECT_EQ(sx::confirm_cpp("int a[] = {1,2}").status, CppVerdict::Status::Incomplete);
  EXPECT_EQ(sx::confirm_cpp("auto s = R\"(abc").status, CppVerdict::Status::Incomplete);
  EXPECT_EQ(sx::confirm_cpp("int x; /* open").status, CppVerdict::Status::Incomplete);
  auto e = sx::confirm_cpp("int x = f(1));");
  ASSERT_EQ(e.status, CppVerdict::Status::Error);
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.col, 12u);
  EXPECT_EQ(e.offset, 12u);
  auto e2 = sx::confirm_cpp("int x = 5\nif (x) {}");
  ASSERT_EQ(e2.status, CppVerdict::Status::Error);
  EXPECT_EQ(e2.line, 2u);
  EXPECT_EQ(e2.col, 0u);
  auto e3 = sx::confirm_cpp("const char *s = \"abc\nx\";");
  EXPECT_EQ(e3.status, CppVerdict::Status::Error);
}

TEST(CppConfirm, TailFlags) {
  auto v = sx::confirm_cpp("if (x) {}");
  EXPECT_TRUE(v.wants_else);
  EXPECT_FALSE(v.wants_catch);
  EXPECT_FALSE(sx::confirm_cpp("if (x) {} else {}").wants_else);
  EXPECT_TRUE(sx::confirm_cpp("if (x) {} else if (y) f();").wants_else);
  EXPECT_TRUE(sx::confirm_cpp("for (;;) if (y) break;").wants_else);
  EXPECT_TRUE(sx::confirm_cpp("try {} catch (...) {}").wants_catch);
  EXPECT_TRUE(sx::confirm_cpp("void f() try {} catch (...) {}").wants_catch);
  EXPECT_FALSE(sx::confirm_cpp("while (x) { if (y) {} }").wants_else);
}

TEST(CppConfirm, KindsAndNames) {
  auto k = [](const char *s) { return sx::confirm_cpp(s).kind; };
  EXPECT_EQ(k("#include <vector>"), UnitKind::Include);
  EXPECT_EQ(k("#define N 10"), UnitKind::Decl);
  EXPECT_EQ(k("typedef int I;"), UnitKind::Decl);
  EXPECT_EQ(k("using V = std::vector<int>;"), UnitKind::Decl);
  EXPECT_EQ(k("int x;"), UnitKind::Decl);
  EXPECT_EQ(k("int x = 1;"), UnitKind::Assign);
  EXPECT_EQ(k("std::vector<int> v{1, 2};"), UnitKind::Assign);
  EXPECT_EQ(k("int f(int a) { return a; }"), UnitKind::Function);
  EXPECT_EQ(k("template <class T> T id(T x) { return x; }"), UnitKind::Function);
  EXPECT_EQ(k("struct A { int x; };"), UnitKind::Class);
  EXPECT_EQ(k("enum class E { A, B };"), UnitKind::Class);
  EXPECT_EQ(k("for (int i = 0; i < 3; ++i) {}"), UnitKind::Control);
  EXPECT_EQ(k("{ int y = 2; }"), UnitKind::Control);
  EXPECT_EQ(k("std::cout << 1 << std::endl;"), UnitKind::Expr);
  EXPECT_EQ(k("x = 5;"), UnitKind::Expr);
  EXPECT_EQ(k("v.push_back(3);"), UnitKind::Expr);

  auto d = sx::confirm_cpp("int a = 1, *b = nullptr, c[3];").defines;
  EXPECT_EQ(d, (V{"a", "b", "c"}));
  EXPECT_EQ(sx::confirm_cpp("auto [p, q] = std::pair{1, 2};").defines, (V{"p", "q"}));
  EXPECT_EQ(sx::confirm_cpp("struct P { int x; } p1, p2;").defines, (V{"P", "p1", "p2"}));
  EXPECT_EQ(sx::confirm_cpp("enum Color { Red, Green };").defines, (V{"Color", "Red", "Green"}));
  EXPECT_EQ(sx::confirm_cpp("namespace geo { int z; }").defines, (V{"geo"}));
  EXPECT_EQ(sx::confirm_cpp("#define SQR(x) ((x)*(x))").defines, (V{"SQR"}));
  EXPECT_EQ(sx::confirm_cpp("typedef void (*cb_t)(int);").defines, (V{"cb_t"}));
  EXPECT_EQ(sx::confirm_cpp("int A::f() { return 1; }").defines, V{});

  auto u = sx::confirm_cpp("void clean() { std::remove(\"x.txt\"); system(\"ls\"); FILE *f = fopen(\"a\", \"r\"); }").uses;
  auto has = [&](const char *n) { return std::find(u.begin(), u.end(), n) != u.end(); };
  EXPECT_TRUE(has("std::remove"));
  EXPECT_TRUE(has("system"));
  EXPECT_TRUE(has("fopen"));
  EXPECT_FALSE(has("void"));
  EXPECT_FALSE(has("clean"));  // defined here
}

// ---------------------------------------------------------- closure rules ---

TEST(CppChunker, ClassWithoutSemicolonStaysOpen) {
  EXPECT_EQ(emitted_after("struct A { int x; }"), V{});
  EXPECT_EQ(emitted_after("struct A { int x; }\n"), V{});
  EXPECT_EQ(emitted_after("struct A { int x; };"), V{"struct A { int x; };"});
  expect_units("struct S{};", {"struct S{};"});
  expect_units("class C {\npublic:\n  int f() { return 1; }\n};\nint y;", {"class C {\npublic:\n  int f() { return 1; }\n};", "int y;"});
  expect_units("union U { int i; float f; } u;", {"union U { int i; float f; } u;"});
}

TEST(CppChunker, FunctionClosesAtBrace) {
  EXPECT_EQ(emitted_after("int main() { return 0; }"), V{"int main() { return 0; }"});
  EXPECT_EQ(emitted_after("int main() { return 0; "), V{});
  EXPECT_EQ(emitted_after("auto add(int a, int b) -> int { return a + b; }"), V{"auto add(int a, int b) -> int { return a + b; }"});
  EXPECT_EQ(emitted_after("A::A(int v) : x(v), y{v} { }"), V{"A::A(int v) : x(v), y{v} { }"});
  EXPECT_EQ(emitted_after("bool operator==(const P &a, const P &b) { return a.x == b.x; }"),
            V{"bool operator==(const P &a, const P &b) { return a.x == b.x; }"});
  EXPECT_EQ(emitted_after("P &P::operator=(const P &o) { x = o.x; return *this; }"),
            V{"P &P::operator=(const P &o) { x = o.x; return *this; }"});
  expect_units("int f() { return 1; };", {"int f() { return 1; }", ";"});
  expect_units("[[nodiscard]] static inline int sq(int v) noexcept { return v * v; }\nint z = sq(3);",
               {"[[nodiscard]] static inline int sq(int v) noexcept { return v * v; }", "int z = sq(3);"});
}

TEST(CppChunker, IfWaitsForElse) {
  EXPECT_EQ(emitted_after("if (x) {}"), V{});
  EXPECT_EQ(emitted_after("if (x) {}\n  "), V{});
  EXPECT_EQ(emitted_after("if (x) {}\nels"), V{});
  EXPECT_EQ(emitted_after("if (x) {}\nelse"), V{});
  EXPECT_EQ(emitted_after("if (x) {}\nelse {}"), V{"if (x) {}\nelse {}"});
  EXPECT_EQ(emitted_after("if (x) {}\nfoo"), V{});
  EXPECT_EQ(emitted_after("if (x) {}\nfoo("), V{"if (x) {}"});
  EXPECT_EQ(emitted_after("if (x) {}\n// comment else\n;"), (V{"if (x) {}", ";"}));
  expect_units("if(x){}\nfoo();", {"if(x){}", "foo();"});
  expect_units("if (x) {} else {}", {"if (x) {} else {}"});
  expect_units("if (a) f(); else if (b) g(); else h();\nint q;", {"if (a) f(); else if (b) g(); else h();", "int q;"});
  expect_units("if (x) {}\nelsewhere = 1;", {"if (x) {}", "elsewhere = 1;"});
  expect_units("if (x) {}", {"if (x) {}"});
  expect_units("if constexpr (sizeof(int) == 4) { n = 4; } else { n = 8; }",
               {"if constexpr (sizeof(int) == 4) { n = 4; } else { n = 8; }"});
  expect_units("if (auto it = m.find(3); it != m.end()) { hit = true; }\n#include <map>",
               {"if (auto it = m.find(3); it != m.end()) { hit = true; }", "#include <map>"});
  expect_units("for (int i = 0; i < 3; ++i) if (i) n++;\nelse n--;", {"for (int i = 0; i < 3; ++i) if (i) n++;\nelse n--;"});
  expect_units("if (x) {}\n/* a */ x = 2;", {"if (x) {}", "x = 2;"});
  expect_units("if (x) {}\n/x;", {"if (x) {}", "/x;"});
}

TEST(CppChunker, TryWaitsForCatch) {
  EXPECT_EQ(emitted_after("try { f(); } catch (int) {}"), V{});
  EXPECT_EQ(emitted_after("try { f(); } catch (int) {}\ncatch (...) {}"), V{});
  EXPECT_EQ(emitted_after("try { f(); } catch (int) {}\ncatch (...) {}\nx"), V{});
  EXPECT_EQ(emitted_after("try { f(); } catch (int) {}\ncatch (...) {}\nx;"),
            (V{"try { f(); } catch (int) {}\ncatch (...) {}", "x;"}));
  expect_units("try{}catch(...){}", {"try{}catch(...){}"});
  expect_units("try { g(); }\ncatch (const std::exception &e) { puts(e.what()); }\ncatch (...) {}\nint after = 1;",
               {"try { g(); }\ncatch (const std::exception &e) { puts(e.what()); }\ncatch (...) {}", "int after = 1;"});
  expect_units("void f() try { g(); } catch (...) { }\nint z;", {"void f() try { g(); } catch (...) { }", "int z;"});
}

TEST(CppChunker, DoWhileAndLoops) {
  EXPECT_EQ(emitted_after("do { x++; }"), V{});
  EXPECT_EQ(emitted_after("do { x++; } while (x < 3)"), V{});
  expect_units("do{}while(x);", {"do{}while(x);"});
  expect_units("do x++; while (x < 10);\nint y;", {"do x++; while (x < 10);", "int y;"});
  expect_units("while (n > 0) n--;\nfor (auto &e : v) { e *= 2; }\nswitch (k) { case 1: break; default: break; }",
               {"while (n > 0) n--;", "for (auto &e : v) { e *= 2; }", "switch (k) { case 1: break; default: break; }"});
  expect_units("{ int local = 3; }\n", {"{ int local = 3; }"});
}

TEST(CppChunker, Templates) {
  expect_units("template<typename T>\nT f(T x){return x;}", {"template<typename T>\nT f(T x){return x;}"});
  EXPECT_EQ(emitted_after("template<typename T>\nT f(T x){return x;}"), V{"template<typename T>\nT f(T x){return x;}"});
  expect_units("template<class T, class U = std::vector<std::vector<T>>> struct W;",
               {"template<class T, class U = std::vector<std::vector<T>>> struct W;"});
  expect_units("template <int N = (3 > 2)> struct K { static constexpr int v = N; };\nint k = K<>::v;",
               {"template <int N = (3 > 2)> struct K { static constexpr int v = N; };", "int k = K<>::v;"});
  expect_units("template<>\nstruct K<0> { };", {"template<>\nstruct K<0> { };"});
  expect_units("template <typename T>\nrequires std::integral<T>\nT twice(T x) { return 2 * x; }",
               {"template <typename T>\nrequires std::integral<T>\nT twice(T x) { return 2 * x; }"});
  expect_units("template <class T> concept Small = sizeof(T) <= 4;", {"template <class T> concept Small = sizeof(T) <= 4;"});
  expect_units("std::map<int, std::vector<int>> m;\nm[1].push_back(2);", {"std::map<int, std::vector<int>> m;", "m[1].push_back(2);"});
  expect_units("template struct std::vector<long>;", {"template struct std::vector<long>;"});
}

TEST(CppChunker, RawStrings) {
  expect_units("auto s = R\"(a;b}c)\";\nint n;", {"auto s = R\"(a;b}c)\";", "int n;"});
  expect_units("const char *j = R\"json({\"k\": \")\"})json\";", {"const char *j = R\"json({\"k\": \")\"})json\";"});
  expect_units("auto w = LR\"x(}{)x\"; auto u = u8R\"(;)\"; auto v = uR\"(;)\"; auto z = UR\"(;)\";",
               {"auto w = LR\"x(}{)x\";", "auto u = u8R\"(;)\";", "auto v = uR\"(;)\";", "auto z = UR\"(;)\";"});
  expect_units("auto m = R\"(line1\n;}\nline3)\";", {"auto m = R\"(line1\n;}\nline3)\";"});
  expect_units("auto r = R\"()\"; auto q = R\"ab()a\")ab\";", {"auto r = R\"()\";", "auto q = R\"ab()a\")ab\";"});
  // RR is an identifier, then an ordinary string
  expect_units("auto t = RR\"(\";", {"auto t = RR\"(\";"});
}

TEST(CppChunker, CharLiteralsAndDigitSeparators) {
  expect_units("char a = '}'; char b = ';'; char c = '\\''; char d = '{';",
               {"char a = '}';", "char b = ';';", "char c = '\\'';", "char d = '{';"});
  expect_units("int big = 1'000'000; long h = 0xFF'FF; double d = 1'0.5e+1'0;",
               {"int big = 1'000'000;", "long h = 0xFF'FF;", "double d = 1'0.5e+1'0;"});
  expect_units("auto c = u8'a'; auto w = L'}'; auto n = 1'2;\nint m = f(1,'}');",
               {"auto c = u8'a';", "auto w = L'}';", "auto n = 1'2;", "int m = f(1,'}');"});
  expect_units("auto k = 10_km; auto s = \"ab\"s; auto x = 0x1p-3;", {"auto k = 10_km;", "auto s = \"ab\"s;", "auto x = 0x1p-3;"});
}

TEST(CppChunker, Directives) {
  EXPECT_EQ(emitted_after("#include <vector>"), V{});
  EXPECT_EQ(emitted_after("#include <vector>\n"), V{"#include <vector>"});
  EXPECT_EQ(emitted_after("#include <vector>\r\n"), V{"#include <vector>"});
  EXPECT_EQ(emitted_after("#define F(x) \\\n  do { x; } while (0)\n"), V{"#define F(x) \\\n  do { x; } while (0)"});
  expect_units("#define BEGIN {\n#define END }\nint x;", {"#define BEGIN {", "#define END }", "int x;"});
  expect_units("#include <string> // for std::string }\n#include \"a//b.h\"\n", {"#include <string>", "#include \"a//b.h\""});
  expect_units("#define A 1 /* multi\nline */ + 2\nint y = A;", {"#define A 1 /* multi\nline */ + 2", "int y = A;"});
  expect_units("  #  pragma once\n#define S \"}\"\n", {"#  pragma once", "#define S \"}\""});
  expect_units("#ifdef X\nint a = 1;\n#else\nint a = 2;\n#endif\nint b;",
               {"#ifdef X\nint a = 1;\n#else\nint a = 2;\n#endif", "int b;"});
  expect_units("int v[] = {\n#ifdef BIG\n 1000,\n#endif\n 1};", {"int v[] = {\n#ifdef BIG\n 1000,\n#endif\n 1};"});
  expect_units("#define N 1'000\nint n = N;", {"#define N 1'000", "int n = N;"});
  expect_units("#include <cstdio>", {"#include <cstdio>"});  // no final newline
  expect_units("#define LONG_MACRO(a, b) \\\r\n  ((a) + \\\r\n   (b))\r\nint q;", {"#define LONG_MACRO(a, b) \\\r\n  ((a) + \\\r\n   (b))", "int q;"});
}

TEST(CppChunker, LambdasNamespacesExtern) {
  EXPECT_EQ(emitted_after("auto f = [](int x){ return x; }"), V{});
  expect_units("auto f = [](int x){ return x; };", {"auto f = [](int x){ return x; };"});
  expect_units("auto g = [&](auto... xs) { return (xs + ...); }(1, 2);", {"auto g = [&](auto... xs) { return (xs + ...); }(1, 2);"});
  expect_units("[]{ puts(\"hi\"); }();", {"[]{ puts(\"hi\"); }();"});
  EXPECT_EQ(emitted_after("namespace a { int f(){return 1;} }"), V{"namespace a { int f(){return 1;} }"});
  expect_units("namespace a::b { int z; }\ninline namespace v1 { int w; }\nnamespace { int hidden; }\nnamespace fs = std::filesystem;",
               {"namespace a::b { int z; }", "inline namespace v1 { int w; }", "namespace { int hidden; }", "namespace fs = std::filesystem;"});
  EXPECT_EQ(emitted_after("extern \"C\" { int g(); }"), V{"extern \"C\" { int g(); }"});
  expect_units("extern \"C\" int puts(const char *);\nextern \"C\" int h() { return 0; }\nextern int ext;",
               {"extern \"C\" int puts(const char *);", "extern \"C\" int h() { return 0; }", "extern int ext;"});
  expect_units("enum class E { A, B };\nenum Plain : unsigned char { X = 1, Y };", {"enum class E { A, B };", "enum Plain : unsigned char { X = 1, Y };"});
  expect_units("static_assert(sizeof(int) >= 4, \"int\");\nusing namespace std;\ntypedef struct { int a; } T;",
               {"static_assert(sizeof(int) >= 4, \"int\");", "using namespace std;", "typedef struct { int a; } T;"});
  expect_units("struct B { friend bool operator<(B, B) { return false; } };", {"struct B { friend bool operator<(B, B) { return false; } };"});
}

TEST(CppChunker, CommentsWhitespaceUnicode) {
  expect_units("// } ; {\nint a; /* } ; { */ int b;\n/* multi\n } \n*/\nint c; // trailing ;\n",
               {"int a;", "int b;", "int c;"});
  expect_units("int a;\r\nint b;\r\nif (a) {\r\n}\r\nelse {\r\n}\r\n", {"int a;", "int b;", "if (a) {\r\n}\r\nelse {\r\n}"});
  expect_units("\tint a = 1;\t\n\t\tint b = 2;", {"int a = 1;", "int b = 2;"});
  expect_units("auto s = \"h\xC3\xA9llo } ; \xE2\x82\xAC\"; // caf\xC3\xA9 {\nint \xCF\x80 = 3;", {"auto s = \"h\xC3\xA9llo } ; \xE2\x82\xAC\";", "int \xCF\x80 = 3;"});
  expect_units("// line comment with continuation \\\nint hidden;\nint shown;", {"int shown;"});
  expect_units("", {});
  expect_units("  \n// only a comment\n/* and another */\n", {});
  expect_units("std::string s = \"a\\\"b;\"; char q = '\"';", {"std::string s = \"a\\\"b;\";", "char q = '\"';"});
}

TEST(CppChunker, DeepNesting) {
  // 256 levels (clang's -fbracket-depth default) are a unit; 257 are the
  // error clang would give, at the 257th bracket, at once (not at the end).
  for (int depth : {256, 257, 10000}) {
    std::string s = "int x = ";
    for (int i = 0; i < depth; ++i) s += "(";
    s += "1";
    for (int i = 0; i < depth; ++i) s += ")";
    s += ";\nint y;";
    Collected c = run_cuts(s, {});
    if (depth == 256) {
      ASSERT_FALSE(c.has_error) << c.error.message;
      ASSERT_EQ(c.units.size(), 2u);
      EXPECT_EQ(c.units[0].code, s.substr(0, s.find('\n')));
    } else {
      ASSERT_TRUE(c.has_error) << depth;
      EXPECT_EQ(c.error.message, "bracket nesting level exceeded maximum of 256");
      EXPECT_EQ(c.error.at.offset, 8u + 256u);
      EXPECT_TRUE(c.units.empty());
    }
    Collected c1 = run_cuts(s, cuts_every(s, 1));
    EXPECT_TRUE(same(c, c1)) << depth;
  }
}

TEST(CppChunker, LongOperatorRuns) {
  // Up to 10 000 operator characters in a row are a unit (the C++ worker's
  // grown stack parses them); one more is refused at that character, since
  // clang's parser recurses per unary operator. Spaces, newlines and other
  // tokens in between: blanks keep the run, anything else ends it.
  for (std::size_t n : {std::size_t{10000}, std::size_t{10001}}) {
    std::string s = "int x = ";
    for (std::size_t i = 0; i < n; ++i) s += i % 3 == 0 ? "- " : i % 3 == 1 ? "!\n" : "~";
    s += "1;\nint y = - - 1 + - - 2;";
    Collected c = run_cuts(s, {});
    if (n == 10000) {
      ASSERT_FALSE(c.has_error) << c.error.message;
      EXPECT_EQ(c.units.size(), 2u);
    } else {
      ASSERT_TRUE(c.has_error);
      EXPECT_EQ(c.error.message, "more than 10000 operators in a row: nesting too deep for the C++ parser's stack");
      EXPECT_EQ(s.substr(c.error.at.offset, 3), "!\n1");  // the 10 001st (i = 10000) is the last
      EXPECT_TRUE(c.units.empty());
    }
    EXPECT_TRUE(same(c, run_cuts(s, cuts_every(s, 1)))) << n;
  }
  // Operators separated by operands never add up, nor do a directive's.
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "-x";
  Collected c = run_all("int z = " + many + ";");
  EXPECT_FALSE(c.has_error) << c.error.message;
  c = run_all("int q =\n#define NEG " + std::string(10000, '-') + "\n- - 1;");
  EXPECT_FALSE(c.has_error) << c.error.message;
  EXPECT_EQ(c.units.size(), 1u);
}

TEST(CppChunker, SyntaxErrors) {
  {
    Collected c = run_all("int a;\nint x = f(1));\nint y;");
    ASSERT_TRUE(c.has_error);
    EXPECT_EQ(codes(c), V{"int a;"});
    EXPECT_EQ(c.error.at.line, 2u);
    EXPECT_EQ(c.error.at.col, 12u);
    EXPECT_EQ(c.error.at.offset, 19u);
    EXPECT_EQ(c.error.unit_begin.offset, 7u);
  }
  {
    // reported as soon as the ')' arrives, nothing after it is read
    Collected c = run_cuts("foo(1));\nint z;", {7});
    ASSERT_TRUE(c.has_error);
    EXPECT_EQ(c.fed_at_error, 7u);
  }
  {
    Collected c = run_all("int main() { return 0; }\n}\n");
    ASSERT_TRUE(c.has_error);
    EXPECT_EQ(codes(c), V{"int main() { return 0; }"});
    EXPECT_EQ(c.error.at.line, 2u);
    EXPECT_EQ(c.error.at.col, 0u);
  }
  {
    Collected c = run_all("int v = (1 + 2];");
    ASSERT_TRUE(c.has_error);
    EXPECT_EQ(c.error.at.offset, 14u);
  }
  {
    Collected c = run_all("else { x = 1; }");
    ASSERT_TRUE(c.has_error);
    EXPECT_EQ(c.error.at.offset, 0u);
  }
  {
    Collected c = run_all("int x = 5\nif (x) { }");
    ASSERT_TRUE(c.has_error);
    EXPECT_EQ(c.error.at.line, 2u);
    EXPECT_EQ(c.error.at.col, 0u);
  }
  {
    Collected c = run_all("int q;\nint z; #include <x>\nint w;");
    ASSERT_TRUE(c.has_error);
    EXPECT_EQ(c.error.at.line, 2u);
    EXPECT_EQ(c.error.at.col, 7u);
  }
  {
    Collected c = run_all("#endif\n");
    ASSERT_TRUE(c.has_error);
  }
  {
    // only one error is reported, later input ignored
    Collected c = run_all("x = );\n) ) ) }}}");
    ASSERT_TRUE(c.has_error);
    EXPECT_EQ(c.error.at.offset, 4u);
  }
}

TEST(CppChunker, EndOfInput) {
  {
    Collected c = run_all("int a;\nauto s = R\"x(never closed;\n}\n");
    ASSERT_TRUE(c.has_error);
    EXPECT_EQ(codes(c), V{"int a;"});
    EXPECT_NE(c.error.message.find("unexpected end of input"), std::string::npos);
    EXPECT_EQ(c.error.at.offset, 36u);  // end of input
    EXPECT_EQ(c.error.unit_begin.offset, 7u);
  }
  {
    Collected c = run_all("struct A { int x; }");
    ASSERT_TRUE(c.has_error);
    EXPECT_NE(c.error.message.find("unexpected end of input"), std::string::npos);
    EXPECT_EQ(c.error.code, "struct A { int x; }");
  }
  {
    Collected c = run_all("int x = 1 /* open comment");
    ASSERT_TRUE(c.has_error);
  }
  {
    Collected c = run_all("#ifdef X\nint y;\n");
    ASSERT_TRUE(c.has_error);
  }
  expect_units("int x = 1; // done", {"int x = 1;"});
  expect_units("try {} catch (...) {}\n", {"try {} catch (...) {}"});
}

TEST(CppChunker, OpenTextOnly) {
  // memory: only the open unit is kept
  Sink s;
  CppChunker ch(s);
  std::string unit = "int v" + std::string(1, 'a') + " = 12345;\n";
  for (int i = 0; i < 20000; ++i) ch.feed(unit);
  EXPECT_LT(ch.open_bytes(), 64u);
  ch.feed("/* a long comment between units */\n");
  EXPECT_LT(ch.open_bytes(), 64u);
  ch.finish();
  EXPECT_EQ(s.c.units.size(), 20000u);
  EXPECT_EQ(ch.confirms(), 20000u);
}

// Regression (conformance harness, cpp/093_macro_heavy.cpp): a use of a
// function-like macro whose replacement ends with '}' or ';', alone at top
// level, is a whole item for clang (it needs no ';'); it closes after its
// ')' instead of merging with the items that follow. The next token decides:
// a ';' of its own belongs to it (issue 14: `#define DEF(n) int n[] = {1, 2}`
// then `DEF(a);` was cut into `DEF(a)` and `;`).
TEST(CppChunker, ItemMacroUseClosesAtItsParenthesis) {
  expect_units("#define GETTER(t, n) t get_##n() { return n##_v; }\nint w_v = 1;\nGETTER(int, w)\nGETTER (int, h)\nint z = get_w();",
               {"#define GETTER(t, n) t get_##n() { return n##_v; }", "int w_v = 1;", "GETTER(int, w)",
                "GETTER (int, h)", "int z = get_w();"});
  expect_units("#define REPEAT3(s) { s; s; s; }\nREPEAT3(++c)\nf();",
               {"#define REPEAT3(s) { s; s; s; }", "REPEAT3(++c)", "f();"});
  expect_units("#define DECL(x) \\\n  int x;\nDECL(a) DECL(b)\n",
               {"#define DECL(x) \\\n  int x;", "DECL(a)", "DECL(b)"});
  EXPECT_EQ(emitted_after("#define M(x) { x; }\nM(f())"), (std::vector<std::string>{"#define M(x) { x; }"}));
  EXPECT_EQ(emitted_after("#define M(x) { x; }\nM(f())\ng"), (std::vector<std::string>{"#define M(x) { x; }", "M(f())"}));
  expect_units("#define DEF(n) int n[] = {1, 2}\nDEF(a);\nDEF(b) ;\nDEF(c) /* note */ ;\nDEF(d)\n;\nint main() {}",
               {"#define DEF(n) int n[] = {1, 2}", "DEF(a);", "DEF(b) ;", "DEF(c) /* note */ ;", "DEF(d)\n;",
                "int main() {}"});
  expect_units("#define GET(n) int get_##n() { return 1; }\nGET(x);\n#include <cstdio>\nGET(y)\n#define Z 1",
               {"#define GET(n) int get_##n() { return 1; }", "GET(x);", "#include <cstdio>", "GET(y)", "#define Z 1"});
  // other macros, object-like macros, uses inside an item, #undef: to the ';'
  expect_units("#define CALL(f) f()\nCALL(g)\n;", {"#define CALL(f) f()", "CALL(g)\n;"});
  expect_units("#define OBJ { 1; }\nOBJ\n;", {"#define OBJ { 1; }", "OBJ\n;"});
  expect_units("#define D(x) int x;\nint v = D(1) + 2;\n#undef D\nD(a)\n;",
               {"#define D(x) int x;", "int v = D(1) + 2;", "#undef D", "D(a)\n;"});
}

TEST(CppChunker, FactoryMakesCppChunker) {
  Sink s;
  auto ch = sx::make_chunker(sx::Lang::Cpp, s);
  ASSERT_NE(ch, nullptr);
  ch->feed("int x = 1;\n");
  ch->finish();
  EXPECT_EQ(s.c.units.size(), 1u);
}

// Random programs: valid snippets joined by random blanks/comments, with
// random tokens sometimes inserted. Whatever the input, all splits give the
// same units and error, every unit is confirmed complete on its own, and
// units come in order without overlap.
TEST(CppChunker, RandomProgramsSplitInvariance) {
  const std::vector<std::string> snippets = {
      "int a = 1;", "struct S { int x; };", "int f(int x) { return x; }", "if (a) { a = 2; }",
      "if (a) f(1); else f(2);", "try { f(1); } catch (...) {}", "do { --a; } while (a > 0);",
      "template<class T>\nT id(T t) { return t; }", "#include <vector>\n", "#define M(x) \\\n  { x; }\n",
      "auto l = [](int v) { return v; };", "namespace n { int g() { return 1; } }", "extern \"C\" { int h(); }",
      "enum class E { A, B };", "char c = '}';", "auto r = R\"(;})\";", "long big = 1'000'000;",
      "for (int i = 0; i < 3; ++i) a += i;", "while (a < 10) a++;", "std::vector<std::vector<int>> vv;",
      "#ifdef X\nint q;\n#else\nint q = 1;\n#endif\n", "{ int local = 0; }", "[[nodiscard]] int k() { return 0; }",
      "switch (a) { case 1: break; }", "using V = std::vector<int>;", "x = y / z;", "A::A() : m(1) {}"};
  const std::vector<std::string> seps = {" ", "\n", "\n\n", "\t", "\r\n", " // c { ;\n", " /* } */ ", "\n/*\n;\n*/\n"};
  const std::vector<std::string> noise = {"{", "}", "(", ")", ";", "else", "catch", "'", "\"", "/*", "#x\n", "R\"(", "]"};
  std::mt19937 rng(2024);
  std::size_t units = 0, errors = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      text += snippets[rng() % snippets.size()];
      text += seps[rng() % seps.size()];
      if (rng() % 10 == 0) text += noise[rng() % noise.size()];
    }
    SCOPED_TRACE(text);
    Collected c = run_all(text);
    std::uint64_t prev_end = 0;
    for (auto &u : c.units) {
      EXPECT_GE(u.begin.offset, prev_end);
      prev_end = u.end;
      std::size_t k = u.begin.offset;
      while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t' || text[k - 1] == '\r')) --k;
      auto v = sx::confirm_cpp(u.code, k == 0 || text[k - 1] == '\n');
      EXPECT_EQ(v.status, CppVerdict::Status::Complete) << u.code;
    }
    units += c.units.size();
    errors += c.has_error;
    if (c.has_error) {
      EXPECT_GE(c.error.at.offset, c.error.unit_begin.offset);
      EXPECT_LE(c.error.at.offset, text.size());
    }
  }
  std::printf("[ random ] 300 programs: %zu units, %zu with a syntax error\n", units, errors);
  EXPECT_GT(units, 500u);
}

}  // namespace
