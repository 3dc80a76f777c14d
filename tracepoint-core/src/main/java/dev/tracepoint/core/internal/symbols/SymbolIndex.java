package dev.tracepoint.core.internal.symbols;

import java.nio.charset.StandardCharsets;

/**
 * The symbol table behind {@link dev.tracepoint.core.KernelSymbols}: parallel arrays sorted by unsigned
 * address, with the names packed into one byte array, and the binary search that finds the symbol of an
 * address. {@link #build} reads the texts ({@link KallsymsParser}), sorts the entries (stably, so aliases keep
 * the file's order) and bounds them ({@link SymbolBounds}).
 *
 * <p>Owns: the sorted layout, lookups by address and by name, and the {@code %pS} text of an address. Immutable
 * and thread-safe; every lookup and {@link #appendSymbol} allocate nothing except {@link #name}, which creates
 * each name's {@code String} once. Does not own: where the texts come from, or warning about hidden addresses
 * (the facade).
 */
public final class SymbolIndex {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final boolean hidden;
    private final int count;
    /** Symbol addresses, sorted ascending as unsigned numbers; ties keep the file's order. */
    private final long[] addresses;
    /** The exclusive end of each symbol, as {@link SymbolBounds} derives it; never 0 (unsigned, above the start). */
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

    private SymbolIndex(boolean hidden, int count, long[] addresses, long[] ends, int[] resolved, byte[] types,
                        byte[] nameBytes, int[] nameStarts, short[] nameLengths, short[] modules,
                        String[] moduleNames) {
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

    /**
     * Builds the index of {@code /proc/kallsyms} content, bounding each module's symbols by its range in
     * {@code /proc/modules} content when there is some. When every address in the content is 0 (hidden from
     * the reader), the index has no symbols and {@link #hidden()} is true.
     *
     * @param kallsyms the {@code /proc/kallsyms} bytes
     * @param modules  the {@code /proc/modules} bytes, or {@code null} when there are none
     * @return the index
     */
    public static SymbolIndex build(byte[] kallsyms, byte[] modules) {
        KallsymsParser.Listing in = KallsymsParser.kallsyms(kallsyms);
        boolean hidden = in.count > 0 && !in.anyNonZero;
        int n = hidden ? 0 : in.count;

        // stable sort by unsigned address: the kernel image is listed sorted, modules are not
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        sortByAddress(order, in.addresses);

        long[] sAddr = new long[n];
        byte[] sType = new byte[n];
        int[] sStart = new int[n];
        short[] sLength = new short[n];
        short[] sModule = new short[n];
        int blobLength = 0;
        for (int i = 0; i < n; i++) {
            blobLength += in.nameLengths[order[i]];
        }
        byte[] blob = new byte[blobLength];
        int at = 0;
        for (int i = 0; i < n; i++) {
            int o = order[i];
            sAddr[i] = in.addresses[o];
            sType[i] = in.types[o];
            sModule[i] = in.modules[o];
            sLength[i] = in.nameLengths[o];
            sStart[i] = at;
            System.arraycopy(in.text, in.nameStarts[o], blob, at, in.nameLengths[o]);
            at += in.nameLengths[o];
        }

        // where each listed module ends, by module id (0: not listed)
        String[] moduleNames = in.moduleNames.toArray(new String[0]);
        long[] moduleStarts = new long[moduleNames.length];
        long[] moduleEnds = new long[moduleNames.length];
        if (modules != null && moduleNames.length > 0) {
            KallsymsParser.moduleRanges(modules, in.moduleIds, moduleStarts, moduleEnds);
        }

        long[] ends = new long[n];
        int[] resolved = new int[n];
        SymbolBounds.fixUp(sAddr, sType, blob, sStart, sLength, sModule, moduleStarts, moduleEnds, ends, resolved);
        return new SymbolIndex(hidden, n, sAddr, ends, resolved, sType, blob, sStart, sLength, sModule,
                moduleNames);
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

    /**
     * The symbol whose range contains an address: the last entry at or below it, if the address is before its
     * end, resolved to the group's first text alias. A binary search, allocation-free.
     *
     * @param address a kernel code address
     * @return the entry, or -1 when no function of the table contains the address
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
     * @param name a symbol name
     * @return the first text entry of that name, or -1 (a linear scan)
     */
    public int indexOfName(String name) {
        for (int i = 0; i < count; i++) {
            if (SymbolBounds.isText(types[i]) && nameEquals(i, name)) {
                return i;
            }
        }
        return -1;
    }

    /** @return the number of entries (0 when the addresses were hidden) */
    public int size() {
        return count;
    }

    /** @return whether the content showed every address as 0 */
    public boolean hidden() {
        return hidden;
    }

    /** @return the number of distinct modules the content named, pseudo-modules included */
    public int moduleCount() {
        return moduleNames.length;
    }

    /**
     * @param index an entry
     * @return its start address
     */
    public long address(int index) {
        return addresses[index];
    }

    /**
     * @param index an entry
     * @return its exclusive end, unsigned above its start
     */
    public long end(int index) {
        return ends[index];
    }

    /**
     * @param index an entry
     * @return its kallsyms type letter
     */
    public byte type(int index) {
        return types[index];
    }

    /**
     * @param index an entry
     * @return its name, created on first use and cached
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
     * @param index an entry
     * @param name  a name
     * @return whether the entry has that name, compared byte by char without allocating
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
     * @param index an entry
     * @return its module's name, or {@code null} for the kernel image
     */
    public String module(int index) {
        short m = modules[index];
        return m < 0 ? null : moduleNames[m];
    }

    /**
     * Appends the {@code %pS} text of an address: {@code name+0xoff/0xsize}, then {@code " [module]"} for a
     * module's symbol, or {@code 0x<hex>} when {@link #indexOf} finds no entry.
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
     * Appends {@code 0x} and the unsigned lower-case hex digits of a value without leading zeros, as
     * {@code %#lx} prints it ({@code 0x0} for zero).
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
}
