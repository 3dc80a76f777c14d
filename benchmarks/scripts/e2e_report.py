#!/usr/bin/env python3
"""Ratio table for run-e2e.sh: the library (ext) against refconsumer (ref) and perf record (perfB) per load.

usage: e2e_report.py runs.csv [ext_cpu.csv]

Per (load, consumer): delivered, lost, consumer CPU s, fixed CPU s (N=0 runs), marginal ns of CPU per event
= (CPU - median fixed CPU) / N, slowdown = generator elapsed / median elapsed with no consumer; medians with
(min-max). Then the ratios the issue asks for: marginal CPU of each consumer / refconsumer's, ext / perfB,
and ext's slowdown / ref's slowdown. Same definitions as the harness's summarize.py.
"""
import csv
import statistics
import sys
from collections import defaultdict


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def fmt(v, p=1):
    v = [x for x in v if x is not None]
    if not v:
        return "-"
    m = statistics.median(v)
    if len(v) == 1 or min(v) == max(v):
        return f"{m:.{p}f}"
    return f"{m:.{p}f} ({min(v):.{p}f}-{max(v):.{p}f})"


def fixed_cpu(rows):
    """Per (load, consumer): the median consumer CPU of its N=0 runs (start-up and idle cost)."""
    zero = defaultdict(list)
    for r in rows:
        if num(r["n"]) == 0:
            zero[(r["load"], r["consumer"])].append(num(r["cons_cpu_s"]))
    return {k: med(v) for k, v in zero.items()}


def marginal(r, fixed):
    """The harness's marginal ns of CPU per event of one run: (CPU - median fixed CPU) / N."""
    c, n = num(r["cons_cpu_s"]), num(r["n"])
    if c is None or not n:
        return None
    return (c - (fixed.get((r["load"], r["consumer"])) or 0.0)) * 1e9 / n


def in_process(path):
    """The library's own account (stderr of stream --count-only): per (load, consumer), the ns per event of the
    whole process and of the consumer thread since the events were enabled, minus the same window of the N=0
    runs, and that window's median whole-process CPU. Empty if there is no such file."""
    try:
        rows = [l.strip().split(",") for l in open(path) if l.strip()]
    except OSError:
        return {}
    by = defaultdict(lambda: {0: [], 1: []})
    for load, cons, rep, zero, proc, thr, samples in rows:
        by[(load, cons)][int(zero)].append((num(proc), num(thr), num(samples)))
    out = {}
    for k, d in by.items():
        z_proc = med(p for p, _, _ in d[1]) or 0.0
        z_thr = med(t for _, t, _ in d[1]) or 0.0
        proc = [(p - z_proc) * 1e9 / s for p, _, s in d[0] if p is not None and s]
        thr = [(t - z_thr) * 1e9 / s for _, t, s in d[0] if t is not None and s]
        out[k] = (proc, thr, z_proc)
    return out


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    extra = sys.argv[2] if len(sys.argv) > 2 else None
    runs, zero = defaultdict(list), defaultdict(list)
    loads, cons_order = [], []
    for r in rows:
        k = (r["load"], r["consumer"])
        if r["load"] not in loads:
            loads.append(r["load"])
        if r["consumer"] not in cons_order:
            cons_order.append(r["consumer"])
        (zero if num(r["n"]) == 0 else runs)[k].append(r)
    fixed = fixed_cpu(rows)

    print("| load | N | consumer | delivered | lost | CPU s | fixed CPU s | marginal ns/event | x ref | "
          "slowdown | slowdown / ref's |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    summary = []
    for load in loads:
        base = med(num(r["gen_elapsed_s"]) for r in runs.get((load, "none"), []))
        refk = (load, "ref")
        ref_m = med(marginal(r, fixed) for r in runs.get(refk, []))
        ref_s = med(num(r["gen_elapsed_s"]) / base for r in runs.get(refk, [])) if base else None
        stats = {}
        for c in cons_order:
            k = (load, c)
            if k not in runs:
                continue
            rs = runs[k]
            m = [marginal(r, fixed) for r in rs]
            slow = [num(r["gen_elapsed_s"]) / base for r in rs] if base else []
            stats[c] = (med(m), med(slow), med(num(r["lost"]) for r in rs), max((num(r["lost"]) or 0) for r in rs))
            print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                load, rs[0]["n"], c,
                fmt([num(r["delivered"]) for r in rs], 0),
                fmt([num(r["lost"]) for r in rs], 0),
                fmt([num(r["cons_cpu_s"]) for r in rs], 3),
                fmt([num(r["cons_cpu_s"]) for r in zero.get(k, [])], 3),
                "-" if c == "none" else fmt(m, 1),
                "-" if c == "none" or not ref_m else fmt([x / ref_m for x in m if x is not None], 2),
                fmt(slow, 2),
                "-" if c == "none" or not ref_s else fmt([s / ref_s for s in slow], 3)))
        summary.append((load, stats))
    print()
    print("Headline ratios (medians):")
    print()
    print("| load | ext ns/event | ref ns/event | perfB ns/event | ext / ref CPU | perfB / ref CPU | "
          "ext / perfB CPU | ext lost (max) | ref lost (max) | perfB lost (max) | ext slowdown / ref slowdown |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for load, s in summary:
        def g(c, i):
            return s[c][i] if c in s and s[c][i] is not None else None

        def ratio(a, b):
            return f"{a / b:.2f}" if a is not None and b else "-"

        def f1(x):
            return f"{x:.1f}" if x is not None else "-"

        def lost(c):
            return f"{g(c, 2):.0f} ({g(c, 3):.0f})" if c in s else "-"
        print(f"| {load} | {f1(g('ext', 0))} | {f1(g('ref', 0))} | {f1(g('perfB', 0))} | "
              f"{ratio(g('ext', 0), g('ref', 0))} | {ratio(g('perfB', 0), g('ref', 0))} | "
              f"{ratio(g('ext', 0), g('perfB', 0))} | {lost('ext')} | {lost('ref')} | {lost('perfB')} | "
              f"{ratio(g('ext', 1), g('ref', 1))} |")
    if extra:
        ext_cpu(extra)


def ext_cpu(path):
    """Prints the table of in_process(path)."""
    own = in_process(path)
    if not own:
        return
    print()
    print("In-process account of the library (`stream --count-only` reports on stderr the CPU it used from the moment "
          "the events were enabled until it exited, read from /proc; 10 ms resolution): this excludes JVM start-up and "
          "warm-up exactly rather than by subtracting a median, so it is the steady-state cost per event.")
    print()
    print("| load | consumer | whole process ns/event | consumer thread ns/event | idle window CPU s (N=0) |")
    print("|---|---|---|---|---|")
    for (load, cons), (proc, thr, z_proc) in own.items():
        print(f"| {load} | {cons} | {fmt(proc, 1)} | {fmt(thr, 1)} | {z_proc:.2f} |")

if __name__ == "__main__":
    main()
