package dev.tracepoint.core;

/**
 * Told when the kernel could not write samples because a ring was full ({@code PERF_RECORD_LOST}).
 * Lost records are data, not errors: they mean the consumer fell behind.
 */
@FunctionalInterface
public interface LostListener {

    /**
     * @param cpu   the CPU whose ring was full
     * @param count how many samples the kernel dropped
     */
    void onLost(int cpu, long count);
}
