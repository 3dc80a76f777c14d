package dev.tracepoint.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** The page size that bounds a symbol with no higher symbol of its owner (see the class comment). */
    static final long PAGE = 4096;

    private static final AtomicBoolean HIDDEN_WARNED = new AtomicBoolean();
    private static final Object SYSTEM_LOCK = new Object();
    private static volatile KernelSymbols system;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final String source;
    private final boolean hidden;
    private final int count;
    /** Symbol addresses, sorted ascending as unsigned numbers; ties keep the file's order. */
    private final long[] addresses;
    /** The exclusive end of each symbol, as the class comment derives it; never 0 (unsigned, above the start). */
    private final long[] ends;
    /** For each entry, the entry that an address inside its range resolves to (the first text alias), or -1. */
    private final int[] resolved;
    /** The kallsyms type letter of each entry. */
    private final byte[] types;
    /** Names, as ASCII bytes back to back; entry i spans [nameStarts[i], nameStarts[i] + nameLengths[i]). */
    private final byte[] nameBytes;
    private final int[] nameStarts;
    private final short[] nameLengths;
    /** Index into {@link #moduleNames}, -1 for the kernel image itself. */
    private final short[] modules;
    private final String[] moduleNames;
    private final String[] nameCache;

    private KernelSymbols(String source, boolean hidden, int count, long[] addresses, long[] ends, int[] resolved,
                          byte[] types, byte[] nameBytes, int[] nameStarts, short[] nameLengths, short[] modules,
                          String[] moduleNames) {
        this.source = source;
        this.hidden = hidden;
        this.count = count;
        this.addresses = addresses;
        this.ends = ends;
        this.resolved = resolved;
        this.types = types;
        this.nameBytes = nameBytes;
        this.nameStarts = nameStarts;
        this.nameLengths = nameLengths;
        this.modules = modules;
        this.moduleNames = moduleNames;
        this.nameCache = new String[count];
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
        int lines = 0;
        for (byte b : content) {
            if (b == '\n') {
                lines++;
            }
        }
        lines++;
        long[] addr = new long[lines];
        byte[] type = new byte[lines];
        int[] nameStart = new int[lines];
        short[] nameLength = new short[lines];
        short[] module = new short[lines];
        List<String> moduleNames = new ArrayList<>();
        Map<String, Short> moduleIds = new HashMap<>();
        int n = 0;
        boolean anyNonZero = false;
        int pos = 0;
        int len = content.length;
        while (pos < len) {
            int eol = pos;
            while (eol < len && content[eol] != '\n') {
                eol++;
            }
            int p = pos;
            pos = eol + 1;
            // ADDRESS
            long a = 0;
            int digits = 0;
            while (p < eol && hexValue(content[p]) >= 0) {
                a = (a << 4) | hexValue(content[p]);
                p++;
                digits++;
            }
            if (digits == 0 || digits > 16 || p >= eol || content[p] != ' ') {
                continue;
            }
            p++;
            // TYPE
            if (p >= eol || content[p] == ' ') {
                continue;
            }
            byte t = content[p++];
            if (p >= eol || content[p] != ' ') {
                continue;
            }
            p++;
            // NAME, up to whitespace
            int ns = p;
            while (p < eol && content[p] != '\t' && content[p] != ' ' && content[p] != '\r') {
                p++;
            }
            int nl = p - ns;
            if (nl == 0 || nl > Short.MAX_VALUE) {
                continue;
            }
            // optional [module]
            short mod = -1;
            while (p < eol && (content[p] == '\t' || content[p] == ' ')) {
                p++;
            }
            if (p < eol && content[p] == '[') {
                int ms = p + 1;
                int me = ms;
                while (me < eol && content[me] != ']') {
                    me++;
                }
                if (me > ms) {
                    String m = new String(content, ms, me - ms, StandardCharsets.UTF_8);
                    Short id = moduleIds.get(m);
                    if (id == null) {
                        if (moduleNames.size() >= Short.MAX_VALUE) {
                            continue;
                        }
                        id = (short) moduleNames.size();
                        moduleNames.add(m);
                        moduleIds.put(m, id);
                    }
                    mod = id;
                }
            }
            addr[n] = a;
            type[n] = t;
            nameStart[n] = ns;
            nameLength[n] = (short) nl;
            module[n] = mod;
            anyNonZero |= a != 0;
            n++;
        }
        boolean hidden = n > 0 && !anyNonZero;
        if (hidden) {
            if (HIDDEN_WARNED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, source + " shows every kernel address as 0: kernel code "
                        + "addresses cannot be symbolized and are shown as hex. The kernel shows real addresses to "
                        + "processes with CAP_SYSLOG, or to all when kernel.kptr_restrict is 0 and "
                        + "kernel.perf_event_paranoid is at most 1 (here: kptr_restrict=" + sysctl("kptr_restrict")
                        + ", perf_event_paranoid=" + sysctl("perf_event_paranoid") + ")");
            }
            n = 0;
        }

        // stable sort by unsigned address: the kernel image is listed sorted, modules are not
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        sortByAddress(order, addr);

        long[] sAddr = new long[n];
        byte[] sType = new byte[n];
        int[] sStart = new int[n];
        short[] sLength = new short[n];
        short[] sModule = new short[n];
        int blobLength = 0;
        for (int i = 0; i < n; i++) {
            blobLength += nameLength[order[i]];
        }
        byte[] blob = new byte[blobLength];
        int at = 0;
        for (int i = 0; i < n; i++) {
            int o = order[i];
            sAddr[i] = addr[o];
            sType[i] = type[o];
            sModule[i] = module[o];
            sLength[i] = nameLength[o];
            sStart[i] = at;
            System.arraycopy(content, nameStart[o], blob, at, nameLength[o]);
            at += nameLength[o];
        }

        // where each listed module ends, by module id (0: not listed)
        String[] moduleNameArray = moduleNames.toArray(new String[0]);
        long[] moduleStarts = new long[moduleNameArray.length];
        long[] moduleEnds = new long[moduleNameArray.length];
        if (modules != null && moduleNameArray.length > 0) {
            moduleRanges(modules, moduleIds, moduleStarts, moduleEnds);
        }

        // per group of equal addresses: the end (see the class comment) and the alias an address resolves to
        long[] ends = new long[n];
        int[] resolved = new int[n];
        int g = 0;
        while (g < n) {
            int e = g + 1;
            while (e < n && sAddr[e] == sAddr[g]) {
                e++;
            }
            int pick = -1;
            for (int i = g; i < e; i++) {
                if (isText(sType[i]) && !isEndMarker(blob, sStart[i], sLength[i])) {
                    pick = i;
                    break;
                }
            }
            long start = sAddr[g];
            short owner = sModule[pick >= 0 ? pick : g];
            long end;
            if (owner >= 0 && moduleEnds[owner] != 0 && Long.compareUnsigned(start, moduleStarts[owner]) >= 0
                    && Long.compareUnsigned(start, moduleEnds[owner]) < 0) {
                end = moduleEnds[owner];                        // rule 2: not past the module
            } else if (e == n || sModule[e] != owner) {
                end = pageBound(start);                         // rule 3: the last symbol of its owner
            } else {
                end = sAddr[e];                                 // rule 1
            }
            if (e < n && Long.compareUnsigned(sAddr[e], end) < 0) {
                end = sAddr[e];                                 // never past the next symbol of any owner
            }
            for (int i = g; i < e; i++) {
                ends[i] = end;
                resolved[i] = pick;
            }
            g = e;
        }
        return new KernelSymbols(source, hidden, n, sAddr, ends, resolved, sType, blob, sStart, sLength, sModule,
                moduleNameArray);
    }

    /**
     * The end of a symbol with no higher symbol of its owner: {@code roundup(start, PAGE) + PAGE}, as
     * {@code perf} bounds it; the top of the address space when that overflows.
     */
    static long pageBound(long start) {
        long end = ((start + PAGE - 1) & -PAGE) + PAGE;
        return Long.compareUnsigned(end, start) > 0 ? end : -1L;
    }

    /**
     * Reads the modules' ranges from {@code /proc/modules} content into {@code starts} and {@code ends}, indexed
     * by the module ids of {@code ids}; a module that the content does not list keeps end 0.
     */
    private static void moduleRanges(byte[] text, Map<String, Short> ids, long[] starts, long[] ends) {
        int pos = 0;
        int len = text.length;
        while (pos < len) {
            int eol = pos;
            while (eol < len && text[eol] != '\n') {
                eol++;
            }
            int p = pos;
            pos = eol + 1;
            // fields 0 (name), 1 (size, decimal) and 5 (load address, 0x-prefixed hex), separated by spaces
            int nameStart = p;
            int nameEnd = -1;
            long size = -1;
            long base = 0;
            boolean baseSeen = false;
            for (int field = 0; field <= 5 && p < eol; field++) {
                int ts = p;
                while (p < eol && text[p] != ' ' && text[p] != '\t' && text[p] != '\r') {
                    p++;
                }
                int te = p;
                while (p < eol && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r')) {
                    p++;
                }
                if (field == 0) {
                    nameEnd = te;
                } else if (field == 1) {
                    size = decimal(text, ts, te);
                } else if (field == 5 && te - ts > 2 && te - ts <= 18 && text[ts] == '0' && text[ts + 1] == 'x') {
                    baseSeen = true;
                    for (int k = ts + 2; k < te && baseSeen; k++) {
                        int v = hexValue(text[k]);
                        baseSeen = v >= 0;
                        base = (base << 4) | v;
                    }
                }
            }
            if (!baseSeen || base == 0 || size <= 0 || nameEnd <= nameStart) {
                continue;
            }
            Short id = ids.get(new String(text, nameStart, nameEnd - nameStart, StandardCharsets.UTF_8));
            if (id == null) {
                continue;
            }
            long end = base + size;
            starts[id] = base;
            ends[id] = Long.compareUnsigned(end, base) > 0 ? end : -1L;
        }
    }

    /** @return the decimal number in {@code b[from, to)}, or -1 when it is not one (or above 10^18) */
    private static long decimal(byte[] b, int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static boolean isText(byte type) {
        return type == 't' || type == 'T' || type == 'w' || type == 'W';
    }

    private static final byte[][] END_MARKERS = {
            "_etext".getBytes(StandardCharsets.US_ASCII),
            "_einittext".getBytes(StandardCharsets.US_ASCII),
    };

    private static boolean isEndMarker(byte[] blob, int start, int length) {
        for (byte[] m : END_MARKERS) {
            if (m.length == length && Arrays.equals(blob, start, start + length, m, 0, m.length)) {
                return true;
            }
        }
        return false;
    }

    /** Stable bottom-up merge sort of {@code order} by the unsigned value of {@code keys[order[i]]}. */
    private static void sortByAddress(int[] order, long[] keys) {
        int n = order.length;
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) {
            sorted = Long.compareUnsigned(keys[order[i - 1]], keys[order[i]]) <= 0;
        }
        if (sorted) {
            return;
        }
        int[] src = order;
        int[] dst = new int[n];
        for (int width = 1; width < n; width <<= 1) {
            for (int lo = 0; lo < n; lo += width << 1) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + (width << 1), n);
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    dst[k++] = Long.compareUnsigned(keys[src[j]], keys[src[i]]) < 0 ? src[j++] : src[i++];
                }
                while (i < mid) {
                    dst[k++] = src[i++];
                }
                while (j < hi) {
                    dst[k++] = src[j++];
                }
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != order) {
            System.arraycopy(src, 0, order, 0, n);
        }
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
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return -1;
        }
        if (Long.compareUnsigned(address, ends[found]) >= 0) {
            return -1; // past the symbol's end
        }
        return resolved[found];
    }

    /**
     * The index of the first text symbol of a name, e.g. to compare locations with a known function.
     * Linear: meant for setup, not per event.
     *
     * @param name a symbol name
     * @return its index, or -1
     */
    public int indexOfName(String name) {
        for (int i = 0; i < count; i++) {
            if (isText(types[i]) && nameEquals(i, name)) {
                return i;
            }
        }
        return -1;
    }

    /** @return the number of symbols in the table (0 when addresses are hidden) */
    public int size() {
        return count;
    }

    /** @return whether the file showed every address as zero (a reader without CAP_SYSLOG, see the class comment) */
    public boolean addressesHidden() {
        return hidden;
    }

    /** @return where the table was read from */
    public String source() {
        return source;
    }

    /**
     * @param index a symbol index
     * @return the symbol's start address
     */
    public long address(int index) {
        return addresses[index];
    }

    /**
     * @param index a symbol index
     * @return the symbol's size as {@link #symbolize(long)} prints it: the distance from its start to its end
     *         as the class comment derives it (the next higher address of its owner, its module's end, or a
     *         page bound), always positive
     */
    public long symbolSize(int index) {
        return ends[index] - addresses[index];
    }

    /**
     * @param index   a symbol index
     * @param address an address inside it
     * @return {@code address - address(index)}
     */
    public long offset(int index, long address) {
        return address - addresses[index];
    }

    /**
     * @param index a symbol index
     * @return the kallsyms type letter: {@code t}/{@code T} code, {@code w}/{@code W} weak, {@code d}, {@code r},
     *         {@code b} data
     */
    public char type(int index) {
        return (char) types[index];
    }

    /**
     * @param index a symbol index
     * @return the symbol name (created once, then cached)
     */
    public String name(int index) {
        String s = nameCache[index];
        if (s == null) {
            s = new String(nameBytes, nameStarts[index], nameLengths[index], StandardCharsets.ISO_8859_1);
            nameCache[index] = s; // racy but benign: Strings are immutable and safely published
        }
        return s;
    }

    /**
     * Compares a symbol's name without allocating.
     *
     * @param index a symbol index
     * @param name  the name to compare with
     * @return whether they are equal
     */
    public boolean nameEquals(int index, CharSequence name) {
        int n = nameLengths[index];
        if (name.length() != n) {
            return false;
        }
        int s = nameStarts[index];
        for (int i = 0; i < n; i++) {
            if ((nameBytes[s + i] & 0xff) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param index a symbol index
     * @return the module the symbol belongs to ({@code "nf_tables"}, {@code "bpf"}), or {@code null} for the
     *         kernel image
     */
    public String module(int index) {
        short m = modules[index];
        return m < 0 ? null : moduleNames[m];
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
        int i = indexOf(address);
        if (i < 0) {
            return appendHex(sb, address);
        }
        int s = nameStarts[i];
        int n = nameLengths[i];
        for (int k = 0; k < n; k++) {
            sb.append((char) (nameBytes[s + k] & 0xff));
        }
        sb.append('+');
        appendHex(sb, address - addresses[i]);
        sb.append('/');
        appendHex(sb, ends[i] - addresses[i]);
        short m = modules[i];
        if (m >= 0) {
            sb.append(" [").append(moduleNames[m]).append(']');
        }
        return sb;
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
        sb.append('0').append('x');
        int shift = value == 0 ? 0 : (63 - Long.numberOfLeadingZeros(value)) & ~3;
        for (; shift >= 0; shift -= 4) {
            sb.append((char) HEX[(int) (value >>> shift) & 0xf]);
        }
        return sb;
    }

    @Override
    public String toString() {
        return "KernelSymbols[source=" + source + ", symbols=" + count + ", modules=" + moduleNames.length
                + (hidden ? ", addresses hidden" : "") + "]";
    }
}
