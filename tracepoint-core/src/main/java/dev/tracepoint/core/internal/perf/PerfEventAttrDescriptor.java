package dev.tracepoint.core.internal.perf;

import java.lang.foreign.MemorySegment;

/**
 * Layout of {@code struct perf_event_attr} from the kernel's {@code include/uapi/linux/perf_event.h}, plus
 * the constants of that header that go with it: {@code attr.type}, {@code sample_type} and
 * {@code read_format} bits, the bitfield flags, {@code perf_event_open} flags and the ioctl requests.
 *
 * <p>The struct has the same layout on every 64-bit little-endian architecture (only fixed-size {@code __u32}
 * and {@code __u64} members, naturally aligned). The offsets below were checked against the uapi header with
 * {@code offsetof} and against the header's history up to {@link #PERF_ATTR_SIZE_VER8} ({@code config3}).
 *
 * <pre>
 *   0 u32 type                 4 u32 size                8 u64 config
 *  16 u64 sample_period | sample_freq                   24 u64 sample_type
 *  32 u64 read_format         40 u64 flags (bitfields: disabled, inherit, ...)
 *  48 u32 wakeup_events | wakeup_watermark              52 u32 bp_type
 *  56 u64 config1 (bp_addr)   64 u64 config2 (bp_len)   72 u64 branch_sample_type
 *  80 u64 sample_regs_user    88 u32 sample_stack_user  92 s32 clockid
 *  96 u64 sample_regs_intr   104 u32 aux_watermark     108 u16 sample_max_stack  110 u16 __reserved_2
 * 112 u32 aux_sample_size    116 u32 __reserved_3      120 u64 sig_data          128 u64 config3
 * 136 (end of PERF_ATTR_SIZE_VER8)
 * </pre>
 *
 * <p>The kernel accepts an {@code attr.size} larger than it knows as long as the extra bytes are zero
 * ({@code perf_copy_attr} → {@code copy_struct_from_user}), and a smaller one as an older ABI version, so
 * {@link #LENGTH} works on old and new kernels alike.
 */
public final class PerfEventAttrDescriptor {

    // ---- struct perf_event_attr: offsets ------------------------------------------------------------------

    /** {@code __u32 type}: {@link #PERF_TYPE_TRACEPOINT} and friends. */
    public static final int TYPE_OFFSET = 0;
    /** {@code __u32 size}: the size of the struct the caller passes, for forward/backward compatibility. */
    public static final int SIZE_OFFSET = 4;
    /** {@code __u64 config}: for tracepoints, the tracepoint id from tracefs {@code events/SYS/NAME/id}. */
    public static final int CONFIG_OFFSET = 8;
    /** {@code __u64 sample_period}: take a sample every N events (1 for tracepoints). */
    public static final int SAMPLE_PERIOD_OFFSET = 16;
    /** {@code __u64 sample_freq}: the same word when {@link #FLAG_FREQ} is set. */
    public static final int SAMPLE_FREQ_OFFSET = 16;
    /** {@code __u64 sample_type}: {@code PERF_SAMPLE_*} bits, what each sample record holds. */
    public static final int SAMPLE_TYPE_OFFSET = 24;
    /** {@code __u64 read_format}: {@code PERF_FORMAT_*} bits, what {@code read(2)} returns. */
    public static final int READ_FORMAT_OFFSET = 32;
    /** The {@code __u64} holding the bitfields {@code disabled}, {@code inherit}, ...: {@code FLAG_*}. */
    public static final int FLAGS_OFFSET = 40;
    /** {@code __u32 wakeup_events}: wake up every N samples. */
    public static final int WAKEUP_EVENTS_OFFSET = 48;
    /** {@code __u32 wakeup_watermark}: the same word when {@link #FLAG_WATERMARK} is set, in bytes. */
    public static final int WAKEUP_WATERMARK_OFFSET = 48;
    /** {@code __u32 bp_type}. */
    public static final int BP_TYPE_OFFSET = 52;
    /** {@code __u64 config1} (also {@code bp_addr}, {@code kprobe_func}, {@code uprobe_path}). */
    public static final int CONFIG1_OFFSET = 56;
    /** {@code __u64 config2} (also {@code bp_len}, {@code kprobe_addr}, {@code probe_offset}). */
    public static final int CONFIG2_OFFSET = 64;
    /** {@code __u64 branch_sample_type}. */
    public static final int BRANCH_SAMPLE_TYPE_OFFSET = 72;
    /** {@code __u64 sample_regs_user}. */
    public static final int SAMPLE_REGS_USER_OFFSET = 80;
    /** {@code __u32 sample_stack_user}. */
    public static final int SAMPLE_STACK_USER_OFFSET = 88;
    /** {@code __s32 clockid}: the clock of {@code PERF_SAMPLE_TIME} when {@link #FLAG_USE_CLOCKID} is set. */
    public static final int CLOCKID_OFFSET = 92;
    /** {@code __u64 sample_regs_intr}. */
    public static final int SAMPLE_REGS_INTR_OFFSET = 96;
    /** {@code __u32 aux_watermark}. */
    public static final int AUX_WATERMARK_OFFSET = 104;
    /** {@code __u16 sample_max_stack}. */
    public static final int SAMPLE_MAX_STACK_OFFSET = 108;
    /** {@code __u32 aux_sample_size}. */
    public static final int AUX_SAMPLE_SIZE_OFFSET = 112;
    /** {@code __u64 sig_data}. */
    public static final int SIG_DATA_OFFSET = 120;
    /** {@code __u64 config3}. */
    public static final int CONFIG3_OFFSET = 128;

