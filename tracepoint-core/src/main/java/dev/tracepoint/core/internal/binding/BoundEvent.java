package dev.tracepoint.core.internal.binding;

import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.decode.TracepointEvent;
import dev.tracepoint.core.format.Field;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Base class of the classes that {@link dev.tracepoint.core.decode.EventBinding} generates for typed event
 * interfaces. Each generated accessor is one call to a method here with constant arguments (the field's
 * offset and width code, or its index), so after inlining it is the same load a hand-written
 * {@code segment.get(JAVA_INT_UNALIGNED, base + 8)} would be. The fixed part of the record was bounds-checked
 * once when the view was moved to it.
 *
 * <p>Public only so that a class generated in the caller's own package (bound with a
 * {@link java.lang.invoke.MethodHandles.Lookup}) can extend it; the package is not exported.
 */
public abstract class BoundEvent implements TracepointEvent {

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final EventView view;
    private final Field[] fields;
    private final String tracepoint;

    /**
     * @param view       the view the accessors read
     * @param fields     the fields the non-scalar accessors read, by index
     * @param tracepoint the tracepoint's {@code system:name}, for error messages
     */
    protected BoundEvent(EventView view, Field[] fields, String tracepoint) {
        this.view = view;
        this.fields = fields;
        this.tracepoint = tracepoint;
    }

    @Override
    public final EventView view() {
        return view;
    }

    /**
     * @param off  the field's offset in the record's fixed part
     * @param code its width code
     * @return the field as a long
     */
    protected final long i64(int off, int code) {
        return readFixed(off, code);
    }

    /**
     * @param off  the field's offset in the record's fixed part
     * @param code its width code
     * @return the field as an int
     */
    protected final int i32(int off, int code) {
        return (int) readFixed(off, code);
    }

    /**
     * @param off  the field's offset in the record's fixed part
     * @param code its width code
     * @return the field as a short
     */
    protected final short i16(int off, int code) {
        return (short) readFixed(off, code);
    }

    /**
     * @param off  the field's offset in the record's fixed part
     * @param code its width code
     * @return the field as a byte
     */
    protected final byte i8(int off, int code) {
        return (byte) readFixed(off, code);
    }

    /**
     * @param off  the field's offset in the record's fixed part
     * @param code its width code
     * @return whether the field is not zero
     */
    protected final boolean bool(int off, int code) {
        return readFixed(off, code) != 0;
    }

    /**
     * The hot-path read: the field lies inside the record's fixed part, which moving the view checked.
     *
     * @param off  the field's offset
     * @param code its size in the low nibble, 0x10 when signed
     * @return the value, sign- or zero-extended
     */
    private long readFixed(int off, int code) {
        MemorySegment segment = view.segment();
        long a = view.offset() + off;
        return switch (code) {
            case 0x11 -> segment.get(U8, a);
            case 0x01 -> segment.get(U8, a) & 0xffL;
            case 0x12 -> segment.get(U16, a);
            case 0x02 -> segment.get(U16, a) & 0xffffL;
            case 0x14 -> segment.get(U32, a);
            case 0x04 -> segment.get(U32, a) & 0xffff_ffffL;
            case 0x18, 0x08 -> segment.get(U64, a);
            default -> readOdd(segment, a, code & 0xf, (code & 0x10) != 0);
        };
    }

    /** Little-endian read of 3, 5, 6 or 7 bytes (the kernel prints such sizes for packed structs). */
    private static long readOdd(MemorySegment segment, long a, int size, boolean signed) {
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

    /**
     * @param index the field's index
     * @return the string field
     */
    protected final String str(int index) {
        return view.getString(fields[index]);
    }

    /**
     * @param index the field's index
     * @param i     which string of the string array
     * @return string {@code i} of the field
     */
    protected final String strAt(int index, int i) {
        return view.getString(fields[index], i);
    }

    /**
     * @param index the field's index
     * @param i     which element of the array
     * @return element {@code i} of the field
     */
    protected final long element(int index, int i) {
        return view.getElement(fields[index], i);
    }

    /**
     * @param index the field's index
     * @return the name of the field's value in its {@code __print_symbolic}/{@code __print_flags} table
     */
    protected final String sym(int index) {
        return view.symbol(fields[index]);
    }

    /**
     * @param index the field's index
     * @param dst   where to copy the string's bytes
     * @return the number of bytes copied
     */
    protected final int copyStr(int index, byte[] dst) {
        return view.copyString(fields[index], dst);
    }

    /**
     * @param index the field's index
     * @param dst   where to copy the field's bytes
     * @return the number of bytes copied
     */
    protected final int copyBytes(int index, byte[] dst) {
        return view.copyBytes(fields[index], dst, 0);
    }

    /**
     * @param index the field's index
     * @return the array field's bytes
     */
    protected final byte[] bytes(int index) {
        return view.getBytes(fields[index]);
    }

    /**
     * @param index the field's index
     * @return the array field's elements
     */
    protected final long[] longs(int index) {
        return view.getLongArray(fields[index]);
    }

    /**
     * @param field an optional field this kernel's format lacks
     * @return the exception its accessor throws
     */
    protected final RuntimeException absent(String field) {
        return new IllegalStateException("field '" + field + "' is absent from this kernel's format of "
                + tracepoint + " (declared optional; check hasX() first)");
    }

    @Override
    public String toString() {
        return view.toString();
    }
}
