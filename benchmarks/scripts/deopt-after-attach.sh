#!/usr/bin/env bash
# Lists the library's methods the JIT deoptimized after a stream was armed, under a real load: each one is a
# branch (or a type) the warm-up never showed the compiler, and costs a recompile on the consumer's CPU during
# the first burst (then losses at full rate). A clean run prints "none" for every load.
#
#   sudo benchmarks/scripts/deopt-after-attach.sh            # loads sig sys skb, one stream each
#
# Overrides: LOADS="sig sys skb", N_sig=5000000 N_sys=20000000 N_skb=3000000, SHARED_BENCH=<harness dir>
# (default: the folder beside the repository), TRACEPOINT_CMD=<launcher> (default: <repo>/tracepoint).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$repo/../shared/bench}
TRACEPOINT_CMD=${TRACEPOINT_CMD:-$repo/tracepoint}
LOADS=${LOADS:-"sig sys skb"}
[ "$(id -u)" = 0 ] || { echo "deopt-after-attach: needs root (system-wide tracepoints)" >&2; exit 1; }
work=$(mktemp -d -t tp-deopt.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$SHARED_BENCH" "$work/bench"
make -C "$work/bench" >/dev/null
"$TRACEPOINT_CMD" help >/dev/null # builds stale jars now, not inside a measured run
status=0
for load in $LOADS; do
    case $load in
        sig) tp=signal:signal_generate; gen=sigload; n=${N_sig:-5000000} ;;
        sys) tp=syscalls:sys_enter_getppid; gen=sysload; n=${N_sys:-20000000} ;;
        skb) tp=skb:kfree_skb; gen=skbload; n=${N_skb:-3000000} ;;
        *) echo "deopt-after-attach: unknown load $load" >&2; exit 2 ;;
    esac
    ready=$work/ready-$load log=$work/deopt-$load.log
    TRACEPOINT_JAVA_OPTS="-Xlog:deoptimization=debug:file=$log" \
        taskset -c 1 "$TRACEPOINT_CMD" stream "$tp" --count-only --ready "$ready" >"$work/out-$load" 2>&1 &
    pid=$!
    while [ ! -e "$ready" ]; do
        kill -0 "$pid" 2>/dev/null || { cat "$work/out-$load" >&2; exit 1; }
        sleep 0.05
    done
    # the log's uptime stamps: only deoptimizations after the ready file appeared count
    armed=$(awk 'END { print }' "$log" | sed -E 's/^\[([0-9.]+)s\].*/\1/')
    taskset -c 0 "$work/bench/build/$gen" "$n" >/dev/null
    sleep 0.5
    kill -INT "$pid"
    wait "$pid" || true
    after=$(awk -v t="${armed:-0}" -F'[][]' '{ s = $2; sub(/s$/, "", s); if (s + 0 > t + 0 && /dev\.tracepoint/) print }' "$log" \
        | sed -E 's/.*level=[0-9]+ +//; s/ pc=.*//' | sort | uniq -c)
    echo "$load ($tp, $n events): $(grep -E '^events=' "$work/out-$load" | tail -n 1)"
    if [ -n "$after" ]; then
        echo "  deoptimized after attach:"; echo "$after" | sed 's/^/    /'
        status=1
    else
        echo "  deoptimized after attach: none"
    fi
done
exit $status
