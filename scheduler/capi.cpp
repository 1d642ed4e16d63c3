// The C API (include/streamexec.h) over sx::Session. No exception crosses
// this boundary.
#include "streamexec.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <dlfcn.h>
#include <filesystem>
#include <unistd.h>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "backends/jupyter/gateway_url.h"
#include "scheduler/capi_internal.h"
#include "scheduler/chat/curl_api.h"
#include "scheduler/pool.h"
#include "scheduler/session.h"

namespace {

// sx_event plus the storage its pointers refer to. `pub` is first, so an
// sx_event* from sx_next_event is also an EventBox*.
struct EventBox {
  sx_event pub{};
  std::string lang, stream, json, missing;
  // Typed fields: point into the event itself (kept here).
  sx::Event ev;
  sx_report report{};
  std::vector<const char *> mime_types, mime_data;
  std::vector<size_t> mime_len;

  explicit EventBox(const sx::Event &e) : ev(e) {
    json = sx::event_to_json(e);
    lang = e.lang == sx::Lang::Unknown ? "" : sx::lang_name(e.lang);
    stream = e.stream;
    const sx::Result &r = ev.result;
    bool has_result = e.kind == sx::EventKind::UnitDone || e.kind == sx::EventKind::ProgramDone;
    // `text` points into the kept event (not a copy of a copy).
    const std::string *text = &ev.text;
    switch (e.kind) {
      case sx::EventKind::UnitClosed: text = &ev.unit.code; break;
      case sx::EventKind::UnitDone:
      case sx::EventKind::ProgramDone: text = r.has_error ? &r.error.message : r.has_value ? &r.value_repr : &r.note; break;
      default: break;
    }
    pub.kind = static_cast<sx_event_kind>(e.kind);
    pub.t_ms = e.t_ms;
    pub.unit_id = e.unit_id;
    pub.status = has_result ? static_cast<sx_status>(r.status) : SX_STATUS_OK;
    if (e.kind == sx::EventKind::AnswerDone && e.report.was_cut) pub.status = SX_STATUS_CUT;
    if (e.kind == sx::EventKind::FenceSkipped) stream.clear();
    pub.lang = lang.c_str();
    pub.stream = stream.c_str();
    pub.json = json.c_str();
    pub.json_len = json.size();
    pub.struct_size = sizeof(sx_event);
    pub.answer = e.answer;
    bool with_code = e.kind == sx::EventKind::UnitClosed || (has_result && r.status == sx::Status::Cut);
    pub.code = with_code ? ev.unit.code.c_str() : "";
    pub.code_len = with_code ? ev.unit.code.size() : 0;
    pub.line = e.kind == sx::EventKind::UnitClosed || e.kind == sx::EventKind::FenceSkipped ? e.unit.begin.line : 0;
    bool err = has_result && r.has_error;
    pub.error_type = err ? r.error.type.c_str() : "";
    pub.error_message = err ? r.error.message.c_str() : "";
    pub.error_line = err && r.error.line > 0 ? static_cast<uint32_t>(r.error.line) : 0;
    pub.traceback = err ? r.error.traceback.c_str() : "";
    pub.has_value = has_result && r.has_value;
    pub.value_repr = pub.has_value ? r.value_repr.c_str() : "";
    pub.has_exit_code = has_result && r.has_exit_code;
    pub.exit_code = pub.has_exit_code ? r.exit_code : 0;
    pub.signal = has_result ? r.signal : 0;
    pub.duration_ms = e.kind == sx::EventKind::UnitDone      ? r.exec_ms
                      : e.kind == sx::EventKind::ProgramDone ? r.exec_ms
                      : e.kind == sx::EventKind::AnswerDone  ? e.report.e2e_ms
                                                             : 0;
    pub.note = has_result ? r.note.c_str() : "";
    pub.unit_kind = e.kind == sx::EventKind::UnitClosed ? sx::unit_kind_name(e.unit.kind) : "";
    pub.offset = e.kind == sx::EventKind::UnitClosed ? e.unit.begin.offset : 0;
    pub.end_offset = e.kind == sx::EventKind::UnitClosed ? e.unit.end : 0;
    pub.error_col = err && r.status == sx::Status::SyntaxError && e.syntax.at.line > 0 ? e.syntax.at.col + 1 : 0;
    pub.fence = e.kind == sx::EventKind::UnitClosed || e.kind == sx::EventKind::FenceSkipped ||
                        e.kind == sx::EventKind::ProgramDone
                    ? e.unit.fence
                    : -1;
    const sx::MimeBundle *bundle = e.kind == sx::EventKind::Display ? &ev.mime
                                   : e.kind == sx::EventKind::UnitDone ? &ev.result.value_mime
                                                                        : nullptr;
    if (bundle && !bundle->empty()) {
      for (const auto &[type, data] : *bundle) {
        mime_types.push_back(type.c_str());
        mime_data.push_back(data.c_str());
        mime_len.push_back(data.size());
        if (e.kind == sx::EventKind::Display && type == "text/plain") text = &data;
      }
      pub.n_mime = mime_types.size();
      pub.mime_types = mime_types.data();
      pub.mime_data = mime_data.data();
      pub.mime_len = mime_len.data();
    }
    bool model = e.kind == sx::EventKind::ModelRequest || e.kind == sx::EventKind::ModelStreamEnd;
    if (e.kind == sx::EventKind::ModelStreamEnd) text = &ev.model.error;
    pub.model_round = model ? e.model.round : 0;
    pub.model_reason = e.kind == sx::EventKind::ModelStreamEnd ? ev.model.reason.c_str() : "";
    pub.model_tokens = model ? e.model.tokens : 0;
    pub.model_cut_tokens = model ? e.model.cut_tokens : 0;
    pub.model_request_bytes = model ? e.model.request_bytes : 0;
    pub.text = text->c_str();
    pub.text_len = text->size();
    if (e.kind == sx::EventKind::AnswerDone || e.kind == sx::EventKind::SessionDone) {
      const sx::Report &rp = e.report;
      report.struct_size = sizeof report;
      report.t_gen_ms = rp.t_gen_ms;
      report.t_exec_ms = rp.t_exec_ms;
      report.e2e_ms = rp.e2e_ms;
      report.serial_e2e_ms = rp.serial_e2e_ms;
      report.non_overlapped_ms = rp.non_overlapped_ms;
      report.limit_ms = rp.limit_ms;
      report.units = rp.units;
      report.errors = rp.errors;
      report.skipped = rp.skipped;
      report.cut = rp.cut;
      report.programs = rp.programs;
      report.programs_failed = rp.programs_failed;
      for (const auto &sb : rp.sandbox) {
        if (sb.missing.empty()) continue;
        missing += (missing.empty() ? "" : "; ") + std::string(sx::lang_name(sb.lang)) + ":";
        for (std::size_t i = 0; i < sb.missing.size(); ++i) missing += (i ? ", " : " ") + sb.missing[i];
      }
      report.sandbox_missing = missing.c_str();
      pub.report = &report;
    }
  }
  EventBox(const EventBox &) = delete;
  EventBox &operator=(const EventBox &) = delete;
};

static_assert(static_cast<int>(sx::Status::Limit) == SX_STATUS_LIMIT);
static_assert(static_cast<int>(sx::Status::Cut) == SX_STATUS_CUT);
static_assert(static_cast<int>(sx::Status::Interrupted) == SX_STATUS_INTERRUPTED);
static_assert(static_cast<int>(sx::EventKind::AnswerDone) == SX_EVENT_ANSWER_DONE);
static_assert(static_cast<int>(sx::EventKind::Display) == SX_EVENT_DISPLAY);
static_assert(static_cast<int>(sx::EventKind::SessionDone) == SX_EVENT_SESSION_DONE);
static_assert(static_cast<int>(sx::EventKind::UnitHeld) == SX_EVENT_UNIT_HELD);
static_assert(static_cast<int>(sx::EventKind::ProgramDone) == SX_EVENT_PROGRAM_DONE);
static_assert(static_cast<int>(sx::EventKind::ModelRequest) == SX_EVENT_MODEL_REQUEST);
static_assert(static_cast<int>(sx::EventKind::ModelStreamEnd) == SX_EVENT_MODEL_STREAM_END);

// The session whose event callback is running on this thread, if any: such a
// callback must not call sx_feed/sx_finish/sx_session_free of that session
// (they would wait for the thread that runs the callback).
thread_local const sx_session *tl_in_callback = nullptr;

}  // namespace

