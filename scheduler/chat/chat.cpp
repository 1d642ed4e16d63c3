// sx_chat and sx_replay (include/streamexec.h): a live model's stream into a
// session, stop at the first failure, repair rounds; recordings and their
// replay (docs/DESIGN.md §9).
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scheduler/capi_internal.h"
#include "scheduler/chat/openai.h"
#include "scheduler/chat/recording.h"
#include "streamexec.h"

namespace {

using Clock = std::chrono::steady_clock;

sx_chat_options chat_defaults() {
  sx_chat_options o{};
  o.struct_size = sizeof o;
  o.api_key_env = "OPENAI_API_KEY";
  o.temperature = -1;
  o.repair = 2;
  o.connect_timeout_s = 10;
  o.idle_timeout_s = 60;
  o.max_retries = 3;
  o.retry_max_wait_s = 30;
  return o;
}

bool failed_status(sx::Status st) {
  return st != sx::Status::Ok && st != sx::Status::Skipped && st != sx::Status::Cut && st != sx::Status::Gated;
}

// What the repair message needs, gathered from the answer's events.
struct Watch {
  struct UnitSeen {
    std::vector<std::string> defines;
    std::string code;
    std::uint64_t end = 0;
    std::uint32_t line = 0;
    sx::Lang lang = sx::Lang::Unknown;
  };
  std::mutex mu;
  int answer = -1;
  std::map<std::int64_t, UnitSeen> units;
  bool failed = false;
  std::string lang, type, message, traceback, code, where, stop_reason;
  std::vector<std::string> dead_names;  // JS: let/const/class of the failed unit, left uninitialised
  std::uint32_t line = 0;
  std::uint64_t end_offset = 0;
  bool has_offset = false;
  std::string output;  // this answer's stdout/stderr, first and last parts if long
  std::size_t output_dropped = 0;

  void reset(int a) {
    std::lock_guard<std::mutex> lk(mu);
    answer = a;
    units.clear();
    failed = has_offset = false;
    lang = type = message = traceback = code = where = stop_reason = output = "";
    dead_names.clear();
    line = 0;
    end_offset = 0;
    output_dropped = 0;
  }

