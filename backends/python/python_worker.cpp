// streamexec-worker-python: embeds libpython3.11 and runs units in one
// __main__ namespace (docs/DESIGN.md §6), as `python3 answer.py </dev/null` would
// run them one after the other (docs/DESIGN.md §6a):
// - each unit is compiled by the bootstrap below (line numbers shifted to the
//   answer's) and its code object run from C with PyEval_EvalCode, so a
//   unit's module-level code runs at the frame depth of a script's (the
//   recursion limit leaves the same headroom as natively);
// - `from __future__` imports apply to the later units of their program;
//   a docstring as the program's first statement sets __doc__;
// - sys.exit()/exit()/quit() end the program: code None/0 is a success, an
//   int is the status, anything else is printed to stderr and the status is
//   1 (as CPython's Py_Exit does); later units of the program are not
//   reached; atexit handlers run at once, as at the end of a native run;
// - at the program's end the atexit handlers it registered run;
// - __name__ == "__main__", sys.argv == ["answer"], __file__ is
//   "<cwd>/answer.py", stdin is at EOF;
// - a trailing expression's repr is the unit's value (metadata, not output),
//   with its rich forms (_repr_html_, _repr_png_: a pandas DataFrame) next
//   to it, as a Jupyter kernel returns them;
// - matplotlib draws with our backend (unless the program chose one, or
//   MPLBACKEND is set): plt.show() displays the open figures as PNG and
//   closes them (as Jupyter's inline backend does); figures still open at
//   the program's end are displayed then. A native headless run draws with
//   Agg, where plt.show() shows nothing: stdout is the same. Figures are not
//   shown at the end of each unit, as a notebook does after each cell: a
//   unit is one statement, and `plt.plot(…)` then `plt.title(…)` build one
//   figure.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string>

#include "backends/common/worker_runtime.h"