void sx_session::on_event(const sx::Event &e) {
  {
    std::lock_guard<std::mutex> lk(tap_mu);
    if (tap) tap(e);
  }
  if (cb) {
    EventBox box(e);
    const sx_session *outer = tl_in_callback;
    tl_in_callback = this;
    cb(user, &box.pub);
    tl_in_callback = outer;
  }
  if (queue) {
    auto *box = new EventBox(e);
    std::lock_guard<std::mutex> lk(mu);
    events.push_back(box);
    if (e.kind == sx::EventKind::SessionDone) done = true;
  } else if (e.kind == sx::EventKind::SessionDone) {
    std::lock_guard<std::mutex> lk(mu);
    done = true;
  }
  cv.notify_all();
}

sx_session::~sx_session() {
  core.reset();  // joins threads first: nothing pushes events after this
  for (auto *e : events) delete reinterpret_cast<EventBox *>(e);
}

bool sx_session::in_own_callback() const { return tl_in_callback == this; }

namespace {
// A C caller may store any int in an enum field; reading it as the C++ enum
// type would be undefined behaviour for values outside the enumerators, so
// the fields are checked as the ints they are.
template <class E>
int enum_value(const E &e) {
  static_assert(sizeof(E) == sizeof(int));
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}
}  // namespace

