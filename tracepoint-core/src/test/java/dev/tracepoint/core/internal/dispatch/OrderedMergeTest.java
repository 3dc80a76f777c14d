package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ordered drain stage on synthetic rings written the way the kernel writes them (records wrap byte-wise at
 * the end of the data area, task and lost records end with a {@code struct sample_id}), with a clock the test
 * sets: which records each pass delivers, in which order, which are marked late, and what is counted.
 */
class OrderedMergeTest {

    private static final int TRAILER = PerfSideRecordDescriptor.SAMPLE_ID_LENGTH;
    private static EventFormat signal;

    private final Arena arena = Arena.ofShared();
    private final long[] now = {0};
    /** What the listeners saw, in order: "cpu:time" for samples (pid = time), then " late" when marked. */
    private final List<String> log = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private Ring[] rings;
    private Dispatcher dispatcher;
    private OrderedMerge merge;

    @BeforeAll
    static void formats() throws IOException, FormatException {
        signal = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/signal/signal_generate/format"));
    }

    /** One CPU's synthetic ring. */
    final class Ring {
        final MemorySegment meta = arena.allocate(4096, 4096);
        final MemorySegment data;
        final PerfRing ring;
        long head;

        Ring(int cpu, long capacity, long start) {
            data = arena.allocate(capacity, 4096);
            ring = new PerfRing(cpu, meta, data);
            head = start;
            RecordImages.publish(meta, start, start);
        }

        Ring put(byte[] rec) {
            head = RecordImages.write(data, head, rec);
            return this;
        }

        /** A sample at {@code time}; its pid says the time again, so that the log reads it from the record. */
        Ring sample(long time) {
            return put(RecordImages.sample((int) time, 1, time, ring.cpu(), RecordImages.raw(signal)));
        }

        void publish() {
            RecordImages.setDataHead(meta, head);
        }

        long free() {
            return data.byteSize() - (head - RecordImages.dataTail(meta));
        }
    }

    @BeforeEach
    void setUp() {
        EventListener onSample = e -> log.add(e.cpu() + ":" + e.timeNanos() + (e.pid() != e.timeNanos() ? " pid?" : "")
                + (e.late() ? " late" : ""));
        TaskListener tasks = new TaskListener() {
            @Override
            public void onComm(int pid, int tid, String comm, boolean exec) {
                log.add("comm " + pid + " " + comm);
            }

            @Override
            public void onFork(int pid, int ppid, int tid, int ptid, long timeNanos) {
                log.add("fork " + pid + " t=" + timeNanos);
            }

            @Override
            public void onExit(int pid, int ppid, int tid, int ptid, long timeNanos) {
                log.add("exit " + pid + " t=" + timeNanos);
            }
        };
        LostListener lost = (cpu, n) -> log.add("lost " + n + " on " + cpu);
        dispatcher = new Dispatcher(ViewAccess.get().newView(), new Dispatcher.Entry[] {
                new Dispatcher.Entry(signal, new EventListener[] {onSample})},
                new LostListener[] {lost}, new TaskListener[] {tasks}, errors::add, 7);
        dispatcher.sampleIdLength(TRAILER);
    }

    @AfterEach
    void free() {
        if (merge != null) {
            merge.close();
        }
        for (Ring r : rings) {
            r.ring.close();
        }
        arena.close();
    }

    private void rings(int n, long capacity) {
        rings = new Ring[n];
        for (int i = 0; i < n; i++) {
            rings[i] = new Ring(i, capacity, capacity - 40 - 8L * i); // each wraps soon, at a different split
        }
    }

    private OrderedMerge merge(long lateness) {
        merge = new OrderedMerge(dispatcher, lateness, () -> now[0], TRAILER);
        return merge;
    }

    private PerfRing[] perfRings() {
        PerfRing[] out = new PerfRing[rings.length];
        for (int i = 0; i < rings.length; i++) {
            out[i] = rings[i].ring;
        }
        return out;
    }

