package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventBatch;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.ring.PerfRing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The {@link EventBatch} of a stream: walks one ring from {@code data_tail} to the {@code data_head} read
 * when {@link #run} began, on the ring's own {@link PerfRing.Cursor}, so with the protocol and the checks of
 * {@link PerfRing#drain}: head read once with acquire ({@link PerfRing#begin}), each header read once into a
 * local and validated by the cursor ({@link PerfRing.Cursor#inPlace}, or {@link PerfRing.Cursor#settle} for
 * a record that wraps the ring end or has a bad size, which resynchronises), tail stored once with release
 * when the listener is done ({@link PerfRing.Cursor#commit}).
 *
 * <p>{@link #next()} handles only the common case, a whole sample inside the data area, and has no call
 * that the JIT cannot inline: compiled into the listener's loop, the loop then has no call at all, so the
 * loads that do not change from record to record (the cursor's fields, the segment's checks) are hoisted
 * out of it. Any other record ends the batch there; {@link #run} handles it (a lost or task record goes to
 * the dispatcher, a bad size resynchronises, a sample that wraps the ring end becomes a batch of its own
 * in the scratch segment) and calls the listener again for the records after it.
 *
 * <p>Consumer thread only.
 */
public final class BatchCursor implements EventBatch {

    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final int HEADER_LENGTH = PerfEventHeaderDescriptor.LENGTH;

    private final Dispatcher dispatcher;
    private final EventView view;
    // what next() walks: the ring's data area, or one record where the ring's cursor placed it
    private MemorySegment data;
    private long mask;
    private long capacity;
    private long head;
    private long tail;
    private int cpu;
    private boolean active;
    /** Set when next() returned false: the listener reached the end of the batch. */
    private boolean exhausted;
    /** Set by {@link #special} when the ring's turn ends there. */
    private boolean stop;
    /** Records of this turn that were not samples. */
    private int others;

    /** @param dispatcher the stream's dispatcher: its view, its tracepoint table, its counters */
    public BatchCursor(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
        this.view = dispatcher.view();
    }

    /**
     * Hands the records of one ring to a batch listener, if it holds any, in one or more batches, then stores
     * the new {@code data_tail}: up to the last record {@link #next()} returned, whether the listener returned
     * or threw. An exception of the listener goes to the dispatcher's error listener and ends the ring's turn.
     *
     * @param r        the ring
     * @param listener the listener
     * @return the records consumed: samples delivered, and records handled otherwise
     * @throws IllegalStateException if the ring is closed
     */
    public int run(PerfRing r, BatchListener listener) {
        // the acquire load of data_head, and a head that cannot be right reported and resynchronised
        final PerfRing.Cursor c = r.begin(dispatcher);
        final long h = c.head();
        final long start = c.start();
        if (h == start) {
            return 0;
        }
        final MemorySegment ringData = c.data();
        final long ringCapacity = c.capacity();
        final long samplesBefore = dispatcher.samples();
        others = 0;
        stop = false;
        long t = start;
        cpu = r.cpu();
        try {
            while (t != h) {
                final long offset = t & (ringCapacity - 1);
                if (offset <= ringCapacity - HEADER_LENGTH) {
                    final long header = ringData.get(I64, offset);
                    // next()'s test, written out again on purpose: a helper shared by both would share one
                    // branch profile, and run() meets a special record at a batch start far more often than
                    // next() does within a batch (see WarmUp on what a frequent exit costs next()'s loop).
                    // The type test is that part, so each has its own; the size and place checks are the
                    // ring's (Cursor.inPlace), whose branches fail only at a wrap or a corruption, rare in both.
                    if (PerfEventHeaderDescriptor.type(header) == PerfRecordType.PERF_RECORD_SAMPLE
                            && PerfRing.Cursor.inPlace(header, offset, h - t, ringCapacity)) {
                        // a batch over the ring from here, up to the head or the next record next() leaves to us
                        data = ringData;
                        capacity = ringCapacity;
                        mask = ringCapacity - 1;
                        head = h;
                        tail = t;
                        boolean reachedEnd = deliver(listener);
                        t = tail;
                        if (!reachedEnd) {
                            break;
                        }
                        continue;
                    }
                }
                t = special(c, listener, t);
                if (stop) {
                    break;
                }
            }
        } finally {
            // once, after the listener is done with every record it took (release: see Cursor.commit)
            c.commit(t);
        }
        return (int) Math.min(Integer.MAX_VALUE, dispatcher.samples() - samplesBefore + others);
    }

    /**
     * One record a batch over the ring does not cover, placed by the ring's cursor ({@link PerfRing.Cursor#settle}):
     * a bad size (reported; resynchronises to the head), a sample that wraps the ring end (a batch of its own,
     * in the scratch segment where the cursor stitched both pieces together), or another record type (the
     * dispatcher's path, as for event listeners). A method of its own, out of {@link #run}'s loop; the
     * stitching in it is the ring cursor's ({@link PerfRing.Cursor#settle}). When C2 has compiled either of
     * the two before {@link #run}, it does not inline it there (a callee already compiled to more than
     * {@code InlineSmallCode} is not), and what it speculates on (the lengths of the pieces of a wrapped
     * record) then costs a recompilation of that method alone, not of the whole consumer path, if a real
     * ring proves it wrong under load. Neither is larger than {@code FreqInlineSize} (325 bytecode bytes), so
     * this depends on the order C2 compiles them in ({@code -XX:+PrintInlining} shows both orders).
     *
     * @return the position after the record, or where to stop; {@link #stop} says whether to stop
     */
    private long special(PerfRing.Cursor c, BatchListener listener, long t) {
        if (!c.settle(t, dispatcher)) {
            stop = true;
            return c.head(); // resynchronised (the commit stores the head): the next record the kernel writes starts there
        }
        final MemorySegment segment = c.segment();
        final long at = c.offset();
        final long header = c.header();
        final int type = PerfEventHeaderDescriptor.type(header);
        final int size = PerfEventHeaderDescriptor.size(header);
        if (type == PerfRecordType.PERF_RECORD_SAMPLE) {
            // run() takes every whole sample inside the data area, so this one wraps and the cursor stitched it
            // in scratch: a batch of this one record, its positions the segment's offsets (a mask of all
            // ones: no wrap)
            data = segment;
            capacity = segment.byteSize();
            mask = -1L;
            head = at + size;
            tail = at;
            boolean reachedEnd = deliver(listener);
            if (tail == at) { // the listener did not take it: it stays in the ring
                stop = true;
                return t;
            }
            stop = !reachedEnd;
            return t + size;
        }
        // LOST, COMM, FORK, EXIT, THROTTLE...
        others++;
        dispatcher.onRecord(cpu, segment, at, type, PerfEventHeaderDescriptor.misc(header), size);
        return t + size;
    }

    /**
     * Calls the listener once on the batch set up in the fields.
     *
     * @return whether the listener went on until {@link #next()} returned false (it did not stop early or throw)
     */
    private boolean deliver(BatchListener listener) {
        exhausted = false;
        active = true;
        try {
            listener.onBatch(this);
        } catch (Exception e) {
            // as for event listeners: reported, and the stream goes on (Errors propagate)
            dispatcher.error(e);
            return false;
        } finally {
            active = false;
        }
        return exhausted;
    }

    @Override
    public boolean next() {
        if (!active) {
            throw inactive();
        }
        final long h = head;
        long t = tail;
        while (t != h) {
            final long offset = t & mask;
            if (offset > capacity - HEADER_LENGTH) {
                break;
            }
            // struct perf_event_header { u32 type; u16 misc; u16 size; } in one read, into a local; the type
            // test is next()'s own (see run()), the size and place checks the ring's
            final long header = data.get(I64, offset);
            if (PerfEventHeaderDescriptor.type(header) != PerfRecordType.PERF_RECORD_SAMPLE
                    || !PerfRing.Cursor.inPlace(header, offset, h - t, capacity)) {
                break; // run() handles it
            }
            final int size = PerfEventHeaderDescriptor.size(header);
            tail = t += size;
            if (dispatcher.takeSample(view, cpu, data, offset, size)) {
                return true;
            }
        }
        exhausted = true;
        return false;
    }

    private static IllegalStateException inactive() {
        return new IllegalStateException("EventBatch used outside BatchListener.onBatch: a batch is valid only during that call");
    }

    @Override
    public EventView view() {
        return view;
    }

    @Override
    public int cpu() {
        return cpu;
    }
}
