#!/usr/bin/env python3
"""Bar chart (SVG, no dependencies) of the CPU each consumer spends per event, from run-e2e.sh's CSVs.

usage: e2e_plot.py runs.csv ext_cpu.csv out.svg

One group of bars per load: refconsumer and perf record --no-buildid at the harness's marginal figure
((CPU - median CPU of the N=0 runs) / N), the library at its in-process steady-state figure (whole process,
from the moment the events were enabled, minus an N=0 run's same window), the same numbers as the report's
tables. Medians over the repetitions; the thin line spans min-max. Logarithmic axis: perf record costs up to
two orders of magnitude more than the C consumer.
"""
import csv
import math
import statistics
import sys

from e2e_report import fixed_cpu, in_process, marginal

CONSUMERS = [("ref", "refconsumer (C)", "#6b7280"), ("ext", "tracepoint", "#2563eb"),
             ("perfB", "perf record --no-buildid", "#dc2626")]


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    fixed = fixed_cpu(rows)
    marg = {}
    for r in rows:
        m = marginal(r, fixed)
        if m is not None:
            marg.setdefault((r["load"], r["consumer"]), []).append(m)
    own = {k: proc for k, (proc, _, _) in in_process(sys.argv[2]).items()}
    loads = [l for l in dict.fromkeys(r["load"] for r in rows) if (l, "ext") in own or (l, "ref") in marg]
    lo, hi = 1.0, 2000.0
    left, width, bar, gap, top = 190, 520, 16, 14, 40

    def x(v):
        v = min(max(v, lo), hi)
        return left + width * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    height = top + len(loads) * (len(CONSUMERS) * bar + gap + 18) + 50
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 140}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<text x="{left}" y="20" font-size="14">CPU per event, ns (log scale; lower is better)</text>']
    for t in (1, 10, 100, 1000):
        svg.append(f'<line x1="{x(t):.1f}" y1="{top - 8}" x2="{x(t):.1f}" y2="{height - 50}" stroke="#ddd"/>')
        svg.append(f'<text x="{x(t):.1f}" y="{height - 36}" text-anchor="middle">{t}</text>')
    y = top
    for load in loads:
        svg.append(f'<text x="10" y="{y + 13}" font-weight="bold">{load}</text>')
        y += 18
        for key, label, color in CONSUMERS:
            v = own.get((load, key)) if key == "ext" else marg.get((load, key))
            v = [a for a in (v or []) if a is not None]
            if v:
                m = statistics.median(v)
                svg.append(f'<rect x="{left}" y="{y + 2}" width="{max(1.0, x(m) - left):.1f}" height="{bar - 4}" fill="{color}"/>')
                svg.append(f'<line x1="{x(min(v)):.1f}" y1="{y + bar / 2}" x2="{x(max(v)):.1f}" y2="{y + bar / 2}" stroke="#111"/>')
                svg.append(f'<text x="{x(max(v)) + 6:.1f}" y="{y + bar - 4}">{m:.0f}</text>')
            svg.append(f'<text x="{left - 6}" y="{y + bar - 4}" text-anchor="end" fill="{color}">{label}</text>')
            y += bar
        y += gap
    svg.append('</svg>')
    with open(sys.argv[3], "w") as out:
        out.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
