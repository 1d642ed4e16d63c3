// streamexec-bench — the latency benchmark of docs/DESIGN.md §1/§8 (issue: paper's
// execution engine). Streams every answer of a corpus with real o200k BPE
// token boundaries at several token rates and runs it three ways:
//   serial      generate everything, then execute (hold all units to the end)
//   overlap     streamed execution, one unit per dispatch (batching off)
//   batched     streamed execution with dynamic batching
// and reports, per rate, the median and p90 over answers of
//   E2E(overlap)/E2E(serial), non-overlapped latency ratio (overlap/serial),
//   E2E/limit (distance to the physical limit) and detection delay.
// All numbers come from one run on one machine; nothing is estimated except
// where the output says so.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"
#include "tools/bench/collect.h"
#include "tools/bench/cold_start.h"
#include "tools/bench/cpp_main.h"
#include "tools/bench/frontend.h"
#include "tools/bench/bindings.h"
#include "tools/bench/chat.h"
#include "tools/bench/interrupt.h"
#include "tools/bench/isolation.h"
#include "tools/bench/sessions.h"
#include "tools/bpe/bpe.h"

namespace fs = std::filesystem;
using nlohmann::json;
using clk = std::chrono::steady_clock;

namespace {

using sx::bench::collect;
using sx::bench::Collected;
using sx::bench::quantile;

struct RunResult {
  double e2e = 0, t_gen = 0, t_exec = 0, non_overlapped = 0, limit = 0;
  double last_unit_exec = 0;
  std::vector<double> detect_ms;  // per unit: t_closed - time its last byte was fed
  int units = 0, failed = 0;
};

enum class Mode { Serial, Overlap, Batched };
const char *mode_name(Mode m) { return m == Mode::Serial ? "serial" : m == Mode::Overlap ? "overlap" : "batched"; }

RunResult run_once(const std::vector<std::string> &tokens, double rate, Mode mode, double timeout_s) {
  Collected col;
  sx_options o;
  sx_options_init(&o);
  o.on_event = collect;
  o.user = &col;
  o.queue_events = 0;
  o.on_error = SX_POLICY_CONTINUE;
  o.unit_timeout_s = timeout_s;
  o.serial = mode == Mode::Serial;
  o.batching = mode == Mode::Batched;
  sx_session *s = nullptr;
  if (sx_session_new(&o, &s) != SX_OK) throw std::runtime_error("sx_session_new failed");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the pre-started worker is ready
  // feed_end[k] = time (ms since first feed) at which byte offset < ends[k] was fed
  std::vector<std::pair<std::uint64_t, double>> fed;  // (end offset, t)
  fed.reserve(tokens.size());
  auto t0 = clk::now();
  std::uint64_t off = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (rate > 0) std::this_thread::sleep_until(t0 + std::chrono::duration<double>(static_cast<double>(i) / rate));
    double t = std::chrono::duration<double, std::milli>(clk::now() - t0).count();
    sx_feed(s, tokens[i].data(), tokens[i].size());
    off += tokens[i].size();
    fed.emplace_back(off, t);
  }
  sx_finish(s);
  sx_session_free(s);

  RunResult r;
  std::map<long, double> exec_of;
  double last_closed = -1;
  long last_id = -1;
  for (const auto &e : col.events) {
    if (e["event"] == "unit_closed") {
      const auto &u = e["unit"];
      std::uint64_t end = u["end"];
      auto it = std::lower_bound(fed.begin(), fed.end(), end,
                                 [](const auto &p, std::uint64_t v) { return p.first < v; });
      if (it != fed.end()) r.detect_ms.push_back(e["t_ms"].get<double>() - it->second);
      if (e["t_ms"].get<double>() >= last_closed) {
        last_closed = e["t_ms"];
        last_id = u["id"];
      }
      ++r.units;
    } else if (e["event"] == "unit_done") {
      exec_of[e["unit_id"].get<long>()] = e.value("exec_ms", 0.0);
      if (e["status"] != "ok") ++r.failed;
    } else if (e["event"] == "session_done") {
      const auto &rep = e["report"];
      r.e2e = rep["e2e_ms"];
      r.t_gen = rep["t_gen_ms"];
      r.t_exec = rep["t_exec_ms"];
      r.non_overlapped = rep["non_overlapped_ms"];
      r.limit = rep["limit_ms"];
    }
  }
  r.last_unit_exec = exec_of.count(last_id) ? exec_of[last_id] : 0;
  return r;
}

