package dev.tracepoint.core;

import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The symbolizer against synthetic tables (module symbols, aliases, data, gaps, hidden addresses) and
 * against the running kernel's {@code /proc/kallsyms}, whose expectations the test computes independently
 * from the raw lines.
 */
class KernelSymbolsTest {

    /** A synthetic table in /proc/kallsyms format: kernel text, an alias, data, _etext, and two modules listed out of order. */
    static final String SYNTHETIC = """
            ffffffff81000000 T _stext
            ffffffff81000000 T _text
            ffffffff81000100 t first_func
            ffffffff81000200 W weak_func
            ffffffff81000280 T preferred_alias
            ffffffff81000280 T __other_alias
            ffffffff81000300 T last_text_func
            ffffffff81000400 T _etext
            ffffffff81200000 D __start_rodata
            ffffffff81200100 d some_data
            ffffffff81300000 T _sinittext
            ffffffff81300000 B __init_begin
            ffffffff81300040 t init_func
            ffffffff81300080 T _einittext
            ffffffffc0002000 t nft_second\t[nf_tables]
            ffffffffc0001000 t nft_do_chain\t[nf_tables]
            ffffffffc0001040 T nft_first_half\t[nf_tables]
            ffffffffc0003000 d nft_data\t[nf_tables]
            ffffffffc0010000 t veth_xmit\t[veth]
            ffffffffc0010200 t veth_open\t[veth]
            not a symbol line
            """;

    static KernelSymbols synthetic() {
        return KernelSymbols.parse(SYNTHETIC.getBytes(StandardCharsets.US_ASCII), "synthetic");
    }

    @Test
    void exactAddressAndOffsetsLikePercentPS() {
        KernelSymbols s = synthetic();
        assertThat(s.addressesHidden()).isFalse();
        assertThat(s.symbolize(0xffffffff81000100L)).isEqualTo("first_func+0x0/0x100");
        assertThat(s.symbolize(0xffffffff81000105L)).isEqualTo("first_func+0x5/0x100");
        assertThat(s.symbolize(0xffffffff810001ffL)).isEqualTo("first_func+0xff/0x100");
        assertThat(s.symbolize(0xffffffff81000210L)).isEqualTo("weak_func+0x10/0x80");
        assertThat(s.symbolize(0xffffffff810003ffL)).isEqualTo("last_text_func+0xff/0x100");
        assertThat(s.symbolize(0xffffffff81300044L)).isEqualTo("init_func+0x4/0x40");
    }

    @Test
    void aliasesResolveToTheFirstListedTextSymbol() {
        KernelSymbols s = synthetic();
        assertThat(s.symbolize(0xffffffff81000000L)).isEqualTo("_stext+0x0/0x100");
        assertThat(s.symbolize(0xffffffff81000290L)).isEqualTo("preferred_alias+0x10/0x80");
        // a text symbol shares its address with a data marker: text wins
        assertThat(s.symbolize(0xffffffff81300010L)).isEqualTo("_sinittext+0x10/0x40");
    }

    @Test
    void moduleSymbolsAreSortedInAndCarryTheirModule() {
        KernelSymbols s = synthetic();
        assertThat(s.symbolize(0xffffffffc0001010L)).isEqualTo("nft_do_chain+0x10/0x40 [nf_tables]");
        assertThat(s.symbolize(0xffffffffc0001040L)).isEqualTo("nft_first_half+0x0/0xfc0 [nf_tables]");
        assertThat(s.symbolize(0xffffffffc0002abcL)).isEqualTo("nft_second+0xabc/0x1000 [nf_tables]");
        assertThat(s.symbolize(0xffffffffc0010004L)).isEqualTo("veth_xmit+0x4/0x200 [veth]");
        int i = s.indexOf(0xffffffffc0001010L);
        assertThat(s.name(i)).isEqualTo("nft_do_chain");
        assertThat(s.module(i)).isEqualTo("nf_tables");
        assertThat(s.type(i)).isEqualTo('t');
        assertThat(s.address(i)).isEqualTo(0xffffffffc0001000L);
        assertThat(s.symbolSize(i)).isEqualTo(0x40);
        assertThat(s.offset(i, 0xffffffffc0001010L)).isEqualTo(0x10);
        assertThat(s.module(s.indexOf(0xffffffff81000100L))).isNull();
    }

