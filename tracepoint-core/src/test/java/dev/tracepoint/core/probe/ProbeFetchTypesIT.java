package dev.tracepoint.core.probe;

import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.decode.TracepointEvent;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FieldKind;
import dev.tracepoint.core.internal.elf.ElfFile;
import dev.tracepoint.core.internal.probe.DynamicEvents;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every fetch type and fetch argument the uprobe tracer of the running kernel accepts, on a program compiled
 * here: the kernel's own formatter in a private ftrace instance is the oracle for one run of the child, the
 * library's decoding of a second run must print the same text (integers of every width and base, {@code char},
 * bitfields of each container size, fixed arrays, strings, string arrays, faulting fetches, {@code $comm},
 * {@code $retval}, {@code $stack}, registers, file-offset and absolute memory, nested and negative
 * dereferences, immediates), through {@link EventView} and through a typed interface. The types the kernel
 * rejects for uprobes fail with its {@code error_log} quoted.
 *
 * <p>The child turns address-space randomisation off for itself and re-executes, so that both runs have the
 * same stack addresses: {@code $stack}, {@code %sp} and the stack words compare across the two runs.
 */
class ProbeFetchTypesIT {

    static final long PID = ProcessHandle.current().pid();
    static final boolean X86 = UprobeIT.X86;

    static final String PROGRAM = """
            #include <stdint.h>
            #include <stdio.h>
            #include <string.h>
            #include <unistd.h>
            #include <sys/personality.h>
            struct rec { uint8_t a; int16_t b; int32_t c; uint64_t d; char name[16]; uint32_t arr[4]; };
            /* noipa: no caller-side assumptions about what the probed function reads, so the stores to names[]
               stay (with noinline alone, GCC drops them as dead and the kernel reads null pointers) */
            __attribute__((noipa)) long tp_fetch(struct rec *r, const char *s, int n, const char **names, uint64_t *mid) {
                __asm__ volatile("" ::: "memory");
                return (long) r->c * n - 7;
            }
            int main(int argc, char **argv) {
                if (!(personality(0xffffffff) & ADDR_NO_RANDOMIZE)) {
                    personality(ADDR_NO_RANDOMIZE);
                    execv(argv[0], argv);
                    return 3;
                }
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
                    tp_fetch(&r, s, i, names, &r.d);
                }
                return 0;
            }
            """;

    static Path binary;

    @BeforeAll
    static void compile(@TempDir Path dir) throws Exception {
        KernelTests.require();
        assumeTrue(Files.exists(Path.of("/sys/kernel/tracing/uprobe_events")) || KernelTests.ci(), "no uprobes");
        binary = UprobeIT.compileChild(dir, "tp_fetch", PROGRAM, "-fno-stack-protector");
    }

    /** Removes whatever a failing test left in the groups it uses. */
    @AfterEach
    void removeLeftovers() throws IOException {
        DynamicEvents ev = new DynamicEvents(KernelTests.require().root());
        for (String[] d : ev.definitions()) {
            if (d[0].equals(DynamicEvents.ownGroup())) {
                ev.remove(d[0], d[1]);
            }
        }
    }

    static String reg(int i) {
        return UprobeIT.reg(i);
    }

    /** The argument registers, {@code %ip}/{@code %pc}, {@code %sp}. */
    static String r(String x86, String arm64) {
        return X86 ? x86 : arm64;
    }

