package dev.tracepoint.core.internal.ring;

import static dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor.DATA_HEAD_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor.DATA_OFFSET_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor.DATA_SIZE_OFFSET;
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
 * {@link #drain} follows {@code include/uapi/linux/perf_event.h} and the kernel's
 * {@code tools/include/linux/ring_buffer.h}, like the C reference consumer: load {@code data_head} once with
 * acquire semantics, hand every record from {@code data_tail} up to that head to the handler, then publish
 * the new {@code data_tail} with one release store. The mapping must be writable ({@code PROT_WRITE}); the
 * kernel then never overwrites records the reader has not released, and drops (and counts, in a
 * {@code PERF_RECORD_LOST}) what does not fit. Overwrite mode ({@code write_backward}, read-only mapping) is
 * not supported.
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
 * One consumer thread drains a ring at a time ({@code data_tail} has a single writer). {@link #isEmpty()},
 * {@link #dataHeadAcquire()} and the accessors may be called from any thread. Handing a ring to another
 * consumer thread needs a happens-before edge (a lock, a volatile write, {@code Thread.start}).
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
    private final MemorySegment scratch;
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
        this(cpu, metadataPageOf(mapping, pageSize), dataAreaOf(mapping, pageSize));
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
        this.scratch = scratchArena.allocate(SCRATCH_LENGTH, Long.BYTES);
    }

    private static MemorySegment metadataPageOf(MemorySegment mapping, int pageSize) {
        checkMapping(mapping, pageSize);
        return mapping.asSlice(0, pageSize);
    }

    private static MemorySegment dataAreaOf(MemorySegment mapping, int pageSize) {
        checkMapping(mapping, pageSize);
        // Plain reads: the kernel fills these in before mmap() returns and never changes them.
        long dataOffset = mapping.get(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET_OFFSET);
        long dataSize = mapping.get(ValueLayout.JAVA_LONG_UNALIGNED, DATA_SIZE_OFFSET);
        if (dataOffset == 0) {
            dataOffset = pageSize;
        }
        if (dataSize == 0) {
            dataSize = mapping.byteSize() - pageSize;
        }
        if (dataOffset < PerfMmapPageDescriptor.LENGTH || dataSize <= 0
                || dataOffset > mapping.byteSize() - dataSize) {
            throw new IllegalArgumentException("data_offset=" + dataOffset + ", data_size=" + dataSize
                    + " do not fit a mapping of byteSize=" + mapping.byteSize());
        }
        return mapping.asSlice(dataOffset, dataSize);
    }

    private static void checkMapping(MemorySegment mapping, int pageSize) {
        if (pageSize < PerfMmapPageDescriptor.LENGTH || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("pageSize=" + pageSize + " is not a page size");
        }
        if (mapping.byteSize() < 2L * pageSize) {
            throw new IllegalArgumentException("mapping byteSize=" + mapping.byteSize()
                    + " is smaller than a metadata page and one data page (pageSize=" + pageSize + ")");
        }
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
        if (closed) {
            throw new IllegalStateException("ring closed: cpu=" + cpu);
        }
        // uapi perf_event.h: "User-space reading the @data_head value should issue an smp_rmb(), after
        // reading this value." The acquire load is that barrier: no read of record bytes below can be
        // satisfied before it, so they are at least as new as the head. It pairs with the kernel's smp_wmb()
        // between writing a record and publishing data_head (perf_output_put_handle).
        final long head = dataHeadAcquire();
        final long start = dataTail();
        long tail = start;
        int handled = 0;
        try {
            long published = head - tail;
            // Unsigned: a head behind the tail (negative) also lands here. Neither can come from a sane
            // kernel: with a writable mapping it never runs more than the data area ahead of data_tail.
            if (Long.compareUnsigned(published, capacity) > 0) {
                tail = head;
                handler.onCorruption(cpu, badHead(head, start), Math.max(0, published));
                return 0;
            }
            while (tail != head && handled < limit) {
                final long offset = tail & mask;
                final long available = head - tail;
                // Read each header field once into a local: the mapping is shared and writable, so a
                // second read could see a different value than the one that was checked.
                final long header = header(offset);
                final int type = PerfEventHeaderDescriptor.type(header);
                final int misc = PerfEventHeaderDescriptor.misc(header);
                final int size = PerfEventHeaderDescriptor.size(header);
                if (size < HEADER_LENGTH || (size & (PerfEventHeaderDescriptor.ALIGNMENT - 1)) != 0
                        || size > capacity || size > available) {
                    // Resync: drop everything published so far; the next record the kernel writes
                    // starts at head.
                    tail = head;
                    handler.onCorruption(cpu, badSize(type, size, offset, available), available);
                    break;
                }
                final MemorySegment segment;
                final long recordOffset;
                if (offset + size <= capacity) {
                    segment = data;
                    recordOffset = offset;
                } else {
                    copyOut(offset, size); // wraps: stitch both pieces together in scratch
                    segment = scratch;
                    recordOffset = 0;
                }
                // Consumed before the call, as Agrona's ring buffers do: a handler that throws does not get
                // the same record again on the next drain.
                tail += size;
                handled++;
                handler.onRecord(cpu, segment, recordOffset, type, misc, size);
            }
            return handled;
        } finally {
            if (tail != start) {
                dataTailRelease(tail);
            }
        }
    }

    /**
     * Reads the {@code struct perf_event_header} at a data offset ({@code u32 type; u16 misc; u16 size}) in
     * one access, to be decoded with {@link PerfEventHeaderDescriptor}: each segment access carries its own
     * bounds and liveness checks. A header that straddles the end of the data area is read from scratch
     * (the kernel's positions are 8-aligned, so that needs a tail that is not; handled anyway, never read
     * past the data area).
     *
     * @param offset the data offset, below {@link #capacity()}
     * @return the header's 8 bytes as one native-order {@code long}
     */
    public long header(long offset) {
        if (offset <= capacity - HEADER_LENGTH) {
            return data.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        }
        copyOut(offset, HEADER_LENGTH);
        return scratch.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    /**
     * Copies {@code length} bytes starting at data offset {@code offset}, wrapping at the end, to the ring's
     * scratch segment, for a reader that walks the ring itself. The copy is valid until the next one.
     *
     * @param offset the data offset, below {@link #capacity()}
     * @param length the byte count, at most {@link #capacity()} and 65535
     * @return the scratch segment; the bytes start at offset 0
     */
    public MemorySegment stitch(long offset, int length) {
        copyOut(offset, length);
        return scratch;
    }

    /** Copies {@code length} bytes starting at data offset {@code offset}, wrapping at the end, to scratch. */
    private void copyOut(long offset, int length) {
        long first = Math.min(length, capacity - offset);
        copy(data, offset, scratch, 0, first);
        if (first < length) {
            copy(data, 0, scratch, first, length - first);
        }
    }

    /**
     * A plain copy loop instead of {@code MemorySegment.copy}: records and their pieces are a few dozen bytes
     * and 8-byte aligned, and the JDK's bulk copy is a separate compiled method whose profile (loop
     * predicates for the lengths the warm-up saw) failed on the first real wrap and deoptimised it
     * ({@code -Xlog:deoptimization}: {@code SegmentBulkOperations.copy profile_predicate}). This loop is
     * inlined into {@link #drain} and has no length-specific speculation.
     */
    private static void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length) {
        long i = 0;
        for (; i <= length - Long.BYTES; i += Long.BYTES) {
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, dstOffset + i, src.get(ValueLayout.JAVA_LONG_UNALIGNED, srcOffset + i));
        }
        for (; i < length; i++) {
            dst.set(ValueLayout.JAVA_BYTE, dstOffset + i, src.get(ValueLayout.JAVA_BYTE, srcOffset + i));
        }
    }

    /**
     * Describes a {@code data_head} more than a data area ahead of {@code data_tail}, or behind it.
     *
     * @param head data_head
     * @param tail data_tail
     * @return the description
     */
    public static String badHead(long head, long tail) {
        return (Long.compareUnsigned(head, tail) < 0 ? "data_head=" + Long.toUnsignedString(head)
                + " is behind data_tail=" + Long.toUnsignedString(tail)
                : "data_head=" + Long.toUnsignedString(head) + " is more than the data area ahead of data_tail="
                        + Long.toUnsignedString(tail));
    }

    /**
     * Describes a record header whose size cannot be right, for a corruption report.
     *
     * @param type      the header's type
     * @param size      the header's size
     * @param offset    the data offset of the header
     * @param available the bytes published from there to {@code data_head}
     * @return the description
     */
    public String badSize(int type, int size, long offset, long available) {
        String why;
        if (size < HEADER_LENGTH) {
            why = "smaller than the 8-byte header";
        } else if ((size & (PerfEventHeaderDescriptor.ALIGNMENT - 1)) != 0) {
            why = "not a multiple of 8";
        } else if (size > capacity) {
            why = "larger than the data area (capacity=" + capacity + ")";
        } else {
            why = "larger than the " + available + " bytes published";
        }
        return "record header.size=" + size + " " + why + " (type=" + Integer.toUnsignedString(type)
                + ", data offset=" + offset + ")";
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

    /** @return the data area, for a reader that walks the ring itself (see {@link #drain} for the protocol) */
    public MemorySegment data() {
        return data;
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
}
