package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventBatch;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;
import dev.tracepoint.core.internal.ring.RecordHandler;
import dev.tracepoint.core.internal.dispatch.OrderedStaging.Lane;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.LongSupplier;

/**
 * Time order across CPUs: the drain stage of an ordered stream. Each CPU's ring is in time order on its own,
 * but a stream drains one ring after the other; this stage puts the records of all rings in one order by their
 * timestamps before the {@link Dispatcher} sees them.
 *
 * <h2>Staging</h2>
 * Each pass ({@link #pass}) first drains every ring completely through {@link PerfRing#drain}, copying each
 * record, with its time in front of it, into that CPU's <em>lane</em>: a FIFO in native memory. The kernel's
 * ring is released at once, so ordering never makes the kernel lose more than an unordered stream would. The
 * time is the sample's {@code time}, or for another record (COMM, FORK, EXIT, LOST, THROTTLE) the {@code time}
 * of the {@code struct sample_id} the kernel appends under {@code sample_id_all}. A record without a usable
 * time (too short, no trailer, or more than a second ahead of the clock: a corrupt value must not hold its
 * lane) is staged with the time of the record before it in its lane.
 *
 * <h2>Release</h2>
 * Then the lanes are merged by time (a binary heap of lanes keyed by their oldest record's time, ties by CPU)
 * and each record is handed to {@link Dispatcher#onRecord} where it lies in its lane (zero-copy, as from a
 * ring), up to the <em>watermark</em>: no ring can still publish a record older than it. For each ring that
 * the pass drained, a record it publishes later is no older than the newest one it published so far, nor
 * older than {@code now - lateness} ({@code now} is read before the rings are drained; {@code lateness} is how
 * late a record may be published after its time). So the watermark is the minimum over the drained rings of
 * {@code max(newest time seen in the ring, now - lateness)}: a busy ring holds the merge back only to its own
 * newest record, and a ring with nothing published holds it back by {@code lateness} at most, never stalls
 * it. Lanes whose ring is gone (a CPU went offline) hold nothing back; what they staged is still merged.
 *
 * <p>A record older than the last one delivered (it was published later than {@code lateness} allows, or the
 * kernel wrote it out of order within its own ring, as a tracepoint in an interrupt that arrives while the
 * interrupted task's record is being written can) is <em>late</em>: delivered anyway, when its turn in the
 * merge comes, with {@link EventView#late()} set, and counted ({@link #late()}).
 *
 * <h2>Memory</h2>
 * A lane holds {@code max(2 x ring data size, 128 KiB)} bytes of entries (8 bytes of time and the record),
 * plus 64 KiB so that an entry that runs past the end is still contiguous: per CPU, twice the ring's data
 * size plus 64 KiB (1 MiB + 64 KiB for the default 512 KiB ring), native, allocated when the CPU's ring is
 * first drained and freed by {@link #close()}; nothing per record on the heap. Twice the ring: a full ring,
 * drained in one pass, must fit beside what the lane holds back (each entry is 8 bytes longer than its
 * record; measured with lanes of one ring's size, a full ring of two busy CPUs overflowed its lane at every
 * pass). When a record does not fit its lane, the oldest records of all lanes are delivered
 * before their watermark, in order, until it fits with an eighth of the lane to spare; each of them is counted
 * <em>early</em> ({@link #early()}).
 * Only a batch listener that takes nothing then can keep a lane full: a sample that still does not fit is
 * counted lost, as the kernel counts a sample that does not fit its ring, and any other record is delivered
 * at once (counted early).
 *
 * <h2>Batch listeners</h2>
 * The merge is also an {@link EventBatch} over the merged sequence: {@link #next()} moves the dispatcher's
 * view to the next sample in time order across all lanes, and a batch ends at a record of another type (the
 * dispatcher handles it, then the listener gets the records after it), at the watermark, or where a lane
 * has room again. {@link #cpu()} is the current event's CPU. Records the listener does not reach stay staged.
 *
 * <p>The lanes, their memory and the heap are an {@link OrderedStaging}; this class is the policy over it:
 * the time each record is staged with, the watermark, making room, and delivery to events and batches.
 * Consumer thread only (the stream's consumer or the thread in {@code poll}).
 */
public final class OrderedMerge implements RecordHandler, EventBatch {

    private static final ValueLayout.OfLong I64 = OrderedStaging.I64;
    private static final ViewAccess.Views VIEWS = ViewAccess.get();
    private static final int SAMPLE = PerfRecordType.PERF_RECORD_SAMPLE;
    /** The time in front of each staged record. */
    private static final int KEY_LENGTH = OrderedStaging.KEY_LENGTH;
    /** The smallest lane: every record fits an empty lane. */
    static final long MIN_LANE = OrderedStaging.MIN_LANE;
    /** A record time further ahead of the pass's clock than this is not believed. */
    private static final long MAX_AHEAD_NANOS = 1_000_000_000L;
    private static final int TIME_END = PerfSampleDescriptor.TIME_OFFSET + Long.BYTES;

