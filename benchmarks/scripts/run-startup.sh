#!/usr/bin/env bash
# Start-up benchmark: the previous build against this one, in the same run, interleaved.
#
#   sudo benchmarks/scripts/run-startup.sh [BASE]      # BASE: a commit (default: the merge-base with main)
#
# It builds BASE in a detached git worktree (mvn -o -q package -DskipTests) and this working tree, then for
# REPS repetitions, base and new in turn, measures six programs from JVM start to armed:
#   idlecli   the JVM alone, with the launcher's JVM flags (-XX:+UseSerialGC -Xms32m): StartupProbe.java, no stream
#   signals   ./tracepoint signals                     (each build's own launcher)
#   stream    ./tracepoint stream signal:signal_generate
#   idle      the JVM alone with the JVM's default flags (G1), as a service embedding the library has them
#   lib1      StartupProbe with 1 stream (signal:signal_generate), default flags, the library jar alone
#   lib3      StartupProbe with 3 streams (+ syscalls:sys_enter_getppid, skb:kfree_skb)
# "Armed" is the moment the program creates its ready file (--ready FILE; the probe's first argument), which it
# does once its events are enabled. At that moment the script reads the process's utime+stime from
# /proc/PID/stat (the launcher execs java, so its own shell is the same process; the child JVM it starts for
# `java -version` is not counted) and VmRSS from /proc/PID/status. RSS is reported above the idle JVM's with
# the same flags (idlecli for the launcher's commands, idle for the library programs).
# The launcher's start-up cache of the new build is made before the first measured run (its training is timed
# apart); the library programs run without a cache, as a service embedding the library would.
#
# Then, where each build's RSS goes: one run of each idle JVM, lib1 and signals with -XX:NativeMemoryTracking=summary,
# `jcmd PID VM.native_memory summary` at armed (committed KB per category), and the perf ring mappings' RSS
# from /proc/PID/smaps.
#
# Then loss at attach: the harness's sysload generator at full rate (syscalls:sys_enter_getppid, pinned to CPU
# 0) in chunks of 1M until the consumer is armed, then N_LOSS more; 0.3 s into it the consumer is started,
# pinned to CPU 1, so it attaches while the load runs: each build's
# `./tracepoint stream syscalls:sys_enter_getppid --count-only`, and the C reference consumer; the lost count
# each reports (LOST records) once the load is over, LOSS_REPS times each, interleaved.
#
# Writes benchmarks/results/startup-<date>.md (OUT=...): medians (min-max) per program and build, new/base
# ratios, the NMT breakdown, and the loss table.
#
# Overrides: REPS=5, LOSS_REPS=5, N_LOSS=10000000, SHARED_BENCH=<harness> (default: the folder beside the
# repository, as run-e2e.sh), MVN_ARGS=<extra Maven arguments for both builds, e.g. -Dmaven.repo.local=...>,
# KEEP=1 keeps the work directory.
set -euo pipefail

bench_home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$bench_home/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$repo/../shared/bench}
REPS=${REPS:-5}
LOSS_REPS=${LOSS_REPS:-5}
N_LOSS=${N_LOSS:-10000000}
MVN_ARGS=${MVN_ARGS:-}
stamp=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$bench_home/results/startup-$stamp.md}

[ "$(id -u)" = 0 ] || { echo "run-startup: needs root (system-wide tracepoints)" >&2; exit 1; }
[ -d "$SHARED_BENCH/src" ] || { echo "run-startup: no harness at $SHARED_BENCH (set SHARED_BENCH)" >&2; exit 1; }
base_ref=${1:-$(git -C "$repo" merge-base HEAD main)}
base_commit=$(git -C "$repo" rev-parse --verify "$base_ref^{commit}")
new_commit=$(git -C "$repo" rev-parse HEAD)

