package dev.tracepoint.core.internal.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The stitching of a record (or a header) that runs past the end of a ring's data area: its two pieces are
 * copied, in order, to the start of the ring's scratch segment ({@link PerfRing.Cursor#settle}). Once a lap
 * per walk; stateless, static so that it is inlined into the cursor.
 */
final class WrapCopy {

    private WrapCopy() {
    }

    /** Copies {@code length} bytes starting at data offset {@code at}, wrapping at {@code capacity}, to scratch. */
    static void copyOut(MemorySegment data, long capacity, long at, int length, MemorySegment scratch) {
        long first = Math.min(length, capacity - at);
        copy(data, at, scratch, 0, first);
        if (first < length) {
            copy(data, 0, scratch, first, length - first);
        }
    }

    /**
     * A plain copy loop instead of {@code MemorySegment.copy}: records and their pieces are a few dozen
     * bytes and 8-byte aligned, and the JDK's bulk copy is a separate compiled method whose profile (loop
     * predicates for the lengths the warm-up saw) failed on the first real wrap and deoptimised it
     * ({@code -Xlog:deoptimization}: {@code SegmentBulkOperations.copy profile_predicate}). This loop is
     * inlined into its caller and has no length-specific speculation.
     */
    private static void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length) {
        long i = 0;
        for (; i <= length - Long.BYTES; i += Long.BYTES) {
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, dstOffset + i, src.get(ValueLayout.JAVA_LONG_UNALIGNED, srcOffset + i));
        }
        for (; i < length; i++) {
            dst.set(ValueLayout.JAVA_BYTE, dstOffset + i, src.get(ValueLayout.JAVA_BYTE, srcOffset + i));
        }
    }
}
