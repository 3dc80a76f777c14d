package dev.tracepoint.core.decode;

/**
 * What perf records beside a tracepoint's raw record ({@code PERF_SAMPLE_TID | TIME | CPU}), for decoding a
 * record that is not in a live ring (see {@link EventReader}).
 *
 * @param cpu                  the CPU the sample was recorded on, or -1 when unknown
 * @param pid                  the pid (tgid) of the task that was current
 * @param tid                  its thread id
 * @param timeNanos            the sample time, CLOCK_MONOTONIC nanoseconds
 * @param wallClockOffsetNanos {@code CLOCK_REALTIME - CLOCK_MONOTONIC} when the record was made, for
 *                             {@link EventView#wallClock()}; 0 when unknown
 */
public record SampleMetadata(int cpu, int pid, int tid, long timeNanos, long wallClockOffsetNanos) {

    /** No metadata: CPU -1, pid, tid and times 0. */
    public static final SampleMetadata NONE = new SampleMetadata(-1, 0, 0, 0, 0);

    /**
     * Metadata for a record whose wall-clock time is not known: {@link EventView#wallClock()} then gives the
     * monotonic time as if it were wall-clock time.
     *
     * @param cpu       the CPU
     * @param pid       the pid (tgid)
     * @param tid       the thread id
     * @param timeNanos the sample time, CLOCK_MONOTONIC nanoseconds
     * @return metadata without a wall-clock offset
     */
    public static SampleMetadata of(int cpu, int pid, int tid, long timeNanos) {
        return new SampleMetadata(cpu, pid, tid, timeNanos, 0);
    }
}
