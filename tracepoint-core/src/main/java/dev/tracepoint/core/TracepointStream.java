package dev.tracepoint.core;

import dev.tracepoint.core.decode.EventBinding;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.dispatch.BatchCursor;
import dev.tracepoint.core.internal.dispatch.Dispatcher;
import dev.tracepoint.core.internal.dispatch.WarmUp;
import dev.tracepoint.core.internal.perf.Cpus;
import dev.tracepoint.core.internal.perf.Errno;
import dev.tracepoint.core.internal.perf.Epoll;
import dev.tracepoint.core.internal.perf.EventFd;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.PerfCalls;
import dev.tracepoint.core.internal.perf.PerfEventAttr;
import dev.tracepoint.core.internal.perf.PerfEventAttrDescriptor;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.SyscallException;
import dev.tracepoint.core.internal.ring.PerfRing;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A live stream of kernel tracepoint events: one {@code perf_event_open(PERF_TYPE_TRACEPOINT)} event per
 * tracepoint and online CPU, all tracepoints of a CPU sharing one mmap'd ring ({@code PERF_EVENT_IOC_SET_OUTPUT}),
 * decoded in place and dispatched to listeners.
 *
 * {@snippet :
 * try (TracepointStream stream = TracepointStream.builder().build()) {
 *     EventFormat format = stream.format("signal:signal_generate");
 *     Field sig = format.requireField("sig");
 *     Field comm = format.requireField("comm");
 *     stream.filter("signal:signal_generate", "sig == 9");
 *     stream.onEvent("signal:signal_generate", e ->
 *             System.out.println(e.pid() + " killed " + e.getString(comm) + " with signal " + e.getInt(sig)));
 *     stream.startAsync();
 *     Thread.sleep(10_000);
 * }
 * }
 *
 * <h2>Lifecycle</h2>
 * Register tracepoints, filters and listeners first; then either push ({@link #start()} on the caller's
 * thread, or {@link #startAsync()} on a consumer thread, with {@link #awaitTermination()}), or pull
 * ({@link #poll(EventListener, int, Duration)} on the caller's thread). Registering after the stream is
 * open throws {@link IllegalStateException}. {@link #close()} is idempotent, may be called from any thread
 * (a listener included), wakes a blocked consumer at once, and releases every fd and mapping; it waits for a
 * listener call in progress to return.
 *
 * <h2>Threading</h2>
 * Listeners run on the consumer thread (push) or the polling thread (pull), one event at a time. The
 * {@link EventView} they get is valid only during the call. A listener's {@link Exception} goes to the error
 * listener and dispatch continues; an {@link Error} ends the stream.
 *
 * <h2>Delivery</h2>
 * The consumer sleeps in {@code epoll_wait} until a ring passes its wakeup watermark (half the ring by
 * default) or {@link Builder#maxLatency(Duration)} passes, then drains every ring: events reach listeners at
 * most that late. Samples the kernel could not write because a ring was full are reported through
 * {@link #onLost(LostListener)} and counted in {@link #lostCount()}. Before it enables the events, the stream
 * runs its decode and dispatch path on synthetic records so the JIT has compiled it when real events arrive.
 */
public final class TracepointStream implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.tracepoint");

    private final Tracefs tracefs;
    private final Builder config;
    private final Map<String, Registration> registrations = new LinkedHashMap<>();
    private final List<LostListener> lostListeners = new ArrayList<>();
    private final List<Runnable> flushListeners = new ArrayList<>();
    private final List<Runnable> closeListeners = new ArrayList<>();
    private ErrorListener errorListener;
    private final EventView view = new EventView();

    private final ReentrantLock drainLock = new ReentrantLock();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Object openLock = new Object();
    private volatile boolean opened;
    /** Passes per round of {@link #warmWakeups}: past C2's invocation threshold (Tier4InvocationThreshold is 5000). */
    private static final int WARM_WAKEUPS = 6_000;
    private static final int WARM_WAKEUP_ROUNDS = 5;
    /** The longest wait, each time, for the JIT to finish compiling what a warm-up queued. */
    private static final long COMPILER_WAIT_NANOS = 2_000_000_000L;
    private volatile boolean closed;
    private boolean released;
    private volatile Thread consumer;
    private volatile Throwable failure;

    // perf state, owned under drainLock once open
    private int[] cpus = new int[0];
    private final List<Integer> fds = new ArrayList<>();
    private final List<Integer> fdCpus = new ArrayList<>();
    private boolean readLost;
    private final List<PerfRing> rings = new ArrayList<>();
    private final List<MemorySegment> mappings = new ArrayList<>();
    private PerfRing[] ringArray = new PerfRing[0];
    private Runnable[] flushArray = new Runnable[0];
    private int epfd = -1;
    private int wakeFd = -1;
    private Arena arena;
    private MemorySegment epollEvents;
    /** How many {@code struct epoll_event} {@link #epollEvents} holds: one per CPU ring and one for the wake-up fd. */
    private int epollCapacity;
    private Dispatcher dispatcher;
    /** The registered batch listener, or null when the stream delivers to event listeners. */
    private BatchListener batchListener;
    /** What {@link #drainAll} hands batches to: the batch listener, or the warm-up's while it runs. */
    private BatchListener batchTarget;
    /** The batch listener's warm-up copy, or null. */
    private BatchListener batchCopy;
    private BatchCursor cursor;
    private long wallClockOffset;

    /** One tracepoint of the stream. */
    private static final class Registration {
        final String name;
        final EventFormat format;
        final List<EventListener> listeners = new ArrayList<>();
        String filter;

        Registration(String name, EventFormat format) {
            this.name = name;
            this.format = format;
        }
    }

    private TracepointStream(Tracefs tracefs, Builder config) {
        this.tracefs = tracefs;
        this.config = config;
        this.errorListener = new LoggingErrorListener();
    }

    /** @return a builder with the defaults: all online CPUs, 128 pages per ring, wakeup at half a ring, 100 ms max latency */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------ registration

    /**
     * Adds a tracepoint to the stream (without a listener: for pull mode, or before adding listeners).
     *
     * @param tracepoint {@code system:event}
     * @return this stream
     * @throws UnknownTracepointException when the kernel has no such tracepoint (naming the closest ones)
     * @throws TracepointException        when its format cannot be read or parsed
     */
    public TracepointStream enable(String tracepoint) throws TracepointException {
        registration(tracepoint);
        return this;
    }

    /**
     * The running kernel's layout of a tracepoint, adding the tracepoint to the stream. Look fields up here
     * once, before events flow.
     *
     * @param tracepoint {@code system:event}
     * @return its format
     * @throws TracepointException when the tracepoint is unknown or its format unreadable
     */
    public EventFormat format(String tracepoint) throws TracepointException {
        if (opened || closed) {
            Registration r = registrations.get(key(tracepoint));
            if (r != null) {
                return r.format;
            }
        }
        return registration(tracepoint).format;
    }

    /**
     * Sets a kernel-side filter ({@code PERF_EVENT_IOC_SET_FILTER}, ftrace filter syntax, e.g.
     * {@code "sig == 9 && pid != 1"}): events it rejects never cross into user space. See {@link Filter} to
     * build one from user input safely.
     *
     * @param tracepoint {@code system:event}
     * @param filter     the filter expression; {@code null} or empty for none
     * @return this stream
     * @throws TracepointException when the tracepoint is unknown (an invalid filter is reported by {@link #open()})
     */
    public TracepointStream filter(String tracepoint, String filter) throws TracepointException {
        Registration r = registration(tracepoint);
        r.filter = filter == null || filter.isBlank() ? null : filter;
        return this;
    }

    /**
     * Sets a kernel-side filter built with {@link Filter}, checked first against the tracepoint's format (field
     * names, and strings compared with string fields), so values from user input cannot change the
     * expression.
     *
     * @param tracepoint {@code system:event}
     * @param filter     the filter; {@code null} for none
     * @return this stream
     * @throws TracepointException      when the tracepoint is unknown
     * @throws IllegalArgumentException when the filter names a field the tracepoint does not have, or compares
     *                                  a field with a value of the wrong type
     */
    public TracepointStream filter(String tracepoint, Filter filter) throws TracepointException {
        Registration r = registration(tracepoint);
        r.filter = filter == null ? null : filter.toString(r.format);
        return this;
    }

    /**
     * Adds a listener for a tracepoint.
     *
     * @param tracepoint {@code system:event}
     * @param listener   called for each event, on the consumer thread
     * @return this stream
     * @throws TracepointException when the tracepoint is unknown or its format unreadable
     */
    public TracepointStream onEvent(String tracepoint, EventListener listener) throws TracepointException {
        Objects.requireNonNull(listener, "listener");
        checkNoBatch();
        registration(tracepoint).listeners.add(listener);
        return this;
    }

    /**
     * Adds a typed listener: {@code type}'s accessors are bound to the running kernel's layout now (see
     * {@link EventBinding}), so a missing required field fails here, not per event.
     *
     * @param tracepoint {@code system:event}
     * @param type       a public interface whose accessors name the tracepoint's fields
     * @param listener   called with a reused typed flyweight for each event
     * @param <T>        the interface
     * @return this stream
     * @throws TracepointException      when the tracepoint is unknown or its format unreadable
     * @throws IllegalArgumentException naming the missing fields or ill-typed accessors
     */
    public <T> TracepointStream onEvent(String tracepoint, Class<T> type, TypedListener<T> listener) throws TracepointException {
        Objects.requireNonNull(listener, "listener");
        checkNoBatch();
        Registration r = registration(tracepoint);
        T bound = EventBinding.of(type, r.format).attach(view);
        r.listeners.add(new TypedAdapter<>(bound, listener));
        return this;
    }

    /**
     * Delivers the events of every tracepoint of the stream ({@link #enable}) to one batch listener, a ring at
     * a time, instead of calling a listener per event: the listener iterates them itself (see
     * {@link EventBatch}). For high event rates: the JIT compiles the walk over the ring into the
     * listener's loop. A stream has either event listeners or one batch listener. {@link #poll} still
     * delivers to the listener it is given.
     *
     * @param listener called on the consumer thread with the events of each ring that has some
     * @return this stream
     * @throws IllegalStateException    when the stream already has a batch listener or event listeners, or
     *                                  is open
     * @throws IllegalArgumentException when the listener's {@link BatchListener#warmUpCopy()} is not a new
     *                                  listener of its class
     */
    public TracepointStream onBatch(BatchListener listener) {
        Objects.requireNonNull(listener, "listener");
        checkNotOpen();
        if (batchListener != null) {
            throw new IllegalStateException("the stream already has a batch listener: it takes one, which receives every tracepoint's events");
        }
        for (Registration r : registrations.values()) {
            if (!r.listeners.isEmpty()) {
                throw new IllegalStateException("the stream already has event listeners (" + r.name
                        + "): a stream delivers either to event listeners or to one batch listener");
            }
        }
        batchCopy = warmUpCopy(listener);
        batchListener = listener;
        return this;
    }

    /**
     * A typed flyweight over the stream's view, for a {@link BatchListener}: it reads the event
     * {@link EventBatch#next()} moved to, with accessors bound to the running kernel's layout now (see
     * {@link EventBinding}).
     *
     * @param tracepoint {@code system:event}; enabled if it was not
     * @param type       a public interface whose accessors name the tracepoint's fields
     * @param <T>        the interface
     * @return the flyweight; read it only while the batch is on an event of this tracepoint
     * @throws TracepointException      when the tracepoint is unknown or its format unreadable
     * @throws IllegalArgumentException naming the missing fields or ill-typed accessors
     */
    public <T> T bind(String tracepoint, Class<T> type) throws TracepointException {
        return EventBinding.of(type, registration(tracepoint).format).attach(view);
    }

    private void checkNoBatch() {
        if (batchListener != null) {
            throw new IllegalStateException("the stream has a batch listener: a stream delivers either to event listeners or to one batch listener");
        }
    }

    /** Calls a typed listener with the flyweight bound to the stream's view. */
    private record TypedAdapter<T>(T bound, TypedListener<T> listener) implements EventListener {
        @Override
        public void onEvent(EventView event) {
            listener.onEvent(bound);
        }
    }

    /**
     * @param listener told when the kernel drops samples because a ring is full
     * @return this stream
     */
    public TracepointStream onLost(LostListener listener) {
        checkNotOpen();
        lostListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Replaces the error listener (the default logs through {@link System.Logger}, rate-limited).
     *
     * @param listener told about listener exceptions, bad samples and corrupted rings
     * @return this stream
     */
    public TracepointStream onError(ErrorListener listener) {
        checkNotOpen();
        errorListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * @param listener called after each drain pass that delivered events (a batch end: flush output here)
     * @return this stream
     */
    public TracepointStream onFlush(Runnable listener) {
        checkNotOpen();
        flushListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * @param listener called once, after the stream has released its resources
     * @return this stream
     */
    public TracepointStream onClose(Runnable listener) {
        checkNotOpen();
        closeListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    private static String key(String tracepoint) {
        String[] se = Tracefs.split(tracepoint);
        return se == null ? tracepoint : se[0] + ":" + se[1];
    }

    private Registration registration(String tracepoint) throws TracepointException {
        checkNotOpen();
        String key = key(tracepoint);
        Registration r = registrations.get(key);
        if (r == null) {
            r = new Registration(key, tracefs.format(key));
            registrations.put(key, r);
        }
        return r;
    }

    private void checkNotOpen() {
        if (opened || closed) {
            throw new IllegalStateException("stream is " + (closed ? "closed" : "open") + ": register tracepoints and listeners before start/poll");
        }
    }

    // ------------------------------------------------------------------------------------------- open

    /**
     * Opens the perf events and rings, sets the filters, warms the decode path up and enables the events.
     * {@link #start()}, {@link #startAsync()} and {@link #poll} call it; call it yourself to fail early.
     * Idempotent. On failure everything opened so far is released.
     *
     * @throws PermissionDeniedException when perf_event_open is refused (naming perf_event_paranoid and CAP_PERFMON)
     * @throws InvalidFilterException    when the kernel rejects a filter
     * @throws TracepointException       for any other failing call, naming the call, errno, CPU and tracepoint
     */
    public void open() throws TracepointException {
        synchronized (openLock) {
            if (opened) {
                return;
            }
            if (closed) {
                throw new IllegalStateException("stream is closed");
            }
            if (registrations.isEmpty()) {
                throw new IllegalStateException("no tracepoint registered: call enable(), onEvent() or filter() first");
            }
            drainLock.lock();
            try {
                openLocked();
                opened = true;
            } catch (TracepointException | RuntimeException | Error e) {
                release();
                throw e;
            } finally {
                drainLock.unlock();
            }
        }
    }

    private void openLocked() throws TracepointException {
        readLost = true;
        cpus = config.cpus != null ? config.cpus.clone() : Cpus.online();
        int pageSize = Libc.pageSize();
        arena = Arena.ofShared();
        epfd = (int) call(Epoll::epollCreate, -1, null);
        wakeFd = (int) call(EventFd::eventfd, -1, null);
        epollAdd(wakeFd, -1L);
        epollCapacity = cpus.length + 1;
        epollEvents = arena.allocate((long) Epoll.EPOLL_EVENT_LENGTH * epollCapacity, 8);

        List<Registration> regs = new ArrayList<>(registrations.values());
        Dispatcher.Entry[] entryOf = new Dispatcher.Entry[regs.size()];
        for (int i = 0; i < regs.size(); i++) {
            entryOf[i] = new Dispatcher.Entry(regs.get(i).format, regs.get(i).listeners.toArray(new EventListener[0]));
        }
        long mapLength = (long) (1 + config.ringPages) * pageSize;
        MemorySegment attr = arena.allocate(PerfEventAttrDescriptor.LENGTH, 8);
        int target = config.pid;
        long openFlags = PerfEventAttrDescriptor.PERF_FLAG_FD_CLOEXEC;
        int cgroupFd = -1;
        if (config.cgroup != null) {
            try {
                cgroupFd = Libc.openReadOnly(config.cgroup.toString());
            } catch (SyscallException e) {
                throw new TracepointException("open cgroup " + config.cgroup + ": " + e.errnoName() + " ("
                        + Errno.describe(e.errno()) + "); give the cgroup v2 directory, e.g. /sys/fs/cgroup/system.slice/nginx.service",
                        "open", e.errno(), e.errnoName(), -1, null, e);
            }
            target = cgroupFd;
            openFlags |= PerfEventAttrDescriptor.PERF_FLAG_PID_CGROUP;
        }
        try {
            openEvents(regs, mapLength, pageSize, attr, target, openFlags);
        } finally {
            closeQuietly(cgroupFd); // the events keep their own reference to the cgroup
        }
        if (rings.isEmpty()) {
            throw new TracepointException("no CPU could be opened (cpus=" + Arrays.toString(cpus) + ")");
        }
        int maxCpu = 0;
        for (int c : fdCpus) {
            maxCpu = Math.max(maxCpu, c);
        }
        finishOpen(entryOf, maxCpu);
    }

    private void openEvents(List<Registration> regs,
                            long mapLength, int pageSize, MemorySegment attr, int target, long openFlags) throws TracepointException {
        cpuLoop:
        for (int cpu : cpus) {
            int leader = -1;
            for (int t = 0; t < regs.size(); t++) {
                Registration r = regs.get(t);
                long flags = PerfEventAttrDescriptor.FLAG_DISABLED | PerfEventAttrDescriptor.FLAG_USE_CLOCKID;
                if (config.pid >= 0) {
                    flags |= PerfEventAttrDescriptor.FLAG_INHERIT;
                }
                if (leader < 0 && !config.taskListeners.isEmpty()) {
                    // the kernel's own task records, once per CPU: names of tasks that may exit before we read
                    flags |= PerfEventAttrDescriptor.FLAG_COMM | PerfEventAttrDescriptor.FLAG_TASK | PerfEventAttrDescriptor.FLAG_COMM_EXEC;
                }
                PerfEventAttr a = PerfEventAttr.tracepoint(r.format.id())
                        .sampleType(PerfSampleDescriptor.SAMPLE_TYPE)
                        .readFormat(readLost ? PerfEventAttrDescriptor.PERF_FORMAT_LOST : 0)
                        .clockid(Libc.CLOCK_MONOTONIC);
                if (config.wakeupEvents > 0) {
                    a.wakeupEvents(config.wakeupEvents);
                } else if (config.wakeupBytes > 0) {
                    flags |= PerfEventAttrDescriptor.FLAG_WATERMARK;
                    a.wakeupWatermark(config.wakeupBytes);
                }
                a.flags(flags);
                attr.fill((byte) 0);
                a.write(attr);
                int fd;
                try {
                    fd = PerfCalls.perfEventOpen(attr, target, cpu, -1, openFlags);
                } catch (SyscallException e) {
                    if (e.errno() == Errno.ENODEV && leader < 0) {
                        continue cpuLoop; // CPU went offline since we read the list: skip it
                    }
                    if (e.errno() == Errno.EINVAL && readLost && fds.isEmpty()) {
                        // PERF_FORMAT_LOST is Linux 6.0+: without it, losses are known from LOST records only
                        readLost = false;
                        t--;
                        continue;
                    }
                    throw translate(e, cpu, r.name);
                }
                fds.add(fd);
                fdCpus.add(cpu);
                if (leader < 0) {
                    leader = fd;
                    MemorySegment mapping;
                    try {
                        mapping = Libc.mmap(mapLength, fd);
                    } catch (SyscallException e) {
                        throw mmapFailure(e, cpu, r.name, mapLength);
                    }
                    mappings.add(mapping);
                    rings.add(new PerfRing(cpu, mapping, pageSize));
                    epollAdd(fd, cpu);
                } else {
                    final int ringFd = leader;
                    final int source = fd;
                    call(() -> {
                        PerfCalls.setOutput(source, ringFd);
                        return 0;
                    }, cpu, r.name);
                }
                if (r.filter != null) {
                    try {
                        PerfCalls.setFilter(fd, r.filter);
                    } catch (SyscallException e) {
                        throw invalidFilter(e, r);
                    }
                }
            }
        }
    }

    private void finishOpen(Dispatcher.Entry[] entryOf, int maxCpu) throws TracepointException {
        wallClockOffset = Libc.clockGettimeNanos(Libc.CLOCK_REALTIME) - Libc.clockGettimeNanos(Libc.CLOCK_MONOTONIC);
        view.wallClockOffset(wallClockOffset);
        dispatcher = new Dispatcher(view, entryOf,
                lostListeners.toArray(new LostListener[0]), config.taskListeners.toArray(new TaskListener[0]),
                errorListener, maxCpu);
        ringArray = rings.toArray(new PerfRing[0]);
        flushArray = flushListeners.toArray(new Runnable[0]);
        if (batchListener != null) {
            cursor = new BatchCursor(dispatcher);
            batchTarget = batchListener;
        }
        if (config.warmUp) {
            WarmUp.run(entryOf, batchListener != null, batchCopy);
            // let C2 finish the dispatch path first: while its queue is long, the thresholds for compiling
            // the wake-up path are scaled up with it
            WarmUp.awaitCompilerIdle(COMPILER_WAIT_NANOS);
            warmWakeups(entryOf, batchCopy);
        }
        for (int i = 0; i < fds.size(); i++) {
            final int fd = fds.get(i);
            call(() -> {
                PerfCalls.enable(fd);
                return 0;
            }, -1, null);
        }
    }

    private void epollAdd(int fd, long data) throws TracepointException {
        call(() -> {
            Epoll.epollAdd(epfd, fd, Epoll.EPOLLIN, data);
            return 0;
        }, -1, null);
    }

    @FunctionalInterface
    private interface Call {
        long run();
    }

    private static long call(Call c, int cpu, String tracepoint) throws TracepointException {
        try {
            return c.run();
        } catch (SyscallException e) {
            throw translate(e, cpu, tracepoint);
        }
    }

    private static String where(int cpu, String tracepoint) {
        return (tracepoint != null ? " for " + tracepoint : "") + (cpu >= 0 ? " on CPU " + cpu : "");
    }

    static TracepointException translate(SyscallException e, int cpu, String tracepoint) {
        String head = e.syscall() + where(cpu, tracepoint) + ": " + e.errnoName() + " (" + Errno.describe(e.errno()) + ")";
        if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM) {
            return new PermissionDeniedException(head + ". " + permissionHint(), e.syscall(), e.errno(), e.errnoName(), cpu, tracepoint);
        }
        if (e.errno() == Errno.EMFILE || e.errno() == Errno.ENFILE) {
            long[] lim = safeRlimit(Libc.RLIMIT_NOFILE);
            return new TracepointException(head + ". Too many open files: RLIMIT_NOFILE is soft=" + lim[0] + " hard=" + lim[1]
                    + "; a stream needs one fd per tracepoint and CPU plus two (raise it with ulimit -n)",
                    e.syscall(), e.errno(), e.errnoName(), cpu, tracepoint, e);
        }
        return new TracepointException(head, e.syscall(), e.errno(), e.errnoName(), cpu, tracepoint, e);
    }

    private static long[] safeRlimit(int resource) {
        try {
            return Libc.getrlimit(resource);
        } catch (RuntimeException ex) {
            return new long[] {-2, -2};
        }
    }

    /** Explains the perf_event_open permission model with this machine's values. */
    static String permissionHint() {
        String paranoid;
        try {
            paranoid = Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).trim();
        } catch (IOException e) {
            paranoid = "unreadable";
        }
        return "Tracepoints need root or CAP_PERFMON (Linux 5.8+; CAP_SYS_ADMIN before) plus read access to tracefs; "
                + "kernel.perf_event_paranoid is " + paranoid + " here (system-wide tracepoint sampling needs <= -1 without those capabilities). "
                + "Run as root, or grant the capability: setcap cap_perfmon+ep on the java binary";
    }

    private static TracepointException mmapFailure(SyscallException e, int cpu, String tracepoint, long length) {
        String head = "mmap of a " + length + "-byte perf ring" + where(cpu, tracepoint) + ": " + e.errnoName()
                + " (" + Errno.describe(e.errno()) + ")";
        if (e.errno() == Errno.EPERM || e.errno() == Errno.ENOMEM || e.errno() == Errno.EACCES) {
            long[] lim = safeRlimit(Libc.RLIMIT_MEMLOCK);
            String mlock;
            try {
                mlock = Files.readString(Path.of("/proc/sys/kernel/perf_event_mlock_kb")).trim();
            } catch (IOException io) {
                mlock = "unreadable";
            }
            return new TracepointException(head + ". Ring memory counts against kernel.perf_event_mlock_kb (" + mlock
                    + " KiB per user) and then RLIMIT_MEMLOCK (soft=" + lim[0] + " hard=" + lim[1]
                    + "); use fewer ring pages, or raise the limit (ulimit -l)", "mmap", e.errno(), e.errnoName(), cpu, tracepoint, e);
        }
        return new TracepointException(head, "mmap", e.errno(), e.errnoName(), cpu, tracepoint, e);
    }

    private TracepointException invalidFilter(SyscallException e, Registration r) {
        List<String> names = new ArrayList<>();
        for (Field f : r.format.fields()) {
            names.add(f.name());
        }
        return new InvalidFilterException("the kernel rejected the filter for " + r.name + ": \"" + r.filter + "\" ("
                + e.errnoName() + "); filters use ftrace syntax over the tracepoint's fields: " + String.join(", ", names),
                r.name, r.filter, e.errno(), e.errnoName());
    }

    // -------------------------------------------------------------------------------------- consuming

    /**
     * Opens the stream if needed and consumes events on the calling thread until {@link #close()}.
     *
     * @throws TracepointException when opening fails
     */
    public void start() throws TracepointException {
        open();
        consumer = Thread.currentThread();
        runLoop();
        Throwable f = failure;
        if (f instanceof Error err) {
            throw err;
        }
    }

    /**
     * Opens the stream on the calling thread (so setup errors are thrown here) and consumes events on a new
     * daemon thread named {@code tracepoint-consumer}.
     *
     * @throws TracepointException when opening fails
     */
    public void startAsync() throws TracepointException {
        open();
        Thread t = new Thread(this::runLoop, config.threadName);
        t.setDaemon(true);
        consumer = t;
        t.start();
    }

    private void runLoop() {
        drainLock.lock();
        try {
            int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.maxLatency.toMillis()));
            while (!closed) {
                pass(timeout);
            }
            // deliver what the rings still hold: stop the producers first, then one last pass
            disableAll();
            drainAll(Integer.MAX_VALUE);
            reportUnannouncedLoss();
        } catch (Throwable t) {
            failure = t;
            if (t instanceof Error) {
                // ends the stream; start() rethrows it, and a startAsync() caller learns it here
                LOG.log(System.Logger.Level.ERROR, "tracepoint consumer stopped by " + t, t);
            } else {
                safeError(t);
            }
        } finally {
            closed = true;
            release();
            drainLock.unlock();
            terminated.countDown();
        }
    }

    /**
     * One wake-up of the consumer loop: wait until a ring passes its watermark (or the timeout), then drain
     * every ring. A method of its own so that the JIT compiles it: {@link #runLoop} is entered once and never
     * returns, so its own loop body stays interpreted (its loop would need tens of thousands of wake-ups to be
     * compiled on stack). Measured before: 8-13% of the consumer thread's CPU was the interpreter, once per
     * wake-up. {@link #warmWakeups} compiles it before the events are enabled.
     */
    private void pass(int timeoutMs) {
        Epoll.epollWait(epfd, epollEvents, epollCapacity, timeoutMs);
        drainAll(Integer.MAX_VALUE);
    }

    /**
     * Runs {@link #pass} before the events are enabled until the JIT has compiled it: rounds of passes, each
     * followed by a wait for the compilers to go idle, until a round compiles nothing more (C1 first, then C2
     * once the profiled code has counted its own invocations). The real rings are still empty, so every other
     * pass also drains a synthetic ring through a warm-up dispatcher and flushes with warm-up actions: the
     * branches a pass with records takes are then compiled too. The stream's own listeners are not called.
     */
    /** The batch listener's warm-up copy, if it offers one of its own class. */
    private static BatchListener warmUpCopy(BatchListener listener) {
        BatchListener copy = listener.warmUpCopy();
        if (copy != null && (copy == listener || copy.getClass() != listener.getClass())) {
            throw new IllegalArgumentException("warmUpCopy() of " + listener.getClass().getName()
                    + " must return a new listener of the same class, got " + (copy == listener ? "the listener itself" : copy.getClass().getName()));
        }
        return copy;
    }

    private void warmWakeups(Dispatcher.Entry[] entries, BatchListener copy) {
        PerfRing[] realRings = ringArray;
        Runnable[] realFlushes = flushArray;
        Dispatcher realDispatcher = dispatcher;
        BatchCursor realCursor = cursor;
        BatchListener realBatch = batchTarget;
        try (WarmUp.WakeupDrill drill = WarmUp.wakeupDrill(entries)) {
            PerfRing[] withDrill = Arrays.copyOf(realRings, realRings.length + 1);
            withDrill[realRings.length] = drill.ring();
            ringArray = withDrill;
            flushArray = drill.flushes();
            dispatcher = drill.dispatcher();
            BatchListener[] warmBatch = drill.batchListeners(copy);
            if (realCursor != null) {
                cursor = drill.cursor();
            }
            for (int round = 0; round < WARM_WAKEUP_ROUNDS; round++) {
                for (int i = 0; i < WARM_WAKEUPS; i++) {
                    if ((i & 1) == 0) {
                        drill.refill();
                    }
                    if (realCursor != null) {
                        batchTarget = warmBatch[i % warmBatch.length];
                    }
                    pass(0);
                }
                if (!WarmUp.awaitCompilerIdle(COMPILER_WAIT_NANOS) && round > 0) {
                    break;
                }
            }
        } finally {
            ringArray = realRings;
            flushArray = realFlushes;
            dispatcher = realDispatcher;
            cursor = realCursor;
            batchTarget = realBatch;
        }
    }

    private int drainAll(int limit) {
        int total = 0;
        PerfRing[] rs = ringArray;
        BatchCursor c = cursor;
        if (c != null && !dispatcher.overridden()) {
            // batches ignore the limit: poll(), the only caller with one, overrides the listener
            BatchListener b = batchTarget;
            for (int i = 0; i < rs.length; i++) {
                total += c.run(rs[i], b);
            }
        } else {
            for (int i = 0; i < rs.length && total < limit; i++) {
                total += rs[i].drain(dispatcher, limit - total);
            }
        }
        if (total > 0) {
            for (Runnable r : flushArray) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    safeError(e);
                }
            }
        }
        return total;
    }

    /**
     * The kernel announces lost samples with a {@code PERF_RECORD_LOST} written in front of the next sample
     * that fits: samples lost in a burst that is followed by silence are never announced. At the end, each
     * event's own lost counter ({@code read_format = PERF_FORMAT_LOST}) tells how many the rings did not
     * announce; they are reported like any other loss, so delivered + lost is exact.
     */
    private void reportUnannouncedLoss() {
        if (!readLost || dispatcher == null) {
            return;
        }
        Map<Integer, Long> kernelLost = new LinkedHashMap<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(16, 8); // struct { u64 value; u64 lost; }
            for (int i = 0; i < fds.size(); i++) {
                try {
                    if (Libc.read(fds.get(i), buf, 16) == 16) {
                        kernelLost.merge(fdCpus.get(i), buf.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8), Long::sum);
                    }
                } catch (SyscallException e) {
                    safeError(translate(e, fdCpus.get(i), null));
                }
            }
        }
        for (Map.Entry<Integer, Long> e : kernelLost.entrySet()) {
            long missing = e.getValue() - dispatcher.lost(e.getKey());
            if (missing > 0) {
                dispatcher.reportLost(e.getKey(), missing);
            }
        }
    }

    private void disableAll() {
        for (int fd : fds) {
            try {
                PerfCalls.disable(fd);
            } catch (SyscallException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * Pull mode: delivers up to {@code limit} events to {@code listener} on the calling thread, waiting up to
     * {@code timeout} for the first one. The registered listeners are not called; lost records and errors
     * still go to theirs. Opens the stream on first use.
     *
     * @param listener receives every event of every tracepoint of the stream
     * @param limit    the most events to deliver
     * @param timeout  how long to wait when no event is ready; zero to return at once
     * @return the number of records handled, or -1 when the stream is closed
     * @throws TracepointException when opening fails
     */
    public int poll(EventListener listener, int limit, Duration timeout) throws TracepointException {
        Objects.requireNonNull(listener, "listener");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit=" + limit);
        }
        open();
        drainLock.lock();
        try {
            if (closed) {
                return -1;
            }
            dispatcher.override(listener);
            int n = drainAll(limit);
            long ms = timeout.toMillis();
            if (n == 0 && ms > 0 && !closed) {
                Epoll.epollWait(epfd, epollEvents, epollCapacity, (int) Math.min(Integer.MAX_VALUE, ms));
                n = closed ? 0 : drainAll(limit);
            }
            return n;
        } finally {
            if (dispatcher != null) {
                dispatcher.override(null);
            }
            if (closed && consumer == null) {
                release();
            }
            drainLock.unlock();
        }
    }

    /**
     * Waits until the consumer loop has ended and the stream released its resources.
     *
     * @throws InterruptedException when interrupted
     */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * @param timeout how long to wait
     * @return whether the stream terminated in time
     * @throws InterruptedException when interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops the stream: wakes the consumer, which disables the events, delivers what the rings still hold and
     * releases every fd and mapping. Idempotent and callable from any thread, a listener included (the
     * release then happens when the listener returns). From another thread it returns once everything is
     * released.
     */
    @Override
    public void close() {
        boolean first;
        synchronized (openLock) {
            first = !closed;
            closed = true;
        }
        if (first && wakeFd >= 0) {
            try {
                EventFd.eventfdSignal(wakeFd);
            } catch (SyscallException ignored) {
                // the consumer also wakes by its timeout
            }
        }
        if (drainLock.isHeldByCurrentThread()) {
            return; // inside a listener: the draining thread releases on its way out
        }
        drainLock.lock(); // a running consumer holds it until it has drained and released
        try {
            release();
        } finally {
            drainLock.unlock();
        }
        Thread c = consumer;
        if (c != null && c != Thread.currentThread()) {
            try {
                terminated.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (c == null) {
            terminated.countDown();
        }
    }

    /** Releases every fd and mapping; called with drainLock held (or before open finished). */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        for (int fd : fds) {
            closeQuietly(fd);
        }
        fds.clear();
        fdCpus.clear();
        for (PerfRing r : rings) {
            r.close();
        }
        rings.clear();
        ringArray = new PerfRing[0];
        for (MemorySegment m : mappings) {
            try {
                Libc.munmap(m);
            } catch (SyscallException e) {
                safeError(e);
            }
        }
        mappings.clear();
        closeQuietly(epfd);
        closeQuietly(wakeFd);
        epfd = -1;
        wakeFd = -1;
        if (arena != null) {
            arena.close();
            arena = null;
        }
        for (Runnable r : closeListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                safeError(e);
            }
        }
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                Libc.close(fd);
            } catch (SyscallException ignored) {
                // nothing more to release
            }
        }
    }

    private void safeError(Throwable t) {
        try {
            errorListener.onError(t);
        } catch (RuntimeException ignored) {
            // nowhere left to report
        }
    }

    // ------------------------------------------------------------------------------------------- state

    /** @return whether {@link #close()} was called or the consumer ended */
    public boolean isClosed() {
        return closed;
    }

    /** @return the tracepoints of the stream, {@code system:event} */
    public List<String> tracepoints() {
        return List.copyOf(registrations.keySet());
    }

    /** @return the CPUs the stream reads (after open) */
    public int[] cpus() {
        return cpus.clone();
    }

    /** @return the events dispatched so far (exact once closed) */
    public long eventCount() {
        Dispatcher d = dispatcher;
        return d == null ? 0 : d.samples();
    }

    /** @return the samples the kernel reported lost so far (exact once closed) */
    public long lostCount() {
        Dispatcher d = dispatcher;
        return d == null ? 0 : d.lost();
    }

    /**
     * @param cpu a CPU
     * @return the samples lost on that CPU
     */
    public long lostCount(int cpu) {
        Dispatcher d = dispatcher;
        return d == null ? 0 : d.lost(cpu);
    }

    /** @return corrupted samples or ring states seen and skipped */
    public long corruptCount() {
        Dispatcher d = dispatcher;
        return d == null ? 0 : d.corrupt();
    }

    /** @return {@code CLOCK_REALTIME - CLOCK_MONOTONIC} at open, to turn event times into wall-clock times */
    public long wallClockOffsetNanos() {
        return wallClockOffset;
    }

    /** @return the tracefs the stream reads formats from */
    public Tracefs tracefs() {
        return tracefs;
    }

    /** Logs errors, at most one line per second per error class. */
    private static final class LoggingErrorListener implements ErrorListener {
        private final Map<Class<?>, long[]> last = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void onError(Throwable error) {
            long now = System.nanoTime();
            long[] s = last.computeIfAbsent(error.getClass(), k -> new long[] {now - 2_000_000_000L, 0});
            if (now - s[0] >= 1_000_000_000L) {
                LOG.log(System.Logger.Level.WARNING, "tracepoint stream: " + error
                        + (s[1] > 0 ? " (" + s[1] + " similar errors suppressed)" : ""), error);
                s[0] = now;
                s[1] = 0;
            } else {
                s[1]++;
            }
        }
    }

    // ----------------------------------------------------------------------------------------- builder

    /** Settings of a stream. Not thread-safe; {@link #build()} copies nothing that changes later. */
    public static final class Builder {
        private Tracefs tracefs;
        private int ringPages = 128;
        private int wakeupEvents;
        private int wakeupBytes;
        private Duration maxLatency = Duration.ofMillis(100);
        private int pid = -1;
        private Path cgroup;
        private int[] cpus;
        private boolean warmUp = true;
        private String threadName = "tracepoint-consumer";
        private final List<TaskListener> taskListeners = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param tracefs the tracefs to read formats from (default: {@link Tracefs#locate()})
         * @return this builder
         */
        public Builder tracefs(Tracefs tracefs) {
            this.tracefs = Objects.requireNonNull(tracefs, "tracefs");
            return this;
        }

        /**
         * @param pages data pages per CPU ring, a power of two (default 128: 512 KiB with 4 KiB pages, as perf record)
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
         * Wake the consumer after every {@code n} events (1 = every event: lowest latency, most CPU).
         *
         * @param n events per wakeup
         * @return this builder
         */
        public Builder wakeupEvents(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("wakeupEvents=" + n);
            }
            this.wakeupEvents = n;
            this.wakeupBytes = 0;
            return this;
        }

        /**
         * Wake the consumer when a ring holds {@code bytes} unread bytes (default: half the ring).
         *
         * @param bytes the watermark
         * @return this builder
         */
        public Builder wakeupBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("wakeupBytes=" + bytes);
            }
            this.wakeupBytes = bytes;
            this.wakeupEvents = 0;
            return this;
        }

        /**
         * @param latency the longest an event waits in a ring before it is delivered anyway (default 100 ms)
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
         * Only events of this task and of the tasks it creates after the stream opens ({@code perf_event_open}
         * with a pid and {@code inherit}). Default: every task.
         *
         * @param pid a thread or process id
         * @return this builder
         */
        public Builder pid(int pid) {
            if (pid < 0) {
                throw new IllegalArgumentException("pid=" + pid);
            }
            if (cgroup != null) {
                throw new IllegalStateException("scope to a pid or to a cgroup, not both: cgroup=" + cgroup);
            }
            this.pid = pid;
            return this;
        }

        /**
         * Only events of tasks in this cgroup ({@code perf_event_open} with {@code PERF_FLAG_PID_CGROUP}; a cgroup
         * v2 directory, or a directory of the v1 {@code perf_event} hierarchy). Default: every task.
         *
         * @param directory the cgroup's directory, e.g. {@code /sys/fs/cgroup/system.slice/nginx.service}
         * @return this builder
         */
        public Builder cgroup(Path directory) {
            if (pid >= 0) {
                throw new IllegalStateException("scope to a pid or to a cgroup, not both: pid=" + pid);
            }
            this.cgroup = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * @param cpus the CPUs to read (default: every online CPU)
         * @return this builder
         */
        public Builder cpus(int... cpus) {
            this.cpus = cpus.clone();
            return this;
        }

        /**
         * @param enabled whether to run the decode path on synthetic records before enabling events (default
         *                true: avoids losing events while the JIT compiles the drain loop)
         * @return this builder
         */
        public Builder warmUp(boolean enabled) {
            this.warmUp = enabled;
            return this;
        }

        /**
         * @param name the name of the consumer thread of {@link TracepointStream#startAsync()}
         * @return this builder
         */
        public Builder threadName(String name) {
            this.threadName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Asks the kernel for its task records (COMM, FORK, EXIT) and sends them to {@code listener}.
         *
         * @param listener the task listener
         * @return this builder
         */
        public Builder onTask(TaskListener listener) {
            taskListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @return a stream with these settings, not yet open
         * @throws TracefsUnavailableException when no tracefs was given and none is mounted
         */
        public TracepointStream build() throws TracefsUnavailableException {
            Tracefs t = tracefs != null ? tracefs : Tracefs.locate();
            Builder copy = new Builder();
            copy.ringPages = ringPages;
            copy.wakeupEvents = wakeupEvents;
            copy.wakeupBytes = wakeupBytes;
            copy.maxLatency = maxLatency;
            copy.pid = pid;
            copy.cgroup = cgroup;
            copy.cpus = cpus;
            copy.warmUp = warmUp;
            copy.threadName = threadName;
            copy.taskListeners.addAll(taskListeners);
            return new TracepointStream(t, copy);
        }
    }
}
