package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventBatch;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.DecodeException;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;
import dev.tracepoint.core.internal.ring.RecordImages;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
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
 * The batch cursor on a synthetic ring image written the way the kernel writes it (records wrap byte-wise at
 * the end of the data area): what {@code next()} returns, where {@code data_tail} ends up, and what happens to
 * lost records, bad sizes, listeners that stop early or throw, and a batch used after its call.
 */
class BatchCursorTest {

    private static final long CAPACITY = 4096;
    private static EventFormat signal;
    private static Field sig;

    private Arena arena;
    private MemorySegment meta;
    private MemorySegment data;
    private PerfRing ring;
    private long head;
    private final List<Throwable> errors = new ArrayList<>();
    private final List<Long> lost = new ArrayList<>();
    private Dispatcher dispatcher;

    @BeforeAll
    static void formats() throws IOException, FormatException {
        signal = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/signal/signal_generate/format"));
        sig = signal.requireField("sig");
    }

    @BeforeEach
    void ring() {
        arena = Arena.ofConfined();
        meta = arena.allocate(4096, 4096);
        data = arena.allocate(CAPACITY, 4096);
        ring = new PerfRing(3, meta, data);
        LostListener onLost = (cpu, n) -> lost.add(n);
        dispatcher = new Dispatcher(ViewAccess.get().newView(), new Dispatcher.Entry[] {new Dispatcher.Entry(signal, new EventListener[0])},
                new LostListener[] {onLost}, new TaskListener[0], errors::add, 3);
    }

    @AfterEach
    void free() {
        ring.close();
        arena.close();
    }

    /** Starts the ring at {@code position}: head and tail both there. */
    private void startAt(long position) {
        head = position;
        RecordImages.publish(meta, position, position);
    }

    private long tail() {
        return RecordImages.dataTail(meta);
    }

    private void publish() {
        RecordImages.setDataHead(meta, head);
    }

    private void put(byte[] rec) {
        head = RecordImages.write(data, head, rec);
    }

    /** A signal_generate sample with {@code sig} set; {@code type} is its common_type. */
    private void putSample(int type, int sigValue) {
        byte[] raw = RecordImages.raw(signal, type);
        MemorySegment.ofArray(raw).set(ValueLayout.JAVA_INT_UNALIGNED, sig.offset(), sigValue);
        put(RecordImages.sample(100 + sigValue, 0, 0L, 0, raw));
    }

    private void putSample(int sigValue) {
        putSample((int) signal.id(), sigValue);
    }

    private void putLost(long count) {
        put(RecordImages.lost(0, count));
    }

    /** Reads every event's sig and pid. */
    private static BatchListener readAll(List<String> seen) {
        return b -> {
            while (b.next()) {
                seen.add("sig=" + b.view().getInt(sig) + " pid=" + b.view().pid() + " cpu=" + b.cpu());
            }
        };
    }

    @Test
    void walksSamplesInOrderAcrossTheRingEndAndHandsOtherRecordsOn() {
        startAt(CAPACITY - 40); // the first sample straddles the end of the data area
        putSample(1);
        putLost(7);
        putSample(2);
        putSample((int) signal.id() + 1, 99); // a tracepoint of no entry: skipped, counted
        putSample(3);
        publish();
        List<String> seen = new ArrayList<>();
        BatchCursor cursor = new BatchCursor(dispatcher);

        int consumed = cursor.run(ring, readAll(seen));

        assertThat(seen).containsExactly("sig=1 pid=101 cpu=3", "sig=2 pid=102 cpu=3", "sig=3 pid=103 cpu=3");
        assertThat(consumed).isEqualTo(4); // three samples and the LOST record; the unknown sample is counted apart
        assertThat(tail()).isEqualTo(head);
        assertThat(lost).containsExactly(7L);
        assertThat(dispatcher.samples()).isEqualTo(3);
        assertThat(dispatcher.unknown()).isEqualTo(1);
        assertThat(errors).isEmpty();
    }

    @Test
    void anEmptyRingDoesNotCallTheListener() {
        startAt(64);
        int[] calls = {0};
        assertThat(new BatchCursor(dispatcher).run(ring, b -> calls[0]++)).isZero();
        assertThat(calls[0]).isZero();
        assertThat(tail()).isEqualTo(64);
    }

