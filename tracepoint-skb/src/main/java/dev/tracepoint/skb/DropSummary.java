package dev.tracepoint.skb;

import java.time.Duration;
import java.util.List;

/**
 * Counts of packet drops per (reason, location) over a period: an interval, or the whole run. Produced by
 * {@link DropMonitor#takeSummary(int)} and {@link DropMonitor#totalSummary(int)}.
 *
 * @param durationNanos how long the period lasted
 * @param drops         packets dropped ({@code kfree_skb}) in the period, after the kernel filter
 * @param consumed      packets consumed ({@code consume_skb}), when the monitor counts them
 * @param lost          the samples the kernel dropped in the period because a ring was full (their reasons
 *                      are unknown)
 * @param rows          the counts, largest first (ties: by reason, then location)
 */
public record DropSummary(long durationNanos, long drops, long consumed, long lost, List<Row> rows) {

    /**
     * How often packets were dropped for one reason at one location.
     *
     * @param reason     the reason value; -1 for consumed packets and kernels without reasons
     * @param reasonName the kernel's name for it, its number when unnamed, {@link Drop#CONSUMED}, or
     *                   {@code null} when the kernel records no reasons
     * @param location   the code address that freed the packets, 0 when unknown
     * @param symbol     the location as {@code %pS} prints it ({@code __udp4_lib_rcv+0x4bc/0xd00}), {@code null}
     *                   when unknown
     * @param count      how many
     * @param consumed   whether these are consumed packets ({@code consume_skb}), not drops
     */
    public record Row(int reason, String reasonName, long location, String symbol, long count, boolean consumed) {

        /**
         * The function that freed the packets, without offset and size, to group rows by function.
         *
         * @return the name of the function of {@link #symbol()} ({@code __udp4_lib_rcv}), the symbol itself when
         *         it is hex, {@code null} when unknown
         */
        public String function() {
            if (symbol == null) {
                return null;
            }
            int plus = symbol.indexOf('+');
            return plus > 0 ? symbol.substring(0, plus) : symbol;
        }
    }

    /** Copies the rows. */
    public DropSummary {
        rows = List.copyOf(rows);
    }

    /**
     * How long the summary's period lasted, as a {@link Duration}.
     *
     * @return the period's length
     */
    public Duration duration() {
        return Duration.ofNanos(durationNanos);
    }
}
