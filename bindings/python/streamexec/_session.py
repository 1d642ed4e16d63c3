"""The Pythonic API over the C API: Session, Event, Unit (see __init__)."""
from __future__ import annotations

import asyncio
import ctypes
import json as _json
import threading
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from . import _ffi


class _Stop:
    """The value feed() returns when a unit failed: stop generating."""

    _instance: Optional["_Stop"] = None

    def __new__(cls) -> "_Stop":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "streamexec.STOP"

    def __bool__(self) -> bool:
        return True


STOP = _Stop()


class StreamexecError(Exception):
    """A C API call failed: `code` is its result (SX_E…), the message says why."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Unit:
    """A closed unit as the gate sees it."""
    id: int
    lang: str
    code: str
    kind: str
    line: int
    uses: Tuple[str, ...]
    defines: Tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """An answer's or the session's latency report (ms)."""
    t_gen_ms: float
    t_exec_ms: float
    e2e_ms: float
    serial_e2e_ms: float
    non_overlapped_ms: float
    limit_ms: float
    units: int
    errors: int
    skipped: int
    cut: int
    programs: int
    programs_failed: int


@dataclass(frozen=True)
class Event:
    """One event of the session (README "Event schema"); `json` is the C API's
    JSON of the same event, `data` that JSON parsed."""
    kind: str  # "unit_closed", "output", "unit_done", "stop_advised", "program_done", …
    t_ms: float
    answer: int
    unit_id: int
    lang: str
    status: str  # "ok", "error", … for unit_done/program_done/answer_done, else "ok"
    stream: str
    text: str
    code: str
    line: int
    error_type: str
    error_message: str
    error_line: int
    traceback: str
    value: Optional[str]
    exit_code: Optional[int]
    signal: int
    duration_ms: float
    note: str
    unit_kind: str
    offset: int
    end_offset: int
    fence: int
    mime: Dict[str, str] = field(default_factory=dict)
    report: Optional[Report] = None
    model_round: int = 0
    model_reason: str = ""
    model_tokens: int = 0
    model_cut_tokens: int = 0
    json: str = ""

    @property
    def data(self) -> Dict[str, Any]:
        return _json.loads(self.json)

    @property
    def failed(self) -> bool:
        """A unit or program that failed (not skipped, cut or gated)."""
        return self.kind in ("unit_done", "program_done") and self.status not in ("ok", "skipped", "cut", "gated")


def _s(p: Optional[bytes]) -> str:
    return p.decode("utf-8", "replace") if p else ""


def _buf(ptr: Optional[int], n: int) -> str:
    return ctypes.string_at(ptr, n).decode("utf-8", "replace") if ptr and n else ""


def _event(e: _ffi.Event) -> Event:
    kind = _s(_ffi.sx_event_kind_name(e.kind))
    has_result = kind in ("unit_done", "program_done", "answer_done")
    mime = {}
    for i in range(e.n_mime):
        mime[_s(e.mime_types[i])] = _buf(e.mime_data[i], e.mime_len[i])
    report = None
    if e.report:
        r = e.report.contents
        report = Report(r.t_gen_ms, r.t_exec_ms, r.e2e_ms, r.serial_e2e_ms, r.non_overlapped_ms, r.limit_ms, r.units,
                        r.errors, r.skipped, r.cut, r.programs, r.programs_failed)
    return Event(kind=kind, t_ms=e.t_ms, answer=e.answer, unit_id=e.unit_id, lang=_s(e.lang),
                 status=_s(_ffi.sx_status_name(e.status)) if has_result else "ok", stream=_s(e.stream),
                 text=_buf(e.text, e.text_len), code=_buf(e.code, e.code_len), line=e.line,
                 error_type=_s(e.error_type), error_message=_s(e.error_message), error_line=e.error_line,
                 traceback=_s(e.traceback), value=_s(e.value_repr) if e.has_value else None,
                 exit_code=e.exit_code if e.has_exit_code else None, signal=e.signal, duration_ms=e.duration_ms,
                 note=_s(e.note), unit_kind=_s(e.unit_kind), offset=e.offset, end_offset=e.end_offset, fence=e.fence,
                 mime=mime, report=report, model_round=e.model_round, model_reason=_s(e.model_reason),
                 model_tokens=e.model_tokens, model_cut_tokens=e.model_cut_tokens, json=_buf(e.json, e.json_len))


GateResult = Union[str, Tuple[str, str]]
_DECISIONS = {"run": _ffi.SX_GATE_RUN, "hold": _ffi.SX_GATE_HOLD, "skip": _ffi.SX_GATE_SKIP}


def _strings(items: Iterable[str]):
    items = list(items)  # any iterable, read once
    arr = (ctypes.c_char_p * (len(items) + 1))()
    for i, s in enumerate(items):
        arr[i] = s.encode()
    return arr


def _worker_options(o, *, env, network, allow_write, worker_memory_bytes, worker_max_processes,
                    worker_max_open_files, scratch_bytes, worker_dir):
    """Fills the worker options of an Options struct; returns what must stay alive with it."""
    if network not in ("none", "host"):
        raise ValueError(f"network must be 'none' or 'host', not {network!r}")
    o.worker_memory_bytes = worker_memory_bytes
    o.worker_max_processes = worker_max_processes
    o.worker_max_open_files = worker_max_open_files
    o.scratch_bytes = scratch_bytes
    o.network = 0 if network == "none" else 1
    keep = (_strings(env), _strings(allow_write), worker_dir.encode() if worker_dir else None)
    o.env, o.allow_write, o.worker_dir = keep
    return keep


class _DefaultPool:
    def __repr__(self) -> str:
        return "streamexec.DEFAULT_POOL"


DEFAULT_POOL: Any = _DefaultPool()
"""Session(pool=DEFAULT_POOL), the default: the process's shared pool (default_pool())."""


