// streamexec-worker-javascript: embeds libnode 18 and runs units as scripts in
// one context (docs/DESIGN.md §6).
//
// Semantics (see also js_bootstrap.js.inc and the header of tests/unit/js_worker_test.cpp):
// - a unit is compiled with vm.Script (filename "<answer>", lineOffset so that
//   stack traces and syntax errors carry answer lines) and run in the one
//   global context: top-level let/const/class/function persist across units;
// - after the script, the event loop is spun until it is empty (timers,
//   promises, I/O settle inside the unit that started them);
// - the completion value (not `undefined`) is the unit's value, via
//   util.inspect; a Promise completion value is awaited first;
// - a unit whose top-level contains `await` is rewritten by Node's own REPL
//   transform (internal/repl/await): declarations are hoisted so they persist,
//   `const` becomes `let` in that unit;
// - an uncaught exception, a rejected completion promise or an unhandled
//   rejection / exception in a callback is the unit's error;
// - process.exit(n) is intercepted: the unit stops, n != 0 is an error of type
//   "ProcessExit", the worker and its state live on;
// - SIGINT (sent by the host on timeout) wakes a watchdog thread that requests
//   a V8 interrupt (which records the answer line being run and calls
//   Isolate::TerminateExecution()) and stops the event loop; the unit ends
//   with an error of type "Interrupted" (line = where it was stopped), its
//   pending timers are cleared and its handles unref'ed, and the worker and
//   its state live on.
// - console.log & co. write synchronously to fds 1/2 (the pipes worker_main
//   captures), so a unit's output is complete when it is reported done.
// - `require`, `module`, `exports`, `__filename`, `__dirname` are those of a
//   CommonJS main module "answer.js" in the current directory
//   (require.main === module); ES `import` statements become
//   `var {…} = await import(…)` and `export` is dropped from declarations.
//
// Known limitations:
// - script semantics: a top-level let/const/class that an earlier unit
//   declared cannot be declared again (SyntaxError "Identifier 'x' has already
//   been declared", nothing of the unit runs); V8's REPL mode, which allows
//   it, is not in the public embedder API. `var`/function redeclare fine.
// - a unit lasts as long as the event loop has referenced handles: a
//   listening server or an interval keeps it running until it is unref'ed,
//   closed, or interrupted (SIGINT on the time limit).
// - on interrupt, only timers made with the global/`timers` setTimeout,
//   setInterval, setImmediate are cancelled (not `timers/promises` ones).
// - JavaScript blocked in a native call (execSync, Atomics.wait, a sync read
//   of a FIFO) is not interruptible; the host kills the worker after its grace.
// - process.exit(0) ends the unit as Ok (no value, the rest does not run);
//   process.on('SIGINT') listeners are ignored; NODE_OPTIONS is ignored.
// - start-up is 200-400 ms of CPU (Debian's libnode has no start-up snapshot
//   or code cache: Node's own JavaScript is compiled at every start); the
//   host's pre-started workers hide it.
#include <node.h>
#include <uv.h>
#include <v8.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <mutex>
#include <string>
#include <poll.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "backends/common/worker_runtime.h"

// Node's clock (docs/DESIGN.md §6a). Natively a script's statements run back
// to back; here the model's generation passes between them. Node stamps each
// timer with uv_now() (after uv_update_time), so a `setTimeout(f, 10)` in one
// unit and a `setTimeout(g, 0)` in a unit that came 20 ms later fired f
// first (native: g). libnode calls libuv's uv_now and uv_update_time through
// the dynamic linker; the worker exports its own (interposed, see
// CMakeLists.txt), which tell node the time minus the waits for units that
// nothing observed (g_hidden_ns: from the end of one unit's code to the start
// of the next one's — after it is compiled, as a script is before any
// statement runs — when no event-loop turn came between them).
//
// In ns, not whole ms: the loop's time is whole ms, and its time minus the
// waits rounded down, each to whole ms, was off by one ms from a native
// run's clock about as often as not (a 10 ms timer and a 0 ms one made by
// consecutive units came 2 ms apart, where natively 0). So uv_update_time
// notes uv_hrtime() with the loop's time, and uv_now tells
// floor((that − hidden) / 1 ms) — node's timers update the loop's time before
// each stamp; after libuv's own update (in uv_run) the fraction is unknown
// and the ms's start stands for it. Node's clock never goes back (g_told_ms);
// libuv's own arithmetic (timer deadlines, poll timeouts) uses its real loop
// time, and durations are the same on both clocks.
namespace {
const uv_loop_t *g_clock_loop = nullptr;
uint64_t g_hidden_ns = 0;  // the waits hidden so far
uint64_t g_update_ms = 0;  // the loop's time at our last uv_update_time ...
uint64_t g_update_ns = 0;  // ... and uv_hrtime() then
uint64_t g_told_ms = 0;    // what uv_now told last

template <class Fn>
Fn libuv_function(const char *name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}
}  // namespace

