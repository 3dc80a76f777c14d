package dev.tracepoint.core.internal.ring;

import static dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor.DATA_OFFSET_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor.DATA_SIZE_OFFSET;

import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where the two parts of a real perf mapping are, for {@link PerfRing}'s constructor: the metadata page
 * ({@code struct perf_event_mmap_page}) at the start, and the data area that {@code data_offset} and
 * {@code data_size} give (4.1+), or everything after the first page on an older kernel; with the checks that
 * the mapping and the page size can hold them. Stateless.
 */
final class RingLayout {

    private RingLayout() {
    }

    /** The metadata page: the first page of the mapping. */
    static MemorySegment metadataPageOf(MemorySegment mapping, int pageSize) {
        checkMapping(mapping, pageSize);
        return mapping.asSlice(0, pageSize);
    }

    /** The data area, as the metadata page places it. */
    static MemorySegment dataAreaOf(MemorySegment mapping, int pageSize) {
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
}
