package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;
import dev.tracepoint.core.internal.ring.RecordImages;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The warm-up of an ordered stream's own path (see {@link WarmUp} on why there is one): {@link OrderedMerge}
 * staging, merging and delivering synthetic records of the stream's formats from two rings (CPUs 0 and 1)
 * whose times interleave, with a LOST and a FORK record among them, before the events are enabled. Every
 * round the records get new, later times and the clock is set so that the last record of CPU 1 waits for the
 * next round: the passes release, hold back and release late-held records, as a live merge does. A round
 * of its own now and then publishes nothing, so the path of a pass over idle rings is compiled too. Its own
 * dispatcher and listeners ({@link WarmUpListeners}), so the stream never sees a synthetic record.
 */
public final class OrderedWarmUp {

    private static final int RING_SIZE = 64 * 1024;
    /** Records per ring and round: a ring's worth at the common sample sizes. */
    private static final int PER_RING = 600;
    private static final long RECORDS_TARGET = 200_000;
    private static final long MAX_NANOS = 1_000_000_000L;
    private static final long LATENESS = 1_000_000;

    private OrderedWarmUp() {
    }

    /**
     * @param entries the stream's tracepoints (formats only)
     * @param batch   whether the stream delivers to a batch listener
     * @param copy    the batch listener's warm-up copy, or null
     */
    public static void run(Dispatcher.Entry[] entries, boolean batch, BatchListener copy) {
        Dispatcher d = WarmUpListeners.dispatcher(entries);
        d.sampleIdLength(PerfSideRecordDescriptor.SAMPLE_ID_LENGTH);
        BatchListener[] batchListeners = batch ? WarmUpListeners.batchListeners(copy) : null;
        long[] now = {0};
        OrderedMerge merge = new OrderedMerge(d, LATENESS, () -> now[0], PerfSideRecordDescriptor.SAMPLE_ID_LENGTH);
        try (Arena arena = Arena.ofShared()) {
            Lap[] laps = {new Lap(arena, 0, entries), new Lap(arena, 1, entries)};
            PerfRing[] rings = {laps[0].ring, laps[1].ring};
            long deadline = System.nanoTime() + MAX_NANOS;
            long time = 1_000_000_000L;
            long records = 0;
            for (int round = 0; records < RECORDS_TARGET && System.nanoTime() < deadline; round++) {
                if (round % 16 != 15) {
                    for (Lap lap : laps) {
                        lap.publish(time);
                    }
                    time += 2L * PER_RING + 2;
                }
                // the newest of CPU 0 is the watermark: CPU 1's last record waits for the next round
                now[0] = time - 2;
                BatchListener l = batchListeners == null ? null : batchListeners[round % batchListeners.length];
                records += merge.pass(rings, Integer.MAX_VALUE, l);
            }
            merge.flush(null);
            for (Lap lap : laps) {
                lap.ring.close();
            }
        } finally {
            merge.close();
        }
    }

    /** One synthetic ring and the records written into it each round, with their times restamped. */
    private static final class Lap {
        final MemorySegment meta;
        final MemorySegment data;
        final PerfRing ring;
        final byte[] image;
        /** Offsets in the image of each record's time (a sample's own, or its sample_id's). */
        final int[] timeAt;
        final int cpu;
        long position;

        Lap(Arena arena, int cpu, Dispatcher.Entry[] entries) {
            this.cpu = cpu;
            List<byte[]> recs = new ArrayList<>();
            List<Integer> times = new ArrayList<>();
            int at = 0;
            for (int i = 0; i < PER_RING; i++) {
                byte[] rec;
                int time;
                if (i == PER_RING / 3 && cpu == 1) {
                    rec = RecordImages.withSampleId(RecordImages.lost(0, 0), 0, 0, 0, cpu);
                    time = rec.length - PerfSideRecordDescriptor.SAMPLE_ID_LENGTH + PerfSideRecordDescriptor.SAMPLE_ID_TIME_OFFSET;
                } else if (i == 2 * PER_RING / 3) {
                    rec = RecordImages.withSampleId(RecordImages.fork(0, 0, 0, 0, 0), 0, 0, 0, cpu);
                    time = rec.length - PerfSideRecordDescriptor.SAMPLE_ID_LENGTH + PerfSideRecordDescriptor.SAMPLE_ID_TIME_OFFSET;
                } else {
                    rec = RecordImages.sample(0, 0, 0, cpu, RecordImages.raw(entries[i % entries.length].format()));
                    time = PerfSampleDescriptor.TIME_OFFSET;
                }
                recs.add(rec);
                times.add(at + time);
                at += rec.length;
            }
            image = RecordImages.image(recs);
            timeAt = times.stream().mapToInt(Integer::intValue).toArray();
            int size = Integer.highestOneBit(Math.max(RING_SIZE, image.length) - 1) * 2;
            meta = arena.allocate(4096, 4096);
            data = arena.allocate(size, 4096);
            ring = new PerfRing(cpu, meta, data);
        }

        /**
         * Writes the records after the last ones (the previous round drained them all), record {@code i} at
         * time {@code base + 2 i + cpu}, and publishes them.
         */
        void publish(long base) {
            MemorySegment img = MemorySegment.ofArray(image);
            for (int i = 0; i < timeAt.length; i++) {
                img.set(ValueLayout.JAVA_LONG_UNALIGNED, timeAt[i], base + 2L * i + cpu);
            }
            position = RecordImages.write(data, position, image);
            RecordImages.setDataHead(meta, position);
        }
    }
}