extern "C" __attribute__((visibility("default"))) uint64_t uv_now(const uv_loop_t *loop) {
  static auto real = libuv_function<uint64_t (*)(const uv_loop_t *)>("uv_now");
  uint64_t t = real(loop);
  if (loop != g_clock_loop) return t;
  uint64_t ns = t * 1000000;
  if (t == g_update_ms && g_update_ns > ns) ns = std::min(g_update_ns, ns + 999999);
  uint64_t program_ms = ns > g_hidden_ns ? (ns - g_hidden_ns) / 1000000 : 0;
  g_told_ms = std::max(g_told_ms, program_ms);
  return g_told_ms;
}

extern "C" __attribute__((visibility("default"))) void uv_update_time(uv_loop_t *loop) {
  static auto real = libuv_function<void (*)(uv_loop_t *)>("uv_update_time");
  real(loop);
  if (loop != g_clock_loop) return;
  g_update_ns = uv_hrtime();
  g_update_ms = loop->time;
}

namespace {

// The JavaScript side: returns {run, finish} (see the file).
const char *kBootstrap =
#include "backends/javascript/js_bootstrap.js.inc"
    ;

int g_wake_fd = -1;  // eventfd: SIGINT handler -> watchdog thread
// Counts SIGINTs as they are delivered: a signal that arrived before a unit
// started (the host's interrupt of the previous unit, racing with its end)
// must not stop the next one.
std::atomic<std::uint64_t> g_sigint_seq{0};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

void on_sigint(int) {
  int saved = errno;
  g_sigint_seq.fetch_add(1);
  std::uint64_t one = 1;
  ssize_t r = write(g_wake_fd, &one, sizeof one);
  (void)r;
  errno = saved;
}

void install_sigint() {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
}

std::string utf8(v8::Isolate *iso, v8::Local<v8::Value> v) {
  if (v.IsEmpty() || v->IsNullOrUndefined()) return {};
  v8::String::Utf8Value s(iso, v);
  return *s ? std::string(*s, static_cast<std::size_t>(s.length())) : std::string();
}

class JsBackend final : public sx::WorkerBackend {
 public:
  const char *name() const override { return "javascript"; }
  const char *program_file() const override { return "answer.js"; }

  ~JsBackend() override {
    // worker_main() ends with _exit(); nothing to tear down in the normal path.
  }

