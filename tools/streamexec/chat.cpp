// `streamexec chat` and `streamexec replay` (chat.h).
#include "tools/streamexec/chat.h"

#include <cstdio>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "streamexec.h"
#include "tools/streamexec/input.h"
#include "tools/streamexec/printer.h"

namespace sx::cli {

namespace {

// Per round, from the model events (for the summary).
struct Rounds {
  Printer *printer = nullptr;
  struct Round {
    std::string reason, error;
    std::uint64_t tokens = 0, cut = 0;
    double t_end = 0;
  };
  std::vector<Round> rounds;
  double t_first_failure = -1;
  int answer_of_failure = -1;
  std::vector<double> t_failure;  // per answer, first failure time

  static void on_event(void *user, const sx_event *ev) {
    auto *r = static_cast<Rounds *>(user);
    if (ev->kind == SX_EVENT_MODEL_STREAM_END) {
      r->rounds.push_back(
          {ev->model_reason, std::string(ev->text, ev->text_len), ev->model_tokens, ev->model_cut_tokens, ev->t_ms});
    }
    if ((ev->kind == SX_EVENT_UNIT_DONE || ev->kind == SX_EVENT_PROGRAM_DONE) && ev->status != SX_STATUS_OK &&
        ev->status != SX_STATUS_SKIPPED && ev->status != SX_STATUS_GATED && ev->status != SX_STATUS_CUT) {
      if (r->t_failure.size() <= static_cast<std::size_t>(ev->answer)) r->t_failure.resize(ev->answer + 1, -1);
      if (r->t_failure[ev->answer] < 0) r->t_failure[ev->answer] = ev->t_ms;
    }
    Printer::on_event(r->printer, ev);
  }

