package dev.tracepoint.core.internal.perf;

/**
 * {@code enum perf_event_type} from {@code include/uapi/linux/perf_event.h}: the {@code type} of a record in
 * a perf ring ({@link PerfEventHeaderDescriptor#TYPE_OFFSET}). Types this library does not know must be
 * skipped by {@code header.size}, never treated as corruption: newer kernels add types.
 */
public final class PerfRecordType {

    /** {@code PERF_RECORD_MMAP}: an executable mapping ({@code attr.mmap}). */
    public static final int PERF_RECORD_MMAP = 1;
    /**
     * {@code PERF_RECORD_LOST}: the kernel dropped samples because the ring was full.
     * Body: {@code u64 id; u64 lost;} then {@code struct sample_id} if {@code sample_id_all}
     * ({@link PerfSideRecordDescriptor}).
     */
    public static final int PERF_RECORD_LOST = 2;
    /** {@code PERF_RECORD_COMM}: a task's name ({@link PerfSideRecordDescriptor}). */
    public static final int PERF_RECORD_COMM = 3;
    /** {@code PERF_RECORD_EXIT}: a task ended ({@link PerfSideRecordDescriptor}). */
    public static final int PERF_RECORD_EXIT = 4;
    /** {@code PERF_RECORD_THROTTLE} ({@link PerfSideRecordDescriptor}). */
    public static final int PERF_RECORD_THROTTLE = 5;
    /** {@code PERF_RECORD_UNTHROTTLE}. */
    public static final int PERF_RECORD_UNTHROTTLE = 6;
    /** {@code PERF_RECORD_FORK}: a task was created ({@link PerfSideRecordDescriptor}). */
    public static final int PERF_RECORD_FORK = 7;
    /** {@code PERF_RECORD_READ}. */
    public static final int PERF_RECORD_READ = 8;
    /** {@code PERF_RECORD_SAMPLE}: one sample; body laid out by {@code attr.sample_type}. */
    public static final int PERF_RECORD_SAMPLE = 9;
    /** {@code PERF_RECORD_MMAP2}. */
    public static final int PERF_RECORD_MMAP2 = 10;
    /** {@code PERF_RECORD_AUX}. */
    public static final int PERF_RECORD_AUX = 11;
    /** {@code PERF_RECORD_ITRACE_START}. */
    public static final int PERF_RECORD_ITRACE_START = 12;
    /** {@code PERF_RECORD_LOST_SAMPLES}: body {@code u64 lost;} (AUX/hardware tracing). */
    public static final int PERF_RECORD_LOST_SAMPLES = 13;
    /** {@code PERF_RECORD_SWITCH}. */
    public static final int PERF_RECORD_SWITCH = 14;
    /** {@code PERF_RECORD_SWITCH_CPU_WIDE}. */
    public static final int PERF_RECORD_SWITCH_CPU_WIDE = 15;
    /** {@code PERF_RECORD_NAMESPACES}. */
    public static final int PERF_RECORD_NAMESPACES = 16;
    /** {@code PERF_RECORD_KSYMBOL}. */
    public static final int PERF_RECORD_KSYMBOL = 17;
    /** {@code PERF_RECORD_BPF_EVENT}. */
    public static final int PERF_RECORD_BPF_EVENT = 18;
    /** {@code PERF_RECORD_CGROUP}. */
    public static final int PERF_RECORD_CGROUP = 19;
    /** {@code PERF_RECORD_TEXT_POKE}. */
    public static final int PERF_RECORD_TEXT_POKE = 20;
    /** {@code PERF_RECORD_AUX_OUTPUT_HW_ID}. */
    public static final int PERF_RECORD_AUX_OUTPUT_HW_ID = 21;
    /** {@code PERF_RECORD_CALLCHAIN_DEFERRED} (deferred user callchains, newest kernels). */
    public static final int PERF_RECORD_CALLCHAIN_DEFERRED = 22;

    private static final String[] NAMES = {
        null, "PERF_RECORD_MMAP", "PERF_RECORD_LOST", "PERF_RECORD_COMM", "PERF_RECORD_EXIT",
        "PERF_RECORD_THROTTLE", "PERF_RECORD_UNTHROTTLE", "PERF_RECORD_FORK", "PERF_RECORD_READ",
        "PERF_RECORD_SAMPLE", "PERF_RECORD_MMAP2", "PERF_RECORD_AUX", "PERF_RECORD_ITRACE_START",
        "PERF_RECORD_LOST_SAMPLES", "PERF_RECORD_SWITCH", "PERF_RECORD_SWITCH_CPU_WIDE",
        "PERF_RECORD_NAMESPACES", "PERF_RECORD_KSYMBOL", "PERF_RECORD_BPF_EVENT", "PERF_RECORD_CGROUP",
        "PERF_RECORD_TEXT_POKE", "PERF_RECORD_AUX_OUTPUT_HW_ID", "PERF_RECORD_CALLCHAIN_DEFERRED",
    };

    private PerfRecordType() {
    }

    /**
     * The kernel name of a record type, for diagnostics.
     *
     * @param type {@code perf_event_header.type}
     * @return for instance {@code "PERF_RECORD_SAMPLE"}; {@code "PERF_RECORD_<n>"} for a type not listed here
     */
    public static String name(int type) {
        return type > 0 && type < NAMES.length ? NAMES[type] : "PERF_RECORD_" + Integer.toUnsignedString(type);
    }
}
