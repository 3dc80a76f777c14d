package dev.tracepoint.core.internal.symbols;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the two text files the symbol table is built from, byte by byte and without a {@code String} per
 * line: {@code /proc/kallsyms} ({@code ADDRESS TYPE NAME [\t[module]]}) into a {@link Listing} in the file's
 * order, and {@code /proc/modules} ({@code NAME SIZE REFCOUNT DEPENDENCIES STATE ADDRESS [TAINTS]}) into the
 * address range of each module the listing names. Lines that do not fit are skipped.
 *
 * <p>Owns: the two line formats, hex and decimal fields, module ids. Does not own: sorting, where a symbol
 * ends ({@link SymbolBounds}) or lookups ({@link SymbolIndex}).
 */
final class KallsymsParser {

    private KallsymsParser() {
    }

    /**
     * The symbols of one {@code /proc/kallsyms} text in the file's order: {@link #count} entries of parallel
     * arrays. Names are not copied: each is a range of {@link #text}.
     */
    static final class Listing {
        /** The parsed bytes, which the name ranges point into. */
        final byte[] text;
        /** How many entries of the arrays are filled. */
        final int count;
        final long[] addresses;
        final byte[] types;
        final int[] nameStarts;
        final short[] nameLengths;
        /** Index into {@link #moduleNames}, -1 for the kernel image itself. */
        final short[] modules;
        /** Module names in order of first appearance; a module's id is its position. */
        final List<String> moduleNames;
        final Map<String, Short> moduleIds;
        /** Whether any entry has an address other than 0 (all 0: the reader may not see addresses). */
        final boolean anyNonZero;

        private Listing(byte[] text, int count, long[] addresses, byte[] types, int[] nameStarts,
                        short[] nameLengths, short[] modules, List<String> moduleNames,
                        Map<String, Short> moduleIds, boolean anyNonZero) {
            this.text = text;
            this.count = count;
            this.addresses = addresses;
            this.types = types;
            this.nameStarts = nameStarts;
            this.nameLengths = nameLengths;
            this.modules = modules;
            this.moduleNames = moduleNames;
            this.moduleIds = moduleIds;
            this.anyNonZero = anyNonZero;
        }
    }

    /** Parses {@code /proc/kallsyms} content; arrays are sized by the number of lines. */
    static Listing kallsyms(byte[] content) {
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
        for (int pos = 0, eol; pos < content.length; pos = eol + 1) {
            eol = lineEnd(content, pos);
            int p = pos;
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
        return new Listing(content, n, addr, type, nameStart, nameLength, module, moduleNames, moduleIds,
                anyNonZero);
    }

    /**
     * Reads the modules' ranges from {@code /proc/modules} content into {@code starts} and {@code ends}, indexed
     * by the module ids of {@code ids}; a module that the content does not list keeps end 0. Modules listed at
     * address 0 (hidden from the reader) are skipped.
     */
    static void moduleRanges(byte[] text, Map<String, Short> ids, long[] starts, long[] ends) {
        for (int pos = 0, eol; pos < text.length; pos = eol + 1) {
            eol = lineEnd(text, pos);
            int p = pos;
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

    /** @return the index of the {@code '\n'} that ends the line starting at {@code from}, or {@code b.length} */
    private static int lineEnd(byte[] b, int from) {
        int eol = from;
        while (eol < b.length && b[eol] != '\n') {
            eol++;
        }
        return eol;
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
}
