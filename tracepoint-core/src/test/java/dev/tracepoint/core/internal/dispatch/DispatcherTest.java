package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.decode.SampleMetadata;
import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.DecodeException;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import dev.tracepoint.core.internal.ring.RecordImages;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The dispatcher on hand-built sample records in the layout the kernel writes for {@link PerfSampleDescriptor#SAMPLE_TYPE}:
 * it finds the tracepoint by the raw record's {@code common_type}, and counts what it cannot dispatch.
 */
class DispatcherTest {

    private static EventFormat signal;
    private static EventFormat exec;

    @BeforeAll
    static void formats() throws IOException, FormatException {
        signal = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/signal/signal_generate/format"));
        exec = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/sched/sched_process_exec/format"));
    }

    /**
     * A PERF_RECORD_SAMPLE: header, pid, tid, time, cpu, raw size, raw bytes with {@code common_type} (where
     * {@code signal}, like every format here, has it).
     */
    private static MemorySegment sample(Arena arena, int commonType, int pid, int tid, long time, int cpu, int rawSize) {
        byte[] raw = RecordImages.raw(signal, commonType, rawSize);
        return inNative(arena, RecordImages.sample(0, pid, tid, time, cpu, raw, rawSize));
    }

    /** The record in native memory, 8-aligned. */
    private static MemorySegment inNative(Arena arena, byte[] record) {
        return arena.allocate(record.length, 8).copyFrom(MemorySegment.ofArray(record));
    }

    private static void deliver(Dispatcher d, MemorySegment record) {
        d.onRecord(0, record, 0, record.get(ValueLayout.JAVA_INT_UNALIGNED, 0), 0, (int) record.byteSize());
    }

    @Test
    void dispatchesBySampleCommonTypeWithTheSampleHeader() {
        List<String> seen = new ArrayList<>();
        EventListener onSignal = e -> seen.add(e.tracepoint() + " pid=" + e.pid() + " tid=" + e.tid() + " cpu=" + e.cpu()
                + " t=" + e.timeNanos() + " len=" + e.length());
        EventListener onExec = e -> seen.add(e.tracepoint() + " pid=" + e.pid());
        List<Throwable> errors = new ArrayList<>();
        Dispatcher d = new Dispatcher(ViewAccess.get().newView(), new Dispatcher.Entry[] {
                new Dispatcher.Entry(signal, new EventListener[] {onSignal}),
                new Dispatcher.Entry(exec, new EventListener[] {onExec})},
                new LostListener[0], new TaskListener[0], errors::add, 1);
        try (Arena arena = Arena.ofConfined()) {
            deliver(d, sample(arena, (int) signal.id(), 4242, 4243, 123_456_789L, 1, signal.fixedSize()));
            deliver(d, sample(arena, (int) exec.id(), 5000, 5000, 1, 0, exec.fixedSize()));
            // a tracepoint this stream did not open (the id of neither format): skipped and counted
            deliver(d, sample(arena, (int) Math.max(signal.id(), exec.id()) + 1, 1, 1, 1, 0, 64));
            deliver(d, sample(arena, 0, 1, 1, 1, 0, 64));
        }
        assertThat(seen).containsExactly(
                "signal:signal_generate pid=4242 tid=4243 cpu=1 t=123456789 len=" + signal.fixedSize(),
                "sched:sched_process_exec pid=5000");
        assertThat(d.samples()).isEqualTo(2);
        assertThat(d.unknown()).isEqualTo(2);
        assertThat(errors).isEmpty();
    }

    @Test
    void aSampleTooShortForItsFormatIsReportedAndSkipped() {
        List<Throwable> errors = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        Dispatcher d = new Dispatcher(ViewAccess.get().newView(), new Dispatcher.Entry[] {
                new Dispatcher.Entry(signal, new EventListener[] {e -> seen.add(e.tracepoint())})},
                new LostListener[0], new TaskListener[0], errors::add, 0);
        try (Arena arena = Arena.ofConfined()) {
            deliver(d, sample(arena, (int) signal.id(), 1, 1, 1, 0, signal.fixedSize() - 8));
        }
        assertThat(seen).isEmpty();
        assertThat(d.corrupt()).isEqualTo(1);
        assertThat(errors).singleElement().isInstanceOf(DecodeException.class)
                .extracting(Throwable::getMessage).asString()
                .contains("signal:signal_generate", "fewer than its format's " + signal.fixedSize());
    }

    @Test
    void theSampleHeaderIsReadFromTheRecordOnlyWhileTheViewIsOnIt() {
        EventView view = ViewAccess.get().newView();
        List<dev.tracepoint.core.decode.Event> copies = new ArrayList<>();
        Dispatcher d = new Dispatcher(view, new Dispatcher.Entry[] {
                new Dispatcher.Entry(signal, new EventListener[] {e -> copies.add(e.copy())})},
                new LostListener[0], new TaskListener[0], t -> { }, 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment record = sample(arena, (int) signal.id(), 31, 32, 33L, 1, signal.fixedSize());
            deliver(d, record);
            // the kernel reuses the space once the tail moves: the copy must not follow it
            record.fill((byte) 0x5a);
            assertThat(copies).singleElement().satisfies(c -> {
                assertThat(c.pid()).isEqualTo(31);
                assertThat(c.tid()).isEqualTo(32);
                assertThat(c.timeNanos()).isEqualTo(33L);
                assertThat(c.cpu()).isEqualTo(1);
            });
            // moved by hand afterwards, the view reports what it is given, not the last sample's header
            ViewAccess.get().wrap(view, signal, record, PerfSampleDescriptor.RAW_OFFSET, signal.fixedSize(), SampleMetadata.of(0, 7, 8, 9L));
            assertThat(view.pid()).isEqualTo(7);
            assertThat(view.tid()).isEqualTo(8);
            assertThat(view.timeNanos()).isEqualTo(9L);
            assertThat(view.cpu()).isEqualTo(0);
        }
    }

    @Test
    void badRawSizesAreReportedWithWhatWasWrong() {
        List<Throwable> errors = new ArrayList<>();
        Dispatcher d = new Dispatcher(ViewAccess.get().newView(), new Dispatcher.Entry[] {
                new Dispatcher.Entry(signal, new EventListener[] {e -> {
                    throw new AssertionError("dispatched a bad sample");
                }})},
                new LostListener[0], new TaskListener[0], errors::add, 0);
        long holds;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tooLarge = sample(arena, (int) signal.id(), 1, 1, 1, 0, signal.fixedSize());
            tooLarge.set(ValueLayout.JAVA_INT_UNALIGNED, PerfSampleDescriptor.RAW_SIZE_OFFSET, -8);
            deliver(d, tooLarge);
            holds = tooLarge.byteSize() - PerfSampleDescriptor.RAW_OFFSET;
            MemorySegment noType = sample(arena, (int) signal.id(), 1, 1, 1, 0, signal.fixedSize());
            noType.set(ValueLayout.JAVA_INT_UNALIGNED, PerfSampleDescriptor.RAW_SIZE_OFFSET, 1);
            deliver(d, noType);
            MemorySegment headerOnly = inNative(arena, RecordImages.record(PerfRecordType.PERF_RECORD_SAMPLE, 0, 32));
            deliver(d, headerOnly);
        }
        assertThat(d.samples()).isZero();
        assertThat(d.corrupt()).isEqualTo(3);
        assertThat(errors).extracting(Throwable::getMessage).containsExactly(
                "CPU 0: sample declares a raw size of 4294967288 bytes but the record holds " + holds + "; record skipped",
                "CPU 0: sample of 1 raw bytes is too short for its common_type; record skipped",
                "CPU 0: sample record of size 32 is shorter than its fixed part and 4 raw bytes (40 bytes); record skipped");
    }

    /** A dispatcher whose task and lost listeners note what they get in {@code seen}. */
    private static Dispatcher taskDispatcher(List<String> seen, List<Throwable> errors) {
        TaskListener tasks = new TaskListener() {
            @Override
            public void onComm(int pid, int tid, String comm, boolean exec) {
                seen.add("comm " + pid + "/" + tid + " " + comm + (exec ? " exec" : ""));
            }

            @Override
            public void onFork(int pid, int ppid, int tid, int ptid, long timeNanos) {
                seen.add("fork " + pid + "/" + tid + " from " + ppid + "/" + ptid + " t=" + timeNanos);
            }

            @Override
            public void onExit(int pid, int ppid, int tid, int ptid, long timeNanos) {
                seen.add("exit " + pid + "/" + tid + " from " + ppid + "/" + ptid + " t=" + timeNanos);
            }
        };
        return new Dispatcher(ViewAccess.get().newView(), new Dispatcher.Entry[] {
                new Dispatcher.Entry(signal, new EventListener[0])},
                new LostListener[] {(cpu, n) -> seen.add("lost " + n + " on " + cpu)}, new TaskListener[] {tasks},
                errors::add, 1);
    }

    /** Hands each record to the dispatcher as CPU 1's ring would, from native memory. */
    private static void feed(Dispatcher d, List<byte[]> records) {
        try (Arena arena = Arena.ofConfined()) {
            for (byte[] rec : records) {
                MemorySegment r = inNative(arena, rec);
                d.onRecord(1, r, 0, r.get(ValueLayout.JAVA_INT_UNALIGNED, 0),
                        Short.toUnsignedInt(r.get(ValueLayout.JAVA_SHORT_UNALIGNED, 4)), rec.length);
            }
        }
    }

    @Test
    void taskAndLostRecordsReachTheirListeners() {
        List<String> seen = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        Dispatcher d = taskDispatcher(seen, errors);
        feed(d, List.of(RecordImages.comm(10, 11, "sh", false),
                RecordImages.comm(10, 11, "a-name-of-15-ch", true), RecordImages.fork(12, 10, 13, 11, 77L),
                RecordImages.exit(12, 10, 13, 11, 78L), RecordImages.lost(5, 42), RecordImages.throttle(1, 2, 3)));
        assertThat(seen).containsExactly("comm 10/11 sh", "comm 10/11 a-name-of-15-ch exec",
                "fork 12/13 from 10/11 t=77", "exit 12/13 from 10/11 t=78", "lost 42 on 1");
        assertThat(d.lost()).isEqualTo(42);
        assertThat(d.lost(1)).isEqualTo(42);
        assertThat(d.unknown()).isEqualTo(1); // the THROTTLE record
        assertThat(errors).isEmpty();
    }

    @Test
    void theSampleIdTrailerOfTaskAndLostRecordsIsNoPartOfTheirBodies() {
        List<String> seen = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        Dispatcher d = taskDispatcher(seen, errors);
        d.sampleIdLength(PerfSideRecordDescriptor.SAMPLE_ID_LENGTH);
        // a name that fills its padding, with no NUL before the trailer (whose pid reads "AAAA")
        byte[] full = RecordImages.withSampleId(RecordImages.comm(10, 10, "abcdefghijklmno", true), 0x41414141, 10, 5L, 1);
        full[PerfSideRecordDescriptor.COMM_COMM_OFFSET + 15] = 'p';
        feed(d, List.of(
                RecordImages.withSampleId(RecordImages.comm(10, 10, "sh", false), 10, 10, 1L, 1), full,
                RecordImages.withSampleId(RecordImages.fork(12, 10, 12, 10, 77L), 10, 10, 77L, 1),
                RecordImages.withSampleId(RecordImages.exit(12, 10, 12, 10, 78L), 12, 12, 78L, 1),
                RecordImages.withSampleId(RecordImages.lost(5, 42), 12, 12, 79L, 1)));
        assertThat(seen).containsExactly("comm 10/10 sh", "comm 10/10 abcdefghijklmnop exec",
                "fork 12/12 from 10/10 t=77", "exit 12/12 from 10/10 t=78", "lost 42 on 1");
        assertThat(errors).isEmpty();
    }

    @Test
    void twoEntriesForOneTracepointAreRefused() {
        assertThatThrownBy(() -> new Dispatcher(ViewAccess.get().newView(), new Dispatcher.Entry[] {
                new Dispatcher.Entry(signal, new EventListener[0]), new Dispatcher.Entry(signal, new EventListener[0])},
                new LostListener[0], new TaskListener[0], t -> { }, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two entries for id " + signal.id());
    }
}