    @Test
    void addressesOutsideAnyFunctionAreHex() {
        KernelSymbols s = synthetic();
        assertThat(s.symbolize(0x1000L)).isEqualTo("0x1000");
        assertThat(s.symbolize(0L)).isEqualTo("0x0");
        assertThat(s.symbolize(0xffffffff80ffffffL)).isEqualTo("0xffffffff80ffffff"); // below the first symbol
        assertThat(s.symbolize(0xffffffff81000400L)).isEqualTo("0xffffffff81000400"); // _etext itself
        assertThat(s.symbolize(0xffffffff81100000L)).isEqualTo("0xffffffff81100000"); // gap after _etext
        assertThat(s.symbolize(0xffffffff81200010L)).isEqualTo("0xffffffff81200010"); // rodata
        assertThat(s.symbolize(0xffffffff81300090L)).isEqualTo("0xffffffff81300090"); // after _einittext
        assertThat(s.symbolize(0xffffffffc0003010L)).isEqualTo("0xffffffffc0003010"); // module data
        assertThat(s.symbolize(0xffffffffc0010300L)).isEqualTo("0xffffffffc0010300"); // past the last symbol
        assertThat(s.symbolize(-1L)).isEqualTo("0xffffffffffffffff");
        assertThat(s.indexOf(0x1000L)).isEqualTo(-1);
    }

    @Test
    void nameLookupAndMalformedLines() {
        KernelSymbols s = synthetic();
        assertThat(s.size()).isEqualTo(20); // the malformed line is skipped
        int i = s.indexOfName("init_func");
        assertThat(i).isGreaterThanOrEqualTo(0);
        assertThat(s.address(i)).isEqualTo(0xffffffff81300040L);
        assertThat(s.nameEquals(i, "init_func")).isTrue();
        assertThat(s.nameEquals(i, "init_fun")).isFalse();
        assertThat(s.indexOfName("some_data")).isEqualTo(-1); // data symbols do not name code
        assertThat(s.indexOfName("nope")).isEqualTo(-1);
    }

    @Test
    void allZeroAddressesMeanHidden(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path f = dir.resolve("kallsyms");
        Files.writeString(f, """
                0000000000000000 T _stext
                0000000000000000 t first_func
                0000000000000000 T tcp_v4_rcv
                0000000000000000 t nft_do_chain\t[nf_tables]
                """);
        KernelSymbols s = KernelSymbols.load(f);
        assertThat(s.addressesHidden()).isTrue();
        assertThat(s.size()).isZero();
        assertThat(s.indexOf(0xffffffff81000100L)).isEqualTo(-1);
        assertThat(s.symbolize(0xffffffff820a7f2cL)).isEqualTo("0xffffffff820a7f2c");
        assertThat(s.toString()).contains("hidden");
    }

    @Test
    void emptyTableIsNotHidden() {
        KernelSymbols s = KernelSymbols.parse(new byte[0], "empty");
        assertThat(s.addressesHidden()).isFalse();
        assertThat(s.symbolize(0xffffffff81000000L)).isEqualTo("0xffffffff81000000");
    }

    @Test
    void hexLikeTheKernel() {
        assertThat(KernelSymbols.appendHex(new StringBuilder(), 0).toString()).isEqualTo("0x0");
        assertThat(KernelSymbols.appendHex(new StringBuilder(), 0x1a2).toString()).isEqualTo("0x1a2");
        assertThat(KernelSymbols.appendHex(new StringBuilder(), Long.MIN_VALUE).toString()).isEqualTo("0x8000000000000000");
    }

    @Test
    void lookupsDoNotAllocate() {
        KernelSymbols s = synthetic();
        StringBuilder sb = new StringBuilder(256);
        long[] probes = {0xffffffff81000105L, 0xffffffffc0001010L, 0x1000L, 0xffffffff81200010L};
        long sink = 0;
        for (int warm = 0; warm < 3; warm++) {
            long before = allocatedBytes();
            for (int i = 0; i < 200_000; i++) {
                long a = probes[i & 3];
                sink += s.indexOf(a);
                sb.setLength(0);
                s.appendSymbol(sb, a);
                sink += sb.length();
            }
            long allocated = allocatedBytes() - before;
            if (warm == 2) {
                assertThat(allocated).as("bytes allocated by 200k lookups").isLessThan(4096);
            }
        }
        assertThat(sink).isNotZero();
    }