  bool init(std::string *err) override {
    auto t0 = std::chrono::steady_clock::now();
    const bool debug = getenv("SX_JS_WORKER_DEBUG") != nullptr;
    if (!check_builtin_files(err)) return false;
    auto phase = [&, tp = t0](const char *what) mutable {
      auto now = std::chrono::steady_clock::now();
      if (debug) fprintf(stderr, "js worker: %-28s %7.1f ms\n", what,
                         std::chrono::duration<double, std::milli>(now - tp).count());
      tp = now;
    };
    // --no-force-async-hooks-checks: a callback stopped by TerminateExecution
    // leaves its async context pushed; with the checks on, Node treats that
    // as a fatal corruption. finish() clears the stack after an interrupt.
    // --experimental-vm-modules: Node 18 needs it for import() in vm scripts
    // (and so for static imports, which are rewritten to import()).
    std::vector<std::string> args = {"streamexec-worker-javascript", "--no-force-async-hooks-checks",
                                     "--experimental-vm-modules"};
    using PF = node::ProcessInitializationFlags::Flags;
    std::uint64_t flags = PF::kNoInitializeV8 | PF::kNoInitializeNodeV8Platform |
                          PF::kNoDefaultSignalHandling |  // our SIGINT handler, not Node's (which exits)
                          PF::kNoStdioInitialization |    // fds 0-2 belong to worker_main's capture
                          PF::kNoAdjustResourceLimits |   // the host's RLIMITs stay as set
                          PF::kDisableNodeOptionsEnv;     // NODE_OPTIONS is for the system's (other) node
    // OpenSSL's eager init (config, the system CA store) costs 100-200 ms of
    // start-up; without it crypto initialises on first use. It is needed only
    // to honour NODE_EXTRA_CA_CERTS, which it reads.
    if (!getenv("NODE_EXTRA_CA_CERTS")) flags |= PF::kNoInitOpenSSL;
    init_ = node::InitializeOncePerProcess(args, static_cast<PF>(flags));
    for (const std::string &e : init_->errors()) fprintf(stderr, "node: %s\n", e.c_str());
    if (init_->early_return()) {
      *err = "node::InitializeOncePerProcess failed";
      return false;
    }
    phase("InitializeOncePerProcess");
    platform_ = node::MultiIsolatePlatform::Create(2);
    v8::V8::InitializePlatform(platform_.get());
    v8::V8::Initialize();

    phase("V8 platform + Initialize");
    std::vector<std::string> errors;
    setup_ = node::CommonEnvironmentSetup::Create(
        platform_.get(), &errors, init_->args(), init_->exec_args(),
        static_cast<node::EnvironmentFlags::Flags>(node::EnvironmentFlags::kOwnsProcessState |
                                                   node::EnvironmentFlags::kNoCreateInspector));
    if (!setup_) {
      *err = "CommonEnvironmentSetup::Create failed";
      for (const std::string &e : errors) *err += ": " + e;
      return false;
    }
    phase("CommonEnvironmentSetup");
    iso_ = setup_->isolate();
    env_ = setup_->env();
    loop_ = setup_->event_loop();
    locker_ = std::make_unique<v8::Locker>(iso_);
    iso_scope_ = std::make_unique<v8::Isolate::Scope>(iso_);

    // Wakes the loop from the watchdog thread (uv_async_send is thread-safe).
    uv_async_init(loop_, &wake_async_, [](uv_async_t *h) {
      auto *self = static_cast<JsBackend *>(h->data);
      if (self->stop_.load()) uv_stop(h->loop);
    });
    wake_async_.data = this;
    uv_unref(reinterpret_cast<uv_handle_t *>(&wake_async_));

    node::SetProcessExitHandler(env_, [this](node::Environment *, int code) {
      // process.exit(code) from a unit: stop it, keep the worker.
      exit_code_ = code;
      exit_requested_ = true;
      stop_ = true;
      set_stopping(1);
      iso_->TerminateExecution();
      uv_stop(loop_);
    });

    v8::HandleScope hs(iso_);
    v8::Local<v8::Context> ctx = setup_->context();
    v8::Context::Scope cs(ctx);
    v8::TryCatch tc(iso_);
    v8::MaybeLocal<v8::Value> boot = node::LoadEnvironment(env_, kBootstrap);
    v8::Local<v8::Value> api;
    if (!boot.ToLocal(&api) || !api->IsObject()) {
      *err = "bootstrap failed";
      if (tc.HasCaught()) *err += ": " + utf8(iso_, tc.Exception());
      return false;
    }
    for (auto [name, slot] : {std::pair{"init", &init_fn_}, {"beginProgram", &begin_program_}, {"run", &run_},
                              {"pending", &pending_}, {"drainTicks", &drain_ticks_}, {"finish", &finish_},
                              {"endProgram", &end_program_}, {"beforeExit", &before_exit_},
                              {"programResult", &program_result_}, {"hasBackground", &has_background_}}) {
      v8::Local<v8::Value> f;
      if (!api.As<v8::Object>()->Get(ctx, v8::String::NewFromUtf8(iso_, name).ToLocalChecked()).ToLocal(&f) ||
          !f->IsFunction()) {
        *err = std::string("bootstrap did not return ") + name + "()";
        return false;
      }
      slot->Reset(iso_, f.As<v8::Function>());
    }
    // The natives the bootstrap calls: attribute(unit) when a callback of
    // another unit prints, stop() when a program's callback failed.
    v8::Local<v8::Object> natives = v8::Object::New(iso_);
    auto native = [&](const char *name, v8::FunctionCallback cb) {
      v8::Local<v8::Function> fn =
          v8::Function::New(ctx, cb, v8::External::New(iso_, this)).ToLocalChecked();
      natives->Set(ctx, v8::String::NewFromUtf8(iso_, name).ToLocalChecked(), fn).Check();
    };
    native("attribute", [](const v8::FunctionCallbackInfo<v8::Value> &info) {
      if (info.Length() > 0 && info[0]->IsNumber())
        sx::attribute_output(static_cast<std::int64_t>(info[0].As<v8::Number>()->Value()));
    });
    // resume(): the unit's code starts (it is compiled): node's clock goes on;
    // pause(): its code returned (the rest, our reply and the wait for the next
    // unit, is not the program's time).
    native("resume", [](const v8::FunctionCallbackInfo<v8::Value> &info) {
      static_cast<JsBackend *>(info.Data().As<v8::External>()->Value())->hide_wait();
    });
    native("pause", [](const v8::FunctionCallbackInfo<v8::Value> &info) {
      static_cast<JsBackend *>(info.Data().As<v8::External>()->Value())->last_unit_end_ns_ = uv_hrtime();
    });
    native("stop", [](const v8::FunctionCallbackInfo<v8::Value> &info) {
      auto *self = static_cast<JsBackend *>(info.Data().As<v8::External>()->Value());
      self->stop_ = true;
      uv_stop(self->loop_);
    });
    {
      v8::Local<v8::Value> argv[1] = {natives};
      v8::Local<v8::Value> flag;
      if (!call(init_fn_, 1, argv).ToLocal(&flag) || !flag->IsSharedArrayBuffer()) {
        *err = "bootstrap init() failed";
        return false;
      }
      stopping_store_ = flag.As<v8::SharedArrayBuffer>()->GetBackingStore();
      stopping_ = static_cast<std::atomic<std::int32_t> *>(stopping_store_->Data());
    }
    phase("LoadEnvironment (bootstrap)");
    spin();  // whatever the bootstrap scheduled

    g_wake_fd = eventfd(0, EFD_CLOEXEC);
    if (g_wake_fd < 0) {
      *err = std::string("eventfd: ") + strerror(errno);
      return false;
    }
    std::thread([this] { watchdog(); }).detach();
    install_sigint();
    startup_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (debug) fprintf(stderr, "js worker: node env ready in %.1f ms\n", startup_ms_);
    return true;
  }

