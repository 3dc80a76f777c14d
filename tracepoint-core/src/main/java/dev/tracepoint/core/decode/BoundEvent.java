package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.Field;

/**
 * Base class of the classes that {@link TypedEvents} generates for typed event interfaces. Each generated
 * accessor is one call to a method here with constant arguments (the field's offset and width code, or its
 * index), so after inlining it is the same load a hand-written {@code segment.get(JAVA_INT_UNALIGNED, base + 8)}
 * would be. The fixed part of the record was bounds-checked once by {@link EventView#wrap}.
 */
abstract class BoundEvent implements TracepointEvent {

    final EventView view;
    final Field[] fields;
    final String tracepoint;

    BoundEvent(EventView view, Field[] fields, String tracepoint) {
        this.view = view;
        this.fields = fields;
        this.tracepoint = tracepoint;
    }

    @Override
    public final EventView view() {
        return view;
    }

    final long i64(int off, int code) {
        return view.readFixed(off, code);
    }

    final int i32(int off, int code) {
        return (int) view.readFixed(off, code);
    }

    final short i16(int off, int code) {
        return (short) view.readFixed(off, code);
    }

    final byte i8(int off, int code) {
        return (byte) view.readFixed(off, code);
    }

    final boolean bool(int off, int code) {
        return view.readFixed(off, code) != 0;
    }

    final String str(int index) {
        return view.getString(fields[index]);
    }

    final String sym(int index) {
        return view.symbol(fields[index]);
    }

    final int copyStr(int index, byte[] dst) {
        return view.copyString(fields[index], dst);
    }

    final int copyBytes(int index, byte[] dst) {
        return view.copyBytes(fields[index], dst, 0);
    }

    final byte[] bytes(int index) {
        return view.getBytes(fields[index]);
    }

    final long[] longs(int index) {
        return view.getLongArray(fields[index]);
    }

    final RuntimeException absent(String field) {
        return new IllegalStateException("field '" + field + "' is absent from this kernel's format of "
                + tracepoint + " (declared optional; check hasX() first)");
    }

    @Override
    public String toString() {
        return view.toString();
    }
}
