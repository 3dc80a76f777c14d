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
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() racing everything that can be in flight, thousands of times, with real events flowing (a sender
 * thread signals a child), then start/stop cycles, sessions opened from several threads at once, and
 * close-on-exec of every fd the library opens. After each test the process holds exactly the perf fds and
 * mappings it held before: nothing leaked. A use of an unmapped ring would crash the JVM (SIGSEGV) or
 * throw from a closed arena; either fails the run.
 */
class LifecycleRaceIT {

    static final String GENERATE = "signal:signal_generate";
    static final int RACES = Integer.getInteger("tracepoint.races", 3000);

    Tracefs tracefs;
    Process child;
    int childPid;
    Thread sender;
    final AtomicBoolean sending = new AtomicBoolean(true);
    long libraryFds0;
    long mappings0;

    @BeforeEach
    void setUp() throws Exception {
        tracefs = KernelTests.require();
        child = new ProcessBuilder("sleep", "300").start();
        childPid = (int) child.pid();
        sender = Thread.ofPlatform().daemon().start(() -> {
            while (sending.get()) {
                TestCalls.kill(childPid, TestCalls.SIGWINCH);
                LockSupport.parkNanos(200_000);
            }
        });
        libraryFds0 = Fds.library();
        mappings0 = Fds.perfMappings();
    }

    @AfterEach
    void tearDown() throws Exception {
        sending.set(false);
        if (sender != null) {
            sender.join();
        }
        if (child != null) {
            child.destroyForcibly();
        }
        assertThat(Fds.library()).as("library fds after the test").isEqualTo(libraryFds0);
        assertThat(Fds.perfMappings()).as("perf mappings after the test").isEqualTo(mappings0);
    }

    TracepointStream stream(List<Throwable> errors) throws Exception {
        TracepointStream s = TracepointStream.builder().tracefs(tracefs).warmUp(false).ringPages(2)
                .maxLatency(Duration.ofMillis(5)).build();
        s.enable(GENERATE).filter("pid == " + childPid);
        s.onError(errors::add);
        return s;
    }