    // ---- attr.size versions -------------------------------------------------------------------------------

    /** First published struct. */
    public static final int PERF_ATTR_SIZE_VER0 = 64;
    /** Adds {@code config2}. */
    public static final int PERF_ATTR_SIZE_VER1 = 72;
    /** Adds {@code branch_sample_type}. */
    public static final int PERF_ATTR_SIZE_VER2 = 80;
    /** Adds {@code sample_regs_user}, {@code sample_stack_user}. */
    public static final int PERF_ATTR_SIZE_VER3 = 96;
    /** Adds {@code sample_regs_intr}. */
    public static final int PERF_ATTR_SIZE_VER4 = 104;
    /** Adds {@code aux_watermark}. */
    public static final int PERF_ATTR_SIZE_VER5 = 112;
    /** Adds {@code aux_sample_size}. */
    public static final int PERF_ATTR_SIZE_VER6 = 120;
    /** Adds {@code sig_data}. */
    public static final int PERF_ATTR_SIZE_VER7 = 128;
    /** Adds {@code config3} (Linux 6.3). */
    public static final int PERF_ATTR_SIZE_VER8 = 136;
    /**
     * The size this library writes into {@code attr.size} and allocates: everything it sets lies well inside
     * it, and older kernels accept it because the bytes they do not know are zero.
     */
    public static final int LENGTH = PERF_ATTR_SIZE_VER8;

    // ---- attr.type (enum perf_type_id) ---------------------------------------------------------------------

    /** {@code PERF_TYPE_HARDWARE}. */
    public static final int PERF_TYPE_HARDWARE = 0;
    /** {@code PERF_TYPE_SOFTWARE}. */
    public static final int PERF_TYPE_SOFTWARE = 1;
    /** {@code PERF_TYPE_TRACEPOINT}: {@code config} is a tracepoint id. */
    public static final int PERF_TYPE_TRACEPOINT = 2;

    /**
     * {@code PERF_COUNT_SW_DUMMY}: a {@link #PERF_TYPE_SOFTWARE} event that counts and samples nothing; a
     * scoped stream's per-CPU ring owner (the ring and wakeups are its, the scoped events write into it).
     */
    public static final long PERF_COUNT_SW_DUMMY = 9;

    // ---- sample_type (enum perf_event_sample_format) --------------------------------------------------------

