package dev.tracepoint.core.probe;

import dev.tracepoint.core.InvalidFilterException;
import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.elf.ElfFile;
import dev.tracepoint.core.internal.probe.DynamicEvents;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Uprobes defined by the library on a program compiled here, run as a child process: the events arrive
 * through the stream decoded exactly as the kernel's own formatter prints them in a private ftrace instance on
 * the same probe events (packed fields, bitfields, arrays, strings, string arrays, {@code $comm}, {@code $retval}); the
 * definitions are gone after close, after a failed open, and after a rejected definition, whose error quotes
 * the kernel's {@code error_log}; the sweep removes only the groups of exited processes.
 */
class UprobeIT {

    static final long PID = ProcessHandle.current().pid();
    static final Duration WAIT = Duration.ofSeconds(20);
    static final boolean X86 = System.getProperty("os.arch").matches("amd64|x86_64");

    static final String PROGRAM = """
            #include <stdint.h>
            #include <stdio.h>
            #include <string.h>
            #include <unistd.h>
            struct rec { uint8_t a; int16_t b; int32_t c; uint64_t d; char name[16]; uint32_t arr[4]; };
            /* noipa, not just noinline: GCC would otherwise drop the stores to names[] as dead */
            __attribute__((noipa)) long tp_target(struct rec *r, const char *s, int n, const char **names) {
                __asm__ volatile("" ::: "memory");
                return (long) r->c * n - 7;
            }
            int main(void) {
                char go;
                if (read(0, &go, 1) != 1) return 2;
                for (int i = 1; i <= 5; i++) {
                    struct rec r; memset(&r, 0, sizeof r);
                    r.a = (uint8_t) (200 + i * 7); r.b = (int16_t) (-1000 * i); r.c = -70000 * i;
                    r.d = 0x1122334455667788ULL + i;
                    snprintf(r.name, sizeof r.name, "rec-%d", i);
                    for (int k = 0; k < 4; k++) r.arr[k] = 0xfffffff0u + k + i;
                    char s[32]; snprintf(s, sizeof s, "call %d", i);
                    char n0[16], n1[16]; snprintf(n0, sizeof n0, "first-%d", i); snprintf(n1, sizeof n1, "second-%d", i);
                    const char *names[2] = {n0, n1};
                    tp_target(&r, s, i, names);
                }
                return 0;
            }
            """;

    static Path binary;

    @BeforeAll
    static void compile(@TempDir Path dir) throws Exception {
        KernelTests.require();
        assumeTrue(Files.exists(Path.of("/sys/kernel/tracing/uprobe_events")) || KernelTests.ci(), "no uprobes");
        binary = compileChild(dir, "tp_child", PROGRAM);
    }

