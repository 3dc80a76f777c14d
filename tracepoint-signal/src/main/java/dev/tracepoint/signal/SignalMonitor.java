package dev.tracepoint.signal;

import dev.tracepoint.core.ErrorListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.signal.internal.KernelFilter;
import dev.tracepoint.signal.internal.SummaryTable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Who sends which signal to whom: {@code signal:signal_generate} (and optionally {@code signal_deliver})
 * with the sender named, filtered in the kernel where the kernel can, and counted per (signal, sender,
 * target). {@code ./tracepoint signals} is a thin layer over this class.
 *
 * {@snippet :
 * try (SignalMonitor monitor = SignalMonitor.builder()
 *         .signals("KILL", "TERM")
 *         .onSignal(e -> System.out.println(e.signalName() + " " + e.senderComm() + "(" + e.senderPid() + ") -> "
 *                 + e.targetComm() + "(" + e.targetPid() + ")"))
 *         .build()) {
 *     monitor.startAsync();
 *     Thread.sleep(60_000);
 * }
 * }
 *
 * <h2>Filters</h2>
 * Signal, target pid, target name and failed-only filters become the kernel filter of
 * {@code signal_generate} ({@link #kernelFilter()}): rejected events never reach user space. Sender filters
 * are applied here, by process id (the kernel's {@code common_pid} is a thread id) and by name. Deliveries
 * ({@code signal_deliver}) take the signal filters in the kernel and the target filters here; sender and
 * failed-only filters do not apply to them (a delivery has no sender, and is not a failure).
 *
 * <h2>Naming the sender</h2>
 * A {@link TaskTable} fed by the kernel's COMM/FORK/EXIT records and seeded from {@code /proc} at
 * {@link #open()} names senders, also those that exited before their event was read.
 *
 * <h2>Order</h2>
 * The kernel keeps one ring per CPU and the stream drains them one after the other, so the copies handed to
 * {@link Builder#onSignal} and {@link Builder#onDeliver} are collected over a drain pass and handed on at its
 * end, sorted by time. A copy whose sender is still unknown (its task record sits in a ring not yet read) is
 * held one more pass and named then; the copies after it wait with it, so callbacks see events in time order.
 * Counting without callbacks copies nothing.
 *
 * <h2>Threading</h2>
 * Callbacks run on the consumer thread: the caller's ({@link #start()}) or the monitor's own
 * ({@link #startAsync()}).
 * {@link #takeSummary(int)}, {@link #totalSummary(int)} and the counters may be called from any thread.
 */
public final class SignalMonitor implements AutoCloseable {

    private final TracepointStream stream;
    private final TaskTable tasks;
    private final String generateFilter;
    private final String deliverFilter;
    private final Consumer<? super SignalGenerateRecord> onSignal;
    private final Consumer<? super SignalDeliverRecord> onDeliver;
    private final boolean aggregate;
    private final int[] senderPids;
    private final String[] senderComms;
    private final int[] targetPids;
    private final String[] targetComms;
    private final boolean failedOnly;

    // consumer-thread state
    private final ArrayList<Pending> pending = new ArrayList<>();
    private volatile long matched;
    private volatile long delivered;

    // summary state, guarded by summaryLock
    private final Object summaryLock = new Object();
    private final SummaryTable interval = new SummaryTable(256);
    private final SummaryTable total = new SummaryTable(256);
    private long intervalStart;
    private long runStart;
    private long intervalDeliveries;
    private long totalDeliveries;
    private long lostAtTake;

    private boolean opened;
    private boolean started;

    /** Copies held past this many wait no longer for their senders' names. */
    private static final int MAX_HELD = 65536;

    private static final Comparator<Pending> BY_TIME = Comparator.comparingLong(p -> p.time);

    /** A copy held until the end of the drain pass: to sort the pass by time and name late senders. */
    private static final class Pending {
        final Object event; // SignalGenerateRecord or SignalDeliverRecord
        final long time;
        final boolean counted; // filters applied and counted already
        int flushes;

        Pending(SignalGenerateRecord event, boolean counted) {
            this.event = event;
            this.time = event.timeNanos();
            this.counted = counted;
        }

        Pending(SignalDeliverRecord event, boolean counted) {
            this.event = event;
            this.time = event.timeNanos();
            this.counted = counted;
        }
    }

    private SignalMonitor(Builder b) throws TracepointException {
        TracepointStream.Builder sb = TracepointStream.builder().onTask(b.tasks).ringPages(b.ringPages)
                .maxLatency(b.maxLatency).threadName("tracepoint-signals");
        if (b.tracefs != null) {
            sb.tracefs(b.tracefs);
        }
        this.stream = sb.build();
        this.tasks = b.tasks;
        this.onSignal = b.onSignal;
        this.onDeliver = b.onDeliver;
        this.aggregate = b.aggregate;
        this.senderPids = toArray(b.senderPids);
        this.senderComms = b.senderComms.toArray(new String[0]);
        this.targetPids = toArray(b.targetPids);
        this.targetComms = b.targetComms.toArray(new String[0]);
        this.failedOnly = b.failedOnly;

        Set<Integer> include = new LinkedHashSet<>(b.include);
        include.removeAll(b.exclude);
        if (!b.include.isEmpty() && include.isEmpty()) {
            throw new IllegalArgumentException("every signal selected with signals() is also excluded: signals="
                    + names(b.include) + " exclude=" + names(b.exclude));
        }
        int[] inc = toArray(include);
        int[] exc = include.isEmpty() ? toArray(b.exclude) : new int[0];
        try {
            EventFormat gen = stream.format(SignalGenerate.TRACEPOINT);
            generateFilter = KernelFilter.generate(gen, inc, exc, targetPids, b.targetComms, failedOnly);
            stream.filter(SignalGenerate.TRACEPOINT, generateFilter);
            stream.onEvent(SignalGenerate.TRACEPOINT, SignalGenerate.class, this::onGenerate);
            if (b.deliveries || onDeliver != null) {
                EventFormat del = stream.format(SignalDeliver.TRACEPOINT);
                deliverFilter = KernelFilter.deliver(del, inc, exc);
                stream.filter(SignalDeliver.TRACEPOINT, deliverFilter);
                stream.onEvent(SignalDeliver.TRACEPOINT, SignalDeliver.class, this::onDeliverEvent);
            } else {
                deliverFilter = null;
            }
        } catch (TracepointException | RuntimeException e) {
            stream.close();
            throw e;
        }
        for (LostListener l : b.lostListeners) {
            stream.onLost(l);
        }
        if (b.errorListener != null) {
            stream.onError(b.errorListener);
        }
        stream.onFlush(() -> flushPending(false));
        for (Runnable r : b.flushListeners) {
            stream.onFlush(r); // after the held events were handed on
        }
        stream.onClose(() -> flushPending(true));
        for (Runnable r : b.flushListeners) {
            stream.onClose(r);
        }
    }

    /** @return a builder: every signal, no callbacks */
    public static Builder builder() {
        return new Builder();
    }

    // -------------------------------------------------------------------------------------- lifecycle

    /**
     * Opens the perf events (setup errors are thrown here) and seeds the task table from {@code /proc}.
     * Signals sent after this returns are seen. Idempotent.
     *
     * @throws TracepointException when the stream cannot be opened (no privileges, a rejected filter, ...)
     */
    public synchronized void open() throws TracepointException {
        if (opened) {
            return;
        }
        // before open: processes that exit between open and the second seed are named; after open: processes
        // started meanwhile are in /proc or have their task records in the rings
        tasks.seed();
        stream.open();
        tasks.seed();
        long now = System.nanoTime();
        synchronized (summaryLock) {
            intervalStart = now;
            runStart = now;
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
     * thread named {@code tracepoint-signals}. Once only.
     *
     * @throws TracepointException   when opening fails
     * @throws IllegalStateException when it was started before
     */
    public void startAsync() throws TracepointException {
        consuming();
        stream.startAsync();
    }

    private synchronized void consuming() throws TracepointException {
        if (started) {
            throw new IllegalStateException("the monitor was started already");
        }
        open();
        started = true;
    }

    /**
     * Stops: delivers what the rings still hold (and every held event), then releases everything.
     * Idempotent, callable from any thread.
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

    // -------------------------------------------------------------------------------------- listeners

    private void onGenerate(SignalGenerate e) {
        int senderPid = e.senderPid();
        if (senderPids.length > 0 && !contains(senderPids, senderPid)) {
            return;
        }
        TaskTable.Entry sender = tasks.resolve(senderPid);
        if (onSignal == null) {
            // counting only: no copy, unless a sender name filter must wait for the name
            if (sender == null && senderComms.length > 0) {
                pending.add(new Pending(SignalGenerateRecord.of(e, null), false));
                return;
            }
            if (senderComms.length > 0 && !containsComm(senderComms, sender.comm)) {
                return;
            }
            matched++;
            if (aggregate) {
                count(e.sig(), senderPid, e.targetPid(), sender, null, e, e.failed());
            }
            return;
        }
        SignalGenerateRecord r = SignalGenerateRecord.of(e, sender);
        if (sender == null || sender.uid == TaskTable.UNKNOWN_UID) {
            // not fully nameable yet: its FORK may sit in a ring not drained; decide at the end of the pass
            pending.add(new Pending(r, false));
            return;
        }
        if (senderComms.length > 0 && !containsComm(senderComms, sender.comm)) {
            return;
        }
        matched++;
        if (aggregate) {
            count(r.sig(), senderPid, r.targetPid(), sender, r, null, r.failed());
        }
        pending.add(new Pending(r, true));
    }

    private void onDeliverEvent(SignalDeliver e) {
        if (failedOnly) {
            return;
        }
        int pid = e.targetPid();
        if (targetPids.length > 0 && !contains(targetPids, pid)) {
            return;
        }
        TaskTable.Entry target = null;
        if (targetComms.length > 0 || onDeliver != null) {
            target = tasks.resolve(pid);
            if (targetComms.length > 0 && (target == null || !containsComm(targetComms, target.comm))) {
                return;
            }
        }
        delivered++;
        if (aggregate) {
            synchronized (summaryLock) {
                intervalDeliveries++;
            }
        }
        if (onDeliver != null) {
            pending.add(new Pending(new SignalDeliverRecord(e.timeNanos(), e.cpu(), e.sig(), e.errno(), e.code(), e.saHandler(),
                    e.saFlags(), pid, e.targetTid(), target == null ? null : target.comm,
                    target == null ? TaskTable.UNKNOWN_UID : target.uid), true));
        }
    }

    /** Counts one event; exactly one of {@code flyweight} and {@code record} gives the target's name. */
    private void count(int sig, int senderPid, int targetPid, TaskTable.Entry sender, SignalGenerateRecord record,
                       SignalGenerate flyweight, boolean failed) {
        long key = SummaryTable.key(sig, senderPid, targetPid);
        synchronized (summaryLock) {
            if (!interval.increment(key, failed)) {
                String comm = sender != null ? sender.comm : record != null ? record.senderComm() : null;
                int uid = sender != null ? sender.uid : record != null ? record.senderUid() : TaskTable.UNKNOWN_UID;
                String target = record != null ? record.targetComm() : flyweight.targetComm(); // new key only
                interval.add(key, comm, uid, target, 1, failed ? 1 : 0);
            }
        }
    }

    /**
     * At the end of a drain pass (and at close): puts the pass's copies in time order (the rings are drained
     * one CPU after the other), names the senders that were unknown, and hands the copies on. A copy whose
     * sender is still unknown waits one more pass unless {@code force}, and the copies after it wait with it.
     */
    private void flushPending(boolean force) {
        int n = pending.size();
        if (n == 0) {
            return;
        }
        if (n > 1) {
            pending.sort(BY_TIME);
        }
        int done = 0;
        RuntimeException failure = null;
        for (; done < n; done++) {
            Pending p = pending.get(done);
            try {
                if (!handOn(p, force)) {
                    break;
                }
            } catch (RuntimeException e) {
                // a callback failed: the others still get their events, the stream's error listener this
                failure = failure == null ? e : failure;
            }
        }
        pending.subList(0, done).clear();
        for (Pending q : pending) {
            q.flushes++;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Hands one held copy on; false when it must wait for its sender's name. */
    private boolean handOn(Pending p, boolean force) {
        if (p.counted) {
            if (p.event instanceof SignalGenerateRecord g) {
                onSignal.accept(g);
            } else {
                onDeliver.accept((SignalDeliverRecord) p.event);
            }
            return true;
        }
        SignalGenerateRecord g = (SignalGenerateRecord) p.event;
        TaskTable.Entry sender = tasks.resolve(g.senderPid());
        boolean complete = sender != null && (onSignal == null || sender.uid != TaskTable.UNKNOWN_UID);
        if (!complete && !force && p.flushes < 1 && pending.size() < MAX_HELD) {
            return false;
        }
        SignalGenerateRecord r = sender == null ? g : g.withSender(sender.comm, sender.uid);
        if (senderComms.length > 0 && !containsComm(senderComms, r.senderComm())) {
            return true;
        }
        matched++;
        if (aggregate) {
            count(r.sig(), r.senderPid(), r.targetPid(), sender, r, null, r.failed());
        }
        if (onSignal != null) {
            onSignal.accept(r);
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------- summary

    /**
     * The counts since the previous call (or since {@link #open()}), then starts a new period. Needs
     * {@link Builder#aggregate(boolean)}.
     *
     * @param limit the most rows (0: all)
     * @return the period's summary
     */
    public SignalSummary takeSummary(int limit) {
        checkAggregate();
        long lost = stream.lostCount();
        synchronized (summaryLock) {
            long now = System.nanoTime();
            SignalSummary s = new SignalSummary(now - intervalStart, interval.total(), intervalDeliveries, lost - lostAtTake,
                    interval.rows(limit, tasks::lookup));
            interval.addTo(total);
            interval.clear();
            totalDeliveries += intervalDeliveries;
            intervalDeliveries = 0;
            intervalStart = now;
            lostAtTake = lost;
            return s;
        }
    }

    /**
     * The counts since {@link #open()}. Needs {@link Builder#aggregate(boolean)}.
     *
     * @param limit the most rows (0: all)
     * @return the whole run's summary
     */
    public SignalSummary totalSummary(int limit) {
        checkAggregate();
        long lost = stream.lostCount();
        synchronized (summaryLock) {
            SummaryTable all = new SummaryTable(total.size() + interval.size());
            total.addTo(all);
            interval.addTo(all);
            return new SignalSummary(System.nanoTime() - runStart, all.total(), totalDeliveries + intervalDeliveries, lost,
                    all.rows(limit, tasks::lookup));
        }
    }

    private void checkAggregate() {
        if (!aggregate) {
            throw new IllegalStateException("summaries need SignalMonitor.Builder.aggregate(true)");
        }
    }

    // ----------------------------------------------------------------------------------------- state

    /** @return the kernel filter set on {@code signal_generate}, or {@code null} for none */
    public String kernelFilter() {
        return generateFilter;
    }

    /** @return the kernel filter set on {@code signal_deliver}, or {@code null} (none, or deliveries not monitored) */
    public String deliverKernelFilter() {
        return deliverFilter;
    }

    /** @return the events that crossed from the kernel into user space (passed the kernel filters), all tracepoints */
    public long eventCount() {
        return stream.eventCount();
    }

    /** @return the {@code signal_generate} events that passed every filter */
    public long signalCount() {
        return matched;
    }

    /** @return the {@code signal_deliver} events that passed every filter */
    public long deliveryCount() {
        return delivered;
    }

    /** @return the samples the kernel dropped because a ring was full */
    public long lostCount() {
        return stream.lostCount();
    }

    /** @return {@code CLOCK_REALTIME - CLOCK_MONOTONIC} at open, to turn event times into wall-clock times */
    public long wallClockOffsetNanos() {
        return stream.wallClockOffsetNanos();
    }

    /** @return the task table naming senders */
    public TaskTable tasks() {
        return tasks;
    }

    /** @return whether the monitor was closed or its consumer ended */
    public boolean isClosed() {
        return stream.isClosed();
    }

    // ---------------------------------------------------------------------------------------- helpers

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsComm(String[] names, String comm) {
        if (comm == null) {
            return false;
        }
        for (String n : names) {
            if (n.equals(comm)) {
                return true;
            }
        }
        return false;
    }

    private static int[] toArray(Set<Integer> s) {
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String names(Set<Integer> sigs) {
        List<String> n = new ArrayList<>();
        for (int s : sigs) {
            n.add(Signals.name(s));
        }
        return n.toString();
    }

    // ---------------------------------------------------------------------------------------- builder

    /** Settings of a monitor. Not thread-safe. */
    public static final class Builder {
        private Tracefs tracefs;
        private TaskTable tasks;
        private int ringPages = 64;
        private Duration maxLatency = Duration.ofMillis(100);
        private final Set<Integer> include = new LinkedHashSet<>();
        private final Set<Integer> exclude = new LinkedHashSet<>();
        private final Set<Integer> targetPids = new LinkedHashSet<>();
        private final List<String> targetComms = new ArrayList<>();
        private final Set<Integer> senderPids = new LinkedHashSet<>();
        private final List<String> senderComms = new ArrayList<>();
        private boolean failedOnly;
        private boolean deliveries;
        private boolean aggregate;
        private Consumer<? super SignalGenerateRecord> onSignal;
        private Consumer<? super SignalDeliverRecord> onDeliver;
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
         * @param tasks the task table to name processes with (default: a new one over {@code /proc})
         * @return this builder
         */
        public Builder tasks(TaskTable tasks) {
            this.tasks = Objects.requireNonNull(tasks, "tasks");
            return this;
        }

        /**
         * @param pages data pages per CPU ring, a power of two >= 1 (default 64)
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
         * Only these signals (filtered in the kernel). Repeated calls add.
         *
         * @param sigs signal numbers
         * @return this builder
         */
        public Builder signals(int... sigs) {
            for (int s : sigs) {
                include.add(checkSig(s));
            }
            return this;
        }

        /**
         * Only these signals, by name (see {@link Signals#number(String)}).
         *
         * @param names e.g. {@code "KILL"}, {@code "SIGTERM"}, {@code "RTMIN+2"}
         * @return this builder
         */
        public Builder signals(String... names) {
            for (String n : names) {
                include.add(Signals.number(n));
            }
            return this;
        }

        /**
         * Not these signals (filtered in the kernel).
         *
         * @param sigs signal numbers
         * @return this builder
         */
        public Builder exclude(int... sigs) {
            for (int s : sigs) {
                exclude.add(checkSig(s));
            }
            return this;
        }

        /**
         * Not these signals, by name.
         *
         * @param names e.g. {@code "CHLD"}
         * @return this builder
         */
        public Builder exclude(String... names) {
            for (String n : names) {
                exclude.add(Signals.number(n));
            }
            return this;
        }

        /**
         * Only signals to these tasks (the event's {@code pid} field; filtered in the kernel).
         *
         * @param pids target pids
         * @return this builder
         */
        public Builder targetPids(int... pids) {
            for (int p : pids) {
                if (p <= 0) {
                    throw new IllegalArgumentException("targetPid=" + p);
                }
                targetPids.add(p);
            }
            return this;
        }

        /**
         * Only signals to tasks of these names (the event's {@code comm}; filtered in the kernel). Names longer
         * than the kernel keeps (15 bytes) are cut to 15, as the kernel cuts them.
         *
         * @param names process names
         * @return this builder
         */
        public Builder targetComms(String... names) {
            for (String n : names) {
                targetComms.add(comm(n));
            }
            return this;
        }

        /**
         * Only signals sent by these processes (the sample's pid, a tgid; filtered in user space).
         *
         * @param pids sender pids
         * @return this builder
         */
        public Builder senderPids(int... pids) {
            for (int p : pids) {
                if (p < 0) {
                    throw new IllegalArgumentException("senderPid=" + p);
                }
                senderPids.add(p);
            }
            return this;
        }

        /**
         * Only signals sent by processes of these names (resolved with the task table; filtered in user space).
         *
         * @param names process names
         * @return this builder
         */
        public Builder senderComms(String... names) {
            for (String n : names) {
                senderComms.add(comm(n));
            }
            return this;
        }

        /**
         * @param enabled only signals the kernel did not deliver (ignored, already pending, overflowed):
         *                {@code result != 0} in the kernel filter; needs Linux 3.4+
         * @return this builder
         */
        public Builder failedOnly(boolean enabled) {
            this.failedOnly = enabled;
            return this;
        }

        /**
         * @param enabled also monitor {@code signal_deliver} (counted in summaries; see {@link #onDeliver})
         * @return this builder
         */
        public Builder deliveries(boolean enabled) {
            this.deliveries = enabled;
            return this;
        }

        /**
         * @param enabled count signals per (signal, sender, target) for {@link SignalMonitor#takeSummary(int)}
         *                (allocation-free per event once a key has been seen)
         * @return this builder
         */
        public Builder aggregate(boolean enabled) {
            this.aggregate = enabled;
            return this;
        }

        /**
         * @param listener called with a copy of every matching {@code signal_generate}, on the consumer thread
         * @return this builder
         */
        public Builder onSignal(Consumer<? super SignalGenerateRecord> listener) {
            this.onSignal = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param listener called with a copy of every matching {@code signal_deliver} (enables deliveries)
         * @return this builder
         */
        public Builder onDeliver(Consumer<? super SignalDeliverRecord> listener) {
            this.onDeliver = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param listener told when the kernel drops samples
         * @return this builder
         */
        public Builder onLost(LostListener listener) {
            lostListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @param listener called on the consumer thread at the end of each drain pass that delivered events,
         *                 after the callbacks of the pass, and once more at close (flush output here)
         * @return this builder
         */
        public Builder onFlush(Runnable listener) {
            flushListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @param listener told about errors that do not stop the monitor (default: logged)
         * @return this builder
         */
        public Builder onError(ErrorListener listener) {
            this.errorListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Reads the tracepoints' formats, builds the kernel filters and binds the typed listeners; opens
         * nothing yet.
         *
         * @return the monitor
         * @throws TracepointException      when tracefs or a tracepoint is unavailable
         * @throws IllegalArgumentException when a filter cannot be expressed on this kernel (e.g. failed-only
         *                                  without the result field)
         */
        public SignalMonitor build() throws TracepointException {
            Builder copy = new Builder();
            copy.tracefs = tracefs;
            copy.tasks = tasks != null ? tasks : new TaskTable();
            copy.ringPages = ringPages;
            copy.maxLatency = maxLatency;
            copy.include.addAll(include);
            copy.exclude.addAll(exclude);
            copy.targetPids.addAll(targetPids);
            copy.targetComms.addAll(targetComms);
            copy.senderPids.addAll(senderPids);
            copy.senderComms.addAll(senderComms);
            copy.failedOnly = failedOnly;
            copy.deliveries = deliveries;
            copy.aggregate = aggregate;
            copy.onSignal = onSignal;
            copy.onDeliver = onDeliver;
            copy.lostListeners.addAll(lostListeners);
            copy.flushListeners.addAll(flushListeners);
            copy.errorListener = errorListener;
            return new SignalMonitor(copy);
        }

        private static int checkSig(int s) {
            if (s < 1 || s > Signals.SIGRTMAX) {
                throw new IllegalArgumentException("signal=" + s + " is not in 1.." + Signals.SIGRTMAX);
            }
            return s;
        }

        private static String comm(String name) {
            KernelFilter.checkComm(name);
            return name.length() > KernelFilter.COMM_MAX ? name.substring(0, KernelFilter.COMM_MAX) : name;
        }
    }

    @Override
    public String toString() {
        return "SignalMonitor[kernelFilter=" + generateFilter + ", deliverKernelFilter=" + deliverFilter
                + ", senderPids=" + Arrays.toString(senderPids) + ", senderComms=" + Arrays.toString(senderComms) + "]";
    }
}
