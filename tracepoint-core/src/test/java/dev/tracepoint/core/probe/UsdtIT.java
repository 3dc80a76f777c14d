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
        assumeTrue(System.getProperty("os.arch").matches("amd64|aarch64"), "USDT arguments are translated for x86_64 and aarch64");
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

    /**
     * The headline: a child JVM collects garbage three times and starts two named threads; the stream sees its
     * {@code gc__begin} (full: argument 1) and {@code gc__end} markers, and for each thread a {@code thread__start}
     * whose arguments are what the thread printed of itself: its name's length, Java thread id, native id, daemon.
     */
    @Test
    void aChildJvmsCollectionsAndThreadsAsItKnowsThem() throws Exception {
        Tracefs tracefs = KernelTests.require();
        assumeTrue(System.getProperty("os.arch").matches("amd64|aarch64"), "USDT arguments are translated for x86_64 and aarch64");
        assumeTrue(Files.exists(LIBJVM) && Probes.usdtMarkers(LIBJVM).contains("hotspot:gc__begin"), "no hotspot markers");
        record Hit(String marker, int tid, long[] args) { }
        List<Hit> hits = new CopyOnWriteArrayList<>();
        long[] child = {-1};
        String out;
        try (TracepointStream stream = TracepointStream.builder().build()) {
            for (String marker : List.of("gc__begin", "gc__end", "thread__start")) {
                for (Subscription s : Probes.enableUsdt(stream, LIBJVM, "hotspot:" + marker)) {
                    List<Field> args = s.format().fields().stream().filter(f -> f.name().matches("arg\\d+")).toList();
                    s.onEvent(e -> {
                        if (e.pid() == child[0]) {
                            long[] v = new long[args.size()];
                            for (int i = 0; i < v.length; i++) {
                                v[i] = e.getLong(args.get(i));
                            }
                            hits.add(new Hit(marker, e.tid(), v));
                        }
                    });
                }
            }
            stream.startAsync();
            Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), HotSpotChild.class.getName(), "3")
                    .redirectErrorStream(true).start();
            child[0] = jvm.pid();
            out = new String(jvm.getInputStream().readAllBytes());
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(jvm.exitValue()).as(out).isZero();
            List<Long> tids = out.lines().filter(l -> l.startsWith("thread ")).map(l -> Long.parseLong(l.split(" ")[2].substring(4))).toList();
            assertThat(KernelTests.await(() -> hits.stream().filter(h -> h.marker().equals("gc__end")).count() >= 3
                    && tids.stream().allMatch(t -> hits.stream().anyMatch(h -> h.marker().equals("thread__start") && h.tid() == t)),
                    Duration.ofSeconds(10))).as("markers of the child JVM " + child[0] + ": " + hits.size()).isTrue();
        }
        List<Hit> begins = hits.stream().filter(h -> h.marker().equals("gc__begin")).toList();
        assertThat(begins.stream().filter(h -> h.args()[0] == 1)).as("full collections").hasSizeGreaterThanOrEqualTo(3);
        assertThat(hits.stream().filter(h -> h.marker().equals("gc__end"))).hasSameSizeAs(begins);
        List<String> threads = out.lines().filter(l -> l.startsWith("thread ")).toList();
        assertThat(threads).hasSize(2);
        for (String line : threads) {
            String[] w = line.split(" "); // thread NAME tid=N jtid=N daemon=B
            String name = w[1];
            int tid = Integer.parseInt(w[2].substring(4));
            long jtid = Long.parseLong(w[3].substring(5));
            long daemon = Boolean.parseBoolean(w[4].substring(7)) ? 1 : 0;
            assertThat(hits).as(line).anySatisfy(h -> {
                assertThat(h.marker()).isEqualTo("thread__start");
                assertThat(h.tid()).isEqualTo(tid);
                assertThat(h.args()).containsExactly(h.args()[0], name.length(), jtid, tid, daemon);
            });
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
