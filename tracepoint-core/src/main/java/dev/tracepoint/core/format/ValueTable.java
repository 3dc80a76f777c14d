package dev.tracepoint.core.format;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A value-to-name table taken from a {@code __print_symbolic(REC->field, {v, "NAME"}, ...)} or
 * {@code __print_flags(REC->field, "|", {v, "NAME"}, ...)} call in a format's {@code print fmt}.
 *
 * <p>Lookups are allocation-free binary searches. Immutable and thread-safe.
 */
public final class ValueTable {

    /** Whether the table names single values or OR-ed bit flags. */
    public enum Kind {
        /** {@code __print_symbolic}: one value, one name. */
        SYMBOLIC,
        /** {@code __print_flags}: a bit set, names joined with {@link #delimiter()}. */
        FLAGS
    }

    private final String field;
    private final Kind kind;
    private final String delimiter;
    private final long[] values;     // in declaration order
    private final String[] names;
    private final long[] sortedValues;
    private final String[] sortedNames;

    /**
     * Creates a table.
     *
     * @param field     the field the table applies to ({@code REC->field})
     * @param kind      symbolic or flags
     * @param delimiter the flag delimiter ({@code "|"}), empty for symbolic tables
     * @param values    the values, in declaration order
     * @param names     the names, same length as {@code values}
     */
    public ValueTable(String field, Kind kind, String delimiter, long[] values, String[] names) {
        this.field = Objects.requireNonNull(field, "field");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.delimiter = delimiter == null ? "" : delimiter;
        if (values.length != names.length) {
            throw new IllegalArgumentException("values.length=" + values.length + " names.length=" + names.length);
        }
        this.values = values.clone();
        this.names = names.clone();
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // stable sort keeps the first name of a duplicated value first
        Arrays.sort(order, (a, b) -> Long.compare(values[a], values[b]));
        this.sortedValues = new long[values.length];
        this.sortedNames = new String[values.length];
        for (int i = 0; i < order.length; i++) {
            sortedValues[i] = values[order[i]];
            sortedNames[i] = names[order[i]];
        }
    }

    /**
     * The field whose values this table names, as the print fmt refers to it ({@code REC->field}).
     *
     * @return the field name this table decodes
     */
    public String field() {
        return field;
    }

    /**
     * Whether a value is looked up whole or split into bit flags.
     *
     * @return symbolic or flags
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The separator {@link #format(long)} puts between the names of the set flags.
     *
     * @return the delimiter between flag names, empty for a symbolic table
     */
    public String delimiter() {
        return delimiter;
    }

    /**
     * How many value/name pairs the print fmt lists; entries run from 0 to this, exclusive.
     *
     * @return the number of entries
     */
    public int size() {
        return values.length;
    }

    /**
     * The value of one entry, for walking the table in the print fmt's order.
     *
     * @param i the entry, from 0 to {@link #size()}, exclusive
     * @return the value of entry {@code i} (declaration order)
     */
    public long value(int i) {
        return values[i];
    }

    /**
     * The name of one entry, for walking the table in the print fmt's order.
     *
     * @param i the entry, from 0 to {@link #size()}, exclusive
     * @return the name of entry {@code i} (declaration order)
     */
    public String name(int i) {
        return names[i];
    }

    /**
     * The name of one value, allocation-free.
     *
     * @param value a field value
     * @return its name, or {@code null} when the table has no entry for it (normal: subsystem-encoded drop
     *         reasons, for example)
     */
    public String nameOf(long value) {
        int i = Arrays.binarySearch(sortedValues, value);
        if (i < 0) {
            return null;
        }
        while (i > 0 && sortedValues[i - 1] == value) {
            i--;
        }
        return sortedNames[i];
    }

    /**
     * The value of a name, or {@code Long.MIN_VALUE} when absent. Linear; meant for setup (filters), not per event.
     *
     * @param name an entry name, matched exactly
     * @return the value
     */
    public long valueOf(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return values[i];
            }
        }
        return Long.MIN_VALUE;
    }

    /**
     * Renders a value the way the kernel's print fmt would: the entry name for a symbolic table (the number
     * when there is none), or the matching flag names joined by the delimiter, with any remaining bits as hex.
     *
     * @param value a field value
     * @return its text
     */
    public String format(long value) {
        if (kind == Kind.SYMBOLIC) {
            String n = nameOf(value);
            return n != null ? n : Long.toString(value);
        }
        StringBuilder sb = new StringBuilder();
        long rest = value;
        for (int i = 0; i < values.length; i++) {
            long v = values[i];
            if (v == 0) {
                if (value == 0) {
                    return names[i];
                }
                continue;
            }
            if ((rest & v) == v) {
                if (!sb.isEmpty()) {
                    sb.append(delimiter);
                }
                sb.append(names[i]);
                rest &= ~v;
            }
        }
        if (rest != 0) {
            if (!sb.isEmpty()) {
                sb.append(delimiter);
            }
            sb.append("0x").append(Long.toHexString(rest));
        }
        return sb.toString();
    }

    /**
     * The whole table as a map, for a caller that lists or searches it.
     *
     * @return the entries in declaration order, as an unmodifiable map of value to name (first name wins)
     */
    public Map<Long, String> asMap() {
        Map<Long, String> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            m.putIfAbsent(values[i], names[i]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        return "ValueTable[field=" + field + ", kind=" + kind + ", size=" + values.length + "]";
    }
}
