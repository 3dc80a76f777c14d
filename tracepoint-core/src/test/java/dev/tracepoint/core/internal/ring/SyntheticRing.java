package dev.tracepoint.core.internal.ring;

import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * A {@code perf_event_mmap_page} image and data area in native memory, with a producer that writes records
 * the way the kernel does: header and body at {@code data_head & (capacity - 1)}, wrapping byte-wise at the
 * end without padding, then {@code data_head} published with a release store. The producer respects
 * {@code data_tail} ({@link #free()}), like the kernel with a writable mapping. The bytes are written by
 * {@link RecordImages}.
 */
final class SyntheticRing implements AutoCloseable {

    private static final VarHandle U64 = ValueLayout.JAVA_LONG.varHandle();
    /** The size of the {@code PERF_RECORD_LOST} records {@link #produce} writes. */
    static final int LOST_RECORD_SIZE = 24;

    final Arena arena = Arena.ofShared();
    final MemorySegment meta;
    final MemorySegment data;
    final long capacity;
    /** The producer's write position; published to data_head by {@link #publish()}. */
    long head;
    private final MemorySegment staging;

    SyntheticRing(long capacity) {
        this(capacity, 0);
    }

    /** A ring whose head and tail both start at {@code start} (to place records anywhere). */
    SyntheticRing(long capacity, long start) {
        this.capacity = capacity;
        this.meta = arena.allocate(4096, 4096);
        this.data = arena.allocate(capacity, 4096);
        this.staging = arena.allocate(1 << 16, 8);
        setTail(start);
        head = start;
        publish();
    }

    PerfRing ring(int cpu) {
        return new PerfRing(cpu, meta, data);
    }

    long tail() {
        return RecordImages.dataTail(meta);
    }

    void setTail(long tail) {
        RecordImages.setDataTail(meta, tail);
    }

    long publishedHead() {
        return RecordImages.dataHead(meta);
    }

    /** Overwrites data_head directly (for corrupt-head tests). */
    void setHead(long value) {
        head = value;
        publish();
    }

    /** Space the producer may still write without overwriting unread data. */
    long free() {
        return capacity - (head - tail());
    }

    /** Publishes everything written so far, as perf_output_put_handle does (smp_wmb; WRITE_ONCE head). */
    void publish() {
        RecordImages.setDataHead(meta, head);
    }

    /**
     * Writes a record with the given header; the body is filled by {@code fill} in a staging segment
     * (offset 0 = header). Does not publish.
     */
    void write(int type, int misc, int size, BodyWriter fill) {
        staging.asSlice(0, Math.max(size, 8)).fill((byte) 0);
        RecordImages.header(staging, 0, type, misc, size);
        fill.fill(staging);
        head = RecordImages.write(data, head, staging, Math.max(size, 8));
    }

    /** Writes a record image (see {@link RecordImages}) at head, wrapping, and advances head. Does not publish. */
    void write(byte[] record) {
        head = RecordImages.write(data, head, record);
    }

    /** A sample whose first body word is {@code seq} and the following words {@code pattern(seq, i)}. */
    void writeSample(long seq, int size) {
        write(PerfRecordType.PERF_RECORD_SAMPLE, 0, size, s -> {
            if (size >= 16) {
                s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, seq);
            }
            for (int i = 16; i + 8 <= size; i += 8) {
                s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, pattern(seq, i));
            }
        });
    }

    /**
     * The kernel's side of a stress run, for a producer thread: writes {@code records} samples of
     * {@code minSize} to {@code minSize + 8 * (sizeSteps - 1)} bytes, usually publishing each at once,
     * sometimes a few together (nested writers in the kernel). It never overwrites what the reader has not
     * released ({@link #free()}); when the ring is full it sometimes drops the sample, as the kernel always
     * does, and reports the drops in a {@code PERF_RECORD_LOST} before the next sample it writes, as
     * {@code perf_output_begin} does, and sometimes waits for the reader.
     *
     * @param records   samples to write or drop, numbered from 0
     * @param minSize   the smallest sample, a multiple of 8
     * @param sizeSteps how many sizes, 8 bytes apart
     * @param writer    writes sample {@code seq} of {@code size} bytes at the head (without publishing)
     * @return the number of samples dropped
     */
    long produce(long records, int minSize, int sizeSteps, SampleWriter writer) {
        SplittableRandom random = new SplittableRandom(42);
        long lostPending = 0;
        long lostTotal = 0;
        int unpublished = 0;
        int spins = 0;
        for (long seq = 0; seq < records; ) {
            int size = minSize + 8 * random.nextInt(sizeSteps);
            long need = size + (lostPending > 0 ? LOST_RECORD_SIZE : 0);
            if (free() < need) {
                if (unpublished > 0) {
                    publish();
                    unpublished = 0;
                }
                // Full ring: sometimes drop (as the kernel always does), sometimes wait for the reader.
                if (seq % 4 == 0) {
                    lostPending++;
                    lostTotal++;
                    seq++;
                } else if (++spins % 64 == 0) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
                continue;
            }
            if (lostPending > 0) {
                writeLost(lostPending);
                lostPending = 0;
            }
            writer.write(this, seq, size);
            seq++;
            if (++unpublished >= 1 + random.nextInt(3)) {
                publish();
                unpublished = 0;
            }
        }
        while (lostPending > 0) {
            if (free() >= LOST_RECORD_SIZE) {
                writeLost(lostPending);
                lostPending = 0;
            } else {
                Thread.onSpinWait();
            }
        }
        publish();
        return lostTotal;
    }

    private void writeLost(long count) {
        write(PerfRecordType.PERF_RECORD_LOST, 0, LOST_RECORD_SIZE,
                b -> b.set(ValueLayout.JAVA_LONG_UNALIGNED, PerfSideRecordDescriptor.LOST_LOST_OFFSET, count));
    }

    /** What a {@link #stress} run measured: the samples the producer dropped, and the run's wall-clock time. */
    record Stress(long lost, long millis) {
    }

    /**
     * A stress run: {@link #produce} on a producer thread of its own, while the calling thread, the reader,
     * runs {@code pass} until {@code done} says so (spinning, then yielding, while a pass finds nothing). It
     * stops early when the producer failed, or ended and the ring is empty.
     *
     * @param pass one pass of the reader over {@code ring}; returns the records it took
     * @return the samples the producer dropped, and the time the run took
     * @throws AssertionError with the producer's failure as its cause
     */
    Stress stress(long records, int minSize, int sizeSteps, SampleWriter writer, PerfRing ring, BooleanSupplier done,
                  IntSupplier pass) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] lost = new long[1];
        Thread producer = new Thread(() -> {
            try {
                lost[0] = produce(records, minSize, sizeSteps, writer);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "ring-stress-producer");
        producer.setDaemon(true); // a reader that failed frees no more space: the producer would wait forever
        long started = System.nanoTime();
        producer.start();
        long idle = 0;
        while (!done.getAsBoolean()) {
            if (pass.getAsInt() == 0) {
                if (failure.get() != null || !producer.isAlive() && ring.isEmpty()) {
                    break;
                }
                if (++idle % 128 == 0) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
        }
        producer.join(10_000);
        if (failure.get() != null) {
            throw new AssertionError("producer failed", failure.get());
        }
        return new Stress(lost[0], (System.nanoTime() - started) / 1_000_000);
    }

    /** Writes one sample of a stress run; see {@link #produce}. */
    @FunctionalInterface
    interface SampleWriter {
        void write(SyntheticRing ring, long seq, int size);
    }

    static long pattern(long seq, int index) {
        return seq * 0x9E3779B97F4A7C15L + index;
    }

    @Override
    public void close() {
        arena.close();
    }

    @FunctionalInterface
    interface BodyWriter {
        void fill(MemorySegment record);
    }
}
