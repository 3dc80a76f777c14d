package dev.tracepoint.core.internal.perf;

import static dev.tracepoint.core.internal.perf.Downcalls.CALL_STATE;
import static dev.tracepoint.core.internal.perf.Downcalls.X86_64;
import static dev.tracepoint.core.internal.perf.Downcalls.errno;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.tracepoint.core.internal.perf.Downcalls.CallState;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;

/**
 * epoll, through {@link Syscalls}: the stream waits on one epoll descriptor for its
 * perf event descriptors (readable at the wake-up threshold) and its eventfd ({@link EventFd}). A C result
 * of -1 becomes a {@link SyscallException} carrying {@code errno}, except {@code EINTR} from
 * {@link #epollWait}.
 *
 * <p>Thread-safe; no call allocates native memory.
 */
public final class Epoll {

    /** {@code EPOLLIN}. */
    public static final int EPOLLIN = 0x001;
    /** {@code EPOLLERR}. */
    public static final int EPOLLERR = 0x008;
    /** {@code EPOLLHUP}. */
    public static final int EPOLLHUP = 0x010;
    /**
     * {@code sizeof(struct epoll_event)}: {@code { u32 events; u64 data; }} is declared
     * {@code __attribute__((packed))} on x86_64 only (EPOLL_PACKED in uapi eventpoll.h), so 12 bytes there
     * with {@code data} at offset 4, and 16 bytes with {@code data} at offset 8 on aarch64.
     */
    public static final int EPOLL_EVENT_LENGTH = X86_64 ? 12 : 16;
    /** Offset of {@code epoll_event.data}: see {@link #EPOLL_EVENT_LENGTH}. */
    static final long EPOLL_EVENT_DATA_OFFSET = X86_64 ? 4 : 8;

    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;

    /** {@code sizeof(sigset_t)} as the kernel takes it, for {@code epoll_pwait}'s (null) signal mask. */
    private static final long SIGSET_SIZE = 8;

    private Epoll() {
    }

    /**
     * Wraps {@code epoll_create1(EPOLL_CLOEXEC)}.
     *
     * @return the epoll descriptor
     */
    public static int epollCreate() {
        MemorySegment capture = CALL_STATE.get().capture();
        long fd = Syscalls.call(capture, Syscalls.SYS_EPOLL_CREATE1, EPOLL_CLOEXEC, 0L, 0L);
        if (fd == -1) {
            throw new SyscallException("epoll_create1", errno(capture));
        }
        return (int) fd;
    }

    /**
     * Wraps {@code epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &(struct epoll_event){events, data})}. A perf event
     * fd becomes readable ({@link #EPOLLIN}) when its ring reaches the wake-up threshold, and reports
     * {@link #EPOLLHUP} when the monitored task exits.
     *
     * @param epfd   the epoll descriptor
     * @param fd     the descriptor to watch
     * @param events {@code EPOLL*} bits, usually {@link #EPOLLIN}
     * @param data   returned in {@code epoll_event.data} by {@link #epollWait} when {@code fd} is ready
     */
    public static void epollAdd(int epfd, int fd, int events, long data) {
        CallState state = CALL_STATE.get();
        MemorySegment event = state.buffer();
        event.set(JAVA_INT, 0, events);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA_OFFSET, data);
        long rc = Syscalls.call(state.capture(), Syscalls.SYS_EPOLL_CTL, epfd, EPOLL_CTL_ADD, fd, event.address(), 0L, 0L);
        if (rc == -1) {
            throw new SyscallException("epoll_ctl", "EPOLL_CTL_ADD", errno(state.capture()));
        }
    }

    /**
     * Wraps {@code epoll_wait(epfd, events, maxEvents, timeoutMs)}, as {@code epoll_pwait} with no signal mask.
     *
     * @param epfd      the epoll descriptor
     * @param events    room for {@code maxEvents} entries of {@link #EPOLL_EVENT_LENGTH} bytes
     * @param maxEvents the most events to return, at least 1
     * @param timeoutMs -1 to block, 0 to poll
     * @return the number of ready entries; 0 on timeout and on {@code EINTR} (a signal arrived: the caller
     *         re-checks its stop flag and waits again)
     */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMs) {
        if (maxEvents < 1 || events.byteSize() < (long) maxEvents * EPOLL_EVENT_LENGTH) {
            throw new IllegalArgumentException("maxEvents=" + maxEvents + " does not fit events byteSize="
                    + events.byteSize() + " (" + EPOLL_EVENT_LENGTH + " bytes each)");
        }
        MemorySegment capture = CALL_STATE.get().capture();
        long n = Syscalls.call(capture, Syscalls.SYS_EPOLL_PWAIT, epfd, events.address(), maxEvents, timeoutMs, 0L, SIGSET_SIZE);
        Reference.reachabilityFence(events);
        if (n == -1) {
            int errno = errno(capture);
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new SyscallException("epoll_wait", errno);
        }
        return (int) n;
    }

    /**
     * {@return the {@code data} of the {@code i}-th entry {@link #epollWait} filled in}
     *
     * @param events the entries
     * @param i      an index below the count {@link #epollWait} returned
     */
    public static long eventData(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * EPOLL_EVENT_LENGTH + EPOLL_EVENT_DATA_OFFSET);
    }
}