    /**
     * This thread's allocated bytes, through reflection: the test is compiled into the core module, which does
     * not read java.management (tests run on the class path, where the call is allowed).
     */
    static long allocatedBytes() {
        try {
            Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes").invoke(mx);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ the running kernel

    /** Raw /proc/kallsyms lines, parsed independently of the class under test. */
    record Line(long address, char type, String name, String module) {
    }

    static List<Line> procLines() throws IOException {
        return Files.readAllLines(KernelSymbols.PROC_KALLSYMS).stream()
                .map(l -> l.split("\\s+"))
                .filter(p -> p.length >= 3)
                .map(p -> new Line(Long.parseUnsignedLong(p[0], 16), p[1].charAt(0), p[2],
                        p.length > 3 ? p[3].substring(1, p[3].length() - 1) : null))
                .toList();
    }

    static KernelSymbols requireRealKernel() throws IOException {
        boolean readable = Files.isReadable(KernelSymbols.PROC_KALLSYMS);
        if (KernelTests.ci()) {
            assertThat(readable).as("CI must be able to read " + KernelSymbols.PROC_KALLSYMS).isTrue();
        } else {
            assumeTrue(readable, "/proc/kallsyms is not readable; skipped outside CI");
        }
        KernelSymbols s = KernelSymbols.system();
        if (KernelTests.ci()) {
            assertThat(s.addressesHidden()).as("CI runs as root, where /proc/kallsyms shows real addresses").isFalse();
        } else {
            assumeTrue(!s.addressesHidden(), "/proc/kallsyms hides addresses (not root); skipped outside CI");
        }
        return s;
    }

    @Test
    void realKernelKnownSymbols() throws IOException {
        KernelSymbols s = requireRealKernel();
        assertThat(KernelSymbols.system()).isSameAs(s); // loaded once
        List<Line> lines = procLines();
        TreeSet<Long> all = new TreeSet<>(Long::compareUnsigned);
        Map<String, Line> firstText = new HashMap<>();
        for (Line l : lines) {
            all.add(l.address());
            if ("tTwW".indexOf(l.type()) >= 0) {
                firstText.putIfAbsent(l.name(), l);
            }
        }
        assertThat(s.size()).isGreaterThan(1000);
        // functions every networking kernel has, and the drop helper of this kernel generation
        List<String> names = firstText.containsKey("sk_skb_reason_drop")
                ? List.of("tcp_v4_rcv", "udp_rcv", "sk_skb_reason_drop")
                : List.of("tcp_v4_rcv", "udp_rcv", "kfree_skb_reason");
        for (String name : names) {
            Line l = firstText.get(name);
            assertThat(l).as(name + " in /proc/kallsyms").isNotNull();
            long size = all.higher(l.address()) - l.address();
            assertThat(size).isPositive();
            String hexSize = "0x" + Long.toHexString(size);
            String module = l.module() == null ? "" : " [" + l.module() + "]";
            // the kernel prints the first listed alias; these names have none in practice, but stay robust
            int i = s.indexOf(l.address());
            assertThat(i).isGreaterThanOrEqualTo(0);
            if (s.address(i) == l.address() && s.nameEquals(i, name)) {
                assertThat(s.symbolize(l.address())).isEqualTo(name + "+0x0/" + hexSize + module);
                assertThat(s.symbolize(l.address() + 5)).isEqualTo(name + "+0x5/" + hexSize + module);
                assertThat(s.symbolize(l.address() + size - 1))
                        .isEqualTo(name + "+0x" + Long.toHexString(size - 1) + "/" + hexSize + module);
            }
            assertThat(s.symbolSize(i)).isEqualTo(size);
            assertThat(s.indexOfName(name)).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void realKernelOutOfRange() throws IOException {
        KernelSymbols s = requireRealKernel();
        List<Line> lines = procLines();
        long lowest = lines.stream().mapToLong(Line::address).filter(a -> a != 0)
                .reduce((a, b) -> Long.compareUnsigned(a, b) <= 0 ? a : b).orElseThrow();
        long below = lowest - 0x100000;
        assertThat(s.symbolize(below)).isEqualTo("0x" + Long.toHexString(below));
        assertThat(s.symbolize(0x1000)).isEqualTo("0x1000"); // user-space addresses are never kernel code
        Line etext = lines.stream().filter(l -> l.name().equals("_etext")).findFirst().orElse(null);
        if (etext != null) {
            assertThat(s.symbolize(etext.address())).isEqualTo("0x" + Long.toHexString(etext.address()));
        }
        Line rodata = lines.stream().filter(l -> l.name().equals("__start_rodata")).findFirst().orElse(null);
        if (rodata != null) {
            assertThat(s.symbolize(rodata.address() + 0x10)).isEqualTo("0x" + Long.toHexString(rodata.address() + 0x10));
        }
    }

    @Test
    void realKernelModuleSymbolsCarryTheirModule() throws IOException {
        KernelSymbols s = requireRealKernel();
        List<Line> modules = procLines().stream().filter(l -> l.module() != null && "tT".indexOf(l.type()) >= 0).toList();
        if (modules.isEmpty()) {
            // a kernel without loaded modules (none here: no /proc/modules): no symbol may claim a module
            for (int i = 0; i < s.size(); i++) {
                assertThat(s.module(i)).as("module of %s", s.name(i)).isNull();
            }
            return;
        }
        Line mod = modules.get(0);
        int i = s.indexOf(mod.address());
        assertThat(i).isGreaterThanOrEqualTo(0);
        assertThat(s.symbolize(mod.address())).endsWith(" [" + s.module(i) + "]").contains("+0x0/0x");
    }
}
