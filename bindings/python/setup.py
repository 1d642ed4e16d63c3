"""pip install bindings/python — offline, from the built library.

The package bundles the C library and its workers from a build of this
repository (STREAMEXEC_BUILD_DIR, default ../../build): `cmake --install` into
streamexec/_native, so the library finds its workers next to itself. No
pyproject.toml on purpose: pip then builds with the system's setuptools and
needs no index (no network). Why ctypes: see streamexec/_ffi.py.
"""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def build_dir() -> Path:
    return Path(os.environ.get("STREAMEXEC_BUILD_DIR", HERE.parent.parent / "build")).resolve()


class BuildWithNative(build_py):
    """Copies libstreamexec.so.0 and the workers into streamexec/_native."""

    def run(self):
        super().run()
        b = build_dir()
        if not (b / "CMakeCache.txt").exists():
            raise SystemExit(f"streamexec: no CMake build in {b} (run scripts/setup, or set STREAMEXEC_BUILD_DIR)")
        dest = Path(self.build_lib) / "streamexec" / "_native"
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["cmake", "--install", str(b), "--prefix", tmp], check=True, stdout=subprocess.DEVNULL)
            prefix = Path(tmp)
            libdir = next(p.parent for p in prefix.glob("**/libstreamexec.so.0"))
            (dest / "lib").mkdir(parents=True, exist_ok=True)
            shutil.copy2(libdir / "libstreamexec.so.0", dest / "lib" / "libstreamexec.so.0")
            workers = prefix / "libexec" / "streamexec"
            shutil.copytree(workers, dest / "libexec" / "streamexec", dirs_exist_ok=True)


setup(
    name="streamexec",
    version="0.4.0",
    description="Execute LLM-generated code while the model is still writing it",
    packages=["streamexec"],
    package_data={"streamexec": ["py.typed"]},
    python_requires=">=3.9",
    cmdclass={"build_py": BuildWithNative},
    zip_safe=False,
)