namespace {
sx_options defaults() {
  sx_options o{};
  sx_options *opt = &o;
  opt->struct_size = sizeof(sx_options);
  opt->mode = SX_MODE_MARKDOWN;
  opt->lang = SX_LANG_PYTHON;
  opt->on_error = SX_POLICY_STOP;
  opt->execute = 1;
  opt->batching = 1;
  opt->serial = 0;
  opt->unit_timeout_s = 30;
  opt->output_cap_bytes = 8u << 20;
  opt->worker_memory_bytes = 0;
  opt->worker_dir = nullptr;
  opt->on_event = nullptr;
  opt->user = nullptr;
  opt->queue_events = 1;
  opt->session_timeout_s = 0;
  opt->worker_max_processes = 512;
  opt->worker_max_open_files = 0;
  opt->env = nullptr;
  opt->network = SX_NETWORK_NONE;
  opt->allow_write = nullptr;
  opt->scratch_bytes = 512ull << 20;
  opt->sandbox_off = nullptr;
  opt->pool = nullptr;
  opt->python_executor = nullptr;
  return o;
}

// The size of sx_options in 0.1, the first release: the smallest accepted.
constexpr std::size_t kOptionsSize01 = offsetof(sx_options, sandbox_off) + sizeof(const char *);

thread_local std::string t_last_error;
int refuse(const std::string &why, int code = SX_EINVAL) {
  t_last_error = why;
  return code;
}

// Where the workers are by default: next to the library (an installed
// prefix: <libdir>/SX_WORKER_RELDIR, i.e. <prefix>/libexec/streamexec; a
// build tree: <libdir>/../bin).
std::string default_worker_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void *>(&sx_version), &info) && info.dli_fname) {
    std::filesystem::path lib = std::filesystem::weakly_canonical(info.dli_fname).parent_path();
    for (const auto &dir : {lib / SX_WORKER_RELDIR, lib / ".." / "bin", lib}) {
      std::error_code ec;
      if (std::filesystem::exists(dir / "streamexec-worker-python", ec))
        return std::filesystem::weakly_canonical(dir, ec).string();
    }
    return (lib / ".." / "bin").lexically_normal().string();
  }
  return "";
}
// *opt completed to this library's sx_options (an older header's options get
// the defaults of the fields it did not have).
bool full_options(const sx_options *opt, sx_options *full, std::string *why) {
  if (!opt) {
    *why = "opt is NULL";
    return false;
  }
  if (opt->struct_size < kOptionsSize01 || opt->struct_size > sizeof(sx_options)) {
    *why = opt->struct_size > sizeof(sx_options) ? "opt comes from a newer streamexec.h than this library (struct_size)"
                                                 : "opt was not filled by sx_options_init (struct_size)";
    return false;
  }
  *full = defaults();
  std::memcpy(static_cast<void *>(full), opt, opt->struct_size);
  return true;
}

