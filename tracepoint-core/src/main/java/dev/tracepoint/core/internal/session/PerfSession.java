package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.internal.perf.Cpus;
import dev.tracepoint.core.internal.perf.Epoll;
import dev.tracepoint.core.internal.perf.Errno;
import dev.tracepoint.core.internal.perf.EventFd;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.PerfEventAttrDescriptor;
import dev.tracepoint.core.internal.perf.SyscallException;
import dev.tracepoint.core.internal.ring.BackwardRing;
import dev.tracepoint.core.internal.ring.PerfRing;
import dev.tracepoint.core.internal.ring.RingSet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The perf events of one stream and everything they hold: one {@code perf_event_open(PERF_TYPE_TRACEPOINT)}
 * event per tracepoint and CPU (and thread, for a process {@link Scope}), opened disabled; one mmap'd ring per
 * CPU that the CPU's other events write to ({@code PERF_EVENT_IOC_SET_OUTPUT}); the filters; an epoll set over
 * the rings plus an eventfd that {@link #wake()} signals; and the arena of the epoll buffer.
 *
 * <p>With {@link Spec#overwrite()} the rings are overwrite-mode rings instead, for a flight recorder: every
 * event is opened with {@code write_backward}, each ring is mapped read-only ({@link BackwardRing}), no ring
 * is in the epoll set, CPU hotplug is not followed, and {@link #pauseOutput} and {@link #quiesce} serve a
 * snapshot.
 *
 * <p>Each armed CPU's events, mapping and ring are a {@link CpuEvents}, opened by the session's one
 * {@link EventOpener} (the attributes and the {@code perf_event_open} target); the session owns the rest: the
 * watched CPUs and which are armed (hotplug), the epoll set and eventfd, the cgroup fd and the arena.
 *
 * <p>{@link #open} either returns a session that owns all of it or throws having released everything it had
 * opened (cilium's {@code closeOnError}). {@link #close()} releases every fd and mapping, once. CPUs that go
 * offline while opening ({@code ENODEV} on a CPU's first event) are skipped.
 *
 * <p>Threading: {@link #open}, {@link #enable()}, {@link #disable()}, {@link #await} and {@link #close()} are
 * for the stream's owner thread or its consumer, one at a time (the stream's lock); {@link #wake()} may be
 * called from any thread until {@link #close()}.
 */
public final class PerfSession implements AutoCloseable, RingSet {

    /**
     * One tracepoint to open.
     *
     * @param name   {@code system:event}
     * @param format its format (the id to open, the fields a rejected filter's message lists)
     * @param filter the kernel-side filter, or null
     */
    public record Target(String name, EventFormat format, String filter) {
        /** Checks the components. */
        public Target {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(format, "format");
        }
    }

    /**
     * What to open.
     *
     * @param targets      the tracepoints, in the order their events are opened on each CPU
     * @param cpus         the CPUs, or null for every online CPU
     * @param ringPages    data pages per ring, a power of two
     * @param wakeupEvents wake the consumer every this many events, or 0
     * @param wakeupBytes  wake the consumer at this many unread bytes, or 0 (then half the ring)
     * @param scope        which tasks: every task, a thread, a process or a cgroup
     * @param taskRecords  whether the first event of each CPU (and thread or cgroup) also asks for COMM, FORK
     *                     and EXIT records
     * @param overwrite    whether the rings are overwrite-mode rings for a flight recorder (the wakeup
     *                     settings are then ignored)
     * @param sampleIdAll  whether records other than samples carry a {@code struct sample_id} (their time: an
     *                     ordered stream merges them by it)
     */
    public record Spec(List<Target> targets, int[] cpus, int ringPages, int wakeupEvents, int wakeupBytes,
                       Scope scope, boolean taskRecords, boolean overwrite, boolean sampleIdAll) {
        /** Copies the lists. */
        public Spec {
            targets = List.copyOf(targets);
            cpus = cpus == null ? null : cpus.clone();
            Objects.requireNonNull(scope, "scope");
        }

        /** A spec of forward rings, read as they fill. */
        public Spec(List<Target> targets, int[] cpus, int ringPages, int wakeupEvents, int wakeupBytes,
                    Scope scope, boolean taskRecords) {
            this(targets, cpus, ringPages, wakeupEvents, wakeupBytes, scope, taskRecords, false, false);
        }
    }

    /**
     * The classes a failure is reported with, loaded now: a failure may come from running out of file
     * descriptors (EMFILE), and loading a class from a directory then fails too (NoClassDefFoundError instead
     * of the message that names RLIMIT_NOFILE).
     */

    private static final Class<?>[] FAILURE_CLASSES = {SetupFailures.class, Errno.class, TracepointException.class,
            dev.tracepoint.core.PermissionDeniedException.class, dev.tracepoint.core.InvalidFilterException.class,
            SessionCalls.class, SessionCalls.Call.class, CpuEvents.class, EventOpener.class, EventOpener.RingWatch.class,
            EventOpener.Outcome.class, ScopeTargets.class, ProcessCoverage.class};

    /** The epoll data of {@link #wakeFd} (a ring's is its index). */
    private static final long WAKE_DATA = -1L;
    /** The epoll data of the device events' socket ({@link HotplugWatch#socket}). */
    private static final long HOTPLUG_DATA = -2L;

    private final Spec spec;
    /** The CPUs the session watches: those asked for, or every possible CPU (armed while online). */
    private final int[] cpus;
    /** The armed CPUs' events and rings, by CPU, in CPU order. */
    private final java.util.TreeMap<Integer, CpuEvents> groups = new java.util.TreeMap<>();
    /** Opens each CPU's events; set once the session-wide fds exist. */
    private EventOpener opener;
    private int epfd = -1;
    private volatile int wakeFd = -1;
    private int cgroupFd = -1;
    private int pageSize;
    private long mapLength;
    /** Written by the consumer only; read racily by monitoring. */
    private volatile long wakeups;
    private Arena arena;
    private MemorySegment readBuf;
    /** The online list and the device events the hotplug checks read. */
    private HotplugWatch hotplug;
    private MemorySegment epollEvents;
    /**
     * How many {@code struct epoll_event} {@link #epollEvents} holds: one per CPU ring, one for the eventfd and
     * one for the device events.
     */
    private int epollCapacity;
    private boolean enabled;
    /** Set once {@link #open} has opened every CPU it could: a CPU armed after that is armed for hotplug. */
    private boolean opened;
    private boolean closed;
    /** Whether {@code membarrier(MEMBARRIER_CMD_GLOBAL)} was refused once (then {@link #quiesce} sleeps). */
    private static volatile boolean membarrierRefused;

    private PerfSession(Spec spec) {
        this.spec = spec;
        this.cpus = spec.cpus() != null ? spec.cpus() : Cpus.possible();
    }

    /**
     * Opens every event, ring and filter of {@code spec}, disabled, on every watched CPU that is online.
     *
     * @param spec   what to open
     * @param errors told about failures while releasing after a failed open
     * @return the session
     * @throws TracepointException naming the call, errno, CPU and tracepoint that failed; nothing stays open
     */
    public static PerfSession open(Spec spec, Consumer<Throwable> errors) throws TracepointException {
        if (spec.targets().isEmpty()) {
            throw new IllegalArgumentException("no tracepoint to open");
        }
        PerfSession s = new PerfSession(spec);
        try {
            s.openAll();
            return s;
        } catch (TracepointException | RuntimeException | Error e) {
            s.release(errors);
            throw e;
        }
    }

    private void openAll() throws TracepointException {
        Scope scope = spec.scope();
        switch (scope.kind()) {
            case THREAD -> ScopeTargets.checkThread(scope.id());
            case PROCESS -> ScopeTargets.threadsOf(scope.id()); // the process exists, and is one
            case CGROUP -> ScopeTargets.checkCgroup(scope.cgroup());
            default -> { }
        }
        pageSize = Libc.pageSize();
        arena = Arena.ofShared();
        MemorySegment attr = arena.allocate(PerfEventAttrDescriptor.LENGTH, 8);
        readBuf = arena.allocate(CpuEvents.READ_LENGTH, 8);
        epfd = (int) SessionCalls.call(Epoll::epollCreate, -1, null);
        wakeFd = (int) SessionCalls.call(EventFd::eventfd, -1, null);
        epollAdd(wakeFd, WAKE_DATA);
        hotplug = HotplugWatch.open(arena);
        if (hotplug.socket() >= 0) {
            try {
                epollAdd(hotplug.socket(), HOTPLUG_DATA);
            } catch (TracepointException e) {
                hotplug.dropSocket(); // the consumer checks every 100 ms instead
            }
        }
        epollCapacity = cpus.length + 2;
        epollEvents = arena.allocate((long) Epoll.EPOLL_EVENT_LENGTH * epollCapacity, 8);
        mapLength = (long) (1 + spec.ringPages()) * pageSize;
        if (scope.kind() == Scope.Kind.CGROUP) {
            try {
                cgroupFd = Libc.openReadOnly(scope.cgroup().toString());
            } catch (SyscallException e) {
                throw SetupFailures.cgroup(e, scope.cgroup());
            }
        }
        opener = new EventOpener(spec, attr, pageSize, mapLength, cgroupFd);
        java.util.Set<Integer> online = onlineSet();
        for (int cpu : cpus) {
            if (online.contains(cpu)) {
                openCpu(cpu);
            }
        }
        if (groups.isEmpty()) {
            throw new TracepointException("no CPU could be opened (cpus=" + Arrays.toString(cpus) + ", online="
                    + online + ")");
        }
        if (scope.kind() == Scope.Kind.PROCESS) {
            ProcessCoverage.cover(scope.id(), opener, groups.values(), true);
        }
        opened = true;
    }

    /**
     * Opens every tracepoint on one CPU, the first event's fd with the ring; nothing stays open if it fails.
     *
     * @return whether the CPU is armed; false when it is offline ({@code ENODEV} on its first event)
     */
    private boolean openCpu(int cpu) throws TracepointException {
        CpuEvents g = new CpuEvents(cpu);
        try {
            if (!opener.open(g, groups.isEmpty(), !opened, this::epollAdd)) {
                g.close(e -> { });
                return false;
            }
        } catch (TracepointException | RuntimeException | Error e) {
            g.close(x -> { });
            throw e;
        }
        groups.put(cpu, g);
        return true;
    }

    /**
     * Enables every event: from here the kernel writes samples. CPUs armed later are enabled as they are armed.
     *
     * @throws TracepointException when an ioctl fails
     */
    public void enable() throws TracepointException {
        enabled = true;
        for (CpuEvents g : groups.values()) {
            g.enable();
        }
    }

    /** Disables every event (the kernel stops writing), ignoring failures: for the end of a stream. */
    public void disable() {
        enabled = false;
        for (CpuEvents g : groups.values()) {
            g.disable();
        }
    }

    /**
     * Waits until a ring passes its wakeup watermark, {@link #wake()} is called, the kernel announces a device
     * event ({@link HotplugEvents}), or the timeout passes.
     *
     * @param timeoutMs the longest wait; 0 returns at once
     * @return how many device events came (not 0: the CPUs should be checked now, {@link #deadCpus})
     */
    public long await(int timeoutMs) {
        int n = Epoll.epollWait(epfd, epollEvents, epollCapacity, timeoutMs);
        wakeups++;
        // Which descriptors are ready: a ring's (its index), the eventfd's (drained, so that it does not stay
        // ready) and the device events' (drained by the check this makes due). Counted without a branch
        // ((x | -x) >>> 63 is 0 for x == 0, else 1): the warm-up's waits never see a ring or a device event
        // ready, and a branch it never took would be compiled as never taken, an uncommon trap at the first
        // real wake-up (measured: unstable_if here). It pokes the eventfd, so the branch below is compiled
        // both ways.
        long wakes = 0;
        long hotplugs = 0;
        for (int i = 0; i < n; i++) {
            long data = Epoll.eventData(epollEvents, i);
            long w = data ^ WAKE_DATA;
            long h = data ^ HOTPLUG_DATA;
            wakes += 1 - ((w | -w) >>> 63);
            hotplugs += 1 - ((h | -h) >>> 63);
        }
        if (wakes != 0) {
            drainWake();
        }
        return hotplugs;
    }

    /** Resets the eventfd {@link #wake} signals. */
    private void drainWake() {
        int fd = wakeFd;
        if (fd >= 0) {
            try {
                EventFd.eventfdDrain(fd);
            } catch (SyscallException ignored) {
                // closed meanwhile: the consumer stops
            }
        }
    }

    /** {@return how often {@link #await} returned: the consumer's wake-ups (read from any thread, as of the last)} */
    public long wakeups() {
        return wakeups;
    }

    /** {@return the data bytes of the rings of the armed CPUs (without their control pages)} */
    public long ringBytes() {
        return (long) (rings().length + backwardRings().length) * (mapLength - pageSize);
    }

    /** Wakes a thread blocked in {@link #await}; any thread. Does nothing once closed. */
    public void wake() {
        int fd = wakeFd;
        if (fd >= 0) {
            try {
                EventFd.eventfdSignal(fd);
            } catch (SyscallException ignored) {
                // the waiter also wakes by its timeout
            }
        }
    }

    // ---------------------------------------------------------------------------------------- hotplug

    /**
     * The armed CPUs whose events no longer run: the CPU went offline (the kernel then detaches its per-CPU
     * events for good, and does not restore them when the CPU returns). What a check reads, and why so little:
     * {@link HotplugWatch}.
     *
     * @return the CPUs to {@link #disarm}, ascending; empty when every armed CPU is live (or the session is not enabled)
     */
    @Override
    public int[] deadCpus() {
        boolean announced = hotplug.announced();
        if (!enabled || spec.overwrite()) {
            return NO_CPUS;
        }
        int length = hotplug.readOnline();
        boolean readTimes = hotplug.timesDue(announced, length);
        int[] dead = null;
        int n = 0;
        for (CpuEvents g : groups.values()) {
            int listed = length < 0 ? -1 : hotplug.listed(length, g.cpu);
            boolean stopped = listed == 0;
            if (!stopped && (readTimes || listed < 0)) {
                long t = g.readTimeEnabled(readBuf);
                stopped = t < 0 || (g.timeEnabled >= 0 && t == g.timeEnabled);
                g.timeEnabled = t;
            }
            if (stopped) {
                if (dead == null) {
                    dead = new int[groups.size()];
                }
                dead[n++] = g.cpu;
            }
        }
        if (dead == null) {
            return NO_CPUS;
        }
        int[] out = Arrays.copyOf(dead, n);
        Arrays.sort(out);
        return out;
    }

    @Override
    public boolean notifiesHotplug() {
        return hotplug != null && hotplug.notifies();
    }

    /**
     * The watched CPUs that are online but not armed: offline at open, or disarmed since. Reads the online
     * mask only when some watched CPU is not armed.
     *
     * @return the CPUs to {@link #arm}, ascending
     */
    @Override
    public int[] unarmedOnlineCpus() {
        if (groups.size() >= cpus.length) {
            return NO_CPUS; // every watched CPU is armed
        }
        int length = hotplug.readOnline();
        int[] online = length < 0 ? Cpus.online() : null;
        int[] out = new int[cpus.length];
        int n = 0;
        for (int cpu : cpus) {
            boolean up = online != null ? Arrays.binarySearch(online, cpu) >= 0 : hotplug.listed(length, cpu) == 1;
            if (up && !groups.containsKey(cpu)) {
                out[n++] = cpu;
            }
        }
        return n == 0 ? NO_CPUS : Arrays.copyOf(out, n);
    }

    /**
     * Closes one CPU's events and unmaps its ring. Drain the ring first: what it still holds is lost otherwise.
     *
     * @param cpu    an armed CPU
     * @param errors told about a mapping that could not be unmapped
     * @return the kernel's count of samples lost on that CPU since it was armed (see {@link #kernelLost}), read
     *         before closing
     */
    @Override
    public long disarm(int cpu, Consumer<Throwable> errors) {
        CpuEvents g = groups.remove(cpu);
        if (g == null) {
            return 0;
        }
        long lost = lostOf(g, errors);
        g.close(errors);
        return lost;
    }

    /**
     * Opens and enables one CPU's events and ring again (filters included), as at open.
     *
     * @param cpu a watched CPU
     * @return its new ring, or null when it is offline again
     * @throws TracepointException when a call fails
     */
    @Override
    public PerfRing arm(int cpu) throws TracepointException {
        if (groups.containsKey(cpu)) {
            return groups.get(cpu).ring;
        }
        if (!openCpu(cpu)) {
            return null;
        }
        CpuEvents g = groups.get(cpu);
        if (spec.scope().kind() == Scope.Kind.PROCESS) {
            try {
                ProcessCoverage.cover(spec.scope().id(), opener, List.of(g), false);
            } catch (TracepointException | RuntimeException | Error e) {
                groups.remove(cpu);
                g.close(x -> { });
                throw e;
            }
        }
        if (enabled) {
            g.enable();
        }
        return g.ring;
    }

    private static final int[] NO_CPUS = new int[0];

    private long lostOf(CpuEvents g, Consumer<Throwable> errors) {
        return opener.readLost() ? g.lost(readBuf, errors) : 0;
    }

    private java.util.Set<Integer> onlineSet() {
        java.util.Set<Integer> set = new java.util.HashSet<>();
        for (int c : Cpus.online()) {
            set.add(c);
        }
        return set;
    }

    /**
     * The kernel's own count of samples it could not write, per armed CPU ({@code read_format = PERF_FORMAT_LOST},
     * Linux 6.0+), summed over the CPU's events; empty when the kernel has no such counter.
     *
     * @param errors told about a counter that could not be read
     * @return lost samples by CPU
     */
    public Map<Integer, Long> kernelLost(Consumer<Throwable> errors) {
        Map<Integer, Long> lost = new LinkedHashMap<>();
        if (!opener.readLost()) {
            return lost;
        }
        for (CpuEvents g : groups.values()) {
            lost.put(g.cpu, lostOf(g, errors));
        }
        return lost;
    }

    /** @return the rings of the armed CPUs, in CPU order; none in overwrite mode */
    public PerfRing[] rings() {
        return groups.values().stream().map(g -> g.ring).filter(Objects::nonNull).toArray(PerfRing[]::new);
    }

    /** @return overwrite mode: the rings of the armed CPUs, in CPU order; else none */
    public BackwardRing[] backwardRings() {
        return groups.values().stream().map(g -> g.backward).filter(Objects::nonNull).toArray(BackwardRing[]::new);
    }

    /**
     * Overwrite mode: pauses or resumes the kernel's output into one ring ({@code PERF_EVENT_IOC_PAUSE_OUTPUT}
     * on the event that owns it; the CPU's other events write to the same ring).
     *
     * @param ring   the ring's index in {@link #backwardRings()}
     * @param paused true to pause, false to resume
     * @throws TracepointException naming the CPU and errno when the kernel refuses
     */
    public void pauseOutput(int ring, boolean paused) throws TracepointException {
        CpuEvents g = groups.values().stream().filter(x -> x.backward != null).skip(ring).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no overwrite-mode ring " + ring));
        g.pauseOutput(paused);
    }

    /**
     * Returns once every record the kernel began writing before the rings were paused is written and
     * published. The kernel writes a record inside one RCU read-side critical section, from its check of the
     * ring's paused flag to the store of {@code data_head} ({@code __perf_output_begin} to
     * {@code perf_output_end}); {@code membarrier(MEMBARRIER_CMD_GLOBAL)} is {@code synchronize_rcu()}, so
     * after it no write that missed the pause is still under way, and the ring holds still. Where the kernel
     * refuses it ({@code nohz_full}: EINVAL; before 4.3: ENOSYS) this sleeps 1 ms instead: thousands of
     * times what writing a record takes, but not a guarantee.
     */
    public void quiesce() {
        if (!membarrierRefused) {
            try {
                Libc.membarrier(Libc.MEMBARRIER_CMD_GLOBAL);
                return;
            } catch (SyscallException e) {
                membarrierRefused = true;
            }
        }
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the CPUs the session watches (some may be offline: see {@link #armedCpus()}) */
    public int[] cpus() {
        return cpus.clone();
    }

    /** @return the CPUs whose events are open now, ascending */
    public int[] armedCpus() {
        return groups.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** @return the largest CPU number the session may arm */
    public int maxCpu() {
        int max = 0;
        for (int c : cpus) {
            max = Math.max(max, c);
        }
        return max;
    }

    /** Releases every fd and mapping; idempotent. Failures to unmap are logged through the system logger. */
    @Override
    public void close() {
        release(t -> System.getLogger("dev.tracepoint").log(System.Logger.Level.WARNING, "closing perf session: " + t, t));
    }

    /**
     * Releases every fd and mapping; idempotent.
     *
     * @param errors told about a mapping that could not be unmapped
     */
    public void release(Consumer<Throwable> errors) {
        if (closed) {
            return;
        }
        closed = true;
        int wake = wakeFd;
        wakeFd = -1;
        for (CpuEvents g : groups.values()) {
            g.close(errors);
        }
        groups.clear();
        SessionCalls.closeQuietly(epfd);
        SessionCalls.closeQuietly(wake);
        SessionCalls.closeQuietly(cgroupFd);
        if (hotplug != null) {
            hotplug.close();
        }
        epfd = -1;
        cgroupFd = -1;
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }

    private void epollAdd(int fd, long data) throws TracepointException {
        SessionCalls.call(() -> {
            Epoll.epollAdd(epfd, fd, Epoll.EPOLLIN, data);
            return 0;
        }, -1, null);
    }
}
