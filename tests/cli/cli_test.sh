#!/usr/bin/env bash
# CLI checks: --json event schema, chunk mode, exit codes, one-line errors.
set -u
cli=$1
src=$2
. "$src/tests/support/check.sh"


cat > "$tmp/a.md" <<'MD'
Some prose.

```python
x = 6
print(x * 7)
x
```
MD
"$cli" run "$tmp/a.md" --rate 0 --split random:3 --json > "$tmp/out.jsonl"
check "run --json exits 0" $?
/usr/bin/python3 - "$tmp/out.jsonl" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = [e["event"] for e in ev]
assert kinds[-1] == "session_done", kinds
assert all(isinstance(e["t_ms"], (int, float)) for e in ev)
closed = [e["unit"] for e in ev if e["event"] == "unit_closed"]
assert [u["code"] for u in closed] == ["x = 6\n", "print(x * 7)\n", "x\n"], closed
for u in closed:
    assert set(["id", "lang", "code", "begin", "end", "line", "kind"]) <= set(u), u
assert closed[0]["line"] == 4 and closed[0]["lang"] == "python" and closed[0]["kind"] == "assign"
text = open(sys.argv[1].replace("out.jsonl", "a.md")).read().encode()
for u in closed:
    assert text[u["begin"]:u["end"]].decode() == u["code"], u
out = [e for e in ev if e["event"] == "output"]
assert out and out[0]["text"] == "42\n" and out[0]["stream"] == "stdout" and out[0]["unit_id"] == 1
done = [e for e in ev if e["event"] == "unit_done"]
assert [d["status"] for d in done] == ["ok"] * 3 and done[2]["value"] == "6"
rep = ev[-1]["report"]
for k in ["t_gen_ms", "t_exec_ms", "e2e_ms", "serial_e2e_ms", "non_overlapped_ms", "limit_ms"]:
    assert k in rep, k
PY
check "json schema" $?

"$cli" chunk "$tmp/a.md" --split byte --json > "$tmp/chunk.jsonl"
check "chunk exits 0" $?
n=$(grep -c '"unit_closed"' "$tmp/chunk.jsonl"); [ "$n" = 3 ]; check "chunk finds 3 units" $?
! grep -q '"unit_started"' "$tmp/chunk.jsonl"; check "chunk executes nothing" $?

printf 'x = 1\nprint(x +)\n' > "$tmp/bad.py"
"$cli" chunk "$tmp/bad.py" --json > "$tmp/bad.jsonl"; rc=$?
[ $rc = 1 ]; check "syntax error exits 1 (got $rc)" $?
grep -q '"status":"syntax_error"' "$tmp/bad.jsonl"; check "syntax error event" $?
grep '"syntax_error"' "$tmp/bad.jsonl" | grep -q '"line":2'; check "syntax error line 2" $?

"$cli" run "$tmp/missing.md" 2> "$tmp/err.txt"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$tmp/err.txt")" = 1 ] && grep -q "cannot open" "$tmp/err.txt"; check "missing file: one-line error, exit 2" $?

printf 'print(1)\n\xff\xfe\n' > "$tmp/bin.py"
"$cli" run "$tmp/bin.py" 2> "$tmp/err.txt"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$tmp/err.txt")" = 1 ] && grep -q "invalid UTF-8 at byte 9 (line 2)" "$tmp/err.txt"; check "invalid UTF-8: one-line error, exit 2" $?

"$cli" run "$tmp/a.md" --frobnicate 2> "$tmp/err.txt"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$tmp/err.txt")" = 1 ]; check "unknown flag: one-line error, exit 2" $?

printf 'print("hi")\n1/0\nprint("no")\n' | "$cli" run - --lang python --rate 0 --split line > "$tmp/h.txt"; rc=$?
[ $rc = 1 ] && grep -q "ZeroDivisionError" "$tmp/h.txt" && grep -q "stop advised" "$tmp/h.txt" && grep -q "latency report" "$tmp/h.txt" && ! grep -q "│ no" "$tmp/h.txt"
check "stdin raw python, human output, stop" $?

"$cli" run "$src/examples/algorithms.md" --rate 0 --split bpe > "$tmp/bpe.txt"; rc=$?
[ $rc = 0 ] && grep -q "(bpe split, as fast as possible)" "$tmp/bpe.txt"; check "bpe split on an example (exit $rc)" $?
"$cli" run "$tmp/a.md" --rate 0 > "$tmp/whole.txt"; rc=$?
"$cli" run "$tmp/a.md" --rate 0 --split bpe > "$tmp/bpe2.txt"
[ $rc = 0 ] && grep -q "tokens fed *1 of 1 (whole split, as fast as possible)" "$tmp/whole.txt" &&
  grep -q "│" "$tmp/whole.txt" && diff <(grep "│" "$tmp/bpe2.txt") <(grep "│" "$tmp/whole.txt") >/dev/null
