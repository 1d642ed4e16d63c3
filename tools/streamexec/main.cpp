// streamexec — command-line client of the C API. It plays the part of an LLM:
// streams a file at a token rate, under a chosen tokenisation, into a session,
// and prints what the session reports. All logic lives in the library.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <cstring>
#include <algorithm>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"
#include "tools/bpe/bpe.h"
#include "tools/streamexec/doctor.h"

namespace {

struct Args {
  std::string file = "-";
  std::string lang;
  std::string mode;  // "", "markdown", "raw"
  double rate = 50;
  std::string split = "bpe";
  bool serial = false;
  bool json = false;
  double timeout = 30;
  double session_timeout = 0;
  std::uint64_t max_memory_mb = 0, max_procs = 512, max_open_files = 0, output_cap_kb = 8192;
  std::string policy = "stop";
  bool no_batching = false;
  bool keep_feeding = false;
  std::string bpe_file;
  std::vector<std::string> hold, skip;
  bool hold_unsafe = false;
  // sandbox
  std::vector<std::string> env, allow_write;
  std::string network = "none";
  std::uint64_t scratch_mb = 512;
  std::string sandbox_off;
};

// --- built-in gate rules -----------------------------------------------------
// Calls that delete files, start processes or open network connections,
// recognised from the unit's IR `uses` (names read and dotted call targets).
// A use matches an entry if it equals it or starts with it followed by '.'.
const char *const kUnsafeUses[] = {
    // python
    "os.remove", "os.unlink", "os.rmdir", "os.removedirs", "os.system", "os.popen", "os.kill", "os.fork",
    "os.execv", "os.execvp", "os.execl", "os.spawnl", "os.truncate", "shutil.rmtree", "shutil.move",
    "subprocess", "socket", "urllib.request", "http.client", "requests", "ftplib", "smtplib", "ctypes",
    // javascript
    "fs.unlinkSync", "fs.unlink", "fs.rmSync", "fs.rm", "fs.rmdirSync", "fs.rmdir", "fs.truncateSync",
    "child_process", "require:child_process", "require:net", "require:http", "require:https",
    "require:dgram", "fetch", "net", "http.request", "https.request", "process.kill",
    // c++
    "std::remove", "std::filesystem::remove", "std::filesystem::remove_all", "system", "popen", "unlink",
    "fork", "execv", "execvp", "socket", "remove",
};

bool unsafe_use(const std::string &u) {
  for (const char *p : kUnsafeUses) {
    std::size_t n = std::strlen(p);
    if (u.compare(0, n, p) == 0 && (u.size() == n || u[n] == '.' || u[n] == ':')) return true;
  }
  // bare names imported with `from os import remove` etc.
  static const char *const bare[] = {"rmtree", "unlink", "rmdir", "unlinkSync", "rmSync", "execSync", "spawnSync"};
  for (const char *b : bare)
    if (u == b) return true;
  return false;
}

struct GateRules {
  std::vector<std::pair<std::regex, std::string>> hold, skip;
  bool hold_unsafe = false;
  std::string reason;  // storage for the last reason handed to the library
};

sx_gate_decision gate_fn(void *user, const sx_unit_info *u, const char **reason) {
  auto *g = static_cast<GateRules *>(user);
  std::string code(u->code, u->code_len);
  for (auto &[re, src] : g->skip) {
    if (std::regex_search(code, re)) {
      g->reason = fmt::format("--skip '{}' matches", src);
      *reason = g->reason.c_str();
      return SX_GATE_SKIP;
    }
  }
  for (auto &[re, src] : g->hold) {
    if (std::regex_search(code, re)) {
      g->reason = fmt::format("--hold '{}' matches; runs when the answer is complete", src);
      *reason = g->reason.c_str();
      return SX_GATE_HOLD;
    }
  }
  if (g->hold_unsafe) {
    for (std::size_t i = 0; i < u->n_uses; ++i) {
      if (unsafe_use(u->uses[i])) {
        g->reason = fmt::format("--hold-unsafe: uses {}; runs when the answer is complete", u->uses[i]);
        *reason = g->reason.c_str();
        return SX_GATE_HOLD;
      }
    }
  }
  return SX_GATE_RUN;
}

[[noreturn]] void die(const std::string &msg) {
  fmt::print(stderr, "streamexec: {}\n", msg);
  std::exit(2);
}

std::string read_input(const std::string &file) {
  std::string data;
  if (file == "-") {
    data.assign(std::istreambuf_iterator<char>(std::cin), {});
    return data;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) die(fmt::format("cannot open '{}': {}", file, std::strerror(errno)));
  data.assign(std::istreambuf_iterator<char>(in), {});
  return data;
}

// Returns the offset of the first invalid UTF-8 byte, or npos.
std::size_t invalid_utf8(const std::string &s) {
  std::size_t i = 0, n = s.size();
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < n) {
    unsigned c = b(i);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k)
      if ((b(i + k) & 0xc0) != 0x80) return i;
    if (len == 2 && c < 0xc2) return i;
    if (len == 3) {
      unsigned c1 = b(i + 1);
      if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) return i;
    }
    if (len == 4) {
      unsigned c1 = b(i + 1);
      if ((c == 0xf0 && c1 < 0x90) || c > 0xf4 || (c == 0xf4 && c1 >= 0x90)) return i;
    }
    i += len;
  }
  return std::string::npos;
}

