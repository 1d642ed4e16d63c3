#!/usr/bin/python3
"""Plots the latency benchmark: per answer, E2E of serial / overlap / batched runs over the limit.

    /usr/bin/python3 bench/plot.py LATENCY.json OUT.png

LATENCY.json is written by `streamexec-bench ANSWERS --json FILE`: an array of objects
{answer, rate, mode: serial|overlap|batched, tokens, e2e_ms, t_gen_ms, t_exec_ms, non_overlapped_ms,
limit_ms, last_unit_exec_ms, units, failed}. One subplot per token rate; for each answer, grouped bars
of E2E / limit per mode (1.0 = the physical limit: generation time plus what must run after the
last token; the dashed line is the goal, 10 % above it). Each subplot's title gives the modes' medians.
Needs matplotlib (Debian: python3-matplotlib); renders with the Agg backend (no display).
"""
import json
import statistics
import sys

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

MODES = [('serial', 'serial (generate, then execute)', '#b0b0b0'),
         ('overlap', 'streamed, one unit per dispatch', '#f0a030'),
         ('batched', 'streamed, dynamic batching', '#2060c0')]
GOAL = 1.10


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: plot.py LATENCY.json OUT.png')
    with open(sys.argv[1]) as f:
        runs = json.load(f)
    if not runs:
        sys.exit('plot.py: no runs in ' + sys.argv[1])
    rates = sorted({r['rate'] for r in runs})
    answers = sorted({r['answer'] for r in runs})
    by_key = {(r['rate'], r['answer'], r['mode']): r for r in runs}

    width = max(8.0, 0.45 * len(answers) + 2)
    height = 3.6 * len(rates) + 1.4
    fig, axes = plt.subplots(len(rates), 1, figsize=(width, height), squeeze=False,
                             sharex=True)
    bar = 0.8 / len(MODES)
    for ax, rate in zip(axes[:, 0], rates):
        top = GOAL
        medians = []
        for m, (mode, desc, color) in enumerate(MODES):
            xs, ys = [], []
            for i, a in enumerate(answers):
                r = by_key.get((rate, a, mode))
                if r and r['limit_ms'] > 0:
                    xs.append(i + (m - (len(MODES) - 1) / 2) * bar)
                    ys.append(r['e2e_ms'] / r['limit_ms'])
            if not ys:
                continue
            top = max(top, max(ys))
            ax.bar(xs, ys, bar, color=color, label=desc)
            medians.append(f'{mode} {statistics.median(ys):.3f}')
        ax.axhline(1.0, color='black', linewidth=0.8)
        ax.axhline(GOAL, color='black', linewidth=0.8, linestyle='--')
        ax.set_ylim(0.9, top * 1.04)
        ax.set_ylabel('E2E / limit')
        ax.set_title(f'{rate:g} tokens/s — median E2E / limit: ' + ', '.join(medians), loc='left', fontsize=10)
        ax.grid(axis='y', alpha=0.3)
    last = axes[-1, 0]
    last.set_xticks(range(len(answers)))
    last.set_xticklabels([a.removesuffix('.md') for a in answers], rotation=60, ha='right', fontsize=8)
    last.set_xlim(-0.6, len(answers) - 0.4)
    fig.suptitle('End-to-end latency per answer over the limit (1.0 = limit, dashed = +10 %)', fontsize=11,
                 y=1 - 0.12 / height, va='top')
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc='upper center', ncol=len(MODES), fontsize=8,
               bbox_to_anchor=(0.5, 1 - 0.38 / height), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.62 / height))  # room for the title and legend
    fig.savefig(sys.argv[2], dpi=110)
    print(f'plot: {sys.argv[2]} ({len(rates)} rate(s), {len(answers)} answers)')


if __name__ == '__main__':
    main()
