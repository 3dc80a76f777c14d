package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.internal.probe.DynamicEvents;
import dev.tracepoint.core.probe.HotSpotChild;
import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.testing.MiniJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Dynamic probes on the command line: {@code stream} and {@code describe} take them beside tracepoint names, in
 * bpftrace's spelling with perf probe's {@code NAME=FETCH} arguments, and {@code usdt} lists a binary's markers.
 * Each command runs as its own process; what it defined is gone when it exits.
 */
class ProbeCliIT {

    static final String NANOSLEEP = "uprobe:libc:nanosleep sec=+0(%di):s64 nsec=+8(%di):s64";

    Tracefs tracefs;

    @BeforeEach
    void setUp() {
        tracefs = KernelTests.require();
    }

    /** No definition of the group of the CLI process {@code pid} is left in tracefs. */
    void assertNothingLeftBy(long pid) throws Exception {
        assertThat(new DynamicEvents(tracefs.root()).definitions()).noneMatch(d -> d[0].equals("tp_" + pid));
    }

    @Test
    void streamAUprobeOnLibcWithFetchedArgumentsOfACommand() throws Exception {
        try (CliProcess c = CliProcess.start("stream", NANOSLEEP, "--json", "--", "/bin/sh", "-c", "sleep 0.123; sleep 0.045")) {
            assertThat(c.waitFor(Duration.ofSeconds(60))).as(c.err()).isZero();
            List<Map<String, Object>> events = c.out().lines().filter(l -> l.startsWith("{")).map(MiniJson::object).toList();
            // sleep(1) calls nanosleep with the interval it was given; scoped to the command, nothing else is seen
            assertThat(events.stream().map(e -> (Object) ((Map<?, ?>) e.get("fields")).get("nsec")).toList())
                    .containsExactly(123_000_000L, 45_000_000L);
            assertThat(events).allSatisfy(e -> {
                assertThat(e.get("event")).isEqualTo("tp_" + c.pid() + ":nanosleep");
                assertThat(e.get("comm")).isEqualTo("sleep");
                assertThat(((Map<?, ?>) e.get("fields")).get("sec")).isEqualTo(0L);
            });
            assertThat(c.err()).contains("events=2 lost=0");
            assertNothingLeftBy(c.pid());
        }
    }