    @Test
    void closeRacesConsumerPollAndCallbacks() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        int[] kinds = new int[3];
        long[] nanos = new long[3];
        ExecutorService closer = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < RACES; i++) {
                int kind = random.nextInt(3);
                kinds[kind]++;
                long started = System.nanoTime();
                long delayNanos = random.nextLong(0, 2_000_000);
                List<Throwable> errs = new java.util.concurrent.CopyOnWriteArrayList<>();
                TracepointStream s = stream(errs);
                switch (kind) {
                    case 0 -> { // a running consumer thread
                        s.onEvent(GENERATE, e -> { });
                        s.startAsync();
                        LockSupport.parkNanos(delayNanos);
                        s.close();
                        assertThat(s.awaitTermination(Duration.ofSeconds(5))).isTrue();
                    }
                    case 1 -> { // a poll blocked in epoll_wait
                        s.enable(GENERATE);
                        s.open();
                        AtomicInteger polled = new AtomicInteger(-2);
                        Thread poller = Thread.ofPlatform().start(() -> {
                            try {
                                int n;
                                do {
                                    n = s.poll(e -> { }, 16, Duration.ofSeconds(30));
                                } while (n >= 0);
                                polled.set(n);
                            } catch (Throwable t) {
                                errors.add(t);
                            }
                        });
                        LockSupport.parkNanos(delayNanos);
                        long t0 = System.nanoTime();
                        s.close();
                        poller.join(5_000);
                        assertThat(poller.isAlive()).as("poll still blocked after close").isFalse();
                        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
                        assertThat(polled.get()).isEqualTo(-1);
                    }
                    default -> { // a listener in the middle of a callback, closed from another thread
                        CountDownLatch inCallback = new CountDownLatch(1);
                        AtomicBoolean returned = new AtomicBoolean();
                        Field sig = s.format(GENERATE).requireField("sig");
                        s.onEvent(GENERATE, e -> {
                            if (inCallback.getCount() > 0) { // the first callback is in progress when close() comes
                                inCallback.countDown();
                                LockSupport.parkNanos(delayNanos);
                            }
                            e.getInt(sig); // the ring must still be mapped here
                        });
                        s.onClose(() -> returned.set(true));
                        s.startAsync();
                        if (!inCallback.await(5, TimeUnit.SECONDS)) {
                            throw new AssertionError("no event within 5 s");
                        }
                        Future<?> f = closer.submit(s::close);
                        f.get(10, TimeUnit.SECONDS);
                        assertThat(returned).as("close returned before the stream released").isTrue();
                    }
                }
                s.close(); // again: idempotent
                assertThat(s.isClosed()).isTrue();
                nanos[kind] += System.nanoTime() - started;
                errors.addAll(errs);
            }
        } finally {
            closer.shutdownNow();
        }
        assertThat(errors).isEmpty();
        assertThat(java.util.Arrays.stream(kinds).min().orElse(0)).isGreaterThan(RACES / 4);
        System.out.printf("lifecycle races: %d (consumer %d, blocked poll %d, mid-callback %d; mean ms %.1f / %.1f / %.1f)%n", RACES,
                kinds[0], kinds[1], kinds[2], nanos[0] / 1e6 / kinds[0], nanos[1] / 1e6 / kinds[1], nanos[2] / 1e6 / kinds[2]);
    }

    @Test
    void startStopCyclesAndConcurrentSessions() throws Exception {
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            AtomicLong seen = new AtomicLong();
            try (TracepointStream s = stream(errors)) {
                s.onEvent(GENERATE, e -> seen.incrementAndGet());
                if (i % 2 == 0) {
                    s.startAsync();
                } else {
                    Thread t = Thread.ofPlatform().start(() -> {
                        try {
                            s.start();
                        } catch (Exception e) {
                            errors.add(e);
                        }
                    });
                    while (!s.isClosed() && s.eventCount() == 0 && t.isAlive()) {
                        Thread.sleep(1);
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (seen.get() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(seen.get()).as("cycle %d delivered", i).isPositive();
            }
        }
        int threads = 4;
        int sessions = 15;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> results = new java.util.ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    go.await();
                    long total = 0;
                    for (int i = 0; i < sessions; i++) {
                        AtomicLong seen = new AtomicLong();
                        try (TracepointStream s = stream(errors)) {
                            s.onEvent(GENERATE, e -> seen.incrementAndGet());
                            s.startAsync();
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                            while (seen.get() == 0 && System.nanoTime() < deadline) {
                                Thread.sleep(1);
                            }
                        }
                        total += seen.get() > 0 ? 1 : 0;
                    }
                    return total;
                }));
            }
            go.countDown();
            for (Future<Long> f : results) {
                assertThat(f.get(120, TimeUnit.SECONDS)).isEqualTo(sessions);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void everyLibraryFdIsCloseOnExecAndChildrenInheritNone() throws Exception {
        try (TracepointStream s = stream(new java.util.ArrayList<>())) {
            s.onEvent(GENERATE, e -> { });
            s.startAsync();
            int checked = 0;
            try (var dir = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
                for (java.nio.file.Path p : dir.toList()) {
                    String target;
                    try {
                        target = java.nio.file.Files.readSymbolicLink(p).toString();
                    } catch (java.io.IOException gone) {
                        continue;
                    }
                    if (target.contains("perf_event") || target.contains("eventpoll") || target.contains("eventfd")) {
                        int fd = Integer.parseInt(p.getFileName().toString());
                        assertThat(TestCalls.fcntlGetFd(fd) & TestCalls.FD_CLOEXEC).as("FD_CLOEXEC on fd %d (%s)", fd, target)
                                .isEqualTo(TestCalls.FD_CLOEXEC);
                        checked++;
                    }
                }
            }
            // one perf fd per CPU, the epoll fd and the eventfd
            assertThat(checked).isGreaterThanOrEqualTo(s.cpus().length + 2);
            // and a forked child sees none of them
            Process ls = new ProcessBuilder("sh", "-c", "ls -l /proc/$$/fd").redirectErrorStream(true).start();
            String out = new String(ls.getInputStream().readAllBytes());
            assertThat(ls.waitFor()).isZero();
            assertThat(out).doesNotContain("perf_event").doesNotContain("eventpoll").doesNotContain("eventfd");
        }
    }
}
