#!/usr/bin/env bash
# End-to-end benchmark, one command: this library's `tracepoint stream --count-only` against the C
# reference consumer and `perf record` on the same kernel load, in the same run.
#
#   sudo benchmarks/scripts/run-e2e.sh            # ~12-15 min: loads sig sys skb, 3 reps, N=0 runs (-z)
#
# It copies ../shared/bench (the folder beside the repository) to a temporary directory, builds it,
# builds the library once, and runs the harness's scripts/bench_consumers.sh with the library as the
# `ext` consumer:
#   EXT_CMD='<repo>/tracepoint stream $TP --count-only --pages $PAGES --ready $READY_FILE'
# then writes benchmarks/results/e2e-<date>.md: machine, the harness's summary table and the ratios of
# the library to refconsumer and to perf record --no-buildid (perfB).
#
# Overrides (environment):
#   LOADS="sig sys skb"          harness loads; add "sigx2 sysx2" for the contention regime
#   CONSUMERS="none ref perfB ext"  harness consumers (perf, bpftrace, tracecmd, ref:4, ext:4 ... also work)
#   REPS=3                       repetitions (interleaved: rep -> load -> consumer)
#   N_sig=10000000 N_sys=20000000 N_skb=3000000   events per run and load (N_sigx2, N_sysx2 likewise)
#   SHARED_BENCH=<dir>           the harness (default: <repo>/../shared/bench)
#   TRACEPOINT_CMD=<cmd>         the launcher (default: <repo>/tracepoint, run from a snapshot of its jars)
#   SNAPSHOT=0                   run <repo>/tracepoint itself (it rebuilds stale jars, inside a measured run)
#   OUT=<file>                   the results markdown (default: benchmarks/results/e2e-<date>.md)
#   KEEP=1                       keep the temporary directory (raw logs, runs.csv)
set -euo pipefail

bench_home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$bench_home/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$repo/../shared/bench}
LOADS=${LOADS:-"sig sys skb"}
CONSUMERS=${CONSUMERS:-"none ref perfB ext"}
REPS=${REPS:-3}
TRACEPOINT_CMD=${TRACEPOINT_CMD:-$repo/tracepoint}
stamp=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$bench_home/results/e2e-$stamp.md}

[ "$(id -u)" = 0 ] || { echo "run-e2e: needs root (system-wide tracepoints)" >&2; exit 1; }
[ -d "$SHARED_BENCH/scripts" ] || { echo "run-e2e: no harness at $SHARED_BENCH (set SHARED_BENCH)" >&2; exit 1; }

work=$(mktemp -d -t tp-e2e.XXXXXX)
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "run-e2e: kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
cp -r "$SHARED_BENCH" "$work/bench"
make -C "$work/bench" >/dev/null

# The JDK 22+ the launcher finds (JAVA_HOME, PATH or /usr/lib/jvm): the default java may be older.
java_home=$("$repo/tracepoint" --java-home)
# Build the jars now (the launcher rebuilds stale jars), so no build lands inside a measured run.
"$TRACEPOINT_CMD" help >/dev/null
# ... and, in a working tree that others keep editing, run a snapshot of those jars with the launcher's JVM
# flags: otherwise an edit anywhere during the benchmark makes the launcher rebuild inside a measured run
# (seen: 9 s of Maven CPU charged to one N=0 run). SNAPSHOT=0 runs the launcher itself.
if [ "${SNAPSHOT:-1}" = 1 ] && [ "$TRACEPOINT_CMD" = "$repo/tracepoint" ]; then
    mkdir -p "$work/jars"
    cp=""
    for m in tracepoint-core tracepoint-signal tracepoint-skb; do
        # the library jar and the cli jar (the launcher's commands), as the launcher runs them
        for jar in "$(ls "$repo/$m/target/$m"-*.jar 2>/dev/null | grep -v -- '-sources\.jar$\|-javadoc\.jar$\|-tests\.jar$\|-cli\.jar$' | head -n 1 || true)" \
                   "$(ls "$repo/$m/target/$m"-*-cli.jar 2>/dev/null | head -n 1 || true)"; do
            [ -n "$jar" ] && cp "$jar" "$work/jars/" && cp="$cp${cp:+:}$work/jars/$(basename "$jar")"
        done
    done
    java_bin=$java_home/bin/java
    # the same command line as the launcher's last line
    cat > "$work/tracepoint" <<WRAP
