#!/usr/bin/env python3
"""Markdown table for run-jmh.sh: JMH results (ns per record, bytes allocated per record) with their ratios to
the C decodebench loop measured in the same run, and to the in-JVM baseline loop.

usage: jmh_report.py jmh.json decode.txt
"""
import json
import re
import sys

# record bytes of each benchmark's records (TID|TIME|CPU|RAW samples; signal_generate is the default, 88)
REC_BYTES = {"skbTyped3": 80, "skbTyped3Batch": 80, "execDataLocCopy": 72, "execDataLocString": 72}
WHAT = {
    "linearField": "C loop in Java: 1M records in a linear buffer (3 reads + common_type check)",
    "ringField": "C loop in Java: 512 KiB ring lap, masking + wrap copy",
    "ringDrainOnly": "PerfRing.drain alone (acquire head, walk, wrap copy, release tail)",
    "sigTyped3": "signal_generate, typed interface (EventBinding), 3 fields",
    "sigOffsets3": "signal_generate, hand-written offsets from the view's segment, 3 fields",
    "sigFields3": "signal_generate, getLong(Field) x3",
    "sigByName3": "signal_generate, getLong(\"name\") x3",
    "sigCountOnly": "signal_generate, first payload field by Field, per-event listener",
    "sigTenListeners": "signal_generate, 10 listeners (10 classes), one value each",
    "skbTyped3": "kfree_skb, typed interface, 3 fields",
    "sigTyped3Batch": "signal_generate, typed interface, 3 fields, in a BatchListener's loop",
    "sigCountOnlyBatch": "signal_generate, first payload field in a BatchListener (what `stream --count-only` does)",
    "skbTyped3Batch": "kfree_skb, typed interface, 3 fields, in a BatchListener's loop",
    "execDataLocCopy": "sched_process_exec, __data_loc string copied to a reused byte[]",
    "execDataLocString": "sched_process_exec, __data_loc string as a String (allocates by design)",
    "sigWrappedRecord": "one record split by the ring end per drain (per drain, not per lap)",
}


def main():
    data = json.load(open(sys.argv[1]))
    c = {}
    for line in open(sys.argv[2]) if len(sys.argv) > 2 else []:
        kv = dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", line))
        if "mode" in kv:
            c[(kv["mode"], int(kv["rec_bytes"]))] = (float(kv["best_ns_per_rec"]), float(kv["median_ns_per_rec"]))
    jvm_ring = None
    rows = []
    for b in data:
        name = b["benchmark"].split(".")[-1]
        cls = b["benchmark"].split(".")[-2]
        prof = (b.get("params") or {}).get("profile", "")
        raw = sorted(x for fork in b["primaryMetric"].get("rawData", []) for x in fork)
        score = raw[0] if raw else b["primaryMetric"]["score"]  # best iteration, as decodebench's "best"
        err = raw[len(raw) // 2] if raw else None  # median iteration
        alloc = b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        rows.append((cls, name, prof, score, err, alloc))
        if name == "ringField":
            jvm_ring = score
    print("| benchmark | profile | what | ns/record best (median) | M records/s (best) | B/record | x C ring-field (best/best) | x Java ringField |")
    print("|---|---|---|---|---|---|---|---|")
    for cls, name, prof, score, err, alloc in rows:
        rb = REC_BYTES.get(name, 88)
        mode = "linear-field" if name == "linearField" else "ring-field"
        cref = c.get((mode, rb))
        e = f" ({err:.2f})" if isinstance(err, (int, float)) else ""
        ratio_c = f"{score / cref[0]:.1f}" if cref else "-"
        ratio_j = f"{score / jvm_ring:.1f}" if jvm_ring and cls == "DispatchBench" else "-"
        a = "-" if alloc is None else (f"{alloc:.3f}" if alloc < 1 else f"{alloc:.0f}")
        print(f"| {cls}.{name} | {prof or '-'} | {WHAT.get(name, '')} | {score:.2f}{e} | {1e3 / score:.0f} | {a} | "
              f"{ratio_c} | {ratio_j} |")
    if c:
        print()
        print("C decodebench, same run and CPU (5M records, 7 reps; ns/record best / median):")
        print()
        print("| record bytes | linear-field | ring-field | ring-full |")
        print("|---|---|---|---|")
        for rb in sorted({k[1] for k in c}, reverse=True):
            cells = []
            for m in ("linear-field", "ring-field", "ring-full"):
                v = c.get((m, rb))
                cells.append(f"{v[0]:.2f} / {v[1]:.2f}" if v else "-")
            print(f"| {rb} | " + " | ".join(cells) + " |")
    print()
    print("ns/record: the best and the median of 30 JMH iterations of 100 ms (average time per operation; the "
          "machine is shared, so the best iteration is the one least disturbed, as decodebench's best of 7), one "
          "operation = one record (a lap of the 512 KiB ring per "
          "invocation, whose first record wraps the end), except sigWrappedRecord (one wrapped record per drain). "
          "B/record: gc.alloc.rate.norm; below 0.01 is JMH's own bookkeeping spread over the records, i.e. 0. "
          "x C: best against the C loop's best on records of the same size. profile=stream: WarmUp.run was called "
          "first, as TracepointStream.open does, so the listener call site has seen several classes (megamorphic); "
          "clean: only the benchmark's listener (monomorphic, inlined).")


if __name__ == "__main__":
    main()