    /** One pass at {@code time}; returns what it delivered, and clears the log. */
    private List<String> passAt(long time) {
        now[0] = time;
        int n = merge.pass(perfRings(), Integer.MAX_VALUE, null);
        List<String> out = List.copyOf(log);
        log.clear();
        assertThat(n).as("records delivered by the pass at %d", time).isEqualTo(out.size());
        return out;
    }

    @Test
    void interleavedRingsComeOutInTimeOrderUpToTheOldestOfTheirNewestRecords() {
        rings(3, 4096);
        merge(50);
        rings[0].sample(10).sample(40).sample(70).publish();
        rings[1].sample(20).sample(50).sample(80).publish();
        rings[2].sample(30).sample(60).sample(90).publish();

        // watermark min(70, 80, 90): ring 0 may still publish anything from 70 on
        assertThat(passAt(100)).containsExactly("0:10", "1:20", "2:30", "0:40", "1:50", "2:60", "0:70");
        // nothing new, and now - lateness = 60 is older than every staged record
        assertThat(passAt(100)).isEmpty();
        assertThat(merge.staged()).isEqualTo(2);
        rings[0].sample(85).publish();
        // ring 0's newest is 85: 80 may go, 85 and 90 wait for ring 1 (newest 80) or the clock
        assertThat(passAt(101)).containsExactly("1:80");
        // then the clock: now - lateness passes 85, not yet 90, then 90
        assertThat(passAt(136)).containsExactly("0:85");
        assertThat(passAt(139)).isEmpty();
        assertThat(passAt(140)).containsExactly("2:90");
        for (Ring r : rings) {
            assertThat(RecordImages.dataTail(r.meta)).as("every ring released at once").isEqualTo(r.head);
        }
        assertThat(merge.late()).isZero();
        assertThat(merge.early()).isZero();
        assertThat(dispatcher.samples()).isEqualTo(10);
        assertThat(errors).isEmpty();
    }

    @Test
    void aRingWithNothingPublishedHoldsTheMergeBackByTheLatenessAndNoMore() {
        rings(2, 8192);
        merge(1_000);
        for (long t = 100; t <= 5_000; t += 100) {
            rings[0].sample(t);
        }
        rings[0].publish();
        // ring 1 never publishes: everything up to now - lateness goes, the rest waits for the clock
        assertThat(passAt(3_050)).hasSize(20).last().isEqualTo("0:2000");
        assertThat(merge.waitMillis(100)).as("due in 50 ns: the shortest wait").isEqualTo(1);
        assertThat(passAt(3_999)).hasSize(9).last().isEqualTo("0:2900");
        assertThat(passAt(6_000)).hasSize(21).first().isEqualTo("0:3000");
        assertThat(merge.staged()).isZero();
        assertThat(merge.waitMillis(100)).as("nothing staged").isEqualTo(100);
        assertThat(errors).isEmpty();
    }

    @Test
    void aRecordReadAfterTheWindowPassedItIsDeliveredMarkedLateAndCounted() {
        rings(2, 4096);
        merge(50);
        rings[0].sample(100).sample(130).publish();
        assertThat(passAt(200)).containsExactly("0:100", "0:130");
        // ring 1 publishes a record older than the last one delivered, and one in order
        rings[1].sample(90).sample(140).publish();
        rings[0].sample(160).publish();
        assertThat(passAt(201)).containsExactly("1:90 late", "1:140");
        assertThat(passAt(400)).containsExactly("0:160");
        assertThat(merge.late()).isEqualTo(1);
        assertThat(dispatcher.samples()).isEqualTo(5);
    }

    @Test
    void taskAndLostRecordsAreMergedByTheTimeOfTheirSampleId() {
        rings(2, 4096);
        merge(10);
        // the child's fork is written on the parent's CPU (1), its exec and its first event on its own (0)
        rings[0].put(RecordImages.withSampleId(RecordImages.comm(77, 77, "kill", true), 77, 77, 210, 0))
                .sample(220)
                .put(RecordImages.withSampleId(RecordImages.exit(77, 1, 77, 1, 230), 77, 77, 230, 0))
                .publish();
        rings[1].sample(150)
                .put(RecordImages.withSampleId(RecordImages.fork(77, 1, 77, 1, 200), 1, 1, 200, 1))
                .put(RecordImages.withSampleId(RecordImages.lost(5, 3), 1, 1, 225, 1))
                .publish();

        assertThat(passAt(1_000)).containsExactly("1:150", "fork 77 t=200", "comm 77 kill", "0:220",
                "lost 3 on 1", "exit 77 t=230");
        assertThat(dispatcher.lost()).isEqualTo(3);
        assertThat(merge.late()).isZero();
    }

