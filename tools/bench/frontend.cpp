// Frontend benchmark: chunker µs per token against answer size (see frontend.h).
//
// Programs are whole top-level units of real source files (Python: stdlib
// modules), drawn in one fixed pseudo-random order until the program has the
// target number of o200k tokens — so that programs of every size are the same
// mix of code (imports, constants, functions, classes), not the first lines of
// the first file at 1 k and whole modules at 100 k. Each program is fed token
// by token to a chunk-only session (raw mode, execute = 0: the router, scanner
// and ANTLR confirm run, no worker); the best of several runs is reported in
// wall and in process CPU time (on a machine shared with other jobs, wall time
// also counts waiting for a core). One more run times every sx_feed alone for
// the tail (p99, max).
#include "tools/bench/frontend.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

#include <time.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"
#include "tools/bpe/bpe.h"

namespace fs = std::filesystem;
using nlohmann::json;
using clk = std::chrono::steady_clock;

namespace sx::bench {
namespace {

// What a chunk-only session found (filled by the event callback, which does
// no more than count, so the callback costs nothing next to the chunker).
struct Found {
  std::vector<std::string> units;  // code of each closed unit, if keep_code
  bool keep_code = false;
  long closed = 0;
  long syntax_errors = 0;
  std::string first_error;
};

void on_event(void *user, const sx_event *ev) {
  auto *f = static_cast<Found *>(user);
  if (ev->kind == SX_EVENT_UNIT_CLOSED) {
    ++f->closed;
    if (f->keep_code) f->units.emplace_back(ev->text, ev->text_len);
  } else if (ev->kind == SX_EVENT_UNIT_DONE && ev->status == SX_STATUS_SYNTAX_ERROR) {
    if (f->syntax_errors++ == 0) f->first_error.assign(ev->json, ev->json_len);
  }
}

sx_session *chunk_only_session(sx_lang lang, Found *f) {
  sx_options o;
  sx_options_init(&o);
  o.mode = SX_MODE_RAW;
  o.lang = lang;
  o.execute = 0;
  o.queue_events = 0;
  o.on_error = SX_POLICY_CONTINUE;
  o.on_event = on_event;
  o.user = f;
  sx_session *s = nullptr;
  int rc = sx_session_new(&o, &s);
  if (rc != SX_OK) throw std::runtime_error(fmt::format("sx_session_new: {}", sx_strerror(rc)));
  return s;
}

std::string read_file(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const fs::path &p, const std::string &text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

// True if `s` ends at a UTF-8 character boundary (no multi-byte sequence
// is cut at its end).
bool ends_on_char_boundary(const std::string &s) {
  std::size_t n = s.size(), k = 0;
  while (k < 4 && k < n && (static_cast<unsigned char>(s[n - 1 - k]) & 0xC0) == 0x80) ++k;
  if (k == n) return true;  // only continuation bytes: invalid, nothing to wait for
  auto lead = static_cast<unsigned char>(s[n - 1 - k]);
  std::size_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  return k + 1 >= len;
}

// BPE tokens may cut a multi-byte character; a JSON string cannot hold half
// of one. Such a token is joined with the following ones up to the next
// character boundary, and every measurement uses the joined split.
std::vector<std::string> join_split_chars(const std::vector<std::string> &tokens, std::size_t *joined) {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  std::string pending;
  for (const auto &t : tokens) {
    pending += t;
    if (ends_on_char_boundary(pending)) {
      out.push_back(std::move(pending));
      pending.clear();
    } else {
      ++*joined;
    }
  }
  if (!pending.empty()) out.push_back(std::move(pending));
  return out;
}

std::string size_label(std::size_t n) {
  return n % 1000 == 0 ? fmt::format("{}k", n / 1000) : fmt::to_string(n);
}

const char *file_extension(sx_lang lang) {
  return lang == SX_LANG_PYTHON ? "py" : lang == SX_LANG_JAVASCRIPT ? "js" : "cpp";
}

// Process CPU time (all threads), ms.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

int run(const FrontendOptions &opts, const std::vector<std::string> &sources, const BpeTokenizer &tok);

}  // namespace

void add_frontend_options(CLI::App &app, FrontendOptions &opts) {
  app.add_option("--frontend", opts.lang,
                 "instead: chunker cost per token for LANG over programs built from the inputs");
  app.add_option("--frontend-out", opts.out_dir,
                 "with --frontend: write each program, its tokens (JSON) and the results to this directory");
  app.add_option("--frontend-sizes", opts.sizes, "with --frontend: program sizes in o200k tokens, comma-separated")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->capture_default_str();
  app.add_option("--frontend-unit-cap", opts.unit_cap,
                 "with --frontend: largest unit (tokens) put into a program; 0 = a quarter of its size")
      ->capture_default_str();
  app.add_option("--frontend-reps", opts.reps, "with --frontend: at least this many runs per size (best is reported)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--frontend-min-seconds", opts.min_seconds,
                 "with --frontend: and more runs until this much time is spent on a size")
      ->capture_default_str();
}

int run_frontend_bench(const FrontendOptions &opts, const std::vector<std::string> &sources, const BpeTokenizer &tok) {
  try {
    return run(opts, sources, tok);
  } catch (const std::exception &e) {
    fmt::print(stderr, "streamexec-bench: {}\n", e.what());
    return 2;
  }
}

namespace {

int run(const FrontendOptions &opts, const std::vector<std::string> &sources, const BpeTokenizer &tok) {
  sx_lang lang;
  if (sx_lang_from_name(opts.lang.c_str(), &lang) != SX_OK) {
    fmt::print(stderr, "streamexec-bench: unknown language '{}'\n", opts.lang);
    return 2;
  }
  // The top-level units of every source (one chunk-only session per file).
  std::vector<std::string> pool;
  std::vector<std::size_t> pool_tokens;
  for (const auto &f : sources) {
    std::string text = read_file(f);
    Found found;
    found.keep_code = true;
    sx_session *s = chunk_only_session(lang, &found);
    sx_feed(s, text.data(), text.size());
    sx_finish(s);
    sx_session_free(s);
    for (auto &u : found.units) {
      u += '\n';
      pool_tokens.push_back(tok.split(u).size());
      pool.push_back(std::move(u));
    }
  }
  if (pool.empty()) {
    fmt::print(stderr, "streamexec-bench: no units in the sources\n");
    return 2;
  }
  if (!opts.out_dir.empty()) fs::create_directories(opts.out_dir);
  // Fixed order: Fisher-Yates with mt19937 (its output is fixed by the standard;
  // std::uniform_int_distribution's is not, hence the modulo).
  std::vector<std::size_t> order(pool.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937 rng(20240601);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);

  fmt::print("{:>6} {:>8} {:>9} {:>6} {:>9} {:>9} {:>9} {:>8} {:>8} {:>8} {:>9} {:>5}\n", "size", "tokens", "bytes",
             "units", "max unit", "µs/token", "cpu µs/t", "µs/byte", "p99 µs", "max µs", "total ms", "runs");
  json results = json::array();
  for (std::size_t target : opts.sizes) {
    // Whole units of the pool, in that order (cycling if the pool is small), until
    // the target token count. Units over a quarter of the target (or over
    // --frontend-unit-cap) are left out, so that small programs hold several
    // units, not one big docstring.
    const std::size_t cap = opts.unit_cap ? opts.unit_cap : std::max<std::size_t>(target / 4, 1);
    std::string text;
    std::size_t est = 0, largest = 0;
    for (std::size_t k = 0, tries = 0; est < target && tries < 1000 * pool.size(); k = (k + 1) % pool.size(), ++tries)
      if (std::size_t i = order[k]; pool_tokens[i] <= cap) {
        text += pool[i];
        est += pool_tokens[i];
        largest = std::max(largest, pool_tokens[i]);
      }
    if (text.empty()) {
      fmt::print(stderr, "streamexec-bench: no unit of at most {} tokens in the sources\n", cap);
      return 2;
    }
    std::size_t joined = 0;
    auto tokens = join_split_chars(tok.split(text), &joined);
    const std::string label = size_label(target);
    std::string prog_file, tokens_file;
    if (!opts.out_dir.empty()) {
      prog_file = (fs::path(opts.out_dir) / fmt::format("{}.{}", label, file_extension(lang))).string();
      tokens_file = (fs::path(opts.out_dir) / fmt::format("{}.tokens.json", label)).string();
      write_file(prog_file, text);
      write_file(tokens_file, json(tokens).dump() + "\n");
    }

    // Best of at least opts.reps runs, and of as many more as fit in
    // opts.min_seconds (small programs take milliseconds: one preemption on a
    // busy machine would double them). Wall and process CPU time.
    double best = 1e300, best_cpu = 1e300, spent = 0;
    long units = 0;
    int runs = 0;
    for (; runs < opts.reps || (spent < opts.min_seconds * 1000 && runs < 1000); ++runs) {
      Found found;
      sx_session *s = chunk_only_session(lang, &found);
      double c0 = cpu_ms();
      auto t0 = clk::now();
      for (const auto &t : tokens) sx_feed(s, t.data(), t.size());
      sx_finish(s);
      double ms = std::chrono::duration<double, std::milli>(clk::now() - t0).count();
      double cpu = cpu_ms() - c0;
      sx_session_free(s);
      spent += ms;
      best = std::min(best, ms);
      best_cpu = std::min(best_cpu, cpu);
      units = found.closed;
      if (found.syntax_errors) {
        fmt::print(stderr, "streamexec-bench: syntax error in the {} program: {}\n", label, found.first_error);
        return 1;
      }
    }
    // Tail: every sx_feed timed alone (the clock reads are not in `best`).
    std::vector<double> per_token;
    per_token.reserve(tokens.size());
    {
      Found found;
      sx_session *s = chunk_only_session(lang, &found);
      for (const auto &t : tokens) {
        auto a = clk::now();
        sx_feed(s, t.data(), t.size());
        per_token.push_back(std::chrono::duration<double, std::micro>(clk::now() - a).count());
      }
      sx_finish(s);
      sx_session_free(s);
    }
    const double n = static_cast<double>(tokens.size());
    const double us_tok = best * 1000 / n, p99 = quantile(per_token, 0.99);
    const double mx = *std::max_element(per_token.begin(), per_token.end());
    fmt::print("{:>6} {:>8} {:>9} {:>6} {:>9} {:>9.3f} {:>9.3f} {:>8.4f} {:>8.1f} {:>8.1f} {:>9.1f} {:>5}{}\n", label,
               tokens.size(), text.size(), units, largest, us_tok, best_cpu * 1000 / n,
               best * 1000 / static_cast<double>(text.size()), p99, mx, best, runs,
               joined ? fmt::format("  ({} tokens joined at split UTF-8 characters)", joined) : "");
    std::fflush(stdout);
    results.push_back({{"label", label}, {"target_tokens", target}, {"tokens", tokens.size()},
                       {"bytes", text.size()}, {"units", units}, {"largest_unit_tokens", largest},
                       {"runs", runs}, {"total_ms", best}, {"us_per_token", us_tok},
                       {"cpu_us_per_token", best_cpu * 1000 / n}, {"p99_token_us", p99}, {"max_token_us", mx},
                       {"joined_tokens", joined}, {"program", prog_file}, {"tokens_file", tokens_file}});
  }
  if (!opts.out_dir.empty()) write_file(fs::path(opts.out_dir) / "streamexec.json", results.dump(1) + "\n");
  return 0;
}

}  // namespace

}  // namespace sx::bench
