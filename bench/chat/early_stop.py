#!/usr/bin/env python3
"""What the early stop saves, per shipped recording (examples/recordings):
tests/chat/model_server.py streams each recording's round 0 with its recorded
timing; `streamexec chat --repair 0` executes it and stops at the failing
unit. The server's log says how many deltas it sent before the client closed
the connection and when; the recording says what the whole answer would
have cost. Usage: early_stop.py STREAMEXEC SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

cli, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
recdir = os.path.join(src, "examples/recordings")
tmp = tempfile.mkdtemp(prefix="sx-early-stop-")
print("| recording | deltas sent / answer | o200k tokens not generated | stream closed at | whole answer | time saved |")
print("|---|---|---|---|---|---|")
for name in sorted(os.listdir(recdir)):
    path = os.path.join(recdir, name)
    deltas = []
    with open(path) as f:
        for line in f:
            j = json.loads(line)
            if j.get("type") == "delta" and j.get("round", 0) == 0:
                deltas.append(j)
    script = os.path.join(tmp, name + ".script.json")
    log = os.path.join(tmp, name + ".log.jsonl")
    with open(script, "w") as f:
        json.dump({"responses": [{"recording": path, "round": 0}]}, f)
    srv = subprocess.Popen([sys.executable, os.path.join(src, "tests/chat/model_server.py"), "--script", script,
                            "--log", log], stdout=subprocess.PIPE, text=True)
    port = int(srv.stdout.readline().split()[1])
    subprocess.run([cli, "chat", "go", "--base-url", f"http://127.0.0.1:{port}/v1", "--model", "m", "--repair", "0",
                    "--json"], capture_output=True, text=True)
    import time
    for _ in range(50):
        if os.path.exists(log) and os.path.getsize(log) > 0:
            break
        time.sleep(0.1)
    srv.terminate()
    srv.wait()
    with open(log) as f:
        entry = json.loads(f.readline())
    if entry["status"] != 200:
        sys.exit(f"{name}: the server answered {entry['status']}")
    sent = entry["items_sent"]
    total_ms = deltas[-1]["t_ms"]
    if not entry["client_closed"]:
        print(f"| {name} | {sent} / {len(deltas)} (no failure: ran to the end) | 0 | — | {total_ms / 1000:.2f} s | 0 |")
        continue
    closed = entry["closed_after_ms"]
    not_gen = sum(d.get("tokens", 1) for d in deltas[sent:])
    all_tok = sum(d.get("tokens", 1) for d in deltas)
    print(f"| {name} | {sent} / {len(deltas)} | {not_gen} of {all_tok} ({100 * not_gen / all_tok:.0f} %) | "
          f"{closed / 1000:.2f} s | {total_ms / 1000:.2f} s | {(total_ms - closed) / 1000:.2f} s "
          f"({100 * (total_ms - closed) / total_ms:.0f} %) |")