    @Test
    void aForkOrExitIsMergedByTheTimeItsListenerIsGivenNotByTheLaterTimeOfItsTrailer() {
        rings(2, 4096);
        merge(10);
        // the kernel reads the clock for the record's own time, then again for its sample_id when it writes
        // it: a sample on another CPU can fall between the two
        rings[1].put(RecordImages.withSampleId(RecordImages.fork(77, 1, 77, 1, 200), 1, 1, 260, 1))
                .put(RecordImages.withSampleId(RecordImages.exit(78, 1, 78, 1, 300), 1, 1, 330, 1))
                .publish();
        rings[0].sample(250).sample(310).publish();

        assertThat(passAt(1_000)).containsExactly("fork 77 t=200", "0:250", "exit 78 t=300", "0:310");
        assertThat(merge.late()).isZero();
    }

    @Test
    void aBatchListenerWalksTheMergedSequenceAndOtherRecordsEndItsBatches() {
        rings(2, 4096);
        merge(10);
        rings[0].sample(10).sample(30).sample(50).publish();
        rings[1].sample(20).put(RecordImages.withSampleId(RecordImages.fork(9, 1, 9, 1, 35), 1, 1, 35, 1))
                .sample(40).sample(60).publish();
        List<Integer> batchSizes = new ArrayList<>();
        BatchListener listener = b -> {
            int n = 0;
            while (b.next()) {
                log.add(b.cpu() + ":" + b.view().timeNanos() + (b.view().cpu() != b.cpu() ? " cpu?" : ""));
                n++;
            }
            batchSizes.add(n);
        };

        now[0] = 1_000;
        int n = merge.pass(perfRings(), Integer.MAX_VALUE, listener);

        assertThat(log).containsExactly("0:10", "1:20", "0:30", "fork 9 t=35", "1:40", "0:50", "1:60");
        assertThat(batchSizes).containsExactly(3, 3);
        assertThat(n).isEqualTo(7);
        assertThatThrownBy(merge::next).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void eventsABatchListenerDidNotReachStayStagedForTheNextPass() {
        rings(2, 4096);
        merge(10);
        rings[0].sample(10).sample(30).publish();
        rings[1].sample(20).sample(40).publish();
        BatchListener two = b -> {
            for (int i = 0; i < 2 && b.next(); i++) {
                log.add(b.cpu() + ":" + b.view().timeNanos());
            }
        };
        now[0] = 1_000;
        merge.pass(perfRings(), Integer.MAX_VALUE, two);
        assertThat(log).containsExactly("0:10", "1:20");
        assertThat(merge.staged()).isEqualTo(2);
        merge.pass(perfRings(), Integer.MAX_VALUE, two);
        assertThat(log).containsExactly("0:10", "1:20", "0:30", "1:40");
        assertThat(merge.staged()).isZero();
    }

    @Test
    void aPollLimitDeliversAtMostThatManyAndKeepsTheRestInOrder() {
        rings(2, 4096);
        merge(10);
        rings[0].sample(1).sample(3).sample(5).publish();
        rings[1].sample(2).sample(4).sample(6).publish();
        now[0] = 1_000;
        assertThat(merge.pass(perfRings(), 4, null)).isEqualTo(4);
        assertThat(log).containsExactly("0:1", "1:2", "0:3", "1:4");
        assertThat(RecordImages.dataTail(rings[0].meta)).as("staged, so released").isEqualTo(rings[0].head);
        assertThat(merge.pass(perfRings(), 4, null)).isEqualTo(2);
        assertThat(log).endsWith("0:5", "1:6");
    }

    @Test
    void aLaneWhoseRingIsGoneHoldsNothingBackAndItsRecordsAreStillMerged() {
        rings(2, 4096);
        merge(1_000);
        rings[0].sample(10).sample(40).publish();
        rings[1].sample(20).sample(30).publish();
        // CPU 1 goes offline: its ring is staged one last time, then no longer drained
        merge.stage(rings[1].ring, null);
        now[0] = 100;
        int n = merge.pass(new PerfRing[] {rings[0].ring}, Integer.MAX_VALUE, null);
        assertThat(log).containsExactly("0:10", "1:20", "1:30", "0:40");
        assertThat(n).isEqualTo(4);
    }

    @Test
    void aFullLaneDeliversItsOldestEarlyInOrderAndCountsThem() {
        rings(2, 64 * 1024);
        merge(1_000_000);
        int sampleLength = RecordImages.sample(1, 1, 1, 0, RecordImages.raw(signal)).length;
        long entry = 8 + sampleLength;
        long laneCapacity = OrderedMerge.MIN_LANE;
        // ring 1 stays idle and the lateness is long: nothing is due, ring 0's records pile up in its lane
        long t = 0;
        int written = 0;
        List<String> delivered = new ArrayList<>();
        for (int pass = 0; pass < 4; pass++) {
            while (rings[0].free() >= sampleLength) {
                rings[0].sample(++t);
                written++;
            }
            rings[0].publish();
            delivered.addAll(passAt(1_000));
        }
        // the room rule: a record that does not fit delivers the oldest until it fits with an eighth to spare
        long used = 0;
        long expectedEarly = 0;
        for (int i = 0; i < written; i++) {
            if (laneCapacity - used < entry) {
                while (laneCapacity - used < entry + laneCapacity / 8) {
                    used -= entry;
                    expectedEarly++;
                }
            }
            used += entry;
        }
        assertThat(expectedEarly).as("the lane overflowed").isGreaterThan(written / 2);
        assertThat(merge.early()).isEqualTo(expectedEarly);
        List<String> oldest = new ArrayList<>();
        for (long i = 1; i <= expectedEarly; i++) {
            oldest.add("0:" + i);
        }
        assertThat(delivered).as("the oldest, in order, none late").isEqualTo(oldest);
        long fits = written - expectedEarly;
        assertThat(merge.staged()).isEqualTo(fits);
        assertThat(merge.late()).isZero();
        assertThat(merge.flush(null)).isEqualTo((int) fits);
        log.clear();
        // early ones were the oldest, so a record older than them comes late
        rings[1].sample(1).publish();
        assertThat(passAt(1_000)).containsExactly("1:1 late");
        assertThat(dispatcher.samples()).isEqualTo(written + 1);
    }

    @Test
    void aBatchListenerThatTakesNothingFromAFullLaneLosesTheSampleThatFindsNoRoom() {
        rings(2, 64 * 1024);
        merge(1_000_000);
        int sampleLength = RecordImages.sample(1, 1, 1, 0, RecordImages.raw(signal)).length;
        long fits = OrderedMerge.MIN_LANE / (8 + sampleLength);
        int[] calls = {0};
        BatchListener refusing = b -> calls[0]++;
        long t = 0;
        int written = 0;
        for (int pass = 0; pass < 3; pass++) {
            while (rings[0].free() >= sampleLength) {
                rings[0].sample(++t);
                written++;
            }
            rings[0].publish();
            now[0] = 1_000;
            merge.pass(perfRings(), Integer.MAX_VALUE, refusing);
        }
        assertThat(merge.staged()).isEqualTo(fits);
        assertThat(dispatcher.lost()).as("what found no room").isEqualTo(written - fits);
        assertThat(calls[0]).isEqualTo(written - fits);
        assertThat(merge.early()).isZero();
    }

    /**
     * Four rings, wrapping hundreds of times: three publish interleaved times at skewed offsets and in bursts,
     * with task and lost records among the samples; the fourth stays idle for most of the run, then publishes a
     * record older than the lateness allows, then regular ones. Checked against a model that sorts what it
     * holds: every pass delivers exactly what the model says, in its order, late marks and counts included.
     */
    @Test
    void skewedBurstyAndIdleRingsMatchASortingModelExactly() {
        rings(4, 4096);
        long lateness = 5_000;
        merge(lateness);
        Random random = new Random(20261127);
        List<long[]> held = new ArrayList<>(); // {time, cpu, kind}: kind 0 sample, 1 fork, 2 lost
        long[] newest = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
        long[] next = {0, 0, 0, 0};
        long lastDelivered = Long.MIN_VALUE;
        long expectedLate = 0;
        long clock = 10_000;
        int totalDelivered = 0;
        for (int pass = 0; pass < 600; pass++) {
            clock += 700 + random.nextInt(600);
            for (int cpu = 0; cpu < 4; cpu++) {
                boolean idle = cpu == 3 && pass < 450;
                if (idle || (cpu < 3 && random.nextInt(4) == 0)) {
                    continue; // this ring publishes nothing this pass
                }
                // records published since the last pass, each no older than the ring's previous one; ring 3's
                // first record comes far too late
                long t = Math.max(next[cpu], clock - 2_000 - random.nextInt(1_500) - 1_000L * cpu);
                if (cpu == 3 && pass == 450) {
                    t = clock - 3 * lateness;
                }
                int count = 1 + random.nextInt(cpu == 0 ? 30 : 12);
                for (int i = 0; i < count && rings[cpu].free() >= 128; i++) {
                    int kind = random.nextInt(20) == 0 ? 1 + random.nextInt(2) : 0;
                    switch (kind) {
                        case 0 -> rings[cpu].sample(t);
                        case 1 -> rings[cpu].put(RecordImages.withSampleId(
                                RecordImages.fork((int) t, 1, (int) t, 1, t), 1, 1, t, cpu));
                        default -> rings[cpu].put(RecordImages.withSampleId(RecordImages.lost(1, t), 1, 1, t, cpu));
                    }
                    held.add(new long[] {t, cpu, kind});
                    newest[cpu] = Math.max(newest[cpu], t);
                    t += random.nextInt(3) * 37L; // equal times too
                }
                next[cpu] = t;
                rings[cpu].publish();
            }
            // the model: every ring drained bounds the watermark by max(its newest, now - lateness)
            long watermark = Long.MAX_VALUE;
            for (int cpu = 0; cpu < 4; cpu++) {
                watermark = Math.min(watermark, Math.max(newest[cpu], clock - lateness));
            }
            held.sort(Comparator.<long[]>comparingLong(r -> r[0]).thenComparingLong(r -> r[1]));
            List<String> expected = new ArrayList<>();
            while (!held.isEmpty() && held.get(0)[0] <= watermark) {
                long[] r = held.remove(0);
                boolean late = r[0] < lastDelivered;
                if (late) {
                    expectedLate++;
                } else {
                    lastDelivered = r[0];
                }
                expected.add(switch ((int) r[2]) {
                    case 0 -> r[1] + ":" + r[0] + (late ? " late" : "");
                    case 1 -> "fork " + r[0] + " t=" + r[0];
                    default -> "lost " + r[0] + " on " + r[1];
                });
            }
            List<String> got = passAt(clock);
            assertThat(got).as("pass %d at %d, watermark %d", pass, clock, watermark).containsExactlyElementsOf(expected);
            totalDelivered += got.size();
        }
        assertThat(expectedLate).as("the scenario has late records").isPositive();
        assertThat(merge.late()).isEqualTo(expectedLate);
        assertThat(merge.early()).isZero();
        assertThat(merge.staged()).isEqualTo(held.size());
        assertThat(totalDelivered).as("the rings wrapped many times").isGreaterThan(20 * 4096 / 88);
        assertThat(errors).isEmpty();
    }

    @Test
    void closeFreesTheLanes() {
        rings(2, 4096);
        merge(10);
        rings[0].sample(1).publish();
        passAt(5);
        assertThat(merge.stagingBytes()).isEqualTo(2 * (OrderedMerge.MIN_LANE + OrderedMerge.MIN_LANE / 2));
        merge.close();
        assertThat(merge.stagingBytes()).isZero();
        assertThatThrownBy(() -> merge.pass(perfRings(), 1, null)).isInstanceOf(IllegalStateException.class);
        merge = null;
    }
}
