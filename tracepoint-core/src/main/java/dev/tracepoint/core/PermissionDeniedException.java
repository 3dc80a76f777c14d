package dev.tracepoint.core;

/**
 * The kernel refused access (EACCES/EPERM): to tracefs, or to {@code perf_event_open}. The message says what
 * was refused, the value of {@code /proc/sys/kernel/perf_event_paranoid}, and how to get the right: run as
 * root, or grant {@code CAP_PERFMON} (Linux 5.8+) and read access to tracefs.
 */
public final class PermissionDeniedException extends TracepointException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for an access the kernel refused, with the failed call's details.
     *
     * @param message    what was refused and how to fix it
     * @param syscall    the call, or {@code null}
     * @param errno      the errno
     * @param errnoName  its name
     * @param cpu        the CPU, or -1
     * @param tracepoint the tracepoint, or {@code null}
     */
    public PermissionDeniedException(String message, String syscall, int errno, String errnoName, int cpu, String tracepoint) {
        super(message, syscall, errno, errnoName, cpu, tracepoint, null);
    }
}
