/* The public C API used from plain C: a markdown answer streamed token by
 * token, events through the callback AND the queue, error codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

  if (failures) {
    fprintf(stderr, "capi_c_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_c_test: all checks passed\n");
  return 0;
}
