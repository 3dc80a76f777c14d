package dev.tracepoint.signal.internal;

import java.util.ArrayList;
import java.util.Comparator;

/**
 * The signal monitor's time order across CPUs. The kernel keeps one ring per CPU and the stream drains them
 * one after the other, so the events of a drain pass arrive grouped by CPU, not by time. The monitor adds each
 * copy it will hand on ({@link #add}); at the end of the pass ({@link #flush}) they are sorted by time and
 * released in that order. An event that is not yet complete (its sender's task record sits in a ring not yet
 * read) may be held for one more pass, and the events after it wait with it, so the order holds.
 *
 * <p>A stand-in with a narrow seam: once the core's stream delivers the rings' events in time order, the
 * monitor hands its copies on where it now calls {@link #add}, keeps only the one-pass wait for late task
 * records, and this class goes. Nothing else of the monitor depends on it.
 *
 * <p>Not thread-safe: the consumer thread adds and flushes.
 *
 * @param <E> the events held
 */
public final class ReorderBuffer<E> {

    /**
     * What becomes of an event at the end of a pass; called in time order.
     *
     * @param <E> the events held
     */
    @FunctionalInterface
    public interface Release<E> {

        /**
         * @param event the event
         * @param ready whether it was complete when added (see {@link ReorderBuffer#add})
         * @param last  whether it must go now: the buffer is closing, the event waited a pass already, or the
         *              buffer is full
         * @return whether the event is done with (handed on or dropped); {@code false}, only allowed when not
         *         {@code last}, keeps it and every later event for the next pass
         */
        boolean release(E event, boolean ready, boolean last);
    }

    private static final Comparator<Entry<?>> BY_TIME = Comparator.comparingLong(e -> e.timeNanos);

    private static final class Entry<E> {
        final E event;
        final long timeNanos;
        final boolean ready;
        int passes;

        Entry(E event, long timeNanos, boolean ready) {
            this.event = event;
            this.timeNanos = timeNanos;
            this.ready = ready;
        }
    }

    private final ArrayList<Entry<E>> entries = new ArrayList<>();
    private final int maxHeld;

    /** @param maxHeld events held past this many wait no longer */
    public ReorderBuffer(int maxHeld) {
        if (maxHeld < 1) {
            throw new IllegalArgumentException("maxHeld=" + maxHeld);
        }
        this.maxHeld = maxHeld;
    }

    /**
     * Holds an event until the end of the pass.
     *
     * @param event     the event
     * @param timeNanos its time, the sort key
     * @param ready     whether it is complete: passed to {@link Release#release} as it is
     */
    public void add(E event, long timeNanos, boolean ready) {
        entries.add(new Entry<>(event, timeNanos, ready));
    }

    /** @return the events held */
    public int size() {
        return entries.size();
    }

    /**
     * At the end of a drain pass (and with {@code force} at close): releases the held events in time order,
     * up to the first one {@code release} keeps. An exception of {@code release} does not stop the others;
     * the first one is thrown at the end, its event counted as done.
     *
     * @param force   whether every event must go now
     * @param release what becomes of each event
     */
    public void flush(boolean force, Release<? super E> release) {
        int n = entries.size();
        if (n == 0) {
            return;
        }
        if (n > 1) {
            entries.sort(BY_TIME); // stable: events of one time keep the order they came in
        }
        boolean full = n >= maxHeld;
        int done = 0;
        RuntimeException failure = null;
        for (; done < n; done++) {
            Entry<E> e = entries.get(done);
            try {
                if (!release.release(e.event, e.ready, force || full || e.passes > 0)) {
                    break;
                }
            } catch (RuntimeException x) {
                // a callback failed: the others still get their events, the stream's error listener this
                failure = failure == null ? x : failure;
            }
        }
        entries.subList(0, done).clear();
        for (Entry<E> e : entries) {
            e.passes++;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