    /** The clock of the samples' times: CLOCK_MONOTONIC, as the stream opens its events ({@code use_clockid}). */
    public static final LongSupplier MONOTONIC = () -> Libc.clockGettimeNanos(Libc.CLOCK_MONOTONIC);

    private final Dispatcher dispatcher;
    private final EventView view;
    private final long lateness;
    private final LongSupplier clock;
    /** Added to the clock's readings: 0, but for the warm-up ({@link #clockShift}). */
    private long clockShift;
    private final int sampleIdLength;
    /** The lanes and their heap. */
    private final OrderedStaging staging = new OrderedStaging();
    /** The lane {@link #onRecord} stages into, during a drain. */
    private Lane filling;
    private BatchListener passBatch;
    private long passNow;
    /** The time of the last record delivered in order. */
    private long lastTime = Long.MIN_VALUE;
    private long delivered;
    private long late;
    private long early;
    private boolean closed;

    // the batch over the merged sequence, while a listener runs
    private long batchWatermark;
    /** While making room: the lane that needs it, and how much; null otherwise. */
    private Lane roomFor;
    private long roomNeed;
    private boolean active;
    private boolean exhausted;
    private int batchCpu = -1;

    /**
     * @param dispatcher     where records go, in time order
     * @param latenessNanos  how late after its time a record may be published and still be put in order;
     *                       positive
     * @param clock          the samples' clock, read once per pass ({@link #MONOTONIC}; tests give their own)
     * @param sampleIdLength bytes of {@code struct sample_id} at the end of records other than samples
     *                       ({@link PerfSideRecordDescriptor#SAMPLE_ID_LENGTH} with {@code sample_id_all}), or 0
     */
    public OrderedMerge(Dispatcher dispatcher, long latenessNanos, LongSupplier clock, int sampleIdLength) {
        if (latenessNanos <= 0) {
            throw new IllegalArgumentException("lateness=" + latenessNanos + "ns must be positive");
        }
        if (sampleIdLength < 0 || sampleIdLength % 8 != 0) {
            throw new IllegalArgumentException("sampleIdLength=" + sampleIdLength);
        }
        this.dispatcher = dispatcher;
        this.view = dispatcher.view();
        this.lateness = latenessNanos;
        this.clock = clock;
        this.sampleIdLength = sampleIdLength;
    }

    // ------------------------------------------------------------------------------------------ passes

    /**
     * One pass: reads the clock, stages every record of every ring, then delivers the staged records older
     * than the watermark in time order.
     *
     * @param rings the rings to drain; together, the CPUs that can still publish
     * @param limit the most records to deliver to event listeners (records delivered early to make room count)
     * @param batch the batch listener, or null to deliver to the dispatcher's event listeners
     * @return the records delivered
     */
    public int pass(PerfRing[] rings, int limit, BatchListener batch) {
        checkOpen();
        long before = delivered;
        long now = clock.getAsLong() + clockShift;
        passNow = now;
        passBatch = batch;
        try {
            for (PerfRing r : rings) {
                stage(r);
            }
            long floor = now - lateness;
            long watermark = Long.MAX_VALUE;
            for (PerfRing r : rings) {
                watermark = Math.min(watermark, Math.max(staging.lane(r).newest, floor));
            }
            long left = batch == null ? limit - (delivered - before) : Integer.MAX_VALUE;
            if (left > 0) {
                release(watermark, left, batch, null, 0);
            }
        } finally {
            passBatch = null;
        }
        return count(before);
    }

    /**
     * Stages every record of one ring without delivering any (unless its lane is full): the last drain of a
     * CPU going offline. Its lane then holds the merge back no more; its records are delivered by the next passes.
     *
     * @param ring the ring
     * @param batch the batch listener to deliver to if the lane is full, or null
     */
    public void stage(PerfRing ring, BatchListener batch) {
        checkOpen();
        passBatch = batch;
        try {
            stage(ring);
        } finally {
            passBatch = null;
        }
    }

    private void stage(PerfRing ring) {
        Lane l = staging.lane(ring);
        filling = l;
        try {
            ring.drain(this, Integer.MAX_VALUE);
        } finally {
            filling = null;
        }
    }

    /**
     * Delivers every staged record in time order, whatever the watermark: the end of a stream.
     *
     * @param batch the batch listener, or null for the event listeners
     * @return the records delivered
     */
    public int flush(BatchListener batch) {
        checkOpen();
        long before = delivered;
        release(Long.MAX_VALUE, Integer.MAX_VALUE, batch, null, 0);
        return count(before);
    }

