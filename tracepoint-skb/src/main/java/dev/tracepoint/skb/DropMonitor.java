package dev.tracepoint.skb;

import dev.tracepoint.core.ErrorListener;
import dev.tracepoint.core.Filter;
import dev.tracepoint.core.KernelSymbols;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.skb.internal.DropCounts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A packet-drop monitor, like dropwatch: reads {@code skb:kfree_skb} (and optionally {@code skb:consume_skb})
 * system-wide and counts drops per (reason, location), for a periodic top-N table, and hands every drop to a
 * {@link DropListener}.
 *
 * {@snippet :
 * try (DropMonitor monitor = DropMonitor.builder()
 *         .reasons("NO_SOCKET", "SOCKET_RCVBUFF")  // names from this kernel's own table
 *         .protocols(EtherTypes.IPV4)
 *         .onDrop(drop -> System.out.println(drop))
 *         .build()) {
 *     monitor.startAsync();
 *     Thread.sleep(1000);
 *     for (DropSummary.Row r : monitor.takeSummary(10).rows()) {
 *         System.out.println(r.count() + " " + r.reasonName() + " " + r.symbol());
 *     }
 * }
 * }
 *
 * <h2>Filters</h2>
 * Reason and protocol selections become a kernel-side filter on {@code skb:kfree_skb} ({@link #kernelFilter()}:
 * {@code (reason == 3 || reason == 6) && protocol == 2048}), so unselected drops never cross into user
 * space. Reason names are resolved against the running kernel's {@code __print_symbolic} table
 * ({@link DropReasons}). {@code consume_skb} records neither reason nor protocol: consumed packets, when
 * included, are not filtered.
 *
 * <h2>Threading</h2>
 * Events are counted and listeners called on the consumer thread: the caller's ({@link #start()}) or the
 * monitor's own ({@link #startAsync()}); counting a drop allocates nothing. {@link #takeSummary(int)},
 * {@link #totalSummary(int)} and the counters may be called from any thread; the summaries symbolize the
 * locations (with {@link KernelSymbols}) when called, never per event.
 */
public final class DropMonitor implements AutoCloseable {

    /** The key reason of consumed packets in the count map (no real reason has this value). */
    private static final int CONSUMED_KEY = Integer.MIN_VALUE;

    private final TracepointStream stream;
    private volatile KernelSymbols symbols;
    private final DropReasons reasons;
    private final String filter;
    private final boolean includeConsumed;
    private final boolean hasReason;
    private final DropListener listener;
    private final Drop event;

    private final Object lock = new Object();
    private final DropCounts interval = new DropCounts();
    private final DropCounts total = new DropCounts();
    private long intervalDrops;
    private long intervalConsumed;
    private long totalDrops;
    private long totalConsumed;
    private long intervalStart;
    private long lostAtIntervalStart;
    private long started;
    private boolean opened;
    private boolean consuming;

    private DropMonitor(Builder b) throws TracepointException {
        TracepointStream.Builder sb = TracepointStream.builder().ringPages(b.ringPages).maxLatency(b.maxLatency)
                .threadName("tracepoint-drops");
        if (b.tracefs != null) {
            sb.tracefs(b.tracefs);
        }
        TracepointStream s = sb.build();
        try {
            this.symbols = b.symbols; // else loaded at open, once the events could be opened
            this.includeConsumed = b.includeConsumed;
            this.listener = b.listener;
            EventFormat kfree = s.format(KfreeSkb.TRACEPOINT);
            this.reasons = DropReasons.of(kfree);
            this.hasReason = reasons.recorded();
            this.filter = kernelFilter(reasons, b.reasons, b.protocols);
            if (filter != null) {
                s.filter(KfreeSkb.TRACEPOINT, filter);
            }
            EventFormat consume = includeConsumed ? s.format(ConsumeSkb.TRACEPOINT) : null;
            this.event = new Drop(reasons, hasReason, kfree.field("rx_sk") != null,
                    consume != null && consume.field("location") != null);
            s.onEvent(KfreeSkb.TRACEPOINT, KfreeSkb.class, this::onKfreeSkb);
            if (includeConsumed) {
                s.onEvent(ConsumeSkb.TRACEPOINT, ConsumeSkb.class, this::onConsumeSkb);
            }
            for (LostListener l : b.lostListeners) {
                s.onLost(l);
            }
            for (Runnable r : b.flushListeners) {
                s.onFlush(r);
            }
            if (b.errorListener != null) {
                s.onError(b.errorListener);
            }
        } catch (TracepointException | RuntimeException | Error e) {
            s.close();
            throw e;
        }
        this.stream = s;
        this.started = System.nanoTime();
        this.intervalStart = started;
    }

    /** @return a builder: every drop reason and protocol, consumed packets excluded, the system's symbols */
    public static Builder builder() {
        return new Builder();
    }

    static String kernelFilter(DropReasons reasons, List<String> reasonNames, int[] protocols) {
        List<Filter> parts = new ArrayList<>();
        if (!reasonNames.isEmpty()) {
            Filter.FieldRef reason = Filter.field(DropReasons.FIELD);
            parts.add(Filter.anyOf(reasonNames.stream().mapToLong(reasons::valueOf).distinct()
                    .mapToObj(reason::eq).toArray(Filter[]::new)));
        }
        if (protocols.length > 0) {
            Filter.FieldRef protocol = Filter.field("protocol");
            parts.add(Filter.anyOf(Arrays.stream(protocols).distinct().mapToObj(protocol::eq).toArray(Filter[]::new)));
        }
        return parts.isEmpty() ? null : Filter.allOf(parts.toArray(Filter[]::new)).toString();
    }

    // ------------------------------------------------------------------------------------- hot path

    private void onKfreeSkb(KfreeSkb drop) {
        int reason = hasReason ? drop.reason() : -1;
        long location = drop.location();
        synchronized (lock) {
            interval.add(reason, location, 1);
            intervalDrops++;
        }
        if (listener != null) {
            listener.onDrop(event.moveTo(drop));
        }
    }

    private void onConsumeSkb(ConsumeSkb consumed) {
        Drop e = event.moveTo(consumed);
        long location = e.location();
        synchronized (lock) {
            interval.add(CONSUMED_KEY, location, 1);
            intervalConsumed++;
        }
        if (listener != null) {
            listener.onDrop(e);
        }
    }

    // ------------------------------------------------------------------------------------ lifecycle

    /**
     * Opens the perf events (setup errors are thrown here) and loads the symbol table. Drops freed after this
     * returns are counted. {@link #start()} and {@link #startAsync()} call it; call it yourself to fail early.
     * Idempotent.
     *
     * @throws TracepointException when the stream cannot be opened (no privileges, a rejected filter, ...)
     */
    public synchronized void open() throws TracepointException {
        if (opened) {
            return;
        }
        stream.open();
        event.symbols(symbols()); // before the consumer thread starts, which publishes it
        synchronized (lock) { // counting starts now: the setup time is not part of the first interval
            started = System.nanoTime();
            intervalStart = started;
        }
        opened = true;
    }

    /**
     * Opens the monitor if needed and consumes on the calling thread until {@link #close()}. Once only.
     *
     * @throws TracepointException   when opening fails
     * @throws IllegalStateException when it was started before
     */
    public void start() throws TracepointException {
        consuming();
        stream.start();
    }

    /**
     * Opens the monitor on the calling thread (so setup errors are thrown here) and consumes on a new daemon
     * thread named {@code tracepoint-drops}. Once only.
     *
     * @throws TracepointException   when opening fails
     * @throws IllegalStateException when it was started before
     */
    public void startAsync() throws TracepointException {
        consuming();
        stream.startAsync();
    }

    private synchronized void consuming() throws TracepointException {
        if (consuming) {
            throw new IllegalStateException("the monitor was started already");
        }
        open();
        consuming = true;
    }

    /**
     * Stops: delivers what the rings still hold, then releases everything. Idempotent, callable from any
     * thread.
     */
    @Override
    public void close() {
        stream.close();
    }

    /**
     * Waits until the consumer has ended and the monitor released its resources.
     *
     * @throws InterruptedException when interrupted
     */
    public void awaitTermination() throws InterruptedException {
        stream.awaitTermination();
    }

    /**
     * @param timeout how long to wait
     * @return whether the monitor terminated in time
     * @throws InterruptedException when interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return stream.awaitTermination(timeout);
    }

    /** @return whether the monitor was closed or its consumer ended */
    public boolean isClosed() {
        return stream.isClosed();
    }

    // ---------------------------------------------------------------------------------------- state

    /** @return the running kernel's drop reasons */
    public DropReasons reasons() {
        return reasons;
    }

    /** @return the kernel-side filter on {@code skb:kfree_skb}, or {@code null} when every drop is counted */
    public String kernelFilter() {
        return filter;
    }

    /** @return the symbol table that names the locations ({@link KernelSymbols#system()} unless the builder set one) */
    public KernelSymbols symbols() {
        KernelSymbols s = symbols;
        if (s == null) {
            s = KernelSymbols.system();
            symbols = s;
        }
        return s;
    }

    /** @return whether consumed packets are counted too */
    public boolean includesConsumed() {
        return includeConsumed;
    }

    /** @return the events that crossed from the kernel into user space (passed the kernel filter), all tracepoints */
    public long eventCount() {
        return stream.eventCount();
    }

    /** @return the {@code kfree_skb} events counted since {@link #open()} */
    public long dropCount() {
        synchronized (lock) {
            return totalDrops + intervalDrops;
        }
    }

    /** @return the {@code consume_skb} events counted since {@link #open()} (0 unless consumed packets are included) */
    public long consumedCount() {
        synchronized (lock) {
            return totalConsumed + intervalConsumed;
        }
    }

    /** @return the samples the kernel dropped because a ring was full */
    public long lostCount() {
        return stream.lostCount();
    }

    // ---------------------------------------------------------------------------------------- summary

    /**
     * The counts since the previous call (or since {@link #open()}), then starts a new period.
     *
     * @param limit the most rows (0: all)
     * @return the period's summary
     */
    public DropSummary takeSummary(int limit) {
        DropCounts copy = new DropCounts();
        long drops;
        long consumedCount;
        long nanos;
        long lostNow = stream.lostCount();
        long lost;
        synchronized (lock) {
            copy.addAll(interval);
            drops = intervalDrops;
            consumedCount = intervalConsumed;
            long now = System.nanoTime();
            nanos = now - intervalStart;
            lost = lostNow - lostAtIntervalStart;
            total.addAll(interval);
            totalDrops += intervalDrops;
            totalConsumed += intervalConsumed;
            interval.clear();
            intervalDrops = 0;
            intervalConsumed = 0;
            intervalStart = now;
            lostAtIntervalStart = lostNow;
        }
        return summary(copy, drops, consumedCount, lost, nanos, limit);
    }

    /**
     * The counts since {@link #open()}.
     *
     * @param limit the most rows (0: all)
     * @return the whole run's summary
     */
    public DropSummary totalSummary(int limit) {
        DropCounts copy = new DropCounts();
        long drops;
        long consumedCount;
        long nanos;
        synchronized (lock) {
            copy.addAll(total);
            copy.addAll(interval);
            drops = totalDrops + intervalDrops;
            consumedCount = totalConsumed + intervalConsumed;
            nanos = System.nanoTime() - started;
        }
        return summary(copy, drops, consumedCount, stream.lostCount(), nanos, limit);
    }

    private DropSummary summary(DropCounts counts, long drops, long consumedCount, long lost, long nanos, int limit) {
        List<DropSummary.Row> rows = new ArrayList<>(counts.size());
        counts.forEach((reason, location, count) -> {
            boolean consumed = reason == CONSUMED_KEY;
            String name;
            if (consumed) {
                name = Drop.CONSUMED;
            } else {
                name = hasReason ? reasons.format(reason & 0xffff_ffffL) : null;
            }
            String symbol = location == 0 && consumed ? null : symbols().symbolize(location);
            rows.add(new DropSummary.Row(consumed || !hasReason ? -1 : reason, name, location, symbol, count, consumed));
        });
        rows.sort(Comparator.comparingLong(DropSummary.Row::count).reversed()
                .thenComparingInt(DropSummary.Row::reason)
                .thenComparing(DropSummary.Row::location, Long::compareUnsigned));
        if (counts.overflow() > 0) {
            rows.add(new DropSummary.Row(-1, "OTHER", 0, "(more than " + DropCounts.MAX_KEYS + " distinct locations)",
                    counts.overflow(), false));
        }
        return new DropSummary(nanos, drops, consumedCount, lost, limit > 0 && rows.size() > limit ? rows.subList(0, limit) : rows);
    }

    // -------------------------------------------------------------------------------------- builder

    /** Settings of a {@link DropMonitor}. Not thread-safe. */
    public static final class Builder {
        private Tracefs tracefs;
        private KernelSymbols symbols;
        private final List<String> reasons = new ArrayList<>();
        private int[] protocols = new int[0];
        private boolean includeConsumed;
        private int ringPages = 128;
        private Duration maxLatency = Duration.ofMillis(100);
        private DropListener listener;
        private final List<LostListener> lostListeners = new ArrayList<>();
        private final List<Runnable> flushListeners = new ArrayList<>();
        private ErrorListener errorListener;

        private Builder() {
        }

        /**
         * @param tracefs the tracefs to read formats from (default: the mounted one)
         * @return this builder
         */
        public Builder tracefs(Tracefs tracefs) {
            this.tracefs = Objects.requireNonNull(tracefs, "tracefs");
            return this;
        }

        /**
         * @param symbols the symbol table for locations (default {@link KernelSymbols#system()})
         * @return this builder
         */
        public Builder symbols(KernelSymbols symbols) {
            this.symbols = Objects.requireNonNull(symbols, "symbols");
            return this;
        }

        /**
         * Counts only drops of these reasons (added to earlier calls): names of the running kernel's table in any
         * case, with or without {@code SKB_DROP_REASON_}, or numbers. Resolved by {@link #build()}.
         *
         * @param names reason names or numbers
         * @return this builder
         */
        public Builder reasons(String... names) {
            for (String n : names) {
                reasons.add(Objects.requireNonNull(n, "reason"));
            }
            return this;
        }

        /**
         * Counts only drops of these protocols (added to earlier calls); see {@link EtherTypes}.
         *
         * @param ethertypes ethertypes, host byte order ({@link EtherTypes#IPV4})
         * @return this builder
         */
        public Builder protocols(int... ethertypes) {
            int[] all = Arrays.copyOf(protocols, protocols.length + ethertypes.length);
            for (int i = 0; i < ethertypes.length; i++) {
                if (ethertypes[i] < 0 || ethertypes[i] > 0xffff) {
                    throw new IllegalArgumentException("protocol=" + ethertypes[i] + " is not a 16-bit ethertype");
                }
                all[protocols.length + i] = ethertypes[i];
            }
            protocols = all;
            return this;
        }

        /**
         * @param include whether to count consumed packets ({@code skb:consume_skb}) too, under the reason
         *                {@link Drop#CONSUMED} (default false: they are normally far more numerous than drops)
         * @return this builder
         */
        public Builder includeConsumed(boolean include) {
            this.includeConsumed = include;
            return this;
        }

        /**
         * @param pages data pages per CPU ring, a power of two >= 1 (default 128)
         * @return this builder
         */
        public Builder ringPages(int pages) {
            if (pages < 1 || Integer.bitCount(pages) != 1) {
                throw new IllegalArgumentException("ringPages must be a power of two >= 1: ringPages=" + pages);
            }
            this.ringPages = pages;
            return this;
        }

        /**
         * @param latency the longest an event waits in a ring, positive (default 100 ms)
         * @return this builder
         */
        public Builder maxLatency(Duration latency) {
            if (latency.isNegative() || latency.isZero()) {
                throw new IllegalArgumentException("maxLatency=" + latency);
            }
            this.maxLatency = latency;
            return this;
        }

        /**
         * @param listener called with every drop, on the consumer thread
         * @return this builder
         */
        public Builder onDrop(DropListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param listener told when the kernel loses samples because a ring is full
         * @return this builder
         */
        public Builder onLost(LostListener listener) {
            lostListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @param listener called after each batch of events (flush output here)
         * @return this builder
         */
        public Builder onFlush(Runnable listener) {
            flushListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @param listener told about listener exceptions and bad samples (default: logged)
         * @return this builder
         */
        public Builder onError(ErrorListener listener) {
            this.errorListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Reads the running kernel's formats, resolves the reasons, binds the typed events and sets the
         * filter. Nothing is opened yet: see {@link DropMonitor#open()}.
         *
         * @return the monitor
         * @throws TracepointException      when tracefs or the skb tracepoints are missing or unreadable
         * @throws IllegalArgumentException when a reason is unknown to this kernel, or it records no reasons
         */
        public DropMonitor build() throws TracepointException {
            return new DropMonitor(this);
        }
    }
}
