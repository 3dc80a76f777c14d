package dev.tracepoint.core;

import dev.tracepoint.core.decode.EventView;

/**
 * Events of one ring, iterated by the {@link BatchListener}'s own loop:
 *
 * <pre>{@code
 * Field sig = stream.enable("signal:signal_generate").format().requireField("sig");
 * stream.onBatch(batch -> {
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
     * Moves to the next event of the batch. Samples of a tracepoint the stream did not open are skipped and
     * counted; lost and task records end the batch and go to the stream's lost and task listeners, as for
     * event listeners, before the listener gets the events after them.
     *
     * @return whether there is an event; false at the end of the batch
     * @throws IllegalStateException when called outside {@link BatchListener#onBatch}
     */
    boolean next();

    /**
     * The current event, as moved there by the last {@link #next()} that returned true.
     *
     * @return the view on the current event; the same object for every event of the stream
     */
    EventView view();

    /**
     * The CPU the events of this batch come from.
     *
     * @return the CPU whose ring this batch is; in an {@link TracepointStreamBuilder#ordered ordered} stream,
     *         whose batches run over the merged events of every CPU, the CPU of the current event
     */
    int cpu();
}
