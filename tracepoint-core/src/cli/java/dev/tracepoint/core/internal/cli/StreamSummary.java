package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventBatch;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code stream --summary}: counts per tracepoint and per (tracepoint, process), like {@code perf stat -e} and
 * {@code perf trace -s}. A batch listener (the stream's fastest path): per event one lookup in an
 * open-addressing table keyed by (tracepoint, pid), no allocation once a key has been seen. A process is named
 * when its key is first counted in a period ({@link Comms}, by its main thread), so a process that exited since
 * keeps its name.
 *
 * <p>The consumer thread counts; {@link #take} (any thread) ends the period: its counts are added to the
 * run's total and returned, and counting starts again from zero.
 */
final class StreamSummary implements BatchListener {

    /** One period, or the whole run. */
    record Table(long durationNanos, long events, long lost, List<String> tracepoints, long[] perTracepoint, List<Row> rows) {
    }

    /** One (tracepoint, process) count. */
    record Row(String tracepoint, int pid, String comm, long count) {
    }

    private final List<String> names;
    private final EventFormat[] formats;
    private final Comms comms;
    private final Counts period = new Counts();
    private final Counts total = new Counts();
    private final long[] perTracepoint;
    private final long[] totalPerTracepoint;
    private long periodStart;
    private long runStart;
    private long lostAtPeriodStart;

    /**
     * @param formats the enabled tracepoints, in the order the tables list them
     * @param comms   the thread names, fed by the same stream's task records
     */
    StreamSummary(List<EventFormat> formats, Comms comms) {
        this.formats = formats.toArray(new EventFormat[0]);
        this.names = formats.stream().map(EventFormat::fullName).toList();
        this.comms = comms;
        this.perTracepoint = new long[this.formats.length];
        this.totalPerTracepoint = new long[this.formats.length];
    }

    /** Starts the first period (when the events are enabled). */
    synchronized void start(long nowNanos) {
        periodStart = nowNanos;
        runStart = nowNanos;
    }

    @Override
    public void onBatch(EventBatch batch) {
        EventView v = batch.view();
        synchronized (this) {
            EventFormat last = null;
            int index = -1;
            while (batch.next()) {
                EventFormat f = v.format();
                if (f != last) {
                    index = indexOf(f);
                    last = f;
                }
                if (index < 0) {
                    continue;
                }
                perTracepoint[index]++;
                int pid = v.pid();
                int slot = period.slot(index, pid);
                if (period.names[slot] == null) {
                    period.names[slot] = comms.name(pid, pid);
                }
                period.counts[slot]++;
            }
        }
    }

    private int indexOf(EventFormat f) {
        for (int i = 0; i < formats.length; i++) {
            if (formats[i] == f) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Ends the period: returns its counts and adds them to the run's.
     *
     * @param nowNanos  {@link System#nanoTime()}
     * @param lostTotal the stream's lost count so far
     * @return the period's table
     */
    synchronized Table take(long nowNanos, long lostTotal) {
        long[] per = perTracepoint.clone();
        long events = 0;
        for (int i = 0; i < per.length; i++) {
            events += per[i];
            totalPerTracepoint[i] += per[i];
        }
        Arrays.fill(perTracepoint, 0);
        List<Row> rows = period.rows(names);
        for (int s = 0; s < period.keys.length; s++) {
            if (period.keys[s] != 0) {
                int t = total.slotOf(period.keys[s]);
                total.counts[t] += period.counts[s];
                total.names[t] = period.names[s]; // the latest name
            }
        }
        period.clear();
        Table t = new Table(nowNanos - periodStart, events, lostTotal - lostAtPeriodStart, names, per, rows);
        periodStart = nowNanos;
        lostAtPeriodStart = lostTotal;
        return t;
    }

    /**
     * The whole run so far (call {@link #take} first to include the current period).
     *
     * @param nowNanos  {@link System#nanoTime()}
     * @param lostTotal the stream's lost count
     * @return the run's table
     */
    synchronized Table total(long nowNanos, long lostTotal) {
        long events = 0;
        for (long c : totalPerTracepoint) {
            events += c;
        }
        return new Table(nowNanos - runStart, events, lostTotal, names, totalPerTracepoint.clone(), total.rows(names));
    }

    // ------------------------------------------------------------------------------------------ output

    /**
     * The text tables: a heading, then COUNT and RATE per tracepoint (every enabled one, zero counts too),
     * then the top (tracepoint, process) rows.
     *
     * @param sb    the output
     * @param title e.g. {@code "last 1.0 s"}
     * @param t     the table
     * @param top   the most process rows (0: all)
     * @return {@code sb}
     */
    static StringBuilder text(StringBuilder sb, String title, Table t, int top) {
        double seconds = t.durationNanos() / 1e9;
        sb.append("--- ").append(title).append(": ").append(t.events()).append(t.events() == 1 ? " event" : " events")
                .append(", lost ").append(t.lost()).append('\n');
        int width = "TRACEPOINT".length();
        for (String n : t.tracepoints()) {
            width = Math.max(width, n.length());
        }
        sb.append(String.format(Locale.ROOT, "%12s %12s  %s%n", "COUNT", "RATE/s", "TRACEPOINT"));
        for (int i = 0; i < t.tracepoints().size(); i++) {
            sb.append(String.format(Locale.ROOT, "%12d %12.1f  %s%n", t.perTracepoint()[i],
                    seconds > 0 ? t.perTracepoint()[i] / seconds : 0.0, t.tracepoints().get(i)));
        }
        List<Row> rows = t.rows();
        if (rows.isEmpty()) {
            return sb;
        }
        List<Row> shown = top > 0 && rows.size() > top ? rows.subList(0, top) : rows;
        sb.append(String.format(Locale.ROOT, "%12s  %-" + width + "s  %s%n", "COUNT", "TRACEPOINT", "PROCESS"));
        for (Row r : shown) {
            sb.append(String.format(Locale.ROOT, "%12d  %-" + width + "s  %s(%d)%n", r.count(), r.tracepoint(), r.comm(), r.pid()));
        }
        if (shown.size() < rows.size()) {
            long rest = 0;
            for (Row r : rows.subList(shown.size(), rows.size())) {
                rest += r.count();
            }
            sb.append(String.format(Locale.ROOT, "%12d  (%d more rows; --top 0 shows all)%n", rest, rows.size() - shown.size()));
        }
        return sb;
    }

    /**
     * One JSON object: {@code {"event":"summary","final":…,"duration_ms":…,"events":…,"lost":…,
     * "tracepoints":[{"tracepoint","count"}…],"processes":[{"tracepoint","pid","comm","count"}…]}}.
     *
     * @param sb      the output
     * @param t       the table
     * @param isFinal whether it is the whole run's
     * @param top     the most process rows (0: all)
     * @return {@code sb}
     */
    static StringBuilder json(StringBuilder sb, Table t, boolean isFinal, int top) {
        sb.append('{');
        Json.key(sb, "event", true);
        Json.string(sb, "summary");
        Json.key(sb, "final", false).append(isFinal);
        Json.key(sb, "duration_ms", false).append(t.durationNanos() / 1_000_000);
        Json.key(sb, "events", false).append(t.events());
        Json.key(sb, "lost", false).append(t.lost());
        Json.key(sb, "tracepoints", false).append('[');
        for (int i = 0; i < t.tracepoints().size(); i++) {
            sb.append(i == 0 ? "{" : ",{");
            Json.key(sb, "tracepoint", true);
            Json.string(sb, t.tracepoints().get(i));
            Json.key(sb, "count", false).append(t.perTracepoint()[i]);
            sb.append('}');
        }
        sb.append(']');
        Json.key(sb, "processes", false).append('[');
        List<Row> rows = top > 0 && t.rows().size() > top ? t.rows().subList(0, top) : t.rows();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(i == 0 ? "{" : ",{");
            Json.key(sb, "tracepoint", true);
            Json.string(sb, r.tracepoint());
            Json.key(sb, "pid", false).append(r.pid());
            Json.key(sb, "comm", false);
            Json.string(sb, r.comm());
            Json.key(sb, "count", false).append(r.count());
            sb.append('}');
        }
        return sb.append("]}");
    }

    /**
     * Counts by (tracepoint index, pid), open addressing with linear probing over a power-of-two table; the
     * key {@code (index + 1) << 32 | pid} is never 0, which marks a free slot.
     */
    private static final class Counts {
        long[] keys = new long[256];
        long[] counts = new long[256];
        String[] names = new String[256];
        int size;

        int slot(int index, int pid) {
            return slotOf(((long) (index + 1) << 32) | (pid & 0xffff_ffffL));
        }

        int slotOf(long key) {
            int mask = keys.length - 1;
            long h = key * 0x9E3779B97F4A7C15L;
            int i = (int) (h ^ (h >>> 32)) & mask;
            while (true) {
                long k = keys[i];
                if (k == key) {
                    return i;
                }
                if (k == 0) {
                    if (size + 1 > keys.length / 2) {
                        grow();
                        return slotOf(key);
                    }
                    keys[i] = key;
                    size++;
                    return i;
                }
                i = (i + 1) & mask;
            }
        }

        private void grow() {
            long[] oldKeys = keys;
            long[] oldCounts = counts;
            String[] oldNames = names;
            keys = new long[oldKeys.length * 2];
            counts = new long[keys.length];
            names = new String[keys.length];
            size = 0;
            for (int s = 0; s < oldKeys.length; s++) {
                if (oldKeys[s] != 0) {
                    int t = slotOf(oldKeys[s]);
                    counts[t] = oldCounts[s];
                    names[t] = oldNames[s];
                }
            }
        }

        void clear() {
            Arrays.fill(keys, 0);
            Arrays.fill(counts, 0);
            Arrays.fill(names, null);
            size = 0;
        }

        /** @return the rows, largest count first, then by tracepoint order and pid */
        List<Row> rows(List<String> tracepoints) {
            List<Row> out = new ArrayList<>(size);
            for (int s = 0; s < keys.length; s++) {
                if (keys[s] != 0) {
                    out.add(new Row(tracepoints.get((int) (keys[s] >>> 32) - 1), (int) keys[s],
                            names[s] == null ? Comms.UNKNOWN : names[s], counts[s]));
                }
            }
            out.sort(Comparator.comparingLong(Row::count).reversed()
                    .thenComparingInt(r -> tracepoints.indexOf(r.tracepoint())).thenComparingInt(Row::pid));
            return out;
        }
    }
}
