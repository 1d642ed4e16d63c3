/*
 * streamexec — execute LLM-generated code while the model is still writing it.
 *
 * The C API. A *session* takes the bytes of model answers as they arrive
 * (sx_feed), finds every executable unit of code as soon as no later byte can
 * change it, runs it in a worker process of its language, and reports what
 * happens as *events*. A session holds many answers, as a notebook holds many
 * cells: sx_answer_end (the model finished) or sx_answer_cut (the model was
 * stopped) ends one and keeps every variable, import and compiled function
 * for the next; sx_finish ends the last one and the session.
 *
 *   sx_options opt;
 *   sx_options_init(&opt);
 *   sx_session *s;
 *   if (sx_session_new(&opt, &s) != SX_OK) ...;
 *   for (;;) {                                           // the agent loop
 *     int stopped = 0;
 *     while (!stopped && model_has_tokens())
 *       stopped = sx_feed(s, tok, tok_len) == SX_STOP;   // a unit failed
 *     if (stopped) sx_answer_cut(s); else sx_answer_end(s);
 *     ... read the events (sx_next_event); done? break; else prompt the model again
 *   }
 *   sx_finish(s);
 *   sx_event *ev;
 *   while (sx_next_event(s, 0, &ev) == SX_OK) { puts(ev->json); sx_event_free(ev); }
 *   sx_session_free(s);
 *
 * Errors are integer codes (SX_OK, SX_E…); sx_strerror() describes a code and
 * sx_session_errmsg() the last error of a session. No function throws or
 * aborts on bad input.
 *
 * Thread safety, function by function:
 *   sx_version, sx_strerror, sx_options_init(_size), sx_chat_options_init(_size),
 *   sx_pool_options_init(_size),
 *   sx_lang_name, sx_status_name, sx_event_kind_name, sx_lang_from_name
 *       thread-safe (no state).
 *   sx_last_error  thread-local: the reason of the calling thread's last failed
 *       sx_session_new, sx_chat or sx_replay.
 *   sx_pool_new, sx_pool_wait_ready, sx_pool_stats_get  thread-safe; a pool is
 *       shared by the sessions of any threads. sx_pool_free once per pool.
 *   sx_session_new  thread-safe; sessions are independent and may be used from
 *       different threads at the same time.
 *   sx_feed, sx_answer_end, sx_answer_cut, sx_finish, sx_chat, sx_replay,
 *   sx_session_errmsg  one thread at a time per session (the "feeding" calls; a
 *       caller that feeds from several threads must serialise them).
 *   sx_next_event, sx_event_free  any thread, also while another thread feeds
 *       (e.g. one thread feeds, another drains events).
 *   sx_interrupt  any thread, at any time before sx_session_free.
 *   sx_session_free  once, when no other call on the session is running.
 *   Callbacks (sx_event_fn, sx_gate_fn) run on the feeding thread or on library
 *       threads, never two at once for one session; they must not call the
 *       feeding functions of their own session (those return SX_EMISUSE).

 * No process-wide side effects: the library changes no signal disposition
 * and no environment variable of the program that embeds it.
 */
#ifndef STREAMEXEC_H
#define STREAMEXEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SX_VERSION_MAJOR 0
#define SX_VERSION_MINOR 4
#define SX_VERSION_PATCH 0

/* ---------------------------------------------------------------- Results */

typedef enum sx_result {
  SX_OK = 0,         /* success */
  SX_STOP = 1,       /* success, and a unit failed: the caller should stop generating */
  SX_DONE = 2,       /* sx_next_event: the session is finished and no event is left */
  SX_AGAIN = 3,      /* sx_next_event: no event within the timeout */
  SX_EINVAL = -1,    /* an argument is invalid (NULL pointer, unknown enum value …) */
  SX_EMISUSE = -2,   /* call not allowed in this state (e.g. sx_feed after sx_finish) */
  SX_ENOMEM = -3,    /* out of memory */
  SX_EWORKER = -4,   /* a worker executable is missing or not runnable (sx_last_error says which path) */
  SX_EINTERNAL = -5, /* a bug in streamexec; sx_session_errmsg says more */
  SX_EHTTP = -6      /* sx_chat: the model's server could not be reached, refused the
                        request, or its stream broke; sx_last_error says what and where */
} sx_result;

