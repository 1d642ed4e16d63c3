#!/usr/bin/env python3
"""`streamexec run --executor python=jupyter:CONN.json` against a real
ipykernel: output, values, errors with traceback and line, state across units
and runs, interrupts (busy loop, sleep), a kernel killed mid-unit (reported,
no hang), and the Python benchmark answers (bench/answers/*_py_*.md) give the
same units' results as with our own worker.

With --gateway, the URL form (`--executor python=jupyter:http://HOST:PORT/BASE`)
through a real Jupyter Server (python3-jupyter-server, the REST API and
websocket of Kernel/Enterprise Gateway), its token in SX_JUPYTER_TOKEN: the
same checks where they apply (a run gets a kernel of its own: no state across
runs), a kernel deleted mid-unit, every kernel deleted at the end, a wrong
or missing token, a URL nobody listens on, a token in the URL, and the token
in no output. Exits 77 (ctest: skipped) when jupyter_server is not installed.

Usage: jupyter_test.py STREAMEXEC SOURCE_DIR [--gateway] [TEST_NAME...]
Each check prints "ok NAME" or "FAIL NAME: why"; exit 1 if any failed.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel import JupyterServer, Kernel, free_ports, have_jupyter_server, per_unit, run_json  # noqa: E402

CLI = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
GATEWAY = "--gateway" in sys.argv[3:]
ONLY = set(sys.argv[3:]) - {"--gateway"}
TMP = tempfile.mkdtemp(prefix="sx-jupyter-test-")
failures = []
passes = 0
OUTPUTS = []  # the CLI's events and stderr of every run (--gateway: searched for the token)


def run(path, extra, timeout=300, env=None):
    if env is None:
        rc, ev, secs, err = run_json(CLI, path, extra, timeout=timeout)
    else:
        t0 = time.time()
        p = subprocess.run([CLI, "run", path, "--json", "--rate", "0", "--keep-feeding"] + extra,
                           capture_output=True, text=True, timeout=timeout, env=env)
        rc, ev, secs, err = (p.returncode, [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")],
                             time.time() - t0, p.stderr)
    OUTPUTS.append(json.dumps(ev) + err)
    return rc, ev, secs, err


def check(name, cond, why=""):
    global passes
    if cond:
        passes += 1
        print("ok", name, flush=True)
    else:
        failures.append(name)
        print("FAIL", name + (": " + why if why else ""), flush=True)


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def jupyter(kernel):
    return ["--executor", "python=jupyter:" + kernel.conn]


class GatewayKernel:
    """The tests' kernel in the URL form: conn is the server's URL; each run
    starts a kernel there, pid is the one a run is connected to."""

    def __init__(self, server):
        self.server = server
        self.conn = server.url

    def current(self):
        """The id of the kernel a run is connected to (None if none)."""
        ids = [k["id"] for k in self.server.kernels() if k.get("connections", 0) > 0]
        return ids[0] if len(ids) == 1 else None

    @property
    def pid(self):
        return self.server.kernel_pid(self.current())

    def stop(self):
        pass


def wait_no_kernels(server, secs=20):
    """True when the server has no kernel left (the guards delete ours when a
    run's worker ends, a moment after the CLI exits)."""
    deadline = time.time() + secs
    while time.time() < deadline:
        if not server.kernels():
            return True
        time.sleep(0.2)
    return False


def test_basics(k):
    path = write("basics.py", 'print("hello")\nx = 6 * 7\nx\n'
                 'def f(n):\n    return 10 / n\n'
                 'import sys\nprint("to stderr", file=sys.stderr)\n'
                 'f(0)\n'
                 'print("after", x)\n'
                 '"text"\n')
    rc, ev, _, err = run(path, jupyter(k) + ["--on-error", "continue"])
    u = per_unit(ev)
    ids = sorted(u)
    check("basics: units ran", len(ids) == 9 and rc == 1, f"rc={rc} units={ids} stderr={err[-500:]}")
    if len(ids) != 9:
        return
    check("print output", u[ids[0]]["stdout"] == "hello\n" and u[ids[0]]["status"] == "ok", repr(u[ids[0]]))
    check("a trailing expression's value", u[ids[2]]["value"] == "42", repr(u[ids[2]]))
    check("a string value is its repr", u[ids[8]]["value"] == "'text'", repr(u[ids[8]]))
    check("stderr output", u[ids[5]]["stderr"] == "to stderr\n", repr(u[ids[5]]))
    e = u[ids[6]]
    check("exception: type, message, line (the frame in the answer)",
          e["status"] == "error" and e["error"] == ("ZeroDivisionError", "division by zero", 5), repr(e))
    check("exception: traceback without ANSI colours",
          "ZeroDivisionError" in e["traceback"] and "\x1b[" not in e["traceback"] and "return 10 / n" in e["traceback"],
          repr(e["traceback"]))
    check("state kept across units (and after an error)", u[ids[7]]["stdout"] == "after 42\n", repr(u[ids[7]]))
    # Compared with our own worker: the same results (the traceback's text differs).
    rc2, ev2, _, _ = run(path, ["--on-error", "continue"])
    own = per_unit(ev2)
    same = all(own[i][f] == u[i][f] for i in ids for f in ("status", "stdout", "stderr", "value", "error"))
    check("basics: same results as our own worker", same and rc2 == rc,
          json.dumps({i: [own[i]["error"], u[i]["error"]] for i in ids}))


def test_state_across_runs(k):
    a = write("run1.py", "kept = [1, 2, 3]\n")
    b = write("run2.py", "kept.append(4)\nkept\n")
    run(a, jupyter(k))
    rc, ev, _, _ = run(b, jupyter(k))
    u = per_unit(ev)
    if GATEWAY:
        first = u[min(u)] if u else {}
        check("a run gets a new kernel (the URL form): no state across runs",
              rc == 1 and first.get("status") == "error" and (first.get("error") or ("",))[0] == "NameError", repr(u))
        return
    check("state kept across runs (the kernel's)", rc == 0 and [v["value"] for v in u.values()][-1:] == ["[1, 2, 3, 4]"],
          repr(u))


def test_interrupt(k):
    path = write("loop.py", "import time\nwhile True: pass\nprint('next')\ntime.sleep(100)\nprint('alive')\n")
    rc, ev, secs, err = run(path, jupyter(k) + ["--unit-timeout", "2", "--on-error", "continue"])
    u = per_unit(ev)
    ids = sorted(u)
    ok = len(ids) == 5
    check("interrupt: units ran", ok, repr(u) + err[-800:])
    if not ok:
        return
    loop, sleep = u[ids[1]], u[ids[3]]
    check("interrupt of `while True: pass` (timeout, KeyboardInterrupt, the kernel lives on)",
          loop["status"] == "timeout" and "interrupted" in loop["error"][1] and u[ids[2]]["stdout"] == "next\n",
          repr(loop))
    check("interrupt of time.sleep", sleep["status"] == "timeout" and u[ids[4]]["stdout"] == "alive\n", repr(sleep))
    check("interrupts take about the unit timeout each", secs < 20, f"{secs:.1f} s")
    restarted = [e for e in ev if e.get("event") == "worker_restarted"]
    check("interrupt: no worker restart", not restarted, repr(restarted))


def test_kernel_killed(k, what="kernel killed mid-unit", kill=None, says=("heartbeat",), extra=(),
                       sleep_ends=("crashed",)):
    """`kill` ends the kernel while a unit sleeps (default: SIGKILL to its
    process): that unit ends as one of `sleep_ends`, and the first crashed
    unit's error message has one of the words `says`."""
    extra = list(extra)
    kill = kill or (lambda: os.kill(k.pid, 9))
    path = write("killed.py", "import time\nprint('before', flush=True)\ntime.sleep(60)\nprint('never')\n")
    t0 = time.time()
    p = subprocess.Popen([CLI, "run", path, "--json", "--rate", "0", "--keep-feeding", "--unit-timeout", "120",
                          "--env", "SX_WORKER_JUPYTER_HB_TIMEOUT_MS=2000"] + jupyter(k) + extra,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    killed = False
    for line in p.stdout:
        lines.append(line)
        e = json.loads(line) if line.startswith("{") else {}
        if not killed and e.get("event") == "output" and e.get("text") == "before\n":
            time.sleep(0.5)  # the sleep unit has started
            kill()
            killed = True
            t_kill = time.time()
    p.wait(timeout=60)
    secs = time.time() - t_kill if killed else -1
    OUTPUTS.append("".join(lines) + p.stderr.read())
    ev = [json.loads(l) for l in lines if l.startswith("{")]
    u = per_unit(ev)
    sleep = [v for v in u.values() if v.get("status") and v["status"] not in ("ok",)]
    first = sleep[0] if sleep else {}
    crashed = [v for v in u.values() if v.get("status") == "crashed"]
    message = (crashed[0].get("error") or ("", ""))[1] or "" if crashed else ""
    check(f"{what}: the unit fails ({' or '.join(sleep_ends)}), a unit is crashed: the kernel is gone "
          f"({' or '.join(says)})",
          killed and first.get("status") in sleep_ends and any(w in message for w in says), repr(u))
    check(f"{what}: the run ends (no hang)", killed and secs < 30 and p.returncode == 1,
          f"{secs:.1f} s after the kill, rc={p.returncode}")
    check(f"{what}: later units are reported too", all(v.get("status") for v in u.values()) and len(u) == 4, repr(u))
    _ = t0


def test_killed_bridge(k):
    # The session's time limit kills the worker at once (no interrupt first):
    # the guard interrupts the unit it left running on the kernel.
    path = write("forever.py", "import time\nprint('start', flush=True)\nwhile True: time.sleep(0.01)\n")
    rc, ev, secs, err = run(path, jupyter(k) + ["--session-timeout", "3"])
    u = per_unit(ev)
    limit = [v for v in u.values() if v.get("status") == "limit"]
    check("killed bridge: the session's time limit ends the unit", rc == 1 and len(limit) == 1 and secs < 15,
          f"rc={rc} {secs:.1f} s {u!r} {err[-500:]}")
    if GATEWAY:
        check("killed bridge: the guard deleted the kernel (and the unit it ran)", wait_no_kernels(k.server),
              repr(k.server.kernels()))
    path2 = write("free.py", "print('free')\n")
    rc, ev, secs, err = run(path2, jupyter(k), timeout=60)
    u = per_unit(ev)
    check("killed bridge: the kernel is free again (the guard interrupted the unit)",
          rc == 0 and [v["stdout"] for v in u.values()] == ["free\n"] and secs < 10, f"rc={rc} {secs:.1f} s {u!r}")


def test_bad_connection():
    path = write("bad.py", "print(1)\n")
    p = subprocess.run([CLI, "run", path, "--rate", "0", "--executor", "python=jupyter:" + TMP + "/missing.json"],
                       capture_output=True, text=True)
    check("a missing connection file is refused (status 2)", p.returncode == 2 and "connection file" in p.stderr,
          f"rc={p.returncode} {p.stderr}")
    p = subprocess.run([CLI, "run", path, "--rate", "0", "--executor", "javascript=jupyter:x.json"],
                       capture_output=True, text=True)
    check("--executor for another language is refused", p.returncode == 2 and "only python" in p.stderr, p.stderr)


def test_gateway_kernel_deleted(k):
    # DELETE /api/kernels/ID mid-unit: the server asks the kernel to shut
    # down, which interrupts the unit (KeyboardInterrupt, reported by the
    # kernel itself); the next unit finds the kernel gone: the REST API's 404
    # (or the websocket closing).
    test_kernel_killed(k, "kernel deleted through the REST API mid-unit",
                       kill=lambda: k.server.api("DELETE", "/api/kernels/" + k.current()), says=("gone", "closed"),
                       extra=["--on-error", "continue"], sleep_ends=("crashed", "error"))


def test_gateway_cleanup(k):
    check("cleanup: no kernel before the run", wait_no_kernels(k.server), repr(k.server.kernels()))
    path = write("which.py", "import ipykernel.connect, os\nos.path.basename(ipykernel.connect.get_connection_file())\n")
    rc, ev, _, err = run(path, jupyter(k))
    values = [v["value"] for v in per_unit(ev).values()]
    m = re.fullmatch(r"'kernel-([0-9a-f-]+)\.json'", values[-1] or "") if values else None
    check("cleanup: the run had a kernel of the server", rc == 0 and m, f"rc={rc} {values!r} {err[-500:]}")
    if not m:
        return
    gone = wait_no_kernels(k.server)
    check("cleanup: the kernel the run started is deleted at its end (GET /api/kernels)",
          gone and k.server.api("GET", "/api/kernels/" + m.group(1))[0] == 404, repr(k.server.kernels()))
    deadline = time.time() + 10
    while k.server.kernel_pid(m.group(1)) and time.time() < deadline:
        time.sleep(0.2)
    check("cleanup: its process is gone", not k.server.kernel_pid(m.group(1)))


def start_failure(u):
    """The start error a worker that could not start left on the first unit
    (crashed), if every later unit was skipped naming that unit (the stop
    policy; the same whether the units came in one dispatch or one by one);
    else ""."""
    units = [u[k] for k in sorted(u)]
    if not units or units[0]["status"] != "crashed":
        return ""
    first = min(u)
    if not all(v["status"] == "skipped" and f"an earlier python unit ({first}) failed" in v.get("note", "")
               for v in units[1:]):
        return ""
    return (units[0].get("error") or ("", ""))[1] or ""


def test_gateway_errors(k):
    path = write("err.py", "print(1)\nprint(2)\n")
    url = k.server.url
    for what, token, says in (("a wrong token", "wrong-" + k.server.token[:8], "wrong token"),
                              ("no token", None, "wants a token")):
        env = dict(os.environ)
        env.pop("SX_JUPYTER_TOKEN")
        if token:
            env["SX_JUPYTER_TOKEN"] = token
        t0 = time.time()
        rc, ev, secs, err = run(path, jupyter(k), env=env, timeout=60)
        u = per_unit(ev)
        msgs = start_failure(u)
        text = json.dumps(ev) + err
        check(f"{what}: a clear error naming the URL, the first unit crashed, the other skipped naming it, at once",
              rc == 1 and len(u) == 2 and msgs and url in msgs and says in msgs and "HTTP 403" in msgs and
              time.time() - t0 < 20, f"rc={rc} {u!r} {err[-300:]}")
        check(f"{what}: the token is in no output", not token or token not in text)
    port = free_ports(1)[0]
    rc, ev, secs, err = run(path, ["--executor", f"python=jupyter:http://127.0.0.1:{port}/x"], timeout=60)
    u = per_unit(ev)
    msgs = start_failure(u)
    check("a URL nobody listens on: a clear error naming it",
          rc == 1 and len(u) == 2 and f"cannot reach the Jupyter server at http://127.0.0.1:{port}/x" in msgs
          and secs < 20, f"rc={rc} {secs:.1f} s {u!r} {err[-300:]}")
    p = subprocess.run([CLI, "run", path, "--rate", "0", "--executor",
                        f"python=jupyter:{url}/?token=in-the-url-{k.server.token[:6]}"], capture_output=True, text=True)
    check("a token in the URL is refused (status 2), without repeating it",
          p.returncode == 2 and "SX_JUPYTER_TOKEN" in p.stderr and "in-the-url" not in p.stderr + p.stdout,
          f"rc={p.returncode} {p.stderr}")
    p = subprocess.run([CLI, "run", path, "--rate", "0", "--executor", "python=jupyter:http://"],
                       capture_output=True, text=True)
    check("a URL without a host is refused (status 2)", p.returncode == 2 and "URL" in p.stderr, p.stderr)
    check("errors: no kernel was left", wait_no_kernels(k.server), repr(k.server.kernels()))


def test_gateway_tls(k):
    # https: the REST calls (libcurl) and the websocket (Beast over OpenSSL),
    # the server's self-signed certificate trusted through SX_JUPYTER_CA_FILE.
    server = JupyterServer(os.path.join(TMP, "tls-server"), tls=True)
    first = len(OUTPUTS)
    try:
        path = write("tls.py", "print('over tls')\nx = 6 * 7\nx\n")
        env = dict(os.environ, SX_JUPYTER_TOKEN=server.token, SX_JUPYTER_CA_FILE=server.ca)
        rc, ev, _, err = run(path, ["--executor", "python=jupyter:" + server.url], env=env, timeout=120)
        u = per_unit(ev)
        check("https (SX_JUPYTER_CA_FILE): output and value",
              rc == 0 and [v["stdout"] for v in u.values()][:1] == ["over tls\n"] and
              [v["value"] for v in u.values()][-1:] == ["42"], f"rc={rc} {u!r} {err[-500:]}")
        env.pop("SX_JUPYTER_CA_FILE")
        rc, ev, _, err = run(path, ["--executor", "python=jupyter:" + server.url], env=env, timeout=120)
        u = per_unit(ev)
        msgs = start_failure(u)
        check("https, a certificate nobody vouches for: a clear error naming the URL",
              rc == 1 and server.url in msgs and "certificate" in msgs, f"rc={rc} {u!r}")
        check("https: the kernel is deleted at the end", wait_no_kernels(server), repr(server.kernels()))
        check("https: its token is in no output", all(server.token not in o for o in OUTPUTS[first:]))
    finally:
        server.stop()


def main_gateway():
    if not have_jupyter_server():
        print("SKIP: python3-jupyter-server is not installed (/usr/bin/python3 cannot import jupyter_server): "
              "the URL form of the Jupyter executor is not tested", flush=True)
        sys.exit(77)
    server = JupyterServer(os.path.join(TMP, "server"))
    os.environ["SX_JUPYTER_TOKEN"] = server.token
    k = GatewayKernel(server)
    tests = {"basics": test_basics, "state_across_runs": test_state_across_runs, "interrupt": test_interrupt,
             "killed_bridge": test_killed_bridge, "kernel_killed": lambda k: test_kernel_killed(k, says=("died",)),
             "kernel_deleted": test_gateway_kernel_deleted, "cleanup": test_gateway_cleanup,
             "errors": test_gateway_errors, "tls": test_gateway_tls}
    try:
        for name, fn in tests.items():
            if not ONLY or name in ONLY:
                fn(k)
        check("every kernel the runs started was deleted", wait_no_kernels(server), repr(server.kernels()))
        check("the token is in no output (events, stderr)", OUTPUTS and all(server.token not in o for o in OUTPUTS),
              f"{len(OUTPUTS)} outputs")
    finally:
        server.stop()
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"{passes} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


def timeless(v):
    # Durations an answer prints ("0.35s total", "time=0.019s") vary from run to run.
    return re.sub(r"\d+\.\d+ ?s\b", "<seconds>", v) if isinstance(v, str) else v


def comparable(units):
    return {i: {f: timeless(v[f]) for f in ("status", "stdout", "stderr", "value", "error")} for i, v in units.items()}


# Units whose output differs for a reason of the kernel's environment, not of
# the executor: pandas formats a wide DataFrame for a notebook front-end
# (truncated with "...") when it runs under IPython, for a terminal/pipe
# when it runs as a script.
KNOWN = {("07_py_time_series_rolling", 11): "pandas prints wide frames for a notebook front-end under IPython"}


def test_bench_answers():
    answers = sorted(glob.glob(os.path.join(SRC, "bench/answers/*_py_*.md")))
    check("bench: Python answers found", len(answers) >= 10, repr(answers))
    # The kernel's temporary files on a tmpfs, as our worker's are (its
    # scratch /tmp): os.walk's order is the file system's.
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    for a in answers:
        name = os.path.basename(a)[:-3]
        own_rc, own_ev, _, _ = run(a, [])
        _, own_ev2, _, _ = run(a, [])
        k = Kernel(os.path.join(TMP, "bench-" + name), tmpdir=shm)
        try:
            rc, ev, _, err = run(a, jupyter(k))
        finally:
            k.stop()
        own, own2, jup = comparable(per_unit(own_ev)), comparable(per_unit(own_ev2)), comparable(per_unit(ev))
        # Units that differ between two runs on our own worker (timings,
        # random temporary names) are not compared.
        varying = {i for i in own if own[i] != own2.get(i)}
        known = {i for (n, i) in KNOWN if n == name}
        diff = {i: (own.get(i), jup.get(i)) for i in set(own) | set(jup)
                if own.get(i) != jup.get(i) and i not in varying and i not in known}
        notes = []
        if varying:
            notes.append(f"{len(varying)} varying between runs, not compared: {sorted(varying)}")
        for i in sorted(known):
            notes.append(f"unit {i} differs as expected: {KNOWN[(name, i)]}"
                         if own.get(i) != jup.get(i) else f"unit {i} (known difference) is the same now")
        check(f"bench {name}: same unit results as our own worker ({len(own)} units"
              f"{'; ' + '; '.join(notes) if notes else ''})",
              not diff and rc == own_rc and own and set(own) == set(jup), json.dumps(diff)[:1500] + err[-300:])


def main():
    if GATEWAY:
        main_gateway()
    tests = {"basics": test_basics, "state_across_runs": test_state_across_runs, "interrupt": test_interrupt,
             "killed_bridge": test_killed_bridge, "kernel_killed": test_kernel_killed}
    try:
        for name, fn in tests.items():
            if ONLY and name not in ONLY:
                continue
            k = Kernel(os.path.join(TMP, name))
            try:
                fn(k)
            finally:
                k.stop()
        if not ONLY or "bad_connection" in ONLY:
            test_bad_connection()
        if not ONLY or "bench" in ONLY:
            test_bench_answers()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"{passes} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