  std::vector<std::string> global_names() override {
    std::vector<std::string> out;
    v8::HandleScope hs(iso_);
    v8::Local<v8::Context> ctx = setup_->context();
    v8::Context::Scope cs(ctx);
    // Own properties of the global object (builtins, node's globals,
    // require/module/… of the bootstrap), and of its prototype chain.
    for (v8::Local<v8::Value> o = ctx->Global(); o->IsObject();) {
      v8::Local<v8::Array> names;
      if (!o.As<v8::Object>()->GetPropertyNames(ctx, v8::KeyCollectionMode::kOwnOnly, v8::SKIP_SYMBOLS,
                                                 v8::IndexFilter::kSkipIndices).ToLocal(&names))
        break;
      for (uint32_t i = 0; i < names->Length(); ++i) {
        v8::Local<v8::Value> n;
        if (names->Get(ctx, i).ToLocal(&n)) out.push_back(utf8(iso_, n));
      }
      o = o.As<v8::Object>()->GetPrototype();
    }
    for (const char *k : {"undefined", "NaN", "Infinity", "globalThis", "arguments", "this", "eval"}) out.push_back(k);
    return out;
  }

  void begin_program(int program) override {
    v8::HandleScope hs(iso_);
    v8::Context::Scope cs(setup_->context());
    in_program_ = true;
    g_clock_loop = loop_;  // its waits for units are hidden from node's clock (uv_now, above)
    uv_update_time(loop_);
    v8::Local<v8::Value> argv[1] = {v8::Integer::New(iso_, program)};
    call(begin_program_, 1, argv);
  }

