/* An agent loop over a live model with the C API: ask, execute the answer
 * while it streams, stop at the first failure and let the model repair it
 * (README "Live model streams"). Build: cc chat_agent.c -lstreamexec
 * Run:   OPENAI_API_KEY=… ./chat_agent https://api.openai.com/v1 gpt-4o-mini "prompt" */
#include <stdio.h>
#include "streamexec.h"

static void on_event(void *user, const sx_event *ev) {
  (void)user;
  if (ev->kind == SX_EVENT_OUTPUT) fwrite(ev->text, 1, ev->text_len, stdout);
  if (ev->kind == SX_EVENT_UNIT_DONE && ev->status == SX_STATUS_ERROR)
    printf("[unit %lld failed: %s: %s]\n", (long long)ev->unit_id, ev->error_type, ev->error_message);
  if (ev->kind == SX_EVENT_MODEL_STREAM_END)
    printf("[round %d: %s after %llu tokens]\n", ev->model_round, ev->model_reason,
           (unsigned long long)ev->model_tokens);
}

int main(int argc, char **argv) {
  if (argc != 4) return fprintf(stderr, "usage: %s BASE_URL MODEL PROMPT\n", argv[0]), 2;
  sx_options opt;
  sx_options_init(&opt); /* markdown answers, stop at the first failure, sandboxed workers */
  opt.on_event = on_event;
  opt.queue_events = 0;
  sx_session *s;
  if (sx_session_new(&opt, &s) != SX_OK) return fprintf(stderr, "%s\n", sx_last_error()), 2;
  sx_chat_options chat;
  sx_chat_options_init(&chat); /* key from $OPENAI_API_KEY, 2 repair rounds */
  chat.base_url = argv[1];
  chat.model = argv[2];
  int rc = sx_chat(s, &chat, argv[3]);
  if (rc == SX_EHTTP) fprintf(stderr, "model server: %s\n", sx_last_error());
  sx_finish(s);
  sx_session_free(s);
  return rc == SX_OK ? 0 : 1;
}
