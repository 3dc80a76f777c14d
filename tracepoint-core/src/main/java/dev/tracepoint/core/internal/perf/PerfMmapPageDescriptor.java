package dev.tracepoint.core.internal.perf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Layout of {@code struct perf_event_mmap_page} from {@code include/uapi/linux/perf_event.h}: the first page
 * of a perf mmap, followed by the data area ({@code 2^n} pages) that holds the records.
 *
 * <pre>
 *    0 u32 version              4 u32 compat_version      8 u32 lock (seqlock)     12 u32 index
 *   16 s64 offset              24 u64 time_enabled       32 u64 time_running      40 u64 capabilities
 *   48 u16 pmc_width           50 u16 time_shift         52 u32 time_mult         56 u64 time_offset
 *   64 u64 time_zero           72 u32 size               ...  __reserved[] up to 1024
 * 1024 u64 data_head         1032 u64 data_tail        1040 u64 data_offset     1048 u64 data_size
 * 1056 u64 aux_head          1064 u64 aux_tail         1072 u64 aux_offset      1080 u64 aux_size
 * 1088 (end)
 * </pre>
 *
 * <p>The ring protocol, from the header's comment on {@code data_head}: "User-space reading the
 * {@code data_head} value should issue an {@code smp_rmb()} after reading this value. When the mapping is
 * {@code PROT_WRITE} the {@code data_tail} value should be written by userspace to reflect the last read
 * data, after issuing an {@code smp_mb()} to separate the data read from the {@code data_tail} store. In
 * this case the kernel will not over-write unread data." {@code data_head} and {@code data_tail} are free
 * running byte counters; a position maps to {@code data_offset + (pos & (data_size - 1))}.
 *
 * <p>{@code data_offset} and {@code data_size} are filled in by kernels since 4.1; on older kernels they
 * read 0 and the data area is the rest of the mapping after the first page.
 */
public final class PerfMmapPageDescriptor {

    /** {@code __u32 version}. */
    public static final int VERSION_OFFSET = 0;
    /** {@code __u32 compat_version}. */
    public static final int COMPAT_VERSION_OFFSET = 4;
    /** {@code __u32 lock}: seqlock for the self-monitoring fields. */
    public static final int LOCK_OFFSET = 8;
    /** {@code __u32 index}. */
    public static final int INDEX_OFFSET = 12;
    /** {@code __s64 offset}. */
    public static final int OFFSET_OFFSET = 16;
    /** {@code __u64 time_enabled}. */
    public static final int TIME_ENABLED_OFFSET = 24;
    /** {@code __u64 time_running}. */
    public static final int TIME_RUNNING_OFFSET = 32;
    /** {@code __u64 capabilities}. */
    public static final int CAPABILITIES_OFFSET = 40;
    /** {@code __u16 pmc_width}. */
    public static final int PMC_WIDTH_OFFSET = 48;
    /** {@code __u16 time_shift}. */
    public static final int TIME_SHIFT_OFFSET = 50;
    /** {@code __u32 time_mult}. */
    public static final int TIME_MULT_OFFSET = 52;
    /** {@code __u64 time_offset}. */
    public static final int TIME_OFFSET_OFFSET = 56;
    /** {@code __u64 time_zero}. */
    public static final int TIME_ZERO_OFFSET = 64;
    /** {@code __u32 size}: header size up to the {@code __reserved} fields. */
    public static final int SIZE_OFFSET = 72;
    /** {@code __u64 data_head}: written by the kernel; read with acquire semantics. */
    public static final int DATA_HEAD_OFFSET = 1024;
    /** {@code __u64 data_tail}: written by the reader with release semantics (mapping must be writable). */
    public static final int DATA_TAIL_OFFSET = 1032;
    /** {@code __u64 data_offset}: where the data area starts in the mapping (0 on kernels before 4.1). */
    public static final int DATA_OFFSET_OFFSET = 1040;
    /** {@code __u64 data_size}: the data area's size, a power of two (0 on kernels before 4.1). */
    public static final int DATA_SIZE_OFFSET = 1048;
    /** {@code __u64 aux_head}. */
    public static final int AUX_HEAD_OFFSET = 1056;
    /** {@code __u64 aux_tail}. */
    public static final int AUX_TAIL_OFFSET = 1064;
    /** {@code __u64 aux_offset}. */
    public static final int AUX_OFFSET_OFFSET = 1072;
    /** {@code __u64 aux_size}. */
    public static final int AUX_SIZE_OFFSET = 1080;
    /** {@code sizeof(struct perf_event_mmap_page)}; the kernel maps a whole page for it. */
    public static final int LENGTH = 1088;

