// streamexec — command-line client of the C API. It plays the part of an LLM:
// streams a file at a token rate, under a chosen tokenisation, into a session
// (or standard input as it arrives: a live model piped in), and prints what
// the session reports. The logic lives in the library; here are the flags,
// and in their own files the input (input.cpp), the gate (gate.cpp) and the
// printing (printer.cpp).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
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

#include "streamexec.h"
#include "tools/streamexec/doctor.h"
#include "tools/streamexec/gate.h"
#include "tools/streamexec/input.h"
#include "tools/streamexec/printer.h"

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
  std::string display_dir;
};

[[noreturn]] void die(const std::string &msg) {
  fmt::print(stderr, "streamexec: {}\n", msg);
  std::exit(2);
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

// Feeds the answer: a file cut into tokens at --rate, or standard input as
// it arrives (its pieces and their timing are the model's own). Stops
// feeding at the first failure (unless --keep-feeding) and cuts the answer
// there. Returns (pieces fed, pieces of the whole answer, stopped).
struct Fed {
  std::size_t fed = 0, total = 0;
  bool stopped = false;
};

Fed feed_file(const Args &a, bool chunk_only, sx_session *s) {
  std::string data = sx::cli::read_file(a.file);
  sx::cli::Utf8Check utf8;
  if (!utf8.feed(data) || !utf8.finish()) die(fmt::format("{}: invalid UTF-8 at {}", a.file, utf8.where()));
  std::vector<std::string> tokens = sx::cli::split_input(data, a.split, a.bpe_file);
  Fed f;
  f.total = tokens.size();
  double rate = chunk_only ? 0 : a.rate;
  auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (rate > 0) std::this_thread::sleep_until(t0 + std::chrono::duration<double>(static_cast<double>(i) / rate));
    int rc = sx_feed(s, tokens[i].data(), tokens[i].size());
    ++f.fed;
    if (rc < 0) die(fmt::format("sx_feed: {}", sx_strerror(rc)));
    if (rc == SX_STOP && !a.keep_feeding && !chunk_only) {
      f.stopped = true;
      break;
    }
  }
  return f;
}

Fed feed_stdin(const Args &a, bool chunk_only, sx_session *s) {
  sx::cli::Utf8Check utf8;
  Fed f;
  for (;;) {
    std::string piece = sx::cli::read_available(0);
    if (piece.empty()) break;
    if (!utf8.feed(piece)) {
      sx_answer_cut(s);
      die(fmt::format("<stdin>: invalid UTF-8 at {}", utf8.where()));
    }
    int rc = sx_feed(s, piece.data(), piece.size());
    ++f.fed;
    ++f.total;
    if (rc < 0) die(fmt::format("sx_feed: {}", sx_strerror(rc)));
    if (rc == SX_STOP && !a.keep_feeding && !chunk_only) {
      f.stopped = true;  // what the model writes from now on is not read
      break;
    }
  }
  if (!f.stopped && !utf8.finish()) {
    sx_answer_cut(s);
    die(fmt::format("<stdin>: invalid UTF-8 at {} (the input ends inside a character)", utf8.where()));
  }
  return f;
}

