"""A real Jupyter kernel for the tests: `python3 -m ipykernel_launcher -f
CONN.json`, with a connection file of free loopback ports and a random key
written first. Shared by jupyter_test.py and jupyter_overhead.py."""
import json
import os
import secrets
import signal
import socket
import subprocess
import time


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


class Kernel:
    """Started on construction, in `workdir` (its cwd); stop() ends it."""

    def __init__(self, workdir, python="/usr/bin/python3", tmpdir=None):
        os.makedirs(workdir, exist_ok=True)
        self.conn = os.path.join(workdir, "kernel.json")
        shell, iopub, stdin, control, hb = free_ports(5)
        with open(self.conn, "w") as f:
            json.dump({"transport": "tcp", "ip": "127.0.0.1", "shell_port": shell, "iopub_port": iopub,
                       "stdin_port": stdin, "control_port": control, "hb_port": hb,
                       "key": secrets.token_hex(16), "signature_scheme": "hmac-sha256",
                       "kernel_name": "python3"}, f)
        env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1", IPYTHONDIR=os.path.join(workdir, "ipython"),
                   JUPYTER_RUNTIME_DIR=os.path.join(workdir, "runtime"))
        if tmpdir:
            env["TMPDIR"] = tmpdir
        self.log = open(os.path.join(workdir, "kernel.log"), "w")
        self.proc = subprocess.Popen([python, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", self.conn],
                                     cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        # Up when its heartbeat port accepts connections.
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the kernel exited at start-up; see " + self.log.name)
            try:
                socket.create_connection(("127.0.0.1", hb), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the kernel did not start within 60 s")

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait()
        self.log.close()


def run_json(cli, path, extra, timeout=300):
    """`streamexec run PATH --json --rate 0 EXTRA…`: (exit code, events, seconds)."""
    t0 = time.time()
    p = subprocess.run([cli, "run", path, "--json", "--rate", "0", "--keep-feeding"] + extra,
                       capture_output=True, text=True, timeout=timeout)
    events = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    return p.returncode, events, time.time() - t0, p.stderr


def per_unit(events):
    """unit id -> {status, stdout, stderr, value, error: (type, message, line), t_*}."""
    units = {}
    for e in events:
        if e.get("event") == "output":
            u = units.setdefault(e["unit_id"], {"stdout": "", "stderr": ""})
            u[e["stream"]] = u.get(e["stream"], "") + e["text"]
        elif e.get("event") == "unit_done":
            u = units.setdefault(e["unit_id"], {"stdout": "", "stderr": ""})
            u["status"] = e["status"]
            u["value"] = e.get("value")
            err = e.get("error")
            u["error"] = (err.get("type"), err.get("message"), err.get("line")) if err else None
            u["traceback"] = err.get("traceback", "") if err else ""
            for k in ("t_started_ms", "t_finished_ms", "t_dispatched_ms", "exec_ms"):
                u[k] = e.get(k)
    return units
