package dev.tracepoint.core.internal.ring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The head/tail protocol under concurrency: a producer thread plays the kernel (writes records, publishes
 * {@code data_head} with release, never overwrites what the reader has not released through
 * {@code data_tail}, and when the ring is full drops samples and later reports them in a
 * {@code PERF_RECORD_LOST}, as {@code perf_output_begin} does). The reader checks that every sequence number
 * arrives exactly once and in order (or is accounted for by a LOST record) and that every payload word is
 * intact, i.e. no record was read before it was published or after it was overwritten.
 */
class PerfRingStressTest {

    private static final long RECORDS = 3_000_000;
    private static final int CAPACITY = 16 * 1024;
    private static final int LOST_RECORD_SIZE = 24;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyRecordArrivesIntactAndInOrderOrIsCountedLost() throws Exception {
        // Start near the top of the first lap so that the counters' first wrap comes early.
        try (SyntheticRing s = new SyntheticRing(CAPACITY, CAPACITY - 40); PerfRing ring = s.ring(0)) {
            AtomicReference<Throwable> producerFailure = new AtomicReference<>();
            long[] producerLost = new long[1];
            Thread producer = new Thread(() -> {
                try {
                    producerLost[0] = produce(s);
                } catch (Throwable t) {
                    producerFailure.set(t);
                }
            }, "ring-stress-producer");

            Checker checker = new Checker(s.data.address());
            SplittableRandom random = new SplittableRandom(7);
            long started = System.nanoTime();
            producer.start();
            long idle = 0;
            while (checker.expected < RECORDS) {
                int n = ring.drain(checker, 1 + random.nextInt(600));
                if (n == 0) {
                    if (producerFailure.get() != null || !producer.isAlive() && ring.isEmpty()) {
                        break;
                    }
                    if (++idle % 128 == 0) {
                        Thread.yield();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }
            producer.join(10_000);
            long millis = (System.nanoTime() - started) / 1_000_000;

            assertThat(producerFailure.get()).isNull();
            assertThat(checker.corruptions).isZero();
            assertThat(checker.expected).isEqualTo(RECORDS);
            assertThat(checker.samples + checker.lost).isEqualTo(RECORDS);
            assertThat(checker.lost).isEqualTo(producerLost[0]);
            assertThat(checker.samples).as("most records are delivered").isGreaterThan(RECORDS / 2);
            assertThat(checker.wrapped).as("records that crossed the ring end").isGreaterThan(1000);
            assertThat(ring.isEmpty()).isTrue();
            System.out.printf("ring stress: %d records (%d delivered, %d lost, %d wrapped) in %d ms%n",
                    RECORDS, checker.samples, checker.lost, checker.wrapped, millis);
        }
    }

    /** The kernel's side. Returns the number of samples dropped. */
    private static long produce(SyntheticRing s) {
        SplittableRandom random = new SplittableRandom(42);
        long lostPending = 0;
        long lostTotal = 0;
        int unpublished = 0;
        int spins = 0;
        for (long seq = 0; seq < RECORDS; ) {
            int size = 16 + 8 * random.nextInt(40); // 16..328 bytes, like real samples
            long need = size + (lostPending > 0 ? LOST_RECORD_SIZE : 0);
            if (s.free() < need) {
                if (unpublished > 0) {
                    s.publish();
                    unpublished = 0;
                }
                // Full ring: sometimes drop (as the kernel always does), sometimes wait for the reader.
                if (seq % 4 == 0) {
                    lostPending++;
                    lostTotal++;
                    seq++;
                } else if (++spins % 64 == 0) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
                continue;
            }
            if (lostPending > 0) {
                s.write(RecordImages.lost(0, lostPending));
                lostPending = 0;
            }
            s.writeSample(seq, size);
            seq++;
            // Usually one record per publication, sometimes a few (nested writers in the kernel).
            if (++unpublished >= 1 + random.nextInt(3)) {
                s.publish();
                unpublished = 0;
            }
        }
        while (lostPending > 0) {
            if (s.free() >= LOST_RECORD_SIZE) {
                s.write(RecordImages.lost(0, lostPending));
                lostPending = 0;
            } else {
                Thread.onSpinWait();
            }
        }
        s.publish();
        return lostTotal;
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
