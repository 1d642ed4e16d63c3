// Node-API binding of the C API (include/streamexec.h), on node-addon-api.
// The JavaScript side (index.js) gives it its shape: new Session(opts),
// feed(), an async iterator of events. Calls that wait (finish, answerEnd,
// answerCut, chat, replay, nextEvent) run on libuv's thread pool and return
// promises, so the event loop never blocks; feed() is synchronous (it only
// hands bytes to the library's frontend).
#include <napi.h>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "streamexec.h"

namespace {

Napi::Error sx_error(Napi::Env env, int rc, const std::string &what, const std::string &detail) {
  Napi::Error e = Napi::Error::New(env, what + ": " + sx_strerror(rc) + (detail.empty() ? "" : ": " + detail));
  e.Set("code", Napi::Number::New(env, rc));
  return e;
}

std::string str(const char *p) { return p ? p : ""; }

Napi::Object event_object(Napi::Env env, const sx_event *e) {
  Napi::Object o = Napi::Object::New(env);
  bool result = e->kind == SX_EVENT_UNIT_DONE || e->kind == SX_EVENT_PROGRAM_DONE || e->kind == SX_EVENT_ANSWER_DONE;
  o.Set("kind", sx_event_kind_name(e->kind));
  o.Set("tMs", e->t_ms);
  o.Set("answer", e->answer);
  o.Set("unitId", static_cast<double>(e->unit_id));
  o.Set("lang", str(e->lang));
  o.Set("status", result ? sx_status_name(e->status) : "ok");
  o.Set("stream", str(e->stream));
  o.Set("text", Napi::String::New(env, e->text, e->text_len));
  o.Set("code", Napi::String::New(env, e->code, e->code_len));
  o.Set("line", e->line);
  o.Set("errorType", str(e->error_type));
  o.Set("errorMessage", str(e->error_message));
  o.Set("errorLine", e->error_line);
  o.Set("traceback", str(e->traceback));
  o.Set("value", e->has_value ? Napi::Value(Napi::String::New(env, e->value_repr)) : env.Null());
  o.Set("exitCode", e->has_exit_code ? Napi::Value(Napi::Number::New(env, e->exit_code)) : env.Null());
  o.Set("signal", e->signal);
  o.Set("durationMs", e->duration_ms);
  o.Set("note", str(e->note));
  o.Set("unitKind", str(e->unit_kind));
  o.Set("offset", static_cast<double>(e->offset));
  o.Set("endOffset", static_cast<double>(e->end_offset));
  o.Set("fence", e->fence);
  Napi::Object mime = Napi::Object::New(env);
  for (size_t i = 0; i < e->n_mime; ++i)
    mime.Set(e->mime_types[i], Napi::String::New(env, e->mime_data[i], e->mime_len[i]));
  o.Set("mime", mime);
  o.Set("modelRound", e->model_round);
  o.Set("modelReason", str(e->model_reason));
  o.Set("modelTokens", static_cast<double>(e->model_tokens));
  o.Set("modelCutTokens", static_cast<double>(e->model_cut_tokens));
  o.Set("json", Napi::String::New(env, e->json, e->json_len));
  return o;
}

// The worker options of `o` (workerMemoryBytes, workerMaxProcesses, network,
// env, allowWrite, workerDir) into `opt`; the strings they point at live in
// this object, which must outlive the sx_session_new / sx_pool_new call.
struct WorkerOptions {
  std::vector<std::string> env_store, allow_store;
  std::vector<const char *> env_list, allow;
  std::string worker_dir;

