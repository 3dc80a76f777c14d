package dev.tracepoint.core;

/**
 * Told about failures that do not stop the stream: a listener's exception, a sample that does not match its
 * layout, a corrupted ring that was resynchronised. The default logs them through {@link System.Logger}
 * (at most one line per second per kind).
 */
@FunctionalInterface
public interface ErrorListener {

    /**
     * Reports one failure the stream survived, on the thread that hit it (usually the consumer thread). A
     * {@link RuntimeException} thrown here is ignored: there is nowhere left to report it.
     *
     * @param error what went wrong; the stream goes on
     */
    void onError(Throwable error);
}
