package dev.tracepoint.skb;

import dev.tracepoint.core.KernelSymbols;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.TracepointStreamBuilder;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.internal.jmx.StreamMBean;
import dev.tracepoint.skb.internal.DropJfr;
import dev.tracepoint.skb.internal.DropLedger;
import dev.tracepoint.skb.internal.KernelFilter;

import javax.management.ObjectName;
import java.time.Duration;

/**
 * A packet-drop monitor, like dropwatch: reads {@code skb:kfree_skb} (and optionally {@code skb:consume_skb})
 * system-wide and counts drops per (reason, location), for a periodic top-N table, and hands every drop to a
 * {@link DropListener}. {@code ./tracepoint drops} is a thin layer over this class.
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
 * Reason and protocol selections become the kernel filter of {@code skb:kfree_skb} ({@link #kernelFilter()}:
 * {@code (reason == 3 || reason == 6) && protocol == 2048}): unselected drops never reach user space. Reason
 * names are resolved against the running kernel's {@code __print_symbolic} table ({@link DropReasons}).
 * {@code consume_skb} records neither reason nor protocol: consumed packets, when included, are not filtered.
 *
 * <h2>Naming the location</h2>
 * A drop's location is a code address; {@link KernelSymbols} loaded at {@link #open()} prints it as the
 * kernel's {@code %pS} does, in the summaries and on request of the listener ({@link Drop#symbol()}).
 *
 * <h2>Threading</h2>
 * Events are counted and listeners called on the consumer thread: the caller's ({@link #start()}) or the
 * monitor's own ({@link #startAsync()}); counting a drop allocates nothing. {@link #takeSummary(int)},
 * {@link #totalSummary(int)} and the counters may be called from any thread; the summaries symbolize the
 * locations when called, never per event.
 */
public final class DropMonitor implements AutoCloseable {

    private final TracepointStream stream;
    private volatile KernelSymbols symbols;
    private final DropReasons reasons;
    private final DropLedger ledger;
    private final String kernelFilter;
    private final boolean includeConsumed;
    private final boolean hasReason;
    private final DropListener listener;
    private final Drop drop;
    /** The JFR events' committer, or null without {@link DropMonitorBuilder#jfr(boolean)}. */
    private final DropJfr jfr;
    private final String name;
    private final ObjectName mbeanName;

    private boolean opened;
    private boolean consuming;

    DropMonitor(DropMonitorBuilder b) throws TracepointException {
        TracepointStreamBuilder sb = TracepointStream.builder().ringPages(b.ringPages).maxLatency(b.maxLatency)
                .warmUp(b.warmUp).threadName("tracepoint-drops").name(b.name);
        if (b.tracefs != null) {
            sb.tracefs(b.tracefs);
        }
        DropMonitorBuilder.scope(sb, b.processId, b.cgroup);
        TracepointStream s = sb.build();
        try {
            this.symbols = b.symbols; // else loaded at open, once the events could be opened
            this.includeConsumed = b.includeConsumed;
            this.listener = b.listener;
            this.jfr = b.jfr ? new DropJfr() : null;
            this.name = b.name;
            this.mbeanName = b.jmx ? StreamMBean.objectName("DropMonitor", b.name) : null;
            if (mbeanName != null) {
                s.onClose(() -> StreamMBean.unregister(mbeanName));
            }
            Subscription kfreeSkb = s.enable(KfreeSkb.TRACEPOINT);
            EventFormat kfree = kfreeSkb.format();
            this.reasons = DropReasons.of(kfree);
            this.hasReason = reasons.recorded();
            this.ledger = new DropLedger(reasons, this::symbols, s::lostCount);
            this.kernelFilter = KernelFilter.kfreeSkb(reasons, b.reasons, b.protocols);
            kfreeSkb.filter(kernelFilter);
            Subscription consumeSkb = includeConsumed ? s.enable(ConsumeSkb.TRACEPOINT) : null;
            EventFormat consume = consumeSkb != null ? consumeSkb.format() : null;
            this.drop = new Drop(reasons, hasReason, kfree.field("rx_sk") != null,
                    consume != null && consume.field("location") != null);
            kfreeSkb.onEvent(KfreeSkb.class, this::onKfreeSkb);
            if (consumeSkb != null) {
                consumeSkb.onEvent(ConsumeSkb.class, this::onConsumeSkb);
            }
            for (LostListener l : b.lostListeners) {
                s.onLost(l);
            }
            if (b.cpuListener != null) {
                s.onCpu(b.cpuListener);
            }
            if (b.errorListener != null) {
                s.onError(b.errorListener);
            }
            for (Runnable r : b.flushListeners) {
                s.onFlush(r);
            }
        } catch (TracepointException | RuntimeException | Error e) {
            s.close();
            throw e;
        }
        this.stream = s;
    }

