package dev.tracepoint.core.internal.perf;

/**
 * Layout of {@code struct perf_event_header} from {@code include/uapi/linux/perf_event.h}, the 8 bytes in
 * front of every record in a perf ring:
 *
 * <pre>
 * struct perf_event_header {
 *     __u32 type;   // PERF_RECORD_*, see PerfRecordType
 *     __u16 misc;   // PERF_RECORD_MISC_* bits
 *     __u16 size;   // of the whole record, header included
 * };
 * </pre>
 *
 * <p>The kernel keeps every record 8-byte aligned and sized (it rounds {@code PERF_SAMPLE_RAW} up), so in a
 * ring whose positions start at 0 a header never straddles the end of the data area; a record's body may.
 */
public final class PerfEventHeaderDescriptor {

    /** {@code __u32 type}. */
    public static final int TYPE_OFFSET = 0;
    /** {@code __u16 misc}. */
    public static final int MISC_OFFSET = 4;
    /** {@code __u16 size}: bytes of the whole record, header included. */
    public static final int SIZE_OFFSET = 6;
    /** {@code sizeof(struct perf_event_header)}. */
    public static final int LENGTH = 8;
    /** Records are aligned to, and sized in multiples of, this many bytes. */
    public static final int ALIGNMENT = 8;
    /** The largest possible record: {@code size} is a {@code __u16}. */
    public static final int MAX_RECORD_LENGTH = 0xFFFF;
    /** {@code PERF_RECORD_MISC_KERNEL}: a {@code misc} value (CPU mode) of a sample taken in the kernel. */
    public static final int PERF_RECORD_MISC_KERNEL = 1;

    private static final boolean BIG_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN;

    private PerfEventHeaderDescriptor() {
    }

    /**
     * @param header the 8 header bytes read as one native-order {@code long} (one memory access instead of
     *               three)
     * @return {@code type}
     */
    public static int type(long header) {
        return BIG_ENDIAN ? (int) (header >>> 32) : (int) header;
    }

    /**
     * @param header the header read as one native-order {@code long}
     * @return {@code misc}
     */
    public static int misc(long header) {
        return BIG_ENDIAN ? (int) (header >>> 16) & 0xffff : (int) (header >>> 32) & 0xffff;
    }

    /**
     * @param header the header read as one native-order {@code long}
     * @return {@code size}
     */
    public static int size(long header) {
        return BIG_ENDIAN ? (int) header & 0xffff : (int) (header >>> 48);
    }
}
