package dev.tracepoint.signal.internal;

import dev.tracepoint.signal.SignalGenerate;
import dev.tracepoint.signal.SignalGenerateRecord;
import dev.tracepoint.signal.SignalSummary;
import dev.tracepoint.signal.TaskTable;

import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * The signal monitor's books: how many signals and deliveries passed every filter, and, when the monitor
 * aggregates, the counts per (signal, sender, target) of the current period and of the whole run, with the
 * samples the kernel lost in each. The consumer thread counts; {@link #takeSummary} and {@link #totalSummary}
 * may be called from any thread. Counting a key seen before allocates nothing.
 */
public final class SignalLedger {

    private final boolean aggregate;
    private final LongSupplier lost;
    private final IntFunction<TaskTable.Task> names;

    // written by the consumer thread only
    private volatile long signals;
    private volatile long deliveries;

    // guarded by lock
    private final Object lock = new Object();
    private final SummaryTable interval = new SummaryTable(256);
    private final SummaryTable total = new SummaryTable(256);
    private long intervalStart;
    private long runStart;
    private long intervalDeliveries;
    private long totalDeliveries;
    private long lostAtTake;

    /**
     * @param aggregate whether to count per (signal, sender, target), for the summaries
     * @param lost      the samples the kernel lost so far (the stream's counter)
     * @param names     names senders that were unknown when first counted, for the summaries' rows
     */
    public SignalLedger(boolean aggregate, LongSupplier lost, IntFunction<TaskTable.Task> names) {
        this.aggregate = aggregate;
        this.lost = Objects.requireNonNull(lost, "lost");
        this.names = Objects.requireNonNull(names, "names");
    }

    /**
     * Starts the first period: the monitor opened.
     *
     * @param nanos {@link System#nanoTime()} at open
     */
    public void open(long nanos) {
        synchronized (lock) {
            intervalStart = nanos;
            runStart = nanos;
        }
    }

    /**
     * Counts a matching signal read from the flyweight, during its callback.
     *
     * @param e          the flyweight
     * @param senderComm the sender's name, {@code null} when unknown
     * @param senderUid  the sender's uid, {@link TaskTable#UNKNOWN_UID} when unknown
     */
    public void signal(SignalGenerate e, String senderComm, int senderUid) {
        signals++;
        if (aggregate) {
            count(e.sig(), e.senderPid(), e.targetPid(), e.failed(), senderComm, senderUid, e, null);
        }
    }

    /**
     * Counts a matching signal of a copy.
     *
     * @param r the copy, its sender named as far as known
     */
    public void signal(SignalGenerateRecord r) {
        signals++;
        if (aggregate) {
            count(r.sig(), r.senderPid(), r.targetPid(), r.failed(), r.senderComm(), r.senderUid(), null, r.targetComm());
        }
    }

    /** Counts one signal; the target's name, from the flyweight if there is one, is read only for a new key. */
    private void count(int sig, int senderPid, int targetPid, boolean failed, String senderComm, int senderUid,
                       SignalGenerate flyweight, String targetComm) {
        long key = SummaryTable.key(sig, senderPid, targetPid);
        synchronized (lock) {
            if (!interval.increment(key, failed)) {
                String target = flyweight != null ? flyweight.targetComm() : targetComm; // allocates: new keys only
                interval.add(key, senderComm, senderUid, target, 1, failed ? 1 : 0);
            }
        }
    }

    /** Counts a matching delivery. */
    public void delivery() {
        deliveries++;
        if (aggregate) {
            synchronized (lock) {
                intervalDeliveries++;
            }
        }
    }

    /** @return the signals counted since open */
    public long signals() {
        return signals;
    }

    /** @return the deliveries counted since open */
    public long deliveries() {
        return deliveries;
    }

    /**
     * The counts since the previous call (or since open), then starts a new period.
     *
     * @param limit the most rows (0: all)
     * @return the period's summary
     * @throws IllegalStateException when the monitor does not aggregate
     */
    public SignalSummary takeSummary(int limit) {
        checkAggregate();
        long lostNow = lost.getAsLong();
        synchronized (lock) {
            long now = System.nanoTime();
            SignalSummary s = new SignalSummary(now - intervalStart, interval.total(), intervalDeliveries,
                    lostNow - lostAtTake, interval.rows(limit, names));
            interval.addTo(total);
            interval.clear();
            totalDeliveries += intervalDeliveries;
            intervalDeliveries = 0;
            intervalStart = now;
            lostAtTake = lostNow;
            return s;
        }
    }

    /**
     * The counts since open.
     *
     * @param limit the most rows (0: all)
     * @return the whole run's summary
     * @throws IllegalStateException when the monitor does not aggregate
     */
    public SignalSummary totalSummary(int limit) {
        checkAggregate();
        long lostNow = lost.getAsLong();
        synchronized (lock) {
            SummaryTable all = new SummaryTable(total.size() + interval.size());
            total.addTo(all);
            interval.addTo(all);
            return new SignalSummary(System.nanoTime() - runStart, all.total(), totalDeliveries + intervalDeliveries,
                    lostNow, all.rows(limit, names));
        }
    }

    private void checkAggregate() {
        if (!aggregate) {
            throw new IllegalStateException("summaries need SignalMonitorBuilder.aggregate(true)");
        }
    }
}