    @Test
    void streamHotSpotsOwnMarkersOfAChildJvm() throws Exception {
        assumeTrue(System.getProperty("os.arch").matches("amd64|aarch64"), "USDT arguments are translated for x86_64 and aarch64");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (CliProcess c = CliProcess.start("stream", "usdt:libjvm:hotspot:gc__begin", "U:libjvm:hotspot:gc__end", "--json",
                "--", java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), HotSpotChild.class.getName(), "3")) {
            assertThat(c.waitFor(Duration.ofSeconds(60))).as(c.err()).isZero();
            assertThat(c.out()).contains("gcs=3");
            List<Map<String, Object>> events = c.out().lines().filter(l -> l.startsWith("{")).map(MiniJson::object).toList();
            List<Map<String, Object>> begins = events.stream().filter(e -> e.get("event").toString().contains(":gc__begin_")).toList();
            assertThat(begins.stream().filter(e -> ((Map<?, ?>) e.get("fields")).get("arg1").equals(1L)))
                    .as("System.gc() three times: full collections").hasSizeGreaterThanOrEqualTo(3);
            assertThat(events.stream().filter(e -> e.get("event").toString().contains(":gc__end_"))).hasSameSizeAs(begins);
            assertNothingLeftBy(c.pid());
        }
    }

    /**
     * A JVM killed mid-stream cannot remove its probes: they stay, under its group, until the next definition
     * made by any process of the library sweeps the groups of processes that are gone.
     */
    @Test
    void aKilledStreamsProbesAreSweptByTheNextDefinition(@TempDir Path tmp) throws Exception {
        Path ready = tmp.resolve("ready");
        long killed;
        try (CliProcess c = CliProcess.start("stream", NANOSLEEP, "--count-only", "--ready", ready.toString())) {
            c.awaitFile(ready, Duration.ofSeconds(30));
            killed = c.pid();
            assertThat(new DynamicEvents(tracefs.root()).definitions()).anyMatch(d -> d[0].equals("tp_" + killed));
            ProcessHandle.of(killed).orElseThrow().destroyForcibly(); // SIGKILL: no close, no shutdown hook
            assertThat(c.waitFor(Duration.ofSeconds(10))).isEqualTo(137);
        }
        assertThat(new DynamicEvents(tracefs.root()).definitions()).as("left behind by the killed JVM")
                .anyMatch(d -> d[0].equals("tp_" + killed));
        try (CliProcess c = CliProcess.run("describe", NANOSLEEP)) {
            assertThat(c.exitValue()).as(c.err()).isZero();
            assertNothingLeftBy(c.pid());
        }
        assertNothingLeftBy(killed);
    }

    @Test
    void describeAProbeDefinesItOnlyToReadItsFormat() throws Exception {
        try (CliProcess c = CliProcess.run("describe", NANOSLEEP)) {
            assertThat(c.exitValue()).as(c.err()).isZero();
            assertThat(c.out()).startsWith("tp_" + c.pid() + ":nanosleep  id=")
                    .containsPattern("__probe_ip +unsigned long +8 +8 +no")
                    .containsPattern("sec +s64 +16 +8 +yes")
                    .containsPattern("nsec +s64 +24 +8 +yes");
            assertThat(c.err()).contains("defined to read its format, then removed");
            assertThat(tracefs.exists("tp_" + c.pid() + ":nanosleep")).isFalse();
            assertNothingLeftBy(c.pid());
        }
        assumeTrue(System.getProperty("os.arch").matches("amd64|aarch64"), "USDT arguments are translated for x86_64 and aarch64");
        try (CliProcess c = CliProcess.run("describe", "usdt:libjvm:hotspot:gc__begin", "--json")) {
            assertThat(c.exitValue()).as(c.err()).isZero();
            Map<String, Object> f = MiniJson.object(c.out().strip());
            assertThat(f.get("name")).isEqualTo("tp_" + c.pid() + ":gc__begin_0");
            assertThat(f.get("fields").toString()).contains("name=arg1", "type=u8");
            assertThat(c.err()).contains("one of 2 sites");
            assertNothingLeftBy(c.pid());
        }
    }

    @Test
    void usdtListsTheMarkersOfABinary() throws Exception {
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        assumeTrue(Files.exists(libjvm));
        try (CliProcess c = CliProcess.run("usdt", libjvm.toString())) {
            assertThat(c.exitValue()).as(c.err()).isZero();
            assertThat(c.out()).contains("hotspot:gc__begin  sites=2\n").contains("hotspot:thread__start  sites=");
            if (System.getProperty("os.arch").equals("amd64")) { // one site passes its argument in a register, one as a constant
                assertThat(c.out()).containsPattern("\n    0x[0-9a-f]+  1@%dil\n").containsPattern("\n    0x[0-9a-f]+  1@\\$1\n");
            }
        }
        try (CliProcess c = CliProcess.run("usdt", "libjvm", "--json")) {
            assertThat(c.exitValue()).as(c.err()).isZero();
            Map<String, Object> first = MiniJson.object(c.out().lines().filter(l -> l.contains("\"hotspot:gc__begin\"")).findFirst().orElseThrow());
            assertThat(first.get("semaphore")).isEqualTo(false);
            assertThat((List<?>) first.get("sites")).hasSize(2);
        }
        try (CliProcess c = CliProcess.run("usdt", "/bin/sh")) {
            assertThat(c.exitValue()).isEqualTo(1);
            assertThat(c.err()).contains("has no USDT markers (no .note.stapsdt section)");
        }
    }

    @Test
    void badProbesAreClearErrorsAndLeaveNothingBehind() throws Exception {
        String[][] usage = {
                {"uprobe:libc", "is not uprobe:BINARY:SYMBOL"},
                {"uprobe:/no/such/file:main", "no file /no/such/file"},
                {"uprobe:libno_such_library:f", "no binary 'libno_such_library' on the PATH or in"},
                {"uprobe:libc:nanosleep sec", "argument 'sec' is not NAME=FETCH"},
                {"uretprobe:libc:0x1000", "a uretprobe takes a symbol, not an offset"},
                {"usdt:libjvm:gc__begin", "is not usdt:BINARY:PROVIDER:NAME"},
        };
        for (String[] u : usage) {
            try (CliProcess c = CliProcess.run("stream", u[0])) {
                assertThat(c.exitValue()).as(u[0] + ": " + c.err()).isEqualTo(2);
                assertThat(c.err()).as(u[0]).contains("tracepoint stream: probe '" + u[0] + "'").contains(u[1]);
            }
        }
        try (CliProcess c = CliProcess.run("stream", "uprobe:libc:no_such_function_anywhere")) {
            assertThat(c.exitValue()).isEqualTo(1);
            assertThat(c.err()).contains("no_such_function_anywhere");
            assertNothingLeftBy(c.pid());
        }
        // the kernel's own explanation, from error_log
        try (CliProcess c = CliProcess.run("stream", "uprobe:libc:nanosleep x=%nosuchreg")) {
            assertThat(c.exitValue()).as(c.err()).isEqualTo(1);
            assertThat(c.err()).contains("the kernel rejected the probe definition").contains("nosuchreg");
            assertNothingLeftBy(c.pid());
        }
    }
}
