"""ctypes declarations of include/streamexec.h (the C API), and the library.

ctypes, not a compiled extension: the package needs no compiler and no Python
headers to install, works with every CPython 3 (and PyPy), and binds to the C
API's stable ABI, whose structs carry ``struct_size`` so that this module's
layout is checked by the library itself (``sx_options_init_size``).
"""
from __future__ import annotations

import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int, c_int64, c_size_t, c_uint32,
                    c_uint64, c_void_p)
from pathlib import Path

SX_OK, SX_STOP, SX_DONE, SX_AGAIN = 0, 1, 2, 3
SX_EINVAL, SX_EMISUSE, SX_ENOMEM, SX_EWORKER, SX_EINTERNAL, SX_EHTTP = -1, -2, -3, -4, -5, -6
SX_GATE_RUN, SX_GATE_HOLD, SX_GATE_SKIP = 0, 1, 2
LANGS = ("python", "javascript", "cpp")


class Report(Structure):
    _fields_ = [("struct_size", c_size_t), ("t_gen_ms", c_double), ("t_exec_ms", c_double), ("e2e_ms", c_double),
                ("serial_e2e_ms", c_double), ("non_overlapped_ms", c_double), ("limit_ms", c_double),
                ("units", c_uint64), ("errors", c_uint64), ("skipped", c_uint64), ("cut", c_uint64),
                ("programs", c_uint64), ("programs_failed", c_uint64), ("sandbox_missing", c_char_p)]


class Event(Structure):
    _fields_ = [("kind", c_int), ("t_ms", c_double), ("unit_id", c_int64), ("lang", c_char_p), ("status", c_int),
                ("stream", c_char_p), ("text", c_void_p), ("text_len", c_size_t), ("json", c_void_p),
                ("json_len", c_size_t),
                # since 0.2
                ("struct_size", c_size_t), ("answer", c_int), ("code", c_void_p), ("code_len", c_size_t),
                ("line", c_uint32), ("error_type", c_char_p), ("error_message", c_char_p), ("error_line", c_uint32),
                ("traceback", c_char_p), ("has_value", c_int), ("value_repr", c_char_p), ("has_exit_code", c_int),
                ("exit_code", c_int), ("signal", c_int), ("duration_ms", c_double), ("note", c_char_p),
                ("unit_kind", c_char_p), ("offset", c_uint64), ("end_offset", c_uint64), ("error_col", c_uint32),
                ("fence", c_int), ("report", POINTER(Report)), ("n_mime", c_size_t), ("mime_types", POINTER(c_char_p)),
                ("mime_data", POINTER(c_void_p)), ("mime_len", POINTER(c_size_t)),
                # since 0.3
                ("model_round", c_int), ("model_reason", c_char_p), ("model_tokens", c_uint64),
                ("model_cut_tokens", c_uint64), ("model_request_bytes", c_uint64)]


class UnitInfo(Structure):
    _fields_ = [("id", c_int64), ("lang", c_char_p), ("code", c_void_p), ("code_len", c_size_t), ("kind", c_char_p),
                ("line", c_uint32), ("uses", POINTER(c_char_p)), ("n_uses", c_size_t),
                ("defines", POINTER(c_char_p)), ("n_defines", c_size_t)]


EVENT_FN = CFUNCTYPE(None, c_void_p, POINTER(Event))
GATE_FN = CFUNCTYPE(c_int, c_void_p, POINTER(UnitInfo), POINTER(c_char_p))


class Options(Structure):
    _fields_ = [("struct_size", c_size_t), ("mode", c_int), ("lang", c_int), ("on_error", c_int),
                ("execute", c_int), ("batching", c_int), ("serial", c_int), ("unit_timeout_s", c_double),
                ("output_cap_bytes", c_size_t), ("worker_memory_bytes", c_uint64), ("worker_dir", c_char_p),
                ("on_event", EVENT_FN), ("user", c_void_p), ("queue_events", c_int), ("prestart", ctypes.c_uint),
                ("gate", GATE_FN), ("gate_user", c_void_p), ("session_timeout_s", c_double),
                ("worker_max_processes", c_uint64), ("worker_max_open_files", c_uint64),
                ("env", POINTER(c_char_p)), ("network", c_int), ("allow_write", POINTER(c_char_p)),
                ("scratch_bytes", c_uint64), ("sandbox_off", c_char_p),
                # since 0.4
                ("pool", c_void_p), ("python_executor", c_char_p)]


