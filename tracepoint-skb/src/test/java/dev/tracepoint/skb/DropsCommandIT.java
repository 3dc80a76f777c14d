package dev.tracepoint.skb;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.testing.MiniJson;
import dev.tracepoint.core.KernelSymbols;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.testing.Launcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code tracepoint drops} run as a separate process, the way users run it (the launcher's {@code Main} on the
 * module classes), checked against the drops this test causes.
 */
class DropsCommandIT {

    static final int PID = (int) ProcessHandle.current().pid();
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @BeforeEach
    void gate() {
        KernelTests.require();
    }

    /** A running {@code drops} process with its output collected line by line. */
    static final class Monitor implements AutoCloseable {
        final Process process;
        final List<String> out = new CopyOnWriteArrayList<>();
        final StringBuffer err = new StringBuffer();

        Monitor(List<String> prefix, List<String> args) throws IOException {
            this(prefix, List.of(), args);
        }

        Monitor(List<String> prefix, List<String> jvmOptions, List<String> args) throws IOException {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Launcher.MAIN);
            cmd.add("drops");
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).start();
            pump(process.getInputStream(), out::add);
            pump(process.getErrorStream(), l -> err.append(l).append('\n'));
        }

        private static void pump(InputStream in, java.util.function.Consumer<String> sink) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        sink.accept(l);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "drops-output");
            t.setDaemon(true);
            t.start();
        }

        void awaitReady(Path ready) throws InterruptedException {
            boolean ok = KernelTests.await(() -> Files.exists(ready) || !process.isAlive(), WAIT);
            assertThat(Files.exists(ready)).as("monitor ready; exit=%s stderr=%s", process.isAlive() ? "running" : process.exitValue(), err).isTrue();
            assertThat(ok).isTrue();
        }

        int awaitExit() throws InterruptedException {
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("monitor exits; stderr=%s", err).isTrue();
            Thread.sleep(100); // let the pumps read the last lines
            return process.exitValue();
        }

        void interrupt() throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
            assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void jsonStreamHoldsEveryDropThisTestCaused() throws Exception {
        Path ready = dir.resolve("ready");
        InetAddress v6 = Packets.v6();
        try (Monitor m = new Monitor(List.of(), List.of("--json", "--duration", "30", "--reason", "NO_SOCKET,socket_rcvbuff",
                "--protocol", "IPv4", "--ready", ready.toString()))) {
            m.awaitReady(ready);
            int noSocket = 100;
            Packets.noSocket(noSocket);
            int rcvbuff = Packets.fullReceiveBuffer(100);
            if (v6 != null) {
                Packets.send(new InetSocketAddress(v6, Packets.closedPort(v6)), 20, 32); // filtered out: IPv6
            }
            boolean all = KernelTests.await(() -> count(m.out, "NO_SOCKET") >= noSocket && count(m.out, "SOCKET_RCVBUFF") >= rcvbuff, WAIT);
            m.interrupt(); // Ctrl-C: a clean exit with the summary
            int exit = m.awaitExit();
            assertThat(all).as("drops seen: NO_SOCKET %s of %s, SOCKET_RCVBUFF %s of %s; stderr=%s",
                    count(m.out, "NO_SOCKET"), noSocket, count(m.out, "SOCKET_RCVBUFF"), rcvbuff, m.err).isTrue();
            assertThat(exit).as("exit status after SIGINT").isEqualTo(130);
            assertThat(m.err.toString()).containsPattern("drops=\\d+ consumed=0 lost=\\d+");

            DropReasons reasons = DropReasons.of(Tracefs.locate().format(KfreeSkb.TRACEPOINT));
            KernelSymbols symbols = KernelSymbols.system();
            List<Map<String, Object>> objects = new ArrayList<>();
            for (String line : m.out) {
                objects.add(MiniJson.object(line));
            }
            assertThat(objects).isNotEmpty();
            for (Map<String, Object> o : objects) {
                assertThat(o).containsKeys("event", "reason", "reason_name", "location", "symbol", "protocol",
                        "protocol_name", "skbaddr", "pid", "tid", "cpu", "time_ns");
                assertThat(o.get("event")).isEqualTo("skb:kfree_skb");
                // the kernel filter passed only the selected reasons and protocol, of any process
                assertThat(o.get("reason_name")).isIn("NO_SOCKET", "SOCKET_RCVBUFF");
                assertThat(o.get("reason")).isEqualTo(reasons.valueOf((String) o.get("reason_name")));
                assertThat(o.get("protocol")).isEqualTo(0x800L);
                assertThat(o.get("protocol_name")).isEqualTo("IPv4");
                long location = Long.parseUnsignedLong(((String) o.get("location")).substring(2), 16);
                assertThat(o.get("symbol")).isEqualTo(symbols.symbolize(location));
                assertThat((Long) o.get("time_ns")).isPositive();
            }
            List<Map<String, Object>> mine = objects.stream().filter(o -> ((Long) o.get("pid")) == PID).toList();
            assertThat(mine.stream().filter(o -> o.get("reason_name").equals("NO_SOCKET")))
                    .hasSizeGreaterThanOrEqualTo(noSocket)
                    .allSatisfy(o -> assertThat(Packets.function((String) o.get("symbol"))).isIn(Packets.NO_SOCKET_V4));
            assertThat(mine.stream().filter(o -> o.get("reason_name").equals("SOCKET_RCVBUFF")))
                    .hasSizeGreaterThanOrEqualTo(rcvbuff)
                    .allSatisfy(o -> assertThat(Packets.function((String) o.get("symbol"))).isIn(Packets.RCVBUFF));
        }
    }

    /**
     * The warm-up is on by default, and {@code --no-warm-up} turns it off: the stream logs it (at DEBUG)
     * before it is attached, or logs none. Either way the drops this test causes once the monitor is ready are
     * printed.
     */
    @Test
    void noWarmUpOptionTurnsTheWarmUpOff() throws Exception {
        String logging = Launcher.debugLogging(dir);
        for (boolean warmUp : new boolean[] {true, false}) {
            Path ready = dir.resolve("ready-" + warmUp);
            List<String> args = new ArrayList<>(List.of("--json", "--duration", "30", "--reason", "NO_SOCKET",
                    "--protocol", "IPv4", "--ready", ready.toString()));
            if (!warmUp) {
                args.add("--no-warm-up");
            }
            try (Monitor m = new Monitor(List.of(), List.of(logging), args)) {
                m.awaitReady(ready);
                int n = 20;
                Packets.noSocket(n);
                boolean all = KernelTests.await(() -> count(m.out, "NO_SOCKET") >= n, WAIT);
                m.interrupt();
                m.awaitExit();
                assertThat(all).as("NO_SOCKET drops of this JVM seen: %s of %s; stderr=%s", count(m.out, "NO_SOCKET"), n,
                        m.err).isTrue();
                if (warmUp) {
                    assertThat(m.err.toString()).as("the default").contains(Launcher.WARM_UP_LOG);
                } else {
                    // the same logging shows the line by default: its absence here is the warm-up's
                    assertThat(m.err.toString()).as("--no-warm-up").doesNotContain(Launcher.WARM_UP_LOG);
                }
            }
        }
    }

    private static long count(List<String> lines, String reason) {
        String needle = "\"reason_name\":\"" + reason + "\"";
        String pid = "\"pid\":" + PID + ",";
        return lines.stream().filter(l -> l.contains(needle) && l.contains(pid)).count();
    }

    @Test
    void aPidScopeSeesOnlyTheDropsThatProcessCaused() throws Exception {
        Path ready = dir.resolve("ready");
        int port = Packets.closedPort(Packets.V4);
        // another process drops packets the same way, to the same port, at the same time
        Process other = new ProcessBuilder("bash", "-c", "read go; for i in $(seq 100); do echo x > /dev/udp/127.0.0.1/"
                + port + "; done").start();
        try (Monitor m = new Monitor(List.of(), List.of("--json", "--duration", "30", "--reason", "NO_SOCKET",
                "--pid", Integer.toString(PID), "--ready", ready.toString()))) {
            m.awaitReady(ready);
            other.getOutputStream().write("go\n".getBytes(StandardCharsets.US_ASCII));
            other.getOutputStream().flush();
            Packets.send(new java.net.InetSocketAddress(Packets.V4, port), 100, 32);
            assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
            KernelTests.await(() -> m.out.size() >= 50, WAIT);
            Thread.sleep(300);
            m.interrupt();
            m.awaitExit();
            // a drop belongs to the task it happened in: this JVM's sends (their softirq runs in the sender),
            // never the other process's
            assertThat(m.out).as(m.err.toString()).hasSizeBetween(50, 100)
                    .allSatisfy(l -> assertThat(MiniJson.object(l)).containsEntry("pid", (long) PID)
                            .containsEntry("reason_name", "NO_SOCKET"));
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void tablesCountDropsPerReasonAndLocation() throws Exception {
        Path ready = dir.resolve("ready");
        int n = 150;
        try (Monitor m = new Monitor(List.of(), List.of("--interval", "0.5", "--duration", "3", "--top", "50",
                "--ready", ready.toString()))) {
            m.awaitReady(ready);
            Packets.noSocket(n);
            int exit = m.awaitExit();
            assertThat(exit).as("exit after --duration; stderr=%s", m.err).isZero();
            assertThat(m.err.toString()).containsPattern("drops=\\d+ consumed=0 lost=\\d+");
            // periodic tables, then the total of the run
            assertThat(m.out).anySatisfy(l -> assertThat(l).matches("\\d\\d:\\d\\d:\\d\\d  \\d+ drops? in \\d+\\.\\d s, lost \\d+"));
            int total = m.out.indexOf(m.out.stream().filter(l -> l.startsWith("total  ")).findFirst().orElseThrow(
                    () -> new AssertionError("no total table in " + m.out)));
            Pattern row = Pattern.compile("\\s+(\\d+)\\s+NO_SOCKET\\s+(\\S+)");
            long noSocket = 0;
            for (String l : m.out.subList(total + 1, m.out.size())) {
                Matcher r = row.matcher(l);
                if (r.matches() && Packets.NO_SOCKET_V4.contains(Packets.function(r.group(2)))) {
                    noSocket += Long.parseLong(r.group(1));
                }
            }
            assertThat(noSocket).as("NO_SOCKET drops in the total table: %s", m.out).isGreaterThanOrEqualTo(n);
        }
    }

    @Test
    void withoutPrivilegesTheErrorSaysWhatIsMissing() throws Exception {
        // root without capabilities: tracefs stays readable (DAC), perf_event_open is refused
        boolean setpriv = new File("/usr/bin/setpriv").canExecute() || new File("/bin/setpriv").canExecute();
        assumeTrue(setpriv, "setpriv (util-linux) is not installed");
        assumeTrue(!"-1".equals(Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).trim()),
                "perf_event_paranoid=-1 lets anyone open tracepoints");
        try (Monitor m = new Monitor(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all"),
                List.of("--duration", "1"))) {
            int exit = m.awaitExit();
            assertThat(exit).as("stderr=%s", m.err).isEqualTo(1);
            assertThat(m.err.toString()).contains("tracepoint drops: ").contains("EACCES")
                    .contains("CAP_PERFMON").contains("perf_event_paranoid");
            assertThat(m.err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void reasonsComeFromTheRunningKernel() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(List.of("drops", "--list-reasons"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString()).isZero();
        DropReasons reasons = DropReasons.of(Tracefs.locate().format(KfreeSkb.TRACEPOINT));
        assertThat(out.toString(StandardCharsets.UTF_8))
                .containsPattern("(?m)^\\s*" + reasons.valueOf("NO_SOCKET") + "  NO_SOCKET$")
                .containsPattern("(?m)^\\s*" + reasons.valueOf("SOCKET_RCVBUFF") + "  SOCKET_RCVBUFF$");

        out.reset();
        status = Launcher.run(List.of("drops", "--reason", "NO_SOKET"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("tracepoint drops: unknown drop reason NO_SOKET; "
                + "did you mean NO_SOCKET? (this kernel names " + reasons.names().size() + " reasons")
                .contains("usage: tracepoint drops");
    }
}
