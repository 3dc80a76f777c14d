package dev.tracepoint.signal;

import dev.tracepoint.testing.KernelTests;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The signal monitor's JFR events and MXBean: signals this test sends to its child, recorded as
 * {@code tracepoint.signal.Signal} events (read back with {@link RecordingFile}, field for field against the
 * monitor's own records), and counted by the monitor's MXBean.
 */
class SignalMonitorJfrIT {

    Process child;
    int childPid;

    @BeforeEach
    void start() throws Exception {
        KernelTests.require();
        child = new ProcessBuilder("sleep", "60").start();
        childPid = (int) child.pid();
    }

    @AfterEach
    void stop() {
        child.destroyForcibly();
    }

    @Test
    void recordsEachSignalWithItsSenderAndCountsItInTheMxBean(@TempDir Path dir) throws Exception {
        int n = 6;
        List<SignalGenerateRecord> seen = new CopyOnWriteArrayList<>();
        Path file = dir.resolve("signals.jfr");
        ObjectName name = new ObjectName("dev.tracepoint:type=SignalMonitor,name=signal-jfr-it");
        MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
        try (Recording recording = new Recording();
             SignalMonitor monitor = SignalMonitor.builder().targetPids(childPid).jfr(true).jmx(true)
                     .name("signal-jfr-it").onSignal(seen::add).build()) {
            recording.enable("tracepoint.signal.Signal");
            recording.start();
            monitor.startAsync();
            assertThat(mbs.isRegistered(name)).isTrue();
            for (int i = 0; i < n; i++) {
                Libc.kill(childPid, i % 2 == 0 ? Signals.SIGWINCH : Signals.SIGURG);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (seen.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            SignalMonitorMXBean bean = JMX.newMXBeanProxy(mbs, name, SignalMonitorMXBean.class);
            assertThat(bean.getSignals()).isEqualTo(n);
            assertThat(bean.getLost()).isZero();
            assertThat(bean.getKernelFilter()).contains(Integer.toString(childPid));
            assertThat(bean.isOpen()).isTrue();
            recording.stop();
            recording.dump(file);
        }
        assertThat(mbs.isRegistered(name)).isFalse();
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("tracepoint.signal.Signal"))
                .sorted((a, b) -> Long.compare(a.getLong("kernelNanos"), b.getLong("kernelNanos"))).toList();
        assertThat(events).hasSize(n);
        assertThat(seen).hasSize(n);
        for (int i = 0; i < n; i++) {
            RecordedEvent e = events.get(i);
            SignalGenerateRecord r = seen.get(i);
            assertThat(e.getLong("kernelNanos")).isEqualTo(r.timeNanos());
            assertThat(e.getInt("sig")).isEqualTo(r.sig());
            assertThat(e.getString("signal")).isEqualTo(r.signalName()).isIn("SIGWINCH", "SIGURG");
            assertThat(e.getString("codeName")).isEqualTo(r.codeName()).isEqualTo("SI_USER");
            assertThat(e.getString("resultName")).isEqualTo(r.resultName());
            assertThat(e.getInt("senderPid")).isEqualTo(r.senderPid()).isEqualTo((int) ProcessHandle.current().pid());
            assertThat(e.getString("senderComm")).isEqualTo(r.senderComm());
            assertThat(e.getInt("targetPid")).isEqualTo(childPid);
            assertThat(e.getString("targetComm")).isEqualTo("sleep");
            assertThat(e.getEventType().getLabel()).isEqualTo("Signal");
            assertThat(e.getEventType().getField("senderComm").getDescription()).isNotBlank();
        }
    }
}
