#!/usr/bin/python3
"""Reference statement spans for the Python chunker tests (CPython's own `ast`).

Reads file paths, one per line, on stdin and prints one JSON object per file:
  {"path": ..., "encoding": "utf-8" | other | null, "cookie": bool,
   "ok": bool, "error": message or null, "line": line of the error (if any),
   "spans": [[first_line, end_line], ...]}   # top-level statements, in order
A statement's first line includes its decorators. `ok` is what compile()
says about the file's bytes. `encoding` is the declared source encoding
(null if it cannot be determined); `cookie` says whether the file has a
coding declaration (PEP 263) in its first two lines.

Run it with Debian's /usr/bin/python3 (the interpreter the backend embeds).
"""
import ast
import json
import sys
import io
import re
import tokenize

COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


def describe(path):
    out = {"path": path, "encoding": None, "cookie": False, "ok": False, "error": None, "spans": []}
    with open(path, "rb") as f:
        data = f.read()
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    out["cookie"] = any(COOKIE.match(line) for line in text.splitlines()[:2])
    try:
        enc, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        out["encoding"] = enc
    except SyntaxError as e:
        out["error"] = str(e)
        return out
    try:
        tree = compile(data, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        compile(tree, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        out["error"] = "%s: %s" % (type(e).__name__, e)
        out["line"] = getattr(e, "lineno", None)
        return out
    out["ok"] = True
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        out["spans"].append([first, node.end_lineno])
    return out


def main():
    import warnings
    warnings.simplefilter("ignore")
    for line in sys.stdin:
        path = line.rstrip("\n")
        if path:
            print(json.dumps(describe(path)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
