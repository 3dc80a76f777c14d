package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.internal.perf.Errno;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.PerfCalls;
import dev.tracepoint.core.internal.perf.PerfEventAttr;
import dev.tracepoint.core.internal.perf.PerfEventAttrDescriptor;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.SyscallException;
import dev.tracepoint.core.internal.ring.BackwardRing;
import dev.tracepoint.core.internal.ring.PerfRing;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * How a {@link PerfSession} opens one CPU's events into a {@link CpuEvents}: the {@code perf_event_attr} of
 * each event (disabled, CLOCK_MONOTONIC, the sample layout the dispatcher reads, task records, wakeups or
 * overwrite mode), the {@code perf_event_open} target (every task, a thread with {@code inherit}, or a cgroup),
 * the mapping of the CPU's ring and the redirection of the other events into it, and the filters. It owns the
 * session-wide choice of {@code PERF_FORMAT_LOST}: dropped once, on a kernel before 6.0 that refuses it, for
 * every event after. The attribute buffer is the session's; one thread at a time.
 *
 * <h2>Who owns a CPU's ring</h2>
 * Unscoped, the CPU's first tracepoint event (pid -1) owns it, as it always did. Scoped (a thread, a process or
 * a cgroup), a CPU-wide {@code PERF_COUNT_SW_DUMMY} event owns it, which samples nothing and belongs to no task:
 * the epoll set waits on it, its {@code time_enabled} runs while the CPU is online (a task's or a cgroup's
 * stops while the task sleeps or the cgroup is idle there, and the hotplug check would take the CPU for dead),
 * and it stays alive when the scoped tasks exit (a task event whose task exited polls as hung up, for ever). The
 * scoped events write into its ring ({@code PERF_EVENT_IOC_SET_OUTPUT}: same CPU, same clock, same direction).
 */
final class EventOpener {

    /** Where the session registers a forward ring's fd for wake-ups (its epoll set). */
    @FunctionalInterface
    interface RingWatch {
        void add(int fd, int cpu) throws TracepointException;
    }

    /** What opening a CPU's events for one target came to. */
    enum Outcome {
        /** Every tracepoint is open. */
        OPEN,
        /** The CPU is offline ({@code ENODEV} on its first event): nothing more was opened. */
        OFFLINE,
        /** The target task is gone ({@code ESRCH}). */
        GONE
    }

    private final PerfSession.Spec spec;
    private final MemorySegment attr;
    private final int pageSize;
    private final long mapLength;
    /** The cgroup's directory fd, or -1. */
    private final int cgroupFd;
    private boolean readLost = true;

    EventOpener(PerfSession.Spec spec, MemorySegment attr, int pageSize, long mapLength, int cgroupFd) {
        this.spec = spec;
        this.attr = attr;
        this.pageSize = pageSize;
        this.mapLength = mapLength;
        this.cgroupFd = cgroupFd;
    }

    /** @return whether the events count their lost samples ({@code PERF_FORMAT_LOST}, Linux 6.0+) */
    boolean readLost() {
        return readLost;
    }

    /**
     * Opens the CPU's ring and the events of the scope, except a process scope's threads
     * ({@link #openThread}). On failure what it opened stays in {@code g}, for the caller to close.
     *
     * @param g          the CPU's events, empty
     * @param noCpuArmed whether no CPU of the session is armed yet (only then may {@code PERF_FORMAT_LOST} be dropped)
     * @param atOpen     whether the stream opens (a thread scope's thread that exited is an error then; a CPU
     *                   armed later keeps its ring alone)
     * @param watch      where a forward ring is registered
     * @return false when the CPU is offline ({@code ENODEV} on its first event)
     * @throws TracepointException naming the call, errno, CPU and tracepoint; for a thread scope whose thread
     *                             exited while the stream opened, saying so
     */
    boolean open(CpuEvents g, boolean noCpuArmed, boolean atOpen, RingWatch watch) throws TracepointException {
        Scope scope = spec.scope();
        if (scope.kind() == Scope.Kind.ALL) {
            return openTargets(g, -1, 0, noCpuArmed, watch) != Outcome.OFFLINE;
        }
        if (!openOwner(g, noCpuArmed, watch)) {
            return false;
        }
        return switch (scope.kind()) {
            case CGROUP -> openTargets(g, cgroupFd, PerfEventAttrDescriptor.PERF_FLAG_PID_CGROUP, false, watch) != Outcome.OFFLINE;
            case THREAD -> {
                Outcome o = openTargets(g, scope.id(), 0, false, watch);
                if (o == Outcome.GONE && atOpen) {
                    throw new TracepointException(scope + " exited while the stream opened (perf_event_open: ESRCH)");
                }
                yield o != Outcome.OFFLINE;
            }
            default -> true; // a process: its threads by openThread
        };
    }

