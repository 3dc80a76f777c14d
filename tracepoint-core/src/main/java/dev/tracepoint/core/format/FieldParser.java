package dev.tracepoint.core.format;

import java.util.regex.Matcher;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.tracepoint.core.format.Diagnostics.shown;

/**
 * The fields of one format file. It owns the parse of {@code field:} lines (the declaration
 * {@code [__data_loc|__rel_loc] type name[dims]} and the {@code offset:}, {@code size:} and {@code signed:}
 * attributes), the {@link FieldKind} each declaration gets (scalars, pointers, fixed and flexible arrays,
 * {@code __data_loc} and {@code __rel_loc} locators) with its element type, width and length, and the checks
 * of the record layout: duplicate names, fields past the largest record, overlaps, and the warnings of
 * sizes that contradict types and of inferred signedness. One instance serves one parse.
 */
final class FieldParser {

    /** {@code char[][N]}: the element type of a {@code __data_loc} array of N strings. */
    private static final java.util.regex.Pattern STRING_ARRAY = java.util.regex.Pattern.compile("^(char)\\[\\]\\[([0-9]{1,4})\\]$");

    /** The prefix of a field line. */
    static final String FIELD = "field:";

    /** A field declaration split into its parts: {@code [loc] type name[dims]}. */
    private record Declaration(String name, String type, FieldKind loc, String dims) {
    }

    private final Diagnostics diag;
    private final boolean event;
    private final List<Field> fields = new ArrayList<>();
    private final Map<String, Integer> fieldLines = new HashMap<>();
    private final Set<String> sizeContradictsType = new HashSet<>();
    private final Set<String> unknownAttributes = new HashSet<>();
    private final List<String> signednessInferred = new ArrayList<>();
    /** The line being parsed. */
    private int line;
    private int fieldsWithSigned;
    private boolean syscallSlots;

    /**
     * @param diagnostics where problems and warnings go
     * @param event       whether the file is an event's format, whose fields must fit a trace record without
     *                    overlapping (the ring-buffer header descriptions are exempt)
     */
    FieldParser(Diagnostics diagnostics, boolean event) {
        this.diag = diagnostics;
        this.event = event;
    }

    /** @return the fields so far, in declaration order */
    List<Field> fields() {
        return fields;
    }

    /**
     * Parses one {@code field:} line and adds its field.
     *
     * @param t    the line, stripped, starting with {@link #FIELD}
     * @param at   its 1-based number, for messages and {@link Field#line()}
     * @throws FormatException when the line is truncated, lacks an offset or size, repeats a field name or
     *                         declares a field the record cannot hold
     */
    void field(String t, int at) throws FormatException {
        line = at;
        int semicolon = t.indexOf(';');
        if (semicolon < 0) {
            throw diag.fail(line, "truncated field line: no ';' after the declaration");
        }
        Declaration d = declaration(t.substring(FIELD.length(), semicolon).strip());
        int offset = -1;
        int size = -1;
        int signed = -1;
        int p = semicolon + 1;
        while (p < t.length()) {
            int q = t.indexOf(';', p);
            String attribute = (q < 0 ? t.substring(p) : t.substring(p, q)).strip();
            if (q < 0) {
                throw diag.fail(line, "field '" + d.name() + "' is truncated: '" + shown(attribute)
                        + "' is not terminated by ';'");
            }
            p = q + 1;
            if (attribute.isEmpty()) {
                continue;
            }
            int colon = attribute.indexOf(':');
            if (colon < 0) {
                throw diag.fail(line, "field '" + d.name() + "': attribute '" + shown(attribute) + "' is not key:value");
            }
            String key = attribute.substring(0, colon).strip();
            String value = attribute.substring(colon + 1).strip();
            switch (key) {
                case "offset" -> offset = attribute(d.name(), key, value, offset);
                case "size" -> size = attribute(d.name(), key, value, size);
                case "signed" -> {
                    signed = attribute(d.name(), key, value, signed);
                    if (signed > 1) {
                        throw diag.fail(line, "field '" + d.name() + "' has signed:" + signed + "; it must be 0 or 1");
                    }
                }
                default -> {
                    if (unknownAttributes.add(key)) {
                        diag.warn(line, "ignoring unknown attribute '" + shown(key) + "' of field '" + d.name() + "'");
                    }
                }
            }
        }
        if (offset < 0) {
            throw diag.fail(line, "field '" + d.name() + "' has no offset");
        }
        if (size < 0) {
            throw diag.fail(line, "field '" + d.name() + "' has no size");
        }
        Integer previous = fieldLines.putIfAbsent(d.name(), line);
        if (previous != null) {
            throw diag.fail(line, "duplicate field name '" + d.name() + "' (lines " + previous + " and " + line + ")");
        }
        if (event && (long) offset + size > FormatParser.MAX_RECORD_BYTES) {
            throw diag.fail(line, "field '" + d.name() + "' ends at byte " + ((long) offset + size)
                    + ", past the largest possible record (" + FormatParser.MAX_RECORD_BYTES + " bytes)");
        }
        if (signed < 0) {
            signednessInferred.add(d.name());
        } else {
            fieldsWithSigned++;
        }
        fields.add(d.loc() != null ? locatorField(d, offset, size, signed)
                : d.dims() != null ? arrayField(d, offset, size, signed)
                : scalarField(d, offset, size, signed));
    }

