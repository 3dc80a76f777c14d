package dev.tracepoint.core;

import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.perf.Cpus;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.TestCalls;
import dev.tracepoint.core.internal.ring.RecordImages;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Flight-recorder streams against the running kernel: events this test causes (close() of descriptors that
 * are not open, from this thread; signals to a child it started) into small overwrite-mode rings that wrap
 * several times, then snapshots. Every tracepoint is filtered in the kernel on this thread or the child, and
 * the thread is pinned to one CPU where a test needs all its events in one ring (its affinity is restored).
 */
class FlightRecorderIT {

    static final String CLOSE = "syscalls:sys_enter_close";
    static final String GENERATE = "signal:signal_generate";
    /** close() arguments start here: far above any open descriptor, so each call is EBADF and nothing else. */
    static final int BASE_FD = 1_000_000;
    /** Signals whose default action is to ignore them: the child survives them all. */
    static final int[] HARMLESS = {17, 18, 23, 28};

    Tracefs tracefs;
    Process child;
    int childPid;
    long[] affinity;

    @BeforeEach
    void setUp() throws Exception {
        tracefs = KernelTests.require();
        child = new ProcessBuilder("sleep", "120").start();
        childPid = (int) child.pid();
    }

    @AfterEach
    void tearDown() {
        if (affinity != null) {
            TestCalls.setAffinity(affinity);
        }
        child.destroyForcibly();
    }

    /** Pins this thread to the last online CPU (restored after the test) and returns it. */
    int pin() {
        int[] online = Cpus.online();
        int cpu = online[online.length - 1];
        affinity = TestCalls.pinTo(cpu);
        return cpu;
    }

    /** The bytes of one sample of {@code format} as the kernel writes it (no dynamic fields). */
    static long sampleBytes(EventFormat format) {
        return PerfSampleDescriptor.RAW_OFFSET + RecordImages.paddedRawSize(format.fixedSize());
    }

