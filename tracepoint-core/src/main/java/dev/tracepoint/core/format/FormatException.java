package dev.tracepoint.core.format;

/**
 * A format file could not be parsed. The message names the file, the 1-based line (0 for the whole file)
 * and the problem, as {@code FILE:LINE: PROBLEM}.
 */
public final class FormatException extends dev.tracepoint.core.TracepointException {

    private static final long serialVersionUID = 1L;

    /** The file, or other source name, that was parsed. */
    private final String source;
    /** The 1-based line of the problem, 0 when it concerns the whole file. */
    private final int line;
    /** What is wrong, without file and line. */
    private final String problem;

    /**
     * Creates the exception for a problem at one line of a format file; the message is
     * {@code source:line: problem}.
     *
     * @param source  the file (or other source name) that was parsed
     * @param line    the 1-based line, 0 when the problem is the whole file
     * @param problem what is wrong
     */
    public FormatException(String source, int line, String problem) {
        super(source + ":" + line + ": " + problem);
        this.source = source;
        this.line = line;
        this.problem = problem;
    }

    /**
     * The format file the problem is in, as the parser named it.
     *
     * @return the file or source name
     */
    public String source() {
        return source;
    }

    /**
     * The line of the format file the problem is on, to point an editor or a bug report at it.
     *
     * @return the 1-based line, 0 for the whole file
     */
    public int line() {
        return line;
    }

    /**
     * What is wrong, for a caller that shows the location itself.
     *
     * @return the problem, without file and line
     */
    public String problem() {
        return problem;
    }
}