  sx::ExecOutcome execute(const sx::ExecRequest &req) override {
    sx::ExecOutcome o;
    v8::HandleScope hs(iso_);
    v8::Local<v8::Context> ctx = setup_->context();
    v8::Context::Scope cs(ctx);
    arm();
    bool terminated = false;
    {
      v8::Local<v8::Value> argv[4] = {
          v8::String::NewFromUtf8(iso_, req.code.data(), v8::NewStringType::kNormal,
                                  static_cast<int>(req.code.size()))
              .FromMaybe(v8::String::Empty(iso_)),
          v8::Integer::New(iso_, req.line), v8::Integer::New(iso_, req.col),
          v8::Number::New(iso_, static_cast<double>(req.id))};
      // A plain call: no callback scope, so no nextTick or microtask runs
      // after the unit (docs/DESIGN.md §6a: no event-loop turn between units).
      if (call(run_, 4, argv, &terminated).IsEmpty() && terminated) terminated = true;
    }
    // A top-level await: the program yields, the event loop runs until the
    // unit's promise settles.
    while (!terminated && !stop_ && is_true(call(pending_, 0, nullptr, &terminated))) {
      call(drain_ticks_, 0, nullptr, &terminated);
      if (terminated || stop_ || !is_true(call(pending_, 0, nullptr, &terminated))) break;
      if (!uv_loop_alive(loop_)) break;  // nothing can settle it any more
      v8::SealHandleScope seal(iso_);
      run_loop(UV_RUN_ONCE);
      platform_->DrainTasks(iso_);
    }
    // The unit's code is done: from here (our reply, the wait for the next
    // unit) the time is not the program's — from pause(), when its script
    // returned, unless a loop turn came since or JavaScript was terminated.
    // (A unit that did not run — a syntax error — leaves the wait since the
    // last one's end hidden.)
    if (last_unit_end_ns_ == 0) last_unit_end_ns_ = uv_hrtime();
    int kind = disarm(terminated);
    v8::Local<v8::Value> argv[4] = {
        v8::Integer::New(iso_, kind), v8::Integer::New(iso_, exit_code_), v8::Integer::New(iso_, interrupt_line_),
        v8::String::NewFromUtf8(iso_, interrupt_trace_.c_str()).FromMaybe(v8::String::Empty(iso_))};
    v8::Local<v8::Value> res;
    if (!call(finish_, 4, argv).ToLocal(&res) || !res->IsObject()) {
      o.status = sx::Status::Error;
      o.has_error = true;
      o.error.type = "InternalError";
      o.error.message = "javascript backend: finish() failed";
      return o;
    }
    Fields f(iso_, ctx, res.As<v8::Object>());
    std::string status = f.str("status");
    if (f.has("value")) {
      o.has_value = true;
      o.value = f.str("value");
    }
    if (f.has("exitCode")) {
      o.exited = true;
      o.exit_code = f.num("exitCode") & 0xff;
    }
    o.returned = f.has("returned");
    if (status != "ok") {
      o.status = status == "syntax_error" ? sx::Status::SyntaxError : sx::Status::Error;
      o.has_error = true;
      o.error = f.error();
    }
    return o;
  }

