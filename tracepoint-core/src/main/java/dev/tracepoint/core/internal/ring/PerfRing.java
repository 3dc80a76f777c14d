package dev.tracepoint.core.internal.ring;

import static dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor.DATA_HEAD_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor.DATA_TAIL_OFFSET;

import dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor;
import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The reader side of one perf ring buffer (one CPU's {@code perf_event_open} mmap): a metadata page
 * ({@code struct perf_event_mmap_page}, see {@link PerfMmapPageDescriptor}) and a data area of
 * {@code 2^n} bytes where the kernel appends records.
 *
 * <h2>Protocol</h2>
 * A pass over the ring follows {@code include/uapi/linux/perf_event.h} and the kernel's
 * {@code tools/include/linux/ring_buffer.h}, like the C reference consumer: load {@code data_head} once with
 * acquire semantics, hand every record from {@code data_tail} up to that head to the consumer, then publish
 * the new {@code data_tail} with one release store. The mapping must be writable ({@code PROT_WRITE}); the
 * kernel then never overwrites records the reader has not released, and drops (and counts, in a
 * {@code PERF_RECORD_LOST}) what does not fit. Overwrite mode ({@code write_backward}, read-only mapping) is
 * not supported.
 *
 * <p>The protocol is written once, in {@link #begin} and the ring's {@link Cursor}, and both walks over a
 * ring are built on it: the event path ({@link #drain}) and the batch path ({@code BatchCursor}, which hands
 * runs of samples to a listener's own loop). {@link #begin} starts a pass (the acquire load, and the check
 * of {@code data_head} against {@code data_tail}); {@link Cursor#inPlace} validates a record that lies whole
 * inside the data area, the common case; {@link Cursor#settle} takes every
 * other record (one that wraps the ring end, or one whose size cannot be right); {@link Cursor#commit} ends
 * the pass (the release store).
 *
 * <p>A record is passed where it lies, as {@code (segment, offset, type, misc, size)}: no allocation and no
 * slicing per record. The kernel does not pad at the end of the ring, so a record that runs past the end is
 * first copied (in two pieces) into a 64 KiB scratch segment owned by the ring, and passed as
 * {@code (scratch, 0, ...)}; 64 KiB is enough because {@code header.size} is a {@code u16}.
 *
 * <p>The ring trusts nothing it reads: a size of 0 (which would loop forever), not a multiple of 8, larger
 * than the data area or than what the kernel published, or a {@code data_head} behind {@code data_tail} or
 * more than the data area ahead of it, is reported to {@link RecordHandler#onCorruption} and the ring is
 * resynchronised by moving {@code data_tail} to {@code data_head}. It never reads outside its segments.
 *
 * <h2>Threading and lifetime</h2>
 * One consumer thread walks a ring at a time ({@code data_tail} has a single writer, and the ring's one
 * {@link Cursor} is that thread's). {@link #isEmpty()},
 * {@link #dataHeadAcquire()} and the accessors may be called from any thread. Handing a ring to another
 * consumer thread needs a happens-before edge (a lock, a volatile write, {@code Thread.start}).
 *
 * <p>The mapping's layout ({@link RingLayout}), the text of corruption reports ({@link RingFaults}) and the
 * stitching of a wrapped record ({@link WrapCopy}) are package-private helpers of this class.
 *
 * <p>The ring owns only its scratch segment, which {@link #close()} frees. It does not own the mapping:
 * whoever called {@code mmap} keeps the segment alive while the ring is used and unmaps it after
 * {@code close()} (for instance with {@code Libc.munmap}).
 */
public final class PerfRing implements AutoCloseable {

    /**
     * Plain and acquire/release access to a {@code u64} of the metadata page; coordinates
     * {@code (MemorySegment, long offset)}. Aligned layout: acquire/release access modes require it.
     */
    private static final VarHandle U64 = ValueLayout.JAVA_LONG.varHandle();

    /** {@code header.size} is a {@code u16}, so no record is larger than this. */
    private static final int SCRATCH_LENGTH = 1 << 16;

    private static final int HEADER_LENGTH = PerfEventHeaderDescriptor.LENGTH;

    private final int cpu;
    private final MemorySegment metadataPage;
    private final MemorySegment data;
    private final long capacity;
    private final long mask;
    private final Arena scratchArena;
    private final Cursor cursor;
    private boolean closed;

    /**
     * A ring over a real perf mapping: a metadata page followed by the data area. The data area is taken
     * from {@code data_offset}/{@code data_size} in the metadata page when the kernel set them (4.1+), else
     * it is everything after the first page.
     *
     * @param cpu      the CPU the ring belongs to (reported to the handler)
     * @param mapping  the whole mapping, {@code (1 + 2^n) * pageSize} bytes, page-aligned
     * @param pageSize the system page size
     * @throws IllegalArgumentException if the layout is inconsistent or the data size not a power of two
     */
    public PerfRing(int cpu, MemorySegment mapping, int pageSize) {
        this(cpu, RingLayout.metadataPageOf(mapping, pageSize), RingLayout.dataAreaOf(mapping, pageSize));
    }

    /**
     * A ring over separate segments, for synthetic rings in tests and for layouts built by hand.
     *
     * @param cpu          the CPU the ring belongs to (reported to the handler)
     * @param metadataPage a {@code struct perf_event_mmap_page} image, native and 8-byte aligned, at least
     *                     up to {@code data_size}
     * @param data         the data area; its size is the capacity and must be a power of two
     * @throws IllegalArgumentException naming the value otherwise
     */
    public PerfRing(int cpu, MemorySegment metadataPage, MemorySegment data) {
        PerfMmapPageDescriptor.checkMetadataPage(metadataPage);
        PerfMmapPageDescriptor.checkCapacity(data.byteSize());
        this.cpu = cpu;
        this.metadataPage = metadataPage;
        this.data = data;
        this.capacity = data.byteSize();
        this.mask = capacity - 1;
        // Shared, not confined: the ring may be built on one thread and drained on another.
        this.scratchArena = Arena.ofShared();
        this.cursor = new Cursor(this, scratchArena.allocate(SCRATCH_LENGTH, Long.BYTES));
    }

    /**
     * Hands the records published so far to {@code handler}, oldest first, at most {@code limit} of them,
     * and then releases their space to the kernel.
     *
     * <p>{@code data_head} is read once per call: records the kernel publishes meanwhile wait for the next
     * call, so one busy ring cannot keep the caller from its other rings. {@code data_tail} is written once,
     * after the last handler call returns. A record counts as consumed when its handler call starts: if the
     * handler throws, the tail still moves past every record handed out, including the one that threw (it is
     * not delivered again), and the exception propagates.
     *
     * @param handler receives the records; they are valid only during the call
     * @param limit   the most records to hand out; 0 returns at once
     * @return the number of records handed to {@link RecordHandler#onRecord}
     * @throws IllegalArgumentException if {@code limit} is negative
     * @throws IllegalStateException    if the ring is closed
     */
    public int drain(RecordHandler handler, int limit) {
        if (limit <= 0) {
            if (limit < 0) {
                throw new IllegalArgumentException("limit=" + limit + " must not be negative");
            }
            return 0;
        }
        final Cursor c = begin(handler);
        final long head = c.head();
        long tail = c.start();
        int handled = 0;
        try {
            while (tail != head && handled < limit) {
                final long offset = tail & mask;
                MemorySegment segment = data;
                long at = offset;
                // One read of the header into a local, then only the local: the mapping is shared and
                // writable, so a second read could see a different value than the one that was checked.
                long header;
                if (offset > capacity - HEADER_LENGTH || !Cursor.inPlace(
                        header = data.get(ValueLayout.JAVA_LONG_UNALIGNED, offset), offset, head - tail, capacity)) {
                    // wraps the ring end, or cannot be a record: the cursor's slow step decides which
                    if (!c.settle(tail, handler)) {
                        break; // reported, and resynchronised: the commit below stores the head
                    }
                    segment = c.segment();
                    at = c.offset();
                    header = c.header();
                }
                final int size = PerfEventHeaderDescriptor.size(header);
                // Consumed before the call, as Agrona's ring buffers do: a handler that throws does not get
                // the same record again on the next drain.
                tail += size;
                handled++;
                handler.onRecord(cpu, segment, at, PerfEventHeaderDescriptor.type(header),
                        PerfEventHeaderDescriptor.misc(header), size);
            }
            return handled;
        } finally {
            c.commit(tail);
        }
    }

    /**
     * Begins a pass over the records published so far: loads {@code data_head} once, with acquire semantics,
     * and checks it against {@code data_tail}. The pass then covers the positions from
     * {@link Cursor#start()} to {@link Cursor#head()}, and ends with {@link Cursor#commit}.
     *
     * <p>A {@code data_head} behind {@code data_tail}, or more than the data area ahead of it, cannot come
     * from a sane kernel (with a writable mapping it never writes past what the reader released): it is
     * reported to {@code sink}, and the ring is resynchronised at once ({@code data_tail} is stored with
     * release at {@code data_head}, and the pass is empty), so the next record the kernel writes is read.
     *
     * @param sink told about a {@code data_head} that cannot be right
     * @return the ring's cursor, set to the pass; the same object for every pass
     * @throws IllegalStateException if the ring is closed
     */
    public Cursor begin(RecordHandler sink) {
        if (closed) {
            throw new IllegalStateException("ring closed: cpu=" + cpu);
        }
        // uapi perf_event.h: "User-space reading the @data_head value should issue an smp_rmb(), after
        // reading this value." The acquire load is that barrier: no read of record bytes in this pass can be
        // satisfied before it, so they are at least as new as the head. It pairs with the kernel's smp_wmb()
        // between writing a record and publishing data_head (perf_output_put_handle).
        final long head = dataHeadAcquire();
        final long tail = dataTail();
        final Cursor c = cursor;
        final long published = head - tail;
        c.resynchronised = false;
        // Unsigned: a head behind the tail (negative) also lands here. Neither can come from a sane kernel:
        // with a writable mapping it never runs more than the data area ahead of data_tail.
        if (Long.compareUnsigned(published, capacity) > 0) {
            // Resynchronised before the report, so that a sink that throws still leaves the ring usable.
            dataTailRelease(head);
            c.start = head;
            c.head = head;
            sink.onCorruption(cpu, RingFaults.badHead(head, tail), Math.max(0, published));
            return c;
        }
        c.start = tail;
        c.head = head;
        return c;
    }

    /**
     * Loads {@code data_head} with acquire semantics: the kernel's write position, a free-running byte
     * counter. Record bytes read after this call are at least as new as the value returned.
     *
     * @return {@code data_head}
     */
    public long dataHeadAcquire() {
        return (long) U64.getAcquire(metadataPage, (long) DATA_HEAD_OFFSET);
    }

    /**
     * Loads {@code data_tail}: the reader's position. A plain load, because only this ring's consumer writes
     * it.
     *
     * @return {@code data_tail}
     */
    public long dataTail() {
        return (long) U64.get(metadataPage, (long) DATA_TAIL_OFFSET);
    }

    /**
     * Stores {@code data_tail} with release semantics: every read of the records before it (including the
     * handlers' reads) completes before the kernel can see the space as free and overwrite it. uapi
     * perf_event.h asks for an {@code smp_mb()} before the store; the kernel's own user-space helper
     * ({@code ring_buffer_write_tail}) uses {@code smp_store_release}, which orders the earlier loads too.
     * Consumer thread only.
     *
     * @param tail the new position, between the current tail and {@link #dataHeadAcquire()}
     */
    public void dataTailRelease(long tail) {
        U64.setRelease(metadataPage, (long) DATA_TAIL_OFFSET, tail);
    }

    /**
     * Whether the kernel has published nothing beyond what was consumed ({@code data_head == data_tail}):
     * two loads, no side effects.
     *
     * @return true when there is nothing to drain
     */
    public boolean isEmpty() {
        return dataHeadAcquire() == dataTail();
    }

    /** @return the size of the data area in bytes, a power of two */
    public long capacity() {
        return capacity;
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    /** @return the CPU this ring belongs to */
    public int cpu() {
        return cpu;
    }

    /**
     * Frees the scratch segment. Idempotent. Call it from the consumer thread, or once the consumer has
     * stopped; the mapping stays mapped (its owner unmaps it).
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            scratchArena.close();
        }
    }

    @Override
    public String toString() {
        return "PerfRing[cpu=" + cpu + ", capacity=" + capacity + (closed ? ", closed]"
                : ", data_head=" + dataHeadAcquire() + ", data_tail=" + dataTail() + "]");
    }

    /**
     * The ring's side of a pass, for both walks over it ({@link PerfRing#drain} and {@code BatchCursor}): the
     * positions {@link PerfRing#begin} loaded, the validation of each record, the stitching of a record that wraps the
     * ring end, the resynchronisation after a size that cannot be right, and the release store at the end. A
     * ring has exactly one, made with it and reused by every pass: nothing is allocated per pass or per
     * record. Consumer thread only, like the ring.
     *
     * <p>A walk reads each record's header with one 8-byte load into a local and uses only that local from
     * then on (the mapping is shared and writable: a second read could see a different value than the one
     * that was checked). {@link PerfRing#drain} is the model of a walk:
     *
     * <pre>{@code
     * Cursor c = ring.begin(sink);            // acquire data_head; a bad one is reported, the pass empty
     * long t = c.start();
     * try {
     *     while (t != c.head()) {
     *         long offset = t & (c.capacity() - 1);
     *         long header;
     *         MemorySegment segment = c.data();
     *         if (offset > c.capacity() - 8    // the header straddles the end: settle reads it
     *                 || !Cursor.inPlace(header = segment.get(JAVA_LONG_UNALIGNED, offset), offset, c.head() - t, c.capacity())) {
     *             if (!c.settle(t, sink)) {
     *                 break;                  // reported; resynchronised: commit stores the head
     *             }
     *             header = c.header();        // it wraps: stitched at (c.segment(), c.offset())
     *             segment = c.segment();
     *             offset = c.offset();
     *         }
     *         t += PerfEventHeaderDescriptor.size(header);
     *         // ... the record at (segment, offset), valid until the commit
     *     }
     * } finally {
     *     c.commit(t);                        // release data_tail, once
     * }
     * }</pre>
     */
    public static final class Cursor {

        private final PerfRing ring;
        private final MemorySegment data;
        private final long capacity;
        private final long mask;
        private final MemorySegment scratch;
        /** {@code data_tail} when the pass began (or {@code data_head}, after {@link PerfRing#begin} resynchronised). */
        private long start;
        /** {@code data_head} as {@link PerfRing#begin} loaded it. */
        private long head;
        /** Set by {@link #settle} on a size that cannot be right: {@link #commit} then stores the head. */
        private boolean resynchronised;
        // the record settle() placed: valid until the next settle()
        private MemorySegment segment;
        private long offset;
        private long header;

        private Cursor(PerfRing ring, MemorySegment scratch) {
            this.ring = ring;
            this.data = ring.data;
            this.capacity = ring.capacity;
            this.mask = ring.mask;
            this.scratch = scratch;
            this.segment = ring.data;
        }

        /** @return where the pass begins: {@code data_tail} when {@link PerfRing#begin} ran */
        public long start() {
            return start;
        }

        /** @return where the pass ends: the {@code data_head} {@link PerfRing#begin} loaded */
        public long head() {
            return head;
        }

        /**
         * @return the ring's data area: a position {@code p} of the pass is at offset
         *         {@code p & (capacity() - 1)} in it
         */
        public MemorySegment data() {
            return data;
        }

        /** @return the size of the data area, a power of two */
        public long capacity() {
            return capacity;
        }

        /**
         * Validates a record in place: whether its size can be right and the whole record lies in the area
         * from {@code offset} to {@code capacity}. The common case of both walks, and the whole validation
         * their fast paths do: {@code size >= 8}, a multiple of 8, no more than the bytes published from here
         * ({@code available}, and so no more than the data area, which {@link PerfRing#begin} checked the head
         * against), and not past the end of the area.
         *
         * <p>The JIT keeps one branch profile per bytecode of a method, shared by every caller it is inlined
         * into. These branches fail only at a record that wraps the ring end (once a lap, and then in each
         * walk that reaches it) or at a corruption, so the shared profile says "rare" for every caller, as each
         * caller's own would. A test whose outcome differs between callers (the record type: a batch start
         * meets a lost or task record far more often than the middle of a batch does) belongs to the caller.
         * Written with branches, not as one branch-free sign test: in the batch listener's loop the branch-free
         * form cost 7-14% per record (JMH, {@code ...Batch} benchmarks), more instructions than these
         * well-predicted compare-and-branch pairs.
         *
         * @param header    the record's header, read once as one native-order {@code long}
         * @param offset    the header's offset in the area, at most {@code capacity - 8}
         * @param available the bytes published from there ({@code head - position})
         * @param capacity  the area's size: the data area's, or another segment's walked the same way
         * @return whether the record lies whole in place; when not (its size cannot be right, or it wraps the
         *         ring end) {@link #settle} says which
         */
        public static boolean inPlace(long header, long offset, long available, long capacity) {
            final int size = PerfEventHeaderDescriptor.size(header);
            return sizeFits(size, available) && offset + size <= capacity;
        }

        /** Whether {@code size} can be a record's: at least the header, a multiple of 8, and no more than published. */
        private static boolean sizeFits(int size, long available) {
            return size >= HEADER_LENGTH && (size & (PerfEventHeaderDescriptor.ALIGNMENT - 1)) == 0 && size <= available;
        }

        /**
         * The slow step, for a record {@link #inPlace} did not accept (or whose header straddles the end of the
         * data area, where it cannot be read in one load): reads its header once, validates its size, and
         * places it: where it lies, or, if it wraps the ring end, copied in its two pieces into the ring's
         * scratch segment. {@link #segment()}, {@link #offset()} and {@link #header()} then say where it is
         * and what its header was.
         *
         * <p>A size that cannot be right is reported to {@code sink}, and the pass is resynchronised: everything
         * published up to the head is dropped (the next record cannot be found), and {@link #commit} stores the
         * head whatever position it is given, so the next pass starts where the kernel writes its next record.
         * This holds when {@code sink} throws, too. The caller's walk ends there, at {@link #head()}.
         *
         * @param position the record's position, from {@link #start()} up to before {@link #head()}
         * @param sink     told about a size that cannot be right
         * @return whether the record was placed; false when it was reported and the walk must end at the head
         */
        public boolean settle(long position, RecordHandler sink) {
            final long at = position & mask;
            final long available = head - position;
            final long h = headerAt(at);
            final int size = PerfEventHeaderDescriptor.size(h);
            if (!sizeFits(size, available)) {
                resynchronised = true; // before the report: a sink that throws still leaves the ring usable
                sink.onCorruption(ring.cpu, RingFaults.badSize(PerfEventHeaderDescriptor.type(h), size, at, available,
                        capacity), available);
                return false;
            }
            header = h;
            if (at + size <= capacity) {
                segment = data;
                offset = at;
            } else if (((at | size) & (PerfEventHeaderDescriptor.ALIGNMENT - 1)) == 0) {
                // Wraps: stitch both pieces together in scratch. The kernel's case (8-byte positions and sizes)
                // is copied here, in one loop over both pieces, wrapping by the mask, and not in a method of its
                // own: called once a lap, such a method is a cold call site the JIT does not inline, and it
                // stayed C1 code with full profiling in a live stream (measured: about 6 us a wrap, 4.6% of
                // the consumer's CPU in a 550k/s drop load); making it hot in the warm-up moved its C2 compile
                // into the first seconds of the load instead. This loop is compiled with the walk.
                for (int i = 0; i < size; i += 8) {
                    scratch.set(ValueLayout.JAVA_LONG_UNALIGNED, i, data.get(ValueLayout.JAVA_LONG_UNALIGNED, (at + i) & mask));
                }
                segment = scratch;
                offset = 0;
            } else {
                WrapCopy.copyOut(data, capacity, at, size, scratch); // not 8-aligned: never the kernel's
                segment = scratch;
                offset = 0;
            }
            return true;
        }

        /** @return the segment holding the record {@link #settle} placed: the data area, or the scratch segment */
        public MemorySegment segment() {
            return segment;
        }

        /** @return the offset of the record {@link #settle} placed in {@link #segment()} */
        public long offset() {
            return offset;
        }

        /**
         * @return the header of the record {@link #settle} placed, as it read and validated it (one
         *         native-order {@code long}, decoded with {@link PerfEventHeaderDescriptor}); read this, not the
         *         record's bytes, for its type and size
         */
        public long header() {
            return header;
        }

        /**
         * Ends the pass: stores {@code data_tail} with release semantics, if the walk moved it, so that every
         * read of the records before it (the consumer's too) completes before the kernel can see their space as
         * free and overwrite it. Once per pass, after the consumer is done with every record it took. After
         * {@link #settle} found a size that cannot be right, it stores the head instead (the resynchronisation).
         *
         * @param tail the position after the last record the walk consumed, between {@link #start()} and
         *             {@link #head()}
         */
        public void commit(long tail) {
            final long t = resynchronised ? head : tail;
            if (t != start) {
                ring.dataTailRelease(t);
            }
        }

        /**
         * Reads the {@code struct perf_event_header} at a data offset ({@code u32 type; u16 misc; u16 size}) in
         * one access: each segment access carries its own bounds and liveness checks. A header that straddles
         * the end of the data area is read from scratch (the kernel's positions are 8-aligned, so that needs a
         * tail that is not; handled anyway, never read past the data area).
         */
        private long headerAt(long at) {
            if (at <= capacity - HEADER_LENGTH) {
                return data.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
            }
            WrapCopy.copyOut(data, capacity, at, HEADER_LENGTH, scratch);
            return scratch.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        }
    }
}
