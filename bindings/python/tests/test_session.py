"""The Python package over the C library: feeding, STOP, typed events, the
gate, callbacks that raise, asyncio, threads, answers, chat/replay."""
import asyncio
import json
import os
import threading
import time
from pathlib import Path

import pytest

import streamexec

ROOT = Path(__file__).resolve().parents[3]


def md(code, lang="python"):
    return f"```{lang}\n{code}```\n"


def outputs(events):
    return "".join(e.text for e in events if e.kind == "output")


def test_version_and_library():
    assert streamexec.version() == "0.4.0"
    assert Path(streamexec.library_path).name == "libstreamexec.so.0"


def test_feed_finish_events_typed():
    with streamexec.Session(languages=["python"]) as s:
        for piece in ["```py", "thon\nx = 6 *", " 7\nprint(x)\nx\n", "```\n"]:
            assert s.feed(piece) is None
        assert s.finish() is None
        evs = list(s.events())
    kinds = [e.kind for e in evs]
    assert kinds[-1] == "session_done" and "answer_done" in kinds
    done = [e for e in evs if e.kind == "unit_done"]
    assert [e.status for e in done] == ["ok", "ok", "ok"]
    assert done[2].value == "42"
    assert outputs(evs) == "42\n"
    closed = [e for e in evs if e.kind == "unit_closed"]
    assert closed[0].code == "x = 6 * 7\n" and closed[0].line == 2 and closed[0].unit_kind == "assign"
    assert json.loads(closed[0].json)["unit"]["code"] == "x = 6 * 7\n"
    assert evs[-1].report is not None and evs[-1].report.units == 3


def test_stop_is_returned_and_the_answer_cut():
    with streamexec.Session(languages=["python"]) as s:
        stopped = None
        for i, piece in enumerate(["```python\n", "import time\n", "1/0\n"] + [f"print({i})\n" for i in range(200)]):
            if s.feed(piece) is streamexec.STOP:
                stopped = i
                break
            time.sleep(0.01)
        assert stopped is not None, "never saw STOP"
        assert s.answer_cut() is streamexec.STOP
        s.finish()
        evs = list(s.events())
    err = [e for e in evs if e.kind == "unit_done" and e.status == "error"]
    assert err and err[0].error_type == "ZeroDivisionError" and err[0].error_line == 3
    assert any(e.failed for e in evs)


def test_gate_decides_and_its_exception_reaches_the_caller():
    def gate(unit):
        if "shutil" in unit.code:
            return ("skip", "no shutil here")
        if "boom" in unit.code:
            raise RuntimeError("gate exploded")
        return "run"

    with streamexec.Session(languages=["python"], gate=gate) as s:
        s.feed(md("import shutil\nprint('a')\n"))
        with pytest.raises(RuntimeError, match="gate exploded"):
            # raised by the feeding call during which the unit closed
            s.feed("```python\nboom = 1\n")
            s.feed("```\n")
        s.finish()
        evs = list(s.events())
    gated = [e for e in evs if e.kind == "unit_done" and e.status == "gated"]
    assert len(gated) == 2 and "no shutil here" in gated[0].text
    assert "a\n" == outputs(evs)


def test_on_event_callback_and_its_exception():
    seen = []

    def on_event(ev):
        seen.append(ev.kind)
        if ev.kind == "output":
            raise ValueError("callback failed")

    s = streamexec.Session(languages=["python"], on_event=on_event)
    s.feed(md("print('hi')\n"))
    with pytest.raises(ValueError, match="callback failed"):
        s.finish()
        list(s.events())
    s.close()
    assert "output" in seen and "session_done" in seen


def test_answers_keep_state_and_interrupt():
    with streamexec.Session(languages=["python"]) as s:
        s.feed(md("n = 41\n"))
        s.answer_end()
        s.feed("```python\nimport time\nwhile True: time.sleep(0.01)\nprint('never')\n")
        time.sleep(1.0)
        s.interrupt()
        s.answer_cut()
        s.feed(md("print(n + 1)\n"))
        s.finish()
        evs = list(s.events())
    assert "interrupted" in [e.status for e in evs if e.kind == "unit_done" and e.answer == 1]
    assert outputs([e for e in evs if e.answer == 2]) == "42\n"


def test_three_languages_and_raw_mode():
    with streamexec.Session(languages=["python", "javascript", "cpp"]) as s:
        s.feed(md("print('py')\n") + md("console.log('js');\n", "js") +
               md("#include <cstdio>\nint main() { std::puts(\"cpp\"); }\n", "cpp"))
        s.finish()
        out = outputs(s.events())
    assert sorted(out.split()) == ["cpp", "js", "py"]
    with streamexec.Session(mode="raw", lang="javascript") as s:
        s.feed("const a = [1, 2, 3];\nconsole.log(a.length);\n")
        s.finish()
        assert outputs(s.events()) == "3\n"


def test_async_feed_and_events():
    async def main():
        with streamexec.Session(languages=["python"]) as s:
            got = []

            async def consume():
                async for ev in s.aevents():
                    got.append(ev)

            task = asyncio.create_task(consume())
            for piece in ["```python\n", "print('a')\n", "print('b')\n", "```\n"]:
                assert await s.afeed(piece) is None
                await asyncio.sleep(0.05)
            await s.afinish()
            await asyncio.wait_for(task, 60)
            return got

    evs = asyncio.run(main())
    assert outputs(evs) == "a\nb\n" and evs[-1].kind == "session_done"


