package dev.tracepoint.signal;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.testing.Launcher;
import dev.tracepoint.testing.MiniJson;
import dev.tracepoint.signal.internal.cli.SignalsCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code tracepoint signals} run as a separate process, as a user runs it: the launcher's {@code Main} on the
 * class path of the two modules (what {@code ./tracepoint} runs, without its nested Maven build). Its output is
 * parsed and checked against the signals this test sends to its own children.
 */
class SignalsCommandIT {

    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    final List<Process> processes = new ArrayList<>();
    long self;
    String selfComm;

    @BeforeEach
    void setUp() throws IOException {
        self = ProcessHandle.current().pid();
        selfComm = KernelTests.selfComm();
    }

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
    }

    Process sleeper() throws IOException {
        Process p = new ProcessBuilder("sleep", "60").start();
        processes.add(p);
        return p;
    }

    /** The class path of the launcher: the core's and this module's classes (jars or directories). */
    static String classPath() throws Exception {
        return Launcher.classPath(SignalMonitor.class, SignalsCommand.class);
    }

    static List<String> javaCommand(String classPath, String... args) {
        return javaCommand(List.of(), classPath, args);
    }

    static List<String> javaCommand(List<String> jvmOptions, String classPath, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath, Launcher.MAIN, "signals"));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** A running monitor process with its output files. */
    record Monitor(Process process, Path out, Path err) {
        List<String> stdout() throws IOException {
            return Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
        }

        String stderr() throws IOException {
            return Files.readString(err);
        }

        /** Ctrl-C, then the exit status. */
        int interrupt() throws Exception {
            Libc.kill(process.pid(), 2);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGINT").isTrue();
            return process.exitValue();
        }
    }

    Monitor launch(String... args) throws Exception {
        return launch(List.of(), args);
    }

    Monitor launch(List<String> jvmOptions, String... args) throws Exception {
        Path ready = tmp.resolve("ready-" + System.nanoTime());
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--ready");
        all.add(ready.toString());
        ProcessBuilder pb = new ProcessBuilder(javaCommand(jvmOptions, classPath(), all.toArray(new String[0])));
        pb.environment().remove("TRACEPOINT_JAVA_OPTS");
        Path out = tmp.resolve("out-" + System.nanoTime());
        Path err = tmp.resolve("err-" + System.nanoTime());
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        processes.add(p);
        Monitor m = new Monitor(p, out, err);
        long deadline = System.nanoTime() + START.toNanos();
        while (!Files.exists(ready)) {
            if (!p.isAlive()) {
                throw new AssertionError("the monitor exited with " + p.exitValue() + " before it was ready: " + m.stderr());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the monitor was not ready within " + START + ": " + m.stderr());
            }
            Thread.sleep(20);
        }
        return m;
    }

    /**
     * {@code --warm-up} turns the monitor's warm-up on (it is off by default): the stream logs it (at DEBUG)
     * before it is attached, and without the option it logs none. Either way the signal this test sends after
     * the monitor is ready is printed.
     */
    @Test
    void warmUpOptionTurnsTheWarmUpOn() throws Exception {
        KernelTests.require();
        String logging = Launcher.debugLogging(tmp);
        for (boolean warmUp : new boolean[] {false, true}) {
            Process target = sleeper();
            List<String> args = new ArrayList<>(List.of("--json", "--target-pid", Long.toString(target.pid())));
            if (warmUp) {
                args.add("--warm-up");
            }
            Monitor m = launch(List.of(logging), args.toArray(new String[0]));
            Libc.kill(target.pid(), Signals.SIGUSR1);
            target.waitFor();
            Thread.sleep(300); // the monitor's rings are drained at least every 100 ms
            assertThat(m.interrupt()).isEqualTo(130);
            assertThat(m.stdout()).as(m.stderr()).singleElement().satisfies(line -> assertThat(MiniJson.object(line))
                    .containsEntry("signal", "SIGUSR1").containsEntry("target_pid", target.pid())
                    .containsEntry("sender_pid", self));
            if (warmUp) {
                assertThat(m.stderr()).as("--warm-up").contains(Launcher.WARM_UP_LOG);
            } else {
                // the same logging shows the line with --warm-up: its absence here is the warm-up's
                assertThat(m.stderr()).as("the default").doesNotContain(Launcher.WARM_UP_LOG);
            }
        }
    }

    @Test
    void jsonLinesNameSenderAndTargetOfEverySignal() throws Exception {
        KernelTests.require();
        Process a = sleeper();
        Process b = sleeper();
        Process c = sleeper();
        Monitor m = launch("--json", "--target-pid", a.pid() + "," + b.pid(), "--target-pid", Long.toString(c.pid()));

        int tid = Libc.gettid();
        Libc.kill(a.pid(), Signals.SIGUSR1);
        for (int i = 0; i < 3; i++) {
            Libc.kill(b.pid(), Signals.SIGWINCH);
        }
        Libc.kill(b.pid(), Signals.SIGTERM);
        Libc.sigqueue(c.pid(), Signals.SIGRTMIN + 2, 7);
        a.waitFor();
        b.waitFor();
        c.waitFor();
        Thread.sleep(300); // the monitor's rings are drained at least every 100 ms
        assertThat(m.interrupt()).as("Ctrl-C exit status").isEqualTo(130);

        List<Map<String, Object>> events = m.stdout().stream().map(MiniJson::object).toList();
        assertThat(events).as(m.stderr()).hasSize(6);
        List<String> summary = events.stream().map(e -> e.get("target_pid") + " " + e.get("signal") + " " + e.get("code_name")
                + " " + e.get("result_name")).toList();
        assertThat(summary).containsExactlyInAnyOrder(
                a.pid() + " SIGUSR1 SI_USER DELIVERED",
                b.pid() + " SIGWINCH SI_USER IGNORED",
                b.pid() + " SIGWINCH SI_USER IGNORED",
                b.pid() + " SIGWINCH SI_USER IGNORED",
                b.pid() + " SIGTERM SI_USER DELIVERED",
                c.pid() + " SIGRTMIN+2 SI_QUEUE DELIVERED");
        for (Map<String, Object> e : events) {
            assertThat(e).containsEntry("event", "signal_generate")
                    .containsEntry("sender_pid", self)
                    .containsEntry("sender_tid", (long) tid)
                    .containsEntry("sender_comm", selfComm)
                    .containsEntry("sender_uid", (long) Libc.getuid())
                    .containsEntry("target_comm", "sleep")
                    .containsKeys("sig", "code", "result", "time_ns", "cpu", "errno", "group");
            assertThat((Long) e.get("time_ns")).isPositive();
            assertThat((Long) e.get("cpu")).isNotNegative();
            assertThat(Signals.name(((Long) e.get("sig")).intValue())).isEqualTo(e.get("signal"));
        }
        assertThat(events).filteredOn(e -> "SIGRTMIN+2".equals(e.get("signal")))
                .singleElement().satisfies(e -> assertThat(e).containsEntry("sig", 34L).containsEntry("code", -1L));
        assertThat(m.stderr()).contains("--- total over").contains("6 signals, lost 0 (6 events from the kernel)");
    }

    @Test
    void aPidScopeShowsOnlyTheSignalsThatProcessSends() throws Exception {
        KernelTests.require();
        Process target = sleeper();
        // a shell that, once told to, signals the target three times; this JVM signals it meanwhile
        Process shell = new ProcessBuilder("sh", "-c", "read go; for i in 1 2 3; do kill -WINCH " + target.pid() + "; done")
                .start();
        processes.add(shell);
        Monitor m = launch("--json", "--target-pid", Long.toString(target.pid()), "--pid", Long.toString(shell.pid()));
        Libc.kill(target.pid(), Signals.SIGURG);
        shell.getOutputStream().write("go\n".getBytes(StandardCharsets.US_ASCII));
        shell.getOutputStream().flush();
        assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Libc.kill(target.pid(), Signals.SIGURG);
        Thread.sleep(300); // the monitor's rings are drained at least every 100 ms
        assertThat(m.interrupt()).isEqualTo(130);
        List<Map<String, Object>> events = m.stdout().stream().map(MiniJson::object).toList();
        assertThat(events).as(m.stderr()).hasSize(3).allSatisfy(e -> assertThat(e)
                .containsEntry("signal", "SIGWINCH").containsEntry("sender_pid", shell.pid())
                .containsEntry("sender_comm", "sh").containsEntry("target_pid", target.pid()));
    }

    @Test
    void summariesCountPerSignalSenderAndTargetWithTheExclusionInTheKernel() throws Exception {
        KernelTests.require();
        Process b = sleeper();
        Monitor m = launch("--summary", "0.5", "--json", "--exclude", "URG", "--target-pid", Long.toString(b.pid()));

        for (int i = 0; i < 5; i++) {
            Libc.kill(b.pid(), Signals.SIGWINCH);
            Libc.kill(b.pid(), Signals.SIGURG);
        }
        Thread.sleep(1200); // at least one period printed
        assertThat(m.interrupt()).isEqualTo(130);

        List<Map<String, Object>> out = m.stdout().stream().map(MiniJson::object).toList();
        assertThat(out).as(m.stderr()).isNotEmpty().allSatisfy(o -> assertThat(o).containsEntry("event", "summary"));
        List<Map<String, Object>> periods = out.stream().filter(o -> Boolean.FALSE.equals(o.get("final"))).toList();
        assertThat(periods).isNotEmpty();
        assertThat(periods.stream().mapToLong(o -> (Long) o.get("signals")).sum()).isEqualTo(5);
        Map<String, Object> total = out.get(out.size() - 1);
        assertThat(total).containsEntry("final", true).containsEntry("signals", 5L).containsEntry("lost", 0L)
                .as("the excluded SIGURGs never crossed into user space").containsEntry("kernel_events", 5L);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) total.get("rows");
        assertThat(rows).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("sig", 28L).containsEntry("signal", "SIGWINCH")
                .containsEntry("sender_pid", self).containsEntry("sender_comm", selfComm)
                .containsEntry("sender_uid", (long) Libc.getuid())
                .containsEntry("target_pid", b.pid()).containsEntry("target_comm", "sleep")
                .containsEntry("count", 5L).containsEntry("failed", 5L));
    }

    @Test
    void textSummaryShowsTheTopRowsAndStopsAfterItsDuration() throws Exception {
        KernelTests.require();
        Process b = sleeper();
        Process c = sleeper();
        Monitor m = launch("--summary", "60", "--duration", "3", "--signal", "WINCH,USR2", "--target-pid", b.pid() + "," + c.pid());
        for (int i = 0; i < 4; i++) {
            Libc.kill(b.pid(), Signals.SIGWINCH);
        }
        Libc.kill(c.pid(), Signals.SIGWINCH);
        Libc.kill(c.pid(), Signals.SIGTERM); // not selected
        assertThat(m.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(m.process().exitValue()).as(m.stderr()).isZero();

        List<String> lines = m.stdout();
        assertThat(lines.get(0)).startsWith("--- total over").contains(": 5 signals, lost 0 (5 events from the kernel)");
        assertThat(lines.get(1)).containsPattern("COUNT\\s+FAILED\\s+SIGNAL\\s+SENDER\\s+TARGET");
        assertThat(lines.get(2)).matches("\\s+4\\s+4\\s+SIGWINCH\\s+" + selfComm + "\\(" + self + "\\) uid=0\\s+-> sleep\\(" + b.pid() + "\\)");
        assertThat(lines.get(3)).matches("\\s+1\\s+1\\s+SIGWINCH\\s+" + selfComm + "\\(" + self + "\\) uid=0\\s+-> sleep\\(" + c.pid() + "\\)");
        assertThat(lines).hasSize(4);
    }

    /**
     * --failed-kills: a kill of a pid that does not exist (ESRCH) from this JVM, and a kill of the test's root
     * child by an unprivileged shell (EPERM), as JSON lines next to the one signal that succeeded.
     */
    @Test
    void failedKillsAreShownWithTheirError() throws Exception {
        KernelTests.require();
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "setpriv (util-linux) is needed to drop privileges");
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor()).isZero();
        long dead = gone.pid(); // reaped: no process has this pid
        Process victim = sleeper();
        Monitor m = launch("--json", "--failed-kills", "--target-pid", dead + "," + victim.pid());

        int tid = Libc.gettid();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Libc.kill(dead, Signals.SIGKILL)).hasMessageContaining("ESRCH");
        Libc.kill(victim.pid(), Signals.SIGWINCH);
        Process shell = new ProcessBuilder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                "sh", "-c", "kill -s TERM " + victim.pid() + "; sleep 1").redirectErrorStream(true).start();
        processes.add(shell);
        assertThat(new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).containsIgnoringCase("not permitted");
        shell.waitFor();
        Thread.sleep(400); // the monitor holds events up to 150 ms (drain and ordering)
        assertThat(m.interrupt()).isEqualTo(130);

        List<Map<String, Object>> events = m.stdout().stream().map(MiniJson::object).toList();
        assertThat(events).as(m.stderr()).hasSize(3);
        assertThat(events.get(0)).containsEntry("event", "failed_kill").containsEntry("syscall", "kill")
                .containsEntry("signal", "SIGKILL").containsEntry("errno_name", "ESRCH").containsEntry("target_pid", dead)
                .containsEntry("target_comm", null).containsEntry("sender_pid", self).containsEntry("sender_tid", (long) tid)
                .containsEntry("sender_comm", selfComm).containsEntry("sender_uid", 0L);
        assertThat(events.get(1)).containsEntry("event", "signal_generate").containsEntry("signal", "SIGWINCH")
                .containsEntry("target_pid", victim.pid());
        assertThat(events.get(2)).containsEntry("event", "failed_kill").containsEntry("syscall", "kill")
                .containsEntry("signal", "SIGTERM").containsEntry("errno", 1L).containsEntry("errno_name", "EPERM")
                .containsEntry("target_pid", victim.pid()).containsEntry("target_comm", "sleep")
                .containsEntry("sender_pid", shell.pid()).containsEntry("sender_comm", "sh").containsEntry("sender_uid", 65534L);
        assertThat(m.stderr()).contains("--- 2 failed kill calls");
        assertThat(victim.isAlive()).isTrue();
    }

    @Test
    void withoutPrivilegesItSaysWhatIsMissing() throws Exception {
        KernelTests.require(); // root, to drop to nobody
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "setpriv (util-linux) is needed to drop privileges");
        // nobody cannot read the build's class path (it may sit in root's home directory): copy it somewhere it can
        Path cp = Files.createTempDirectory("tracepoint-nobody-");
        try {
            List<String> entries = new ArrayList<>();
            int i = 0;
            for (String entry : classPath().split(java.io.File.pathSeparator)) {
                Path target = cp.resolve("cp" + i++ + (entry.endsWith(".jar") ? ".jar" : ""));
                copyTree(Path.of(entry), target);
                entries.add(target.toString());
            }
            worldReadable(cp);
            List<String> cmd = new ArrayList<>(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"));
            cmd.addAll(javaCommand(String.join(java.io.File.pathSeparator, entries), "--duration", "1"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            processes.add(p);
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(output).isEqualTo(1);
            assertThat(output).startsWith("tracepoint signals: permission denied: tracefs is mounted at ")
                    .contains("uid=65534").contains("Run as root").contains("CAP_PERFMON");
        } finally {
            deleteTree(cp);
        }
    }

    @Test
    void withoutTracefsItSaysHowToMountIt() throws Exception {
        KernelTests.require();
        Path unshare = Path.of("/usr/bin/unshare");
        assumeTrue(Files.isExecutable(unshare), "unshare (util-linux) is needed for a private mount namespace");
        // a private mount namespace without tracefs (and debugfs, whose tracing/ automounts it): the host keeps its mounts
        String java = String.join(" ", javaCommand(classPath(), "--duration", "1").stream().map(a -> "'" + a + "'").toList());
        Path script = tmp.resolve("no-tracefs.sh");
        Files.writeString(script, """
                # the mount points of tracefs and debugfs (the field after the "-" separator is the fs type)
                for m in $(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "tracefs" || $(i+1) == "debugfs") print $5; break } }' \
                        /proc/self/mountinfo | sort -r); do
                    umount -l "$m" || exit 99
                done
                exec %s
                """.formatted(java));
        Process p = new ProcessBuilder(unshare.toString(), "--mount", "--propagation", "private", "sh", script.toString())
                .redirectErrorStream(true).start();
        processes.add(p);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        assumeTrue(status != 99 && !output.contains("unshare:"), "cannot make a private mount namespace here: " + output);
        assertThat(status).as(output).isEqualTo(1);
        assertThat(output).contains("tracefs is not mounted").contains("mount -t tracefs nodev /sys/kernel/tracing");
    }

    @Test
    void badOptionsAreUsageErrors() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(List.of("signals", "--signal", "KILL,FOO"), new PrintStream(out), new PrintStream(err));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--signal: unknown signal: FOO (use a name").contains("usage: tracepoint signals");

        err.reset();
        status = Launcher.run(List.of("signals", "--exclude", "SIGCHDL"), new PrintStream(out), new PrintStream(err));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--exclude: unknown signal: SIGCHDL; did you mean CHLD? (use a name");

        err.reset();
        status = Launcher.run(List.of("signals", "--failed-kill"), new PrintStream(out), new PrintStream(err));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --failed-kill; did you mean --failed-kills?");

        err.reset();
        status = Launcher.run(List.of("signals", "--target", "a\"b"), new PrintStream(out), new PrintStream(err));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--target: process name 'a\"b'");

        err.reset();
        status = Launcher.run(List.of("signals", "--target-pid", "abc"), new PrintStream(out), new PrintStream(err));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--target-pid needs process ids");

        out.reset();
        status = Launcher.run(List.of("help", "signals"), new PrintStream(out), new PrintStream(err));
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--summary N").contains("--exclude LIST").contains("--json");

        out.reset();
        Launcher.run(List.of("help"), new PrintStream(out), new PrintStream(err));
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("signals\\s+who sends which signal to whom");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (Files.isRegularFile(from)) {
            Files.copy(from, to);
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    private static void worldReadable(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
