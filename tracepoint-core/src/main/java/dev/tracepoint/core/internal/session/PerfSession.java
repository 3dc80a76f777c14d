package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.internal.perf.Cpus;
import dev.tracepoint.core.internal.perf.Epoll;
import dev.tracepoint.core.internal.perf.Errno;
import dev.tracepoint.core.internal.perf.EventFd;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.PerfCalls;
import dev.tracepoint.core.internal.perf.PerfEventAttr;
import dev.tracepoint.core.internal.perf.PerfEventAttrDescriptor;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.SyscallException;
import dev.tracepoint.core.internal.ring.BackwardRing;
import dev.tracepoint.core.internal.ring.PerfRing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The perf events of one stream and everything they hold: one {@code perf_event_open(PERF_TYPE_TRACEPOINT)}
 * event per tracepoint and CPU, opened disabled; one mmap'd ring per CPU that the CPU's other events write to
 * ({@code PERF_EVENT_IOC_SET_OUTPUT}); the filters; an epoll set over the rings plus an eventfd that
 * {@link #wake()} signals; and the arena of the epoll buffer.
 *
 * <p>With {@link Spec#overwrite()} the rings are overwrite-mode rings instead, for a flight recorder: every
 * event is opened with {@code write_backward}, each ring is mapped read-only ({@link BackwardRing}), no ring
 * is in the epoll set, and {@link #pauseOutput} and {@link #quiesce} serve a snapshot.
 *
 * <p>{@link #open} either returns a session that owns all of it or throws having released everything it had
 * opened (cilium's {@code closeOnError}). {@link #close()} releases every fd and mapping, once. CPUs that go
 * offline while opening ({@code ENODEV} on a CPU's first event) are skipped.
 *
 * <p>Threading: {@link #open}, {@link #enable()}, {@link #disable()}, {@link #await}, {@link #pauseOutput},
 * {@link #quiesce} and {@link #close()} are for the stream's owner thread, its consumer or a snapshot's
 * thread, one at a time (the stream's lock); {@link #wake()} may be called from any thread until
 * {@link #close()}.
 */
public final class PerfSession implements AutoCloseable {

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
     * @param pid          only this task and its children (inherit), or -1
     * @param cgroup       only tasks of this cgroup, or null
     * @param taskRecords  whether each CPU's first event also asks for COMM, FORK and EXIT records
     * @param overwrite    whether the rings are overwrite-mode rings for a flight recorder (the wakeup
     *                     settings are then ignored)
     */
    public record Spec(List<Target> targets, int[] cpus, int ringPages, int wakeupEvents, int wakeupBytes,
                       int pid, Path cgroup, boolean taskRecords, boolean overwrite) {
        /** Copies the lists. */
        public Spec {
            targets = List.copyOf(targets);
            cpus = cpus == null ? null : cpus.clone();
        }

        /** A spec of forward rings, read as they fill. */
        public Spec(List<Target> targets, int[] cpus, int ringPages, int wakeupEvents, int wakeupBytes,
                    int pid, Path cgroup, boolean taskRecords) {
            this(targets, cpus, ringPages, wakeupEvents, wakeupBytes, pid, cgroup, taskRecords, false);
        }
    }

    /**
     * The classes a failure is reported with, loaded now: a failure may come from running out of file
     * descriptors (EMFILE), and loading a class from a directory then fails too (NoClassDefFoundError instead
     * of the message that names RLIMIT_NOFILE).
     */
    private static final Class<?>[] FAILURE_CLASSES = {SetupFailures.class, Errno.class, TracepointException.class,
            dev.tracepoint.core.PermissionDeniedException.class, dev.tracepoint.core.InvalidFilterException.class};

    private final Spec spec;
    private final List<Integer> fds = new ArrayList<>();
    private final List<Integer> fdCpus = new ArrayList<>();
    private final List<PerfRing> rings = new ArrayList<>();
    /** Overwrite mode: the rings, and the fd that owns each (the one mapped), in CPU order. */
    private final List<BackwardRing> backwardRings = new ArrayList<>();
    private final List<Integer> backwardFds = new ArrayList<>();
    /** Whether {@code membarrier(MEMBARRIER_CMD_GLOBAL)} was refused once (then {@link #quiesce} sleeps). */
    private static volatile boolean membarrierRefused;
    private final List<MemorySegment> mappings = new ArrayList<>();
    private final int[] cpus;
    private boolean readLost = true;
    private int epfd = -1;
    private volatile int wakeFd = -1;
    private Arena arena;
    private MemorySegment epollEvents;
    /** How many {@code struct epoll_event} {@link #epollEvents} holds: one per CPU ring and one for the eventfd. */
    private int epollCapacity;
    private boolean closed;

    private PerfSession(Spec spec) {
        this.spec = spec;
        this.cpus = spec.cpus() != null ? spec.cpus() : Cpus.online();
    }

    /**
     * Opens every event, ring and filter of {@code spec}, disabled.
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
        int pageSize = Libc.pageSize();
        arena = Arena.ofShared();
        epfd = (int) call(Epoll::epollCreate, -1, null);
        wakeFd = (int) call(EventFd::eventfd, -1, null);
        epollAdd(wakeFd, -1L);
        epollCapacity = cpus.length + 1;
        epollEvents = arena.allocate((long) Epoll.EPOLL_EVENT_LENGTH * epollCapacity, 8);
        long mapLength = (long) (1 + spec.ringPages()) * pageSize;
        int target = spec.pid();
        long openFlags = PerfEventAttrDescriptor.PERF_FLAG_FD_CLOEXEC;
        int cgroupFd = -1;
        if (spec.cgroup() != null) {
            try {
                cgroupFd = Libc.openReadOnly(spec.cgroup().toString());
            } catch (SyscallException e) {
                throw SetupFailures.cgroup(e, spec.cgroup());
            }
            target = cgroupFd;
            openFlags |= PerfEventAttrDescriptor.PERF_FLAG_PID_CGROUP;
        }
        try (Arena attrArena = Arena.ofConfined()) {
            MemorySegment attr = attrArena.allocate(PerfEventAttrDescriptor.LENGTH, 8);
            for (int cpu : cpus) {
                openCpu(cpu, mapLength, pageSize, attr, target, openFlags);
            }
        } finally {
            closeQuietly(cgroupFd); // the events keep their own reference to the cgroup
        }
        if (rings.isEmpty() && backwardRings.isEmpty()) {
            throw new TracepointException("no CPU could be opened (cpus=" + Arrays.toString(cpus) + ")");
        }
    }

    /** Opens every tracepoint on one CPU; the first event's fd gets the ring. Skips a CPU that went offline. */
    private void openCpu(int cpu, long mapLength, int pageSize, MemorySegment attr, int target, long openFlags)
            throws TracepointException {
        int leader = -1;
        List<Target> targets = spec.targets();
        for (int t = 0; t < targets.size(); t++) {
            Target tp = targets.get(t);
            attr.fill((byte) 0);
            attributes(tp, leader < 0, mapLength - pageSize).write(attr);
            int fd;
            try {
                fd = PerfCalls.perfEventOpen(attr, target, cpu, -1, openFlags);
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENODEV && leader < 0) {
                    return; // the CPU went offline since the list was read: skip it
                }
                if (e.errno() == Errno.EINVAL && readLost && fds.isEmpty()) {
                    // PERF_FORMAT_LOST is Linux 6.0+: without it, losses are known from LOST records only
                    readLost = false;
                    t--;
                    continue;
                }
                throw SetupFailures.translate(e, cpu, tp.name());
            }
            fds.add(fd);
            fdCpus.add(cpu);
            if (leader < 0) {
                leader = fd;
                MemorySegment mapping;
                try {
                    mapping = spec.overwrite() ? Libc.mmapReadOnly(mapLength, fd) : Libc.mmap(mapLength, fd);
                } catch (SyscallException e) {
                    throw SetupFailures.mmap(e, cpu, tp.name(), mapLength);
                }
                mappings.add(mapping);
                if (spec.overwrite()) {
                    backwardRings.add(new BackwardRing(cpu, mapping, pageSize)); // nobody waits for it: no epoll
                    backwardFds.add(fd);
                } else {
                    rings.add(new PerfRing(cpu, mapping, pageSize));
                    epollAdd(fd, cpu);
                }
            } else {
                final int ringFd = leader;
                call(() -> {
                    PerfCalls.setOutput(fd, ringFd);
                    return 0;
                }, cpu, tp.name());
            }
            if (tp.filter() != null) {
                try {
                    PerfCalls.setFilter(fd, tp.filter());
                } catch (SyscallException e) {
                    throw SetupFailures.filter(e, tp.name(), tp.filter(), tp.format());
                }
            }
        }
    }

    /**
     * The attributes of one event: disabled, CLOCK_MONOTONIC, the sample layout the dispatcher reads; in
     * overwrite mode {@code write_backward} (every event of a ring must have it), and a wakeup only once per
     * ring's worth of bytes, the rarest the kernel allows (nobody waits for it).
     */
    private PerfEventAttr attributes(Target tp, boolean firstOfCpu, long ringBytes) {
        long flags = PerfEventAttrDescriptor.FLAG_DISABLED | PerfEventAttrDescriptor.FLAG_USE_CLOCKID;
        if (spec.pid() >= 0) {
            flags |= PerfEventAttrDescriptor.FLAG_INHERIT;
        }
        if (firstOfCpu && spec.taskRecords()) {
            // the kernel's own task records, once per CPU: names of tasks that may exit before they are read
            flags |= PerfEventAttrDescriptor.FLAG_COMM | PerfEventAttrDescriptor.FLAG_TASK | PerfEventAttrDescriptor.FLAG_COMM_EXEC;
        }
        PerfEventAttr a = PerfEventAttr.tracepoint(tp.format().id())
                .sampleType(PerfSampleDescriptor.SAMPLE_TYPE)
                .readFormat(readLost ? PerfEventAttrDescriptor.PERF_FORMAT_LOST : 0)
                .clockid(Libc.CLOCK_MONOTONIC);
        if (spec.overwrite()) {
            flags |= PerfEventAttrDescriptor.FLAG_WRITE_BACKWARD;
            a.wakeupWatermark((int) Math.min(ringBytes, Integer.MAX_VALUE));
        } else if (spec.wakeupEvents() > 0) {
            a.wakeupEvents(spec.wakeupEvents());
        } else if (spec.wakeupBytes() > 0) {
            flags |= PerfEventAttrDescriptor.FLAG_WATERMARK;
            a.wakeupWatermark(spec.wakeupBytes());
        }
        return a.flags(flags);
    }

    /**
     * Enables every event: from here the kernel writes samples.
     *
     * @throws TracepointException when an ioctl fails
     */
    public void enable() throws TracepointException {
        for (int i = 0; i < fds.size(); i++) {
            final int fd = fds.get(i);
            final int cpu = fdCpus.get(i);
            call(() -> {
                PerfCalls.enable(fd);
                return 0;
            }, cpu, null);
        }
    }

    /** Disables every event (the kernel stops writing), ignoring failures: for the end of a stream. */
    public void disable() {
        for (int fd : fds) {
            try {
                PerfCalls.disable(fd);
            } catch (SyscallException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * Waits until a ring passes its wakeup watermark, {@link #wake()} is called, or the timeout passes.
     *
     * @param timeoutMs the longest wait; 0 returns at once
     */
    public void await(int timeoutMs) {
        Epoll.epollWait(epfd, epollEvents, epollCapacity, timeoutMs);
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

    /**
     * The kernel's own count of samples it could not write, per CPU ({@code read_format = PERF_FORMAT_LOST},
     * Linux 6.0+), summed over the CPU's events; empty when the kernel has no such counter.
     *
     * @param errors told about a counter that could not be read
     * @return lost samples by CPU
     */
    public Map<Integer, Long> kernelLost(Consumer<Throwable> errors) {
        Map<Integer, Long> lost = new LinkedHashMap<>();
        if (!readLost) {
            return lost;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(16, 8); // struct { u64 value; u64 lost; }
            for (int i = 0; i < fds.size(); i++) {
                try {
                    if (Libc.read(fds.get(i), buf, 16) == 16) {
                        lost.merge(fdCpus.get(i), buf.get(ValueLayout.JAVA_LONG, 8), Long::sum);
                    }
                } catch (SyscallException e) {
                    errors.accept(SetupFailures.translate(e, fdCpus.get(i), null));
                }
            }
        }
        return lost;
    }

    /** @return the rings, one per CPU that could be opened, in CPU order; none in overwrite mode */
    public PerfRing[] rings() {
        return rings.toArray(new PerfRing[0]);
    }

    /** @return overwrite mode: the rings, one per CPU that could be opened, in CPU order; else none */
    public BackwardRing[] backwardRings() {
        return backwardRings.toArray(new BackwardRing[0]);
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
        int fd = backwardFds.get(ring);
        try {
            PerfCalls.pauseOutput(fd, paused);
        } catch (SyscallException e) {
            throw SetupFailures.translate(e, backwardRings.get(ring).cpu(), null);
        }
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

    /** @return the CPUs asked for (some may have been skipped: see {@link #rings()}) */
    public int[] cpus() {
        return cpus.clone();
    }

    /** @return the largest CPU number that has a ring */
    public int maxCpu() {
        int max = 0;
        for (PerfRing r : rings) {
            max = Math.max(max, r.cpu());
        }
        for (BackwardRing r : backwardRings) {
            max = Math.max(max, r.cpu());
        }
        return max;
    }

    /** @return the number of perf event fds open */
    public int eventCount() {
        return fds.size();
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
        for (int fd : fds) {
            closeQuietly(fd);
        }
        fds.clear();
        fdCpus.clear();
        for (PerfRing r : rings) {
            r.close();
        }
        rings.clear();
        for (BackwardRing r : backwardRings) {
            r.close();
        }
        backwardRings.clear();
        backwardFds.clear();
        for (MemorySegment m : mappings) {
            try {
                Libc.munmap(m);
            } catch (SyscallException e) {
                errors.accept(e);
            }
        }
        mappings.clear();
        closeQuietly(epfd);
        closeQuietly(wake);
        epfd = -1;
        if (arena != null) {
            arena.close();
            arena = null;
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
            throw SetupFailures.translate(e, cpu, tracepoint);
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
}