// What workers are started with (the fields a pool's workers and a session's
// must agree on): checked, with the defaults filled in.
bool worker_options(const sx_options *opt, sx::PoolWorkerConfig *out, std::string *why) {
  int network = enum_value(opt->network);
  if (network != SX_NETWORK_NONE && network != SX_NETWORK_HOST) {
    *why = "unknown network";
    return false;
  }
  sx::WorkerSandbox &sandbox = out->sandbox;
  for (const char *const *e = opt->env; e && *e; ++e) sandbox.env.emplace_back(*e);
  for (const char *const *d = opt->allow_write; d && *d; ++d) sandbox.allow_write.emplace_back(*d);
  sandbox.network = network == SX_NETWORK_HOST ? sx::sandbox::Network::Host : sx::sandbox::Network::None;
  sandbox.scratch_bytes = opt->scratch_bytes;
  if (opt->sandbox_off) {
    std::string list = opt->sandbox_off;
    for (std::size_t at = 0; at <= list.size();) {
      std::size_t comma = list.find(',', at);
      if (comma == std::string::npos) comma = list.size();
      if (comma > at) sandbox.off.insert(list.substr(at, comma - at));
      at = comma + 1;
    }
  }
  if (!sx::normalize_sandbox(&sandbox, why)) return false;
  out->limits.memory_bytes = opt->worker_memory_bytes;
  out->limits.max_processes = opt->worker_max_processes;
  out->limits.max_open_files = opt->worker_max_open_files;
  if (opt->worker_dir) {
    out->worker_dir = opt->worker_dir;
  } else if (const char *env = getenv("STREAMEXEC_WORKER_DIR")) {
    out->worker_dir = env;
  } else {
    out->worker_dir = default_worker_dir();
  }
  return true;
}
}  // namespace

struct sx_pool {
  std::shared_ptr<sx::WorkerPool> core;
};

