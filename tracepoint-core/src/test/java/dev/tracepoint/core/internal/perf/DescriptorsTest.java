package dev.tracepoint.core.internal.perf;

import static dev.tracepoint.core.internal.perf.PerfEventAttrDescriptor.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Layout constants against the uapi header's definitions, and the attr writer. */
class DescriptorsTest {

    /** {@code _IOC(dir, type, nr, size)} of asm-generic/ioctl.h: dir 0 none, 1 write, 2 read. */
    private static long ioc(int dir, char type, int nr, int size) {
        return ((long) dir << 30) | ((long) size << 16) | ((long) type << 8) | nr;
    }

    @Test
    void ioctlRequestsMatchTheirIocDefinitions() {
        assertThat(PERF_EVENT_IOC_ENABLE).isEqualTo(ioc(0, '$', 0, 0));
        assertThat(PERF_EVENT_IOC_DISABLE).isEqualTo(ioc(0, '$', 1, 0));
        assertThat(PERF_EVENT_IOC_REFRESH).isEqualTo(ioc(0, '$', 2, 0));
        assertThat(PERF_EVENT_IOC_RESET).isEqualTo(ioc(0, '$', 3, 0));
        assertThat(PERF_EVENT_IOC_PERIOD).isEqualTo(ioc(1, '$', 4, 8));
        assertThat(PERF_EVENT_IOC_SET_OUTPUT).isEqualTo(ioc(0, '$', 5, 0));
        assertThat(PERF_EVENT_IOC_SET_FILTER).isEqualTo(ioc(1, '$', 6, 8));
        assertThat(PERF_EVENT_IOC_ID).isEqualTo(ioc(2, '$', 7, 8));
        assertThat(PERF_EVENT_IOC_SET_BPF).isEqualTo(ioc(1, '$', 8, 4));
        assertThat(PERF_EVENT_IOC_PAUSE_OUTPUT).isEqualTo(ioc(1, '$', 9, 4));
        assertThat(ioctlName(PERF_EVENT_IOC_SET_FILTER)).isEqualTo("PERF_EVENT_IOC_SET_FILTER");
        assertThat(ioctlName(0x1234)).isEqualTo("0x1234");
    }

