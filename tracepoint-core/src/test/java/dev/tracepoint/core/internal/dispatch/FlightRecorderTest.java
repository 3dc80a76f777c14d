package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.internal.ring.BackwardImage;
import dev.tracepoint.core.internal.ring.BackwardRing;
import dev.tracepoint.core.internal.ring.RecordImages;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The flight recorder's snapshot over synthetic overwrite-mode rings: the order of pause, quiesce, copy and
 * resume; records of several CPUs merged by sample time; LOST records reported in place; what it does when
 * the kernel refuses to pause or resume a ring.
 */
class FlightRecorderTest {

    private static EventFormat signal;

    @BeforeAll
    static void formats() throws Exception {
        signal = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/signal/signal_generate/format"));
    }

    /** A signal_generate sample whose pid is {@code tag} and whose time is {@code time}. */
    static byte[] sample(int tag, long time, int cpu) {
        return RecordImages.sample(tag, tag, time, cpu, RecordImages.raw(signal));
    }

    final List<String> log = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();

    Dispatcher dispatcher() {
        EventListener l = e -> log.add("cpu" + e.cpu() + ":" + e.pid() + "@" + e.timeNanos());
        LostListener lost = (cpu, count) -> log.add("lost cpu" + cpu + ":" + count);
        return new Dispatcher(ViewAccess.get().newView(), new Dispatcher.Entry[] {new Dispatcher.Entry(signal, new EventListener[] {l})},
                new LostListener[] {lost}, new TaskListener[0], errors::add, 1);
    }

    @Test
    void pausesEveryRingThenQuiescesCopiesAndResumesBeforeDelivering() throws Exception {
        try (BackwardImage cpu0 = new BackwardImage(1024); BackwardImage cpu1 = new BackwardImage(1024)) {
            cpu0.write(sample(1, 100, 0));
            cpu0.write(sample(3, 300, 0));
            cpu0.publish();
            cpu1.write(sample(2, 200, 1));
            cpu1.publish();
            Dispatcher d = dispatcher();
            FlightRecorder recorder = new FlightRecorder(new BackwardRing[] {cpu0.ring(0), cpu1.ring(1)},
                    (ring, paused) -> log.add((paused ? "pause " : "resume ") + ring), () -> log.add("quiesce"), d,
                    new Runnable[] {() -> log.add("flush")}, errors::add);
            FlightRecorder.Result r = recorder.snapshot();
            assertThat(log).containsExactly("pause 0", "pause 1", "quiesce", "resume 0", "resume 1",
                    "cpu0:1@100", "cpu1:2@200", "cpu0:3@300", "flush");
            assertThat(r.cpus()).containsExactly(0, 1);
            assertThat(r.records()).containsExactly(2, 1);
            assertThat(r.events()).isEqualTo(3);
            assertThat(r.firstTimeNanos()).isEqualTo(100);
            assertThat(r.lastTimeNanos()).isEqualTo(300);
            assertThat(errors).isEmpty();

            log.clear();
            r = recorder.snapshot();
            assertThat(r.events()).isZero();
            assertThat(log).as("nothing new: nothing delivered, no flush").containsExactly("pause 0", "pause 1", "quiesce", "resume 0", "resume 1");
        }
    }

