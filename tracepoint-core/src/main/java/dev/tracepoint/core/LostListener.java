package dev.tracepoint.core;

/**
 * Told when the kernel could not write samples because a ring was full ({@code PERF_RECORD_LOST}).
 * Lost records are data, not errors: they mean the consumer fell behind.
 */
@FunctionalInterface
public interface LostListener {

    /**
     * Reports samples the kernel dropped on one CPU, on the consumer thread: once per lost record, and for
     * losses the kernel counted but never announced (at close, and when the CPU goes offline). Each count is
     * new, not a running total; an exception thrown here goes to the stream's error listener.
     *
     * @param cpu   the CPU whose ring was full
     * @param count how many samples the kernel dropped
     */
    void onLost(int cpu, long count);
}
