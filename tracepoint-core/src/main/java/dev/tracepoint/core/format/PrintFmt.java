package dev.tracepoint.core.format;

import java.util.List;

/**
 * The {@code print fmt:} line of a format file: the raw text, and when it could be split, the C format
 * string and its argument expressions. An odd print fmt never makes the event unusable: {@link #problem()}
 * then says why it was not split, and renderers fall back to a field dump.
 *
 * @param text    the raw text after {@code print fmt: }
 * @param format  the unescaped C format string, or {@code null} when the text could not be split
 * @param args    the argument expressions in order ({@code "REC->sig"}, {@code "__get_str(name)"}), empty when not split
 * @param problem why the text could not be split, or {@code null}
 */
public record PrintFmt(String text, String format, List<String> args, String problem) {

    /** Copies the argument list. */
    public PrintFmt {
        args = List.copyOf(args);
    }

    /**
     * Tells whether the print fmt could be split into a C format string and its arguments; when not,
     * {@link #problem()} says why.
     *
     * @return whether {@link #format()} and {@link #args()} are usable
     */
    public boolean parsed() {
        return format != null;
    }
}
