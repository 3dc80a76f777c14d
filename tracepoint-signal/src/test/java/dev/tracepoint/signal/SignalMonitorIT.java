package dev.tracepoint.signal;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.TracepointStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The typed events and the monitor against the running kernel. The test JVM starts child processes and sends
 * them known signals; every monitor is filtered to those children (in the kernel) and every assertion looks
 * only at events this test caused, so background signals cannot interfere.
 */
class SignalMonitorIT {

    static final Duration WAIT = Duration.ofSeconds(10);

    final List<Process> children = new ArrayList<>();
    final List<SignalMonitor> monitors = new ArrayList<>();
    long self;
    String selfComm;

    @BeforeEach
    void gate() throws IOException {
        KernelTests.require();
        self = ProcessHandle.current().pid();
        selfComm = KernelTests.selfComm();
    }

    @AfterEach
    void cleanUp() {
        monitors.forEach(SignalMonitor::close);
        children.forEach(Process::destroyForcibly);
    }

    Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    Process sleeper() throws IOException {
        return start("sleep", "60");
    }

    SignalMonitor monitor(SignalMonitorBuilder b) throws Exception {
        SignalMonitor m = b.build();
        monitors.add(m);
        m.startAsync();
        return m;
    }

    static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** Waits for the expected events, then a little longer so that an unexpected extra one would show. */
    static void settle(BooleanSupplier condition) throws InterruptedException {
        await(condition, WAIT);
        Thread.sleep(300);
    }

    void assertSentByThisJvm(SignalGenerateRecord e, int tid) {
        assertThat(e.senderPid()).as("sender pid of %s", e).isEqualTo(self);
        assertThat(e.senderTid()).as("sender tid of %s", e).isEqualTo(tid);
        assertThat(e.senderComm()).as("sender name of %s", e).isEqualTo(selfComm);
        assertThat(e.senderUid()).as("sender uid of %s", e).isEqualTo(Libc.getuid());
    }

    /**
     * The warm-up is off by default (signals are low-rate), and on when asked: either way the monitor is armed
     * once it is open, and reports the first signal sent after that, the one this test sent.
     */
    @Test
    void withOrWithoutTheWarmUpTheFirstSignalSentAfterOpenIsReported() throws Exception {
        int tid = Libc.gettid();
        for (boolean warmUp : new boolean[] {false, true}) {
            Process target = sleeper();
            List<SignalGenerateRecord> seen = new CopyOnWriteArrayList<>();
            SignalMonitorBuilder b = SignalMonitor.builder().targetPids((int) target.pid()).onSignal(seen::add);
            SignalMonitor m = monitor(warmUp ? b.warmUp(true) : b);

            Libc.kill(target.pid(), Signals.SIGUSR1);
            settle(() -> !seen.isEmpty());

            assertThat(seen).as("warmUp(%s)", warmUp).singleElement().satisfies(e -> {
                assertThat(e.targetPid()).isEqualTo(target.pid());
                assertThat(e.sig()).isEqualTo(Signals.SIGUSR1);
                assertSentByThisJvm(e, tid);
            });
            assertThat(m.lostCount()).isZero();
            m.close();
        }
    }

