package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** {@code tracepoint formats [PATH...] [--json]}: parses every format file, reports the rejected ones. */
final class FormatsCommand implements Command {

    @Override
    public String name() {
        return "formats";
    }

    @Override
    public String summary() {
        return "parse every format file under the given paths (default: the live tracefs); last line parsed=N rejected=M";
    }

    @Override
    public String usage() {
        return """
                usage: tracepoint formats [PATH...] [--json]
                  PATH    a format file, or a folder searched for files named 'format' or '*.format'
                  --json  rejected files as JSON lines {"file","line","problem"}
                One line per rejected file (FILE:LINE: PROBLEM); the last line is parsed=N rejected=M.""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, Set.of("json"), Set.of());
        List<Path> roots = new ArrayList<>();
        for (String p : args.positional()) {
            roots.add(Path.of(p));
        }
        if (roots.isEmpty()) {
            roots.add(Tracefs.locate().root().resolve("events"));
        }
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            if (Files.isRegularFile(root)) {
                files.add(root);
            } else if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.walk(root)) {
                    s.filter(Files::isRegularFile).filter(p -> {
                        String n = p.getFileName().toString();
                        return n.equals("format") || n.endsWith(".format");
                    }).sorted().forEach(files::add);
                }
            } else {
                throw new UsageException("no such file or folder: " + root);
            }
        }
        int parsed = 0;
        int rejected = 0;
        StringBuilder sb = new StringBuilder();
        for (Path f : files) {
            try {
                FormatParser.parse(f);
                parsed++;
            } catch (FormatException e) {
                rejected++;
                if (args.has("json")) {
                    sb.append('{');
                    Json.key(sb, "file", true);
                    Json.string(sb, f.toString());
                    Json.key(sb, "line", false).append(e.line());
                    Json.key(sb, "problem", false);
                    Json.string(sb, e.problem());
                    sb.append("}\n");
                } else {
                    sb.append(e.getMessage()).append('\n');
                }
            } catch (IOException e) {
                rejected++;
                sb.append(f).append(":0: cannot read: ").append(e).append('\n');
            }
        }
        sb.append("parsed=").append(parsed).append(" rejected=").append(rejected).append('\n');
        out.print(sb);
        return 0;
    }
}