namespace {

// Runs inside the embedded interpreter, in a private module (not __main__).
const char *kBootstrap = R"PY(
# Only what `python3 answer.py` has loaded anyway (and the builtin _ast):
# traceback, linecache and __future__ are imported when first needed, so a
# program sees the modules a native run has, and a worker starts sooner.
import _ast, atexit, os, sys, __main__

FILENAME = "<answer>"
_lines = []
_future_flags = 0       # from __future__ imports of the current program
_program_start = True   # the next unit is its program's first

def _register(code, line):
    need = line - 1 + code.count("\n") + 1
    while len(_lines) < need:
        _lines.append("\n")
    for i, text in enumerate(code.splitlines(True)):
        _lines[line - 1 + i] = text if text.endswith("\n") else text + "\n"
    linecache = sys.modules.get("linecache")
    if linecache is not None:
        _publish_lines(linecache)

# The answer's lines, for tracebacks, warnings and inspect: in linecache's
# cache once something imported it (_Backend publishes them at its import).
def _publish_lines(linecache):
    try:
        linecache.cache[FILENAME] = (sum(map(len, _lines)), None, _lines, FILENAME)
    except Exception:  # a program that replaced linecache.cache
        pass

def _error(e, tb_skip):
    import traceback
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
    return (type(e).__name__, str(e), line, text)

sys.argv = ["answer.py"]  # as `python3 answer.py` in the cwd
__main__.__file__ = os.path.join(os.getcwd(), "answer.py")
__main__.__doc__ = None
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

def begin_program():
    global _future_flags, _program_start
    _future_flags = 0
    _program_start = True
    __main__.__doc__ = None

def _futures(tree):
    flags = 0
    for node in tree.body:
        if isinstance(node, _ast.ImportFrom) and node.module == "__future__":
            import __future__
            for a in node.names:
                feature = getattr(__future__, a.name, None)
                if feature is not None:
                    flags |= feature.compiler_flag
    return flags

# Compiles a unit: ("ok", module code, trailing expression code or None) or
# ("syntax_error", type, message, line, traceback).
def prepare(code, line):
    global _future_flags, _program_start
    _register(code, line)
    try:
        nul = code.find("\0")
        if nul >= 0:  # as CPython says of a file with one (compile() says ValueError)
            at = code.rfind("\n", 0, nul) + 1
            raise SyntaxError("source code cannot contain null bytes",
                              (FILENAME, line + code.count("\n", 0, nul), nul - at + 1,
                               code[at:code.find("\n", nul) if "\n" in code[nul:] else len(code)]))
        # Blank lines in front put the unit at its line of the answer (cheaper
        # than moving each node: ast.increment_lineno).
        tree = compile("\n" * (line - 1) + code, FILENAME, "exec", _ast.PyCF_ONLY_AST | _future_flags,
                       dont_inherit=True)
        _future_flags |= _futures(tree)
        if _program_start and tree.body:
            first = tree.body[0]
            if isinstance(first, _ast.Expr) and isinstance(first.value, _ast.Constant) and \
               isinstance(first.value.value, str):
                __main__.__doc__ = first.value.value
        _program_start = False
        last = None
        if tree.body and isinstance(tree.body[-1], _ast.Expr):
            last = _ast.Expression(tree.body.pop().value)
        mod = compile(tree, FILENAME, "exec", _future_flags, dont_inherit=True)
        lastc = compile(last, FILENAME, "eval", _future_flags, dont_inherit=True) if last is not None else None
        return ("ok", mod, lastc)
    except SyntaxError as e:
        if e.filename in (None, "<unknown>"):
            e.filename = FILENAME
        return ("syntax_error",) + _error(e, 99)

def value(v):
    __main__.__dict__["_"] = v
    return repr(v)

# An exception raised by a unit: ("error", type, message, line, traceback),
# or ("exit", code) for SystemExit, which also prints what CPython prints.
def failure(e):
    if isinstance(e, SystemExit):
        code = e.code
        if code is None:
            status = 0
        elif isinstance(code, int):
            status = code
        else:
            try:
                print(code, file=sys.stderr)
            except Exception:
                pass
            status = 1
        run_atexit()
        return ("exit", status % 256)  # what the shell sees
    return ("error",) + _error(e, 0)

def run_atexit():
    flush()
    atexit._run_exitfuncs()
    atexit._clear()
    flush()

# --- rich output: displays and values' MIME bundles ------------------------
_displays = []

def _b64(data):
    import base64
    return base64.b64encode(data).decode("ascii")

def show_figures(at_end=False):
    """Every open matplotlib figure as a PNG display; then they are closed.
    At the program's end only with our backend (a program that chose Agg
    shows nothing, as natively)."""
    if "matplotlib.pyplot" not in sys.modules:
        return
    if at_end and sys.modules["matplotlib"].get_backend() != "module://" + _Backend.NAME:
        return
    import io
    from matplotlib._pylab_helpers import Gcf
    for manager in Gcf.get_all_fig_managers():
        fig = manager.canvas.figure
        buf = io.BytesIO()
        try:
            fig.savefig(buf, format="png", bbox_inches="tight")
        except Exception:
            continue
        _displays.append({"image/png": _b64(buf.getvalue()), "text/plain": repr(fig)})
    Gcf.destroy_all()

def take_displays():
    global _displays
    if not _displays:
        return None
    import json
    out, _displays = _displays, []
    return json.dumps(out)

def value_mime(v):
    """A value's rich forms (besides its repr), as JSON, or None."""
    if isinstance(v, type):
        return None
    bundle = {}
    for method, mime in (("_repr_html_", "text/html"), ("_repr_png_", "image/png")):
        f = getattr(v, method, None)
        if not callable(f):
            continue
        try:
            r = f()
        except Exception:
            continue
        if isinstance(r, tuple):  # (data, metadata)
            r = r[0]
        if mime == "image/png" and isinstance(r, bytes):
            bundle[mime] = _b64(r)
        elif isinstance(r, str):
            bundle[mime] = r
    if not bundle:
        return None
    import json
    return json.dumps(bundle)

# Our matplotlib backend: Agg's canvas, and show() as above. Loaded by
# matplotlib by name, from this finder (no file in the program's cwd).
# It also finishes two modules after their own code ran: matplotlib (our
# backend as the default) and linecache (the answer's lines).
class _Backend:
    NAME = "_streamexec_mpl_backend"
    def find_spec(self, name, path=None, target=None):
        if name == self.NAME:
            import importlib.machinery
            return importlib.machinery.ModuleSpec(name, self)
        if name == "matplotlib" and not self.hooked:
            self.hooked = True
            return self._then(name, path, self._default_backend)
        if name == "linecache":
            return self._then(name, path, _publish_lines)
        return None
    @staticmethod
    def _then(name, path, finish):
        import importlib.machinery
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            real = spec.loader.exec_module
            def exec_module(module):
                real(module)
                finish(module)
            spec.loader.exec_module = exec_module
        return spec
    def _default_backend(self, module):
        # As the default, where neither MPLBACKEND nor a matplotlib.use()
        # chose (the rc file's backend would fall back to Agg without a
        # display).
        if "MPLBACKEND" not in os.environ:
            module.rcParams["backend"] = "module://" + self.NAME
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.backend_bases import FigureManagerBase
        module.FigureCanvas = FigureCanvasAgg
        module.FigureManager = FigureManagerBase
        def show(*args, **kwargs):
            show_figures()
        module.show = show
    hooked = False
sys.meta_path.insert(0, _Backend())
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
  const char *program_file() const override { return "answer.py"; }

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
    for (auto [name, slot] : {std::pair{"prepare", &prepare_}, {"value", &value_}, {"failure", &failure_},
                              {"flush", &flush_}, {"begin_program", &begin_program_}, {"run_atexit", &atexit_},
                              {"value_mime", &value_mime_}, {"take_displays", &take_displays_},
                              {"show_figures", &show_figures_}}) {
      *slot = PyDict_GetItemString(dict, name);
      if (!*slot) return fail(err);
      Py_INCREF(*slot);
    }
    main_dict_ = PyModule_GetDict(PyImport_AddModule("__main__"));
    Py_INCREF(main_dict_);
    return true;
  }

  void begin_program(int) override { call_quietly(begin_program_); }

  sx::ExecOutcome execute(const sx::ExecRequest &req) override {
    sx::ExecOutcome o = execute_unit(req);
    o.displays = displays();  // plots it showed, whatever its end
    return o;
  }

  sx::ExecOutcome execute_unit(const sx::ExecRequest &req) {
    sx::ExecOutcome o;
    PyObject *prep = PyObject_CallFunction(prepare_, "s#i", req.code.data(),
                                           static_cast<Py_ssize_t>(req.code.size()), req.line);
    if (!prep || !PyTuple_Check(prep)) return internal(o, prep);
    std::string kind = str_of(PyTuple_GetItem(prep, 0));
    if (kind == "syntax_error") {
      o.status = sx::Status::SyntaxError;
      error_from(o, prep, 1);
      Py_DECREF(prep);
      return o;
    }
    PyObject *mod = PyTuple_GetItem(prep, 1), *last = PyTuple_GetItem(prep, 2);
    // The unit's code runs directly under this C frame, like a script's
    // module code under the interpreter's main.
    PyObject *r = PyEval_EvalCode(mod, main_dict_, main_dict_);
    if (r && last != Py_None) {
      Py_DECREF(r);
      r = PyEval_EvalCode(last, main_dict_, main_dict_);
      if (r && r != Py_None) {
        PyObject *repr = PyObject_CallOneArg(value_, r);
        if (repr) {
          o.has_value = true;
          o.value = str_of(repr);
          Py_DECREF(repr);
          if (PyObject *mime = PyObject_CallOneArg(value_mime_, r)) {
            o.value_mime = str_of(mime);
            Py_DECREF(mime);
          } else {
            PyErr_Clear();
          }
        } else {
          Py_DECREF(r);
          r = nullptr;  // the repr raised: the unit's error
        }
      }
    }
    Py_DECREF(prep);
    if (r) {
      Py_DECREF(r);
      return o;
    }
    PyObject *type = nullptr, *exc = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &exc, &tb);
    PyErr_NormalizeException(&type, &exc, &tb);
    if (tb && exc) PyException_SetTraceback(exc, tb);
    PyObject *f = exc ? PyObject_CallOneArg(failure_, exc) : nullptr;
    Py_XDECREF(type);
    Py_XDECREF(exc);
    Py_XDECREF(tb);
    if (!f || !PyTuple_Check(f)) return internal(o, f);
    if (str_of(PyTuple_GetItem(f, 0)) == "exit") {
      o.exited = true;
      o.exit_code = static_cast<int>(PyLong_AsLong(PyTuple_GetItem(f, 1)));
      if (o.exit_code != 0) {
        o.status = sx::Status::Error;
        o.has_error = true;
        o.error.type = "SystemExit";
        o.error.message = "the program exited with code " + std::to_string(o.exit_code);
      }
    } else {
      o.status = sx::Status::Error;
      error_from(o, f, 1);
    }
    Py_DECREF(f);
    return o;
  }

  sx::ProgramOutcome end_program(const sx::ProgramEndRequest &req) override {
    sx::ProgramOutcome o;
    o.unit_id = req.unit_id;
    // Figures left open are shown first: pyplot's atexit handler closes them.
    if (PyObject *r = PyObject_CallOneArg(show_figures_, Py_True)) {
      Py_DECREF(r);
    } else {
      PyErr_Clear();
    }
    o.displays = displays();
    call_quietly(atexit_);  // CPython runs them after an uncaught exception too
    return o;
  }

  void flush_output() override { call_quietly(flush_); }

 private:
  static bool fail(std::string *err) {
    PyErr_Print();
    *err = "bootstrap failed";
    return false;
  }
  // What the unit (or the program's end) displayed, as JSON; "" if nothing.
  std::string displays() {
    PyObject *d = PyObject_CallNoArgs(take_displays_);
    if (!d) {
      PyErr_Clear();
      return {};
    }
    std::string out = str_of(d);
    Py_DECREF(d);
    return out;
  }
  void call_quietly(PyObject *fn) {
    PyObject *r = PyObject_CallNoArgs(fn);
    if (!r) PyErr_Clear();
    Py_XDECREF(r);
  }
  // Only an exception escaping the bootstrap itself lands here.
  static sx::ExecOutcome &internal(sx::ExecOutcome &o, PyObject *res) {
    o.status = sx::Status::Error;
    o.has_error = true;
    o.error.type = "InternalError";
    o.error.message = "python backend: the bootstrap failed";
    PyErr_Print();
    Py_XDECREF(res);
    return o;
  }
  // (kind, type, message, line, traceback) from index `at` of a tuple.
  static void error_from(sx::ExecOutcome &o, PyObject *t, Py_ssize_t at) {
    o.has_error = true;
    o.error.type = str_of(PyTuple_GetItem(t, at));
    o.error.message = str_of(PyTuple_GetItem(t, at + 1));
    o.error.line = static_cast<int>(PyLong_AsLong(PyTuple_GetItem(t, at + 2)));
    o.error.traceback = str_of(PyTuple_GetItem(t, at + 3));
  }
  PyObject *value_mime_ = nullptr, *take_displays_ = nullptr, *show_figures_ = nullptr;
  PyObject *prepare_ = nullptr, *value_ = nullptr, *failure_ = nullptr, *flush_ = nullptr,
           *begin_program_ = nullptr, *atexit_ = nullptr, *main_dict_ = nullptr;
};

}  // namespace

int main() {
  PythonBackend b;
  return sx::worker_main(b);
}
