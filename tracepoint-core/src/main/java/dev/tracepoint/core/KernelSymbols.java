package dev.tracepoint.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * preferred alias first). Its size is the distance to the next higher address in the table, of any symbol
 * type, so the offset printed is always smaller than the size. Only code locates an address: the greatest
 * symbol at or below it must be a text symbol (types {@code t T w W}), else the address is outside any
 * function and prints as hex ({@code 0xffffffff82400010}), as {@code %pS} does. The linker's section-end
 * markers {@code _etext} and {@code _einittext} are text-typed but mark the end of code, so addresses from
 * them up to the next function are outside too. Addresses below the first symbol, and at or past the last
 * symbol of the file (whose size is unknown), are outside as well.
 *
 * <p>Module symbols (lines ending in {@code [module]}, also the kernel's pseudo-modules such as
 * {@code [bpf]}) are listed by the kernel in no particular order; they are sorted in with the rest. A
 * module symbol's size is bounded by the next symbol of any owner, which for the last function of a
 * module's text can be larger than the kernel's own bound (the end of the module's text, which
 * {@code /proc/kallsyms} does not show).
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

    private static final AtomicBoolean HIDDEN_WARNED = new AtomicBoolean();
    private static final Object SYSTEM_LOCK = new Object();
    private static volatile KernelSymbols system;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final String source;
    private final boolean hidden;
    private final int count;
    /** Symbol addresses, sorted ascending as unsigned numbers; ties keep the file's order. */
    private final long[] addresses;
    /** The exclusive end of each symbol: the next higher address in the table, or 0 when unknown (the last). */
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
     * file is large, and module loads after that are not seen). When the file cannot be read, logs a warning
     * and returns an empty table, which prints every address as hex.
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
                    loaded = load(PROC_KALLSYMS);
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

    /**
     * Reads a file in {@code /proc/kallsyms} format.
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
     * {@code \t[module]}. Lines that do not fit are skipped.
     *
     * @param content the file's bytes
     * @param source  where they came from, for messages
     * @return the index
     */
    public static KernelSymbols parse(byte[] content, String source) {
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

        // per group of equal addresses: the end (next higher address) and the alias an address resolves to
        long[] ends = new long[n];
        int[] resolved = new int[n];
        int g = 0;
        while (g < n) {
            int e = g + 1;
            while (e < n && sAddr[e] == sAddr[g]) {
                e++;
            }
            long end = e < n ? sAddr[e] : 0;
            int pick = -1;
            for (int i = g; i < e; i++) {
                if (isText(sType[i]) && !isEndMarker(blob, sStart[i], sLength[i])) {
                    pick = i;
                    break;
                }
            }
            for (int i = g; i < e; i++) {
                ends[i] = end;
                resolved[i] = pick;
            }
            g = e;
        }
        return new KernelSymbols(source, hidden, n, sAddr, ends, resolved, sType, blob, sStart, sLength, sModule,
                moduleNames.toArray(new String[0]));
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
     *         addresses, below the first symbol, in data, past the end of text, past the last symbol)
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
        long end = ends[found];
        if (end == 0 || Long.compareUnsigned(address, end) >= 0) {
            return -1; // the last symbol of the table: its extent is unknown
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
     * @return the symbol's size as {@code %pS} prints it: the distance to the next higher address in the table
     *         (0 for the last symbol, whose size is unknown)
     */
    public long symbolSize(int index) {
        long end = ends[index];
        return end == 0 ? 0 : end - addresses[index];
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