class _Closing:
    """``with`` and garbage collection call close()."""

    def close(self) -> None:  # pragma: no cover — overridden
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 — interpreter shutdown
            pass


class Pool(_Closing):
    """Started workers kept ready for the sessions of this process.

    A session that uses the pool (``Session(pool=p)``) takes a worker whose
    start-up — sandbox, interpreter, prelude — is already done, when its
    worker options equal the pool's; else it starts its own. A worker is
    never reused: each session gets a fresh process, and the pool starts a
    replacement at once. ``ready`` maps a language to the workers kept ready;
    ``adaptive=True`` keeps none of a language until a session first asks for
    one. The keyword options are the workers' (as Session's).
    """

    def __init__(self, ready: Optional[dict] = None, *, adaptive: bool = False, env: Sequence[str] = (),
                 network: str = "none", allow_write: Sequence[str] = (), worker_memory_bytes: int = 0,
                 worker_max_processes: int = 512, worker_max_open_files: int = 0,
                 scratch_bytes: int = 512 << 20, worker_dir: Optional[str] = None):
        ready = {"python": 1, "javascript": 1, "cpp": 1} if ready is None else dict(ready)
        for l, n in ready.items():
            if l not in _ffi.LANGS:
                raise ValueError(f"unknown language {l!r} (python, javascript, cpp)")
            if not isinstance(n, int) or n < 0:
                raise ValueError(f"ready[{l!r}] must be an int >= 0, not {n!r}")
        w = _ffi.Options()
        _ffi.sx_options_init_size(ctypes.byref(w), ctypes.sizeof(w))
        keep = _worker_options(w, env=env, network=network, allow_write=allow_write,
                               worker_memory_bytes=worker_memory_bytes, worker_max_processes=worker_max_processes,
                               worker_max_open_files=worker_max_open_files, scratch_bytes=scratch_bytes,
                               worker_dir=worker_dir)
        po = _ffi.PoolOptions()
        _ffi.sx_pool_options_init_size(ctypes.byref(po), ctypes.sizeof(po))
        for i, l in enumerate(_ffi.LANGS):
            po.ready[i] = ready.get(l, 0)
        po.adaptive = int(adaptive)
        po.workers = ctypes.pointer(w)
        handle = ctypes.c_void_p()
        rc = _ffi.sx_pool_new(ctypes.byref(po), ctypes.byref(handle))
        del keep  # copied by sx_pool_new
        if rc != _ffi.SX_OK:
            raise StreamexecError(rc, f"{_s(_ffi.sx_strerror(rc))}: {_s(_ffi.sx_last_error())}")
        self._p: Optional[int] = handle.value

    def _handle(self) -> int:
        if self._p is None:
            raise StreamexecError(_ffi.SX_EMISUSE, "the pool is closed")
        return self._p

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Waits until every language has its ready workers; False if ``timeout`` (s) ran out."""
        return _ffi.sx_pool_wait_ready(self._handle(), int(timeout * 1000)) == _ffi.SX_OK

    def stats(self) -> dict:
        """Per language: workers started, taken by sessions, ready now, and sessions that found none
        (``empty``) or had other worker options (``mismatch``); ``failed`` starts and ``last_error``."""
        st = _ffi.PoolStats()
        st.struct_size = ctypes.sizeof(st)
        _ffi.sx_pool_stats_get(self._handle(), ctypes.byref(st))
        out: dict = {l: {k: int(getattr(st, k)[i]) for k in ("started", "taken", "ready", "empty", "mismatch",
                                                             "failed")} for i, l in enumerate(_ffi.LANGS)}
        out["last_error"] = st.last_error.decode(errors="replace")
        return out

    def close(self) -> None:
        """Stops the ready workers; sessions that use the pool keep theirs. Idempotent."""
        if self._p is not None:
            _ffi.sx_pool_free(self._p)
            self._p = None


_default_pool: Optional[Pool] = None
_default_pool_lock = threading.Lock()


def default_pool() -> Pool:
    """The process's shared pool, made at first use: adaptive, one ready worker per language a
    session of this process used, with the default worker options."""
    global _default_pool
    with _default_pool_lock:
        if _default_pool is None:
            _default_pool = Pool({"python": 1, "javascript": 1, "cpp": 1}, adaptive=True)
        return _default_pool


class Session(_Closing):
    """A streaming-execution session (one per conversation).

    ``feed()`` each piece of the model's answer as it arrives; it returns
    ``STOP`` once a unit failed (cut the generation). ``finish()`` ends the
    session; ``events()`` yields typed events. Feeding calls are serialised
    (a Session may be shared by threads); ``events()`` may run in another
    thread while one feeds. The C library does the work with the GIL released.
    Exceptions raised by ``gate`` or ``on_event`` reach the caller from the
    next feeding call (the unit whose gate raised is skipped). Workers come
    from ``pool`` when their options match: by default the process's shared
    pool (``default_pool()``, adaptive), ``None`` for none.
    """

    def __init__(self, languages: Sequence[str] = (), *, mode: str = "markdown", lang: str = "python",
                 timeout: float = 30.0, session_timeout: float = 0.0, on_error: str = "stop", serial: bool = False,
                 batching: bool = True, execute: bool = True,
                 gate: Optional[Callable[[Unit], GateResult]] = None,
                 on_event: Optional[Callable[[Event], None]] = None, env: Sequence[str] = (),
                 network: str = "none", allow_write: Sequence[str] = (), worker_memory_bytes: int = 0,
                 worker_max_processes: int = 512, worker_max_open_files: int = 0,
                 output_cap_bytes: int = 8 << 20, scratch_bytes: int = 512 << 20,
                 worker_dir: Optional[str] = None, pool: Any = DEFAULT_POOL,
                 python_executor: Optional[str] = None):
        if mode not in ("markdown", "raw"):
            raise ValueError(f"mode must be 'markdown' or 'raw', not {mode!r}")
        if on_error not in ("stop", "continue"):
            raise ValueError(f"on_error must be 'stop' or 'continue', not {on_error!r}")
        for l in list(languages) + [lang]:
            if l not in _ffi.LANGS:
                raise ValueError(f"unknown language {l!r} (python, javascript, cpp)")
        self._lock = threading.RLock()
        self._pending: Optional[BaseException] = None
        self._gate = gate
        self._on_event = on_event
        self._gate_reason = b""
        o = _ffi.Options()
        _ffi.sx_options_init_size(ctypes.byref(o), ctypes.sizeof(o))
        o.mode = 0 if mode == "markdown" else 1
        o.lang = _ffi.LANGS.index(lang)
        o.on_error = 0 if on_error == "stop" else 1
        o.execute = int(execute)
        o.batching = int(batching)
        o.serial = int(serial)
        o.unit_timeout_s = float(timeout)
        o.session_timeout_s = float(session_timeout)
        o.output_cap_bytes = output_cap_bytes
        self._keep = _worker_options(o, env=env, network=network, allow_write=allow_write,
                                     worker_memory_bytes=worker_memory_bytes,
                                     worker_max_processes=worker_max_processes,
                                     worker_max_open_files=worker_max_open_files, scratch_bytes=scratch_bytes,
                                     worker_dir=worker_dir)
        if pool is DEFAULT_POOL:
            pool = default_pool()
        if pool is not None and not isinstance(pool, Pool):
            raise TypeError(f"pool must be a streamexec.Pool, streamexec.DEFAULT_POOL or None, not {pool!r}")
        self._pool = pool  # held: the pool outlives the session
        self._python_executor = python_executor.encode() if python_executor else None
        o.python_executor = self._python_executor  # "jupyter:CONNECTION_FILE" or "jupyter:URL": a Jupyter kernel
        o.pool = pool._handle() if pool is not None else None
        o.prestart = sum(1 << _ffi.LANGS.index(l) for l in languages)
        o.queue_events = 1
        # The callbacks must live as long as the session.
        self._event_cb = _ffi.EVENT_FN(self._event_trampoline) if on_event else _ffi.EVENT_FN()
        self._gate_cb = _ffi.GATE_FN(self._gate_trampoline) if gate else _ffi.GATE_FN()
        o.on_event = self._event_cb
        o.gate = self._gate_cb
        handle = ctypes.c_void_p()
        rc = _ffi.sx_session_new(ctypes.byref(o), ctypes.byref(handle))
        if rc != _ffi.SX_OK:
            raise StreamexecError(rc, f"{_s(_ffi.sx_strerror(rc))}: {_s(_ffi.sx_last_error())}")
        self._s: Optional[int] = handle.value
        self._finished = False

    # --- callbacks (on the feeding thread or a library thread) ---------------
    def _event_trampoline(self, _user, ev) -> None:
        try:
            self._on_event(_event(ev.contents))  # type: ignore[misc]
        except BaseException as e:  # noqa: BLE001 — handed to the caller, never lost
            if self._pending is None:
                self._pending = e

    def _gate_trampoline(self, _user, info, reason) -> int:
        u = info.contents
        unit = Unit(id=u.id, lang=_s(u.lang), code=_buf(u.code, u.code_len), kind=_s(u.kind), line=u.line,
                    uses=tuple(_s(u.uses[i]) for i in range(u.n_uses)),
                    defines=tuple(_s(u.defines[i]) for i in range(u.n_defines)))
        try:
            r = self._gate(unit)  # type: ignore[misc]
            decision, why = (r, "") if isinstance(r, str) else r
            if decision not in _DECISIONS:
                raise ValueError(f"gate returned {decision!r}: 'run', 'hold' or 'skip'")
        except BaseException as e:  # noqa: BLE001
            if self._pending is None:
                self._pending = e
            decision, why = "skip", f"the gate raised {type(e).__name__}: {e}"
        self._gate_reason = why.encode()
        reason[0] = self._gate_reason if why else None
        return _DECISIONS[decision]

    def _raise_pending(self) -> None:
        if self._pending is not None:
            e, self._pending = self._pending, None
            raise e

    def _check(self, rc: int, what: str):
        self._raise_pending()
        if rc < 0:
            msg = _s(_ffi.sx_session_errmsg(self._s)) or _s(_ffi.sx_last_error())
            raise StreamexecError(rc, f"{what}: {_s(_ffi.sx_strerror(rc))}{': ' + msg if msg else ''}")
        return STOP if rc == _ffi.SX_STOP else None

    def _handle(self) -> int:
        if self._s is None:
            raise StreamexecError(_ffi.SX_EMISUSE, "the session is closed")
        return self._s

    # --- feeding -----------------------------------------------------------
    def feed(self, piece: Union[str, bytes]) -> Optional[_Stop]:
        """Feeds a piece of the answer; returns STOP once a unit failed."""
        data = piece.encode("utf-8") if isinstance(piece, str) else bytes(piece)
        with self._lock:
            return self._check(_ffi.sx_feed(self._handle(), data, len(data)), "feed")

    def answer_end(self) -> Optional[_Stop]:
        """Ends the answer (the session goes on: the next feed starts the next answer)."""
        with self._lock:
            return self._check(_ffi.sx_answer_end(self._handle()), "answer_end")

    def answer_cut(self) -> Optional[_Stop]:
        """The model was stopped: the unit being written is cut, queued units skipped."""
        with self._lock:
            return self._check(_ffi.sx_answer_cut(self._handle()), "answer_cut")

    def interrupt(self) -> None:
        """Interrupts what runs now (any thread)."""
        _ffi.sx_interrupt(self._handle())

    def finish(self) -> Optional[_Stop]:
        """Ends the last answer and the session; waits for every unit."""
        with self._lock:
            if self._finished:
                return None
            self._finished = True
            return self._check(_ffi.sx_finish(self._handle()), "finish")

    def chat(self, prompt: str, *, base_url: str, model: str, api_key_env: str = "OPENAI_API_KEY",
             system: Optional[str] = None, repair: int = 2, record: Optional[str] = None,
             temperature: Optional[float] = None, max_tokens: int = 0, idle_timeout: float = 60.0) -> Optional[_Stop]:
        """Asks an OpenAI-compatible server and executes its answer as it streams, with
        stop-and-repair (README "Live model streams"). Returns STOP if a unit still
        failed after the repair rounds; raises StreamexecError (code SX_EHTTP) if the
        server failed."""
        c = _ffi.ChatOptions()
        _ffi.sx_chat_options_init_size(ctypes.byref(c), ctypes.sizeof(c))
        keep = [base_url.encode(), model.encode(), api_key_env.encode(), (system or "").encode(),
                (record or "").encode()]
        c.base_url, c.model, c.api_key_env = keep[0], keep[1], keep[2]
        c.system = keep[3] if system else None
        c.record_path = keep[4] if record else None
        c.repair = repair
        c.temperature = -1.0 if temperature is None else float(temperature)
        c.max_tokens = max_tokens
        c.idle_timeout_s = idle_timeout
        with self._lock:
            rc = _ffi.sx_chat(self._handle(), ctypes.byref(c), prompt.encode())
            if rc < 0:
                self._raise_pending()
                raise StreamexecError(rc, f"chat: {_s(_ffi.sx_strerror(rc))}: {_s(_ffi.sx_last_error())}")
            return self._check(rc, "chat")

    def replay(self, path: str, speed: float = 1.0) -> Optional[_Stop]:
        """Feeds a recording (``streamexec chat --record``) with its timing / speed (0: none)."""
        with self._lock:
            rc = _ffi.sx_replay(self._handle(), path.encode(), float(speed))
            if rc < 0:
                raise StreamexecError(rc, f"replay: {_s(_ffi.sx_strerror(rc))}: {_s(_ffi.sx_last_error())}")
            return self._check(rc, "replay")

    # --- events ------------------------------------------------------------
    def _take(self, timeout: Optional[float]) -> Tuple[Optional[Event], bool]:
        """(the next event or None, whether the session is done and drained)."""
        handle = self._handle()
        out = ctypes.POINTER(_ffi.Event)()
        remaining = timeout
        while True:
            # Waits in slices so that Ctrl-C reaches Python.
            step = 0.1 if remaining is None else max(0.0, min(0.1, remaining))
            rc = _ffi.sx_next_event(handle, step * 1000, ctypes.byref(out))
            if rc == _ffi.SX_OK:
                try:
                    return _event(out.contents), False
                finally:
                    _ffi.sx_event_free(out)
            if rc == _ffi.SX_DONE:
                return None, True
            if rc != _ffi.SX_AGAIN:
                raise StreamexecError(rc, f"next_event: {_s(_ffi.sx_strerror(rc))}")
            if remaining is not None:
                remaining -= step
                if remaining <= 0:
                    return None, False

    def next_event(self, timeout: Optional[float] = None) -> Optional[Event]:
        """The next event, waiting up to `timeout` seconds (None: until one comes
        or the session is done). None if none came in time or all were taken."""
        return self._take(timeout)[0]

    def events(self, timeout: Optional[float] = None) -> Iterator[Event]:
        """Yields events until the session is done (after finish()), or until
        none comes within `timeout` seconds."""
        while True:
            ev = self.next_event(timeout)
            if ev is None:
                self._raise_pending()
                return
            yield ev

    def poll(self) -> List[Event]:
        """The events queued now, without waiting."""
        return list(self.events(timeout=0))

    # --- asyncio -----------------------------------------------------------
    async def afeed(self, piece: Union[str, bytes]) -> Optional[_Stop]:
        """feed() in a worker thread, so the event loop never blocks."""
        return await asyncio.to_thread(self.feed, piece)

    async def afinish(self) -> Optional[_Stop]:
        return await asyncio.to_thread(self.finish)

    async def aevents(self) -> AsyncIterator[Event]:
        """Events as they come, without blocking the event loop; ends when the session is done."""
        while True:
            ev, done = await asyncio.to_thread(self._take, 0.2)
            if ev is not None:
                yield ev
            elif done:
                self._raise_pending()
                return

    # --- lifetime ----------------------------------------------------------
    def close(self) -> None:
        """Frees the session (kills its workers). Idempotent."""
        with self._lock:
            if self._s is not None:
                _ffi.sx_session_free(self._s)
                self._s = None