int run(const Args &a, bool chunk_only) {
  if (a.rate < 0) die("--rate must be ≥ 0");
  if (!(a.timeout > 0)) die("--timeout must be > 0");
  if (!(a.session_timeout >= 0)) die("--session-timeout must be ≥ 0");
  if (a.output_cap_kb == 0) die("--output-cap must be > 0");
  if (a.policy != "stop" && a.policy != "continue") die(fmt::format("unknown --policy '{}' (stop, continue)", a.policy));
  if (!a.display_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.display_dir, ec);
    if (!std::filesystem::is_directory(a.display_dir))
      die(fmt::format("--display-dir '{}': not a directory{}", a.display_dir, ec ? ": " + ec.message() : ""));
  }

  sx::cli::Printer printer;
  printer.json = a.json;
  printer.chunk_only = chunk_only;
  printer.display_dir = a.display_dir;
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
  opt.on_event = sx::cli::Printer::on_event;
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
  sx::cli::GateRules rules;
  try {
    for (const auto &p : a.hold) rules.hold.emplace_back(std::regex(p), p);
    for (const auto &p : a.skip) rules.skip.emplace_back(std::regex(p), p);
  } catch (const std::regex_error &e) {
    die(fmt::format("bad --hold/--skip pattern: {}", e.what()));
  }
  rules.hold_unsafe = a.hold_unsafe;
  if (!rules.empty()) {
    opt.gate = sx::cli::gate_fn;
    opt.gate_user = &rules;
  }
  sx_session *s = nullptr;
  int rc = sx_session_new(&opt, &s);
  if (rc != SX_OK) die(fmt::format("cannot create session: {}: {}", sx_strerror(rc), sx_last_error()));

  Fed f;
  try {
    f = a.file == "-" ? feed_stdin(a, chunk_only, s) : feed_file(a, chunk_only, s);
  } catch (const std::exception &e) {
    die(e.what());
  }
  // Generation stopped: the unit being written is cut, not run.
  if (f.stopped) sx_answer_cut(s);
  sx_finish(s);
  sx_session_free(s);

  if (!a.json && !chunk_only) {
    const sx_report &r = printer.report();
    auto sec = [](double ms) { return ms / 1000; };
    double rate = a.file == "-" ? 0 : a.rate;
    fmt::print("\n── latency report ({}) ─────────────────────────\n",
               a.serial ? "serial: generate, then execute" : "streamed execution");
    if (a.file == "-")
      fmt::print("pieces fed                     {} (standard input, as it arrived)\n", f.fed);
    else
      fmt::print("tokens fed                     {} of {} ({} split, {})\n", f.fed, f.total, a.split,
                 rate > 0 ? fmt::format("{:g} tok/s", rate) : std::string("as fast as possible"));
    fmt::print("generation        T_gen        {:8.3f} s\n", sec(r.t_gen_ms));
    fmt::print("execution         T_exec       {:8.3f} s  (units and program ends)\n", sec(r.t_exec_ms));
    fmt::print("end to end        E2E          {:8.3f} s  (measured)\n", sec(r.e2e_ms));
    fmt::print("serial            T_gen+T_exec {:8.3f} s\n", sec(r.serial_e2e_ms));
    fmt::print("non-overlapped    E2E-T_gen    {:8.3f} s\n", sec(r.non_overlapped_ms));
    fmt::print("physical limit                 {:8.3f} s  (E2E/limit = {:.3f})\n", sec(r.limit_ms),
               r.limit_ms > 0 ? r.e2e_ms / r.limit_ms : 0.0);
    fmt::print("units {}  errors {}  skipped {}{}\n", r.units, r.errors, r.skipped,
               r.cut ? fmt::format("  cut {}", r.cut) : std::string());
    if (!printer.sandbox_missing().empty())
      fmt::print("sandbox: missing {} — see `streamexec doctor`\n", printer.sandbox_missing());
    if (f.stopped && a.file != "-") {
      double per_tok = rate > 0 ? 1.0 / rate : 0;
      std::size_t saved = f.total - f.fed;
      fmt::print("stopped generation early: {} tokens not generated (≈ {:.2f} s saved)\n", saved,
                 static_cast<double>(saved) * per_tok);
    } else if (f.stopped) {
      fmt::print("stopped reading standard input at the first failure\n");
    }
  }
  return printer.failures() > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"streamexec — execute LLM-generated code while it is being streamed"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("streamexec ") + sx_version());
  Args a;
  auto add_common = [&](CLI::App *c) {
    c->add_option("file", a.file,
                  "input file (markdown answer or source); - (the default): standard input, fed as it arrives "
                  "(--split and --rate apply to files)");
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
  // Repeatable options take one value per flag: `--hold PAT file.md` is one
  // pattern and a file.
  runc->add_option("--hold", a.hold,
                   "gate: units whose code matches this regex run after the answer is complete; repeatable")
      ->allow_extra_args(false);
  runc->add_option("--skip", a.skip, "gate: units whose code matches this regex never run; repeatable")
      ->allow_extra_args(false);
  runc->add_flag("--hold-unsafe", a.hold_unsafe,
                 "gate: hold units that delete files, start processes or open connections (from the unit's uses; "
                 "a convenience against accidents, not a security boundary: the sandbox is)");
  runc->add_option("--env", a.env,
                   "NAME=VALUE or NAME (the host's value): a variable the workers get (their environment is "
                   "otherwise only PATH, LANG, LC_*, TZ, HOME=TMPDIR=/tmp); repeatable")
      ->allow_extra_args(false);
  runc->add_option("--network", a.network, "none: loopback only (default) | host: the host's network")
      ->capture_default_str();
  runc->add_option("--allow-write", a.allow_write,
                   "a host directory the units may write (all else is read-only but the scratch /tmp); repeatable")
      ->allow_extra_args(false);
  runc->add_option("--scratch-size", a.scratch_mb, "size of the scratch tmpfs (/tmp, the units' cwd) in MiB")
      ->capture_default_str();
  runc->add_option("--display-dir", a.display_dir,
                   "write the images units display (matplotlib figures) here, as unit<ID>-<N>.png, and print "
                   "their paths (--json carries them base64)");
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
