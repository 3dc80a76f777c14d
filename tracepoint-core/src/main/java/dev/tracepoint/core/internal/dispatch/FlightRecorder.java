package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.ring.BackwardRing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The reader of a flight-recorder stream: its rings are overwrite-mode rings ({@link BackwardRing}) that
 * nobody reads while they record; {@link #snapshot()} takes what they hold and hands it to the stream's
 * {@link Dispatcher}, as the stream's consumer does with forward rings.
 *
 * <p>A snapshot pauses the kernel's output into every ring, waits until writes already under way have
 * finished, copies each ring's new bytes out, and resumes output at once: the rings are paused only for the
 * copy (a ring's worth of bytes per CPU), not while listeners run. It then walks each copy
 * ({@link BackwardRing#walk}), merges the rings' records by sample time (a record without a time keeps its
 * place after the record before it in its ring) and dispatches them oldest first.
 *
 * <p>Single-threaded, like the dispatcher: the stream calls it under its lock.
 */
public final class FlightRecorder {

    /** Pauses and resumes the kernel's writing into one ring. */
    @FunctionalInterface
    public interface Output {
        /**
         * @param ring   the index of the ring, as in the recorder's array
         * @param paused true to pause, false to resume
         * @throws TracepointException naming the CPU and errno when the kernel refuses
         */
        void pause(int ring, boolean paused) throws TracepointException;
    }

    /**
     * What one snapshot held, by ring.
     *
     * @param cpus             the rings' CPUs
     * @param records          whole records handed to the dispatcher, by ring
     * @param torn             records dropped because the ring had overwritten their end, by ring (0 or 1)
     * @param overwrittenBytes bytes written since the previous snapshot that the ring no longer held, by ring
     * @param events           samples the dispatcher delivered to listeners
     * @param lost             samples the kernel reported lost in the records delivered
     * @param corrupt          rings whose walk stopped at a header that cannot be right
     * @param pausedNanos      how long output was paused
     * @param firstTimeNanos   the time of the oldest sample delivered, or -1
     * @param lastTimeNanos    the time of the newest sample delivered, or -1
     */
    public record Result(int[] cpus, long[] records, long[] torn, long[] overwrittenBytes, long events, long lost,
                         long corrupt, long pausedNanos, long firstTimeNanos, long lastTimeNanos) {
    }

    private final BackwardRing[] rings;
    private final Output output;
    private final Runnable quiesce;
    private final Dispatcher dispatcher;
    private final Runnable[] flushes;
    private final Consumer<Throwable> errors;

    /**
     * @param rings      the stream's rings
     * @param output     pauses and resumes them
     * @param quiesce    returns once every write the kernel began before the pause has completed
     * @param dispatcher where records go
     * @param flushes    run after a snapshot that delivered records
     * @param errors     told about a flush action's exception and a failure to resume a ring
     */
    public FlightRecorder(BackwardRing[] rings, Output output, Runnable quiesce, Dispatcher dispatcher,
                          Runnable[] flushes, Consumer<Throwable> errors) {
        this.rings = rings.clone();
        this.output = output;
        this.quiesce = quiesce;
        this.dispatcher = dispatcher;
        this.flushes = flushes.clone();
        this.errors = errors;
    }

    /**
     * Copies out what every ring recorded since the previous snapshot and delivers it to the dispatcher,
     * oldest first across rings.
     *
     * @return what it held
     * @throws TracepointException when a ring's output could not be paused (the rings already paused are
     *                             resumed) or resumed (every other ring is still resumed)
     */
    public Result snapshot() throws TracepointException {
        int n = rings.length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] copies = new MemorySegment[n];
            for (int i = 0; i < n; i++) {
                copies[i] = arena.allocate(rings[i].capacity(), Long.BYTES);
            }
            BackwardRing.Window[] windows = new BackwardRing.Window[n];
            long start = System.nanoTime();
            copyPaused(copies, windows);
            long pausedNanos = System.nanoTime() - start;
            return deliver(copies, windows, pausedNanos);
        }
    }

    private void copyPaused(MemorySegment[] copies, BackwardRing.Window[] windows) throws TracepointException {
        int paused = 0;
        TracepointException failure = null;
        try {
            for (; paused < rings.length; paused++) {
                output.pause(paused, true);
            }
            quiesce.run();
            for (int i = 0; i < rings.length; i++) {
                windows[i] = rings[i].copyNew(copies[i]);
            }
        } catch (TracepointException e) {
            failure = e;
        } finally {
            for (int i = 0; i < paused; i++) {
                try {
                    output.pause(i, false);
                } catch (TracepointException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        errors.accept(e);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private Result deliver(MemorySegment[] copies, BackwardRing.Window[] windows, long pausedNanos) {
        int n = rings.length;
        int[] cpus = new int[n];
        long[] records = new long[n];
        long[] torn = new long[n];
        long[] overwritten = new long[n];
        BackwardRing.Walk[] walks = new BackwardRing.Walk[n];
        long[][] times = new long[n][];
        long corrupt = 0;
        for (int i = 0; i < n; i++) {
            cpus[i] = rings[i].cpu();
            walks[i] = BackwardRing.walk(copies[i], windows[i].length(), windows[i].wrapped());
            torn[i] = walks[i].torn();
            overwritten[i] = windows[i].overwrittenBytes();
            times[i] = times(copies[i], walks[i]);
            if (walks[i].problem() != null) {
                corrupt++;
                dispatcher.onCorruption(cpus[i], walks[i].problem() + " in a flight-recorder snapshot",
                        walks[i].unreadBytes());
            }
        }
        long samplesBefore = dispatcher.samples();
        long lostBefore = dispatcher.lost();
        long first = -1;
        long last = -1;
        int[] next = new int[n];
        PriorityQueue<Integer> oldest = new PriorityQueue<>((a, b) -> {
            int byTime = Long.compare(times[a][next[a]], times[b][next[b]]);
            return byTime != 0 ? byTime : Integer.compare(a, b);
        });
        for (int i = 0; i < n; i++) {
            if (walks[i].count() > 0) {
                oldest.add(i);
            }
        }
        while (!oldest.isEmpty()) {
            int r = oldest.poll();
            long at = walks[r].offsets()[next[r]];
            long header = copies[r].get(ValueLayout.JAVA_LONG_UNALIGNED, at);
            int type = PerfEventHeaderDescriptor.type(header);
            if (type == PerfRecordType.PERF_RECORD_SAMPLE && isSampleTimed(header)) {
                long t = times[r][next[r]];
                first = first < 0 ? t : first;
                last = t;
            }
            records[r]++;
            dispatcher.onRecord(cpus[r], copies[r], at, type, PerfEventHeaderDescriptor.misc(header),
                    PerfEventHeaderDescriptor.size(header));
            if (++next[r] < walks[r].count()) {
                oldest.add(r);
            }
        }
        if (dispatcher.samples() != samplesBefore || dispatcher.lost() != lostBefore) {
            for (Runnable f : flushes) {
                try {
                    f.run();
                } catch (RuntimeException e) {
                    errors.accept(e);
                }
            }
        }
        return new Result(cpus, records, torn, overwritten, dispatcher.samples() - samplesBefore,
                dispatcher.lost() - lostBefore, corrupt, pausedNanos, first, last);
    }

    private static boolean isSampleTimed(long header) {
        return PerfEventHeaderDescriptor.size(header) >= PerfSampleDescriptor.TIME_OFFSET + Long.BYTES;
    }

    /**
     * The merge key of each record of a walk: a sample's time; for any other record, the key of the record
     * before it in the ring (so it stays where it is relative to its neighbours).
     */
    private static long[] times(MemorySegment copy, BackwardRing.Walk walk) {
        long[] t = new long[walk.count()];
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < t.length; i++) {
            long at = walk.offsets()[i];
            long header = copy.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
            if (PerfEventHeaderDescriptor.type(header) == PerfRecordType.PERF_RECORD_SAMPLE && isSampleTimed(header)) {
                previous = copy.get(ValueLayout.JAVA_LONG_UNALIGNED, at + PerfSampleDescriptor.TIME_OFFSET);
            }
            t[i] = previous;
        }
        return t;
    }
}