    /**
     * Starts the setup of a monitor; {@link DropMonitorBuilder#build()} creates it.
     *
     * @return a builder: every drop reason and protocol, consumed packets excluded, the system's symbols
     */
    public static DropMonitorBuilder builder() {
        return new DropMonitorBuilder();
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
        drop.symbols(symbols()); // before the consumer thread starts, which publishes it
        ledger.open(System.nanoTime()); // the setup time is not part of the first period
        opened = true;
        if (mbeanName != null && !stream.isClosed()) {
            try {
                StreamMBean.register(mbeanName, new Management());
            } catch (IllegalStateException e) {
                stream.close();
                throw new TracepointException(e.getMessage(), e);
            }
        }
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
     * Waits at most {@code timeout} until the consumer has ended and the monitor released its resources.
     *
     * @param timeout how long to wait
     * @return whether the monitor terminated in time
     * @throws InterruptedException when interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return stream.awaitTermination(timeout);
    }

    /**
     * Tells whether the monitor has stopped: {@link #close()} was called, or its consumer ended on its own.
     *
     * @return whether the monitor was closed or its consumer ended
     */
    public boolean isClosed() {
        return stream.isClosed();
    }

    // ------------------------------------------------------------------------------------- hot path

    private void onKfreeSkb(KfreeSkb e) {
        ledger.drop(hasReason ? e.reason() : -1, e.location());
        if (listener != null || jfr != null && DropJfr.enabled()) {
            Drop d = drop.moveTo(e);
            if (jfr != null) {
                jfr.commit(d);
            }
            if (listener != null) {
                listener.onDrop(d);
            }
        }
    }

    private void onConsumeSkb(ConsumeSkb e) {
        Drop d = drop.moveTo(e);
        ledger.consumed(d.location());
        if (jfr != null) {
            jfr.commit(d);
        }
        if (listener != null) {
            listener.onDrop(d);
        }
    }

    // -------------------------------------------------------------------------------------- summary

    /**
     * The counts since the previous call (or since {@link #open()}), then starts a new period.
     *
     * @param limit the most rows (0: all)
     * @return the period's summary
     */
    public DropSummary takeSummary(int limit) {
        return ledger.takeSummary(limit);
    }

    /**
     * The counts since {@link #open()}.
     *
     * @param limit the most rows (0: all)
     * @return the whole run's summary
     */
    public DropSummary totalSummary(int limit) {
        return ledger.totalSummary(limit);
    }

    // ---------------------------------------------------------------------------------------- state

    /**
     * The filter the monitor's reasons and protocols compiled to for {@code kfree_skb}, in ftrace syntax, to
     * log or to check.
     *
     * @return the kernel filter set on {@code skb:kfree_skb}, or {@code null} when every drop crosses
     */
    public String kernelFilter() {
        return kernelFilter;
    }

    /**
     * How many events the monitor's stream received, drops and consumed packets together.
     *
     * @return the events that crossed from the kernel into user space (passed the kernel filter), all tracepoints
     */
    public long eventCount() {
        return stream.eventCount();
    }

    /**
     * How many packet drops the monitor counted (and handed to its listener, when it has one).
     *
     * @return the {@code kfree_skb} events counted since {@link #open()}
     */
    public long dropCount() {
        return ledger.drops();
    }

    /**
     * How many consumed packets the monitor counted (and handed to its listener, when it has one).
     *
     * @return the {@code consume_skb} events counted since {@link #open()} (0 unless consumed packets are included)
     */
    public long consumedCount() {
        return ledger.consumed();
    }

    /**
     * How many events the monitor never saw because the consumer fell behind; non-zero means the counts are
     * low.
     *
     * @return the samples the kernel dropped because a ring was full
     */
    public long lostCount() {
        return stream.lostCount();
    }

    /**
     * The running kernel's table of drop reasons, read from its {@code kfree_skb} format, to name or look up
     * reason values.
     *
     * @return the running kernel's drop reasons
     */
    public DropReasons reasons() {
        return reasons;
    }

    /**
     * The symbol table the monitor names drop locations with; loaded at {@link #open()} at the latest.
     *
     * @return the symbol table that names the locations ({@link KernelSymbols#system()} unless the builder set one)
     */
    public KernelSymbols symbols() {
        KernelSymbols s = symbols;
        if (s == null) {
            s = KernelSymbols.system();
            symbols = s;
        }
        return s;
    }

    /**
     * Tells whether the monitor also reads {@code skb:consume_skb}, as the builder was told.
     *
     * @return whether consumed packets are counted too
     */
    public boolean includesConsumed() {
        return includeConsumed;
    }

    /**
     * {@return the MXBean's object name, {@code dev.tracepoint:type=DropMonitor,name=NAME}, when built with
     * {@link DropMonitorBuilder#jmx(boolean)}; else empty}
     */
    public java.util.Optional<ObjectName> mbeanName() {
        return java.util.Optional.ofNullable(mbeanName);
    }

    /** The monitor's MXBean. */
    private final class Management implements DropMonitorMXBean {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isOpen() {
            return !stream.isClosed();
        }

        @Override
        public long getEvents() {
            return eventCount();
        }

        @Override
        public long getDrops() {
            return dropCount();
        }

        @Override
        public long getConsumed() {
            return consumedCount();
        }

        @Override
        public long getLost() {
            return lostCount();
        }

        @Override
        public String getKernelFilter() {
            return kernelFilter();
        }
    }

    @Override
    public String toString() {
        return "DropMonitor[kernelFilter=" + kernelFilter + ", includesConsumed=" + includeConsumed + "]";
    }
}