/* A static English description of a result code. Never NULL; not to be freed. */
const char *sx_strerror(int code);

/* The library version, e.g. "0.1.0". Static; not to be freed. */
const char *sx_version(void);

/* ---------------------------------------------------------------- Options */

typedef enum sx_mode {
  SX_MODE_MARKDOWN = 0, /* the answer is markdown; fenced blocks are executed */
  SX_MODE_RAW = 1       /* the whole stream is code of sx_options.lang */
} sx_mode;

typedef enum sx_lang { SX_LANG_PYTHON = 0, SX_LANG_JAVASCRIPT = 1, SX_LANG_CPP = 2 } sx_lang;

typedef enum sx_network {
  SX_NETWORK_NONE = 0, /* the workers' own network namespace: loopback only (default) */
  SX_NETWORK_HOST = 1  /* the host's network (agents that install packages, fetch data) */
} sx_network;

typedef enum sx_error_policy {
  SX_POLICY_STOP = 0,    /* after a failed unit, later units of that language are skipped */
  SX_POLICY_CONTINUE = 1 /* later units still run */
} sx_error_policy;

typedef enum sx_event_kind {
  SX_EVENT_UNIT_CLOSED = 0,      /* a unit is complete and queued for execution */
  SX_EVENT_UNIT_STARTED = 1,     /* a worker began executing a unit */
  SX_EVENT_OUTPUT = 2,           /* a piece of a unit's stdout/stderr (text, stream) */
  SX_EVENT_UNIT_DONE = 3,        /* a unit's result (status, value, error) */
  SX_EVENT_STOP_ADVISED = 4,     /* first failure of the session: stop generating */
  SX_EVENT_SYNTAX_ERROR = 5,     /* reserved (syntax errors arrive as UNIT_DONE with
                                    status SX_STATUS_SYNTAX_ERROR) */
  SX_EVENT_FENCE_SKIPPED = 6,    /* a fenced block that is not executed, and why */
  SX_EVENT_WORKER_RESTARTED = 7, /* a worker crashed or was killed; its state is lost */
  SX_EVENT_SESSION_DONE = 8,     /* last event: the latency report */
  SX_EVENT_UNIT_HELD = 9,        /* the gate holds a unit until sx_finish (text: why) */
  SX_EVENT_PROGRAM_DONE = 10,    /* a program (a fenced block; raw mode: the whole answer)
                                    ended: status, exit_code, text: the error message or a note */
  SX_EVENT_ANSWER_DONE = 11,     /* an answer ended (sx_answer_end, sx_answer_cut, sx_finish):
                                    its report (`report`); `status` is SX_STATUS_CUT if it
                                    was cut. The session goes on. */
  SX_EVENT_DISPLAY = 12,         /* rich output of a unit, as a Jupyter display_data: a MIME
                                    bundle (mime_*), e.g. a matplotlib figure shown (plt.show())
                                    or left open at its program's end as image/png; text: its
                                    text/plain */
  SX_EVENT_MODEL_REQUEST = 13,   /* sx_chat / sx_replay: a request to the model went out
                                    (model_round, model_request_bytes) */
  SX_EVENT_MODEL_STREAM_END = 14 /* the model's stream of a round ended: model_reason
                                    ("done" | "stopped" | "error" | "length"), model_tokens,
                                    model_cut_tokens; text: the error, if any */
} sx_event_kind;

typedef enum sx_status {
  SX_STATUS_OK = 0,
  SX_STATUS_ERROR = 1,        /* runtime error (exception, failed compile) */
  SX_STATUS_SYNTAX_ERROR = 2, /* the answer's code does not parse */
  SX_STATUS_TIMEOUT = 3,      /* exceeded the per-unit wall-clock limit */
  SX_STATUS_CRASHED = 4,      /* the worker died (segfault, exit(), …) */
  SX_STATUS_SKIPPED = 5,      /* not run (policy stop after an earlier failure) */
  SX_STATUS_GATED = 6,        /* held or refused by the gate */
  SX_STATUS_LIMIT = 7,        /* a resource limit was hit */
  SX_STATUS_CUT = 8,          /* the answer was cut (sx_answer_cut) while this unit was
                                 being written: not run, and not an error */
  SX_STATUS_INTERRUPTED = 9   /* stopped by sx_interrupt */
} sx_status;

