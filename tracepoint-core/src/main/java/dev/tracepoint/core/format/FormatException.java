package dev.tracepoint.core.format;

/**
 * A format file could not be parsed. The message names the file, the 1-based line (0 for the whole file)
 * and the problem, as {@code FILE:LINE: PROBLEM}.
 */
public final class FormatException extends dev.tracepoint.core.TracepointException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final String problem;

    /**
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

    /** @return the file or source name */
    public String source() {
        return source;
    }

    /** @return the 1-based line, 0 for the whole file */
    public int line() {
        return line;
    }

    /** @return the problem, without file and line */
    public String problem() {
        return problem;
    }
}
