package dev.tracepoint.skb;

import java.util.List;

/**
 * The drop counts of a {@link DropMonitor} over one period (an interval, or the whole run).
 *
 * @param drops    packets dropped ({@code kfree_skb}) in the period
 * @param consumed packets consumed ({@code consume_skb}), when the monitor counts them
 * @param lost     samples the kernel could not deliver because a ring was full (their reasons are unknown)
 * @param nanos    the length of the period
 * @param counts   the counts per (reason, location), largest first
 */
public record DropSnapshot(long drops, long consumed, long lost, long nanos, List<DropCount> counts) {

    /** Copies the list. */
    public DropSnapshot {
        counts = List.copyOf(counts);
    }
}
