package dev.tracepoint.core.probe;

import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.probe.DynamicEvents;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code hotspot:thread__start} USDT marker of this JDK's {@code libjvm.so}, attached through the stream and
 * fired by a child JVM: its fourth argument, the native thread id, must be the thread the kernel recorded the
 * event for, its second the length of a thread name, its fifth a daemon flag; the definitions are gone after close.
 */
class UsdtIT {

    static final Path LIBJVM = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");

    @Test
    void threadStartMarkersCarryTheThreadsOwnId() throws Exception {
        Tracefs tracefs = KernelTests.require();
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "USDT arguments are translated for x86_64");
        assumeTrue(Files.exists(LIBJVM) && Probes.usdtMarkers(LIBJVM).contains("hotspot:thread__start"), "no hotspot markers");
        record Start(int pid, int tid, long nameLength, long nativeTid, long daemon) { }
        List<Start> starts = new CopyOnWriteArrayList<>();
        List<String> tracepoints = new ArrayList<>();
        long[] child = {-1};
        try (TracepointStream stream = TracepointStream.builder().build()) {
            List<Subscription> sites = Probes.enableUsdt(stream, LIBJVM, "hotspot:thread__start");
            assertThat(sites).isNotEmpty();
            for (Subscription s : sites) {
                tracepoints.add(s.format().system() + ":" + s.format().name());
                Field len = s.format().requireField("arg2");
                Field tid = s.format().requireField("arg4");
                Field daemon = s.format().requireField("arg5");
                assertThat(len.signed()).isTrue();
                s.onEvent(e -> {
                    if (e.pid() == child[0]) {
                        starts.add(new Start(e.pid(), e.tid(), e.getLong(len), e.getLong(tid), e.getLong(daemon)));
                    }
                });
            }
            stream.startAsync();
            Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto", "-version")
                    .redirectErrorStream(true).start();
            child[0] = jvm.pid();
            jvm.getInputStream().readAllBytes();
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(KernelTests.await(() -> starts.size() >= 3, Duration.ofSeconds(10)))
                    .as("thread starts of the child JVM " + child[0] + ": " + starts).isTrue();
        }
        for (Start s : starts) {
            assertThat(s.nativeTid()).as(s.toString()).isEqualTo(s.tid());
            assertThat(s.nameLength()).as(s.toString()).isPositive();
            assertThat(s.daemon()).as(s.toString()).isBetween(0L, 1L);
        }
        for (String tp : tracepoints) {
            assertThat(tracefs.exists(tp)).as(tp + " removed at close").isFalse();
        }
        assertThat(new DynamicEvents(tracefs.root()).definitions()).noneMatch(d -> d[0].equals(DynamicEvents.ownGroup()));
    }

    @Test
    void unknownMarkerSaysSo() throws Exception {
        Tracefs tracefs = KernelTests.require();
        assumeTrue(Files.exists(LIBJVM));
        try (TracepointStream stream = TracepointStream.builder().build()) {
            assertThatThrownBy(() -> Probes.enableUsdt(stream, LIBJVM, "hotspot:no__such__marker"))
                    .isInstanceOf(ProbeException.class)
                    .hasMessage("no USDT marker hotspot:no__such__marker in " + LIBJVM + " (.note.stapsdt)");
        }
        assertThat(new DynamicEvents(tracefs.root()).definitions()).noneMatch(d -> d[0].equals(DynamicEvents.ownGroup()));
    }
}
