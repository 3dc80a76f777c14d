package dev.tracepoint.signal;

import dev.tracepoint.core.ErrorListener;
import dev.tracepoint.core.CpuListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.TracepointStreamBuilder;
import dev.tracepoint.signal.internal.SignalSelection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of a {@link SignalMonitor}, from {@link SignalMonitor#builder()}: every signal and no callbacks
 * unless told otherwise. Each value is checked when it is given. Not thread-safe; {@link #build()} copies the
 * settings, so one builder can build several monitors.
 */
public final class SignalMonitorBuilder {

    Tracefs tracefs;
    TaskTable tasks;
    int ringPages = 64;
    Duration maxLatency = Duration.ofMillis(100);
    /** The process of {@link #process(long)}, or -1. */
    long processId = -1;
    /** The cgroup of {@link #cgroup(Path)}, or null. */
    Path cgroup;
    Duration lateness = Duration.ofMillis(50);
    /** Off by default: signals come at a low rate, and the warm-up is most of a monitor's start-up CPU. */
    boolean warmUp;
    final SignalSelection.Builder selection = SignalSelection.builder();
    boolean deliveries;
    boolean aggregate;
    Consumer<? super SignalGenerateRecord> onSignal;
    Consumer<? super SignalDeliverRecord> onDeliver;
    Consumer<? super FailedKill> onFailedKill;
    final List<LostListener> lostListeners = new ArrayList<>();
    CpuListener cpuListener;
    final List<Runnable> flushListeners = new ArrayList<>();
    ErrorListener errorListener;
    boolean jfr;
    boolean jmx;
    String name = "signals";

    SignalMonitorBuilder() {
    }

    // ------------------------------------------------------------------------------------ the stream

    /**
     * Reads the signal tracepoints' formats from this tracefs instead of the one found mounted.
     *
     * @param tracefs the tracefs to read formats from (default: the mounted one)
     * @return this builder
     */
    public SignalMonitorBuilder tracefs(Tracefs tracefs) {
        this.tracefs = Objects.requireNonNull(tracefs, "tracefs");
        return this;
    }

    /**
     * Sizes each CPU's ring (see {@link TracepointStreamBuilder#ringPages}): larger rings lose fewer signals
     * in a burst.
     *
     * @param pages data pages per CPU ring, a power of two &gt;= 1 (default 64)
     * @return this builder
     * @throws IllegalArgumentException when {@code pages} is not a positive power of two
     */
    public SignalMonitorBuilder ringPages(int pages) {
        TracepointStream.builder().ringPages(pages); // the stream's own check and message, now instead of at build()
        this.ringPages = pages;
        return this;
    }

    /**
     * Bounds how long a signal may wait in a ring before the monitor reads it (see
     * {@link TracepointStreamBuilder#maxLatency}).
     *
     * @param latency the longest an event waits in a ring, positive (default 100 ms)
     * @return this builder
     * @throws IllegalArgumentException when {@code latency} is zero or negative
     */
    public SignalMonitorBuilder maxLatency(Duration latency) {
        TracepointStream.builder().maxLatency(latency); // likewise
        this.maxLatency = latency;
        return this;
    }

    /**
     * Only events of one process: every thread it has or creates, and the processes they start from now on
     * (see {@link TracepointStreamBuilder#process(long)}). Default: every task.
     *
     * @param pid the process id
     * @return this builder
     * @throws IllegalArgumentException when {@code pid} is not a positive {@code int}
     * @throws IllegalStateException    when the monitor is scoped to a cgroup already
     */
    public SignalMonitorBuilder process(long pid) {
        scope(TracepointStream.builder(), -1, cgroup).process(pid); // the stream's own checks and messages, now
        this.processId = pid;
        return this;
    }

    /**
     * Only events of the tasks of one cgroup (see {@link TracepointStreamBuilder#cgroup(Path)}). Default:
     * every task.
     *
     * @param directory the cgroup's directory, e.g. {@code /sys/fs/cgroup/system.slice/nginx.service}
     * @return this builder
     * @throws IllegalStateException when the monitor is scoped to a process already
     */
    public SignalMonitorBuilder cgroup(Path directory) {
        scope(TracepointStream.builder(), processId, null).cgroup(directory); // likewise
        this.cgroup = directory;
        return this;
    }

    /** Scopes the monitor's stream as {@link #process(long)} or {@link #cgroup(Path)} asked. */
    static TracepointStreamBuilder scope(TracepointStreamBuilder sb, long pid, Path cgroup) {
        if (pid > 0) {
            sb.process(pid);
        }
        if (cgroup != null) {
            sb.cgroup(cgroup);
        }
        return sb;
    }

    /**
     * How late a record may be read and still be put in time order across CPUs (see
     * {@link TracepointStreamBuilder#ordered}): events reach the callbacks up to this much later.
     *
     * @param lateness positive (default 50 ms)
     * @return this builder
     * @throws IllegalArgumentException when {@code lateness} is zero or negative
     */
    public SignalMonitorBuilder lateness(Duration lateness) {
        TracepointStream.builder().ordered(lateness); // likewise
        this.lateness = lateness;
        return this;
    }

    /**
     * Turns the stream's warm-up on or off (see {@link TracepointStreamBuilder#warmUp(boolean)}): before it
     * enables the events, the monitor runs its decode and dispatch path on synthetic records, so that the JIT
     * has compiled it when the first burst of signals arrives. Off by default: signals come at a few per
     * second, which the monitor handles cold without losing any, and the warm-up would be most of the CPU it
     * uses until it is attached (measured: about 1 s of the 1.7 s). Turn it on to watch a flood of signals (a
     * signal storm of hundreds of thousands a second) from the first one on.
     *
     * @param enabled whether to warm the decode path up before enabling the events (default false)
     * @return this builder
     */
    public SignalMonitorBuilder warmUp(boolean enabled) {
        this.warmUp = enabled;
        return this;
    }

    /**
     * Names senders and targets with this task table, to share it with other code or to give it other
     * bounds.
     *
     * @param tasks the task table to name processes with (default: a new one over {@code /proc} for each monitor)
     * @return this builder
     */
    public SignalMonitorBuilder tasks(TaskTable tasks) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        return this;
    }

    // ------------------------------------------------------------------------------------- selection

    /**
     * Only these signals (filtered in the kernel). Repeated calls add.
     *
     * @param sigs signal numbers, {@code 1..}{@link Signals#SIGRTMAX}
     * @return this builder
     */
    public SignalMonitorBuilder signals(int... sigs) {
        selection.include(sigs);
        return this;
    }

    /**
     * Only these signals, by name (see {@link Signals#number(String)}). Repeated calls add.
     *
     * @param names signal names, such as {@code "KILL"}, {@code "SIGTERM"}, {@code "RTMIN+2"}
     * @return this builder
     */
    public SignalMonitorBuilder signals(String... names) {
        selection.include(names);
        return this;
    }

    /**
     * Not these signals (filtered in the kernel). Repeated calls add.
     *
     * @param sigs signal numbers, {@code 1..}{@link Signals#SIGRTMAX}
     * @return this builder
     */
    public SignalMonitorBuilder exclude(int... sigs) {
        selection.exclude(sigs);
        return this;
    }

    /**
     * Not these signals, by name. Repeated calls add.
     *
     * @param names signal names, such as {@code "CHLD"}
     * @return this builder
     */
    public SignalMonitorBuilder exclude(String... names) {
        selection.exclude(names);
        return this;
    }

    /**
     * Only signals to these tasks (the event's {@code pid} field; filtered in the kernel). Repeated calls add.
     *
     * @param pids target pids, each positive
     * @return this builder
     */
    public SignalMonitorBuilder targetPids(int... pids) {
        selection.targetPids(pids);
        return this;
    }

    /**
     * Only signals to tasks of these names (the event's {@code comm}; filtered in the kernel). Names longer
     * than the kernel keeps (15 bytes) are cut to 15, as the kernel cuts them. Repeated calls add.
     *
     * @param names process names (no quotes, backslashes, control or non-ASCII characters)
     * @return this builder
     */
    public SignalMonitorBuilder targetComms(String... names) {
        selection.targetComms(names);
        return this;
    }

    /**
     * Only signals sent by these processes (the sample's pid, a tgid; filtered in user space). Repeated calls
     * add.
     *
     * @param pids sender pids, each 0 or more
     * @return this builder
     */
    public SignalMonitorBuilder senderPids(int... pids) {
        selection.senderPids(pids);
        return this;
    }

    /**
     * Only signals sent by processes of these names (resolved with the task table; filtered in user space).
     * Repeated calls add.
     *
     * @param names process names, cut to 15 bytes as for {@link #targetComms}
     * @return this builder
     */
    public SignalMonitorBuilder senderComms(String... names) {
        selection.senderComms(names);
        return this;
    }

    /**
     * Only signals that did not reach their target as sent: what to watch when a process misses its signals.
     *
     * @param enabled only signals the kernel did not deliver (ignored, already pending, overflowed):
     *                {@code result != 0} in the kernel filter; needs Linux 3.4+
     * @return this builder
     */
    public SignalMonitorBuilder failedOnly(boolean enabled) {
        selection.failedOnly(enabled);
        return this;
    }

    /**
     * Also monitors deliveries ({@code signal:signal_deliver}): when a target takes a signal, and with which
     * handler.
     *
     * @param enabled also monitor {@code signal_deliver} (counted in summaries; see {@link #onDeliver})
     * @return this builder
     */
    public SignalMonitorBuilder deliveries(boolean enabled) {
        this.deliveries = enabled;
        return this;
    }

    /**
     * Keeps counts for summaries, the view that makes a flood of signals readable.
     *
     * @param enabled count signals per (signal, sender, target) for {@link SignalMonitor#takeSummary(int)} and
     *                {@link SignalMonitor#totalSummary(int)} (allocation-free per event once a key has been seen)
     * @return this builder
     */
    public SignalMonitorBuilder aggregate(boolean enabled) {
        this.aggregate = enabled;
        return this;
    }

    // ------------------------------------------------------------------------------------- listeners

    /**
     * Sets the callback for each signal that passes the filters, sender named, in time order across CPUs.
     *
     * @param listener called with a copy of every matching {@code signal_generate}, on the consumer thread
     * @return this builder
     */
    public SignalMonitorBuilder onSignal(Consumer<? super SignalGenerateRecord> listener) {
        this.onSignal = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Sets the callback for each delivery that passes the target filters, receiving process named.
     *
     * @param listener called with a copy of every matching {@code signal_deliver}, on the consumer thread
     *                 (enables deliveries)
     * @return this builder
     */
    public SignalMonitorBuilder onDeliver(Consumer<? super SignalDeliverRecord> listener) {
        this.onDeliver = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Also watches the kill family of system calls ({@link FailedKill#SYSCALLS}) and reports the calls that
     * failed: a kill the caller may not send ({@code EPERM}), to a process that does not exist ({@code ESRCH}),
     * of an invalid signal ({@code EINVAL}). No signal is generated for those, so {@link #onSignal} never sees
     * them. The signal filters apply in the kernel ({@code kill(pid, 0)}, which only probes for a process, is
     * never reported), the sender and target filters here; {@link #failedOnly} has no bearing on them. Costs
     * two more events per kill-family call (its enter and exit tracepoints), and needs the kernel's syscall
     * tracepoints ({@code CONFIG_FTRACE_SYSCALLS}).
     *
     * @param listener called with each failed call, on the consumer thread
     * @return this builder
     */
    public SignalMonitorBuilder onFailedKill(Consumer<? super FailedKill> listener) {
        this.onFailedKill = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Adds a listener for samples the kernel dropped: signals the monitor never saw (see {@link LostListener}).
     *
     * @param listener told when the kernel drops samples because a ring is full
     * @return this builder
     */
    public SignalMonitorBuilder onLost(LostListener listener) {
        lostListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Sets the listener for CPU hotplug: signals sent on a CPU between coming online and being armed are not
     * seen.
     *
     * @param listener told when a CPU goes offline and when the monitor's stream has armed it again (see
     *                 {@link CpuListener})
     * @return this builder
     */
    public SignalMonitorBuilder onCpu(CpuListener listener) {
        this.cpuListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Adds a listener for the end of each batch of callbacks, to flush buffered output once per batch rather
     * than per signal.
     *
     * @param listener called on the consumer thread at the end of each drain pass that delivered events,
     *                 after the callbacks of the pass, and once more at close (flush output here)
     * @return this builder
     */
    public SignalMonitorBuilder onFlush(Runnable listener) {
        flushListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Sets where failures the monitor survives go, instead of the log.
     *
     * @param listener told about listener exceptions and bad samples, which do not stop the monitor
     *                 (default: logged)
     * @return this builder
     */
    public SignalMonitorBuilder onError(ErrorListener listener) {
        this.errorListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    // ------------------------------------------------------------------------ Flight Recorder and JMX

    /**
     * Commits each matching signal as a {@code tracepoint.signal.Signal} JFR event (sender and target named,
     * signal, code and result names, {@code kernelTime} on the JVM's time base), and, with
     * {@link #onFailedKill}, each failed kill-family call as a {@code tracepoint.signal.FailedKill} event: into
     * every recording that enables them. An event type no recording enables costs one check per signal.
     *
     * @param enabled whether to commit JFR events (default false)
     * @return this builder
     */
    public SignalMonitorBuilder jfr(boolean enabled) {
        this.jfr = enabled;
        return this;
    }

    /**
     * Registers the monitor's MXBean ({@link SignalMonitorMXBean}) as
     * {@code dev.tracepoint:type=SignalMonitor,name=NAME} when it opens, unregistered when it closes.
     *
     * @param enabled whether to register it (default false)
     * @return this builder
     */
    public SignalMonitorBuilder jmx(boolean enabled) {
        this.jmx = enabled;
        return this;
    }

    /**
     * Names the monitor, for its MXBean; its stream is named the same.
     *
     * @param name the name (default {@code signals})
     * @return this builder
     */
    public SignalMonitorBuilder name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a monitor's name may not be blank");
        }
        this.name = name;
        return this;
    }

    /**
     * Reads the tracepoints' formats, builds the kernel filters and binds the typed listeners. Nothing is
     * opened yet: see {@link SignalMonitor#open()}.
     *
     * @return the monitor
     * @throws TracepointException      when tracefs or a signal tracepoint is missing or unreadable (or, with
     *                                  {@link #onFailedKill}, every syscall tracepoint it needs)
     * @throws IllegalArgumentException when every selected signal is also excluded, or a filter cannot be
     *                                  expressed on this kernel (failed-only without the result field, say)
     */
    public SignalMonitor build() throws TracepointException {
        return new SignalMonitor(this, selection.build(), tasks != null ? tasks : new TaskTable());
    }
}
