// How the CLI shows a session's events: one human-readable line per event
// (output in a gutter, tracebacks, program ends, images written to
// --display-dir), or --json: each event's JSON object as the library made it.
// Reads the typed fields of sx_event only.
#ifndef STREAMEXEC_TOOLS_PRINTER_H
#define STREAMEXEC_TOOLS_PRINTER_H

#include <mutex>
#include <string>

#include "streamexec.h"

namespace sx::cli {

class Printer {
 public:
  bool json = false;
  bool chunk_only = false;
  std::string display_dir;  // where images of display events go ("": not written)

  // sx_event_fn (user = Printer *); events come one at a time.
  static void on_event(void *user, const sx_event *ev) { static_cast<Printer *>(user)->on(ev); }

  int failures() const { return failures_; }
  // The session's report (after session_done) and its missing protections.
  const sx_report &report() const { return report_; }
  const std::string &sandbox_missing() const { return missing_; }

 private:
  void on(const sx_event *ev);
  void display(const sx_event *ev, double t);
  std::mutex mu_;
  sx_report report_{};
  std::string missing_;
  int failures_ = 0;
  int images_ = 0;
  bool at_bol_ = true;
};

}  // namespace sx::cli

#endif