    /** @return from, from + 1, ... to - 1 */
    static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.range(from, to).boxed().toList();
    }

    /**
     * N close() calls of this thread, each with the next descriptor number, into a ring of C bytes: the
     * snapshot holds exactly the newest C / 64 of them (a sys_enter_close sample is 64 bytes, which divides C:
     * nothing torn), in order, all from the pinned CPU; the bytes before them are reported overwritten. A
     * second snapshot holds exactly the calls made since the first, and a third, after wrapping again, the
     * newest that fit.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aSnapshotHoldsExactlyTheNewestCallsThatFitInOrder(int pages) throws Exception {
        int cpu = pin();
        int tid = TestCalls.gettid();
        List<Long> fds = new ArrayList<>();
        List<Integer> cpus = new ArrayList<>();
        try (TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).ringPages(pages).build()) {
            Subscription close = recorder.enable(CLOSE).filter("common_pid == " + tid + " && fd >= " + BASE_FD);
            Field fd = close.format().requireField("fd");
            close.onEvent(e -> {
                fds.add(e.getLong(fd));
                cpus.add(e.cpu());
            });
            recorder.open();
            long capacity = (long) pages * Libc.pageSize();
            long size = sampleBytes(close.format());
            assertThat(capacity % size).isZero();
            long fit = capacity / size;
            int n = (int) (6 * fit + 5);
            for (int i = 0; i < n; i++) {
                TestCalls.closeRaw(BASE_FD + i);
            }
            FlightSnapshot first = recorder.snapshot();
            assertThat(fds).as("%s on CPU %d", first, cpu).isEqualTo(range(BASE_FD + n - fit, BASE_FD + n));
            assertThat(cpus).containsOnly(cpu);
            assertThat(first.events()).isEqualTo(fit);
            assertThat(first.records()).isEqualTo(fit);
            assertThat(first.records(cpu)).isEqualTo(fit);
            assertThat(first.torn()).isZero();
            assertThat(first.overwrittenBytes()).isEqualTo(n * size - capacity);
            assertThat(first.overwrittenBytes(cpu)).isEqualTo(n * size - capacity);
            assertThat(first.lost()).isZero();
            assertThat(first.corrupt()).isZero();

            fds.clear();
            int m = (int) (fit / 2);
            for (int i = n; i < n + m; i++) {
                TestCalls.closeRaw(BASE_FD + i);
            }
            FlightSnapshot second = recorder.snapshot();
            assertThat(fds).isEqualTo(range(BASE_FD + n, BASE_FD + n + m));
            assertThat(second.events()).isEqualTo(m);
            assertThat(second.torn()).isZero();
            assertThat(second.overwrittenBytes()).isZero();

            fds.clear();
            int end = n + m + (int) (3 * fit);
            for (int i = n + m; i < end; i++) {
                TestCalls.closeRaw(BASE_FD + i);
            }
            FlightSnapshot third = recorder.snapshot();
            assertThat(fds).isEqualTo(range(BASE_FD + end - fit, BASE_FD + end));
            assertThat(third.overwrittenBytes()).isEqualTo(2 * fit * size);
            assertThat(recorder.eventCount()).isEqualTo(2 * fit + m);
            assertThat(recorder.lostCount()).isZero();
        }
    }

    /**
     * Loss you can trust: a thread (pinned) makes N close() calls while this one takes snapshot after
     * snapshot; each snapshot pauses output, so the kernel drops the calls made meanwhile, counts them and
     * announces the count with the next record of that ring, which the next snapshot delivers. The generator
     * makes one more call once the snapshots are over, so that the last count is announced too. The rings are
     * large enough that nothing is overwritten between snapshots (checked): so over all snapshots, events +
     * lost = N + 1 exactly, with losses seen.
     */
    @Test
    void samplesDroppedWhileASnapshotPausesOutputAreAnnouncedExactly() throws Exception {
        int n = 300_000;
        int[] generatorTid = {0};
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch armed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch snapshotsOver = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean generated = new java.util.concurrent.atomic.AtomicBoolean();
        int[] online = Cpus.online();
        Thread generator = new Thread(() -> {
            long[] mask = TestCalls.pinTo(online[online.length - 1]);
            try {
                generatorTid[0] = TestCalls.gettid();
                ready.countDown();
                armed.await();
                for (int i = 0; i < n; i++) {
                    TestCalls.closeRaw(BASE_FD + i);
                    long until = System.nanoTime() + 1_000; // about a million calls a second: no ring overflows
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                }
                generated.set(true);
                snapshotsOver.await();
                TestCalls.closeRaw(BASE_FD + n); // carries the count of the last pause, if any
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                TestCalls.setAffinity(mask);
            }
        });
        generator.start();
        ready.await();
        long[] events = {0};
        try (TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).ringPages(1024).build()) {
            recorder.enable(CLOSE).filter("common_pid == " + generatorTid[0] + " && fd >= " + BASE_FD).onEvent(e -> events[0]++);
            recorder.open();
            armed.countDown();
            long lost = 0;
            int snapshots = 0;
            while (!generated.get()) {
                FlightSnapshot s = recorder.snapshot();
                assertThat(s.overwrittenBytes()).as("snapshot %d: %s", snapshots, s).isZero();
                lost += s.lost();
                snapshots++;
            }
            snapshotsOver.countDown();
            generator.join(10_000);
            FlightSnapshot last = recorder.snapshot();
            lost += last.lost();
            assertThat(last.overwrittenBytes()).isZero();
            System.out.println("back-to-back snapshots: " + (snapshots + 1) + ", events " + events[0] + ", lost " + lost
                    + " (output paused most of the time)");
            assertThat(snapshots).isGreaterThan(1);
            assertThat(lost).as("calls dropped while output was paused").isPositive();
            assertThat(events[0] + lost).as("events %d, lost %d over %d snapshots", events[0], lost, snapshots + 1).isEqualTo(n + 1);
            assertThat(recorder.lostCount()).isEqualTo(lost);
            assertThat(recorder.eventCount()).isEqualTo(events[0]);
        } finally {
            armed.countDown();
            snapshotsOver.countDown();
            generator.join(10_000);
        }
    }

    /**
     * Signals to the child in a random order of four signal numbers, into one page: a signal_generate sample
     * is 88 bytes, which does not divide 4096, so once the ring has wrapped the oldest record in it has lost
     * its end to the newest. The snapshot holds exactly the newest 46 signals in the order they were sent
     * (the whole sequence is compared: a shifted or reordered window would not match), and reports the torn
     * record as dropped.
     */
    @Test
    void theTornOldestRecordIsDroppedAndCountedNeverParsed() throws Exception {
        int cpu = pin();
        List<Integer> seen = new ArrayList<>();
        Random random = new Random(42);
        int n = 300;
        int[] sent = new int[n];
        try (TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).ringPages(1).build()) {
            Subscription generate = recorder.enable(GENERATE).filter("pid == " + childPid);
            Field sig = generate.format().requireField("sig");
            Field pid = generate.format().requireField("pid");
            generate.onEvent(e -> {
                assertThat(e.getInt(pid)).isEqualTo(childPid);
                seen.add(e.getInt(sig));
            });
            recorder.open();
            for (int i = 0; i < n; i++) {
                sent[i] = HARMLESS[random.nextInt(HARMLESS.length)];
                TestCalls.kill(childPid, sent[i]);
            }
            FlightSnapshot snap = recorder.snapshot();
            long capacity = Libc.pageSize();
            assertThat(seen).as("%s on CPU %d", snap, cpu).hasSize((int) (capacity / sampleBytes(generate.format())));
            long size = sampleBytes(generate.format());
            int fit = (int) (capacity / size);
            assertThat(capacity % size).as("the ring must end inside a record").isNotZero();
            List<Integer> newest = new ArrayList<>();
            for (int i = n - fit; i < n; i++) {
                newest.add(sent[i]);
            }
            assertThat(seen).isEqualTo(newest);
            assertThat(snap.records(cpu)).isEqualTo(fit);
            assertThat(snap.torn()).isEqualTo(1);
            assertThat(snap.torn(cpu)).isEqualTo(1);
            assertThat(snap.overwrittenBytes()).isEqualTo(n * size - capacity);
            assertThat(snap.corrupt()).isZero();
            assertThat(recorder.corruptCount()).isZero();
        }
    }

    /**
     * An ordinary stream watches for SIGKILL to the child; the flight recorder keeps every signal to it. The
     * SIGKILL seen by the watcher's consumer thread takes the recorder's snapshot there: it holds the signals
     * before it and the SIGKILL itself, oldest first, delivered on that thread, while the watcher's own view
     * still reads its event afterwards. A listener of the recorder cannot snapshot its own recorder.
     */
    @Test
    void aWatchedEventOfAnotherStreamTriggersTheSnapshot() throws Exception {
        List<Integer> recorded = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        List<FlightSnapshot> snaps = new CopyOnWriteArrayList<>();
        List<String> afterSnapshot = new CopyOnWriteArrayList<>();
        List<Throwable> recorderErrors = new CopyOnWriteArrayList<>();
        List<Throwable> watcherErrors = new CopyOnWriteArrayList<>();
        try (TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).build();
             TracepointStream watcher = TracepointStream.builder().tracefs(tracefs).threadName("kill-watcher").build()) {
            Subscription all = recorder.enable(GENERATE).filter("pid == " + childPid);
            Field sig = all.format().requireField("sig");
            all.onEvent(e -> {
                recorded.add(e.getInt(sig));
                threads.add(Thread.currentThread().getName());
                if (recorded.size() == 1) {
                    try {
                        recorder.snapshot();
                    } catch (Exception ex) {
                        recorderErrors.add(ex);
                    }
                }
            });
            Subscription kills = watcher.enable(GENERATE).filter("sig == 9 && pid == " + childPid);
            Field killSig = kills.format().requireField("sig");
            Field killPid = kills.format().requireField("pid");
            recorder.snapshotWhen(kills, e -> e.getInt(killPid) == childPid, snaps::add);
            kills.onEvent(e -> afterSnapshot.add(e.getInt(killSig) + "->" + e.getInt(killPid) + " after " + snaps.size()));
            watcher.onError(watcherErrors::add);
            assertThatThrownBy(() -> recorder.snapshotWhen(all, e -> true, s -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another stream");
            recorder.open();
            watcher.startAsync();
            for (int i = 0; i < 10; i++) {
                TestCalls.kill(childPid, HARMLESS[i % HARMLESS.length]);
            }
            TestCalls.kill(childPid, 9);
            assertThat(KernelTests.await(() -> !snaps.isEmpty(), Duration.ofSeconds(10))).isTrue();
            Thread.sleep(200);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add(HARMLESS[i % HARMLESS.length]);
            }
            expected.add(9);
            assertThat(recorded).isEqualTo(expected);
            assertThat(threads).containsOnly("kill-watcher");
            assertThat(snaps).singleElement().satisfies(s -> {
                assertThat(s.events()).isEqualTo(11);
                assertThat(s.torn()).isZero();
                assertThat(s.lost()).isZero();
                assertThat(s.lastTimeNanos()).isGreaterThan(s.firstTimeNanos());
            });
            assertThat(afterSnapshot).containsExactly("9->" + childPid + " after 1");
            assertThat(recorderErrors).singleElement().isInstanceOf(IllegalStateException.class)
                    .extracting(Throwable::getMessage).asString().contains("own snapshot");
            assertThat(watcherErrors).isEmpty();
            // nothing new since: the next snapshot is empty
            assertThat(recorder.snapshot().events()).isZero();
        }
    }

    @Test
    void aFlightRecorderIsReadOnlyBySnapshotsAndOnlyWhileArmed() throws Exception {
        try (TracepointStream ordinary = TracepointStream.builder().tracefs(tracefs).build()) {
            ordinary.enable(GENERATE);
            assertThatThrownBy(ordinary::snapshot).isInstanceOf(IllegalStateException.class).hasMessageContaining("flightRecorder(true)");
        }
        TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).threadName("flight-idle").build();
        try (recorder) {
            recorder.enable(GENERATE).filter("pid == " + childPid);
            assertThatThrownBy(() -> recorder.onBatch(batch -> { })).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("event listeners");
            assertThatThrownBy(recorder::snapshot).isInstanceOf(IllegalStateException.class).hasMessageContaining("not armed");
            recorder.startAsync(); // arms; no thread
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("flight-idle"));
            assertThatThrownBy(() -> recorder.poll(e -> { }, 1, Duration.ZERO)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("snapshot()");
            assertThat(recorder.snapshot().records()).isZero();
        }
        assertThatThrownBy(recorder::snapshot).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    /**
     * start() on a flight recorder arms it and waits until close(); snapshots from another thread meanwhile
     * see the events, and close() from a snapshot's listener ends it.
     */
    @Test
    void startWaitsUntilCloseWhileOtherThreadsTakeSnapshots() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).build();
        Field sig = recorder.enable(GENERATE).filter("pid == " + childPid).format().requireField("sig");
        recorder.onEvent(GENERATE, e -> {
            seen.add(e.getInt(sig));
            recorder.close(); // inside the snapshot: released when it ends
        });
        Thread starter = new Thread(() -> {
            try {
                recorder.start();
            } catch (TracepointException e) {
                throw new AssertionError(e);
            }
        });
        starter.start();
        assertThat(KernelTests.await(() -> armed(recorder), Duration.ofSeconds(10))).isTrue();
        TestCalls.kill(childPid, 28);
        TestCalls.kill(childPid, 23);
        FlightSnapshot snap = recorder.snapshot();
        assertThat(snap.events()).isEqualTo(2);
        assertThat(seen).containsExactly(28, 23); // the snapshot delivers every record, then releases
        starter.join(10_000);
        assertThat(starter.isAlive()).isFalse();
        assertThat(recorder.isClosed()).isTrue();
        assertThat(recorder.awaitTermination(Duration.ofSeconds(1))).isTrue();
    }

    /** @return whether the recorder is armed: a snapshot (empty until events come) does not say otherwise */
    static boolean armed(TracepointStream recorder) {
        try {
            return recorder.snapshot().records() == 0;
        } catch (IllegalStateException | TracepointException notYet) {
            return false;
        }
    }

    /** The trigger helper's predicate sees the trigger event; a snapshot with nothing armed is an error there. */
    @Test
    void aTriggerBeforeTheRecorderIsArmedIsReportedToTheTriggerStream() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<EventView> never = new ArrayList<>();
        try (TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).build();
             TracepointStream watcher = TracepointStream.builder().tracefs(tracefs).build()) {
            recorder.enable(GENERATE).filter("pid == " + childPid);
            Subscription trigger = watcher.enable(GENERATE).filter("pid == " + childPid);
            recorder.snapshotWhen(trigger, e -> true, s -> never.add(null));
            watcher.onError(errors::add);
            watcher.startAsync();
            TestCalls.kill(childPid, 28);
            assertThat(KernelTests.await(() -> !errors.isEmpty(), Duration.ofSeconds(10))).isTrue();
            assertThat(errors.get(0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("not armed");
            assertThat(never).isEmpty();
        }
    }

    /**
     * The cost of an armed flight recorder under load, printed for the record (no assertion on time: the
     * machine is shared): N close() calls of this thread, pinned, with nothing tracing them, with a flight
     * recorder armed, and with an ordinary stream consuming them (default rings of 128 pages), twice over (the
     * JIT is busy in the first round); for each, the load thread's CPU per call (what the kernel's tracing
     * adds to the traced task) and the CPU every other Java thread of this JVM used meanwhile (the ordinary
     * stream's consumer thread, separately). A flight recorder has no consumer thread: what the others use is
     * the JVM's own, as with no tracing. What it asserts: the recorder's snapshot holds exactly the newest
     * calls that fit, and the ordinary stream accounts for every call (delivered + lost).
     */
    @Test
    void consumerCpuWhileArmedUnderLoad() throws Exception {
        int cpu = pin();
        int tid = TestCalls.gettid();
        int n = 2_000_000;
        String filter = "common_pid == " + tid + " && fd >= " + BASE_FD;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= 2; round++) {
            print(round, "no tracing", n, load(n, 0, threads));

            long[] flight;
            try (TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).build()) {
                Subscription close = recorder.enable(CLOSE).filter(filter);
                Field fd = close.format().requireField("fd");
                List<Long> fds = new ArrayList<>();
                close.onEvent(e -> fds.add(e.getLong(fd)));
                recorder.open();
                flight = load(n, 0, threads);
                FlightSnapshot snap = recorder.snapshot();
                System.out.println("flight recorder snapshot: " + snap);
                long fit = 128L * Libc.pageSize() / sampleBytes(close.format()); // the default ring of 128 pages
                assertThat(fds).as("%s on CPU %d", snap, cpu).isEqualTo(range(BASE_FD + n - fit, BASE_FD + n));
                assertThat(snap.records(cpu)).isEqualTo(fit);
            }
            print(round, "flight recorder armed", n, flight);

            long[] streaming;
            try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).threadName("load-consumer").build()) {
                stream.enable(CLOSE).filter(filter).onEvent(e -> { });
                stream.startAsync();
                streaming = load(n, threadId("load-consumer"), threads);
                stream.close();
                assertThat(stream.eventCount() + stream.lostCount()).isEqualTo(n);
                System.out.println("ordinary stream: events=" + stream.eventCount() + " lost=" + stream.lostCount());
            }
            print(round, "ordinary stream consuming", n, streaming);
        }
    }

    /**
     * @return {wall nanos, this thread's CPU nanos, CPU nanos of every other Java thread, CPU nanos of thread
     *         {@code watched} (-1: none)}
     */
    private static long[] load(int n, long watched, ThreadMXBean threads) {
        long self = Thread.currentThread().threadId();
        java.util.Map<Long, Long> othersBefore = othersCpu(threads, self);
        long watchedBefore = watched == 0 ? 0 : threads.getThreadCpuTime(watched);
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            TestCalls.closeRaw(BASE_FD + i);
        }
        long took = System.nanoTime() - start;
        long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
        long watchedCpu = watched == 0 ? -1 : threads.getThreadCpuTime(watched) - watchedBefore;
        long others = 0;
        for (java.util.Map.Entry<Long, Long> e : othersCpu(threads, self).entrySet()) {
            others += e.getValue() - othersBefore.getOrDefault(e.getKey(), 0L); // threads started meanwhile: all theirs
        }
        return new long[] {took, cpu, others, watchedCpu};
    }

    /** @return the CPU time of every live Java thread but {@code self}, by thread id */
    private static java.util.Map<Long, Long> othersCpu(ThreadMXBean threads, long self) {
        java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (id != self && t >= 0) {
                cpu.put(id, t);
            }
        }
        return cpu;
    }

    private static long threadId(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
                .findFirst().orElseThrow().threadId();
    }

    private static void print(int round, String what, int n, long[] m) {
        System.out.printf(java.util.Locale.ROOT, "round %d %-26s %d close() calls: %.0f ns wall, %.0f ns CPU per call;"
                        + " other threads' CPU %.1f ms%s%n", round, what, n, (double) m[0] / n, (double) m[1] / n, m[2] / 1e6,
                m[3] < 0 ? "" : String.format(java.util.Locale.ROOT, " (consumer thread %.1f ms)", m[3] / 1e6));
    }
}
