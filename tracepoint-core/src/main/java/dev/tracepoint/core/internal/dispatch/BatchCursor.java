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
 * when the batch began, one record per {@link #next()}, with the checks and the protocol of
 * {@link PerfRing#drain} (head read once with acquire, tail stored once with release when the listener
 * returns, a header read once into locals, resynchronisation on a bad size, wrapped records stitched in
 * the ring's scratch). Samples go through {@link Dispatcher#takeSample}, everything else through
 * {@link Dispatcher#onRecord}, so counts, lost and task records are as with event listeners.
 *
 * <p>{@link #next()} keeps the common case (a whole sample inside the data area) small enough for the JIT
 * to inline into the listener's loop; everything else is {@link #slowRecord}. Consumer thread only.
 */
public final class BatchCursor implements EventBatch {

    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final int HEADER_LENGTH = PerfEventHeaderDescriptor.LENGTH;
    private static final int ALIGN_MASK = PerfEventHeaderDescriptor.ALIGNMENT - 1;
    private static final boolean BIG_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN;

    private final Dispatcher dispatcher;
    private final EventView view;
    private PerfRing ring;
    private MemorySegment data;
    private long mask;
    private long capacity;
    private int cpu;
    private long head;
    private long tail;
    private int handled;
    private boolean active;

    /** @param dispatcher the stream's dispatcher: its view, its tracepoint table, its counters */
    public BatchCursor(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
        this.view = dispatcher.view();
    }

    /**
     * Hands the records of one ring to a batch listener, if it holds any, then stores the new
     * {@code data_tail}: up to the last record {@link #next()} returned, whether the listener returned or
     * threw. An exception of the listener goes to the dispatcher's error listener.
     *
     * @param r        the ring
     * @param listener the listener
     * @return the records consumed
     * @throws IllegalStateException if the ring is closed
     */
    public int run(PerfRing r, BatchListener listener) {
        if (r.isClosed()) {
            throw new IllegalStateException("ring closed: cpu=" + r.cpu());
        }
        long h = r.dataHeadAcquire();
        long start = r.dataTail();
        if (h == start) {
            return 0;
        }
        if (Long.compareUnsigned(h - start, r.capacity()) > 0) {
            r.dataTailRelease(h);
            dispatcher.onCorruption(r.cpu(), PerfRing.badHead(h, start), Math.max(0, h - start));
            return 0;
        }
        ring = r;
        data = r.data();
        capacity = r.capacity();
        mask = capacity - 1;
        cpu = r.cpu();
        head = h;
        tail = start;
        handled = 0;
        active = true;
        try {
            listener.onBatch(this);
        } catch (Exception e) {
            // as for event listeners: reported, and the stream goes on (Errors propagate)
            dispatcher.error(e);
        } finally {
            active = false;
            if (tail != start) {
                r.dataTailRelease(tail);
            }
        }
        return handled;
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
            if (offset <= capacity - HEADER_LENGTH) {
                // struct perf_event_header { u32 type; u16 misc; u16 size; } in one read, into locals
                final long header = data.get(I64, offset);
                final int type = BIG_ENDIAN ? (int) (header >>> 32) : (int) header;
                final int size = BIG_ENDIAN ? (int) header & 0xffff : (int) (header >>> 48);
                if (type == PerfRecordType.PERF_RECORD_SAMPLE && size >= HEADER_LENGTH && (size & ALIGN_MASK) == 0
                        && size <= h - t && offset + size <= capacity) {
                    tail = t += size;
                    handled++;
                    if (dispatcher.takeSample(cpu, data, offset, size)) {
                        return true;
                    }
                    continue;
                }
            }
            int r = slowRecord(t, offset);
            if (r > 0) {
                return true;
            }
            if (r < 0) {
                return false;
            }
            t = tail;
        }
        return false;
    }

    /**
     * One record that is not a whole sample inside the data area: a header or record that wraps the ring end,
     * another record type, or a bad size (which resynchronises to the head and ends the batch).
     *
     * @return 1 when the view is on a sample, 0 when the record was handled otherwise, -1 at the end
     */
    private int slowRecord(long t, long offset) {
        final long available = head - t;
        final int type;
        final int misc;
        final int size;
        if (offset <= capacity - HEADER_LENGTH) {
            long header = data.get(I64, offset);
            type = BIG_ENDIAN ? (int) (header >>> 32) : (int) header;
            misc = BIG_ENDIAN ? (int) (header >>> 16) & 0xffff : (int) (header >>> 32) & 0xffff;
            size = BIG_ENDIAN ? (int) header & 0xffff : (int) (header >>> 48);
        } else {
            MemorySegment s = ring.stitch(offset, HEADER_LENGTH);
            type = s.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            misc = Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 4));
            size = Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 6));
        }
        if (size < HEADER_LENGTH || (size & ALIGN_MASK) != 0 || size > capacity || size > available) {
            tail = head;
            dispatcher.onCorruption(cpu, ring.badSize(type, size, offset, available), available);
            return -1;
        }
        MemorySegment segment = data;
        long at = offset;
        if (offset + size > capacity) {
            segment = ring.stitch(offset, size);
            at = 0;
        }
        tail = t + size;
        handled++;
        if (type == PerfRecordType.PERF_RECORD_SAMPLE) {
            return dispatcher.takeSample(cpu, segment, at, size) ? 1 : 0;
        }
        dispatcher.onRecord(cpu, segment, at, type, misc, size);
        return 0;
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
