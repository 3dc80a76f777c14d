package dev.tracepoint.core.hardening;

import dev.tracepoint.core.CpuListener;
import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real CPU hotplug during a stream: CPU 1 is taken offline and brought back while senders pinned to each CPU
 * signal a child of this test. The kernel detaches a per-CPU perf event for good when its CPU goes offline;
 * the stream must notice, re-arm the CPU when it returns, and miss nothing that was sent while it was armed.
 * Only signals to the test's own child are counted. CPU 1 is brought back online in every case.
 */
class CpuHotplugIT {

    private static final Path CPU1_ONLINE = Path.of("/sys/devices/system/cpu/cpu1/online");
    private static final String GENERATE = "signal:signal_generate";
    private static final int SIGURG = 23;
    private static final int SIGWINCH = 28;
    private static final int SIGCHLD = 17;
    private static final int SIGCONT = 18;

    Tracefs tracefs;
    Process child;
    int childPid;

    /** One signal_generate aimed at the child: the signal and the CPU the sender ran on. */
    record Seen(int sig, int cpu) {
    }

    @BeforeEach
    void setUp() throws Exception {
        tracefs = KernelTests.require();
        boolean hotpluggable = Files.isWritable(CPU1_ONLINE) && Runtime.getRuntime().availableProcessors() >= 2;
        if (KernelTests.ci()) {
            assertThat(hotpluggable).as("CI machines have a hotpluggable CPU 1: " + CPU1_ONLINE).isTrue();
        } else {
            assumeTrue(hotpluggable, "no hotpluggable CPU 1 here");
        }
        setCpu1Online(true);
        child = new ProcessBuilder("sleep", "120").start();
        childPid = (int) child.pid();
    }