    @Test
    void attrOffsetsFollowTheStruct() {
        // Each member starts where the previous one ends (naturally aligned, no padding).
        assertThat(SIZE_OFFSET).isEqualTo(TYPE_OFFSET + 4);
        assertThat(CONFIG_OFFSET).isEqualTo(SIZE_OFFSET + 4);
        assertThat(SAMPLE_PERIOD_OFFSET).isEqualTo(CONFIG_OFFSET + 8);
        assertThat(SAMPLE_TYPE_OFFSET).isEqualTo(SAMPLE_PERIOD_OFFSET + 8);
        assertThat(READ_FORMAT_OFFSET).isEqualTo(SAMPLE_TYPE_OFFSET + 8);
        assertThat(FLAGS_OFFSET).isEqualTo(READ_FORMAT_OFFSET + 8);
        assertThat(WAKEUP_EVENTS_OFFSET).isEqualTo(FLAGS_OFFSET + 8);
        assertThat(BP_TYPE_OFFSET).isEqualTo(WAKEUP_EVENTS_OFFSET + 4);
        assertThat(CONFIG1_OFFSET).isEqualTo(BP_TYPE_OFFSET + 4);
        assertThat(CONFIG2_OFFSET).isEqualTo(CONFIG1_OFFSET + 8);
        assertThat(BRANCH_SAMPLE_TYPE_OFFSET).isEqualTo(CONFIG2_OFFSET + 8);
        assertThat(SAMPLE_REGS_USER_OFFSET).isEqualTo(BRANCH_SAMPLE_TYPE_OFFSET + 8);
        assertThat(SAMPLE_STACK_USER_OFFSET).isEqualTo(SAMPLE_REGS_USER_OFFSET + 8);
        assertThat(CLOCKID_OFFSET).isEqualTo(SAMPLE_STACK_USER_OFFSET + 4);
        assertThat(SAMPLE_REGS_INTR_OFFSET).isEqualTo(CLOCKID_OFFSET + 4);
        assertThat(AUX_WATERMARK_OFFSET).isEqualTo(SAMPLE_REGS_INTR_OFFSET + 8);
        assertThat(SAMPLE_MAX_STACK_OFFSET).isEqualTo(AUX_WATERMARK_OFFSET + 4);
        assertThat(AUX_SAMPLE_SIZE_OFFSET).isEqualTo(SAMPLE_MAX_STACK_OFFSET + 2 + 2);
        assertThat(SIG_DATA_OFFSET).isEqualTo(AUX_SAMPLE_SIZE_OFFSET + 4 + 4);
        assertThat(CONFIG3_OFFSET).isEqualTo(SIG_DATA_OFFSET + 8);
        assertThat(LENGTH).isEqualTo(CONFIG3_OFFSET + 8).isEqualTo(PERF_ATTR_SIZE_VER8);
        // PERF_ATTR_SIZE_VERn marks where each member was appended.
        assertThat(PERF_ATTR_SIZE_VER1).isEqualTo(CONFIG2_OFFSET + 8);
        assertThat(PERF_ATTR_SIZE_VER2).isEqualTo(BRANCH_SAMPLE_TYPE_OFFSET + 8);
        assertThat(PERF_ATTR_SIZE_VER3).isEqualTo(CLOCKID_OFFSET + 4);
        assertThat(PERF_ATTR_SIZE_VER4).isEqualTo(SAMPLE_REGS_INTR_OFFSET + 8);
        assertThat(PERF_ATTR_SIZE_VER5).isEqualTo(AUX_SAMPLE_SIZE_OFFSET);
        assertThat(PERF_ATTR_SIZE_VER6).isEqualTo(SIG_DATA_OFFSET);
        assertThat(PERF_ATTR_SIZE_VER7).isEqualTo(CONFIG3_OFFSET);
    }

    @Test
    void mmapPageOffsets() {
        assertThat(PerfMmapPageDescriptor.DATA_HEAD_OFFSET).isEqualTo(1024);
        assertThat(PerfMmapPageDescriptor.DATA_TAIL_OFFSET).isEqualTo(1032);
        assertThat(PerfMmapPageDescriptor.DATA_OFFSET_OFFSET).isEqualTo(1040);
        assertThat(PerfMmapPageDescriptor.DATA_SIZE_OFFSET).isEqualTo(1048);
        assertThat(PerfMmapPageDescriptor.AUX_SIZE_OFFSET + 8).isEqualTo(PerfMmapPageDescriptor.LENGTH);
        assertThat(PerfMmapPageDescriptor.mappingLength(4096, 8)).isEqualTo(9 * 4096);
        assertThatThrownBy(() -> PerfMmapPageDescriptor.mappingLength(4096, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dataPages=6");
        assertThatThrownBy(() -> PerfMmapPageDescriptor.checkCapacity(3 * 4096))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity=12288");
        PerfMmapPageDescriptor.checkCapacity(8);
        PerfMmapPageDescriptor.checkCapacity(1L << 30);
    }

    /** {@code struct perf_event_header}, then {@code members}: the C layout, naturally aligned. */
    private static StructLayout record(MemoryLayout... members) {
        MemoryLayout header = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("type"),
                ValueLayout.JAVA_SHORT.withName("misc"), ValueLayout.JAVA_SHORT.withName("size"));
        MemoryLayout[] all = new MemoryLayout[members.length + 1];
        all[0] = header.withName("header");
        System.arraycopy(members, 0, all, 1, members.length);
        return MemoryLayout.structLayout(all);
    }

    private static long offset(StructLayout layout, String member) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }

