package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventBatch;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the drain and dispatch path on synthetic records before the events are enabled, so that the JIT has
 * compiled it when the first real burst arrives. A cold JVM interprets the drain loop about 100 times slower
 * than compiled code, and the ring fills while it does: measured, warming removed every event lost at
 * attach and halved the CPU per event. The synthetic ring covers every branch the hot path takes (a record
 * that wraps the ring end, a LOST record, an unknown record type, an empty ring, a drain cut short by its
 * limit), since a branch the compiler never saw becomes a deoptimisation later. The listeners here are three
 * classes that read the event the way real listeners do (see {@link ReadNumbers}).
 */
public final class WarmUp {

    private static final int DATA_SIZE = 64 * 1024;
    /** Samples in each of the two runs of the batch cursor's synthetic ring. */
    private static final int BATCH_RUN = 1_000;
    private static final int RECORDS_TARGET = 150_000;
    /** Never longer than this, even if the path keeps getting faster. */
    private static final long MAX_NANOS = 1_500_000_000L;
    /** Done when a round has not been 5% faster than the best for this long. */
    private static final long PLATEAU_NANOS = 150_000_000L;

    private WarmUp() {
    }

    /**
     * @param entries the real stream's tracepoints (the formats are reused; the listeners are not called)
     * @param batch   whether the stream delivers to a {@link BatchListener}: the {@link BatchCursor} path is
     *                warmed too, through three batch listener classes
     * @param copy    the stream's {@link BatchListener#warmUpCopy()}, run with them; null for none
     */
    public static void run(Dispatcher.Entry[] entries, boolean batch, BatchListener copy) {
        Dispatcher d = warmDispatcher(entries);
        BatchCursor cursor = batch ? new BatchCursor(d) : null;
        BatchListener[] batchListeners = batchListeners(copy);
        BatchListener first = new BatchFirst();
        // A shared arena, as the stream maps its rings in: every memory access the JIT compiles checks the
        // segment's session, and a confined session's owner check is one the real rings never need.
        try (Arena arena = Arena.ofShared()) {
            // One sample of each format, a LOST and a THROTTLE record; the first sample wraps the ring end.
            List<byte[]> recs = samples(entries, DATA_SIZE / 16);
            recs.addAll(otherRecords());
            Lap lap = new Lap(arena, DATA_SIZE, recs, 0);
            // For a batch stream, a second ring: two runs of 1000 samples with a LOST and a THROTTLE record
            // between them, and the third sample across the ring end. Batches are then about as long as in a
            // real burst, and each of the cursor's other exits is taken about once per 1000 records: often
            // enough to be in the profile the JIT compiles the listener's loop from, rarely enough for it to
            // count as rare. With short batches (eight samples) the JIT took the end of a batch for a frequent
            // path: the loop kept that exit's state in registers and spilled its own (measured: 144
            // instructions per record in the kfree_skb benchmark's loop, 114 with the same instructions
            // otherwise). With runs of 500 it was still 141; with 1000, 116. Longer runs make the exits too
            // rare to be seen before the loop is compiled, and an exit never seen is a deoptimisation at the
            // first real one. With one sample per batch the JIT did not inline the decoding at all.
            Lap batchLap = null;
            if (batch) {
                List<byte[]> run = sampleRun(entries, BATCH_RUN);
                run.addAll(otherRecords());
                run.addAll(sampleRun(entries, BATCH_RUN));
                batchLap = new Lap(arena, 0, run, 2);
            }
            long begin = System.nanoTime();
            long deadline = begin + MAX_NANOS;
            long lastGain = begin;
            double best = Double.MAX_VALUE;
            int handled = 0;
            for (int round = 0; ; round++) {
                long now = System.nanoTime();
                // Stop once the JIT is done with the path, not after a fixed count: C2 compiles in the
                // background, and on a busy machine its queue lags. Measured before this (-XX:+PrintCompilation):
                // drain() and sample() reached C2 only after the events were enabled, and drain() was
                // recompiled once more under the real load, losing the first burst.
                if (now >= deadline || handled >= RECORDS_TARGET && now - lastGain >= PLATEAU_NANOS) {
                    break;
                }
                int before = handled;
                // The wrapping record is split at a different 8-byte boundary each round: the copy loop is then
                // compiled for every split a real ring produces, not for one length.
                lap.publish(round);
                PerfRing ring = lap.ring;
                for (int k = 0; k < 64; k++) {
                    lap.rewind();
                    handled += ring.drain(d, Integer.MAX_VALUE);
                    // An empty ring: after every wake-up the stream drains every ring, and most are empty (an
                    // idle CPU's ring). Without this the exit without a tail store is a branch C2 never saw,
                    // and the first empty drain deoptimised drain() just as the first burst arrived
                    // (measured: -Xlog:deoptimization showed unstable_if in PerfRing.drain at attach).
                    handled += ring.drain(d, Integer.MAX_VALUE);
                    // A drain stopped by its limit (poll(listener, limit, ...)) before the head.
                    lap.rewind();
                    handled += ring.drain(d, 1 + (k & 3));
                    if (cursor != null) {
                        // The batch cursor's own branches, many times over: one record per call (the listener
                        // takes one sample and returns), the wrapped sample first, then LOST and THROTTLE, to
                        // an empty ring. The batch lap below runs it too rarely for that: without this, run()
                        // was compiled after the wake-up drill (no wrap there) and deoptimised at the first
                        // real wrap (measured: unstable_if in BatchCursor.run and special under load).
                        lap.rewind();
                        int n;
                        do {
                            n = cursor.run(ring, first);
                            handled += n;
                        } while (n > 0);
                    }
                }
                if (batchLap != null) {
                    // In a real ring a batch runs into the ring end after some samples, and the cursor's exit
                    // there must not be a branch the JIT never saw taken (measured: unstable_if in
                    // BatchCursor.next at the first real wrap, a recompile under load).
                    batchLap.publish(round);
                    for (int k = 0; k < 8; k++) {
                        batchLap.rewind();
                        handled += cursor.run(batchLap.ring, batchListeners[k % batchListeners.length]);
                        // the rest, if the first listener stopped early; or an empty ring
                        handled += cursor.run(batchLap.ring, batchListeners[(k + 1) % batchListeners.length]);
                    }
                }
                double perRecord = (double) (System.nanoTime() - now) / Math.max(1, handled - before);
                if (perRecord < best * 0.95) { // a clear gain: some tier of compiled code arrived
                    best = perRecord;
                    lastGain = System.nanoTime();
                }
            }
            lap.ring.close();
            if (batchLap != null) {
                batchLap.ring.close();
            }
        }
    }