    @Test
    void knownSignalsArriveWithTheirNamesPidsCodesAndResultsFromThisJvm() throws Exception {
        Process usr1 = sleeper();
        Process term = sleeper();
        Process kill = sleeper();
        Process rt = sleeper();
        List<SignalGenerateRecord> seen = new CopyOnWriteArrayList<>();
        SignalMonitor m = monitor(SignalMonitor.builder()
                .targetPids((int) usr1.pid(), (int) term.pid(), (int) kill.pid(), (int) rt.pid())
                .onSignal(seen::add));

        int tid = Libc.gettid();
        Libc.kill(usr1.pid(), Signals.SIGUSR1);
        Libc.kill(term.pid(), Signals.SIGTERM);
        Libc.kill(kill.pid(), Signals.SIGKILL);
        Libc.sigqueue(rt.pid(), Signals.SIGRTMIN + 2, 42);
        settle(() -> seen.size() >= 4);

        assertThat(seen).hasSize(4);
        assertThat(m.eventCount()).as("the pid filter ran in the kernel").isEqualTo(4);
        List<SignalGenerateRecord> byTime = new ArrayList<>(seen);
        byTime.sort(Comparator.comparingLong(SignalGenerateRecord::timeNanos));
        assertThat(byTime).as("handed on in time order").isEqualTo(seen);

        record Expected(long pid, int sig, String name, int code, String codeName) {
        }
        List<Expected> expected = List.of(
                new Expected(usr1.pid(), 10, "SIGUSR1", 0, "SI_USER"),
                new Expected(term.pid(), 15, "SIGTERM", 0, "SI_USER"),
                new Expected(kill.pid(), 9, "SIGKILL", 0, "SI_USER"),
                new Expected(rt.pid(), 34, "SIGRTMIN+2", -1, "SI_QUEUE"));
        for (Expected x : expected) {
            SignalGenerateRecord e = seen.stream().filter(s -> s.targetPid() == x.pid()).findFirst().orElseThrow(
                    () -> new AssertionError("no event for pid " + x.pid() + " in " + seen));
            assertThat(e.sig()).isEqualTo(x.sig());
            assertThat(e.signalName()).isEqualTo(x.name());
            assertThat(e.code()).isEqualTo(x.code());
            assertThat(e.codeName()).isEqualTo(x.codeName());
            assertThat(e.targetComm()).isEqualTo("sleep");
            assertThat(e.result()).isEqualTo(Signals.DELIVERED);
            assertThat(e.resultName()).isEqualTo("DELIVERED");
            assertThat(e.failed()).isFalse();
            assertThat(e.group()).as("kill and sigqueue signal the whole process").isEqualTo(1);
            assertThat(e.timeNanos()).isPositive();
            assertThat(e.cpu()).isNotNegative();
            assertSentByThisJvm(e, tid);
        }
        assertThat(usr1.waitFor()).isEqualTo(128 + 10);
        assertThat(rt.waitFor()).isEqualTo(128 + 34);
    }