    @Test
    void eventsTheListenerDidNotReachStayForTheNextBatch() {
        startAt(0);
        for (int i = 1; i <= 5; i++) {
            putSample(i);
        }
        publish();
        BatchCursor cursor = new BatchCursor(dispatcher);
        List<Integer> seen = new ArrayList<>();
        BatchListener two = b -> {
            for (int i = 0; i < 2 && b.next(); i++) {
                seen.add(b.view().getInt(sig));
            }
        };

        cursor.run(ring, two);
        long afterTwo = tail();
        cursor.run(ring, two);
        cursor.run(ring, two);

        assertThat(afterTwo).isEqualTo(2L * recordSize());
        assertThat(seen).containsExactly(1, 2, 3, 4, 5);
        assertThat(tail()).isEqualTo(head);
    }

    @Test
    void aThrowingListenerIsReportedAndWhatItTookCountsAsConsumed() {
        startAt(0);
        for (int i = 1; i <= 3; i++) {
            putSample(i);
        }
        publish();
        BatchCursor cursor = new BatchCursor(dispatcher);
        List<Integer> seen = new ArrayList<>();
        BatchListener oneThenThrow = b -> {
            if (b.next()) {
                seen.add(b.view().getInt(sig));
                throw new IllegalStateException("listener failed on sig " + b.view().getInt(sig));
            }
        };

        for (int i = 0; i < 3; i++) {
            cursor.run(ring, oneThenThrow);
        }

        assertThat(seen).containsExactly(1, 2, 3);
        assertThat(tail()).isEqualTo(head);
        assertThat(errors).extracting(Throwable::getMessage).containsExactly(
                "listener failed on sig 1", "listener failed on sig 2", "listener failed on sig 3");
        assertThat(dispatcher.errors()).isEqualTo(3);
    }

    @Test
    void aBadSizeIsReportedAndTheRingResynchronisesToTheHead() {
        startAt(0);
        putSample(1);
        long bad = head;
        putSample(2);
        putSample(3);
        publish();
        data.set(ValueLayout.JAVA_SHORT_UNALIGNED, bad + 6, (short) 12); // header.size 12: not a multiple of 8
        List<String> seen = new ArrayList<>();

        new BatchCursor(dispatcher).run(ring, readAll(seen));

        assertThat(seen).containsExactly("sig=1 pid=101 cpu=3");
        assertThat(tail()).isEqualTo(head);
        assertThat(dispatcher.corrupt()).isEqualTo(1);
        assertThat(errors).singleElement().isInstanceOf(DecodeException.class).extracting(Throwable::getMessage).asString()
                .contains("CPU 3", "header.size=12", "not a multiple of 8", "data offset=" + bad);
    }

    @Test
    void aHeadMoreThanTheRingAheadIsReportedWithoutCallingTheListener() {
        startAt(0);
        head = 3 * CAPACITY;
        publish();
        int[] calls = {0};

        new BatchCursor(dispatcher).run(ring, b -> calls[0]++);

        assertThat(calls[0]).isZero();
        assertThat(tail()).isEqualTo(3 * CAPACITY);
        assertThat(errors).singleElement().extracting(Throwable::getMessage).asString()
                .contains("CPU 3", "more than the data area ahead of data_tail=0");
    }

    @Test
    void aBatchUsedAfterItsCallThrows() {
        startAt(0);
        putSample(1);
        putSample(2);
        publish();
        EventBatch[] kept = new EventBatch[1];
        new BatchCursor(dispatcher).run(ring, b -> {
            b.next();
            kept[0] = b;
        });

        assertThatThrownBy(() -> kept[0].next()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside BatchListener.onBatch");
        assertThat(tail()).isEqualTo(recordSize()); // the second sample is still unread
    }

    @Test
    void aClosedRingIsRefused() {
        ring.close();
        assertThatThrownBy(() -> new BatchCursor(dispatcher).run(ring, b -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ring closed: cpu=3");
    }

    private static long recordSize() {
        return (PerfSampleDescriptor.RAW_OFFSET + signal.fixedSize() + 7) & ~7;
    }
}