check "run --rate 0 feeds the file whole by default, with the same outputs as the bpe split" $?

# run FILE starts the workers of the languages the file has fences of (any
# alias, ``` or ~~~, indented up to 3 spaces), not Python by default.
printf 'Text.\n\n  ```c++ {.numberLines}\nint x = 1;\n```\n\n~~~ js\nconsole.log(2);\n~~~\n\n    ```python\n    (indented code, not a fence)\n' > "$tmp/langs.md"
"$cli" run "$tmp/langs.md" --rate 0 --json > "$tmp/langs.jsonl"; rc=$?
/usr/bin/python3 - "$tmp/langs.jsonl" <<'PY'
import json, sys
done = [json.loads(l) for l in open(sys.argv[1]) if '"session_done"' in l][0]
assert sorted(done["sandbox"]) == ["cpp", "javascript"], sorted(done["sandbox"])
PY
py=$?
[ $rc = 0 ] && [ $py = 0 ]; check "run FILE starts the workers of its fences' languages only (exit $rc)" $?

printf 'print("start")\nimport time\nwhile True: time.sleep(0.05)\nprint("never")\n' > "$tmp/long.py"
"$cli" run "$tmp/long.py" --rate 0 --unit-timeout 60 --session-timeout 5 --json > "$tmp/long.jsonl"; rc=$?
[ $rc = 1 ] && grep -q '"status":"limit"' "$tmp/long.jsonl" && grep -q "total time limit of 5 s" "$tmp/long.jsonl" &&
  ! grep -q '"text":"never' "$tmp/long.jsonl"
check "--session-timeout ends a long run (exit $rc)" $?

printf 'print("x" * 100000)\n' > "$tmp/big.py"
"$cli" run "$tmp/big.py" --rate 0 --output-cap 1 --json > "$tmp/big.jsonl"
grep -q 'truncated at 1024 bytes' "$tmp/big.jsonl"; check "--output-cap truncates with a marker" $?

"$cli" run "$tmp/a.md" --session-timeout -1 2> "$tmp/err.txt"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$tmp/err.txt")" = 1 ]; check "negative --session-timeout: one-line error, exit 2" $?

# The sandbox's options (README "Security").
printf 'import os\nprint(os.environ.get("HOST_SECRET"), os.environ.get("ASKED"), os.environ.get("OTHER"))\n' > "$tmp/env.py"
HOST_SECRET=s3cret ASKED=yes "$cli" run "$tmp/env.py" --rate 0 --env ASKED --env OTHER=v --json > "$tmp/env.jsonl"
check "--env: named variables reach the unit, the host's others do not" $?
grep -q '"text":"None yes v\\n"' "$tmp/env.jsonl"; check "--env output" $?

mkdir "$tmp/out"
printf 'open("%s/out/made.txt", "w").write("hi")\n' "$tmp" > "$tmp/write.py"
"$cli" run "$tmp/write.py" --rate 0 > /dev/null; rc=$?
[ $rc = 1 ] && [ ! -e "$tmp/out/made.txt" ]; check "no --allow-write: writing outside scratch fails (exit $rc)" $?
(cd "$tmp" && "$cli" run write.py --rate 0 --allow-write out > /dev/null); rc=$?
[ $rc = 0 ] && [ "$(cat "$tmp/out/made.txt" 2>/dev/null)" = hi ]; check "--allow-write DIR (relative to the cwd) is writable (exit $rc)" $?
"$cli" run "$tmp/write.py" --allow-write "$tmp/no/such/dir" 2> "$tmp/err.txt"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$tmp/err.txt")" = 1 ] && grep -q "allow-write $tmp/no/such/dir: No such file" "$tmp/err.txt"
check "--allow-write of a missing directory: one-line error, exit 2" $?
"$cli" run "$tmp/write.py" --network bogus 2> "$tmp/err.txt"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$tmp/err.txt")" = 1 ]; check "unknown --network: one-line error, exit 2" $?

