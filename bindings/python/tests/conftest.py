import os
import sys
from pathlib import Path

# Tests run against the package in this tree and the build's library unless
# the environment says otherwise (an installed package: STREAMEXEC_TEST_INSTALLED=1).
if not os.environ.get("STREAMEXEC_TEST_INSTALLED"):
    root = Path(__file__).resolve().parents[3]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("STREAMEXEC_LIBRARY", str(root / "build" / "lib" / "libstreamexec.so.0"))
