package dev.tracepoint.core.internal.perf;

/**
 * Layout of the {@code PERF_RECORD_SAMPLE} records a stream asks for, {@link #SAMPLE_TYPE}: the fields
 * {@code include/uapi/linux/perf_event.h} lists for those bits, in its order, after the header:
 *
 * <pre>
 * struct {
 *     struct perf_event_header header;
 *     u32 pid, tid;      // PERF_SAMPLE_TID
 *     u64 time;          // PERF_SAMPLE_TIME
 *     u32 cpu, res;      // PERF_SAMPLE_CPU
 *     u32 size;          // PERF_SAMPLE_RAW
 *     char data[size];   // the tracepoint's record, as its format file describes it
 * };
 * </pre>
 *
 * <p>No {@code PERF_SAMPLE_IDENTIFIER}: the raw record's {@code common_type} already names the tracepoint,
 * since a stream opens one perf event per tracepoint and CPU. That keeps every sample 8 bytes smaller (88
 * instead of 96 for {@code signal_generate}), which is less for the kernel to write in the traced task and
 * more records per ring.
 */
public final class PerfSampleDescriptor {

    /** {@code PERF_SAMPLE_TID | TIME | CPU | RAW}. */
    public static final long SAMPLE_TYPE = (1L << 1) | (1L << 2) | (1L << 7) | (1L << 10);
    /** Offset of the sample's pid from the record start. */
    public static final int PID_OFFSET = 8;
    /** Offset of the sample's tid. */
    public static final int TID_OFFSET = 12;
    /** Offset of the sample's time. */
    public static final int TIME_OFFSET = 16;
    /** Offset of the sample's CPU. */
    public static final int CPU_OFFSET = 24;
    /** Offset of the raw size. */
    public static final int RAW_SIZE_OFFSET = 32;
    /** Offset of the raw record (the tracepoint's format) from the record start. */
    public static final int RAW_OFFSET = 36;

    private PerfSampleDescriptor() {
    }
}
