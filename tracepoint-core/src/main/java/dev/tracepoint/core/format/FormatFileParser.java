package dev.tracepoint.core.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import static dev.tracepoint.core.format.Diagnostics.shown;

/**
 * The parse of one format file, line by line. It owns the file's structure: the size limits, the line split
 * (LF or CRLF), the top-level keys {@code name:}, {@code system:}, {@code ID:} and {@code format:} with their
 * order and values, the place of field lines (handed to its {@link FieldParser}), the print fmt text and its
 * continuation lines, the shapes of the ring-buffer header descriptions, and the assembly of the
 * {@link EventFormat}: the system from the path, the split print fmt and its value tables
 * ({@link PrintFmtTables}). One instance serves one parse; see {@link FormatParser} for the accepted layouts.
 */
final class FormatFileParser {

    private static final String PRINT_FMT = "print fmt:";

    /** What kind of file is being parsed. */
    private enum Shape {
        /** An event's format file. */
        EVENT,
        /** {@code events/header_page}: field lines only, overlapping on purpose. */
        HEADER_PAGE,
        /** {@code events/header_event}: free text describing the compressed entry header. */
        HEADER_EVENT
    }

    private final String source;
    private final String givenSystem;
    private final Path file;
    private final byte[] in;
    private final Shape shape;
    private final Diagnostics diag;
    private final FieldParser fieldParser;
    private int line;
    private String name;
    private String system;
    private long id = -1;
    private int nameLine;
    private int systemLine;
    private int idLine;
    private int formatLine;
    private int printFmtLine;
    private ByteArrayOutputStream printFmt;
    /** The quote character of the literal the print fmt text is inside, 0 when outside. */
    private char openQuote;

    /**
     * @param source      the name used in messages and {@link EventFormat#source()}
     * @param givenSystem the subsystem, or empty when unknown
     * @param file        the file the content was read from, for the system in its path; {@code null} when none
     * @param content     the file content
     * @throws NullPointerException when {@code content} is null
     */
    FormatFileParser(String source, String givenSystem, Path file, byte[] content) {
        this.source = source;
        this.givenSystem = givenSystem;
        this.file = file;
        this.in = Objects.requireNonNull(content, "content");
        this.shape = shape(source, content);
        this.diag = new Diagnostics(source);
        this.fieldParser = new FieldParser(diag, shape == Shape.EVENT);
    }

    /**
     * Parses the content.
     *
     * @return the parsed format
     * @throws FormatException when the content is not a valid format file; an unexpected runtime exception
     *                         becomes one too, at the line being parsed
     */
    EventFormat run() throws FormatException {
        try {
            return parse();
        } catch (RuntimeException e) {
            throw diag.fail(line, "internal parser error: " + e);
        }
    }

    private EventFormat parse() throws FormatException {
        if (in.length > FormatParser.MAX_FILE_BYTES) {
            throw diag.fail(0, "file is larger than the 4 MiB limit");
        }
        if (FormatLexer.isBlank(in)) {
            throw diag.fail(0, "empty format file");
        }
        int pos = 0;
        while (pos < in.length) {
            int end = pos;
            while (end < in.length && in[end] != '\n') {
                end++;
            }
            line++;
            if (end - pos > FormatParser.MAX_LINE_BYTES) {
                throw diag.fail(line, "line is " + (end - pos) + " bytes long, over the 1 MiB limit");
            }
            line(pos, end > pos && in[end - 1] == '\r' ? end - 1 : end);
            pos = end + 1;
        }
        return finish();
    }

    private static Shape shape(String source, byte[] content) {
        String fileName = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
        if (fileName.equals("header_page") || FormatLexer.startsWithAfterSpace(content, "field: u64 timestamp;")) {
            return Shape.HEADER_PAGE;
        }
        if (fileName.equals("header_event") || FormatLexer.startsWithAfterSpace(content, "# compressed entry header")) {
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
            throw diag.fail(line, "NUL byte at column " + (nul + 1));
        }
        if (t.startsWith(FieldParser.FIELD)) {
            if (shape == Shape.EVENT && formatLine == 0) {
                throw diag.fail(line, "field line before the 'format:' line");
            }
            if (printFmtLine != 0) {
                throw diag.fail(line, "field line after 'print fmt:' (line " + printFmtLine + ")");
            }
            fieldParser.field(t, line);
            return;
        }
        if (shape == Shape.HEADER_EVENT) {
            return; // free-text description of the entry header
        }
        int colon = t.indexOf(':');
        if (colon < 0) {
            throw diag.fail(line, "unexpected line '" + shown(t) + "'");
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
            default -> throw diag.fail(line, "unknown key '" + shown(key)
                    + "'; expected name:, ID:, format:, field: or print fmt:");
        }
    }