/* The latency report of an answer (SX_EVENT_ANSWER_DONE) or of the whole
 * session (SX_EVENT_SESSION_DONE); times in ms (README "Latency report"). */
typedef struct sx_report {
  size_t struct_size;       /* sizeof(sx_report) of the library */
  double t_gen_ms;          /* first byte fed .. end of the answer(s) */
  double t_exec_ms;         /* execution time of every unit and program end */
  double e2e_ms;            /* first byte fed .. last result */
  double serial_e2e_ms;     /* t_gen + t_exec: generate, then execute */
  double non_overlapped_ms; /* end of the answer .. last result */
  double limit_ms;          /* the physical limit (docs/DESIGN.md §1) */
  uint64_t units, errors, skipped, cut, programs, programs_failed;
  const char *sandbox_missing; /* SESSION_DONE: protections missing, "python: seccomp; cpp: …",
                                  "" if none (the JSON has the whole sandbox report) */
} sx_report;

/*
 * One event. All pointers are owned by the event: valid until sx_event_free
 * (for events from sx_next_event) or until the callback returns (for events
 * passed to sx_event_fn). Strings are NUL-terminated UTF-8 (invalid bytes of a
 * unit's output are passed through in `text`, replaced by U+FFFD in `json`).
 */
typedef struct sx_event {
  sx_event_kind kind;
  double t_ms;          /* milliseconds since the first sx_feed of the session */
  int64_t unit_id;      /* -1 if the event is not about one unit */
  const char *lang;     /* "python" | "javascript" | "cpp" | "" */
  sx_status status;     /* UNIT_DONE, PROGRAM_DONE, ANSWER_DONE (else SX_STATUS_OK) */
  const char *stream;   /* SX_EVENT_OUTPUT: "stdout" | "stderr"; else "" */
  const char *text;     /* OUTPUT: the output; UNIT_CLOSED: the unit's code;
                           UNIT_DONE: error message or value; STOP_ADVISED,
                           FENCE_SKIPPED, WORKER_RESTARTED: the reason */
  size_t text_len;
  const char *json;     /* the whole event as one JSON object (schema in README), made
                           from the same fields */
  size_t json_len;
  /* --- since 0.2: typed fields, so that no client parses the JSON. Read them only
     if struct_size says they are there (offsetof(sx_event, field) < struct_size). */
  size_t struct_size;   /* sizeof(sx_event) of the library that made the event */
  int answer;           /* index of the answer (0, 1, …) the event belongs to */
  const char *code;     /* UNIT_CLOSED: the unit's code; UNIT_DONE with SX_STATUS_CUT:
                           the text dropped (may be partial); else "" */
  size_t code_len;
  uint32_t line;        /* UNIT_CLOSED, FENCE_SKIPPED: answer line of the first byte; else 0 */
  const char *error_type;    /* UNIT_DONE, PROGRAM_DONE with an error: "ZeroDivisionError",
                                "SyntaxError", "Timeout", "Interrupted", …; else "" */
  const char *error_message; /* its message; else "" */
  uint32_t error_line;  /* answer line of the error (of the innermost frame in the
                           answer), 0 if unknown */
  const char *traceback;     /* formatted, with answer line numbers; else "" */
  int has_value;        /* UNIT_DONE: the unit is an expression with a value */
  const char *value_repr;    /* its repr; else "" */
  int has_exit_code;    /* the unit or program ended its program with an exit status */
  int exit_code;
  int signal;           /* PROGRAM_DONE / UNIT_DONE: killed by this signal (C++), else 0 */
  double duration_ms;   /* UNIT_DONE: execution time in the worker; PROGRAM_DONE: of its end
                           (event loop, atexit); ANSWER_DONE: the answer's end-to-end time */
  const char *note;     /* UNIT_DONE, PROGRAM_DONE: e.g. why a unit was skipped; else "" */
  const char *unit_kind;     /* UNIT_CLOSED: "import", "function", "assign", "expr", …; else "" */
  uint64_t offset, end_offset; /* UNIT_CLOSED: the unit's bytes [offset, end_offset) in the answer */
  uint32_t error_col;   /* syntax errors: 1-based column, 0 if unknown */
  int fence;            /* UNIT_CLOSED, FENCE_SKIPPED, PROGRAM_DONE: the program (fence index in
                           the session; < 0: raw mode); else -1 */
  const sx_report *report; /* ANSWER_DONE, SESSION_DONE; else NULL */
  /* DISPLAY: the bundle; UNIT_DONE: a value's rich forms besides its repr (an object
     with _repr_html_ / _repr_png_, e.g. a pandas DataFrame); else n_mime = 0. Types as
     "image/png", "text/html", "text/plain"; binary data base64-encoded (as in Jupyter's
     messages), text as UTF-8. */
  size_t n_mime;
  const char *const *mime_types;
  const char *const *mime_data;
  const size_t *mime_len;
  /* --- since 0.3: MODEL_REQUEST, MODEL_STREAM_END (sx_chat, sx_replay); else 0 / "" */
  int model_round;              /* 0: the first answer; 1, 2 …: repair rounds */
  const char *model_reason;     /* MODEL_STREAM_END: done | stopped | error | length */
  uint64_t model_tokens;        /* content deltas fed to the session (≈ tokens) */
  uint64_t model_cut_tokens;    /* deltas the server had sent when the stop came, not fed */
  uint64_t model_request_bytes; /* MODEL_REQUEST: the request body's size */
} sx_event;

