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
from ._session import STOP, Event, Report, Session, StreamexecError, Unit

__all__ = ["Session", "Event", "Unit", "Report", "STOP", "StreamexecError", "version", "library_path"]


def version() -> str:
    """The C library's version ("0.3.0")."""
    from . import _ffi
    return _ffi.sx_version().decode()
