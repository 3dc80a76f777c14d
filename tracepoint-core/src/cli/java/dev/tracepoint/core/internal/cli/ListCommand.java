package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.Tracefs;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** {@code tracepoint list [GLOB]}: the running kernel's tracepoints. */
final class ListCommand implements Command {

    @Override
    public String name() {
        return "list";
    }

    @Override
    public String summary() {
        return "list the running kernel's tracepoints (system:event), optionally matching a glob";
    }

    @Override
    public String usage() {
        return """
                usage: tracepoint list [GLOB]
                  GLOB   a glob over whole system:event names: * matches any characters (':' too), ? one,
                         [abc] / [a-z] / [!abc] one of a set, {a,b} either; e.g. 'signal:*', '*skb*', 'sched*'.
                         Quote it, or the shell expands it. No match: a message on stderr, exit status 1""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, Set.of(), Set.of());
        if (args.positional().size() > 1) {
            throw new UsageException("list takes at most one glob, got " + args.positional().size()
                    + " (quote the glob, or the shell expands it into file names)");
        }
        String glob = args.positional().isEmpty() ? null : args.positional().get(0);
        Tracefs tracefs = Tracefs.locate();
        List<String> names;
        try {
            names = tracefs.tracepoints(glob);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(n).append('\n');
        }
        out.print(sb);
        if (names.isEmpty()) {
            out.flush();
            if (glob == null) {
                err.println("tracepoint list: " + tracefs.root().resolve("events") + " lists no tracepoints");
            } else {
                boolean wildcard = glob.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0);
                err.println("tracepoint list: no tracepoint matches '" + glob + "'" + (wildcard ? ""
                        : " (the glob matches whole system:event names: try '*" + glob + "*')"));
            }
            return 1;
        }
        return 0;
    }
}
