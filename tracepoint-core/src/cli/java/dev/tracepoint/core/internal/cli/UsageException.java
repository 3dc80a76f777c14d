package dev.tracepoint.core.internal.cli;

/** Bad command-line arguments: printed with the command's usage, exit status 2. */
public final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param message what was wrong with the arguments */
    public UsageException(String message) {
        super(message);
    }
}
