#include "tools/streamexec/printer.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace sx::cli {
namespace {

// A unit's value (metadata, not program output) on one short line.
std::string one_line(const std::string &v, std::size_t max = 60) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > max) {
    std::size_t cut = max - 3;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;  // not inside a UTF-8 sequence
    out = out.substr(0, cut) + "...";
  }
  return out;
}

std::string first_line(const std::string &code) {
  std::string l = code.substr(0, code.find_first_of("\r\n"));
  if (l.size() > 60) l = l.substr(0, 57) + "...";
  bool more = code.find('\n') != std::string::npos && code.find('\n') + 1 < code.size();
  return more ? l + " …" : l;
}

// Base64 (RFC 4648) as in Jupyter's image data; whitespace skipped, other
// bytes end the data.
std::string base64_decode(const std::string &in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '\n' || c == '\r' || c == ' ') continue;
    int v = val(c);
    if (v < 0) break;  // '=' padding or garbage
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace

void Printer::display(const sx_event *ev, double t) {
  std::string shown;
  for (std::size_t i = 0; i < ev->n_mime; ++i) {
    std::string type = ev->mime_types[i];
    if (type.rfind("image/", 0) != 0) continue;
    if (display_dir.empty()) {
      shown = fmt::format("{} ({} bytes base64; --display-dir DIR writes it)", type, ev->mime_len[i]);
      break;
    }
    std::string ext = type.substr(6);
    if (ext == "svg+xml") ext = "svg";
    std::string path = fmt::format("{}/unit{}-{}.{}", display_dir, ev->unit_id, ++images_, ext);
    std::string data = std::string(ev->mime_data[i], ev->mime_len[i]);
    if (ext != "svg") data = base64_decode(data);
    std::ofstream f(path, std::ios::binary);
    f << data;
    shown = f ? path : fmt::format("{} (could not write {})", type, path);
    break;
  }
  if (shown.empty()) shown = one_line(std::string(ev->text, ev->text_len));
  fmt::print("[{:6.2f}s] ▣ #{} display: {}\n", t, ev->unit_id, shown);
}

