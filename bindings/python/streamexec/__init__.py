"""streamexec: execute LLM-generated code while the model is still writing it.

    with streamexec.Session(languages=["python", "javascript", "cpp"], timeout=30,
                            gate=lambda unit: "hold" if "rm -rf" in unit.code else "run") as s:
        for piece in llm_stream:                 # any iterable of str
            if s.feed(piece) is streamexec.STOP: # a unit failed: cut generation
                break
        s.finish()
        for ev in s.events():                    # typed Event objects, also .json
            ...

A binding of the C library (libstreamexec.so.0) with ctypes; see the
project's README, "Python package".
"""
from ._ffi import library_path
from ._session import DEFAULT_POOL, STOP, Event, Pool, Report, Session, StreamexecError, Unit, default_pool

__all__ = ["Session", "Pool", "default_pool", "DEFAULT_POOL", "Event", "Unit", "Report", "STOP", "StreamexecError",
           "version", "library_path"]


def version() -> str:
    """The C library's version ("0.4.0")."""
    from . import _ffi
    return _ffi.sx_version().decode()