/*
 * Event callback. Called once per event, in order, never concurrently for one
 * session, from the thread that called sx_feed/sx_finish or from a library
 * thread. It must return quickly and must not call sx_feed, sx_finish or
 * sx_session_free of the same session: if it does, sx_feed and sx_finish
 * return SX_EMISUSE, sx_session_free does nothing, and sx_next_event does not
 * wait (timeout 0).
 */
typedef void (*sx_event_fn)(void *user, const sx_event *event);

/* ------------------------------------------------------------------ Gate */

/* What the gate decides for a closed unit, before it is dispatched. */
typedef enum sx_gate_decision {
  SX_GATE_RUN = 0,  /* run now */
  SX_GATE_HOLD = 1, /* run after sx_finish (the whole answer is known); later units of the
                       same language wait behind it, as they share its state */
  SX_GATE_SKIP = 2  /* never run: unit_done with status SX_STATUS_GATED */
} sx_gate_decision;

/* A closed unit as the gate sees it. Valid only during the gate call. */
typedef struct sx_unit_info {
  int64_t id;
  const char *lang;                /* "python" | "javascript" | "cpp" */
  const char *code;                /* the unit's exact text, NUL-terminated */
  size_t code_len;
  const char *kind;                /* "import", "function", "assign", "expr", … */
  uint32_t line;                   /* answer line of its first byte */
  const char *const *uses;         /* names it reads and dotted calls ("os.remove") */
  size_t n_uses;
  const char *const *defines;      /* top-level names it binds */
  size_t n_defines;
} sx_unit_info;

/*
 * Gate callback: called once per closed unit, in stream order, on the thread
 * that called sx_feed/sx_finish. Return a decision; *reason may be set to a
 * static or user-owned string that stays valid until the call returns (it is
 * copied) and is reported in the unit_held / unit_done event.
 */
typedef sx_gate_decision (*sx_gate_fn)(void *user, const sx_unit_info *unit, const char **reason);