void Printer::on(const sx_event *ev) {
  std::lock_guard<std::mutex> lk(mu_);
  if (ev->kind == SX_EVENT_SESSION_DONE && ev->report) {
    report_ = *ev->report;
    missing_ = ev->report->sandbox_missing ? ev->report->sandbox_missing : "";
    report_.sandbox_missing = nullptr;  // (not kept past the callback)
  }
  if ((ev->kind == SX_EVENT_UNIT_DONE || ev->kind == SX_EVENT_PROGRAM_DONE) && ev->status != SX_STATUS_OK &&
      ev->status != SX_STATUS_SKIPPED && ev->status != SX_STATUS_GATED && ev->status != SX_STATUS_CUT)
    ++failures_;
  if (json) {
    std::fwrite(ev->json, 1, ev->json_len, stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return;
  }
  double t = ev->t_ms / 1000;
  if (!at_bol_ && ev->kind != SX_EVENT_OUTPUT) {
    std::fputc('\n', stdout);  // a unit's output ended without a newline
    at_bol_ = true;
  }
  std::string text(ev->text, ev->text_len);
  switch (ev->kind) {
    case SX_EVENT_UNIT_CLOSED: {
      std::string code(ev->code, ev->code_len);
      if (chunk_only) {
        fmt::print("── unit {} {} line {} [{}..{}) {}\n{}\n", ev->unit_id, ev->lang, ev->line, ev->offset,
                   ev->end_offset, ev->unit_kind, code);
      } else {
        fmt::print("[{:6.2f}s] ▶ #{} {} L{} {}: {}\n", t, ev->unit_id, ev->lang, ev->line, ev->unit_kind,
                   first_line(code));
      }
      break;
    }
    case SX_EVENT_OUTPUT: {
      // Output arrives in arbitrary pieces; the gutter starts each line.
      std::string out;
      for (char c : text) {
        if (at_bol_) out += "          │ ";
        out += c;
        at_bol_ = c == '\n';
      }
      std::fputs(out.c_str(), stdout);
      std::fflush(stdout);
      return;
    }
    case SX_EVENT_UNIT_DONE: {
      std::string st = sx_status_name(ev->status);
      std::string extra;
      if (*ev->error_type) {
        extra = fmt::format(" {}: {}", ev->error_type, ev->error_message);
        if (ev->error_line > 0) extra += fmt::format(" (answer line {}", ev->error_line);
        if (ev->error_col > 0) extra += fmt::format(", col {}", ev->error_col);
        if (ev->error_line > 0) extra += ")";
      } else if (ev->has_value) {
        extra = " → " + one_line(ev->value_repr);
      } else if (*ev->note) {
        extra = fmt::format(" ({})", ev->note);
      }
      if (ev->status == SX_STATUS_CUT) extra += fmt::format(": {}", first_line(std::string(ev->code, ev->code_len)));
      const char *mark = ev->status == SX_STATUS_OK                                          ? "✓"
                         : ev->status == SX_STATUS_SKIPPED || ev->status == SX_STATUS_CUT ? "·"
                                                                                          : "✗";
      fmt::print("[{:6.2f}s] {} #{} {} {:.1f} ms{}\n", t, mark, ev->unit_id, st, ev->duration_ms, extra);
      if (*ev->traceback && ev->status != SX_STATUS_SYNTAX_ERROR) {
        std::istringstream is(ev->traceback);
        std::string line;
        while (std::getline(is, line)) fmt::print("          ! {}\n", line);
      }
      break;
    }
    case SX_EVENT_PROGRAM_DONE: {
      std::string st = sx_status_name(ev->status);
      std::string how = ev->signal          ? fmt::format("killed by signal {}", ev->signal)
                        : ev->has_exit_code ? fmt::format("exit code {}", ev->exit_code)
                                            : st;
      std::string where = ev->fence < 0 ? std::string("the program") : fmt::format("program (fence {})", ev->fence);
      std::string extra;
      if (*ev->error_type) extra = fmt::format(": {}: {}", ev->error_type, ev->error_message);
      else if (*ev->note) extra = fmt::format(" ({})", ev->note);
      fmt::print("[{:6.2f}s] {} {} {} ended: {}{}\n", t,
                 ev->status == SX_STATUS_OK                                            ? "⏹"
                 : ev->status == SX_STATUS_SKIPPED || ev->status == SX_STATUS_CUT ? "·"
                                                                                    : "✗",
                 ev->lang, where, how, extra);
      break;
    }
    case SX_EVENT_DISPLAY: display(ev, t); break;
    case SX_EVENT_STOP_ADVISED: fmt::print("[{:6.2f}s] ■ stop advised: {}\n", t, text); break;
    case SX_EVENT_FENCE_SKIPPED:
      fmt::print("[{:6.2f}s] · fence {} at line {} not executed: {}\n", t, ev->fence, ev->line, text);
      break;
    case SX_EVENT_UNIT_HELD: fmt::print("[{:6.2f}s] ⏸ #{} held: {}\n", t, ev->unit_id, text); break;
    case SX_EVENT_WORKER_RESTARTED: fmt::print("[{:6.2f}s] ↻ {}\n", t, text); break;
    case SX_EVENT_ANSWER_DONE:
      if (ev->status == SX_STATUS_CUT) fmt::print("[{:6.2f}s] ✂ answer {} cut\n", t, ev->answer);
      break;
    case SX_EVENT_MODEL_REQUEST:
      fmt::print("[{:6.2f}s] ⇢ model request, round {}{} ({} bytes)\n", t, ev->model_round,
                 ev->model_round > 0 ? " (repair: the error goes back to the model)" : "", ev->model_request_bytes);
      break;
    case SX_EVENT_MODEL_STREAM_END:
      fmt::print(
          "[{:6.2f}s] ⇠ model stream of round {} {}: {} deltas{}{}\n", t, ev->model_round, ev->model_reason,
          ev->model_tokens,
          ev->model_cut_tokens ? fmt::format(", {} more received and dropped", ev->model_cut_tokens) : std::string(),
          text.empty() ? std::string() : ": " + text);
      break;
    default: break;
  }
  std::fflush(stdout);
}

}  // namespace sx::cli
