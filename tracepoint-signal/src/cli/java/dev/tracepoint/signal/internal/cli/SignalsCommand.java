package dev.tracepoint.signal.internal.cli;

import dev.tracepoint.core.internal.cli.Args;
import dev.tracepoint.core.internal.cli.Command;
import dev.tracepoint.core.internal.cli.CpuNotices;
import dev.tracepoint.core.internal.cli.JfrFile;
import dev.tracepoint.core.internal.cli.ScopeOptions;
import dev.tracepoint.core.internal.cli.Shutdown;
import dev.tracepoint.core.internal.cli.UsageException;
import dev.tracepoint.signal.FailedKill;
import dev.tracepoint.signal.SignalDeliverRecord;
import dev.tracepoint.signal.SignalGenerateRecord;
import dev.tracepoint.signal.SignalMonitor;
import dev.tracepoint.signal.SignalMonitorBuilder;
import dev.tracepoint.signal.SignalSummary;
import dev.tracepoint.signal.Signals;
import dev.tracepoint.signal.internal.KernelFilter;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * {@code tracepoint signals}: the signal monitor. A line (or JSON object) per signal, or with
 * {@code --summary N} a table of counts per (signal, sender, target) every N seconds. A thin layer over
 * {@link SignalMonitor}.
 */
public final class SignalsCommand implements Command {

    private static final int DEFAULT_TOP = 20;

    /** Creates the command (the launcher finds it through {@link java.util.ServiceLoader}). */
    public SignalsCommand() {
    }

    @Override
    public String name() {
        return "signals";
    }

    @Override
    public String summary() {
        return "who sends which signal to whom: senders named, kernel-side filters, per-sender summaries";
    }

