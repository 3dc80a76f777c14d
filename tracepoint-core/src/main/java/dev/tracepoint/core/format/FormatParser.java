package dev.tracepoint.core.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Parses tracefs {@code events/<system>/<event>/format} files into {@link EventFormat}s.
 *
 * <p>The parser accepts every layout Linux has printed since 2.6.30: the 12-byte common headers of old
 * kernels ({@code common_tgid}, {@code common_lock_depth}, {@code common_padding}), field lines without
 * {@code signed:} (before 2.6.33), the untyped 2-byte {@code __data_loc name} of 2.6.31, {@code __rel_loc},
 * flexible arrays, runs of spaces or tabs between attributes, CRLF line ends, a leading {@code system:}
 * line, a missing print fmt ({@code trace-cmd list -F} output) and a print fmt that spans lines (the kernel
 * prints a {@code \n} of the format string as a line break). The print fmt is split by
 * {@link #parsePrintFmt(String)}, and its {@code __print_symbolic}/{@code __print_flags} calls become the
 * {@link ValueTable}s of their fields. It rejects, with a
 * {@link FormatException} naming the file, the line and the problem, anything that would make a layout
 * wrong or ambiguous: missing offsets or sizes, overlapping or duplicate fields, fields that cannot fit a
 * trace record, truncated lines, unknown top-level keys. Plausible oddities (a scalar whose size contradicts
 * its type, unknown field attributes, a print fmt that cannot be split) are accepted and listed in
 * {@link EventFormat#warnings()}.
 *
 * <p>The ring-buffer descriptions {@code events/header_page} and {@code events/header_event} are parsed too:
 * they have no name, ID or {@code format:} line, so they are recognised by their file name or their
 * first line, get their file name as event name and id -1, and are exempt from the record layout checks
 * ({@code header_page} overlaps {@code commit} and {@code overwrite} on purpose).
 *
 * <p>Parsing is linear in the input, never allocates anything sized by a number read from the file, and
 * never throws an unchecked exception for bad input. Thread-safe: all methods are static and stateless.
 */
public final class FormatParser {

    /** The largest format file accepted, in bytes (4 MiB); real ones are at most a few KiB. */
    public static final int MAX_FILE_BYTES = 4 << 20;

    /** The longest line accepted, in bytes (1 MiB); real print fmt lines stay far below. */
    public static final int MAX_LINE_BYTES = 1 << 20;

    /** The largest trace record: every field of an event must end at or before this offset. */
    public static final int MAX_RECORD_BYTES = 65535;

    private static final String PRINT_FMT = "print fmt:";
    private static final String FIELD = "field:";
    private static final int MAX_SHOWN = 60;

    /** Byte widths of the C types whose width is the same on every Linux ABI. */
    private static final Map<String, Integer> FIXED_WIDTHS = widths();

    /** C types whose width depends on the ABI (ILP32 or LP64); arrays assume LP64 when nothing better is known. */
    private static final Set<String> LONG_TYPES = Set.of(
            "long", "long int", "signed long", "signed long int", "unsigned long", "unsigned long int",
            "size_t", "ssize_t");

    /** Unsigned type names that do not start with {@code unsigned}, {@code __u}, {@code uint}, {@code __be} or {@code __le}. */
    private static final Set<String> UNSIGNED_TYPES = Set.of("u8", "u16", "u32", "u64", "bool", "_Bool", "size_t");

    private FormatParser() {
    }

    /**
     * Reads and parses one format file.
     *
     * <p>The event name comes from the {@code name:} line. The system comes from a {@code system:} line if
     * there is one, else from the path: {@code .../<system>/<event>/format} (any file inside a directory
     * named like the event) or {@code .../<system>/<event>.format}; otherwise it is empty. The size limit
     * is checked before the file is read, and again on the bytes read, because tracefs reports size 0.
     *
     * @param file the file, e.g. {@code /sys/kernel/tracing/events/signal/signal_generate/format}
     * @return the parsed format; {@link EventFormat#source()} is the path as given
     * @throws FormatException when the file is not a valid format file, or larger than {@link #MAX_FILE_BYTES}
     * @throws IOException     when the file cannot be read
     */
    public static EventFormat parse(Path file) throws FormatException, IOException {
        String source = file.toString();
        long declaredSize = Files.size(file);
        if (declaredSize > MAX_FILE_BYTES) {
            throw new FormatException(source, 0, "file is " + declaredSize + " bytes, larger than the 4 MiB limit");
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        return new Parser(source, "", file, content).run();
    }

    /**
     * Parses the bytes of one format file.
     *
     * <p>A source whose last path segment is {@code header_page} or {@code header_event} (or content that
     * starts the way those files do) is parsed as a ring-buffer header description; see the class comment.
     *
     * @param source  the name used in messages and {@link EventFormat#source()}, usually the path
     * @param system  the subsystem, or empty when unknown; a {@code system:} line in the content wins
     * @param content the file content, at most {@link #MAX_FILE_BYTES}
     * @return the parsed format
     * @throws FormatException      when the content is not a valid format file; it names the source, the
     *                              1-based line (0 for the whole file) and the problem
     * @throws NullPointerException when {@code content} is null
     */
    public static EventFormat parse(String source, String system, byte[] content) throws FormatException {
        return new Parser(source == null ? "<format>" : source, system == null ? "" : system, null, content).run();
    }

    /**
     * Splits the text after {@code print fmt: } into the C format string and its argument expressions.
     *
     * <p>Adjacent string literals ({@code "a" "b"}) are concatenated and C escapes are resolved. Arguments
     * are split at top-level commas only: commas inside parentheses, brackets, braces and string or
     * character literals stay in their argument. Never throws: a print fmt that cannot be split (unbalanced
     * brackets, an unterminated literal, no leading string) gives a {@link PrintFmt} whose
     * {@link PrintFmt#format()} is {@code null} and whose {@link PrintFmt#problem()} says why.
     *
     * @param text the print fmt text, e.g. {@code "sig=%d comm=%s", REC->sig, REC->comm}
     * @return the split print fmt
     */
    public static PrintFmt parsePrintFmt(String text) {
        String t = text == null ? "" : text;
        int n = t.length();
        int i = Lexer.skipSpace(t, 0, n);
        if (i == n) {
            return unsplit(t, "empty print fmt");
        }
        if (t.charAt(i) != '"') {
            return unsplit(t, "print fmt does not start with a string literal");
        }
        StringBuilder format = new StringBuilder();
        while (i < n && t.charAt(i) == '"') {
            int end = Lexer.unescape(t, i, n, format);
            if (end < 0) {
                return unsplit(t, "unterminated string literal at column " + (i + 1));
            }
            i = Lexer.skipSpace(t, end, n);
        }
        if (i == n) {
            return new PrintFmt(t, format.toString(), List.of(), null);
        }
        if (t.charAt(i) != ',') {
            return unsplit(t, "unexpected '" + t.charAt(i) + "' after the format string at column " + (i + 1));
        }
        Split args = Lexer.split(t, i + 1, n);
        if (args.problem() != null) {
            return unsplit(t, args.problem());
        }
        return new PrintFmt(t, format.toString(), args.parts(), null);
    }

    private static PrintFmt unsplit(String text, String problem) {
        return new PrintFmt(text, null, List.of(), problem);
    }

    // ---------------------------------------------------------------------------------------------------
    // value tables

    /**
     * Finds every {@code __print_symbolic}/{@code __print_flags} call (and their {@code _u64} forms) anywhere
     * in a print fmt, outside string literals, and turns those applied directly to a {@code REC->field} into
     * tables. The first table of a field wins. Linear: the text after a call continues after its ')'.
     */
    private static Map<String, ValueTable> valueTables(String text) {
        Map<String, ValueTable> tables = new HashMap<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = Lexer.skipLiteral(text, i, n);
                if (i < 0) {
                    break;
                }
                continue;
            }
            if (!Lexer.isIdentifierPart(c)) {
                i++;
                continue;
            }
            int end = i;
            while (end < n && Lexer.isIdentifierPart(text.charAt(end))) {
                end++;
            }
            ValueTable.Kind kind = switch (text.substring(i, end)) {
                case "__print_symbolic", "__print_symbolic_u64" -> ValueTable.Kind.SYMBOLIC;
                case "__print_flags", "__print_flags_u64" -> ValueTable.Kind.FLAGS;
                default -> null;
            };
            i = end;
            if (kind == null) {
                continue;
            }
            int open = Lexer.skipSpace(text, end, n);
            if (open == n || text.charAt(open) != '(') {
                continue;
            }
            int close = Lexer.matchClose(text, open, n);
            if (close < 0) {
                break;
            }
            ValueTable table = valueTable(kind, text, open + 1, close);
            if (table != null) {
                tables.putIfAbsent(table.field(), table);
            }
            i = close + 1;
        }
        return tables;
    }

    /** One helper call's table, or {@code null} when its field is not a plain {@code REC->name} or no entry evaluates. */
    private static ValueTable valueTable(ValueTable.Kind kind, String text, int from, int to) {
        Split split = Lexer.split(text, from, to);
        if (split.problem() != null) {
            return null;
        }
        List<String> args = split.parts();
        int first = kind == ValueTable.Kind.FLAGS ? 2 : 1;
        String field = args.isEmpty() ? null : fieldReference(args.get(0));
        if (field == null || args.size() <= first) {
            return null;
        }
        String delimiter = kind == ValueTable.Kind.FLAGS ? Lexer.stringLiteral(args.get(1)) : "";
        if (delimiter == null) {
            return null;
        }
        long[] values = new long[args.size() - first];
        String[] names = new String[values.length];
        int count = 0;
        for (String entry : args.subList(first, args.size())) {
            if (entry.length() < 2 || entry.charAt(0) != '{' || entry.charAt(entry.length() - 1) != '}') {
                continue;
            }
            Split pair = Lexer.split(entry, 1, entry.length() - 1);
            if (pair.problem() != null || pair.parts().size() != 2) {
                continue;
            }
            Long value = ConstantExpression.evaluate(pair.parts().get(0));
            String name = Lexer.stringLiteral(pair.parts().get(1));
            if (value != null && name != null) {
                values[count] = value;
                names[count++] = name;
            }
        }
        return count == 0 ? null
                : new ValueTable(field, kind, delimiter, Arrays.copyOf(values, count), Arrays.copyOf(names, count));
    }

    /**
     * The field an expression reads unchanged: {@code REC->x}, {@code (REC->x)} or {@code (unsigned long)REC->x}.
     * Derived values ({@code REC->x & 0xff}, constants) give {@code null}: their table does not describe the field.
     */
    private static String fieldReference(String expression) {
        String e = expression.strip();
        if (e.length() > 256) {
            return null;
        }
        while (e.startsWith("(")) {
            int close = Lexer.matchClose(e, 0, e.length());
            if (close == e.length() - 1) {
                e = e.substring(1, close).strip();
            } else if (close > 0 && Lexer.isTypeName(e, 1, close)) {
                e = e.substring(close + 1).strip();
            } else {
                break;
            }
        }
        if (!e.startsWith("REC->")) {
            return null;
        }
        String name = e.substring(5);
        return Lexer.isIdentifier(name) ? name : null;
    }

    // ---------------------------------------------------------------------------------------------------
    // C type knowledge

    private static Map<String, Integer> widths() {
        Map<String, Integer> m = new HashMap<>();
        for (String t : List.of("char", "signed char", "unsigned char", "u8", "s8", "__u8", "__s8", "uint8_t",
                "int8_t", "bool", "_Bool")) {
            m.put(t, 1);
        }
        for (String t : List.of("short", "short int", "signed short", "unsigned short", "unsigned short int",
                "u16", "s16", "__u16", "__s16", "__be16", "__le16", "uint16_t", "int16_t")) {
            m.put(t, 2);
        }
        for (String t : List.of("int", "signed int", "signed", "unsigned", "unsigned int", "u32", "s32", "__u32",
                "__s32", "__be32", "__le32", "uint32_t", "int32_t", "pid_t")) {
            m.put(t, 4);
        }
        for (String t : List.of("long long", "long long int", "signed long long", "unsigned long long",
                "unsigned long long int", "u64", "s64", "__u64", "__s64", "__be64", "__le64", "uint64_t", "int64_t")) {
            m.put(t, 8);
        }
        return Map.copyOf(m);
    }

    /** The type without leading {@code const}/{@code volatile} and trailing {@code const}. */
    private static String unqualified(String type) {
        String t = type;
        while (t.startsWith("const ") || t.startsWith("volatile ")) {
            t = t.substring(t.indexOf(' ') + 1);
        }
        return t.endsWith(" const") ? t.substring(0, t.length() - 6) : t;
    }

    /** The width of a fixed-width C type, 0 when it depends on the ABI or is unknown (typedefs, enums, structs). */
    private static int fixedWidth(String type) {
        return FIXED_WIDTHS.getOrDefault(unqualified(type), 0);
    }

    /** The element width assumed for an array of {@code type} when the sizes do not tell: pointers and longs as LP64. */
    private static int elementWidth(String type) {
        String t = unqualified(type);
        if (t.indexOf('*') >= 0 || LONG_TYPES.contains(t)) {
            return 8;
        }
        if (t.startsWith("enum ")) {
            return 4;
        }
        return fixedWidth(t);
    }

    /** Signedness for kernels that print no {@code signed:}: unsigned, u8..u64, __u*, bool, size_t and pointers are unsigned. */
    private static boolean inferSigned(String type) {
        String t = unqualified(type);
        return t.indexOf('*') < 0 && !t.startsWith("unsigned") && !t.startsWith("__u") && !t.startsWith("uint")
                && !t.startsWith("__be") && !t.startsWith("__le") && !UNSIGNED_TYPES.contains(t);
    }

    // ---------------------------------------------------------------------------------------------------
    // the parser proper

    /** What kind of file is being parsed. */
    private enum Shape {
        /** An event's format file. */
        EVENT,
        /** {@code events/header_page}: field lines only, overlapping on purpose. */
        HEADER_PAGE,
        /** {@code events/header_event}: free text describing the compressed entry header. */
        HEADER_EVENT
    }

    /** A field declaration split into its parts: {@code [loc] type name[dims]}. */
    private record Declaration(String name, String type, FieldKind loc, String dims) {
    }

    /** The state of one parse. */
    private static final class Parser {

        private final String source;
        private final String givenSystem;
        private final Path file;
        private final byte[] in;
        private final Shape shape;
        private final List<Field> fields = new ArrayList<>();
        private final Map<String, Integer> fieldLines = new HashMap<>();
        private final Set<String> sizeContradictsType = new HashSet<>();
        private final Set<String> unknownAttributes = new HashSet<>();
        private final List<String> signednessInferred = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private int line;
        private String name;
        private String system;
        private long id = -1;
        private int nameLine;
        private int systemLine;
        private int idLine;
        private int formatLine;
        private int printFmtLine;
        private int fieldsWithSigned;
        private boolean syscallSlots;
        private ByteArrayOutputStream printFmt;
        /** The quote character of the literal the print fmt text is inside, 0 when outside. */
        private char openQuote;

        Parser(String source, String givenSystem, Path file, byte[] content) {
            this.source = source;
            this.givenSystem = givenSystem;
            this.file = file;
            this.in = Objects.requireNonNull(content, "content");
            this.shape = shape(source, content);
        }

        EventFormat run() throws FormatException {
            try {
                return parse();
            } catch (RuntimeException e) {
                throw fail(line, "internal parser error: " + e);
            }
        }

        private EventFormat parse() throws FormatException {
            if (in.length > MAX_FILE_BYTES) {
                throw fail(0, "file is larger than the 4 MiB limit");
            }
            if (Lexer.isBlank(in)) {
                throw fail(0, "empty format file");
            }
            int pos = 0;
            while (pos < in.length) {
                int end = pos;
                while (end < in.length && in[end] != '\n') {
                    end++;
                }
                line++;
                if (end - pos > MAX_LINE_BYTES) {
                    throw fail(line, "line is " + (end - pos) + " bytes long, over the 1 MiB limit");
                }
                line(pos, end > pos && in[end - 1] == '\r' ? end - 1 : end);
                pos = end + 1;
            }
            return finish();
        }

        private static Shape shape(String source, byte[] content) {
            String fileName = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
            if (fileName.equals("header_page") || Lexer.startsWithAfterSpace(content, "field: u64 timestamp;")) {
                return Shape.HEADER_PAGE;
            }
            if (fileName.equals("header_event") || Lexer.startsWithAfterSpace(content, "# compressed entry header")) {
                return Shape.HEADER_EVENT;
            }
            return Shape.EVENT;
        }

        /** One line, {@code [from, to)} without its line end. */
        private void line(int from, int to) throws FormatException {
            if (openQuote == '"') {
                // the kernel prints the format string's newlines as they are: the literal continues here
                printFmt.write('\n');
                appendPrintFmt(from, to);
                return;
            }
            String text = new String(in, from, to - from, StandardCharsets.ISO_8859_1);
            String t = text.strip();
            if (t.isEmpty()) {
                return;
            }
            if (t.startsWith(PRINT_FMT)) {
                startPrintFmt(from + text.indexOf(PRINT_FMT) + PRINT_FMT.length(), to);
                return;
            }
            int nul = text.indexOf('\0');
            if (nul >= 0) {
                throw fail(line, "NUL byte at column " + (nul + 1));
            }
            if (t.startsWith(FIELD)) {
                field(t);
                return;
            }
            if (shape == Shape.HEADER_EVENT) {
                return; // free-text description of the entry header
            }
            int colon = t.indexOf(':');
            if (colon < 0) {
                throw fail(line, "unexpected line '" + shown(t) + "'");
            }
            String key = t.substring(0, colon).strip();
            String value = t.substring(colon + 1).strip();
            switch (key) {
                case "name" -> {
                    beforeFormat("name", nameLine);
                    nameLine = line;
                    name = word("event name", value);
                }
                case "system" -> {
                    beforeFormat("system", systemLine);
                    systemLine = line;
                    system = word("system", value);
                }
                case "ID" -> {
                    beforeFormat("ID", idLine);
                    idLine = line;
                    id = eventId(value);
                }
                case "format" -> format(value);
                default -> throw fail(line, "unknown key '" + shown(key)
                        + "'; expected name:, ID:, format:, field: or print fmt:");
            }
        }

        private void beforeFormat(String key, int previousLine) throws FormatException {
            if (previousLine != 0) {
                throw fail(line, "second '" + key + ":' line (the first is line " + previousLine + ")");
            }
            if (formatLine != 0) {
                throw fail(line, "'" + key + ":' after the 'format:' line (line " + formatLine + ")");
            }
        }

        private String word(String what, String value) throws FormatException {
            if (value.isEmpty()) {
                throw fail(line, "empty " + what);
            }
            for (int i = 0; i < value.length(); i++) {
                if (value.charAt(i) <= ' ') {
                    throw fail(line, what + " '" + shown(value) + "' contains whitespace");
                }
            }
            return value;
        }

        private long eventId(String value) throws FormatException {
            if (value.isEmpty()) {
                throw fail(line, "empty ID");
            }
            boolean negative = value.charAt(0) == '-';
            String digits = negative ? value.substring(1) : value;
            if (digits.isEmpty() || !Lexer.isDigits(digits)) {
                throw fail(line, "ID '" + shown(value) + "' is not a number");
            }
            if (negative) {
                throw fail(line, "ID " + shown(value) + " is negative");
            }
            if (digits.length() > 10 || Long.parseLong(digits) > 0xFFFF_FFFFL) {
                throw fail(line, "ID " + shown(value) + " is out of range (tracepoint IDs fit in 32 bits)");
            }
            return Long.parseLong(digits);
        }

        private void format(String value) throws FormatException {
            if (formatLine != 0) {
                throw fail(line, "second 'format:' section (the first starts at line " + formatLine
                        + "); are two files concatenated?");
            }
            if (!value.isEmpty()) {
                throw fail(line, "unexpected text after 'format:': '" + shown(value) + "'");
            }
            if (shape == Shape.EVENT && nameLine == 0) {
                throw fail(line, "no 'name:' line before 'format:'");
            }
            if (shape == Shape.EVENT && idLine == 0) {
                throw fail(line, "no 'ID:' line before 'format:' (the ID is perf_event_attr.config)");
            }
            formatLine = line;
        }

        private void startPrintFmt(int from, int to) throws FormatException {
            if (printFmtLine != 0) {
                throw fail(line, "second 'print fmt:' line (the first is line " + printFmtLine + ")");
            }
            if (shape == Shape.EVENT && formatLine == 0) {
                throw fail(line, "'print fmt:' before the 'format:' line");
            }
            printFmtLine = line;
            printFmt = new ByteArrayOutputStream();
            appendPrintFmt(from, to);
        }

        /** Appends print fmt bytes and tracks whether they end inside a literal. */
        private void appendPrintFmt(int from, int to) {
            printFmt.write(in, from, to - from);
            boolean escaped = false;
            for (int i = from; i < to; i++) {
                byte b = in[i];
                if (openQuote == 0) {
                    if (b == '"' || b == '\'') {
                        openQuote = (char) b;
                    }
                } else if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == openQuote) {
                    openQuote = 0;
                }
            }
        }

        // ---- field lines

        private void field(String t) throws FormatException {
            if (shape == Shape.EVENT && formatLine == 0) {
                throw fail(line, "field line before the 'format:' line");
            }
            if (printFmtLine != 0) {
                throw fail(line, "field line after 'print fmt:' (line " + printFmtLine + ")");
            }
            int semicolon = t.indexOf(';');
            if (semicolon < 0) {
                throw fail(line, "truncated field line: no ';' after the declaration");
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
                    throw fail(line, "field '" + d.name() + "' is truncated: '" + shown(attribute)
                            + "' is not terminated by ';'");
                }
                p = q + 1;
                if (attribute.isEmpty()) {
                    continue;
                }
                int colon = attribute.indexOf(':');
                if (colon < 0) {
                    throw fail(line, "field '" + d.name() + "': attribute '" + shown(attribute) + "' is not key:value");
                }
                String key = attribute.substring(0, colon).strip();
                String value = attribute.substring(colon + 1).strip();
                switch (key) {
                    case "offset" -> offset = attribute(d.name(), key, value, offset);
                    case "size" -> size = attribute(d.name(), key, value, size);
                    case "signed" -> {
                        signed = attribute(d.name(), key, value, signed);
                        if (signed > 1) {
                            throw fail(line, "field '" + d.name() + "' has signed:" + signed + "; it must be 0 or 1");
                        }
                    }
                    default -> {
                        if (unknownAttributes.add(key)) {
                            warn(line, "ignoring unknown attribute '" + shown(key) + "' of field '" + d.name() + "'");
                        }
                    }
                }
            }
            if (offset < 0) {
                throw fail(line, "field '" + d.name() + "' has no offset");
            }
            if (size < 0) {
                throw fail(line, "field '" + d.name() + "' has no size");
            }
            Integer previous = fieldLines.putIfAbsent(d.name(), line);
            if (previous != null) {
                throw fail(line, "duplicate field name '" + d.name() + "' (lines " + previous + " and " + line + ")");
            }
            if (shape == Shape.EVENT && (long) offset + size > MAX_RECORD_BYTES) {
                throw fail(line, "field '" + d.name() + "' ends at byte " + ((long) offset + size)
                        + ", past the largest possible record (" + MAX_RECORD_BYTES + " bytes)");
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
                throw fail(line, "field '" + fieldName + "' has two '" + key + ":' attributes");
            }
            boolean negative = value.startsWith("-");
            String digits = negative ? value.substring(1) : value;
            if (digits.isEmpty() || !Lexer.isDigits(digits)) {
                throw fail(line, "field '" + fieldName + "' has " + key + ":" + shown(value) + ", which is not a number");
            }
            if (negative) {
                throw fail(line, "field '" + fieldName + "' has negative " + key + " " + shown(value));
            }
            if (digits.length() > 10 || Long.parseLong(digits) > Integer.MAX_VALUE) {
                throw fail(line, "field '" + fieldName + "' has " + key + ":" + shown(value) + ", which is out of range");
            }
            return Integer.parseInt(digits);
        }

        /** Splits {@code [__data_loc|__rel_loc] type name[dims]}; the type may be empty, dims is null without brackets. */
        private Declaration declaration(String text) throws FormatException {
            String rest = Lexer.collapseSpaces(text);
            FieldKind loc = null;
            if (Lexer.startsWithWord(rest, "__data_loc")) {
                loc = FieldKind.DATA_LOC;
                rest = rest.substring("__data_loc".length()).strip();
            } else if (Lexer.startsWithWord(rest, "__rel_loc")) {
                loc = FieldKind.REL_LOC;
                rest = rest.substring("__rel_loc".length()).strip();
            }
            String dims = null;
            if (rest.endsWith("]")) {
                int open = rest.lastIndexOf('[');
                if (open < 0) {
                    throw fail(line, "cannot parse the declaration '" + shown(text) + "': unbalanced ']'");
                }
                dims = rest.substring(open + 1, rest.length() - 1).strip();
                rest = rest.substring(0, open).strip();
            }
            int start = rest.length();
            while (start > 0 && Lexer.isIdentifierPart(rest.charAt(start - 1))) {
                start--;
            }
            String fieldName = rest.substring(start);
            if (!Lexer.isIdentifier(fieldName)) {
                throw fail(line, "cannot find a field name in the declaration '" + shown(text) + "'");
            }
            return new Declaration(fieldName, rest.substring(0, start).strip(), loc, dims);
        }

        /** {@code __data_loc char[] name}, {@code __data_loc cpumask_t name}, 2.6.31's {@code __data_loc name}, {@code __rel_loc char name[]}. */
        private Field locatorField(Declaration d, int offset, int size, int signed) throws FormatException {
            String word = d.loc() == FieldKind.DATA_LOC ? "__data_loc" : "__rel_loc";
            if (d.dims() != null && !d.dims().isEmpty()) {
                throw fail(line, word + " field '" + d.name() + "' cannot have a fixed length [" + shown(d.dims()) + "]");
            }
            boolean untyped = d.type().isEmpty();
            String element;
            String type;
            if (untyped) {
                if (d.loc() == FieldKind.REL_LOC) {
                    throw fail(line, "field '" + d.name() + "' has no type");
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
                throw fail(line, "field '" + d.name() + "' has no element type");
            }
            if (d.loc() == FieldKind.REL_LOC && size != 4) {
                throw fail(line, "__rel_loc field '" + d.name() + "' has size " + size
                        + "; a __rel_loc locator is always 4 bytes (length << 16 | offset)");
            }
            if (d.loc() == FieldKind.DATA_LOC && size != 4 && !(untyped && size == 2)) {
                throw fail(line, "__data_loc field '" + d.name() + "' has size " + size
                        + "; expected 4 (or 2 for the untyped form of kernels before 2.6.32)");
            }
            int width = elementWidth(element);
            return new Field(d.name(), type, offset, size, signed(signed, element), d.loc(), element,
                    width > 0 ? width : 1, 0, fields.size(), line, null);
        }

        /** {@code type name[N]}, {@code type name[MACRO]}, and the flexible {@code type name[]}. */
        private Field arrayField(Declaration d, int offset, int size, int signed) throws FormatException {
            String element = d.type();
            if (element.isEmpty()) {
                throw fail(line, "field '" + d.name() + "' has no type");
            }
            String dims = d.dims();
            String type = element + "[" + dims + "]";
            boolean isSigned = signed(signed, element);
            int typeWidth = elementWidth(element);
            if (dims.isEmpty() || dims.equals("0")) {
                if (size != 0) {
                    warn(line, "flexible array '" + d.name() + "' has size " + size + " (expected 0)");
                }
                return new Field(d.name(), type, offset, size, isSigned, FieldKind.FLEX_ARRAY, element,
                        typeWidth > 0 ? typeWidth : 1, 0, fields.size(), line, null);
            }
            if (size == 0) {
                throw fail(line, "field '" + d.name() + "' has size 0; only flexible arrays 'name[]' may be empty");
            }
            // a length that is not a plain number is a macro (comm[TASK_COMM_LEN]) or an expression
            int declared = !Lexer.isDigits(dims) ? -1 : dims.length() <= 9 ? Integer.parseInt(dims) : Integer.MAX_VALUE;
            int width;
            int length;
            if (declared > 0 && size % declared == 0) {
                width = size / declared;
                length = declared;
            } else {
                width = typeWidth > 0 && size % typeWidth == 0 ? typeWidth : 1;
                length = size / width;
                if (declared > 0) {
                    warn(line, "array '" + d.name() + "' declares " + declared + " elements, which do not divide its size "
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
                throw fail(line, "field '" + d.name() + "' has no type");
            }
            if (size == 0) {
                throw fail(line, "field '" + d.name() + "' has size 0; only flexible arrays 'name[]' may be empty");
            }
            boolean pointer = type.indexOf('*') >= 0;
            int expected = pointer ? 0 : fixedWidth(type);
            // syscall events store every argument in an unsigned long slot, whatever its declared type
            if (expected > 0 && expected != size && shape == Shape.EVENT && !syscallSlots) {
                sizeContradictsType.add(d.name());
                warn(line, "field '" + d.name() + "' is declared '" + type + "' (" + expected + " bytes) but has size "
                        + size + "; trusting size:");
            }
            if (d.name().equals("__syscall_nr")) {
                syscallSlots = true;
            }
            return new Field(d.name(), type, offset, size, signed(signed, type),
                    pointer ? FieldKind.POINTER : FieldKind.SCALAR, type, size, 0, fields.size(), line, null);
        }

        private static boolean signed(int attribute, String type) {
            return attribute < 0 ? inferSigned(type) : attribute == 1;
        }

        // ---- the whole file

        private EventFormat finish() throws FormatException {
            if (shape == Shape.EVENT) {
                checkEvent();
            }
            PrintFmt parsedPrintFmt = null;
            List<Field> result = fields;
            if (printFmt != null) {
                String text = printFmtText().strip();
                parsedPrintFmt = parsePrintFmt(text);
                if (!parsedPrintFmt.parsed()) {
                    warn(printFmtLine, "print fmt not split (" + parsedPrintFmt.problem() + "); render fields instead");
                }
                Map<String, ValueTable> tables = valueTables(text);
                result = new ArrayList<>(fields.size());
                for (Field f : fields) {
                    ValueTable table = tables.get(f.name());
                    result.add(table == null ? f : f.withTable(table));
                }
            } else if (shape == Shape.EVENT) {
                warnings.add("no print fmt");
            }
            String eventName = name != null ? name : shape == Shape.HEADER_PAGE ? "header_page" : "header_event";
            String eventSystem = system != null ? system
                    : !givenSystem.isEmpty() ? givenSystem
                    : file != null && shape == Shape.EVENT ? systemFromPath(file, eventName)
                    : "";
            return new EventFormat(eventSystem, eventName, id, result, parsedPrintFmt, warnings, source);
        }

        private void checkEvent() throws FormatException {
            if (nameLine == 0) {
                throw fail(0, "no 'name:' line");
            }
            if (idLine == 0) {
                throw fail(0, "no 'ID:' line");
            }
            if (formatLine == 0) {
                throw fail(0, "no 'format:' line");
            }
            if (fields.isEmpty()) {
                throw fail(formatLine, "the format section declares no fields");
            }
            checkOverlaps();
            if (fields.stream().noneMatch(Field::isCommon)) {
                warnings.add("no common_* fields: offsets are still absolute, but common_type and common_pid are absent");
            }
            if (fieldsWithSigned > 0 && !signednessInferred.isEmpty()) {
                warnings.add("fields " + signednessInferred + " have no signed: attribute while others have one;"
                        + " their signedness is inferred from the type");
            }
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
                        throw fail(f.line(), problem);
                    }
                    warn(f.line(), problem + ", because of a size: that contradicts the type");
                }
                if (reach == null || f.offset() + f.size() > reach.offset() + reach.size()) {
                    reach = f;
                }
            }
        }

        /** The print fmt bytes as UTF-8, or as ISO-8859-1 (with a warning) when they are not valid UTF-8. */
        private String printFmtText() {
            byte[] bytes = printFmt.toByteArray();
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                warn(printFmtLine, "print fmt is not valid UTF-8; decoded as ISO-8859-1");
                return new String(bytes, StandardCharsets.ISO_8859_1);
            }
        }

        /** {@code .../<system>/<event>/<any file>} or {@code .../<system>/<event>.<ext>}, else empty. */
        private static String systemFromPath(Path file, String eventName) {
            Path path = file.toAbsolutePath().normalize();
            Path parent = path.getParent();
            if (parent == null || parent.getFileName() == null || path.getFileName() == null) {
                return "";
            }
            if (parent.getFileName().toString().equals(eventName)) {
                Path grandParent = parent.getParent();
                return grandParent == null || grandParent.getFileName() == null ? "" : grandParent.getFileName().toString();
            }
            String fileName = path.getFileName().toString();
            return fileName.equals(eventName) || fileName.startsWith(eventName + ".") ? parent.getFileName().toString() : "";
        }

        private void warn(int at, String warning) {
            warnings.add("line " + at + ": " + warning);
        }

        private FormatException fail(int at, String problem) {
            return new FormatException(source, at, problem);
        }

        private static String shown(String s) {
            return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // C lexing

    /** Parts of a comma-separated list, or the reason it could not be split. */
    private record Split(List<String> parts, String problem) {
    }

    /** Lexical helpers over C expressions as the kernel stringifies them. Columns in messages are 1-based. */
    private static final class Lexer {

        private Lexer() {
        }

        static boolean isIdentifierPart(char c) {
            return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        }

        static boolean isIdentifier(String s) {
            if (s.isEmpty() || (s.charAt(0) >= '0' && s.charAt(0) <= '9')) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if (!isIdentifierPart(s.charAt(i))) {
                    return false;
                }
            }
            return true;
        }

        static boolean isDigits(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                    return false;
                }
            }
            return !s.isEmpty();
        }

        static boolean isBlank(byte[] bytes) {
            for (byte b : bytes) {
                if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                    return false;
                }
            }
            return true;
        }

        static boolean startsWithAfterSpace(byte[] bytes, String prefix) {
            int i = 0;
            while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t')) {
                i++;
            }
            if (bytes.length - i < prefix.length()) {
                return false;
            }
            for (int k = 0; k < prefix.length(); k++) {
                if (bytes[i + k] != prefix.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        static boolean startsWithWord(String s, String word) {
            return s.startsWith(word) && (s.length() == word.length() || s.charAt(word.length()) == ' ');
        }

        /** Runs of whitespace become one space. */
        static String collapseSpaces(String s) {
            StringBuilder sb = new StringBuilder(s.length());
            boolean space = false;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\t') {
                    space = true;
                    continue;
                }
                if (space && !sb.isEmpty()) {
                    sb.append(' ');
                }
                space = false;
                sb.append(c);
            }
            return sb.toString();
        }

        static int skipSpace(String s, int i, int to) {
            while (i < to && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return i;
        }

        /** The index after the literal opening at {@code i}, or -1 when it is not terminated before {@code to}. */
        static int skipLiteral(String s, int i, int to) {
            char quote = s.charAt(i);
            for (int j = i + 1; j < to; j++) {
                char c = s.charAt(j);
                if (c == '\\') {
                    j++;
                } else if (c == quote) {
                    return j + 1;
                }
            }
            return -1;
        }

        /** The index of the bracket closing the one at {@code open}, or -1. Literals are skipped. */
        static int matchClose(String s, int open, int to) {
            int depth = 0;
            for (int i = open; i < to; i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\'') {
                    int end = skipLiteral(s, i, to);
                    if (end < 0) {
                        return -1;
                    }
                    i = end - 1;
                } else if (c == '(' || c == '[' || c == '{') {
                    depth++;
                } else if (c == ')' || c == ']' || c == '}') {
                    if (--depth == 0) {
                        return i;
                    }
                }
            }
            return -1;
        }

        /** Splits {@code [from, to)} at commas outside brackets and literals; parts are stripped and non-empty. */
        static Split split(String s, int from, int to) {
            List<String> parts = new ArrayList<>();
            int[] open = new int[16];
            int depth = 0;
            int start = from;
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"', '\'' -> {
                        int end = skipLiteral(s, i, to);
                        if (end < 0) {
                            return new Split(List.of(), "unterminated " + (c == '"' ? "string" : "character")
                                    + " literal at column " + (i + 1));
                        }
                        i = end - 1;
                    }
                    case '(', '[', '{' -> {
                        if (depth == open.length) {
                            open = Arrays.copyOf(open, depth * 2);
                        }
                        open[depth++] = i;
                    }
                    case ')', ']', '}' -> {
                        if (depth == 0 || s.charAt(open[depth - 1]) != (c == ')' ? '(' : c == ']' ? '[' : '{')) {
                            return new Split(List.of(), "unbalanced '" + c + "' at column " + (i + 1));
                        }
                        depth--;
                    }
                    case ',' -> {
                        if (depth == 0) {
                            if (!addPart(parts, s, start, i)) {
                                return new Split(List.of(), "empty argument before column " + (i + 1));
                            }
                            start = i + 1;
                        }
                    }
                    default -> {
                    }
                }
            }
            if (depth > 0) {
                return new Split(List.of(), "unclosed '" + s.charAt(open[depth - 1]) + "' at column " + (open[depth - 1] + 1));
            }
            if (!addPart(parts, s, start, to)) {
                return new Split(List.of(), "empty argument at the end");
            }
            return new Split(parts, null);
        }

        private static boolean addPart(List<String> parts, String s, int from, int to) {
            String part = s.substring(from, to).strip();
            parts.add(part);
            return !part.isEmpty();
        }

        /**
         * Appends the unescaped content of the string literal opening at {@code i}; returns the index after its
         * closing quote, or -1 when it is not terminated before {@code to}.
         */
        static int unescape(String s, int i, int to, StringBuilder out) {
            int j = i + 1;
            while (j < to) {
                char c = s.charAt(j++);
                if (c == '"') {
                    return j;
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (j == to) {
                    return -1;
                }
                char e = s.charAt(j++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'a' -> out.append('\u0007');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'v' -> out.append('\u000b');
                    case 'e' -> out.append('\u001b');
                    case 'x' -> {
                        int value = 0;
                        int digits = 0;
                        while (digits < 2 && j < to && s.charAt(j) < 128 && Character.digit(s.charAt(j), 16) >= 0) {
                            value = value * 16 + Character.digit(s.charAt(j++), 16);
                            digits++;
                        }
                        out.append(digits == 0 ? 'x' : (char) value);
                    }
                    case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                        int value = e - '0';
                        for (int digits = 1; digits < 3 && j < to && s.charAt(j) >= '0' && s.charAt(j) <= '7'; digits++) {
                            value = value * 8 + (s.charAt(j++) - '0');
                        }
                        out.append((char) value);
                    }
                    default -> out.append(e); // \\ \" \' \? (and unknown escapes) stand for the character
                }
            }
            return -1;
        }

        /** One or more adjacent string literals and nothing else, unescaped and concatenated; else {@code null}. */
        static String stringLiteral(String s) {
            int n = s.length();
            int i = skipSpace(s, 0, n);
            if (i == n || s.charAt(i) != '"') {
                return null;
            }
            StringBuilder out = new StringBuilder();
            while (i < n && s.charAt(i) == '"') {
                i = unescape(s, i, n, out);
                if (i < 0) {
                    return null;
                }
                i = skipSpace(s, i, n);
            }
            return i == n ? out.toString() : null;
        }

        /** Whether {@code [from, to)} is a type name as used in a cast: identifiers, spaces and '*', at least one identifier. */
        static boolean isTypeName(String s, int from, int to) {
            boolean identifier = false;
            int i = from;
            while (i < to) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\t' || c == '*') {
                    i++;
                    continue;
                }
                if (!isIdentifierPart(c) || (c >= '0' && c <= '9')) {
                    return false;
                }
                while (i < to && isIdentifierPart(s.charAt(i))) {
                    i++;
                }
                identifier = true;
            }
            return identifier;
        }
    }

    /**
     * Evaluates the integer constant expressions of value-table entries: decimal, octal and hex literals with
     * {@code U}/{@code L} suffixes, casts (ignored: values are 64-bit), parentheses, unary {@code - ~ +} and
     * binary {@code * / % + - << >> & ^ |}. Anything else (identifiers, overflow, division by zero, shifts of
     * 64 or more) makes the expression non-constant.
     */
    private static final class ConstantExpression {

        private static final int MAX_DEPTH = 64;

        /** Thrown (without a stack trace) when the expression is not a constant this evaluator understands. */
        private static final class NotConstant extends Exception {
            NotConstant() {
                super(null, null, false, false);
            }
        }

        private static final NotConstant NOT_CONSTANT = new NotConstant();

        private final String s;
        private int pos;
        private int depth;

        private ConstantExpression(String s) {
            this.s = s;
        }

        /** The value, or {@code null} when the text is not a constant expression. */
        static Long evaluate(String text) {
            ConstantExpression e = new ConstantExpression(text);
            try {
                long value = e.or();
                e.skipSpace();
                return e.pos == text.length() ? value : null;
            } catch (NotConstant notConstant) {
                return null;
            }
        }

        private long or() throws NotConstant {
            long v = xor();
            while (operator("|", "||")) {
                v |= xor();
            }
            return v;
        }

        private long xor() throws NotConstant {
            long v = and();
            while (operator("^", null)) {
                v ^= and();
            }
            return v;
        }

        private long and() throws NotConstant {
            long v = shift();
            while (operator("&", "&&")) {
                v &= shift();
            }
            return v;
        }

        private long shift() throws NotConstant {
            long v = additive();
            while (true) {
                if (operator("<<", null)) {
                    v <<= shiftCount(additive());
                } else if (operator(">>", null)) {
                    v >>= shiftCount(additive());
                } else {
                    return v;
                }
            }
        }

        private static int shiftCount(long count) throws NotConstant {
            if (count < 0 || count > 63) {
                throw NOT_CONSTANT;
            }
            return (int) count;
        }

        private long additive() throws NotConstant {
            long v = multiplicative();
            while (true) {
                if (operator("+", null)) {
                    v += multiplicative();
                } else if (operator("-", null)) {
                    v -= multiplicative();
                } else {
                    return v;
                }
            }
        }

        private long multiplicative() throws NotConstant {
            long v = unary();
            while (true) {
                if (operator("*", null)) {
                    v *= unary();
                } else if (operator("/", null)) {
                    v /= divisor(unary());
                } else if (operator("%", null)) {
                    v %= divisor(unary());
                } else {
                    return v;
                }
            }
        }

        private static long divisor(long d) throws NotConstant {
            if (d == 0) {
                throw NOT_CONSTANT;
            }
            return d;
        }

        private long unary() throws NotConstant {
            if (++depth > MAX_DEPTH) {
                throw NOT_CONSTANT;
            }
            try {
                skipSpace();
                if (pos == s.length()) {
                    throw NOT_CONSTANT;
                }
                char c = s.charAt(pos);
                switch (c) {
                    case '-' -> {
                        pos++;
                        return -unary();
                    }
                    case '~' -> {
                        pos++;
                        return ~unary();
                    }
                    case '+' -> {
                        pos++;
                        return unary();
                    }
                    case '(' -> {
                        if (skipCast()) {
                            return unary();
                        }
                        pos++;
                        long v = or();
                        if (!operator(")", null)) {
                            throw NOT_CONSTANT;
                        }
                        return v;
                    }
                    default -> {
                        if (c >= '0' && c <= '9') {
                            return number();
                        }
                        throw NOT_CONSTANT;
                    }
                }
            } finally {
                depth--;
            }
        }

        /** Skips {@code (type name)} at {@code pos} when that is what it is. */
        private boolean skipCast() {
            int close = pos + 1;
            while (close < s.length() && (Lexer.isIdentifierPart(s.charAt(close)) || " \t*".indexOf(s.charAt(close)) >= 0)) {
                close++;
            }
            if (close == s.length() || s.charAt(close) != ')' || !Lexer.isTypeName(s, pos + 1, close)) {
                return false;
            }
            pos = close + 1;
            return true;
        }

        private long number() throws NotConstant {
            int radix = 10;
            if (s.startsWith("0x", pos) || s.startsWith("0X", pos)) {
                radix = 16;
                pos += 2;
            } else if (s.charAt(pos) == '0' && pos + 1 < s.length() && s.charAt(pos + 1) >= '0' && s.charAt(pos + 1) <= '9') {
                radix = 8;
                pos++;
            }
            int start = pos;
            while (pos < s.length() && s.charAt(pos) < 128 && Character.digit(s.charAt(pos), radix) >= 0) {
                pos++;
            }
            String digits = s.substring(start, pos);
            while (pos < s.length() && "uUlL".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            if (digits.isEmpty() || (pos < s.length() && Lexer.isIdentifierPart(s.charAt(pos)))) {
                throw NOT_CONSTANT;
            }
            try {
                return Long.parseUnsignedLong(digits, radix);
            } catch (NumberFormatException overflow) {
                throw NOT_CONSTANT;
            }
        }

        /** Consumes {@code op} when it comes next and is not the start of {@code longer}. */
        private boolean operator(String op, String longer) {
            skipSpace();
            if (!s.startsWith(op, pos) || (longer != null && s.startsWith(longer, pos))) {
                return false;
            }
            pos += op.length();
            return true;
        }

        private void skipSpace() {
            pos = Lexer.skipSpace(s, pos, s.length());
        }
    }
}
