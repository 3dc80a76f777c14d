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

    /**
     * Copies this field with another {@code __print_symbolic}/{@code __print_flags} table, everything else
     * equal. For parsers, which find the tables in the print fmt after the fields.
     *
     * @param newTable the table, or {@code null} for none
     * @return a copy of this field carrying the given value table
     */
    public Field withTable(ValueTable newTable) {
        return new Field(name, type, offset, size, signed, kind, elementType, elementSize, arrayLength, index, line, newTable);
    }

    /**
     * The name the format file declares, the one to look the field up with.
     *
     * @return the field name, for example {@code "sig"}
     */
    public String name() {
        return name;
    }

    /**
     * The C type exactly as the kernel printed it, qualifiers and array bounds included.
     *
     * @return the C type as printed, for example {@code "int"}, {@code "char[16]"}, {@code "__data_loc char[]"}
     */
    public String type() {
        return type;
    }

    /**
     * Where the field starts in the record, as the running kernel lays it out ({@code offset:}).
     *
     * @return the byte offset from the start of the record
     */
    public int offset() {
        return offset;
    }

    /**
     * How many bytes the field takes in the record's fixed part: for a {@code __data_loc} field, the
     * locator's, not the data's.
     *
     * @return the byte size as printed ({@code size:})
     */
    public int size() {
        return size;
    }

    /**
     * Tells how integer readers extend the value to a wider type ({@code signed:}).
     *
     * @return whether the value (or, for arrays, each element) is signed
     */
    public boolean signed() {
        return signed;
    }

    /**
     * The storage kind, which decides which readers of an event apply to this field.
     *
     * @return how the bytes are stored
     */
    public FieldKind kind() {
        return kind;
    }

    /**
     * The type of one element, for arrays; for other fields the same as {@link #type()}.
     *
     * @return the element type of an array or dynamic array ({@code "char"}), else the type itself
     */
    public String elementType() {
        return elementType;
    }

    /**
     * The width of one element, for the element readers of arrays.
     *
     * @return the element width in bytes (for scalars and pointers: the size)
     */
    public int elementSize() {
        return elementSize;
    }

    /**
     * The declared length of a fixed array ({@code char[16]}: 16).
     *
     * @return the element count of a fixed array, 0 for anything else
     */
    public int arrayLength() {
        return arrayLength;
    }

    /**
     * The field's position in its format's declaration order, to index per-field arrays with.
     *
     * @return the position in declaration order
     */
    public int index() {
        return index;
    }

    /**
     * Where the field was declared, for messages about it.
     *
     * @return the 1-based line of the format file that declared it, 0 if unknown
     */
    public int line() {
        return line;
    }

    /**
     * The names the print fmt gives this field's values ({@code __print_symbolic} or {@code __print_flags}),
     * which {@code EventView.symbol(field)} reads.
     *
     * @return the value table from the print fmt, or {@code null} when it gives none
     */
    public ValueTable table() {
        return table;
    }

    /**
     * Tells whether the field is one of the header fields every tracepoint of the kernel shares
     * ({@code common_type}, {@code common_pid}...), rather than one of this tracepoint's own.
     *
     * @return whether the field is part of the common header ({@code common_*})
     */
    public boolean isCommon() {
        return name.startsWith("common_");
    }

    /**
     * Tells whether the string readers of an event apply to this field.
     *
     * @return whether the field holds characters: {@code char[N]}, {@code __data_loc char[]}, {@code char[]}
     */
    public boolean isString() {
        return kind != FieldKind.SCALAR && kind != FieldKind.POINTER && elementSize == 1
                && (elementType.equals("char") || elementType.equals("const char") || elementType.equals("signed char"));
    }

    /**
     * Tells whether the integer readers of an event apply to this field.
     *
     * @return whether the field is an integer-like scalar or pointer that {@code getLong} can read
     */
    public boolean isNumeric() {
        return (kind == FieldKind.SCALAR || kind == FieldKind.POINTER) && size >= 1 && size <= 8;
    }

    /**
     * Tells whether the field's length varies from record to record, so that its bytes are located per event.
     *
     * @return whether the field's bytes live outside the fixed part (dynamic array or flexible array)
     */
    public boolean isDynamic() {
        return kind == FieldKind.DATA_LOC || kind == FieldKind.REL_LOC || kind == FieldKind.FLEX_ARRAY;
    }

    @Override
    public String toString() {
        return "field:" + type + " " + name + "; offset:" + offset + "; size:" + size + "; signed:" + (signed ? 1 : 0) + "; kind:" + kind;
    }
}
