// The C API's session object (capi.cpp), for the library's own helpers over
// it (scheduler/chat/: sx_chat, sx_replay). Not part of the public API.
#ifndef STREAMEXEC_SCHEDULER_CAPI_INTERNAL_H
#define STREAMEXEC_SCHEDULER_CAPI_INTERNAL_H

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "ir/ir.h"
#include "scheduler/session.h"
#include "streamexec.h"

struct sx_session {
  std::unique_ptr<sx::Session> core;
  sx_event_fn cb = nullptr;
  void *user = nullptr;
  bool queue = true;
  bool finished = false;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<void *> events;  // EventBox * (capi.cpp), oldest first
  bool done = false;          // session_done was emitted
  std::string errmsg;
  // A library helper's view of every event, before the caller's callback
  // (sx_chat watches for failures and collects the error report).
  std::mutex tap_mu;
  std::function<void(const sx::Event &)> tap;

  ~sx_session();
  void on_event(const sx::Event &e);
  // True on the thread that runs this session's event callback.
  bool in_own_callback() const;
};

// sx_last_error's text for this thread (capi.cpp).
void sx_set_last_error(const std::string &why);

#endif
