package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventBatch;
import dev.tracepoint.core.FlightSnapshot;
import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.TracepointStreamBuilder;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code tracepoint stream EVENT...}: live events as text or JSON lines, each named by the task that was
 * running ({@link Comms}); {@code --summary} counts per tracepoint and process instead ({@link StreamSummary});
 * {@code --count-only} is the benchmark harness's consumer (decodes each event's first payload field, prints
 * nothing per event); {@code --flight} is a flight recorder that prints the newest events on SIGUSR2 and on exit;
 * {@code --pid}, {@code --cgroup} and {@code -- CMD} scope it to a process, a cgroup, or a command it starts.
 */
final class StreamCommand implements Command {

    @Override
    public String name() {
        return "stream";
    }

    @Override
    public String summary() {
        return "stream live events of one or more tracepoints as text or JSON lines";
    }

    @Override
    public String usage() {
        return """
                usage: tracepoint stream EVENT... [options] [-- CMD [ARGS...]]
                  Prints a line per event, like perf script:
                    TIME [CPU] COMM PID/TID EVENT: FIELDS
                  where COMM names the thread that was running, from the kernel's task records and /proc
                  (<...>: it exited before it was named; --ordered reads the records in time order, so
                  short-lived tasks are named too; --flight names from /proc alone, when it prints).
                  EVENT                system:event, e.g. signal:signal_generate (tracepoint list GLOB finds them),
                                       or a PROBE (below)
                  -- CMD [ARGS...]     run CMD and stream only its events and those of every task it creates:
                                       the events are enabled before CMD starts (it waits, stopped, before its
                                       exec); the stream stops when CMD exits, and exits with CMD's status
                                       (if the stream stops first, by --duration or --count, CMD gets SIGTERM)
                  --filter EVENT=EXPR  kernel-side filter for EVENT (ftrace syntax, e.g. 'sig == 9'); repeatable
                  --json               one JSON object per event: event, cpu, pid, tid, comm, time_ns, fields,
                                       symbols
                  --summary            instead of a line per event, counts: per tracepoint (with its rate) and
                                       per (tracepoint, process), top first, printed on exit (duration, Ctrl-C
                                       or SIGTERM) and, with --interval, every S seconds; --json prints each
                                       table as one object (event, final, duration_ms, events, lost,
                                       tracepoints, processes)
                  --interval S         with --summary: also print the counts of every S seconds
                  --top N              with --summary: process rows per table (default 10; 0 = all)
                  --duration S         stop after S seconds
                  --count N            stop after N events
                  --pages N            data pages per CPU ring (power of two, default 128)
                  --ordered MS         deliver in time order across CPUs, waiting up to MS milliseconds
                                       for a late record (see TracepointStreamBuilder.ordered); the exit
                                       line then also says late=N early=N
                  --count-only         print nothing per event (each event's first field is still decoded);
                                       on exit print samples=N lost=N on stdout, and on stderr the sum of
                                       the decoded fields and the CPU seconds used since the events were
                                       enabled (cpu_s_since_ready=, consumer_cpu_s_since_ready=)
                  --flight             flight recorder: each CPU's ring keeps its newest events (the kernel
                                       overwrites the oldest) and nothing is read until asked. SIGUSR2
                                       prints the events the rings hold that no snapshot printed yet,
                                       oldest first, then on stderr 'snapshot N: events=N records=N torn=N
                                       overwritten_bytes=N lost=N paused_us=N per_cpu=CPU:N,...'; exit
                                       (duration, Ctrl-C or SIGTERM) prints a last snapshot. --pages sets
                                       how much each CPU keeps (a signal_generate event is 88 bytes)
                  --no-warm-up         enable the events without warming the decode path up first: starts with
                                       less CPU (about a third), but a burst at full rate right after the start
                                       may lose events while the JIT compiles (see TracepointStreamBuilder.warmUp)
                  --ready FILE         create FILE once the events are enabled
                """ + ProbeSpec.HELP + ScopeOptions.HELP + """
                Once the events are enabled it says so on stderr. On exit (duration, count, Ctrl-C or SIGTERM) it
                prints events=N lost=N to stderr.""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, Set.of("json", "count-only", "flight", "summary", "no-warm-up"),
                Set.of("filter", "duration", "count", "pages", "ready", "ordered", "interval", "top",
                        ScopeOptions.PID, ScopeOptions.CGROUP));
        List<String> tracepoints = args.beforeDashes();
        if (tracepoints.isEmpty()) {
            throw new UsageException("stream needs at least one tracepoint");
        }
        ScopeOptions scope = ScopeOptions.of(args);
        List<String> command = args.afterDashes();
        if (args.hasDashes() && command.isEmpty()) {
            throw new UsageException("-- needs a command to run");
        }
        if (!command.isEmpty() && scope.given()) {
            throw new UsageException("-- CMD scopes the stream to the command: it takes no --pid or --cgroup");
        }
        long count = args.getLong("count", 0);
        double duration = args.getSeconds("duration", 0);
        long pages = args.getLong("pages", 128);
        if (pages < 1 || pages > (1 << 20) || Long.bitCount(pages) != 1) {
            throw new UsageException("--pages must be a power of two, got " + pages);
        }
        boolean json = args.has("json");
        boolean countOnly = args.has("count-only");
        boolean flight = args.has("flight");
        if (flight && (countOnly || count > 0)) {
            throw new UsageException("--flight prints what each snapshot holds; it does not take " + (countOnly ? "--count-only" : "--count"));
        }
        long lateness = args.getLong("ordered", 0);
        if (args.has("ordered") && lateness < 1) {
            throw new UsageException("--ordered takes a lateness of 1 ms or more, got " + lateness);
        }
        if (flight && lateness > 0) {
            throw new UsageException("--flight snapshots are already in time order across CPUs; it does not take --ordered");
        }
        boolean summary = args.has("summary");
        if (summary && (countOnly || flight || count > 0)) {
            throw new UsageException("--summary counts until stopped (--duration, Ctrl-C); it does not take "
                    + (countOnly ? "--count-only" : flight ? "--flight" : "--count"));
        }
        if (!summary && (args.has("interval") || args.has("top"))) {
            throw new UsageException((args.has("interval") ? "--interval" : "--top") + " goes with --summary");
        }
        double interval = args.getSeconds("interval", 0);
        long top = args.getLong("top", 10);
        if (top < 0) {
            throw new UsageException("--top needs a count >= 0, got " + top);
        }

        TracepointStreamBuilder builder = TracepointStream.builder().ringPages((int) pages).flightRecorder(flight)
                .warmUp(!args.has("no-warm-up"));
        if (lateness > 0) {
            builder.ordered(java.time.Duration.ofMillis(lateness));
        }
        if (scope.pid() > 0) {
            builder.process(scope.pid());
        } else if (scope.cgroup() != null) {
            builder.cgroup(scope.cgroup());
        }
        // started last, stopped before its exec; ended when this JVM exits, should it exit before resuming it
        StoppedCommand cmd = command.isEmpty() ? null : StoppedCommand.start(command);
        if (cmd != null) {
            builder.process(cmd.pid()); // one thread, stopped: its events open before it runs, and are inherited
        }
        // the modes that name tasks follow the kernel's task records; --count-only stays the bare consumer, and a
        // flight recorder keeps its rings for the events asked for (names then come from /proc when printed)
        Comms comms = countOnly ? null : new Comms();
        if (comms != null && !flight) {
            builder.onTask(comms);
        }
        TracepointStream stream = builder.build();
        stream.onCpu(new CpuNotices(err));
        for (String f : args.all("filter")) {
            int eq = f.indexOf('=');
            if (eq <= 0 || f.charAt(eq + 1) == '=') {
                throw new UsageException("--filter needs EVENT=EXPR, got '" + f + "'");
            }
            stream.enable(f.substring(0, eq)).filter(f.substring(eq + 1));
        }
        PrintStream sink = out == System.out
                ? new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8)
                : out;
        long[] seen = new long[1];
        StringBuilder line = new StringBuilder(256);
        CountOnly counter = countOnly ? new CountOnly() : null;
        List<EventFormat> enabled = new ArrayList<>();
        List<Subscription> subs = new ArrayList<>();
        for (String tp : tracepoints) {
            if (ProbeSpec.isProbe(tp)) {
                subs.addAll(ProbeSpec.parse(tp).enable(stream)); // defined now, removed when the stream closes
            } else {
                subs.add(stream.enable(tp));
            }
        }
        for (Subscription sub : subs) {
            if (!enabled.contains(sub.format())) {
                enabled.add(sub.format());
            }
            if (countOnly) {
                counter.add(sub.format());
            } else if (!summary) {
                sub.onEvent(e -> {
                    line.setLength(0);
                    String comm = comms.name(e.pid(), e.tid());
                    if (json) {
                        EventJson.append(line, e, comm);
                    } else {
                        text(line, e, comm);
                    }
                    sink.append(line).append('\n');
                    if (++seen[0] == count) {
                        stream.close();
                    }
                });
            }
        }
        if (countOnly) {
            stream.onBatch(counter);
        }
        StreamSummary counts = summary ? new StreamSummary(enabled, comms) : null;
        if (summary) {
            stream.onBatch(counts);
        }
        Object printLock = new Object();
        boolean[] finished = new boolean[1];
        if (countOnly && count > 0) {
            throw new UsageException("--count-only counts until stopped; it does not take --count");
        }
        if (!countOnly && !summary) {
            // the printed lines, after each pass; --count-only and --summary print (and flush) their own. A flush
            // action is a call per wake-up, interpreted until it has run a few hundred times
            stream.onFlush(sink::flush);
        }
        // --count-only also reports the CPU it used from the moment the events were enabled: the whole process
        // (consumer, JIT and GC threads) and the consumer thread alone, so that a benchmark can separate the
        // steady-state cost per event from JVM start-up (which the harness can only subtract as a median).
        long[] cpuAtReady = {-1, -1};
        String[] consumerTask = {null};
        int[] taken = {0};
        Runnable snapshot = () -> printSnapshot(stream, sink, err, taken);
        Runnable close = flight ? () -> {
            snapshot.run();
            stream.close();
        } : stream::close;
        Runnable stop = cmd == null ? close : () -> {
            close.run();
            cmd.terminate(); // ending the stream (SIGTERM, --duration) ends the command
        };
        Shutdown shutdown = new Shutdown(stop, () -> {
            if (summary) {
                synchronized (printLock) {
                    finished[0] = true;
                    counts.take(System.nanoTime(), stream.lostCount());
                    printSummary(sink, counts.total(System.nanoTime(), stream.lostCount()), true, json, (int) top);
                }
            }
            sink.flush();
            if (countOnly) {
                out.println("samples=" + stream.eventCount() + " lost=" + stream.lostCount());
                out.flush();
                // on stderr: stdout is the harness's contract, exactly samples=N lost=N
                StringBuilder sb = new StringBuilder(128).append("field_sum=").append(counter.sum);
                long proc = cpuTicks("/proc/self/stat");
                long cons = consumerTask[0] == null ? -1 : cpuTicks("/proc/self/task/" + consumerTask[0] + "/stat");
                if (proc >= 0 && cpuAtReady[0] >= 0) {
                    sb.append(" cpu_s_since_ready=").append(seconds(proc - cpuAtReady[0]));
                }
                if (cons >= 0 && cpuAtReady[1] >= 0) {
                    sb.append(" consumer_cpu_s_since_ready=").append(seconds(cons - cpuAtReady[1]));
                }
                err.println(sb);
            }
            err.println("events=" + stream.eventCount() + " lost=" + stream.lostCount()
                    + (lateness > 0 ? " late=" + stream.lateCount() + " early=" + stream.earlyCount() : ""));
            err.flush();
        });
        stream.open();
        if (countOnly) {
            consumerTask[0] = currentTask(); // start() below runs the consumer loop on this thread
            cpuAtReady[0] = cpuTicks("/proc/self/stat");
            cpuAtReady[1] = consumerTask[0] == null ? -1 : cpuTicks("/proc/self/task/" + consumerTask[0] + "/stat");
        }
        if (comms != null) {
            comms.seed(); // the tasks that run already; the consumer has not started, so this thread may write
        }
        if (summary) {
            counts.start(System.nanoTime());
        }
        if (flight) {
            Shutdown.on("USR2", snapshot); // before --ready: a SIGUSR2 without a handler ends the JVM
            err.println("flight recorder armed on " + stream.cpus().length + " CPUs, " + pages
                    + " pages each: SIGUSR2 prints a snapshot; Ctrl-C or SIGTERM prints a last one and exits");
        } else {
            int n = enabled.size();
            int cpus = stream.cpus().length;
            err.println("tracepoint stream: attached to " + n + (n == 1 ? " tracepoint" : " tracepoints") + " on " + cpus
                    + (cpus == 1 ? " CPU" : " CPUs") + "; " + (duration > 0 ? "stops after " + duration + " s or on Ctrl-C" : "Ctrl-C to stop"));
        }
        err.flush();
        if (args.has("ready")) {
            Files.writeString(Path.of(args.get("ready", null)), "ready\n");
        }
        shutdown.install();
        if (duration > 0) {
            Shutdown.after(duration, stop);
        }
        if (summary && interval > 0) {
            Shutdown.every("tracepoint-summary", interval, stream::isClosed, () -> {
                synchronized (printLock) {
                    if (finished[0] || stream.isClosed()) {
                        return;
                    }
                    printSummary(sink, counts.take(System.nanoTime(), stream.lostCount()), false, json, (int) top);
                }
            });
        }
        if (cmd != null) {
            Thread ended = new Thread(() -> { // the command's exit ends the stream
                try {
                    cmd.waitFor();
                } catch (InterruptedException e) {
                    return;
                }
                close.run();
            }, "tracepoint-command");
            ended.setDaemon(true);
            ended.start();
            cmd.resume();
        }
        stream.start();
        shutdown.finish();
        if (cmd == null) {
            return 0;
        }
        cmd.terminate();
        int status = cmd.waitFor();
        err.println("command " + cmd.name() + " exited with status " + status);
        err.flush();
        return status;
    }

    /** {@code --summary}: one table, text or JSON, flushed. */
    private static void printSummary(PrintStream sink, StreamSummary.Table t, boolean isFinal, boolean json, int top) {
        StringBuilder sb = new StringBuilder(1024);
        if (json) {
            StreamSummary.json(sb, t, isFinal, top).append('\n');
        } else {
            StreamSummary.text(sb, (isFinal ? "total over " : "last ")
                    + String.format(java.util.Locale.ROOT, "%.1f s", t.durationNanos() / 1e9), t, top);
        }
        sink.append(sb);
        sink.flush();
    }

    /**
     * {@code --flight}: one snapshot, its events printed by the listeners, then its counts on stderr. Snapshots
     * (SIGUSR2, exit) are numbered in {@code taken} and printed one at a time.
     */
    private static void printSnapshot(TracepointStream stream, PrintStream sink, PrintStream err, int[] taken) {
        synchronized (taken) {
            try {
                FlightSnapshot s = stream.snapshot();
                sink.flush();
                err.println("snapshot " + ++taken[0] + ": " + s);
            } catch (IllegalStateException closed) {
                return; // the stream was closed meanwhile: nothing left to take
            } catch (TracepointException e) {
                err.println("tracepoint stream: snapshot failed: " + e.getMessage());
            }
            err.flush();
        }
    }

    /** @return the kernel task id of the calling thread, or null when /proc does not say */
    private static String currentTask() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // "<pid>/task/<tid>"
            return link.substring(link.lastIndexOf('/') + 1);
        } catch (Exception e) {
            return null;
        }
    }

    /** @return utime + stime in clock ticks from a {@code /proc/.../stat} file, or -1 */
    private static long cpuTicks(String statFile) {
        try {
            String stat = Files.readString(Path.of(statFile));
            // the fields after "(comm)": state is field 3, utime 14 and stime 15 (proc(5))
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return -1;
        }
    }

    /** USER_HZ is 100 on every Linux architecture the JDK runs on. */
    private static String seconds(long ticks) {
        return String.format(java.util.Locale.ROOT, "%.2f", ticks / 100.0);
    }

    /**
     * {@code --count-only}: sums each event's first numeric payload field (the work refconsumer does per
     * event) in a batch listener, the library's fastest path; the stream counts the events.
     */
    private static final class CountOnly implements BatchListener {
        private EventFormat[] formats = new EventFormat[0];
        private Field[] firsts = new Field[0];
        long sum;

        void add(EventFormat format) {
            formats = Arrays.copyOf(formats, formats.length + 1);
            firsts = Arrays.copyOf(firsts, firsts.length + 1);
            formats[formats.length - 1] = format;
            firsts[firsts.length - 1] = firstNumeric(format);
        }

        @Override
        public void onBatch(EventBatch batch) {
            EventView v = batch.view();
            EventFormat f0 = formats[0];
            Field first0 = firsts[0];
            long s = sum;
            while (batch.next()) {
                EventFormat f = v.format();
                Field first = f == f0 ? first0 : firstOf(f);
                if (first != null) {
                    s += v.getLong(first);
                }
            }
            sum = s;
        }

        /** A counter of its own, over the same formats: the stream runs its loop before the real events. */
        @Override
        public BatchListener warmUpCopy() {
            CountOnly copy = new CountOnly();
            copy.formats = formats;
            copy.firsts = firsts;
            return copy;
        }

        private Field firstOf(EventFormat f) {
            for (int i = 0; i < formats.length; i++) {
                if (formats[i] == f) {
                    return firsts[i];
                }
            }
            return null;
        }
    }

    private static Field firstNumeric(EventFormat format) {
        for (Field f : format.payloadFields()) {
            if (f.isNumeric()) {
                return f;
            }
        }
        return null;
    }

    /** {@code 1234.567890 [001] bash 4242/4243 signal:signal_generate: sig=9 ...}, like perf script. */
    static void text(StringBuilder sb, EventView e, String comm) {
        long t = e.timeNanos();
        sb.append(t / 1_000_000_000L).append('.');
        String us = Long.toString((t % 1_000_000_000L) / 1000);
        sb.append("000000", 0, 6 - us.length()).append(us);
        sb.append(" [").append(e.cpu() < 10 ? "00" : e.cpu() < 100 ? "0" : "").append(e.cpu()).append("] ");
        sb.append(comm).append(' ').append(e.pid()).append('/').append(e.tid()).append(' ').append(e.tracepoint()).append(": ").append(e);
    }
}
