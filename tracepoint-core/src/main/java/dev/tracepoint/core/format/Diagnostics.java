package dev.tracepoint.core.format;

import java.util.ArrayList;
import java.util.List;

/**
 * The diagnostics of one parse: the {@link FormatException}s that name the source, the line and the problem,
 * and the warnings of a lenient parse in the order they were noticed. Shared by {@link FormatFileParser} and
 * its {@link FieldParser}, so that both name the file and line the same way.
 */
final class Diagnostics {

    private static final int MAX_SHOWN = 60;

    private final String source;
    private final List<String> warnings = new ArrayList<>();

    /** @param source the name of the parsed file in messages */
    Diagnostics(String source) {
        this.source = source;
    }

    /** The exception for a problem at the 1-based line {@code at} (0 for the whole file), to be thrown. */
    FormatException fail(int at, String problem) {
        return new FormatException(source, at, problem);
    }

    /** Adds a warning about the 1-based line {@code at}. */
    void warn(int at, String warning) {
        warnings.add("line " + at + ": " + warning);
    }

    /** Adds a warning about the whole file. */
    void warn(String warning) {
        warnings.add(warning);
    }

    /** @return the warnings so far, in order */
    List<String> warnings() {
        return warnings;
    }

    /** Text from the file as shown in a message: cut after 60 characters. */
    static String shown(String s) {
        return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
    }
}