typedef struct sx_options {
  size_t struct_size;          /* set by sx_options_init; for ABI evolution */
  sx_mode mode;                /* default SX_MODE_MARKDOWN */
  sx_lang lang;                /* raw mode language; default SX_LANG_PYTHON */
  sx_error_policy on_error;    /* default SX_POLICY_STOP */
  int execute;                 /* 0: only find units (no workers); default 1 */
  int batching;                /* dispatch all waiting units at once; default 1 */
  int serial;                  /* run nothing before sx_finish (`--serial`); default 0 */
  double unit_timeout_s;       /* per-unit wall clock, > 0 (NaN, 0 and negative values
                                  are SX_EINVAL; INFINITY = no limit); default 30 */
  size_t output_cap_bytes;     /* per-unit stdout+stderr cap; default 8 MiB */
  uint64_t worker_memory_bytes;/* RLIMIT_AS of each worker, 0 = none; default 0 */
  const char *worker_dir;      /* directory of streamexec-worker-*; NULL = the
                                  build's bin/ or $STREAMEXEC_WORKER_DIR. Copied. */
  sx_event_fn on_event;        /* optional callback */
  void *user;                  /* passed to on_event */
  int queue_events;            /* keep events for sx_next_event; default 1 */
  unsigned prestart;           /* bit mask (1 << sx_lang) of workers started with the
                                  session; 0 = the raw-mode language, or Python in
                                  markdown mode. Other workers start when the first
                                  fence of their language opens. Default 0. */
  sx_gate_fn gate;             /* optional gate policy; NULL = run everything */
  void *gate_user;             /* passed to gate */
  double session_timeout_s;    /* wall clock of the whole session, counted from
                                  sx_session_new, >= 0 (0 = none). When it runs out the
                                  running unit is killed (status SX_STATUS_LIMIT), later
                                  units are skipped and a stop is advised. Default 0 */
  uint64_t worker_max_processes; /* processes and threads of each worker together
                                  with everything it forks: a pids cgroup when one can
                                  be created (root, or a delegated cgroup), else
                                  RLIMIT_NPROC (which root ignores). 0 = none.
                                  Default 512 */
  uint64_t worker_max_open_files; /* RLIMIT_NOFILE of each worker, 0 = inherit; default 0 */
  /* The sandbox (README "Security"). Workers never inherit the host's
     environment: they get PATH, LANG, LANGUAGE, LC_*, TZ, HOME and TMPDIR (the
     scratch directory /tmp, their cwd) and what `env` names. */
  const char *const *env;      /* NULL-terminated list; "NAME=VALUE" sets NAME, "NAME"
                                  passes the host's NAME (if set). Copied. Default NULL */
  sx_network network;          /* default SX_NETWORK_NONE */
  const char *const *allow_write; /* NULL-terminated list of existing host directories
                                  the units may write; everything else is read-only but
                                  the scratch directory. Copied. Default NULL */
  uint64_t scratch_bytes;      /* size cap of the scratch tmpfs (/tmp), >= 1 MiB; removed
                                  with the worker. Default 512 MiB */
  const char *sandbox_off;     /* comma-separated protections to switch OFF (README
                                  "Security": env, fds, supervisor, frame_checks, user_ns,
                                  pid_ns, mount_ns, net_ns, read_only, hide, own_proc,
                                  caps, no_new_privs, seccomp, nice). Weakens the sandbox: for
                                  diagnosis and red-team tests only. Default NULL */
  /* --- since 0.4 */
  struct sx_pool *pool; /* warm workers (sx_pool_new): the session takes a started
                           worker from it instead of starting one, when the pool's
                           worker options (worker_dir, worker_*, env, network,
                           allow_write, scratch_bytes, sandbox_off) equal this
                           session's; else it starts its own. Not copied: the pool
                           must outlive the session (see sx_pool_free).
                           Default NULL */
  const char *python_executor; /* where Python units run: NULL or "" = streamexec's own
                                  worker; "jupyter:CONNECTION_FILE" = an existing Jupyter
                                  kernel (messaging protocol 5.3, e.g. ipykernel), through
                                  the streamexec-worker-jupyter bridge. The kernel's own
                                  isolation is its platform's: streamexec's sandbox covers
                                  the bridge, not the kernel. Copied. Default NULL */
} sx_options;

/* Fills *opt with the defaults above (sizeof(sx_options) of this header). */
void sx_options_init(sx_options *opt);

/*
 * The same for an options struct of `size` bytes, which may come from an
 * older header (smaller): the fields it has get their defaults and
 * struct_size = size; sx_session_new then uses the defaults for the fields the
 * caller's header did not have. Fields added later are only ever appended.
 */
void sx_options_init_size(sx_options *opt, size_t size);

/* Programs compiled against this header pass their own struct size. */
#define sx_options_init(opt) sx_options_init_size((opt), sizeof *(opt))

/* ------------------------------------------------------------- Warm pools */

