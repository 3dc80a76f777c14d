package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.ring.PerfRing;
import dev.tracepoint.core.internal.ring.RecordImages;
import dev.tracepoint.core.internal.ring.RingSet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
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
    /**
     * The least records {@link #run} drains; it ends once it has and no compiler is at work. Fewer (40,000)
     * were measured too few: the JIT compiled a batch listener's loop late, from a profile that the first
     * real batches then contradicted ({@code profile_predicate} traps after attach).
     */
    private static final int RECORDS_TARGET = 150_000;
    /** Never longer than this, the waits for the compilers included. */
    private static final long MAX_NANOS = 2_500_000_000L;
    /**
     * Passes in a round of {@link #wakeups}: past C2's invocation threshold (Tier4InvocationThreshold is
     * 5000). It runs at least two rounds, at most five, and ends once no compiler is at work.
     */
    private static final int WAKEUPS = 6_000;
    private static final int WAKEUP_ROUNDS = 5;
    /** {@link #wakeups} checks the compilers after this many passes (see {@link JitPace}). */
    private static final int WAKEUP_STEP = 500;
    /** Never longer than this, the waits for the compilers included. */
    private static final long WAKEUP_MAX_NANOS = 2_000_000_000L;
    /** The longest wait, each time, for the JIT to finish compiling what a warm-up queued. */
    public static final long COMPILER_WAIT_NANOS = 2_000_000_000L;

    private WarmUp() {
    }

    /**
     * What a stream's warm-up ran.
     *
     * @param orderedRecords the synthetic records of {@link OrderedWarmUp} (0 for an unordered stream)
     * @param records        the synthetic records of {@link #run}
     * @param passes         the passes of {@link #wakeups}
     * @param nanos          how long it took, waits for the compilers included
     */
    public record Done(long orderedRecords, long records, long passes, long nanos) {
        @Override
        public String toString() {
            return "warm-up: " + (orderedRecords > 0 ? orderedRecords + " ordered records, " : "") + records
                    + " records, " + passes + " wake-up passes in " + nanos / 1_000_000 + " ms";
        }
    }

    /**
     * The whole warm-up of a stream: for an ordered stream {@link OrderedWarmUp} first, then {@link #run} (the
     * drain and dispatch path on synthetic rings), a wait for the compilers to finish what it queued (while
     * their queue is long, the thresholds for compiling the wake-up path are scaled up with it), then
     * {@link #wakeups}; each paced by the compilers ({@link JitPace}).
     *
     * @param rings   the stream's rings, events still disabled
     * @param waiter  the stream's waiter
     * @param entries the stream's tracepoints (formats only: their listeners are never called)
     * @param batch   whether the stream delivers to a batch listener
     * @param copy    the batch listener's warm-up copy, or null
     * @param lateness an ordered stream's lateness in ns ({@link StreamConsumer#ordered}), or 0: its own path
     *                 ({@link OrderedWarmUp}) is warmed first, and the wake-ups go through it
     * @return what it ran
     */
    public static Done stream(PerfRing[] rings, StreamConsumer.Waiter waiter, Dispatcher.Entry[] entries,
                              boolean batch, BatchListener copy, long lateness) {
        long begin = System.nanoTime();
        long ordered = lateness > 0 ? OrderedWarmUp.run(entries, batch, copy) : 0;
        long records = run(entries, batch, copy);
        JitIdle.await(COMPILER_WAIT_NANOS);
        long passes = wakeups(rings, waiter, entries, batch, copy, lateness);
        return new Done(ordered, records, passes, System.nanoTime() - begin);
    }

    /**
     * @param entries the real stream's tracepoints (the formats are reused; the listeners are not called)
     * @param batch   whether the stream delivers to a {@link BatchListener}: the {@link BatchCursor} path is
     *                warmed instead of the event listeners' (which such a stream takes only in a poll), through
     *                three batch listener classes
     * @param copy    the stream's {@link BatchListener#warmUpCopy()}, run with them; null for none
     * @return the synthetic records drained
     */
    public static long run(Dispatcher.Entry[] entries, boolean batch, BatchListener copy) {
        Dispatcher d = WarmUpListeners.dispatcher(entries);
        BatchCursor cursor = batch ? new BatchCursor(d) : null;
        BatchListener[] batchListeners = WarmUpListeners.batchListeners(copy);
        BatchListener first = new WarmUpListeners.BatchFirst();
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
            // Paced by the JIT (see JitPace): each round runs the path once more, and when it made the compilers
            // work, the next waits until they are done. Running on meanwhile (before this: until a round had
            // not been 5% faster for 150 ms, and at least 150,000 records) only burnt CPU in slower code. C2
            // compiles in the background, and on a busy machine its queue lags: measured before either
            // (-XX:+PrintCompilation), drain() and sample() reached C2 only after the events were enabled, and
            // drain() was recompiled once more under the real load, losing the first burst.
            JitPace pace = new JitPace(MAX_NANOS);
            int handled = 0;
            for (int round = 0; !pace.done(RECORDS_TARGET); round++) {
                int before = handled;
                // The wrapping record is split at a different 8-byte boundary each round: the copy loop is then
                // compiled for every split a real ring produces, not for one length.
                lap.publish(round);
                PerfRing ring = lap.ring;
                for (int k = 0; k < 64; k++) {
                    if (cursor == null) {
                        // the event listeners' path; a batch stream takes the cursor's below instead, and its
                        // records reach PerfRing.drain only in poll(), which hands them to an event listener
                        lap.rewind();
                        handled += ring.drain(d, Integer.MAX_VALUE);
                        // An empty ring: after every wake-up the stream drains every ring, and most are empty
                        // (an idle CPU's ring). Without this the exit without a tail store is a branch C2 never
                        // saw, and the first empty drain deoptimised drain() just as the first burst arrived
                        // (measured: -Xlog:deoptimization showed unstable_if in PerfRing.drain at attach).
                        handled += ring.drain(d, Integer.MAX_VALUE);
                        // A drain stopped by its limit (poll(listener, limit, ...)) before the head.
                        lap.rewind();
                        handled += ring.drain(d, 1 + (k & 3));
                    } else {
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
                pace.step(handled - before);
            }
            lap.ring.close();
            if (batchLap != null) {
                batchLap.ring.close();
            }
            return pace.work();
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
            image = RecordImages.image(recs);
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
            RecordImages.write(data, start, image);
            RecordImages.setDataHead(meta, start + image.length);
            rewind();
        }

        /** Makes every record drainable again. */
        void rewind() {
            ring.dataTailRelease(start);
        }
    }

    /**
     * Runs the stream's wake-up path, {@link StreamConsumer#pass} ({@code epoll_wait} on the stream's rings,
     * drain every ring, flush), before the events are enabled, until the JIT has compiled it: passes, paced by
     * the compilers ({@link JitPace}: every 500 passes, a wait for them while one is at work), two rounds of
     * 6000 at least (C1 first, then C2 once the profiled code has counted its own invocations) and until no
     * compiler is at work, five rounds at most. It runs a consumer of its own,
     * over the stream's rings (empty: the events are still disabled) and a synthetic ring, with its own
     * dispatcher, listeners and flush actions: the stream's listeners are not called and its counters never
     * see a synthetic record. The synthetic ring is refilled every other pass, so the branches a pass with
     * records takes are compiled too: without it the branch that flushes after a pass with records is one C2
     * has never seen taken, and the first real pass deoptimised it (measured: {@code unstable_if} in the drain
     * of all rings, then a recompile on the consumer's CPU during the first burst).
     *
     * @param rings   the stream's rings
     * @param waiter  the stream's own waiter (the same object its consumer uses, so the call site sees one class)
     * @param entries the stream's tracepoints (formats only)
     * @param batch   whether the stream delivers to a batch listener
     * @param copy    the batch listener's warm-up copy, or null
     * @param lateness an ordered stream's lateness in ns, or 0
     * @return the passes run
     */
    public static long wakeups(PerfRing[] rings, StreamConsumer.Waiter waiter, Dispatcher.Entry[] entries,
                               boolean batch, BatchListener copy, long lateness) {
        try (Arena arena = Arena.ofShared()) { // as the stream's rings: see run()
            MemorySegment meta = arena.allocate(4096, 4096);
            MemorySegment data = arena.allocate(1 << 17, 4096); // room for any one sample: header.size is a u16
            List<byte[]> recs = samples(entries, 1); // the first format's sample, LOST and THROTTLE, the sample again
            recs.addAll(otherRecords());
            recs.addAll(samples(entries, 1));
            byte[] image = RecordImages.image(recs);
            // The same records, with a LOST record that counts one loss: a pass after a loss publishes the
            // per-CPU counts anew, one without reuses them, and the JIT must have seen both (a live stream's
            // first loss deoptimized the compiled pass when the drill's LOST records all counted 0).
            List<byte[]> lossy = samples(entries, 1);
            lossy.add(RecordImages.lost(0, 1));
            lossy.addAll(otherRecords().subList(1, otherRecords().size()));
            lossy.addAll(samples(entries, 1));
            byte[] lossImage = RecordImages.image(lossy);
            RecordImages.write(data, 0, image);
            PerfRing drill = new PerfRing(0, meta, data);
            PerfRing[] withDrill = Arrays.copyOf(rings, rings.length + 1);
            withDrill[rings.length] = drill;
            BatchListener[] warmBatch = WarmUpListeners.batchListeners(copy);
            StreamConsumer consumer = new StreamConsumer(withDrill, waiter, WarmUpListeners.dispatcher(entries),
                    batch ? warmBatch[0] : null, WarmUpListeners.flushes(), e -> { });
            // the stream's consumer follows hotplug: so does this one, over CPUs that never change
            consumer.followHotplug(RingSet.FIXED, null, 0);
            if (lateness > 0) {
                // the synthetic records' time is 0: due in every other pass, held in the others (the clock
                // shifted back to 0), so that the passes meet both a staging that is empty and one that is
                // not, as a live ordered stream does; the clock is the stream's own (see clockShift)
                consumer.ordered(lateness, OrderedMerge.MONOTONIC);
            }
            try {
                JitPace pace = new JitPace(WAKEUP_MAX_NANOS);
                for (int i = 0; i < WAKEUP_ROUNDS * WAKEUPS && !pace.done(2L * WAKEUPS); i++) {
                    if ((i & 31) == 0) {
                        RecordImages.write(data, 0, lossImage);
                    } else if ((i & 31) == 2) {
                        RecordImages.write(data, 0, image);
                    }
                    if ((i & 1) == 0) {
                        RecordImages.publish(meta, 0, image.length);
                    }
                    if ((i & 3) == 1) {
                        waiter.poke(); // the wait then returns a ready descriptor, as the stream's do
                    }
                    // a CPU check due in one pass of 256: seen taken, so compiled, but rare enough that
                    // the JIT does not inline the warm-up's fixed ring set into the pass
                    consumer.cpuCheckInterval((i & 255) == 0 ? -1 : 1L << 60);
                    if (lateness > 0) {
                        consumer.clockShift((i & 1) == 0 ? -OrderedMerge.MONOTONIC.getAsLong() : 0);
                    }
                    if (batch) {
                        consumer.batchListener(warmBatch[i % warmBatch.length]);
                    }
                    consumer.pass(0);
                    if (i % WAKEUP_STEP == WAKEUP_STEP - 1) {
                        pace.step(WAKEUP_STEP);
                    }
                }
                return pace.work();
            } finally {
                consumer.close();
                drill.close();
            }
        }
    }

    /** One sample of each format, as long as they fit in {@code maxBytes} (at least one). */
    private static List<byte[]> samples(Dispatcher.Entry[] entries, int maxBytes) {
        List<byte[]> recs = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < entries.length && bytes < maxBytes; i++) {
            byte[] rec = RecordImages.sample(1, 1, 0L, 0, RecordImages.raw(entries[i].format()));
            recs.add(rec);
            bytes += rec.length;
        }
        return recs;
    }

    /** {@code count} samples, of every format in turn. */
    private static List<byte[]> sampleRun(Dispatcher.Entry[] entries, int count) {
        return new ArrayList<>(RecordImages.cycle(samples(entries, Integer.MAX_VALUE), count));
    }

    /**
     * A LOST and a THROTTLE record, then a COMM, a FORK and an EXIT (the records of a stream with task
     * listeners: without them, the first real one deoptimized the dispatch of records other than samples;
     * measured with -Xlog:deoptimization, unstable_if at its switch in a signal monitor).
     */
    private static List<byte[]> otherRecords() {
        return List.of(RecordImages.lost(0, 0), RecordImages.record(PerfRecordType.PERF_RECORD_THROTTLE, 0, 24),
                RecordImages.comm(1, 1, "warm", true), RecordImages.comm(1, 2, "warm2", false),
                RecordImages.fork(1, 1, 2, 1, 0),
                RecordImages.exit(1, 1, 2, 1, 0));
    }
}
