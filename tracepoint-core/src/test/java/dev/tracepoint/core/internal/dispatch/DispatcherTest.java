package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.DecodeException;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.perf.PerfRecordType;
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
 * The dispatcher on hand-built sample records in the layout the kernel writes for {@link Dispatcher#SAMPLE_TYPE}:
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

    /** A PERF_RECORD_SAMPLE: header, pid, tid, time, cpu, raw size, raw bytes with {@code common_type}. */
    private static MemorySegment sample(Arena arena, int commonType, int pid, int tid, long time, int cpu, int rawSize) {
        int size = (Dispatcher.RAW_OFFSET + rawSize + 7) & ~7;
        MemorySegment r = arena.allocate(size, 8);
        r.set(ValueLayout.JAVA_INT_UNALIGNED, 0, PerfRecordType.PERF_RECORD_SAMPLE);
        r.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) size);
        r.set(ValueLayout.JAVA_INT_UNALIGNED, Dispatcher.PID_OFFSET, pid);
        r.set(ValueLayout.JAVA_INT_UNALIGNED, Dispatcher.TID_OFFSET, tid);
        r.set(ValueLayout.JAVA_LONG_UNALIGNED, Dispatcher.TIME_OFFSET, time);
        r.set(ValueLayout.JAVA_INT_UNALIGNED, Dispatcher.CPU_OFFSET, cpu);
        r.set(ValueLayout.JAVA_INT_UNALIGNED, Dispatcher.RAW_SIZE_OFFSET, rawSize);
        r.set(ValueLayout.JAVA_SHORT_UNALIGNED, Dispatcher.RAW_OFFSET, (short) commonType);
        return r;
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
        Dispatcher d = new Dispatcher(new EventView(), new Dispatcher.Entry[] {
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
        Dispatcher d = new Dispatcher(new EventView(), new Dispatcher.Entry[] {
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
    void twoEntriesForOneTracepointAreRefused() {
        assertThatThrownBy(() -> new Dispatcher(new EventView(), new Dispatcher.Entry[] {
                new Dispatcher.Entry(signal, new EventListener[0]), new Dispatcher.Entry(signal, new EventListener[0])},
                new LostListener[0], new TaskListener[0], t -> { }, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two entries for id " + signal.id());
    }
}