  void summary(bool live) const {
    fmt::print("\n── model rounds ─────────────────────────────────────\n");
    for (std::size_t i = 0; i < rounds.size(); ++i) {
      const Round &r = rounds[i];
      fmt::print("round {}: {}, {} deltas fed", i, r.reason, r.tokens);
      if (r.cut) fmt::print(", {} received after the stop and dropped", r.cut);
      if (live && r.reason == "stopped" && i < t_failure.size() && t_failure[i] >= 0)
        fmt::print("; stream closed {:.1f} ms after the failure", r.t_end - t_failure[i]);
      if (!r.error.empty()) fmt::print(": {}", r.error);
      fmt::print("\n");
    }
  }
};

// A session whose events go to the printer through `rounds`. `so` must
// outlive the session (the gate's rules live in it).
sx_session *new_session(SessionOptions &so, Rounds *rounds) {
  so.opt.on_event = &Rounds::on_event;
  so.opt.user = rounds;
  so.opt.queue_events = 0;
  sx_session *s = nullptr;
  int rc = sx_session_new(&so.opt, &s);
  if (rc != SX_OK) die(fmt::format("cannot create session: {}: {}", sx_strerror(rc), sx_last_error()));
  return s;
}

int finish_session(sx_session *s, int rc, bool json, const Rounds &rounds, bool live) {
  int frc = sx_finish(s);
  sx_session_free(s);
  if (!json) rounds.summary(live);
  if (rc == SX_EHTTP) return 3;
  if (rc < 0) return 2;
  return rc == SX_STOP || frc == SX_STOP ? 1 : 0;
}

}  // namespace

CLI::App *add_chat_command(CLI::App &app, ChatArgs &a) {
  auto *c = app.add_subcommand(
      "chat", "ask a model (an OpenAI-compatible streaming API) and execute its answer while it streams");
  c->add_option("prompt", a.prompt, "the prompt; - (the default): read it from standard input");
  c->add_option("--base-url", a.base_url,
                "the API's base URL: https://api.openai.com/v1, http://127.0.0.1:8080/v1 (llama-server), "
                "http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:1234/v1 "
                "(LM Studio)")
      ->required();
  c->add_option("--model", a.model, "the model's name")->required();
  c->add_option("--api-key-env", a.api_key_env, "the environment variable that holds the API key")
      ->capture_default_str();
  c->add_option("--system", a.system, "a system message");
  c->add_option("--repair", a.repair, "rounds that send a failure back to the model for a corrected answer")
      ->capture_default_str();
  c->add_option("--record", a.record, "write a recording (JSON lines) to replay with `streamexec replay`");
  c->add_option("--temperature", a.temperature, "sampling temperature (default: the server's)");
  c->add_option("--max-tokens", a.max_tokens, "the answer's token limit (default: the server's)");
  c->add_option("--idle-timeout", a.idle_timeout_s, "seconds without a byte from the server before giving up")
      ->capture_default_str();
  c->add_option("--connect-timeout", a.connect_timeout_s, "seconds to connect")->capture_default_str();
  c->add_option("--retries", a.max_retries, "retries of a 429 or 5xx answer before anything streamed")
      ->capture_default_str();
  c->add_flag("--json", a.json, "one JSON object per event on stdout");
  c->add_option("--display-dir", a.display_dir, "write the images units display here (as `run`)");
  add_mode_options(c, a.exec);
  add_exec_options(c, a.exec);
  return c;
}

CLI::App *add_replay_command(CLI::App &app, ReplayArgs &a) {
  auto *c = app.add_subcommand("replay", "feed a recording of `streamexec chat --record` again, with its timing");
  c->add_option("file", a.file, "the recording (.jsonl)")->required();
  c->add_option("--speed", a.speed, "timing divided by this (2: twice as fast; 0: no waiting)")->capture_default_str();
  c->add_option("--rate", a.rate, "0: no waiting (as --speed 0)");
  c->add_flag("--json", a.json, "one JSON object per event on stdout");
  add_mode_options(c, a.exec);
  add_exec_options(c, a.exec);
  return c;
}

int chat(const ChatArgs &a) {
  std::string prompt = a.prompt;
  if (prompt == "-") prompt.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  if (prompt.empty()) die("the prompt is empty");
  Printer printer;
  printer.json = a.json;
  printer.display_dir = a.display_dir;
  Rounds rounds;
  rounds.printer = &printer;
  SessionOptions so(a.exec, "", true);
  sx_session *s = new_session(so, &rounds);
  sx_chat_options co;
  sx_chat_options_init(&co);
  co.base_url = a.base_url.c_str();
  co.model = a.model.c_str();
  co.api_key_env = a.api_key_env.c_str();
  co.system = a.system.empty() ? nullptr : a.system.c_str();
  co.repair = a.repair;
  co.record_path = a.record.empty() ? nullptr : a.record.c_str();
  co.temperature = a.temperature;
  co.max_tokens = a.max_tokens;
  co.idle_timeout_s = a.idle_timeout_s;
  co.connect_timeout_s = a.connect_timeout_s;
  co.max_retries = a.max_retries;
  int rc = sx_chat(s, &co, prompt.c_str());
  std::string err = rc < 0 ? sx_last_error() : "";
  int status = finish_session(s, rc, a.json, rounds, true);
  if (rc < 0) fmt::print(stderr, "streamexec: chat: {}: {}\n", sx_strerror(rc), err);
  return status;
}

int replay(const ReplayArgs &a) {
  double speed = a.rate == 0 ? 0 : a.speed;
  if (!(speed >= 0)) die("--speed must be >= 0");
  Printer printer;
  printer.json = a.json;
  Rounds rounds;
  rounds.printer = &printer;
  SessionOptions so(a.exec, "", true);
  sx_session *s = new_session(so, &rounds);
  int rc = sx_replay(s, a.file.c_str(), speed);
  std::string err = rc < 0 ? sx_last_error() : "";
  if (rc == SX_EINVAL) {
    sx_session_free(s);
    die(err);
  }
  int status = finish_session(s, rc, a.json, rounds, false);
  if (rc < 0) fmt::print(stderr, "streamexec: replay: {}: {}\n", sx_strerror(rc), err);
  return status;
}

}  // namespace sx::cli
