#!/usr/bin/python3
"""Frontend benchmark baseline: naive full reparse, ast.parse of the whole buffer after every token.

    /usr/bin/python3 bench/frontend/naive_reparse.py [--samples K] [--exact-max N] [--reps R] [--json OUT] \
        L.tokens.json...

Each L.tokens.json (written by `streamexec-bench --frontend python --frontend-out DIR`) is a JSON array
of token strings. After token i the buffer is tokens[0..i] and it is parsed with ast.parse; most
prefixes do not parse (SyntaxError is caught: finding that out is the cost too). Only ast.parse is
timed, not building the buffer.

Cost per token = mean parse time over the prefixes, in process CPU time and wall time. Doing all of
them is quadratic (hours at 100 k tokens), so above --exact-max tokens the mean is SAMPLED: K
prefixes, one at the middle of each of K equal slices of the token stream (prefix length (j+0.5)*N/K
tokens for j = 0..K-1), each parsed R times (minimum kept). Up to --exact-max tokens every prefix is
parsed (exact; best total of R runs).
"""
import argparse
import ast
import json
import os
import sys
import time


def parse_seconds(text):
    """Times one ast.parse(text); returns (CPU seconds, wall seconds, parsed_ok)."""
    c0, t0 = time.process_time(), time.perf_counter()
    try:
        ast.parse(text)
        ok = True
    except (SyntaxError, ValueError):  # ValueError: NUL bytes
        ok = False
    return time.process_time() - c0, time.perf_counter() - t0, ok


def exact(tokens, reps):
    best_cpu = best_wall = float('inf')
    ok_count = 0
    for _ in range(reps):
        buf = ''
        cpu = wall = 0.0
        ok_count = 0
        for tok in tokens:
            buf += tok
            c, w, ok = parse_seconds(buf)
            cpu += c
            wall += w
            ok_count += ok
        best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
    return best_cpu / len(tokens), best_wall / len(tokens), ok_count, len(tokens)


def sampled(tokens, k, reps):
    n = len(tokens)
    offsets = [0]
    for tok in tokens:
        offsets.append(offsets[-1] + len(tok))
    text = ''.join(tokens)
    lengths = sorted({max(1, min(n, int((j + 0.5) * n / k))) for j in range(k)})
    cpu = wall = 0.0
    ok_count = 0
    for i in lengths:
        prefix = text[:offsets[i]]
        runs = [parse_seconds(prefix) for _ in range(reps)]
        cpu += min(r[0] for r in runs)
        wall += min(r[1] for r in runs)
        ok_count += runs[0][2]
    return cpu / len(lengths), wall / len(lengths), ok_count, len(lengths)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('files', nargs='+', help='L.tokens.json files')
    ap.add_argument('--samples', type=int, default=300, help='K: prefixes parsed when sampling (default 300)')
    ap.add_argument('--exact-max', type=int, default=2000,
                    help='parse every prefix up to this many tokens (default 2000)')
    ap.add_argument('--reps', type=int, default=3, help='R: runs (exact) or parses per sample (default 3)')
    ap.add_argument('--json', default='', help='write the results to this file')
    args = ap.parse_args()
    if args.samples < 1 or args.reps < 1:
        ap.error('--samples and --reps must be >= 1')

    results = []
    for path in args.files:
        with open(path, encoding='utf-8') as f:
            tokens = json.load(f)
        if not tokens:
            sys.exit(f'naive_reparse: {path}: no tokens')
        label = os.path.basename(path)
        label = label[:-len('.tokens.json')] if label.endswith('.tokens.json') else label
        if len(tokens) <= args.exact_max:
            method = 'exact'
            cpu, wall, ok, parsed = exact(tokens, args.reps)
        else:
            method = 'sampled'
            cpu, wall, ok, parsed = sampled(tokens, args.samples, args.reps)
        text = ''.join(tokens)
        res = {
            'label': label, 'tokens': len(tokens), 'bytes': len(text.encode('utf-8')), 'method': method,
            'prefixes_parsed': parsed, 'prefixes_valid': ok, 'reps': args.reps,
            'us_per_token': wall * 1e6, 'cpu_us_per_token': cpu * 1e6, 'python': sys.version.split()[0],
        }
        results.append(res)
        how = (f'all {parsed} prefixes, best of {args.reps}' if method == 'exact'
               else f'SAMPLED: K={parsed} evenly spaced prefixes, min of {args.reps} each')
        print(f'naive ast.parse {label}: {len(tokens)} tokens, {res["cpu_us_per_token"]:.1f} CPU µs/token, '
              f'{res["us_per_token"]:.1f} wall ({how}; {ok} of them parse)', flush=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)
            f.write('\n')


if __name__ == '__main__':
    main()
