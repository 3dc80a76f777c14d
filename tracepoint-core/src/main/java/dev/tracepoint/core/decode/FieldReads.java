package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FieldKind;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The out-of-line parts of {@link EventView}'s field reads, as static methods over the view's record
 * ({@code segment}, {@code base}, {@code length}): integers of every width the kernel prints (odd sizes
 * little-endian), where an array-like field lies in the record (resolving {@code __data_loc}/{@code __rel_loc},
 * checked against the record's length), string lengths, the generic {@link #value}, and the messages of the
 * {@link DecodeException}s the reads throw. Static and package-private: no virtual call and no allocation on a read that succeeds; the JIT
 * inlines them into the view's accessors as it did the view's private methods. Stateless.
 */
final class FieldReads {

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private FieldReads() {
    }

    /**
     * The byte range of an array-like field within the record, resolving {@code __data_loc}/{@code __rel_loc}.
     *
     * @return {@code offset << 32 | length}, both relative to the record start
     */
    static long range(MemorySegment segment, long base, int length, EventFormat format, Field f) {
        int off = f.offset();
        int size = f.size();
        switch (f.kind()) {
            case ARRAY:
                if (off + size > length) {
                    throw outside(format, length, f, off, size);
                }
                return ((long) off << 32) | size;
            case FLEX_ARRAY:
                if (off > length) {
                    throw outside(format, length, f, off, 0);
                }
                return ((long) off << 32) | (length - off);
            case DATA_LOC:
            case REL_LOC: {
                if (off + size > length) {
                    throw outside(format, length, f, off, size);
                }
                int dataOff;
                int dataLen;
                if (size == 2) {
                    // Linux 2.6.31-era __data_loc: a bare u16 offset, the data runs to the end of the record
                    dataOff = segment.get(U16, base + off) & 0xffff;
                    dataLen = Math.max(0, length - dataOff);
                } else {
                    int loc = segment.get(U32, base + off);
                    dataOff = loc & 0xffff;
                    dataLen = loc >>> 16;
                    if (f.kind() == FieldKind.REL_LOC) {
                        dataOff += off + size; // __rel_loc counts from the end of the locator field
                    }
                }
                if (dataOff + dataLen > length) {
                    throw new DecodeException("field " + f.name() + " of " + format.fullName() + ": " + f.kind()
                            + " points at [" + dataOff + "," + (dataOff + dataLen) + ") outside the record (length="
                            + length + ")");
                }
                return ((long) dataOff << 32) | dataLen;
            }
            default:
                throw new DecodeException("field " + f.name() + " of " + format.fullName() + " is a " + f.kind()
                        + ", not an array or string");
        }
    }

    /** An integer of {@code size} bytes at {@code a}, sign- or zero-extended (see {@link EventView#getLong(Field)}). */
    static long integral(MemorySegment segment, long a, int size, boolean signed, EventFormat format, Field field) {
        switch (size) {
            case 1:
                return signed ? segment.get(U8, a) : segment.get(U8, a) & 0xffL;
            case 2:
                return signed ? segment.get(U16, a) : segment.get(U16, a) & 0xffffL;
            case 4:
                return signed ? segment.get(U32, a) : segment.get(U32, a) & 0xffff_ffffL;
            case 8:
                return segment.get(U64, a);
            default:
                if (size <= 0 || size > 8) {
                    throw notAnInteger(format, field, size);
                }
                return readOdd(segment, a, size, signed);
        }
    }

    /** Little-endian read of 3, 5, 6 or 7 bytes (the kernel prints such sizes for packed structs). */
    static long readOdd(MemorySegment segment, long a, int size, boolean signed) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (segment.get(U8, a + i) & 0xffL);
        }
        if (signed && size < 8) {
            int shift = 64 - 8 * size;
            v = (v << shift) >> shift;
        }
        return v;
    }

    /** The bytes before the first NUL in {@code [start, start + max)}, or {@code max}. */
    static int strlen(MemorySegment segment, long start, int max) {
        int n = 0;
        while (n < max && segment.get(U8, start + n) != 0) {
            n++;
        }
        return n;
    }

    /** The generic value of a field (see {@link EventView#value(Field)}). */
    static Object value(EventView view, Field field) {
        switch (field.kind()) {
            case SCALAR:
                if (field.type().equals("bool") || field.type().equals("_Bool")) {
                    return view.getBoolean(field);
                }
                return view.getLong(field);
            case POINTER:
                return view.getLong(field);
            default:
                if (field.isString()) {
                    return view.getString(field);
                }
                int es = field.elementSize();
                if (es == 2 || es == 4 || es == 8) {
                    return view.getLongArray(field);
                }
                return view.getBytes(field);
        }
    }

    /** A field that does not lie in the record. */
    static DecodeException outside(EventFormat format, int length, Field f, int off, int size) {
        return new DecodeException("field " + f.name() + " of " + format.fullName() + " at [" + off + ","
                + (off + size) + ") is outside the record (length=" + length + ")");
    }

    /** An integer field of a size no integer has. */
    static DecodeException notAnInteger(EventFormat format, Field field, int size) {
        return new DecodeException("field " + field.name() + " of " + format.fullName()
                + " is " + size + " bytes, not an integer of 1..8 bytes (kind " + field.kind() + ")");
    }
}
