package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;
import dev.tracepoint.core.internal.ring.RecordImages;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The warm-up of an ordered stream's own path, {@link OrderedMerge} (see {@link WarmUp} on why there is one),
 * on synthetic records of the stream's formats from two rings (CPUs 0 and 1) whose times interleave, with LOST
 * and FORK records among them, before the events are enabled. Each branch a live merge takes is taken here,
 * often enough to be in the profile the JIT compiles from (measured with {@code -XX:+PrintCompilation}:
 * without this, the first real burst deoptimised the staging, the batch and the heap, and the kernel lost
 * records meanwhile):
 * <ul>
 *   <li>passes of a few to a ring's worth of records, the newest record of CPU 1 held back to the next pass
 *       by the watermark, now and then a pass over idle rings after the lateness has passed;</li>
 *   <li>a record older than the last one delivered (late);</li>
 *   <li>a second merge whose clock stands still while one ring stays idle, so its lane fills up and the
 *       oldest records go early to make room, in every fourth round from the first on.</li>
 * </ul>
 * Its own dispatchers and listeners ({@link WarmUpListeners}), so the stream never sees a synthetic record.
 */
final class OrderedWarmUp {

    private static final int RING_SIZE = 64 * 1024;
    /** Records per ring in the largest round: about a ring's worth at the common sample sizes. */
    private static final int PER_RING = 600;
    private static final long RECORDS_TARGET = 400_000;
    /** The compilers are checked every this many rounds. */
    private static final int PACE_ROUNDS = 8;
    /** Never longer than this, the waits for the compilers included. */
    private static final long MAX_NANOS = 2_000_000_000L;
    private static final long LATENESS = 1_000_000;

    private OrderedWarmUp() {
    }

    /**
     * @param entries the stream's tracepoints (formats only)
     * @param batch   whether the stream delivers to a batch listener
     * @param copy    the batch listener's warm-up copy, or null
     * @return the synthetic records merged
     */
    static long run(Dispatcher.Entry[] entries, boolean batch, BatchListener copy) {
        BatchListener[] batchListeners = batch ? WarmUpListeners.batchListeners(copy) : null;
        long[] now = {0};
        OrderedMerge merge = merge(entries, () -> now[0]);
        long start = 1_000_000_000L;
        OrderedMerge frozen = merge(entries, () -> start); // now - lateness stays behind every record
        try (Arena arena = Arena.ofShared()) {
            Lap[] laps = {new Lap(arena, 0, entries), new Lap(arena, 1, entries)};
            PerfRing[] rings = {laps[0].ring, laps[1].ring};
            // paced by the JIT, as WarmUp.run is: rounds while the compilers work are slower code and wasted CPU
            JitPace pace = new JitPace(MAX_NANOS);
            long time = start;
            long records = 0;
            long paced = 0;
            for (int round = 0; !pace.done(RECORDS_TARGET); round++) {
                if (round % PACE_ROUNDS == PACE_ROUNDS - 1) {
                    pace.step(records - paced);
                    paced = records;
                }
                BatchListener l = batchListeners == null ? null : batchListeners[round % batchListeners.length];
                if (round % 4 == 0) {
                    // CPU 0 alone, the clock still: its lane fills within three rounds, then makes room; in
                    // the first rounds already, before the JIT compiles the staging without that branch
                    time = laps[0].publish(time, PER_RING, false);
                    records += frozen.pass(rings, Integer.MAX_VALUE, l);
                    if (round % 256 == 252) {
                        records += frozen.flush(l);
                    }
                    continue;
                }
                if (round % 16 != 15) {
                    int n = 1 + (round * 37) % PER_RING; // from one record to a ring's worth
                    long next = laps[0].publish(time, n, false);
                    laps[1].publish(time + 1, n, round % 32 == 1); // now and then a record from the past
                    time = next + 1;
                    // the newest record of CPU 0 is the watermark: CPU 1's newest waits for the next pass
                } else {
                    // idle rings, and the clock past the lateness: everything staged is due
                    time += 2 * LATENESS;
                }
                now[0] = time;
                records += merge.pass(rings, Integer.MAX_VALUE, l);
                merge.waitMillis(100); // as the consumer asks after a pass, mostly with records staged
            }
            merge.flush(null);
            frozen.flush(null);
            for (Lap lap : laps) {
                lap.ring.close();
            }
            return records;
        } finally {
            merge.close();
            frozen.close();
        }
    }

    private static OrderedMerge merge(Dispatcher.Entry[] entries, java.util.function.LongSupplier clock) {
        Dispatcher d = WarmUpListeners.dispatcher(entries);
        d.sampleIdLength(PerfSideRecordDescriptor.SAMPLE_ID_LENGTH);
        return new OrderedMerge(d, LATENESS, clock, PerfSideRecordDescriptor.SAMPLE_ID_LENGTH);
    }

    /** One synthetic ring and the records written into it, their times restamped at each write. */
    private static final class Lap {
        final MemorySegment meta;
        final MemorySegment data;
        final PerfRing ring;
        final MemorySegment image;
        /** Where each record starts in the image; {@code starts[PER_RING]} is the image's length. */
        final int[] starts = new int[PER_RING + 1];
        /** Where each record's time is in the image (a sample's own, or its sample_id's). */
        final int[] timeAt = new int[PER_RING];
        final int cpu;
        long position;

        Lap(Arena arena, int cpu, Dispatcher.Entry[] entries) {
            this.cpu = cpu;
            byte[][] recs = new byte[PER_RING][];
            int at = 0;
            for (int i = 0; i < PER_RING; i++) {
                byte[] rec;
                if (i % 200 == 150) {
                    rec = RecordImages.withSampleId(i % 400 == 150 ? RecordImages.lost(0, 0) : RecordImages.fork(0, 0, 0, 0, 0),
                            0, 0, 0, cpu);
                    timeAt[i] = at + rec.length - PerfSideRecordDescriptor.SAMPLE_ID_LENGTH
                            + PerfSideRecordDescriptor.SAMPLE_ID_TIME_OFFSET;
                } else {
                    rec = RecordImages.sample(0, 0, 0, cpu, RecordImages.raw(entries[i % entries.length].format()));
                    timeAt[i] = at + PerfSampleDescriptor.TIME_OFFSET;
                }
                recs[i] = rec;
                starts[i] = at;
                at += rec.length;
            }
            starts[PER_RING] = at;
            image = MemorySegment.ofArray(RecordImages.image(java.util.List.of(recs)));
            int size = Integer.highestOneBit(Math.max(RING_SIZE, at) - 1) * 2;
            meta = arena.allocate(4096, 4096);
            data = arena.allocate(size, 4096);
            ring = new PerfRing(cpu, meta, data);
        }

        /**
         * Writes the first {@code n} records after the last ones (the previous pass drained them all), record
         * {@code i} at time {@code base + 2 i}, the first one far in the past if {@code late}, and publishes them.
         *
         * @return the time after the last record's
         */
        long publish(long base, int n, boolean late) {
            for (int i = 0; i < n; i++) {
                image.set(ValueLayout.JAVA_LONG_UNALIGNED, timeAt[i], i == 0 && late ? base - 100 * LATENESS : base + 2L * i);
            }
            position = RecordImages.write(data, position, image, starts[n]);
            RecordImages.setDataHead(meta, position);
            return base + 2L * n;
        }
    }
}