    private void beforeFormat(String key, int previousLine) throws FormatException {
        if (previousLine != 0) {
            throw diag.fail(line, "second '" + key + ":' line (the first is line " + previousLine + ")");
        }
        if (formatLine != 0) {
            throw diag.fail(line, "'" + key + ":' after the 'format:' line (line " + formatLine + ")");
        }
    }

    private String word(String what, String value) throws FormatException {
        if (value.isEmpty()) {
            throw diag.fail(line, "empty " + what);
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) <= ' ') {
                throw diag.fail(line, what + " '" + shown(value) + "' contains whitespace");
            }
        }
        return value;
    }

    private long eventId(String value) throws FormatException {
        if (value.isEmpty()) {
            throw diag.fail(line, "empty ID");
        }
        boolean negative = value.charAt(0) == '-';
        String digits = negative ? value.substring(1) : value;
        if (digits.isEmpty() || !FormatLexer.isDigits(digits)) {
            throw diag.fail(line, "ID '" + shown(value) + "' is not a number");
        }
        if (negative) {
            throw diag.fail(line, "ID " + shown(value) + " is negative");
        }
        if (digits.length() > 10 || Long.parseLong(digits) > 0xFFFF_FFFFL) {
            throw diag.fail(line, "ID " + shown(value) + " is out of range (tracepoint IDs fit in 32 bits)");
        }
        return Long.parseLong(digits);
    }

    private void format(String value) throws FormatException {
        if (formatLine != 0) {
            throw diag.fail(line, "second 'format:' section (the first starts at line " + formatLine
                    + "); are two files concatenated?");
        }
        if (!value.isEmpty()) {
            throw diag.fail(line, "unexpected text after 'format:': '" + shown(value) + "'");
        }
        if (shape == Shape.EVENT && nameLine == 0) {
            throw diag.fail(line, "no 'name:' line before 'format:'");
        }
        if (shape == Shape.EVENT && idLine == 0) {
            throw diag.fail(line, "no 'ID:' line before 'format:' (the ID is perf_event_attr.config)");
        }
        formatLine = line;
    }

    private void startPrintFmt(int from, int to) throws FormatException {
        if (printFmtLine != 0) {
            throw diag.fail(line, "second 'print fmt:' line (the first is line " + printFmtLine + ")");
        }
        if (shape == Shape.EVENT && formatLine == 0) {
            throw diag.fail(line, "'print fmt:' before the 'format:' line");
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

    // ---- the whole file

    private EventFormat finish() throws FormatException {
        if (shape == Shape.EVENT) {
            checkEvent();
        }
        PrintFmt parsedPrintFmt = null;
        List<Field> result = fieldParser.fields();
        if (printFmt != null) {
            String text = printFmtText().strip();
            parsedPrintFmt = FormatLexer.splitPrintFmt(text);
            if (!parsedPrintFmt.parsed()) {
                diag.warn(printFmtLine, "print fmt not split (" + parsedPrintFmt.problem() + "); render fields instead");
            }
            result = PrintFmtTables.attach(result, text);
        } else if (shape == Shape.EVENT) {
            diag.warn("no print fmt");
        }
        String eventName = name != null ? name : shape == Shape.HEADER_PAGE ? "header_page" : "header_event";
        String eventSystem = system != null ? system
                : !givenSystem.isEmpty() ? givenSystem
                : file != null && shape == Shape.EVENT ? systemFromPath(file, eventName)
                : "";
        return new EventFormat(eventSystem, eventName, id, result, parsedPrintFmt, diag.warnings(), source);
    }

    private void checkEvent() throws FormatException {
        if (nameLine == 0) {
            throw diag.fail(0, "no 'name:' line");
        }
        if (idLine == 0) {
            throw diag.fail(0, "no 'ID:' line");
        }
        if (formatLine == 0) {
            throw diag.fail(0, "no 'format:' line");
        }
        fieldParser.checkRecord(formatLine);
    }

    /** The print fmt bytes as UTF-8, or as ISO-8859-1 (with a warning) when they are not valid UTF-8. */
    private String printFmtText() {
        byte[] bytes = printFmt.toByteArray();
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            diag.warn(printFmtLine, "print fmt is not valid UTF-8; decoded as ISO-8859-1");
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
}
