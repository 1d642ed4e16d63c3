/* The public C API used from plain C: a markdown answer streamed token by
 * token, events through the callback AND the queue, error codes. */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "streamexec.h"

static int failures = 0;
#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                     \
    }                                                                 \
  } while (0)

struct counts {
  int closed, done_ok, done_err, outputs, session_done, stop;
  char out[4096];
};

static void on_event(void *user, const sx_event *ev) {
  struct counts *c = (struct counts *)user;
  CHECK(ev->json != NULL && ev->json_len == strlen(ev->json));
  switch (ev->kind) {
    case SX_EVENT_UNIT_CLOSED: c->closed++; break;
    case SX_EVENT_OUTPUT:
      c->outputs++;
      CHECK(strcmp(ev->stream, "stdout") == 0 || strcmp(ev->stream, "stderr") == 0);
      strncat(c->out, ev->text, sizeof c->out - strlen(c->out) - 1);
      break;
    case SX_EVENT_UNIT_DONE:
      if (ev->status == SX_STATUS_OK) c->done_ok++;
      else c->done_err++;
      break;
    case SX_EVENT_STOP_ADVISED: c->stop++; break;
    case SX_EVENT_SESSION_DONE: c->session_done++; break;
    default: break;
  }
}

static const char *answer =
    "Here is the code:\n"
    "\n"
    "```python\n"
    "total = 0\n"
    "for i in range(5):\n"
    "    total += i\n"
    "print('total', total)\n"
    "```\n"
    "And a failing one:\n"
    "```py\n"
    "1 / 0\n"
    "print('never')\n"
    "```\n";

/* ------------------------------------------------------------ misuse */

struct reentry {
  sx_session *s;
  int calls, feed_rc, finish_rc, next_rc;
};

/* Calls what a callback must not call, on its own session. */
static void reenter(void *user, const sx_event *ev) {
  struct reentry *r = (struct reentry *)user;
  if (ev->kind != SX_EVENT_UNIT_CLOSED || r->calls++) return;
  sx_event *e = NULL;
  r->feed_rc = sx_feed(r->s, "y = 2\n", 6);
  r->finish_rc = sx_finish(r->s);
  r->next_rc = sx_next_event(r->s, -1, &e); /* must not wait forever */
  if (r->next_rc == SX_OK) sx_event_free(e);
  sx_session_free(r->s); /* ignored */
}

struct statuses {
  int done, ok, crashed, other;
  char last_error[512];
};

static void count_status(void *user, const sx_event *ev) {
  struct statuses *c = (struct statuses *)user;
  if (ev->kind != SX_EVENT_UNIT_DONE) return;
  c->done++;
  if (ev->status == SX_STATUS_OK) c->ok++;
  else if (ev->status == SX_STATUS_CRASHED) c->crashed++;
  else c->other++;
  snprintf(c->last_error, sizeof c->last_error, "%s", ev->json);
}

/* A session that only chunks (no workers): fast. */
static sx_session *chunk_only(void) {
  sx_options o;
  sx_options_init(&o);
  o.mode = SX_MODE_RAW;
  o.execute = 0;
  sx_session *s = NULL;
  CHECK(sx_session_new(&o, &s) == SX_OK && s != NULL);
  return s;
}

