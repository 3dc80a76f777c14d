package dev.tracepoint.core;

import dev.tracepoint.core.format.Field;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Ordered delivery on the running kernel. Two shells, pinned to CPU 0 and CPU 1, take turns signalling a
 * child of this JVM: a ping-pong over two FIFOs makes each {@code kill} (a shell builtin, so the event is
 * written on the shell's own CPU) happen after the other shell's previous one, so the global order is known:
 * A, B, A, B, ... while CPU 0's ring holds only A's signals and CPU 1's only B's. The shells' FORK records are
 * written on the CPU of the JVM thread that started them, their exec and exit on their own. Every assertion
 * looks only at the signals aimed at the child and the task records of the two shells, except the check that
 * every record with a time came in time order.
 */
class OrderedStreamIT {

    static final String GENERATE = TracepointStreamIT.GENERATE;
    static final int ROUNDS = 40;
    /** Takes its turn: signals, then hands the turn on through one FIFO and waits for it on the other. */
    static final String FIRST = "exec 3<>\"$2\" 4<>\"$3\"; for ((i = 0; i < $4; i++)); do kill -WINCH \"$1\"; echo >&4; read -r <&3; done";
    static final String SECOND = "exec 3<>\"$2\" 4<>\"$3\"; for ((i = 0; i < $4; i++)); do read -r <&4; kill -URG \"$1\"; echo >&3; done";

    @TempDir
    Path dir;
    Process child;
    int childPid;
    final List<TracepointStream> streams = new ArrayList<>();
    final List<Integer> hotplugged = Collections.synchronizedList(new ArrayList<>());

    /** One record as a listener saw it, in delivery order; time -1 for a COMM (it has none to show). */
    record Seen(String kind, int pid, long time, int cpu, boolean late, String comm) {
    }

    @BeforeEach
    void startChild() throws Exception {
        KernelTests.require();
        assertThat(Runtime.getRuntime().availableProcessors()).as("the test needs CPUs 0 and 1").isGreaterThanOrEqualTo(2);
        child = new ProcessBuilder("sleep", "120").start();
        childPid = (int) child.pid();
    }

    @AfterEach
    void stop() {
        streams.forEach(TracepointStream::close);
        if (child != null) {
            child.destroyForcibly();
        }
    }

    /** Records every task record (any process) and every signal to the child, in the order they are delivered. */
    static final class Log implements TaskListener {
        final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onComm(int pid, int tid, String comm, boolean exec) {
            if (pid == tid) {
                seen.add(new Seen("comm", pid, -1, -1, false, comm));
            }
        }

        @Override
        public void onFork(int pid, int ppid, int tid, int ptid, long timeNanos) {
            if (pid == tid) {
                seen.add(new Seen("fork", pid, timeNanos, -1, false, null));
            }
        }

        @Override
        public void onExit(int pid, int ppid, int tid, int ptid, long timeNanos) {
            if (pid == tid) {
                seen.add(new Seen("exit", pid, timeNanos, -1, false, null));
            }
        }

        void signal(int sender, long time, int cpu, boolean late) {
            seen.add(new Seen("signal", sender, time, cpu, late, null));
        }

        List<Seen> snapshot() {
            synchronized (seen) {
                return new ArrayList<>(seen);
            }
        }

        List<Seen> signals() {
            return snapshot().stream().filter(s -> s.kind().equals("signal")).toList();
        }

        boolean exited(long pid) {
            return snapshot().stream().anyMatch(s -> s.kind().equals("exit") && s.pid() == pid);
        }
    }

    private TracepointStream stream(Log log, Duration lateness) throws TracepointException {
        TracepointStreamBuilder b = TracepointStream.builder().onTask(log);
        if (lateness != null) {
            b.ordered(lateness);
        }
        TracepointStream s = b.build();
        s.onCpu(new CpuListener() {
            @Override
            public void onCpuOffline(int cpu) {
                hotplugged.add(cpu);
            }

            @Override
            public void onCpuArmed(int cpu, long unobservedNanos) {
                hotplugged.add(cpu);
            }
        });
        streams.add(s);
        return s;
    }

    /**
     * A CPU taken offline meanwhile (by something else on this machine) detaches the streams' events of that
     * CPU and moves the pinned shell: the test's premise is gone, so it stops there instead of failing.
     */
    private void assumeNoHotplug() {
        assumeTrue(hotplugged.isEmpty(), "CPU " + hotplugged + " went offline during the test");
    }

    /** Runs the two pinned shells to the end; returns {first, second}. */
    private Process[] pingPong() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertThat(new ProcessBuilder("mkfifo", a.toString(), b.toString()).start().waitFor()).isZero();
        String[] args = {Integer.toString(childPid), a.toString(), b.toString(), Integer.toString(ROUNDS)};
        Process second = shell(1, SECOND, args);
        Process first = shell(0, FIRST, args);
        int a1 = first.waitFor();
        int a2 = second.waitFor();
        if (a1 != 0 || a2 != 0) {
            Thread.sleep(300); // taskset fails on an offline CPU: let the streams' CPU check see it
            assumeNoHotplug();
        }
        assertThat(new int[] {a1, a2}).as("exit codes of the shells").containsExactly(0, 0);
        return new Process[] {first, second};
    }

    private static Process shell(int cpu, String script, String[] args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu), "bash", "-c", script, "turns"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** Each shell: forked, then exec'ed as bash, then its signals, then its exit; each record in its place. */
    private static void assertTaskRecordsFrameTheSignals(List<Seen> log, long pid) {
        int fork = indexOf(log, s -> s.kind().equals("fork") && s.pid() == pid);
        int exec = indexOf(log, s -> s.kind().equals("comm") && s.pid() == pid && "bash".equals(s.comm()));
        int firstSignal = indexOf(log, s -> s.kind().equals("signal") && s.pid() == pid);
        int lastSignal = -1;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).kind().equals("signal") && log.get(i).pid() == pid) {
                lastSignal = i;
            }
        }
        int exit = indexOf(log, s -> s.kind().equals("exit") && s.pid() == pid);
        assertThat(fork).as("pid %d forked", pid).isNotNegative();
        assertThat(new int[] {fork, exec, firstSignal, lastSignal, exit})
                .as("fork, exec, first and last signal, exit of pid %d in delivery order", pid)
                .isSorted().doesNotContain(-1);
        assertThat(log.get(fork).time()).isLessThan(log.get(firstSignal).time());
        assertThat(log.get(lastSignal).time()).isLessThan(log.get(exit).time());
    }

    private static int indexOf(List<Seen> log, java.util.function.Predicate<Seen> p) {
        for (int i = 0; i < log.size(); i++) {
            if (p.test(log.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Records with a time that came after a later one: the stream must have counted each as late. */
    private static long inversions(List<Seen> log) {
        long max = Long.MIN_VALUE;
        long n = 0;
        for (Seen s : log) {
            if (s.time() < 0) {
                continue;
            }
            if (s.time() < max) {
                n++;
            } else {
                max = s.time();
            }
        }
        return n;
    }

    private void assertGlobalOrder(Log log, TracepointStream stream, Process[] shells) {
        List<Seen> all = log.snapshot();
        List<Seen> signals = log.signals();
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            expected.add(shells[0].pid());
            expected.add(shells[1].pid());
        }
        assertThat(signals).extracting(s -> (long) s.pid()).as("senders in delivery order").isEqualTo(expected);
        assertThat(signals).as("each shell's signals from its own CPU's ring")
                .allSatisfy(s -> assertThat(s.cpu()).isEqualTo(s.pid() == shells[0].pid() ? 0 : 1));
        assertThat(signals).extracting(Seen::time).as("times of the signals in delivery order").isSorted();
        assertThat(signals).noneMatch(Seen::late);
        assertTaskRecordsFrameTheSignals(all, shells[0].pid());
        assertTaskRecordsFrameTheSignals(all, shells[1].pid());
        assertThat(inversions(all)).as("every record of every process that came out of time order was counted late")
                .isLessThanOrEqualTo(stream.lateCount());
    }

    @Test
    void signalsFromTwoCpusReachEventListenersInTheirGlobalOrderWithTheTaskRecords() throws Exception {
        Log ordered = new Log();
        TracepointStream s = stream(ordered, Duration.ofMillis(50));
        s.enable(GENERATE).filter("pid == " + childPid).onEvent(e -> ordered.signal(e.pid(), e.timeNanos(), e.cpu(), e.late()));
        // the same events, unordered: the rings are read one after the other
        Log unordered = new Log();
        TracepointStream control = stream(unordered, null);
        control.enable(GENERATE).filter("pid == " + childPid).onEvent(e -> unordered.signal(e.pid(), e.timeNanos(), e.cpu(), e.late()));
        s.startAsync();
        control.startAsync();

        Process[] shells = pingPong();
        await(() -> ordered.exited(shells[1].pid()) && ordered.exited(shells[0].pid()) && unordered.signals().size() >= 2 * ROUNDS);
        assumeNoHotplug();

        assertGlobalOrder(ordered, s, shells);
        assertThat(s.eventCount()).isEqualTo(2 * ROUNDS);
        List<Long> controlSenders = unordered.signals().stream().map(x -> (long) x.pid()).toList();
        assertThat(controlSenders).as("unordered, the same signals").hasSize(2 * ROUNDS)
                .as("unordered, not in their global order (a ring at a time): the test shows what ordering does")
                .isNotEqualTo(ordered.signals().stream().map(x -> (long) x.pid()).toList());
        assertThat(control.lateCount()).isZero();
    }

    @Test
    void aBatchListenerWalksTheMergedSequenceAndCloseDeliversWhatIsStillStaged() throws Exception {
        Log ordered = new Log();
        TracepointStream s = stream(ordered, Duration.ofMillis(50));
        Field target = s.enable(GENERATE).filter("pid == " + childPid).format().requireField("pid");
        List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
        s.onBatch(batch -> {
            while (batch.next()) {
                if (batch.cpu() != batch.view().cpu() || batch.view().getInt(target) != childPid) {
                    mismatches.add(batch.cpu() + " " + batch.view());
                }
                ordered.signal(batch.view().pid(), batch.view().timeNanos(), batch.cpu(), batch.view().late());
            }
        });
        s.startAsync();

        Process[] shells = pingPong();
        // close at once: what the rings and the staging still hold is delivered, in order, before it returns
        s.close();
        assertThat(s.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assumeNoHotplug();

        assertGlobalOrder(ordered, s, shells);
        assertThat(mismatches).isEmpty();
        assertThat(s.eventCount()).isEqualTo(2 * ROUNDS);
    }
}
