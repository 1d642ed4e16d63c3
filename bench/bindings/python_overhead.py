#!/usr/bin/env python3
"""The Python package's overhead per feed() and per event, against the C API
doing the same work in the same run (streamexec-bench --feed-cost): FILE cut
into 4-byte pieces, fed into a chunk-only session (no workers: the
frontend's cost, the same on both sides), then every event taken.
Usage: python_overhead.py STREAMEXEC_BENCH FILE [REPS]"""
import json
import subprocess
import sys
import time

import streamexec

bench, path = sys.argv[1], sys.argv[2]
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
text = open(path, encoding="utf-8").read().encode()
pieces = [text[i:i + 4] for i in range(0, len(text), 4)]
best_feed = best_event = float("inf")
n_events = 0
for _ in range(reps):
    s = streamexec.Session(execute=False)
    t0 = time.perf_counter()
    for p in pieces:
        s.feed(p)
    feed_us = (time.perf_counter() - t0) * 1e6 / len(pieces)
    s.finish()
    t1 = time.perf_counter()
    evs = s.poll()
    event_us = (time.perf_counter() - t1) * 1e6 / max(1, len(evs))
    s.close()
    n_events = len(evs)
    best_feed, best_event = min(best_feed, feed_us), min(best_event, event_us)
c = json.loads(subprocess.run([bench, "--feed-cost", path], capture_output=True, text=True, check=True).stdout)
print(f"## Python package overhead ({path}: {len(pieces)} pieces of 4 bytes, {n_events} events; best of {reps})")
print("| | C API | Python | overhead |")
print("|---|---|---|---|")
print(f"| per feed() | {c['us_per_feed']:.2f} µs | {best_feed:.2f} µs | {best_feed - c['us_per_feed']:.2f} µs |")
print(f"| per event | {c['us_per_event']:.2f} µs | {best_event:.2f} µs | {best_event - c['us_per_event']:.2f} µs |")
