// o200k BPE splitter (tools/bpe) against the reference implementation:
// npm gpt-tokenizer, run through tests/unit/bpe_reference.js with node.
// Needs `scripts/npm-deps <build>` (installs tiktoken's o200k_base.json and
// gpt-tokenizer into <build>/npm); without it the tests FAIL, they do not skip.
#include "tools/bpe/bpe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string kNpmDir = std::string(SX_BINARY_DIR) + "/npm";
const std::string kBpeFile = kNpmDir + "/node_modules/tiktoken/encoders/o200k_base.json";
const std::string kHelper = std::string(SX_SOURCE_DIR) + "/tests/unit/bpe_reference.js";
const std::string kHowToFix = "run `scripts/npm-deps " + std::string(SX_BINARY_DIR) +
                              "` (e.g. `scripts/npm-deps build`) to install the o200k data "
                              "(npm tiktoken) and the reference (npm gpt-tokenizer)";

// Loaded once for all tests; nullptr + message when the data is missing.
const sx::BpeTokenizer *tokenizer(std::string *why) {
  static std::string error;
  static std::unique_ptr<sx::BpeTokenizer> tok = [] {
    if (!fs::exists(kBpeFile)) {
      error = kBpeFile + " does not exist";
      return std::unique_ptr<sx::BpeTokenizer>();
    }
    return sx::BpeTokenizer::load(kBpeFile, &error);
  }();
  if (!tok && why) *why = error + "; " + kHowToFix;
  return tok.get();
}

#define REQUIRE_TOKENIZER(var)                         \
  std::string why_##var;                               \
  const sx::BpeTokenizer *var = tokenizer(&why_##var); \
  ASSERT_NE(var, nullptr) << why_##var

bool decode_b64(const std::string &in, std::string &out) {
  out.clear();
  unsigned acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+' ? 62 : c == '/' ? 63 : c == '=' ? -2 : -1;
    if (v == -2) break;
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

// Token bytes according to gpt-tokenizer; false + *error when it cannot run.
bool reference_split(const std::string &text, std::vector<std::string> *tokens, std::string *error) {
  if (!fs::exists(kNpmDir + "/node_modules/gpt-tokenizer/package.json")) {
    *error = "gpt-tokenizer is not installed in " + kNpmDir + "; " + kHowToFix;
    return false;
  }
  char in_path[] = "/tmp/sx_bpe_in_XXXXXX";
  int fd = mkstemp(in_path);
  if (fd < 0) {
    *error = "mkstemp failed";
    return false;
  }
  close(fd);
  std::string out_path = std::string(in_path) + ".json";
  {
    std::ofstream f(in_path, std::ios::binary);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  std::string cmd = "node '" + kHelper + "' '" + kNpmDir + "' < '" + in_path + "' > '" + out_path + "'";
  int rc = std::system(cmd.c_str());
  std::ifstream f(out_path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  fs::remove(in_path);
  fs::remove(out_path);
  if (rc != 0) {
    *error = "reference helper failed (exit status " + std::to_string(rc) + "): " + cmd +
             " — is node installed? " + kHowToFix;
    return false;
  }
  try {
    auto j = nlohmann::json::parse(ss.str());
    tokens->clear();
    for (const auto &t : j) {
      std::string bytes;
      if (!decode_b64(t.get<std::string>(), bytes)) throw std::runtime_error("bad base64");
      tokens->push_back(std::move(bytes));
    }
  } catch (const std::exception &e) {
    *error = std::string("cannot parse reference output: ") + e.what();
    return false;
  }
  return true;
}

std::string show(const std::string &s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    if (c == '\n') r += "\\n";
    else if (c == '\r') r += "\\r";
    else if (c == '\t') r += "\\t";
    else if (c == '"' || c == '\\') r += '\\', r += static_cast<char>(c);
    else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      r += buf;
    } else r += static_cast<char>(c);
  }
  return r + "\"";
}

std::string join(const std::vector<std::string> &v) {
  std::string r;
  for (const auto &s : v) r += s;
  return r;
}

// Compares split(text) with the reference, reporting the first difference.
void expect_same_as_reference(const std::string &text) {
  REQUIRE_TOKENIZER(tok);
  std::vector<std::string> want;
  std::string error;
  ASSERT_TRUE(reference_split(text, &want, &error)) << error;
  ASSERT_EQ(join(want), text) << "reference does not round-trip";
  std::vector<std::string> got = tok->split(text);
  EXPECT_EQ(join(got), text) << "split() does not round-trip";
  std::size_t i = 0, offset = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) offset += got[i++].size();
  if (i == got.size() && i == want.size()) {
    SUCCEED();
    return;
  }
  std::string ctx_got, ctx_want;
  for (std::size_t k = i; k < std::min(got.size(), i + 6); ++k) ctx_got += show(got[k]) + " ";
  for (std::size_t k = i; k < std::min(want.size(), i + 6); ++k) ctx_want += show(want[k]) + " ";
  ADD_FAILURE() << "first difference at token " << i << " (byte " << offset << "); " << got.size()
                << " tokens vs " << want.size() << " in the reference\n  ours:      " << ctx_got
                << "\n  reference: " << ctx_want
                << "\n  context:   " << show(text.substr(offset >= 40 ? offset - 40 : 0, 100));
}

const char *const kEnglish =
    "The quick brown fox jumps over the lazy dog. It's a sentence that's been used since the "
    "late 19th century to test typewriters and fonts, because it contains every letter of the "
    "English alphabet. We'll see whether the tokenizer handles contractions like I'm, you're, "
    "they've, she'd and DON'T correctly; also \"quoted text\", (parentheses), em-dashes — and "
    "ellipses… Prices rose 3.5% in Q2 2024 (from $1,299.99 to $1,345.00), according to the "
    "U.S. Bureau of Labor Statistics. McDonald's iPhone XMLHttpRequest camelCase snake_case "
    "ALLCAPS Title Case.\n\nA second paragraph follows after a blank line.\n";

const char *const kPython = R"PY(import numpy as np
from collections import defaultdict


class RunningStats:
    """Welford's online algorithm for mean and variance."""

    def __init__(self):
        self.n = 0
        self.mean = 0.0
        self._m2 = 0.0

    def push(self, x: float) -> None:
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self._m2 += delta * (x - self.mean)

    @property
    def variance(self):
        return self._m2 / (self.n - 1) if self.n > 1 else float("nan")


def main():
    stats = RunningStats()
    counts = defaultdict(int)
    for i, value in enumerate(np.random.default_rng(42).normal(size=1_000)):
        stats.push(value)
        if value > 2.0:
            counts["high"] += 1
        elif value < -2.0:
            counts['low'] += 1
        else:
            counts["mid"] += 1
    print(f"mean={stats.mean:.4f} var={stats.variance:.4f} {dict(counts)}")
	# a tab-indented comment
    return 0x1F if counts else -1


if __name__ == "__main__":
    main()
)PY";

