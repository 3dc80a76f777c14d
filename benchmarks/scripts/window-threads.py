#!/usr/bin/env python3
"""CPU of each thread of `tracepoint stream --count-only` over a load window, builds interleaved.

    sudo benchmarks/scripts/window-threads.py [--load skb] [-n 3000000] [--rounds 8] LABEL=CLASSPATH ...

Each round runs every build once, in the order given: the stream (pinned to CPU 1, the launcher's JVM flags)
is started, and once it is armed a snapshot of /proc/PID/task/*/schedstat (ns on CPU) is taken; then the
harness's generator (../shared/bench, built with make; pinned to CPU 0) runs, and 0.3 s after it a second
snapshot. The difference, per thread name, is the CPU each thread used for the load: the consumer thread
("java", the main thread: the launcher consumes on it), the JIT compilers, GC. Per-thread accounting
separates a regression in the consumer's own loop from compilation or other threads landing in the window,
which the process total (run-e2e.sh's "window") cannot. Prints one JSON line per run, then medians.

CLASSPATH is the build's jars (library and cli jars of the three modules), ':'-separated.
"""
import argparse, glob, json, os, signal, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
TP = {"skb": "skb:kfree_skb", "sys": "syscalls:sys_enter_getppid", "sig": "signal:signal_generate"}
GEN = {"skb": "skbload", "sys": "sysload", "sig": "sigload"}


def snap(pid):
    d = {}
    for t in glob.glob(f"/proc/{pid}/task/*"):
        try:
            name = open(t + "/comm").read().strip()
            ns = int(open(t + "/schedstat").read().split()[0])
            d[t.rsplit("/", 1)[1]] = (name, ns)
        except OSError:
            pass
    return d


def run(java, cp, load, n, gen):
    ready = tempfile.mktemp(prefix="tp-ready-")
    p = subprocess.Popen(["taskset", "-c", "1", java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xms32m",
                          "-cp", cp, "dev.tracepoint.core.internal.cli.Main", "stream", TP[load], "--count-only",
                          "--pages", "128", "--ready", ready], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not os.path.exists(ready):
        time.sleep(0.01)
        if p.poll() is not None:
            sys.exit("stream failed: " + p.stderr.read())
    time.sleep(0.2)
    a = snap(p.pid)
    subprocess.run(["taskset", "-c", "0", gen, str(n)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    b = snap(p.pid)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate()
    os.unlink(ready)
    threads = {}
    for tid, (name, ns) in b.items():
        key = name[:2] if name.startswith(("C1 Comp", "C2 Comp")) else name
        threads[key] = threads.get(key, 0) + (ns - a.get(tid, (name, 0))[1]) / 1e6
    lost = int(out.split("lost=")[1].split()[0]) if "lost=" in out else -1
    return {k: round(v, 2) for k, v in threads.items() if v > 0}, lost


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--load", default="skb", choices=sorted(TP))
    ap.add_argument("-n", type=int, default=3_000_000)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--bench", default=os.environ.get("SHARED_BENCH", os.path.join(repo, "..", "shared", "bench")))
    ap.add_argument("builds", nargs="+", help="LABEL=CLASSPATH")
    args = ap.parse_args()
    java = os.path.join(subprocess.check_output([os.path.join(repo, "tracepoint"), "--java-home"], text=True).strip(), "bin", "java")
    work = tempfile.mkdtemp(prefix="tp-window-")
    subprocess.run(["cp", "-r", args.bench, work + "/bench"], check=True)
    subprocess.run(["make", "-C", work + "/bench"], check=True, stdout=subprocess.DEVNULL)
    gen = os.path.join(work, "bench", "build", GEN[args.load])
    builds = [b.split("=", 1) for b in args.builds]
    results = {label: [] for label, _ in builds}
    for r in range(args.rounds):
        for label, cp in builds:
            threads, lost = run(java, cp, args.load, args.n, gen)
            consumer = max(threads.items(), key=lambda kv: kv[1])[0]
            results[label].append((threads.get("java", threads[consumer]), sum(threads.values()), lost))
            print(json.dumps({"round": r + 1, "build": label, "lost": lost, "threads_ms": threads}), flush=True)
    print(f"\n{args.load}, {args.n} events, {args.rounds} rounds: ms of CPU over the load window, median (min-max)")
    base = None
    for label, _ in builds:
        c = [x[0] for x in results[label]]
        t = [x[1] for x in results[label]]
        base = base or (statistics.median(c), statistics.median(t))
        print(f"  {label}: consumer {statistics.median(c):.1f} ({min(c):.1f}-{max(c):.1f}), all threads "
              f"{statistics.median(t):.1f} ({min(t):.1f}-{max(t):.1f}), x first: {statistics.median(c) / base[0]:.2f} / "
              f"{statistics.median(t) / base[1]:.2f}, lost {sum(x[2] for x in results[label])}")


if __name__ == "__main__":
    main()