  void apply(Napi::Env env, Napi::Object o, sx_options &opt) {
    auto has = [&](const char *k) { return o.Has(k) && !o.Get(k).IsUndefined(); };
    auto number = [&](const char *k) { return o.Get(k).ToNumber().DoubleValue(); };
    if (has("workerMemoryBytes")) opt.worker_memory_bytes = static_cast<uint64_t>(number("workerMemoryBytes"));
    if (has("workerMaxProcesses")) opt.worker_max_processes = static_cast<uint64_t>(number("workerMaxProcesses"));
    if (has("network")) {
      std::string n = o.Get("network").ToString().Utf8Value();
      if (n != "none" && n != "host") throw Napi::TypeError::New(env, "network must be 'none' or 'host'");
      opt.network = n == "host" ? SX_NETWORK_HOST : SX_NETWORK_NONE;
    }
    auto strings = [&](const char *k, std::vector<std::string> &store, std::vector<const char *> &ptrs) {
      if (!has(k)) return;
      Napi::Array a = o.Get(k).As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); ++i) store.push_back(a.Get(i).ToString().Utf8Value());
      for (const auto &s : store) ptrs.push_back(s.c_str());
      ptrs.push_back(nullptr);
    };
    strings("env", env_store, env_list);
    strings("allowWrite", allow_store, allow);
    if (!env_list.empty()) opt.env = env_list.data();
    if (!allow.empty()) opt.allow_write = allow.data();
    if (has("workerDir")) {
      worker_dir = o.Get("workerDir").ToString().Utf8Value();
      opt.worker_dir = worker_dir.c_str();
    }
  }
};

// new Pool({ready: {python: 1, …}, adaptive, …worker options}): sx_pool.
class Pool : public Napi::ObjectWrap<Pool> {
 public:
  static Napi::FunctionReference *constructor;
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "Pool",
                                   {InstanceMethod("waitReady", &Pool::WaitReady),
                                    InstanceMethod("stats", &Pool::Stats), InstanceMethod("close", &Pool::Close)});
    constructor = new Napi::FunctionReference(Napi::Persistent(f));
    exports.Set("Pool", f);
  }

  explicit Pool(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Pool>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
    sx_pool_options po;
    sx_pool_options_init(&po);
    if (o.Has("ready") && o.Get("ready").IsObject()) {
      Napi::Object r = o.Get("ready").As<Napi::Object>();
      Napi::Array keys = r.GetPropertyNames();
      for (int l = 0; l < 3; ++l) po.ready[l] = 0;
      for (uint32_t i = 0; i < keys.Length(); ++i) {
        std::string k = keys.Get(i).ToString().Utf8Value();
        sx_lang l;
        if (sx_lang_from_name(k.c_str(), &l) != SX_OK)
          throw Napi::TypeError::New(env, "unknown language '" + k + "' (python, javascript, cpp)");
        double n = r.Get(k).ToNumber().DoubleValue();
        if (!(n >= 0)) throw Napi::TypeError::New(env, "ready." + k + " must be a number >= 0");
        po.ready[l] = static_cast<unsigned>(n);
      }
    }
    if (o.Has("adaptive")) po.adaptive = o.Get("adaptive").ToBoolean() ? 1 : 0;
    sx_options w;
    sx_options_init(&w);
    WorkerOptions keep;
    keep.apply(env, o, w);
    po.workers = &w;
    int rc = sx_pool_new(&po, &p_);
    if (rc != SX_OK) throw sx_error(env, rc, "new Pool", str(sx_last_error()));
  }
  ~Pool() override { sx_pool_free(p_); }

  sx_pool *handle(Napi::Env env) {
    if (!p_) throw Napi::Error::New(env, "the pool is closed");
    return p_;
  }

 private:
  class WaitWorker : public Napi::AsyncWorker {
   public:
    // The receiver (the Pool's object) is referenced until the work is done:
    // it cannot be collected meanwhile.
    WaitWorker(Pool *pool, const Napi::Object &receiver, int ms)
        : Napi::AsyncWorker(receiver.Env()),
          keep_(Napi::Persistent(receiver)),
          pool_(pool),
          p_(pool->p_),
          ms_(ms),
          deferred_(Napi::Promise::Deferred::New(receiver.Env())) {}
    void Execute() override { rc_ = sx_pool_wait_ready(p_, ms_); }
    void OnOK() override {
      --pool_->waiting_;
      deferred_.Resolve(Napi::Boolean::New(Env(), rc_ == SX_OK));
    }
    Napi::Promise promise() { return deferred_.Promise(); }

   private:
    Napi::ObjectReference keep_;
    Pool *pool_;
    sx_pool *p_;
    int ms_;
    int rc_ = 0;
    Napi::Promise::Deferred deferred_;
  };

  // waitReady(timeoutMs): resolves true once every language has its ready
  // workers, false if the time ran out.
  Napi::Value WaitReady(const Napi::CallbackInfo &info) {
    handle(info.Env());
    int ms = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 60000;
    auto *w = new WaitWorker(this, info.This().As<Napi::Object>(), ms);
    Napi::Promise p = w->promise();
    ++waiting_;
    w->Queue();
    return p;
  }

  Napi::Value Stats(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    sx_pool_stats st{};
    st.struct_size = sizeof st;
    sx_pool_stats_get(handle(env), &st);
    Napi::Object out = Napi::Object::New(env);
    for (int l = 0; l < 3; ++l) {
      Napi::Object x = Napi::Object::New(env);
      x.Set("started", static_cast<double>(st.started[l]));
      x.Set("taken", static_cast<double>(st.taken[l]));
      x.Set("ready", static_cast<double>(st.ready[l]));
      x.Set("empty", static_cast<double>(st.empty[l]));
      x.Set("mismatch", static_cast<double>(st.mismatch[l]));
      x.Set("failed", static_cast<double>(st.failed[l]));
      out.Set(sx_lang_name(static_cast<sx_lang>(l)), x);
    }
    out.Set("lastError", st.last_error);
    return out;
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    if (waiting_ > 0) throw Napi::Error::New(info.Env(), "close: a waitReady() is still running (await it)");
    sx_pool_free(p_);
    p_ = nullptr;
    return info.Env().Undefined();
  }

  sx_pool *p_ = nullptr;
  int waiting_ = 0;  // waitReady calls in flight (main thread only)
};
Napi::FunctionReference *Pool::constructor = nullptr;

