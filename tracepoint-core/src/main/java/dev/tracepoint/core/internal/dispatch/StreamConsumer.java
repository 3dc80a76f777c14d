package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.internal.ring.PerfRing;

import java.util.Map;
import java.util.function.Consumer;

/**
 * The consumer side of a stream: waits for records, drains every ring into the {@link Dispatcher} (or, for a
 * batch listener, through a {@link BatchCursor}), runs the flush actions after a pass that delivered
 * something, and publishes its counters for other threads.
 *
 * <p>The stream builds one over its real rings; the warm-up builds its own over the same (still disabled)
 * rings plus a synthetic ring, with its own dispatcher, so that the JIT compiles this class's methods before
 * the first real event without the stream's own state ever seeing a synthetic record.
 *
 * <p>Threading: every method but the {@code published*} readers is for one thread at a time (the stream's
 * consumer, or the thread in {@code poll}, under the stream's lock). The counters are plain fields of the
 * dispatcher on that thread; after each pass that changed them they are published with one volatile write, so
 * a reader on another thread sees the counts as of a whole pass, never a half-updated or a warm-up's.
 */
public final class StreamConsumer {

    /** How the consumer waits for records. */
    @FunctionalInterface
    public interface Waiter {
        /** @param timeoutMs the longest wait; 0 returns at once */
        void await(int timeoutMs);
    }

    private final PerfRing[] rings;
    private final Waiter waiter;
    private final Dispatcher dispatcher;
    /** Null when the stream delivers to event listeners. */
    private final BatchCursor cursor;
    private BatchListener batchListener;
    private final Runnable[] flushes;
    private final Consumer<Throwable> errors;
    private volatile Counts published = Counts.ZERO_COUNTS;

    /**
     * A snapshot of a consumer's counters.
     *
     * @param samples    samples delivered
     * @param lost       samples the kernel lost
     * @param corrupt    corrupted records and rings
     * @param lostPerCpu lost samples by CPU (do not modify)
     */
    public record Counts(long samples, long lost, long corrupt, long[] lostPerCpu) {
        /** No counts yet. */
        public static final Counts ZERO_COUNTS = new Counts(0, 0, 0, new long[0]);

        /**
         * @param cpu a CPU
         * @return the samples lost on it
         */
        public long lost(int cpu) {
            return cpu >= 0 && cpu < lostPerCpu.length ? lostPerCpu[cpu] : 0;
        }
    }

    /**
     * @param rings         the rings to drain, in order
     * @param waiter        how to wait for records
     * @param dispatcher    where records go
     * @param batchListener the batch listener, or null to deliver to the dispatcher's event listeners
     * @param flushes       run after each pass that delivered records
     * @param errors        told about a flush action's exception
     */
    public StreamConsumer(PerfRing[] rings, Waiter waiter, Dispatcher dispatcher, BatchListener batchListener,
                          Runnable[] flushes, Consumer<Throwable> errors) {
        this.rings = rings.clone();
        this.waiter = waiter;
        this.dispatcher = dispatcher;
        this.cursor = batchListener != null ? new BatchCursor(dispatcher) : null;
        this.batchListener = batchListener;
        this.flushes = flushes.clone();
        this.errors = errors;
    }

    /**
     * One wake-up of the consumer loop: wait until a ring passes its watermark (or the timeout), then drain
     * every ring. A method of its own so that the JIT compiles it: the stream's loop is entered once and never
     * returns, so its own loop body stays interpreted (its loop would need tens of thousands of wake-ups to be
     * compiled on stack). Measured before: 8-13% of the consumer thread's CPU was the interpreter, once per
     * wake-up. The warm-up compiles it before the events are enabled.
     *
     * @param timeoutMs the longest wait
     */
    public void pass(int timeoutMs) {
        waiter.await(timeoutMs);
        drainAll(Integer.MAX_VALUE);
    }

    /**
     * Drains every ring once, up to the head each had when its turn began.
     *
     * @param limit the most records to hand to event listeners (batches ignore it)
     * @return the records handled
     */
    public int drainAll(int limit) {
        int total = 0;
        PerfRing[] rs = rings;
        BatchCursor c = cursor;
        if (c != null && !dispatcher.overridden()) {
            // batches ignore the limit: poll(), the only caller with one, overrides the listener
            BatchListener b = batchListener;
            for (int i = 0; i < rs.length; i++) {
                total += c.run(rs[i], b);
            }
        } else {
            for (int i = 0; i < rs.length && total < limit; i++) {
                total += rs[i].drain(dispatcher, limit - total);
            }
        }
        if (total > 0) {
            for (Runnable r : flushes) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    errors.accept(e);
                }
            }
            publish();
        }
        return total;
    }

    /**
     * Pull mode: up to {@code limit} records to {@code listener} instead of the registered listeners, waiting
     * up to {@code timeoutMs} for the first.
     *
     * @param listener  the listener
     * @param limit     the most records
     * @param timeoutMs the longest wait when nothing is ready
     * @param closed    whether the stream was closed meanwhile (checked after the wait)
     * @return the records handled
     */
    public int poll(EventListener listener, int limit, int timeoutMs, java.util.function.BooleanSupplier closed) {
        dispatcher.override(listener);
        try {
            int n = drainAll(limit);
            if (n == 0 && timeoutMs > 0 && !closed.getAsBoolean()) {
                waiter.await(timeoutMs);
                n = closed.getAsBoolean() ? 0 : drainAll(limit);
            }
            return n;
        } finally {
            dispatcher.override(null);
        }
    }

    /**
     * The kernel announces lost samples with a {@code PERF_RECORD_LOST} written in front of the next sample
     * that fits: samples lost in a burst followed by silence are never announced. At the end, each event's own
     * lost counter tells how many the rings did not announce; they are reported like any other loss, so
     * delivered + lost is exact.
     *
     * @param kernelLost the kernel's lost counters by CPU (see {@code PerfSession.kernelLost})
     */
    public void reportUnannounced(Map<Integer, Long> kernelLost) {
        for (Map.Entry<Integer, Long> e : kernelLost.entrySet()) {
            long missing = e.getValue() - dispatcher.lost(e.getKey());
            if (missing > 0) {
                dispatcher.reportLost(e.getKey(), missing);
            }
        }
        publish();
    }

    /** Publishes the dispatcher's counters for {@link #published()}; consumer thread. */
    public void publish() {
        Dispatcher d = dispatcher;
        Counts p = published;
        if (p.samples() != d.samples() || p.lost() != d.lost() || p.corrupt() != d.corrupt()) {
            published = new Counts(d.samples(), d.lost(), d.corrupt(), d.lostPerCpu());
        }
    }

    /** @return the counters as of the last pass that changed them; any thread */
    public Counts published() {
        return published;
    }

    /** @param listener the batch listener the next passes hand batches to (the warm-up rotates its own) */
    void batchListener(BatchListener listener) {
        this.batchListener = listener;
    }

    /** @return the dispatcher */
    Dispatcher dispatcher() {
        return dispatcher;
    }
}
