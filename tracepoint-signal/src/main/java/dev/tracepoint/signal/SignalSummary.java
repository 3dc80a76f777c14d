package dev.tracepoint.signal;

import java.time.Duration;
import java.util.List;

/**
 * Counts of signals per (signal, sender, target) over a period: the answer to a screen flooded with
 * {@code SIGCHLD}. Produced by {@link SignalMonitor#takeSummary(int)} and {@link SignalMonitor#totalSummary(int)}.
 *
 * @param durationNanos how long the period lasted
 * @param signals       the {@code signal_generate} events counted (after every filter)
 * @param deliveries    the {@code signal_deliver} events counted, when deliveries are monitored
 * @param lost          the samples the kernel dropped in the period because a ring was full
 * @param rows          the counts, largest first (ties: by signal, sender, target)
 */
public record SignalSummary(long durationNanos, long signals, long deliveries, long lost, List<Row> rows) {

    /**
     * The signals one sender sent one target.
     *
     * @param sig        the signal number
     * @param senderPid  the sending process
     * @param senderComm its name, {@code null} when unknown
     * @param senderUid  its real uid, {@link TaskTable#UNKNOWN_UID} when unknown
     * @param targetPid  the target
     * @param targetComm its name
     * @param count      how many were sent
     * @param failed     how many of them the kernel did not deliver (ignored, merged, overflowed)
     */
    public record Row(int sig, int senderPid, String senderComm, int senderUid, int targetPid, String targetComm,
                      long count, long failed) {

        /**
         * The name of {@link #sig()}, as {@link Signals#name(int)} gives it.
         *
         * @return the signal's name
         */
        public String signalName() {
            return Signals.name(sig);
        }
    }

    /** Copies the rows. */
    public SignalSummary {
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
