package dev.tracepoint.core;

/**
 * Receives the events of a stream a ring at a time, and iterates them itself (see {@link EventBatch}): the
 * fastest way to consume a high event rate. Called on the stream's consumer thread for each ring that holds
 * records at a wake-up, once or, when a batch ends at a record the stream handles itself (a lost or task
 * record, a sample that wraps the end of the ring), again for the records after it. A
 * {@link RuntimeException} thrown here goes to the stream's error listener; the events returned by
 * {@link EventBatch#next()} before it count as consumed, the others stay in the ring.
 */
@FunctionalInterface
public interface BatchListener {

    /**
     * Consumes the events of one ring: call {@link EventBatch#next()} until it returns false, or stop early
     * and leave the rest in the ring for the next batch.
     *
     * @param batch the events of one ring, valid only during this call
     */
    void onBatch(EventBatch batch);

    /**
     * Optional: a fresh instance of this listener's class that the stream may feed made-up events before it
     * enables the real ones, so that your loop is already compiled when the first real burst arrives.
     *
     * <p>Why it exists: the JVM compiles code per class, from what it has seen run. The stream compiles its
     * own decoding path on synthetic records before enabling (see {@link TracepointStreamBuilder#warmUp}),
     * but it cannot run <em>your</em> loop without calling your code. Left cold, your {@code onBatch} runs in
     * the interpreter for the first few hundred thousand events, tens of times slower, and at a high rate the
     * ring fills meanwhile: events lost at attach. Returning a copy lets the stream run your class on
     * synthetic batches first. For a low event rate there is nothing to gain: keep the default.
     *
     * <p>What the copy receives, and so what it must tolerate: batches of samples of the stream's own
     * tracepoints, on CPU 0 (CPUs 0 and 1 for an {@link TracepointStreamBuilder#ordered ordered} stream),
     * pid and tid 0, whose fields are all zero except {@code common_type}, before the stream is enabled, on
     * the thread that opens the stream. It must be a new object of the same class
     * (the stream checks), and have no effect you would notice: no output, no shared counters; its own fields
     * are its own. This listener itself is never called with synthetic events.
     *
     * @return such a copy, or null (the default): the stream then calls this class only with real events
     */
    default BatchListener warmUpCopy() {
        return null;
    }
}