extern "C" {

void sx_pool_options_init_size(sx_pool_options *opt, size_t size) {
  if (!opt || size < sizeof(size_t)) return;
  sx_pool_options d{};
  d.struct_size = sizeof d;
  d.ready[0] = d.ready[1] = d.ready[2] = 1;
  d.adaptive = 0;
  d.workers = nullptr;
  std::memcpy(static_cast<void *>(opt), &d, std::min(size, sizeof d));
  opt->struct_size = std::min(size, sizeof d);
}

int sx_pool_new(const sx_pool_options *popt, sx_pool **out) {
  t_last_error.clear();
  if (!out) return refuse("out is NULL");
  *out = nullptr;
  if (!popt) return refuse("opt is NULL");
  if (popt->struct_size != sizeof(sx_pool_options))
    return refuse("opt was not filled by sx_pool_options_init (struct_size)");
  sx_options full = defaults();
  if (popt->workers) {
    if (std::string why; !full_options(popt->workers, &full, &why)) return refuse("workers: " + why);
  }
  for (unsigned n : popt->ready)
    if (n > 1024) return refuse("ready: at most 1024 workers per language");
  sx::PoolWorkerConfig workers;
  if (std::string why; !worker_options(&full, &workers, &why)) return refuse("workers: " + why);
  try {
    auto *p = new sx_pool;
    p->core = std::make_shared<sx::WorkerPool>(std::move(workers),
                                               std::array<unsigned, 3>{popt->ready[0], popt->ready[1], popt->ready[2]},
                                               popt->adaptive != 0);
    *out = p;
    return SX_OK;
  } catch (const std::bad_alloc &) {
    return SX_ENOMEM;
  } catch (...) {
    return SX_EINTERNAL;
  }
}

int sx_pool_wait_ready(sx_pool *pool, int timeout_ms) {
  if (!pool) return SX_EINVAL;
  return pool->core->wait_full(std::max(0, timeout_ms)) ? SX_OK : SX_AGAIN;
}

int sx_pool_stats_get(sx_pool *pool, sx_pool_stats *out) {
  if (!pool || !out || out->struct_size < sizeof(sx_pool_stats)) return SX_EINVAL;
  sx::PoolStats st = pool->core->stats();
  for (int l = 0; l < 3; ++l) {
    out->started[l] = st.started[l];
    out->taken[l] = st.taken[l];
    out->empty[l] = st.empty[l];
    out->mismatch[l] = st.mismatch[l];
    out->failed[l] = st.failed[l];
    out->ready[l] = st.ready[l];
  }
  std::size_t n = std::min(st.last_error.size(), sizeof out->last_error - 1);
  std::memcpy(out->last_error, st.last_error.data(), n);
  out->last_error[n] = '\0';
  return SX_OK;
}

void sx_pool_free(sx_pool *pool) {
  if (!pool) return;
  pool->core->close();
  delete pool;
}

const char *sx_strerror(int code) {
  switch (code) {
    case SX_OK: return "ok";
    case SX_STOP: return "a unit failed; stopping generation is advised";
    case SX_DONE: return "session finished; no more events";
    case SX_AGAIN: return "no event yet";
    case SX_EINVAL: return "invalid argument";
    case SX_EMISUSE: return "call not allowed in this state";
    case SX_ENOMEM: return "out of memory";
    case SX_EWORKER: return "a worker executable is missing or not runnable";
    case SX_EINTERNAL: return "internal error";
    case SX_EHTTP: return "the model's server failed";
  }
  return "unknown result code";
}

const char *sx_version(void) { return SX_VERSION_STRING; }

void(sx_options_init)(sx_options *opt) { sx_options_init_size(opt, sizeof(sx_options)); }

void sx_options_init_size(sx_options *opt, size_t size) {
  if (!opt || size < kOptionsSize01) return;
  sx_options d = defaults();
  std::memcpy(static_cast<void *>(opt), &d, std::min(size, sizeof d));
  opt->struct_size = std::min(size, sizeof d);
}

const char *sx_last_error(void) { return t_last_error.c_str(); }

int sx_session_new(const sx_options *opt, sx_session **out) {
  t_last_error.clear();
  if (!out) return refuse("out is NULL");
  *out = nullptr;
  sx_options full;
  if (std::string why; !full_options(opt, &full, &why)) return refuse(why);
  opt = &full;
  int mode = enum_value(opt->mode), lang = enum_value(opt->lang), on_error = enum_value(opt->on_error);
  if (mode != SX_MODE_MARKDOWN && mode != SX_MODE_RAW) return refuse("unknown mode");
  if (lang < SX_LANG_PYTHON || lang > SX_LANG_CPP) return refuse("unknown lang");
  if (on_error != SX_POLICY_STOP && on_error != SX_POLICY_CONTINUE) return refuse("unknown on_error policy");
  if (!(opt->unit_timeout_s > 0)) return refuse("unit_timeout_s must be > 0");
  if (!(opt->session_timeout_s >= 0)) return refuse("session_timeout_s must be >= 0");
  sx::PoolWorkerConfig workers;
  if (std::string why; !worker_options(opt, &workers, &why)) return refuse(why);
  std::string python_executor;
  if (opt->python_executor && *opt->python_executor) {
    std::string ex = opt->python_executor;
    if (!ex.starts_with("jupyter:") || ex.size() == 8)
      return refuse("python_executor: not jupyter:CONNECTION_FILE or jupyter:http[s]://HOST:PORT[/BASE]");
    std::string spec = ex.substr(8);
    if (sx::jupyter::is_gateway_url(spec)) {
      // A Jupyter server or gateway: the worker starts a kernel there.
      sx::jupyter::GatewayUrl url;
      std::string why;
      const sx::chat::CurlApi *curl = sx::chat::curl_api(&why);
      if (!curl) return refuse("python_executor: a URL needs " + why);
      if (!sx::jupyter::parse_gateway_url(spec, curl->url, &url, &why)) return refuse("python_executor: " + why);
      python_executor = ex;
    } else {
      std::error_code ec;
      std::filesystem::path file = std::filesystem::absolute(spec, ec);
      if (ec || access(file.c_str(), R_OK) != 0)
        return refuse("python_executor: cannot read the connection file " + spec);
      python_executor = "jupyter:" + file.lexically_normal().string();
    }
  }
  try {
    auto *s = new sx_session;
    s->cb = opt->on_event;
    s->user = opt->user;
    s->queue = opt->queue_events != 0;
    sx::SessionConfig cfg;
    cfg.mode = opt->mode == SX_MODE_MARKDOWN ? sx::Mode::Markdown : sx::Mode::Raw;
    cfg.lang = static_cast<sx::Lang>(opt->lang);
    cfg.execute = opt->execute != 0;
    cfg.on_error = opt->on_error == SX_POLICY_STOP ? sx::OnError::Stop : sx::OnError::Continue;
    cfg.batching = opt->batching != 0;
    cfg.serial = opt->serial != 0;
    cfg.unit_timeout_s = opt->unit_timeout_s;
    for (int l = SX_LANG_PYTHON; l <= SX_LANG_CPP; ++l)
      if (opt->prestart & (1u << l)) cfg.prestart.push_back(static_cast<sx::Lang>(l));
    cfg.output_cap_bytes = opt->output_cap_bytes ? opt->output_cap_bytes : (8u << 20);
    cfg.session_timeout_s = opt->session_timeout_s;
    cfg.worker = workers.limits;
    cfg.sandbox = std::move(workers.sandbox);
    cfg.worker_dir = std::move(workers.worker_dir);
    if (opt->pool) cfg.pool = opt->pool->core;
    cfg.python_executor = std::move(python_executor);
    // The workers started with the session must be there: a wrong
    // worker_dir is an error now, not a crash of every unit later.
    if (cfg.execute) {
      std::vector<sx::Lang> first = cfg.prestart;
      if (first.empty()) first.push_back(cfg.mode == sx::Mode::Markdown ? sx::Lang::Python : cfg.lang);
      for (sx::Lang l : first) {
        std::string exe = sx::worker_spec(cfg, l).exe;
        if (access(exe.c_str(), X_OK) != 0) {
          std::string why = std::string("the ") + sx::lang_name(l) + " worker " + exe + " " +
                            (errno == ENOENT ? "does not exist" : std::string("is not executable: ") + strerror(errno)) +
                            " (set sx_options.worker_dir or STREAMEXEC_WORKER_DIR)";
          delete s;
          return refuse(why, SX_EWORKER);
        }
      }
    }
    cfg.on_event = [s](const sx::Event &e) { s->on_event(e); };
    if (opt->gate) {
      sx_gate_fn gate = opt->gate;
      void *gu = opt->gate_user;
      cfg.gate = [gate, gu](const sx::Unit &u, std::string *reason) {
        std::vector<const char *> uses, defs;
        for (const auto &x : u.uses) uses.push_back(x.c_str());
        for (const auto &x : u.defines) defs.push_back(x.c_str());
        sx_unit_info info{};
        info.id = u.id;
        info.lang = sx::lang_name(u.lang);
        info.code = u.code.c_str();
        info.code_len = u.code.size();
        info.kind = sx::unit_kind_name(u.kind);
        info.line = u.begin.line;
        info.uses = uses.data();
        info.n_uses = uses.size();
        info.defines = defs.data();
        info.n_defines = defs.size();
        const char *why = nullptr;
        sx_gate_decision d = gate(gu, &info, &why);
        if (why) *reason = why;
        return d == SX_GATE_HOLD ? sx::GateDecision::Hold : d == SX_GATE_SKIP ? sx::GateDecision::Skip : sx::GateDecision::Run;
      };
    }
    s->core = std::make_unique<sx::Session>(std::move(cfg));
    *out = s;
    return SX_OK;
  } catch (const std::bad_alloc &) {
    return SX_ENOMEM;
  } catch (...) {
    return SX_EINTERNAL;
  }
}

int sx_feed(sx_session *s, const char *bytes, size_t n) {
  if (!s || (!bytes && n > 0)) return SX_EINVAL;
  if (tl_in_callback == s) return SX_EMISUSE;  // from the session's own callback
  if (s->finished) {
    s->errmsg = "sx_feed after sx_finish";
    return SX_EMISUSE;
  }
  try {
    return s->core->feed(std::string_view(bytes ? bytes : "", n)) ? SX_STOP : SX_OK;
  } catch (const std::bad_alloc &) {
    s->errmsg = "out of memory while feeding";
    return SX_ENOMEM;
  } catch (const std::exception &e) {
    s->errmsg = e.what();
    return SX_EINTERNAL;
  }
}

int sx_finish(sx_session *s) {
  if (!s) return SX_EINVAL;
  if (tl_in_callback == s) return SX_EMISUSE;  // would wait for this very thread
  if (s->finished) {
    s->errmsg = "sx_finish called twice";
    return SX_EMISUSE;
  }
  s->finished = true;
  try {
    return s->core->finish() ? SX_STOP : SX_OK;
  } catch (const std::exception &e) {
    s->errmsg = e.what();
    return SX_EINTERNAL;
  }
}

namespace {
int end_answer(sx_session *s, bool cut) {
  if (!s) return SX_EINVAL;
  if (tl_in_callback == s) return SX_EMISUSE;  // would wait for this very thread
  if (s->finished) {
    s->errmsg = cut ? "sx_answer_cut after sx_finish" : "sx_answer_end after sx_finish";
    return SX_EMISUSE;
  }
  try {
    return (cut ? s->core->answer_cut() : s->core->answer_end()) ? SX_STOP : SX_OK;
  } catch (const std::bad_alloc &) {
    s->errmsg = "out of memory at the end of an answer";
    return SX_ENOMEM;
  } catch (const std::exception &e) {
    s->errmsg = e.what();
    return SX_EINTERNAL;
  }
}
}  // namespace

int sx_answer_end(sx_session *s) { return end_answer(s, false); }

int sx_answer_cut(sx_session *s) { return end_answer(s, true); }

int sx_interrupt(sx_session *s) {
  if (!s) return SX_EINVAL;
  s->core->interrupt();
  return SX_OK;
}

int sx_next_event(sx_session *s, double timeout_ms, sx_event **out) {
  if (!s || !out) return SX_EINVAL;
  *out = nullptr;
  if (!s->queue) return SX_EMISUSE;
  if (tl_in_callback == s) timeout_ms = 0;  // never wait inside the session's own callback
  std::unique_lock<std::mutex> lk(s->mu);
  auto ready = [&] { return !s->events.empty() || s->done; };
  if (timeout_ms < 0) {
    s->cv.wait(lk, ready);
  } else if (timeout_ms > 0) {
    s->cv.wait_for(lk, std::chrono::duration<double, std::milli>(timeout_ms), ready);
  }
  if (s->events.empty()) return s->done ? SX_DONE : SX_AGAIN;
  *out = &static_cast<EventBox *>(s->events.front())->pub;
  s->events.pop_front();
  return SX_OK;
}

void sx_event_free(sx_event *ev) { delete reinterpret_cast<EventBox *>(ev); }

const char *sx_session_errmsg(sx_session *s) { return s ? s->errmsg.c_str() : ""; }

void sx_session_free(sx_session *s) {
  if (tl_in_callback == s) return;  // misuse from its own callback: ignored (documented)
  delete s;
}

const char *sx_lang_name(sx_lang lang) {
  int l = enum_value(lang);
  if (l < SX_LANG_PYTHON || l > SX_LANG_CPP) return "unknown";
  return sx::lang_name(static_cast<sx::Lang>(l));
}
const char *sx_status_name(sx_status st) {
  int s = enum_value(st);
  if (s < SX_STATUS_OK || s > SX_STATUS_INTERRUPTED) return "?";
  return sx::status_name(static_cast<sx::Status>(s));
}
const char *sx_event_kind_name(sx_event_kind k) {
  int v = enum_value(k);
  if (v < SX_EVENT_UNIT_CLOSED || v > SX_EVENT_MODEL_STREAM_END) return "?";
  return sx::event_kind_name(static_cast<sx::EventKind>(v));
}

int sx_lang_from_name(const char *name, sx_lang *out) {
  if (!name || !out) return SX_EINVAL;
  sx::Lang l = sx::lang_from_name(name);
  if (l == sx::Lang::Unknown) return SX_EINVAL;
  *out = static_cast<sx_lang>(l);
  return SX_OK;
}

}  // extern "C"

void sx_set_last_error(const std::string &why) { t_last_error = why; }
