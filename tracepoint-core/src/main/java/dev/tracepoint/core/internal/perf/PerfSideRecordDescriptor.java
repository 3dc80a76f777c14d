package dev.tracepoint.core.internal.perf;

/**
 * Layouts of the records other than samples that a stream reads from its rings (perf's side-band records),
 * from the comments on {@code enum perf_event_type} in {@code include/uapi/linux/perf_event.h}. Offsets are
 * from the record start, header included. With {@code attr.sample_id_all} (an ordered stream sets it) the
 * kernel appends a {@code struct sample_id} to each body; for the stream's {@link PerfSampleDescriptor#SAMPLE_TYPE}
 * it is {@code u32 pid, tid; u64 time; u32 cpu, res;}, the last {@link #SAMPLE_ID_LENGTH} bytes of the record.
 *
 * <pre>
 * PERF_RECORD_COMM:                           PERF_RECORD_FORK, PERF_RECORD_EXIT:
 * struct {                                    struct {
 *     struct perf_event_header header;            struct perf_event_header header;
 *     u32 pid, tid;                               u32 pid, ppid;
 *     char comm[];                                u32 tid, ptid;
 *     struct sample_id sample_id;                 u64 time;
 * };                                              struct sample_id sample_id;
 *                                             };
 * PERF_RECORD_LOST:                           PERF_RECORD_THROTTLE, PERF_RECORD_UNTHROTTLE:
 * struct {                                    struct {
 *     struct perf_event_header header;            struct perf_event_header header;
 *     u64 id;                                     u64 time;
 *     u64 lost;                                   u64 id;
 *     struct sample_id sample_id;                 u64 stream_id;
 * };                                              struct sample_id sample_id;
 *                                             };
 * </pre>
 *
 * <p>The kernel writes {@code comm} NUL-terminated and zero-padded to 8 bytes ({@code perf_event_comm}:
 * {@code size = ALIGN(strlen(comm) + 1, sizeof(u64))}), so a COMM record is at least 24 bytes long.
 */
public final class PerfSideRecordDescriptor {

    /** {@code PERF_RECORD_MISC_COMM_EXEC}: the {@code misc} bit of a COMM record that an {@code exec} wrote. */
    public static final int PERF_RECORD_MISC_COMM_EXEC = 1 << 13;

    /** {@code u32 pid} of a {@code PERF_RECORD_COMM}. */
    public static final int COMM_PID_OFFSET = 8;
    /** {@code u32 tid} of a {@code PERF_RECORD_COMM}. */
    public static final int COMM_TID_OFFSET = 12;
    /** {@code char comm[]} of a {@code PERF_RECORD_COMM}: NUL-terminated, padded to 8 bytes. */
    public static final int COMM_COMM_OFFSET = 16;
    /** The shortest {@code PERF_RECORD_COMM}: header, pid and tid, and one 8-byte block of the name. */
    public static final int COMM_MIN_LENGTH = COMM_COMM_OFFSET + 8;

    /** {@code u32 pid} of a {@code PERF_RECORD_FORK} or {@code PERF_RECORD_EXIT}. */
    public static final int TASK_PID_OFFSET = 8;
    /** {@code u32 ppid} of a {@code PERF_RECORD_FORK} or {@code PERF_RECORD_EXIT}. */
    public static final int TASK_PPID_OFFSET = 12;
    /** {@code u32 tid} of a {@code PERF_RECORD_FORK} or {@code PERF_RECORD_EXIT}. */
    public static final int TASK_TID_OFFSET = 16;
    /** {@code u32 ptid} of a {@code PERF_RECORD_FORK} or {@code PERF_RECORD_EXIT}. */
    public static final int TASK_PTID_OFFSET = 20;
    /** {@code u64 time} of a {@code PERF_RECORD_FORK} or {@code PERF_RECORD_EXIT}. */
    public static final int TASK_TIME_OFFSET = 24;
    /** A {@code PERF_RECORD_FORK} or {@code PERF_RECORD_EXIT} without {@code sample_id}. */
    public static final int TASK_LENGTH = 32;

    /** {@code u64 id} of a {@code PERF_RECORD_LOST}: the id of the event whose samples were lost. */
    public static final int LOST_ID_OFFSET = 8;
    /** {@code u64 lost} of a {@code PERF_RECORD_LOST}: the number of dropped samples. */
    public static final int LOST_LOST_OFFSET = 16;
    /** A {@code PERF_RECORD_LOST} without {@code sample_id}. */
    public static final int LOST_LENGTH = 24;

    /** {@code u64 time} of a {@code PERF_RECORD_THROTTLE} or {@code PERF_RECORD_UNTHROTTLE}. */
    public static final int THROTTLE_TIME_OFFSET = 8;
    /** {@code u64 id} of a {@code PERF_RECORD_THROTTLE} or {@code PERF_RECORD_UNTHROTTLE}. */
    public static final int THROTTLE_ID_OFFSET = 16;
    /** {@code u64 stream_id} of a {@code PERF_RECORD_THROTTLE} or {@code PERF_RECORD_UNTHROTTLE}. */
    public static final int THROTTLE_STREAM_ID_OFFSET = 24;
    /** A {@code PERF_RECORD_THROTTLE} or {@code PERF_RECORD_UNTHROTTLE} without {@code sample_id}. */
    public static final int THROTTLE_LENGTH = 32;

    /**
     * {@code struct sample_id} for {@link PerfSampleDescriptor#SAMPLE_TYPE} ({@code TID | TIME | CPU}; the
     * {@code RAW} bit adds nothing to it): {@code u32 pid, tid; u64 time; u32 cpu, res;}, the record's last bytes.
     */
    public static final int SAMPLE_ID_LENGTH = 24;
    /** {@code u64 time} of a {@code struct sample_id}, from the trailer's start. */
    public static final int SAMPLE_ID_TIME_OFFSET = 8;

    private PerfSideRecordDescriptor() {
    }

    /**
     * The length of a {@code PERF_RECORD_COMM} without {@code sample_id} for a name of {@code nameLength}
     * bytes, as the kernel sizes it: the name, its NUL and zero padding to 8 bytes.
     *
     * @param nameLength bytes of the name, without the NUL
     * @return the record length, a multiple of 8 and at least {@link #COMM_MIN_LENGTH}
     * @throws IllegalArgumentException if the record would not fit {@code header.size}
     */
    public static int commLength(int nameLength) {
        checkCommName(nameLength);
        return (int) paddedCommLength(nameLength);
    }

    /**
     * Checks that a name of {@code nameLength} bytes fits a {@code PERF_RECORD_COMM}, whose size is a
     * {@code __u16}.
     *
     * @param nameLength bytes of the name, without the NUL
     * @throws IllegalArgumentException naming the length otherwise
     */
    public static void checkCommName(int nameLength) {
        if (nameLength < 0 || paddedCommLength(nameLength) > PerfEventHeaderDescriptor.MAX_RECORD_LENGTH) {
            throw new IllegalArgumentException("comm of " + nameLength
                    + " bytes does not fit a PERF_RECORD_COMM of at most "
                    + PerfEventHeaderDescriptor.MAX_RECORD_LENGTH + " bytes");
        }
    }

    private static long paddedCommLength(int nameLength) {
        long align = PerfEventHeaderDescriptor.ALIGNMENT;
        return (COMM_COMM_OFFSET + (long) nameLength + 1 + align - 1) & -align;
    }
}
