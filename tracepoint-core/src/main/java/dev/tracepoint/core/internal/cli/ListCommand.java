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
                  GLOB   a glob over system:event names, e.g. 'signal:*' or '*skb*'""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, Set.of(), Set.of());
        if (args.positional().size() > 1) {
            throw new UsageException("list takes at most one glob");
        }
        List<String> names = Tracefs.locate().tracepoints(args.positional().isEmpty() ? null : args.positional().get(0));
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(n).append('\n');
        }
        out.print(sb);
        return names.isEmpty() ? 1 : 0;
    }
}