const char *const kJavaScript = R"JS('use strict';
const fs = require('fs');

/** Debounce a function: call it once `ms` milliseconds after the last call. */
function debounce(fn, ms = 250) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), ms);
  };
}

class Counter extends EventTarget {
  #count = 0;
  increment() { this.#count++; this.dispatchEvent(new Event('change')); return this.#count; }
}

const re = /^(?:\d{3}-)?\d{4}$/g;
const total = [1, 2, 3].map((x) => x ** 2).reduce((a, b) => a + b, 0);
console.log(`total = ${total}, valid = ${re.test('555-1234')}`);
export default { debounce, Counter };
)JS";

const char *const kCpp = R"CPP(#include <iostream>
#include <unordered_map>
#include <vector>

template <typename T>
concept Numeric = std::is_arithmetic_v<T>;

namespace demo {
template <Numeric T>
T sum(const std::vector<T> &xs) {
  T total{};
  for (const auto &x : xs) total += x;
  return total;
}
}  // namespace demo

int main(int argc, char **argv) {
  std::unordered_map<std::string, std::vector<int>> groups{{"a", {1, 2}}, {"b", {3}}};
  for (auto &[name, values] : groups) {
    std::cout << name << ": " << demo::sum(values) << '\n';
  }
  auto *p = new int[16]{};
  delete[] p;
  return argc > 1 ? std::stoi(argv[1]) >> 2 : 0;
}
)CPP";

