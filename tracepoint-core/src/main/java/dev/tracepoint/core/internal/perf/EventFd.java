package dev.tracepoint.core.internal.perf;

import static dev.tracepoint.core.internal.perf.Downcalls.CALL_STATE;
import static dev.tracepoint.core.internal.perf.Downcalls.ERRNO_OPTION;
import static dev.tracepoint.core.internal.perf.Downcalls.downcall;
import static dev.tracepoint.core.internal.perf.Downcalls.errno;
import static dev.tracepoint.core.internal.perf.Downcalls.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.tracepoint.core.internal.perf.Downcalls.CallState;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * eventfd, as FFM downcalls linked through {@link Downcalls}: a descriptor another thread makes readable to
 * wake the thread blocked in {@link Epoll#epollWait} (the stream's {@code close()}). A C result of -1 becomes
 * a {@link SyscallException} carrying {@code errno}, except {@code EAGAIN} from the non-blocking descriptor.
 *
 * <p>Thread-safe; no call allocates native memory.
 */
public final class EventFd {

    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;

    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);

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
        int fd;
        try {
            fd = (int) EVENTFD.invokeExact(capture, 0, EFD_CLOEXEC | EFD_NONBLOCK);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd == -1) {
            throw new SyscallException("eventfd", errno(capture));
        }
        return fd;
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
        eventfdIo(WRITE, "write", fd, state);
    }

    /** One 8-byte {@code read} or {@code write} of an eventfd through the call state's buffer, retried on EINTR. */
    static void eventfdIo(MethodHandle io, String call, int fd, CallState state) {
        while (true) {
            long n;
            try {
                n = (long) io.invokeExact(state.capture(), fd, state.buffer(), (long) Long.BYTES);
            } catch (Throwable t) {
                throw rethrow(t);
            }
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
