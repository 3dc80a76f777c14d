package dev.tracepoint.core.jfr;

import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.internal.perf.TestCalls;
import dev.tracepoint.testing.KernelTests;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.remote.JMXConnectorServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet path: this JVM forwards kernel events into JFR and serves its platform MBean server on a loopback JMX
 * connector; a second JVM, started by the test, streams them live with {@code jdk.management.jfr.RemoteRecordingStream}
 * and prints each one it receives. The signals go to a child of this test, so only its events are counted.
 */
class RemoteRecordingIT {

    static final String GENERATE = "signal:signal_generate";
    static final int SIGWINCH = 28;

    /** The second JVM: a single-file program, run from source. */
    static final String REMOTE = """
            import javax.management.remote.JMXConnectorFactory;
            import javax.management.remote.JMXServiceURL;
            import jdk.management.jfr.RemoteRecordingStream;

            public class Remote {
                public static void main(String[] args) throws Exception {
                    int target = Integer.parseInt(args[1]);
                    int want = Integer.parseInt(args[2]);
                    var connector = JMXConnectorFactory.connect(new JMXServiceURL(args[0]));
                    int[] got = {0};
                    try (var rs = new RemoteRecordingStream(connector.getMBeanServerConnection())) {
                        rs.enable("tracepoint.signal.signal_generate");
                        rs.onEvent("tracepoint.signal.signal_generate", e -> {
                            if (e.getInt("pid") == target) {
                                System.out.println("EVENT sig=" + e.getInt("sig") + " pid=" + e.getInt("pid")
                                        + " comm=" + e.getString("comm") + " kernelNanos=" + e.getLong("kernelNanos")
                                        + " kernelTime=" + e.getInstant("kernelTime"));
                                if (++got[0] >= want) {
                                    rs.close();
                                }
                            }
                        });
                        rs.startAsync();
                        System.out.println("READY");
                        rs.awaitTermination();
                    }
                    connector.close();
                    System.out.println("DONE " + got[0]);
                }
            }
            """;

    Tracefs tracefs;
    Process child;
    int childPid;

    @BeforeEach
    void startChild() throws Exception {
        tracefs = KernelTests.require();
        child = new ProcessBuilder("sleep", "300").start();
        childPid = (int) child.pid();
    }

    @AfterEach
    void stopChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void aSecondJvmReceivesTheKernelEventsLiveOverALoopbackJmxConnector(@TempDir Path dir) throws Exception {
        int want = 3;
        Path source = Files.writeString(dir.resolve("Remote.java"), REMOTE);
        JMXConnectorServer server = Loopback.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Process remote = null;
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).name("remote-it").build()) {
            stream.enable(GENERATE).filter("pid == " + childPid);
            JfrBridge.forward(stream, GENERATE);
            stream.startAsync();
            remote = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.rmi.server.hostname=127.0.0.1", source.toString(),
                    server.getAddress().toString(), Integer.toString(childPid), Integer.toString(want))
                    .redirectErrorStream(true).start();
            Process r = remote;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(r.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = in.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            JfrBridgeIT.await(() -> lines.contains("READY") || !r.isAlive(), java.time.Duration.ofSeconds(60));
            assertThat(lines).as("the remote JVM started streaming; it printed %s", lines).contains("READY");
            // the remote recording may start a moment after READY: signal until it has what it waits for
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (r.isAlive() && System.nanoTime() < deadline) {
                TestCalls.kill(childPid, SIGWINCH);
                Thread.sleep(100);
            }
            assertThat(r.waitFor(10, TimeUnit.SECONDS)).as("the remote JVM ends once it received %d events; it printed %s", want, lines).isTrue();
            reader.join(5_000);
            assertThat(r.exitValue()).as("remote JVM output %s", lines).isZero();
        } finally {
            if (remote != null) {
                remote.destroyForcibly();
            }
            server.stop();
        }
        // it stops after the batch that brought the last it waited for: at least that many
        assertThat(lines).filteredOn(l -> l.startsWith("EVENT ")).hasSizeGreaterThanOrEqualTo(want)
                .allSatisfy(l -> assertThat(l).contains("sig=" + SIGWINCH, "pid=" + childPid, "comm=sleep"));
        assertThat(lines).anyMatch(l -> l.startsWith("DONE ") && Integer.parseInt(l.substring(5)) >= want);
    }
}
