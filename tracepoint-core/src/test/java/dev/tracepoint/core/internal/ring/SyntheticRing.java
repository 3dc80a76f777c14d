package dev.tracepoint.core.internal.ring;

import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A {@code perf_event_mmap_page} image and data area in native memory, with a producer that writes records
 * the way the kernel does: header and body at {@code data_head & (capacity - 1)}, wrapping byte-wise at the
 * end without padding, then {@code data_head} published with a release store. The producer respects
 * {@code data_tail} ({@link #free()}), like the kernel with a writable mapping.
 */
final class SyntheticRing implements AutoCloseable {

    private static final VarHandle U64 = ValueLayout.JAVA_LONG.varHandle();

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
        return (long) U64.getAcquire(meta, (long) PerfMmapPageDescriptor.DATA_TAIL_OFFSET);
    }

    void setTail(long tail) {
        U64.setRelease(meta, (long) PerfMmapPageDescriptor.DATA_TAIL_OFFSET, tail);
    }

    long publishedHead() {
        return (long) U64.getAcquire(meta, (long) PerfMmapPageDescriptor.DATA_HEAD_OFFSET);
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
        U64.setRelease(meta, (long) PerfMmapPageDescriptor.DATA_HEAD_OFFSET, head);
    }

    /**
     * Writes a record with the given header; the body is filled by {@code fill} in a staging segment
     * (offset 0 = header). Does not publish.
     */
    void write(int type, int misc, int size, BodyWriter fill) {
        staging.asSlice(0, Math.max(size, 8)).fill((byte) 0);
        staging.set(ValueLayout.JAVA_INT_UNALIGNED, 0, type);
        staging.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4, (short) misc);
        staging.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) size);
        fill.fill(staging);
        writeRaw(staging, Math.max(size, 8));
    }

    /** Writes {@code length} bytes of {@code bytes} at head, wrapping, and advances head. */
    void writeRaw(MemorySegment bytes, long length) {
        long offset = head & (capacity - 1);
        long first = Math.min(length, capacity - offset);
        MemorySegment.copy(bytes, 0, data, offset, first);
        if (first < length) {
            MemorySegment.copy(bytes, first, data, 0, length - first);
        }
        head += length;
    }

    /** A sample whose first body word is {@code seq} and the following words {@code pattern(seq, i)}. */
    void writeSample(long seq, int size) {
        write(9, 0, size, s -> {
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