    private int attribute(String fieldName, String key, String value, int previous) throws FormatException {
        if (previous >= 0) {
            throw diag.fail(line, "field '" + fieldName + "' has two '" + key + ":' attributes");
        }
        boolean negative = value.startsWith("-");
        String digits = negative ? value.substring(1) : value;
        if (digits.isEmpty() || !FormatLexer.isDigits(digits)) {
            throw diag.fail(line, "field '" + fieldName + "' has " + key + ":" + shown(value) + ", which is not a number");
        }
        if (negative) {
            throw diag.fail(line, "field '" + fieldName + "' has negative " + key + " " + shown(value));
        }
        if (digits.length() > 10 || Long.parseLong(digits) > Integer.MAX_VALUE) {
            throw diag.fail(line, "field '" + fieldName + "' has " + key + ":" + shown(value) + ", which is out of range");
        }
        return Integer.parseInt(digits);
    }

    /** Splits {@code [__data_loc|__rel_loc] type name[dims]}; the type may be empty, dims is null without brackets. */
    private Declaration declaration(String text) throws FormatException {
        String rest = FormatLexer.collapseSpaces(text);
        FieldKind loc = null;
        if (FormatLexer.startsWithWord(rest, "__data_loc")) {
            loc = FieldKind.DATA_LOC;
            rest = rest.substring("__data_loc".length()).strip();
        } else if (FormatLexer.startsWithWord(rest, "__rel_loc")) {
            loc = FieldKind.REL_LOC;
            rest = rest.substring("__rel_loc".length()).strip();
        }
        String dims = null;
        if (rest.endsWith("]")) {
            int open = rest.lastIndexOf('[');
            if (open < 0) {
                throw diag.fail(line, "cannot parse the declaration '" + shown(text) + "': unbalanced ']'");
            }
            dims = rest.substring(open + 1, rest.length() - 1).strip();
            rest = rest.substring(0, open).strip();
        }
        int start = rest.length();
        while (start > 0 && FormatLexer.isIdentifierPart(rest.charAt(start - 1))) {
            start--;
        }
        String fieldName = rest.substring(start);
        if (!FormatLexer.isIdentifier(fieldName)) {
            throw diag.fail(line, "cannot find a field name in the declaration '" + shown(text) + "'");
        }
        return new Declaration(fieldName, rest.substring(0, start).strip(), loc, dims);
    }

