package dev.tracepoint.core.internal.ring;

import dev.tracepoint.core.internal.perf.PerfRecordType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@code perf_event_mmap_page} image and data area in native memory, with a producer that writes records
 * the way the kernel does: header and body at {@code data_head & (capacity - 1)}, wrapping byte-wise at the
 * end without padding, then {@code data_head} published with a release store. The producer respects
 * {@code data_tail} ({@link #free()}), like the kernel with a writable mapping. The bytes are written by
 * {@link RecordImages}.
 */
final class SyntheticRing implements AutoCloseable {

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
