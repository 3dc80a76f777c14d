package dev.tracepoint.core.internal.perf;

import static dev.tracepoint.core.internal.perf.Downcalls.CALL_STATE;
import static dev.tracepoint.core.internal.perf.Downcalls.errno;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.tracepoint.core.internal.perf.Downcalls.CallState;
import java.lang.foreign.MemorySegment;

/**
 * eventfd, through {@link Syscalls}: a descriptor another thread makes readable to
 * wake the thread blocked in {@link Epoll#epollWait} (the stream's {@code close()}). A C result of -1 becomes
 * a {@link SyscallException} carrying {@code errno}, except {@code EAGAIN} from the non-blocking descriptor.
 *
 * <p>Thread-safe; no call allocates native memory.
 */
public final class EventFd {

    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;


    private EventFd() {
    }

    /**
     * Wraps {@code eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)}: a descriptor another thread can make readable,
     * to wake a thread blocked in {@link Epoll#epollWait} (used by {@code close()}).
     *
     * @return the eventfd
     */
    public static int eventfd() {
        MemorySegment capture = CALL_STATE.get().capture();
        long fd = Syscalls.call(capture, Syscalls.SYS_EVENTFD2, 0L, EFD_CLOEXEC | EFD_NONBLOCK, 0L);
        if (fd == -1) {
            throw new SyscallException("eventfd", errno(capture));
        }
        return (int) fd;
    }

    /**
     * Wraps {@code write(fd, &(uint64_t){1}, 8)}: adds 1 to the eventfd counter, making it readable.
     * {@code EAGAIN} (counter at its maximum) is ignored: the descriptor is readable already.
     *
     * @param fd an eventfd
     */
    public static void eventfdSignal(int fd) {
        CallState state = CALL_STATE.get();
        state.buffer().set(JAVA_LONG, 0, 1L);
        eventfdIo(Syscalls.SYS_WRITE, "write", fd, state);
    }

    /**
     * Wraps {@code read(fd, &counter, 8)}: resets the counter, so that the eventfd is no longer readable.
     * {@code EAGAIN} (nothing signalled) is ignored.
     *
     * @param fd an eventfd
     */
    public static void eventfdDrain(int fd) {
        eventfdIo(Syscalls.SYS_READ, "read", fd, CALL_STATE.get());
    }

    /**
     * One 8-byte {@code read} or {@code write} of an eventfd through the call state's buffer, retried on EINTR.
     *
     * @param nr   {@link Syscalls#SYS_READ} or {@link Syscalls#SYS_WRITE}
     * @param call its name, for the exception
     * @param fd   the eventfd
     * @param state the calling thread's call state
     */
    static void eventfdIo(long nr, String call, int fd, CallState state) {
        while (true) {
            long n = Syscalls.call(state.capture(), nr, fd, state.buffer().address(), Long.BYTES);
            if (n >= 0) {
                return;
            }
            int errno = errno(state.capture());
            if (errno == Errno.EAGAIN) {
                return;
            }
            if (errno != Errno.EINTR) {
                throw new SyscallException(call, "eventfd", errno);
            }
        }
    }
}
