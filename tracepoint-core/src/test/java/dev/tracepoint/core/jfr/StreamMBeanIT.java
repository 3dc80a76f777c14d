package dev.tracepoint.core.jfr;

import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.TracepointStreamMXBean;
import dev.tracepoint.core.internal.perf.TestCalls;
import dev.tracepoint.testing.KernelTests;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stream's MXBean, read through the platform MBean server and through a JMX connector on the loopback
 * address, while the stream counts the signals this test sends to its child.
 */
class StreamMBeanIT {

    static final String GENERATE = "signal:signal_generate";
    static final int SIGWINCH = 28;

    Tracefs tracefs;
    Process child;
    int childPid;

    @BeforeEach
    void startChild() throws Exception {
        tracefs = KernelTests.require();
        child = new ProcessBuilder("sleep", "120").start();
        childPid = (int) child.pid();
    }

    @AfterEach
    void stopChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void attributesCountTheStreamsEventsLocallyAndOverALoopbackConnectorAndTheBeanGoesAtClose() throws Exception {
        int n = 25;
        ObjectName name = new ObjectName("dev.tracepoint:type=TracepointStream,name=mbean-it");
        MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
        JMXConnectorServer server = Loopback.start();
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).name("mbean-it").jmx(true).ringPages(16).build()) {
            long[] seen = {0};
            stream.enable(GENERATE).filter("pid == " + childPid).onEvent(e -> seen[0]++);
            assertThat(mbs.isRegistered(name)).as("registered when the stream opens").isFalse();
            stream.startAsync();
            assertThat(stream.mbeanName()).contains(name);
            assertThat(mbs.isRegistered(name)).isTrue();
            for (int i = 0; i < n; i++) {
                TestCalls.kill(childPid, SIGWINCH);
            }
            JfrBridgeIT.await(() -> stream.eventCount() >= n, Duration.ofSeconds(10));

            TracepointStreamMXBean local = JMX.newMXBeanProxy(mbs, name, TracepointStreamMXBean.class);
            assertThat(local.getName()).isEqualTo("mbean-it");
            assertThat(local.getTracepoints()).containsExactly(GENERATE);
            assertThat(local.isOpen()).isTrue();
            assertThat(local.getEvents()).isEqualTo(n);
            assertThat(local.getLost()).isZero();
            assertThat(local.getLostPerCpu()).hasSizeGreaterThanOrEqualTo(stream.cpus().length).containsOnly(0L);
            assertThat(local.getCorrupt()).isZero();
            assertThat(local.getLate()).isZero();
            assertThat(local.getRings()).isEqualTo(stream.armedCpus().length).isPositive();
            assertThat(local.getRingBytes()).isEqualTo(16L * 4096 * stream.armedCpus().length);
            assertThat(local.getWakeups()).isPositive();
            assertThat(local.getConsumerCpuNanos()).isPositive();
            assertThat(local.getArmedCpus()).containsExactly(stream.armedCpus());

            try (JMXConnector c = JMXConnectorFactory.connect(server.getAddress())) {
                MBeanServerConnection remote = c.getMBeanServerConnection();
                assertThat(remote.queryNames(new ObjectName("dev.tracepoint:type=TracepointStream,*"), null)).contains(name);
                assertThat((Long) remote.getAttribute(name, "Events")).isEqualTo(n);
                assertThat((Long) remote.getAttribute(name, "Lost")).isZero();
                assertThat((Integer) remote.getAttribute(name, "Rings")).isEqualTo(stream.armedCpus().length);
                assertThat((String[]) remote.getAttribute(name, "Tracepoints")).containsExactly(GENERATE);
                TracepointStreamMXBean proxy = JMX.newMXBeanProxy(remote, name, TracepointStreamMXBean.class);
                assertThat(proxy.getEvents()).isEqualTo(n);
                assertThat(proxy.getLostPerCpu()).containsOnly(0L);
            }
            assertThat(seen[0]).isEqualTo(n);
        } finally {
            server.stop();
        }
        assertThat(mbs.isRegistered(name)).as("unregistered at close").isFalse();
    }

    @Test
    void aSecondOpenStreamOfTheSameNameFailsToOpenNamingIt() throws Exception {
        try (TracepointStream a = TracepointStream.builder().tracefs(tracefs).name("twice").jmx(true).ringPages(1).warmUp(false).build();
             TracepointStream b = TracepointStream.builder().tracefs(tracefs).name("twice").jmx(true).ringPages(1).warmUp(false).build()) {
            a.enable(GENERATE).filter("pid == " + childPid);
            b.enable(GENERATE).filter("pid == " + childPid);
            a.open();
            assertThatThrownBy(b::open).isInstanceOf(TracepointException.class)
                    .hasMessageContaining("dev.tracepoint:type=TracepointStream,name=twice");
            assertThat(b.isClosed()).isTrue();
            assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(a.mbeanName().orElseThrow())).isTrue();
        }
        assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("dev.tracepoint:name=twice,*"), null)).isEmpty();
        assertThat(List.of()).isEmpty();
    }
}
