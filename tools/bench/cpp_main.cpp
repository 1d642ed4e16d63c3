// streamexec-bench --cpp-main: overlap for complete C++ programs (docs/DESIGN.md §6a).
//
// A complete program's `main` can only run once the program's text is
// complete; everything before it (the includes, the helper functions, the
// types) compiles while the model writes. So the user still waits, after the
// answer's last token, for at most: compiling main's own unit and running
// main. The serial alternative is a native build of the whole program after
// the answer is complete plus its run (clang++-19 -O0, measured here, in the
// same run, on the same program text). Per answer and per program with main:
//   after_last_ms   program's end − the answer's last token (0 if main ended first)
//   after_fence_ms  program's end − the fence's last token
//   serial_ms       clang++ -O0 of the program + its run
//   ratio           after_last / serial   (the figure of merit; ≤ 0.25 wanted)
//   fence_ratio     after_fence / serial  (as if the answer ended with its fence)
//   main_compile_ms compiling the unit that defines main (streamed)
//   main_run_ms     running main and the program's exit (streamed)
#include "tools/bench/cpp_main.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"
#include "tools/bench/collect.h"

namespace fs = std::filesystem;
using nlohmann::json;
using clk = std::chrono::steady_clock;

namespace {


double ms_since(clk::time_point t0) { return std::chrono::duration<double, std::milli>(clk::now() - t0).count(); }

// Runs a command, stdout/stderr to /dev/null; its wall time in ms, -1 if it failed.
double timed(const std::string &cmd) {
  auto t0 = clk::now();
  int rc = std::system((cmd + " >/dev/null 2>&1 </dev/null").c_str());
  double ms = ms_since(t0);
  return rc == -1 || !WIFEXITED(rc) ? -1 : ms;
}

struct Fence {
  std::size_t body_begin, body_end;  // byte offsets of the code in the answer
  std::string code;
};

// The ```cpp fences of an answer that define main (top-level fences only: the
// benchmark's answers have no containers).
std::vector<Fence> cpp_programs(const std::string &text) {
  std::vector<Fence> out;
  static const std::regex open("^```(cpp|c\\+\\+)[^\\n]*\\n");
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t eol = text.find('\n', at);
    std::string line = text.substr(at, eol == std::string::npos ? std::string::npos : eol - at + 1);
    if (std::regex_search(line, open)) {
      std::size_t body = at + line.size();
      std::size_t close = text.find("\n```", body - 1);
      if (close == std::string::npos) break;
      Fence f{body, close + 1, text.substr(body, close + 1 - body)};
      if (std::regex_search(f.code, std::regex("\\bint\\s+main\\s*\\("))) out.push_back(f);
      at = text.find('\n', close + 1);
      if (at == std::string::npos) break;
      ++at;
      continue;
    }
    if (eol == std::string::npos) break;
    at = eol + 1;
  }
  return out;
}

}  // namespace

