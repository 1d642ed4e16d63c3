// Server-Sent Events, parsed as the WHATWG HTML standard's "event stream
// interpretation" says (docs/DESIGN.md §10): lines end in CRLF, LF or CR (a
// CR at the end of one read and the LF that begins the next are one line
// end); a line starting with ':' is a comment; "field: value" (one space
// after the colon dropped); `data` lines are joined with LF; an empty line
// dispatches the event if its data is not empty. Bytes may arrive split at
// any point, inside a line or a UTF-8 character.
#ifndef STREAMEXEC_SCHEDULER_CHAT_SSE_H
#define STREAMEXEC_SCHEDULER_CHAT_SSE_H

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sx::chat {

struct SseEvent {
  std::string type = "message";  // the `event` field, "message" if absent
  std::string data;              // the `data` lines joined with LF
  std::string id;                // the last event id seen
};

class SseParser {
 public:
  // Returns false to stop: the rest of the bytes given to feed() is not parsed.
  using Handler = std::function<bool(const SseEvent &)>;
  explicit SseParser(Handler h) : handler_(std::move(h)) {}
  // Parses the bytes; returns false if the handler asked to stop.
  bool feed(std::string_view bytes);
  std::uint64_t events() const { return events_; }
  // Bytes of a line not yet ended (a frame split across reads).
  bool mid_line() const { return !line_.empty(); }
  // A `retry` field's value in ms (-1 if none was sent).
  std::int64_t retry_ms() const { return retry_ms_; }

 private:
  bool feed_body(std::string_view bytes);
  bool line(std::string_view l);
  Handler handler_;
  std::string line_;
  bool after_cr_ = false;  // the last byte was a CR: an LF now ends nothing
  bool first_ = true;      // a leading BOM is dropped
  std::string head_;       // the first bytes, until they are known not to be a BOM
  std::string data_, type_, id_;
  bool has_data_ = false;
  std::int64_t retry_ms_ = -1;
  std::uint64_t events_ = 0;
};

}  // namespace sx::chat

#endif
