#!/usr/bin/env bash
# Soak run (not part of the default tests): one TracepointStream for N minutes under the highest load of
# the shared bench (two sysload generators, one per CPU: its "sysx2"), sampling heap, RSS, fds and perf
# mappings, and checking delivered + lost == generated at the end. Needs root, gcc and make.
#
#   benchmarks/scripts/soak.sh [MINUTES]        (default 10)
#   BENCH_SRC=path/to/shared/bench  OUT=file.md  PAGES=128  ROUND_N=5000000  INTERVAL_S=30
set -euo pipefail
MINUTES="${1:-10}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_SRC="${BENCH_SRC:-$ROOT/../shared/bench}"
PAGES="${PAGES:-128}"
ROUND_N="${ROUND_N:-5000000}"
INTERVAL_S="${INTERVAL_S:-30}"
JAVA_HOME=$("$ROOT/tracepoint" --java-home) # the JDK 22+ the launcher finds, for Maven and the soak JVM
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"

[ "$(id -u)" = 0 ] || { echo "soak.sh: run as root (system-wide tracepoints)" >&2; exit 2; }
[ -d "$BENCH_SRC/src" ] || { echo "soak.sh: no bench sources at $BENCH_SRC (set BENCH_SRC)" >&2; exit 2; }

WORK="$(mktemp -d -t tpsoak.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$BENCH_SRC" "$WORK/bench"             # the shared folder is read-only: build a copy
make -s -C "$WORK/bench" build/sysload >/dev/null
# a comm no other process has, so the kernel filter on it counts exactly our generator's events
GEN="$WORK/tpsoak-$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 6)"
cp "$WORK/bench/build/sysload" "$GEN"

(cd "$ROOT" && mvn -q -B -pl tracepoint-core test-compile)
CP="$ROOT/tracepoint-core/target/classes:$ROOT/tracepoint-core/target/test-classes"
set +e
"$JAVA" --enable-native-access=ALL-UNNAMED -Xmx256m -cp "$CP" dev.tracepoint.core.hardening.SoakMain \
    --generator "$GEN" --minutes "$MINUTES" --pages "$PAGES" --rounds-n "$ROUND_N" --interval-s "$INTERVAL_S" \
    | tee "$WORK/soak.out"
rc=${PIPESTATUS[0]}
set -e
if [ -n "${OUT:-}" ]; then
    {
        echo "# Soak run $(date -u +%Y-%m-%dT%H:%MZ)"
        echo
        echo "Kernel $(uname -r), $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1), ${MINUTES} min, ${PAGES} ring pages,"
        echo "load: two \`sysload $ROUND_N\` generators back to back, pinned to CPU 0 and CPU 1 (bench \`sysx2\`)."
        echo
        echo '```'
        cat "$WORK/soak.out"
        echo '```'
    } > "$OUT"
fi
exit "$rc"
