package dev.tracepoint.core.internal.symbols;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where each symbol of a sorted table ends, and which alias an address inside it resolves to: the fix-up
 * {@code perf} applies to {@code /proc/kallsyms} ({@code symbols__fixup_end}), bounded by the module ranges of
 * {@code /proc/modules}. The rules, in order, are those of {@link dev.tracepoint.core.KernelSymbols}' class
 * comment: the next higher symbol of the same owner; the end of a listed module at the latest; else one page
 * past the start rounded up to a page; and never past the next higher symbol of any owner.
 *
 * <p>Owns: the rules, the page bound, which type letters are code and which text symbols only mark the end of
 * code. Does not own: reading the files ({@link KallsymsParser}) or sorting and lookups ({@link SymbolIndex}).
 */
final class SymbolBounds {

    /** The page size that bounds a symbol with no higher symbol of its owner. */
    static final long PAGE = 4096;

    private static final byte[][] END_MARKERS = {
            "_etext".getBytes(StandardCharsets.US_ASCII),
            "_einittext".getBytes(StandardCharsets.US_ASCII),
    };

    private SymbolBounds() {
    }

    /**
     * Fills {@code ends} and {@code resolved} for a table sorted by unsigned address, one group of equal
     * addresses at a time: every entry of a group gets the group's end, and the first text alias of the group
     * that is not an end marker (-1 when there is none) as the entry its addresses resolve to.
     *
     * @param addresses    start addresses, sorted ascending as unsigned numbers
     * @param types        kallsyms type letters
     * @param names        name bytes, entry i at {@code [nameStarts[i], nameStarts[i] + nameLengths[i])}
     * @param nameStarts   where each name starts in {@code names}
     * @param nameLengths  each name's length
     * @param modules      each entry's module id, -1 for the kernel image
     * @param moduleStarts each module's start by id (as {@link KallsymsParser#moduleRanges} reads it)
     * @param moduleEnds   each module's exclusive end by id, 0 when {@code /proc/modules} does not list it
     * @param ends         out: each entry's exclusive end, unsigned above its start
     * @param resolved     out: the entry an address inside each entry resolves to, or -1
     */
    static void fixUp(long[] addresses, byte[] types, byte[] names, int[] nameStarts, short[] nameLengths,
                      short[] modules, long[] moduleStarts, long[] moduleEnds, long[] ends, int[] resolved) {
        int n = addresses.length;
        int g = 0;
        while (g < n) {
            int e = g + 1;
            while (e < n && addresses[e] == addresses[g]) {
                e++;
            }
            int pick = -1;
            for (int i = g; i < e; i++) {
                if (isText(types[i]) && !isEndMarker(names, nameStarts[i], nameLengths[i])) {
                    pick = i;
                    break;
                }
            }
            long start = addresses[g];
            short owner = modules[pick >= 0 ? pick : g];
            long end;
            if (owner >= 0 && moduleEnds[owner] != 0 && Long.compareUnsigned(start, moduleStarts[owner]) >= 0
                    && Long.compareUnsigned(start, moduleEnds[owner]) < 0) {
                end = moduleEnds[owner];                        // rule 2: not past the module
            } else if (e == n || modules[e] != owner) {
                end = pageBound(start);                         // rule 3: the last symbol of its owner
            } else {
                end = addresses[e];                             // rule 1
            }
            if (e < n && Long.compareUnsigned(addresses[e], end) < 0) {
                end = addresses[e];                             // never past the next symbol of any owner
            }
            for (int i = g; i < e; i++) {
                ends[i] = end;
                resolved[i] = pick;
            }
            g = e;
        }
    }

    /**
     * The end of a symbol with no higher symbol of its owner: {@code roundup(start, PAGE) + PAGE}, as
     * {@code perf} bounds it; the top of the address space when that overflows.
     */
    static long pageBound(long start) {
        long end = ((start + PAGE - 1) & -PAGE) + PAGE;
        return Long.compareUnsigned(end, start) > 0 ? end : -1L;
    }

    /** @return whether a kallsyms type letter is code: {@code t T w W} */
    static boolean isText(byte type) {
        return type == 't' || type == 'T' || type == 'w' || type == 'W';
    }

    /** @return whether a name is one of the linker's text-typed end-of-code markers */
    private static boolean isEndMarker(byte[] blob, int start, int length) {
        for (byte[] m : END_MARKERS) {
            if (m.length == length && Arrays.equals(blob, start, start + length, m, 0, m.length)) {
                return true;
            }
        }
        return false;
    }
}