    @Override
    public String usage() {
        return """
                usage: tracepoint signals [options]
                  Prints a line per signal sent on this machine, e.g.
                    SIGKILL  bash(4242) uid=0 -> nginx(1337)  code=SI_USER result=DELIVERED
                  The sender is the process that was running when the signal was generated (for timer and
                  other interrupt-context signals, whichever task was interrupted).

                  --signal LIST        only these signals: names or numbers, comma-separated, repeatable
                                       (KILL,TERM  SIGUSR1  9  RTMIN+2: realtime signals in kernel numbering,
                                       SIGRTMIN = 32, so glibc's SIGRTMIN is RTMIN+2)
                  --exclude LIST       not these signals (e.g. --exclude CHLD)
                  --target-pid LIST    only signals to these pids
                  --target LIST        only signals to processes of these names (comm, at most 15 characters)
                  --sender-pid LIST    only signals sent by these processes (pids)
                  --sender LIST        only signals sent by processes of these names
                  --failed             only signals the kernel did not deliver (ignored, already pending, ...)
                  --deliver            also show signal_deliver: a target dequeuing a signal to handle it
                  --failed-kills       also show kill-family system calls that failed (kill, tkill, tgkill,
                                       rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal): no signal is
                                       generated for those, e.g.
                                         SIGKILL  bash(567) uid=1000 -> systemd(1)  kill(1, SIGKILL) failed: EPERM
                                       printed as they come, also with --summary; kill(pid, 0) probes are not
                                       shown. Needs the kernel's syscall tracepoints
                  --summary N          instead of a line per signal, every N seconds a table of counts per
                                       (signal, sender, target), top first, with the lost count
                  --top N              rows per summary table (default 20; 0 = all)
                  --json               one JSON object per line: sig, signal, code, code_name, result,
                                       result_name, sender_pid, sender_tid, sender_comm, sender_uid,
                                       target_pid, target_comm, time_ns, cpu, ... (summaries too)
                  --time               prefix each line with the wall-clock time
                  --duration S         stop after S seconds
                  --pages N            data pages per CPU ring (power of two, default 64)
                  --warm-up            warm the decode path up before enabling the events, for a flood of
                                       signals from the first one on (costs about 1 s of CPU at the start;
                                       off by default: signals come a few a second)
                  --ready FILE         create FILE once the monitor is attached
                  --jfr FILE           also write a JFR recording to FILE on exit: a tracepoint.signal.Signal
                                       event per signal (with --failed-kills, tracepoint.signal.FailedKill
                                       per failed call); jfr print --events 'tracepoint.*' FILE reads it
                """ + ScopeOptions.HELP + """
                                       (for signals: those its tasks send, and with --deliver those they handle)
                Signal, target and --failed filters run in the kernel: excluded signals never reach this
                process. On exit (duration, Ctrl-C or SIGTERM) the totals are printed: on stdout with
                --summary, else on stderr. Needs root (or CAP_PERFMON and read access to tracefs).""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, Set.of("json", "failed", "deliver", "time", "failed-kills", "warm-up"),
                Set.of("signal", "exclude", "target-pid", "target", "sender-pid", "sender", "summary", "top",
                        "duration", "pages", "ready", "jfr", ScopeOptions.PID, ScopeOptions.CGROUP));
        if (!args.positional().isEmpty()) {
            throw new UsageException("signals takes no positional arguments, got " + args.positional());
        }
        boolean json = args.has("json");
        boolean deliver = args.has("deliver");
        boolean failedKills = args.has("failed-kills");
        boolean withTime = args.has("time");
        double summaryEvery = args.getSeconds("summary", 0);
        double duration = args.getSeconds("duration", 0);
        long top = args.getLong("top", DEFAULT_TOP);
        if (top < 0) {
            throw new UsageException("--top needs a count >= 0, got " + top);
        }
        long pages = args.getLong("pages", 64);
        if (pages < 1 || pages > (1 << 20) || Long.bitCount(pages) != 1) {
            throw new UsageException("--pages must be a power of two, got " + pages);
        }
        ScopeOptions scope = ScopeOptions.of(args);

        PrintStream sink = out == System.out
                ? new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8)
                : out;
        Object printLock = new Object();
        long[] wallClock = new long[1];
        StringBuilder line = new StringBuilder(256);

        SignalMonitorBuilder b = SignalMonitor.builder().ringPages((int) pages).aggregate(true).deliveries(deliver)
                .warmUp(args.has("warm-up")).onCpu(new CpuNotices(err));
        try {
            b.signals(signals(args.list("signal"), "--signal"));
            b.exclude(signals(args.list("exclude"), "--exclude"));
            b.targetPids(pids(args.list("target-pid"), "--target-pid", 1));
            b.senderPids(pids(args.list("sender-pid"), "--sender-pid", 0));
            b.targetComms(comms(args.list("target"), "--target", err));
            b.senderComms(comms(args.list("sender"), "--sender", err));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        b.failedOnly(args.has("failed"));
        JfrFile jfr = null;
        if (args.has("jfr")) {
            b.jfr(true);
            jfr = new JfrFile(Path.of(args.get("jfr", null)), List.of("tracepoint.signal.Signal", "tracepoint.signal.FailedKill"));
        }
        JfrFile recording = jfr;
        if (scope.pid() > 0) {
            b.process(scope.pid());
        } else if (scope.cgroup() != null) {
            b.cgroup(scope.cgroup());
        }
        EventPrinter printer = new EventPrinter(printLock, line, sink, json, withTime, wallClock);
        if (failedKills) {
            b.onFailedKill(printer.of(SignalText::json, SignalText::line, FailedKill::timeNanos));
        }
        if (summaryEvery == 0) {
            b.onSignal(printer.of(SignalText::json, SignalText::line, SignalGenerateRecord::timeNanos));
            if (deliver) {
                b.onDeliver(printer.of(SignalText::json, SignalText::line, SignalDeliverRecord::timeNanos));
            }
        }
        b.onFlush(() -> {
            synchronized (printLock) {
                sink.flush();
            }
        });

        SignalMonitor monitor;
        try {
            monitor = b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        boolean[] finished = new boolean[1];
        Shutdown shutdown = new Shutdown(monitor::close, () -> {
            if (recording != null) {
                recording.stop(err);
            }
            synchronized (printLock) {
                finished[0] = true;
                SignalSummary total = monitor.totalSummary((int) top);
                String failedLine = failedKills ? "--- " + monitor.failedKillCount() + " failed kill calls\n" : "";
                if (summaryEvery > 0) {
                    print(sink, total, "total over " + seconds(total.durationNanos()), json, true, monitor.eventCount());
                    if (!json) {
                        sink.append(failedLine);
                    }
                    sink.flush();
                } else {
                    sink.flush();
                    StringBuilder sb = new StringBuilder();
                    SignalText.table(sb, "total over " + seconds(total.durationNanos()), total, monitor.eventCount());
                    err.print(sb.append(failedLine));
                    err.flush();
                }
            }
        });
        monitor.open();
        wallClock[0] = monitor.wallClockOffsetNanos();
        if (args.has("ready")) {
            Files.writeString(Path.of(args.get("ready", null)), "ready\n");
        }
        shutdown.install();
        if (duration > 0) {
            Shutdown.after(duration, monitor::close);
        }
        if (summaryEvery > 0) {
            Shutdown.every("tracepoint-summary", summaryEvery, monitor::isClosed, () -> {
                synchronized (printLock) {
                    if (finished[0] || monitor.isClosed()) {
                        return;
                    }
                    SignalSummary s = monitor.takeSummary((int) top);
                    print(sink, s, "last " + seconds(s.durationNanos()), json, false, -1);
                    sink.flush();
                }
            });
        }
        monitor.start();
        shutdown.finish();
        return 0;
    }

    private static void print(PrintStream sink, SignalSummary s, String title, boolean json, boolean isFinal, long kernel) {
        StringBuilder sb = new StringBuilder(1024);
        if (json) {
            SignalText.json(sb, s, isFinal, kernel).append('\n');
        } else {
            SignalText.table(sb, title, s, kernel);
        }
        sink.append(sb);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }



    private static int[] signals(List<String> values, String option) throws UsageException {
        List<String> names = values;
        int[] sigs = new int[names.size()];
        for (int i = 0; i < sigs.length; i++) {
            try {
                sigs[i] = Signals.number(names.get(i));
            } catch (IllegalArgumentException e) {
                throw new UsageException(option + ": " + e.getMessage());
            }
        }
        return sigs;
    }

    private static int[] pids(List<String> values, String option, int min) throws UsageException {
        List<String> parts = values;
        int[] pids = new int[parts.size()];
        for (int i = 0; i < pids.length; i++) {
            try {
                pids[i] = Integer.parseInt(parts.get(i));
            } catch (NumberFormatException e) {
                pids[i] = -1;
            }
            if (pids[i] < min) {
                throw new UsageException(option + " needs process ids, got '" + parts.get(i) + "'");
            }
        }
        return pids;
    }

    private static String[] comms(List<String> values, String option, PrintStream err) throws UsageException {
        List<String> names = values;
        for (String n : names) {
            try {
                KernelFilter.checkComm(n);
            } catch (IllegalArgumentException e) {
                throw new UsageException(option + ": " + e.getMessage());
            }
            if (n.length() > KernelFilter.COMM_MAX) {
                err.println("tracepoint signals: note: the kernel keeps " + KernelFilter.COMM_MAX + " characters of a process name; "
                        + option + " " + n + " matches '" + n.substring(0, KernelFilter.COMM_MAX) + "'");
            }
        }
        return names.toArray(new String[0]);
    }

    /** Prints one event a line, as text or JSON, under the lock the summaries print under too. */
    private record EventPrinter(Object lock, StringBuilder line, PrintStream sink, boolean json, boolean withTime,
                                long[] wallClock) {
        <E> Consumer<E> of(BiConsumer<StringBuilder, E> asJson, BiConsumer<StringBuilder, E> asText, ToLongFunction<E> time) {
            return e -> {
                synchronized (lock) {
                    line.setLength(0);
                    if (json) {
                        asJson.accept(line, e);
                    } else {
                        if (withTime) {
                            SignalText.time(line, time.applyAsLong(e), wallClock[0]);
                        }
                        asText.accept(line, e);
                    }
                    sink.append(line).append('\n');
                }
            };
        }
    }
}
