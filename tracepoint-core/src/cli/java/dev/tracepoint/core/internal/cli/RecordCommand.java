package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.TracepointStreamBuilder;
import dev.tracepoint.core.jfr.JfrBridge;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code tracepoint record --jfr FILE EVENT...}: forwards tracepoints into a JFR recording ({@link JfrBridge})
 * and writes it to FILE on exit, for {@code jfr print}, {@code jfr summary} and JDK Mission Control.
 */
final class RecordCommand implements Command {

    @Override
    public String name() {
        return "record";
    }

    @Override
    public String summary() {
        return "record tracepoints into a JDK Flight Recorder file (jfr print, jfr summary, JMC)";
    }

    @Override
    public String usage() {
        return """
                usage: tracepoint record --jfr FILE EVENT... [options]
                  Writes the events of the tracepoints to FILE, a JFR recording, on exit: one event type per
                  tracepoint, named tracepoint.<system>.<event>, its fields those of the kernel's format plus
                  kernelTime (on the JVM's time base), kernelNanos, cpu, currentPid, currentTid and currentComm;
                  with the stream's tracepoint.Statistics every second and tracepoint.Lost for each loss.
                  Read it with: jfr print --events 'tracepoint.*' FILE, jfr summary FILE, or JDK Mission Control.
                  EVENT                system:event, e.g. signal:signal_generate (tracepoint list GLOB finds them)
                  --jfr FILE           the recording to write (required)
                  --filter EVENT=EXPR  kernel-side filter for EVENT (ftrace syntax, e.g. 'sig == 9'); repeatable
                  --duration S         stop after S seconds (else Ctrl-C or SIGTERM)
                  --pages N            data pages per CPU ring (power of two, default 128)
                  --ordered MS         commit in time order across CPUs, waiting up to MS ms for a late record
                  --ready FILE         create FILE once the events are enabled
                """ + ScopeOptions.HELP + """
                On exit it prints events=N lost=N committed=N to stderr, and where the recording went.""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, Set.of(), Set.of("jfr", "filter", "duration", "pages", "ready", "ordered",
                ScopeOptions.PID, ScopeOptions.CGROUP));
        List<String> tracepoints = args.beforeDashes();
        if (tracepoints.isEmpty()) {
            throw new UsageException("record needs at least one tracepoint");
        }
        if (!args.has("jfr")) {
            throw new UsageException("record needs --jfr FILE: the recording to write");
        }
        Path file = Path.of(args.get("jfr", null));
        double duration = args.getSeconds("duration", 0);
        long pages = args.getLong("pages", 128);
        if (pages < 1 || pages > (1 << 20) || Long.bitCount(pages) != 1) {
            throw new UsageException("--pages must be a power of two, got " + pages);
        }
        long lateness = args.getLong("ordered", 0);
        if (args.has("ordered") && lateness < 1) {
            throw new UsageException("--ordered takes a lateness of 1 ms or more, got " + lateness);
        }
        ScopeOptions scope = ScopeOptions.of(args);
        TracepointStreamBuilder builder = TracepointStream.builder().ringPages((int) pages).name("record")
                .threadName("tracepoint-record");
        if (lateness > 0) {
            builder.ordered(java.time.Duration.ofMillis(lateness));
        }
        if (scope.pid() > 0) {
            builder.process(scope.pid());
        } else if (scope.cgroup() != null) {
            builder.cgroup(scope.cgroup());
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
        JfrBridge bridge = JfrBridge.forward(stream, tracepoints);
        List<String> names = new ArrayList<>();
        for (String tp : bridge.tracepoints()) {
            names.add(bridge.eventType(tp).getName());
        }
        JfrFile jfr = new JfrFile(file, names);
        Shutdown shutdown = new Shutdown(stream::close, () -> {
            jfr.stop(err);
            err.println("events=" + stream.eventCount() + " lost=" + stream.lostCount() + " committed=" + bridge.committedCount());
            err.flush();
        });
        stream.open();
        int n = bridge.tracepoints().size();
        int cpus = stream.cpus().length;
        err.println("tracepoint record: " + n + (n == 1 ? " tracepoint" : " tracepoints") + " on " + cpus
                + (cpus == 1 ? " CPU" : " CPUs") + " into " + file + "; "
                + (duration > 0 ? "stops after " + duration + " s or on Ctrl-C" : "Ctrl-C to stop"));
        err.flush();
        if (args.has("ready")) {
            Files.writeString(Path.of(args.get("ready", null)), "ready\n");
        }
        shutdown.install();
        if (duration > 0) {
            Shutdown.after(duration, stream::close);
        }
        stream.start();
        shutdown.finish();
        return 0;
    }
}
