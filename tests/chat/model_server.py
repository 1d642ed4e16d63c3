#!/usr/bin/env python3
"""A scripted OpenAI-compatible streaming server on loopback, for the tests of
`streamexec chat` (tests/chat/chat_test.py).

    model_server.py --script SCRIPT.json --log LOG.jsonl [--port 0]

Prints "PORT <n>" once listening. SCRIPT.json is {"responses": [R0, R1, ...]};
the N-th request gets R_N (the last one for any after). A response R:
  status (200), message, retry_after       an error answer (JSON body)
  deltas: [str | {content, reasoning_content, delay_ms, raw}]
  recording: PATH, round, time_scale       deltas of a recording, its timing
  delay_ms                                 wait before each item (default)
  frame_style: lf | crlf | split | multiline | comments
  usage, empty_deltas, finish_reason, no_done
  stall_after: k, stall_s                  stop sending after k items
  hold_after: TEXT, hold_s                 once the text sent contains TEXT, wait
                                           up to hold_s (30) for the client to close
                                           before the next item (a model still
                                           thinking there, whatever the load)
  drop_after: k                            after k items send half a frame, close
LOG.jsonl gets one line per request when its response ends: the request's
headers and body, what was sent (items_sent of items_total), and whether and
when the client closed the connection (client_closed, closed_after_ms).
"""
import argparse
import http.server
import json
import os
import select
import signal
import socket
import sys
import threading
import time

lock = threading.Lock()
counter = [0]


def load_items(r, script_dir):
    if "recording" in r:
        path = os.path.join(script_dir, r["recording"])
        want = r.get("round", 0)
        scale = r.get("time_scale", 1.0)
        items, prev = [], 0.0
        with open(path) as f:
            for line in f:
                j = json.loads(line)
                if j.get("type") != "delta" or j.get("round", 0) != want:
                    continue
                items.append({"content": j["content"], "delay_ms": (j["t_ms"] - prev) * scale})
                prev = j["t_ms"]
        return items
    out = []
    for d in r.get("deltas", []):
        out.append({"content": d} if isinstance(d, str) else dict(d))
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def client_gone(self, wait_s):
        """Waits up to wait_s; True as soon as the client has closed."""
        try:
            r, _, _ = select.select([self.connection], [], [], max(0.0, wait_s))
            if r:
                data = self.connection.recv(1, socket.MSG_PEEK)
                return data == b""
        except (ConnectionResetError, OSError):
            return True
        return False

    def do_POST(self):
        t_start = time.time()
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with lock:
            index = counter[0]
            counter[0] += 1
        responses = self.server.script["responses"]
        r = responses[min(index, len(responses) - 1)]
        entry = {"index": index, "path": self.path, "headers": dict(self.headers.items()), "body": body,
                 "t_start": t_start, "items_total": 0, "items_sent": 0, "client_closed": False,
                 "closed_after_ms": None, "completed": False}
        try:
            self.respond(r, body, entry, t_start)
        finally:
            entry["status"] = entry.get("status", 200)
            with lock, open(self.server.log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def respond(self, r, body, entry, t_start):
        if self.path not in ("/v1/chat/completions", "/chat/completions"):
            return self.error_answer(404, {"message": f"no route {self.path}", "type": "not_found"}, entry)
        status = r.get("status", 200)
        if status != 200:
            e = {"message": r.get("message", "error"), "type": "test", "code": status}
            return self.error_answer(status, e, entry, r.get("retry_after"))
        try:
            items = load_items(r, self.server.script_dir)
        except (OSError, ValueError, KeyError) as e:  # a broken script is the test's bug: say so
            return self.error_answer(500, {"message": f"model_server: {e!r}", "type": "script"}, entry)
        entry["items_total"] = len(items)
        time.sleep(r.get("headers_delay_ms", 0) / 1000)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        style = r.get("frame_style", "lf")
        model = body.get("model", "test") if isinstance(body, dict) else "test"

        def frame(delta, finish=None, extra=None):
            chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(t_start),
                     "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            if extra:
                chunk.update(extra)
            if style == "multiline":
                lines = json.dumps(chunk, indent=1).split("\n")
                text = "".join("data: " + l + "\n" for l in lines) + "\n"
            else:
                text = "data: " + json.dumps(chunk) + "\n\n"
            if style == "comments":
                text = ": keep-alive\nid: %d\n" % entry["items_sent"] + text
            if style == "crlf":
                text = text.replace("\n", "\r\n")
            return text.encode()

        def send(data, closing_ms):
            """Writes (in 3-byte pieces for style split); False if the client is gone."""
            if self.client_gone(0):
                entry["client_closed"] = True
                entry["closed_after_ms"] = closing_ms()
                return False
            try:
                step = 3 if style == "split" else len(data)
                for i in range(0, len(data), max(step, 1)):
                    self.wfile.write(data[i:i + step])
                    self.wfile.flush()
                return True
            except (BrokenPipeError, ConnectionResetError):
                entry["client_closed"] = True
                entry["closed_after_ms"] = closing_ms()
                return False

        since = lambda: (time.time() - t_start) * 1000
        if r.get("empty_deltas") and not send(frame({"role": "assistant", "content": ""}), since):
            return
        default_delay = r.get("delay_ms", 0)
        sent_text, held = "", r.get("hold_after") is None
        for k, it in enumerate(items):
            if not held and r["hold_after"] in sent_text:
                held = True
                if self.client_gone(r.get("hold_s", 30)):
                    entry["client_closed"], entry["closed_after_ms"] = True, since()
                    return
            if r.get("stall_after") is not None and k == r["stall_after"]:
                if self.client_gone(r.get("stall_s", 30)):
                    entry["client_closed"], entry["closed_after_ms"] = True, since()
                return
            if r.get("drop_after") is not None and k == r["drop_after"]:
                data = frame({"content": it.get("content", "")})
                self.wfile.write(data[:len(data) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if self.client_gone(it.get("delay_ms", default_delay) / 1000):
                entry["client_closed"], entry["closed_after_ms"] = True, since()
                return
            if "raw" in it:
                data = it["raw"].encode()
            else:
                delta = {}
                if "reasoning_content" in it:
                    delta["reasoning_content"] = it["reasoning_content"]
                if "content" in it:
                    delta["content"] = it["content"]
                data = frame(delta)
            if not send(data, since):
                return
            entry["items_sent"] = k + 1
            sent_text += it.get("content", "")
        if r.get("empty_deltas") and not send(frame({}), since):
            return
        if not send(frame({}, r.get("finish_reason", "stop")), since):
            return
        if r.get("usage"):
            n = len(items)
            chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "choices": [],
                     "usage": {"prompt_tokens": 10, "completion_tokens": n, "total_tokens": 10 + n}}
            if not send(("data: " + json.dumps(chunk) + "\n\n").encode(), since):
                return
        if not r.get("no_done") and not send(b"data: [DONE]\n\n", since):
            return
        entry["completed"] = True

    def error_answer(self, status, err, entry, retry_after=None):
        entry["status"] = status
        data = json.dumps({"error": err}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.end_headers()
        self.wfile.write(data)
        entry["completed"] = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    with open(a.script) as f:
        script = json.load(f)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.script = script
    srv.script_dir = os.path.dirname(os.path.abspath(a.script))
    srv.log_path = a.log
    signal.signal(signal.SIGTERM, lambda *_: (srv.server_close(), os._exit(0)))
    print("PORT", srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