class PoolOptions(Structure):
    _fields_ = [("struct_size", c_size_t), ("ready", ctypes.c_uint * 3), ("adaptive", c_int),
                ("workers", POINTER(Options))]


class PoolStats(Structure):
    _fields_ = [("struct_size", c_size_t), ("started", c_uint64 * 3), ("taken", c_uint64 * 3),
                ("empty", c_uint64 * 3), ("mismatch", c_uint64 * 3), ("failed", c_uint64 * 3),
                ("ready", ctypes.c_uint * 3), ("last_error", ctypes.c_char * 256)]


class ChatOptions(Structure):
    _fields_ = [("struct_size", c_size_t), ("base_url", c_char_p), ("model", c_char_p), ("api_key_env", c_char_p),
                ("system", c_char_p), ("temperature", c_double), ("max_tokens", c_int64), ("repair", c_int),
                ("record_path", c_char_p), ("connect_timeout_s", c_double), ("idle_timeout_s", c_double),
                ("max_retries", c_int), ("retry_max_wait_s", c_double)]


def _candidates():
    env = os.environ.get("STREAMEXEC_LIBRARY")
    if env:
        yield env
    here = Path(__file__).resolve().parent
    yield str(here / "_native" / "lib" / "libstreamexec.so.0")  # bundled by setup.py
    yield "libstreamexec.so.0"  # an installed prefix on the loader's path


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path  # CDLL: the GIL is released during every call
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError("streamexec: cannot load libstreamexec.so.0 (set STREAMEXEC_LIBRARY to its path):\n  " +
                      "\n  ".join(errors))


lib, library_path = _load()


def _decl(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


sx_version = _decl("sx_version", c_char_p)
sx_strerror = _decl("sx_strerror", c_char_p, c_int)
sx_last_error = _decl("sx_last_error", c_char_p)
sx_options_init_size = _decl("sx_options_init_size", None, POINTER(Options), c_size_t)
sx_chat_options_init_size = _decl("sx_chat_options_init_size", None, POINTER(ChatOptions), c_size_t)
sx_pool_options_init_size = _decl("sx_pool_options_init_size", None, POINTER(PoolOptions), c_size_t)
sx_pool_new = _decl("sx_pool_new", c_int, POINTER(PoolOptions), POINTER(c_void_p))
sx_pool_wait_ready = _decl("sx_pool_wait_ready", c_int, c_void_p, c_int)
sx_pool_stats_get = _decl("sx_pool_stats_get", c_int, c_void_p, POINTER(PoolStats))
sx_pool_free = _decl("sx_pool_free", None, c_void_p)
sx_session_new = _decl("sx_session_new", c_int, POINTER(Options), POINTER(c_void_p))
sx_feed = _decl("sx_feed", c_int, c_void_p, c_char_p, c_size_t)
sx_finish = _decl("sx_finish", c_int, c_void_p)
sx_answer_end = _decl("sx_answer_end", c_int, c_void_p)
sx_answer_cut = _decl("sx_answer_cut", c_int, c_void_p)
sx_interrupt = _decl("sx_interrupt", c_int, c_void_p)
sx_next_event = _decl("sx_next_event", c_int, c_void_p, c_double, POINTER(POINTER(Event)))
sx_event_free = _decl("sx_event_free", None, POINTER(Event))
sx_session_errmsg = _decl("sx_session_errmsg", c_char_p, c_void_p)
sx_session_free = _decl("sx_session_free", None, c_void_p)
sx_chat = _decl("sx_chat", c_int, c_void_p, POINTER(ChatOptions), c_char_p)
sx_replay = _decl("sx_replay", c_int, c_void_p, c_char_p, c_double)
sx_event_kind_name = _decl("sx_event_kind_name", c_char_p, c_int)
sx_status_name = _decl("sx_status_name", c_char_p, c_int)
