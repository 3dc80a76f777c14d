#!/usr/bin/env bash
# A/B of two benchmark jars, interleaved on one CPU: A, B, A, B, ... so that both see the same machine.
#
#   benchmarks/scripts/jmh-ab.sh A.jar B.jar [ROUNDS] [REGEXP]
#
# A.jar and B.jar are benchmarks/target/benchmarks.jar of two builds (build the older one from a clean
# checkout of its commit). Prints, per benchmark and parameter, the median over the rounds of each jar's best
# iteration (ns per record) and the ratio B/A with its range over the rounds. Overrides: PIN (CPU, default 1;
# empty for none), JMH_ARGS (default: 1 fork, 5 x 200 ms warm-up, 10 x 100 ms measurement), KEEP=1.
set -euo pipefail
a=$(readlink -f "$1"); b=$(readlink -f "$2"); rounds=${3:-3}
regexp=${4:-'^dev.tracepoint.bench.(BaselineBench.ringDrainOnly|DispatchBench.(sigTyped3|skbTyped3|sigTyped3Batch|skbTyped3Batch|sigCountOnlyBatch|sigWrappedRecord))$'}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
java=$("$repo/tracepoint" --java-home)/bin/java
PIN=${PIN-1}
JMH_ARGS=${JMH_ARGS:-"-f 1 -wi 5 -w 200ms -i 10 -r 100ms"}
pin=(); [ -n "$PIN" ] && pin=(taskset -c "$PIN")
work=$(mktemp -d -t tp-jmh-ab.XXXXXX)
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "jmh-ab: kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
for r in $(seq 1 "$rounds"); do
    for side in A B; do
        jar=$a; [ "$side" = B ] && jar=$b
        echo "jmh-ab: round $r/$rounds, $side" >&2
        # shellcheck disable=SC2086
        "${pin[@]}" "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" $JMH_ARGS -rf json \
            -rff "$work/$side-$r.json" "$regexp" >/dev/null
    done
done
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def best(path):
    out = {}
    for r in json.load(open(path)):
        name = r["benchmark"].split(".")[-1] + "".join(f"[{k}={v}]" for k, v in sorted(r.get("params", {}).items()))
        raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
        out[name] = min(raw)
    return out
a = [best(f"{work}/A-{i}.json") for i in range(1, rounds + 1)]
b = [best(f"{work}/B-{i}.json") for i in range(1, rounds + 1)]
print("| benchmark | A (median of best) | B (median of best) | B/A median | B/A range |")
print("|---|---|---|---|---|")
for name in sorted(a[0]):
    ratios = [b[i][name] / a[i][name] for i in range(rounds)]
    print(f"| {name} | {statistics.median(x[name] for x in a):.2f} | {statistics.median(x[name] for x in b):.2f} "
          f"| {statistics.median(ratios):.3f} | {min(ratios):.3f}-{max(ratios):.3f} |")
PY
