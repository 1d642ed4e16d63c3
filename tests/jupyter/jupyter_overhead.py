#!/usr/bin/env python3
"""Per-unit cost of the Jupyter executor against our own Python worker, same
run: N trivial units (`x = 1`, one per line), fed at once (`--rate 0`), through
each executor (our worker, a kernel by its connection file, and — when
python3-jupyter-server is installed — a kernel of a Jupyter Server by its URL,
which each run starts), interleaved, R rounds. A unit's cost is the time between two
consecutive units' ends (t_finished_ms): dispatch, execution and result,
with the worker already started. Prints the median and the mean (the first
to the last unit's end over N-1) per executor; with batching our own worker's
results arrive several per read, so its median gap is below its mean.

Usage: jupyter_overhead.py STREAMEXEC [N=200] [ROUNDS=3] [--no-batching]
"""
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel import JupyterServer, Kernel, have_jupyter_server, per_unit, run_json  # noqa: E402

cli = os.path.abspath(sys.argv[1])
args = [a for a in sys.argv[2:] if not a.startswith("--")]
flags = [a for a in sys.argv[2:] if a.startswith("--")]
n = int(args[0]) if args else 200
rounds = int(args[1]) if len(args) > 1 else 3
tmp = tempfile.mkdtemp(prefix="sx-jupyter-bench-")
path = os.path.join(tmp, "trivial.py")
with open(path, "w") as f:
    f.write("x = 1\n" * n)

k = Kernel(os.path.join(tmp, "kernel"))
server = JupyterServer(os.path.join(tmp, "server")) if have_jupyter_server() else None
executors = [("own worker", []), ("jupyter kernel", ["--executor", "python=jupyter:" + k.conn])]
if server:
    os.environ["SX_JUPYTER_TOKEN"] = server.token
    executors.append(("jupyter server", ["--executor", "python=jupyter:" + server.url]))
gaps = {name: [] for name, _ in executors}
spans = {name: [] for name, _ in executors}
execs = {name: [] for name, _ in executors}
try:
    for r in range(rounds):
        for name, extra in executors:
            rc, ev, _, err = run_json(cli, path, extra + flags)
            units = per_unit(ev)
            ends = sorted(u["t_finished_ms"] for u in units.values() if u.get("status") == "ok")
            if rc != 0 or len(ends) != n:
                sys.exit(f"{name}: exit {rc}, {len(ends)} of {n} units ok\n{err[-1000:]}")
            gaps[name] += [b - a for a, b in zip(ends, ends[1:])]
            spans[name].append((ends[-1] - ends[0]) / (n - 1))
            execs[name] += [u["exec_ms"] for u in units.values()]
finally:
    k.stop()
    if server:
        server.stop()
print(f"{n} units of `x = 1`, {rounds} rounds, interleaved{' ' + ' '.join(flags) if flags else ''}"
      f"{'' if server else ' (no jupyter_server: the URL form is not measured)'}")
for name in gaps:
    print(f"  {name:15} median per unit {statistics.median(gaps[name]):.3f} ms "
          f"(p90 {statistics.quantiles(gaps[name], n=10)[-1]:.3f} ms, mean {statistics.mean(spans[name]):.3f} ms; "
          f"median exec_ms in the worker {statistics.median(execs[name]):.3f} ms)")