    @Test
    void startConsumesOnTheCallersThreadAndStartAsyncOnItsOwn() throws Exception {
        Process child = sleeper();
        int pid = (int) child.pid();
        List<String> syncThreads = new CopyOnWriteArrayList<>();
        List<String> asyncThreads = new CopyOnWriteArrayList<>();
        SignalMonitor sync = SignalMonitor.builder().targetPids(pid)
                .onSignal(e -> syncThreads.add(Thread.currentThread().getName())).build();
        monitors.add(sync);
        SignalMonitor async = monitor(SignalMonitor.builder().targetPids(pid)
                .onSignal(e -> asyncThreads.add(Thread.currentThread().getName())));
        sync.open(); // signals sent from now on are seen; start() opens no second time
        Throwable[] failure = new Throwable[1];
        Thread caller = new Thread(() -> {
            try {
                sync.start();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "the-caller");
        caller.start();

        Libc.kill(pid, Signals.SIGWINCH);
        settle(() -> syncThreads.size() >= 1 && asyncThreads.size() >= 1);
        assertThat(syncThreads).containsExactly("the-caller");
        assertThat(asyncThreads).containsExactly("tracepoint-signals");
        assertThat(caller.isAlive()).as("start() returns only at close()").isTrue();
        assertThatThrownBy(sync::startAsync).isInstanceOf(IllegalStateException.class)
                .hasMessage("the monitor was started already");
        assertThatThrownBy(async::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("the monitor was started already");

        sync.close();
        caller.join(WAIT.toMillis());
        assertThat(caller.isAlive()).isFalse();
        assertThat(failure[0]).isNull();
        assertThat(sync.isClosed()).isTrue();
        assertThat(async.isClosed()).isFalse();
        async.close();
        assertThat(async.awaitTermination(WAIT)).isTrue();
        assertThat(async.isClosed()).isTrue();
    }

    @Test
    void theTypedFlyweightReadsTheRunningKernelsLayoutWithoutCopies() throws Exception {
        Process child = sleeper();
        int pid = (int) child.pid();
        List<String> seen = new CopyOnWriteArrayList<>();
        byte[] comm = new byte[16];
        try (TracepointStream stream = TracepointStream.builder().build()) {
            stream.enable(SignalGenerate.TRACEPOINT).filter("pid == " + pid).onEvent(SignalGenerate.class, e -> {
                int n = e.targetComm(comm);
                seen.add(e.signalName() + " " + e.codeName() + " " + e.resultName() + " " + e.targetPid() + " "
                        + new String(comm, 0, n, StandardCharsets.US_ASCII) + " " + e.senderPid() + " " + e.hasGroup());
            });
            stream.startAsync();
            Libc.kill(pid, Signals.SIGWINCH);
            Libc.kill(pid, Signals.SIGURG);
            settle(() -> seen.size() >= 2);
        }
        assertThat(seen).containsExactly(
                "SIGWINCH SI_USER IGNORED " + pid + " sleep " + self + " true",
                "SIGURG SI_USER IGNORED " + pid + " sleep " + self + " true");
    }

    @Test
    void deliveriesAreSeenForAProcessWithAHandler() throws Exception {
        Process bash = start("bash", "-c", "trap 'echo got' USR1; echo ready; while :; do sleep 0.05; done");
        BufferedReader out = new BufferedReader(new InputStreamReader(bash.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        int pid = (int) bash.pid();
        List<SignalGenerateRecord> generated = new CopyOnWriteArrayList<>();
        List<SignalDeliverRecord> delivered = new CopyOnWriteArrayList<>();
        SignalMonitor m = monitor(SignalMonitor.builder().targetPids(pid).exclude("CHLD")
                .onSignal(generated::add).onDeliver(delivered::add));
        assertThat(m.deliverKernelFilter()).isEqualTo("sig != 17");

        int tid = Libc.gettid();
        // stopped, the first USR1 is queued and the second merged into it; SIGCONT then lets bash handle it once
        Libc.kill(pid, Signals.SIGSTOP);
        await(() -> generated.size() >= 1 && stopped(pid), WAIT);
        Libc.kill(pid, Signals.SIGUSR1);
        Libc.kill(pid, Signals.SIGUSR1);
        Libc.kill(pid, Signals.SIGCONT);
        settle(() -> generated.size() >= 4 && delivered.stream().anyMatch(d -> d.sig() == Signals.SIGUSR1));
        assertThat(out.readLine()).isEqualTo("got");

        List<String> mine = generated.stream().filter(e -> e.senderPid() == self)
                .map(e -> e.signalName() + " " + e.resultName()).toList();
        assertThat(mine).containsExactly("SIGSTOP DELIVERED", "SIGUSR1 DELIVERED", "SIGUSR1 ALREADY_PENDING", "SIGCONT IGNORED");
        generated.stream().filter(e -> e.senderPid() == self).forEach(e -> assertSentByThisJvm(e, tid));

        List<SignalDeliverRecord> usr1 = delivered.stream().filter(d -> d.sig() == Signals.SIGUSR1).toList();
        assertThat(usr1).as("merged into one").hasSize(1);
        SignalDeliverRecord d = usr1.get(0);
        assertThat(d.targetPid()).isEqualTo(pid);
        assertThat(d.targetComm()).isEqualTo("bash");
        assertThat(d.code()).isEqualTo(Signals.SI_USER);
        assertThat(d.hasHandler()).as("bash installed a handler: sa_handler=%x", d.saHandler()).isTrue();
        assertThat(d.signalName()).isEqualTo("SIGUSR1");
        assertThat(delivered).allSatisfy(x -> assertThat(x.targetPid()).isEqualTo(pid));
        assertThat(m.deliveryCount()).isEqualTo(delivered.size());
    }

    private static boolean stopped(int pid) {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status")).stream()
                    .anyMatch(l -> l.startsWith("State:") && l.contains("stopped"));
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aShortLivedSenderIsNamed() throws Exception {
        Process victim = sleeper();
        List<SignalGenerateRecord> seen = new CopyOnWriteArrayList<>();
        monitor(SignalMonitor.builder().targetPids((int) victim.pid()).onSignal(seen::add));

        Process kill = new ProcessBuilder("/bin/kill", "-USR1", Long.toString(victim.pid())).start();
        assertThat(kill.waitFor()).isZero(); // exited and reaped: /proc knows it no more
        settle(() -> seen.size() >= 1);

        assertThat(seen).hasSize(1);
        SignalGenerateRecord e = seen.get(0);
        assertThat(e.signalName()).isEqualTo("SIGUSR1");
        assertThat(e.codeName()).isEqualTo("SI_USER");
        assertThat(e.senderPid()).isEqualTo(kill.pid());
        assertThat(e.senderComm()).isEqualTo("kill");
        assertThat(e.senderUid()).isEqualTo(Libc.getuid());
        assertThat(e.targetComm()).isEqualTo("sleep");
    }

    /**
     * The sender's records on two CPUs: it is forked and exec'ed as {@code taskset} on CPU 0, execs bash on
     * CPU 1 (its COMM record goes to CPU 1's ring), and is moved back to CPU 0 before it signals (the signal
     * goes to CPU 0's ring). Read a ring at a time, CPU 0's first, the signal would be seen before the exec
     * that renamed its sender, and named {@code taskset}; the ordered stream names it {@code bash}. A long
     * latency keeps all of it in one drain.
     */
    @Test
    void aSenderRenamedOnAnotherCpuThanItsSignalIsNamedByThatRename() throws Exception {
        Process victim = sleeper();
        List<SignalGenerateRecord> seen = new CopyOnWriteArrayList<>();
        monitor(SignalMonitor.builder().targetPids((int) victim.pid()).maxLatency(Duration.ofSeconds(1)).onSignal(seen::add));

        String tid = Integer.toString(Libc.gettid());
        Process sender;
        assertThat(taskset("-p", "-c", "0", tid)).as("this thread pinned to CPU 0: the fork is written there").isZero();
        try {
            sender = start("taskset", "-c", "1", "bash", "-c", "read -r; kill -USR1 \"$1\"", "sender", Long.toString(victim.pid()));
        } finally {
            taskset("-p", "-c", "0-" + (Runtime.getRuntime().availableProcessors() - 1), tid);
        }
        java.nio.file.Path comm = java.nio.file.Path.of("/proc/" + sender.pid() + "/comm");
        await(() -> {
            try {
                return java.nio.file.Files.readString(comm).strip().equals("bash");
            } catch (IOException e) {
                return false;
            }
        }, WAIT);
        assertThat(taskset("-p", "-c", "0", Long.toString(sender.pid()))).as("the sender moved to CPU 0").isZero();
        sender.getOutputStream().write('\n');
        sender.getOutputStream().close();
        assertThat(sender.waitFor()).isZero();
        settle(() -> seen.size() >= 1);

        assertThat(seen).singleElement().satisfies(e -> {
            assertThat(e.cpu()).as("the signal was written on CPU 0").isZero();
            assertThat(e.senderPid()).isEqualTo(sender.pid());
            assertThat(e.senderComm()).isEqualTo("bash");
        });
    }

    private static int taskset(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("taskset"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    /** @return a pid that was this test's child and has been reaped: no process has it (pids wrap only after ~4M) */
    int deadPid() throws Exception {
        Process p = start("true");
        assertThat(p.waitFor()).isZero();
        return (int) p.pid();
    }

    /** @return the command prefix that runs a command as nobody (65534), or null without setpriv */
    static List<String> asNobody() {
        for (String p : List.of("/usr/bin/setpriv", "/bin/setpriv")) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(p))) {
                return List.of(p, "--reuid=65534", "--regid=65534", "--clear-groups");
            }
        }
        return null;
    }

    /**
     * Kills that fail never reach signal_generate: a kill and a sigqueue of a pid that does not exist (ESRCH),
     * and an unprivileged shell's kill of a root process (EPERM). Each is reported once, with its call, error,
     * sender and target; a probe (signal 0) and a kill that succeeds are not.
     */
    @Test
    void failedKillsAreReportedWithTheirErrorSenderAndTarget() throws Exception {
        List<String> nobody = asNobody();
        org.junit.jupiter.api.Assumptions.assumeTrue(nobody != null, "setpriv (util-linux) is needed to drop privileges");
        int dead = deadPid(); // before the monitor: the task table has never seen it
        Process victim = sleeper();
        int pid = (int) victim.pid();
        List<FailedKill> failed = new CopyOnWriteArrayList<>();
        List<SignalGenerateRecord> signals = new CopyOnWriteArrayList<>();
        SignalMonitor m = monitor(SignalMonitor.builder().targetPids(dead, pid).onSignal(signals::add).onFailedKill(failed::add));

        int tid = Libc.gettid();
        assertThatThrownBy(() -> Libc.kill(dead, Signals.SIGTERM)).hasMessageContaining("ESRCH");
        assertThatThrownBy(() -> Libc.sigqueue(dead, Signals.SIGUSR1, 7)).hasMessageContaining("ESRCH");
        assertThatThrownBy(() -> Libc.kill(dead, 0)).hasMessageContaining("ESRCH"); // a probe: not reported
        Libc.kill(pid, Signals.SIGWINCH); // succeeds: a signal, no failure
        List<String> cmd = new ArrayList<>(nobody);
        cmd.addAll(List.of("sh", "-c", "kill -s USR1 " + pid + "; sleep 1")); // the sleep keeps it in /proc to be named
        Process unprivileged = start(cmd.toArray(new String[0]));
        assertThat(new String(unprivileged.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .as("the shell's own report").containsIgnoringCase("not permitted");
        unprivileged.waitFor();
        settle(() -> failed.size() >= 3 && !signals.isEmpty());

        assertThat(failed).hasSize(3);
        assertThat(m.failedKillCount()).isEqualTo(3);
        assertThat(failed.get(0)).isEqualTo(new FailedKill(failed.get(0).timeNanos(), failed.get(0).cpu(), "kill",
                Signals.SIGTERM, 3, dead, 0, -1, null, (int) self, tid, selfComm, Libc.getuid()));
        assertThat(failed.get(0).errnoName()).isEqualTo("ESRCH");
        assertThat(failed.get(0).call()).isEqualTo("kill(" + dead + ", SIGTERM)");
        assertThat(failed.get(1)).isEqualTo(new FailedKill(failed.get(1).timeNanos(), failed.get(1).cpu(), "rt_sigqueueinfo",
                Signals.SIGUSR1, 3, dead, 0, -1, null, (int) self, tid, selfComm, Libc.getuid()));
        FailedKill eperm = failed.get(2);
        assertThat(eperm.syscall()).isEqualTo("kill");
        assertThat(eperm.errnoName()).isEqualTo("EPERM");
        assertThat(eperm.sig()).isEqualTo(Signals.SIGUSR1);
        assertThat(eperm.targetPid()).isEqualTo(pid);
        assertThat(eperm.targetComm()).isEqualTo("sleep");
        assertThat(eperm.senderPid()).as("setpriv execs the shell: one pid").isEqualTo(unprivileged.pid());
        assertThat(eperm.senderComm()).isEqualTo("sh");
        assertThat(eperm.senderUid()).isEqualTo(65534);
        assertThat(failed).extracting(FailedKill::timeNanos).isSorted();

        assertThat(signals).singleElement().satisfies(sg -> assertThat(sg.sig()).isEqualTo(Signals.SIGWINCH));
        assertThat(victim.isAlive()).as("the unprivileged kill failed").isTrue();
    }

    @Test
    void senderFiltersRunInUserSpace() throws Exception {
        Process victim = sleeper();
        int pid = (int) victim.pid();
        List<SignalGenerateRecord> byName = new CopyOnWriteArrayList<>();
        List<SignalGenerateRecord> byPid = new CopyOnWriteArrayList<>();
        SignalMonitor name = monitor(SignalMonitor.builder().targetPids(pid).senderComms("kill").onSignal(byName::add));
        SignalMonitor self = monitor(SignalMonitor.builder().targetPids(pid).senderPids((int) this.self).onSignal(byPid::add));

        Libc.kill(pid, Signals.SIGWINCH);
        Process kill = new ProcessBuilder("/bin/kill", "-URG", Integer.toString(pid)).start();
        assertThat(kill.waitFor()).isZero();
        settle(() -> byName.size() >= 1 && byPid.size() >= 1 && name.eventCount() >= 2 && self.eventCount() >= 2);

        assertThat(byName).singleElement().satisfies(e -> {
            assertThat(e.signalName()).isEqualTo("SIGURG");
            assertThat(e.senderComm()).isEqualTo("kill");
            assertThat(e.senderPid()).isEqualTo(kill.pid());
        });
        assertThat(byPid).singleElement().satisfies(e -> assertThat(e.signalName()).isEqualTo("SIGWINCH"));
        assertThat(name.eventCount()).as("both crossed into user space").isEqualTo(2);
        assertThat(name.signalCount()).isEqualTo(1);
        assertThat(self.signalCount()).isEqualTo(1);
    }

    @Test
    void excludedSignalsNeverReachUserSpace() throws Exception {
        Process child = sleeper();
        int pid = (int) child.pid();
        List<SignalGenerateRecord> filtered = new CopyOnWriteArrayList<>();
        List<SignalGenerateRecord> all = new CopyOnWriteArrayList<>();
        SignalMonitor excluding = monitor(SignalMonitor.builder().targetPids(pid).exclude("WINCH").onSignal(filtered::add));
        SignalMonitor control = monitor(SignalMonitor.builder().targetPids(pid).onSignal(all::add));
        assertThat(excluding.kernelFilter()).isEqualTo("sig != 28 && pid == " + pid);

        for (int i = 0; i < 5; i++) {
            Libc.kill(pid, Signals.SIGWINCH);
        }
        for (int i = 0; i < 3; i++) {
            Libc.kill(pid, Signals.SIGURG);
        }
        settle(() -> all.size() >= 8 && filtered.size() >= 3);

        assertThat(all).extracting(SignalGenerateRecord::signalName).containsOnly("SIGWINCH", "SIGURG").hasSize(8);
        assertThat(control.eventCount()).isEqualTo(8);
        assertThat(filtered).extracting(SignalGenerateRecord::signalName).containsOnly("SIGURG").hasSize(3);
        assertThat(excluding.eventCount()).as("what crossed into user space").isEqualTo(3);
        assertThat(excluding.signalCount()).isEqualTo(3);
        assertThat(filtered).allSatisfy(e -> {
            assertThat(e.resultName()).isEqualTo("IGNORED");
            assertThat(e.failed()).isTrue();
        });
    }

    @Test
    void failedOnlyAndSummaries() throws Exception {
        Process ignoring = sleeper();
        Process dying = sleeper();
        List<SignalGenerateRecord> failed = new CopyOnWriteArrayList<>();
        SignalMonitor failedOnly = monitor(SignalMonitor.builder().targetPids((int) ignoring.pid(), (int) dying.pid())
                .failedOnly(true).onSignal(failed::add));
        SignalMonitor counting = monitor(SignalMonitor.builder().targetPids((int) ignoring.pid(), (int) dying.pid())
                .aggregate(true));

        for (int i = 0; i < 5; i++) {
            Libc.kill(ignoring.pid(), Signals.SIGWINCH);
        }
        Libc.kill(ignoring.pid(), Signals.SIGURG);
        Libc.kill(dying.pid(), Signals.SIGTERM);
        settle(() -> failed.size() >= 6 && counting.signalCount() >= 7);

        assertThat(failed).extracting(SignalGenerateRecord::targetPid).containsOnly((int) ignoring.pid()).hasSize(6);
        assertThat(failedOnly.eventCount()).as("the delivered SIGTERM stayed in the kernel").isEqualTo(6);

        SignalSummary s = counting.takeSummary(0);
        assertThat(s.signals()).isEqualTo(7);
        assertThat(s.lost()).isZero();
        assertThat(s.rows()).containsExactly(
                new SignalSummary.Row(Signals.SIGWINCH, (int) self, selfComm, Libc.getuid(), (int) ignoring.pid(), "sleep", 5, 5),
                new SignalSummary.Row(Signals.SIGTERM, (int) self, selfComm, Libc.getuid(), (int) dying.pid(), "sleep", 1, 0),
                new SignalSummary.Row(Signals.SIGURG, (int) self, selfComm, Libc.getuid(), (int) ignoring.pid(), "sleep", 1, 1));
        assertThat(counting.takeSummary(0).signals()).as("a new period").isZero();
        SignalSummary total = counting.totalSummary(1);
        assertThat(total.signals()).isEqualTo(7);
        assertThat(total.rows()).hasSize(1);
        assertThat(total.rows().get(0).count()).isEqualTo(5);
    }
}
