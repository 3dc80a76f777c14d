package dev.tracepoint.core.format;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parsed {@code events/<system>/<event>/format} file of one tracepoint: its id, its fields with their
 * offsets and sizes, and its print fmt. This is the record layout of the running kernel (or of the kernel
 * the file was captured from); layouts differ across kernels, so every reader looks fields up here by name.
 *
 * <p>Immutable and thread-safe. Obtain one from {@link FormatParser} or
 * {@link dev.tracepoint.core.Tracefs#format(String)}.
 */
public final class EventFormat {

    private final String system;
    private final String name;
    private final long id;
    private final List<Field> fields;
    private final Map<String, Field> byName;
    private final PrintFmt printFmt;
    private final List<String> warnings;
    private final String source;
    private final int fixedSize;

    /**
     * Creates a format. Parsers call this.
     *
     * @param system   the subsystem ({@code "signal"}), or empty when unknown
     * @param name     the event name ({@code "signal_generate"})
     * @param id       the tracepoint id ({@code perf_event_attr.config}), or -1 when the file had none
     * @param fields   all fields in declaration order, common ones included; names must be unique
     * @param printFmt the print fmt, or {@code null} when the file had none
     * @param warnings what a lenient parse accepted but noticed
     * @param source   the file it came from, for diagnostics
     */
    public EventFormat(String system, String name, long id, List<Field> fields, PrintFmt printFmt,
                       List<String> warnings, String source) {
        this.system = system == null ? "" : system;
        this.name = Objects.requireNonNull(name, "name");
        this.id = id;
        this.fields = List.copyOf(fields);
        Map<String, Field> m = new HashMap<>();
        int fixed = 0;
        for (Field f : this.fields) {
            if (m.put(f.name(), f) != null) {
                throw new IllegalArgumentException("duplicate field name=" + f.name());
            }
            fixed = Math.max(fixed, f.offset() + f.size());
        }
        this.byName = m;
        this.fixedSize = fixed;
        this.printFmt = printFmt;
        this.warnings = List.copyOf(warnings);
        this.source = source == null ? "" : source;
    }

    /**
     * The tracepoint's system, the directory under {@code events/} the format file sits in.
     *
     * @return the subsystem, for example {@code "signal"}; empty when unknown
     */
    public String system() {
        return system;
    }

    /**
     * The tracepoint's name within its system, as the format file's {@code name:} line gives it.
     *
     * @return the event name, for example {@code "signal_generate"}
     */
    public String name() {
        return name;
    }

    /**
     * The name that identifies the tracepoint across systems, as streams and messages use it.
     *
     * @return {@code system:name}, or just the name when the system is unknown
     */
    public String fullName() {
        return system.isEmpty() ? name : system + ":" + name;
    }

    /**
     * The kernel's number for this tracepoint: {@code perf_event_attr.config} when opening it, and the value
     * of {@code common_type} in its records. Specific to the running kernel.
     *
     * @return the tracepoint id, or -1 when the file had none
     */
    public long id() {
        return id;
    }

    /**
     * The record's fields, the common header's first.
     *
     * @return every field, in declaration order; unmodifiable
     */
    public List<Field> fields() {
        return fields;
    }

    /**
     * The tracepoint's own fields, without the {@code common_*} header every tracepoint shares: what a field
     * dump shows.
     *
     * @return the fields that are not part of the common header, in declaration order; unmodifiable
     */
    public List<Field> payloadFields() {
        List<Field> out = new ArrayList<>();
        for (Field f : fields) {
            if (!f.isCommon()) {
                out.add(f);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Looks a field up by name.
     *
     * @param fieldName the name as the kernel prints it ({@code "prev_comm"})
     * @return the field, or {@code null} when this layout has none of that name
     */
    public Field field(String fieldName) {
        return byName.get(fieldName);
    }

    /**
     * Looks up a field that must exist.
     *
     * @param fieldName the name
     * @return the field
     * @throws IllegalArgumentException naming the event and the fields it does have, when it is missing
     */
    public Field requireField(String fieldName) {
        Field f = byName.get(fieldName);
        if (f == null) {
            List<String> names = new ArrayList<>();
            for (Field x : fields) {
                names.add(x.name());
            }
            throw new IllegalArgumentException("tracepoint " + fullName() + " has no field '" + fieldName
                    + "' in this kernel's format (fields: " + String.join(", ", names) + ")");
        }
        return f;
    }

    /**
     * The smallest size a record of this tracepoint can have; dynamic fields' data follows it.
     *
     * @return the size of the fixed part of a record: the largest {@code offset + size}
     */
    public int fixedSize() {
        return fixedSize;
    }

    /**
     * How the kernel itself prints this event ({@code print fmt:}), which gives the value tables and the
     * text {@code trace_pipe} would show.
     *
     * @return the print fmt, or {@code null} when the file had none
     */
    public PrintFmt printFmt() {
        return printFmt;
    }

    /**
     * The {@code __print_symbolic}/{@code __print_flags} tables the print fmt gives for this tracepoint's
     * fields, the same as each {@link Field#table()}.
     *
     * @return the value tables of all fields that have one, in field order
     */
    public List<ValueTable> tables() {
        List<ValueTable> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.table() != null) {
                out.add(f.table());
            }
        }
        return out;
    }

    /**
     * Oddities of the format file the parser worked around, for a caller that wants to report them.
     *
     * @return what a lenient parse noticed but accepted (empty for a clean file)
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Where this format came from, for messages.
     *
     * @return the file this format was parsed from, or empty when unknown
     */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "EventFormat[" + fullName() + ", id=" + id + ", fields=" + fields.size() + ", fixedSize=" + fixedSize + "]";
    }
}