static void misuse(void) {
  sx_options o;
  sx_session *s;
  sx_event *ev = (sx_event *)1;
  sx_lang lang;

  /* NULL everywhere */
  (sx_options_init)(NULL);
  sx_options_init_size(NULL, sizeof(sx_options));
  CHECK(sx_answer_end(NULL) == SX_EINVAL);
  CHECK(sx_answer_cut(NULL) == SX_EINVAL);
  CHECK(sx_interrupt(NULL) == SX_EINVAL);
  CHECK(sx_session_new(NULL, &s) == SX_EINVAL && s == NULL);
  sx_options_init(&o);
  CHECK(sx_session_new(&o, NULL) == SX_EINVAL);
  CHECK(sx_feed(NULL, NULL, 0) == SX_EINVAL);
  CHECK(sx_next_event(NULL, 0, &ev) == SX_EINVAL);
  CHECK(strcmp(sx_session_errmsg(NULL), "") == 0);
  CHECK(sx_lang_from_name(NULL, &lang) == SX_EINVAL);
  CHECK(sx_lang_from_name("python", NULL) == SX_EINVAL);
  CHECK(sx_lang_from_name("cobol", &lang) == SX_EINVAL);
  CHECK(sx_lang_from_name("C++", &lang) == SX_OK && lang == SX_LANG_CPP);

  /* invalid enum values and options */
  sx_options_init(&o); o.mode = (sx_mode)7;
  s = (sx_session *)1; CHECK(sx_session_new(&o, &s) == SX_EINVAL && s == NULL);
  sx_options_init(&o); o.lang = (sx_lang)-1;
  CHECK(sx_session_new(&o, &s) == SX_EINVAL);
  sx_options_init(&o); o.lang = (sx_lang)3;
  CHECK(sx_session_new(&o, &s) == SX_EINVAL);
  sx_options_init(&o); o.on_error = (sx_error_policy)5;
  CHECK(sx_session_new(&o, &s) == SX_EINVAL);
  sx_options_init(&o); o.unit_timeout_s = 0;
  CHECK(sx_session_new(&o, &s) == SX_EINVAL);
  sx_options_init(&o); o.unit_timeout_s = NAN;
  CHECK(sx_session_new(&o, &s) == SX_EINVAL);
  sx_options_init(&o); o.struct_size = 8; /* not filled by sx_options_init */
  CHECK(sx_session_new(&o, &s) == SX_EINVAL);
  /* python_executor: NULL by default; only "jupyter:<readable file>" or "jupyter:<http(s) URL>" */
  sx_options_init(&o);
  CHECK(o.python_executor == NULL);
  o.python_executor = "docker:x";
  CHECK(sx_session_new(&o, &s) == SX_EINVAL && strstr(sx_last_error(), "jupyter:") != NULL);
  o.python_executor = "jupyter:/nonexistent/kernel-1.json";
  CHECK(sx_session_new(&o, &s) == SX_EINVAL && strstr(sx_last_error(), "connection file") != NULL);
  /* a token in the URL is refused, and not repeated */
  o.python_executor = "jupyter:http://127.0.0.1:9/base/?token=s3cr3t";
  CHECK(sx_session_new(&o, &s) == SX_EINVAL && strstr(sx_last_error(), "SX_JUPYTER_TOKEN") != NULL &&
        strstr(sx_last_error(), "s3cr3t") == NULL && strstr(sx_last_error(), "http://127.0.0.1:9/base") != NULL);
  o.python_executor = "jupyter:http://127.0.0.1:9/#colour=blue";
  CHECK(sx_session_new(&o, &s) == SX_EINVAL && strstr(sx_last_error(), "#kernel=NAME") != NULL);
  memset(&o, 0, sizeof o); /* never initialised */
  CHECK(sx_session_new(&o, &s) == SX_EINVAL);
  CHECK(strcmp(sx_lang_name((sx_lang)42), "unknown") == 0);
  CHECK(strcmp(sx_status_name((sx_status)42), "?") == 0);
  CHECK(strcmp(sx_status_name((sx_status)-3), "?") == 0);
  CHECK(strcmp(sx_event_kind_name((sx_event_kind)42), "?") == 0);
  /* Every kind has its name (the model events of 0.3 were "?" at first). */
  CHECK(strcmp(sx_event_kind_name(SX_EVENT_DISPLAY), "display") == 0);
  CHECK(strcmp(sx_event_kind_name(SX_EVENT_MODEL_REQUEST), "model_request") == 0);
  CHECK(strcmp(sx_event_kind_name(SX_EVENT_MODEL_STREAM_END), "model_stream_end") == 0);
  CHECK(strcmp(sx_strerror(SX_EHTTP), "the model's server failed") == 0);
  CHECK(strcmp(sx_strerror(-99), "unknown result code") == 0);

  /* zero-length feeds, NULL buffers, feed/finish/next after finish */
  s = chunk_only();
  if (s) {
    CHECK(sx_feed(s, NULL, 0) == SX_OK);
    CHECK(sx_feed(s, "", 0) == SX_OK);
    CHECK(sx_feed(s, NULL, 5) == SX_EINVAL);
    CHECK(sx_next_event(s, 0, NULL) == SX_EINVAL);
    CHECK(sx_next_event(s, 0, &ev) == SX_AGAIN && ev == NULL);
    CHECK(sx_next_event(s, 10, &ev) == SX_AGAIN && ev == NULL); /* waits 10 ms, nothing comes */
    CHECK(sx_feed(s, "x = 1\n", 6) == SX_OK);
    CHECK(sx_finish(s) == SX_OK);
    CHECK(sx_finish(s) == SX_EMISUSE);
    CHECK(strlen(sx_session_errmsg(s)) > 0);
    CHECK(sx_feed(s, "x", 1) == SX_EMISUSE);
    CHECK(sx_feed(s, NULL, 0) == SX_EMISUSE);
    int n = 0, rc;
    while ((rc = sx_next_event(s, -1, &ev)) == SX_OK) { /* -1: never blocks once finished */
      n++;
      sx_event_free(ev);
    }
    CHECK(rc == SX_DONE && ev == NULL);
    CHECK(n == 3); /* unit_closed, answer_done, session_done (execute = 0: no unit_done) */
    CHECK(sx_next_event(s, 0, &ev) == SX_DONE);
    CHECK(sx_next_event(s, -1, &ev) == SX_DONE);
    sx_session_free(s);
  }

  /* sx_next_event without an event queue */
  sx_options_init(&o);
  o.mode = SX_MODE_RAW;
  o.execute = 0;
  o.queue_events = 0;
  s = NULL;
  CHECK(sx_session_new(&o, &s) == SX_OK);
  if (s) {
    CHECK(sx_next_event(s, 0, &ev) == SX_EMISUSE);
    CHECK(sx_finish(s) == SX_OK);
    CHECK(sx_next_event(s, -1, &ev) == SX_EMISUSE);
    sx_session_free(s);
  }

  /* free without finish, before any feed, and mid-unit */
  s = chunk_only();
  sx_session_free(s);
  s = chunk_only();
  if (s) CHECK(sx_feed(s, "def f():\n    return", 19) == SX_OK);
  sx_session_free(s);

  /* a callback that calls sx_feed / sx_finish / sx_next_event(-1) /
   * sx_session_free on its own session: refused, no deadlock */
  {
    struct reentry r;
    memset(&r, 0, sizeof r);
    sx_options_init(&o);
    o.mode = SX_MODE_RAW;
    o.execute = 0;
    o.on_event = reenter;
    o.user = &r;
    CHECK(sx_session_new(&o, &r.s) == SX_OK);
    if (r.s) {
      CHECK(sx_feed(r.s, "x = 1\n", 6) == SX_OK);
      CHECK(r.calls == 1);
      CHECK(r.feed_rc == SX_EMISUSE);
      CHECK(r.finish_rc == SX_EMISUSE);
      CHECK(r.next_rc == SX_OK || r.next_rc == SX_AGAIN);
      CHECK(sx_finish(r.s) == SX_OK); /* the refused calls left no trace */
      sx_session_free(r.s);
    }
  }

  /* "no limit": a huge or infinite unit_timeout_s runs units normally */
  {
    double limits[2] = {1e12, INFINITY};
    for (int i = 0; i < 2; ++i) {
      struct statuses c;
      memset(&c, 0, sizeof c);
      sx_options_init(&o);
      o.mode = SX_MODE_RAW;
      o.unit_timeout_s = limits[i];
      o.on_event = count_status;
      o.user = &c;
      o.queue_events = 0;
      s = NULL;
      CHECK(sx_session_new(&o, &s) == SX_OK);
      if (!s) continue;
      CHECK(sx_feed(s, "import time\ntime.sleep(0.05)\nprint(1)\n", 38) == SX_OK);
      CHECK(sx_finish(s) == SX_OK);
      CHECK(c.done == 3 && c.ok == 3);
      if (c.ok != 3) fprintf(stderr, "unit_timeout_s=%g: %s\n", limits[i], c.last_error);
      sx_session_free(s);
    }
  }

  /* a worker of a language started later that is missing (here: only the
     Python worker is in worker_dir): its units fail clearly, nothing hangs */
  {
    struct statuses c;
    char dir[] = "/tmp/sx_capi_workers_XXXXXX", link_path[256], target[512];
    const char *real = getenv("SX_TEST_WORKER_DIR");
    memset(&c, 0, sizeof c);
    CHECK(real != NULL && mkdtemp(dir) != NULL);
    if (!real) return;
    snprintf(link_path, sizeof link_path, "%s/streamexec-worker-python", dir);
    snprintf(target, sizeof target, "%s/streamexec-worker-python", real);
    CHECK(symlink(target, link_path) == 0);
    sx_options_init(&o);
    o.worker_dir = dir;
    o.on_event = count_status;
    o.user = &c;
    o.on_error = SX_POLICY_CONTINUE;
    s = NULL;
    CHECK(sx_session_new(&o, &s) == SX_OK);
    if (s) {
      const char *answer = "```js\nlet x = 1;\nconsole.log(x);\n```\n";
      sx_feed(s, answer, strlen(answer));
      CHECK(sx_finish(s) == SX_STOP);
      CHECK(c.done == 2 && c.crashed == 2);
      CHECK(strstr(c.last_error, "WorkerError") != NULL && strstr(c.last_error, "streamexec-worker-javascript") != NULL);
      sx_session_free(s);
    }
    unlink(link_path);
    rmdir(dir);
  }
}