  // Returns true if the event is the answer's first failure.
  bool see(const sx::Event &e) {
    std::lock_guard<std::mutex> lk(mu);
    if (e.answer != answer) return false;
    switch (e.kind) {
      case sx::EventKind::UnitClosed:
        units[e.unit.id] = {e.unit.defines, e.unit.code, e.unit.end, e.unit.begin.line, e.unit.lang};
        return false;
      case sx::EventKind::Output: {
        constexpr std::size_t kHead = 2048, kTail = 6144;
        output += e.text;
        if (output.size() > kHead + kTail + 1024) {
          std::size_t cut = output.size() - kHead - kTail;
          output.erase(kHead, cut);
          output_dropped += cut;
        }
        return false;
      }
      case sx::EventKind::StopAdvised:
        if (stop_reason.empty()) stop_reason = e.text;
        return !failed;
      case sx::EventKind::UnitDone:
      case sx::EventKind::ProgramDone: {
        const sx::Result &r = e.result;
        if (failed || !failed_status(r.status)) return false;
        failed = true;
        lang = sx::lang_name(e.lang);
        type = r.has_error ? r.error.type : sx::status_name(r.status);
        message = r.has_error ? r.error.message : r.note;
        if (r.has_exit_code && message.empty()) message = fmt::format("exit code {}", r.exit_code);
        if (r.signal) message += fmt::format("{}killed by signal {}", message.empty() ? "" : "; ", r.signal);
        traceback = r.has_error ? r.error.traceback : "";
        line = r.has_error && r.error.line > 0 ? static_cast<std::uint32_t>(r.error.line) : 0;
        if (e.kind == sx::EventKind::UnitDone) {
          auto it = units.find(e.unit_id);
          if (it != units.end()) {
            code = it->second.code;
            end_offset = it->second.end;
            // A top-level let/const/class whose unit threw stays in its
            // temporal dead zone for good: the name cannot be declared again.
            auto starts = [&](const char *kw) { return code.rfind(kw, 0) == 0; };
            if (e.lang == sx::Lang::JavaScript && r.status == sx::Status::Error &&
                (starts("const ") || starts("let ") || starts("class ")))
              dead_names = it->second.defines;
            has_offset = true;
            if (!line) line = it->second.line;
          } else if (!e.unit.code.empty()) {
            code = e.unit.code;  // a syntax error: the text that does not parse
          }
          where = "the unit below";
        } else {
          where = "the end of the program (after its last unit: main, the event loop, exit handlers)";
        }
        return true;
      }
      default: return false;
    }
  }
};

// The user message of a repair round.
std::string repair_message(Watch &w) {
  std::lock_guard<std::mutex> lk(w.mu);
  std::string m = "Executing your answer stopped at a failure.\n\n";
  if (w.failed) {
    m += fmt::format("{}: {}\n", w.type, w.message);
    m += fmt::format("Where: {}{}{}.\n", w.where, w.line ? fmt::format(", line {} of your answer", w.line) : "",
                     w.lang.empty() ? "" : fmt::format(" ({})", w.lang));
    if (!w.code.empty()) m += fmt::format("\nThe failing code:\n```{}\n{}\n```\n", w.lang, w.code);
    if (!w.traceback.empty()) m += fmt::format("\nTraceback:\n```\n{}\n```\n", w.traceback);
    if (!w.dead_names.empty()) {
      std::string names;
      for (const auto &n : w.dead_names) names += (names.empty() ? "`" : ", `") + n + "`";
      m += fmt::format(
          "\nIn JavaScript a let/const/class whose initialiser threw stays uninitialised and cannot be "
          "declared again: use another name than {}.\n",
          names);
    }
  } else {
    m += w.stop_reason.empty() ? "A unit failed.\n" : w.stop_reason + "\n";
  }
  if (!w.output.empty()) {
    m += "\nOutput so far:\n```\n" + w.output;
    if (w.output_dropped) m += fmt::format("\n[{} bytes of output left out in the middle]", w.output_dropped);
    m += "\n```\n";
  }
  m += "\nThe session keeps the state of the code that ran successfully (variables, functions, imports, "
       "files). Continue from the failure: write the corrected code and what comes after it, not the code "
       "that already ran.";
  return m;
}

void emit_model(sx_session *s, sx::EventKind kind, const sx::ModelInfo &m) {
  sx::Event e;
  e.kind = kind;
  e.model = m;
  s->core->emit(e);
}

sx::ModelInfo stream_end_info(int round, const sx::chat::StreamEnd &end) {
  sx::ModelInfo m;
  m.round = round;
  m.reason = sx::chat::reason_name(end.reason);
  m.tokens = end.deltas;
  m.cut_tokens = end.dropped;
  m.error = end.error;
  m.finish_reason = end.finish_reason;
  m.t_first_ms = end.t_first_ms;
  m.t_end_ms = end.t_end_ms;
  return m;
}

// Feeds the deltas of one round and watches for the stop.
class Feeder : public sx::chat::StreamHandler {
 public:
  Feeder(sx_session *s, sx::chat::Recorder *rec, int round) : s_(s), rec_(rec), round_(round) {}
  bool on_content(std::string_view piece, double t_ms) override {
    if (rec_) rec_->write({{"type", "delta"}, {"round", round_}, {"t_ms", t_ms}, {"content", piece}});
    text.append(piece);
    int rc = sx_feed(s_, piece.data(), piece.size());
    if (rc < 0) feed_error = rc;
    return rc == SX_OK;
  }
  void on_reasoning(std::string_view piece, double t_ms) override {
    if (rec_) rec_->write({{"type", "reasoning"}, {"round", round_}, {"t_ms", t_ms}, {"content", piece}});
  }
  bool should_stop() override { return s_->core->stop_advised(); }
  std::string text;  // the answer as fed
  int feed_error = 0;

