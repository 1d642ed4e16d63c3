/* Links the installed library, checks its version, runs one Python unit
 * (the library finds its installed workers by itself) and prints its output. */
#include <stdio.h>
#include <string.h>

#include <streamexec.h>

static void on_event(void *user, const sx_event *ev) {
  (void)user;
  if (ev->kind == SX_EVENT_OUTPUT) fwrite(ev->text, 1, ev->text_len, stdout);
}

int main(void) {
  char header[32];
  snprintf(header, sizeof header, "%d.%d.%d", SX_VERSION_MAJOR, SX_VERSION_MINOR, SX_VERSION_PATCH);
  if (strcmp(sx_version(), header) != 0) {
    fprintf(stderr, "library %s, header %s\n", sx_version(), header);
    return 1;
  }
  sx_options opt;
  sx_options_init(&opt);
  opt.mode = SX_MODE_RAW;
  opt.lang = SX_LANG_PYTHON;
  opt.on_event = on_event;
  opt.queue_events = 0;
  sx_session *s;
  if (sx_session_new(&opt, &s) != SX_OK) {
    fprintf(stderr, "sx_session_new: %s\n", sx_last_error());
    return 1;
  }
  const char *code = "print('consumer', 6 * 7)\n";
  sx_feed(s, code, strlen(code));
  int rc = sx_finish(s);
  sx_session_free(s);
  return rc == SX_OK ? 0 : 1;
}
