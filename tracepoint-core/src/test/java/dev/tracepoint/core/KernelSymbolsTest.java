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
        assertThat(s.symbolize(0xffffffffc0012000L)).isEqualTo("0xffffffffc0012000"); // past the last symbol's bound
        assertThat(s.symbolize(-1L)).isEqualTo("0xffffffffffffffff");
        assertThat(s.indexOf(0x1000L)).isEqualTo(-1);
    }

    /** The real last line of a 6.18 /proc/kallsyms: an ftrace trampoline, in a pseudo-module of its own. */
    static final String FTRACE_TRAMPOLINE = "ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]\n";

    /** A pseudo-module symbol in the middle of the table: a BPF program, between the modules and the trampoline. */
    static final String BPF_PROG = "ffffffffc0100000 t bpf_prog_6deef7357e7b4530_sd_fw_ingress\t[bpf]\n";

    @Test
    void aPseudoModuleSymbolOnTheLastLineResolvesWithinItsPage() {
        KernelSymbols s = KernelSymbols.parse((SYNTHETIC + BPF_PROG + FTRACE_TRAMPOLINE).getBytes(StandardCharsets.US_ASCII),
                "synthetic with pseudo-modules");
        int i = s.indexOf(0xffffffffc0201000L);
        assertThat(i).as("the last symbol of the table").isGreaterThanOrEqualTo(0);
        assertThat(s.name(i)).isEqualTo("ftrace_trampoline");
        assertThat(s.module(i)).isEqualTo("__builtin__ftrace");
        assertThat(s.symbolSize(i)).isEqualTo(0x1000);
        assertThat(s.symbolize(0xffffffffc0201000L)).isEqualTo("ftrace_trampoline+0x0/0x1000 [__builtin__ftrace]");
        assertThat(s.symbolize(0xffffffffc0201abcL)).isEqualTo("ftrace_trampoline+0xabc/0x1000 [__builtin__ftrace]");
        assertThat(s.symbolize(0xffffffffc0201fffL)).isEqualTo("ftrace_trampoline+0xfff/0x1000 [__builtin__ftrace]");
        assertThat(s.indexOf(0xffffffffc0202000L)).as("past the page bound").isEqualTo(-1);
        assertThat(s.symbolize(0xffffffffc0202000L)).isEqualTo("0xffffffffc0202000");

        // the BPF program is the last of its owner too: bounded by its page, not by the trampoline 1 MiB above
        assertThat(s.symbolize(0xffffffffc0100ff0L)).isEqualTo("bpf_prog_6deef7357e7b4530_sd_fw_ingress+0xff0/0x1000 [bpf]");
        assertThat(s.symbolize(0xffffffffc0101000L)).isEqualTo("0xffffffffc0101000");
        assertThat(s.symbolize(0xffffffffc01fffffL)).isEqualTo("0xffffffffc01fffff");
        // and so is the last symbol of veth, which starts off a page boundary: one page past it, rounded up
        assertThat(s.symbolize(0xffffffffc0011fffL)).isEqualTo("veth_open+0x1dff/0x1e00 [veth]");
        assertThat(s.symbolize(0xffffffffc0012000L)).isEqualTo("0xffffffffc0012000");
        // the rest of the table is bounded as before
        assertThat(s.symbolize(0xffffffffc0002abcL)).isEqualTo("nft_second+0xabc/0x1000 [nf_tables]");
        assertThat(s.symbolize(0xffffffff810003ffL)).isEqualTo("last_text_func+0xff/0x100");
        assertThat(s.size()).isEqualTo(22);
    }

    /** /proc/modules for {@link #SYNTHETIC}: nf_tables and veth (tainted), a module without symbols, noise. */
    static final String MODULES = """
            nf_tables 20480 2 nft_chain_nat, Live 0xffffffffc0001000
            veth 3584 0 - Live 0xffffffffc0010000 (OE)
            unrelated 8192 0 - Live 0xffffffffc0400000
            hidden_mod 8192 0 - Live 0x0000000000000000
            truncated 8192 0
            """;

    @Test
    void aModuleListedInProcModulesEndsAtItsEnd() {
        byte[] kallsyms = (SYNTHETIC + BPF_PROG + FTRACE_TRAMPOLINE).getBytes(StandardCharsets.US_ASCII);
        KernelSymbols s = KernelSymbols.parse(kallsyms, MODULES.getBytes(StandardCharsets.US_ASCII), "synthetic");
        // veth spans [0xffffffffc0010000, +0xe00): its last function ends there, not at the page bound
        int i = s.indexOf(0xffffffffc0010200L);
        assertThat(s.name(i)).isEqualTo("veth_open");
        assertThat(s.symbolSize(i)).isEqualTo(0xc00);
        assertThat(s.symbolize(0xffffffffc0010dffL)).isEqualTo("veth_open+0xbff/0xc00 [veth]");
        assertThat(s.indexOf(0xffffffffc0010e00L)).as("past the module's end").isEqualTo(-1);
        assertThat(s.symbolize(0xffffffffc0010e00L)).isEqualTo("0xffffffffc0010e00");
        assertThat(s.symbolize(0xffffffffc0010004L)).isEqualTo("veth_xmit+0x4/0x200 [veth]");
        // nf_tables spans [0xffffffffc0001000, 0xffffffffc0006000): its last symbol (data) ends there
        int data = s.indexOfName("nft_second") + 1;
        assertThat(s.name(data)).isEqualTo("nft_data");
        assertThat(s.address(data) + s.symbolSize(data)).isEqualTo(0xffffffffc0006000L);
        assertThat(s.symbolize(0xffffffffc0002abcL)).isEqualTo("nft_second+0xabc/0x1000 [nf_tables]");
        // modules /proc/modules does not list keep the page bound
        assertThat(s.symbolize(0xffffffffc0201fffL)).isEqualTo("ftrace_trampoline+0xfff/0x1000 [__builtin__ftrace]");
        assertThat(s.symbolize(0xffffffffc0101000L)).isEqualTo("0xffffffffc0101000");
        // without the /proc/modules text, veth's last function gets the page bound again
        KernelSymbols without = KernelSymbols.parse(kallsyms, null, "synthetic");
        assertThat(without.symbolize(0xffffffffc0010e00L)).isEqualTo("veth_open+0xc00/0x1e00 [veth]");
    }

    @Test
    void aModuleEndNeverReachesPastTheNextSymbol() {
        String kallsyms = """
                ffffffffc0001000 t a_first\t[mod_a]
                ffffffffc0001800 t a_last\t[mod_a]
                ffffffffc0002000 t b_first\t[mod_b]
                ffffffffc0002100 t b_last\t[mod_b]
                ffffffffc0002200 t hidden_last\t[mod_hidden]
                """;
        // mod_a's size overlaps mod_b (as a size that counts the module's data can); mod_hidden's address is hidden
        String modules = """
                mod_a 16384 0 - Live 0xffffffffc0001000
                mod_b 256 0 - Loading 0xffffffffc0002000
                mod_hidden 4096 0 - Live 0x0000000000000000
                """;
        KernelSymbols s = KernelSymbols.parse(kallsyms.getBytes(StandardCharsets.US_ASCII),
                modules.getBytes(StandardCharsets.US_ASCII), "overlapping modules");
        assertThat(s.symbolize(0xffffffffc0001fffL)).isEqualTo("a_last+0x7ff/0x800 [mod_a]");
        assertThat(s.symbolize(0xffffffffc0002000L)).isEqualTo("b_first+0x0/0x100 [mod_b]");
        // mod_b ends at 0xffffffffc0002100, where b_last starts: b_last lies outside the module and gets the page
        // bound, cut short by the next symbol (another module's)
        assertThat(s.symbolize(0xffffffffc00021ffL)).isEqualTo("b_last+0xff/0x100 [mod_b]");
        assertThat(s.symbolize(0xffffffffc0003fffL)).isEqualTo("hidden_last+0x1dff/0x1e00 [mod_hidden]");
        assertThat(s.symbolize(0xffffffffc0004000L)).isEqualTo("0xffffffffc0004000");
    }

    @Test
    void aTableWithoutPseudoModulesBoundsItsLastSymbolsByPage() {
        String kernelOnly = """
                ffffffff81000000 T _text
                ffffffff81000100 t first_func
                ffffffff81000340 T last_func
                """;
        KernelSymbols s = KernelSymbols.parse(kernelOnly.getBytes(StandardCharsets.US_ASCII), "kernel only");
        assertThat(s.symbolize(0xffffffff81000340L)).isEqualTo("last_func+0x0/0x1cc0");
        assertThat(s.symbolize(0xffffffff81001fffL)).isEqualTo("last_func+0x1cbf/0x1cc0");
        assertThat(s.symbolize(0xffffffff81002000L)).isEqualTo("0xffffffff81002000");
        assertThat(s.symbolize(0xffffffff81000110L)).isEqualTo("first_func+0x10/0x240");
        for (int i = 0; i < s.size(); i++) {
            assertThat(s.module(i)).isNull();
        }

        // the last function of the kernel image, followed by a module far above: bounded by the page, not the gap
        KernelSymbols withModule = KernelSymbols.parse((kernelOnly + "ffffffffc0001000 t m_func\t[m]\n")
                .getBytes(StandardCharsets.US_ASCII), "kernel and a module");
        assertThat(withModule.symbolize(0xffffffff81001fffL)).isEqualTo("last_func+0x1cbf/0x1cc0");
        assertThat(withModule.symbolize(0xffffffff81002000L)).isEqualTo("0xffffffff81002000");
        assertThat(withModule.symbolize(0xffffffffc0001004L)).isEqualTo("m_func+0x4/0x1000 [m]");
        assertThat(withModule.symbolize(0xffffffffc0002000L)).isEqualTo("0xffffffffc0002000");

        // the page bound of a symbol near the top of the address space stops at the top
        KernelSymbols top = KernelSymbols.parse("fffffffffffff800 t top_func\n".getBytes(StandardCharsets.US_ASCII), "top");
        assertThat(top.symbolize(0xfffffffffffffffeL)).isEqualTo("top_func+0x7fe/0x7ff");
        assertThat(top.symbolize(0xffffffffffffffffL)).isEqualTo("0xffffffffffffffff");
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
        @Override
        public String toString() {
            return Long.toHexString(address) + " " + type + " " + name + (module == null ? "" : " [" + module + "]");
        }
    }

    static List<Line> procLines() throws IOException {
        return lines(Files.readAllLines(KernelSymbols.PROC_KALLSYMS));
    }

    static List<Line> lines(List<String> kallsyms) {
        return kallsyms.stream()
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

    /** A /proc/modules line, parsed independently of the class under test. */
    record Module(String name, long start, long end) {
        @Override
        public String toString() {
            return name + " [" + Long.toHexString(start) + ", " + Long.toHexString(end) + ")";
        }
    }

    /** @return /proc/modules, or null without module support (no such file) or when it is not readable */
    static byte[] procModulesBytes() {
        try {
            return Files.readAllBytes(KernelSymbols.PROC_MODULES);
        } catch (IOException e) {
            return null;
        }
    }

    static List<Module> modules(byte[] procModules) {
        if (procModules == null) {
            return List.of();
        }
        return new String(procModules, StandardCharsets.ISO_8859_1).lines().map(l -> l.split("\\s+"))
                .filter(p -> p.length >= 6 && p[5].startsWith("0x") && Long.parseUnsignedLong(p[5].substring(2), 16) != 0)
                .map(p -> {
                    long start = Long.parseUnsignedLong(p[5].substring(2), 16);
                    return new Module(p[0], start, start + Long.parseLong(p[1]));
                })
                .toList();
    }

    /**
     * Every module text symbol of the running kernel (pseudo-modules included) resolves at its own address
     * with its module, whichever modules are loaded; the symbol with the highest address, often a
     * pseudo-module's, resolves too; and no symbol reaches past the next one or past its module's end. The
     * table is parsed from the same snapshot of the files the expectations come from, so a module loaded
     * meanwhile cannot make it fail; the shared table ({@link KernelSymbols#system()}, which reads
     * /proc/modules itself) is held to the module ends.
     */
    @Test
    void realKernelModuleSymbolsCarryTheirModule() throws IOException {
        KernelSymbols system = requireRealKernel();
        byte[] raw = Files.readAllBytes(KernelSymbols.PROC_KALLSYMS);
        byte[] procModules = procModulesBytes();
        KernelSymbols s = KernelSymbols.parse(raw, procModules, "snapshot of " + KernelSymbols.PROC_KALLSYMS);
        List<Line> lines = lines(new String(raw, StandardCharsets.ISO_8859_1).lines().toList());
        List<Line> moduleText = lines.stream().filter(l -> l.module() != null && "tTwW".indexOf(l.type()) >= 0).toList();
        if (moduleText.isEmpty()) {
            // a kernel without loaded modules or pseudo-module symbols: no symbol may claim a module
            for (int i = 0; i < s.size(); i++) {
                assertThat(s.module(i)).as("module of %s", s.name(i)).isNull();
            }
        }
        // the first text symbol listed at each address is the one an address resolves to
        Map<Long, Line> firstTextAt = new HashMap<>();
        TreeSet<Long> all = new TreeSet<>(Long::compareUnsigned);
        for (Line l : lines) {
            all.add(l.address());
            if ("tTwW".indexOf(l.type()) >= 0 && !l.name().equals("_etext") && !l.name().equals("_einittext")) {
                firstTextAt.putIfAbsent(l.address(), l);
            }
        }
        for (Line l : moduleText) {
            Line expected = firstTextAt.get(l.address());
            int i = s.indexOf(l.address());
            assertThat(i).as("index of %s", l).isGreaterThanOrEqualTo(0);
            assertThat(s.address(i)).as("address of %s", l).isEqualTo(l.address());
            assertThat(s.name(i)).as("name at %s", l).isEqualTo(expected.name());
            assertThat(s.module(i)).as("module of %s", l).isEqualTo(expected.module());
            long size = s.symbolSize(i);
            assertThat(size).as("size of %s", l).isPositive();
            Long next = all.higher(l.address());
            if (next != null) {
                assertThat(Long.compareUnsigned(l.address() + size, next)).as("%s ends by the next symbol", l).isLessThanOrEqualTo(0);
            }
            String module = expected.module() == null ? "" : " [" + expected.module() + "]";
            assertThat(s.symbolize(l.address())).isEqualTo(expected.name() + "+0x0/0x" + Long.toHexString(size) + module);
            assertThat(s.indexOf(l.address() + size - 1)).as("last byte of %s", l).isEqualTo(i);
        }

        // the symbol with the highest address: this is where a last line such as ftrace_trampoline
        // [__builtin__ftrace] went unresolved; it resolves when it is code, and its bound ends it
        Line last = lines.stream().filter(l -> l.address() == all.last()).findFirst().orElseThrow();
        Line lastText = firstTextAt.get(last.address());
        int i = s.indexOf(last.address());
        if (lastText == null) {
            assertThat(i).as("the highest symbol %s is not code", last).isEqualTo(-1);
        } else {
            assertThat(i).as("the highest symbol %s", last).isGreaterThanOrEqualTo(0);
            assertThat(s.nameEquals(i, lastText.name())).as("%s named %s", last, s.name(i)).isTrue();
            long end = s.address(i) + s.symbolSize(i);
            assertThat(s.indexOf(end - 1)).isEqualTo(i);
            assertThat(s.indexOf(end)).as("past the end of %s", last).isEqualTo(-1);
        }

        // the modules /proc/modules lists (none without module support): their symbols end within them
        List<Module> modules = modules(procModules);
        for (KernelSymbols table : List.of(s, system)) {
            for (Module m : modules) {
                for (int k = 0; k < table.size(); k++) {
                    if (m.name().equals(table.module(k)) && Long.compareUnsigned(table.address(k), m.start()) >= 0
                            && Long.compareUnsigned(table.address(k), m.end()) < 0) {
                        assertThat(Long.compareUnsigned(table.address(k) + table.symbolSize(k), m.end()))
                                .as("%s in %s ends within %s", table.name(k), table, m).isLessThanOrEqualTo(0);
                    }
                }
            }
        }
    }
}