int cpp_main_bench(const std::vector<fs::path> &answers, double rate, const sx::BpeTokenizer &bpe,
                   double timeout_s, const std::string &json_out) {
  json all = json::array();
  fmt::print("C++ programs with main: streamed at {:g} tok/s vs serial (clang++-19 -O0 of the program + its run)\n\n",
             rate);
  fmt::print("| answer | tokens | after last token | after fence | serial (compile + run) | ratio | ratio after fence "
             "| main: compile + run |\n");
  fmt::print("|---|---|---|---|---|---|---|---|\n");
  std::vector<double> ratios, fence_ratios;
  for (const auto &path : answers) {
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    std::vector<Fence> programs = cpp_programs(text);
    if (programs.empty()) continue;
    std::vector<std::string> tokens = bpe.split(text);

    // Streamed, at the rate, from a fresh session (its workers pre-started
    // as a real agent's are, while the request goes to the model).
    sx::bench::Collected ev;
    sx_options o;
    sx_options_init(&o);
    o.prestart = 1u << SX_LANG_CPP;
    o.on_event = sx::bench::collect;
    o.user = &ev;
    o.queue_events = 0;
    o.on_error = SX_POLICY_CONTINUE;
    o.unit_timeout_s = timeout_s;
    sx_session *s = nullptr;
    if (sx_session_new(&o, &s) != SX_OK) return 2;
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // the model's time to first token
    std::vector<std::pair<std::uint64_t, double>> fed;  // (end offset, ms since the first token)
    auto t0 = clk::now();
    std::uint64_t off = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      std::this_thread::sleep_until(t0 + std::chrono::duration<double>(static_cast<double>(i) / rate));
      double t = ms_since(t0);
      sx_feed(s, tokens[i].data(), tokens[i].size());
      off += tokens[i].size();
      fed.emplace_back(off, t);
    }
    double t_last = fed.empty() ? 0 : fed.back().second;
    sx_finish(s);
    sx_session_free(s);
    auto fed_at = [&](std::uint64_t offset) {  // when the byte at `offset` had been fed
      auto it = std::lower_bound(fed.begin(), fed.end(), offset + 1,
                                 [](const auto &p, std::uint64_t v) { return p.first < v; });
      return it == fed.end() ? t_last : it->second;
    };
    // Events: t_ms counts from the session's first feed, as `fed` does.
    std::map<int, json> program_done;         // fence -> event
    std::map<int, json> main_done;            // fence -> the main unit's unit_done
    std::map<long, int> fence_of;             // unit -> fence
    for (const auto &e : ev.events) {
      if (e["event"] == "unit_closed" && e["unit"]["lang"] == "cpp") fence_of[e["unit"]["id"]] = e["unit"]["fence"];
      if (e["event"] == "unit_done" && e.contains("end_ms")) main_done[fence_of[e["unit_id"]]] = e;
      if (e["event"] == "program_done" && e["lang"] == "cpp") program_done[e["fence"]] = e;
    }

    // Fences in order of appearance in the answer; match by order.
    std::vector<int> fences;
    for (const auto &[f, _] : program_done) fences.push_back(f);
    std::vector<int> main_fences;
    for (int f : fences)
      if (main_done.count(f)) main_fences.push_back(f);
    for (std::size_t k = 0; k < programs.size() && k < main_fences.size(); ++k) {
      int f = main_fences[k];
      const Fence &fc = programs[k];
      double end = program_done[f]["t_ms"];
      double after_last = std::max(0.0, end - t_last);
      double after_fence = std::max(0.0, end - fed_at(fc.body_end + 3));
      double main_total = main_done[f]["exec_ms"], main_run = main_done[f]["end_ms"];

      // Serial: the same program text, built and run natively.
      char dir[] = "/tmp/sx-cppmain-XXXXXX";
      if (!mkdtemp(dir)) return 2;
      std::string src = std::string(dir) + "/p.cpp", exe = std::string(dir) + "/a.out";
      std::ofstream(src) << fc.code;
      double compile = timed(fmt::format("clang++-19 -std=c++20 -O0 -w {} -o {}", src, exe));
      double run = timed(fmt::format("cd {} && {}", dir, exe));
      fs::remove_all(dir);
      double serial = compile + run;
      double ratio = serial > 0 ? after_last / serial : 0;
      double fence_ratio = serial > 0 ? after_fence / serial : 0;
      ratios.push_back(ratio);
      fence_ratios.push_back(fence_ratio);
      std::string name = path.filename().string() + (programs.size() > 1 ? fmt::format(" #{}", k + 1) : "");
      fmt::print("| {} | {} | {:.0f} ms | {:.0f} ms | {:.0f} + {:.0f} ms | {:.3f} | {:.3f} | {:.0f} + {:.0f} ms |\n", name,
                 tokens.size(), after_last, after_fence, compile, run, ratio, fence_ratio, main_total - main_run,
                 main_run);
      all.push_back({{"answer", name}, {"tokens", tokens.size()}, {"after_last_ms", after_last},
                     {"after_fence_ms", after_fence}, {"serial_compile_ms", compile}, {"serial_run_ms", run},
                     {"ratio", ratio}, {"fence_ratio", fence_ratio}, {"main_compile_ms", main_total - main_run},
                     {"main_run_ms", main_run},
                     {"status", program_done[f]["status"]}});
    }
  }
  if (!ratios.empty()) {
    std::sort(ratios.begin(), ratios.end());
    std::sort(fence_ratios.begin(), fence_ratios.end());
    fmt::print("\n{} programs: ratio median {:.3f}, max {:.3f} (after the last token / serial build + run); "
               "after the fence: median {:.3f}, max {:.3f}\n",
               ratios.size(), ratios[ratios.size() / 2], ratios.back(), fence_ratios[fence_ratios.size() / 2],
               fence_ratios.back());
  }
  if (!json_out.empty()) std::ofstream(json_out) << all.dump(1) << "\n";
  return 0;
}
