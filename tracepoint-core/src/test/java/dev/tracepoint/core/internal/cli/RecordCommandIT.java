package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.internal.perf.TestCalls;
import dev.tracepoint.testing.KernelTests;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tracepoint record --jfr FILE EVENT...}: the recording it writes holds exactly the signals the test sent
 * to its child, and the JDK's own {@code jfr print} and {@code jfr summary} read it.
 */
class RecordCommandIT {

    Process victim;
    int victimPid;

    @BeforeEach
    void start() throws Exception {
        KernelTests.require();
        victim = new ProcessBuilder("sleep", "120").start();
        victimPid = (int) victim.pid();
    }

    @AfterEach
    void stop() {
        if (victim != null) {
            victim.destroyForcibly();
        }
    }

    static String jfrTool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jfr").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", cmd, out).isZero();
        return out;
    }

    @Test
    void writesARecordingOfTheSignalsSentThatJfrPrintAndSummaryRead(@TempDir Path tmp) throws Exception {
        Path ready = tmp.resolve("ready");
        Path file = tmp.resolve("signals.jfr");
        try (CliProcess c = CliProcess.start("record", "--jfr", file.toString(), "signal:signal_generate",
                "--filter", "signal:signal_generate=pid == " + victimPid, "--duration", "2", "--ready", ready.toString())) {
            c.awaitFile(ready, Duration.ofSeconds(30));
            TestCalls.kill(victimPid, 28);
            TestCalls.kill(victimPid, 23);
            TestCalls.kill(victimPid, 28);
            assertThat(c.waitFor(Duration.ofSeconds(30))).as(c.err()).isZero();
            assertThat(c.err()).contains("tracepoint record: 1 tracepoint on ")
                    .contains("events=3 lost=0 committed=3")
                    .contains("recording written to " + file);
        }
        List<RecordedEvent> signals = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("tracepoint.signal.signal_generate"))
                .sorted((a, b) -> Long.compare(a.getLong("kernelNanos"), b.getLong("kernelNanos"))).toList();
        assertThat(signals).extracting(e -> e.getInt("sig")).containsExactly(28, 23, 28);
        String me = Long.toString(ProcessHandle.current().pid());
        for (RecordedEvent e : signals) {
            assertThat(e.getInt("pid")).isEqualTo(victimPid);
            assertThat(e.getString("comm")).isEqualTo("sleep");
            assertThat(Integer.toString(e.getInt("currentPid"))).isEqualTo(me);
            assertThat(e.getInstant("kernelTime")).isBefore(e.getStartTime().plusNanos(1));
        }

        String print = jfrTool("print", "--events", "tracepoint.signal.signal_generate", file.toString());
        assertThat(print.split("tracepoint.signal.signal_generate \\{", -1)).hasSize(4);
        assertThat(print).contains("sig = 28", "sig = 23", "comm = \"sleep\"", "pid = " + victimPid, "kernelTime = ",
                "currentPid = " + me);
        String summary = jfrTool("summary", file.toString());
        assertThat(summary).containsPattern("tracepoint\\.signal\\.signal_generate\\s+3\\s")
                .contains("tracepoint.Statistics");
    }

    @Test
    void needsAFile() throws Exception {
        try (CliProcess c = CliProcess.run("record", "signal:signal_generate")) {
            assertThat(c.exitValue()).isEqualTo(2);
            assertThat(c.err()).contains("record needs --jfr FILE");
        }
    }
}
