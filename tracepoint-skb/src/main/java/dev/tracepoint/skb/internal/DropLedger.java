package dev.tracepoint.skb.internal;

import dev.tracepoint.core.KernelSymbols;
import dev.tracepoint.skb.Drop;
import dev.tracepoint.skb.DropReasons;
import dev.tracepoint.skb.DropSummary;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The drop monitor's books: the drops and consumed packets counted per (reason, location) in the current
 * period and over the whole run, with the samples the kernel lost in each. The consumer thread counts,
 * without allocating; {@link #takeSummary} and {@link #totalSummary} may be called from any thread and
 * symbolize the locations when called, never per event.
 */
public final class DropLedger {

    /** The key reason of consumed packets in the count map (no real reason has this value). */
    private static final int CONSUMED_KEY = Integer.MIN_VALUE;

    private final DropReasons reasons;
    private final boolean hasReason;
    private final Supplier<KernelSymbols> symbols;
    private final LongSupplier lost;

    /** The counts of a period: per (reason, location), and the drops and consumed packets in all. */
    private static final class Tally {
        final DropCounts counts = new DropCounts();
        long drops;
        long consumed;

        void addTo(Tally t) {
            t.counts.addAll(counts);
            t.drops += drops;
            t.consumed += consumed;
        }

        void clear() {
            counts.clear();
            drops = 0;
            consumed = 0;
        }
    }

    // guarded by lock
    private final Object lock = new Object();
    private final Tally interval = new Tally();
    private final Tally total = new Tally(); // of the periods taken
    private long intervalStart;
    private long runStart;
    private long lostAtTake;

    /**
     * @param reasons the running kernel's drop reasons, to name the rows
     * @param symbols the symbol table for the rows' locations, asked for when a summary is made
     * @param lost    the samples the kernel lost so far (the stream's counter)
     */
    public DropLedger(DropReasons reasons, Supplier<KernelSymbols> symbols, LongSupplier lost) {
        this.reasons = Objects.requireNonNull(reasons, "reasons");
        this.hasReason = reasons.recorded();
        this.symbols = Objects.requireNonNull(symbols, "symbols");
        this.lost = Objects.requireNonNull(lost, "lost");
        open(System.nanoTime());
    }

    /**
     * Starts the first period: the monitor opened (the setup time is not part of it).
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
     * Counts a drop.
     *
     * @param reason   its reason value, -1 when the kernel records none
     * @param location the code address that dropped it
     */
    public void drop(int reason, long location) {
        synchronized (lock) {
            interval.counts.add(reason, location, 1);
            interval.drops++;
        }
    }

    /**
     * Counts a consumed packet.
     *
     * @param location the code address that freed it, 0 when unknown
     */
    public void consumed(long location) {
        synchronized (lock) {
            interval.counts.add(CONSUMED_KEY, location, 1);
            interval.consumed++;
        }
    }

    /** @return the drops counted since open */
    public long drops() {
        synchronized (lock) {
            return total.drops + interval.drops;
        }
    }

    /** @return the consumed packets counted since open */
    public long consumed() {
        synchronized (lock) {
            return total.consumed + interval.consumed;
        }
    }

    /**
     * The counts since the previous call (or since open), then starts a new period.
     *
     * @param limit the most rows (0: all)
     * @return the period's summary
     */
    public DropSummary takeSummary(int limit) {
        long lostNow = lost.getAsLong();
        Tally period = new Tally();
        long nanos;
        long lostInPeriod;
        synchronized (lock) {
            long now = System.nanoTime();
            interval.addTo(period);
            interval.addTo(total);
            interval.clear();
            nanos = now - intervalStart;
            intervalStart = now;
            lostInPeriod = lostNow - lostAtTake;
            lostAtTake = lostNow;
        }
        return summary(period, nanos, lostInPeriod, limit);
    }

    /**
     * The counts since open.
     *
     * @param limit the most rows (0: all)
     * @return the whole run's summary
     */
    public DropSummary totalSummary(int limit) {
        long lostNow = lost.getAsLong();
        Tally run = new Tally();
        long nanos;
        synchronized (lock) {
            total.addTo(run);
            interval.addTo(run);
            nanos = System.nanoTime() - runStart;
        }
        return summary(run, nanos, lostNow, limit);
    }

    /** The rows of a copy of the counts, named and symbolized outside the lock, largest first. */
    private DropSummary summary(Tally t, long nanos, long lostCount, int limit) {
        KernelSymbols table = symbols.get();
        List<DropSummary.Row> rows = new ArrayList<>(t.counts.size());
        t.counts.forEach((reason, location, count) -> {
            boolean consumed = reason == CONSUMED_KEY;
            String name;
            if (consumed) {
                name = Drop.CONSUMED;
            } else {
                name = hasReason ? reasons.format(reason & 0xffff_ffffL) : null;
            }
            String symbol = location == 0 && consumed ? null : table.symbolize(location);
            rows.add(new DropSummary.Row(consumed || !hasReason ? -1 : reason, name, location, symbol, count, consumed));
        });
        rows.sort(Comparator.comparingLong(DropSummary.Row::count).reversed()
                .thenComparingInt(DropSummary.Row::reason)
                .thenComparing(DropSummary.Row::location, Long::compareUnsigned));
        if (t.counts.overflow() > 0) {
            rows.add(new DropSummary.Row(-1, "OTHER", 0, "(more than " + DropCounts.MAX_KEYS + " distinct locations)",
                    t.counts.overflow(), false));
        }
        return new DropSummary(nanos, t.drops, t.consumed, lostCount,
                limit > 0 && rows.size() > limit ? rows.subList(0, limit) : rows);
    }
}
