// The conformance corpora: files of each language and their reference
// verdicts and top-level statement spans — Python's stdlib with CPython's
// ast (tests/conformance/python_ast_spans.py), test262-parser-tests with
// acorn (js_acorn_spans.js), our C++ corpus with clang 19's spans
// (cpp_reference_spans.txt), adversarial and generated programs.
#include "tests/conformance/conformance.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "frontend/chunker.h"
#include "frontend/javascript/javascript_chunker.h"
#include "tools/bpe/bpe.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace sx::conformance {

// ------------------------------------------------------------ references

std::string read_all(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs `cmd` with the cases' paths on stdin (via a list file) and parses one
// JSON object per output line; returns them in the cases' order, or sets
// `problem` when the reference did not describe a case.
std::vector<json> run_reference(const std::string &cmd, const std::vector<Case> &cases, const std::string &build_dir,
                                std::string &problem) {
  std::string list = build_dir + "/conformance-list." + std::to_string(getpid()) + ".txt";
  {
    std::ofstream o(list);
    for (auto &c : cases) o << c.path << "\n";
  }
  std::map<std::string, json> out;
  FILE *p = popen((cmd + " < '" + list + "'").c_str(), "r");
  if (p) {
    std::string line;
    char buf[1 << 16];
    while (std::fgets(buf, sizeof buf, p)) {
      line += buf;
      if (line.back() != '\n') continue;
      try {
        json j = json::parse(line);
        std::string path = j.at("path").get<std::string>();
        out[path] = std::move(j);
      } catch (const std::exception &e) {
        fmt::print(stderr, "conformance: bad reference line ({}): {}\n", e.what(), line.substr(0, 200));
      }
      line.clear();
    }
    pclose(p);
  }
  std::remove(list.c_str());
  std::vector<json> in_order;
  for (auto &c : cases) {
    auto it = out.find(c.path);
    if (it == out.end()) {
      problem = "the reference (" + cmd + ") did not describe " + c.path;
      return {};
    }
    in_order.push_back(std::move(it->second));
  }
  return in_order;
}

std::vector<std::string> files_under(const fs::path &dir, const std::string &ext, bool recursive) {
  std::vector<std::string> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  if (recursive) {
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ext) files.push_back(it->path().string());
  } else {
    for (auto &e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file() && e.path().extension() == ext) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Deterministic subset: n files evenly spaced over the sorted list.
template <class T>
std::vector<T> spread(const std::vector<T> &all, std::size_t n) {
  if (n == 0 || all.size() <= n) return all;
  std::vector<T> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(all[i * all.size() / n]);
  return out;
}

std::string relative(const std::string &path, const std::string &base) {
  std::string b = base.back() == '/' ? base : base + "/";
  return path.rfind(b, 0) == 0 ? path.substr(b.size()) : path;
}

// Deep nesting, generated (not committed): name → text.
std::vector<std::pair<std::string, std::string>> deep_programs(Lang lang) {
  auto rep = [](std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  std::vector<std::pair<std::string, std::string>> v;
  if (lang == Lang::Python) {
    for (int n : {200, 1000}) {
      v.emplace_back(fmt::format("deep_brackets_{}.py", n),
                     "x = " + rep("[", n) + "1" + rep("]", n) + "\ny = (x,\n" + rep("(", n) + "2" + rep(")", n) + ")\n");
    }
    for (int n : {99, 1000}) {  // CPython: 99 levels of indentation are fine, 100 are not
      std::string s;
      for (int i = 0; i < n; ++i) s += std::string(static_cast<std::size_t>(i), ' ') + "if True:\n";
      s += std::string(static_cast<std::size_t>(n), ' ') + "pass\nz = 3\n";
      v.emplace_back(fmt::format("deep_indent_{}.py", n), s);
    }
  } else if (lang == Lang::JavaScript) {
    int n = 1000;
    v.emplace_back("deep_brackets_1000.js", "x = " + rep("[", n) + "1" + rep("]", n) + "\ny = 2;\n");
    v.emplace_back("deep_parens_1000.js", "let z = " + rep("(", n) + "1" + rep(")", n) + ";\nz\n");
    v.emplace_back("deep_blocks_1000.js", "if (z) " + rep("{ if (z) ", n) + "z++;" + rep(" }", n) + "\nz;\n");
    v.emplace_back("deep_objects_1000.js", "const o = " + rep("{a: ", n) + "1" + rep("}", n) + "\n;[o]\n");
  } else {
    // clang's -fbracket-depth default: 256 levels compile, 257 do not.
    for (int n : {256, 1000}) {
      v.emplace_back(fmt::format("deep_braces_{}.cpp", n), "void deep() " + rep("{", n) + "int x = 0; x += 1;" +
                                                                rep("}", n) + "\nint deep_after = 1;\n");
      v.emplace_back(fmt::format("deep_parens_{}.cpp", n),
                     "int deep_p = " + rep("(", n) + "1" + rep(")", n) + ";\nint deep_q = 2;\n");
    }
  }
  return v;
}

// The constructed reference of the generated C++ programs: each non-empty
// line is one top-level item, and nesting deeper than clang's default
// -fbracket-depth=256 is an error (what clang says of it; clang's recursive
// parser is not run on 1000-deep nesting here).
Reference constructed_lines(const std::string &text, bool ok) {
  Reference r;
  r.known = true;
  r.ok = ok;
  if (!ok) r.error = "bracket nesting level exceeded maximum of 256";
  r.source = "constructed";
  std::size_t b = 0;
  while (b < text.size()) {
    std::size_t e = text.find('\n', b);
    if (e == std::string::npos) e = text.size();
    if (e > b) r.spans.emplace_back(b, e);
    b = e + 1;
  }
  return r;
}


bool is_ascii(const std::string &s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string write_generated(const Options &opt, Lang lang, const std::string &name, const std::string &text) {
  fs::path dir = fs::path(opt.build_dir) / "conformance-generated" / lang_name(lang);
  fs::create_directories(dir);
  fs::path p = dir / name;
  if (!fs::exists(p) || read_all(p.string()) != text) std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

Corpus python_corpus(const Options &opt) {
  Corpus c{Lang::Python, {}, {}};
  auto stdlib = files_under(opt.python_corpus, ".py", true);
  if (stdlib.empty()) {
    c.problem = "no Python corpus in " + opt.python_corpus + " (scripts/setup installs libpython3.11-testsuite)";
    return c;
  }
  // Fast subset: evenly spaced, plus every deliberately invalid file.
  std::vector<std::string> chosen = spread(stdlib, opt.max_files);
  if (opt.max_files) {
    for (auto &f : stdlib) {
      std::string name = fs::path(f).filename().string();
      if (f.find("/lib2to3/tests/data/") != std::string::npos || (f.find("/test/") != std::string::npos && name.rfind("bad", 0) == 0))
        chosen.push_back(f);
    }
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  }
  for (auto &f : chosen) c.cases.push_back({f, relative(f, opt.python_corpus), "stdlib", Case::Expect::None, {}, {}});
  for (auto &f : files_under(fs::path(opt.source_dir) / "tests/conformance/adversarial/python", ".py", false))
    c.cases.push_back({f, "adversarial/" + fs::path(f).filename().string(), "adversarial", Case::Expect::None, {}, {}});
  for (auto &[name, text] : deep_programs(Lang::Python))
    c.cases.push_back({write_generated(opt, Lang::Python, name, text), "generated/" + name, "generated", Case::Expect::None, {}, {}});

  std::string script = opt.source_dir + "/tests/conformance/python_ast_spans.py";
  auto refs = run_reference("'" + opt.python + "' '" + script + "'", c.cases, opt.build_dir, c.problem);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    Case &k = c.cases[i];
    const json &j = refs[i];
    k.ref.known = true;
    k.ref.source = "CPython ast";
    k.ref.ok = j.value("ok", false);
    if (j.contains("error") && j["error"].is_string()) k.ref.error = j["error"].get<std::string>();
    if (j.contains("line") && j["line"].is_number_unsigned()) k.ref.error_line = j["line"].get<std::uint64_t>();
    for (auto &s : j["spans"]) k.ref.spans.emplace_back(s[0].get<std::uint64_t>(), s[1].get<std::uint64_t>());
    // Outside the chunker's contract: it reads UTF-8 and does not interpret
    // coding declarations (an invalid one, or another encoding).
    std::string enc = j.contains("encoding") && j["encoding"].is_string() ? j["encoding"].get<std::string>() : "";
    bool cookie = j.value("cookie", false);
    if (enc.empty() ? cookie : (enc != "utf-8" && enc != "utf-8-sig" && !is_ascii(read_all(k.path))))
      k.excluded = enc.empty() ? "invalid coding declaration" : "encoding " + enc;
    k.expect = k.ref.ok ? Case::Expect::Accept : Case::Expect::Reject;
  }
  return c;
}

Corpus javascript_corpus(const Options &opt) {
  Corpus c{Lang::JavaScript, {}, {}};
  std::string mods = opt.build_dir + "/npm/node_modules";
  fs::path t262 = fs::path(mods) / "test262-parser-tests";
  if (!fs::is_directory(t262 / "pass") || !fs::is_directory(fs::path(mods) / "acorn")) {
    c.problem = "test262-parser-tests / acorn not in " + mods + " (run scripts/npm-deps " + opt.build_dir + ")";
    return c;
  }
  std::vector<std::pair<std::string, std::string>> all;  // (group, path)
  for (const char *d : {"pass", "pass-explicit", "fail", "early"})
    for (auto &f : files_under(t262 / d, ".js", false)) all.emplace_back(d, f);
  for (auto &[group, f] : spread(all, opt.max_files)) {
    Case::Expect e = group == "pass" || group == "pass-explicit" ? Case::Expect::Accept
                     : group == "fail"                            ? Case::Expect::Reject
                                                                  : Case::Expect::None;
    c.cases.push_back({f, relative(f, t262.string()), group, e, {}, {}, f.find(".module.js") != std::string::npos});
  }
  for (auto &f : files_under(fs::path(opt.source_dir) / "tests/conformance/adversarial/javascript", ".js", false))
    c.cases.push_back({f, "adversarial/" + fs::path(f).filename().string(), "adversarial", Case::Expect::None, {}, {}});
  for (auto &[name, text] : deep_programs(Lang::JavaScript))
    c.cases.push_back(
        {write_generated(opt, Lang::JavaScript, name, text), "generated/" + name, "generated", Case::Expect::None, {}, {}});

  std::string script = opt.source_dir + "/tests/conformance/js_acorn_spans.js";
  // acorn recurses per nesting level: give it room for the 1000-deep files.
  auto refs = run_reference("'" + opt.node + "' --stack-size=8000 '" + script + "' '" + mods + "'", c.cases,
                            opt.build_dir, c.problem);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    Case &k = c.cases[i];
    const json &j = refs[i];
    if (j.value("failure", false)) {
      c.problem = "acorn failed on " + k.path + ": " + j.value("error", std::string());
      return c;
    }
    k.ref.known = true;
    k.ref.source = "acorn";
    k.ref.ok = j.value("ok", false);
    if (j["error"].is_string()) k.ref.error = j["error"].get<std::string>();
    if (j["pos"].is_number_unsigned()) k.ref.error_pos = j["pos"].get<std::uint64_t>();
    for (auto &s : j["spans"]) k.ref.spans.emplace_back(s[0].get<std::uint64_t>(), s[1].get<std::uint64_t>());
    // Our own files: acorn's verdict is the law. test262: the directory's,
    // which names the expected verdict (acorn's is recorded alongside).
    if (k.group == "adversarial" || k.group == "generated") k.expect = k.ref.ok ? Case::Expect::Accept : Case::Expect::Reject;
  }
  return c;
}

Corpus cpp_corpus(const Options &opt) {
  Corpus c{Lang::Cpp, {}, {}};
  fs::path base = fs::path(opt.source_dir) / "tests/conformance";
  std::map<std::string, std::vector<Span>> ref;
  {
    std::ifstream f(base / "cpp_reference_spans.txt");
    if (!f) {
      c.problem = "missing tests/conformance/cpp_reference_spans.txt (tests/conformance/cpp_reference_spans.sh)";
      return c;
    }
    std::string line;
    while (std::getline(f, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ls(line);
      std::string name, span;
      ls >> name;
      auto &v = ref[name];
      while (ls >> span) {
        auto dash = span.find('-');
        v.emplace_back(std::stoull(span.substr(0, dash)), std::stoull(span.substr(dash + 1)));
      }
    }
  }
  auto corpus = files_under(base / "cpp", ".cpp", false);
  if (corpus.empty()) {
    c.problem = "no C++ corpus in " + (base / "cpp").string();
    return c;
  }
  auto add = [&](const std::string &f, const std::string &group) {
    std::string name = fs::path(f).filename().string();
    Case k{f, group + "/" + name, group, Case::Expect::Accept, {}, {}};
    auto it = ref.find(name);
    if (it == ref.end()) {
      c.problem = "no clang reference for " + name + " (rerun tests/conformance/cpp_reference_spans.sh)";
      return;
    }
    k.ref.known = k.ref.ok = true;
    k.ref.source = "clang 19";
    k.ref.spans = it->second;
    c.cases.push_back(std::move(k));
  };
  for (auto &f : spread(corpus, opt.max_files)) add(f, "cpp");
  for (auto &f : files_under(base / "adversarial/cpp", ".cpp", false)) add(f, "adversarial");
  for (auto &[name, text] : deep_programs(Lang::Cpp)) {
    bool ok = name.find("_256.") != std::string::npos;
    Case k{write_generated(opt, Lang::Cpp, name, text), "generated/" + name, "generated",
           ok ? Case::Expect::Accept : Case::Expect::Reject, constructed_lines(text, ok), {}};
    c.cases.push_back(std::move(k));
  }
  return c;
}


}  // namespace sx::conformance