const char *const kMarkdown =
    "## Loading the data\n\nHere's how you can load a CSV file with **pandas** and compute "
    "a summary:\n\n```python\nimport pandas as pd\n\ndf = pd.read_csv(\"sales.csv\")\n"
    "print(df.groupby(\"region\")[\"revenue\"].sum())\n```\n\n"
    "1. First, install the package: `pip install pandas`\n"
    "2. Then run the script.\n\n> **Note:** the file must exist.\n\n"
    "| Column | Type |\n|--------|------|\n| region | str  |\n| revenue | float |\n\n"
    "~~~js\nconsole.log('tilde fence');\n~~~\n\nSee [the docs](https://pandas.pydata.org/docs/) "
    "for more.\n";

const char *const kCrlf =
    "First line\r\nSecond line with trailing spaces   \r\n\r\n\tIndented with a tab\r\n"
    "def f(x):\r\n    return x + 1\r\n\r\n\r\nlast\r";

const char *const kEmojiCjk =
    "Emoji: 😀 👍🏽 👨‍👩‍👧‍👦 🇫🇷🇯🇵 ❤️ 🚀🚀🚀 ✅\n"
    "中文：机器学习是人工智能的一个分支。\n"
    "日本語：東京は日本の首都です。ひらがなとカタカナ、そして漢字。\n"
    "한국어: 안녕하세요, 세계!\n"
    "Ελληνικά, русский текст, العربية, हिन्दी भाषा, ภาษาไทย, naïve café Zürich façade\n"
    "Combining: e\u0301 a\u0308 n\u0303 — math: ∑ x² ≤ ∞, arrows → ⇒, ½ ⅓ Ⅻ ①\n";

const char *const kNumbers =
    "1234567\n1234567 12345678 123 4567 0 00 000 0000 3.14159 -42 +7 1e-9 1,000,000 0xFF "
    "2024-06-01T12:34:56Z v1.2.3 #12345 ١٢٣٤٥ ４５６\n";

std::string mix_20k() {
  std::string base = std::string(kEnglish) + kPython + kMarkdown + kJavaScript + kEmojiCjk + kCpp +
                     kCrlf + kNumbers;
  std::string out;
  std::mt19937 rng(12345);
  const char *const glue[] = {"\n", " ", "\n\n", "\t", "", "  ", "\r\n", "... ", "'s ", "```\n"};
  while (out.size() < 20000) {
    // Rotate the base text by a pseudo-random offset (kept on a UTF-8 boundary).
    std::size_t off = rng() % base.size();
    while (off < base.size() && (static_cast<unsigned char>(base[off]) & 0xC0) == 0x80) ++off;
    std::size_t len = std::min<std::size_t>(base.size() - off, 200 + rng() % 1500);
    while (off + len < base.size() && (static_cast<unsigned char>(base[off + len]) & 0xC0) == 0x80) ++len;
    out += base.substr(off, len);
    out += glue[rng() % (sizeof glue / sizeof glue[0])];
  }
  return out;
}

TEST(Bpe, LoadsO200k) {
  REQUIRE_TOKENIZER(tok);
  EXPECT_EQ(tok->vocab_size(), 199998u);
  EXPECT_EQ(std::string(sx::BpeTokenizer::default_path()), kBpeFile);
}

