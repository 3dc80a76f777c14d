package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.TracepointStream;
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
import java.util.List;
import java.util.Set;

/**
 * {@code tracepoint stream EVENT...}: live events as text or JSON lines; {@code --count-only} is the
 * benchmark harness's consumer (decodes each event's first payload field, prints nothing per event).
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
                usage: tracepoint stream EVENT... [options]
                  EVENT                system:event, e.g. signal:signal_generate
                  --filter EVENT=EXPR  kernel-side filter for EVENT (ftrace syntax, e.g. 'sig == 9'); repeatable
                  --json               one JSON object per event: event, cpu, pid, tid, time_ns, fields, symbols
                  --duration S         stop after S seconds
                  --count N            stop after N events
                  --pages N            data pages per CPU ring (power of two, default 128)
                  --count-only         print nothing per event (each event's first field is still decoded);
                                       on exit print samples=N lost=N on stdout
                  --ready FILE         create FILE once the events are enabled
                On exit (duration, count, Ctrl-C or SIGTERM) it prints events=N lost=N to stderr.""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, Set.of("json", "count-only"), Set.of("filter", "duration", "count", "pages", "ready"));
        if (args.positional().isEmpty()) {
            throw new UsageException("stream needs at least one tracepoint");
        }
        long count = args.getLong("count", 0);
        double duration = args.getSeconds("duration", 0);
        long pages = args.getLong("pages", 128);
        if (pages < 1 || pages > (1 << 20) || Long.bitCount(pages) != 1) {
            throw new UsageException("--pages must be a power of two, got " + pages);
        }
        boolean json = args.has("json");
        boolean countOnly = args.has("count-only");

        TracepointStream stream = TracepointStream.builder().ringPages((int) pages).build();
        for (String f : args.all("filter")) {
            int eq = f.indexOf('=');
            if (eq <= 0 || f.charAt(eq + 1) == '=') {
                throw new UsageException("--filter needs EVENT=EXPR, got '" + f + "'");
            }
            stream.filter(f.substring(0, eq), f.substring(eq + 1));
        }
        PrintStream sink = out == System.out
                ? new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8)
                : out;
        long[] seen = new long[1];
        long[] checksum = new long[1];
        StringBuilder line = new StringBuilder(256);
        for (String tp : args.positional()) {
            EventFormat format = stream.format(tp);
            if (countOnly) {
                Field first = firstNumeric(format);
                stream.onEvent(tp, first == null ? e -> seen[0]++ : e -> {
                    checksum[0] += e.getLong(first);
                    seen[0]++;
                });
            } else {
                stream.onEvent(tp, e -> {
                    line.setLength(0);
                    if (json) {
                        EventJson.append(line, e);
                    } else {
                        text(line, e);
                    }
                    sink.append(line).append('\n');
                    if (++seen[0] == count) {
                        stream.close();
                    }
                });
            }
        }
        if (countOnly && count > 0) {
            throw new UsageException("--count-only counts until stopped; it does not take --count");
        }
        stream.onFlush(sink::flush);
        Shutdown shutdown = new Shutdown(stream::close, () -> {
            sink.flush();
            if (countOnly) {
                out.println("samples=" + stream.eventCount() + " lost=" + stream.lostCount());
                out.flush();
            }
            err.println("events=" + stream.eventCount() + " lost=" + stream.lostCount());
            err.flush();
        });
        stream.open();
        if (args.has("ready")) {
            Files.writeString(Path.of(args.get("ready", null)), "ready\n");
        }
        shutdown.install();
        if (duration > 0) {
            Thread timer = new Thread(() -> {
                try {
                    Thread.sleep((long) (duration * 1000));
                } catch (InterruptedException e) {
                    return;
                }
                stream.close();
            }, "tracepoint-duration");
            timer.setDaemon(true);
            timer.start();
        }
        stream.start();
        shutdown.finish();
        return 0;
    }

    private static Field firstNumeric(EventFormat format) {
        for (Field f : format.payloadFields()) {
            if (f.isNumeric()) {
                return f;
            }
        }
        return null;
    }

    /** {@code   1234.567890 [001] 4242/4243 signal:signal_generate: sig=9 ...}, like perf script. */
    static void text(StringBuilder sb, EventView e) {
        long t = e.timeNanos();
        sb.append(t / 1_000_000_000L).append('.');
        String us = Long.toString((t % 1_000_000_000L) / 1000);
        sb.append("000000", 0, 6 - us.length()).append(us);
        sb.append(" [").append(e.cpu() < 10 ? "00" : e.cpu() < 100 ? "0" : "").append(e.cpu()).append("] ");
        sb.append(e.pid()).append('/').append(e.tid()).append(' ').append(e.tracepoint()).append(": ").append(e);
    }
}