def test_threads_feed_while_another_drains():
    s = streamexec.Session(languages=["python"])
    got = []
    t = threading.Thread(target=lambda: got.extend(s.events()))
    t.start()
    lines = [f"print({i})\n" for i in range(50)]
    s.feed("```python\n")
    for line in lines:
        s.feed(line)
    s.feed("```\n")
    s.finish()
    t.join(60)
    s.close()
    assert outputs(got) == "".join(f"{i}\n" for i in range(50))


def test_env_from_any_iterable_reaches_the_worker():
    with streamexec.Session(languages=["python"], env=(f"SX_PY_TEST_{i}=v{i}" for i in range(2))) as s:
        s.feed(md("import os\nprint(os.environ.get('SX_PY_TEST_0'), os.environ.get('SX_PY_TEST_1'))\n"))
        s.finish()
        assert outputs(s.events()) == "v0 v1\n"


def test_errors_are_exceptions():
    with pytest.raises(ValueError):
        streamexec.Session(mode="html")
    with pytest.raises(streamexec.StreamexecError) as e:
        streamexec.Session(worker_dir="/nonexistent", languages=["python"])
    assert e.value.code == -4 and "/nonexistent" in str(e.value)
    s = streamexec.Session(execute=False)
    s.finish()
    with pytest.raises(streamexec.StreamexecError, match="after sx_finish"):
        s.feed("x")
    s.close()
    with pytest.raises(streamexec.StreamexecError, match="closed"):
        s.feed("x")


def test_replay_of_a_shipped_recording():
    runs = []
    for _ in range(2):
        with streamexec.Session(languages=["python"]) as s:
            assert s.replay(str(ROOT / "examples/recordings/py_sales_typo.jsonl"), 0) is streamexec.STOP
            s.finish()
            evs = list(s.events())
        # Output may arrive in other pieces from run to run: compare it per unit.
        out = {}
        for e in evs:
            if e.kind == "output":
                out[e.unit_id] = out.get(e.unit_id, "") + e.text
        runs.append(([(e.unit_id, e.status, e.error_type) for e in evs if e.kind == "unit_done"], out))
        assert [e.model_reason for e in evs if e.kind == "model_stream_end"] == ["done", "done"]
    assert runs[0] == runs[1]


def test_chat_error_is_an_exception():
    with streamexec.Session(languages=["python"]) as s:
        with pytest.raises(streamexec.StreamexecError, match="cannot connect") as e:
            s.chat("hi", base_url="http://127.0.0.1:9/v1", model="m")
        assert e.value.code == -6


def test_agent_example_replays_a_repair():
    """examples/agent.py (the README's Python agent loop) over a shipped recording."""
    import subprocess
    import sys
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    p = subprocess.run([sys.executable, str(ROOT / "examples/agent.py"), "--replay",
                        str(ROOT / "examples/recordings/js_reshape_typo.jsonl")], capture_output=True, text=True,
                       env=env, timeout=300)
    assert "failed: TypeError" in p.stdout and "[round 1: done" in p.stdout, p.stdout[-800:] + p.stderr[-400:]
    assert p.returncode == 1  # the recording's first round failed


def test_pool_gives_a_started_worker():
    with streamexec.Pool({"python": 1}) as pool:
        assert pool.wait_ready(60), pool.stats()["last_error"]
        with streamexec.Session(mode="raw", pool=pool) as s:
            s.feed("print(6 * 7)\n")
            s.finish()
            assert outputs(s.events()) == "42\n"
        st = pool.stats()
        assert st["python"]["taken"] == 1 and st["python"]["empty"] == 0
        assert pool.wait_ready(60)  # refilled
        assert pool.stats()["python"]["started"] == 2
    with pytest.raises(streamexec.StreamexecError):
        streamexec.Session(pool=pool)  # closed


def test_default_pool_is_shared_and_adaptive():
    with streamexec.Session(mode="raw") as s:  # the default pool: this language is asked for
        s.feed("x = 1\n")
        s.finish()
    pool = streamexec.default_pool()
    assert pool is streamexec.default_pool()
    assert pool.wait_ready(60)
    before = pool.stats()
    assert before["python"]["ready"] == 1
    with streamexec.Session(mode="raw") as s:
        s.feed("print('warm')\n")
        s.finish()
        assert outputs(s.events()) == "warm\n"
    assert pool.stats()["python"]["taken"] == before["python"]["taken"] + 1
    with streamexec.Session(mode="raw", pool=None) as s:  # no pool
        s.feed("print('cold')\n")
        s.finish()
        assert outputs(s.events()) == "cold\n"
    after = pool.stats()["python"]
    assert after["taken"] == before["python"]["taken"] + 1
    assert after["empty"] == before["python"]["empty"] and after["mismatch"] == before["python"]["mismatch"]


def test_pool_bad_arguments():
    with pytest.raises(ValueError):
        streamexec.Pool({"ruby": 1})
    with pytest.raises(ValueError):
        streamexec.Pool({"python": -1})
    with pytest.raises(streamexec.StreamexecError, match="/no/such/dir"):
        streamexec.Pool(allow_write=["/no/such/dir"])
    with pytest.raises(TypeError):
        streamexec.Session(pool=5)


def test_python_executor_is_checked():
    with pytest.raises(streamexec.StreamexecError, match="python_executor"):
        streamexec.Session(python_executor="jupyter:/no/such/connection.json")
