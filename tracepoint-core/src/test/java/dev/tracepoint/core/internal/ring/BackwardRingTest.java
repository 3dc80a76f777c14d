package dev.tracepoint.core.internal.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The overwrite-mode reader on synthetic {@code write_backward} ring images: what a copy holds, and that the
 * walk returns exactly the whole records, oldest first, and never parses a torn or bad one.
 */
class BackwardRingTest {

    private static final int CAP = 256;
    /** Raw lengths giving samples of 40, 48 and 56 bytes. */
    private static final int[] RAW_LENGTHS = {4, 12, 20};

    /** Sample {@code seq}: pid = seq, time = seq * 1000, raw bytes a pattern of seq. */
    static byte[] sample(int seq, int rawLength) {
        byte[] raw = new byte[rawLength];
        for (int i = 0; i < rawLength; i++) {
            raw[i] = (byte) (seq * 31 + i);
        }
        return RecordImages.sample(seq, seq, seq * 1000L, 0, raw);
    }

    static int sizeOf(int seq) {
        return sample(seq, RAW_LENGTHS[seq % RAW_LENGTHS.length]).length;
    }

    /** Writes samples first..last-1 (oldest first), sizes cycling through 40, 48, 56. */
    static void writeSamples(BackwardImage image, int first, int last) {
        for (int seq = first; seq < last; seq++) {
            image.write(sample(seq, RAW_LENGTHS[seq % RAW_LENGTHS.length]));
        }
        image.publish();
    }