std::vector<std::string> split_input(const std::string &data, const std::string &how, const std::string &bpe_file) {
  std::vector<std::string> out;
  if (how == "bpe") {
    std::string err;
    std::string path = bpe_file.empty() ? SX_DEFAULT_BPE_FILE : bpe_file;
    auto tok = sx::BpeTokenizer::load(path, &err);
    if (!tok) die(fmt::format("--split bpe: {} (run scripts/setup, or use --split random)", err));
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
      if (how[6] != ':') die(fmt::format("bad --split '{}' (expected random or random:SEED)", how));
      try {
        seed = static_cast<unsigned>(std::stoul(how.substr(7)));
      } catch (...) {
        die(fmt::format("bad seed in --split '{}'", how));
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
  die(fmt::format("unknown --split '{}' (bpe, byte, line, whole, random[:SEED])", how));
}

bool ends_with(const std::string &s, const std::string &suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

void configure_mode(const Args &a, sx_options *opt) {
  opt->mode = SX_MODE_MARKDOWN;
  if (!a.lang.empty()) {
    sx_lang l;
    if (sx_lang_from_name(a.lang.c_str(), &l) != SX_OK)
      die(fmt::format("unknown --lang '{}' (python, javascript, cpp)", a.lang));
    opt->lang = l;
    opt->mode = SX_MODE_RAW;
  } else {
    struct { const char *ext; sx_lang lang; } exts[] = {
        {".py", SX_LANG_PYTHON}, {".js", SX_LANG_JAVASCRIPT}, {".mjs", SX_LANG_JAVASCRIPT},
        {".cpp", SX_LANG_CPP},   {".cc", SX_LANG_CPP},         {".cxx", SX_LANG_CPP}};
    for (auto &e : exts) {
      if (ends_with(a.file, e.ext)) {
        opt->mode = SX_MODE_RAW;
        opt->lang = e.lang;
      }
    }
  }
  if (a.mode == "markdown") opt->mode = SX_MODE_MARKDOWN;
  else if (a.mode == "raw") opt->mode = SX_MODE_RAW;
  else if (!a.mode.empty()) die(fmt::format("unknown --mode '{}' (markdown, raw)", a.mode));
}

// Human-readable printer for events (called serially by the library).
struct Printer {
  bool json = false;
  bool chunk_only = false;
  std::mutex mu;
  nlohmann::json report;
  nlohmann::json sandbox = nlohmann::json::object();
  int failures = 0;
  bool at_bol = true;

  // A unit's value (metadata, not program output) on one short line.
  static std::string one_line(const std::string &v, std::size_t max = 60) {
    std::string out;
    bool space = false;
    for (char c : v) {
      if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
        space = !out.empty();
        continue;
      }
      if (space) out += ' ';
      space = false;
      out += c;
    }
    if (out.size() > max) {
      std::size_t cut = max - 3;
      while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;  // not inside a UTF-8 sequence
      out = out.substr(0, cut) + "...";
    }
    return out;
  }

  static std::string first_line(const std::string &code) {
    std::string l = code.substr(0, code.find_first_of("\r\n"));
    if (l.size() > 60) l = l.substr(0, 57) + "...";
    bool more = code.find('\n') != std::string::npos && code.find('\n') + 1 < code.size();
    return more ? l + " …" : l;
  }

  void on(const sx_event *ev) {
    std::lock_guard<std::mutex> lk(mu);
    auto j = nlohmann::json::parse(std::string(ev->json, ev->json_len));
    if (ev->kind == SX_EVENT_SESSION_DONE) {
      report = j["report"];
      sandbox = j.value("sandbox", nlohmann::json::object());
    }
    if ((ev->kind == SX_EVENT_UNIT_DONE || ev->kind == SX_EVENT_PROGRAM_DONE) && ev->status != SX_STATUS_OK &&
        ev->status != SX_STATUS_SKIPPED && ev->status != SX_STATUS_GATED)
      ++failures;
    if (json) {
      std::fwrite(ev->json, 1, ev->json_len, stdout);
      std::fputc('\n', stdout);
      std::fflush(stdout);
      return;
    }
    double t = ev->t_ms / 1000;
    if (!at_bol && ev->kind != SX_EVENT_OUTPUT) {
      std::fputc('\n', stdout);  // a unit's output ended without a newline
      at_bol = true;
    }
    switch (ev->kind) {
      case SX_EVENT_UNIT_CLOSED: {
        const auto &u = j["unit"];
        if (chunk_only) {
          fmt::print("── unit {} {} line {} [{}..{}) {}\n{}\n", u["id"].get<long>(), u["lang"].get<std::string>(),
                     u["line"].get<long>(), u["begin"].get<long>(), u["end"].get<long>(),
                     u["kind"].get<std::string>(), u["code"].get<std::string>());
        } else {
          fmt::print("[{:6.2f}s] ▶ #{} {} L{} {}: {}\n", t, u["id"].get<long>(), u["lang"].get<std::string>(),
                     u["line"].get<long>(), u["kind"].get<std::string>(), first_line(u["code"].get<std::string>()));
        }
        break;
      }
      case SX_EVENT_OUTPUT: {
        // Output arrives in arbitrary pieces; the gutter starts each line.
        std::string text(ev->text, ev->text_len);
        std::string out;
        for (char c : text) {
          if (at_bol) out += "          │ ";
          out += c;
          at_bol = c == '\n';
        }
        std::fputs(out.c_str(), stdout);
        std::fflush(stdout);
        return;
      }
      case SX_EVENT_UNIT_DONE: {
        std::string st = j["status"];
        std::string extra;
        if (j.contains("error")) {
          extra = fmt::format(" {}: {}", j["error"]["type"].get<std::string>(), j["error"]["message"].get<std::string>());
          if (j["error"].value("line", 0) > 0) extra += fmt::format(" (answer line {}", j["error"]["line"].get<int>());
          if (j["error"].contains("col")) extra += fmt::format(", col {}", j["error"]["col"].get<int>());
          if (j["error"].value("line", 0) > 0) extra += ")";
        } else if (j.contains("value")) {
          extra = " → " + one_line(j["value"].get<std::string>());
        } else if (j.contains("note")) {
          extra = " (" + j["note"].get<std::string>() + ")";
        }
        fmt::print("[{:6.2f}s] {} #{} {} {:.1f} ms{}\n", t, st == "ok" ? "✓" : st == "skipped" ? "·" : "✗",
                   ev->unit_id, st, j.value("exec_ms", 0.0), extra);
        if (j.contains("error") && j["error"].contains("traceback") && st != "syntax_error") {
          std::string tb = j["error"]["traceback"];
          std::istringstream is(tb);
          std::string line;
          while (std::getline(is, line)) fmt::print("          ! {}\n", line);
        }
        break;
      }
      case SX_EVENT_PROGRAM_DONE: {
        std::string st = j["status"];
        std::string how = j.contains("signal") ? fmt::format("killed by signal {}", j["signal"].get<int>())
                          : j.contains("exit_code") ? fmt::format("exit code {}", j["exit_code"].get<int>())
                                                    : st;
        std::string where = j["fence"].get<int>() < 0 ? std::string("the program") : fmt::format("program (fence {})", j["fence"].get<int>());
        std::string extra;
        if (j.contains("error")) extra = fmt::format(": {}: {}", j["error"]["type"].get<std::string>(), j["error"]["message"].get<std::string>());
        else if (j.contains("note")) extra = " (" + j["note"].get<std::string>() + ")";
        fmt::print("[{:6.2f}s] {} {} {} ended: {}{}\n", t, st == "ok" ? "⏹" : st == "skipped" ? "·" : "✗",
                   j["lang"].get<std::string>(), where, how, extra);
        break;
      }
      case SX_EVENT_STOP_ADVISED:
        fmt::print("[{:6.2f}s] ■ stop advised: {}\n", t, j["reason"].get<std::string>());
        break;
      case SX_EVENT_FENCE_SKIPPED:
        fmt::print("[{:6.2f}s] · fence {} at line {} not executed: {}\n", t, j["fence"].get<int>(),
                   j["line"].get<int>(), j["reason"].get<std::string>());
        break;
      case SX_EVENT_UNIT_HELD:
        fmt::print("[{:6.2f}s] ⏸ #{} held: {}\n", t, ev->unit_id, j["reason"].get<std::string>());
        break;
      case SX_EVENT_WORKER_RESTARTED:
        fmt::print("[{:6.2f}s] ↻ {}\n", t, j["reason"].get<std::string>());
        break;
      default: break;
    }
    std::fflush(stdout);
  }
};

void on_event(void *user, const sx_event *ev) { static_cast<Printer *>(user)->on(ev); }

int run(const Args &a, bool chunk_only) {
  std::string data = read_input(a.file);
  if (auto bad = invalid_utf8(data); bad != std::string::npos) {
    std::size_t line = 1 + static_cast<std::size_t>(std::count(data.begin(), data.begin() + static_cast<long>(bad), '\n'));
    die(fmt::format("{}: invalid UTF-8 at byte {} (line {})", a.file == "-" ? "<stdin>" : a.file, bad, line));
  }
  if (a.rate < 0) die("--rate must be ≥ 0");
  if (!(a.timeout > 0)) die("--timeout must be > 0");
  if (!(a.session_timeout >= 0)) die("--session-timeout must be ≥ 0");
  if (a.output_cap_kb == 0) die("--output-cap must be > 0");
  if (a.policy != "stop" && a.policy != "continue") die(fmt::format("unknown --policy '{}' (stop, continue)", a.policy));
  std::vector<std::string> tokens = split_input(data, a.split, a.bpe_file);

  Printer printer;
  printer.json = a.json;
  printer.chunk_only = chunk_only;
  sx_options opt;
  sx_options_init(&opt);
  configure_mode(a, &opt);
  opt.execute = chunk_only ? 0 : 1;
  opt.hold_until_finish = a.serial ? 1 : 0;
  opt.batching = a.no_batching ? 0 : 1;
  opt.on_error = a.policy == "continue" ? SX_POLICY_CONTINUE : SX_POLICY_STOP;
  opt.unit_timeout_s = a.timeout;
  opt.session_timeout_s = a.session_timeout;
  opt.worker_memory_bytes = a.max_memory_mb << 20;
  opt.worker_max_processes = a.max_procs;
  opt.worker_max_open_files = a.max_open_files;
  opt.output_cap_bytes = a.output_cap_kb << 10;
  opt.on_event = on_event;
  opt.user = &printer;
  opt.queue_events = 0;
  if (a.network != "none" && a.network != "host") die(fmt::format("unknown --network '{}' (none, host)", a.network));
  opt.network = a.network == "host" ? SX_NETWORK_HOST : SX_NETWORK_NONE;
  std::vector<const char *> env, allow_write;
  for (const auto &e : a.env) env.push_back(e.c_str());
  for (const auto &d : a.allow_write) allow_write.push_back(d.c_str());
  env.push_back(nullptr);
  allow_write.push_back(nullptr);
  opt.env = env.data();
  opt.allow_write = allow_write.data();
  opt.scratch_bytes = a.scratch_mb << 20;
  if (!a.sandbox_off.empty()) {
    opt.sandbox_off = a.sandbox_off.c_str();
    fmt::print(stderr, "streamexec: warning: sandbox protections switched off: {}\n", a.sandbox_off);
  }
  GateRules rules;
  try {
    for (const auto &p : a.hold) rules.hold.emplace_back(std::regex(p), p);
    for (const auto &p : a.skip) rules.skip.emplace_back(std::regex(p), p);
  } catch (const std::regex_error &e) {
    die(fmt::format("bad --hold/--skip pattern: {}", e.what()));
  }
  rules.hold_unsafe = a.hold_unsafe;
  if (!rules.hold.empty() || !rules.skip.empty() || rules.hold_unsafe) {
    opt.gate = gate_fn;
    opt.gate_user = &rules;
  }
  sx_session *s = nullptr;
  int rc = sx_session_new(&opt, &s);
  if (rc != SX_OK) die(fmt::format("cannot create session: {}: {}", sx_strerror(rc), sx_last_error()));

  double rate = chunk_only ? 0 : a.rate;
  auto t0 = std::chrono::steady_clock::now();
  std::size_t fed_tokens = 0;
  bool stopped = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (rate > 0) std::this_thread::sleep_until(t0 + std::chrono::duration<double>(static_cast<double>(i) / rate));
    rc = sx_feed(s, tokens[i].data(), tokens[i].size());
    ++fed_tokens;
    if (rc == SX_STOP && !a.keep_feeding && !chunk_only) {
      stopped = true;
      break;
    }
    if (rc < 0) die(fmt::format("sx_feed: {}", sx_strerror(rc)));
  }
  sx_finish(s);
  sx_session_free(s);

  if (!a.json && !chunk_only) {
    const auto &r = printer.report;
    auto sec = [&](const char *k) { return r.value(k, 0.0) / 1000; };
    fmt::print("\n── latency report ({}) ─────────────────────────\n", a.serial ? "serial: generate, then execute" : "streamed execution");
    fmt::print("tokens fed                     {} of {} ({} split, {})\n", fed_tokens, tokens.size(), a.split,
               rate > 0 ? fmt::format("{:g} tok/s", rate) : std::string("as fast as possible"));
    fmt::print("generation        T_gen        {:8.3f} s\n", sec("t_gen_ms"));
    fmt::print("execution         T_exec       {:8.3f} s  (units and program ends)\n", sec("t_exec_ms"));
    fmt::print("end to end        E2E          {:8.3f} s  (measured)\n", sec("e2e_ms"));
    fmt::print("serial            T_gen+T_exec {:8.3f} s\n", sec("serial_e2e_ms"));
    fmt::print("non-overlapped    E2E-T_gen    {:8.3f} s\n", sec("non_overlapped_ms"));
    fmt::print("physical limit                 {:8.3f} s  (E2E/limit = {:.3f})\n", sec("limit_ms"),
               sec("limit_ms") > 0 ? sec("e2e_ms") / sec("limit_ms") : 0.0);
    fmt::print("units {}  errors {}  skipped {}\n", r.value("units", 0), r.value("errors", 0), r.value("skipped", 0));
    for (const auto &[lang, sb] : printer.sandbox.items())
      if (!sb["missing"].empty())
        fmt::print("sandbox ({}): missing {} — see `streamexec doctor`\n", lang, sb["missing"].dump());
    if (stopped) {
      double per_tok = rate > 0 ? 1.0 / rate : 0;
      std::size_t saved = tokens.size() - fed_tokens;
      fmt::print("stopped generation early: {} tokens not generated (≈ {:.2f} s saved)\n", saved,
                 static_cast<double>(saved) * per_tok);
    }
  }
  return printer.failures > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"streamexec — execute LLM-generated code while it is being streamed"};
  app.require_subcommand(1);
  Args a;
  auto add_common = [&](CLI::App *c) {
    c->add_option("file", a.file, "input file (markdown answer or source), - for stdin");
    c->add_option("--lang", a.lang, "raw mode: the whole input is code of this language");
    c->add_option("--mode", a.mode, "markdown | raw (default: from --lang / file extension)");
    c->add_option("--split", a.split, "tokenisation: bpe (o200k) | byte | line | whole | random[:SEED]");
    c->add_option("--bpe-file", a.bpe_file, "o200k_base.json (default: installed by scripts/setup)");
    c->add_flag("--json", a.json, "one JSON object per event on stdout");
  };
  auto *runc = app.add_subcommand("run", "stream a file as an LLM would and execute it");
  add_common(runc);
  runc->add_option("--rate", a.rate, "tokens per second (0 = as fast as possible)")->capture_default_str();
  runc->add_flag("--serial", a.serial, "classic mode: generate everything, then execute");
  runc->add_option("--timeout", a.timeout, "per-unit wall-clock limit in seconds")->capture_default_str();
  runc->add_option("--session-timeout", a.session_timeout, "wall-clock limit of the whole run in seconds (0 = none)")
      ->capture_default_str();
  runc->add_option("--max-memory", a.max_memory_mb, "address space of each worker in MiB (RLIMIT_AS; 0 = none)")
      ->capture_default_str();
  runc->add_option("--max-procs", a.max_procs,
                   "processes+threads of each worker and its children (pids cgroup or RLIMIT_NPROC; 0 = none)")
      ->capture_default_str();
  runc->add_option("--max-open-files", a.max_open_files, "open files of each worker (RLIMIT_NOFILE; 0 = inherit)")
      ->capture_default_str();
  runc->add_option("--output-cap", a.output_cap_kb, "stdout+stderr kept per unit in KiB (the rest is cut with a marker)")
      ->capture_default_str();
  runc->add_option("--policy", a.policy, "after a failed unit: stop | continue")->capture_default_str();
  runc->add_flag("--no-batching", a.no_batching, "dispatch one unit per message");
  runc->add_flag("--keep-feeding", a.keep_feeding, "keep streaming after a stop is advised");
  runc->add_option("--hold", a.hold, "gate: units whose code matches this regex run after the answer is complete");
  runc->add_option("--skip", a.skip, "gate: units whose code matches this regex never run");
  runc->add_flag("--hold-unsafe", a.hold_unsafe,
                 "gate: hold units that delete files, start processes or open connections (from the unit's uses; "
                 "a convenience against accidents, not a security boundary: the sandbox is)");
  runc->add_option("--env", a.env,
                   "NAME=VALUE or NAME (the host's value): a variable the workers get (their environment is "
                   "otherwise only PATH, LANG, LC_*, TZ, HOME=TMPDIR=/tmp); repeatable");
  runc->add_option("--network", a.network, "none: loopback only (default) | host: the host's network")
      ->capture_default_str();
  runc->add_option("--allow-write", a.allow_write,
                   "a host directory the units may write (all else is read-only but the scratch /tmp); repeatable");
  runc->add_option("--scratch-size", a.scratch_mb, "size of the scratch tmpfs (/tmp, the units' cwd) in MiB")
      ->capture_default_str();
  runc->add_option("--sandbox-off", a.sandbox_off,
                   "comma-separated protections to switch off (diagnosis only; README \"Security\")");
  auto *chunkc = app.add_subcommand("chunk", "print the closed units (and syntax errors) without executing");
  add_common(chunkc);
  auto *doctorc = app.add_subcommand("doctor", "report which protections of the sandbox are active on this machine");
  bool doctor_json = false;
  doctorc->add_flag("--json", doctor_json, "the report as one JSON object");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    fmt::print(stderr, "streamexec: {}\n", e.what());
    return 2;
  }
  if (doctorc->parsed()) return sx::cli::doctor(doctor_json);
  return run(a, chunkc->parsed());
}