/*
 * A pool keeps started workers ready for the sessions of this process (README
 * "Many sessions"): their start-up — the sandbox, the interpreter with its
 * prelude (Python with site imported; Node with our runtime; Clang's
 * interpreter with the standard headers) — is done ahead of time on the
 * pool's own thread, so a session's first unit does not wait for it. A
 * worker is never reused: each session takes one no unit has run in, it ends
 * with that session, and the pool starts a replacement at once.
 */
typedef struct sx_pool sx_pool;

typedef struct sx_pool_options {
  size_t struct_size;        /* set by sx_pool_options_init */
  unsigned ready[3];         /* workers kept ready per language (index: sx_lang);
                                default {1, 1, 1} */
  int adaptive;              /* 1: a language keeps 0 ready workers until a session
                                of the pool first asks for one of it, then ready[lang]
                                (the first session of a language starts cold; a
                                process that never runs C++ holds no C++ worker).
                                Default 0 */
  const sx_options *workers; /* the options of the workers: worker_dir, worker_*,
                                env, network, allow_write, scratch_bytes, sandbox_off
                                (the other fields are ignored); NULL = the defaults.
                                Copied. */
} sx_pool_options;

void sx_pool_options_init_size(sx_pool_options *opt, size_t size);
#define sx_pool_options_init(opt) sx_pool_options_init_size((opt), sizeof *(opt))

/*
 * Creates a pool and starts its workers in the background (this call does
 * not wait). SX_OK and *out, or SX_EINVAL (bad options, as sx_session_new
 * checks them; sx_last_error says which), SX_ENOMEM.
 */
int sx_pool_new(const sx_pool_options *opt, sx_pool **out);

/* Waits up to timeout_ms until every language has its ready workers: SX_OK, or
   SX_AGAIN if the time ran out (a start failed: sx_pool_stats' last_error). */
int sx_pool_wait_ready(sx_pool *pool, int timeout_ms);

typedef struct sx_pool_stats {
  size_t struct_size;
  uint64_t started[3];  /* workers started by the pool, per language */
  uint64_t taken[3];    /* handed to a session */
  uint64_t empty[3];    /* a session found none ready and started its own */
  uint64_t mismatch[3]; /* a session's worker options differed from the pool's */
  uint64_t failed[3];   /* starts that did not become ready, ready workers that died */
  unsigned ready[3];    /* ready now */
  char last_error[256]; /* why the last failed start failed ("" if none), cut to fit */
} sx_pool_stats;

/* Fills *out (out->struct_size must be set by the caller: sizeof *out). */
int sx_pool_stats_get(sx_pool *pool, sx_pool_stats *out);

/*
 * Releases the caller's handle: the ready workers are stopped and no more are
 * started. Sessions that use the pool keep it alive until they are freed
 * (their workers' relays live on the pool's thread). NULL is a no-op.
 */
void sx_pool_free(sx_pool *pool);

/* ---------------------------------------------------------------- Session */

typedef struct sx_session sx_session;

/*
 * Creates a session and pre-starts the worker of the first language it will
 * need (in the background: this call does not wait for it). On success
 * *out is a session to free with sx_session_free. On failure *out is NULL and
 * the result is SX_EINVAL (out or opt NULL, opt not filled by sx_options_init
 * (struct_size), an unknown mode/lang/on_error/network value, unit_timeout_s
 * not > 0, an allow_write entry that is not a directory, an env entry whose
 * name is not a variable name), SX_EWORKER (the worker executable of a
 * language started with the session — see prestart — is missing or not
 * executable: the path looked at is in sx_last_error) or SX_ENOMEM;
 * sx_last_error() says which. Workers are looked for in worker_dir, else
 * $STREAMEXEC_WORKER_DIR, else next to the library: <libdir>/../bin (a build
 * tree) or <prefix>/libexec/streamexec (an installed prefix). A worker of a
 * language started later that is missing ends each unit of that language
 * with SX_STATUS_CRASHED and a "WorkerError" naming the path.
 */
int sx_session_new(const sx_options *opt, sx_session **out);

/* Why the calling thread's last failed sx_session_new, sx_chat or sx_replay
 * failed. Thread-local; valid until that thread's next such call. */
const char *sx_last_error(void);

