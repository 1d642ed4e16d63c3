#!/usr/bin/env python3
"""An agent loop in Python: ask a model (any OpenAI-compatible server), execute
its answer while it streams, stop at the first failing unit and let the model
repair it in the same session — or replay a recorded conversation.

    OPENAI_API_KEY=… examples/agent.py --base-url https://api.openai.com/v1 --model gpt-4o-mini "prompt"
    examples/agent.py --replay examples/recordings/py_sales_typo.jsonl
"""
import argparse
import sys
import threading

import streamexec


def show(ev: streamexec.Event) -> None:
    if ev.kind == "output":
        sys.stdout.write(ev.text)
    elif ev.kind == "unit_done" and ev.failed:
        print(f"[unit {ev.unit_id} failed: {ev.error_type}: {ev.error_message} (answer line {ev.error_line})]")
    elif ev.kind == "model_request":
        print(f"[round {ev.model_round}: asking the model{' to repair' if ev.model_round else ''}]")
    elif ev.kind == "model_stream_end":
        print(f"[round {ev.model_round}: {ev.model_reason} after {ev.model_tokens} tokens]")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("prompt", nargs="?")
    ap.add_argument("--base-url")
    ap.add_argument("--model")
    ap.add_argument("--repair", type=int, default=2)
    ap.add_argument("--replay", help="a recording of `streamexec chat --record` instead of a live model")
    a = ap.parse_args()
    if not a.replay and not (a.prompt and a.base_url and a.model):
        ap.error("give PROMPT, --base-url and --model, or --replay FILE")
    with streamexec.Session(languages=["python", "javascript", "cpp"], timeout=60,
                            gate=lambda unit: ("hold", "deletes files") if "rm -rf" in unit.code else "run") as s:
        # Events are shown as they come, from a second thread, while the model streams.
        shower = threading.Thread(target=lambda: [show(ev) for ev in s.events()])
        shower.start()
        try:
            if a.replay:
                result = s.replay(a.replay, speed=0)
            else:
                result = s.chat(a.prompt, base_url=a.base_url, model=a.model, repair=a.repair)
        except streamexec.StreamexecError as e:
            print(f"model server: {e}", file=sys.stderr)
            result = e
        s.finish()
        shower.join()
    if isinstance(result, Exception):
        return 3
    return 1 if result is streamexec.STOP else 0


if __name__ == "__main__":
    sys.exit(main())
