package dev.tracepoint.core;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.decode.Event;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.decode.TracepointEvent;
import dev.tracepoint.core.decode.TracepointField;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.perf.TestCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stream against the running kernel: real signals sent by this JVM to a child process it started. Every
 * assertion looks only at events whose target is that child, so background activity cannot interfere.
 */
class TracepointStreamIT {

    static final String GENERATE = "signal:signal_generate";
    // signals whose default action is to ignore them: the child survives them all
    static final int SIGCHLD = 17;
    static final int SIGCONT = 18;
    static final int SIGURG = 23;
    static final int SIGWINCH = 28;

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

    /** One observed signal_generate aimed at the child. */
    record Seen(int sig, int targetPid, String comm, int senderPid, int senderTid, int code, int result) {
    }

    static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private List<Seen> collect(TracepointStream stream, List<Seen> out) throws TracepointException {
        EventFormat f = stream.format(GENERATE);
        Field sig = f.requireField("sig");
        Field pid = f.requireField("pid");
        Field comm = f.requireField("comm");
        Field code = f.requireField("code");
        Field result = f.requireField("result");
        stream.onEvent(GENERATE, e -> {
            if (e.getInt(pid) == childPid) {
                out.add(new Seen(e.getInt(sig), e.getInt(pid), e.getString(comm), e.pid(), e.tid(), e.getInt(code), e.getInt(result)));
            }
        });
        return out;
    }

