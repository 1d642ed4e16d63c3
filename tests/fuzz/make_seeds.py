#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets (tests/fuzz), written to BUILD/seeds/<target>/.

Every seed is SPLIT_SEED (4 bytes, the fuzz targets' split seed) + a program text:
  python      small .py files of /usr/lib/python3.11 (< MAX bytes)
  javascript  test262-parser-tests pass/ (+ every 4th fail/ file) from BUILD/npm (scripts/npm-deps)
  cpp         tests/conformance/cpp/*.cpp
  router      examples/*.md (markdown mode) + a few of each language's seeds in raw mode
Idempotent: a target's directory is rebuilt only when missing or empty.
Usage: make_seeds.py SOURCE_DIR BUILD_DIR [target...]
"""
import hashlib
import pathlib
import sys

MAX = 4000  # the fuzzers run with -max_len=4096


def prefix(name: str, mode: int | None = None) -> bytes:
    h = bytearray(hashlib.sha1(name.encode()).digest()[:4])
    if mode is not None:  # router_fuzz: data[0] % 16 selects markdown (0) or raw Python/JS/C++ (1/2/3)
        h[0] = (h[0] & 0xF0) | mode
    return bytes(h)


def small_files(paths, limit=None):
    out = []
    for p in sorted(paths):
        try:
            b = p.read_bytes()
        except OSError:
            continue
        if len(b) < MAX:
            out.append((p, b))
    return out[:limit] if limit else out


def sources(src: pathlib.Path, build: pathlib.Path):
    t262 = build / "npm/node_modules/test262-parser-tests"
    js = small_files(t262.glob("pass/*.js"))
    js += small_files(sorted(t262.glob("fail/*.js"))[::4])
    if not js:
        print(f"make_seeds: {t262} missing (run scripts/npm-deps {build}); JavaScript seeds are empty",
              file=sys.stderr)
    return {
        "python": small_files(pathlib.Path("/usr/lib/python3.11").rglob("*.py")),
        "javascript": js,
        "cpp": small_files((src / "tests/conformance/cpp").glob("*.cpp")),
        "markdown": small_files((src / "examples").glob("*.md")),
    }


def main():
    src, build = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    targets = sys.argv[3:] or ["python", "javascript", "cpp", "router"]
    todo = [t for t in targets if not any((build / "seeds" / t).glob("*"))]
    if not todo:
        return
    corpora = sources(src, build)
    for t in todo:
        d = build / "seeds" / t
        d.mkdir(parents=True, exist_ok=True)
        if t == "router":
            seeds = [(p, prefix(str(p), 0) + b) for p, b in corpora["markdown"]]
            for mode, lang in ((1, "python"), (2, "javascript"), (3, "cpp")):
                seeds += [(p, prefix(str(p), mode) + b) for p, b in corpora[lang][::20]]
        else:
            seeds = [(p, prefix(str(p)) + b) for p, b in corpora[t]]
        seen = set()
        for p, data in seeds:
            name = hashlib.sha1(data).hexdigest()
            if name not in seen:
                seen.add(name)
                (d / name).write_bytes(data)
        print(f"make_seeds: {len(seen)} seeds in {d}")


if __name__ == "__main__":
    main()