    /**
     * A process scope: opens every tracepoint for one of its threads on the CPU of {@code g}, with
     * {@code inherit}, into the CPU's ring.
     *
     * @param g   the CPU's events, its ring open
     * @param tid the thread
     * @return whether the thread's events are open; false when it is gone ({@code ESRCH})
     * @throws TracepointException when a call fails otherwise
     */
    boolean openThread(CpuEvents g, int tid) throws TracepointException {
        Outcome o = openTargets(g, tid, 0, false, null);
        if (o == Outcome.OFFLINE) {
            throw new TracepointException("CPU " + g.cpu + " went offline while the stream opened its events for thread " + tid);
        }
        if (o == Outcome.OPEN) {
            g.tids.add(tid);
        }
        return o == Outcome.OPEN;
    }

    /**
     * A scoped session's ring owner: a CPU-wide dummy event, disabled like the others, with the ring's wakeup
     * settings and direction, mapped; it is the CPU's first fd.
     */
    private boolean openOwner(CpuEvents g, boolean noCpuArmed, RingWatch watch) throws TracepointException {
        int fd;
        while (true) {
            attr.fill((byte) 0);
            PerfEventAttr a = new PerfEventAttr().type(PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE)
                    .config(PerfEventAttrDescriptor.PERF_COUNT_SW_DUMMY);
            ringAttributes(a, PerfEventAttrDescriptor.FLAG_DISABLED | PerfEventAttrDescriptor.FLAG_USE_CLOCKID).write(attr);
            try {
                fd = PerfCalls.perfEventOpen(attr, -1, g.cpu, -1, PerfEventAttrDescriptor.PERF_FLAG_FD_CLOEXEC);
                break;
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENODEV) {
                    return false;
                }
                if (e.errno() == Errno.EINVAL && readLost && noCpuArmed) {
                    readLost = false; // as for a tracepoint event: PERF_FORMAT_LOST is Linux 6.0+
                    continue;
                }
                throw SetupFailures.translate(e, g.cpu, null);
            }
        }
        g.fds.add(fd);
        g.ownerFds = 1;
        mapRing(g, fd, null, watch);
        return true;
    }

    /**
     * Opens every tracepoint for one {@code perf_event_open} target on the CPU of {@code g}: the first event
     * of an unscoped CPU with the ring, every other into it.
     */
    private Outcome openTargets(CpuEvents g, int target, long extraFlags, boolean noCpuArmed, RingWatch watch)
            throws TracepointException {
        int cpu = g.cpu;
        long openFlags = PerfEventAttrDescriptor.PERF_FLAG_FD_CLOEXEC | extraFlags;
        List<PerfSession.Target> targets = spec.targets();
        for (int t = 0; t < targets.size(); t++) {
            PerfSession.Target tp = targets.get(t);
            boolean first = g.fds.isEmpty();
            attr.fill((byte) 0);
            attributes(tp, t == 0).write(attr);
            int fd;
            try {
                fd = PerfCalls.perfEventOpen(attr, target, cpu, -1, openFlags);
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENODEV && first) {
                    return Outcome.OFFLINE; // the CPU is offline, or went offline since the list was read
                }
                if (e.errno() == Errno.EINVAL && readLost && noCpuArmed && first) {
                    // PERF_FORMAT_LOST is Linux 6.0+: without it, losses are known from LOST records only
                    readLost = false;
                    t--;
                    continue;
                }
                if (e.errno() == Errno.ESRCH && spec.scope().tasks()) {
                    return Outcome.GONE;
                }
                if (cgroupFd >= 0) {
                    TracepointException refused = ScopeTargets.cgroupRefused(e, spec.scope().cgroup(), cpu);
                    if (refused != null) {
                        throw refused;
                    }
                }
                throw SetupFailures.translate(e, cpu, tp.name());
            }
            g.fds.add(fd);
            if (first) {
                mapRing(g, fd, tp.name(), watch);
            } else {
                final int ringFd = g.ringFd();
                SessionCalls.call(() -> {
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
        return Outcome.OPEN;
    }

    /** Maps the ring of the event {@code fd} (the CPU's first), and registers a forward one. */
    private void mapRing(CpuEvents g, int fd, String tracepoint, RingWatch watch) throws TracepointException {
        try {
            g.mapping = spec.overwrite() ? Libc.mmapReadOnly(mapLength, fd) : Libc.mmap(mapLength, fd);
        } catch (SyscallException e) {
            throw SetupFailures.mmap(e, g.cpu, tracepoint, mapLength);
        }
        if (spec.overwrite()) {
            g.backward = new BackwardRing(g.cpu, g.mapping, pageSize); // nobody waits for it: no epoll
        } else {
            g.ring = new PerfRing(g.cpu, g.mapping, pageSize);
            watch.add(fd, g.cpu);
        }
    }

    /**
     * The attributes of one tracepoint event: disabled, CLOCK_MONOTONIC, the sample layout the dispatcher
     * reads, {@code inherit} for a thread or process scope, task records on the first event of each target.
     */
    private PerfEventAttr attributes(PerfSession.Target tp, boolean firstOfTarget) {
        long flags = PerfEventAttrDescriptor.FLAG_DISABLED | PerfEventAttrDescriptor.FLAG_USE_CLOCKID;
        if (spec.scope().tasks()) {
            flags |= PerfEventAttrDescriptor.FLAG_INHERIT;
        }
        if (firstOfTarget && spec.taskRecords()) {
            // the kernel's own task records, once per CPU and target (every task, a cgroup, or a thread and the
            // tasks it creates): names of tasks that may exit before they are read
            flags |= PerfEventAttrDescriptor.FLAG_COMM | PerfEventAttrDescriptor.FLAG_TASK | PerfEventAttrDescriptor.FLAG_COMM_EXEC;
        }
        if (spec.sampleIdAll()) {
            // every event of the ring: a LOST record carries the sample_id of the event that lost
            flags |= PerfEventAttrDescriptor.FLAG_SAMPLE_ID_ALL;
        }
        PerfEventAttr a = PerfEventAttr.tracepoint(tp.format().id()).sampleType(PerfSampleDescriptor.SAMPLE_TYPE);
        return ringAttributes(a, flags);
    }

    /**
     * What every event of a ring shares: the read format, the clock, and the direction and wakeups: in
     * overwrite mode {@code write_backward} (every event of a ring must have it), and a wakeup only once per
     * ring's worth of bytes, the rarest the kernel allows (nobody waits for it).
     */
    private PerfEventAttr ringAttributes(PerfEventAttr a, long flags) {
        a.readFormat(PerfEventAttrDescriptor.PERF_FORMAT_TOTAL_TIME_ENABLED
                        | (readLost ? PerfEventAttrDescriptor.PERF_FORMAT_LOST : 0))
                .clockid(Libc.CLOCK_MONOTONIC);
        if (spec.overwrite()) {
            flags |= PerfEventAttrDescriptor.FLAG_WRITE_BACKWARD;
            a.wakeupWatermark((int) Math.min(mapLength - pageSize, Integer.MAX_VALUE));
        } else if (spec.wakeupEvents() > 0) {
            a.wakeupEvents(spec.wakeupEvents());
        } else if (spec.wakeupBytes() > 0) {
            flags |= PerfEventAttrDescriptor.FLAG_WATERMARK;
            a.wakeupWatermark(spec.wakeupBytes());
        }
        return a.flags(flags);
    }
}
