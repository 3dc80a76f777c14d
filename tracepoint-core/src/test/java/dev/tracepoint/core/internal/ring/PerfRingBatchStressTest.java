package dev.tracepoint.core.internal.ring;

import dev.tracepoint.core.internal.access.ViewAccess;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventBatch;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.dispatch.BatchCursor;
import dev.tracepoint.core.internal.dispatch.Dispatcher;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.testing.KernelTests;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The head/tail protocol under concurrency, on the batch path: the producer of {@link PerfRingStressTest}
 * ({@link SyntheticRing#produce})
 * plays the kernel (writes {@code signal_generate} samples as a stream's perf events lay them out, publishes
 * {@code data_head} with release, never overwrites what the reader has not released, drops samples when the
 * ring is full and reports them in a {@code PERF_RECORD_LOST}), while the {@link BatchCursor} hands the ring
 * to batch listeners of three kinds in turn: one that takes every event, one that stops early, one that
 * throws after a few events. Every sequence number must arrive exactly once and in order (or be accounted
 * for by a LOST record), every payload word intact (no record read before it was published or after it was
 * overwritten), and the records a listener did not take must come in a later batch.
 */
class PerfRingBatchStressTest {

    private static final long RECORDS = 3_000_000;
    private static final int CAPACITY = 16 * 1024;
    /** A {@code signal_generate} sample with no bytes after its fields: header, sample fields, 48 raw bytes. */
    private static final int MIN_SAMPLE = 88;
    /** Where the pattern words begin: after the raw size and {@code common_type}. */
    private static final int PATTERN_FROM = PerfSampleDescriptor.RAW_OFFSET + 4;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void batchesGetEveryRecordIntactAndInOrderOrCountedLost() throws Exception {
        EventFormat signal = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/signal/signal_generate/format"));
        int id = (int) signal.id();
        try (SyntheticRing s = new SyntheticRing(CAPACITY, CAPACITY - 40); PerfRing ring = s.ring(1)) {
            Checker checker = new Checker(s.data.address());
            Dispatcher dispatcher = new Dispatcher(ViewAccess.get().newView(),
                    new Dispatcher.Entry[] {new Dispatcher.Entry(signal, new EventListener[0])},
                    new LostListener[] {checker::lost}, new TaskListener[0], checker::error, 1);
            BatchCursor cursor = new BatchCursor(dispatcher);
            BatchListener[] listeners = {checker::takeAll, checker::stopEarly, checker::throwAfterSome};
            SplittableRandom random = new SplittableRandom(7);
            // 88..400 bytes: the raw record grows by the padding words the pattern fills
            SyntheticRing.Stress run = s.stress(RECORDS, MIN_SAMPLE, 40, (r, seq, size) -> writeSample(r, id, seq, size),
                    ring, () -> checker.expected >= RECORDS,
                    () -> cursor.run(ring, listeners[random.nextInt(listeners.length)]));

            assertThat(checker.unexpected).as("errors other than the listener's own").isNull();
            assertThat(checker.expected).isEqualTo(RECORDS);
            assertThat(checker.samples + checker.lost).isEqualTo(RECORDS);
            assertThat(checker.lost).isEqualTo(run.lost()).isEqualTo(dispatcher.lost());
            assertThat(dispatcher.samples()).isEqualTo(checker.samples);
            assertThat(dispatcher.corrupt()).isZero();
            assertThat(dispatcher.unknown()).isZero();
            assertThat(dispatcher.errors()).isEqualTo(checker.thrown);
            assertThat(checker.samples).as("most records are delivered").isGreaterThan(RECORDS / 2);
            assertThat(checker.wrapped).as("samples that crossed the ring end").isGreaterThan(1000);
            assertThat(checker.stopped).as("batches a listener left early").isGreaterThan(1000);
            assertThat(checker.thrown).as("batches a listener threw out of").isGreaterThan(1000);
            assertThat(ring.isEmpty()).isTrue();
            System.out.printf("batch ring stress: %d records (%d delivered, %d lost, %d wrapped) in %d batches"
                            + " (%d left early, %d thrown out of) in %d ms%n", RECORDS, checker.samples, checker.lost,
                    checker.wrapped, checker.batches, checker.stopped, checker.thrown, run.millis());
        }
    }

    /** A sample as a stream's perf event writes it: the sequence number as its time, then pattern words. */
    private static void writeSample(SyntheticRing r, int id, long seq, int size) {
        r.write(PerfRecordType.PERF_RECORD_SAMPLE, 0, size, b -> {
            b.set(ValueLayout.JAVA_INT_UNALIGNED, PerfSampleDescriptor.PID_OFFSET, (int) seq);
            b.set(ValueLayout.JAVA_INT_UNALIGNED, PerfSampleDescriptor.TID_OFFSET, 7);
            b.set(ValueLayout.JAVA_LONG_UNALIGNED, PerfSampleDescriptor.TIME_OFFSET, seq);
            b.set(ValueLayout.JAVA_INT_UNALIGNED, PerfSampleDescriptor.RAW_SIZE_OFFSET, size - PerfSampleDescriptor.RAW_OFFSET);
            b.set(ValueLayout.JAVA_SHORT_UNALIGNED, PerfSampleDescriptor.RAW_OFFSET, (short) id);
            for (int i = PATTERN_FROM; i + 8 <= size; i += 8) {
                b.set(ValueLayout.JAVA_LONG_UNALIGNED, i, SyntheticRing.pattern(seq, i));
            }
        });
    }

    /** The reader's side: the three listeners, and the checks of order and content, without allocating. */
    private static final class Checker {
        private final long dataAddress;
        private final SplittableRandom random = new SplittableRandom(11);
        long expected;
        long samples;
        long lost;
        long wrapped;
        long batches;
        long stopped;
        long thrown;
        Throwable unexpected;

        Checker(long dataAddress) {
            this.dataAddress = dataAddress;
        }

        void takeAll(EventBatch batch) {
            batches++;
            while (batch.next()) {
                check(batch);
            }
        }

        /** Takes 1 to 64 events (a full ring holds about 70): the rest of the batch must come in the next one. */
        void stopEarly(EventBatch batch) {
            batches++;
            int budget = 1 + random.nextInt(64);
            for (int i = 0; i < budget; i++) {
                if (!batch.next()) {
                    return;
                }
                check(batch);
            }
            stopped++;
        }

        /** Takes 1 to 16 events, then throws: what it took is consumed, the rest comes in the next batch. */
        void throwAfterSome(EventBatch batch) {
            batches++;
            int budget = 1 + random.nextInt(16);
            for (int i = 0; i < budget && batch.next(); i++) {
                check(batch);
            }
            throw new ListenerStops();
        }

        void lost(int cpu, long n) {
            if (n <= 0) {
                throw new AssertionError("bad LOST record: lost=" + n);
            }
            lost += n;
            expected += n;
        }

        void error(Throwable t) {
            if (t instanceof ListenerStops) {
                thrown++;
            } else if (unexpected == null) {
                unexpected = t;
            }
        }

        private void check(EventBatch batch) {
            EventView v = batch.view();
            if (batch.cpu() != 1) {
                throw new AssertionError("batch of CPU " + batch.cpu() + " from the ring of CPU 1");
            }
            long seq = v.timeNanos();
            if (seq != expected) {
                throw new AssertionError("sequence: expected " + expected + ", got " + seq);
            }
            MemorySegment segment = v.segment();
            long at = v.offset() - PerfSampleDescriptor.RAW_OFFSET;
            if (segment.address() != dataAddress) {
                wrapped++;
            }
            int size = PerfSampleDescriptor.RAW_OFFSET + v.length();
            if (v.pid() != (int) seq || v.tid() != 7) {
                throw new AssertionError("record " + seq + ": pid " + v.pid() + " tid " + v.tid());
            }
            checkWords(segment, at, size, seq);
            if ((seq & 255) == 0) {
                // A slow reader: if the space were released before the listener is done, the producer (which
                // is usually waiting for space) would overwrite the record while it is being read.
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                if (v.timeNanos() != seq) {
                    throw new AssertionError("record " + seq + " overwritten while being read");
                }
                checkWords(segment, at, size, seq);
            }
            samples++;
            expected++;
        }

        private static void checkWords(MemorySegment segment, long at, int size, long seq) {
            for (int i = PATTERN_FROM; i + 8 <= size; i += 8) {
                long word = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, at + i);
                if (word != SyntheticRing.pattern(seq, i)) {
                    throw new AssertionError("record " + seq + " word " + i + " torn: " + Long.toHexString(word));
                }
            }
        }
    }

    /** The throwing listener's exception, told apart from anything the stream reports. */
    private static final class ListenerStops extends RuntimeException {
        ListenerStops() {
            super("listener stops here", null, false, false);
        }
    }
}