/* A host whose stdin/stdout/stderr are FD_CLOEXEC (node's libuv reopens a
   terminal so): its workers still start and run (they once lost fds 0-2 and
   the worker's own channel took fd 0, so every unit crashed). */
static void cloexec_stdio(void) {
  int saved[3];
  for (int fd = 0; fd < 3; ++fd) {
    saved[fd] = fcntl(fd, F_GETFD);
    if (saved[fd] >= 0) fcntl(fd, F_SETFD, saved[fd] | FD_CLOEXEC);
  }
  sx_options o;
  sx_options_init(&o);
  o.mode = SX_MODE_RAW;
  sx_session *s = NULL;
  CHECK(sx_session_new(&o, &s) == SX_OK);
  if (s) {
    const char *code = "x = 1 + 1\n";
    sx_feed(s, code, strlen(code));
    CHECK(sx_finish(s) == SX_OK);
    sx_event *ev;
    int ok = 0;
    while (sx_next_event(s, 0, &ev) == SX_OK) {
      if (ev->kind == SX_EVENT_UNIT_DONE && ev->status == SX_STATUS_OK) ok++;
      sx_event_free(ev);
    }
    CHECK(ok == 1);
    sx_session_free(s);
  }
  for (int fd = 0; fd < 3; ++fd)
    if (saved[fd] >= 0) fcntl(fd, F_SETFD, saved[fd]);
}

