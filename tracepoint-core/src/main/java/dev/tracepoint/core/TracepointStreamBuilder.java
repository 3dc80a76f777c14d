package dev.tracepoint.core;

import dev.tracepoint.core.internal.session.Scope;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link TracepointStream}, from {@link TracepointStream#builder()}. Not thread-safe;
 * {@link #build()} copies the settings, so later changes to the builder do not reach a built stream.
 */
public final class TracepointStreamBuilder {
    Tracefs tracefs;
    int ringPages = 128;
    int wakeupEvents;
    int wakeupBytes;
    Duration maxLatency = Duration.ofMillis(100);
    Scope scope = Scope.ALL;
    int[] cpus;
    boolean warmUp = true;
    boolean flightRecorder;
    String threadName = "tracepoint-consumer";
    String name;
    boolean jmx;
    Duration lateness;
    final List<TaskListener> taskListeners = new ArrayList<>();

    TracepointStreamBuilder() {
    }

    /**
     * Reads tracepoint formats from this tracefs instead of the one found mounted: a tracefs mounted
     * somewhere unusual, or one already located.
     *
     * @param tracefs the tracefs to read formats from (default: {@link Tracefs#locate()})
     * @return this builder
     */
    public TracepointStreamBuilder tracefs(Tracefs tracefs) {
        this.tracefs = Objects.requireNonNull(tracefs, "tracefs");
        return this;
    }

    /**
     * Sizes each CPU's ring: a larger ring absorbs longer bursts before the kernel loses samples, and locks
     * more memory (it counts against {@code kernel.perf_event_mlock_kb} and {@code RLIMIT_MEMLOCK}).
     *
     * @param pages data pages per CPU ring, a power of two (default 128: 512 KiB with 4 KiB pages, as perf record)
     * @return this builder
     * @throws IllegalArgumentException when {@code pages} is not a positive power of two
     */
    public TracepointStreamBuilder ringPages(int pages) {
        if (pages < 1 || Integer.bitCount(pages) != 1) {
            throw new IllegalArgumentException("ringPages must be a power of two >= 1: ringPages=" + pages);
        }
        this.ringPages = pages;
        return this;
    }

    /**
     * Wake the consumer after every {@code n} events (1 = every event: lowest latency, most CPU). Replaces a
     * {@link #wakeupBytes(int)} setting.
     *
     * @param n events per wakeup
     * @return this builder
     * @throws IllegalArgumentException when {@code n} is less than 1
     */
    public TracepointStreamBuilder wakeupEvents(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("wakeupEvents=" + n);
        }
        this.wakeupEvents = n;
        this.wakeupBytes = 0;
        return this;
    }

    /**
     * Wake the consumer when a ring holds {@code bytes} unread bytes (default: half the ring). Replaces a
     * {@link #wakeupEvents(int)} setting.
     *
     * @param bytes the watermark
     * @return this builder
     * @throws IllegalArgumentException when {@code bytes} is less than 1
     */
    public TracepointStreamBuilder wakeupBytes(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("wakeupBytes=" + bytes);
        }
        this.wakeupBytes = bytes;
        this.wakeupEvents = 0;
        return this;
    }

    /**
     * Bounds how long an event may wait in a ring that has not reached its wakeup threshold: the consumer
     * also wakes at this interval and drains what the rings hold.
     *
     * @param latency the longest an event waits in a ring before it is delivered anyway (default 100 ms)
     * @return this builder
     * @throws IllegalArgumentException when {@code latency} is zero or negative
     */
    public TracepointStreamBuilder maxLatency(Duration latency) {
        if (latency.isNegative() || latency.isZero()) {
            throw new IllegalArgumentException("maxLatency=" + latency);
        }
        this.maxLatency = latency;
        return this;
    }

    /**
     * Only events of one process: of every thread it has when the stream opens and every thread it creates
     * later, and of the processes they start from then on. Each of its threads gets its own events on each CPU
     * ({@code perf_event_open} with the thread's id and {@code inherit}, written into the CPU's one ring), and
     * the tasks a thread creates inherit them. {@link TracepointStream#open()} reads the threads from
     * {@code /proc/PID/task} and reads them again after opening; when a thread appeared meanwhile (it may hold
     * copies of its creator's events, on some CPUs), it closes the threads' events and opens them again, until
     * no thread appeared: no thread is missed and none is seen twice. A process that creates threads during
     * every attempt, for 3 s, is taken as it is then, with a warning through {@link System.Logger}: threads it
     * created in the last attempt may be missed. It costs a file descriptor per thread, tracepoint and CPU,
     * and some 30 us per descriptor to open. Processes it started before the stream opens are not in the
     * scope; nor, on a CPU that went offline and came back, those its threads started before that. Default:
     * every task.
     *
     * @param pid the process id, e.g. {@code ProcessHandle.current().pid()} for every thread of this JVM
     * @return this builder
     * @throws IllegalArgumentException when {@code pid} is not a positive {@code int} (a process that does not
     *                                  exist is reported by {@link TracepointStream#open()}, naming it)
     * @throws IllegalStateException    when the stream is scoped to a thread or a cgroup already
     */
    public TracepointStreamBuilder process(long pid) {
        this.scope = Scope.process(positive("pid", pid, Scope.Kind.PROCESS));
        return this;
    }

    /**
     * Only events of one thread and of the tasks it creates after the stream opens ({@code perf_event_open}
     * with the thread's id and {@code inherit}). The other threads of its process are not in the scope, nor
     * those it created before: a Java program's {@code main} thread is not its process's first thread, and for
     * every thread of a process there is {@link #process(long)}. Given the main thread of a process that has
     * other threads, {@link TracepointStream#open()} logs a warning. Default: every task.
     *
     * @param tid the thread id, as {@code gettid()} returns it
     * @return this builder
     * @throws IllegalArgumentException when {@code tid} is not a positive {@code int} (a thread that does not
     *                                  exist is reported by {@link TracepointStream#open()}, naming it)
     * @throws IllegalStateException    when the stream is scoped to a process or a cgroup already
     */
    public TracepointStreamBuilder thread(long tid) {
        this.scope = Scope.thread(positive("tid", tid, Scope.Kind.THREAD));
        return this;
    }

    private int positive(String name, long id, Scope.Kind kind) {
        if (id <= 0 || id > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be a positive int: " + name + "=" + id);
        }
        checkScope(kind);
        return (int) id;
    }

    private void checkScope(Scope.Kind kind) {
        if (scope.kind() != Scope.Kind.ALL && scope.kind() != kind) {
            throw new IllegalStateException("a stream has one scope: a process, a thread or a cgroup; this one is scoped to "
                    + scope + " already");
        }
    }

    /**
     * Only events of tasks in this cgroup ({@code perf_event_open} with {@code PERF_FLAG_PID_CGROUP}; a cgroup
     * v2 directory, or a directory of the v1 {@code perf_event} hierarchy). Default: every task.
     *
     * @param directory the cgroup's directory, for example {@code /sys/fs/cgroup/system.slice/nginx.service}
     * @return this builder
     * @throws IllegalStateException when the stream is already scoped to a pid
     */
    public TracepointStreamBuilder cgroup(Path directory) {
        Objects.requireNonNull(directory, "directory");
        checkScope(Scope.Kind.CGROUP);
        this.scope = Scope.cgroup(directory);
        return this;
    }

    /**
     * Reads only these CPUs' events: events that happen on other CPUs are not recorded at all.
     *
     * @param cpus the CPUs to read (default: every online CPU)
     * @return this builder
     */
    public TracepointStreamBuilder cpus(int... cpus) {
        this.cpus = cpus.clone();
        return this;
    }

    /**
     * Turns the warm-up on or off: before it enables the events, the stream runs its drain and decode path
     * on synthetic records so that the JIT has compiled it when the first burst arrives (see
     * {@link BatchListener#warmUpCopy()}). Off opens faster, for a short-lived or low-rate stream.
     *
     * @param enabled whether to run the decode path on synthetic records before enabling events (default
     *                true: avoids losing events while the JIT compiles the drain loop)
     * @return this builder
     */
    public TracepointStreamBuilder warmUp(boolean enabled) {
        this.warmUp = enabled;
        return this;
    }

    /**
     * Makes the stream a flight recorder: the kernel keeps the newest records of each CPU in its ring
     * ({@code attr.write_backward = 1}, rings mapped read-only: the kernel overwrites the oldest records),
     * nothing reads them while it records (no consumer thread, no wakeups), and
     * {@link TracepointStream#snapshot()} delivers them on demand. A ring holds {@link #ringPages(int)}
     * pages: the last that many bytes of records per CPU (a {@code signal_generate} sample is 88 bytes).
     * Event, lost and task listeners work as usual, called by each snapshot;
     * {@link TracepointStream#onBatch}, {@link TracepointStream#poll} and the warm-up do not apply, and the
     * wakeup and latency settings are ignored.
     *
     * @param enabled whether the stream is a flight recorder (default false)
     * @return this builder
     */
    public TracepointStreamBuilder flightRecorder(boolean enabled) {
        this.flightRecorder = enabled;
        return this;
    }

    /**
     * Names the consumer thread, as thread dumps and profilers show it.
     *
     * @param name the name of the consumer thread of {@link TracepointStream#startAsync()}
     * @return this builder
     */
    public TracepointStreamBuilder threadName(String name) {
        this.threadName = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * Names the stream: its MBean ({@link #jmx(boolean)}) and its {@code tracepoint.Statistics} JFR events
     * ({@code dev.tracepoint.core.jfr.JfrBridge}) go by this name.
     *
     * @param name the stream's name (default: the {@linkplain #threadName(String) consumer thread's name})
     * @return this builder
     */
    public TracepointStreamBuilder name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a stream's name may not be blank");
        }
        this.name = name;
        return this;
    }

    /**
     * Registers the stream's MXBean ({@link TracepointStreamMXBean}) in the platform MBean server as
     * {@code dev.tracepoint:type=TracepointStream,name=NAME} ({@link #name(String)}) when it opens, and
     * unregisters it when it closes. Two streams open at once need different names: the second fails to open.
     *
     * @param enabled whether to register the MXBean (default false)
     * @return this builder
     */
    public TracepointStreamBuilder jmx(boolean enabled) {
        this.jmx = enabled;
        return this;
    }

    /**
     * Delivers in time order across CPUs. Each CPU's ring is in time order, but the stream reads the rings
     * one after the other, so without this a consumer may see a task's event before the FORK that created
     * it, or a signal before the exec that renamed its sender. Ordered, every listener (event listeners,
     * the batch listener, the task and lost listeners) gets the records of all CPUs in the order of their
     * timestamps (CLOCK_MONOTONIC; ties by CPU).
     *
     * <p>How: each pass copies every record out of the rings into a staging area per CPU (the kernel's ring
     * is released at once, so the kernel loses nothing more than unordered), then delivers, merged by
     * time, the records no CPU can still precede: up to the oldest of each CPU's newest record, and, for a
     * CPU with nothing new, {@code now - lateness}. A CPU with nothing published delays the others by
     * {@code lateness} at most; an event reaches its listener at most {@link #maxLatency} plus
     * {@code lateness} after it happened (the consumer wakes when a staged record is due). Records other
     * than samples carry their time in a {@code struct sample_id} ({@code sample_id_all}).
     *
     * <p>A record published more than {@code lateness} after its time, or one the kernel wrote out of order
     * within its own ring (a tracepoint in an interrupt can be), is delivered anyway when it is read, in
     * order with what is still staged: {@link dev.tracepoint.core.decode.EventView#late()} is set on its view
     * and it is counted in
     * {@link TracepointStream#lateCount()}.
     *
     * <p>Memory: per CPU, a native staging area of twice the ring's data size (at least 128 KiB) plus
     * 64 KiB, so 1 MiB + 64 KiB per CPU with the default 128 pages; nothing per event on the heap. When a
     * record does not fit its CPU's staging area, the oldest staged records are delivered before their
     * window closes, in order, and counted in {@link TracepointStream#earlyCount()}. A CPU with nothing
     * published holds the others' records for {@code lateness}: a sustained rate that fills the staging
     * within it (with 88-byte samples, about 11,000 records for the default ring) delivers early all the
     * time; use larger rings ({@link #ringPages}) or a shorter lateness.
     *
     * <p>A batch listener's batches then run over the merged sequence of all CPUs ({@link EventBatch#cpu()}
     * is the current event's CPU). {@link TracepointStream#poll} delivers in the same order. Ordering costs
     * CPU: each record is copied once more and goes through the merge (measured in the README).
     *
     * @param lateness how late after its time a record may be read and still be put in order; positive.
     *                 A record is published microseconds after its time unless its CPU is preempted
     *                 (a virtual CPU descheduled by its host): 10 to 100 ms covers that
     * @return this builder
     * @throws IllegalArgumentException when {@code lateness} is zero or negative
     */
    public TracepointStreamBuilder ordered(Duration lateness) {
        if (lateness.isNegative() || lateness.isZero()) {
            throw new IllegalArgumentException("lateness must be positive: lateness=" + lateness);
        }
        lateness.toNanos(); // throws now for a Duration beyond 292 years, not at open
        this.lateness = lateness;
        return this;
    }

    /**
     * Asks the kernel for its task records (COMM, FORK, EXIT) and sends them to {@code listener}.
     *
     * @param listener the task listener
     * @return this builder
     */
    public TracepointStreamBuilder onTask(TaskListener listener) {
        taskListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Creates a stream with a copy of these settings. Nothing is opened yet: enable tracepoints on the stream,
     * then open or start it.
     *
     * @return a stream with these settings, not yet open
     * @throws TracefsUnavailableException when no tracefs was given and none is mounted
     * @throws IllegalStateException       when the stream is both a flight recorder and ordered
     */
    public TracepointStream build() throws TracefsUnavailableException {
        if (flightRecorder && lateness != null) {
            throw new IllegalStateException("a flight recorder's snapshots are in time order already: ordered() does not apply to it");
        }
        Tracefs t = tracefs != null ? tracefs : Tracefs.locate();
        TracepointStreamBuilder copy = new TracepointStreamBuilder();
        copy.ringPages = ringPages;
        copy.wakeupEvents = wakeupEvents;
        copy.wakeupBytes = wakeupBytes;
        copy.maxLatency = maxLatency;
        copy.scope = scope;
        copy.cpus = cpus;
        copy.warmUp = warmUp;
        copy.flightRecorder = flightRecorder;
        copy.threadName = threadName;
        copy.name = name != null ? name : threadName;
        copy.jmx = jmx;
        copy.lateness = lateness;
        copy.taskListeners.addAll(taskListeners);
        return new TracepointStream(t, copy);
    }
}