    /**
     * Two CPUs whose samples interleave in time, one ring wrapped with a torn tail, the other with a LOST
     * record written with a sample: delivered oldest first across both, the LOST record after the record
     * before it in its ring (the samples it announces were lost between those two), the torn record only
     * counted.
     */
    @Test
    void mergesTheRingsBySampleTimeAndReportsLossesInPlace() throws Exception {
        int size = sample(0, 0, 0).length; // 88 bytes: 5 fit in 512, the sixth is torn
        assertThat(size).isEqualTo(88);
        try (BackwardImage cpu0 = new BackwardImage(512); BackwardImage cpu1 = new BackwardImage(1024)) {
            for (int i = 0; i < 8; i++) {
                cpu0.write(sample(10 + i, 1000 + 20L * i, 0)); // 1000, 1020, ... 1140
            }
            cpu0.publish();
            cpu1.write(sample(20, 1070, 1));
            cpu1.write(RecordImages.lost(5, 7), sample(21, 1110, 1));
            cpu1.write(sample(22, 1200, 1));
            cpu1.publish();
            Dispatcher d = dispatcher();
            FlightRecorder recorder = new FlightRecorder(new BackwardRing[] {cpu0.ring(0), cpu1.ring(1)},
                    (ring, paused) -> { }, () -> { }, d, new Runnable[0], errors::add);
            FlightRecorder.Result r = recorder.snapshot();
            assertThat(log).containsExactly("cpu0:13@1060", "cpu1:20@1070", "lost cpu1:7", "cpu0:14@1080",
                    "cpu0:15@1100", "cpu1:21@1110", "cpu0:16@1120", "cpu0:17@1140", "cpu1:22@1200");
            assertThat(r.records()).containsExactly(5, 4);
            assertThat(r.torn()).containsExactly(1, 0);
            assertThat(r.overwrittenBytes()).containsExactly(8 * 88 - 512, 0);
            assertThat(r.lost()).isEqualTo(7);
            assertThat(r.events()).isEqualTo(8);
            assertThat(d.lost(1)).isEqualTo(7);
        }
    }

    @Test
    void aRingThatCannotBePausedResumesThoseThatWere() {
        try (BackwardImage cpu0 = new BackwardImage(256); BackwardImage cpu1 = new BackwardImage(256)) {
            FlightRecorder recorder = new FlightRecorder(new BackwardRing[] {cpu0.ring(0), cpu1.ring(1)}, (ring, paused) -> {
                log.add((paused ? "pause " : "resume ") + ring);
                if (ring == 1 && paused) {
                    throw new TracepointException("ioctl(PERF_EVENT_IOC_PAUSE_OUTPUT) on CPU 1: EBADF (Bad file descriptor)");
                }
            }, () -> log.add("quiesce"), dispatcher(), new Runnable[0], errors::add);
            assertThatThrownBy(recorder::snapshot).isInstanceOf(TracepointException.class).hasMessageContaining("CPU 1: EBADF");
            assertThat(log).containsExactly("pause 0", "pause 1", "resume 0");
        }
    }

    @Test
    void aRingThatCannotBeResumedDoesNotKeepTheOthersPaused() {
        try (BackwardImage cpu0 = new BackwardImage(256); BackwardImage cpu1 = new BackwardImage(256)) {
            FlightRecorder recorder = new FlightRecorder(new BackwardRing[] {cpu0.ring(0), cpu1.ring(1)}, (ring, paused) -> {
                log.add((paused ? "pause " : "resume ") + ring);
                if (!paused && ring == 0) {
                    throw new TracepointException("ioctl(PERF_EVENT_IOC_PAUSE_OUTPUT) on CPU 0: EINVAL (Invalid argument)");
                }
            }, () -> { }, dispatcher(), new Runnable[0], errors::add);
            assertThatThrownBy(recorder::snapshot).isInstanceOf(TracepointException.class).hasMessageContaining("CPU 0: EINVAL");
            assertThat(log).containsExactly("pause 0", "pause 1", "resume 0", "resume 1");
        }
    }

    @Test
    void aBadHeaderIsReportedAsACorruptRingAndTheRecordsBeforeItDelivered() throws Exception {
        try (BackwardImage cpu0 = new BackwardImage(1024)) {
            cpu0.write(sample(1, 100, 0));
            cpu0.write(RecordImages.record(0, 0, 16)); // type 0: no record
            cpu0.write(sample(2, 200, 0));
            cpu0.publish();
            Dispatcher d = dispatcher();
            FlightRecorder recorder = new FlightRecorder(new BackwardRing[] {cpu0.ring(0)}, (ring, paused) -> { },
                    () -> { }, d, new Runnable[0], errors::add);
            FlightRecorder.Result r = recorder.snapshot();
            assertThat(log).containsExactly("cpu0:2@200");
            assertThat(r.corrupt()).isEqualTo(1);
            assertThat(d.corrupt()).isEqualTo(1);
            assertThat(errors).singleElement().extracting(Throwable::getMessage).asString()
                    .contains("CPU 0", "type=0", "flight-recorder snapshot", (16 + 88) + " bytes skipped");
        }
    }
}
