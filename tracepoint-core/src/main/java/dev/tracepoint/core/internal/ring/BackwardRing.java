package dev.tracepoint.core.internal.ring;

import dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor;
import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import dev.tracepoint.core.internal.perf.PerfRecordType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The reader side of one overwrite-mode perf ring: events opened with {@code attr.write_backward = 1} and
 * mapped read-only ({@code PROT_READ}), so that the kernel never waits for a reader and writes over the oldest
 * records instead ({@code rb->overwrite}). Nothing is read while the ring records; a reader copies it out on
 * demand ({@link #copyNew}) and walks the copy ({@link #walk}).
 *
 * <h2>Layout</h2>
 * In {@code write_backward} mode the kernel's write position moves down: {@code data_head} starts at 0 and
 * each record of {@code size} bytes is reserved by {@code head -= size} and written at the new head, upwards
 * ({@code __perf_output_begin} with {@code backward}). So {@code data_head} (a free-running counter that
 * reads as {@code -bytesWritten}) is where the newest record starts, the next older one follows it, and so
 * on up to the bytes written before the previous read, or one capacity above the head, where the oldest
 * record in the ring has lost its end to the newest ones. The positions map to data offsets with
 * {@code pos & (capacity - 1)}, wrapping at the end of the data area without padding, as in forward mode.
 *
 * <h2>Reading</h2>
 * {@link #copyNew} is meant for a ring whose output is paused ({@code PERF_EVENT_IOC_PAUSE_OUTPUT}) and
 * quiescent: it copies the bytes written since the previous copy, at most a capacity, into a linear buffer
 * starting with the newest record, so that no record of the copy wraps and the copy stays valid after output
 * resumes. The ring remembers the head it copied from: the next copy stops there, so records are read once.
 * {@link #walk} then parses the copy without trusting it: it follows the records' sizes from the head, stops
 * at a record that runs past the copy (at most one: the oldest, half overwritten; it is counted as torn, never
 * parsed) or at a header that cannot be right, and lists the whole records oldest first. It never reads
 * outside the copy.
 *
 * <p>Like {@link PerfRing} it does not own the mapping; unlike it, it never writes to it ({@code data_tail}
 * is meaningless in overwrite mode). Its owner {@link #close() closes} it before unmapping, after which it
 * reads nothing. One thread at a time.
 */
public final class BackwardRing {

    private static final VarHandle U64 = ValueLayout.JAVA_LONG.varHandle();
    private static final int HEADER_LENGTH = PerfEventHeaderDescriptor.LENGTH;

    private final int cpu;
    private final MemorySegment metadataPage;
    /** The data area; its size is the capacity. */
    private final MemorySegment data;
    /** {@code data_head} at the previous copy: the records from here up were read (0: none yet). */
    private long readHead;
    private volatile boolean closed;

    /**
     * A ring over a real perf mapping (read-only).
     *
     * @param cpu      the CPU the ring belongs to
     * @param mapping  the whole mapping, {@code (1 + 2^n) * pageSize} bytes
     * @param pageSize the system page size
     * @throws IllegalArgumentException if the layout is inconsistent
     */
    public BackwardRing(int cpu, MemorySegment mapping, int pageSize) {
        this(cpu, PerfMmapPageDescriptor.metadataPage(mapping, pageSize), PerfMmapPageDescriptor.dataArea(mapping, pageSize));
    }

    /**
     * A ring over separate segments: synthetic rings in tests.
     *
     * @param cpu          the CPU the ring belongs to
     * @param metadataPage a {@code perf_event_mmap_page} image, native and 8-byte aligned
     * @param data         the data area; its size is the capacity and must be a power of two
     * @throws IllegalArgumentException naming the value otherwise
     */
    public BackwardRing(int cpu, MemorySegment metadataPage, MemorySegment data) {
        PerfMmapPageDescriptor.checkMetadataPage(metadataPage);
        PerfMmapPageDescriptor.checkCapacity(data.byteSize());
        this.cpu = cpu;
        this.metadataPage = metadataPage;
        this.data = data;
    }

    /**
     * What {@link #copyNew} copied.
     *
     * @param head             {@code data_head} when it copied: the newest record's position
     * @param length           bytes copied: those written since the previous copy, at most the capacity
     * @param wrapped          whether more was written than the ring holds, so the oldest bytes copied
     *                         may be the start of a record whose end was overwritten
     * @param overwrittenBytes bytes written since the previous copy that the ring no longer held
     */
    public record Window(long head, long length, boolean wrapped, long overwrittenBytes) {
    }

    /**
     * Copies the bytes the kernel wrote since the previous copy (at most a capacity) into {@code dst}: the
     * newest record at offset 0, older ones after it, nothing wrapped. Call it with output paused and every
     * write in progress finished; it moves the ring's read position to the head it copied from.
     *
     * @param dst at least {@link #capacity()} bytes
     * @return what was copied
     * @throws IllegalArgumentException if {@code dst} is too small
     * @throws IllegalStateException    if the ring is closed
     */
    public Window copyNew(MemorySegment dst) {
        long capacity = data.byteSize();
        if (dst.byteSize() < capacity) {
            throw new IllegalArgumentException("copy buffer of " + dst.byteSize() + " bytes < ring capacity " + capacity);
        }
        // acquire: the record bytes read below are at least as new as the head (pairs with the kernel's
        // smp_wmb() before it publishes data_head)
        long head = dataHeadAcquire();
        long written = readHead - head; // data_head moves down: the bytes written since the previous copy
        if (Long.compareUnsigned(written, capacity) <= 0) {
            copy(head, written, dst);
            readHead = head;
            return new Window(head, written, false, 0);
        }
        copy(head, capacity, dst);
        readHead = head;
        return new Window(head, capacity, true, written - capacity);
    }

    private void copy(long position, long length, MemorySegment dst) {
        long capacity = data.byteSize();
        long offset = position & (capacity - 1);
        long first = Math.min(length, capacity - offset);
        MemorySegment.copy(data, offset, dst, 0, first);
        if (first < length) {
            MemorySegment.copy(data, 0, dst, first, length - first);
        }
    }

    /**
     * The records of a copy, oldest first.
     *
     * @param offsets    the whole records' offsets in the copy, oldest first ({@link #count} of them)
     * @param count      how many
     * @param torn       1 when the oldest record ran past the copy (its end was overwritten): dropped; else 0
     * @param problem    why the walk stopped before the end of the copy at a header that cannot be right, or
     *                   null
     * @param unreadBytes bytes of the copy past the last whole record that were not parsed (the torn record's
     *                   piece, or everything from a bad header on)
     */
    public record Walk(long[] offsets, int count, int torn, String problem, long unreadBytes) {
    }

    /**
     * Walks a copy made by {@link #copyNew}: from offset 0 (the newest record) up by each header's size,
     * stopping at the first record that would run past {@code length} or whose header is implausible (a size
     * below 8 or not a multiple of 8, or type 0, which no record has). Where the copy is {@code wrapped}, a
     * record running past its end is the oldest record, half overwritten: it is counted as torn. Where it is
     * not, the records must end exactly at {@code length} (the previous copy's head): anything else is a
     * problem. The list is then reversed, so that the oldest record comes first, except that a
     * {@code PERF_RECORD_LOST} stays in front of the record the kernel wrote it with (it reserves both at
     * once and writes the LOST record first, at the lower address, announcing samples lost before that
     * record).
     *
     * @param copy    the copy
     * @param length  its length ({@link Window#length()})
     * @param wrapped {@link Window#wrapped()}
     * @return the whole records, oldest first
     */
    public static Walk walk(MemorySegment copy, long length, boolean wrapped) {
        long[] newestFirst = new long[16];
        int n = 0;
        long at = 0;
        int torn = 0;
        String problem = null;
        while (at < length) {
            long left = length - at;
            if (left < HEADER_LENGTH) {
                if (wrapped) {
                    torn = 1;
                } else {
                    problem = left + " bytes after the last whole record, less than a header";
                }
                break;
            }
            long header = copy.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
            int type = PerfEventHeaderDescriptor.type(header);
            int size = PerfEventHeaderDescriptor.size(header);
            if (size < HEADER_LENGTH || (size & (PerfEventHeaderDescriptor.ALIGNMENT - 1)) != 0 || type == 0) {
                problem = "record header type=" + Integer.toUnsignedString(type) + " size=" + size
                        + " cannot be right (" + at + " bytes from data_head)";
                break;
            }
            if (size > left) {
                if (wrapped) {
                    torn = 1;
                } else {
                    problem = "record of size " + size + " runs " + (size - left)
                            + " bytes past the records already read (" + at + " bytes from data_head)";
                }
                break;
            }
            if (n == newestFirst.length) {
                newestFirst = Arrays.copyOf(newestFirst, n * 2);
            }
            newestFirst[n++] = at;
            at += size;
        }
        return new Walk(oldestFirst(copy, newestFirst, n), n, torn, problem, length - at);
    }

    /** Reverses the walk, keeping each LOST record in front of the record written with it. */
    private static long[] oldestFirst(MemorySegment copy, long[] newestFirst, int n) {
        long[] out = new long[n];
        int k = 0;
        for (int i = n - 1; i >= 0; i--) {
            if (i > 0 && PerfEventHeaderDescriptor.type(copy.get(ValueLayout.JAVA_LONG_UNALIGNED, newestFirst[i - 1]))
                    == PerfRecordType.PERF_RECORD_LOST) {
                out[k++] = newestFirst[i - 1];
                out[k++] = newestFirst[i];
                i--;
            } else {
                out[k++] = newestFirst[i];
            }
        }
        return out;
    }

    /**
     * Loads {@code data_head} with acquire semantics.
     *
     * @return {@code data_head}: the newest record's position, {@code -bytesWritten} as a free-running counter
     * @throws IllegalStateException if the ring is closed
     */
    public long dataHeadAcquire() {
        if (closed) {
            throw new IllegalStateException("ring closed: cpu=" + cpu);
        }
        return (long) U64.getAcquire(metadataPage, (long) PerfMmapPageDescriptor.DATA_HEAD_OFFSET);
    }

    /** @return the size of the data area in bytes, a power of two */
    public long capacity() {
        return data.byteSize();
    }

    /** @return the CPU this ring belongs to */
    public int cpu() {
        return cpu;
    }

    /** Stops every read of the mapping, before its owner unmaps it. Idempotent. */
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "BackwardRing[cpu=" + cpu + ", capacity=" + data.byteSize() + (closed ? ", closed]"
                : ", data_head=" + dataHeadAcquire() + ", read up to " + readHead + "]");
    }
}
