package dev.tracepoint.core;

/**
 * Receives typed events (see {@link dev.tracepoint.core.decode.EventBinding}). The event object is a flyweight
 * reused for every event: valid only during the call.
 *
 * @param <T> the typed event interface
 */
@FunctionalInterface
public interface TypedListener<T> {

    /**
     * Handles one event of the bound tracepoint, on the stream's consumer thread. An exception thrown here
     * goes to the stream's error listener and dispatch continues.
     *
     * @param event the typed event, valid only during this call
     */
    void onEvent(T event);
}
