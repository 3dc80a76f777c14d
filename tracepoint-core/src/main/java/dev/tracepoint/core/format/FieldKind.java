package dev.tracepoint.core.format;

/**
 * How a field's bytes are stored in a trace record, as the kernel's {@code field:} line declares it.
 */
public enum FieldKind {
    /** A plain integer, {@code bool} or {@code enum} of 1, 2, 4 or 8 bytes (the kernel also prints odd widths; see {@link Field#size()}). */
    SCALAR,
    /** A pointer ({@code void *}, {@code const char *}, ...); its width comes from {@code size:}, never from the host. */
    POINTER,
    /** A fixed array {@code type name[N]}; {@code char name[N]} is a NUL-terminated string. */
    ARRAY,
    /** A flexible array {@code type name[]} of size 0: it extends to the end of the record. */
    FLEX_ARRAY,
    /** {@code __data_loc type[] name}: a u32 whose low 16 bits are the offset from the record start and high 16 bits the length (old kernels: a u16 offset only). */
    DATA_LOC,
    /** {@code __rel_loc type[] name}: like {@link #DATA_LOC}, but the offset counts from the end of this field. */
    REL_LOC
}