    /**
     * Compiles a child program with gcc, not position-independent (so that two runs have the same addresses).
     *
     * @param dir     where the source and the binary go
     * @param name    the binary's name
     * @param program its C source
     * @param flags   more gcc flags
     * @return the binary
     */
    static Path compileChild(Path dir, String name, String program, String... flags) throws Exception {
        Path src = dir.resolve(name + ".c");
        Files.writeString(src, program);
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O1", "-no-pie"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-o", out.toString(), src.toString()));
        Process cc = new ProcessBuilder(cmd).inheritIO().start();
        assertThat(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0).as("gcc compiles " + name).isTrue();
        return out;
    }

    /** Removes whatever a failing test left in the groups it uses. */
    @AfterEach
    void removeLeftovers() throws IOException {
        Tracefs t = KernelTests.require();
        DynamicEvents ev = new DynamicEvents(t.root());
        for (String[] d : ev.definitions()) {
            if (d[0].equals(DynamicEvents.ownGroup()) || d[0].startsWith("tpit_")
                    || d[0].startsWith("tp_") && d[1].startsWith("swept_" + PID)) {
                ev.remove(d[0], d[1]);
            }
        }
    }

    static String reg(int i) {
        return X86 ? new String[] {"%di", "%si", "%dx", "%cx"}[i] : "%x" + i;
    }

    static Probe entry() {
        return Probe.uprobe(binary, "tp_target")
                .fetch("a", "+0(" + reg(0) + "):u8")
                .fetch("b", "+2(" + reg(0) + "):s16")
                .fetch("c", "+4(" + reg(0) + "):s32")
                .fetch("d", "+8(" + reg(0) + "):u64")
                .fetch("dx", "+8(" + reg(0) + "):x64")
                .fetch("bf", "+0(" + reg(0) + "):b4@2/8")
                .fetch("ch", "+16(" + reg(0) + "):char")
                .fetch("name", "+16(" + reg(0) + "):string")
                .fetch("arr", "+32(" + reg(0) + "):u32[4]")
                .fetch("s", "+0(" + reg(1) + "):ustring")
                .fetch("n", reg(2) + ":s32")
                .fetch("nx", reg(2) + ":x16")
                .fetch("who", "$comm")
                .fetch("names", "+0(" + reg(3) + "):string[2]");
    }

    /** The kernel's text of a fetched field ({@code trace_probe.c}'s print functions). */
    static String kernelText(EventView e, Field f, String fetchType) {
        String base = fetchType.replaceAll("\\[.*", "");
        if (f.isDynamic() && f.arrayLength() > 0) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < f.arrayLength(); i++) {
                parts.add("\"" + e.getString(f, i) + "\"");
            }
            return "{" + String.join(",", parts) + "}";
        }
        if (f.isDynamic() || base.equals("string") || base.equals("ustring")) {
            return "\"" + e.getString(f) + "\"";
        }
        if (fetchType.contains("[")) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < e.elementCount(f); i++) {
                parts.add(scalar(e.getElement(f, i), base, f.elementSize()));
            }
            return "{" + String.join(",", parts) + "}";
        }
        return scalar(e.getLong(f), base, f.size());
    }

    static String scalar(long v, String type, int size) {
        if (type.equals("char")) {
            return "'" + (char) v + "'";
        }
        if (type.startsWith("x")) {
            return "0x" + Long.toHexString(size == 8 ? v : v & ((1L << (8 * size)) - 1));
        }
        if (type.startsWith("s")) {
            return Long.toString(v);
        }
        return Long.toUnsignedString(v);
    }

    static String typeOf(String fetch) {
        int c = fetch.lastIndexOf(':');
        String t = c < 0 ? "u64" : fetch.substring(c + 1);
        return fetch.equals("$comm") ? "string" : t.startsWith("b") ? "u8" : t;
    }

    /** Runs the child once: it calls tp_target five times when told to, then exits. */
    static void runChild(java.util.function.LongConsumer started) throws Exception {
        runChild(binary, started);
    }

    /** Runs {@code program}, which waits for one byte on its stdin before it starts. */
    static void runChild(Path program, java.util.function.LongConsumer started) throws Exception {
        Process child = new ProcessBuilder(program.toString()).start();
        try {
            started.accept(child.pid());
            try (OutputStream in = child.getOutputStream()) {
                in.write('g');
            }
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
        } finally {
            child.destroyForcibly();
        }
    }

    /**
     * The oracle runs first, alone: the kernel's formatter in a private instance on the library's definitions, for
     * one run of the (non-PIE, so same addresses) child. Then the stream, on the same definitions made again,
     * for a second run. (On this kernel, enabling a uprobe in an instance while perf has it open does not return.)
     */
    @Test
    void typedArgumentsDecodeLikeTheKernelsFormatter() throws Exception {
        Tracefs tracefs = KernelTests.require();
        Path instance = tracefs.root().resolve("instances").resolve("tracepoint-probe-it-" + PID + "-" + System.nanoTime());
        Probe probe = entry();
        Probe ret = Probe.uretprobe(binary, "tp_target").fetch("ret", "$retval:s64");
        String tracepoint = "tp_" + PID + ":tp_target";
        String retTracepoint = "tp_" + PID + ":tp_target_return";
        List<String> kernel = new ArrayList<>();
        List<String> kernelRet = new ArrayList<>();
        Files.createDirectory(instance);
        try {
            try (ProbeDefinition d1 = Probes.define(tracefs, probe); ProbeDefinition d2 = Probes.define(tracefs, ret)) {
                assertThat(d1.tracepoint()).isEqualTo(tracepoint);
                assertThat(d2.tracepoint()).isEqualTo(retTracepoint);
                long[] pid = new long[1];
                try {
                    runChild(childPid -> {
                        pid[0] = childPid;
                        for (String tp : List.of(tracepoint, retTracepoint)) {
                            Path ev = instance.resolve("events").resolve(tp.replace(':', '/'));
                            try {
                                Files.writeString(ev.resolve("filter"), "common_pid == " + childPid + "\n");
                                Files.writeString(ev.resolve("enable"), "1\n");
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    });
                } finally {
                    disable(instance, tracepoint.replace(':', '/'), retTracepoint.replace(':', '/'));
                }
                Pattern line = Pattern.compile("-" + pid[0] + "\\s+\\[\\d+\\].*?\\s(tp_target|tp_target_return): (.*)$");
                for (String l : Files.readAllLines(instance.resolve("trace"))) {
                    Matcher m = line.matcher(l);
                    if (m.find()) {
                        (m.group(1).equals("tp_target") ? kernel : kernelRet).add(m.group(2));
                    }
                }
            }
            assertThat(tracefs.exists(tracepoint)).isFalse();
            assertThat(kernel).hasSize(5);
            assertThat(kernelRet).hasSize(5);

            List<String> ours = new CopyOnWriteArrayList<>();
            List<String> oursRet = new CopyOnWriteArrayList<>();
            try (TracepointStream stream = TracepointStream.builder().build()) {
                Subscription sub = Probes.enable(stream, probe).filter("common_pid != " + PID);
                Subscription rsub = Probes.enable(stream, ret).filter("common_pid != " + PID);
                assertThat(sub.format().system() + ":" + sub.format().name()).isEqualTo(tracepoint);
                EventFormat fmt = sub.format();
                // packed: a u8 right after __probe_ip, then a u16 at an odd offset
                assertThat(fmt.requireField("__probe_ip").offset()).isEqualTo(8);
                assertThat(fmt.requireField("a").offset()).isEqualTo(16);
                assertThat(fmt.requireField("b").offset()).isEqualTo(17);
                assertThat(fmt.requireField("c").offset()).isEqualTo(19);
                assertThat(fmt.requireField("d").offset()).isEqualTo(23);
                assertThat(rsub.format().field("__probe_func")).isNotNull();
                assertThat(rsub.format().field("__probe_ret_ip")).isNotNull();
                Map<String, String> types = new TreeMap<>();
                for (String a : probe.fetchArgs()) {
                    int eq = a.indexOf('=');
                    types.put(a.substring(0, eq), typeOf(a.substring(eq + 1)));
                }
                long[] child = {-1};
                sub.onEvent(e -> {
                    if (e.pid() != child[0]) {
                        return;
                    }
                    StringBuilder sb = new StringBuilder("(0x" + Long.toHexString(e.getLong(e.format().requireField("__probe_ip"))) + ")");
                    for (String a : probe.fetchArgs()) {
                        String name = a.substring(0, a.indexOf('='));
                        sb.append(' ').append(name).append('=').append(kernelText(e, e.format().requireField(name), types.get(name)));
                    }
                    ours.add(sb.toString());
                });
                rsub.onEvent(e -> {
                    if (e.pid() == child[0]) {
                        oursRet.add("(0x" + Long.toHexString(e.getLong(e.format().requireField("__probe_ret_ip")))
                                + " <- 0x" + Long.toHexString(e.getLong(e.format().requireField("__probe_func")))
                                + ") ret=" + e.getLong(e.format().requireField("ret")));
                    }
                });
                stream.startAsync();
                runChild(pid -> child[0] = pid);
                assertThat(KernelTests.await(() -> ours.size() >= 5 && oursRet.size() >= 5, WAIT))
                        .as("5 calls and 5 returns of the child: " + ours + oursRet).isTrue();
            }
            assertThat(tracefs.exists(tracepoint)).as("removed at close").isFalse();
            assertThat(tracefs.exists(retTracepoint)).as("removed at close").isFalse();
            assertThat(new DynamicEvents(tracefs.root()).definitions()).noneMatch(d -> d[0].equals(DynamicEvents.ownGroup()));

            assertThat(ours).containsExactlyElementsOf(kernel);
            assertThat(kernel.get(0)).contains(" a=207 b=-1000 c=-70000 d=1234605616436508553 dx=0x1122334455667789 bf=3 ch='r' name=\"rec-1\"");
            assertThat(kernel.get(4)).contains(" s=\"call 5\" n=5 nx=0x5 who=\"tp_child\" names={\"first-5\",\"second-5\"}");
            for (int i = 0; i < 5; i++) {
                assertThat(kernelRet.get(i)).endsWith(" ret=" + (-70000L * (i + 1) * (i + 1) - 7));
            }
            assertThat(oursRet).containsExactlyElementsOf(kernelRet);
        } finally {
            disable(instance, tracepoint.replace(':', '/'), retTracepoint.replace(':', '/'));
            Files.delete(instance);
        }
    }

    static void disable(Path instance, String... events) {
        for (String e : events) {
            Path enable = instance.resolve("events").resolve(e).resolve("enable");
            try {
                if (Files.exists(enable)) {
                    Files.writeString(enable, "0\n");
                }
            } catch (IOException ignored) {
                // the event is gone
            }
        }
    }

    @Test
    void failedOpenRemovesTheDefinition() throws Exception {
        Tracefs tracefs = KernelTests.require();
        String tp;
        try (TracepointStream stream = TracepointStream.builder().build()) {
            Subscription sub = Probes.enable(stream, Probe.uprobe(binary, "tp_target").named("tp_bad_filter").fetch("n", reg(2) + ":s32"))
                    .filter("no_such_field == 3");
            tp = sub.format().system() + ":" + sub.format().name();
            assertThat(tracefs.exists(tp)).isTrue();
            assertThatThrownBy(stream::open).isInstanceOf(InvalidFilterException.class);
            assertThat(tracefs.exists(tp)).as("removed when open fails").isFalse();
        }
        assertThat(tracefs.exists(tp)).isFalse();
    }

    @Test
    void rejectedDefinitionsQuoteTheKernelAndLeaveNothing() throws Exception {
        Tracefs tracefs = KernelTests.require();
        Probe badReg = Probe.uprobe(binary, "tp_target").named("tp_bad_reg").fetch("x", "%zz");
        assertThatThrownBy(() -> Probes.define(tracefs, badReg))
                .isInstanceOf(ProbeException.class)
                .hasMessageContaining("the kernel rejected the probe definition 'p:tp_" + PID + "/tp_bad_reg ")
                .hasMessageContaining("trace_uprobe: error: Invalid register name")
                .hasMessageContaining("Command: p:tp_" + PID + "/tp_bad_reg")
                .satisfies(e -> assertThat(((ProbeException) e).kernelError()).endsWith("^"));
        assertThat(tracefs.exists("tp_" + PID + ":tp_bad_reg")).isFalse();

        Probe badType = Probe.uprobe(binary, "tp_target").named("tp_bad_type").fetch("x", reg(0) + ":u7");
        assertThatThrownBy(() -> Probes.define(tracefs, badType))
                .isInstanceOf(ProbeException.class)
                .hasMessageContaining("trace_uprobe: error:")
                .satisfies(e -> assertThat(((ProbeException) e).kernelError()).contains("x=" + reg(0) + ":u7").endsWith("^"));
        assertThat(tracefs.exists("tp_" + PID + ":tp_bad_type")).isFalse();

        Probe missingFile = Probe.uprobe(Path.of("/nonexistent/tp-binary"), 0x10);
        assertThatThrownBy(() -> Probes.define(tracefs, missingFile))
                .isInstanceOf(ProbeException.class)
                .hasMessageContaining("trace_uprobe: error: Failed to find the given file");

        Probe missingSymbol = Probe.uprobe(binary, "no_such_function_tp");
        assertThatThrownBy(() -> Probes.define(tracefs, missingSymbol))
                .isInstanceOf(ProbeException.class)
                .hasMessageContaining(binary + ": no function named no_such_function_tp in .symtab or .dynsym");

        assertThat(new DynamicEvents(tracefs.root()).definitions()).noneMatch(d -> d[0].equals(DynamicEvents.ownGroup()));
    }

    @Test
    void definitionsCloseAndNamesAreChecked() throws Exception {
        Tracefs tracefs = KernelTests.require();
        ProbeDefinition def = Probes.define(tracefs, Probe.uprobe(binary, "tp_target").named("tp_plain"));
        try {
            assertThat(def.tracepoint()).isEqualTo("tp_" + PID + ":tp_plain");
            assertThat(def.definition()).isEqualTo("p:tp_" + PID + "/tp_plain " + binary.toAbsolutePath() + ":0x"
                    + Long.toHexString(ElfFile.open(binary).functionOffset("tp_target")));
            assertThat(tracefs.format(def.tracepoint()).requireField("__probe_ip").size()).isEqualTo(8);
        } finally {
            def.close();
        }
        assertThat(def.isRemoved()).isTrue();
        assertThat(tracefs.exists(def.tracepoint())).isFalse();
        def.close(); // idempotent
        assertThatThrownBy(() -> Probe.uprobe(binary, "tp_target").named("9bad")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Probe.uprobe(binary, "tp_target").fetch("x", "%di :u8")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sweepRemovesOnlyTheGroupsOfExitedProcesses() throws Exception {
        Tracefs tracefs = KernelTests.require();
        DynamicEvents ev = new DynamicEvents(tracefs.root());
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long deadPid = gone.pid();
        Process alive = new ProcessBuilder("sleep", "60").start();
        long off = ElfFile.open(binary).functionOffset("tp_target");
        String loc = binary.toAbsolutePath() + ":0x" + Long.toHexString(off);
        String dead = "tp_" + deadPid;
        String live = "tp_" + alive.pid();
        String other = "tpit_" + deadPid; // not a tp_<pid> group: never swept
        try {
            assumeTrue(ProcessHandle.of(deadPid).isEmpty(), "pid reused at once");
            ev.write("p:" + dead + "/swept_" + PID + " " + loc);
            ev.write("p:" + live + "/swept_" + PID + " " + loc);
            ev.write("p:" + other + "/kept " + loc);
            List<String> removed = Probes.sweep(tracefs);
            assertThat(removed).contains(dead + "/swept_" + PID).doesNotContain(live + "/swept_" + PID, other + "/kept");
            assertThat(ev.exists(dead, "swept_" + PID)).isFalse();
            assertThat(ev.exists(live, "swept_" + PID)).isTrue();
            assertThat(ev.exists(other, "kept")).isTrue();
        } finally {
            alive.destroyForcibly().waitFor();
            for (String g : List.of(dead, live)) {
                if (ev.exists(g, "swept_" + PID)) {
                    ev.remove(g, "swept_" + PID);
                }
            }
            if (ev.exists(other, "kept")) {
                ev.remove(other, "kept");
            }
        }
    }

    @Test
    void kprobesOnAKernelWithoutThemSaySo() throws Exception {
        Tracefs tracefs = KernelTests.require();
        assumeTrue(!Files.exists(tracefs.root().resolve("kprobe_events")), "this kernel has kprobes");
        assertThatThrownBy(() -> Probes.define(tracefs, Probe.kprobe("do_nanosleep").fetch("x", "%di")))
                .isInstanceOf(ProbeException.class)
                .hasMessageContaining("this kernel lacks CONFIG_KPROBE_EVENTS");
        assertThat(new DynamicEvents(tracefs.root()).definitions()).noneMatch(d -> d[0].equals(DynamicEvents.ownGroup()));
    }
}