    @AfterEach
    void tearDown() throws Exception {
        setCpu1Online(true);
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void aCpuThatGoesOfflineAndComesBackIsReArmedAndNothingSentWhileArmedIsMissed() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        List<String> changes = new CopyOnWriteArrayList<>();
        long[] unobserved = {-1};
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).maxLatency(Duration.ofMillis(20))
                .jmx(true).name("hotplug-it-" + ProcessHandle.current().pid()).build()) {
            Subscription s = stream.enable(GENERATE).filter("pid == " + childPid);
            Field sig = s.format().requireField("sig");
            s.onEvent(e -> seen.add(new Seen(e.getInt(sig), e.cpu())));
            stream.onCpu(new CpuListener() {
                @Override
                public void onCpuOffline(int cpu) {
                    changes.add("offline " + cpu);
                }

                @Override
                public void onCpuArmed(int cpu, long unobservedNanos) {
                    changes.add("armed " + cpu);
                    unobserved[0] = unobservedNanos;
                }
            });
            stream.startAsync();
            assertThat(stream.armedCpus()).contains(0, 1);

            send(1, SIGURG, 5);
            send(0, SIGWINCH, 5);
            awaitCount(seen, 10);

            setCpu1Online(false);
            assertThat(KernelTests.await(() -> !contains(stream.armedCpus(), 1), Duration.ofSeconds(10)))
                    .as("the stream notices CPU 1 went offline").isTrue();
            send(0, SIGCHLD, 5);
            awaitCount(seen, 15);

            setCpu1Online(true);
            assertThat(KernelTests.await(() -> contains(stream.armedCpus(), 1), Duration.ofSeconds(10)))
                    .as("the stream re-arms CPU 1 once it is back").isTrue();
            send(1, SIGCONT, 5);
            send(0, SIGURG, 5);
            awaitCount(seen, 25);
            Thread.sleep(200); // anything extra would show up now

            assertThat(seen).hasSize(25);
            assertThat(seen.subList(0, 10)).containsExactlyInAnyOrderElementsOf(expected(SIGURG, 1, 5, SIGWINCH, 0, 5));
            assertThat(seen.subList(10, 15)).containsOnly(new Seen(SIGCHLD, 0));
            assertThat(seen.subList(15, 25)).containsExactlyInAnyOrderElementsOf(expected(SIGCONT, 1, 5, SIGURG, 0, 5));
            assertThat(changes).containsExactly("offline 1", "armed 1");
            assertThat(unobserved[0]).isPositive();
            assertThat(stream.lostCount()).isZero();
            // the hotplug gap, as the stream's MXBean shows it
            javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName name = stream.mbeanName().orElseThrow();
            assertThat(server.getAttribute(name, "CpuOfflines")).isEqualTo(1L);
            assertThat(server.getAttribute(name, "CpuRearms")).isEqualTo(1L);
            assertThat(server.getAttribute(name, "UnobservedNanos")).isEqualTo(unobserved[0]);
        }
    }

    @Test
    void aCpuOfflineWhenTheStreamOpensIsArmedWhenItComesOnline() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        setCpu1Online(false);
        try (TracepointStream stream = TracepointStream.builder().tracefs(tracefs).maxLatency(Duration.ofMillis(20)).build()) {
            Subscription s = stream.enable(GENERATE).filter("pid == " + childPid);
            Field sig = s.format().requireField("sig");
            s.onEvent(e -> seen.add(new Seen(e.getInt(sig), e.cpu())));
            stream.startAsync();
            assertThat(stream.cpus()).contains(0, 1); // watched, though CPU 1 cannot be opened now
            assertThat(stream.armedCpus()).containsExactly(0);
            send(0, SIGWINCH, 3);
            awaitCount(seen, 3);

            setCpu1Online(true);
            assertThat(KernelTests.await(() -> contains(stream.armedCpus(), 1), Duration.ofSeconds(10)))
                    .as("the stream arms CPU 1 once it is online").isTrue();
            send(1, SIGURG, 3);
            awaitCount(seen, 6);
            Thread.sleep(200);
            assertThat(seen).containsExactly(new Seen(SIGWINCH, 0), new Seen(SIGWINCH, 0), new Seen(SIGWINCH, 0),
                    new Seen(SIGURG, 1), new Seen(SIGURG, 1), new Seen(SIGURG, 1));
            assertThat(stream.lostCount()).isZero();
        }
    }

    private static List<Seen> expected(int sigA, int cpuA, int nA, int sigB, int cpuB, int nB) {
        List<Seen> out = new ArrayList<>();
        for (int i = 0; i < nA; i++) {
            out.add(new Seen(sigA, cpuA));
        }
        for (int i = 0; i < nB; i++) {
            out.add(new Seen(sigB, cpuB));
        }
        return out;
    }

    /**
     * The kernel's device events, which a stream waits on beside its rings so that a hotplug wakes it at once:
     * taking CPU 1 offline and back announces both on the socket.
     */
    @Test
    void theKernelAnnouncesEachHotplugOnTheDeviceEventSocket() throws Exception {
        int fd = dev.tracepoint.core.internal.perf.HotplugEvents.open();
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment buf = arena.allocate(dev.tracepoint.core.internal.perf.HotplugEvents.BUFFER_LENGTH);
            dev.tracepoint.core.internal.perf.HotplugEvents.drain(fd, buf); // whatever came before
            for (boolean online : new boolean[] {false, true}) {
                setCpu1Online(online);
                String want = (online ? "online" : "offline") + "@/devices/system/cpu/cpu1";
                List<String> got = new ArrayList<>();
                KernelTests.await(() -> {
                    buf.fill((byte) 0);
                    if (dev.tracepoint.core.internal.perf.HotplugEvents.drain(fd, buf)) {
                        got.add(buf.getString(0)); // the last event read: the CPU's own comes last
                    }
                    return got.stream().anyMatch(m -> m.equals(want));
                }, Duration.ofSeconds(10));
                assertThat(got).as("device events after CPU 1 went " + (online ? "online" : "offline")).contains(want);
            }
        } finally {
            dev.tracepoint.core.internal.perf.Libc.close(fd);
        }
    }

    /** Sends {@code count} signals to the child from a shell pinned to one CPU (its builtin kill: one process). */
    private void send(int cpu, int sig, int count) throws Exception {
        Process p = new ProcessBuilder("taskset", "-c", Integer.toString(cpu), "sh", "-c",
                "i=0; while [ $i -lt " + count + " ]; do kill -" + sig + " " + childPid + "; i=$((i+1)); done")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("taskset -c " + cpu + ": " + out).isZero();
    }

    private static void awaitCount(List<Seen> seen, int n) throws InterruptedException {
        KernelTests.await(() -> seen.size() >= n, Duration.ofSeconds(10));
        assertThat(seen).as("signals seen so far").hasSizeGreaterThanOrEqualTo(n);
    }

    private static boolean contains(int[] cpus, int cpu) {
        for (int c : cpus) {
            if (c == cpu) {
                return true;
            }
        }
        return false;
    }

    private static void setCpu1Online(boolean online) throws IOException, InterruptedException {
        if (!Files.isWritable(CPU1_ONLINE)) {
            return;
        }
        String want = online ? "1" : "0";
        if (Files.readString(CPU1_ONLINE).trim().equals(want)) {
            return;
        }
        Files.writeString(CPU1_ONLINE, want);
        KernelTests.await(() -> {
            try {
                return Files.readString(CPU1_ONLINE).trim().equals(want);
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(10));
    }
}