    /**
     * Shifts the clock of the next passes. For the warm-up only: it runs the stream's own clock class through
     * {@link #pass} (a clock of a class of its own made the call site's type check fail at the first real pass,
     * measured: {@code class_check} deoptimization) and shifts it to hold or release its synthetic records.
     *
     * @param nanos added to every reading of the clock
     */
    void clockShift(long nanos) {
        this.clockShift = nanos;
    }

    /**
     * How long the consumer may sleep before a staged record is due: when {@code now - lateness} passes the
     * oldest staged record, every ring's bound has (see the class comment).
     *
     * @param maxMs the longest wait otherwise; 0 (do not wait) is returned as it is
     * @return {@code maxMs} when nothing is staged, else at least 1 and at most {@code maxMs}
     */
    public int waitMillis(int maxMs) {
        if (staging.isEmpty()) {
            return maxMs;
        }
        // min and max rather than tests of maxMs and of the record being due: the warm-up's passes never wait
        // (maxMs 0), and a branch they never took deoptimized the compiled pass at a live stream's first wait
        long ms = (staging.oldest().headTime - (passNow - lateness) + 999_999) / 1_000_000;
        return (int) Math.min(maxMs, Math.max(1, ms));
    }

    private int count(long before) {
        return (int) Math.min(Integer.MAX_VALUE, delivered - before);
    }

    // ----------------------------------------------------------------------------------------- staging

