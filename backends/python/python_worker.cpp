// streamexec-worker-python: embeds libpython3.11 and runs units in one
// __main__ namespace (DESIGN §6).
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string>

#include "backends/common/worker_runtime.h"

namespace {

// Runs inside the embedded interpreter, in a private module (not __main__).
// Each unit is parsed, its line numbers shifted to the answer's, executed in
// __main__; a trailing expression is evaluated separately so its repr is the
// unit's value, as in a notebook cell. Source lines are registered with
// linecache so tracebacks quote the answer.
const char *kBootstrap = R"PY(
import ast, linecache, sys, traceback, __main__

FILENAME = "<answer>"
_lines = []

def _register(code, line):
    need = line - 1 + code.count("\n") + 1
    while len(_lines) < need:
        _lines.append("\n")
    for i, text in enumerate(code.splitlines(True)):
        _lines[line - 1 + i] = text if text.endswith("\n") else text + "\n"
    linecache.cache[FILENAME] = (sum(map(len, _lines)), None, _lines, FILENAME)

def _error(e, tb_skip):
    tb = e.__traceback__
    for _ in range(tb_skip):
        if tb is not None:
            tb = tb.tb_next
    line = 0
    for fs in traceback.extract_tb(tb):
        if fs.filename == FILENAME:
            line = fs.lineno
    if isinstance(e, SyntaxError) and e.filename == FILENAME and e.lineno:
        line = e.lineno
    text = "".join(traceback.format_exception(type(e), e, tb))
    msg = str(e)
    return (type(e).__name__, msg, line, text)

sys.argv = [FILENAME]
# fds 1/2 are pipes: print() should reach the host a line at a time (not in
# 8 kB blocks, and not a write per fragment as with PYTHONUNBUFFERED=1).
import io as _io
def _line_buffered(fd, name):
    raw = _io.FileIO(fd, "w", closefd=False)
    return _io.TextIOWrapper(_io.BufferedWriter(raw), encoding="utf-8", errors="backslashreplace",
                             line_buffering=True)
sys.stdout = sys.__stdout__ = _line_buffered(1, "<stdout>")
sys.stderr = sys.__stderr__ = _line_buffered(2, "<stderr>")

def flush():
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:
            pass

def run(code, line):
    ns = __main__.__dict__
    _register(code, line)
    try:
        tree = ast.parse(code, FILENAME, "exec")
        ast.increment_lineno(tree, line - 1)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        mod = compile(tree, FILENAME, "exec")
        lastc = compile(last, FILENAME, "eval") if last is not None else None
    except SyntaxError as e:
        if e.filename in (None, "<unknown>"):
            e.filename = FILENAME
        if e.lineno and e.lineno < line:
            e.lineno += line - 1
        return ("syntax_error", None) + _error(e, 99)
    try:
        exec(mod, ns)
        if lastc is not None:
            v = eval(lastc, ns)
            if v is not None:
                ns["_"] = v
                return ("ok", repr(v), None, None, 0, None)
        return ("ok", None, None, None, 0, None)
    except BaseException as e:
        return ("error", None) + _error(e, 1)
)PY";

std::string str_of(PyObject *o) {
  if (!o || o == Py_None) return {};
  Py_ssize_t n = 0;
  const char *s = PyUnicode_AsUTF8AndSize(o, &n);
  if (!s) {
    PyErr_Clear();
    return "<unprintable>";
  }
  return std::string(s, static_cast<std::size_t>(n));
}

class PythonBackend final : public sx::WorkerBackend {
 public:
  const char *name() const override { return "python"; }

  bool init(std::string *err) override {
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.buffered_stdio = 1;  // line-buffered below: output streams line by line
    config.parse_argv = 0;
    config.install_signal_handlers = 1;  // SIGINT -> KeyboardInterrupt (timeouts)
    PyStatus st = PyConfig_SetString(&config, &config.program_name, L"python3");
    if (!PyStatus_Exception(st)) st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
      *err = st.err_msg ? st.err_msg : "Py_InitializeFromConfig failed";
      return false;
    }
    PyObject *mod = PyImport_AddModule("_streamexec");  // borrowed
    if (!mod) return fail(err);
    PyObject *dict = PyModule_GetDict(mod);
    PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins());
    PyObject *r = PyRun_String(kBootstrap, Py_file_input, dict, dict);
    if (!r) return fail(err);
    Py_DECREF(r);
    run_ = PyDict_GetItemString(dict, "run");
    if (!run_) return fail(err);
    Py_INCREF(run_);
    flush_ = PyDict_GetItemString(dict, "flush");
    if (!flush_) return fail(err);
    Py_INCREF(flush_);
    return true;
  }

  sx::ExecOutcome execute(const sx::ExecRequest &req) override {
    sx::ExecOutcome o;
    PyObject *res = PyObject_CallFunction(run_, "s#i", req.code.data(),
                                          static_cast<Py_ssize_t>(req.code.size()), req.line);
    if (!res || !PyTuple_Check(res) || PyTuple_Size(res) != 6) {
      // Only an exception escaping the bootstrap itself lands here.
      o.status = sx::Status::Error;
      o.has_error = true;
      o.error.type = "InternalError";
      o.error.message = "python backend: run() failed";
      PyErr_Print();
      Py_XDECREF(res);
      return o;
    }
    std::string status = str_of(PyTuple_GetItem(res, 0));
    PyObject *value = PyTuple_GetItem(res, 1);
    if (value != Py_None) {
      o.has_value = true;
      o.value = str_of(value);
    }
    if (status != "ok") {
      o.status = status == "syntax_error" ? sx::Status::SyntaxError : sx::Status::Error;
      o.has_error = true;
      o.error.type = str_of(PyTuple_GetItem(res, 2));
      o.error.message = str_of(PyTuple_GetItem(res, 3));
      o.error.line = static_cast<int>(PyLong_AsLong(PyTuple_GetItem(res, 4)));
      o.error.traceback = str_of(PyTuple_GetItem(res, 5));
    }
    Py_DECREF(res);
    return o;
  }

  void flush_output() override {
    PyObject *r = PyObject_CallNoArgs(flush_);
    if (!r) PyErr_Clear();
    Py_XDECREF(r);
  }

 private:
  static bool fail(std::string *err) {
    PyErr_Print();
    *err = "bootstrap failed";
    return false;
  }
  PyObject *run_ = nullptr;
  PyObject *flush_ = nullptr;
};

}  // namespace

int main() {
  PythonBackend b;
  return sx::worker_main(b);
}