class Session : public Napi::ObjectWrap<Session> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "Session",
                                   {InstanceMethod("feed", &Session::Feed),
                                    InstanceMethod("answerEnd", &Session::AnswerEnd),
                                    InstanceMethod("answerCut", &Session::AnswerCut),
                                    InstanceMethod("finish", &Session::Finish),
                                    InstanceMethod("interrupt", &Session::Interrupt),
                                    InstanceMethod("nextEvents", &Session::NextEvents),
                                    InstanceMethod("chat", &Session::Chat),
                                    InstanceMethod("replay", &Session::Replay),
                                    InstanceMethod("close", &Session::Close)});
    exports.Set("Session", f);
    return exports;
  }

  explicit Session(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Session>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
    sx_options opt;
    sx_options_init(&opt);
    auto has = [&](const char *k) { return o.Has(k) && !o.Get(k).IsUndefined(); };
    auto text = [&](const char *k) { return o.Get(k).ToString().Utf8Value(); };
    auto number = [&](const char *k) { return o.Get(k).ToNumber().DoubleValue(); };
    auto lang_of = [&](const std::string &name) {
      sx_lang l;
      if (sx_lang_from_name(name.c_str(), &l) != SX_OK)
        throw Napi::TypeError::New(env, "unknown language '" + name + "' (python, javascript, cpp)");
      return l;
    };
    if (has("mode")) {
      std::string m = text("mode");
      if (m != "markdown" && m != "raw") throw Napi::TypeError::New(env, "mode must be 'markdown' or 'raw'");
      opt.mode = m == "raw" ? SX_MODE_RAW : SX_MODE_MARKDOWN;
    }
    if (has("lang")) opt.lang = lang_of(text("lang"));
    if (has("languages")) {
      Napi::Array a = o.Get("languages").As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); ++i) opt.prestart |= 1u << lang_of(a.Get(i).ToString().Utf8Value());
    }
    if (has("onError")) {
      std::string p = text("onError");
      if (p != "stop" && p != "continue") throw Napi::TypeError::New(env, "onError must be 'stop' or 'continue'");
      opt.on_error = p == "continue" ? SX_POLICY_CONTINUE : SX_POLICY_STOP;
    }
    if (has("timeout")) opt.unit_timeout_s = number("timeout");
    if (has("sessionTimeout")) opt.session_timeout_s = number("sessionTimeout");
    if (has("serial")) opt.serial = o.Get("serial").ToBoolean() ? 1 : 0;
    if (has("batching")) opt.batching = o.Get("batching").ToBoolean() ? 1 : 0;
    if (has("execute")) opt.execute = o.Get("execute").ToBoolean() ? 1 : 0;
    if (has("outputCapBytes")) opt.output_cap_bytes = static_cast<size_t>(number("outputCapBytes"));
    WorkerOptions keep;
    keep.apply(env, o, opt);
    // pool: a Pool (index.js passes the default one unless pool: null). The
    // session holds it: the library keeps a pool alive for its sessions, and
    // the object here stays too, so that closing it is the owner's choice.
    if (has("pool") && !o.Get("pool").IsNull()) {
      Napi::Value pv = o.Get("pool");
      if (!pv.IsObject() || !pv.As<Napi::Object>().InstanceOf(Pool::constructor->Value()))
        throw Napi::TypeError::New(env, "pool must be a Pool (or null for none)");
      opt.pool = Pool::Unwrap(pv.As<Napi::Object>())->handle(env);
      pool_ref_ = Napi::Persistent(pv.As<Napi::Object>());
    }
    std::string python_executor;  // "jupyter:CONNECTION_FILE" or "jupyter:URL": Python units on a Jupyter kernel
    if (has("pythonExecutor")) {
      python_executor = text("pythonExecutor");
      opt.python_executor = python_executor.c_str();
    }
    // gate: (unit) => 'run' | 'hold' | 'skip' | [decision, reason], called
    // for every closed unit before it runs (see Gate below).
    if (has("gate") && !o.Get("gate").IsNull()) {
      if (!o.Get("gate").IsFunction()) throw Napi::TypeError::New(env, "gate must be a function (unit) => decision");
      Napi::Function g = o.Get("gate").As<Napi::Function>();
      gate_ = Napi::Persistent(g);
      // Calls from the library's threads (finish, chat, replay feed there)
      // reach JavaScript through this; it does not keep node's loop alive.
      // Node finalizes it itself at the environment's end: released only while alive.
      gate_tsfn_alive_ = std::make_shared<std::atomic<bool>>(true);
      gate_tsfn_ = Napi::ThreadSafeFunction::New(env, g, "streamexec gate", 0, 1,
                                                 [alive = gate_tsfn_alive_](Napi::Env) { *alive = false; });
      gate_tsfn_.Unref(env);
      js_thread_ = std::this_thread::get_id();
      opt.gate = &Session::Gate;
      opt.gate_user = this;
    }
    opt.queue_events = 1;
    int rc = sx_session_new(&opt, &s_);
    if (rc != SX_OK) throw sx_error(env, rc, "new Session", str(sx_last_error()));
  }

  ~Session() override {
    if (s_) sx_session_free(s_);
    release_gate();
  }

  void release_gate() {
    if (gate_tsfn_alive_ && *gate_tsfn_alive_) gate_tsfn_.Release();
    gate_tsfn_alive_.reset();
  }

  sx_session *handle(Napi::Env env) {
    if (!s_) throw Napi::Error::New(env, "the session is closed");
    return s_;
  }

  // A waiting call in flight (finish, answerEnd …): feeding calls must not
  // overlap it (the C API's feeding calls are one at a time per session).
  void claim(Napi::Env env, const char *what) {
    if (busy_.exchange(true))
      throw Napi::Error::New(env, std::string(what) + ": another call on this session is still running (await it)");
  }
  void release() { busy_ = false; }

 private:
  Napi::Value Feed(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    sx_session *s = handle(env);
    std::string data;
    if (info.Length() > 0 && info[0].IsBuffer()) {
      auto b = info[0].As<Napi::Buffer<char>>();
      data.assign(b.Data(), b.Length());
    } else if (info.Length() > 0 && info[0].IsString()) {
      data = info[0].As<Napi::String>().Utf8Value();
    } else {
      throw Napi::TypeError::New(env, "feed(piece): a string or a Buffer");
    }
    claim(env, "feed");
    int rc = sx_feed(s, data.data(), data.size());
    release();
    throw_gate_error(env);
    if (rc < 0) throw sx_error(env, rc, "feed", str(sx_session_errmsg(s)));
    return Napi::Boolean::New(env, rc == SX_STOP);
  }

  // A call that waits, on the thread pool; resolves with "a unit failed" (STOP).
  class Waiting : public Napi::AsyncWorker {
   public:
    Waiting(Session *self, Napi::Env env, const char *what, std::function<int(sx_session *)> call)
        : Napi::AsyncWorker(env), self_(self), what_(what), call_(std::move(call)), deferred_(env) {
      self_->Ref();  // the session outlives the call
    }
    ~Waiting() override { self_->Unref(); }
    void Execute() override {
      rc_ = call_(self_->s_);
      if (rc_ < 0) detail_ = str(sx_last_error());
      if (rc_ < 0 && detail_.empty()) detail_ = str(sx_session_errmsg(self_->s_));
    }
    void OnOK() override {
      self_->release();
      if (!self_->gate_error_.IsEmpty()) {  // the gate threw while this call fed
        deferred_.Reject(self_->gate_error_.Value());
        self_->gate_error_.Reset();
      } else if (rc_ < 0) deferred_.Reject(sx_error(Env(), rc_, what_, detail_).Value());
      else deferred_.Resolve(Napi::Boolean::New(Env(), rc_ == SX_STOP));
    }
    Napi::Promise promise() { return deferred_.Promise(); }

   private:
    Session *self_;
    std::string what_, detail_;
    std::function<int(sx_session *)> call_;
    Napi::Promise::Deferred deferred_;
    int rc_ = 0;
  };

  Napi::Value Run(const Napi::CallbackInfo &info, const char *what, std::function<int(sx_session *)> call) {
    Napi::Env env = info.Env();
    handle(env);
    claim(env, what);
    auto *w = new Waiting(this, env, what, std::move(call));
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  }

  Napi::Value AnswerEnd(const Napi::CallbackInfo &info) { return Run(info, "answerEnd", sx_answer_end); }
  Napi::Value AnswerCut(const Napi::CallbackInfo &info) { return Run(info, "answerCut", sx_answer_cut); }
  Napi::Value Finish(const Napi::CallbackInfo &info) {
    if (finished_) {  // a second finish: nothing left to do
      auto d = Napi::Promise::Deferred::New(info.Env());
      d.Resolve(Napi::Boolean::New(info.Env(), false));
      return d.Promise();
    }
    finished_ = true;
    return Run(info, "finish", sx_finish);
  }

  Napi::Value Chat(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject())
      throw Napi::TypeError::New(env, "chat(prompt, {baseUrl, model, …})");
    auto o = info[1].As<Napi::Object>();
    auto given = [&](const char *k) { return o.Has(k) && !o.Get(k).IsUndefined(); };
    auto get = [&](const char *k, const std::string &def) { return given(k) ? o.Get(k).ToString().Utf8Value() : def; };
    struct Args {
      std::string prompt, base_url, model, key_env, system, record;
      int repair;
      double temperature;
      int64_t max_tokens;
    };
    auto a = std::make_shared<Args>(Args{info[0].As<Napi::String>().Utf8Value(), get("baseUrl", ""), get("model", ""),
                                         get("apiKeyEnv", "OPENAI_API_KEY"), get("system", ""), get("record", ""),
                                         given("repair") ? o.Get("repair").ToNumber().Int32Value() : 2,
                                         given("temperature") ? o.Get("temperature").ToNumber().DoubleValue() : -1,
                                         given("maxTokens") ? o.Get("maxTokens").ToNumber().Int64Value() : 0});
    return Run(info, "chat", [a](sx_session *s) {
      sx_chat_options c;
      sx_chat_options_init(&c);
      c.base_url = a->base_url.c_str();
      c.model = a->model.c_str();
      c.api_key_env = a->key_env.c_str();
      c.system = a->system.empty() ? nullptr : a->system.c_str();
      c.record_path = a->record.empty() ? nullptr : a->record.c_str();
      c.repair = a->repair;
      c.temperature = a->temperature;
      c.max_tokens = a->max_tokens;
      return sx_chat(s, &c, a->prompt.c_str());
    });
  }

  Napi::Value Replay(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "replay(path, speed = 1)");
    std::string path = info[0].As<Napi::String>().Utf8Value();
    double speed = info.Length() > 1 ? info[1].ToNumber().DoubleValue() : 1.0;
    return Run(info, "replay", [path, speed](sx_session *s) { return sx_replay(s, path.c_str(), speed); });
  }

  Napi::Value Interrupt(const Napi::CallbackInfo &info) {
    sx_interrupt(handle(info.Env()));
    return info.Env().Undefined();
  }

  // nextEvents(timeoutMs, max) -> Promise<event[] (may be empty: none in
  // time) | false (done, all taken)>: one trip through the thread pool
  // takes every event already queued (up to max), not one.
  class NextWorker : public Napi::AsyncWorker {
   public:
    NextWorker(Session *self, Napi::Env env, double timeout_ms, size_t max)
        : Napi::AsyncWorker(env), self_(self), timeout_ms_(timeout_ms), max_(max), deferred_(env) {
      self_->Ref();
    }
    ~NextWorker() override {
      for (sx_event *e : evs_) sx_event_free(e);
      self_->Unref();
    }
    void Execute() override {
      sx_event *ev = nullptr;
      rc_ = sx_next_event(self_->s_, timeout_ms_, &ev);
      while (rc_ == SX_OK) {
        evs_.push_back(ev);
        if (evs_.size() >= max_) break;
        rc_ = sx_next_event(self_->s_, 0, &ev);
      }
    }
    void OnOK() override {
      --self_->pending_;
      Napi::Env env = Env();
      if (evs_.empty() && rc_ == SX_DONE) return deferred_.Resolve(Napi::Boolean::New(env, false));
      if (rc_ < 0) return deferred_.Reject(sx_error(env, rc_, "nextEvents", "").Value());
      Napi::Array a = Napi::Array::New(env, evs_.size());
      for (size_t i = 0; i < evs_.size(); ++i) a.Set(static_cast<uint32_t>(i), event_object(env, evs_[i]));
      deferred_.Resolve(a);
    }
    Napi::Promise promise() { return deferred_.Promise(); }

   private:
    Session *self_;
    double timeout_ms_;
    size_t max_;
    Napi::Promise::Deferred deferred_;
    std::vector<sx_event *> evs_;
    int rc_ = 0;
  };

  Napi::Value NextEvents(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    handle(env);
    double t = info.Length() > 0 ? info[0].ToNumber().DoubleValue() : 200;
    double max = info.Length() > 1 ? info[1].ToNumber().DoubleValue() : 1024;
    ++pending_;
    auto *w = new NextWorker(this, env, t, max >= 1 ? static_cast<size_t>(max) : 1);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    if (busy_ || pending_ > 0)
      throw Napi::Error::New(info.Env(), "close: a call on this session is still running (await it)");
    if (s_) {
      sx_session_free(s_);
      s_ = nullptr;
    }
    release_gate();
    return info.Env().Undefined();
  }

  // --- the gate ------------------------------------------------------------
  // A closed unit, copied out of the library's sx_unit_info (valid only
  // during the call) so that another thread's call can hand it to JavaScript.
  struct GateUnit {
    int64_t id;
    std::string lang, code, kind;
    uint32_t line;
    std::vector<std::string> uses, defines;
  };
  using Decision = std::pair<sx_gate_decision, std::string>;

  // Runs the gate function on the JavaScript thread. What it throws (or a
  // result that is no decision) skips the unit, and is thrown from the
  // feeding call that made the unit (feed, or the promise of finish, chat …).
  Decision Decide(Napi::Env env, const GateUnit &u) {
    Napi::HandleScope scope(env);
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", Napi::Number::New(env, static_cast<double>(u.id)));
    o.Set("lang", u.lang);
    o.Set("code", u.code);
    o.Set("kind", u.kind);
    o.Set("line", Napi::Number::New(env, u.line));
    auto list = [&](const std::vector<std::string> &v) {
      Napi::Array a = Napi::Array::New(env, v.size());
      for (uint32_t i = 0; i < v.size(); ++i) a.Set(i, v[i]);
      return a;
    };
    o.Set("uses", list(u.uses));
    o.Set("defines", list(u.defines));
    try {
      Napi::Value r = gate_.Call({o});
      std::string decision, why;
      if (r.IsString()) {
        decision = r.As<Napi::String>().Utf8Value();
      } else if (r.IsArray() && r.As<Napi::Array>().Length() >= 1) {
        Napi::Array a = r.As<Napi::Array>();
        decision = a.Get(0u).ToString().Utf8Value();
        if (a.Length() > 1) why = a.Get(1u).ToString().Utf8Value();
      }
      if (decision == "run") return {SX_GATE_RUN, why};
      if (decision == "hold") return {SX_GATE_HOLD, why};
      if (decision == "skip") return {SX_GATE_SKIP, why};
      throw Napi::TypeError::New(
          env, "gate returned " + r.ToString().Utf8Value() + ": 'run', 'hold' or 'skip' (or [decision, reason])");
    } catch (const Napi::Error &e) {
      if (gate_error_.IsEmpty()) gate_error_ = Napi::Reference<Napi::Value>::New(e.Value(), 1);
      return {SX_GATE_SKIP, "the gate threw: " + e.Message()};
    }
  }

  static sx_gate_decision Gate(void *user, const sx_unit_info *info, const char **reason) {
    auto *self = static_cast<Session *>(user);
    GateUnit u{info->id, str(info->lang), std::string(info->code, info->code_len), str(info->kind), info->line, {}, {}};
    for (size_t i = 0; i < info->n_uses; ++i) u.uses.emplace_back(info->uses[i]);
    for (size_t i = 0; i < info->n_defines; ++i) u.defines.emplace_back(info->defines[i]);
    Decision d{SX_GATE_SKIP, "the gate could not be called (node is shutting down)"};
    if (std::this_thread::get_id() == self->js_thread_) {
      d = self->Decide(self->Env(), u);  // feed(): already on the JavaScript thread
    } else {
      // finish, chat, replay: on a thread of libuv's pool, while the
      // JavaScript thread awaits their promise: wait for its answer.
      auto answer = std::make_shared<std::promise<Decision>>();
      std::future<Decision> decided = answer->get_future();
      napi_status st = self->gate_tsfn_.BlockingCall(
          [self, &u, answer](Napi::Env env, Napi::Function) { answer->set_value(self->Decide(env, u)); });
      if (st == napi_ok) d = decided.get();
    }
    self->gate_reason_ = std::move(d.second);
    *reason = self->gate_reason_.empty() ? nullptr : self->gate_reason_.c_str();
    return d.first;
  }

  void throw_gate_error(Napi::Env env) {
    if (gate_error_.IsEmpty()) return;
    Napi::Value e = gate_error_.Value();
    gate_error_.Reset();
    throw Napi::Error(env, e);
  }

  Napi::FunctionReference gate_;
  Napi::ThreadSafeFunction gate_tsfn_;
  std::shared_ptr<std::atomic<bool>> gate_tsfn_alive_;  // set false by its finalizer
  std::thread::id js_thread_;
  std::string gate_reason_;  // the last decision's reason (the library copies it)
  Napi::Reference<Napi::Value> gate_error_;

  sx_session *s_ = nullptr;
  Napi::ObjectReference pool_ref_;
  std::atomic<bool> busy_{false};
  int pending_ = 0;  // nextEvent calls in flight (main thread only)
  bool finished_ = false;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::String::New(env, sx_version()));
  Pool::Init(env, exports);
  return Session::Init(env, exports);
}

}  // namespace

NODE_API_MODULE(streamexec, Init)