    /** A record of the ring being drained: staged in its lane. */
    @Override
    public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
        Lane l = filling;
        long t = timeOf(l, segment, offset, type, size);
        long need = KEY_LENGTH + size;
        if (l.free() < need && !makeRoom(l, need)) {
            unstaged(cpu, segment, offset, type, misc, size, t);
            return;
        }
        MemorySegment buf = l.buf;
        long at = l.head & l.mask;
        buf.set(I64, at, t);
        // the JDK's bulk copy: measured 3-4 ns per record faster here than a loop of 8-byte words
        // (OrderedBench), unlike in PerfRing's wrap copy, where its profile deoptimised on a new length
        MemorySegment.copy(segment, offset, buf, at + KEY_LENGTH, size);
        boolean wasEmpty = l.head == l.tail;
        l.head += need;
        if (t > l.newest) {
            l.newest = t;
        }
        if (wasEmpty) {
            l.headTime = t;
            staging.push(l);
        }
    }

    @Override
    public void onCorruption(int cpu, String problem, long skippedBytes) {
        dispatcher.onCorruption(cpu, problem, skippedBytes);
    }

    /**
     * The record's time: the sample's; a FORK's or EXIT's own {@code time} (the one its listener is given: the
     * trailer's is read later, when the record is written, and a sample between the two would look out of
     * order to the listener without being late to the merge); any other record's {@code sample_id} time; else
     * (or if not believable) its lane's newest.
     */
    private long timeOf(Lane l, MemorySegment segment, long offset, int type, int size) {
        long t;
        if (type == SAMPLE) {
            if (size < TIME_END) {
                return untimed(l);
            }
            t = segment.get(I64, offset + PerfSampleDescriptor.TIME_OFFSET);
        } else if ((type == PerfRecordType.PERF_RECORD_FORK || type == PerfRecordType.PERF_RECORD_EXIT)
                && size >= PerfSideRecordDescriptor.TASK_LENGTH) {
            t = segment.get(I64, offset + PerfSideRecordDescriptor.TASK_TIME_OFFSET);
        } else if (sampleIdLength > 0 && size >= PerfEventHeaderDescriptor.LENGTH + sampleIdLength) {
            t = segment.get(I64, offset + size - sampleIdLength + PerfSideRecordDescriptor.SAMPLE_ID_TIME_OFFSET);
        } else {
            return untimed(l);
        }
        return t - passNow > MAX_AHEAD_NANOS ? untimed(l) : t;
    }

    /** A record without a time is put right behind its lane's previous record (or the last delivered, if later). */
    private long untimed(Lane l) {
        return Math.max(l.newest, lastTime);
    }

    /**
     * Delivers the oldest staged records until {@code l} has room for {@code need} bytes and an eighth of the
     * lane more (a lane that is full stays full while its records come faster than the lateness lets them go:
     * making room a record at a time cost a merge per record, measured 2.5x the CPU per event end to end);
     * those go early.
     */
    private boolean makeRoom(Lane l, long need) {
        long before = delivered;
        release(Long.MAX_VALUE, Integer.MAX_VALUE, passBatch, l, need + l.capacity / 8);
        early += delivered - before;
        return l.free() >= need;
    }

    /**
     * A record that found no room (only when a batch listener took nothing): a sample is counted lost, as the
     * kernel counts one that finds its ring full; any other record (a loss, a task) is delivered now.
     */
    private void unstaged(int cpu, MemorySegment segment, long offset, int type, int misc, int size, long t) {
        if (type == SAMPLE) {
            dispatcher.reportLost(cpu, 1);
            return;
        }
        early++;
        delivered++;
        VIEWS.late(view, inOrder(t));
        dispatcher.onRecord(cpu, segment, offset, type, misc, size);
    }

    // ----------------------------------------------------------------------------------------- release

    /**
     * Delivers staged records in time order while the oldest is not newer than {@code watermark}, at most
     * {@code limit} (event listeners), and, when {@code room} is given, until it has {@code need} bytes free.
     */
    private void release(long watermark, long limit, BatchListener batch, Lane room, long need) {
        if (batch != null) {
            releaseBatches(watermark, batch, room, need);
            return;
        }
        long n = 0;
        OrderedStaging st = staging;
        while (!st.isEmpty() && n < limit && (room == null || room.free() < need)) {
            Lane l = st.oldest();
            if (l.headTime > watermark) {
                break;
            }
            deliverTop(l);
            n++;
        }
    }

    /** The oldest staged record, to the dispatcher. */
    private void deliverTop(Lane l) {
        long t = l.headTime;
        long at = l.oldestRecord();
        long header = l.buf.get(I64, at);
        int type = PerfEventHeaderDescriptor.type(header);
        int misc = PerfEventHeaderDescriptor.misc(header);
        int size = PerfEventHeaderDescriptor.size(header);
        staging.pop(l, KEY_LENGTH + size); // consumed before the call, as in PerfRing.drain; the bytes stay until the next staging
        delivered++;
        VIEWS.late(view, inOrder(t));
        dispatcher.onRecord(l.cpu, l.buf, at, type, misc, size);
    }

    /** @return whether a record of time {@code t}, delivered now, is late (counts it); else it is the last in order */
    private boolean inOrder(long t) {
        if (t < lastTime) {
            late++;
            return true;
        }
        lastTime = t;
        return false;
    }

    private void releaseBatches(long watermark, BatchListener batch, Lane room, long need) {
        batchWatermark = watermark;
        roomFor = room;
        roomNeed = need;
        try {
            OrderedStaging st = staging;
            while (!st.isEmpty() && (room == null || room.free() < need)) {
                Lane l = st.oldest();
                if (l.headTime > watermark) {
                    break;
                }
                long header = l.buf.get(I64, l.oldestRecord());
                if (PerfEventHeaderDescriptor.type(header) != SAMPLE) {
                    deliverTop(l); // a lost or task record: the dispatcher's, between two batches
                    continue;
                }
                exhausted = false;
                active = true;
                try {
                    batch.onBatch(this);
                } catch (Exception e) {
                    // as for event listeners: reported, and the stream goes on (Errors propagate)
                    dispatcher.error(e);
                    break;
                } finally {
                    active = false;
                }
                if (!exhausted) {
                    break; // the listener stopped early: the rest waits for the next pass
                }
            }
        } finally {
            roomFor = null;
        }
    }

    @Override
    public boolean next() {
        if (!active) {
            throw new IllegalStateException("EventBatch used outside BatchListener.onBatch: a batch is valid only during that call");
        }
        OrderedStaging st = staging;
        while (!st.isEmpty()) {
            Lane room = roomFor;
            if (room != null && room.free() >= roomNeed) {
                break;
            }
            Lane l = st.oldest();
            long t = l.headTime;
            if (t > batchWatermark) {
                break;
            }
            long at = l.oldestRecord();
            long header = l.buf.get(I64, at);
            if (PerfEventHeaderDescriptor.type(header) != SAMPLE) {
                break; // releaseBatches hands it to the dispatcher
            }
            int size = PerfEventHeaderDescriptor.size(header);
            st.pop(l, KEY_LENGTH + size);
            delivered++;
            VIEWS.late(view, inOrder(t));
            batchCpu = l.cpu;
            if (dispatcher.takeSample(view, l.cpu, l.buf, at, size)) {
                return true;
            }
        }
        exhausted = true;
        return false;
    }

    @Override
    public EventView view() {
        return view;
    }

    /** @return the CPU of the current event (an ordered batch mixes the rings of every CPU) */
    @Override
    public int cpu() {
        return batchCpu;
    }

    // ------------------------------------------------------------------------------------------ state

    /** @return records delivered older than one delivered before them */
    public long late() {
        return late;
    }

    /** @return records delivered before the watermark passed them, to make room in a full lane */
    public long early() {
        return early;
    }

    /** @return the records staged and not yet delivered */
    public long staged() {
        return staging.staged();
    }

    /** @return the native memory the lanes hold, in bytes */
    public long stagingBytes() {
        return staging.bytes();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("ordered merge closed");
        }
    }

    /** Frees the lanes; what they still hold is dropped. Idempotent; consumer thread or once it stopped. */
    public void close() {
        if (!closed) {
            closed = true;
            staging.close();
        }
    }
}
