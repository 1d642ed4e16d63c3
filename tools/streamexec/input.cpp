#include "tools/streamexec/input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <unistd.h>

#include <fmt/format.h>

#include "streamexec.h"
#include "tools/bpe/bpe.h"

namespace sx::cli {

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

unsigned fence_languages(std::string_view answer) {
  unsigned mask = 0;
  std::size_t at = 0;
  while (at < answer.size()) {
    std::size_t nl = answer.find('\n', at);
    std::string_view line = answer.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? answer.size() : nl + 1;
    std::size_t i = 0;
    while (i < line.size() && i < 3 && line[i] == ' ') ++i;
    if (i >= line.size() || (line[i] != '`' && line[i] != '~')) continue;
    char c = line[i];
    std::size_t run = 0;
    while (i < line.size() && line[i] == c) ++i, ++run;
    if (run < 3) continue;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t end = i;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r' && line[end] != '{' &&
           line[end] != '`')
      ++end;
    std::string word(line.substr(i, end - i));
    sx_lang l;
    if (!word.empty() && sx_lang_from_name(word.c_str(), &l) == SX_OK) mask |= 1u << l;
  }
  return mask;
}

std::string read_available(int fd, std::size_t max) {
  std::string buf(max, '\0');
  for (;;) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n >= 0) {
      buf.resize(static_cast<std::size_t>(n));
      return buf;
    }
    if (errno != EINTR) throw std::runtime_error(fmt::format("reading standard input: {}", std::strerror(errno)));
  }
}

std::vector<std::string> split_input(const std::string &data, const std::string &how, const std::string &bpe_file) {
  std::vector<std::string> out;
  if (how == "bpe") {
    std::string err;
    std::string path = bpe_file.empty() ? SX_DEFAULT_BPE_FILE : bpe_file;
    auto tok = sx::BpeTokenizer::load(path, &err);
    if (!tok) throw std::runtime_error(fmt::format("--split bpe: {} (run scripts/setup, or use --split random)", err));
    return tok->split(data);
  }
  if (how == "byte") {
    for (char c : data) out.emplace_back(1, c);
    return out;
  }
  if (how == "line") {
    std::size_t i = 0;
    while (i < data.size()) {
      std::size_t j = data.find('\n', i);
      j = j == std::string::npos ? data.size() : j + 1;
      out.push_back(data.substr(i, j - i));
      i = j;
    }
    return out;
  }
  if (how == "whole") {
    if (!data.empty()) out.push_back(data);
    return out;
  }
  if (how.rfind("random", 0) == 0) {
    unsigned seed = 1;
    if (how.size() > 6) {
      if (how[6] != ':') throw std::runtime_error(fmt::format("bad --split '{}' (expected random or random:SEED)", how));
      try {
        seed = static_cast<unsigned>(std::stoul(how.substr(7)));
      } catch (...) {
        throw std::runtime_error(fmt::format("bad seed in --split '{}'", how));
      }
    }
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> len(1, 8);
    std::size_t i = 0;
    while (i < data.size()) {
      std::size_t k = std::min(len(rng), data.size() - i);
      out.push_back(data.substr(i, k));
      i += k;
    }
    return out;
  }
  throw std::runtime_error(fmt::format("unknown --split '{}' (bpe, byte, line, whole, random[:SEED])", how));
}

namespace {
// The length of the UTF-8 sequence that starts at s[i] if it is valid and
// complete; 0 if invalid; -1 if valid so far but cut by the end of s.
int sequence(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned c = b(i);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || (len == 2 && c < 0xc2) || c > 0xf4) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) return -1;
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    if (k == 1) {
      unsigned c1 = b(i + 1);
      if (len == 3 && ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0))) return 0;
      if (len == 4 && ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90))) return 0;
    }
  }
  return static_cast<int>(len);
}
}  // namespace

bool Utf8Check::feed(std::string_view piece) {
  std::string s = pending_;
  s.append(piece);
  std::size_t i = 0;
  while (i < s.size()) {
    int n = sequence(s, i);
    if (n < 0) break;  // the rest comes with the next piece
    if (n == 0) {
      bad_ = offset_ + i;
      bad_line_ = lines_;
      return false;
    }
    if (s[i] == '\n') ++lines_;
    i += static_cast<std::size_t>(n);
  }
  pending_ = s.substr(i);
  offset_ += i;
  return true;
}

bool Utf8Check::finish() {
  if (pending_.empty()) return true;
  bad_ = offset_;
  bad_line_ = lines_;
  return false;
}

std::string Utf8Check::where() const { return fmt::format("byte {} (line {})", bad_, bad_line_); }

}  // namespace sx::cli
