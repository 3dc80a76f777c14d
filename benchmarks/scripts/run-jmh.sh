#!/usr/bin/env bash
# JMH decode and dispatch benchmarks (with -prof gc) and, in the same run and on the same CPU, the C
# decodebench of ../shared/bench, so that the ratios to C are measured on one machine at one time.
#
#   benchmarks/scripts/run-jmh.sh                 # ~4 min: every benchmark, then decodebench
#   JMH_ARGS="-wi 2 -i 3 DispatchBench.sigTyped3" benchmarks/scripts/run-jmh.sh   # a subset, shorter
#
# Writes benchmarks/results/jmh-<date>.md (machine, ns/record, B/record, ratios to C and to the in-JVM
# baseline loop). Overrides: JMH_ARGS (extra JMH arguments/regexps), PIN (CPU to run on, default 1; empty
# for none), SHARED_BENCH (the C harness, default <repo>/../shared/bench), OUT (the markdown file), KEEP=1.
set -euo pipefail

bench_home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$bench_home/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$repo/../shared/bench}
PIN=${PIN-1}
JMH_ARGS=${JMH_ARGS:-}
OUT=${OUT:-$bench_home/results/jmh-$(date +%Y%m%d-%H%M%S).md}
# the JDK 22+ the launcher finds (JAVA_HOME, PATH or /usr/lib/jvm), for Maven and for JMH
JAVA_HOME=$("$repo/tracepoint" --java-home)
export JAVA_HOME
java=$JAVA_HOME/bin/java
pin=()
[ -n "$PIN" ] && pin=(taskset -c "$PIN")

work=$(mktemp -d -t tp-jmh.XXXXXX)
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "run-jmh: kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT

# tests are not needed to run benchmarks (and JMH has none): skip compiling them
(cd "$repo" && mvn -q -B -ntp -pl benchmarks -am package -Dmaven.test.skip=true)

# shellcheck disable=SC2086
"${pin[@]}" "$java" --enable-native-access=ALL-UNNAMED -jar "$bench_home/target/benchmarks.jar" \
    -prof gc -rf json -rff "$work/jmh.json" $JMH_ARGS | tee "$work/jmh.txt" | grep -E '^(Benchmark|[A-Z][A-Za-z]+Bench\.)' || true

# The C decode loop, same CPU, on records of the benchmarks' sizes: 88 bytes (payload 48) are
# signal_generate samples (the library's and the C consumer's), 80 (payload 40) kfree_skb's, 72 (payload 32)
# sched_process_exec's; 96 (payload 56) is kept for comparison with earlier runs.
decode=$work/decode.txt
if [ -d "$SHARED_BENCH/src" ]; then
    cp -r "$SHARED_BENCH" "$work/bench"
    make -C "$work/bench" build/decodebench >/dev/null 2>&1 || make -C "$work/bench" >/dev/null
    for p in 56 48 40 32; do
        "${pin[@]}" "$work/bench/build/decodebench" 5000000 $p 7 | sed "s/^/payload=$p /"
    done | tee "$decode"
else
    echo "run-jmh: no C harness at $SHARED_BENCH; ratios to C omitted" >&2
    : > "$decode"
fi

mkdir -p "$(dirname "$OUT")"
{
    echo "# JMH: decode and dispatch from a synthetic perf ring"
    echo
    echo "Measured $(date -Is) with \`benchmarks/scripts/run-jmh.sh\`${JMH_ARGS:+ (JMH_ARGS: \`$JMH_ARGS\`)}."
    echo
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs online${PIN:+; JMH and decodebench pinned to CPU $PIN}"
    echo "- kernel: $(uname -r)"
    echo "- JDK: $("$java" -version 2>&1 | head -1)"
    echo "- JMH 1.37, -prof gc; 1 fork, 6 x 200 ms warm-up, 30 x 100 ms measurement (unless JMH_ARGS says otherwise)"
    echo
    python3 "$bench_home/scripts/jmh_report.py" "$work/jmh.json" "$decode"
} > "$OUT"
echo "run-jmh: wrote $OUT"