    /** {@code __data_loc char[] name}, {@code __data_loc cpumask_t name}, 2.6.31's {@code __data_loc name}, {@code __rel_loc char name[]}. */
    private Field locatorField(Declaration d, int offset, int size, int signed) throws FormatException {
        String word = d.loc() == FieldKind.DATA_LOC ? "__data_loc" : "__rel_loc";
        if (d.dims() != null && !d.dims().isEmpty()) {
            throw diag.fail(line, word + " field '" + d.name() + "' cannot have a fixed length [" + shown(d.dims()) + "]");
        }
        boolean untyped = d.type().isEmpty();
        String element;
        String type;
        if (untyped) {
            if (d.loc() == FieldKind.REL_LOC) {
                throw diag.fail(line, "field '" + d.name() + "' has no type");
            }
            // 2.6.31 printed only "__data_loc name" for its strings: a u16 offset, no element type, no length
            element = "char";
            type = word;
        } else if (d.type().endsWith("[]")) {
            element = d.type().substring(0, d.type().length() - 2).strip();
            type = word + " " + d.type();
        } else {
            element = d.type();
            type = word + " " + d.type() + (d.dims() != null ? "[]" : "");
        }
        if (element.isEmpty()) {
            throw diag.fail(line, "field '" + d.name() + "' has no element type");
        }
        if (d.loc() == FieldKind.REL_LOC && size != 4) {
            throw diag.fail(line, "__rel_loc field '" + d.name() + "' has size " + size
                    + "; a __rel_loc locator is always 4 bytes (length << 16 | offset)");
        }
        Matcher strings = STRING_ARRAY.matcher(d.type());
        if (d.loc() == FieldKind.DATA_LOC && strings.matches()) {
            // a probe's 'string[N]' fetch: N locators, one per string, '__data_loc char[][N]' of size 4*N
            int n = Integer.parseInt(strings.group(2));
            if (n <= 0 || size != 4 * n) {
                throw diag.fail(line, "__data_loc field '" + d.name() + "' of " + n + " strings has size " + size
                        + "; expected " + 4 * n);
            }
            return new Field(d.name(), type, offset, size, signed(signed, "char"), d.loc(), "char", 1, n,
                    fields.size(), line, null);
        }
        if (d.loc() == FieldKind.DATA_LOC && size != 4 && !(untyped && size == 2)) {
            throw diag.fail(line, "__data_loc field '" + d.name() + "' has size " + size
                    + "; expected 4 (or 2 for the untyped form of kernels before 2.6.32)");
        }
        int width = CTypes.elementWidth(element);
        return new Field(d.name(), type, offset, size, signed(signed, element), d.loc(), element,
                width > 0 ? width : 1, 0, fields.size(), line, null);
    }

    /** {@code type name[N]}, {@code type name[MACRO]}, and the flexible {@code type name[]}. */
    private Field arrayField(Declaration d, int offset, int size, int signed) throws FormatException {
        String element = d.type();
        if (element.isEmpty()) {
            throw diag.fail(line, "field '" + d.name() + "' has no type");
        }
        String dims = d.dims();
        String type = element + "[" + dims + "]";
        boolean isSigned = signed(signed, element);
        int typeWidth = CTypes.elementWidth(element);
        if (dims.isEmpty() && size > 0 && typeWidth > 0 && size % typeWidth == 0) {
            // probe events declare a fetched array 'u32 arr[]' with the size of its N elements: a fixed array
            return new Field(d.name(), type, offset, size, isSigned, FieldKind.ARRAY, element, typeWidth, size / typeWidth,
                    fields.size(), line, null);
        }
        if (dims.isEmpty() || dims.equals("0")) {
            if (size != 0) {
                diag.warn(line, "flexible array '" + d.name() + "' has size " + size + " (expected 0)");
            }
            return new Field(d.name(), type, offset, size, isSigned, FieldKind.FLEX_ARRAY, element,
                    typeWidth > 0 ? typeWidth : 1, 0, fields.size(), line, null);
        }
        if (size == 0) {
            throw diag.fail(line, "field '" + d.name() + "' has size 0; only flexible arrays 'name[]' may be empty");
        }
        // a length that is not a plain number is a macro (comm[TASK_COMM_LEN]) or an expression
        int declared = !FormatLexer.isDigits(dims) ? -1 : dims.length() <= 9 ? Integer.parseInt(dims) : Integer.MAX_VALUE;
        int width;
        int length;
        if (declared > 0 && size % declared == 0) {
            width = size / declared;
            length = declared;
        } else {
            width = typeWidth > 0 && size % typeWidth == 0 ? typeWidth : 1;
            length = size / width;
            if (declared > 0) {
                diag.warn(line, "array '" + d.name() + "' declares " + declared + " elements, which do not divide its size "
                        + size + "; assuming " + length + " elements of " + width + " bytes");
            }
        }
        return new Field(d.name(), type, offset, size, isSigned, FieldKind.ARRAY, element, width, length,
                fields.size(), line, null);
    }