std::string read_file(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// --- warm-worker dispatch overhead -------------------------------------------
// Feeds tiny units one at a time, waiting for each result: time from the unit
// being closed to its result, minus the worker's own execution time.
int dispatch_bench(sx_lang lang, int n, const std::string &off) {
  std::vector<double> roundtrip, overhead;
  if (!sx::bench::dispatch_samples(lang, n, off.empty() ? nullptr : off.c_str(), &roundtrip, &overhead)) return 1;
  fmt::print("{} warm unit, {} samples: closed→done median {:.1f} µs (p90 {:.1f} µs); minus exec: median {:.1f} µs (p90 {:.1f} µs)\n",
             sx_lang_name(lang), overhead.size(), quantile(roundtrip, 0.5) * 1000, quantile(roundtrip, 0.9) * 1000,
             quantile(overhead, 0.5) * 1000, quantile(overhead, 0.9) * 1000);
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"streamexec-bench — serial vs streamed execution on a corpus of agent answers"};
  std::vector<std::string> inputs;
  std::vector<double> rates{20, 50, 100};
  std::string bpe_default = SX_DEFAULT_BPE_FILE;
  std::string json_out, bpe_file;
  double timeout = 60;
  std::size_t limit_answers = 0;
  unsigned jobs = 1;
  app.add_option("inputs", inputs, "answer files or directories of *.md (not for --isolation, --dispatch)");
  app.add_option("--rates", rates, "token rates (tokens/s)")->capture_default_str();
  app.add_option("--json", json_out, "write every run's numbers to this file");
  app.add_option("--bpe-file", bpe_file, "o200k_base.json");
  app.add_option("--unit-timeout", timeout, "per-unit timeout (s): sx_options.unit_timeout_s");
  app.add_option("--max-answers", limit_answers, "use only the first N answers (0 = all)");
  app.add_option("--jobs", jobs, "answers streamed at the same time (each in its own sessions); 1 = one at a time")
      ->capture_default_str();
  std::string dispatch_lang;
  int dispatch_n = 500;
  sx::bench::FrontendOptions frontend;
  sx::bench::add_frontend_options(app, frontend);
  app.add_option("--dispatch", dispatch_lang, "instead: warm-worker dispatch overhead for LANG (inputs ignored)");
  app.add_option("--dispatch-n", dispatch_n, "samples for --dispatch");
  std::string dispatch_off;
  app.add_option("--dispatch-sandbox-off", dispatch_off,
                 "protections to switch off for --dispatch (as --sandbox-off: diagnosis of the sandbox's cost)");
  int interrupt_runs = 0;
  app.add_option("--interrupt", interrupt_runs,
                 "instead: sx_interrupt -> the running unit's result, N runs per language (inputs ignored)");
  bool isolation = false;
  int isolation_cold = 10;
  app.add_flag("--isolation", isolation,
               "instead: the sandbox's cost (cold start, per-unit dispatch, a long line), on vs off (inputs ignored)");
  app.add_option("--isolation-cold", isolation_cold, "cold starts per language and setting for --isolation")
      ->capture_default_str();
  int cold_start_runs = 0;
  app.add_option("--cold-start", cold_start_runs,
                 "instead: C++ cold start to first output (<vector>+<iostream>, <bits/stdc++.h>), with the worker's "
                 "precompiled headers vs SX_CPP_PCH=0, N runs each (inputs ignored)");
  bool cpp_main = false;
  app.add_flag("--cpp-main", cpp_main,
               "instead: complete C++ programs — wait after the last token vs a serial clang++ -O0 build + run "
               "(at the first of --rates)");
  std::string chat_recording;
  int chat_reps = 15;
  app.add_option("--chat", chat_recording,
                 "instead: the live-stream client's overhead per delta, over a recording's deltas (inputs ignored)");
  app.add_option("--chat-reps", chat_reps, "runs for --chat")->capture_default_str();
  std::string feed_cost_file;
  int feed_cost_piece = 4;
  app.add_option("--feed-cost", feed_cost_file,
                 "instead: the C API's cost per sx_feed and per event over FILE cut into pieces (bench/bindings)");
  app.add_option("--feed-cost-piece", feed_cost_piece, "piece size in bytes for --feed-cost")->capture_default_str();
  sx::bench::SessionsOptions sessions;
  bool sessions_run = false;
  app.add_option("--sessions", sessions.levels,
                 "instead: many sessions at once; the numbers of concurrent sessions (e.g. 1,2,4,8,16,32); "
                 "inputs: the answers directory (default bench/answers)")
      ->delimiter(',')
      ->each([&](const std::string &) { sessions_run = true; });
  app.add_option("--sessions-seconds", sessions.seconds, "with --sessions: seconds per level")->capture_default_str();
  app.add_option("--sessions-lang", sessions.lang, "with --sessions: the answers of this language")
      ->capture_default_str();
  app.add_flag("--sessions-pool", sessions.pool, "with --sessions: sessions take their workers from a warm pool");
  app.add_option(
         "--sessions-rate", sessions.rate,
         "with --sessions: tokens (4-byte pieces) per second per session, a model's pace (0: as fast as possible)")
      ->capture_default_str();
  app.add_flag("--sessions-chunk-only", sessions.chunk_only,
               "with --sessions: sessions only find units (no workers): the frontend's throughput");
  int first_result = 0;
  std::string first_cli;
  app.add_option("--first-result", first_result,
                 "instead: ms to a new session's first output, cold and with a warm pool (runs per case)");
  app.add_option("--first-result-cli", first_cli, "with --first-result: the streamexec CLI, to time cold runs of it");
  CLI11_PARSE(app, argc, argv);
  if (first_result > 0) return sx::bench::first_result_bench(first_cli, first_result, json_out);
  if (sessions_run) {
    sessions.json_out = json_out;
    sessions.answers_dir = inputs.empty() ? std::string(SX_SOURCE_DIR) + "/bench/answers" : inputs.front();
    return sx::bench::sessions_bench(sessions);
  }
  if (!feed_cost_file.empty()) return sx::bench::feed_cost_bench(feed_cost_file, feed_cost_piece, 5);
  if (!chat_recording.empty()) return sx::bench::chat_bench(chat_recording, chat_reps, json_out);
  if (isolation) return sx::bench::isolation_bench(isolation_cold, dispatch_n, json_out);
  if (cold_start_runs > 0) return sx::bench::cold_start_bench(cold_start_runs, json_out);
  if (interrupt_runs > 0) return sx::bench::interrupt_bench(interrupt_runs, json_out);
  if (inputs.empty() && dispatch_lang.empty()) {
    fmt::print(stderr, "streamexec-bench: no answers given (files or directories of *.md)\n");
    return 2;
  }
  if (!dispatch_lang.empty()) {
    sx_lang l;
    if (sx_lang_from_name(dispatch_lang.c_str(), &l) != SX_OK) return 2;
    return dispatch_bench(l, dispatch_n, dispatch_off);
  }

  std::vector<fs::path> files;
  for (const auto &in : inputs) {
    if (fs::is_directory(in)) {
      for (const auto &e : fs::directory_iterator(in))
        if (e.path().extension() == ".md" || e.path().extension() == ".py" || e.path().extension() == ".js" ||
            e.path().extension() == ".cpp")
          files.push_back(e.path());
    } else if (fs::is_regular_file(in)) {
      files.emplace_back(in);
    } else {
      fmt::print(stderr, "streamexec-bench: no such file or directory: {}\n", in);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (!frontend.lang.empty()) {
    std::string e;
    auto t = sx::BpeTokenizer::load(bpe_file.empty() ? bpe_default : bpe_file, &e);
    if (!t) {
      fmt::print(stderr, "streamexec-bench: {}\n", e);
      return 2;
    }
    std::vector<std::string> srcs;
    for (const auto &f : files) srcs.push_back(f.string());
    return sx::bench::run_frontend_bench(frontend, srcs, *t);
  }
  if (limit_answers && files.size() > limit_answers) files.resize(limit_answers);
  std::string err;
  auto tok = sx::BpeTokenizer::load(bpe_file.empty() ? SX_DEFAULT_BPE_FILE : bpe_file, &err);
  if (!tok) {
    fmt::print(stderr, "streamexec-bench: {}\n", err);
    return 2;
  }
  if (cpp_main) return cpp_main_bench(files, rates.empty() ? 50 : rates.front(), *tok, timeout, json_out);
  json all = json::array();
  for (double rate : rates) {
    std::vector<double> e2e_ratio, nonov_ratio, to_limit, detect, nonov_over_last, nonov_over_min, nonov_abs, serial_e2e, batched_gain;
    fmt::print("\n== {} tok/s ==\n", rate);
    fmt::print("{:<34} {:>6} {:>8} {:>9} {:>9} {:>9} {:>8} {:>8}\n", "answer", "tokens", "T_gen s", "serial s",
               "overlap s", "batched s", "limit s", "nonov ms");
    // Answers run `jobs` at a time (each answer's three modes one after the
    // other, in the same thread); rows print in corpus order.
    struct Row {
      std::size_t tokens = 0;
      RunResult ser, ovl, bat;
      bool done = false;
    };
    std::vector<Row> rows(files.size());
    std::mutex rows_mu;
    std::condition_variable rows_cv;
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> pool;
    for (unsigned j = 0; j < std::max(1u, jobs); ++j)
      pool.emplace_back([&] {
        for (std::size_t i; (i = next++) < files.size();) {
          Row r;
          auto tokens = tok->split(read_file(files[i]));
          r.tokens = tokens.size();
          r.ser = run_once(tokens, rate, Mode::Serial, timeout);
          r.ovl = run_once(tokens, rate, Mode::Overlap, timeout);
          r.bat = run_once(tokens, rate, Mode::Batched, timeout);
          r.done = true;
          std::lock_guard<std::mutex> lk(rows_mu);
          rows[i] = std::move(r);
          rows_cv.notify_all();
        }
      });
    for (std::size_t i = 0; i < files.size(); ++i) {
      {
        std::unique_lock<std::mutex> lk(rows_mu);
        rows_cv.wait(lk, [&] { return rows[i].done; });
      }
      const auto &f = files[i];
      const RunResult &ser = rows[i].ser, &ovl = rows[i].ovl, &bat = rows[i].bat;
      std::size_t n_tokens = rows[i].tokens;
      fmt::print("{:<34} {:>6} {:>8.2f} {:>9.2f} {:>9.2f} {:>9.2f} {:>8.2f} {:>8.0f}{}\n", f.filename().string(),
                 n_tokens, bat.t_gen / 1000, ser.e2e / 1000, ovl.e2e / 1000, bat.e2e / 1000, bat.limit / 1000,
                 bat.non_overlapped, bat.failed ? fmt::format("  ({} failed units)", bat.failed) : "");
      std::fflush(stdout);
      e2e_ratio.push_back(bat.e2e / ser.e2e);
      nonov_ratio.push_back(ser.non_overlapped > 0 ? bat.non_overlapped / ser.non_overlapped : 0);
      to_limit.push_back(bat.e2e / bat.limit);
      nonov_abs.push_back(bat.non_overlapped);
      if (bat.last_unit_exec > 0) nonov_over_last.push_back(bat.non_overlapped / bat.last_unit_exec);
      // The least non-overlapped latency any executor could have: the work
      // that cannot start before the last token (limit - T_gen), which is
      // more than the last unit when a heavy unit closes just before the end.
      // (Both floored at 1 ms, the timers' resolution here.)
      nonov_over_min.push_back(std::max(bat.non_overlapped, 1.0) / std::max(bat.limit - bat.t_gen, 1.0));
      batched_gain.push_back(bat.e2e / ovl.e2e);
      serial_e2e.push_back(ser.e2e);
      for (double d : bat.detect_ms) detect.push_back(d);
      for (auto [m, r] : {std::pair{Mode::Serial, &ser}, {Mode::Overlap, &ovl}, {Mode::Batched, &bat}}) {
        all.push_back({{"answer", f.filename().string()}, {"rate", rate}, {"mode", mode_name(m)},
                       {"tokens", n_tokens}, {"e2e_ms", r->e2e}, {"t_gen_ms", r->t_gen},
                       {"t_exec_ms", r->t_exec}, {"non_overlapped_ms", r->non_overlapped}, {"limit_ms", r->limit},
                       {"last_unit_exec_ms", r->last_unit_exec}, {"units", r->units}, {"failed", r->failed}});
      }
    }
    for (auto &t : pool) t.join();
    fmt::print("\nsummary at {} tok/s over {} answers ({} at a time)   median     p90\n", rate, files.size(), jobs);
    auto row = [](const char *name, const std::vector<double> &v, const char *unit) {
      fmt::print("  {:<44} {:>8.3f} {:>8.3f} {}\n", name, quantile(v, 0.5), quantile(v, 0.9), unit);
    };
    row("E2E ratio batched/serial", e2e_ratio, "");
    row("non-overlapped latency ratio batched/serial", nonov_ratio, "");
    row("distance to limit E2E/limit (batched)", to_limit, "");
    row("E2E ratio batched/unbatched", batched_gain, "");
    row("non-overlapped latency / last unit's exec", nonov_over_last, "");
    row("non-overlapped latency / (limit - T_gen)", nonov_over_min, "");
    row("non-overlapped latency (batched)", nonov_abs, "ms");
    row("detection delay (t_closed - last byte fed)", detect, "ms");
  }
  if (!json_out.empty()) {
    std::ofstream o(json_out);
    o << all.dump(1) << "\n";
  }
  return 0;
}
