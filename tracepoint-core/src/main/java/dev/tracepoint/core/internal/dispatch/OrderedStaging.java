package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The staging area of an {@link OrderedMerge}: one {@link Lane} per CPU, a FIFO in native memory of entries
 * {@code u64 time; record}, 8-aligned, in its ring's order; and the binary min-heap of the non-empty lanes by
 * their oldest entry's time (ties by CPU), from which the merge takes the oldest staged record. It owns the
 * lanes' memory (one shared arena, freed by {@link #close()}) and the heap; the merge owns the policy: what is
 * staged with which time, and what is released when (the watermark, making room). The merge writes each entry
 * itself, in {@link OrderedMerge#onRecord}, and pushes a lane that was empty ({@link #push}): that copy is the
 * per-record path, compiled into the ring's drain loop.
 *
 * <p>A lane holds {@code max(2 x ring data size, MIN_LANE)} bytes of entries, plus {@link #MAX_ENTRY} more so
 * that an entry that runs past the end is still contiguous; it is allocated when its CPU's ring is first
 * drained. Consumer thread only, like the merge.
 */
final class OrderedStaging {

    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    /** The time in front of each staged record. */
    static final int KEY_LENGTH = 8;
    /** The largest staged entry: the time and the largest record ({@code header.size} is a u16, records 8-aligned). */
    static final int MAX_ENTRY = KEY_LENGTH + (PerfEventHeaderDescriptor.MAX_RECORD_LENGTH & -PerfEventHeaderDescriptor.ALIGNMENT);
    /** The smallest lane: every record fits an empty lane. */
    static final long MIN_LANE = 2L * MAX_ENTRY;

    /** One CPU's staged records, in its ring's order: entries {@code u64 time; record}, 8-aligned. */
    static final class Lane {
        final int cpu;
        /** {@link #capacity} bytes of positions, then {@link #MAX_ENTRY} more for the entry that runs past the end. */
        final MemorySegment buf;
        final long capacity;
        final long mask;
        /** Free-running positions: the oldest entry, and after the newest. */
        long tail;
        long head;
        /** The newest time staged (or known untimed) in this lane. */
        long newest = Long.MIN_VALUE;
        /** The time of the entry at {@link #tail}, when the lane is not empty. */
        long headTime;

        Lane(int cpu, MemorySegment buf, long capacity) {
            this.cpu = cpu;
            this.buf = buf;
            this.capacity = capacity;
            this.mask = capacity - 1;
        }

        long free() {
            return capacity - (head - tail);
        }

        /** @return the offset in {@link #buf} of the oldest entry's record (the lane is not empty) */
        long oldestRecord() {
            return (tail & mask) + KEY_LENGTH;
        }
    }

    private final Arena arena = Arena.ofShared();
    /** By CPU; null until the CPU's ring is first drained. */
    private Lane[] lanes = new Lane[0];
    /** The non-empty lanes, a binary min-heap by (headTime, cpu). */
    private Lane[] heap = new Lane[4];
    private int heapSize;

    /** @return the lane of the ring's CPU, allocated on first use */
    Lane lane(PerfRing ring) {
        int cpu = ring.cpu();
        if (cpu >= lanes.length) {
            lanes = Arrays.copyOf(lanes, Math.max(cpu + 1, lanes.length * 2));
        }
        Lane l = lanes[cpu];
        if (l == null) {
            long capacity = Math.max(2 * ring.capacity(), MIN_LANE);
            l = new Lane(cpu, arena.allocate(capacity + MAX_ENTRY, Long.BYTES), capacity);
            lanes[cpu] = l;
        }
        return l;
    }

    /** @return whether no record is staged */
    boolean isEmpty() {
        return heapSize == 0;
    }

    /** @return the lane whose oldest entry is the oldest staged record (not empty: check {@link #isEmpty()}) */
    Lane oldest() {
        return heap[0];
    }

    // -------------------------------------------------------------------------------------- the heap

    /** Takes the oldest entry of the heap's top lane {@code l}: its next entry becomes its key, or it leaves. */
    void pop(Lane l, long length) {
        l.tail += length;
        if (l.tail == l.head) {
            Lane last = heap[--heapSize];
            heap[heapSize] = null;
            if (heapSize > 0) {
                heap[0] = last;
                siftDown(0);
            }
        } else {
            l.headTime = l.buf.get(I64, l.tail & l.mask);
            siftDown(0);
        }
    }

    /** Adds a lane that was empty, its {@link Lane#headTime} set, to the heap. */
    void push(Lane l) {
        if (heapSize == heap.length) {
            heap = Arrays.copyOf(heap, heapSize * 2);
        }
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Lane p = heap[parent];
            if (!before(l, p)) {
                break;
            }
            heap[i] = p;
            i = parent;
        }
        heap[i] = l;
    }

    private void siftDown(int i) {
        Lane x = heap[i];
        int n = heapSize;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            Lane c = heap[child];
            if (child + 1 < n && before(heap[child + 1], c)) {
                c = heap[++child];
            }
            if (!before(c, x)) {
                break;
            }
            heap[i] = c;
            i = child;
        }
        heap[i] = x;
    }

    /** Merge order: time, then CPU (a tie between CPUs goes to the lower CPU, for a deterministic order). */
    private static boolean before(Lane a, Lane b) {
        return a.headTime < b.headTime || (a.headTime == b.headTime && a.cpu < b.cpu);
    }

    // ------------------------------------------------------------------------------------------ state

    /** @return the records staged and not yet taken */
    long staged() {
        long n = 0;
        for (Lane l : lanes) {
            if (l != null) {
                for (long p = l.tail; p != l.head; ) {
                    long header = l.buf.get(I64, (p & l.mask) + KEY_LENGTH);
                    p += KEY_LENGTH + PerfEventHeaderDescriptor.size(header);
                    n++;
                }
            }
        }
        return n;
    }

    /** @return the native memory the lanes hold, in bytes */
    long bytes() {
        long n = 0;
        for (Lane l : lanes) {
            if (l != null) {
                n += l.buf.byteSize();
            }
        }
        return n;
    }

    /** Frees the lanes; what they still hold is dropped. */
    void close() {
        lanes = new Lane[0];
        heap = new Lane[0];
        heapSize = 0;
        arena.close();
    }
}
