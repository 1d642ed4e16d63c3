// Server-Sent Events parser (sse.h).
#include "scheduler/chat/sse.h"

namespace sx::chat {

bool SseParser::feed(std::string_view bytes) {
  if (first_) {
    // U+FEFF at the very start of the stream is not part of the first line.
    static constexpr std::string_view kBom = "\xEF\xBB\xBF";
    head_.append(bytes);
    if (head_.size() < kBom.size() && kBom.substr(0, head_.size()) == head_) return true;
    first_ = false;
    std::string all;
    all.swap(head_);
    std::string_view v = all;
    if (v.substr(0, kBom.size()) == kBom) v.remove_prefix(kBom.size());
    return feed_body(v);
  }
  return feed_body(bytes);
}

bool SseParser::feed_body(std::string_view bytes) {
  std::size_t i = 0;
  for (; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (c == '\n' && after_cr_) {  // the LF of a CRLF split across reads
      after_cr_ = false;
      continue;
    }
    after_cr_ = false;
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      std::string l;
      l.swap(line_);
      if (!line(l)) return false;
      continue;
    }
    // Copy the run up to the next line end at once.
    std::size_t j = i;
    while (j < bytes.size() && bytes[j] != '\r' && bytes[j] != '\n') ++j;
    line_.append(bytes.substr(i, j - i));
    i = j - 1;
  }
  return true;
}

bool SseParser::line(std::string_view l) {
  if (l.empty()) {  // dispatch
    if (!has_data_) {
      type_.clear();
      return true;
    }
    SseEvent e;
    e.type = type_.empty() ? "message" : type_;
    e.data.swap(data_);
    if (!e.data.empty() && e.data.back() == '\n') e.data.pop_back();
    e.id = id_;
    data_.clear();
    type_.clear();
    has_data_ = false;
    ++events_;
    return handler_(e);
  }
  if (l[0] == ':') return true;  // comment
  std::string_view field = l, value;
  if (std::size_t colon = l.find(':'); colon != std::string_view::npos) {
    field = l.substr(0, colon);
    value = l.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    data_.append(value);
    data_.push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    type_ = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) id_ = std::string(value);
  } else if (field == "retry") {
    bool digits = !value.empty();
    std::int64_t v = 0;
    for (char c : value) {
      if (c < '0' || c > '9') digits = false;
      else if (v < (std::int64_t{1} << 40)) v = v * 10 + (c - '0');
    }
    if (digits) retry_ms_ = v;
  }
  return true;
}

}  // namespace sx::chat