  // As node after the main script: nextTicks, microtasks, then the event
  // loop until nothing keeps it alive; 'beforeExit' (which may schedule more
  // work), then 'exit'. The exit status is process.exitCode (or what
  // process.exit() said, or 1 after an uncaught error).
  sx::ProgramOutcome end_program(const sx::ProgramEndRequest &req) override {
    sx::ProgramOutcome o;
    o.unit_id = req.unit_id;
    hide_wait();  // natively the loop starts right after the last statement
    in_program_ = false;
    v8::HandleScope hs(iso_);
    v8::Local<v8::Context> ctx = setup_->context();
    v8::Context::Scope cs(ctx);
    arm();
    bool terminated = false;
    v8::Local<v8::Value> argv0[2] = {v8::Number::New(iso_, static_cast<double>(req.unit_id)),
                                     v8::Boolean::New(iso_, req.failed)};
    bool run_loop = is_true(call(end_program_, 2, argv0, &terminated));
    while (run_loop && !terminated && !stop_) {
      call(drain_ticks_, 0, nullptr, &terminated);
      if (terminated || stop_) break;
      spin();
      if (terminated || stop_) break;
      call(drain_ticks_, 0, nullptr, &terminated);
      if (uv_loop_alive(loop_) || terminated || stop_) continue;
      call(before_exit_, 0, nullptr, &terminated);
      call(drain_ticks_, 0, nullptr, &terminated);
      if (!uv_loop_alive(loop_)) break;
    }
    int kind = disarm(terminated);
    v8::Local<v8::Value> argv[5] = {
        v8::Integer::New(iso_, kind), v8::Integer::New(iso_, exit_code_), v8::Integer::New(iso_, interrupt_line_),
        v8::String::NewFromUtf8(iso_, interrupt_trace_.c_str()).FromMaybe(v8::String::Empty(iso_)),
        v8::Boolean::New(iso_, uv_loop_alive(loop_) != 0)};
    v8::Local<v8::Value> res;
    if (!call(program_result_, 5, argv).ToLocal(&res) || !res->IsObject()) {
      o.status = sx::Status::Error;
      o.has_error = true;
      o.error.type = "InternalError";
      o.error.message = "javascript backend: programResult() failed";
      return o;
    }
    Fields f(iso_, ctx, res.As<v8::Object>());
    std::string status = f.str("status");
    o.status = status == "ok" ? sx::Status::Ok : status == "timeout" ? sx::Status::Timeout : sx::Status::Error;
    o.has_exit_code = f.has("exitCode");
    o.exit_code = f.num("exitCode") & 0xff;
    o.note = f.str("note");
    if (f.has("type")) {
      o.has_error = true;
      o.error = f.error();
    }
    return o;
  }

  // Between programs, handles left running by earlier programs (a server,
  // an interval) are served while the interpreter waits for the next
  // request; within a program the loop does not turn between units.
  void wait_readable(int fd) override {
    if (in_program_ || !has_background()) return sx::WorkerBackend::wait_readable(fd);
    uv_poll_t poll{};
    if (uv_poll_init(loop_, &poll, fd) != 0) return sx::WorkerBackend::wait_readable(fd);
    poll.data = this;
    uv_poll_start(&poll, UV_READABLE, [](uv_poll_t *h, int, int) { uv_stop(h->loop); });
    {
      v8::HandleScope hs(iso_);
      v8::Context::Scope cs(setup_->context());
      arm();
      for (;;) {
        v8::SealHandleScope seal(iso_);
        run_loop(UV_RUN_DEFAULT);  // returns when the poll fires (uv_stop) or on stop_
        platform_->DrainTasks(iso_);
        pollfd p{fd, POLLIN, 0};
        if (stop_ || ::poll(&p, 1, 0) > 0) break;
      }
      disarm(false);
    }
    uv_poll_stop(&poll);
    uv_close(reinterpret_cast<uv_handle_t *>(&poll), nullptr);
    uv_run(loop_, UV_RUN_NOWAIT);  // lets the close complete
  }

 private:
  // Calls a bootstrap function with a TryCatch; *terminated tells whether
  // TerminateExecution (interrupt, process.exit) stopped it.
  v8::MaybeLocal<v8::Value> call(const v8::Global<v8::Function> &fn, int argc, v8::Local<v8::Value> *argv,
                                 bool *terminated = nullptr) {
    v8::TryCatch tc(iso_);
    v8::Local<v8::Context> ctx = setup_->context();
    v8::MaybeLocal<v8::Value> r = fn.Get(iso_)->Call(ctx, ctx->Global(), argc, argv);
    if (r.IsEmpty() && tc.HasTerminated()) {
      if (terminated) *terminated = true;
      iso_->CancelTerminateExecution();
    }
    return r;
  }
  static bool is_true(v8::MaybeLocal<v8::Value> v) {
    v8::Local<v8::Value> l;
    return v.ToLocal(&l) && l->IsTrue();
  }
  bool has_background() {
    v8::HandleScope hs(iso_);
    v8::Context::Scope cs(setup_->context());
    return is_true(call(has_background_, 0, nullptr));
  }

