package dev.tracepoint.core;

/**
 * tracefs is not mounted, or not readable. The message says which, and the exact command that mounts it
 * ({@code mount -t tracefs nodev /sys/kernel/tracing}) or what permission is missing.
 */
public final class TracefsUnavailableException extends TracepointException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception when tracefs is not mounted or not readable, with no I/O error to chain.
     *
     * @param message what is missing and how to fix it
     */
    public TracefsUnavailableException(String message) {
        super(message);
    }

    /**
     * Creates the exception when reading tracefs failed with an I/O error.
     *
     * @param message what is missing and how to fix it
     * @param cause   the I/O failure
     */
    public TracefsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
