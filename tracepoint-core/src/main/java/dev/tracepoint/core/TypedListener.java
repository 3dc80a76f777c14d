package dev.tracepoint.core;

/**
 * Receives typed events (see {@link dev.tracepoint.core.decode.EventBinding}). The event object is a flyweight
 * reused for every event: valid only during the call.
 *
 * @param <T> the typed event interface
 */
@FunctionalInterface
public interface TypedListener<T> {

    /** @param event the typed event, valid only during this call */
    void onEvent(T event);
}