/*
 * Feeds the next n bytes of the answer (any chunking: 1 byte, a token, a
 * packet; split UTF-8 sequences are fine). Closed units are dispatched before
 * this returns; execution continues in the background.
 * Returns SX_OK, or SX_STOP once any unit of the session has failed (syntax
 * error, runtime error, crash, timeout): the caller may stop generating; more
 * bytes are still accepted. n == 0 (bytes may then be NULL) feeds nothing
 * and returns SX_OK/SX_STOP. SX_EINVAL if s is NULL or bytes is NULL with
 * n > 0, SX_EMISUSE after sx_finish.
 */
int sx_feed(sx_session *s, const char *bytes, size_t n);

/*
 * Marks the end of the answer, then blocks until every unit has a result and
 * the SX_EVENT_SESSION_DONE event has been delivered. Returns SX_OK or SX_STOP
 * (as sx_feed), SX_EINVAL if s is NULL, SX_EMISUSE if called twice.
 */
int sx_finish(sx_session *s);

/*
 * Ends the current answer (the model finished writing it): as sx_finish, it
 * flushes the last unit, runs held units and waits until every unit and
 * program end of the answer has a result, then emits SX_EVENT_ANSWER_DONE
 * with the answer's report. The session stays open: the next sx_feed starts
 * the next answer, with every worker's state kept (variables, imports,
 * compiled functions, in every language). Answer lines, SX_STOP and
 * SX_GATE_HOLD start afresh with each answer. Returns SX_OK or SX_STOP (a
 * unit of this answer failed), SX_EINVAL, SX_EMISUSE after sx_finish or from
 * the session's own callback.
 */
int sx_answer_end(sx_session *s);

/*
 * Ends the current answer because generation was stopped (typically after
 * SX_STOP): the unit being written is dropped with status SX_STATUS_CUT (never
 * run, never reported as a syntax error — a unit whose end the model had not
 * yet confirmed, such as a block waiting for its next line, counts as being
 * written); units queued and not yet handed to a worker are skipped
 * (SX_STATUS_SKIPPED, "the answer was cut"); units a worker already holds
 * run; each open program ends as cut (C++ main is not run and nothing of
 * that program is kept; JavaScript's event loop does not run; Python's
 * atexit handlers run). Then as sx_answer_end; the ANSWER_DONE event has
 * status SX_STATUS_CUT. Returns as sx_answer_end.
 */
int sx_answer_cut(sx_session *s);

/*
 * Interrupts what runs now (a unit, or a program's end: C++ main, the
 * JavaScript event loop) in every language, and returns at once; the unit
 * ends with SX_STATUS_INTERRUPTED and later units of its language in this
 * answer are skipped (as after an error). Python: KeyboardInterrupt is
 * raised in the unit, the worker and its state survive. JavaScript: V8's
 * TerminateExecution, the worker and its state survive. C++: the program's
 * own process is killed, the state from before the program survives. A unit
 * that does not stop within 2 s (e.g. it catches KeyboardInterrupt) is
 * killed with its worker (state lost, SX_EVENT_WORKER_RESTARTED). Nothing
 * running: no effect. Any thread. Returns SX_OK or SX_EINVAL (s NULL).
 */
int sx_interrupt(sx_session *s);

/*
 * Takes the oldest queued event (requires queue_events). Waits up to
 * timeout_ms (0 = don't wait, < 0 = forever). Returns SX_OK and *out (free with
 * sx_event_free), SX_AGAIN if none arrived in time, SX_DONE once the session is
 * finished and every event has been taken, SX_EMISUSE if queue_events is 0,
 * SX_EINVAL if s or out is NULL. After sx_finish it returns the remaining
 * events, then SX_DONE on every call.
 */
int sx_next_event(sx_session *s, double timeout_ms, sx_event **out);

/* Frees an event from sx_next_event. NULL is ignored. */
void sx_event_free(sx_event *ev);

/* The last error message of the session, "" if none. Owned by the session,
 * valid until the next call on it. */
const char *sx_session_errmsg(sx_session *s);

/*
 * Frees the session: kills its workers (a running unit is abandoned) and joins
 * its threads. Safe at any point, including before sx_finish. NULL is ignored.
 * A session must be freed once: a second sx_session_free is undefined.
 */
void sx_session_free(sx_session *s);

/* ------------------------------------------------------ Live model streams */