work=$(mktemp -d -t tp-startup.XXXXXX)
cleanup() {
    git -C "$repo" worktree remove --force "$work/base" >/dev/null 2>&1 || true
    if [ "${KEEP:-0}" = 1 ]; then echo "run-startup: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

java_home=$("$repo/tracepoint" --java-home)
java=$java_home/bin/java
export JAVA_HOME=$java_home PATH=$java_home/bin:$PATH
# the launcher's options for Maven's own JVM (no JDK warnings about Maven's Unsafe and native access)
export MAVEN_OPTS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow${MAVEN_OPTS:+ $MAVEN_OPTS}"

echo "run-startup: building base $base_commit and new $new_commit ..." >&2
git -C "$repo" worktree add --detach "$work/base" "$base_commit" >/dev/null 2>&1
# shellcheck disable=SC2086
(cd "$work/base" && nice -n 19 mvn -o -q -B -ntp package -DskipTests $MVN_ARGS >"$work/base-build.log" 2>&1) \
    || { cat "$work/base-build.log" >&2; exit 1; }
# shellcheck disable=SC2086
(cd "$repo" && nice -n 19 mvn -o -q -B -ntp package -DskipTests $MVN_ARGS >"$work/new-build.log" 2>&1) \
    || { cat "$work/new-build.log" >&2; exit 1; }
declare -A dir=([base]="$work/base" [new]="$repo")

core_jar() { ls "$1"/tracepoint-core/target/tracepoint-core-*.jar | grep -v -- '-sources\.jar$\|-javadoc\.jar$\|-tests\.jar$\|-cli\.jar$' | head -n 1; }
for v in base new; do
    mkdir -p "$work/probe-$v"
    javac -d "$work/probe-$v" -cp "$(core_jar "${dir[$v]}")" "$bench_home/scripts/StartupProbe.java"
done
cp -r "$SHARED_BENCH" "$work/bench"
make -C "$work/bench" >/dev/null

# the launchers build stale jars and (new) make their start-up cache now, outside the measured runs
train=$work/train.txt
for v in base new; do
    TIMEFORMAT="$v %U %S %R"
    { time "${dir[$v]}/tracepoint" help >/dev/null 2>&1; } 2>>"$train"
done

jvm_flags=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m) # the launcher's
probe_tps() {
    case $1 in
        lib1) echo "signal:signal_generate" ;;
        lib3) echo "signal:signal_generate syscalls:sys_enter_getppid skb:kfree_skb" ;;
        *) echo "" ;;
    esac
}

# measure BUILD PROGRAM: prints "cpu_ms rss_kb" once the program is armed, then kills it; with $after set, runs
# "$after PID" first. PROBE_JVM_OPTS: more JVM options for the probe programs (TRACEPOINT_JAVA_OPTS for the
# launcher's).
measure() {
    local v=$1 p=$2 ready=$work/ready.$RANDOM.$$ log=$work/run.log
    rm -f "$ready"
    case $p in
        idle|lib1|lib3)
            # shellcheck disable=SC2086,SC2046
            "$java" --enable-native-access=ALL-UNNAMED ${PROBE_JVM_OPTS:-} -cp "$(core_jar "${dir[$v]}"):$work/probe-$v" \
                StartupProbe "$ready" $(probe_tps "$p") >"$log" 2>&1 &
            ;;
        idlecli)
            # shellcheck disable=SC2086
            "$java" "${jvm_flags[@]}" ${PROBE_JVM_OPTS:-} -cp "$(core_jar "${dir[$v]}"):$work/probe-$v" StartupProbe \
                "$ready" >"$log" 2>&1 &
            ;;
        signals) "${dir[$v]}/tracepoint" signals --ready "$ready" >"$log" 2>&1 & ;;
        stream) "${dir[$v]}/tracepoint" stream signal:signal_generate --ready "$ready" >"$log" 2>&1 & ;;
    esac
    local pid=$! t=0
    while [ ! -e "$ready" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "run-startup: $v $p exited before it was armed:" >&2; cat "$log" >&2; return 1
        fi
        sleep 0.01
        t=$((t + 1))
        [ "$t" -lt 12000 ] || { echo "run-startup: $v $p not armed within 120 s" >&2; kill -9 "$pid"; return 1; }
    done
    local stat f
    stat=$(cat "/proc/$pid/stat")
    read -r -a f <<<"${stat##*) }"
    local ticks=$((f[11] + f[12])) hz rss
    hz=$(getconf CLK_TCK)
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    if [ -n "${after:-}" ]; then
        "$after" "$pid"
    fi
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$ready"
    echo "$((ticks * 1000 / hz)) $rss"
}

