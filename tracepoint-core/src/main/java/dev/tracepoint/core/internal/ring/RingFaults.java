package dev.tracepoint.core.internal.ring;

import dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor;

/**
 * The text of {@link PerfRing}'s corruption reports ({@link RecordHandler#onCorruption}): a {@code data_head}
 * that cannot be right, and a record header whose size cannot be right, each saying which rule it breaks.
 * Only on the rare path of a ring that cannot be trusted (the ring resynchronises after each); stateless.
 */
final class RingFaults {

    private RingFaults() {
    }

    /** Describes a {@code data_head} more than a data area ahead of {@code data_tail}, or behind it. */
    static String badHead(long head, long tail) {
        return (Long.compareUnsigned(head, tail) < 0 ? "data_head=" + Long.toUnsignedString(head)
                + " is behind data_tail=" + Long.toUnsignedString(tail)
                : "data_head=" + Long.toUnsignedString(head) + " is more than the data area ahead of data_tail="
                        + Long.toUnsignedString(tail));
    }

    /** Describes a record header whose size cannot be right, for a corruption report. */
    static String badSize(int type, int size, long at, long available, long capacity) {
        String why;
        if (size < PerfEventHeaderDescriptor.LENGTH) {
            why = "smaller than the 8-byte header";
        } else if ((size & (PerfEventHeaderDescriptor.ALIGNMENT - 1)) != 0) {
            why = "not a multiple of 8";
        } else if (size > capacity) {
            why = "larger than the data area (capacity=" + capacity + ")";
        } else {
            why = "larger than the " + available + " bytes published";
        }
        return "record header.size=" + size + " " + why + " (type=" + Integer.toUnsignedString(type)
                + ", data offset=" + at + ")";
    }
}