int main(void) {
  /* error codes and misuse */
  CHECK(strlen(sx_strerror(SX_EINVAL)) > 0);
  CHECK(strcmp(sx_strerror(12345), "unknown result code") == 0);
  CHECK(sx_session_new(NULL, NULL) == SX_EINVAL);
  CHECK(sx_feed(NULL, "x", 1) == SX_EINVAL);
  CHECK(sx_finish(NULL) == SX_EINVAL);
  sx_session_free(NULL);
  sx_event_free(NULL);
  {
    sx_options bad;
    sx_session *s = (sx_session *)1;
    sx_options_init(&bad);
    bad.unit_timeout_s = -1;
    CHECK(sx_session_new(&bad, &s) == SX_EINVAL && s == NULL);
  }

  /* Options from an older header (0.1 ended at sandbox_off): accepted, the
     rest defaults; one from a newer header, or not initialised: refused. */
  {
    union {
      sx_options o;
      char bytes[sizeof(sx_options) + 64];
    } u;
    sx_session *s = NULL;
    size_t v01 = offsetof(sx_options, sandbox_off) + sizeof(const char *);
    memset(&u, 0xab, sizeof u);
    sx_options_init_size(&u.o, v01);
    CHECK(u.o.struct_size == v01);
    CHECK(u.bytes[v01] == (char)0xab); /* nothing written past the caller's struct */
    u.o.execute = 0;
    CHECK(sx_session_new(&u.o, &s) == SX_OK && s != NULL);
    sx_session_free(s);
    u.o.struct_size = sizeof(sx_options) + 8;
    CHECK(sx_session_new(&u.o, &s) == SX_EINVAL && strstr(sx_last_error(), "newer") != NULL);
    u.o.struct_size = 8;
    CHECK(sx_session_new(&u.o, &s) == SX_EINVAL);
  }
  /* A missing worker is an error of sx_session_new, naming the path. */
  {
    sx_options o2;
    sx_session *s = (sx_session *)1;
    sx_options_init(&o2);
    o2.worker_dir = "/nonexistent/streamexec-workers";
    CHECK(sx_session_new(&o2, &s) == SX_EWORKER && s == NULL);
    CHECK(strstr(sx_last_error(), "/nonexistent/streamexec-workers/streamexec-worker-python") != NULL);
    o2.mode = SX_MODE_RAW;
    o2.lang = SX_LANG_CPP;
    CHECK(sx_session_new(&o2, &s) == SX_EWORKER && strstr(sx_last_error(), "streamexec-worker-cpp") != NULL);
  }

  /* The library changes no signal disposition of the program. */
  struct sigaction before, after;
  sigaction(SIGPIPE, NULL, &before);

  struct counts c;
  memset(&c, 0, sizeof c);
  sx_options opt;
  sx_options_init(&opt);
  opt.on_event = on_event;
  opt.user = &c;
  sx_session *s = NULL;
  CHECK(sx_session_new(&opt, &s) == SX_OK && s != NULL);
  if (!s) return 1;
  CHECK(sx_feed(s, NULL, 1) == SX_EINVAL);
  int stop_seen = 0;
  size_t n = strlen(answer);
  for (size_t i = 0; i < n; i += 3) {
    size_t k = n - i < 3 ? n - i : 3;
    int rc = sx_feed(s, answer + i, k);
    CHECK(rc == SX_OK || rc == SX_STOP);
    if (rc == SX_STOP) stop_seen = 1;
  }
  int rc = sx_finish(s);
  CHECK(rc == SX_STOP);
  (void)stop_seen;
  CHECK(sx_finish(s) == SX_EMISUSE);
  CHECK(sx_feed(s, "x", 1) == SX_EMISUSE);

  /* units: total = 0 | the for loop | print(...) | 1 / 0 | print('never') */
  CHECK(c.closed == 5);
  CHECK(c.done_ok == 3);
  CHECK(c.done_err == 2); /* ZeroDivisionError, then print('never') is skipped */
  CHECK(c.stop == 1);
  CHECK(c.session_done == 1);
  CHECK(strstr(c.out, "total 10") != NULL);
  CHECK(strstr(c.out, "never") == NULL);

  /* the same events are also queued */
  int queued = 0, last_kind = -1;
  sx_event *ev;
  while ((rc = sx_next_event(s, 0, &ev)) == SX_OK) {
    queued++;
    last_kind = ev->kind;
    sx_event_free(ev);
  }
  CHECK(rc == SX_DONE);
  CHECK(last_kind == SX_EVENT_SESSION_DONE);
  CHECK(queued >= 10);
  sx_session_free(s);
  sigaction(SIGPIPE, NULL, &after);
  CHECK(before.sa_handler == after.sa_handler);
  CHECK(after.sa_handler == SIG_DFL);

  misuse();
  cloexec_stdio();

  if (failures) {
    fprintf(stderr, "capi_c_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_c_test: all checks passed\n");
  return 0;
}