    /** {@code u64 ip}. */
    public static final long PERF_SAMPLE_IP = 1L << 0;
    /** {@code u32 pid, tid}. */
    public static final long PERF_SAMPLE_TID = 1L << 1;
    /** {@code u64 time} (the perf clock, or {@code attr.clockid}). */
    public static final long PERF_SAMPLE_TIME = 1L << 2;
    /** {@code u64 addr}. */
    public static final long PERF_SAMPLE_ADDR = 1L << 3;
    /** {@code struct read_format values}. */
    public static final long PERF_SAMPLE_READ = 1L << 4;
    /** {@code u64 nr, ips[nr]}. */
    public static final long PERF_SAMPLE_CALLCHAIN = 1L << 5;
    /** {@code u64 id} (the event id of {@code PERF_EVENT_IOC_ID}), after TIME/ADDR. */
    public static final long PERF_SAMPLE_ID = 1L << 6;
    /** {@code u32 cpu, res}. */
    public static final long PERF_SAMPLE_CPU = 1L << 7;
    /** {@code u64 period}. */
    public static final long PERF_SAMPLE_PERIOD = 1L << 8;
    /** {@code u64 stream_id}. */
    public static final long PERF_SAMPLE_STREAM_ID = 1L << 9;
    /** {@code u32 size, char data[size]}: the raw tracepoint record, padded to keep the sample 8-aligned. */
    public static final long PERF_SAMPLE_RAW = 1L << 10;
    /** {@code PERF_SAMPLE_BRANCH_STACK}. */
    public static final long PERF_SAMPLE_BRANCH_STACK = 1L << 11;
    /** {@code PERF_SAMPLE_REGS_USER}. */
    public static final long PERF_SAMPLE_REGS_USER = 1L << 12;
    /** {@code PERF_SAMPLE_STACK_USER}. */
    public static final long PERF_SAMPLE_STACK_USER = 1L << 13;
    /** {@code PERF_SAMPLE_WEIGHT}. */
    public static final long PERF_SAMPLE_WEIGHT = 1L << 14;
    /** {@code PERF_SAMPLE_DATA_SRC}. */
    public static final long PERF_SAMPLE_DATA_SRC = 1L << 15;
    /** {@code u64 id} as the first word after the header, at a fixed position in every sample. */
    public static final long PERF_SAMPLE_IDENTIFIER = 1L << 16;
    /** {@code PERF_SAMPLE_TRANSACTION}. */
    public static final long PERF_SAMPLE_TRANSACTION = 1L << 17;
    /** {@code PERF_SAMPLE_REGS_INTR}. */
    public static final long PERF_SAMPLE_REGS_INTR = 1L << 18;
    /** {@code PERF_SAMPLE_PHYS_ADDR}. */
    public static final long PERF_SAMPLE_PHYS_ADDR = 1L << 19;
    /** {@code PERF_SAMPLE_AUX}. */
    public static final long PERF_SAMPLE_AUX = 1L << 20;
    /** {@code PERF_SAMPLE_CGROUP}. */
    public static final long PERF_SAMPLE_CGROUP = 1L << 21;

    // ---- read_format (enum perf_event_read_format) ---------------------------------------------------------

    /** {@code PERF_FORMAT_TOTAL_TIME_ENABLED}. */
    public static final long PERF_FORMAT_TOTAL_TIME_ENABLED = 1L << 0;
    /** {@code PERF_FORMAT_TOTAL_TIME_RUNNING}. */
    public static final long PERF_FORMAT_TOTAL_TIME_RUNNING = 1L << 1;
    /** {@code PERF_FORMAT_ID}. */
    public static final long PERF_FORMAT_ID = 1L << 2;
    /** {@code PERF_FORMAT_GROUP}. */
    public static final long PERF_FORMAT_GROUP = 1L << 3;
    /** {@code PERF_FORMAT_LOST}. */
    public static final long PERF_FORMAT_LOST = 1L << 4;

    // ---- the bitfield word at FLAGS_OFFSET, in declaration order (bit 0 first on little-endian) ------------

