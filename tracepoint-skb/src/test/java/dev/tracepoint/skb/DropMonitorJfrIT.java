package dev.tracepoint.skb;

import dev.tracepoint.testing.KernelTests;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The drop monitor's JFR event and MXBean: datagrams this JVM sends to a closed local port, recorded as
 * {@code tracepoint.skb.PacketDrop} events with reason NO_SOCKET and the function that dropped them.
 */
class DropMonitorJfrIT {

    static final int PID = (int) ProcessHandle.current().pid();

    @BeforeEach
    void gate() {
        KernelTests.require();
    }

    @Test
    void recordsNoSocketDropsWithReasonAndFunctionAndCountsThemInTheMxBean(@TempDir Path dir) throws Exception {
        int n = 20;
        Path file = dir.resolve("drops.jfr");
        ObjectName name = new ObjectName("dev.tracepoint:type=DropMonitor,name=drop-jfr-it");
        MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
        try (Recording recording = new Recording();
             DropMonitor monitor = DropMonitor.builder().reasons("NO_SOCKET").process(PID).jfr(true).jmx(true)
                     .name("drop-jfr-it").build()) {
            assumeTrue(monitor.reasons().recorded(), "kernel before 5.17: no drop reasons");
            recording.enable("tracepoint.skb.PacketDrop");
            recording.start();
            monitor.startAsync();
            Packets.noSocket(n);
            KernelTests.await(() -> monitor.dropCount() >= n, Duration.ofSeconds(10));
            DropMonitorMXBean bean = JMX.newMXBeanProxy(mbs, name, DropMonitorMXBean.class);
            assertThat(bean.getDrops()).isEqualTo(monitor.dropCount()).isGreaterThanOrEqualTo(n);
            assertThat(bean.getLost()).isZero();
            assertThat(bean.getKernelFilter()).contains("reason == ");
            recording.stop();
            recording.dump(file);
        }
        assertThat(mbs.isRegistered(name)).isFalse();
        List<RecordedEvent> drops = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("tracepoint.skb.PacketDrop")).toList();
        assertThat(drops).hasSizeGreaterThanOrEqualTo(n);
        for (RecordedEvent e : drops) {
            assertThat(e.getString("reasonName")).isEqualTo("NO_SOCKET");
            assertThat(e.getString("protocolName")).isEqualTo("IPv4");
            assertThat(e.getInt("currentPid")).isEqualTo(PID);
            assertThat(Packets.function(e.getString("function"))).isIn(Packets.NO_SOCKET_V4);
            assertThat(e.getLong("location")).isNotZero();
            assertThat(e.getBoolean("consumed")).isFalse();
        }
    }
}
