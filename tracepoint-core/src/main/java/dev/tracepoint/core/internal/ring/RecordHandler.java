package dev.tracepoint.core.internal.ring;

import java.lang.foreign.MemorySegment;

/**
 * Receives the records of one {@link PerfRing} drain pass. The record bytes are valid only during the
 * call: they live in the mmap'd ring (or, for a record that wraps the ring end, in the ring's scratch
 * segment) and the kernel may overwrite them once the pass has advanced {@code data_tail}.
 */
public interface RecordHandler {

    /**
     * One record ({@code struct perf_event_header} and its body).
     *
     * @param cpu     the ring's CPU
     * @param segment the segment holding the record
     * @param offset  byte offset of the record header in {@code segment}
     * @param type    {@code perf_event_header.type} ({@code PERF_RECORD_SAMPLE}, {@code PERF_RECORD_LOST}, ...)
     * @param misc    {@code perf_event_header.misc}
     * @param size    {@code perf_event_header.size}, header included; already checked to be a multiple of 8,
     *                at least 8 and no larger than the bytes available
     */
    void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size);

    /**
     * The ring held bytes that cannot be a record (size 0, not a multiple of 8, larger than the data area or
     * than what the kernel published). The ring has been resynchronised to {@code data_head}; the bytes
     * skipped are lost.
     *
     * @param cpu          the ring's CPU
     * @param problem      what was wrong, with the values read
     * @param skippedBytes how many bytes were dropped to resynchronise
     */
    void onCorruption(int cpu, String problem, long skippedBytes);
}
