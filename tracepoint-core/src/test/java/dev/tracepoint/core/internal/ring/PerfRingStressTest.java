package dev.tracepoint.core.internal.ring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The head/tail protocol under concurrency: a producer thread ({@link SyntheticRing#produce}) plays the kernel (writes records, publishes
 * {@code data_head} with release, never overwrites what the reader has not released through
 * {@code data_tail}, and when the ring is full drops samples and later reports them in a
 * {@code PERF_RECORD_LOST}, as {@code perf_output_begin} does). The reader checks that every sequence number
 * arrives exactly once and in order (or is accounted for by a LOST record) and that every payload word is
 * intact, i.e. no record was read before it was published or after it was overwritten.
 */
class PerfRingStressTest {

    private static final long RECORDS = 3_000_000;
    private static final int CAPACITY = 16 * 1024;
    private static final int LOST_RECORD_SIZE = SyntheticRing.LOST_RECORD_SIZE;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyRecordArrivesIntactAndInOrderOrIsCountedLost() throws Exception {
        // Start near the top of the first lap so that the counters' first wrap comes early.
        try (SyntheticRing s = new SyntheticRing(CAPACITY, CAPACITY - 40); PerfRing ring = s.ring(0)) {
            Checker checker = new Checker(s.data.address());
            SplittableRandom random = new SplittableRandom(7);
            // 16..328 bytes, like real samples
            SyntheticRing.Stress run = s.stress(RECORDS, 16, 40, (r, seq, size) -> r.writeSample(seq, size), ring,
                    () -> checker.expected >= RECORDS, () -> ring.drain(checker, 1 + random.nextInt(600)));

            assertThat(checker.corruptions).isZero();
            assertThat(checker.expected).isEqualTo(RECORDS);
            assertThat(checker.samples + checker.lost).isEqualTo(RECORDS);
            assertThat(checker.lost).isEqualTo(run.lost());
            assertThat(checker.samples).as("most records are delivered").isGreaterThan(RECORDS / 2);
            assertThat(checker.wrapped).as("records that crossed the ring end").isGreaterThan(1000);
            assertThat(ring.isEmpty()).isTrue();
            System.out.printf("ring stress: %d records (%d delivered, %d lost, %d wrapped) in %d ms%n",
                    RECORDS, checker.samples, checker.lost, checker.wrapped, run.millis());
        }
    }

    /** The reader's side: checks order and content without allocating. */
    private static final class Checker implements RecordHandler {
        long expected;
        long samples;
        long lost;
        long wrapped;
        long corruptions;
        private final long dataAddress;

        Checker(long dataAddress) {
            this.dataAddress = dataAddress;
        }

        @Override
        public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
            if (segment.address() != dataAddress) {
                wrapped++;
            }
            if (type == PerfRecordType.PERF_RECORD_LOST) {
                long n = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + PerfSideRecordDescriptor.LOST_LOST_OFFSET);
                if (n <= 0 || size != LOST_RECORD_SIZE) {
                    throw new AssertionError("bad LOST record: lost=" + n + " size=" + size);
                }
                lost += n;
                expected += n;
                return;
            }
            if (type != PerfRecordType.PERF_RECORD_SAMPLE) {
                throw new AssertionError("unexpected type " + type);
            }
            long seq = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8);
            if (seq != expected) {
                throw new AssertionError("sequence: expected " + expected + ", got " + seq);
            }
            checkWords(segment, offset, size, seq);
            if ((seq & 255) == 0) {
                // A slow reader: if the space were released before the handler returns, the producer (which
                // is usually waiting for space) would overwrite the record while it is being read.
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                if (segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8) != seq) {
                    throw new AssertionError("record " + seq + " overwritten while being read");
                }
                checkWords(segment, offset, size, seq);
            }
            samples++;
            expected++;
        }

        private static void checkWords(MemorySegment segment, long offset, int size, long seq) {
            for (int i = 16; i + 8 <= size; i += 8) {
                long word = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i);
                if (word != SyntheticRing.pattern(seq, i)) {
                    throw new AssertionError("record " + seq + " word " + i + " torn: " + Long.toHexString(word));
                }
            }
        }

        @Override
        public void onCorruption(int cpu, String problem, long skippedBytes) {
            corruptions++;
            throw new AssertionError("corruption: " + problem);
        }
    }
}
