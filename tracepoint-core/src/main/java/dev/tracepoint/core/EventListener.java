package dev.tracepoint.core;

import dev.tracepoint.core.decode.EventView;

/**
 * Receives the events of one tracepoint, on the stream's consumer thread (or the thread calling
 * {@link TracepointStream#poll}). The view is valid only during the call; see {@link EventView}.
 * An {@link Exception} thrown here goes to the stream's error listener and dispatch continues.
 */
@FunctionalInterface
public interface EventListener {

    /**
     * Handles one event. Copy what must outlive the call ({@link EventView#copy()}, or the values read).
     *
     * @param event the event, a flyweight valid only during this call
     */
    void onEvent(EventView event);
}
