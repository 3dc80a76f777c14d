package dev.tracepoint.core;

import dev.tracepoint.core.internal.perf.TestCalls;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Scoping a stream to a process, a thread or a cgroup, against the running kernel. Each test counts the
 * events of the threads and processes it started itself, by thread or process id, and a control stream
 * without a scope shows that the events the scope leaves out did happen.
 */
class ScopeIT {

    static final String GETPPID = "syscalls:sys_enter_getppid";
    static final String GENERATE = "signal:signal_generate";
    static final int SIGURG = 23;
    static final int SIGWINCH = 28;
    static final int CALLS = 5;

    Tracefs tracefs;
    final long self = ProcessHandle.current().pid();
    final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        tracefs = KernelTests.require();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
    }

    /** Counts this JVM's getppid calls by thread, and any event of another process. */
    static final class Counts {
        final Map<Integer, AtomicInteger> byTid = new ConcurrentHashMap<>();
        final List<Integer> foreign = new CopyOnWriteArrayList<>();

        void add(long self, int pid, int tid) {
            if (pid == self) {
                byTid.computeIfAbsent(tid, k -> new AtomicInteger()).incrementAndGet();
            } else {
                foreign.add(pid);
            }
        }

        int of(int tid) {
            AtomicInteger n = byTid.get(tid);
            return n == null ? 0 : n.get();
        }
    }

    static void getppid(int times) {
        for (int i = 0; i < times; i++) {
            TestCalls.getppid();
        }
    }

    /** A process that calls getppid {@code times} times after a line on its stdin. */
    Process otherCaller(int times) throws Exception {
        Process p = new ProcessBuilder("perl", "-e", "<STDIN>; getppid() for 1.." + times).start();
        processes.add(p);
        return p;
    }

    static void go(Process p) throws Exception {
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    @Test
    void aProcessScopeSeesEveryThreadOfThisJvmOnceAndNoOtherProcess() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        int[] existingTid = new int[1];
        CountDownLatch existingStarted = new CountDownLatch(1);
        // a thread that exists before the stream opens, and is not the one that opens it
        Thread existing = new Thread(() -> {
            existingTid[0] = TestCalls.gettid();
            existingStarted.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            getppid(CALLS);
        });
        existing.start();
        existingStarted.await();
        Process other = otherCaller(200);
        Counts scoped = new Counts();
        AtomicInteger otherSeen = new AtomicInteger();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).process(self).build();
             TracepointStream control = TracepointStream.builder().tracefs(tracefs).build()) {
            stream.onEvent(GETPPID, e -> scoped.add(self, e.pid(), e.tid()));
            control.onEvent(GETPPID, e -> {
                if (e.pid() == other.pid()) {
                    otherSeen.incrementAndGet();
                }
            });
            stream.startAsync();
            control.startAsync();
            go.countDown();
            existing.join();
            int[] newTid = new int[1];
            Thread created = new Thread(() -> { // created after the stream opened
                newTid[0] = TestCalls.gettid();
                getppid(CALLS);
            });
            created.start();
            created.join();
            int me = TestCalls.gettid();
            getppid(CALLS);
            go(other);
            assertThat(other.waitFor()).isZero();
            KernelTests.await(() -> scoped.of(existingTid[0]) >= CALLS && scoped.of(newTid[0]) >= CALLS
                    && scoped.of(me) >= CALLS && otherSeen.get() >= 200, Duration.ofSeconds(10));
            Thread.sleep(200); // anything more, twice, or from elsewhere, would arrive now
            assertThat(me).isNotEqualTo((int) self); // a Java thread is not the process's first thread
            assertThat(scoped.of(existingTid[0])).as("a thread that existed before open").isEqualTo(CALLS);
            assertThat(scoped.of(newTid[0])).as("a thread created after open").isEqualTo(CALLS);
            assertThat(scoped.of(me)).as("the thread that opened the stream").isEqualTo(CALLS);
            assertThat(otherSeen.get()).as("the other process's calls, seen by the unscoped stream").isEqualTo(200);
            assertThat(scoped.foreign).as("events of other processes in the scoped stream").isEmpty();
        }
    }

    @Test
    void threadsCreatedWhileTheStreamOpensAreSeenOnceEach() throws Exception {
        // A thread of the process creates threads in bursts while streams open one after the other: an
        // opening may race with them (a thread created while the events are opened may have copies of its creator's
        // events, on some CPUs or all). Every thread's calls must reach every stream exactly once: opening the
        // new threads' own events after such a race, without closing the others first, delivered them twice.
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean churn = new AtomicBoolean(true);
        List<Integer> tids = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        Thread spawner = new Thread(() -> {
            while (churn.get()) {
                for (int i = 0; i < 4; i++) {
                    Thread t = new Thread(() -> {
                        tids.add(TestCalls.gettid());
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        getppid(3);
                    });
                    t.start();
                    threads.add(t);
                }
                try {
                    Thread.sleep(150); // bursts, with pauses longer than a round of opening: it converges
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        List<TracepointStream> streams = new ArrayList<>();
        List<Counts> counts = new ArrayList<>();
        try {
            spawner.start();
            // streams open one after the other over several bursts (at least six streams and twelve threads)
            for (int i = 0; i < 20 && (i < 6 || tids.size() < 12); i++) {
                Thread.sleep(25);
                Counts c = new Counts();
                TracepointStream stream = TracepointStream.builder().tracefs(tracefs).process(self).warmUp(false).build();
                streams.add(stream);
                counts.add(c);
                stream.onEvent(GETPPID, e -> c.add(self, e.pid(), e.tid()));
                stream.startAsync();
            }
            churn.set(false);
            spawner.join();
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            KernelTests.await(() -> counts.stream().allMatch(c -> tids.stream().allMatch(t -> c.of(t) >= 3)), Duration.ofSeconds(10));
            Thread.sleep(200);
        } finally {
            churn.set(false);
            go.countDown();
            streams.forEach(TracepointStream::close);
        }
        assertThat(tids).hasSizeGreaterThan(8);
        for (int s = 0; s < counts.size(); s++) {
            for (int tid : tids) {
                assertThat(counts.get(s).of(tid)).as("stream " + s + ": getppid calls of thread " + tid
                        + ", created before, while or after it opened").isEqualTo(3);
            }
        }
    }

    @Test
    void aThreadScopeKeepsItsCpusArmedWhileTheThreadSleepsAndAfterItExits() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch exit = new CountDownLatch(1);
        int[] tid = new int[1];
        Thread sleeper = new Thread(() -> {
            tid[0] = TestCalls.gettid();
            started.countDown();
            try {
                exit.await();
            } catch (InterruptedException e) {
                return;
            }
            getppid(CALLS);
        });
        sleeper.start();
        started.await();
        List<String> cpuChanges = new CopyOnWriteArrayList<>();
        Counts scoped = new Counts();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).thread(tid[0])
                .threadName("scope-it-consumer").build()) {
            stream.onEvent(GETPPID, e -> scoped.add(self, e.pid(), e.tid()));
            stream.onCpu(new CpuListener() {
                @Override
                public void onCpuOffline(int cpu) {
                    cpuChanges.add("offline " + cpu);
                }

                @Override
                public void onCpuArmed(int cpu, long unobservedNanos) {
                    cpuChanges.add("armed " + cpu);
                }
            });
            stream.startAsync();
            int[] armed = stream.armedCpus();
            getppid(CALLS); // another thread: not in the scope
            // the thread sleeps: its events' time_enabled stands still, which must not look like a CPU gone
            Thread.sleep(600);
            assertThat(cpuChanges).as("CPU changes while the scoped thread sleeps").isEmpty();
            exit.countDown();
            sleeper.join();
            KernelTests.await(() -> scoped.of(tid[0]) >= CALLS, Duration.ofSeconds(10));
            // the thread exited: its events are gone, the CPUs' rings stay, and nothing spins on them
            Thread consumer = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("scope-it-consumer")).findFirst().orElseThrow();
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getThreadCpuTime(consumer.threadId());
            Thread.sleep(1000);
            long used = mx.getThreadCpuTime(consumer.threadId()) - before;
            assertThat(cpuChanges).as("CPU changes after the scoped thread exited").isEmpty();
            assertThat(stream.armedCpus()).isEqualTo(armed);
            assertThat(used).as("consumer CPU in the second after the scoped thread exited, ns").isLessThan(200_000_000L);
            assertThat(scoped.byTid.keySet()).containsExactly(tid[0]);
            assertThat(scoped.of(tid[0])).isEqualTo(CALLS);
        }
    }

    @Test
    void aProcessThatDoesNotExistIsNamed() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long pid = gone.pid(); // reaped: no such process now (pids are not reused this soon)
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).process(pid).build()) {
            stream.enable(GETPPID);
            assertThatThrownBy(stream::open).isInstanceOf(TracepointException.class)
                    .hasMessage("no process with pid " + pid + " (/proc/" + pid + " does not exist)");
        }
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).thread(pid).build()) {
            stream.enable(GETPPID);
            assertThatThrownBy(stream::open).isInstanceOf(TracepointException.class)
                    .hasMessageStartingWith("no thread with id " + pid);
        }
        int me = TestCalls.gettid();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).process(me).build()) {
            stream.enable(GETPPID);
            assertThatThrownBy(stream::open).isInstanceOf(TracepointException.class)
                    .hasMessageStartingWith(me + " is a thread of process " + self + ", not a process");
        }
    }

    @Test
    void oneScopePerStream() {
        TracepointStreamBuilder b = TracepointStream.builder().process(self);
        assertThatThrownBy(() -> b.cgroup(Path.of("/sys/fs/cgroup"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scoped to process " + self + " already");
        assertThatThrownBy(() -> b.thread(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TracepointStream.builder().process(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pid=0");
        assertThatThrownBy(() -> TracepointStream.builder().thread(1L << 40)).isInstanceOf(IllegalArgumentException.class);
        b.process(self + 1); // the same kind again replaces it
    }

    @Test
    void aCgroupScopeSeesItsTasksOnly() throws Exception {
        Path root = cgroup2Root();
        if (root == null) {
            if (KernelTests.ci()) {
                fail("CI must have a cgroup2 hierarchy mounted (none in /proc/self/mountinfo)");
            }
            assumeTrue(false, "no cgroup2 hierarchy mounted; skipped outside CI");
        }
        Process target = new ProcessBuilder("sleep", "60").start();
        processes.add(target);
        Path group = Files.createDirectory(root.resolve("tracepoint-scope-it-" + self));
        try {
            // a shell that moves itself into the cgroup, waits for its go, and signals the target three times
            Process inside = new ProcessBuilder("sh", "-c", "echo $$ > " + group.resolve("cgroup.procs")
                    + " && read go && for i in 1 2 3; do kill -WINCH " + target.pid() + "; done").start();
            processes.add(inside);
            KernelTests.await(() -> {
                try {
                    return !Files.readString(group.resolve("cgroup.procs")).isBlank();
                } catch (Exception e) {
                    return false;
                }
            }, Duration.ofSeconds(10));
            assertThat(Files.readString(group.resolve("cgroup.procs")).trim()).isEqualTo(Long.toString(inside.pid()));
            List<String> scoped = new CopyOnWriteArrayList<>();
            List<String> control = new CopyOnWriteArrayList<>();
            String filter = "pid == " + target.pid();
            try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).cgroup(group).build();
                 TracepointStream all = TracepointStream.builder().tracefs(tracefs).build()) {
                stream.enable(GENERATE).filter(filter).onEvent(e -> scoped.add(e.pid() + ":" + e.getInt(e.format().requireField("sig"))));
                all.enable(GENERATE).filter(filter).onEvent(e -> control.add(e.pid() + ":" + e.getInt(e.format().requireField("sig"))));
                stream.startAsync();
                all.startAsync();
                TestCalls.kill((int) target.pid(), SIGURG); // from this JVM, outside the cgroup
                go(inside);
                assertThat(inside.waitFor()).isZero();
                KernelTests.await(() -> scoped.size() >= 3 && control.size() >= 4, Duration.ofSeconds(10));
                Thread.sleep(200);
            }
            String fromInside = inside.pid() + ":" + SIGWINCH;
            assertThat(control).containsExactlyInAnyOrder(self + ":" + SIGURG, fromInside, fromInside, fromInside);
            assertThat(scoped).containsExactly(fromInside, fromInside, fromInside);
        } finally {
            Files.delete(group); // its only task exited: the cgroup is empty
        }
        assertThat(group).doesNotExist();
    }

    @Test
    void aDirectoryThatIsNotACgroupIsNamed(@TempDir Path dir) throws Exception {
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).cgroup(dir).build()) {
            stream.enable(GETPPID);
            assertThatThrownBy(stream::open).isInstanceOf(TracepointException.class)
                    .hasMessageStartingWith(dir + " is not a cgroup directory (it has no cgroup.procs)");
        }
        Path missing = dir.resolve("missing");
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).cgroup(missing).build()) {
            stream.enable(GETPPID);
            assertThatThrownBy(stream::open).isInstanceOf(TracepointException.class)
                    .hasMessageStartingWith("cgroup " + missing + " is not a directory");
        }
    }

    /** The mount point of the cgroup2 hierarchy, from /proc/self/mountinfo; null when none is mounted. */
    static Path cgroup2Root() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] p = line.split(" ");
            int dash = List.of(p).indexOf("-");
            if (dash > 0 && p[dash + 1].equals("cgroup2")) {
                return Path.of(p[4]);
            }
        }
        return null;
    }
}