    /** {@code disabled}: off by default; enable with {@code PERF_EVENT_IOC_ENABLE}. */
    public static final long FLAG_DISABLED = 1L << 0;
    /** {@code inherit}: children inherit it. */
    public static final long FLAG_INHERIT = 1L << 1;
    /** {@code pinned}. */
    public static final long FLAG_PINNED = 1L << 2;
    /** {@code exclusive}. */
    public static final long FLAG_EXCLUSIVE = 1L << 3;
    /** {@code exclude_user}. */
    public static final long FLAG_EXCLUDE_USER = 1L << 4;
    /** {@code exclude_kernel}. */
    public static final long FLAG_EXCLUDE_KERNEL = 1L << 5;
    /** {@code exclude_hv}. */
    public static final long FLAG_EXCLUDE_HV = 1L << 6;
    /** {@code exclude_idle}. */
    public static final long FLAG_EXCLUDE_IDLE = 1L << 7;
    /** {@code mmap}: emit {@code PERF_RECORD_MMAP}. */
    public static final long FLAG_MMAP = 1L << 8;
    /** {@code comm}: emit {@code PERF_RECORD_COMM}. */
    public static final long FLAG_COMM = 1L << 9;
    /** {@code freq}: {@code sample_freq} instead of {@code sample_period}. */
    public static final long FLAG_FREQ = 1L << 10;
    /** {@code inherit_stat}. */
    public static final long FLAG_INHERIT_STAT = 1L << 11;
    /** {@code enable_on_exec}. */
    public static final long FLAG_ENABLE_ON_EXEC = 1L << 12;
    /** {@code task}: emit {@code PERF_RECORD_FORK}/{@code EXIT}. */
    public static final long FLAG_TASK = 1L << 13;
    /** {@code watermark}: the word at 48 is {@code wakeup_watermark} (bytes), not {@code wakeup_events}. */
    public static final long FLAG_WATERMARK = 1L << 14;
    /** Shift of the two-bit {@code precise_ip} field. */
    public static final int PRECISE_IP_SHIFT = 15;
    /** Mask of the two-bit {@code precise_ip} field. */
    public static final long PRECISE_IP_MASK = 3L << PRECISE_IP_SHIFT;
    /** {@code mmap_data}. */
    public static final long FLAG_MMAP_DATA = 1L << 17;
    /** {@code sample_id_all}: append {@code struct sample_id} to non-sample records. */
    public static final long FLAG_SAMPLE_ID_ALL = 1L << 18;
    /** {@code exclude_host}. */
    public static final long FLAG_EXCLUDE_HOST = 1L << 19;
    /** {@code exclude_guest}. */
    public static final long FLAG_EXCLUDE_GUEST = 1L << 20;
    /** {@code exclude_callchain_kernel}. */
    public static final long FLAG_EXCLUDE_CALLCHAIN_KERNEL = 1L << 21;
    /** {@code exclude_callchain_user}. */
    public static final long FLAG_EXCLUDE_CALLCHAIN_USER = 1L << 22;
    /** {@code mmap2}. */
    public static final long FLAG_MMAP2 = 1L << 23;
    /** {@code comm_exec}. */
    public static final long FLAG_COMM_EXEC = 1L << 24;
    /** {@code use_clockid}: {@code PERF_SAMPLE_TIME} uses {@code attr.clockid}. */
    public static final long FLAG_USE_CLOCKID = 1L << 25;
    /** {@code context_switch}. */
    public static final long FLAG_CONTEXT_SWITCH = 1L << 26;
    /**
     * {@code write_backward}: the ring is written downwards ({@code data_head} decreases); with a read-only
     * mapping, overwrite mode (read by {@code BackwardRing}, not {@code PerfRing}).
     */
    public static final long FLAG_WRITE_BACKWARD = 1L << 27;
    /** {@code namespaces}. */
    public static final long FLAG_NAMESPACES = 1L << 28;
    /** {@code ksymbol}. */
    public static final long FLAG_KSYMBOL = 1L << 29;
    /** {@code bpf_event}. */
    public static final long FLAG_BPF_EVENT = 1L << 30;
    /** {@code aux_output}. */
    public static final long FLAG_AUX_OUTPUT = 1L << 31;
    /** {@code cgroup}. */
    public static final long FLAG_CGROUP = 1L << 32;
    /** {@code text_poke}. */
    public static final long FLAG_TEXT_POKE = 1L << 33;
    /** {@code build_id}. */
    public static final long FLAG_BUILD_ID = 1L << 34;
    /** {@code inherit_thread}. */
    public static final long FLAG_INHERIT_THREAD = 1L << 35;
    /** {@code remove_on_exec}. */
    public static final long FLAG_REMOVE_ON_EXEC = 1L << 36;
    /** {@code sigtrap}. */
    public static final long FLAG_SIGTRAP = 1L << 37;

    // ---- perf_event_open(2) flags ---------------------------------------------------------------------------

    /** {@code PERF_FLAG_FD_NO_GROUP}. */
    public static final long PERF_FLAG_FD_NO_GROUP = 1L << 0;
    /** {@code PERF_FLAG_FD_OUTPUT}. */
    public static final long PERF_FLAG_FD_OUTPUT = 1L << 1;
    /** {@code PERF_FLAG_PID_CGROUP}: {@code pid} is a cgroup directory fd (per-CPU mode only). */
    public static final long PERF_FLAG_PID_CGROUP = 1L << 2;
    /** {@code PERF_FLAG_FD_CLOEXEC}: the new fd gets {@code O_CLOEXEC}. */
    public static final long PERF_FLAG_FD_CLOEXEC = 1L << 3;

