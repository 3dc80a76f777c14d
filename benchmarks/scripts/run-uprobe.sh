#!/usr/bin/env bash
# What a uprobe costs, consumed by this library and by the tools users compare it with, in one run:
#
#   sudo benchmarks/scripts/run-uprobe.sh         # N=300000 calls, REPS=3, ~5 min (a hit costs ~15 us in a VM)
#
# A loop (scripts/uprobe-loop.c, built here) calls tp_hit() N times and prints its own wall time per call. For
# each repetition, each consumer in turn: none (the loop alone), ext (`tracepoint stream 'uprobe:LOOP:tp_hit'
# --count-only`, which defines the probe itself), ref (../shared/bench's refconsumer on a probe this script
# defines in tracefs), perf (`perf record -e` that probe) and bpftrace (`uprobe:LOOP:tp_hit { @ = count(); }`).
# Per run: the loop's ns per call, minus the loop alone's (the cost of a hit to the traced process: a trap,
# the kernel's probe handler and the sample written into a ring), the hits the consumer got, and the consumer's
# CPU over the load window (all its threads, from schedstat, from attach to the end of the loop) per hit.
#
# Writes benchmarks/results/uprobe-<date>.md. Overrides: N, REPS, CONSUMERS="none ext ref perf bpftrace",
# PIN_LOOP (default 0), PIN_CONS (default 1), SHARED_BENCH (default <repo>/../shared/bench), OUT.
# A consumer whose tool is not installed (bpftrace: apt-get install bpftrace) is left out, saying so.
set -euo pipefail

bench_home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$bench_home/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$repo/../shared/bench}
N=${N:-300000}
REPS=${REPS:-3}
CONSUMERS=${CONSUMERS:-"none ext ref perf bpftrace"}
PIN_LOOP=${PIN_LOOP-0}
PIN_CONS=${PIN_CONS-1}
OUT=${OUT:-$bench_home/results/uprobe-$(date +%Y%m%d-%H%M%S).md}

[ "$(id -u)" = 0 ] || { echo "run-uprobe: needs root (uprobes, perf_event_open)" >&2; exit 1; }
tracefs=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
[ -n "$tracefs" ] || { echo "run-uprobe: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)" >&2; exit 1; }
[ -e "$tracefs/uprobe_events" ] || { echo "run-uprobe: this kernel has no uprobe events (CONFIG_UPROBE_EVENTS)" >&2; exit 1; }

