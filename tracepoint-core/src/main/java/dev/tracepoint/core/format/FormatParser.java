package dev.tracepoint.core.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

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
        return new FormatFileParser(source, "", file, content).run();
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
        return new FormatFileParser(source == null ? "<format>" : source, system == null ? "" : system, null, content).run();
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
        return FormatLexer.splitPrintFmt(text);
    }
}
