package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.internal.text.Suggestions;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The {@code ./tracepoint} launcher: dispatches to the subcommands of every module on the path. */
public final class Main {

    private Main() {
    }

    /**
     * @param args the subcommand and its arguments
     */
    public static void main(String[] args) {
        int status = run(Arrays.asList(args), System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /**
     * Runs one subcommand.
     *
     * @param args the subcommand and its arguments
     * @param out  standard output
     * @param err  standard error
     * @return the exit status
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Map<String, Command> commands = commands();
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            if (args.size() > 2) {
                err.println("tracepoint help: takes at most one command, got " + args.subList(1, args.size()));
                help(commands, err);
                return 2;
            }
            if (args.size() == 2) {
                Command c = commands.get(args.get(1));
                if (c == null) {
                    unknown("tracepoint help: unknown command '" + args.get(1) + "'", args.get(1), commands, err);
                    return 2;
                }
                out.println(c.usage());
                return 0;
            }
            help(commands, out);
            return args.isEmpty() ? 2 : 0;
        }
        Command c = commands.get(args.get(0));
        if (c == null) {
            unknown("tracepoint: unknown command '" + args.get(0) + "'", args.get(0), commands, err);
            return 2;
        }
        List<String> rest = args.subList(1, args.size());
        List<String> options = rest.contains("--") ? rest.subList(0, rest.indexOf("--")) : rest; // after it: a command's
        if (options.contains("--help") || options.contains("-h")) {
            out.println(c.usage());
            return 0;
        }
        try {
            return c.run(new ArrayList<>(rest), out, err);
        } catch (UsageException e) {
            err.println("tracepoint " + c.name() + ": " + e.getMessage());
            err.println(c.usage());
            return 2;
        } catch (TracepointException e) {
            err.println("tracepoint " + c.name() + ": " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("tracepoint " + c.name() + ": " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private static Map<String, Command> commands() {
        Map<String, Command> m = new LinkedHashMap<>();
        for (Command c : List.of(new ListCommand(), new DescribeCommand(), new FormatsCommand(), new StreamCommand(),
                new RecordCommand(), new UsdtCommand())) {
            m.put(c.name(), c);
        }
        for (Command c : ServiceLoader.load(Command.class)) {
            m.putIfAbsent(c.name(), c);
        }
        return m;
    }

    /** The line for a name that is no command, with the closest commands, then the list of them all. */
    private static void unknown(String what, String name, Map<String, Command> commands, PrintStream err) {
        err.println(what + Suggestions.didYouMean(name, commands.keySet()));
        help(commands, err);
    }

    private static void help(Map<String, Command> commands, PrintStream out) {
        out.println("usage: tracepoint COMMAND [ARGS...]   (tracepoint help COMMAND for its options)");
        out.println();
        for (Command c : commands.values()) {
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
    }
}
