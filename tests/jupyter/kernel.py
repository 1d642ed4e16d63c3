"""A real Jupyter kernel for the tests: `python3 -m ipykernel_launcher -f
CONN.json`, with a connection file of free loopback ports and a random key
written first; and a real Jupyter Server (python3-jupyter-server) whose REST
API and websocket the URL form uses. Shared by jupyter_test.py and
jupyter_overhead.py."""
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request


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


def end_group(proc, log):
    """SIGKILL to the process group of `proc` (started in a session of its own), then closes its log."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
    log.close()


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
        end_group(self.proc, self.log)


def have_jupyter_server(python="/usr/bin/python3"):
    return subprocess.run([python, "-c", "import jupyter_server"], capture_output=True).returncode == 0


class JupyterServer:
    """`python3 -m jupyter_server` on a free loopback port with a random token
    and the base path `base`, in `workdir`; started on construction, stop()
    ends it. url is what `--executor python=jupyter:URL` takes. With tls, it
    serves https with a self-signed certificate for 127.0.0.1 (the file ca)."""

    def __init__(self, workdir, base="/sx-base/", python="/usr/bin/python3", tls=False):
        os.makedirs(workdir, exist_ok=True)
        self.token = secrets.token_hex(16)
        port = free_ports(1)[0]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}{base.rstrip('/')}"
        self.ca, tls_args, self.ssl = None, [], None
        if tls:
            self.ca, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", self.ca,
                            "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                           check=True, capture_output=True)
            tls_args = [f"--ServerApp.certfile={self.ca}", f"--ServerApp.keyfile={key}"]
            self.ssl = ssl.create_default_context(cafile=self.ca)
        env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1", IPYTHONDIR=os.path.join(workdir, "ipython"),
                   JUPYTER_RUNTIME_DIR=os.path.join(workdir, "runtime"), JUPYTER_DATA_DIR=os.path.join(workdir, "data"),
                   JUPYTER_CONFIG_DIR=os.path.join(workdir, "config"))
        self.log = open(os.path.join(workdir, "server.log"), "w")
        self.proc = subprocess.Popen(
            [python, "-m", "jupyter_server", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
             "--ServerApp.ip=127.0.0.1", "--ServerApp.open_browser=False", f"--ServerApp.token={self.token}",
             f"--ServerApp.base_url={base}", f"--ServerApp.root_dir={workdir}", "--ServerApp.allow_root=True"]
            + tls_args,
            cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the Jupyter server exited at start-up; see " + self.log.name)
            try:
                if self.api("GET", "/api/status")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the Jupyter server did not start within 60 s; see " + self.log.name)

    def api(self, method, path, token=None):
        """(HTTP status, JSON body or None) of a REST call."""
        req = urllib.request.Request(self.url + path, method=method,
                                     headers={"Authorization": "token " + (token or self.token)})
        try:
            with urllib.request.urlopen(req, timeout=30, context=self.ssl) as r:
                body = r.read()
                return r.status, json.loads(body) if body else None
        except urllib.error.HTTPError as e:
            return e.code, None

    def kernels(self):
        status, body = self.api("GET", "/api/kernels")
        assert status == 200, status
        return body

    def kernel_pid(self, kernel_id):
        """The pid of the kernel process the server started for `kernel_id` (its
        connection file, kernel-ID.json, is on its command line)."""
        for pid in os.listdir("/proc"):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if f"kernel-{kernel_id}.json".encode() in f.read():
                        return int(pid)
            except (OSError, ValueError):
                pass
        return None

    def stop(self):
        """Ends the kernels left (each in a session of its own) and the server."""
        if self.proc.poll() is None:
            try:
                for k in self.kernels():
                    pid = self.kernel_pid(k["id"])
                    if pid:
                        os.kill(pid, signal.SIGKILL)
            except (OSError, AssertionError):
                pass
        end_group(self.proc, self.log)


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
            u["note"] = e.get("note", "")
            for k in ("t_started_ms", "t_finished_ms", "t_dispatched_ms", "exec_ms"):
                u[k] = e.get(k)
    return units