    @Test
    void deliversExactlyTheSignalsSentWithTargetCommAndSender() throws Exception {
        int[] sent = {SIGWINCH, SIGURG, SIGCONT, SIGWINCH, SIGCHLD};
        List<Seen> seen = new CopyOnWriteArrayList<>();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            collect(stream, seen);
            stream.startAsync();
            int tid = TestCalls.gettid();
            for (int s : sent) {
                TestCalls.kill(childPid, s);
            }
            await(() -> seen.size() >= sent.length, Duration.ofSeconds(10));
            Thread.sleep(200); // anything extra would show up now
            assertThat(seen).extracting(Seen::sig).containsExactly(SIGWINCH, SIGURG, SIGCONT, SIGWINCH, SIGCHLD);
            assertThat(seen).allSatisfy(s -> {
                assertThat(s.targetPid()).isEqualTo(childPid);
                assertThat(s.comm()).isEqualTo("sleep");
                assertThat(s.senderPid()).isEqualTo((int) ProcessHandle.current().pid());
                assertThat(s.senderTid()).isEqualTo(tid);
                assertThat(s.code()).isZero(); // SI_USER: sent with kill(2)
            });
            assertThat(stream.eventCount()).isGreaterThanOrEqualTo(sent.length);
        }
    }

    @Test
    void lookingAFormatUpSubscribesNothingAndAStreamIsConsumedOnce() throws Exception {
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            EventFormat exec = stream.format("sched:sched_process_exec");
            assertThat(exec.requireField("pid")).isNotNull();
            assertThat(stream.tracepoints()).isEmpty();
            Subscription generate = stream.enable(GENERATE).filter("pid == " + childPid);
            assertThat(stream.enable(GENERATE)).isSameAs(generate);
            assertThat(stream.format(GENERATE)).isSameAs(generate.format());
            generate.bind(SignalFields.class); // a flyweight for batch code: no listener, no side effect
            assertThat(stream.tracepoints()).containsExactly(GENERATE);
            List<Integer> sigs = new CopyOnWriteArrayList<>();
            Field sig = generate.format().requireField("sig");
            generate.onEvent(e -> sigs.add(e.getInt(sig)));
            stream.startAsync();
            assertThat(stream.eventCount()).isZero(); // the warm-up's synthetic records are not the stream's
            assertThatThrownBy(stream::startAsync).isInstanceOf(IllegalStateException.class).hasMessageContaining("once");
            assertThatThrownBy(stream::start).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> generate.filter("sig == 9")).isInstanceOf(IllegalStateException.class);
            TestCalls.kill(childPid, SIGURG);
            await(() -> !sigs.isEmpty(), Duration.ofSeconds(10));
            Thread.sleep(100);
            assertThat(sigs).containsExactly(SIGURG);
        }
    }

    /** A typed view of two signal_generate fields. */
    public interface SignalFields {
        int sig();

        @TracepointField("pid")
        int targetPid();
    }

    @Test
    void kernelFilterKeepsOnlyTheMatchingSignal() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            collect(stream, seen);
            stream.enable(GENERATE).filter("sig == " + SIGURG + " && pid == " + childPid);
            stream.startAsync();
            for (int i = 0; i < 3; i++) {
                TestCalls.kill(childPid, SIGWINCH);
                TestCalls.kill(childPid, SIGURG);
                TestCalls.kill(childPid, SIGCHLD);
            }
            await(() -> seen.size() >= 3, Duration.ofSeconds(10));
            Thread.sleep(200);
            assertThat(seen).extracting(Seen::sig).containsExactly(SIGURG, SIGURG, SIGURG);
            // the filter runs in the kernel: nothing else ever reached user space
            assertThat(stream.eventCount()).isEqualTo(3);
        }
    }

    /**
     * With a 30 s maxLatency the timeout never drains the rings during the test: an event arrives promptly only
     * if the kernel's wakeup (every N events, or a byte watermark) wakes the consumer's epoll_wait.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"events", "bytes"})
    void kernelWakeupsDeliverWithoutWaitingForTheTimeout(String mode) throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        TracepointStreamBuilder b = TracepointStream.builder().tracefs(tracefs).maxLatency(Duration.ofSeconds(30));
        if (mode.equals("events")) {
            b.wakeupEvents(1);
        } else {
            b.wakeupBytes(64); // less than one signal_generate sample
        }
        try (TracepointStream stream = b.build()) {
            collect(stream, seen);
            stream.enable(GENERATE).filter("pid == " + childPid);
            stream.startAsync();
            Thread.sleep(100); // the consumer is in epoll_wait now
            long sent = System.nanoTime();
            TestCalls.kill(childPid, SIGWINCH);
            await(() -> !seen.isEmpty(), Duration.ofSeconds(10));
            assertThat(seen).hasSize(1);
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void invalidFilterNamesTracepointAndFilter() throws Exception {
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            stream.enable(GENERATE).filter("no_such_field == 1");
            assertThatThrownBy(stream::open).isInstanceOf(InvalidFilterException.class)
                    .hasMessageContaining(GENERATE).hasMessageContaining("no_such_field == 1").hasMessageContaining("EINVAL");
        }
    }

    @Test
    void unknownTracepointNamesTheClosest() throws Exception {
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            assertThatThrownBy(() -> stream.enable("signal:signal_generat"))
                    .isInstanceOf(UnknownTracepointException.class)
                    .hasMessageContaining("signal:signal_generate")
                    .satisfies(e -> assertThat(((UnknownTracepointException) e).suggestions()).first().isEqualTo(GENERATE));
        }
    }

    @Test
    void twoTracepointsShareOneRingPerCpuAndAreToldApart() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            Field kpid = stream.format("syscalls:sys_enter_kill").requireField("pid");
            Field ksig = stream.format("syscalls:sys_enter_kill").requireField("sig");
            Field gpid = stream.format(GENERATE).requireField("pid");
            Field gsig = stream.format(GENERATE).requireField("sig");
            stream.onEvent("syscalls:sys_enter_kill", e -> {
                if (e.getLong(kpid) == childPid) {
                    order.add("kill:" + e.getLong(ksig));
                }
            });
            stream.onEvent(GENERATE, e -> {
                if (e.getInt(gpid) == childPid) {
                    order.add("generate:" + e.getInt(gsig));
                }
            });
            stream.startAsync();
            TestCalls.kill(childPid, SIGWINCH);
            TestCalls.kill(childPid, SIGURG);
            await(() -> order.size() >= 4, Duration.ofSeconds(10));
            // both events of one kill(2) come from the same thread on the same CPU ring, in order
            assertThat(order).containsExactly("kill:28", "generate:28", "kill:23", "generate:23");
        }
    }

    /** A typed view of signal_generate; pid() is the sample's (the sender), so the target pid is renamed. */
    public interface Generate extends TracepointEvent {
        int sig();

        int code();

        String comm();

        int comm(byte[] dst);

        @TracepointField("pid")
        int targetPid();

        @TracepointField(value = "result", optional = true)
        int result();

        boolean hasGroup();

        @TracepointField(value = "no_such_field", optional = true)
        long missing();
    }

    @Test
    void typedListenerReadsTheRunningKernelsLayout() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        byte[] buf = new byte[16];
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            stream.onEvent(GENERATE, Generate.class, e -> {
                if (e.targetPid() == childPid) {
                    int n = e.comm(buf);
                    assertThat(e.hasGroup()).isTrue();
                    assertThatThrownBy(e::missing).isInstanceOf(IllegalStateException.class).hasMessageContaining("no_such_field");
                    seen.add(e.sig() + ":" + e.comm() + ":" + new String(buf, 0, n) + ":" + e.pid() + ":" + e.result() + ":" + e.tracepoint());
                }
            });
            stream.startAsync();
            TestCalls.kill(childPid, SIGWINCH);
            await(() -> !seen.isEmpty(), Duration.ofSeconds(10));
        }
        // result 1 = TRACE_SIGNAL_IGNORED: SIGWINCH's default action is to ignore it
        assertThat(seen).containsExactly("28:sleep:sleep:" + ProcessHandle.current().pid() + ":1:" + GENERATE);
    }

    @Test
    void pullModeDeliversOnTheCallersThreadAndCopiesOutlive() throws Exception {
        List<Event> copies = new ArrayList<>();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            Field pid = stream.format(GENERATE).requireField("pid");
            stream.enable(GENERATE).filter("pid == " + childPid);
            stream.open();
            TestCalls.kill(childPid, SIGWINCH);
            TestCalls.kill(childPid, SIGURG);
            Thread caller = Thread.currentThread();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (copies.size() < 2 && System.nanoTime() < deadline) {
                stream.poll(e -> {
                    assertThat(Thread.currentThread()).isSameAs(caller);
                    if (e.getInt(pid) == childPid) {
                        copies.add(e.copy());
                    }
                }, 1, Duration.ofMillis(200));
            }
        }
        assertThat(copies).extracting(c -> c.get("sig")).containsExactly(28L, 23L);
        assertThat(copies.get(0).get("comm")).isEqualTo("sleep");
        assertThat(copies.get(0).tracepoint()).isEqualTo(GENERATE);
        long now = System.currentTimeMillis() * 1_000_000L;
        assertThat(copies.get(0).wallClockNanos()).isBetween(now - 60_000_000_000L, now + 1_000_000_000L);
    }

    @Test
    void throwingListenerGoesToOnErrorAndOthersStillRun() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicInteger second = new AtomicInteger();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            stream.enable(GENERATE).filter("pid == " + childPid);
            stream.onEvent(GENERATE, e -> {
                throw new IllegalStateException("listener bug");
            });
            stream.onEvent(GENERATE, e -> second.incrementAndGet());
            stream.onError(errors::add);
            stream.startAsync();
            for (int i = 0; i < 3; i++) {
                TestCalls.kill(childPid, SIGWINCH);
            }
            await(() -> second.get() >= 3, Duration.ofSeconds(10));
        }
        assertThat(second).hasValue(3);
        assertThat(errors).hasSize(3).allSatisfy(t -> assertThat(t).hasMessage("listener bug"));
    }

    @Test
    void closeFromInsideAListenerStopsTheStream() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build();
        stream.enable(GENERATE).filter("pid == " + childPid);
        stream.onEvent(GENERATE, e -> {
            calls.incrementAndGet();
            stream.close();
        });
        stream.startAsync();
        TestCalls.kill(childPid, SIGWINCH);
        assertThat(stream.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(stream.isClosed()).isTrue();
        assertThat(calls).hasValue(1);
        TestCalls.kill(childPid, SIGWINCH); // nothing listens any more
        stream.close(); // idempotent
        assertThat(calls).hasValue(1);
    }

    @Test
    void aFullRingIsReportedAsLostAndNothingIsMissedSilently() throws Exception {
        AtomicLong ours = new AtomicLong();
        AtomicLong lostCalls = new AtomicLong();
        int n = 50_000;
        TracepointStream stream = TracepointStream.builder().tracefs(tracefs).ringPages(1).build();
        try {
            Field pid = stream.format(GENERATE).requireField("pid");
            stream.enable(GENERATE).filter("pid == " + childPid);
            stream.onEvent(GENERATE, e -> {
                if (e.getInt(pid) == childPid && ours.incrementAndGet() == 1) {
                    try {
                        Thread.sleep(300); // a slow listener: the 4 KiB rings fill meanwhile
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            stream.onLost((cpu, count) -> {
                assertThat(cpu).isBetween(0, 4095);
                assertThat(count).isPositive();
                lostCalls.incrementAndGet();
            });
            stream.startAsync();
            for (int i = 0; i < n; i++) {
                TestCalls.kill(childPid, SIGWINCH);
            }
            await(() -> ours.get() + stream.lostCount() >= n, Duration.ofSeconds(2));
            stream.close();
            assertThat(stream.lostCount()).isPositive();
            assertThat(lostCalls.get()).isPositive();
            // every event we caused was either delivered or counted as lost (the filter keeps others out),
            // including losses the kernel had not yet announced with a LOST record when the burst ended
            assertThat(ours.get() + stream.lostCount()).isEqualTo(n);
        } finally {
            stream.close();
        }
    }

    @Test
    void scopingToOneThreadSeesOnlyItsEvents() throws Exception {
        List<Integer> senders = new CopyOnWriteArrayList<>();
        int me = TestCalls.gettid();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).thread(me).build()) {
            Field pid = stream.format(GENERATE).requireField("pid");
            stream.onEvent(GENERATE, e -> {
                if (e.getInt(pid) == childPid) {
                    senders.add(e.tid());
                }
            });
            // a thread that exists before the stream opens is another task: not in scope
            // (threads the scoped task creates after open are inherited, as perf_event_open's inherit does)
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            Thread other = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                TestCalls.kill(childPid, SIGURG);
            });
            other.start();
            stream.startAsync();
            go.countDown();
            other.join();
            TestCalls.kill(childPid, SIGWINCH);
            await(() -> !senders.isEmpty(), Duration.ofSeconds(10));
            Thread.sleep(200);
        }
        assertThat(senders).containsExactly(me);
    }

    @Test
    void twoHundredOpenCloseCyclesLeakNoFdOrMapping() throws Exception {
        // warm up class loading, the JIT's code cache and any lazily opened JDK fds first
        for (int i = 0; i < 5; i++) {
            cycle(i);
        }
        long fds = countFds();
        long maps = countMappings();
        for (int i = 0; i < 200; i++) {
            cycle(i);
        }
        assertThat(countFds()).isEqualTo(fds);
        assertThat(countMappings()).isLessThanOrEqualTo(maps);
    }

    private void cycle(int i) throws Exception {
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).warmUp(false).ringPages(2).build()) {
            stream.enable(GENERATE);
            stream.enable("syscalls:sys_enter_kill");
            if (i % 2 == 0) {
                stream.startAsync();
            } else {
                stream.poll(e -> { }, 10, Duration.ZERO);
            }
        }
    }

    static long countFds() throws Exception {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static long countMappings() throws Exception {
        // perf rings are the only mappings of anon_inode:[perf_event]
        return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("perf_event")).count();
    }

    @Test
    void perfFdsAreCloseOnExec() throws Exception {
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            long before = countFds();
            stream.enable(GENERATE);
            stream.open();
            List<Integer> perfFds = new ArrayList<>();
            try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
                s.forEach(p -> {
                    try {
                        if (java.nio.file.Files.readSymbolicLink(p).toString().contains("perf_event")) {
                            perfFds.add(Integer.parseInt(p.getFileName().toString()));
                        }
                    } catch (Exception ignored) {
                        // fd closed meanwhile
                    }
                });
            }
            assertThat(countFds()).isGreaterThan(before);
            assertThat(perfFds).isNotEmpty().allSatisfy(fd -> assertThat(TestCalls.fcntlGetFd(fd) & TestCalls.FD_CLOEXEC).isEqualTo(TestCalls.FD_CLOEXEC));
            // and a forked child really does not hold them
            Process ls = new ProcessBuilder("ls", "-l", "/proc/self/fd").start();
            String out = new String(ls.getInputStream().readAllBytes());
            ls.waitFor();
            assertThat(out).doesNotContain("perf_event");
        }
    }
}