    /** A synthetic ring, and the records written into it at each round, one of them across the ring end. */
    private static final class Lap {
        final MemorySegment meta;
        final MemorySegment data;
        final PerfRing ring;
        final byte[] image;
        /** Bytes before the record that wraps. */
        final int beforeWrap;
        long start;

        /**
         * @param minSize  the smallest ring; a larger power of two if the records and the widest split need it
         * @param wrapping the index of the record that crosses the ring end
         */
        Lap(Arena arena, int minSize, List<byte[]> recs, int wrapping) {
            image = image(recs);
            int before = 0;
            for (int i = 0; i < wrapping; i++) {
                before += recs.get(i).length;
            }
            beforeWrap = before;
            int size = Math.max(minSize, Integer.highestOneBit(image.length + 8 * 12) * 2);
            meta = arena.allocate(4096, 4096);
            data = arena.allocate(size, 4096);
            ring = new PerfRing(0, meta, data);
        }

        /** Writes the records so that the record {@code wrapping} starts 8 to 96 bytes before the ring end, by round. */
        void publish(int round) {
            long size = data.byteSize();
            start = size - 8L * (1 + round % 12) - beforeWrap;
            int first = (int) Math.min(image.length, size - start);
            MemorySegment.copy(image, 0, data, ValueLayout.JAVA_BYTE, start, first);
            MemorySegment.copy(image, first, data, ValueLayout.JAVA_BYTE, 0, image.length - first);
            meta.set(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_HEAD_OFFSET, start + image.length);
            rewind();
        }

        /** Makes every record drainable again. */
        void rewind() {
            ring.dataTailRelease(start);
        }
    }

