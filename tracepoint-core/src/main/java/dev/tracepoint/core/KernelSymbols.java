package dev.tracepoint.core;

import dev.tracepoint.core.internal.symbols.SymbolIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The kernel's symbol table ({@code /proc/kallsyms}) as a sorted, immutable index, to turn code addresses
 * that tracepoints record (drop locations, call sites, return addresses) into the text the kernel's own
 * {@code %pS} prints: {@code tcp_v4_rcv+0x1a2/0x8f0}, or {@code nft_do_chain+0x10/0x40 [nf_tables]} for a
 * module symbol.
 *
 * {@snippet :
 * KernelSymbols symbols = KernelSymbols.system();       // reads /proc/kallsyms once per JVM
 * String where = symbols.symbolize(location);            // "__udp4_lib_rcv+0x4bc/0xd00"
 * // allocation-free, for a hot path:
 * int i = symbols.indexOf(location);
 * if (i >= 0 && symbols.nameEquals(i, "tcp_v4_rcv")) { ... }
 * symbols.appendSymbol(line, location);
 * }
 *
 * <h2>How an address is resolved</h2>
 * Like the kernel's {@code kallsyms_lookup()}: the symbol is the one with the greatest address not above the
 * given one; when several symbols share that address, the first one the file lists (the kernel lists its
 * preferred alias first). Only code locates an address: the greatest symbol at or below it must be a text
 * symbol (types {@code t T w W}), else the address is outside any function and prints as hex
 * ({@code 0xffffffff82400010}), as {@code %pS} does. The linker's section-end markers {@code _etext} and
 * {@code _einittext} are text-typed but mark the end of code, so addresses from them up to the next function
 * are outside too. Addresses below the first symbol, and at or past the end of the symbol below them, are
 * outside as well.
 *
 * <h2>Where a symbol ends</h2>
 * {@code /proc/kallsyms} gives no sizes, so a symbol's end is derived the way {@code perf} derives it from the
 * same file ({@code symbols__fixup_end}) and from the module maps it reads from {@code /proc/modules}:
 * <ol>
 * <li>A symbol whose next higher symbol (of any type) has the same owner, the kernel image or one module,
 *     ends where that one begins, so the offset printed is always smaller than the size.</li>
 * <li>A symbol that starts inside a module {@code /proc/modules} lists, {@code [address, address + size)},
 *     ends at that module's end at the latest, whatever follows it. The address is the start of the module's
 *     text and the size counts all of its memory, so this bounds the last function of the text loosely, but
 *     never past the module.</li>
 * <li>Otherwise, a symbol whose next higher symbol has another owner, or the last symbol of the table, ends
 *     one page past its start rounded up to a page boundary: {@code roundup(start, 4096) + 4096}, at least
 *     4096 bytes and less than 8192. That bounds the last symbol of the kernel image before the modules, the
 *     last of a module {@code /proc/modules} does not list, and the last of each of the kernel's
 *     pseudo-modules, which have no {@code /proc/modules} line: {@code [__builtin__ftrace]} (ftrace
 *     trampolines), {@code [bpf]}, {@code [__builtin__kprobes]}. An ftrace trampoline or a kprobe
 *     instruction page, each in a page of its own, is covered whole; a longer last function is cut short,
 *     and what lies past the bound prints as hex.</li>
 * </ol>
 * A bound never reaches past the next higher symbol of any owner. The size printed is the distance to this
 * end: for the last function of a module's text it can be larger than the kernel's own (the end of the
 * module's text, which neither file shows), and for a pseudo-module symbol it is the page bound rather than,
 * say, the trampoline's length.
 *
 * <p>Module symbols (lines ending in {@code [module]}, also the pseudo-modules) are listed by the kernel in no
 * particular order; they are sorted in with the rest. {@link #system()} reads {@code /proc/modules} along
 * with {@code /proc/kallsyms} when it can; without it (a kernel built without module support has none) only
 * rules 1 and 3 apply.
 *
 * <h2>Hidden addresses</h2>
 * To a process without {@code CAP_SYSLOG} the kernel prints every address in {@code /proc/kallsyms} as zeros,
 * unless {@code kernel.kptr_restrict} is 0 and {@code kernel.perf_event_paranoid} at most 1. Such a table
 * cannot resolve anything: {@link #addressesHidden()} is then
 * true, a one-time warning is logged ({@link System.Logger}, logger {@code dev.tracepoint}), and every
 * address prints as hex.
 *
 * <h2>Threading and allocation</h2>
 * Immutable and thread-safe. {@link #indexOf(long)}, {@link #address(int)}, {@link #symbolSize(int)},
 * {@link #offset(int, long)}, {@link #nameEquals(int, CharSequence)} and
 * {@link #appendSymbol(StringBuilder, long)} (given a builder with room) allocate nothing; {@link #name(int)}
 * creates each name's {@code String} once and caches it.
 */
public final class KernelSymbols {

    private static final System.Logger LOG = System.getLogger("dev.tracepoint");

    /** Where the running kernel publishes its symbol table. */
    public static final Path PROC_KALLSYMS = Path.of("/proc/kallsyms");

    /** Where the running kernel lists its loaded modules, with their load addresses and sizes. */
    public static final Path PROC_MODULES = Path.of("/proc/modules");

    private static final AtomicBoolean HIDDEN_WARNED = new AtomicBoolean();
    private static final Object SYSTEM_LOCK = new Object();
    private static volatile KernelSymbols system;

    private final String source;
    private final SymbolIndex table;

    private KernelSymbols(String source, SymbolIndex table) {
        this.source = source;
        this.table = table;
    }

    // ------------------------------------------------------------------------------------------- loading

    /**
     * The running kernel's symbols, read from {@code /proc/kallsyms} on first use and shared afterwards (the
     * file is large, and module loads after that are not seen). The modules' ends come from
     * {@code /proc/modules} when it can be read; when it cannot (a kernel without module support has none),
     * every module's last symbol gets the page bound the class comment describes. When {@code /proc/kallsyms}
     * cannot be read, logs a warning and returns an empty table, which prints every address as hex.
     *
     * @return the shared table
     */
    public static KernelSymbols system() {
        KernelSymbols s = system;
        if (s != null) {
            return s;
        }
        synchronized (SYSTEM_LOCK) {
            if (system == null) {
                KernelSymbols loaded;
                try {
                    byte[] kallsyms = Files.readAllBytes(PROC_KALLSYMS);
                    loaded = parse(kallsyms, readModules(), PROC_KALLSYMS.toString());
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot read " + PROC_KALLSYMS + " (" + e
                            + "): kernel code addresses are shown as hex");
                    loaded = parse(new byte[0], PROC_KALLSYMS + " (unreadable)");
                }
                system = loaded;
            }
            return system;
        }
    }

    /** @return the bytes of /proc/modules, or null when it cannot be read (no module support, no permission) */
    private static byte[] readModules() {
        try {
            return Files.readAllBytes(PROC_MODULES);
        } catch (NoSuchFileException e) {
            return null; // a kernel built without module support
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read " + PROC_MODULES + " (" + e
                    + "): the last symbol of each module ends one page after its start");
            return null;
        }
    }

    /**
     * Reads a file in {@code /proc/kallsyms} format, without module ends (see
     * {@link #parse(byte[], byte[], String)}).
     *
     * @param file the file
     * @return its index
     * @throws IOException when it cannot be read
     */
    public static KernelSymbols load(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /**
     * Parses {@code /proc/kallsyms} content: lines of {@code ADDRESS TYPE NAME} with an optional
     * {@code \t[module]}. Lines that do not fit are skipped. Without {@code /proc/modules}, the last symbol of
     * each module ends one page after its start (see the class comment).
     *
     * @param content the file's bytes
     * @param source  where they came from, for messages
     * @return the index
     */
    public static KernelSymbols parse(byte[] content, String source) {
        return parse(content, null, source);
    }

    /**
     * Parses {@code /proc/kallsyms} content as {@link #parse(byte[], String)} does, and bounds each listed
     * module's symbols by the module's end from {@code /proc/modules} content: lines of
     * {@code NAME SIZE REFCOUNT DEPENDENCIES STATE ADDRESS [TAINTS]}, e.g.
     * {@code nf_tables 356352 0 - Live 0xffffffffc0a2e000}, where the module spans
     * {@code [ADDRESS, ADDRESS + SIZE)}. Lines that do not fit, modules listed at address 0 (hidden from a
     * reader without {@code CAP_SYSLOG}) and modules without symbols in {@code content} are skipped.
     *
     * @param content the {@code /proc/kallsyms} bytes
     * @param modules the {@code /proc/modules} bytes, or {@code null} when there are none
     * @param source  where {@code content} came from, for messages
     * @return the index
     */
    public static KernelSymbols parse(byte[] content, byte[] modules, String source) {
        Objects.requireNonNull(content, "content");
        SymbolIndex table = SymbolIndex.build(content, modules);
        if (table.hidden() && HIDDEN_WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, source + " shows every kernel address as 0: kernel code "
                    + "addresses cannot be symbolized and are shown as hex. The kernel shows real addresses to "
                    + "processes with CAP_SYSLOG, or to all when kernel.kptr_restrict is 0 and "
                    + "kernel.perf_event_paranoid is at most 1 (here: kptr_restrict=" + sysctl("kptr_restrict")
                    + ", perf_event_paranoid=" + sysctl("perf_event_paranoid") + ")");
        }
        return new KernelSymbols(source, table);
    }

    private static String sysctl(String name) {
        try {
            return Files.readString(Path.of("/proc/sys/kernel", name)).trim();
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    // -------------------------------------------------------------------------------------------- lookup

    /**
     * The symbol (function) that contains a code address. Allocation-free: a binary search.
     *
     * @param address a kernel code address
     * @return the index of the symbol, or -1 when the address is in no function this table knows (hidden
     *         addresses, below the first symbol, in data, past the end of text, past the end of the symbol
     *         below it)
     */
    public int indexOf(long address) {
        return table.indexOf(address);
    }

    /**
     * The index of the first text symbol of a name, to compare locations with a known function, for example.
     * Linear: meant for setup, not per event.
     *
     * @param name a symbol name
     * @return its index, or -1
     */
    public int indexOfName(String name) {
        return table.indexOfName(name);
    }

    /**
     * How many symbols the table holds; valid indexes run from 0 to this, exclusive, in address order.
     *
     * @return the number of symbols in the table (0 when addresses are hidden)
     */
    public int size() {
        return table.size();
    }

    /**
     * Tells whether this table is useless because the kernel hid its addresses: every address then prints as
     * hex.
     *
     * @return whether the file showed every address as zero (a reader without CAP_SYSLOG, see the class comment)
     */
    public boolean addressesHidden() {
        return table.hidden();
    }

    /**
     * Where the table came from, as given when it was loaded or parsed.
     *
     * @return where the table was read from ({@code "/proc/kallsyms"}, a file, or a caller's name)
     */
    public String source() {
        return source;
    }

    /**
     * The address a symbol starts at.
     *
     * @param index a symbol index
     * @return the symbol's start address
     */
    public long address(int index) {
        return table.address(index);
    }

    /**
     * The size of a symbol, the {@code 0xsize} of {@code name+0xoff/0xsize}. Derived, since the kernel
     * publishes none.
     *
     * @param index a symbol index
     * @return the symbol's size as {@link #symbolize(long)} prints it: the distance from its start to its end
     *         as the class comment derives it (the next higher address of its owner, its module's end, or a
     *         page bound), always positive
     */
    public long symbolSize(int index) {
        return table.end(index) - table.address(index);
    }

    /**
     * The offset of an address into a symbol, the {@code 0xoff} of {@code name+0xoff/0xsize}.
     *
     * @param index   a symbol index
     * @param address an address inside it
     * @return {@code address - address(index)}
     */
    public long offset(int index, long address) {
        return address - table.address(index);
    }

    /**
     * The kind of a symbol as {@code /proc/kallsyms} gives it; lower case is local, upper case global.
     *
     * @param index a symbol index
     * @return the kallsyms type letter: {@code t}/{@code T} code, {@code w}/{@code W} weak, {@code d}, {@code r},
     *         {@code b} data
     */
    public char type(int index) {
        return (char) table.type(index);
    }

    /**
     * The name of a symbol, without its module. Allocates the first time per symbol; see
     * {@link #nameEquals(int, CharSequence)} for a comparison that never does.
     *
     * @param index a symbol index
     * @return the symbol name (created once, then cached)
     */
    public String name(int index) {
        return table.name(index);
    }

    /**
     * Compares a symbol's name without allocating.
     *
     * @param index a symbol index
     * @param name  the name to compare with
     * @return whether they are equal
     */
    public boolean nameEquals(int index, CharSequence name) {
        return table.nameEquals(index, name);
    }

    /**
     * The module that owns a symbol, the {@code [module]} of {@link #symbolize(long)}'s text.
     *
     * @param index a symbol index
     * @return the module the symbol belongs to ({@code "nf_tables"}, {@code "bpf"}), or {@code null} for the
     *         kernel image
     */
    public String module(int index) {
        return table.module(index);
    }

    // ------------------------------------------------------------------------------------------ printing

    /**
     * Formats an address like the kernel's {@code %pS}: {@code name+0xoff/0xsize}, with {@code " [module]"}
     * for a module symbol, or {@code 0x<hex>} when no function contains it.
     *
     * @param address a kernel code address
     * @return its text (allocates)
     */
    public String symbolize(long address) {
        return appendSymbol(new StringBuilder(48), address).toString();
    }

    /**
     * Appends an address formatted like {@link #symbolize(long)}, without allocating (beyond growing
     * {@code sb}).
     *
     * @param sb      the output
     * @param address a kernel code address
     * @return {@code sb}
     */
    public StringBuilder appendSymbol(StringBuilder sb, long address) {
        return table.appendSymbol(sb, address);
    }

    /**
     * Appends {@code 0x} and the unsigned hex digits of a value (lower case, no leading zeros, {@code 0x0}
     * for zero: as the kernel's {@code %#lx}), without allocating.
     *
     * @param sb    the output
     * @param value the value
     * @return {@code sb}
     */
    public static StringBuilder appendHex(StringBuilder sb, long value) {
        return SymbolIndex.appendHex(sb, value);
    }

    @Override
    public String toString() {
        return "KernelSymbols[source=" + source + ", symbols=" + table.size() + ", modules=" + table.moduleCount()
                + (table.hidden() ? ", addresses hidden" : "") + "]";
    }
}