  // The named fields of a result object.
  struct Fields {
    v8::Isolate *iso;
    v8::Local<v8::Context> ctx;
    v8::Local<v8::Object> obj;
    Fields(v8::Isolate *i, v8::Local<v8::Context> c, v8::Local<v8::Object> o) : iso(i), ctx(c), obj(o) {}
    v8::Local<v8::Value> get(const char *k) const {
      v8::Local<v8::Value> v;
      if (!obj->Get(ctx, v8::String::NewFromUtf8(iso, k).ToLocalChecked()).ToLocal(&v)) v = v8::Undefined(iso);
      return v;
    }
    bool has(const char *k) const { return !get(k)->IsNullOrUndefined(); }
    std::string str(const char *k) const { return utf8(iso, get(k)); }
    int num(const char *k) const { return get(k)->Int32Value(ctx).FromMaybe(0); }
    // {type, message, line, traceback}, as the bootstrap's results carry it.
    sx::ErrorInfo error() const {
      sx::ErrorInfo e;
      e.type = str("type");
      e.message = str("message");
      e.line = num("line");
      e.traceback = str("traceback");
      return e;
    }
  };

  // Before JavaScript of a unit or a program's end runs: the watchdog may
  // interrupt it from now on.
  void arm() {
    install_sigint();  // in case a unit got past the process.on('SIGINT') guard
    iso_->CancelTerminateExecution();  // nothing left over from before
    set_stopping(0);
    std::lock_guard<std::mutex> lk(mu_);
    running_ = true;
    armed_ = true;
    interrupt_line_ = 0;
    interrupt_trace_.clear();
    start_seq_ = g_sigint_seq.load();
    interrupted_ = false;
    stop_ = false;
    exit_requested_ = false;
    exit_code_ = 0;
  }
  // After it: 0 normal, 1 interrupted, 2 process.exit().
  int disarm(bool terminated) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      running_ = false;
    }
    armed_ = false;  // a still pending interrupt request becomes a no-op
    // No termination may leak into the next JavaScript we run.
    iso_->CancelTerminateExecution();
    if (exit_requested_) return 2;
    if (interrupted_ || terminated) return 1;
    return 0;
  }

  // Runs the event loop until nothing is left (or stop_ is set): timers,
  // promises and I/O started by the unit settle inside the unit.
  void spin() {
    v8::SealHandleScope seal(iso_);
    for (;;) {
      if (stop_) break;
      run_loop(UV_RUN_DEFAULT);
      if (stop_) break;
      platform_->DrainTasks(iso_);
      if (!uv_loop_alive(loop_)) break;
    }
  }

  // Debian's libnode aborts at start-up if one of the JS files it loads from
  // /usr/share/nodejs is missing (they come with node-acorn & co., which
  // cannot be installed next to a non-Debian nodejs): say so clearly.
  static bool check_builtin_files(std::string *err) {
#ifdef SX_LIBNODE_BUILTIN_FILES
    std::string files = SX_LIBNODE_BUILTIN_FILES;
    std::size_t pos = 0;
    while (pos < files.size()) {
      std::size_t end = files.find(':', pos);
      if (end == std::string::npos) end = files.size();
      std::string f = files.substr(pos, end - pos);
      if (!f.empty() && access(f.c_str(), R_OK) != 0) {
        *err = "libnode needs " + f + " at start-up and it is missing; run scripts/libnode-setup BUILD_DIR";
        return false;
      }
      pos = end + 1;
    }
#endif
    (void)err;
    return true;
  }

  void watchdog() {
    for (;;) {
      std::uint64_t n = 0;
      if (read(g_wake_fd, &n, sizeof n) != static_cast<ssize_t>(sizeof n)) {
        if (errno == EINTR) continue;
        return;
      }
      std::unique_lock<std::mutex> lk(mu_);
      // SIGINT between units, or delivered before this unit started: stale.
      if (!running_ || g_sigint_seq.load() == start_seq_) continue;
      interrupted_ = true;
      stop_ = true;
      set_stopping(1);
      uv_async_send(&wake_async_);
      // In the event loop (a program's end, a top-level await): the loop
      // stops after the callback it may be running (no other one starts).
      // A program that only waits (an interval, a server) is then stopped,
      // not cut off in JavaScript: it goes on in the background. Only a
      // callback that does not return within kCallbackGraceMs is stuck in
      // JavaScript and terminated, as is JavaScript run outside the loop.
      if (in_loop_.load()) {
        lk.unlock();
        for (int i = 0; i < kCallbackGraceMs && in_loop_.load(); ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        lk.lock();
        if (!running_ || !in_loop_.load()) continue;
      }
      // JavaScript running: on_interrupt() notes where and terminates it.
      iso_->RequestInterrupt(&JsBackend::on_interrupt, this);
    }
  }

  // The time since the last unit's code ended (our reply, the wait for the
  // next unit), if no event-loop turn saw it, is not the program's: hidden
  // from node's clock (uv_now, above).
  void hide_wait() {
    if (last_unit_end_ns_ != 0) g_hidden_ns += uv_hrtime() - last_unit_end_ns_;
    last_unit_end_ns_ = 0;
  }

  // Runs the loop (mode as uv_run's) with in_loop_ set, for the watchdog.
  int run_loop(uv_run_mode mode) {
    last_unit_end_ns_ = 0;  // the loop saw the time go by: the next wait is not hidden
    in_loop_.store(true);
    int r = uv_run(loop_, mode);
    in_loop_.store(false);
    return r;
  }

  // Runs on the main thread at the next interrupt check of running JavaScript.
  static void on_interrupt(v8::Isolate *iso, void *data) {
    auto *self = static_cast<JsBackend *>(data);
    if (!self->armed_) return;  // the unit ended before JavaScript ran again
    self->armed_ = false;
    {
      v8::HandleScope hs(iso);
      v8::Local<v8::StackTrace> st = v8::StackTrace::CurrentStackTrace(iso, 20);
      std::string trace = "Interrupted: execution interrupted (SIGINT)";
      for (int i = 0; i < st->GetFrameCount(); ++i) {
        v8::Local<v8::StackFrame> f = st->GetFrame(iso, static_cast<uint32_t>(i));
        std::string script = utf8(iso, f->GetScriptName());
        std::string fn = utf8(iso, f->GetFunctionName());
        if (script.rfind("node:embedder_main", 0) == 0 || script == "node:vm") continue;
        std::string where = script + ":" + std::to_string(f->GetLineNumber()) + ":" + std::to_string(f->GetColumn());
        trace += "\n    at " + (fn.empty() ? where : fn + " (" + where + ")");
        if (script == "<answer>" && self->interrupt_line_ == 0) self->interrupt_line_ = f->GetLineNumber();
      }
      self->interrupt_trace_ = trace;
    }
    iso->TerminateExecution();
  }

  std::unique_ptr<node::InitializationResult> init_;
  std::unique_ptr<node::MultiIsolatePlatform> platform_;
  std::unique_ptr<node::CommonEnvironmentSetup> setup_;
  std::unique_ptr<v8::Locker> locker_;
  std::unique_ptr<v8::Isolate::Scope> iso_scope_;
  v8::Isolate *iso_ = nullptr;
  node::Environment *env_ = nullptr;
  uv_loop_t *loop_ = nullptr;
  uv_async_t wake_async_{};
  v8::Global<v8::Function> init_fn_, begin_program_, run_, pending_, drain_ticks_, finish_, end_program_,
      before_exit_, program_result_, has_background_;
  bool in_program_ = false;  // between a program's first unit and its end
  uint64_t last_unit_end_ns_ = 0;     // uv_hrtime() at the last unit's end; 0: the loop ran since
  std::atomic<bool> in_loop_{false};  // the main thread is in uv_run (see watchdog())
  static constexpr int kCallbackGraceMs = 100;
  // The bootstrap's `stopping` flag (a SharedArrayBuffer's memory).
  std::shared_ptr<v8::BackingStore> stopping_store_;
  std::atomic<std::int32_t> *stopping_ = nullptr;
  void set_stopping(std::int32_t v) {
    if (stopping_) stopping_->store(v);
  }

  std::mutex mu_;                 // running_ vs. the watchdog
  bool running_ = false;
  bool armed_ = false;            // main thread only: the unit may still be interrupted
  int interrupt_line_ = 0;        // where on_interrupt() found the unit
  std::string interrupt_trace_;
  std::uint64_t start_seq_ = 0;
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> stop_{false};
  bool exit_requested_ = false;
  int exit_code_ = 0;
  double startup_ms_ = 0;
};

}  // namespace

int main() {
  JsBackend b;
  return sx::worker_main(b);
}