    static List<Probe> probes() throws Exception {
        String di = reg(0);
        String si = reg(1);
        String dx = reg(2);
        String cx = reg(3);
        String r8 = r("%r8", "%x4");
        ElfFile elf = ElfFile.open(binary);
        // 4 bytes into the function: its first byte is the uprobe's breakpoint (0xcc on x86) while the probe is on
        long fileOffset = elf.functionOffset("tp_fetch") + 4;
        long vaddr = elf.function("tp_fetch").orElseThrow().value() + 4;
        Probe at = Probe.uprobe(binary, "tp_fetch");
        return List.of(
                at.named("tp_ints")
                        .fetch("u8", "+0(" + di + "):u8").fetch("u16", "+2(" + di + "):u16")
                        .fetch("u32", "+4(" + di + "):u32").fetch("u64", "+8(" + di + "):u64")
                        .fetch("s8", "+0(" + di + "):s8").fetch("s16", "+2(" + di + "):s16")
                        .fetch("s32", "+4(" + di + "):s32").fetch("s64", "+8(" + di + "):s64")
                        .fetch("x8", "+0(" + di + "):x8").fetch("x16", "+2(" + di + "):x16")
                        .fetch("x32", "+4(" + di + "):x32").fetch("x64", "+8(" + di + "):x64")
                        .fetch("ch", "+16(" + di + "):char").fetch("untyped", dx)
                        .fetch("n", dx + ":s32").fetch("nu8", dx + ":u8").fetch("imm", "\\1234").fetch("imm8", "\\0x1f:u8"),
                at.named("tp_bits")
                        .fetch("b1", "+0(" + di + "):b1@0/8").fetch("b3", "+0(" + di + "):b3@5/8")
                        .fetch("b7", "+2(" + di + "):b7@3/16").fetch("b12", "+4(" + di + "):b12@9/32")
                        .fetch("b4", "+4(" + di + "):b4@28/32").fetch("b20", "+8(" + di + "):b20@40/64")
                        .fetch("b64", "+8(" + di + "):b64@0/64"),
                at.named("tp_arrays")
                        .fetch("a8", "+0(" + di + "):u8[4]").fetch("s16", "+2(" + di + "):s16[3]")
                        .fetch("x64", "+8(" + di + "):x64[2]").fetch("x32", "+32(" + di + "):x32[4]")
                        .fetch("s8", "+0(" + di + "):s8[2]").fetch("u16", "+32(" + di + "):u16[3]")
                        .fetch("s32", "+32(" + di + "):s32[2]").fetch("x8", "+16(" + di + "):x8[3]")
                        .fetch("cs", "+16(" + di + "):char[5]").fetch("one", "+4(" + di + "):s32[1]"),
                at.named("tp_strings")
                        .fetch("name", "+16(" + di + "):string").fetch("s", "+0(" + si + "):ustring")
                        .fetch("who", "$comm").fetch("names", "+0(" + cx + "):string[2]")
                        .fetch("unames", "+0(" + cx + "):ustring[2]").fetch("first", "+0(" + cx + "):string[1]")
                        .fetch("deref", "+0(+0(" + cx + ")):string").fetch("tail", "+1(+8(" + cx + ")):ustring")
                        .fetch("bad", "+0(" + dx + "):string").fetch("ubad", "+0(" + dx + "):ustring")
                        .fetch("badarr", "+0(" + si + "):string[1]").fetch("imms", "\\\"hello\\\"")
                        .fetch("badint", "+0(" + dx + "):u32").fetch("badbytes", "+0(" + dx + "):u8[2]"),
                at.named("tp_memory")
                        .fetch("ip", r("%ip", "%pc")).fetch("sp", "%sp").fetch("stack", "$stack")
                        .fetch("stack0", "$stack0").fetch("stack1", "$stack1:x64").fetch("stack2", "$stack2:u32")
                        .fetch("file", "@+0x" + Long.toHexString(fileOffset) + ":x32")
                        .fetch("abs", "@0x" + Long.toHexString(vaddr) + ":x32")
                        .fetch("nested", "+0(+8(" + cx + ")):x64").fetch("nchar", "+1(+8(" + cx + ")):char")
                        .fetch("neg8", "-8(" + r8 + "):u8").fetch("neg6", "-6(" + r8 + "):s16")
                        .fetch("neg4", "-4(" + r8 + "):s32").fetch("negnest", "+0(-8(" + r8 + ")):u8"),
                at.named("tp_typed")
                        .fetch("a", "+0(" + di + "):u8").fetch("b", "+2(" + di + "):s16")
                        .fetch("c", "+4(" + di + "):s32").fetch("d", "+8(" + di + "):u64")
                        .fetch("bf", "+0(" + di + "):b4@2/8").fetch("name", "+16(" + di + "):string")
                        .fetch("arr", "+32(" + di + "):u32[4]").fetch("names", "+0(" + cx + "):string[2]")
                        .fetch("badarr", "+0(" + si + "):string[1]"),
                Probe.uretprobe(binary, "tp_fetch").named("tp_ret")
                        .fetch("ret", "$retval").fetch("ret64", "$retval:s64").fetch("ret32", "$retval:s32")
                        .fetch("ret16", "$retval:u16").fetch("retx8", "$retval:x8").fetch("who", "$comm"));
    }

    /** A uprobe typed interface: ints of each width, a bitfield, a string, an array, a string array. */
    public interface TypedHit extends TracepointEvent {
        int a();

        short b();

        int c();

        long d();

        byte bf();

        String name();

        long[] arr();

        long arr(int i);

        String names(int i);

        String badarr(int i);
    }

