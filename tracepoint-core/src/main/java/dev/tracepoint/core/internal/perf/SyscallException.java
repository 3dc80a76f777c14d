package dev.tracepoint.core.internal.perf;

/**
 * A system call (or C library wrapper) made through {@link PerfCalls}, {@link Epoll}, {@link EventFd} or
 * {@link Libc} returned -1. Carries the call's name and the {@code errno} it left, read through
 * {@code Linker.Option.captureCallState("errno")}.
 *
 * <p>The message reads {@code perf_event_open: EACCES (Permission denied)}; for an {@code ioctl} the request
 * is named in brackets: {@code ioctl(PERF_EVENT_IOC_SET_FILTER): EINVAL (Invalid argument)}. Callers higher
 * up add what they were doing (CPU, tracepoint) by wrapping this exception; they can branch on
 * {@link #errno()} against the constants in {@link Errno}.
 */
public final class SyscallException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final String detail;
    private final int errno;

    /**
     * @param syscall the function that failed, for instance {@code "perf_event_open"}
     * @param errno   the {@code errno} it set
     */
    public SyscallException(String syscall, int errno) {
        this(syscall, null, errno);
    }

    /**
     * @param syscall the function that failed, for instance {@code "ioctl"}
     * @param detail  what it was asked to do, for instance {@code "PERF_EVENT_IOC_SET_FILTER"}; may be null
     * @param errno   the {@code errno} it set
     */
    public SyscallException(String syscall, String detail, int errno) {
        super((detail == null ? syscall : syscall + "(" + detail + ")")
                + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.syscall = syscall;
        this.detail = detail;
        this.errno = errno;
    }

    /** @return the function that failed, for instance {@code "perf_event_open"} or {@code "ioctl"} */
    public String syscall() {
        return syscall;
    }

    /** @return what the call was asked to do (an ioctl request name, for instance), or null */
    public String detail() {
        return detail;
    }

    /** @return the {@code errno} value, for instance 13 */
    public int errno() {
        return errno;
    }

    /** @return the {@code errno} name, for instance {@code "EACCES"}; {@code "errno N"} when unknown */
    public String errnoName() {
        return Errno.name(errno);
    }
}