TEST(Bpe, LoadErrors) {
  std::string error;
  EXPECT_EQ(sx::BpeTokenizer::load("/nonexistent/o200k_base.json", &error), nullptr);
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;

  fs::path p = fs::temp_directory_path() / ("sx_bpe_bad_" + std::to_string(getpid()) + ".json");
  {
    std::ofstream(p) << R"({"pat_str": "(unclosed", "bpe_ranks": "! 0 IQ== Ig=="})";
  }
  error.clear();
  EXPECT_EQ(sx::BpeTokenizer::load(p.string(), &error), nullptr);
  EXPECT_NE(error.find("pat_str"), std::string::npos) << error;
  {
    std::ofstream(p) << R"({"pat_str": "\\S+|\\s+", "bpe_ranks": "! 0 YQ== Yg== YWI= YWJj\n! 10 Yw=="})";
  }
  error.clear();
  auto tiny = sx::BpeTokenizer::load(p.string(), &error);
  ASSERT_NE(tiny, nullptr) << error;
  EXPECT_EQ(tiny->vocab_size(), 5u);
  EXPECT_EQ(tiny->split("abc abd"), (std::vector<std::string>{"abc", " ", "ab", "d"}));
  fs::remove(p);
}

TEST(Bpe, Empty) {
  REQUIRE_TOKENIZER(tok);
  EXPECT_TRUE(tok->split("").empty());
}

TEST(Bpe, EnglishParagraph) { expect_same_as_reference(kEnglish); }
TEST(Bpe, PythonCode) { expect_same_as_reference(kPython); }
TEST(Bpe, JavaScriptCode) { expect_same_as_reference(kJavaScript); }
TEST(Bpe, CppCode) { expect_same_as_reference(kCpp); }
TEST(Bpe, MarkdownWithFences) { expect_same_as_reference(kMarkdown); }
TEST(Bpe, CrlfText) { expect_same_as_reference(kCrlf); }
TEST(Bpe, EmojiAndCjk) { expect_same_as_reference(kEmojiCjk); }
TEST(Bpe, Numbers) { expect_same_as_reference(kNumbers); }
TEST(Bpe, Mix20k) { expect_same_as_reference(mix_20k()); }

// Long pieces take the heap-based merge path.
TEST(Bpe, LongRuns) {
  std::string text = std::string(3000, ' ') + "x" + std::string(2500, '=') + "\n" +
                     std::string(4000, 'a') + " " + std::string(1000, '\n') + "\t\t" +
                     "Supercalifragilisticexpialidocious" + std::string(300, 'z') + "ing's " +
                     [] {
                       std::string s;
                       for (int i = 0; i < 200; ++i) s += "ab-cd_";
                       return s;
                     }() +
                     std::string(2000, '.') + std::string(500, ' ');
  expect_same_as_reference(text);
}

// Invalid UTF-8 never crashes and always round-trips; valid text around the
// bad bytes is split as usual.
TEST(Bpe, InvalidUtf8) {
  REQUIRE_TOKENIZER(tok);
  const std::string cases[] = {
      std::string("abc\xFF" "def"),
      std::string("\xE4\xB8"),                  // truncated 3-byte sequence
      std::string("hello \xE4\xB8 world"),
      std::string("\xC0\xAF\xED\xA0\x80\xF8\x88\x80\x80\x80"),  // overlong, surrogate, 5-byte
      std::string("\x80\x80\x80 trailing continuation bytes"),
      std::string("emoji cut \xF0\x9F\x98"),
      std::string("nul\0inside", 10),
  };
  for (const auto &text : cases) {
    auto got = tok->split(text);
    EXPECT_EQ(join(got), text) << show(text);
    for (const auto &t : got) EXPECT_FALSE(t.empty()) << show(text);
  }
  auto got = tok->split("abc\xFF" "def");
  EXPECT_EQ(got, (std::vector<std::string>{"abc", "\xFF", "def"}));
}

TEST(Bpe, RandomBytesRoundTrip) {
  REQUIRE_TOKENIZER(tok);
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string text(rng() % 600, '\0');
    for (auto &c : text) {
      unsigned r = rng();
      // Bias towards ASCII and UTF-8 lead/continuation bytes.
      c = static_cast<char>(r % 3 == 0 ? 0x80 + (r >> 8) % 0x80 : r % 3 == 1 ? 0x20 + (r >> 8) % 0x5F : (r >> 8) & 0xFF);
    }
    auto got = tok->split(text);
    ASSERT_EQ(join(got), text) << "round " << round;
  }
}

TEST(Bpe, SpeedAtLeast1MBps) {
  REQUIRE_TOKENIZER(tok);
  std::string text;
  std::string m = mix_20k();
  while (text.size() < (1u << 20)) text += m;
  text.resize(1u << 20);
  auto t0 = std::chrono::steady_clock::now();
  auto tokens = tok->split(text);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double mbps = (text.size() / 1048576.0) / s;
  std::printf("split(): %.2f MB/s (%zu tokens in %.3f s)\n", mbps, tokens.size(), s);
  RecordProperty("MBps", std::to_string(mbps));
  EXPECT_EQ(join(tokens), text);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  EXPECT_GT(mbps, 0.1);
#else
  EXPECT_GE(mbps, 1.0);
#endif
}

}  // namespace
