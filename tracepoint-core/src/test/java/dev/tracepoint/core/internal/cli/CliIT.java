package dev.tracepoint.core.internal.cli;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.testing.MiniJson;
import dev.tracepoint.core.internal.perf.Cpus;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.TestCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher's core subcommands, each run as a separate process against the running kernel. */
class CliIT {

    static final Path CORPUS = Path.of(System.getProperty("tracepoint.corpus", "../testdata/corpus"));

    Process victim;
    int victimPid;

    @BeforeEach
    void setUp() throws Exception {
        KernelTests.require();
        victim = new ProcessBuilder("sleep", "120").start();
        victimPid = (int) victim.pid();
    }

    @AfterEach
    void tearDown() {
        victim.destroyForcibly();
    }

    @Test
    void listShowsTheKernelsTracepointsAndFiltersByGlob() throws Exception {
        try (CliProcess c = CliProcess.run("list", "signal:*")) {
            assertThat(c.exitValue()).isZero();
            assertThat(c.out().lines()).containsExactly("signal:signal_deliver", "signal:signal_generate");
        }
        try (CliProcess c = CliProcess.run("list")) {
            assertThat(c.out().lines().count()).isGreaterThan(1000);
            assertThat(c.out().lines()).contains("sched:sched_switch", "skb:kfree_skb");
        }
        // the README's own example: * crosses the colon
        try (CliProcess c = CliProcess.run("list", "*skb*")) {
            assertThat(c.exitValue()).as(c.err()).isZero();
            assertThat(c.out().lines()).contains("skb:kfree_skb", "skb:consume_skb").allMatch(l -> l.contains("skb"));
        }
        try (CliProcess c = CliProcess.run("list", "sched*")) {
            assertThat(c.exitValue()).isZero();
            assertThat(c.out().lines()).contains("sched:sched_switch").allMatch(l -> l.startsWith("sched"));
        }
        try (CliProcess all = CliProcess.run("list"); CliProcess star = CliProcess.run("list", "*")) {
            assertThat(star.exitValue()).isZero();
            assertThat(star.out()).isEqualTo(all.out());
        }
    }

