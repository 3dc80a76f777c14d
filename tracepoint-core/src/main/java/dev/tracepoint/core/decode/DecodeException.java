package dev.tracepoint.core.decode;

/**
 * A record's bytes disagree with its layout: a field or a {@code __data_loc} locator points outside the
 * sample, or a reader was used on a field of another kind. Thrown by {@link EventView} readers; when it
 * escapes a listener the stream reports it to the error listener and goes on with the next event.
 */
public final class DecodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for a record that does not fit its layout.
     *
     * @param message what was wrong, with the tracepoint, field and values
     */
    public DecodeException(String message) {
        super(message);
    }
}
