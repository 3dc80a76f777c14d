package dev.tracepoint.core.format;

import java.util.Objects;

/**
 * One {@code field:} line of a tracefs format file: a named, typed slice of a trace record.
 *
 * <p>A {@code Field} is a handle: look it up once by name ({@link EventFormat#field(String)}) and pass it
 * to the readers of {@link dev.tracepoint.core.decode.EventView} for every event. Offsets and sizes are
 * exactly what the running kernel printed; nothing about a field is assumed from its type name except
 * the element width of arrays, when the kernel gives no better source. Immutable and thread-safe.
 */
public final class Field {

    private final String name;
    private final String type;
    private final int offset;
    private final int size;
    private final boolean signed;
    private final FieldKind kind;
    private final String elementType;
    private final int elementSize;
    private final int arrayLength;
    private final int index;
    private final int line;
    private final ValueTable table;

    /**
     * Creates a field. Parsers call this; users look fields up in an {@link EventFormat}.
     *
     * @param name        the field name
     * @param type        the C type as the kernel printed it, without the name ({@code "char[16]"}, {@code "__data_loc char[]"}, {@code "void *"})
     * @param offset      byte offset from the start of the record
     * @param size        byte size of the field itself (4 for a {@code __data_loc} locator, 0 for a flexible array)
     * @param signed      whether integer values are signed (for arrays: the elements)
     * @param kind        how the bytes are stored
     * @param elementType the element type for arrays and dynamic arrays ({@code "char"}, {@code "u64"}), else the type
     * @param elementSize the element width in bytes (1 for {@code char}); for scalars the size
     * @param arrayLength the element count of a fixed array, 0 otherwise
     * @param index       the position of the field in the format (declaration order)
     * @param line        the 1-based line in the format file, 0 if unknown
     * @param table       the {@code __print_symbolic}/{@code __print_flags} table of this field, or {@code null}
     */
    public Field(String name, String type, int offset, int size, boolean signed, FieldKind kind,
                 String elementType, int elementSize, int arrayLength, int index, int line, ValueTable table) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.offset = offset;
        this.size = size;
        this.signed = signed;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.elementType = elementType == null ? type : elementType;
        this.elementSize = elementSize;
        this.arrayLength = arrayLength;
        this.index = index;
        this.line = line;
        this.table = table;
    }

    /** @return a copy of this field carrying the given value table */
    public Field withTable(ValueTable newTable) {
        return new Field(name, type, offset, size, signed, kind, elementType, elementSize, arrayLength, index, line, newTable);
    }

    /** @return the field name, e.g. {@code "sig"} */
    public String name() {
        return name;
    }

    /** @return the C type as printed, e.g. {@code "int"}, {@code "char[16]"}, {@code "__data_loc char[]"} */
    public String type() {
        return type;
    }

    /** @return the byte offset from the start of the record */
    public int offset() {
        return offset;
    }

    /** @return the byte size as printed ({@code size:}) */
    public int size() {
        return size;
    }

    /** @return whether the value (or, for arrays, each element) is signed */
    public boolean signed() {
        return signed;
    }

    /** @return how the bytes are stored */
    public FieldKind kind() {
        return kind;
    }

    /** @return the element type of an array or dynamic array ({@code "char"}), else the type itself */
    public String elementType() {
        return elementType;
    }

    /** @return the element width in bytes (for scalars and pointers: the size) */
    public int elementSize() {
        return elementSize;
    }

    /** @return the element count of a fixed array, 0 for anything else */
    public int arrayLength() {
        return arrayLength;
    }

    /** @return the position in declaration order */
    public int index() {
        return index;
    }

    /** @return the 1-based line of the format file that declared it, 0 if unknown */
    public int line() {
        return line;
    }

    /** @return the value table from the print fmt, or {@code null} */
    public ValueTable table() {
        return table;
    }

    /** @return whether the field is part of the common header ({@code common_*}) */
    public boolean isCommon() {
        return name.startsWith("common_");
    }

    /** @return whether the field holds characters: {@code char[N]}, {@code __data_loc char[]}, {@code char[]} */
    public boolean isString() {
        return kind != FieldKind.SCALAR && kind != FieldKind.POINTER && elementSize == 1
                && (elementType.equals("char") || elementType.equals("const char") || elementType.equals("signed char"));
    }

    /** @return whether the field is an integer-like scalar or pointer that {@code getLong} can read */
    public boolean isNumeric() {
        return (kind == FieldKind.SCALAR || kind == FieldKind.POINTER) && size >= 1 && size <= 8;
    }

    /** @return whether the field's bytes live outside the fixed part (dynamic array or flexible array) */
    public boolean isDynamic() {
        return kind == FieldKind.DATA_LOC || kind == FieldKind.REL_LOC || kind == FieldKind.FLEX_ARRAY;
    }

    @Override
    public String toString() {
        return "field:" + type + " " + name + "; offset:" + offset + "; size:" + size + "; signed:" + (signed ? 1 : 0) + "; kind:" + kind;
    }
}
