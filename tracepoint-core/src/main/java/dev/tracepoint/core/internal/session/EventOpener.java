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
 * overwrite mode), the {@code perf_event_open} target (every task, a task with {@code inherit}, or a cgroup),
 * the mapping of the CPU's ring on its first event and the redirection of the others into it, and the
 * filters. It owns the session-wide choice of {@code PERF_FORMAT_LOST}: dropped once, on a kernel before 6.0
 * that refuses it, for every event after. The attribute buffer is the session's; one thread at a time.
 */
final class EventOpener {

    /** Where the session registers a forward ring's fd for wake-ups (its epoll set). */
    @FunctionalInterface
    interface RingWatch {
        void add(int fd, int cpu) throws TracepointException;
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
     * Opens every tracepoint on the CPU of {@code g}, the first event's fd with the ring. On failure what it
     * opened stays in {@code g}, for the caller to close.
     *
     * @param g          the CPU's events, empty
     * @param noCpuArmed whether no CPU of the session is armed yet (only then may {@code PERF_FORMAT_LOST} be dropped)
     * @param watch      where a forward ring is registered
     * @return false when the CPU is offline ({@code ENODEV} on its first event)
     */
    boolean open(CpuEvents g, boolean noCpuArmed, RingWatch watch) throws TracepointException {
        int cpu = g.cpu;
        int target = cgroupFd >= 0 ? cgroupFd : spec.pid();
        long openFlags = PerfEventAttrDescriptor.PERF_FLAG_FD_CLOEXEC | (cgroupFd >= 0 ? PerfEventAttrDescriptor.PERF_FLAG_PID_CGROUP : 0);
        List<PerfSession.Target> targets = spec.targets();
        for (int t = 0; t < targets.size(); t++) {
            PerfSession.Target tp = targets.get(t);
            boolean first = g.fds.isEmpty();
            attr.fill((byte) 0);
            attributes(tp, first, mapLength - pageSize).write(attr);
            int fd;
            try {
                fd = PerfCalls.perfEventOpen(attr, target, cpu, -1, openFlags);
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENODEV && first) {
                    return false; // the CPU is offline, or went offline since the list was read
                }
                if (e.errno() == Errno.EINVAL && readLost && noCpuArmed && first) {
                    // PERF_FORMAT_LOST is Linux 6.0+: without it, losses are known from LOST records only
                    readLost = false;
                    t--;
                    continue;
                }
                throw SetupFailures.translate(e, cpu, tp.name());
            }
            g.fds.add(fd);
            if (first) {
                try {
                    g.mapping = spec.overwrite() ? Libc.mmapReadOnly(mapLength, fd) : Libc.mmap(mapLength, fd);
                } catch (SyscallException e) {
                    throw SetupFailures.mmap(e, cpu, tp.name(), mapLength);
                }
                if (spec.overwrite()) {
                    g.backward = new BackwardRing(cpu, g.mapping, pageSize); // nobody waits for it: no epoll
                } else {
                    g.ring = new PerfRing(cpu, g.mapping, pageSize);
                    watch.add(fd, cpu);
                }
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
        return true;
    }

    /**
     * The attributes of one event: disabled, CLOCK_MONOTONIC, the sample layout the dispatcher reads; in
     * overwrite mode {@code write_backward} (every event of a ring must have it), and a wakeup only once per
     * ring's worth of bytes, the rarest the kernel allows (nobody waits for it).
     */
    private PerfEventAttr attributes(PerfSession.Target tp, boolean firstOfCpu, long ringBytes) {
        long flags = PerfEventAttrDescriptor.FLAG_DISABLED | PerfEventAttrDescriptor.FLAG_USE_CLOCKID;
        if (spec.pid() >= 0) {
            flags |= PerfEventAttrDescriptor.FLAG_INHERIT;
        }
        if (firstOfCpu && spec.taskRecords()) {
            // the kernel's own task records, once per CPU: names of tasks that may exit before they are read
            flags |= PerfEventAttrDescriptor.FLAG_COMM | PerfEventAttrDescriptor.FLAG_TASK | PerfEventAttrDescriptor.FLAG_COMM_EXEC;
        }
        if (spec.sampleIdAll()) {
            // every event of the ring: a LOST record carries the sample_id of the event that lost
            flags |= PerfEventAttrDescriptor.FLAG_SAMPLE_ID_ALL;
        }
        PerfEventAttr a = PerfEventAttr.tracepoint(tp.format().id())
                .sampleType(PerfSampleDescriptor.SAMPLE_TYPE)
                .readFormat(PerfEventAttrDescriptor.PERF_FORMAT_TOTAL_TIME_ENABLED
                        | (readLost ? PerfEventAttrDescriptor.PERF_FORMAT_LOST : 0))
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
}