    /**
     * A synthetic ring, a dispatcher with the warm-up's listeners and three flush actions, for a stream to run
     * its own wake-up path ({@code epoll_wait}, drain every ring, flush) over before the events are enabled.
     * The real rings are empty then, so without this the branch that flushes after a pass with records is one
     * C2 has never seen taken, and the first real pass deoptimised it (measured: {@code unstable_if} in
     * {@code TracepointStream.drainAll}, then a recompile on the consumer's CPU during the first burst).
     */
    public static final class WakeupDrill implements AutoCloseable {
        private final Arena arena = Arena.ofShared(); // as the stream's rings: see run()
        private final MemorySegment meta = arena.allocate(4096, 4096);
        private final PerfRing ring;
        private final Dispatcher dispatcher;
        private final BatchCursor cursor;
        private final long end;

        private WakeupDrill(Dispatcher.Entry[] entries) {
            // room for any one sample: header.size is a u16
            MemorySegment data = arena.allocate(1 << 17, 4096);
            List<byte[]> recs = samples(entries, 1); // the first format's sample, LOST and THROTTLE, the sample again
            recs.addAll(otherRecords());
            recs.addAll(samples(entries, 1));
            byte[] image = image(recs);
            MemorySegment.copy(image, 0, data, ValueLayout.JAVA_BYTE, 0, image.length);
            end = image.length;
            ring = new PerfRing(0, meta, data);
            dispatcher = warmDispatcher(entries);
            cursor = new BatchCursor(dispatcher);
        }

        /** @return the ring; {@link #refill()} makes its records drainable again */
        public PerfRing ring() {
            return ring;
        }

        /** @return a dispatcher of the stream's formats whose listeners are the warm-up's */
        public Dispatcher dispatcher() {
            return dispatcher;
        }

        /** @return a batch cursor over {@link #dispatcher()} */
        public BatchCursor cursor() {
            return cursor;
        }

        /**
         * @param copy the stream's {@link BatchListener#warmUpCopy()}, or null
         * @return batch listeners of three classes, none with an effect outside the warm-up, and the copy
         */
        public BatchListener[] batchListeners(BatchListener copy) {
            return WarmUp.batchListeners(copy);
        }

        /** @return three flush actions of three classes, none with an effect outside the warm-up */
        public Runnable[] flushes() {
            return new Runnable[] {new FlushA(), new FlushB(), new FlushC()};
        }

        /** Publishes the ring's records again. */
        public void refill() {
            meta.set(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_TAIL_OFFSET, 0L);
            meta.set(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_HEAD_OFFSET, end);
        }

        @Override
        public void close() {
            ring.close();
            arena.close();
        }
    }

    /**
     * @param entries the real stream's tracepoints (formats only)
     * @return a drill for the stream's wake-up path; close it
     */
    public static WakeupDrill wakeupDrill(Dispatcher.Entry[] entries) {
        return new WakeupDrill(entries);
    }

    // Flush actions of three classes: the flush call site is then compiled megamorphic, not for one class.
    private static final class FlushA implements Runnable {
        @Override
        public void run() {
            sink++;
        }
    }

    private static final class FlushB implements Runnable {
        @Override
        public void run() {
            sink += 2;
        }
    }

    private static final class FlushC implements Runnable {
        @Override
        public void run() {
            sink += 3;
        }
    }

    /** A compiler that has not finished a compilation for this long is taken to be idle. */
    private static final long QUIET_NANOS = 60_000_000L;
    private static final long QUIET_POLL_MILLIS = 15;

