package dev.tracepoint.core;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A kernel-side tracepoint filter (ftrace filter syntax, set with {@code PERF_EVENT_IOC_SET_FILTER}) built
 * from typed parts, so that values taken from user input stay values: a string can never end its literal
 * and add an expression of its own.
 *
 * {@snippet :
 * String user = "nginx\" || sig == 9 || comm == \"x";       // hostile input
 * Filter f = Filter.field("sig").eq(9).and(Filter.field("comm").eq(user));
 * stream.enable("signal:signal_generate").filter(f);         // sig == 9 && comm == 'nginx" || sig == 9 || comm == "x'
 * }
 *
 * <h2>Quoting</h2>
 * The kernel's filter parser ({@code kernel/trace/trace_events_filter.c}) has no escape sequences: a string
 * literal runs from a {@code "} or {@code '} to the next occurrence of the same character. A value is
 * therefore quoted with whichever quote it does not contain; a value containing both, a NUL, a newline, or
 * 256 bytes or more (the kernel's {@code MAX_FILTER_STR_VAL}) cannot be quoted safely and is rejected with
 * an {@link IllegalArgumentException} naming it. Field names must be C identifiers. Numbers are written in
 * decimal. {@link FieldRef#glob(String)} ({@code ~}) is the only operator for which {@code * ? [} in a value
 * are wildcards; with {@link FieldRef#eq(String)} they are plain characters.
 *
 * <h2>Validation</h2>
 * {@link #toString(EventFormat)} (which {@link Subscription#filter(Filter)} calls) checks every
 * field name against the tracepoint's format, and that strings are compared with string fields and numbers
 * with numeric ones, before the kernel sees the filter. The kernel's special fields {@code comm},
 * {@code COMM}, {@code cpu}, {@code CPU} and {@code common_cpu} exist for every tracepoint.
 *
 * <p>{@link #raw(String)} is the explicit escape hatch: its text is passed on unchecked, parenthesised when
 * combined. Never build a raw filter from untrusted input. Instances are immutable and thread-safe.
 */
public final class Filter {

    /** The kernel's {@code MAX_FILTER_STR_VAL}: a string operand must be shorter than this many bytes. */
    public static final int MAX_STRING_BYTES = 256;

    private static final Set<String> SPECIAL_STRING_FIELDS = Set.of("comm", "COMM");
    private static final Set<String> SPECIAL_NUMERIC_FIELDS = Set.of("cpu", "CPU", "common_cpu");

    /** One comparison's needs, for validation against a format. */
    private record Use(String field, boolean string, boolean negative) {
    }

    private final String text;
    /**
     * The operator joining this filter's top-level terms ({@code &&} or {@code ||}); {@code "raw"} for a raw part
     * (always parenthesised when combined); null for a comparison or a negation.
     */
    private final String op;
    private final List<Use> uses;
    private final boolean hasRaw;

    private Filter(String text, String op, List<Use> uses, boolean hasRaw) {
        this.text = text;
        this.op = op;
        this.uses = uses;
        this.hasRaw = hasRaw;
    }

    /**
     * Starts a comparison on a field of the tracepoint (or one of the special fields).
     *
     * @param name the field name, a C identifier
     * @return the field, to compare
     * @throws IllegalArgumentException when the name is not a C identifier
     */
    public static FieldRef field(String name) {
        Objects.requireNonNull(name, "name");
        if (!isIdentifier(name)) {
            throw new IllegalArgumentException("field name is not a C identifier: name=\"" + printable(name) + "\"");
        }
        return new FieldRef(name);
    }

    /**
     * The kernel's special {@code comm} field: the name of the task that was current when the tracepoint
     * fired. For tracepoints that have a field named {@code comm} (such as {@code signal:signal_generate},
     * whose {@code comm} is the signal's target) that field is meant instead; {@code Filter.field("COMM")}
     * always means the current task.
     *
     * @return the field, to compare
     */
    public static FieldRef comm() {
        return new FieldRef("comm");
    }

    /**
     * An unchecked filter expression, passed to the kernel as written (parenthesised when combined). The
     * escape hatch for syntax this builder does not cover; never build it from untrusted input.
     *
     * @param expression an ftrace filter expression
     * @return the filter
     * @throws IllegalArgumentException when the expression is blank or contains a NUL
     */
    public static Filter raw(String expression) {
        Objects.requireNonNull(expression, "expression");
        if (expression.isBlank() || expression.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("raw filter is blank or contains a NUL: expression=\"" + printable(expression) + "\"");
        }
        return new Filter(expression.strip(), "raw", List.of(), true);
    }

    /**
     * Combines two filters so that an event must pass both.
     *
     * @param other another filter
     * @return {@code this && other}, each side parenthesised unless it is one comparison or an {@code &&} chain
     */
    public Filter and(Filter other) {
        return combine("&&", other);
    }

    /**
     * Combines two filters so that an event passes when either does.
     *
     * @param other another filter
     * @return {@code this || other}, each side parenthesised unless it is one comparison or an {@code ||} chain
     */
    public Filter or(Filter other) {
        return combine("||", other);
    }

    /**
     * Negates this filter: events pass when this filter rejects them.
     *
     * @return {@code !(this)}
     */
    public Filter not() {
        return new Filter("!(" + text + ")", null, uses, hasRaw);
    }

    /**
     * Combines filters so that an event must pass all of them, as a chain of {@link #and(Filter)}.
     *
     * @param filters filters to combine (at least one)
     * @return all of them, joined with {@code &&}
     * @throws IllegalArgumentException when no filter is given
     */
    public static Filter allOf(Filter... filters) {
        return join("&&", filters);
    }

    /**
     * Combines filters so that an event passes when any of them does, as a chain of {@link #or(Filter)}.
     *
     * @param filters filters to combine (at least one)
     * @return any of them, joined with {@code ||}
     * @throws IllegalArgumentException when no filter is given
     */
    public static Filter anyOf(Filter... filters) {
        return join("||", filters);
    }

    private static Filter join(String op, Filter... filters) {
        if (filters.length == 0) {
            throw new IllegalArgumentException("no filters to join with " + op);
        }
        Filter f = Objects.requireNonNull(filters[0], "filters[0]");
        for (int i = 1; i < filters.length; i++) {
            f = f.combine(op, Objects.requireNonNull(filters[i], "filters[" + i + "]"));
        }
        return f;
    }

    private Filter combine(String op, Filter other) {
        Objects.requireNonNull(other, "other");
        List<Use> all = new ArrayList<>(uses);
        all.addAll(other.uses);
        return new Filter(wrap(this, op) + " " + op + " " + wrap(other, op), op, Collections.unmodifiableList(all), hasRaw || other.hasRaw);
    }

    /** Parenthesised inside {@code op} unless it is a single term or a chain of the same operator (both are associative). */
    private static String wrap(Filter f, String op) {
        return f.op == null || f.op.equals(op) ? f.text : "(" + f.text + ")";
    }

    /**
     * The field names this filter refers to, what {@link #validate(EventFormat)} checks against a format.
     *
     * @return the fields this filter compares (raw parts are not looked into), in order of first use
     */
    public Set<String> fields() {
        Set<String> out = new LinkedHashSet<>();
        for (Use u : uses) {
            out.add(u.field);
        }
        return out;
    }

    /**
     * Checks the filter against a tracepoint's layout.
     *
     * @param format the tracepoint's format
     * @return this filter
     * @throws IllegalArgumentException naming the tracepoint, the unknown field (and the fields it has) or the
     *                                  comparison whose type does not fit the field
     */
    public Filter validate(EventFormat format) {
        Objects.requireNonNull(format, "format");
        for (Use u : uses) {
            Field f = format.field(u.field);
            boolean special = SPECIAL_STRING_FIELDS.contains(u.field) || SPECIAL_NUMERIC_FIELDS.contains(u.field);
            if (f == null && !special) {
                List<String> names = new ArrayList<>();
                for (Field x : format.fields()) {
                    names.add(x.name());
                }
                throw new IllegalArgumentException("filter for " + format.fullName() + " names field=" + u.field
                        + ", which the tracepoint does not have; its fields: " + String.join(", ", names));
            }
            boolean stringField = f != null ? f.isString() : SPECIAL_STRING_FIELDS.contains(u.field);
            boolean numericField = f != null ? f.isNumeric() : SPECIAL_NUMERIC_FIELDS.contains(u.field);
            if (u.string && !stringField) {
                throw new IllegalArgumentException("filter for " + format.fullName() + " compares field=" + u.field
                        + " (" + (f == null ? "number" : f.type()) + ") with a string");
            }
            if (!u.string && !numericField) {
                throw new IllegalArgumentException("filter for " + format.fullName() + " compares field=" + u.field
                        + " (" + (f == null ? "string" : f.type()) + ") with a number");
            }
            if (u.negative && f != null && !f.signed()) {
                throw new IllegalArgumentException("filter for " + format.fullName() + " compares unsigned field=" + u.field
                        + " (" + f.type() + ") with a negative number");
            }
        }
        return this;
    }

    /**
     * Renders the filter for one tracepoint, in the ftrace syntax the kernel takes, once it has checked it
     * against that tracepoint's layout.
     *
     * @param format the tracepoint's format
     * @return the filter text, after {@link #validate(EventFormat)}
     * @throws IllegalArgumentException when validation fails
     */
    public String toString(EventFormat format) {
        validate(format);
        return text;
    }

    /**
     * Tells whether some of this filter is unchecked text: such a filter may name fields
     * {@link #validate(EventFormat)} does not see.
     *
     * @return whether a part of this filter came from {@link #raw(String)}
     */
    public boolean hasRaw() {
        return hasRaw;
    }

    /**
     * The filter as the kernel would get it, without checking it against any tracepoint (see
     * {@link #toString(EventFormat)}).
     *
     * @return the filter text in ftrace syntax, unvalidated
     */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Filter f && f.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    // ------------------------------------------------------------------------------------------ helpers

    static boolean isIdentifier(String s) {
        if (s.isEmpty() || s.length() > 128) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Quotes a string operand with the quote character it does not contain.
     *
     * @throws IllegalArgumentException when no quoting is safe
     */
    static String quote(String value) {
        Objects.requireNonNull(value, "value");
        String why = null;
        if (value.indexOf('"') >= 0 && value.indexOf('\'') >= 0) {
            why = "it contains both quote characters and the kernel's filter syntax has no escapes";
        } else if (value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            why = "it contains a NUL or line break";
        } else if (value.getBytes(StandardCharsets.UTF_8).length >= MAX_STRING_BYTES) {
            why = "it is " + value.getBytes(StandardCharsets.UTF_8).length + " bytes, the kernel takes at most "
                    + (MAX_STRING_BYTES - 1);
        }
        if (why != null) {
            throw new IllegalArgumentException("filter value cannot be quoted safely: " + why + ": value=\""
                    + printable(value) + "\"");
        }
        char q = value.indexOf('"') >= 0 ? '\'' : '"';
        return q + value + q;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 300; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A field of the tracepoint, to compare with a value. */
    public static final class FieldRef {
        private final String name;

        private FieldRef(String name) {
            this.name = name;
        }

        /**
         * The name this reference compares, as given to {@link Filter#field(String)}.
         *
         * @return the field name
         */
        public String name() {
            return name;
        }

        private Filter numeric(String op, long value) {
            return new Filter(name + " " + op + " " + value, null, List.of(new Use(name, false, value < 0)), false);
        }

        private Filter string(String op, String value) {
            return new Filter(name + " " + op + " " + quote(value), null, List.of(new Use(name, true, false)), false);
        }

        /**
         * Passes events whose field equals a number.
         *
         * @param value a number
         * @return {@code field == value}
         */
        public Filter eq(long value) {
            return numeric("==", value);
        }

        /**
         * Passes events whose field differs from a number.
         *
         * @param value a number
         * @return {@code field != value}
         */
        public Filter ne(long value) {
            return numeric("!=", value);
        }

        /**
         * Passes events whose field is less than a number (compared as the field's C type).
         *
         * @param value a number
         * @return {@code field < value}
         */
        public Filter lt(long value) {
            return numeric("<", value);
        }

        /**
         * Passes events whose field is at most a number (compared as the field's C type).
         *
         * @param value a number
         * @return {@code field <= value}
         */
        public Filter le(long value) {
            return numeric("<=", value);
        }

        /**
         * Passes events whose field is greater than a number (compared as the field's C type).
         *
         * @param value a number
         * @return {@code field > value}
         */
        public Filter gt(long value) {
            return numeric(">", value);
        }

        /**
         * Passes events whose field is at least a number (compared as the field's C type).
         *
         * @param value a number
         * @return {@code field >= value}
         */
        public Filter ge(long value) {
            return numeric(">=", value);
        }

        /**
         * Passes events whose field has any of the bits of a mask set: for flag fields.
         *
         * @param mask bits
         * @return {@code field & mask}: true when any of the bits is set
         */
        public Filter anyBits(long mask) {
            return numeric("&", mask);
        }

        /**
         * Passes events whose string field is exactly a text.
         *
         * @param value any text; compared exactly (no wildcards)
         * @return {@code field == "value"}
         * @throws IllegalArgumentException when the value cannot be quoted safely (see the class comment)
         */
        public Filter eq(String value) {
            return string("==", value);
        }

        /**
         * Passes events whose string field is anything but a text.
         *
         * @param value any text; compared exactly (no wildcards)
         * @return {@code field != "value"}
         * @throws IllegalArgumentException when the value cannot be quoted safely
         */
        public Filter ne(String value) {
            return string("!=", value);
        }

        /**
         * Passes events whose string field matches a glob, with the kernel's own matching.
         *
         * @param pattern a glob: {@code *} and {@code ?} and {@code [...]} are wildcards here
         * @return {@code field ~ "pattern"}
         * @throws IllegalArgumentException when the pattern cannot be quoted safely
         */
        public Filter glob(String pattern) {
            return string("~", pattern);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