    @Test
    void sideRecordOffsetsFollowTheUapiStructs() {
        // PERF_RECORD_COMM: { header; u32 pid, tid; char comm[]; }, the shortest name 8 bytes with its NUL
        StructLayout comm = record(ValueLayout.JAVA_INT.withName("pid"), ValueLayout.JAVA_INT.withName("tid"),
                MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("comm"));
        assertThat(PerfSideRecordDescriptor.COMM_PID_OFFSET).isEqualTo(offset(comm, "pid"));
        assertThat(PerfSideRecordDescriptor.COMM_TID_OFFSET).isEqualTo(offset(comm, "tid"));
        assertThat(PerfSideRecordDescriptor.COMM_COMM_OFFSET).isEqualTo(offset(comm, "comm"));
        assertThat(PerfSideRecordDescriptor.COMM_MIN_LENGTH).isEqualTo(comm.byteSize());
        assertThat(PerfSideRecordDescriptor.PERF_RECORD_MISC_COMM_EXEC).isEqualTo(1 << 13);
        // PERF_RECORD_FORK, PERF_RECORD_EXIT: { header; u32 pid, ppid; u32 tid, ptid; u64 time; }
        StructLayout task = record(ValueLayout.JAVA_INT.withName("pid"), ValueLayout.JAVA_INT.withName("ppid"),
                ValueLayout.JAVA_INT.withName("tid"), ValueLayout.JAVA_INT.withName("ptid"),
                ValueLayout.JAVA_LONG.withName("time"));
        assertThat(PerfSideRecordDescriptor.TASK_PID_OFFSET).isEqualTo(offset(task, "pid"));
        assertThat(PerfSideRecordDescriptor.TASK_PPID_OFFSET).isEqualTo(offset(task, "ppid"));
        assertThat(PerfSideRecordDescriptor.TASK_TID_OFFSET).isEqualTo(offset(task, "tid"));
        assertThat(PerfSideRecordDescriptor.TASK_PTID_OFFSET).isEqualTo(offset(task, "ptid"));
        assertThat(PerfSideRecordDescriptor.TASK_TIME_OFFSET).isEqualTo(offset(task, "time"));
        assertThat(PerfSideRecordDescriptor.TASK_LENGTH).isEqualTo(task.byteSize());
        // PERF_RECORD_LOST: { header; u64 id; u64 lost; }
        StructLayout lost = record(ValueLayout.JAVA_LONG.withName("id"), ValueLayout.JAVA_LONG.withName("lost"));
        assertThat(PerfSideRecordDescriptor.LOST_ID_OFFSET).isEqualTo(offset(lost, "id"));
        assertThat(PerfSideRecordDescriptor.LOST_LOST_OFFSET).isEqualTo(offset(lost, "lost"));
        assertThat(PerfSideRecordDescriptor.LOST_LENGTH).isEqualTo(lost.byteSize());
        // PERF_RECORD_THROTTLE, PERF_RECORD_UNTHROTTLE: { header; u64 time; u64 id; u64 stream_id; }
        StructLayout throttle = record(ValueLayout.JAVA_LONG.withName("time"), ValueLayout.JAVA_LONG.withName("id"),
                ValueLayout.JAVA_LONG.withName("stream_id"));
        assertThat(PerfSideRecordDescriptor.THROTTLE_TIME_OFFSET).isEqualTo(offset(throttle, "time"));
        assertThat(PerfSideRecordDescriptor.THROTTLE_ID_OFFSET).isEqualTo(offset(throttle, "id"));
        assertThat(PerfSideRecordDescriptor.THROTTLE_STREAM_ID_OFFSET).isEqualTo(offset(throttle, "stream_id"));
        assertThat(PerfSideRecordDescriptor.THROTTLE_LENGTH).isEqualTo(throttle.byteSize());
        // the kernel's ALIGN(strlen(comm) + 1, sizeof(u64)) after pid and tid
        assertThat(PerfSideRecordDescriptor.commLength(0)).isEqualTo(24);
        assertThat(PerfSideRecordDescriptor.commLength(7)).isEqualTo(24);
        assertThat(PerfSideRecordDescriptor.commLength(8)).isEqualTo(32);
        assertThat(PerfSideRecordDescriptor.commLength(15)).isEqualTo(32);
        assertThat(PerfSideRecordDescriptor.commLength(0xFFF8 - 17)).isEqualTo(0xFFF8);
        assertThatThrownBy(() -> PerfSideRecordDescriptor.commLength(0xFFF8 - 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("comm of 65512 bytes");
        assertThatThrownBy(() -> PerfSideRecordDescriptor.checkCommName(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("comm of -1 bytes");
    }

    @Test
    void flagBitsAreInDeclarationOrder() {
        assertThat(FLAG_DISABLED).isEqualTo(1L);
        assertThat(FLAG_MMAP).isEqualTo(1L << 8);
        assertThat(FLAG_WATERMARK).isEqualTo(1L << 14);
        assertThat(PRECISE_IP_MASK).isEqualTo(3L << 15);
        assertThat(FLAG_SAMPLE_ID_ALL).isEqualTo(1L << 18);
        assertThat(FLAG_USE_CLOCKID).isEqualTo(1L << 25);
        assertThat(FLAG_TEXT_POKE).isEqualTo(1L << 33);
        assertThat(PERF_SAMPLE_IDENTIFIER).isEqualTo(1L << 16);
        assertThat(PERF_SAMPLE_RAW).isEqualTo(1L << 10);
    }

    @Test
    void writerZeroesAndFillsTheStruct() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(LENGTH + 8, 8);
            attr.fill((byte) 0x5A); // garbage that write() must clear
            PerfEventAttr.tracepoint(261)
                    .sampleType(PERF_SAMPLE_TID | PERF_SAMPLE_RAW)
                    .flags(FLAG_DISABLED)
                    .wakeupWatermark(4096)
                    .clockid(1)
                    .write(attr);

            assertThat(attr.get(ValueLayout.JAVA_INT, TYPE_OFFSET)).isEqualTo(PERF_TYPE_TRACEPOINT);
            assertThat(attr.get(ValueLayout.JAVA_INT, SIZE_OFFSET)).isEqualTo(LENGTH);
            assertThat(attr.get(ValueLayout.JAVA_LONG, CONFIG_OFFSET)).isEqualTo(261);
            assertThat(attr.get(ValueLayout.JAVA_LONG, SAMPLE_PERIOD_OFFSET)).isEqualTo(1);
            assertThat(attr.get(ValueLayout.JAVA_LONG, SAMPLE_TYPE_OFFSET)).isEqualTo(PERF_SAMPLE_TID | PERF_SAMPLE_RAW);
            assertThat(attr.get(ValueLayout.JAVA_LONG, READ_FORMAT_OFFSET)).isZero();
            assertThat(attr.get(ValueLayout.JAVA_LONG, FLAGS_OFFSET))
                    .isEqualTo(FLAG_DISABLED | FLAG_WATERMARK | FLAG_USE_CLOCKID);
            assertThat(attr.get(ValueLayout.JAVA_INT, WAKEUP_WATERMARK_OFFSET)).isEqualTo(4096);
            assertThat(attr.get(ValueLayout.JAVA_INT, CLOCKID_OFFSET)).isEqualTo(1);
            for (long off : new long[] {BP_TYPE_OFFSET, CONFIG1_OFFSET, CONFIG2_OFFSET, SAMPLE_REGS_INTR_OFFSET,
                SIG_DATA_OFFSET, CONFIG3_OFFSET}) {
                assertThat(attr.get(ValueLayout.JAVA_INT, off)).as("offset %d", off).isZero();
            }
            assertThat(attr.get(ValueLayout.JAVA_BYTE, LENGTH)).as("beyond the struct: untouched").isEqualTo((byte) 0x5A);

            PerfEventAttr events = new PerfEventAttr().wakeupWatermark(10).wakeupEvents(3).sampleFreq(99);
            assertThat(events.flags()).isEqualTo(FLAG_FREQ);
            events.samplePeriod(5).clearFlags(FLAG_FREQ);
            assertThat(events.flags()).isZero();
            assertThatThrownBy(() -> new PerfEventAttr().write(arena.allocate(LENGTH - 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("byteSize=135");
            assertThatThrownBy(() -> new PerfEventAttr().wakeupEvents(-1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wakeupEvents=-1");
        }
    }

    @Test
    void errnoNamesAndDescriptions() {
        assertThat(Errno.name(13)).isEqualTo("EACCES");
        assertThat(Errno.describe(13)).isEqualTo("Permission denied");
        assertThat(Errno.name(Errno.EPERM)).isEqualTo("EPERM");
        assertThat(Errno.name(Errno.ENODEV)).isEqualTo("ENODEV");
        assertThat(Errno.name(Errno.EOPNOTSUPP)).isEqualTo("EOPNOTSUPP");
        assertThat(Errno.name(Errno.EAGAIN)).isEqualTo("EAGAIN");
        assertThat(Errno.name(35)).isEqualTo("EDEADLK");
        assertThat(Errno.name(34)).isEqualTo("ERANGE");
        assertThat(Errno.name(28)).isEqualTo("ENOSPC");
        assertThat(Errno.name(133)).isEqualTo("EHWPOISON");
        assertThat(Errno.name(524)).isEqualTo("ENOTSUPP");
        assertThat(Errno.name(41)).isEqualTo("errno 41");
        assertThat(Errno.name(0)).isEqualTo("errno 0");
        assertThat(Errno.name(-5)).isEqualTo("errno -5");
        assertThat(Errno.describe(9999)).isEqualTo("errno 9999");
        for (int e = 1; e <= 133; e++) {
            if (e != 41 && e != 58) {
                assertThat(Errno.name(e)).as("errno %d", e).startsWith("E");
                assertThat(Errno.describe(e)).as("errno %d", e).isNotBlank().doesNotStartWith("errno");
            }
        }
    }

    @Test
    void syscallExceptionMessage() {
        SyscallException e = new SyscallException("perf_event_open", Errno.EACCES);
        assertThat(e).hasMessage("perf_event_open: EACCES (Permission denied)");
        assertThat(e.syscall()).isEqualTo("perf_event_open");
        assertThat(e.errno()).isEqualTo(13);
        assertThat(e.errnoName()).isEqualTo("EACCES");
        assertThat(e.detail()).isNull();
        SyscallException ioctl = new SyscallException("ioctl", "PERF_EVENT_IOC_SET_FILTER", Errno.EINVAL);
        assertThat(ioctl).hasMessage("ioctl(PERF_EVENT_IOC_SET_FILTER): EINVAL (Invalid argument)");
        assertThat(new SyscallException("read", 4242)).hasMessage("read: errno 4242 (errno 4242)");
    }

    @Test
    void recordTypeNames() {
        assertThat(PerfRecordType.name(PerfRecordType.PERF_RECORD_SAMPLE)).isEqualTo("PERF_RECORD_SAMPLE");
        assertThat(PerfRecordType.name(PerfRecordType.PERF_RECORD_LOST)).isEqualTo("PERF_RECORD_LOST");
        assertThat(PerfRecordType.name(PerfRecordType.PERF_RECORD_LOST_SAMPLES)).isEqualTo("PERF_RECORD_LOST_SAMPLES");
        assertThat(PerfRecordType.name(4711)).isEqualTo("PERF_RECORD_4711");
        assertThat(PerfRecordType.name(-1)).isEqualTo("PERF_RECORD_4294967295");
    }
}
