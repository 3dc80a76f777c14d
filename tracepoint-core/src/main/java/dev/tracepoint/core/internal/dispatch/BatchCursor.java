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
 * when {@link #run} began, with the checks and the protocol of {@link PerfRing#drain} (head read once with
 * acquire, tail stored once with release when the listener is done, each header read once into locals,
 * resynchronisation on a bad size, wrapped records stitched in the ring's scratch).
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
    private static final int ALIGN_MASK = PerfEventHeaderDescriptor.ALIGNMENT - 1;
    /** The scratch segment's size ({@code header.size} is a {@code u16}): a stitched record is walked there. */
    private static final long SCRATCH_CAPACITY = 1 << 16;

    private final Dispatcher dispatcher;
    private final EventView view;
    // what next() walks: the ring's data area, or the scratch segment holding one stitched record
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
        if (r.isClosed()) {
            throw new IllegalStateException("ring closed: cpu=" + r.cpu());
        }
        final long h = r.dataHeadAcquire();
        final long start = r.dataTail();
        if (h == start) {
            return 0;
        }
        if (Long.compareUnsigned(h - start, r.capacity()) > 0) {
            r.dataTailRelease(h);
            dispatcher.onCorruption(r.cpu(), PerfRing.badHead(h, start), Math.max(0, h - start));
            return 0;
        }
        final MemorySegment ringData = r.data();
        final long ringCapacity = r.capacity();
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
                    final int type = PerfEventHeaderDescriptor.type(header);
                    final int size = PerfEventHeaderDescriptor.size(header);
                    // next()'s test, written out again on purpose: a helper shared by both would share one
                    // branch profile, and run() meets a special record at a batch start far more often than
                    // next() does within a batch (see WarmUp on what a frequent exit costs next()'s loop)
                    if (type == PerfRecordType.PERF_RECORD_SAMPLE && size >= HEADER_LENGTH && (size & ALIGN_MASK) == 0
                            && size <= h - t && offset + size <= ringCapacity) {
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
                t = special(r, listener, t, h);
                if (stop) {
                    break;
                }
            }
        } finally {
            if (t != start) {
                r.dataTailRelease(t);
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, dispatcher.samples() - samplesBefore + others);
    }

    /**
     * One record a batch over the ring does not cover: a bad size (resynchronises to the head), a sample that
     * wraps the ring end (a batch of its own, in the scratch segment where both pieces are stitched
     * together), or another record type (the dispatcher's path, as for event listeners). A method of its
     * own, too large for the JIT to inline into {@link #run}: what it speculates on (the lengths of the
     * pieces of a wrapped record) then costs a recompilation of this method alone, not of the whole
     * consumer path, if a real ring proves it wrong under load.
     *
     * @return the position after the record, or where to stop; {@link #stop} says whether to stop
     */
    private long special(PerfRing r, BatchListener listener, long t, long h) {
        final MemorySegment ringData = r.data();
        final long ringCapacity = r.capacity();
        final long offset = t & (ringCapacity - 1);
        final long available = h - t;
        final long header = r.header(offset);
        final int type = PerfEventHeaderDescriptor.type(header);
        final int misc = PerfEventHeaderDescriptor.misc(header);
        final int size = PerfEventHeaderDescriptor.size(header);
        if (size < HEADER_LENGTH || (size & ALIGN_MASK) != 0 || size > ringCapacity || size > available) {
            stop = true;
            dispatcher.onCorruption(cpu, r.badSize(type, size, offset, available), available);
            return h; // resynchronise: the next record the kernel writes starts at head
        }
        final boolean wraps = offset + size > ringCapacity;
        if (type == PerfRecordType.PERF_RECORD_SAMPLE) {
            // next() takes every whole sample inside the data area, so this one wraps
            data = r.stitch(offset, size);
            capacity = SCRATCH_CAPACITY;
            mask = SCRATCH_CAPACITY - 1;
            head = size;
            tail = 0;
            boolean reachedEnd = deliver(listener);
            if (tail == 0) { // the listener did not take it: it stays in the ring
                stop = true;
                return t;
            }
            stop = !reachedEnd;
            return t + size;
        }
        // LOST, COMM, FORK, EXIT, THROTTLE...
        MemorySegment segment = ringData;
        long at = offset;
        if (wraps) {
            segment = r.stitch(offset, size);
            at = 0;
        }
        others++;
        dispatcher.onRecord(cpu, segment, at, type, misc, size);
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
            // struct perf_event_header { u32 type; u16 misc; u16 size; } in one read, into locals
            final long header = data.get(I64, offset);
            final int type = PerfEventHeaderDescriptor.type(header);
            final int size = PerfEventHeaderDescriptor.size(header);
            if (type != PerfRecordType.PERF_RECORD_SAMPLE || size < HEADER_LENGTH || (size & ALIGN_MASK) != 0
                    || size > h - t || offset + size > capacity) {
                break; // run() handles it
            }
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