"$cli" doctor --json > "$tmp/doctor.json"; rc=$?
/usr/bin/python3 - "$tmp/doctor.json" "$rc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
assert d["ok"] == (rc == 0), (d["ok"], rc)
assert rc in (0, 1), rc  # 2: a worker did not run
for lang in ("python", "javascript", "cpp"):
    sb = d["sandbox"][lang]
    assert "active" in sb and "missing" in sb and "notes" in sb, sb
    assert (rc == 1) == any(d["sandbox"][l]["missing"] for l in d["sandbox"]), d
assert d["unit_errors"] == {}, d["unit_errors"]
PY
check "doctor --json (exit $rc)" $?

# --version
[ "$("$cli" --version)" = "streamexec $(sed -n 's/^project(streamexec VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")" ]
check "--version prints the project's version" $?

# --hold takes one pattern per flag: the file after it is the file.
printf '```python\nprint("a")\nprint("b")\n```\n' > "$tmp/hold.md"
"$cli" run --hold 'print\("a' "$tmp/hold.md" --rate 0 --json > "$tmp/hold.jsonl"; rc=$?
[ $rc = 0 ] && grep -q '"event":"unit_held"' "$tmp/hold.jsonl" && [ "$(grep -c '"event":"unit_held"' "$tmp/hold.jsonl")" = 1 ]
check "--hold PAT FILE: one pattern, then the file (exit $rc)" $?

# run - feeds standard input as it arrives: the first unit runs while the
# "model" (this subshell) is still writing.
(printf '```python\nprint("early")\n'; sleep 2; printf 'print("late")\n```\n') | "$cli" run - --json > "$tmp/stdin.jsonl"; rc=$?
/usr/bin/python3 - "$tmp/stdin.jsonl" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
early = [e for e in ev if e["event"] == "output" and e["text"] == "early\n"]
late = [e for e in ev if e["event"] == "output" and e["text"] == "late\n"]
assert early and late, ev
assert early[0]["t_ms"] < 1500 < late[0]["t_ms"], (early[0]["t_ms"], late[0]["t_ms"])
PY
check "run - executes during generation (exit $rc)" $?

# A stop cuts the answer: the unit being written is `cut`, not a syntax error.
# (The open unit is a string that goes on for 3 s of lines: the stop comes
# while it is being written, however slow the worker is to start.)
# The failing unit sleeps first, so the stop cannot come before that string
# has begun (the next line is fed 0.1 s later).
{ printf '```python\nimport time\ntime.sleep(0.5) or 1/0\nprint("""ne\n'; for i in $(seq 30); do printf 'line %s\n' "$i"; done; } > "$tmp/cut.md"
"$cli" run "$tmp/cut.md" --split line --rate 10 --json > "$tmp/cut.jsonl"; rc=$?
/usr/bin/python3 - "$tmp/cut.jsonl" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
done = [e for e in ev if e["event"] == "unit_done"]
assert [d["status"] for d in done] == ["ok", "error", "cut"], done
assert done[2]["code"].startswith('print("""ne\n'), done[2]
assert [e["cut"] for e in ev if e["event"] == "answer_done"] == [True]
PY
check "a stop cuts the unit being written (exit $rc)" $?

# --display-dir: a matplotlib figure shown is written as a PNG.
printf '```python\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\n```\n' > "$tmp/plot.md"
"$cli" run "$tmp/plot.md" --rate 0 --display-dir "$tmp/img" > "$tmp/plot.txt"; rc=$?
[ $rc = 0 ] && grep -q "display: $tmp/img/unit2-1.png" "$tmp/plot.txt" && [ "$(head -c 8 "$tmp/img/unit2-1.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
check "--display-dir writes the figure as PNG (exit $rc)" $?

# Flags are named after their sx_options fields; an old spelling still works
# and says the new one.
printf 'print(1)\n' > "$tmp/renamed.py"
"$cli" run "$tmp/renamed.py" --rate 0 --timeout 5 --policy continue > "$tmp/renamed.txt" 2> "$tmp/renamed.err"; rc=$?
[ $rc = 0 ] && grep -q "│ 1$" "$tmp/renamed.txt" && grep -q -- "--timeout is now --unit-timeout" "$tmp/renamed.err" \
  && grep -q -- "--policy is now --on-error" "$tmp/renamed.err"
check "old flag spellings work and name the new flag (exit $rc)" $?
"$cli" run "$tmp/renamed.py" --rate 0 --on-error sometimes 2> "$tmp/renamed.err"; rc=$?
[ $rc = 2 ] && grep -q "unknown --on-error 'sometimes'" "$tmp/renamed.err"
check "a bad --on-error value is refused with status 2 (exit $rc)" $?

echo "$passes passed, $fails failed"
[ $fails = 0 ]
