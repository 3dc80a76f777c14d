package dev.tracepoint.core;

import dev.tracepoint.core.decode.TracepointEvent;
import dev.tracepoint.core.decode.TracepointField;
import dev.tracepoint.core.internal.perf.TestCalls;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Batch listeners on the running kernel: real signals sent by this JVM to a child process it started, each
 * stream filtered in the kernel to signals aimed at that child.
 */
class BatchListenerIT {

    static final String GENERATE = TracepointStreamIT.GENERATE;
    static final int SIGURG = TracepointStreamIT.SIGURG;
    static final int SIGWINCH = TracepointStreamIT.SIGWINCH;

    Tracefs tracefs;
    Process child;
    int childPid;

    @BeforeEach
    void startChild() throws Exception {
        tracefs = KernelTests.require();
        child = new ProcessBuilder("sleep", "120").start();
        childPid = (int) child.pid();
    }

    @AfterEach
    void stopChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    /** Typed accessors of signal_generate, bound once by the stream. */
    public interface Generate extends TracepointEvent {
        int sig();

        @TracepointField("pid")
        int target();

        String comm();
    }

    /** Counts what it is given; its warm-up copy counts separately. */
    static final class Counting implements BatchListener {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final AtomicLong warmEvents;
        final Generate g;
        final boolean warm;

        Counting(Generate g, AtomicLong warmEvents, boolean warm) {
            this.g = g;
            this.warmEvents = warmEvents;
            this.warm = warm;
        }

        @Override
        public void onBatch(EventBatch batch) {
            while (batch.next()) {
                if (warm) {
                    warmEvents.incrementAndGet();
                } else {
                    seen.add(g.sig() + "->" + g.target() + " " + g.comm() + " from " + batch.view().pid());
                }
            }
        }

        @Override
        public BatchListener warmUpCopy() {
            return new Counting(null, warmEvents, true);
        }
    }

    @Test
    void aBatchListenerSeesExactlyTheSignalsSentAndItsWarmUpCopyNone() throws Exception {
        AtomicLong warmEvents = new AtomicLong();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            Subscription generate = stream.enable(GENERATE).filter("pid == " + childPid);
            Counting listener = new Counting(generate.bind(Generate.class), warmEvents, false);
            stream.onBatch(listener);
            stream.startAsync();
            // the copy ran on synthetic events before the real ones were enabled; the listener saw none of them
            long warmed = warmEvents.get();
            assertThat(warmed).isPositive();
            assertThat(listener.seen).isEmpty();
            // and the stream's own counters never saw a synthetic record (the warm-up runs its own consumer)
            assertThat(stream.eventCount()).isZero();
            assertThat(stream.corruptCount()).isZero();
            int self = (int) ProcessHandle.current().pid();
            for (int s : new int[] {SIGWINCH, SIGURG, SIGWINCH}) {
                TestCalls.kill(childPid, s);
            }
            KernelTests.await(() -> listener.seen.size() >= 3, Duration.ofSeconds(10));
            Thread.sleep(200); // anything extra would show up now
            assertThat(listener.seen).containsExactly(
                    SIGWINCH + "->" + childPid + " sleep from " + self,
                    SIGURG + "->" + childPid + " sleep from " + self,
                    SIGWINCH + "->" + childPid + " sleep from " + self);
            assertThat(warmEvents.get()).isEqualTo(warmed);
            assertThat(stream.eventCount()).isEqualTo(3);
            assertThat(stream.lostCount()).isZero();
        }
    }

    @Test
    void aThrowingBatchListenerIsReportedAndGetsTheRestOfTheEventsLater() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).maxLatency(Duration.ofMillis(20)).build()) {
            stream.enable(GENERATE).filter("pid == " + childPid);
            var sig = stream.format(GENERATE).requireField("sig");
            stream.onError(errors::add);
            // takes one event per batch, then fails: the events after it stay in the ring
            stream.onBatch(b -> {
                if (b.next()) {
                    seen.add(b.view().getInt(sig));
                    throw new IllegalStateException("failed after sig " + b.view().getInt(sig));
                }
            });
            stream.startAsync();
            TestCalls.kill(childPid, SIGWINCH);
            TestCalls.kill(childPid, SIGURG);
            TestCalls.kill(childPid, SIGWINCH);
            KernelTests.await(() -> seen.size() >= 3, Duration.ofSeconds(10));
            assertThat(seen).containsExactly(SIGWINCH, SIGURG, SIGWINCH);
            assertThat(errors).extracting(Throwable::getMessage).containsExactly(
                    "failed after sig " + SIGWINCH, "failed after sig " + SIGURG, "failed after sig " + SIGWINCH);
            assertThat(stream.isClosed()).isFalse();
        }
    }

    @Test
    void aStreamTakesEitherEventListenersOrOneBatchListener() throws Exception {
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            stream.onEvent(GENERATE, e -> { });
            assertThatThrownBy(() -> stream.onBatch(b -> { })).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already has event listeners (" + GENERATE + ")");
        }
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            stream.enable(GENERATE);
            stream.onBatch(b -> { });
            assertThatThrownBy(() -> stream.onBatch(b -> { })).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already has a batch listener");
            assertThatThrownBy(() -> stream.onEvent(GENERATE, e -> { })).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has a batch listener");
        }
    }

    @Test
    void aWarmUpCopyOfAnotherClassIsRefused() throws Exception {
        BatchListener other = b -> { };
        BatchListener listener = new BatchListener() {
            @Override
            public void onBatch(EventBatch batch) {
            }

            @Override
            public BatchListener warmUpCopy() {
                return other;
            }
        };
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            stream.enable(GENERATE);
            assertThatThrownBy(() -> stream.onBatch(listener)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must return a new listener of the same class");
        }
    }
}
