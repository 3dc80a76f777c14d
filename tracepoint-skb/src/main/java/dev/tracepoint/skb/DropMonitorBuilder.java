package dev.tracepoint.skb;

import dev.tracepoint.core.ErrorListener;
import dev.tracepoint.core.KernelSymbols;
import dev.tracepoint.core.CpuListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.TracepointStreamBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link DropMonitor}, from {@link DropMonitor#builder()}: every drop reason and protocol,
 * consumed packets excluded, the system's symbols unless told otherwise. Each value is checked when it is
 * given. Not thread-safe; {@link #build()} copies the settings, so one builder can build several monitors.
 */
public final class DropMonitorBuilder {

    Tracefs tracefs;
    KernelSymbols symbols;
    int ringPages = 128;
    Duration maxLatency = Duration.ofMillis(100);
    /** The process of {@link #process(long)}, or -1. */
    long processId = -1;
    /** The cgroup of {@link #cgroup(Path)}, or null. */
    Path cgroup;
    boolean warmUp = true;
    final List<String> reasons = new ArrayList<>();
    int[] protocols = new int[0];
    boolean includeConsumed;
    DropListener listener;
    final List<LostListener> lostListeners = new ArrayList<>();
    CpuListener cpuListener;
    final List<Runnable> flushListeners = new ArrayList<>();
    ErrorListener errorListener;
    boolean jfr;
    boolean jmx;
    String name = "drops";

    DropMonitorBuilder() {
    }

    // ------------------------------------------------------------------------------------ the stream

    /**
     * Reads the skb tracepoints' formats from this tracefs instead of the one found mounted.
     *
     * @param tracefs the tracefs to read formats from (default: the mounted one)
     * @return this builder
     */
    public DropMonitorBuilder tracefs(Tracefs tracefs) {
        this.tracefs = Objects.requireNonNull(tracefs, "tracefs");
        return this;
    }

    /**
     * Sizes each CPU's ring (see {@link dev.tracepoint.core.TracepointStreamBuilder#ringPages}): larger rings
     * lose fewer drops in a burst.
     *
     * @param pages data pages per CPU ring, a power of two &gt;= 1 (default 128)
     * @return this builder
     * @throws IllegalArgumentException when {@code pages} is not a positive power of two
     */
    public DropMonitorBuilder ringPages(int pages) {
        TracepointStream.builder().ringPages(pages); // the stream's own check and message, now instead of at build()
        this.ringPages = pages;
        return this;
    }

    /**
     * Bounds how long a drop may wait in a ring before the monitor reads it (see
     * {@link dev.tracepoint.core.TracepointStreamBuilder#maxLatency}).
     *
     * @param latency the longest an event waits in a ring, positive (default 100 ms)
     * @return this builder
     * @throws IllegalArgumentException when {@code latency} is zero or negative
     */
    public DropMonitorBuilder maxLatency(Duration latency) {
        TracepointStream.builder().maxLatency(latency); // likewise
        this.maxLatency = latency;
        return this;
    }

    /**
     * Turns the stream's warm-up on or off (see {@link TracepointStreamBuilder#warmUp(boolean)}): before it
     * enables the events, the monitor runs its decode and dispatch path on synthetic records, so that the JIT
     * has compiled it when the first burst of drops arrives. On by default: drops come in bursts of hundreds
     * of thousands a second (a flood to a closed port, a full queue), which a cold monitor loses part of at
     * attach. Off opens faster and with less CPU, for a host where drops are rare.
     *
     * @param enabled whether to warm the decode path up before enabling the events (default true)
     * @return this builder
     */
    public DropMonitorBuilder warmUp(boolean enabled) {
        this.warmUp = enabled;
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
    public DropMonitorBuilder process(long pid) {
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
    public DropMonitorBuilder cgroup(Path directory) {
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
     * Names drop locations with this symbol table: one already loaded, or one read from a file.
     *
     * @param symbols the symbol table that names the locations (default {@link KernelSymbols#system()},
     *                loaded at open)
     * @return this builder
     */
    public DropMonitorBuilder symbols(KernelSymbols symbols) {
        this.symbols = Objects.requireNonNull(symbols, "symbols");
        return this;
    }

    // ------------------------------------------------------------------------------------- selection

    /**
     * Only drops of these reasons (filtered in the kernel): names of the running kernel's table in any case,
     * with or without {@code SKB_DROP_REASON_}, or numbers; resolved by {@link #build()}. Repeated calls add.
     *
     * @param names reason names or numbers
     * @return this builder
     */
    public DropMonitorBuilder reasons(String... names) {
        for (String n : names) {
            reasons.add(Objects.requireNonNull(n, "reason"));
        }
        return this;
    }

    /**
     * Only drops of these protocols (filtered in the kernel); see {@link EtherTypes}. Repeated calls add.
     *
     * @param ethertypes ethertypes, host byte order ({@link EtherTypes#IPV4}), {@code 0..0xffff}
     * @return this builder
     * @throws IllegalArgumentException when a value is not a 16-bit ethertype
     */
    public DropMonitorBuilder protocols(int... ethertypes) {
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
     * Also reads the packets the kernel freed because it was done with them, to compare drops with normal
     * traffic.
     *
     * @param include whether to count consumed packets ({@code skb:consume_skb}) too, under the reason
     *                {@link Drop#CONSUMED} (default false: they are normally far more numerous than drops);
     *                the reason and protocol filters do not apply to them (the tracepoint records neither)
     * @return this builder
     */
    public DropMonitorBuilder includeConsumed(boolean include) {
        this.includeConsumed = include;
        return this;
    }

    // ------------------------------------------------------------------------------------- listeners

    /**
     * Sets the listener for each drop that passes the kernel filter; without one the monitor only counts.
     *
     * @param listener called with every drop (and consumed packet, if included), on the consumer thread
     * @return this builder
     */
    public DropMonitorBuilder onDrop(DropListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Adds a listener for samples the kernel dropped: drops the monitor never saw (see {@link LostListener}).
     *
     * @param listener told when the kernel drops samples because a ring is full
     * @return this builder
     */
    public DropMonitorBuilder onLost(LostListener listener) {
        lostListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Sets the listener for CPU hotplug: drops on a CPU between coming online and being armed are not seen.
     *
     * @param listener told when a CPU goes offline and when the monitor's stream has armed it again (see
     *                 {@link CpuListener})
     * @return this builder
     */
    public DropMonitorBuilder onCpu(CpuListener listener) {
        this.cpuListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Adds a listener for the end of each batch of listener calls, to flush buffered output once per batch
     * rather than per drop.
     *
     * @param listener called on the consumer thread at the end of each drain pass that delivered events,
     *                 after the listener calls of the pass (flush output here)
     * @return this builder
     */
    public DropMonitorBuilder onFlush(Runnable listener) {
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
    public DropMonitorBuilder onError(ErrorListener listener) {
        this.errorListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    // ------------------------------------------------------------------------ Flight Recorder and JMX

    /**
     * Commits each drop (and, with {@link #includeConsumed}, each consumed packet) as a
     * {@code tracepoint.skb.PacketDrop} JFR event (reason and its name, location and its function, protocol,
     * {@code kernelTime} on the JVM's time base) into every recording that enables it. An event type no
     * recording enables costs one check per drop.
     *
     * @param enabled whether to commit JFR events (default false)
     * @return this builder
     */
    public DropMonitorBuilder jfr(boolean enabled) {
        this.jfr = enabled;
        return this;
    }

    /**
     * Registers the monitor's MXBean ({@link DropMonitorMXBean}) as
     * {@code dev.tracepoint:type=DropMonitor,name=NAME} when it opens, unregistered when it closes.
     *
     * @param enabled whether to register it (default false)
     * @return this builder
     */
    public DropMonitorBuilder jmx(boolean enabled) {
        this.jmx = enabled;
        return this;
    }

    /**
     * Names the monitor, for its MXBean; its stream is named the same.
     *
     * @param name the name (default {@code drops})
     * @return this builder
     */
    public DropMonitorBuilder name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a monitor's name may not be blank");
        }
        this.name = name;
        return this;
    }

    /**
     * Reads the tracepoints' formats, resolves the reasons, builds the kernel filter and binds the typed
     * listeners. Nothing is opened yet: see {@link DropMonitor#open()}.
     *
     * @return the monitor
     * @throws TracepointException      when tracefs or an skb tracepoint is missing or unreadable
     * @throws IllegalArgumentException when a reason is unknown to this kernel, or it records no reasons
     */
    public DropMonitor build() throws TracepointException {
        return new DropMonitor(this);
    }
}