    // ---- ioctl requests ------------------------------------------------------------------------------------
    // _IO/_IOR/_IOW('$', nr, type) with the asm-generic encoding dir<<30 | size<<16 | '$'<<8 | nr, which
    // x86_64 and aarch64 share (powerpc, mips and sparc encode the direction differently).

    /** {@code PERF_EVENT_IOC_ENABLE} = {@code _IO('$', 0)}. */
    public static final long PERF_EVENT_IOC_ENABLE = 0x2400L;
    /** {@code PERF_EVENT_IOC_DISABLE} = {@code _IO('$', 1)}. */
    public static final long PERF_EVENT_IOC_DISABLE = 0x2401L;
    /** {@code PERF_EVENT_IOC_REFRESH} = {@code _IO('$', 2)}. */
    public static final long PERF_EVENT_IOC_REFRESH = 0x2402L;
    /** {@code PERF_EVENT_IOC_RESET} = {@code _IO('$', 3)}. */
    public static final long PERF_EVENT_IOC_RESET = 0x2403L;
    /** {@code PERF_EVENT_IOC_PERIOD} = {@code _IOW('$', 4, __u64)}. */
    public static final long PERF_EVENT_IOC_PERIOD = 0x40082404L;
    /** {@code PERF_EVENT_IOC_SET_OUTPUT} = {@code _IO('$', 5)}. */
    public static final long PERF_EVENT_IOC_SET_OUTPUT = 0x2405L;
    /** {@code PERF_EVENT_IOC_SET_FILTER} = {@code _IOW('$', 6, char *)}. */
    public static final long PERF_EVENT_IOC_SET_FILTER = 0x40082406L;
    /** {@code PERF_EVENT_IOC_ID} = {@code _IOR('$', 7, __u64 *)}. */
    public static final long PERF_EVENT_IOC_ID = 0x80082407L;
    /** {@code PERF_EVENT_IOC_SET_BPF} = {@code _IOW('$', 8, __u32)}. */
    public static final long PERF_EVENT_IOC_SET_BPF = 0x40042408L;
    /** {@code PERF_EVENT_IOC_PAUSE_OUTPUT} = {@code _IOW('$', 9, __u32)}. */
    public static final long PERF_EVENT_IOC_PAUSE_OUTPUT = 0x40042409L;

    private PerfEventAttrDescriptor() {
    }

    /**
     * The name of an ioctl request of this class, for error messages.
     *
     * @param request the request number
     * @return for instance {@code "PERF_EVENT_IOC_SET_FILTER"}, or the number in hex when unknown
     */
    public static String ioctlName(long request) {
        if (request == PERF_EVENT_IOC_ENABLE) {
            return "PERF_EVENT_IOC_ENABLE";
        } else if (request == PERF_EVENT_IOC_DISABLE) {
            return "PERF_EVENT_IOC_DISABLE";
        } else if (request == PERF_EVENT_IOC_REFRESH) {
            return "PERF_EVENT_IOC_REFRESH";
        } else if (request == PERF_EVENT_IOC_RESET) {
            return "PERF_EVENT_IOC_RESET";
        } else if (request == PERF_EVENT_IOC_PERIOD) {
            return "PERF_EVENT_IOC_PERIOD";
        } else if (request == PERF_EVENT_IOC_SET_OUTPUT) {
            return "PERF_EVENT_IOC_SET_OUTPUT";
        } else if (request == PERF_EVENT_IOC_SET_FILTER) {
            return "PERF_EVENT_IOC_SET_FILTER";
        } else if (request == PERF_EVENT_IOC_ID) {
            return "PERF_EVENT_IOC_ID";
        } else if (request == PERF_EVENT_IOC_SET_BPF) {
            return "PERF_EVENT_IOC_SET_BPF";
        } else if (request == PERF_EVENT_IOC_PAUSE_OUTPUT) {
            return "PERF_EVENT_IOC_PAUSE_OUTPUT";
        }
        return "0x" + Long.toHexString(request);
    }

    /**
     * Checks that a segment can hold an attr of {@link #LENGTH} bytes.
     *
     * @param attr the segment
     * @throws IllegalArgumentException if it is smaller, naming both sizes
     */
    public static void checkLength(MemorySegment attr) {
        if (attr.byteSize() < LENGTH) {
            throw new IllegalArgumentException("perf_event_attr segment too small: byteSize=" + attr.byteSize()
                    + ", need " + LENGTH);
        }
    }
}
