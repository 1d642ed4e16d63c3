#!/usr/bin/env python3
"""protection_matters.py SECURITY_TEST OFF TEST...

Runs the red-team tests TEST... (names of Attack tests, every language) of
the binary SECURITY_TEST with the protections OFF (comma-separated) switched
off, and succeeds only if every one of them fails: the protection is what
stops the attack. A run that dies (the attack took the host down) counts as
failing. A test that is skipped or passes is reported and fails this check.
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    binary, off, tests = sys.argv[1], sys.argv[2], sys.argv[3:]
    filt = ":".join(f"*Attack.{t}/*" for t in tests)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        env = dict(os.environ, SX_SECURITY_OFF=off)
        proc = subprocess.run([binary, f"--gtest_filter={filt}", f"--gtest_output=json:{out}"], env=env,
                              capture_output=True, text=True, timeout=900)
        if not os.path.exists(out):
            how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
            print(f"with {off} off, the test process died ({how}) before it could report: the attack "
                  f"took the host down")
            return 0 if proc.returncode != 0 else 1
        with open(out, encoding="utf-8") as f:
            report = json.load(f)
    ran, bad = 0, []
    for suite in report.get("testsuites", []):
        for t in suite.get("testsuite", []):
            name = f"{suite['name']}.{t['name']}"
            if t.get("result") == "SKIPPED" or t.get("status") == "NOTRUN":
                continue  # a language where the attack does not apply
            ran += 1
            if not t.get("failures"):
                bad.append(name)
            else:
                print(f"{name}: fails with {off} off (as it must)")
    if ran == 0:
        print(f"no test of {tests} ran")
        return 1
    for name in bad:
        print(f"{name}: PASSES with {off} off: the protection is not what stops it")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