    /** The fetch type of each argument ({@code name=fetch[:type]}), null when untyped. */
    static Map<String, String> fetchTypes(Probe p) {
        Map<String, String> types = new LinkedHashMap<>();
        for (String a : p.fetchArgs()) {
            int eq = a.indexOf('=');
            String fetch = a.substring(eq + 1);
            // the type follows the last ':' outside an immediate string
            int colon = fetch.startsWith("\\\"") ? -1 : fetch.lastIndexOf(':');
            types.put(a.substring(0, eq), colon < 0 ? null : fetch.substring(colon + 1));
        }
        return types;
    }

    /**
     * The kernel's text of a probe's fetched field, as {@code trace_probe.c}'s print functions write it, from
     * the field as the format declares it (kind, size, signedness, element size and count) and the fetch type
     * (the base, {@code x} or {@code char}, which the format does not keep: {@code x32} is a {@code u32} field).
     */
    static String kernelText(EventView e, Field f, String fetchType) {
        String base = fetchType == null ? null : fetchType.replaceAll("\\[.*", "");
        if (f.kind() == FieldKind.DATA_LOC) {
            if (f.arrayLength() > 0) { // string[N]: {"a","b"}, a string the kernel could not fetch is (fault)
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < f.arrayLength(); i++) {
                    parts.add(e.byteLength(f, i) == 0 ? "(fault)" : "\"" + e.getString(f, i) + "\"");
                }
                return "{" + String.join(",", parts) + "}";
            }
            return e.byteLength(f) == 0 ? "(fault)" : "\"" + e.getString(f) + "\"";
        }
        if (f.kind() == FieldKind.ARRAY) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < e.elementCount(f); i++) {
                parts.add(scalar(e.getElement(f, i), base, f.elementSize(), f.signed()));
            }
            return "{" + String.join(",", parts) + "}";
        }
        return scalar(e.getLong(f), base, f.size(), f.signed());
    }

    /** {@code %u}/{@code %d}/{@code 0x%x}/{@code '%c'} of a value of {@code size} bytes; untyped is hexadecimal. */
    static String scalar(long v, String type, int size, boolean signed) {
        if ("char".equals(type)) {
            return "'" + (char) (v & 0xff) + "'";
        }
        if (type == null || type.startsWith("x")) {
            return "0x" + Long.toHexString(size == 8 ? v : v & ((1L << (8 * size)) - 1));
        }
        return signed ? Long.toString(v) : Long.toUnsignedString(v);
    }

    /** The probe's line after {@code event: }, built from the decoded fields. */
    static String line(EventView e, Probe p, Map<String, String> types) {
        EventFormat fmt = e.format();
        StringBuilder sb = new StringBuilder("(");
        if (p.kind() == Probe.Kind.URETPROBE) {
            sb.append("0x").append(Long.toHexString(e.getLong(fmt.requireField("__probe_ret_ip"))))
                    .append(" <- 0x").append(Long.toHexString(e.getLong(fmt.requireField("__probe_func"))));
        } else {
            sb.append("0x").append(Long.toHexString(e.getLong(fmt.requireField("__probe_ip"))));
        }
        sb.append(')');
        for (Map.Entry<String, String> t : types.entrySet()) {
            sb.append(' ').append(t.getKey()).append('=').append(kernelText(e, fmt.requireField(t.getKey()), t.getValue()));
        }
        return sb.toString();
    }

    /** The same line for tp_typed, from the typed interface's accessors alone. */
    static String typedLine(TypedHit h, long ip) {
        List<String> arr = new ArrayList<>();
        for (long v : h.arr()) {
            arr.add(Long.toString(v));
        }
        return "(0x" + Long.toHexString(ip) + ") a=" + h.a() + " b=" + h.b() + " c=" + h.c() + " d=" + Long.toUnsignedString(h.d())
                + " bf=" + h.bf() + " name=\"" + h.name() + "\" arr={" + String.join(",", arr) + "} names={\"" + h.names(0)
                + "\",\"" + h.names(1) + "\"} badarr={" + (h.badarr(0).isEmpty() ? "(fault)" : "\"" + h.badarr(0) + "\"") + "}";
    }

    @Test
    void everyFetchTypeDecodesLikeTheKernelsFormatter() throws Exception {
        Tracefs tracefs = KernelTests.require();
        List<Probe> probes = probes();
        Map<String, List<String>> kernel = new LinkedHashMap<>();
        Path instance = tracefs.root().resolve("instances").resolve("tracepoint-fetch-it-" + PID + "-" + System.nanoTime());
        List<String> events = new ArrayList<>();
        Files.createDirectory(instance);
        try {
            // the oracle, alone: the kernel's formatter in a private instance, for one run of the child
            List<ProbeDefinition> defs = new ArrayList<>();
            try {
                for (Probe p : probes) {
                    ProbeDefinition d = Probes.define(tracefs, p);
                    defs.add(d);
                    events.add(d.tracepoint().replace(':', '/'));
                    kernel.put(p.name(), new ArrayList<>());
                }
                long[] pid = new long[1];
                try {
                    UprobeIT.runChild(binary, childPid -> {
                        pid[0] = childPid;
                        for (String ev : events) {
                            Path dir = instance.resolve("events").resolve(ev);
                            try {
                                Files.writeString(dir.resolve("filter"), "common_pid == " + childPid + "\n");
                                Files.writeString(dir.resolve("enable"), "1\n");
                            } catch (IOException ex) {
                                throw new java.io.UncheckedIOException(ex);
                            }
                        }
                    });
                } finally {
                    UprobeIT.disable(instance, events.toArray(String[]::new));
                }
                Pattern l = Pattern.compile("-" + pid[0] + "\\s+\\[\\d+\\].*?\\s(" + String.join("|", kernel.keySet()) + "): (.*)$");
                for (String s : Files.readAllLines(instance.resolve("trace"))) {
                    Matcher m = l.matcher(s);
                    if (m.find()) {
                        kernel.get(m.group(1)).add(m.group(2));
                    }
                }
            } finally {
                for (ProbeDefinition d : defs) {
                    d.close();
                }
            }
            for (Map.Entry<String, List<String>> k : kernel.entrySet()) {
                assertThat(k.getValue()).as("the kernel's lines of " + k.getKey()).hasSize(5);
            }

            // the library, on the same definitions made again, for a second run of the child
            Map<String, List<String>> ours = new ConcurrentHashMap<>();
            List<String> typed = new CopyOnWriteArrayList<>();
            List<String> mismatches = new CopyOnWriteArrayList<>();
            long[] child = {-1};
            try (TracepointStream stream = TracepointStream.builder().build()) {
                for (Probe p : probes) {
                    Subscription sub = Probes.enable(stream, p).filter("common_pid != " + PID);
                    Map<String, String> types = fetchTypes(p);
                    List<String> lines = new CopyOnWriteArrayList<>();
                    ours.put(p.name(), lines);
                    if (p.name().equals("tp_typed")) {
                        TypedHit hit = sub.bind(TypedHit.class);
                        EventFormat f = sub.format();
                        sub.onEvent(e -> {
                            if (e.pid() != child[0]) {
                                return;
                            }
                            lines.add(line(e, p, types));
                            // the interface reads what the view reads, field by field
                            if (hit.a() != e.getLong(f.requireField("a")) || hit.b() != e.getLong(f.requireField("b"))
                                    || hit.c() != e.getLong(f.requireField("c")) || hit.d() != e.getLong(f.requireField("d"))
                                    || hit.bf() != e.getLong(f.requireField("bf")) || !hit.name().equals(e.getString(f.requireField("name")))
                                    || hit.arr(3) != e.getElement(f.requireField("arr"), 3)
                                    || !hit.names(1).equals(e.getString(f.requireField("names"), 1))) {
                                mismatches.add(e.toString());
                            }
                        });
                        sub.onEvent(TypedHit.class, MethodHandles.lookup(), h -> {
                            if (h.pid() == child[0]) {
                                typed.add(typedLine(h, h.view().getLong(h.view().format().requireField("__probe_ip"))));
                            }
                        });
                    } else {
                        sub.onEvent(e -> {
                            if (e.pid() == child[0]) {
                                lines.add(line(e, p, types));
                            }
                        });
                    }
                }
                stream.startAsync();
                UprobeIT.runChild(binary, pid -> child[0] = pid);
                assertThat(KernelTests.await(() -> ours.values().stream().allMatch(v -> v.size() >= 5) && typed.size() >= 5,
                        UprobeIT.WAIT)).as("5 hits of every probe: " + ours).isTrue();
            }
            assertThat(new DynamicEvents(tracefs.root()).definitions()).noneMatch(d -> d[0].equals(DynamicEvents.ownGroup()));

            for (Probe p : probes) {
                assertThat(ours.get(p.name())).as(p.name() + ": the library's text against the kernel's")
                        .containsExactlyInAnyOrderElementsOf(kernel.get(p.name()));
            }
            assertThat(mismatches).as("typed accessors against EventView").isEmpty();
            assertThat(typed).as("tp_typed through the typed interface").containsExactlyInAnyOrderElementsOf(kernel.get("tp_typed"));

            // a few literal values: the child really ran, and each kind of fetch really fetched
            byte[] code = new byte[4];
            ElfFile elf = ElfFile.open(binary);
            try (var ch = java.nio.channels.FileChannel.open(binary)) {
                ch.read(ByteBuffer.wrap(code), elf.functionOffset("tp_fetch") + 4);
            }
            String insn = "0x" + Integer.toHexString(ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN).getInt());
            assertThat(kernel.get("tp_ints")).anySatisfy(s -> assertThat(s).contains(" u8=207 u16=64536 u32=4294897296 ")
                    .contains(" s8=-49 s16=-1000 s32=-70000 s64=1234605616436508553 x8=0xcf x16=0xfc18 x32=0xfffeee90 x64=0x1122334455667789 ch='r' ")
                    .contains(" imm=0x4d2 imm8=31"));
            assertThat(kernel.get("tp_bits")).anySatisfy(s -> assertThat(s).contains(" b1=1 b3=6 "));
            assertThat(kernel.get("tp_arrays")).anySatisfy(s -> assertThat(s).contains(" cs={'r','e','c','-','1'} one={-70000}"));
            assertThat(kernel.get("tp_strings")).anySatisfy(s -> assertThat(s)
                    .contains(" name=\"rec-5\" s=\"call 5\" who=\"tp_fetch\" names={\"first-5\",\"second-5\"} unames={\"first-5\",\"second-5\"}")
                    .contains(" first={\"first-5\"} deref=\"first-5\" tail=\"econd-5\" bad=(fault) ubad=(fault) badarr={(fault)} imms=(fault)"));
            assertThat(kernel.get("tp_memory")).allSatisfy(s -> assertThat(s).contains(" file=" + insn + " abs=" + insn + " ")
                    .contains(" nchar='e' ").contains(" neg4=-").contains(" negnest="));
            assertThat(kernel.get("tp_ret")).anySatisfy(s -> assertThat(s).endsWith(" ret64=-70007 ret32=-70007 ret16=61065 retx8=0x89 who=\"tp_fetch\""));
        } finally {
            UprobeIT.disable(instance, events.toArray(String[]::new));
            Files.delete(instance);
        }
    }

    /** Types the uprobe tracer rejects ({@code symbol}, {@code symstr}: kernel addresses) fail quoting its error_log. */
    @Test
    void typesTheUprobeTracerRejectsQuoteTheKernel() throws Exception {
        Tracefs tracefs = KernelTests.require();
        Probe at = Probe.uprobe(binary, "tp_fetch");
        Map<String, String> rejected = new LinkedHashMap<>();
        rejected.put(r("%ip", "%pc") + ":symbol", "Unknown type is specified");
        rejected.put("+0(" + reg(0) + "):symstr", "Unknown type is specified");
        rejected.put(reg(0) + ":string", "String accepts only memory argument");
        rejected.put(reg(0) + ":u8[2]", "String accepts only memory argument"); // the kernel's message for arrays too
        rejected.put("+0(" + reg(0) + "):u8[65]", "Array number is too big");
        rejected.put("+0(" + reg(0) + "):b9@0/8", "Invalid bitfield");
        rejected.put("$comm:u32", "$comm and immediate-string only accepts string type");
        rejected.put("$retval", "$retval is not available on probe");
        rejected.put("$arg1", "$arg* can be used only on function entry or exit");
        int i = 0;
        for (Map.Entry<String, String> r : rejected.entrySet()) {
            Probe p = at.named("tp_rejected_" + i++).fetch("x", r.getKey());
            assertThatThrownBy(() -> Probes.define(tracefs, p)).as(r.getKey())
                    .isInstanceOf(ProbeException.class)
                    .hasMessageContaining("the kernel rejected the probe definition 'p:tp_" + PID + "/" + p.name() + " ")
                    .hasMessageContaining("trace_uprobe: error: " + r.getValue())
                    .satisfies(e -> assertThat(((ProbeException) e).kernelError()).contains("x=" + r.getKey()).endsWith("^"));
            assertThat(tracefs.exists("tp_" + PID + ":" + p.name())).isFalse();
        }
        assertThat(new DynamicEvents(tracefs.root()).definitions()).noneMatch(d -> d[0].equals(DynamicEvents.ownGroup()));
    }
}