    private PerfMmapPageDescriptor() {
    }

    /**
     * Checks that a data area size can be used as a ring: a power of two (positions are masked with
     * {@code capacity - 1}) of at least one record header.
     *
     * @param capacity the data area size in bytes
     * @throws IllegalArgumentException naming the value otherwise
     */
    public static void checkCapacity(long capacity) {
        if (capacity < PerfEventHeaderDescriptor.LENGTH || Long.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity=" + capacity
                    + " must be a power of two of at least " + PerfEventHeaderDescriptor.LENGTH + " bytes");
        }
    }

    /**
     * Checks that a segment can serve as the metadata page: large enough for the fields up to
     * {@code data_size}, and 8-byte aligned so that {@code data_head}/{@code data_tail} can be accessed with
     * acquire/release semantics (an aligned access mode; a {@code byte[]}-backed segment is not).
     *
     * @param metadataPage the segment
     * @throws IllegalArgumentException naming the problem otherwise
     */
    public static void checkMetadataPage(MemorySegment metadataPage) {
        if (metadataPage.byteSize() < DATA_SIZE_OFFSET + Long.BYTES) {
            throw new IllegalArgumentException("perf_event_mmap_page segment too small: byteSize="
                    + metadataPage.byteSize() + ", need at least " + (DATA_SIZE_OFFSET + Long.BYTES));
        }
        // Native: the address must be 8-aligned. Heap: only long[]/double[] arrays guarantee 8-byte alignment.
        boolean alignedBase = metadataPage.isNative() || metadataPage.heapBase()
                .filter(base -> base instanceof long[] || base instanceof double[]).isPresent();
        if (!alignedBase || (metadataPage.address() & (Long.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("perf_event_mmap_page segment is not 8-byte aligned: "
                    + metadataPage + " (use a native segment)");
        }
    }

    /**
     * The length to {@code mmap} for a ring of {@code dataPages} pages: one metadata page plus the data.
     *
     * @param pageSize  the system page size
     * @param dataPages data pages, a power of two
     * @return {@code (1 + dataPages) * pageSize}
     * @throws IllegalArgumentException if {@code dataPages} is not a power of two
     */
    public static long mappingLength(int pageSize, int dataPages) {
        if (dataPages <= 0 || Integer.bitCount(dataPages) != 1) {
            throw new IllegalArgumentException("dataPages=" + dataPages + " must be a power of two");
        }
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("pageSize=" + pageSize + " must be a power of two");
        }
        return (1L + dataPages) * pageSize;
    }

    /**
     * The data area of a whole perf mapping: where {@code data_offset}/{@code data_size} say (kernels since
     * 4.1, which fill them in before {@code mmap} returns and never change them), else everything after the
     * first page.
     *
     * @param mapping  the mapping, {@code (1 + 2^n) * pageSize} bytes
     * @param pageSize the system page size
     * @return the data area, a slice of {@code mapping}
     * @throws IllegalArgumentException naming the values when the mapping or the fields are inconsistent
     */
    public static MemorySegment dataArea(MemorySegment mapping, int pageSize) {
        MemorySegment page = metadataPage(mapping, pageSize);
        long offset = page.get(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET_OFFSET);
        long size = page.get(ValueLayout.JAVA_LONG_UNALIGNED, DATA_SIZE_OFFSET);
        long start = offset != 0 ? offset : pageSize;
        long length = size != 0 ? size : mapping.byteSize() - pageSize;
        if (start < LENGTH || length <= 0 || start > mapping.byteSize() - length) {
            throw new IllegalArgumentException("data_offset=" + offset + ", data_size=" + size
                    + " do not fit a perf mapping of byteSize=" + mapping.byteSize());
        }
        return mapping.asSlice(start, length);
    }

    /**
     * The metadata page of a whole perf mapping.
     *
     * @param mapping  the mapping: a metadata page and at least one data page
     * @param pageSize the system page size
     * @return its first page
     * @throws IllegalArgumentException when the page size is not one or the mapping is too small
     */
    public static MemorySegment metadataPage(MemorySegment mapping, int pageSize) {
        if (pageSize < LENGTH || Integer.bitCount(pageSize) != 1 || mapping.byteSize() < 2L * pageSize) {
            throw new IllegalArgumentException("a perf mapping of byteSize=" + mapping.byteSize()
                    + " is not a metadata page and data pages of pageSize=" + pageSize);
        }
        return mapping.asSlice(0, pageSize);
    }
}
