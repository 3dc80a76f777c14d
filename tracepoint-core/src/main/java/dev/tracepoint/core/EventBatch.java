package dev.tracepoint.core;

import dev.tracepoint.core.decode.EventView;

/**
 * The events one ring holds at one wake-up, iterated by the {@link BatchListener}'s own loop:
 *
 * <pre>{@code
 * stream.enable("signal:signal_generate").onBatch(batch -> {
 *     while (batch.next()) {
 *         sum += batch.view().getLong(sig);
 *     }
 * });
 * }</pre>
 *
 * <p>The loop is in the listener's code, so the JIT compiles the walk over the ring, the decoding and the
 * listener's reads into one loop: no call per event. With {@link EventListener}s the stream calls each
 * listener once per event, and in a stream that call site has seen several listener classes.
 *
 * <p>A batch is valid only during {@link BatchListener#onBatch}: calling {@link #next()} after it returned
 * throws. Events the listener did not reach with {@link #next()} stay in the ring and come in the next
 * batch. The view moves with {@link #next()}; it is valid until the next call (see {@link EventView}).
 */
public interface EventBatch {

    /**
     * Moves to the next event of the batch. Records that are not samples of the stream's tracepoints (lost
     * records, task records) are handled on the way, as for event listeners: they go to the stream's lost and
     * task listeners.
     *
     * @return whether there is an event; false at the end of the batch
     * @throws IllegalStateException when called outside {@link BatchListener#onBatch}
     */
    boolean next();

    /** @return the view on the current event; the same object for every event of the stream */
    EventView view();

    /** @return the CPU whose ring this batch is */
    int cpu();
}
