package dev.tracepoint.core;

import java.util.List;

/** The running kernel has no tracepoint of that name; the message names the closest ones it has. */
public final class UnknownTracepointException extends TracepointException {

    private static final long serialVersionUID = 1L;

    /** The closest existing tracepoint names, best first; an unmodifiable list. */
    private final List<String> suggestions;

    /**
     * Creates the exception for a tracepoint name the running kernel does not have.
     *
     * @param tracepoint  the name asked for
     * @param suggestions the closest existing names, best first
     * @param message     the full message
     */
    public UnknownTracepointException(String tracepoint, List<String> suggestions, String message) {
        super(message, null, 0, null, -1, tracepoint, null);
        this.suggestions = List.copyOf(suggestions);
    }

    /**
     * Names of tracepoints this kernel does have that are close to the one asked for, to offer as
     * corrections.
     *
     * @return the closest existing tracepoint names, best first; unmodifiable, possibly empty
     */
    public List<String> suggestions() {
        return suggestions;
    }
}
