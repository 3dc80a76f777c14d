package dev.tracepoint.core;

/**
 * A tracepoint could not be set up or read: the checked exception family of this library. When a system call
 * failed, it carries the call, the errno and its name, the CPU and the tracepoint, and the message reads like
 * {@code "perf_event_open for signal:signal_generate on CPU 3: EACCES (Permission denied)"}.
 *
 * <p>Subtypes: {@link PermissionDeniedException}, {@link UnknownTracepointException},
 * {@link TracefsUnavailableException}, {@link InvalidFilterException}, and
 * {@link dev.tracepoint.core.format.FormatException} for format files.
 */
public class TracepointException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final int errno;
    private final String errnoName;
    private final int cpu;
    private final String tracepoint;

    /** @param message what failed and why */
    public TracepointException(String message) {
        this(message, null, 0, null, -1, null, null);
    }

    /**
     * @param message what failed and why
     * @param cause   the underlying failure
     */
    public TracepointException(String message, Throwable cause) {
        this(message, null, 0, null, -1, null, cause);
    }

    /**
     * @param message    what failed and why
     * @param syscall    the system call that failed, or {@code null}
     * @param errno      its errno, 0 if none
     * @param errnoName  the errno's name ({@code "EACCES"}), or {@code null}
     * @param cpu        the CPU, or -1
     * @param tracepoint the tracepoint ({@code system:name}), or {@code null}
     * @param cause      the underlying failure, or {@code null}
     */
    public TracepointException(String message, String syscall, int errno, String errnoName, int cpu,
                               String tracepoint, Throwable cause) {
        super(message, cause);
        this.syscall = syscall;
        this.errno = errno;
        this.errnoName = errnoName;
        this.cpu = cpu;
        this.tracepoint = tracepoint;
    }

    /** @return the system call that failed ({@code "perf_event_open"}), or {@code null} */
    public String syscall() {
        return syscall;
    }

    /** @return the errno of the failed call, 0 when there was none */
    public int errno() {
        return errno;
    }

    /** @return the errno's name ({@code "EACCES"}), or {@code null} */
    public String errnoName() {
        return errnoName;
    }

    /** @return the CPU the failure concerns, or -1 */
    public int cpu() {
        return cpu;
    }

    /** @return the tracepoint the failure concerns, or {@code null} */
    public String tracepoint() {
        return tracepoint;
    }
}
