package dev.tracepoint.signal;

import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.TracepointStreamBuilder;
import dev.tracepoint.core.internal.jmx.StreamMBean;
import dev.tracepoint.signal.internal.SignalJfr;
import dev.tracepoint.signal.internal.SignalLedger;
import dev.tracepoint.signal.internal.SignalSelection;

import javax.management.ObjectName;
import java.time.Duration;
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
 * ({@code signal_deliver}) take the signal filters in the kernel ({@link #deliverKernelFilter()}) and the
 * target filters here; sender and failed-only filters do not apply to them (a delivery has no sender, and is
 * not a failure).
 *
 * <h2>Failed kills</h2>
 * A kill that fails ({@code EPERM}, {@code ESRCH}) generates no signal. With
 * {@link SignalMonitorBuilder#onFailedKill} the monitor also watches the kill family of system calls and
 * reports each failed call as a {@link FailedKill}, with its error, sender and target.
 *
 * <h2>Naming the sender</h2>
 * A {@link TaskTable} fed by the kernel's COMM/FORK/EXIT records and seeded from {@code /proc} at
 * {@link #open()} names senders, also those that exited before their event was read.
 *
 * <h2>Order</h2>
 * The kernel keeps one ring per CPU; the monitor's stream is {@link TracepointStreamBuilder#ordered ordered}
 * ({@link SignalMonitorBuilder#lateness}, 50 ms by default), so the task table and the callbacks of
 * {@link SignalMonitorBuilder#onSignal} and {@link SignalMonitorBuilder#onDeliver} get the records of every
 * CPU in time order: a sender is named by the task records before its signal (a short-lived {@code kill} by
 * its exec, even when the exec was written on another CPU than the signal), and callbacks see events in time
 * order, each as it is delivered, at most the stream's latency plus the lateness after it happened. A record
 * that came later than the lateness allows is still counted and handed on ({@link #lateCount()}). Counting
 * without callbacks copies nothing.
 *
 * <h2>Threading</h2>
 * Events are counted and callbacks called on the consumer thread: the caller's ({@link #start()}) or the
 * monitor's own ({@link #startAsync()}). {@link #takeSummary(int)}, {@link #totalSummary(int)} and the
 * counters may be called from any thread.
 */
public final class SignalMonitor implements AutoCloseable {

    private final TracepointStream stream;
    private final TaskTable tasks;
    private final SignalSelection selection;
    private final SignalLedger ledger;
    private final String kernelFilter;
    private final String deliverKernelFilter;
    private final Consumer<? super SignalGenerateRecord> onSignal;
    private final Consumer<? super SignalDeliverRecord> onDeliver;
    private final KillSyscalls failedKills;
    /** The JFR events' committer, or null without {@link SignalMonitorBuilder#jfr(boolean)}. */
    private final SignalJfr jfr;
    private final String name;
    private final ObjectName mbeanName;

    private boolean opened;
    private boolean consuming;

    SignalMonitor(SignalMonitorBuilder b, SignalSelection selection, TaskTable tasks) throws TracepointException {
        TracepointStreamBuilder sb = TracepointStream.builder().onTask(tasks).ringPages(b.ringPages)
                .maxLatency(b.maxLatency).ordered(b.lateness).warmUp(b.warmUp).threadName("tracepoint-signals").name(b.name);
        if (b.tracefs != null) {
            sb.tracefs(b.tracefs);
        }
        SignalMonitorBuilder.scope(sb, b.processId, b.cgroup);
        TracepointStream s = sb.build();
        try {
            this.tasks = tasks;
            this.selection = selection;
            this.onSignal = b.onSignal;
            this.jfr = b.jfr ? new SignalJfr() : null;
            this.name = b.name;
            this.mbeanName = b.jmx ? StreamMBean.objectName("SignalMonitor", b.name) : null;
            this.onDeliver = b.onDeliver;
            this.ledger = new SignalLedger(b.aggregate, s::lostCount, tasks::lookup);
            Subscription generate = s.enable(SignalGenerate.TRACEPOINT);
            this.kernelFilter = selection.generateFilter(generate.format());
            generate.filter(kernelFilter).onEvent(SignalGenerate.class, this::onGenerate);
            if (b.deliveries || onDeliver != null) {
                Subscription deliver = s.enable(SignalDeliver.TRACEPOINT);
                this.deliverKernelFilter = selection.deliverFilter(deliver.format());
                deliver.filter(deliverKernelFilter).onEvent(SignalDeliver.class, this::onDeliverEvent);
            } else {
                this.deliverKernelFilter = null;
            }
            Consumer<? super FailedKill> failed = b.onFailedKill;
            if (failed != null && jfr != null) {
                Consumer<? super FailedKill> user = failed;
                SignalJfr j = jfr;
                failed = k -> {
                    j.commit(k);
                    user.accept(k);
                };
            }
            this.failedKills = failed == null ? null : KillSyscalls.enable(s, selection, tasks, failed);
            if (mbeanName != null) {
                s.onClose(() -> StreamMBean.unregister(mbeanName));
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
            for (Runnable r : b.flushListeners) {
                s.onClose(r);
            }
        } catch (TracepointException | RuntimeException | Error e) {
            s.close();
            throw e;
        }
        this.stream = s;
    }

    /**
     * Starts the setup of a monitor; {@link SignalMonitorBuilder#build()} creates it.
     *
     * @return a builder: every signal, no callbacks
     */
    public static SignalMonitorBuilder builder() {
        return new SignalMonitorBuilder();
    }

    // ------------------------------------------------------------------------------------ lifecycle

    /**
     * Opens the perf events (setup errors are thrown here) and seeds the task table from {@code /proc}.
     * Signals sent after this returns are seen. {@link #start()} and {@link #startAsync()} call it; call it
     * yourself to fail early. Idempotent.
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
        ledger.open(System.nanoTime());
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
        if (consuming) {
            throw new IllegalStateException("the monitor was started already");
        }
        open();
        consuming = true;
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

    private void onGenerate(SignalGenerate e) {
        int senderPid = e.senderPid();
        if (!selection.senderPidMatches(senderPid)) {
            return;
        }
        // in time order: the sender's FORK, exec and renames before this signal are in the table already
        TaskTable.Entry sender = tasks.resolve(senderPid);
        String comm = sender == null ? null : sender.comm;
        if (!selection.senderCommMatches(comm)) {
            return;
        }
        if (onSignal == null && (jfr == null || !SignalJfr.signalsEnabled())) {
            ledger.signal(e, comm, sender == null ? TaskTable.UNKNOWN_UID : sender.uid); // counting only: no copy
            return;
        }
        SignalGenerateRecord r = SignalGenerateRecord.of(e, sender);
        ledger.signal(r);
        if (jfr != null) {
            jfr.commit(r);
        }
        if (onSignal != null) {
            onSignal.accept(r);
        }
    }

    private void onDeliverEvent(SignalDeliver e) {
        int pid = e.targetPid();
        if (selection.failedOnly() || !selection.deliveryPidMatches(pid)) {
            return;
        }
        TaskTable.Entry target = selection.hasTargetComms() || onDeliver != null ? tasks.resolve(pid) : null;
        if (!selection.deliveryCommMatches(target == null ? null : target.comm)) {
            return;
        }
        ledger.delivery();
        if (onDeliver != null) {
            onDeliver.accept(new SignalDeliverRecord(e.timeNanos(), e.cpu(), e.sig(), e.errno(), e.code(), e.saHandler(),
                    e.saFlags(), pid, e.targetTid(), target == null ? null : target.comm,
                    target == null ? TaskTable.UNKNOWN_UID : target.uid));
        }
    }

    // -------------------------------------------------------------------------------------- summary

    /**
     * The counts since the previous call (or since {@link #open()}), then starts a new period. Needs
     * {@link SignalMonitorBuilder#aggregate(boolean)}.
     *
     * @param limit the most rows (0: all)
     * @return the period's summary
     * @throws IllegalStateException when the monitor does not aggregate
     */
    public SignalSummary takeSummary(int limit) {
        return ledger.takeSummary(limit);
    }

    /**
     * The counts since {@link #open()}. Needs {@link SignalMonitorBuilder#aggregate(boolean)}.
     *
     * @param limit the most rows (0: all)
     * @return the whole run's summary
     * @throws IllegalStateException when the monitor does not aggregate
     */
    public SignalSummary totalSummary(int limit) {
        return ledger.totalSummary(limit);
    }

    // ---------------------------------------------------------------------------------------- state

    /**
     * The filter the monitor's selection compiled to for {@code signal_generate}, in ftrace syntax, to log or
     * to check.
     *
     * @return the kernel filter set on {@code signal_generate}, or {@code null} when every signal crosses
     */
    public String kernelFilter() {
        return kernelFilter;
    }

    /**
     * The filter the monitor's selection compiled to for {@code signal_deliver}, in ftrace syntax.
     *
     * @return the kernel filter set on {@code signal_deliver}, or {@code null} (none, or deliveries not monitored)
     */
    public String deliverKernelFilter() {
        return deliverKernelFilter;
    }

    /**
     * How many events the monitor's stream received from the kernel, signals and deliveries, before the
     * filters the monitor applies itself (senders, delivery targets).
     *
     * @return the events that crossed from the kernel into user space (passed the kernel filters), all tracepoints
     */
    public long eventCount() {
        return stream.eventCount();
    }

    /**
     * How many signals passed every filter: those the monitor counts, and hands to
     * {@link SignalMonitorBuilder#onSignal} when there is such a callback.
     *
     * @return the {@code signal_generate} events that passed every filter, since {@link #open()}
     */
    public long signalCount() {
        return ledger.signals();
    }

    /**
     * How many deliveries passed every filter, and went to {@link SignalMonitorBuilder#onDeliver} when there is
     * such a callback; 0 when deliveries are not monitored.
     *
     * @return the {@code signal_deliver} events that passed every filter, since {@link #open()}
     */
    public long deliveryCount() {
        return ledger.deliveries();
    }

    /**
     * How many kill-family calls failed and were reported to {@link SignalMonitorBuilder#onFailedKill}.
     *
     * @return the failed kill-family calls that passed every filter, since {@link #open()}; 0 without
     *         {@link SignalMonitorBuilder#onFailedKill}
     */
    public long failedKillCount() {
        return failedKills == null ? 0 : failedKills.failedCount();
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
     * How many records came too late to be put in time order: raise {@link SignalMonitorBuilder#lateness}
     * when it grows.
     *
     * @return the records (signals, deliveries, task records) read later than the lateness allowed, and so
     *         handed on out of time order (see {@link TracepointStream#lateCount()})
     */
    public long lateCount() {
        return stream.lateCount();
    }

    /**
     * The offset between the kernel's event clock and wall-clock time, measured when the monitor opened.
     *
     * @return {@code CLOCK_REALTIME - CLOCK_MONOTONIC} at open, to turn event times into wall-clock times
     */
    public long wallClockOffsetNanos() {
        return stream.wallClockOffsetNanos();
    }

    /**
     * The monitor's task table, to name other processes the same way, or to read its counters.
     *
     * @return the task table naming senders
     */
    public TaskTable tasks() {
        return tasks;
    }

    /**
     * {@return the MXBean's object name, {@code dev.tracepoint:type=SignalMonitor,name=NAME}, when built with
     * {@link SignalMonitorBuilder#jmx(boolean)}; else empty}
     */
    public java.util.Optional<ObjectName> mbeanName() {
        return java.util.Optional.ofNullable(mbeanName);
    }

    /** The monitor's MXBean. */
    private final class Management implements SignalMonitorMXBean {
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
        public long getSignals() {
            return signalCount();
        }

        @Override
        public long getDeliveries() {
            return deliveryCount();
        }

        @Override
        public long getFailedKills() {
            return failedKillCount();
        }

        @Override
        public long getLost() {
            return lostCount();
        }

        @Override
        public long getLate() {
            return lateCount();
        }

        @Override
        public String getKernelFilter() {
            return kernelFilter();
        }
    }

    @Override
    public String toString() {
        return "SignalMonitor[kernelFilter=" + kernelFilter + ", deliverKernelFilter=" + deliverKernelFilter
                + ", " + selection + "]";
    }
}
