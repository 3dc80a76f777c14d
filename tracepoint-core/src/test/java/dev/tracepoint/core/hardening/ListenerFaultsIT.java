package dev.tracepoint.core.hardening;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.perf.TestCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Listeners that misbehave: one that throws, one that blocks while the rings overflow (losses are counted
 * and reported, delivery resumes, and delivered + lost equals what was generated), one that closes the
 * stream from inside its callback. A kernel filter on a child's pid makes "generated" exact: every
 * kill(2) of the child fires signal_generate once.
 */
class ListenerFaultsIT {

    static final String GENERATE = "signal:signal_generate";

    Tracefs tracefs;
    Process child;
    int childPid;
    long libraryFds0;

    @BeforeEach
    void setUp() throws Exception {
        tracefs = KernelTests.require();
        child = new ProcessBuilder("sleep", "120").start();
        childPid = (int) child.pid();
        libraryFds0 = Fds.library();
    }

    @AfterEach
    void tearDown() {
        if (child != null) {
            child.destroyForcibly();
        }
        assertThat(Fds.library()).isEqualTo(libraryFds0);
    }

    static void await(BooleanSupplier c, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!c.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void throwingListenerGoesToOnErrorAndDeliveryContinues() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicLong second = new AtomicLong();
        AtomicLong first = new AtomicLong();
        try (TracepointStream s = TracepointStream.builder().tracefs(tracefs).build()) {
            s.enable(GENERATE).filter("pid == " + childPid);
            s.onEvent(GENERATE, e -> {
                if (first.incrementAndGet() % 2 == 0) {
                    throw new IllegalStateException("listener bug " + first.get());
                }
            });
            s.onEvent(GENERATE, e -> second.incrementAndGet());
            s.onError(errors::add);
            s.startAsync();
            for (int i = 0; i < 200; i++) {
                TestCalls.kill(childPid, TestCalls.SIGWINCH);
            }
            await(() -> second.get() >= 200, Duration.ofSeconds(10));
        }
        assertThat(second.get()).isEqualTo(200);
        assertThat(errors).hasSize(100).allSatisfy(e -> assertThat(e).isInstanceOf(IllegalStateException.class));
    }

    @Test
    void blockingListenerLosesCountedEventsAndDeliveryResumes() throws Exception {
        AtomicLong delivered = new AtomicLong();
        AtomicLong resumed = new AtomicLong();
        AtomicLong lostReported = new AtomicLong();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        int burst = 3000;
        int after = 100;
        TracepointStream s = TracepointStream.builder().tracefs(tracefs).ringPages(1).build();
        Field sig = s.format(GENERATE).requireField("sig");
        s.enable(GENERATE).filter("pid == " + childPid);
        s.onEvent(GENERATE, e -> {
            delivered.incrementAndGet();
            if (e.getInt(sig) == TestCalls.SIGURG) {
                resumed.incrementAndGet();
            }
            if (blocked.getCount() > 0) {
                blocked.countDown();
                try {
                    release.await(); // the ring fills up behind us
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        s.onLost((cpu, n) -> lostReported.addAndGet(n));
        try {
            s.startAsync();
            TestCalls.kill(childPid, TestCalls.SIGWINCH);
            assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < burst; i++) {
                TestCalls.kill(childPid, TestCalls.SIGWINCH);
            }
            release.countDown();
            await(() -> lostReported.get() > 0, Duration.ofSeconds(5));
            for (int i = 0; i < after; i++) { // slowly: a 4 KiB ring holds ~46 samples
                TestCalls.kill(childPid, TestCalls.SIGURG);
                Thread.sleep(1);
            }
            await(() -> resumed.get() >= after, Duration.ofSeconds(10));
        } finally {
            release.countDown();
            s.close();
        }
        long generated = 1 + burst + after;
        assertThat(s.lostCount()).as("lost").isPositive();
        assertThat(lostReported.get()).as("lost reported to onLost").isEqualTo(s.lostCount());
        assertThat(resumed.get()).as("delivered after the block").isEqualTo(after);
        assertThat(delivered.get() + s.lostCount()).as("delivered + lost").isEqualTo(generated);
        System.out.printf("blocking listener: generated %d, delivered %d, lost %d%n", generated, delivered.get(), s.lostCount());
    }

    @Test
    void listenerClosingTheStreamFromItsCallback() throws Exception {
        AtomicReference<TracepointStream> ref = new AtomicReference<>();
        AtomicLong calls = new AtomicLong();
        CountDownLatch closed = new CountDownLatch(1);
        TracepointStream s = TracepointStream.builder().tracefs(tracefs).build();
        ref.set(s);
        s.enable(GENERATE).filter("pid == " + childPid);
        s.onEvent(GENERATE, e -> {
            calls.incrementAndGet();
            ref.get().close(); // returns at once: the consumer releases after this callback
        });
        s.onClose(closed::countDown);
        s.startAsync();
        for (int i = 0; i < 50; i++) {
            TestCalls.kill(childPid, TestCalls.SIGWINCH);
        }
        assertThat(s.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(closed.await(1, TimeUnit.SECONDS)).isTrue();
        assertThat(s.isClosed()).isTrue();
        s.close(); // and again from outside
        assertThat(calls.get()).isPositive();
    }
}
