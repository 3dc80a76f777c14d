package dev.tracepoint.core.internal.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import dev.tracepoint.testing.KernelTests;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The synthetic record writer: its layouts, and its rings as the ring reader reads them. */
class RecordImagesTest {

    private static int i32(byte[] rec, int offset) {
        return MemorySegment.ofArray(rec).get(ValueLayout.JAVA_INT_UNALIGNED, offset);
    }

    private static long i64(byte[] rec, int offset) {
        return MemorySegment.ofArray(rec).get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }

    private static int u16(byte[] rec, int offset) {
        return Short.toUnsignedInt(MemorySegment.ofArray(rec).get(ValueLayout.JAVA_SHORT_UNALIGNED, offset));
    }

    @Test
    void aSampleIsLaidOutAsTheKernelWritesIt() throws Exception {
        EventFormat signal = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/signal/signal_generate/format"));
        byte[] raw = RecordImages.raw(signal);
        assertThat(raw.length).isEqualTo(RecordImages.paddedRawSize(signal.fixedSize()));
        assertThat((PerfSampleDescriptor.RAW_OFFSET + raw.length) % 8).isZero();
        assertThat(u16(raw, signal.requireField("common_type").offset())).isEqualTo(signal.id());

        byte[] rec = RecordImages.sample(7, 8, 9L, 3, raw);
        assertThat(i32(rec, PerfEventHeaderDescriptor.TYPE_OFFSET)).isEqualTo(PerfRecordType.PERF_RECORD_SAMPLE);
        assertThat(u16(rec, PerfEventHeaderDescriptor.MISC_OFFSET)).isZero();
        assertThat(u16(rec, PerfEventHeaderDescriptor.SIZE_OFFSET)).isEqualTo(rec.length)
                .isEqualTo(PerfSampleDescriptor.RAW_OFFSET + raw.length);
        assertThat(i32(rec, PerfSampleDescriptor.PID_OFFSET)).isEqualTo(7);
        assertThat(i32(rec, PerfSampleDescriptor.TID_OFFSET)).isEqualTo(8);
        assertThat(i64(rec, PerfSampleDescriptor.TIME_OFFSET)).isEqualTo(9L);
        assertThat(i32(rec, PerfSampleDescriptor.CPU_OFFSET)).isEqualTo(3);
        assertThat(i32(rec, PerfSampleDescriptor.RAW_SIZE_OFFSET)).isEqualTo(raw.length);

        // the kernel counts its padding in the raw size; a test may give any size
        assertThat(RecordImages.paddedRawSize(5)).isEqualTo(12);
        assertThat(RecordImages.sample(1, 1, 1, 0, new byte[5])).hasSize(48);
        byte[] lying = RecordImages.sample(PerfEventHeaderDescriptor.PERF_RECORD_MISC_KERNEL, 1, 1, 1, 0, new byte[5], -8);
        assertThat(lying).hasSize(48);
        assertThat(u16(lying, PerfEventHeaderDescriptor.MISC_OFFSET)).isEqualTo(1);
        assertThat(i32(lying, PerfSampleDescriptor.RAW_SIZE_OFFSET)).isEqualTo(-8);
        assertThatThrownBy(() -> RecordImages.raw(signal, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no common_type field within 1 bytes");
    }

    @Test
    void sideRecordsFollowTheirDescriptor() {
        byte[] comm = RecordImages.comm(1, 2, "bash", true);
        assertThat(comm).hasSize(PerfSideRecordDescriptor.COMM_MIN_LENGTH);
        assertThat(i32(comm, 0)).isEqualTo(PerfRecordType.PERF_RECORD_COMM);
        assertThat(u16(comm, PerfEventHeaderDescriptor.MISC_OFFSET))
                .isEqualTo(PerfSideRecordDescriptor.PERF_RECORD_MISC_COMM_EXEC);
        assertThat(i32(comm, PerfSideRecordDescriptor.COMM_TID_OFFSET)).isEqualTo(2);
        assertThat(new String(comm, PerfSideRecordDescriptor.COMM_COMM_OFFSET, 5)).isEqualTo("bash\0");
        assertThat(RecordImages.comm(1, 2, "12345678", false)).hasSize(32); // the NUL needs another 8 bytes

        byte[] exit = RecordImages.exit(1, 2, 3, 4, 5L);
        assertThat(exit).hasSize(PerfSideRecordDescriptor.TASK_LENGTH);
        assertThat(i32(exit, 0)).isEqualTo(PerfRecordType.PERF_RECORD_EXIT);
        assertThat(i32(exit, PerfSideRecordDescriptor.TASK_PPID_OFFSET)).isEqualTo(2);
        assertThat(i32(exit, PerfSideRecordDescriptor.TASK_PTID_OFFSET)).isEqualTo(4);
        assertThat(i64(exit, PerfSideRecordDescriptor.TASK_TIME_OFFSET)).isEqualTo(5L);
        assertThat(i32(RecordImages.fork(1, 2, 3, 4, 5L), 0)).isEqualTo(PerfRecordType.PERF_RECORD_FORK);

        byte[] throttle = RecordImages.throttle(6L, 7L, 8L);
        assertThat(throttle).hasSize(PerfSideRecordDescriptor.THROTTLE_LENGTH);
        assertThat(i64(throttle, PerfSideRecordDescriptor.THROTTLE_STREAM_ID_OFFSET)).isEqualTo(8L);
        assertThat(RecordImages.record(4711, 3, 40)).hasSize(40);
        assertThatThrownBy(() -> RecordImages.record(4711, 0, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record size=4");
    }

    @Test
    void aRingImageWrapsAtTheEndAndDrainsInOrder() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment meta = arena.allocate(4096, 4096);
            MemorySegment data = arena.allocate(256, 4096);
            List<byte[]> records = RecordImages.cycle(List.of(RecordImages.lost(1, 2), RecordImages.record(4711, 0, 40)), 5);
            assertThat(records).hasSize(5);
            byte[] image = RecordImages.image(records);
            assertThat(image).hasSize(3 * 24 + 2 * 40);
            long start = 5L * 256 - 60; // a few laps in, 60 bytes before the end
            long end = RecordImages.write(data, start, image);
            assertThat(end).isEqualTo(start + image.length);
            assertThat(data.get(ValueLayout.JAVA_INT_UNALIGNED, 256 - 60)).isEqualTo(PerfRecordType.PERF_RECORD_LOST);
            RecordImages.publish(meta, start, end);
            assertThat(RecordImages.dataTail(meta)).isEqualTo(start);
            assertThat(RecordImages.dataHead(meta)).isEqualTo(end);

            Recorder r = new Recorder();
            try (PerfRing ring = new PerfRing(0, meta, data)) {
                assertThat(ring.drain(r, Integer.MAX_VALUE)).isEqualTo(5);
            }
            assertThat(r.corruptions).isEmpty();
            assertThat(r.records).extracting(Recorder.Rec::type).containsExactly(PerfRecordType.PERF_RECORD_LOST, 4711,
                    PerfRecordType.PERF_RECORD_LOST, 4711, PerfRecordType.PERF_RECORD_LOST);
            assertThat(r.records.get(2).word(PerfSideRecordDescriptor.LOST_LOST_OFFSET)).isEqualTo(2);
            assertThat(RecordImages.dataTail(meta)).isEqualTo(end);
            assertThatThrownBy(() -> RecordImages.write(data, 0, new byte[257])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("257 bytes do not fit a data area of 256");
        }
    }
}