programs="idlecli signals stream idle lib1 lib3"
runs=$work/runs.csv
echo "build,program,rep,cpu_ms,rss_kb" > "$runs"
for rep in $(seq "$REPS"); do
    for v in base new; do
        for p in $programs; do
            out=$(measure "$v" "$p") || exit 1
            read -r cpu rss <<<"$out"
            echo "$v,$p,$rep,$cpu,$rss" >> "$runs"
            echo "run-startup: rep $rep $v $p: cpu=${cpu} ms rss=${rss} kB" >&2
        done
    done
done

# where the RSS goes: NMT at armed, and the rings' mappings
nmt=$work/nmt.csv
echo "build,program,category,committed_kb" > "$nmt"
nmt_dump() {
    local pid=$1
    "$java_home/bin/jcmd" "$pid" VM.native_memory summary 2>/dev/null \
        | sed -nE 's/^-[[:space:]]+([A-Za-z][A-Za-z ]*[a-z]) \(reserved=[0-9]+KB, committed=([0-9]+)KB.*/\1,\2/p' \
        | sed "s/^/$cur,/" >> "$nmt"
    # the rings: mapped (Size), and in RSS (Rss: none, the kernel maps its own pages, locked)
    local rings
    rings=$(awk '/perf_event/ {m=1; next} /^[0-9a-f]+-[0-9a-f]+ / {m=0} m && /^Size:/ {z+=$2} m && /^Rss:/ {s+=$2}
        END {print z+0, s+0}' "/proc/$pid/smaps")
    echo "$cur,perf ring mappings (smaps Size),${rings% *}" >> "$nmt"
    echo "$cur,perf ring mappings (smaps Rss),${rings#* }" >> "$nmt"
    local rss heap
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    echo "$cur,RSS (VmRSS),$rss" >> "$nmt"
    heap=$("$java_home/bin/jcmd" "$pid" GC.heap_info 2>/dev/null | grep -m1 -oE 'used [0-9]+K' | grep -oE '[0-9]+')
    echo "$cur,Java heap in use (GC.heap_info),${heap:-0}" >> "$nmt"
}
for v in base new; do
    for p in idlecli signals idle lib1; do
        cur="$v,$p"
        TRACEPOINT_JAVA_OPTS=-XX:NativeMemoryTracking=summary PROBE_JVM_OPTS=-XX:NativeMemoryTracking=summary \
            after=nmt_dump measure "$v" "$p" >/dev/null
    done
done

# loss at attach: consumers started 0.3 s into a full-rate load
loss=$work/loss.csv
echo "consumer,rep,samples,lost" > "$loss"
attach_under_load() { # label command... (the ready file is appended)
    local label=$1; shift
    local ready=$work/loss-ready out=$work/loss.out
    rm -f "$ready"
    # full rate from before the consumer starts until it is armed (chunks of 1M, about 0.1 s each while no one
    # traces them), then N_LOSS more: the consumer attaches in the middle of the load
    taskset -c 0 bash -c 'for i in $(seq 600); do [ -e "$1" ] && break; "$2" 1000000; done; "$2" "$3"' _ \
        "$ready" "$work/bench/build/sysload" "$N_LOSS" >/dev/null &
    local gen=$!
    sleep 0.3
    taskset -c 1 "$@" "$ready" >"$out" 2>"$work/loss.err" &
    local pid=$!
    wait "$gen"
    sleep 0.5
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local samples lost
    samples=$(grep -oE 'samples=[0-9]+' "$out" | head -1 | cut -d= -f2)
    lost=$(grep -oE '(^| )lost=[0-9]+' "$out" | head -1 | cut -d= -f2)
    echo "$label,$rep,${samples:-},${lost:-}" >> "$loss"
    echo "run-startup: loss rep $rep $label: samples=${samples:-?} lost=${lost:-?}" >&2
}
for rep in $(seq "$LOSS_REPS"); do
    attach_under_load ref "$work/bench/build/refconsumer" -q -e syscalls:sys_enter_getppid -r
    for v in base new; do
        attach_under_load "$v" "${dir[$v]}/tracepoint" stream syscalls:sys_enter_getppid --count-only --ready
    done
done

mkdir -p "$(dirname "$OUT")"
python3 - "$runs" "$nmt" "$loss" "$train" "$base_commit" "$new_commit" "$REPS" "$N_LOSS" > "$OUT" <<'PY'
import csv, statistics, sys, subprocess, platform, os
runs, nmt, loss, train, base, new, reps, nloss = sys.argv[1:9]
rows = list(csv.DictReader(open(runs)))
def vals(b, p, k):
    return [int(r[k]) for r in rows if r['build'] == b and r['program'] == p]
def med(x):
    return statistics.median(x) if x else float('nan')
def fmt_s(ms):
    return "%.2f" % (ms / 1000)
def rng(x, f):
    return "%s (%s-%s)" % (f(med(x)), f(min(x)), f(max(x))) if x else "-"
print("# Start-up: CPU to armed, RSS, loss at attach")
print()
print("Measured %s with `benchmarks/scripts/run-startup.sh` (%s repetitions, base and new interleaved)." % (
    subprocess.run(['date', '-Is'], capture_output=True, text=True).stdout.strip(), reps))
print()
print("- base: `%s` (%s)" % (base[:12], subprocess.run(['git', 'log', '-1', '--format=%s', base], capture_output=True, text=True).stdout.strip()))
print("- new: `%s` (%s)" % (new[:12], subprocess.run(['git', 'log', '-1', '--format=%s', new], capture_output=True, text=True).stdout.strip()))
cpu = open('/proc/cpuinfo').read().split('model name')[1].split('\n')[0].split(':', 1)[1].strip()
print("- machine: %s, %d CPUs online, kernel %s" % (cpu, os.cpu_count(), platform.release()))
jv = subprocess.run([os.environ['JAVA_HOME'] + '/bin/java', '-version'], capture_output=True, text=True).stderr.split('\n')[0]
print("- JDK: %s" % jv)
print()
print("CPU is utime+stime of the process at the moment it is armed (its ready file appears), from JVM start;")
print("RSS is VmRSS then, minus the median of the idle JVM with the same flags and build: the launcher's")
print("(`-XX:+UseSerialGC -Xms32m`) for its commands, the JVM's defaults (G1) for the library programs. The launcher")
print("commands of the new build run from its start-up cache; the library programs have none.")
print()
labels = {'idlecli': 'idle JVM, launcher flags', 'signals': '`./tracepoint signals`',
          'stream': '`./tracepoint stream signal:signal_generate`', 'idle': 'idle JVM, default flags',
          'lib1': 'library program, 1 stream', 'lib3': 'library program, 3 streams'}
baseline = {'signals': 'idlecli', 'stream': 'idlecli', 'lib1': 'idle', 'lib3': 'idle'}
print("| program | CPU to armed, base (s) | new (s) | new/base | RSS above idle, base (MB) | new (MB) | new/base |")
print("|---|---|---|---|---|---|---|")
for p in ('idlecli', 'signals', 'stream', 'idle', 'lib1', 'lib3'):
    cb, cn = vals('base', p, 'cpu_ms'), vals('new', p, 'cpu_ms')
    rb, rn = vals('base', p, 'rss_kb'), vals('new', p, 'rss_kb')
    if p not in baseline:
        rss_b = "%.0f (absolute)" % (med(rb) / 1024)
        rss_n = "%.0f (absolute)" % (med(rn) / 1024)
        rr = "%.2f" % (med(rn) / med(rb))
    else:
        ib, inew = med(vals('base', baseline[p], 'rss_kb')), med(vals('new', baseline[p], 'rss_kb'))
        ab = [(x - ib) / 1024 for x in rb]
        an = [(x - inew) / 1024 for x in rn]
        f = lambda v: "%.0f" % v
        rss_b, rss_n = rng(ab, f), rng(an, f)
        rr = "%.2f" % (med(an) / med(ab)) if med(ab) else "-"
    print("| %s | %s | %s | %.2f | %s | %s | %s |" % (labels[p], rng(cb, fmt_s), rng(cn, fmt_s), med(cn) / med(cb) if med(cb) else 0, rss_b, rss_n, rr))
print()
tr = [l.split() for l in open(train) if l.strip()]
for t in tr:
    if t[0] == 'new':
        print("The new launcher's first run made its start-up cache: %.1f s of CPU (user %s + sys %s, training and cache" % (float(t[1]) + float(t[2]), t[1], t[2]))
        print("creation, children included), %s s wall, once; the base launcher's first run took %s." % (t[3],
              next(("%.1f s of CPU" % (float(x[1]) + float(x[2])) for x in tr if x[0] == 'base'), '-')))
print()
print("## Where the RSS goes (one run each, `-XX:NativeMemoryTracking=summary`, `jcmd PID VM.native_memory summary` at armed)")
print()
nm = list(csv.DictReader(open(nmt)))
cols = [(b, p) for b in ('base', 'new') for p in ('idlecli', 'signals', 'idle', 'lib1')]
present = [c for c in cols if any(r['build'] == c[0] and r['program'] == c[1] for r in nm)]
cats = []
for r in nm:
    if r['category'] not in cats:
        cats.append(r['category'])
def get(b, p, c):
    for r in nm:
        if r['build'] == b and r['program'] == p and r['category'] == c:
            return int(r['committed_kb'])
    return None
print("Committed KB per NMT category; the rows in brackets are from /proc and `jcmd GC.heap_info` (the heap NMT")
print("counts is what is committed, the part of it in RSS is about what is in use: the pages touched).")
print()
print("| category | " + " | ".join("%s %s" % c for c in present) + " |")
print("|---|" + "---|" * len(present))
for c in cats:
    v = [get(b, p, c) for b, p in present]
    if all(x is None or x < 64 for x in v) and '(' not in c:
        continue
    print("| %s | %s |" % (c, " | ".join("-" if x is None else str(x) for x in v)))
print()
print("## Loss at attach (`sysload` at full rate on CPU 0 until the consumer is armed, then %s more; the consumer started 0.3 s into it on CPU 1)" % nloss)
print()
ls = list(csv.DictReader(open(loss)))
print("| consumer | lost per run | samples per run |")
print("|---|---|---|")
names = {'ref': 'C reference consumer', 'base': 'base `stream --count-only`', 'new': 'new `stream --count-only`'}
for c in ('ref', 'base', 'new'):
    rs = [r for r in ls if r['consumer'] == c]
    print("| %s | %s | %s |" % (names[c], ", ".join(r['lost'] or '?' for r in rs), ", ".join(r['samples'] or '?' for r in rs)))
print()
print("Samples are the events delivered from the moment each consumer was armed (the rest of the 1M chunk in")
print("progress, then the %s); lost is what the kernel could not write because the ring was full (LOST records)." % nloss)
print()
print("## Raw")
print()
print("```")
print(open(runs).read().strip())
print("```")
print()
print("```")
print(open(nmt).read().strip())
print("```")
print()
print("```")
print(open(loss).read().strip())
print("```")
PY
echo "run-startup: wrote $OUT" >&2
