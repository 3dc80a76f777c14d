package dev.tracepoint.core.internal.perf;

import static dev.tracepoint.core.internal.perf.Downcalls.CALL_STATE;
import static dev.tracepoint.core.internal.perf.Downcalls.errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;

/**
 * {@code perf_event_open(2)} and the {@code PERF_EVENT_IOC_*} ioctls the library makes on a perf event
 * descriptor, through {@link Syscalls}. A C result of -1 becomes a
 * {@link SyscallException} carrying {@code errno}; an ioctl's exception names the request.
 *
 * <p>Thread-safe. No call except {@link #setFilter} allocates native memory.
 */
public final class PerfCalls {

    private PerfCalls() {
    }

    /**
     * Wraps {@code syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, flags)} (glibc has no wrapper).
     * All variadic arguments are passed as {@code long}, which is how glibc's {@code syscall} reads them.
     *
     * @param attr    a {@code struct perf_event_attr} (see {@link PerfEventAttr}); at least {@code attr.size}
     *                bytes long
     * @param pid     thread id to monitor, 0 for the calling thread, -1 for every task on {@code cpu}
     * @param cpu     CPU to monitor, or -1 for any CPU the thread runs on
     * @param groupFd group leader fd, or -1
     * @param flags   {@code PERF_FLAG_*}, usually {@link PerfEventAttrDescriptor#PERF_FLAG_FD_CLOEXEC}
     * @return the new file descriptor
     * @throws SyscallException for instance {@code EACCES}/{@code EPERM} (privileges), {@code ENOENT} or
     *                          {@code EINVAL} (bad tracepoint id), {@code ENODEV} (offline CPU),
     *                          {@code EMFILE}
     * @throws IllegalArgumentException if {@code attr} is shorter than its {@code size} member says
     */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        long declared = Integer.toUnsignedLong(
                attr.get(ValueLayout.JAVA_INT_UNALIGNED, PerfEventAttrDescriptor.SIZE_OFFSET));
        long needed = declared == 0 ? PerfEventAttrDescriptor.PERF_ATTR_SIZE_VER0 : declared;
        if (attr.byteSize() < needed) {
            // The kernel would read past the segment.
            throw new IllegalArgumentException("perf_event_attr segment byteSize=" + attr.byteSize()
                    + " is smaller than attr.size=" + declared);
        }
        MemorySegment capture = CALL_STATE.get().capture();
        long fd = Syscalls.call(capture, Syscalls.SYS_PERF_EVENT_OPEN, attr.address(), pid, cpu, groupFd, flags, 0L);
        Reference.reachabilityFence(attr);
        if (fd < 0) {
            throw new SyscallException("perf_event_open", errno(capture));
        }
        return (int) fd;
    }

    /**
     * Wraps {@code ioctl(fd, request, arg)} for requests whose argument is an integer (or unused).
     *
     * @param fd      the file descriptor
     * @param request the request, for instance {@link PerfEventAttrDescriptor#PERF_EVENT_IOC_ENABLE}
     * @param arg     the argument
     * @throws SyscallException on failure, naming the request
     */
    static void ioctl(int fd, long request, long arg) {
        MemorySegment capture = CALL_STATE.get().capture();
        long rc = Syscalls.call(capture, Syscalls.SYS_IOCTL, fd, request, arg);
        if (rc == -1) {
            throw new SyscallException("ioctl", PerfEventAttrDescriptor.ioctlName(request), errno(capture));
        }
    }

    /**
     * Wraps {@code ioctl(fd, request, arg)} for requests whose argument is a pointer.
     *
     * @param fd      the file descriptor
     * @param request the request, for instance {@link PerfEventAttrDescriptor#PERF_EVENT_IOC_SET_FILTER}
     * @param arg     the argument
     * @throws SyscallException on failure, naming the request
     */
    static void ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment capture = CALL_STATE.get().capture();
        long rc = Syscalls.call(capture, Syscalls.SYS_IOCTL, fd, request, arg.address());
        Reference.reachabilityFence(arg);
        if (rc == -1) {
            throw new SyscallException("ioctl", PerfEventAttrDescriptor.ioctlName(request), errno(capture));
        }
    }

    /**
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter)}: an ftrace filter expression over the
     * tracepoint's fields, applied in the kernel before a sample is written.
     *
     * @param fd     a tracepoint perf event
     * @param filter for instance {@code "sig == 10 && common_pid != 1"}
     * @throws SyscallException {@code EINVAL} for an expression the kernel rejects (unknown field, syntax)
     */
    public static void setFilter(int fd, String filter) {
        try (Arena arena = Arena.ofConfined()) {
            ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_SET_FILTER, arena.allocateFrom(filter));
        }
    }

    /**
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)}.
     *
     * @param fd a perf event
     */
    public static void enable(int fd) {
        ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_ENABLE, 0L);
    }

    /**
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_DISABLE, 0)}.
     *
     * @param fd a perf event
     */
    public static void disable(int fd) {
        ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_DISABLE, 0L);
    }

    /**
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, targetFd)}: {@code fd}'s records go to
     * {@code targetFd}'s ring. The kernel requires both on the same CPU (or both per-thread).
     *
     * @param fd       a perf event without a mapping of its own
     * @param targetFd the event whose ring is shared, or -1 to stop redirecting
     */
    public static void setOutput(int fd, int targetFd) {
        ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_SET_OUTPUT, (long) targetFd);
    }

    /**
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_PAUSE_OUTPUT, paused)}: while paused the kernel writes nothing
     * into the ring of {@code fd} (shared by every event redirected to it), and counts each record it drops in
     * the ring's lost counter (announced by a {@code PERF_RECORD_LOST} with the next record written after
     * resuming). A record whose writing began before the pause still completes.
     *
     * @param fd     the perf event that owns the ring (the one that was mapped)
     * @param paused true to pause, false to resume
     * @throws SyscallException {@code EINVAL} when the event has no ring
     */
    public static void pauseOutput(int fd, boolean paused) {
        ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_PAUSE_OUTPUT, paused ? 1L : 0L);
    }
}