    /** The sequence numbers of a walk's records, each checked byte for byte against what was written. */
    static List<Integer> seqs(MemorySegment copy, BackwardRing.Walk walk) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < walk.count(); i++) {
            long at = walk.offsets()[i];
            assertThat(copy.get(ValueLayout.JAVA_INT_UNALIGNED, at)).isEqualTo(PerfRecordType.PERF_RECORD_SAMPLE);
            int seq = copy.get(ValueLayout.JAVA_INT_UNALIGNED, at + PerfSampleDescriptor.PID_OFFSET);
            byte[] expected = sample(seq, RAW_LENGTHS[seq % RAW_LENGTHS.length]);
            assertThat(copy.asSlice(at, expected.length).toArray(ValueLayout.JAVA_BYTE)).as("record %d", seq).isEqualTo(expected);
            out.add(seq);
        }
        return out;
    }

    @Test
    void beforeTheRingWrapsItHoldsEveryRecordOldestFirst() {
        try (BackwardImage image = new BackwardImage(CAP); Arena arena = Arena.ofConfined()) {
            writeSamples(image, 0, 5); // 40 + 48 + 56 + 40 + 48 = 232 bytes
            BackwardRing ring = image.ring(3);
            MemorySegment copy = arena.allocate(CAP, 8);
            BackwardRing.Window w = ring.copyNew(copy);
            assertThat(w).isEqualTo(new BackwardRing.Window(-232, 232, false, 0));
            BackwardRing.Walk walk = BackwardRing.walk(copy, w.length(), w.wrapped());
            assertThat(seqs(copy, walk)).containsExactly(0, 1, 2, 3, 4);
            assertThat(walk.torn()).isZero();
            assertThat(walk.problem()).isNull();
            assertThat(walk.unreadBytes()).isZero();
            assertThat(ring.cpu()).isEqualTo(3);
            assertThat(ring.capacity()).isEqualTo(CAP);
        }
    }

    /**
     * 40 records of 40-56 bytes into 256: the newest whole records are those whose sizes add up to at most 256
     * from the head; the next older one starts inside the ring but its end was overwritten by the newest. Every
     * start position in steps of 8 moves the wrap point of the data area across the records.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 8, 40, 96, 128, 200, 248})
    void afterWrappingItHoldsExactlyTheNewestWholeRecordsAndCountsTheTornOne(int startOffset) {
        int n = 40;
        try (BackwardImage image = new BackwardImage(CAP, 7L * CAP + startOffset); Arena arena = Arena.ofConfined()) {
            BackwardRing ring = image.ring(0);
            MemorySegment copy = arena.allocate(CAP, 8);
            ring.copyNew(copy); // moves the read position to the start: what is written from there is new
            writeSamples(image, 0, n);
            long total = 0;
            for (int seq = 0; seq < n; seq++) {
                total += sizeOf(seq);
            }
            int oldestWhole = n;
            long fitting = 0;
            while (oldestWhole > 0 && fitting + sizeOf(oldestWhole - 1) <= CAP) {
                fitting += sizeOf(--oldestWhole);
            }
            BackwardRing.Window w = ring.copyNew(copy);
            assertThat(w.wrapped()).isTrue();
            assertThat(w.length()).isEqualTo(CAP);
            assertThat(w.overwrittenBytes()).isEqualTo(total - CAP);
            BackwardRing.Walk walk = BackwardRing.walk(copy, w.length(), w.wrapped());
            assertThat(seqs(copy, walk)).isEqualTo(java.util.stream.IntStream.range(oldestWhole, n).boxed().toList());
            assertThat(walk.torn()).isEqualTo(fitting == CAP ? 0 : 1);
            assertThat(walk.unreadBytes()).isEqualTo(CAP - fitting);
            assertThat(walk.problem()).isNull();
        }
    }

    @Test
    void recordsThatFillTheRingExactlyAreAllWhole() {
        try (BackwardImage image = new BackwardImage(CAP); Arena arena = Arena.ofConfined()) {
            for (int seq = 0; seq < 4; seq++) {
                image.write(sample(seq, 28)); // 64 bytes
            }
            image.publish();
            BackwardRing ring = image.ring(0);
            MemorySegment copy = arena.allocate(CAP, 8);
            BackwardRing.Window w = ring.copyNew(copy);
            assertThat(w.wrapped()).isFalse();
            BackwardRing.Walk walk = BackwardRing.walk(copy, w.length(), w.wrapped());
            assertThat(walk.count()).isEqualTo(4);
            assertThat(walk.torn()).isZero();

            for (int seq = 4; seq < 12; seq++) {
                image.write(sample(seq, 28));
            }
            image.publish();
            w = ring.copyNew(copy);
            assertThat(w.wrapped()).isTrue();
            assertThat(w.overwrittenBytes()).isEqualTo(4 * 64);
            walk = BackwardRing.walk(copy, w.length(), w.wrapped());
            assertThat(walk.count()).isEqualTo(4);
            assertThat(copy.get(ValueLayout.JAVA_INT_UNALIGNED, walk.offsets()[0] + PerfSampleDescriptor.PID_OFFSET)).isEqualTo(8);
            assertThat(walk.torn()).as("the oldest record ends exactly where the newest begins").isZero();
        }
    }

    @Test
    void eachCopyHoldsOnlyWhatWasWrittenSinceThePreviousOne() {
        try (BackwardImage image = new BackwardImage(CAP); Arena arena = Arena.ofConfined()) {
            BackwardRing ring = image.ring(0);
            MemorySegment copy = arena.allocate(CAP, 8);
            writeSamples(image, 0, 3);
            BackwardRing.Window w = ring.copyNew(copy);
            assertThat(seqs(copy, BackwardRing.walk(copy, w.length(), w.wrapped()))).containsExactly(0, 1, 2);

            w = ring.copyNew(copy);
            assertThat(w.length()).isZero();
            assertThat(BackwardRing.walk(copy, w.length(), w.wrapped()).count()).isZero();

            writeSamples(image, 3, 5);
            w = ring.copyNew(copy);
            BackwardRing.Walk walk = BackwardRing.walk(copy, w.length(), w.wrapped());
            assertThat(seqs(copy, walk)).containsExactly(3, 4);
            assertThat(walk.torn()).isZero();
            assertThat(w.overwrittenBytes()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 12})
    void aHeaderThatCannotBeRightStopsTheWalkAndNothingOlderIsParsed(int badSize) {
        try (BackwardImage image = new BackwardImage(CAP); Arena arena = Arena.ofConfined()) {
            writeSamples(image, 0, 2);
            image.write(RecordImages.record(PerfRecordType.PERF_RECORD_SAMPLE, 0, 16));
            RecordImages.header(image.data, image.head & (CAP - 1), PerfRecordType.PERF_RECORD_SAMPLE, 0, badSize);
            writeSamples(image, 3, 5);
            BackwardRing ring = image.ring(2);
            MemorySegment copy = arena.allocate(CAP, 8);
            BackwardRing.Window w = ring.copyNew(copy);
            BackwardRing.Walk walk = BackwardRing.walk(copy, w.length(), w.wrapped());
            assertThat(seqs(copy, walk)).containsExactly(3, 4);
            assertThat(walk.problem()).contains("size=" + badSize).contains("cannot be right");
            assertThat(walk.unreadBytes()).isEqualTo(16 + sizeOf(0) + sizeOf(1));
            assertThat(walk.torn()).isZero();
        }
    }

    @Test
    void aRecordOfTypeZeroIsNoRecord() {
        try (BackwardImage image = new BackwardImage(CAP); Arena arena = Arena.ofConfined()) {
            writeSamples(image, 0, 1);
            image.write(RecordImages.record(0, 0, 24));
            writeSamples(image, 2, 3);
            MemorySegment copy = arena.allocate(CAP, 8);
            BackwardRing.Window w = image.ring(0).copyNew(copy);
            BackwardRing.Walk walk = BackwardRing.walk(copy, w.length(), w.wrapped());
            assertThat(seqs(copy, walk)).containsExactly(2);
            assertThat(walk.problem()).contains("type=0");
        }
    }

    @Test
    void recordsRunningPastThePreviousCopyAreAProblemNotATear() {
        try (BackwardImage image = new BackwardImage(CAP); Arena arena = Arena.ofConfined()) {
            writeSamples(image, 0, 2);
            MemorySegment copy = arena.allocate(CAP, 8);
            BackwardRing.Window w = image.ring(0).copyNew(copy);
            // the newest record is 48 bytes, the older one 40: a walk of 60 bytes ends 28 bytes into the older one
            BackwardRing.Walk walk = BackwardRing.walk(copy, w.length() - 28, false);
            assertThat(walk.count()).isEqualTo(1);
            assertThat(walk.torn()).isZero();
            assertThat(walk.problem()).contains("runs 28 bytes past the records already read");
        }
    }

    @Test
    void aLostRecordStaysInFrontOfTheRecordWrittenWithIt() {
        try (BackwardImage image = new BackwardImage(CAP); Arena arena = Arena.ofConfined()) {
            image.write(sample(0, 4));
            image.write(sample(1, 4));
            image.write(RecordImages.lost(77, 5), sample(2, 4)); // one reservation: LOST first, lower address
            image.write(sample(3, 4));
            image.publish();
            MemorySegment copy = arena.allocate(CAP, 8);
            BackwardRing.Window w = image.ring(0).copyNew(copy);
            BackwardRing.Walk walk = BackwardRing.walk(copy, w.length(), w.wrapped());
            List<String> order = new ArrayList<>();
            for (int i = 0; i < walk.count(); i++) {
                long at = walk.offsets()[i];
                int type = copy.get(ValueLayout.JAVA_INT_UNALIGNED, at);
                order.add(type == PerfRecordType.PERF_RECORD_LOST ? "lost"
                        : "s" + copy.get(ValueLayout.JAVA_INT_UNALIGNED, at + PerfSampleDescriptor.PID_OFFSET));
            }
            assertThat(order).containsExactly("s0", "s1", "lost", "s2", "s3");
        }
    }

    @Test
    void aCopyNeedsACapacityAndAClosedRingReadsNothing() {
        try (BackwardImage image = new BackwardImage(CAP); Arena arena = Arena.ofConfined()) {
            BackwardRing ring = image.ring(5);
            assertThatThrownBy(() -> ring.copyNew(arena.allocate(CAP / 2, 8)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity " + CAP);
            ring.close();
            assertThatThrownBy(() -> ring.copyNew(arena.allocate(CAP, 8)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cpu=5");
            assertThat(ring.toString()).contains("closed");
        }
    }
}
