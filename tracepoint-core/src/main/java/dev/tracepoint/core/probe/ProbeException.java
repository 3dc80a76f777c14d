package dev.tracepoint.core.probe;

import dev.tracepoint.core.TracepointException;

/**
 * A probe could not be defined: the kernel rejected its definition (the message then quotes the kernel's
 * {@code error_log} entry, the caret under the bad position), its binary or function could not be found, or
 * the kernel lacks the probe type.
 */
public final class ProbeException extends TracepointException {

    private static final long serialVersionUID = 1L;

    /** The kernel's {@code error_log} entry, or {@code null}. */
    private final String kernelError;

    /**
     * Creates an exception.
     *
     * @param message     what failed, with the kernel's explanation when there is one
     * @param kernelError the kernel's {@code error_log} entry, or {@code null}
     * @param cause       the underlying failure, or {@code null}
     */
    public ProbeException(String message, String kernelError, Throwable cause) {
        super(message, cause);
        this.kernelError = kernelError;
    }

    /** {@return the kernel's {@code error_log} entry for the rejected definition (error, command, caret), or {@code null}} */
    public String kernelError() {
        return kernelError;
    }
}