 private:
  sx_session *s_;
  sx::chat::Recorder *rec_;
  int round_;
};

// Ends the answer of a round: a complete one ends; one that was stopped at a
// failure is cut and its queued units are skipped (they come after the
// failure); one that broke off or hit the token limit is cut after the units
// it completed have run (they are whole code the model wrote). The unit being
// written never runs.
int end_round(sx_session *s, bool complete, bool skip_queued) {
  if (complete) return sx_answer_end(s);
  if (skip_queued) return sx_answer_cut(s);
  try {
    return s->core->answer_cut(false) ? SX_STOP : SX_OK;
  } catch (const std::exception &e) {
    s->errmsg = e.what();
    sx_set_last_error(e.what());
    return SX_EINTERNAL;
  }
}

int misuse(sx_session *s, const char *what) {
  std::string why = fmt::format("{}: not allowed {}", what,
                                s->finished ? "after sx_finish" : "from the session's own event callback");
  s->errmsg = why;
  sx_set_last_error(why);
  return SX_EMISUSE;
}

}  // namespace

extern "C" {

void sx_chat_options_init_size(sx_chat_options *opt, size_t size) {
  if (!opt) return;
  sx_chat_options d = chat_defaults();
  std::memcpy(opt, &d, std::min(size, sizeof d));
  opt->struct_size = size;
}

int sx_chat(sx_session *s, const sx_chat_options *opt, const char *prompt) {
  if (!s || !opt || !prompt) {
    sx_set_last_error("sx_chat: session, options and prompt must not be NULL");
    return SX_EINVAL;
  }
  if (s->finished || s->in_own_callback()) return misuse(s, "sx_chat");
  if (opt->struct_size < offsetof(sx_chat_options, retry_max_wait_s) + sizeof(double) ||
      opt->struct_size > sizeof(sx_chat_options)) {
    sx_set_last_error("sx_chat: options not filled by sx_chat_options_init (struct_size)");
    return SX_EINVAL;
  }
  if (!opt->base_url || !*opt->base_url || !opt->model || !*opt->model) {
    sx_set_last_error("sx_chat: base_url and model are required");
    return SX_EINVAL;
  }
  sx::chat::Request req;
  req.base_url = opt->base_url;
  req.model = opt->model;
  req.api_key_env = opt->api_key_env && *opt->api_key_env ? opt->api_key_env : "OPENAI_API_KEY";
  if (const char *k = std::getenv(req.api_key_env.c_str())) {
    req.api_key_set = true;
    req.api_key = k;
  }
  req.temperature = opt->temperature;
  req.max_tokens = opt->max_tokens;
  req.connect_timeout_s = opt->connect_timeout_s > 0 ? opt->connect_timeout_s : 10;
  req.idle_timeout_s = opt->idle_timeout_s > 0 ? opt->idle_timeout_s : 60;
  req.max_retries = std::max(0, opt->max_retries);
  req.retry_max_wait_s = opt->retry_max_wait_s > 0 ? opt->retry_max_wait_s : 30;
  if (opt->system && *opt->system) req.messages.push_back({"system", opt->system});
  req.messages.push_back({"user", prompt});

  sx::chat::Recorder rec;
  if (opt->record_path && *opt->record_path) {
    std::string err;
    if (!rec.open(opt->record_path, &err)) {
      sx_set_last_error(err);
      return SX_EINVAL;
    }
    rec.write({{"type", "header"},
               {"version", 1},
               {"streamexec", sx_version()},
               {"base_url", req.base_url},
               {"model", req.model}});
  }
  Watch watch;
  sx::chat::Waker waker;
  {
    std::lock_guard<std::mutex> lk(s->tap_mu);
    s->tap = [&](const sx::Event &e) {
      if (watch.see(e)) waker.wake();
      if (rec.is_open()) {
        // The event's JSON as the library makes it, not parsed and dumped again.
        rec.write_line("{\"event\":" + sx::event_to_json(e) + ",\"type\":\"event\"}");
      }
    };
  }
  struct Untap {
    sx_session *s;
    ~Untap() {
      std::lock_guard<std::mutex> lk(s->tap_mu);
      s->tap = nullptr;
    }
  } untap{s};

  int rounds = std::max(0, opt->repair) + 1;
  for (int round = 0; round < rounds; ++round) {
    watch.reset(s->core->answer());
    std::string body = sx::chat::request_body(req);
    sx::ModelInfo mi;
    mi.round = round;
    mi.request_bytes = body.size();
    if (rec.is_open())
      rec.write({{"type", "request"},
                 {"round", round},
                 {"url", sx::chat::request_url(req)},
                 {"body", nlohmann::json::parse(body, nullptr, false)}});
    emit_model(s, sx::EventKind::ModelRequest, mi);
    Feeder feeder(s, rec.is_open() ? &rec : nullptr, round);
    sx::chat::StreamEnd end = sx::chat::stream_chat(req, feeder, &waker);
    sx::ModelInfo me = stream_end_info(round, end);
    if (rec.is_open()) {
      nlohmann::json j = {{"type", "end"},       {"round", round},      {"t_ms", end.t_end_ms},
                          {"reason", me.reason}, {"tokens", me.tokens}, {"cut_tokens", me.cut_tokens}};
      if (!me.error.empty()) j["error"] = me.error;
      if (!me.finish_reason.empty()) j["finish_reason"] = me.finish_reason;
      rec.write(j);
    }
    emit_model(s, sx::EventKind::ModelStreamEnd, me);
    int rc = end_round(s, end.reason == sx::chat::StreamEnd::Reason::Done,
                       end.reason == sx::chat::StreamEnd::Reason::Stopped);
    if (rc < 0) return rc;
    if (feeder.feed_error < 0) return feeder.feed_error;
    if (end.reason == sx::chat::StreamEnd::Reason::Error) {
      sx_set_last_error(end.error);
      s->errmsg = end.error;
      return SX_EHTTP;
    }
    bool failed = rc == SX_STOP;
    if (!failed) return SX_OK;
    if (round + 1 == rounds) return SX_STOP;
    // The answer up to the end of the failing unit, then the error.
    std::string prefix = feeder.text;
    {
      std::lock_guard<std::mutex> lk(watch.mu);
      if (watch.has_offset && watch.end_offset <= prefix.size()) prefix.resize(watch.end_offset);
    }
    req.messages.push_back({"assistant", prefix});
    req.messages.push_back({"user", repair_message(watch)});
  }
  return SX_STOP;
}

int sx_replay(sx_session *s, const char *path, double speed) {
  if (!s || !path) {
    sx_set_last_error("sx_replay: session and path must not be NULL");
    return SX_EINVAL;
  }
  if (s->finished || s->in_own_callback()) return misuse(s, "sx_replay");
  if (!(speed >= 0) || std::isinf(speed)) {
    sx_set_last_error("sx_replay: speed must be >= 0 (0: no waiting)");
    return SX_EINVAL;
  }
  std::vector<sx::chat::RecordedRound> rounds;
  std::string err;
  if (!sx::chat::read_recording(path, &rounds, &err)) {
    sx_set_last_error(err);
    return SX_EINVAL;
  }
  bool any_failed = false;
  for (const auto &r : rounds) {
    sx::ModelInfo mi;
    mi.round = r.round;
    mi.request_bytes = r.request_bytes;
    emit_model(s, sx::EventKind::ModelRequest, mi);
    auto t0 = Clock::now();
    for (const auto &d : r.deltas) {
      if (speed > 0) std::this_thread::sleep_until(t0 + std::chrono::duration<double, std::milli>(d.t_ms / speed));
      // Every recorded delta is fed, whatever the session says: the
      // recording is what the model wrote and the client fed.
      int rc = sx_feed(s, d.content.data(), d.content.size());
      if (rc < 0) return rc;
    }
    sx::ModelInfo me;
    me.round = r.round;
    me.reason = r.reason;
    me.tokens = r.deltas.size();
    me.cut_tokens = r.cut_tokens;
    me.error = r.error;
    me.finish_reason = r.finish_reason;
    me.t_first_ms = r.deltas.empty() ? -1 : r.deltas.front().t_ms;
    me.t_end_ms = r.t_end_ms;
    emit_model(s, sx::EventKind::ModelStreamEnd, me);
    // Every recorded delta was fed, so the units a stopped round closed run
    // here too (live, those queued behind its failure were skipped by the
    // failure's stop policy, as they are here).
    int rc = end_round(s, r.has_end && r.reason == "done", false);
    if (rc < 0) return rc;
    if (rc == SX_STOP) any_failed = true;
  }
  return any_failed ? SX_STOP : SX_OK;
}

}  // extern "C"