    @Test
    void listSaysWhenNothingMatches() throws Exception {
        try (CliProcess c = CliProcess.run("list", "kfree_skb")) {
            assertThat(c.exitValue()).isEqualTo(1);
            assertThat(c.out()).isEmpty();
            assertThat(c.err().trim()).isEqualTo("tracepoint list: no tracepoint matches 'kfree_skb' "
                    + "(the glob matches whole system:event names: try '*kfree_skb*')");
        }
        try (CliProcess c = CliProcess.run("list", "nosuchsystem:*")) {
            assertThat(c.exitValue()).isEqualTo(1);
            assertThat(c.err().trim()).isEqualTo("tracepoint list: no tracepoint matches 'nosuchsystem:*'");
        }
        try (CliProcess c = CliProcess.run("list", "sig[nal:*")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).contains("tracepoint list: glob 'sig[nal:*' has a '[' without its ']'").contains("usage: tracepoint list");
        }
    }

    @Test
    void describeLiveEventAsTableAndJson() throws Exception {
        try (CliProcess c = CliProcess.run("describe", "signal:signal_generate")) {
            assertThat(c.exitValue()).isZero();
            assertThat(c.out()).contains("signal:signal_generate").containsPattern("comm\\s+char\\[16\\]\\s+20\\s+16");
        }
        try (CliProcess c = CliProcess.run("describe", "skb:kfree_skb", "--json")) {
            String json = c.out();
            assertThat(json).contains("\"name\":\"skb:kfree_skb\"")
                    .contains("{\"name\":\"reason\",\"type\":\"enum skb_drop_reason\",\"offset\":36,\"size\":4,\"signed\":false,\"kind\":\"scalar\"")
                    .contains("\"3\":\"NO_SOCKET\"");
        }
    }

    @Test
    void describeAFormatFileFromAnotherKernel() throws Exception {
        Path old = CORPUS.resolve("variants/2.6.31-x86_64/skb/kfree_skb/format");
        try (CliProcess c = CliProcess.run("describe", old.toString())) {
            assertThat(c.exitValue()).as(c.err()).isZero();
            assertThat(c.out()).contains("kfree_skb").contains("common_tgid").containsPattern("protocol\\s+unsigned short\\s+24");
        }
    }

    @Test
    void unknownTracepointIsOneClearLine() throws Exception {
        try (CliProcess c = CliProcess.run("describe", "signal:signal_generat")) {
            assertThat(c.exitValue()).isEqualTo(1);
            assertThat(c.err().trim()).startsWith("tracepoint describe: unknown tracepoint 'signal:signal_generat'")
                    .contains("closest: signal:signal_generate").doesNotContain("\tat ");
        }
    }

    @Test
    void formatsParsesTheCorpusAndReportsEveryBadFile() throws Exception {
        try (CliProcess c = CliProcess.run("formats", CORPUS.resolve("kernel-6.18").toString())) {
            List<String> lines = c.out().lines().toList();
            assertThat(lines.get(lines.size() - 1)).isEqualTo("parsed=2323 rejected=0");
        }
        try (CliProcess c = CliProcess.run("formats", CORPUS.resolve("bad").toString())) {
            List<String> lines = c.out().lines().toList();
            String last = lines.get(lines.size() - 1);
            Matcher m = Pattern.compile("parsed=(\\d+) rejected=(\\d+)").matcher(last);
            assertThat(m.matches()).as(last).isTrue();
            int rejected = Integer.parseInt(m.group(2));
            assertThat(rejected).isGreaterThan(10);
            // one FILE:LINE: PROBLEM line per rejected file
            assertThat(lines.subList(0, lines.size() - 1)).hasSize(rejected)
                    .allSatisfy(l -> assertThat(l).matches(".*\\.format:\\d+: .+"));
        }
        try (CliProcess c = CliProcess.run("formats")) { // the live tracefs
            List<String> lines = c.out().lines().toList();
            assertThat(lines.get(lines.size() - 1)).matches("parsed=\\d{4} rejected=0");
        }
    }

    @Test
    void streamJsonShowsExactlyTheSignalsTheTestSent(@TempDir Path tmp) throws Exception {
        Path ready = tmp.resolve("ready");
        try (CliProcess c = CliProcess.start("stream", "signal:signal_generate", "--json", "--count", "3",
                "--filter", "signal:signal_generate=pid == " + victimPid, "--ready", ready.toString())) {
            c.awaitFile(ready, Duration.ofSeconds(30));
            TestCalls.kill(victimPid, 28);
            TestCalls.kill(victimPid, 23);
            TestCalls.kill(victimPid, 28);
            assertThat(c.waitFor(Duration.ofSeconds(30))).as(c.err()).isZero();
            List<String> lines = c.out().lines().toList();
            assertThat(lines).hasSize(3);
            String me = Long.toString(ProcessHandle.current().pid());
            int tid = TestCalls.gettid();
            int[] sigs = {28, 23, 28};
            for (int i = 0; i < 3; i++) {
                assertThat(lines.get(i)).startsWith("{\"event\":\"signal:signal_generate\",\"cpu\":")
                        .contains("\"pid\":" + me + ",\"tid\":" + tid + ",\"comm\":\"" + threadComm(tid) + "\",")
                        .contains("\"fields\":{\"sig\":" + sigs[i] + ",\"errno\":0,\"code\":0,\"comm\":\"sleep\",\"pid\":" + victimPid + ",")
                        .contains("\"symbols\":{}");
            }
            assertThat(c.err()).contains("events=3 lost=0")
                    .contains("tracepoint stream: attached to 1 tracepoint on " + Cpus.online().length + " CPU");
        }
    }

    /**
     * The stream warms up by default and {@code --no-warm-up} turns that off: the stream logs its warm-up (at
     * DEBUG) before it is attached, or logs none. Either way the signals this test sends once the stream is
     * ready are all printed: warmed up or cold, it is armed when it says so.
     */
    @Test
    void noWarmUpOptionTurnsTheWarmUpOff(@TempDir Path tmp) throws Exception {
        String logging = dev.tracepoint.testing.Launcher.debugLogging(tmp);
        for (boolean warmUp : new boolean[] {true, false}) {
            Path ready = tmp.resolve("ready-" + warmUp);
            List<String> args = new java.util.ArrayList<>(List.of("stream", "signal:signal_generate", "--json", "--count", "2",
                    "--filter", "signal:signal_generate=pid == " + victimPid, "--ready", ready.toString()));
            if (!warmUp) {
                args.add("--no-warm-up");
            }
            try (CliProcess c = CliProcess.start(List.of(logging), args.toArray(new String[0]))) {
                c.awaitFile(ready, Duration.ofSeconds(30));
                TestCalls.kill(victimPid, 28);
                TestCalls.kill(victimPid, 23);
                assertThat(c.waitFor(Duration.ofSeconds(30))).as(c.err()).isZero();
                assertThat(c.out().lines()).hasSize(2).allSatisfy(l -> assertThat(l)
                        .contains("\"pid\":" + ProcessHandle.current().pid() + ",")
                        .contains("\"comm\":\"sleep\",\"pid\":" + victimPid + ","));
                assertThat(c.err()).contains("events=2 lost=0");
                if (warmUp) {
                    assertThat(c.err()).as("the default").contains(dev.tracepoint.testing.Launcher.WARM_UP_LOG);
                } else {
                    // the same logging shows the line by default: its absence here is the warm-up's
                    assertThat(c.err()).as("--no-warm-up").doesNotContain(dev.tracepoint.testing.Launcher.WARM_UP_LOG);
                }
            }
        }
    }

    /** @return the kernel's name of one of this process's threads */
    static String threadComm(int tid) throws java.io.IOException {
        return Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).trim();
    }

    @Test
    void streamOrderedPrintsInTimeOrderAndCountsWhatCameLate(@TempDir Path tmp) throws Exception {
        Path ready = tmp.resolve("ready");
        try (CliProcess c = CliProcess.start("stream", "signal:signal_generate", "--json", "--count", "3", "--ordered", "20",
                "--filter", "signal:signal_generate=pid == " + victimPid, "--ready", ready.toString())) {
            c.awaitFile(ready, Duration.ofSeconds(30));
            TestCalls.kill(victimPid, 28);
            TestCalls.kill(victimPid, 23);
            TestCalls.kill(victimPid, 28);
            assertThat(c.waitFor(Duration.ofSeconds(30))).as(c.err()).isZero();
            List<Long> times = c.out().lines()
                    .map(l -> Long.parseLong(l.replaceAll(".*\"time_ns\":(\\d+).*", "$1"))).toList();
            assertThat(times).hasSize(3).isSorted();
            assertThat(c.err()).contains("events=3 lost=0 late=0 early=0");
        }
        try (CliProcess c = CliProcess.run("stream", "signal:signal_generate", "--ordered", "0")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).contains("--ordered takes a lateness of 1 ms or more, got 0");
        }
    }

    @Test
    void streamTextLooksLikeTheKernelsPrintFmt(@TempDir Path tmp) throws Exception {
        Path ready = tmp.resolve("ready");
        try (CliProcess c = CliProcess.start("stream", "signal:signal_generate", "--count", "1",
                "--filter", "signal:signal_generate=pid == " + victimPid, "--ready", ready.toString())) {
            c.awaitFile(ready, Duration.ofSeconds(30));
            TestCalls.kill(victimPid, 28);
            c.waitFor(Duration.ofSeconds(30));
            int tid = TestCalls.gettid();
            assertThat(c.out().trim()).matches("\\d+\\.\\d{6} \\[\\d{3}] " + Pattern.quote(threadComm(tid)) + " "
                    + ProcessHandle.current().pid() + "/" + tid + " signal:signal_generate: "
                    + "sig=28 errno=0 code=0 comm=sleep pid=" + victimPid + " grp=1 res=1");
        }
    }

    @Test
    void countOnlyPrintsSamplesAndLostOnSigint(@TempDir Path tmp) throws Exception {
        Path ready = tmp.resolve("ready");
        try (CliProcess c = CliProcess.start("stream", "signal:signal_generate", "--count-only", "--pages", "64",
                "--filter", "signal:signal_generate=pid == " + victimPid, "--ready", ready.toString())) {
            c.awaitFile(ready, Duration.ofSeconds(30));
            for (int i = 0; i < 1000; i++) {
                TestCalls.kill(victimPid, 28);
            }
            Thread.sleep(300);
            TestCalls.kill((int) c.pid(), Libc.SIGINT);
            assertThat(c.waitFor(Duration.ofSeconds(30))).isEqualTo(130);
            assertThat(c.out().trim()).isEqualTo("samples=1000 lost=0");
            // every event decoded: the first payload field of signal_generate is sig, 28 each time
            assertThat(c.err()).contains("field_sum=28000 ");
        }
    }

    /**
     * --flight with one page per CPU: 100 signals in a random order of two numbers (this thread pinned to one
     * CPU, so that they all go to one ring), then SIGUSR2: the snapshot prints exactly the newest 46 (4096 /
     * 88 bytes) in the order they were sent, and counts the torn 47th; 5 more signals, then SIGTERM: a last
     * snapshot prints exactly those 5, and the process exits with the totals.
     */
    @Test
    void flightPrintsTheNewestSignalsOnSigusr2AndALastSnapshotOnExit(@TempDir Path tmp) throws Exception {
        Path ready = tmp.resolve("ready");
        int[] online = dev.tracepoint.core.internal.perf.Cpus.online();
        long[] affinity = TestCalls.pinTo(online[online.length - 1]);
        try (CliProcess c = CliProcess.start("stream", "signal:signal_generate", "--flight", "--pages", "1",
                "--filter", "signal:signal_generate=pid == " + victimPid, "--ready", ready.toString())) {
            c.awaitFile(ready, Duration.ofSeconds(30));
            java.util.Random random = new java.util.Random(7);
            List<Integer> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int sig = random.nextBoolean() ? 28 : 23;
                TestCalls.kill(victimPid, sig);
                sent.add(sig);
            }
            TestCalls.kill((int) c.pid(), 12); // SIGUSR2
            assertThat(awaitText(c, "snapshot 1: ")).as(c.err()).isTrue();
            assertThat(sigs(c.out())).isEqualTo(sent.subList(100 - 46, 100));
            assertThat(c.err()).containsPattern("snapshot 1: events=46 records=46 torn=1 overwritten_bytes="
                    + (100 * 88 - 4096) + " lost=0 paused_us=\\d+ per_cpu=");
            for (int i = 0; i < 5; i++) {
                TestCalls.kill(victimPid, 28);
                sent.add(28);
            }
            TestCalls.kill((int) c.pid(), Libc.SIGTERM);
            assertThat(c.waitFor(Duration.ofSeconds(30))).isEqualTo(143);
            assertThat(sigs(c.out())).isEqualTo(sent.subList(100 - 46, 105));
            assertThat(c.err()).contains("snapshot 2: events=5 records=5 torn=0 overwritten_bytes=0 lost=0")
                    .contains("events=51 lost=0");
            assertThat(c.out().lines()).allSatisfy(l -> assertThat(l).matches("\\d+\\.\\d{6} \\[\\d{3}] .+ \\d+/\\d+ "
                    + "signal:signal_generate: sig=\\d+ errno=0 code=0 comm=sleep pid=" + victimPid + " .*"));
        } finally {
            TestCalls.setAffinity(affinity);
        }
    }

    /** @return the sig= values of stream's text lines, in order */
    private static List<Integer> sigs(String out) {
        List<Integer> sigs = new java.util.ArrayList<>();
        Matcher m = Pattern.compile(" sig=(\\d+) ").matcher(out);
        while (m.find()) {
            sigs.add(Integer.parseInt(m.group(1)));
        }
        return sigs;
    }

    private static boolean awaitText(CliProcess c, String text) throws Exception {
        return dev.tracepoint.testing.KernelTests.await(() -> {
            try {
                return c.err().contains(text);
            } catch (java.io.IOException e) {
                return false;
            }
        }, Duration.ofSeconds(30));
    }

    @Test
    void streamRunsACommandAndSeesItsEventsFromItsFirstOnAndExitsWithItsStatus(@TempDir Path tmp) throws Exception {
        Path go = tmp.resolve("go");
        Path ready = tmp.resolve("ready");
        // the command signals itself at once (no event before the first may be missed), then its child signals it
        // (inherited), then it waits for this test, signals itself again and exits with status 3
        String script = "trap : USR1; kill -USR1 $$; sh -c 'kill -USR1 $PPID'; echo \"cmd=$$\"; "
                + "while [ ! -e " + go + " ]; do sleep 0.02; done; kill -USR1 $$; exit 3";
        try (CliProcess c = CliProcess.start("stream", "signal:signal_generate", "--json", "--ready", ready.toString(),
                "--filter", "signal:signal_generate=sig == 10 || sig == 28", "--", "/bin/sh", "-c", script)) {
            c.awaitFile(ready, Duration.ofSeconds(30));
            KernelTests.await(() -> {
                try {
                    return c.out().contains("cmd=");
                } catch (java.io.IOException e) {
                    return false;
                }
            }, Duration.ofSeconds(10));
            TestCalls.kill(victimPid, 28); // from this JVM: not the command's
            Files.writeString(go, "go");
            assertThat(c.waitFor(Duration.ofSeconds(30))).as(c.err()).isEqualTo(3);
            List<String> lines = c.out().lines().toList();
            String cmd = lines.stream().filter(l -> l.startsWith("cmd=")).findFirst().orElseThrow().substring(4);
            List<String> events = lines.stream().filter(l -> l.startsWith("{")).toList();
            assertThat(events).hasSize(3).allSatisfy(l -> assertThat(l)
                    .contains("\"fields\":{\"sig\":10,\"errno\":0,\"code\":0,\"comm\":\"sh\",\"pid\":" + cmd + ","));
            // two sent by the command itself, one by its child (the CPUs' rings are read one after the other)
            List<String> senders = events.stream().map(l -> l.replaceAll("^\\{\"event\":\"[^\"]+\",\"cpu\":\\d+,\"pid\":(\\d+),\"tid\":(\\d+),.*", "$1/$2")).toList();
            assertThat(senders).filteredOn((cmd + "/" + cmd)::equals).hasSize(2);
            assertThat(senders).filteredOn(x -> !x.startsWith(cmd + "/")).hasSize(1).allMatch(x -> x.matches("\\d+/\\d+"));
            assertThat(c.err()).contains("events=3 lost=0").contains("command /bin/sh exited with status 3");
        }
        try (CliProcess c = CliProcess.run("stream", "signal:signal_generate", "--pid", "1", "--", "true")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).contains("-- CMD scopes the stream to the command: it takes no --pid or --cgroup");
        }
    }

    @Test
    void streamScopedToAPidSeesOnlyThatProcess(@TempDir Path tmp) throws Exception {
        // a shell that signals itself every 20 ms, and this JVM signalling the victim meanwhile
        Process shell = new ProcessBuilder("sh", "-c", "trap : USR1; while :; do kill -USR1 $$; sleep 0.02; done").start();
        try {
            Path ready = tmp.resolve("ready");
            try (CliProcess c = CliProcess.start("stream", "signal:signal_generate", "--json", "--count", "5",
                    "--pid", Long.toString(shell.pid()), "--ready", ready.toString(),
                    "--filter", "signal:signal_generate=sig == 10 || sig == 28")) {
                c.awaitFile(ready, Duration.ofSeconds(30));
                TestCalls.kill(victimPid, 28);
                assertThat(c.waitFor(Duration.ofSeconds(30))).as(c.err()).isZero();
                List<String> lines = c.out().lines().toList();
                // --count stops the stream at the fifth; what the same pass held still prints
                assertThat(lines).hasSizeGreaterThanOrEqualTo(5).allSatisfy(l -> assertThat(l)
                        .contains("\"pid\":" + shell.pid() + ",\"tid\":" + shell.pid() + ",")
                        .contains("\"fields\":{\"sig\":10,"));
            }
        } finally {
            shell.destroyForcibly().waitFor();
        }
        try (CliProcess c = CliProcess.run("stream", "signal:signal_generate", "--pid", Long.toString(shell.pid()))) {
            assertThat(c.exitValue()).isEqualTo(1);
            assertThat(c.err()).contains("tracepoint stream: no process with pid " + shell.pid());
        }
        try (CliProcess c = CliProcess.run("stream", "signal:signal_generate", "--cgroup", tmp.toString())) {
            assertThat(c.exitValue()).isEqualTo(1);
            assertThat(c.err()).contains("tracepoint stream: " + tmp + " is not a cgroup directory");
        }
    }

    @Test
    void badArgumentsPrintUsage() throws Exception {
        try (CliProcess c = CliProcess.run("stream", "signal:signal_generate", "--pages", "3")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).contains("--pages must be a power of two").contains("usage: tracepoint stream");
        }
        try (CliProcess c = CliProcess.run("stream", "signal:signal_generate", "--flight", "--count", "3")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).contains("--flight prints what each snapshot holds; it does not take --count");
        }
        try (CliProcess c = CliProcess.run("help", "stream")) {
            assertThat(c.out()).contains("--flight", "SIGUSR2");
        }
        try (CliProcess c = CliProcess.run("nosuchcommand")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).contains("unknown command 'nosuchcommand'").contains("stream");
        }
        try (CliProcess c = CliProcess.run("strem", "signal:signal_generate")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).startsWith("tracepoint: unknown command 'strem'; did you mean stream?\n");
        }
        try (CliProcess c = CliProcess.run("stream", "signal:signal_generate", "--jsn")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).startsWith("tracepoint stream: unknown option --jsn; did you mean --json?\n")
                    .contains("usage: tracepoint stream");
        }
        try (CliProcess c = CliProcess.run("stream", "signal:signal_generate", "--interval", "1")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).contains("--interval goes with --summary");
        }
        try (CliProcess c = CliProcess.run("stream", "signal:signal_generate", "--summary", "--count", "3")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).contains("--summary counts until stopped (--duration, Ctrl-C); it does not take --count");
        }
    }

    @Test
    void helpForAnUnknownCommandIsAUsageError() throws Exception {
        try (CliProcess c = CliProcess.run("help", "bogus")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.out()).isEmpty();
            assertThat(c.err()).startsWith("tracepoint help: unknown command 'bogus'\n")
                    .containsPattern("(?m)^  list\\s").containsPattern("(?m)^  stream\\s");
        }
        try (CliProcess c = CliProcess.run("help", "strem")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).startsWith("tracepoint help: unknown command 'strem'; did you mean stream?\n");
        }
    }

    /**
     * --summary over two tracepoints the test's kills cause: signal_generate for the victim, and the kill
     * system call's entry with the victim as its pid argument. Periods every 0.3 s and the total, as JSON.
     */
    @Test
    void summaryCountsPerTracepointAndProcess(@TempDir Path tmp) throws Exception {
        Path ready = tmp.resolve("ready");
        try (CliProcess c = CliProcess.start("stream", "signal:signal_generate", "syscalls:sys_enter_kill", "--summary", "--json",
                "--interval", "0.3", "--filter", "signal:signal_generate=pid == " + victimPid,
                "--filter", "syscalls:sys_enter_kill=pid == " + victimPid, "--ready", ready.toString())) {
            c.awaitFile(ready, Duration.ofSeconds(30));
            for (int i = 0; i < 5; i++) {
                TestCalls.kill(victimPid, 28);
            }
            Thread.sleep(800); // drained within 100 ms, and at least one period printed
            TestCalls.kill((int) c.pid(), Libc.SIGINT);
            assertThat(c.waitFor(Duration.ofSeconds(30))).isEqualTo(130);
            List<java.util.Map<String, Object>> tables = c.out().lines().map(MiniJson::object).toList();
            assertThat(tables).as(c.err()).hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(t -> assertThat(t).containsEntry("event", "summary"));
            java.util.Map<String, Object> total = tables.get(tables.size() - 1);
            assertThat(total).containsEntry("final", true).containsEntry("events", 10L).containsEntry("lost", 0L);
            assertThat(tables.subList(0, tables.size() - 1)).allSatisfy(t -> assertThat(t).containsEntry("final", false))
                    .extracting(t -> (Long) t.get("events")).as("the periods add up to the total")
                    .satisfies(e -> assertThat(e.stream().mapToLong(Long::longValue).sum()).isEqualTo(10));
            assertThat(total.get("tracepoints")).isEqualTo(List.of(
                    java.util.Map.of("tracepoint", "signal:signal_generate", "count", 5L),
                    java.util.Map.of("tracepoint", "syscalls:sys_enter_kill", "count", 5L)));
            long me = ProcessHandle.current().pid();
            String comm = threadComm((int) me);
            assertThat(total.get("processes")).isEqualTo(List.of(
                    java.util.Map.of("tracepoint", "signal:signal_generate", "pid", me, "comm", comm, "count", 5L),
                    java.util.Map.of("tracepoint", "syscalls:sys_enter_kill", "pid", me, "comm", comm, "count", 5L)));
            assertThat(c.err()).contains("attached to 2 tracepoints").contains("events=10 lost=0");
        }
    }

    /** The text tables: every tracepoint with its count and rate, then the process rows, top first. */
    @Test
    void summaryTextTables(@TempDir Path tmp) throws Exception {
        Path ready = tmp.resolve("ready");
        try (CliProcess c = CliProcess.start("stream", "signal:signal_generate", "signal:signal_deliver", "--summary",
                "--filter", "signal:signal_generate=pid == " + victimPid,
                "--filter", "signal:signal_deliver=sig == 28 && code == 12345", // no such delivery: a zero row
                "--ready", ready.toString())) {
            c.awaitFile(ready, Duration.ofSeconds(30));
            for (int i = 0; i < 3; i++) {
                TestCalls.kill(victimPid, 28);
            }
            Thread.sleep(300);
            TestCalls.kill((int) c.pid(), Libc.SIGTERM);
            assertThat(c.waitFor(Duration.ofSeconds(30))).isEqualTo(143);
            List<String> lines = c.out().lines().toList();
            String comm = threadComm((int) ProcessHandle.current().pid());
            assertThat(lines).as(c.err()).hasSize(6);
            assertThat(lines.get(0)).matches("--- total over \\d+\\.\\d s: 3 events, lost 0");
            assertThat(lines.get(1)).matches("\\s+COUNT\\s+RATE/s\\s+TRACEPOINT");
            assertThat(lines.get(2)).matches("\\s+3\\s+\\d+\\.\\d\\s+signal:signal_generate");
            assertThat(lines.get(3)).matches("\\s+0\\s+0\\.0\\s+signal:signal_deliver");
            assertThat(lines.get(4)).matches("\\s+COUNT\\s+TRACEPOINT\\s+PROCESS");
            assertThat(lines.get(5)).matches("\\s+3\\s+signal:signal_generate\\s+" + Pattern.quote(comm)
                    + "\\(" + ProcessHandle.current().pid() + "\\)");
        }
    }

    @Test
    void helpListsEveryCommand() throws Exception {
        try (CliProcess c = CliProcess.run("help")) {
            assertThat(c.exitValue()).isZero();
            assertThat(c.out()).contains("list", "describe", "formats", "stream");
        }
        assertThat(Files.exists(CORPUS)).isTrue();
    }
}
