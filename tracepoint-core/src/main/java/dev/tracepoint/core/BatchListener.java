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

    /** @param batch the events of one ring, valid only during this call */
    void onBatch(EventBatch batch);

    /**
     * A listener the stream may run on synthetic events before it enables the real ones, so that the JIT
     * has compiled this class's loop by the first real burst; otherwise it is compiled during the first
     * bursts, on the consumer's time. The copy must be of the same class, and have no effect outside
     * itself: it receives events of the stream's tracepoints whose fields are zero.
     *
     * @return such a copy, or null (the default): the stream then never calls this class before the real
     *         events
     */
    default BatchListener warmUpCopy() {
        return null;
    }
}
