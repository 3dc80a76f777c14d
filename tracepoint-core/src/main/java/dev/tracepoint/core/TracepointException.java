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

    /** The system call that failed ({@code "perf_event_open"}), or {@code null}. */
    private final String syscall;
    /** The errno of the failed call, 0 when there was none. */
    private final int errno;
    /** The errno's symbolic name ({@code "EACCES"}), or {@code null}. */
    private final String errnoName;
    /** The CPU the failure concerns, or -1. */
    private final int cpu;
    /** The tracepoint the failure concerns ({@code system:name}), or {@code null}. */
    private final String tracepoint;

    /**
     * Creates an exception that concerns no particular system call, CPU or tracepoint.
     *
     * @param message what failed and why
     */
    public TracepointException(String message) {
        this(message, null, 0, null, -1, null, null);
    }

    /**
     * Creates an exception caused by another failure (an I/O error, say), concerning no particular system
     * call, CPU or tracepoint.
     *
     * @param message what failed and why
     * @param cause   the underlying failure
     */
    public TracepointException(String message, Throwable cause) {
        this(message, null, 0, null, -1, null, cause);
    }

    /**
     * Creates an exception for a failed system call, with the details callers can test instead of parsing
     * the message.
     *
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

    /**
     * The system call that failed, for a caller that handles one call's failure differently.
     *
     * @return the system call that failed ({@code "perf_event_open"}), or {@code null}
     */
    public String syscall() {
        return syscall;
    }

    /**
     * The errno the failed system call set, as the kernel numbers it on this architecture.
     *
     * @return the errno of the failed call, 0 when there was none
     */
    public int errno() {
        return errno;
    }

    /**
     * The symbolic name of {@link #errno()}, portable across architectures.
     *
     * @return the errno's name ({@code "EACCES"}), or {@code null}
     */
    public String errnoName() {
        return errnoName;
    }

    /**
     * The CPU the failure concerns: perf events and their rings are per CPU.
     *
     * @return the CPU the failure concerns, or -1
     */
    public int cpu() {
        return cpu;
    }

    /**
     * The tracepoint being opened, filtered or read when the failure happened.
     *
     * @return the tracepoint the failure concerns ({@code system:name}), or {@code null}
     */
    public String tracepoint() {
        return tracepoint;
    }
}
