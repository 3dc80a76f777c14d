package dev.tracepoint.core.internal.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PerfRingTest {

    private static final int CAP = 256;

    @Test
    void emptyRingHandsOutNothingAndLeavesTheTail() {
        try (SyntheticRing s = new SyntheticRing(CAP, 1000); PerfRing ring = s.ring(3)) {
            Recorder r = new Recorder();
            assertThat(ring.isEmpty()).isTrue();
            assertThat(ring.drain(r, Integer.MAX_VALUE)).isZero();
            assertThat(r.records).isEmpty();
            assertThat(r.corruptions).isEmpty();
            assertThat(ring.dataTail()).isEqualTo(1000);
            assertThat(ring.capacity()).isEqualTo(CAP);
            assertThat(ring.cpu()).isEqualTo(3);
        }
    }

    @Test
    void recordInsideTheRingIsPassedInPlace() {
        try (SyntheticRing s = new SyntheticRing(CAP); PerfRing ring = s.ring(1)) {
            s.write(PerfRecordType.PERF_RECORD_SAMPLE, 0x1234, 32, b -> b.set(ValueLayout.JAVA_LONG, 8, 77L));
            s.publish();
            assertThat(ring.isEmpty()).isFalse();
            assertThat(ring.dataHeadAcquire()).isEqualTo(32);

            Recorder r = new Recorder();
            assertThat(ring.drain(r, 10)).isEqualTo(1);

            Recorder.Rec rec = r.records.get(0);
            assertThat(rec.cpu()).isEqualTo(1);
            assertThat(rec.type()).isEqualTo(PerfRecordType.PERF_RECORD_SAMPLE);
            assertThat(rec.misc()).isEqualTo(0x1234);
            assertThat(rec.size()).isEqualTo(32);
            assertThat(rec.word(8)).isEqualTo(77L);
            assertThat(rec.segmentAddress()).isEqualTo(s.data.address());
            assertThat(rec.offset()).isZero();
            assertThat(ring.dataTail()).isEqualTo(32);
            assertThat(ring.isEmpty()).isTrue();
        }
    }

    @Test
    void headerFieldsAreUnsigned() {
        try (SyntheticRing s = new SyntheticRing(1 << 16); PerfRing ring = s.ring(0)) {
            s.write(-1, 0xFFFF, 0xFFF8, b -> { });
            s.publish();
            Recorder r = new Recorder();
            assertThat(ring.drain(r, 10)).isEqualTo(1);
            assertThat(r.records.get(0).type()).isEqualTo(-1); // u32 0xffffffff, passed through as is
            assertThat(r.records.get(0).misc()).isEqualTo(0xFFFF);
            assertThat(r.records.get(0).size()).isEqualTo(0xFFF8);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 16, 24, 48, 88, 128, 248, 256})
    void recordWrappingTheEndAtEveryAlignedOffset(int size) {
        for (long start = 0; start < CAP; start += 8) {
            // A few laps ahead, so that the free-running counters are far from the masked offsets.
            long position = 7L * CAP + start;
            try (SyntheticRing s = new SyntheticRing(CAP, position); PerfRing ring = s.ring(0)) {
                s.writeSample(42 + start, size);
                s.publish();
                Recorder r = new Recorder();

                assertThat(ring.drain(r, Integer.MAX_VALUE)).as("start=%d size=%d", start, size).isEqualTo(1);

                Recorder.Rec rec = r.records.get(0);
                assertThat(rec.size()).isEqualTo(size);
                assertThat(rec.type()).isEqualTo(PerfRecordType.PERF_RECORD_SAMPLE);
                checkSample(rec, 42 + start);
                boolean wraps = start + size > CAP;
                if (wraps) {
                    assertThat(rec.segmentAddress()).as("wrapped record comes from scratch").isNotEqualTo(s.data.address());
                    assertThat(rec.offset()).isZero();
                } else {
                    assertThat(rec.segmentAddress()).isEqualTo(s.data.address());
                    assertThat(rec.offset()).isEqualTo(start);
                }
                assertThat(ring.dataTail()).isEqualTo(position + size);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void headerStraddlingTheEnd(int bytesBeforeEnd) {
        // Only possible with a tail that is not 8-aligned; the kernel never produces one, the reader copes.
        long start = CAP - bytesBeforeEnd;
        try (SyntheticRing s = new SyntheticRing(CAP, start); PerfRing ring = s.ring(0)) {
            s.write(PerfRecordType.PERF_RECORD_LOST, 5, 24, b -> {
                b.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 11L);
                b.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, 99L);
            });
            s.writeSample(7, 40);
            s.publish();
            Recorder r = new Recorder();

            assertThat(ring.drain(r, Integer.MAX_VALUE)).isEqualTo(2);

            assertThat(r.corruptions).isEmpty();
            Recorder.Rec lost = r.records.get(0);
            assertThat(lost.type()).isEqualTo(PerfRecordType.PERF_RECORD_LOST);
            assertThat(lost.misc()).isEqualTo(5);
            assertThat(lost.size()).isEqualTo(24);
            assertThat(lost.word(PerfSideRecordDescriptor.LOST_ID_OFFSET)).isEqualTo(11L);
            assertThat(lost.word(PerfSideRecordDescriptor.LOST_LOST_OFFSET)).isEqualTo(99L);
            checkSample(r.records.get(1), 7);
            assertThat(ring.dataTail()).isEqualTo(start + 64);
        }
    }

    @Test
    void largestPossibleRecordWrapsThroughScratch() {
        int cap = 1 << 16;
        int size = 0xFFF8; // largest multiple of 8 that fits header.size (u16)
        try (SyntheticRing s = new SyntheticRing(cap, cap - 8); PerfRing ring = s.ring(0)) {
            s.writeSample(5, size);
            s.publish();
            Recorder r = new Recorder();
            assertThat(ring.drain(r, 1)).isEqualTo(1);
            checkSample(r.records.get(0), 5);
            assertThat(r.records.get(0).segmentAddress()).isNotEqualTo(s.data.address());
        }
    }

    @Test
    void lostAndUnknownRecordTypesArePassedThroughInOrder() {
        try (SyntheticRing s = new SyntheticRing(CAP); PerfRing ring = s.ring(2)) {
            s.writeSample(1, 24);
            s.write(RecordImages.lost(0, 1234L));
            s.write(RecordImages.record(4711, 3, 40));               // a type from a future kernel
            s.write(RecordImages.throttle(0, 0, 0));
            s.writeSample(2, 24);
            s.publish();
            Recorder r = new Recorder();

            assertThat(ring.drain(r, 100)).isEqualTo(5);

            assertThat(r.records).extracting(Recorder.Rec::type).containsExactly(
                    PerfRecordType.PERF_RECORD_SAMPLE, PerfRecordType.PERF_RECORD_LOST, 4711,
                    PerfRecordType.PERF_RECORD_THROTTLE, PerfRecordType.PERF_RECORD_SAMPLE);
            assertThat(r.records.get(1).word(PerfSideRecordDescriptor.LOST_LOST_OFFSET)).isEqualTo(1234L);
            assertThat(r.records.get(2).size()).isEqualTo(40);
            assertThat(r.records).extracting(Recorder.Rec::cpu).containsOnly(2);
            assertThat(r.corruptions).isEmpty();
            assertThat(ring.dataTail()).isEqualTo(24 + 24 + 40 + 32 + 24);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 12, 36, 56, 264, 1024})
    void corruptSizeResynchronisesAndReports(int badSize) {
        for (long start : new long[] {0, 128, CAP - 8}) {
            try (SyntheticRing s = new SyntheticRing(CAP, start); PerfRing ring = s.ring(4)) {
                s.writeSample(1, 32);
                s.write(PerfRecordType.PERF_RECORD_SAMPLE, 0, 16, b -> b.set(ValueLayout.JAVA_SHORT, 6, (short) badSize));
                s.writeSample(2, 32);
                s.publish();
                long head = s.head;
                Recorder r = new Recorder();

                assertThat(ring.drain(r, 100)).isEqualTo(1);

                assertThat(r.records).hasSize(1);
                assertThat(r.corruptions).hasSize(1);
                Recorder.Corruption c = r.corruptions.get(0);
                assertThat(c.cpu()).isEqualTo(4);
                assertThat(c.problem()).contains("header.size=" + badSize);
                assertThat(c.skippedBytes()).isEqualTo(16 + 32);
                assertThat(ring.dataTail()).isEqualTo(head);
                assertThat(ring.isEmpty()).isTrue();

                // Resynchronised: the next record is read normally.
                s.writeSample(3, 32);
                s.publish();
                Recorder next = new Recorder();
                assertThat(ring.drain(next, 100)).isEqualTo(1);
                checkSample(next.records.get(0), 3);
            }
        }
    }

    @Test
    void corruptSizeMessagesSayWhatIsWrong() {
        assertThat(problemFor(0)).contains("header.size=0").contains("smaller than the 8-byte header");
        assertThat(problemFor(12)).contains("not a multiple of 8");
        assertThat(problemFor(CAP + 8)).contains("larger than the data area (capacity=256)");
        assertThat(problemFor(64)).contains("larger than the 16 bytes published");
    }

    private static String problemFor(int badSize) {
        try (SyntheticRing s = new SyntheticRing(CAP); PerfRing ring = s.ring(0)) {
            s.write(PerfRecordType.PERF_RECORD_SAMPLE, 0, 16, b -> b.set(ValueLayout.JAVA_SHORT, 6, (short) badSize));
            s.publish();
            Recorder r = new Recorder();
            ring.drain(r, 10);
            assertThat(r.corruptions).hasSize(1);
            return r.corruptions.get(0).problem();
        }
    }

    @Test
    void recordLargerThanWhatWasPublishedIsCorruption() {
        try (SyntheticRing s = new SyntheticRing(CAP); PerfRing ring = s.ring(0)) {
            s.writeSample(1, 64);
            s.head -= 32; // publish only half of it
            s.publish();
            Recorder r = new Recorder();
            assertThat(ring.drain(r, 10)).isZero();
            assertThat(r.corruptions).singleElement().satisfies(c -> {
                assertThat(c.problem()).contains("larger than the 32 bytes published");
                assertThat(c.skippedBytes()).isEqualTo(32);
            });
            assertThat(ring.dataTail()).isEqualTo(32);
        }
    }

    @Test
    void headBehindTailIsCorruption() {
        try (SyntheticRing s = new SyntheticRing(CAP, 1000); PerfRing ring = s.ring(0)) {
            s.setHead(500);
            Recorder r = new Recorder();
            assertThat(ring.drain(r, 10)).isZero();
            assertThat(r.corruptions).singleElement().satisfies(c -> {
                assertThat(c.problem()).contains("data_head=500 is behind data_tail=1000");
                assertThat(c.skippedBytes()).isZero();
            });
            assertThat(ring.dataTail()).isEqualTo(500);
            assertThat(ring.drain(r, 10)).isZero();
            assertThat(r.corruptions).hasSize(1);
        }
    }

    @Test
    void headMoreThanTheDataAreaAheadIsCorruption() {
        try (SyntheticRing s = new SyntheticRing(CAP, 64); PerfRing ring = s.ring(0)) {
            s.setHead(64 + CAP + 8);
            Recorder r = new Recorder();
            assertThat(ring.drain(r, 10)).isZero();
            assertThat(r.corruptions).singleElement().satisfies(c -> {
                assertThat(c.problem()).contains("more than the data area ahead");
                assertThat(c.skippedBytes()).isEqualTo(CAP + 8);
            });
            assertThat(ring.dataTail()).isEqualTo(64 + CAP + 8);
        }
    }

    @Test
    void aFullRingIsNotCorruption() {
        try (SyntheticRing s = new SyntheticRing(CAP, 40); PerfRing ring = s.ring(0)) {
            for (int i = 0; i < CAP / 32; i++) {
                s.writeSample(i, 32);
            }
            s.publish();
            assertThat(s.free()).isZero();
            Recorder r = new Recorder();
            assertThat(ring.drain(r, 100)).isEqualTo(CAP / 32);
            assertThat(r.corruptions).isEmpty();
            for (int i = 0; i < CAP / 32; i++) {
                checkSample(r.records.get(i), i);
            }
        }
    }

    @Test
    void limitIsHonouredAndTailStopsAfterTheLastHandledRecord() {
        try (SyntheticRing s = new SyntheticRing(CAP); PerfRing ring = s.ring(0)) {
            for (int i = 0; i < 7; i++) {
                s.writeSample(i, 32);
            }
            s.publish();
            Recorder r = new Recorder();

            assertThat(ring.drain(r, 3)).isEqualTo(3);
            assertThat(ring.dataTail()).isEqualTo(3 * 32);
            assertThat(ring.drain(r, 0)).isZero();
            assertThat(ring.dataTail()).isEqualTo(3 * 32);
            assertThat(ring.drain(r, 3)).isEqualTo(3);
            assertThat(ring.dataTail()).isEqualTo(6 * 32);
            assertThat(ring.drain(r, 3)).isEqualTo(1);
            assertThat(ring.dataTail()).isEqualTo(7 * 32);
            assertThat(r.records).hasSize(7);
            for (int i = 0; i < 7; i++) {
                checkSample(r.records.get(i), i);
            }
            assertThatThrownBy(() -> ring.drain(r, -1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("limit=-1");
        }
    }

    @Test
    void headIsReadOncePerDrain() {
        try (SyntheticRing s = new SyntheticRing(CAP); PerfRing ring = s.ring(0)) {
            s.writeSample(0, 32);
            s.writeSample(1, 32);
            s.publish();
            // The handler publishes more records while the pass runs; they wait for the next pass.
            Recorder r = new Recorder() {
                @Override
                public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
                    super.onRecord(cpu, segment, offset, type, misc, size);
                    s.writeSample(100 + records.size(), 32);
                    s.publish();
                }
            };
            assertThat(ring.drain(r, 100)).isEqualTo(2);
            assertThat(ring.dataTail()).isEqualTo(64);
            assertThat(ring.isEmpty()).isFalse();
        }
    }

    @Test
    void tailIsReleasedOncePerPassAfterTheHandlersReturn() {
        try (SyntheticRing s = new SyntheticRing(CAP, 64); PerfRing ring = s.ring(0)) {
            for (int i = 0; i < 5; i++) {
                s.writeSample(i, 48); // the fourth wraps
            }
            s.publish();
            long[] tailsSeen = new long[5];
            Recorder r = new Recorder() {
                @Override
                public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
                    tailsSeen[records.size()] = s.tail();
                    super.onRecord(cpu, segment, offset, type, misc, size);
                }
            };
            assertThat(ring.drain(r, 100)).isEqualTo(5);
            // While the records are read the kernel must not get their space back.
            assertThat(tailsSeen).containsOnly(64L);
            assertThat(s.tail()).isEqualTo(64 + 5 * 48);
        }
    }

    @Test
    void handlerThatThrowsStillAdvancesTheTailPastWhatWasHandedOut() {
        try (SyntheticRing s = new SyntheticRing(CAP); PerfRing ring = s.ring(0)) {
            for (int i = 0; i < 5; i++) {
                s.writeSample(i, 32);
            }
            s.publish();
            Recorder r = new Recorder() {
                @Override
                public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
                    super.onRecord(cpu, segment, offset, type, misc, size);
                    if (records.size() == 3) {
                        throw new AssertionError("handler failed");
                    }
                }
            };

            assertThatThrownBy(() -> ring.drain(r, 100)).isInstanceOf(AssertionError.class).hasMessage("handler failed");

            assertThat(ring.dataTail()).isEqualTo(3 * 32); // the record that threw is consumed too
            Recorder rest = new Recorder();
            assertThat(ring.drain(rest, 100)).isEqualTo(2);
            checkSample(rest.records.get(0), 3);
            checkSample(rest.records.get(1), 4);
        }
    }

    @Test
    void corruptionHandlerThatThrowsStillResynchronises() {
        try (SyntheticRing s = new SyntheticRing(CAP); PerfRing ring = s.ring(0)) {
            s.write(PerfRecordType.PERF_RECORD_SAMPLE, 0, 16, b -> b.set(ValueLayout.JAVA_SHORT, 6, (short) 0));
            s.publish();
            RecordHandler throwing = new Recorder() {
                @Override
                public void onCorruption(int cpu, String problem, long skippedBytes) {
                    throw new IllegalStateException(problem);
                }
            };
            assertThatThrownBy(() -> ring.drain(throwing, 10)).isInstanceOf(IllegalStateException.class);
            assertThat(ring.dataTail()).isEqualTo(16);
        }
    }

    @Test
    void rejectsDataAreaThatIsNotAPowerOfTwo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment meta = arena.allocate(4096, 4096);
            assertThatThrownBy(() -> new PerfRing(0, meta, arena.allocate(3 * 4096, 4096)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity=12288");
            assertThatThrownBy(() -> new PerfRing(0, meta, arena.allocate(4, 8)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity=4");
            assertThatThrownBy(() -> new PerfRing(0, arena.allocate(1024, 8), arena.allocate(4096, 8)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("byteSize=1024");
            MemorySegment unaligned = arena.allocate(4096 + 8, 4096).asSlice(4, 4096);
            assertThatThrownBy(() -> new PerfRing(0, unaligned, arena.allocate(4096, 8)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aligned");
            assertThatThrownBy(() -> new PerfRing(0, MemorySegment.ofArray(new byte[4096]), arena.allocate(4096, 8)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aligned");
        }
    }

    @Test
    void mappingConstructorUsesDataOffsetAndSizeWhenSet() {
        int page = 4096;
        try (Arena arena = Arena.ofConfined()) {
            // Old kernel: data_offset/data_size are 0, so data = everything after the first page.
            MemorySegment mapping = arena.allocate(9L * page, page);
            try (PerfRing ring = new PerfRing(0, mapping, page)) {
                assertThat(ring.capacity()).isEqualTo(8L * page);
            }
            // New kernel: taken from the metadata page.
            mapping.set(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_OFFSET_OFFSET, page);
            mapping.set(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_SIZE_OFFSET, 4L * page);
            try (PerfRing ring = new PerfRing(0, mapping, page)) {
                assertThat(ring.capacity()).isEqualTo(4L * page);
                // A record written at data_offset is found.
                RecordImages.header(mapping, page, PerfRecordType.PERF_RECORD_SAMPLE, 0, 16);
                RecordImages.setDataHead(mapping, 16);
                Recorder r = new Recorder();
                assertThat(ring.drain(r, 10)).isEqualTo(1);
                assertThat(r.records.get(0).segmentAddress()).isEqualTo(mapping.address() + page);
                assertThat(mapping.get(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_TAIL_OFFSET)).isEqualTo(16);
            }
            mapping.set(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_SIZE_OFFSET, 16L * page);
            assertThatThrownBy(() -> new PerfRing(0, mapping, page))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data_size=65536");
            assertThatThrownBy(() -> new PerfRing(0, arena.allocate(page, page), page))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smaller than a metadata page");
        }
    }

    @Test
    void closeIsIdempotentAndDrainAfterCloseFails() {
        try (SyntheticRing s = new SyntheticRing(CAP)) {
            PerfRing ring = s.ring(9);
            ring.close();
            ring.close();
            assertThat(ring.toString()).contains("cpu=9").contains("closed");
            assertThatThrownBy(() -> ring.drain(new Recorder(), 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cpu=9");
            // The mapping is not the ring's: still usable after close.
            assertThat(s.publishedHead()).isZero();
        }
    }

    private static void checkSample(Recorder.Rec rec, long seq) {
        assertThat(rec.type()).isEqualTo(PerfRecordType.PERF_RECORD_SAMPLE);
        if (rec.size() >= 16) {
            assertThat(rec.word(8)).as("seq").isEqualTo(seq);
        }
        for (int i = 16; i + 8 <= rec.size(); i += 8) {
            assertThat(rec.word(i)).as("word %d of record %d", i, seq).isEqualTo(SyntheticRing.pattern(seq, i));
        }
    }
}
