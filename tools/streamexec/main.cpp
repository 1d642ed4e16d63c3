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
#include "tools/streamexec/chat.h"
#include "tools/streamexec/doctor.h"
#include "tools/streamexec/gate.h"
#include "tools/streamexec/input.h"
#include "tools/streamexec/options.h"
#include "tools/streamexec/printer.h"

namespace {

struct Args {
  std::string file = "-";
  double rate = 50;
  std::string split;  // "" = bpe, or whole for `run` at --rate 0 (nothing to pace)
  bool json = false;
  bool keep_feeding = false;
  std::string bpe_file;
  std::string display_dir;
  sx::cli::ExecArgs exec;
};

using sx::cli::die;

// Feeds the answer: a file cut into tokens at --rate, or standard input as
// it arrives (its pieces and their timing are the model's own). Stops
// feeding at the first failure (unless --keep-feeding) and cuts the answer
// there. Returns (pieces fed, pieces of the whole answer, stopped).
struct Fed {
  std::size_t fed = 0, total = 0;
  bool stopped = false;
};

// The split of a file: --split, else o200k BPE tokens — but `run --rate 0`
// feeds the file as it is: with nothing to pace, cutting it into tokens only
// costs the tokenizer's start (~30 ms), and the units are the same whatever
// the split (split invariance, docs/DESIGN.md §3).
std::string split_of(const Args &a, bool chunk_only) {
  if (!a.split.empty()) return a.split;
  return !chunk_only && a.rate == 0 ? "whole" : "bpe";
}

Fed feed_file(const Args &a, const std::string &data, bool chunk_only, sx_session *s) {
  sx::cli::Utf8Check utf8;
  if (!utf8.feed(data) || !utf8.finish()) die(fmt::format("{}: invalid UTF-8 at {}", a.file, utf8.where()));
  std::vector<std::string> tokens = sx::cli::split_input(data, split_of(a, chunk_only), a.bpe_file);
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
  sx::cli::SessionOptions so(a.exec, a.file, !chunk_only);
  sx_options &opt = so.opt;
  opt.on_event = sx::cli::Printer::on_event;
  opt.user = &printer;
  opt.queue_events = 0;
  // The file, read once. A markdown file's workers start at once, and only
  // those of the languages it has fences of (not Python by default: on a
  // small machine a worker no unit needs slows the start of the one that
  // runs the answer).
  std::string data;
  if (a.file != "-") {
    try {
      data = sx::cli::read_file(a.file);
    } catch (const std::exception &e) {
      die(e.what());
    }
    if (opt.mode == SX_MODE_MARKDOWN && !chunk_only) opt.prestart = sx::cli::fence_languages(data);
  }
  sx_session *s = nullptr;
  int rc = sx_session_new(&opt, &s);
  if (rc != SX_OK) die(fmt::format("cannot create session: {}: {}", sx_strerror(rc), sx_last_error()));

  Fed f;
  try {
    f = a.file == "-" ? feed_stdin(a, chunk_only, s) : feed_file(a, data, chunk_only, s);
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
               a.exec.serial ? "serial: generate, then execute" : "streamed execution");
    if (a.file == "-")
      fmt::print("pieces fed                     {} (standard input, as it arrived)\n", f.fed);
    else
      fmt::print("tokens fed                     {} of {} ({} split, {})\n", f.fed, f.total, split_of(a, chunk_only),
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
    sx::cli::add_mode_options(c, a.exec);
    c->add_option("--split", a.split,
                  "tokenisation: bpe (o200k; the default) | byte | line | whole | random[:SEED]; "
                  "run --rate 0 feeds the file whole unless --split is given");
    c->add_option("--bpe-file", a.bpe_file, "o200k_base.json (default: installed by scripts/setup)");
    c->add_flag("--json", a.json, "one JSON object per event on stdout");
  };
  auto *runc = app.add_subcommand("run", "stream a file as an LLM would and execute it");
  add_common(runc);
  runc->add_option("--rate", a.rate, "tokens per second (0 = as fast as possible)")->capture_default_str();
  runc->add_flag("--keep-feeding", a.keep_feeding, "keep streaming after a stop is advised");
  runc->add_option("--display-dir", a.display_dir,
                   "write the images units display (matplotlib figures) here, as unit<ID>-<N>.png, and print "
                   "their paths (--json carries them base64)");
  sx::cli::add_exec_options(runc, a.exec);
  sx::cli::ChatArgs chat_args;
  auto *chatc = sx::cli::add_chat_command(app, chat_args);
  sx::cli::ReplayArgs replay_args;
  auto *replayc = sx::cli::add_replay_command(app, replay_args);
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
  if (chatc->parsed()) return sx::cli::chat(chat_args);
  if (replayc->parsed()) return sx::cli::replay(replay_args);
  return run(a, chunkc->parsed());
}
