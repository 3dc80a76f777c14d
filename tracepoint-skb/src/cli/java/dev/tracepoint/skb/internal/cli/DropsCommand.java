package dev.tracepoint.skb.internal.cli;

import dev.tracepoint.core.KernelSymbols;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.internal.cli.Args;
import dev.tracepoint.core.internal.cli.Command;
import dev.tracepoint.core.internal.cli.JfrFile;
import dev.tracepoint.core.internal.cli.CpuNotices;
import dev.tracepoint.core.internal.cli.Json;
import dev.tracepoint.core.internal.cli.ScopeOptions;
import dev.tracepoint.core.internal.cli.Shutdown;
import dev.tracepoint.core.internal.cli.UsageException;
import dev.tracepoint.skb.Drop;
import dev.tracepoint.skb.DropMonitor;
import dev.tracepoint.skb.DropMonitorBuilder;
import dev.tracepoint.skb.DropReasons;
import dev.tracepoint.skb.DropSummary;
import dev.tracepoint.skb.EtherTypes;
import dev.tracepoint.skb.KfreeSkb;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code tracepoint drops}: a dropwatch-like monitor over {@link DropMonitor}. Every interval a table of drop
 * counts per (reason, location), top first; or, with {@code --json}, one JSON object per drop.
 */
public final class DropsCommand implements Command {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** For {@link java.util.ServiceLoader}. */
    public DropsCommand() {
    }

    @Override
    public String name() {
        return "drops";
    }

    @Override
    public String summary() {
        return "packet drops per reason and kernel location (skb:kfree_skb), like dropwatch";
    }

