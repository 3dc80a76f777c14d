package dev.tracepoint.core.internal.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One subcommand of the {@code ./tracepoint} launcher. The core provides {@code list}, {@code describe}, {@code usdt},
 * {@code formats}, {@code stream} and {@code record}; other modules provide theirs through {@link java.util.ServiceLoader}.
 */
public interface Command {

    /** @return the subcommand name, e.g. {@code "signals"} */
    String name();

    /** @return a one-line description for the help text */
    String summary();

    /** @return the usage text: synopsis and options */
    String usage();

    /**
     * Runs the command.
     *
     * @param args the arguments after the subcommand name
     * @param out  standard output
     * @param err  standard error
     * @return the exit status
     * @throws Exception a failure; {@link Main} prints {@link dev.tracepoint.core.TracepointException}s and
     *                   {@link UsageException}s as one line, anything else with its stack trace
     */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