work=$(mktemp -d -t tp-uprobe.XXXXXX)
group=tpbench_$$
cleanup() {
    echo "-:$group/tp_hit" >> "$tracefs/uprobe_events" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -o "$work/uprobe-loop" "$bench_home/scripts/uprobe-loop.c"
loop=$work/uprobe-loop
cp -r "$SHARED_BENCH" "$work/bench"
make -C "$work/bench" build/refconsumer >/dev/null 2>&1 || make -C "$work/bench" >/dev/null
"$repo/tracepoint" help >/dev/null # builds the jars now, outside the measured runs

# tp_hit's file offset: its address, through the PT_LOAD segment that holds it (as perf probe computes it)
addr=$(nm "$loop" | awk '$3 == "tp_hit" { print $1 }')
offset=$(readelf -lW "$loop" | python3 -c '
import sys
a = int(sys.argv[1], 16)
for l in sys.stdin:
    f = l.split()
    if f and f[0] == "LOAD":
        off, va, memsz = int(f[1], 16), int(f[2], 16), int(f[5], 16)
        if va <= a < va + memsz:
            print(hex(a - va + off))
            break
' "$addr")
[ -n "$offset" ] || { echo "run-uprobe: no PT_LOAD segment holds tp_hit at 0x$addr" >&2; exit 1; }
echo "p:$group/tp_hit $loop:$offset" >> "$tracefs/uprobe_events"

pin() { [ -n "$1" ] && echo "taskset -c $1"; }
cpu_ns() { # all threads of process $1, schedstat run time
    local t total=0
    for t in /proc/$1/task/*/schedstat; do
        [ -r "$t" ] && total=$((total + $(cut -d' ' -f1 "$t" 2>/dev/null || echo 0)))
    done
    echo $total
}
wait_for() { local i; for i in $(seq 300); do eval "$1" && return 0; sleep 0.1; done; return 1; }

available=""
for c in $CONSUMERS; do
    case $c in
    perf) command -v perf >/dev/null || { echo "run-uprobe: no perf, left out" >&2; continue; } ;;
    bpftrace) command -v bpftrace >/dev/null || { echo "run-uprobe: no bpftrace (apt-get install bpftrace), left out" >&2; continue; } ;;
    esac
    available="$available $c"
done

results=$work/results.txt
: > "$results"
run_one() { # consumer rep
    local c=$1 rep=$2 d=$work/$1-$2 pid="" hits="" lost=""
    mkdir -p "$d"
    case $c in
    none) ;;
    ext)
        $(pin "$PIN_CONS") "$repo/tracepoint" stream "uprobe:$loop:tp_hit" --count-only --ready "$d/ready" \
            > "$d/out" 2> "$d/err" &
        pid=$!
        wait_for "[ -e $d/ready ]" || { echo "run-uprobe: ext did not attach: $(tail -3 "$d/err")" >&2; exit 1; } ;;
    ref)
        $(pin "$PIN_CONS") "$work/bench/build/refconsumer" -q -e "$group:tp_hit" -r "$d/ready" > "$d/out" 2> "$d/err" &
        pid=$!
        wait_for "[ -e $d/ready ]" || { echo "run-uprobe: refconsumer did not start: $(cat "$d/err")" >&2; exit 1; } ;;
    perf)
        mkfifo "$d/ctl" "$d/ack"
        $(pin "$PIN_CONS") perf record --no-buildid -e "$group:tp_hit" -a -o "$d/perf.data" -D -1 \
            --control "fifo:$d/ctl,$d/ack" > "$d/out" 2> "$d/err" &
        pid=$!
        local r=""
        exec 7>"$d/ctl" 8<"$d/ack"
        echo enable >&7
        read -r -t 20 -u 8 r || true
        exec 7>&- 8<&-
        [ "$r" = ack ] || { echo "run-uprobe: perf record did not enable: $(cat "$d/err")" >&2; exit 1; } ;;
    bpftrace)
        $(pin "$PIN_CONS") bpftrace -e "uprobe:$loop:tp_hit { @ = count(); }" > "$d/out" 2> "$d/err" &
        pid=$!
        wait_for "grep -q Attaching $d/out" || { echo "run-uprobe: bpftrace did not attach: $(cat "$d/err")" >&2; exit 1; } ;;
    esac
    sleep 0.3
    local w0=0 w1=0
    [ -n "$pid" ] && w0=$(cpu_ns "$pid")
    local line; line=$($(pin "$PIN_LOOP") "$loop" "$N")
    sleep 0.3
    [ -n "$pid" ] && w1=$(cpu_ns "$pid")
    if [ -n "$pid" ]; then
        kill -INT "$pid"
        wait "$pid" || true
    fi
    case $c in
    none) hits=0; lost=0 ;;
    ext) hits=$(grep -o 'samples=[0-9]*' "$d/out" | cut -d= -f2); lost=$(grep -o 'lost=[0-9]*' "$d/out" | cut -d= -f2) ;;
    ref) hits=$(grep -o ' samples=[0-9]*' "$d/out" | cut -d= -f2); lost=$(grep -o ' undelivered=-*[0-9]*' "$d/out" | cut -d= -f2) ;;
    perf) hits=$(perf script -i "$d/perf.data" -F event 2>/dev/null | grep -c tp_hit || true)
          lost=$( (grep -o 'lost [0-9]* ' "$d/err" || true) | awk '{ s += $2 } END { print s + 0 }') ;;
    bpftrace) hits=$( (grep -o '@: [0-9]*' "$d/out" || true) | awk '{ print $2 }'); lost=- ;;
    esac
    local ns; ns=$(echo "$line" | grep -o 'ns_per_call=[0-9.]*' | head -1 | cut -d= -f2)
    echo "$c $rep $ns ${hits:-?} ${lost:-?} $(( (w1 - w0) ))" >> "$results"
    echo "run-uprobe: rep $rep $c: $ns ns/call, hits ${hits:-?}" >&2
}

for rep in $(seq 1 "$REPS"); do
    for c in $available; do
        run_one "$c" "$rep"
    done
done

{
    echo "# A uprobe's cost: this library against refconsumer, perf record and bpftrace"
    echo
    echo "Measured $(date -Iseconds) with \`benchmarks/scripts/run-uprobe.sh\` (N=$N calls of tp_hit per run, $REPS repetitions, interleaved)."
    echo
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs online; loop pinned to CPU ${PIN_LOOP:-none}, consumer to CPU ${PIN_CONS:-none}"
    echo "- kernel: $(uname -r); $(perf --version 2>/dev/null || echo 'no perf'); $(bpftrace --version 2>/dev/null || echo 'no bpftrace')"
    echo "- per hit to the traced process: the loop's wall ns per call minus the loop alone's (median of each)"
    echo "- consumer CPU per hit: all its threads (schedstat) from attach to the end of the loop, over the hits it got"
    echo
    echo "| consumer | ns per call (median) | cost per hit to the loop, ns | hits (median) | lost (max) | consumer CPU ns per hit (median) | x ref |"
    echo "|---|---|---|---|---|---|---|"
    python3 - "$results" "$N" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
n = int(sys.argv[2])
by = {}
for c, rep, ns, hits, lost, cpu in rows:
    by.setdefault(c, []).append((float(ns), hits, lost, int(cpu)))
base = statistics.median(r[0] for r in by["none"]) if "none" in by else None
def cpu_per_hit(rs):
    v = [r[3] / int(r[1]) for r in rs if r[1].isdigit() and int(r[1]) > 0]
    return statistics.median(v) if v else None
ref = cpu_per_hit(by["ref"]) if "ref" in by else None
for c, rs in by.items():
    ns = statistics.median(r[0] for r in rs)
    cost = "" if base is None or c == "none" else f"{ns - base:.0f}"
    hits = [int(r[1]) for r in rs if r[1].isdigit()]
    lost = [int(r[2]) for r in rs if r[2].lstrip("-").isdigit()]
    cph = cpu_per_hit(rs) if c != "none" else None
    x = f"{cph / ref:.2f}" if cph and ref else ""
    print(f"| {c} | {ns:.0f} | {cost} | {int(statistics.median(hits)) if hits and c != 'none' else ''} | "
          f"{max(lost) if lost and c != 'none' else ''} | {f'{cph:.0f}' if cph else ''} | {x} |")
PY
    echo
    echo "Raw runs (consumer rep ns_per_call hits lost window_cpu_ns):"
    echo
    echo '```'
    cat "$results"
    echo '```'
} > "$OUT"
cat "$OUT"
