#!/usr/bin/env bash
# What ordered delivery costs end to end: `tracepoint stream signal:signal_generate --count-only`, unordered
# and with `--ordered MS`, in turns, under the harness's sigload flood, in the same run.
#
#   sudo benchmarks/scripts/run-ordered.sh        # ~4 min: 3 repetitions x 2 loads x 2 modes, 5M signals each
#
# Loads: `one`, one sigload pinned to CPU 1 and the consumer pinned to CPU 0 (the other ring stays idle, so
# the ordered stream holds CPU 1's records for the lateness); `two`, a sigload on each CPU and the consumer
# unpinned, competing with them (both rings busy). Per run: the consumer thread's CPU seconds since the events
# were enabled (the command's consumer_cpu_s_since_ready, in clock ticks) per event delivered, the whole
# process's likewise, samples, lost, and for the ordered runs late= and early=.
#
# Overrides (environment): REPS=3, N=5000000 (signals per generator), LATENESS_MS=50, LOADS="one two",
# SHARED_BENCH=<dir> (default <repo>/../shared/bench), OUT=<file> (default results/ordered-<date>.md), KEEP=1,
# MVN_FLAGS (extra Maven flags for the build, e.g. -o).
set -euo pipefail

bench_home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$bench_home/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$repo/../shared/bench}
REPS=${REPS:-3}
N=${N:-5000000}
LATENESS_MS=${LATENESS_MS:-50}
LOADS=${LOADS:-"one two"}
OUT=${OUT:-$bench_home/results/ordered-$(date +%Y%m%d-%H%M%S).md}

[ "$(id -u)" = 0 ] || { echo "run-ordered: needs root (system-wide tracepoints)" >&2; exit 1; }
[ -d "$SHARED_BENCH/src" ] || { echo "run-ordered: no harness at $SHARED_BENCH (set SHARED_BENCH)" >&2; exit 1; }

work=$(mktemp -d -t tp-ordered.XXXXXX)
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "run-ordered: kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
cp -r "$SHARED_BENCH" "$work/bench"
make -C "$work/bench" >/dev/null
sigload=$work/bench/build/sigload

JAVA_HOME=$("$repo/tracepoint" --java-home)
export JAVA_HOME
# shellcheck disable=SC2086
(cd "$repo" && mvn -q -B -ntp ${MVN_FLAGS:-} -pl tracepoint-core package -Dmaven.test.skip=true)
jar=$(ls "$repo"/tracepoint-core/target/tracepoint-core-*.jar | grep -v -- '-sources\.jar$\|-javadoc\.jar$\|-tests\.jar$\|-cli\.jar$' | head -n 1)
cp "$jar" "$work/core.jar"
cp "$(ls "$repo"/tracepoint-core/target/tracepoint-core-*-cli.jar | head -n 1)" "$work/core-cli.jar" # the launcher's commands

# one run: MODE LOAD -> "mode load samples lost consumer_s process_s late early"
run() {
    local mode=$1 load=$2 ready=$work/ready extra=() pin=() g1 g2 cpid
    rm -f "$ready"
    [ "$mode" = ordered ] && extra=(--ordered "$LATENESS_MS")
    [ "$load" = one ] && pin=(taskset -c 0)
    "${pin[@]}" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -cp "$work/core.jar:$work/core-cli.jar" \
        dev.tracepoint.core.internal.cli.Main stream signal:signal_generate --count-only --ready "$ready" "${extra[@]}" \
        > "$work/out" 2> "$work/err" &
    cpid=$!
    for _ in $(seq 1 1200); do [ -e "$ready" ] && break; sleep 0.05; done
    [ -e "$ready" ] || { echo "run-ordered: the consumer did not get ready: $(cat "$work/err")" >&2; exit 1; }
    if [ "$load" = one ]; then
        taskset -c 1 "$sigload" "$N" self > /dev/null
    else
        taskset -c 0 "$sigload" "$N" self > /dev/null & g1=$!
        taskset -c 1 "$sigload" "$N" self > /dev/null & g2=$!
        wait "$g1" "$g2"
    fi
    sleep 0.5
    kill -INT "$cpid"
    wait "$cpid" || true
    local samples lost cons proc late early
    samples=$(grep -o 'samples=[0-9]*' "$work/out" | cut -d= -f2)
    lost=$(grep -o 'lost=[0-9]*' "$work/out" | cut -d= -f2)
    cons=$(grep -o 'consumer_cpu_s_since_ready=[0-9.]*' "$work/err" | cut -d= -f2)
    proc=$(grep -o ' cpu_s_since_ready=[0-9.]*' "$work/err" | cut -d= -f2)
    late=$(grep -o 'late=[0-9]*' "$work/err" | cut -d= -f2 || true)
    early=$(grep -o 'early=[0-9]*' "$work/err" | cut -d= -f2 || true)
    echo "$mode $load $samples $lost $cons $proc ${late:--} ${early:--}"
}

: > "$work/runs"
for rep in $(seq 1 "$REPS"); do
    for load in $LOADS; do
        for mode in unordered ordered; do
            line=$(run "$mode" "$load")
            echo "rep $rep: $line" >&2
            echo "$line" >> "$work/runs"
        done
    done
done

python3 - "$work/runs" "$OUT" "$N" "$LATENESS_MS" "$REPS" "$(uname -r)" "$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)" <<'EOF'
import statistics, sys
runs, out, n, lateness, reps, kernel, jdk = sys.argv[1:]
rows = [l.split() for l in open(runs) if l.strip()]
def med(xs):
    return statistics.median(xs)
lines = ["# Ordered delivery, end to end", "",
         f"`benchmarks/scripts/run-ordered.sh`: {reps} repetitions, {n} signals per generator, `--ordered {lateness}`;",
         f"kernel {kernel}, {jdk}. Medians over the repetitions; CPU in clock ticks (10 ms), so +-0.01 s.", "",
         "| load | mode | consumer thread ns/event | process ns/event | delivered | lost | late | early |",
         "|---|---|---|---|---|---|---|---|"]
ratios = {}
for load in dict.fromkeys(r[1] for r in rows):
    for mode in ("unordered", "ordered"):
        rs = [r for r in rows if r[0] == mode and r[1] == load]
        if not rs:
            continue
        cons = med([float(r[4]) * 1e9 / int(r[2]) for r in rs])
        proc = med([float(r[5]) * 1e9 / int(r[2]) for r in rs])
        ratios.setdefault(load, {})[mode] = (cons, proc)
        late = f"{med([int(r[6]) for r in rs]):,.0f}" if mode == "ordered" else "-"
        early = f"{med([int(r[7]) for r in rs]):,.0f}" if mode == "ordered" else "-"
        lines.append(f"| {load} | {mode} | {cons:.1f} | {proc:.1f} | {med([int(r[2]) for r in rs]):,.0f} | "
                     f"{med([int(r[3]) for r in rs]):,.0f} | {late} | {early} |")
lines.append("")
for load, m in ratios.items():
    if "ordered" in m and "unordered" in m:
        lines.append(f"- {load}: ordered / unordered = {m['ordered'][0] / m['unordered'][0]:.2f}x (consumer thread), "
                     f"{m['ordered'][1] / m['unordered'][1]:.2f}x (process)")
lines += ["", "Every run:", "", "| mode | load | samples | lost | consumer s | process s | late | early |", "|---|---|---|---|---|---|---|---|"]
lines += ["| " + " | ".join(r) + " |" for r in rows]
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
echo "run-ordered: wrote $OUT" >&2