    /**
     * Waits, at most {@code maxNanos}, until the JIT compilers have finished what the warm-up queued. The
     * warm-up itself stops when the path stops getting faster, but C2 compiles in the background and its queue
     * can still hold dozens of methods then: measured with {@code -XX:+PrintCompilation} on this machine, C2
     * went on compiling the warm-up's methods for 0.3 s after the events were enabled, on the consumer's CPU,
     * 60-170 ms of CPU taken from the consumer during the first burst. A long queue also raises the tiered
     * thresholds, which kept the wake-up path ({@code pass}, {@code epollWait}) in profiled code for seconds.
     *
     * <p>Idle means: for 60 ms, the JVM's total compilation time ({@link CompilationMXBean}) has not moved and
     * the compiler threads have not run. The first alone is not enough: it grows when a compilation ends, so
     * a long C2 compilation in progress looks idle (measured: the compiler thread ran 240-350 ms into the
     * load after such a "quiet" wait, and the consumer lost events). The compiler threads' CPU time is read
     * from {@code /proc/self/task}; without it, the compilation time alone decides. No wait when the JVM has
     * no JIT or does not count compilation time.
     *
     * @param maxNanos the longest wait
     * @return whether anything was compiled during the wait
     */
    public static boolean awaitCompilerIdle(long maxNanos) {
        CompilationMXBean jit;
        try {
            jit = ManagementFactory.getCompilationMXBean();
        } catch (RuntimeException | LinkageError e) {
            return false; // no management in this runtime: the warm-up's own plateau has to do
        }
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return false;
        }
        long begin = System.nanoTime();
        long first = jit.getTotalCompilationTime();
        long last = first;
        long firstCpu = compilerCpuNanos();
        long lastCpu = firstCpu;
        long lastChange = begin;
        while (true) {
            long now = System.nanoTime();
            if (now - lastChange >= QUIET_NANOS || now - begin >= maxNanos) {
                return last != first || lastCpu != firstCpu;
            }
            try {
                Thread.sleep(QUIET_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last != first || lastCpu != firstCpu;
            }
            long total = jit.getTotalCompilationTime();
            long cpu = compilerCpuNanos();
            if (total != last || cpu != lastCpu) {
                last = total;
                lastCpu = cpu;
                lastChange = System.nanoTime();
            }
        }
    }

