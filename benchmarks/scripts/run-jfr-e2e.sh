#!/usr/bin/env bash
# Signals at full rate into a JFR recording, against the plain stream on the same load, interleaved:
#   tracepoint record --jfr FILE signal:signal_generate     (every event committed into a recording on disk)
#   tracepoint stream signal:signal_generate --count-only   (the plain stream, a batch listener)
# For each of REPS repetitions, each consumer in turn is attached, ../shared/bench's sigload sends N signals
# (kill(self, SIGUSR1), SIGUSR1 ignored) and the consumer is stopped with SIGINT. Per run: the events the
# consumer got, the lost count it reports, and the CPU the whole consumer process used from the moment its
# events were enabled (--ready) until the end of the load plus 1 s (JFR's recorder and periodic threads and the
# writing of the file included), per event.
#
#   benchmarks/scripts/run-jfr-e2e.sh            # REPS=3 N=2000000
#
# Writes benchmarks/results/jfr-e2e-<date>.md. Overrides: N, REPS, PIN (CPU for sigload, default 0; empty: none),
# SHARED_BENCH (default <repo>/../shared/bench), OUT. Needs root and the built jars (./tracepoint builds them).
set -euo pipefail
bench_home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$bench_home/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$repo/../shared/bench}
N=${N:-2000000}
REPS=${REPS:-3}
PIN=${PIN-0}
OUT=${OUT:-$bench_home/results/jfr-e2e-$(date +%Y%m%d-%H%M%S).md}
JAVA_HOME=$("$repo/tracepoint" --java-home)
java=$JAVA_HOME/bin/java
work=$(mktemp -d -t tp-jfr-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT

cp -r "$SHARED_BENCH" "$work/bench"
make -C "$work/bench" build/sigload >/dev/null 2>&1 || make -C "$work/bench" >/dev/null
sigload=$work/bench/build/sigload
cp=""
for m in tracepoint-core tracepoint-signal tracepoint-skb; do
    lib=$(ls "$repo/$m/target/$m"-*.jar | grep -v -- '-sources\.jar$\|-javadoc\.jar$\|-tests\.jar$\|-cli\.jar$' | head -n 1)
    cli=$(ls "$repo/$m/target/$m"-*-cli.jar | head -n 1)
    cp="$cp${cp:+:}$lib:$cli"
done
pin=()
[ -n "$PIN" ] && pin=(taskset -c "$PIN")

ticks() { # utime + stime of a process, clock ticks
    awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"
}

run_one() { # mode rep -> a line "mode rep events lost cpu_s gen_ns"
    local mode=$1 rep=$2 ready=$work/ready-$1-$2 log=$work/log-$1-$2
    rm -f "$ready"
    if [ "$mode" = jfr ]; then
        "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.tracepoint.core.internal.cli.Main record \
            --jfr "$work/rec-$rep.jfr" signal:signal_generate --ready "$ready" >"$log.out" 2>"$log.err" &
    else
        "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.tracepoint.core.internal.cli.Main stream \
            signal:signal_generate --count-only --ready "$ready" >"$log.out" 2>"$log.err" &
    fi
    local pid=$!
    while [ ! -f "$ready" ]; do sleep 0.1; done
    local t0; t0=$(ticks "$pid")
    local gen; gen=$("${pin[@]}" "$sigload" "$N" self)
    sleep 1
    local t1; t1=$(ticks "$pid")
    kill -INT "$pid"
    wait "$pid" || true
    local events lost
    if [ "$mode" = jfr ]; then
        events=$(grep -o 'events=[0-9]*' "$log.err" | tail -1 | cut -d= -f2)
        lost=$(grep -o 'lost=[0-9]*' "$log.err" | tail -1 | cut -d= -f2)
    else
        events=$(grep -o 'samples=[0-9]*' "$log.out" | cut -d= -f2)
        lost=$(grep -o 'lost=[0-9]*' "$log.out" | cut -d= -f2)
    fi
    local size=""
    [ "$mode" = jfr ] && size=$(stat -c %s "$work/rec-$rep.jfr" 2>/dev/null || echo missing)
    echo "$mode $rep $events $lost $(( t1 - t0 )) $(echo "$gen" | grep -o 'ns_per_op=[0-9.]*' | cut -d= -f2) $size"
}

results=$work/results.txt
: > "$results"
for rep in $(seq 1 "$REPS"); do
    for mode in plain jfr; do
        run_one "$mode" "$rep" | tee -a "$results"
    done
done

{
    echo "# Signals at full rate into a JFR recording, against the plain stream"
    echo
    echo "Measured $(date -Is) with \`benchmarks/scripts/run-jfr-e2e.sh\` (N=$N signals per run, $REPS repetitions, interleaved)."
    echo
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs online${PIN:+; sigload pinned to CPU $PIN}"
    echo "- kernel: $(uname -r); JDK: $("$java" -version 2>&1 | head -1)"
    echo "- plain: \`stream signal:signal_generate --count-only\`; jfr: \`record --jfr FILE signal:signal_generate\` (every event committed, recording on disk)"
    echo "- CPU: the consumer process's utime+stime (10 ms ticks) from --ready to 1 s after the load, per event delivered"
    echo
    echo "| consumer | rep | events | lost | CPU (s) | CPU per event (ns) | sigload ns/op | recording bytes |"
    echo "|---|---|---|---|---|---|---|---|"
    awk '{ printf "| %s | %s | %s | %s | %.2f | %.0f | %s | %s |\n", $1, $2, $3, $4, $5 / 100, ($3 > 0 ? $5 * 1e7 / $3 : 0), $6, $7 }' "$results"
    echo
    awk '{ cpu[$1] += $5; ev[$1] += $3; lost[$1] += $4 }
         END { p = cpu["plain"] * 1e7 / ev["plain"]; j = cpu["jfr"] * 1e7 / ev["jfr"];
               printf "Totals: plain %.0f ns/event (lost %d), jfr %.0f ns/event (lost %d): jfr/plain = %.2fx\n", p, lost["plain"], j, lost["jfr"], j / p }' "$results"
} > "$OUT"
cat "$OUT"
