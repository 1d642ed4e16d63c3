#!/usr/bin/python3
"""Combines the frontend benchmark's results into one table (markdown).

    /usr/bin/python3 bench/frontend/table.py DIR

DIR holds streamexec.json (streamexec-bench --frontend … --frontend-out DIR), treesitter.json
(treesitter_incremental.js --json) and naive.json (naive_reparse.py --json); rows are joined by size
label. Cells are µs per token in process CPU time, wall time in parentheses: on a machine shared
with other jobs wall time also counts the time a process waits for a core, and more so in long runs
than in short ones. Ratio, flatness and goal use CPU time. Also checks the issue's goal: the
chunker's cost per token flat from the smallest to the largest size (here: grows by at most
FLAT_TOLERANCE) and >= 10x below tree-sitter's at every size.
"""
import json
import os
import sys

FLAT_TOLERANCE = 1.25  # largest size's µs/token over the smallest's, still called flat
GOAL_RATIO = 10.0


def load(directory, name):
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {r['label']: r for r in json.load(f)}


def num(x):
    return f'{x:.0f}' if x >= 100 else f'{x:.1f}' if x >= 10 else f'{x:.2f}'


def cell(r):
    """'CPU (wall)' µs per token of one result, or a dash."""
    if not r:
        return '—'
    return f'{num(r["cpu_us_per_token"])} ({num(r["us_per_token"])})'


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: table.py DIR')
    d = sys.argv[1]
    sx, ts, nv = load(d, 'streamexec.json'), load(d, 'treesitter.json'), load(d, 'naive.json')
    if not sx:
        sys.exit(f'table.py: no {os.path.join(d, "streamexec.json")}')
    print('| size | tokens | bytes | streamexec µs/token | tree-sitter incremental µs/token '
          '| naive ast.parse µs/token | tree-sitter / streamexec |')
    print('|---|---|---|---|---|---|---|')
    ratios, costs, notes = [], [], []
    for label, r in sx.items():  # in size order (as written)
        t, n = ts.get(label), nv.get(label)
        for other in (t, n):
            if other and other['tokens'] != r['tokens']:
                sys.exit(f'table.py: {label}: token counts differ ({r["tokens"]} vs {other["tokens"]})')
        us = r['cpu_us_per_token']
        costs.append(us)
        ratio = t['cpu_us_per_token'] / us if t else None
        if ratio is not None:
            ratios.append(ratio)
        naive = cell(n)
        if n and n['method'] == 'sampled':
            naive += f' sampled, K={n["prefixes_parsed"]}'
        size = f'{r["tokens"]:,} | {r["bytes"]:,}'.replace(',', ' ')
        print(f'| {label} | {size} | {cell(r)} | {cell(t)} | {naive} | '
              f'{"—" if ratio is None else f"{ratio:.0f}×"} |')
        if t and not t.get('same_as_full_parse', True):
            notes.append(f'{label}: tree-sitter\'s incremental tree differs from its full parse')
    print()
    print('µs per token: process CPU time (wall time); best of several runs — streamexec',
          f'{"/".join(str(r["runs"]) for r in sx.values())} runs,',
          f'tree-sitter {"/".join(str(r["runs"]) for r in ts.values()) or "—"};',
          'naive: every prefix, best of 3 runs (exact) or K evenly spaced prefixes, min of 3 parses each (sampled)')
    growth = costs[-1] / costs[0]
    flat = growth <= FLAT_TOLERANCE
    print(f'streamexec CPU µs/token, largest / smallest size: {growth:.2f} '
          f'({"flat" if flat else "NOT flat"}: tolerance {FLAT_TOLERANCE})')
    if ratios:
        worst = min(ratios)
        met = worst >= GOAL_RATIO
        print(f'tree-sitter / streamexec: min {worst:.1f}×, max {max(ratios):.1f}× '
              f'(goal ≥ {GOAL_RATIO:.0f}×: {"met" if met else f"MISSED by {GOAL_RATIO / worst:.1f}×"})')
    for note in notes:
        print('note:', note)


if __name__ == '__main__':
    main()
