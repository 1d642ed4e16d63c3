/* An agent loop on the C API: a scripted "model" writes an answer, a unit
 * fails, generation is cut, the error goes back to the model, and its next
 * answer repairs it using the variables the first one made. Built and run by
 * ctest (agent_loop_example), which checks this output. */
#include <stdio.h>
#include <string.h>
#include "streamexec.h"

/* The model's answers, as the pieces it streams (a piece may end mid-line). */
static const char *answer1[] = {"Let me compute it.\n```python\n", "data = [3, 1, 2]\n", "total = sum(data)\n",
                                "print('total', total)\n", "avg = total / len(dat)\nprint('avg', a",
                                "vg)\n```\n", NULL};
static const char *answer2[] = {"The name was wrong; continuing from the same state:\n```python\n",
                                "avg = total / len(data)\n", "print(f'avg {avg:.2f}')\n```\n", NULL};

/* Prints what an agent acts on, until every closed unit has its result; keeps
 * the last error, to send back to the model. */
static void drain(sx_session *s, char *feedback, size_t cap) {
  static long pending; /* units closed and not done yet */
  sx_event *ev;
  while (sx_next_event(s, pending > 0 ? 30000 : 0, &ev) == SX_OK) {
    if (ev->kind == SX_EVENT_UNIT_CLOSED) ++pending;
    if (ev->kind == SX_EVENT_UNIT_DONE && ev->status != SX_STATUS_CUT && ev->status != SX_STATUS_SYNTAX_ERROR) --pending;
    if (ev->kind == SX_EVENT_OUTPUT) printf("  | %s", ev->text);
    if (ev->kind == SX_EVENT_UNIT_DONE) {
      printf("  answer %d unit %lld: %s", ev->answer, (long long)ev->unit_id, sx_status_name(ev->status));
      if (*ev->error_type) {
        printf(" (%s at answer line %u: %s)", ev->error_type, ev->error_line, ev->error_message);
        snprintf(feedback, cap, "%s at line %u: %s", ev->error_type, ev->error_line, ev->error_message);
      }
      if (ev->status == SX_STATUS_CUT) printf(" (dropped: \"%.*s\")", (int)ev->code_len, ev->code);
      printf("\n");
    }
    if (ev->kind == SX_EVENT_ANSWER_DONE) printf("answer %d done: %s\n", ev->answer, sx_status_name(ev->status));
    sx_event_free(ev);
  }
}

/* Streams one answer; stops generating at the first failed unit. A slow
 * model: each piece is followed by the time it takes to run what closed. */
static int stream(sx_session *s, const char **pieces, char *feedback, size_t cap) {
  for (int i = 0; pieces[i]; ++i) {
    sx_feed(s, pieces[i], strlen(pieces[i]));
    drain(s, feedback, cap);
    if (sx_feed(s, NULL, 0) == SX_STOP) {
      printf("stop: cutting generation after piece %d\n", i);
      sx_answer_cut(s);
      drain(s, feedback, cap);
      return 1;
    }
  }
  sx_answer_end(s);
  drain(s, feedback, cap);
  return 0;
}

int main(void) {
  sx_options opt;
  sx_options_init(&opt);
  sx_session *s;
  if (sx_session_new(&opt, &s) != SX_OK) {
    fprintf(stderr, "agent_loop: %s\n", sx_last_error());
    return 1;
  }
  char feedback[512] = "";
  if (stream(s, answer1, feedback, sizeof feedback)) {
    printf("to the model: %s\n", feedback);
    if (stream(s, answer2, feedback, sizeof feedback)) return 1;
  }
  sx_finish(s);
  sx_session_free(s);
  return 0;
}