    /**
     * @return the CPU time the JIT compiler threads have used (their {@code schedstat}, or their
     *         {@code stat} ticks), or 0 when {@code /proc/self/task} cannot tell
     */
    static long compilerCpuNanos() {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        continue;
                    }
                    sum += taskCpuNanos(task);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while we looked: it runs no more
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return sum;
    }

    private static long taskCpuNanos(Path task) throws IOException {
        try {
            // "time on CPU in ns, time waiting in ns, timeslices" (CONFIG_SCHED_INFO)
            String s = Files.readString(task.resolve("schedstat")).trim();
            return Long.parseLong(s.substring(0, s.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            // utime and stime, fields 14 and 15, in clock ticks, after the parenthesised command name
            String stat = Files.readString(task.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        }
    }

    /** A dispatcher of the stream's formats whose listeners are the warm-up's, never the stream's. */
    private static Dispatcher warmDispatcher(Dispatcher.Entry[] entries) {
        EventListener[] noops = {new ReadNumbers(), new ReadStrings(), new ReadHeader()};
        Dispatcher.Entry[] warm = new Dispatcher.Entry[entries.length];
        for (int i = 0; i < entries.length; i++) {
            warm[i] = new Dispatcher.Entry(entries[i].format(), noops);
        }
        LostListener[] lost = {(cpu, n) -> { }};
        return new Dispatcher(new EventView(), warm, lost, new TaskListener[0], e -> { }, 0);
    }

    /** One sample of each format, as long as they fit in {@code maxBytes} (at least one). */
    private static List<byte[]> samples(Dispatcher.Entry[] entries, int maxBytes) {
        List<byte[]> recs = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < entries.length && bytes < maxBytes; i++) {
            EventFormat format = entries[i].format();
            int size = (PerfSampleDescriptor.RAW_OFFSET + format.fixedSize() + 7) & ~7;
            byte[] rec = new byte[size];
            MemorySegment r = MemorySegment.ofArray(rec);
            r.set(ValueLayout.JAVA_INT_UNALIGNED, 0, PerfRecordType.PERF_RECORD_SAMPLE);
            r.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) size);
            r.set(ValueLayout.JAVA_INT_UNALIGNED, PerfSampleDescriptor.PID_OFFSET, 1);
            r.set(ValueLayout.JAVA_INT_UNALIGNED, PerfSampleDescriptor.TID_OFFSET, 1);
            r.set(ValueLayout.JAVA_INT_UNALIGNED, PerfSampleDescriptor.RAW_SIZE_OFFSET, size - PerfSampleDescriptor.RAW_OFFSET);
            Field type = format.field("common_type");
            r.set(ValueLayout.JAVA_SHORT_UNALIGNED, PerfSampleDescriptor.RAW_OFFSET + type.offset(), (short) format.id());
            recs.add(rec);
            bytes += size;
        }
        return recs;
    }

    /** {@code count} samples, of every format in turn. */
    private static List<byte[]> sampleRun(Dispatcher.Entry[] entries, int count) {
        List<byte[]> one = samples(entries, Integer.MAX_VALUE);
        List<byte[]> recs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            recs.add(one.get(i % one.size()));
        }
        return recs;
    }

    /** A LOST and a THROTTLE record. */
    private static List<byte[]> otherRecords() {
        List<byte[]> recs = new ArrayList<>();
        for (int type : new int[] {PerfRecordType.PERF_RECORD_LOST, PerfRecordType.PERF_RECORD_THROTTLE}) {
            byte[] rec = new byte[24];
            MemorySegment l = MemorySegment.ofArray(rec);
            l.set(ValueLayout.JAVA_INT_UNALIGNED, 0, type);
            l.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) 24);
            recs.add(rec);
        }
        return recs;
    }

    /** The records one after the other. */
    private static byte[] image(List<byte[]> recs) {
        int length = 0;
        for (byte[] rec : recs) {
            length += rec.length;
        }
        byte[] image = new byte[length];
        int at = 0;
        for (byte[] rec : recs) {
            System.arraycopy(rec, 0, image, at, rec.length);
            at += rec.length;
        }
        return image;
    }

    /**
     * Keeps the warm-up listeners' reads alive (the JIT would drop reads whose results go nowhere). Written
     * only by the warm-up thread.
     */
    static long sink;

    // Three listener classes, so the listener call site is compiled megamorphic rather than inlined for a class
    // the real stream never uses. Their bodies call the accessors real listeners call, so that those are
    // compiled too before the first real event: a listener still interpreted at attach then calls into
    // compiled readers instead of reading memory segments in the interpreter.

    /** Reads every integer field the generic way. */
    private static final class ReadNumbers implements EventListener {
        @Override
        public void onEvent(EventView event) {
            long s = 0;
            List<Field> fields = event.format().fields();
            for (int i = 0; i < fields.size(); i++) {
                Field f = fields.get(i);
                if (f.isNumeric()) {
                    s += event.getLong(f) + event.getInt(f);
                }
            }
            sink += s;
        }
    }

    /** Measures and compares every string field without allocating. */
    private static final class ReadStrings implements EventListener {
        @Override
        public void onEvent(EventView event) {
            long s = 0;
            List<Field> fields = event.format().fields();
            for (int i = 0; i < fields.size(); i++) {
                Field f = fields.get(i);
                if (f.isString()) {
                    s += event.byteLength(f) + (event.stringEquals(f, "warm") ? 1 : 0);
                }
            }
            sink += s;
        }
    }

    /**
     * @param copy a warm-up copy of the stream's batch listener, or null
     * @return batch listeners of three classes (the batch call site is then compiled megamorphic), and the
     *         copy
     */
    static BatchListener[] batchListeners(BatchListener copy) {
        return copy == null ? new BatchListener[] {new BatchNumbers(), new BatchHeader(), new BatchFirst()}
                : new BatchListener[] {new BatchNumbers(), new BatchHeader(), new BatchFirst(), copy};
    }

    /** Reads every integer field of every event of the batch. */
    private static final class BatchNumbers implements BatchListener {
        private final ReadNumbers read = new ReadNumbers();

        @Override
        public void onBatch(EventBatch batch) {
            while (batch.next()) {
                read.onEvent(batch.view());
            }
        }
    }

    /** Reads the sample header and the first field of every event of the batch. */
    private static final class BatchHeader implements BatchListener {
        @Override
        public void onBatch(EventBatch batch) {
            long s = 0;
            while (batch.next()) {
                EventView v = batch.view();
                s += v.pid() + v.timeNanos() + v.getLong(v.format().fields().get(0)) + batch.cpu();
            }
            sink += s;
        }
    }

    /** Takes one event and leaves the rest of the batch in the ring, as a listener that stops early does. */
    private static final class BatchFirst implements BatchListener {
        @Override
        public void onBatch(EventBatch batch) {
            if (batch.next()) {
                sink += batch.view().length();
            }
        }
    }

    /** Reads the sample header. */
    private static final class ReadHeader implements EventListener {
        @Override
        public void onEvent(EventView event) {
            sink += event.pid() + event.tid() + event.cpu() + event.timeNanos() + event.length();
        }
    }
}