    /** Integers, enums, bools and pointers. */
    private Field scalarField(Declaration d, int offset, int size, int signed) throws FormatException {
        String type = d.type();
        if (type.isEmpty()) {
            throw diag.fail(line, "field '" + d.name() + "' has no type");
        }
        if (size == 0) {
            throw diag.fail(line, "field '" + d.name() + "' has size 0; only flexible arrays 'name[]' may be empty");
        }
        boolean pointer = type.indexOf('*') >= 0;
        int expected = pointer ? 0 : CTypes.fixedWidth(type);
        // syscall events store every argument in an unsigned long slot, whatever its declared type
        if (expected > 0 && expected != size && event && !syscallSlots) {
            sizeContradictsType.add(d.name());
            diag.warn(line, "field '" + d.name() + "' is declared '" + type + "' (" + expected + " bytes) but has size "
                    + size + "; trusting size:");
        }
        if (d.name().equals("__syscall_nr")) {
            syscallSlots = true;
        }
        return new Field(d.name(), type, offset, size, signed(signed, type),
                pointer ? FieldKind.POINTER : FieldKind.SCALAR, type, size, 0, fields.size(), line, null);
    }

    private static boolean signed(int attribute, String type) {
        return attribute < 0 ? CTypes.inferSigned(type) : attribute == 1;
    }

    /** Sorts by offset and checks that no field starts before the furthest end so far. */
    private void checkOverlaps() throws FormatException {
        List<Field> byOffset = new ArrayList<>(fields);
        byOffset.sort(Comparator.comparingInt(Field::offset));
        Field reach = null;
        for (Field f : byOffset) {
            if (f.size() == 0) {
                continue;
            }
            if (reach != null && f.offset() < reach.offset() + reach.size()) {
                String problem = f.name() + " [" + f.offset() + "," + (f.offset() + f.size()) + ") overlaps "
                        + reach.name() + " [" + reach.offset() + "," + (reach.offset() + reach.size()) + ")";
                if (!sizeContradictsType.contains(f.name()) && !sizeContradictsType.contains(reach.name())) {
                    throw diag.fail(f.line(), problem);
                }
                diag.warn(f.line(), problem + ", because of a size: that contradicts the type");
            }
            if (reach == null || f.offset() + f.size() > reach.offset() + reach.size()) {
                reach = f;
            }
        }
    }

    /**
     * Checks the fields of an event as a whole: there is at least one, none overlaps another (unless a size
     * contradicts its type, then it is a warning), and warns of missing common fields and of signedness
     * inferred for some fields while others have {@code signed:}.
     *
     * @param formatLine the line of {@code format:}, named when there are no fields
     */
    void checkRecord(int formatLine) throws FormatException {
        if (fields.isEmpty()) {
            throw diag.fail(formatLine, "the format section declares no fields");
        }
        checkOverlaps();
        if (fields.stream().noneMatch(Field::isCommon)) {
            diag.warn("no common_* fields: offsets are still absolute, but common_type and common_pid are absent");
        }
        if (fieldsWithSigned > 0 && !signednessInferred.isEmpty()) {
            diag.warn("fields " + signednessInferred + " have no signed: attribute while others have one;"
                    + " their signedness is inferred from the type");
        }
    }
}