#!/bin/sh
exec "$java_bin" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m \${TRACEPOINT_JAVA_OPTS:-} -cp "$cp" dev.tracepoint.core.internal.cli.Main "\$@"
WRAP
    chmod +x "$work/tracepoint"
    TRACEPOINT_CMD=$work/tracepoint
fi

export EXT_CMD="$TRACEPOINT_CMD stream \$TP --count-only --pages \$PAGES --ready \$READY_FILE"
runs=$work/out
default_n() { case $1 in sig|sigx2) echo 10000000 ;; sys|sysx2) echo 20000000 ;; skb|skbx2) echo 3000000 ;; esac; }
for rep in $(seq "$REPS"); do
    for load in $LOADS; do
        var=N_$load
        n=${!var:-$(default_n "$load")}
        # one repetition per call: consumers stay interleaved within each load, loads within each rep
        before=$( { wc -l < "$runs/runs.csv"; } 2>/dev/null || echo 1)
        "$work/bench/scripts/bench_consumers.sh" -l "$load" -c "$CONSUMERS" -r 1 -z -n "$n" -o "$runs" \
            | grep -E '^(sig|sys|skb)' || true
        sed -i "$((before + 1)),\$ s/^\($load,[^,]*\),1,/\1,$rep,/" "$runs/runs.csv"
        # the library's own CPU account since the events were enabled (stderr of stream --count-only)
        for e in "$runs"/raw/"$load"/ext*/rep1 "$runs"/raw/"$load"/ext*/rep1-zero; do
            [ -f "$e/cons.err" ] || continue
            kind=${e%/rep1*}; kind=${kind##*/}; zero=0; [[ $e == *-zero ]] && zero=1
            echo "$load,${kind/-m/:},$rep,$zero,$(grep -o 'cpu_s_since_ready=[0-9.]*' "$e/cons.err" | head -1 | cut -d= -f2),$(grep -o 'consumer_cpu_s_since_ready=[0-9.]*' "$e/cons.err" | cut -d= -f2),$(grep -o 'samples=[0-9]*' "$e/cons.out" | cut -d= -f2)" >> "$runs/ext_cpu.csv"
        done
    done
done

mkdir -p "$(dirname "$OUT")"
{
    echo "# End-to-end consumers: tracepoint vs refconsumer vs perf record"
    echo
    echo "Measured $(date -Is) with \`benchmarks/scripts/run-e2e.sh\` (REPS=$REPS, loads: $LOADS)."
    echo
    echo "## Machine"
    echo
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs online"
    echo "- kernel: $(uname -r)"
    echo "- JDK: $("$java_home/bin/java" -version 2>&1 | head -1)"
    echo "- $(perf --version 2>/dev/null)"
    echo "- consumer pinned to CPU 1, generator to CPU 0 (x2 loads: one generator per CPU, consumer unpinned)"
    echo
    echo "![CPU per event]($(basename "${OUT%.md}.svg"))"
    echo
    echo "## Ratios (medians over reps, min-max in brackets)"
    echo
    python3 "$bench_home/scripts/e2e_report.py" "$runs/runs.csv" "$runs/ext_cpu.csv"
    echo
    echo "## Harness summary (scripts/summarize.py --markdown)"
    echo
    python3 "$work/bench/scripts/summarize.py" "$runs/runs.csv" --markdown
    echo
    echo "## Raw runs.csv"
    echo
    echo '```'
    cat "$runs/runs.csv"
    echo '```'
    echo
    echo "ext_cpu.csv (load,consumer,rep,zero,cpu_s_since_ready,consumer_cpu_s_since_ready,samples):"
    echo
    echo '```'
    cat "$runs/ext_cpu.csv" 2>/dev/null || true
    echo '```'
} > "$OUT"
python3 "$bench_home/scripts/e2e_plot.py" "$runs/runs.csv" "$runs/ext_cpu.csv" "${OUT%.md}.svg" \
    && echo "run-e2e: wrote ${OUT%.md}.svg"
echo "run-e2e: wrote $OUT"