    @Override
    public String usage() {
        return """
                usage: tracepoint drops [options]
                  Counts the packets the kernel drops (skb:kfree_skb), system-wide, per drop reason (named by the
                  running kernel's own table) and location (the dropping function, printed like %pS).
                  --interval S         print a table of the drops of the last S seconds (default 1)
                  --top N              rows per table, largest counts first (default 20; 0 for all)
                  --json               instead of tables, one JSON object per drop: event, reason, reason_name,
                                       location, symbol, protocol, protocol_name, skbaddr, rx_sk, pid, tid,
                                       cpu, time_ns
                  --reason NAME        only drops of this reason: a name of this kernel (NO_SOCKET,
                                       SOCKET_RCVBUFF, ... see --list-reasons) or a number; repeatable or
                                       comma-separated; applied in the kernel (filter reason == N)
                  --protocol P         only drops of this protocol: IPv4, IPv6, ARP, 802.1Q, ... or an
                                       ethertype (0x88cc); repeatable or comma-separated; applied in the kernel
                  --include-consumed   also count consumed packets (skb:consume_skb), as reason CONSUMED;
                                       consume_skb records no reason or protocol, so the filters skip them
                  --duration S         stop after S seconds
                  --pages N            data pages per CPU ring (power of two, default 128)
                  --list-reasons       print this kernel's drop reasons (value and name) and exit
                  --kallsyms FILE      the symbol table for locations (default /proc/kallsyms)
                  --tracefs DIR        the tracefs mount (default: found in /proc/self/mountinfo)
                  --no-warm-up         enable the events without warming the decode path up first: starts with
                                       less CPU, but a flood of drops right after the start may lose some
                                       while the JIT compiles
                  --ready FILE         create FILE once the events are enabled
                  --jfr FILE           also write a JFR recording to FILE on exit: a tracepoint.skb.PacketDrop
                                       event per drop; jfr print --events 'tracepoint.*' FILE reads it
                """ + ScopeOptions.HELP + """
                                       (a drop in softirq context counts for the task it interrupted)
                On exit (duration, Ctrl-C or SIGTERM) the tables mode prints the totals of the whole run; both
                modes print drops=N consumed=N lost=N to stderr. Needs root (or CAP_PERFMON) and tracefs.""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, Set.of("json", "include-consumed", "list-reasons", "no-warm-up"),
                Set.of("interval", "top", "reason", "protocol", "duration", "pages", "kallsyms", "tracefs", "ready", "jfr",
                        ScopeOptions.PID, ScopeOptions.CGROUP));
        if (!args.positional().isEmpty()) {
            throw new UsageException("drops takes no positional arguments, got " + args.positional());
        }
        double interval = args.getSeconds("interval", 1);
        double duration = args.getSeconds("duration", 0);
        long top = args.getLong("top", 20);
        if (top < 0) {
            throw new UsageException("--top needs a number >= 0, got " + top);
        }
        long pages = args.getLong("pages", 128);
        if (pages < 1 || pages > (1 << 20) || Long.bitCount(pages) != 1) {
            throw new UsageException("--pages must be a power of two, got " + pages);
        }
        boolean json = args.has("json");
        ScopeOptions scope = ScopeOptions.of(args);
        List<String> reasons = args.list("reason");
        List<Integer> protocols = new ArrayList<>();
        for (String p : args.list("protocol")) {
            try {
                protocols.add(EtherTypes.parse(p));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--protocol: " + e.getMessage());
            }
        }

        Tracefs tracefs = args.has("tracefs") ? Tracefs.at(Path.of(args.get("tracefs", null))) : Tracefs.locate();
        if (args.has("list-reasons")) {
            return listReasons(tracefs, out);
        }
        KernelSymbols symbols = null; // default: /proc/kallsyms, read once the events are open
        if (args.has("kallsyms")) {
            Path file = Path.of(args.get("kallsyms", null));
            try {
                symbols = KernelSymbols.load(file);
            } catch (IOException e) {
                throw new UsageException("--kallsyms: cannot read " + file + ": " + e);
            }
        }

        PrintStream sink = out == System.out
                ? new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8)
                : out;
        StringBuilder line = new StringBuilder(256);
        StringBuilder scratch = new StringBuilder(96);
        DropMonitorBuilder b = DropMonitor.builder()
                .onCpu(new CpuNotices(err))
                .tracefs(tracefs)
                .ringPages((int) pages)
                .warmUp(!args.has("no-warm-up"))
                .includeConsumed(args.has("include-consumed"))
                .reasons(reasons.toArray(new String[0]))
                .protocols(protocols.stream().mapToInt(Integer::intValue).toArray());
        if (scope.pid() > 0) {
            b.process(scope.pid());
        } else if (scope.cgroup() != null) {
            b.cgroup(scope.cgroup());
        }
        if (symbols != null) {
            b.symbols(symbols);
        }
        JfrFile recording = null;
        if (args.has("jfr")) {
            b.jfr(true);
            recording = new JfrFile(Path.of(args.get("jfr", null)), List.of("tracepoint.skb.PacketDrop"));
        }
        JfrFile jfr = recording;
        if (json) {
            b.onDrop(d -> {
                line.setLength(0);
                appendJson(line, scratch, d);
                sink.append(line).append('\n');
            });
            b.onFlush(sink::flush);
        }
        DropMonitor monitor;
        try {
            monitor = b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }

        Object printLock = new Object();
        Shutdown shutdown = new Shutdown(monitor::close, () -> {
            if (jfr != null) {
                jfr.stop(err);
            }
            synchronized (printLock) {
                sink.flush();
                if (!json) {
                    DropSummary t = monitor.totalSummary(0);
                    printTable(sink, "total", t, (int) top);
                    sink.flush();
                }
                err.println("drops=" + monitor.dropCount() + " consumed=" + monitor.consumedCount() + " lost=" + monitor.lostCount());
                err.flush();
            }
        });
        try {
            monitor.open();
        } catch (TracepointException | RuntimeException e) {
            monitor.close();
            throw e;
        }
        if (args.has("ready")) {
            Files.writeString(Path.of(args.get("ready", null)), "ready\n");
        }
        shutdown.install();
        if (duration > 0) {
            Shutdown.after(duration, monitor::close);
        }
        if (!json) {
            Shutdown.every("tracepoint-drops-table", interval, monitor::isClosed, () -> {
                synchronized (printLock) {
                    if (monitor.isClosed()) {
                        return;
                    }
                    DropSummary s = monitor.takeSummary(0);
                    printTable(sink, LocalTime.now().format(CLOCK), s, (int) top);
                    sink.flush();
                }
            });
        }
        monitor.start();
        shutdown.finish();
        return 0;
    }



    private static int listReasons(Tracefs tracefs, PrintStream out) throws TracepointException {
        EventFormat format = tracefs.format(KfreeSkb.TRACEPOINT);
        DropReasons reasons = DropReasons.of(format);
        if (!reasons.recorded()) {
            out.println("this kernel's skb:kfree_skb records no drop reason (they came with Linux 5.17)");
            return 0;
        }
        if (!reasons.named()) {
            out.println("this kernel's skb:kfree_skb records a reason but its format names none");
            return 0;
        }
        for (Map.Entry<Long, String> e : reasons.asMap().entrySet()) {
            out.printf("%5d  %s%n", e.getKey(), e.getValue());
        }
        out.flush();
        return 0;
    }

    private static String seconds(long nanos) {
        return String.format("%.1f", nanos / 1e9);
    }

    /** A table: a heading line, then COUNT, REASON, LOCATION rows, largest first. */
    static void printTable(PrintStream out, String heading, DropSummary s, int top) {
        StringBuilder h = new StringBuilder(heading).append("  ").append(s.drops()).append(s.drops() == 1 ? " drop" : " drops");
        if (s.consumed() > 0) {
            h.append(", ").append(s.consumed()).append(" consumed");
        }
        h.append(" in ").append(seconds(s.durationNanos())).append(" s, lost ").append(s.lost());
        out.println(h);
        List<DropSummary.Row> rows = top > 0 && s.rows().size() > top ? s.rows().subList(0, top) : s.rows();
        if (rows.isEmpty()) {
            return;
        }
        int width = 6;
        for (DropSummary.Row c : rows) {
            width = Math.max(width, c.reasonName() == null ? 1 : c.reasonName().length());
        }
        out.printf("  %10s  %-" + width + "s  %s%n", "COUNT", "REASON", "LOCATION");
        for (DropSummary.Row c : rows) {
            out.printf("  %10d  %-" + width + "s  %s%n", c.count(), c.reasonName() == null ? "-" : c.reasonName(),
                    c.symbol() == null ? "-" : c.symbol());
        }
        if (rows.size() < s.rows().size()) {
            long rest = 0;
            for (int i = rows.size(); i < s.rows().size(); i++) {
                rest += s.rows().get(i).count();
            }
            out.printf("  %10d  (%d more locations)%n", rest, s.rows().size() - rows.size());
        }
    }

    /** One drop as a JSON object; allocation-free for named reasons and protocols. */
    static void appendJson(StringBuilder sb, StringBuilder scratch, Drop d) {
        sb.append('{');
        Json.key(sb, "event", true);
        Json.string(sb, d.tracepoint());
        Json.key(sb, "reason", false);
        if (d.hasReason()) {
            sb.append(d.reason() & 0xffff_ffffL);
        } else {
            sb.append("null");
        }
        Json.key(sb, "reason_name", false);
        if (d.consumed() || d.hasReason()) {
            scratch.setLength(0);
            Json.string(sb, d.appendReasonName(scratch));
        } else {
            sb.append("null");
        }
        Json.key(sb, "location", false);
        if (d.hasLocation()) {
            scratch.setLength(0);
            Json.string(sb, KernelSymbols.appendHex(scratch, d.location()));
            scratch.setLength(0);
            Json.key(sb, "symbol", false);
            Json.string(sb, d.appendSymbol(scratch));
        } else {
            sb.append("null");
            Json.key(sb, "symbol", false).append("null");
        }
        Json.key(sb, "protocol", false);
        if (d.hasProtocol()) {
            sb.append(d.protocol());
            Json.key(sb, "protocol_name", false);
            scratch.setLength(0);
            Json.string(sb, EtherTypes.append(scratch, d.protocol()));
        } else {
            sb.append("null");
            Json.key(sb, "protocol_name", false).append("null");
        }
        Json.key(sb, "skbaddr", false);
        scratch.setLength(0);
        Json.string(sb, KernelSymbols.appendHex(scratch, d.skbaddr()));
        if (d.hasRxSk()) {
            Json.key(sb, "rx_sk", false);
            scratch.setLength(0);
            Json.string(sb, KernelSymbols.appendHex(scratch, d.rxSk()));
        }
        Json.key(sb, "pid", false).append(d.pid());
        Json.key(sb, "tid", false).append(d.tid());
        Json.key(sb, "cpu", false).append(d.cpu());
        Json.key(sb, "time_ns", false).append(d.timeNanos());
        sb.append('}');
    }
}