/*
 * A client of an OpenAI-compatible streaming chat API (POST
 * {base_url}/chat/completions, "stream": true): OpenAI, vLLM, llama.cpp's
 * llama-server, Ollama, LM Studio. README "Live model streams".
 */
typedef struct sx_chat_options {
  size_t struct_size;       /* set by sx_chat_options_init */
  const char *base_url;     /* required: "https://api.openai.com/v1", "http://127.0.0.1:8080/v1" */
  const char *model;        /* required: the model's name */
  const char *api_key_env;  /* the environment variable holding the key, sent as a Bearer
                               token if set and not empty; default "OPENAI_API_KEY". The
                               key is never printed, recorded, or seen by executed code */
  const char *system;       /* a system message; NULL = none */
  double temperature;       /* < 0: not sent (the server's default); default -1 */
  int64_t max_tokens;       /* 0: not sent; default 0 */
  int repair;               /* after an answer with a failed unit: rounds that send the
                               error back and stream the corrected answer into the same
                               session (state kept); default 2 */
  const char *record_path;  /* write a recording (JSON lines: request without key, every
                               delta with its arrival time, every event); NULL = none */
  double connect_timeout_s; /* default 10 */
  double idle_timeout_s;    /* no byte for this long ends the stream as an error; default 60 */
  int max_retries;          /* 429 and 5xx answers retried (with backoff, honouring
                               Retry-After) before anything was streamed; default 3 */
  double retry_max_wait_s;  /* cap on one wait between retries; default 30 */
} sx_chat_options;

void sx_chat_options_init_size(sx_chat_options *opt, size_t size);
#define sx_chat_options_init(opt) sx_chat_options_init_size((opt), sizeof *(opt))

/*
 * Sends `prompt` (with opt->system) to the model and streams its answer into
 * the session as it arrives: each content delta is fed the moment its frame
 * is complete. When a unit fails, the transfer is aborted at once (the
 * connection is closed, so the server stops generating) and the answer cut
 * (sx_answer_cut); with opt->repair > 0 the conversation — the answer up to
 * the failing unit and a message with the error, its line, the unit's code
 * and the output so far — goes back to the model and its new answer streams
 * into the same session, whose state from the units that succeeded is kept.
 * Emits MODEL_REQUEST and MODEL_STREAM_END events around each round.
 * Returns SX_OK (the last answer ran without a failure), SX_STOP (a unit still
 * failed after opt->repair rounds), SX_EHTTP (the server could not be
 * reached, refused the request, or its stream broke: sx_last_error says which
 * — the key's variable is named, the key never shown), SX_EINVAL (missing
 * base_url/model, bad struct_size) or SX_EMISUSE (after sx_finish, or from the
 * session's callback). Blocks until the last round's answer has run; call it
 * from one thread per session (the session's other calls as usual). The
 * session is not finished: call sx_finish after it.
 */
int sx_chat(sx_session *s, const sx_chat_options *opt, const char *prompt);

/*
 * Feeds a recording made by sx_chat (opt.record_path, `streamexec chat
 * --record`) into the session: each round's deltas with their recorded
 * timing divided by `speed` (0: no waiting), each round ended as it was
 * (sx_answer_end, or sx_answer_cut for a stopped or broken stream), with its
 * MODEL_REQUEST and MODEL_STREAM_END events. The same deltas give the same
 * units and the same outputs. Returns SX_OK, SX_STOP (some unit failed),
 * SX_EINVAL (the file cannot be read or is not a recording: sx_last_error says
 * where) or SX_EMISUSE.
 */
int sx_replay(sx_session *s, const char *path, double speed);

/* -------------------------------------------------------------- Utilities */

/* Names of enum values: "python", "ok", "unit_done" … (a value outside
 * the enum: "unknown" for a language, else "?"). Static; never NULL. */
const char *sx_lang_name(sx_lang lang);
const char *sx_status_name(sx_status status);
const char *sx_event_kind_name(sx_event_kind kind);

/* Parses a language name or markdown alias ("py", "js", "c++" …, any case).
 * Returns 0 and sets *out, or SX_EINVAL. */
int sx_lang_from_name(const char *name, sx_lang *out);

#ifdef __cplusplus
}
#endif

#endif /* STREAMEXEC_H */
