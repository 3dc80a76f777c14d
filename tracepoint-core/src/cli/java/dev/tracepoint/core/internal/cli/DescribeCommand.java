package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.format.ValueTable;
import dev.tracepoint.core.probe.ProbeDefinition;
import dev.tracepoint.core.probe.Probes;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code tracepoint describe EVENT|FORMAT_FILE [--json]}: a tracepoint's fields and value tables. */
final class DescribeCommand implements Command {

    @Override
    public String name() {
        return "describe";
    }

    @Override
    public String summary() {
        return "show a tracepoint's fields (type, offset, size, signedness, kind) and value tables";
    }

    @Override
    public String usage() {
        return """
                usage: tracepoint describe EVENT|PROBE|FORMAT_FILE [--json]
                  EVENT        system:event of the running kernel, e.g. signal:signal_generate
                  PROBE        a dynamic probe as stream takes it, e.g. 'uprobe:libc:nanosleep sec=+0(%di):s64'
                               or 'usdt:libjvm:hotspot:gc__begin': defined to read its format, then removed
                  FORMAT_FILE  a format file, e.g. one captured from another kernel
                  --json       one JSON object instead of a table""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, Set.of("json"), Set.of());
        if (args.positional().size() != 1) {
            throw new UsageException("describe takes one tracepoint or format file");
        }
        String what = args.positional().get(0);
        if (ProbeSpec.isProbe(what)) {
            return describeProbe(ProbeSpec.parse(what), args.has("json"), out, err);
        }
        Path p = Path.of(what);
        EventFormat f = (what.contains("/") || what.endsWith("format")) && Files.isRegularFile(p)
                ? FormatParser.parse(p) : Tracefs.locate().format(what);
        out.print(args.has("json") ? json(f) : text(f));
        return 0;
    }

    /**
     * A probe's format, as the kernel lays out its event: the probe is defined for the time it takes to read it.
     * A USDT marker's sites share their fields; the first one is shown.
     */
    private static int describeProbe(ProbeSpec spec, boolean json, PrintStream out, PrintStream err) throws Exception {
        Tracefs tracefs = Tracefs.locate();
        EventFormat f;
        try (ProbeDefinition def = Probes.define(tracefs, spec.probes().get(0))) {
            f = tracefs.format(def.tracepoint());
        }
        out.print(json ? json(f) : text(f));
        out.flush();
        err.println("tracepoint describe: " + spec.probes().get(0) + " (defined to read its format, then removed"
                + (spec.probes().size() > 1 ? "; one of " + spec.probes().size() + " sites, all alike" : "") + ")");
        return 0;
    }

    static String text(EventFormat f) {
        StringBuilder sb = new StringBuilder();
        sb.append(f.fullName()).append("  id=").append(f.id()).append("  fixed size=").append(f.fixedSize()).append('\n');
        sb.append(String.format("  %-28s %-32s %6s %5s %6s  %s%n", "FIELD", "TYPE", "OFFSET", "SIZE", "SIGNED", "KIND"));
        for (Field x : f.fields()) {
            sb.append(String.format("  %-28s %-32s %6d %5d %6s  %s%s%n", x.name(), x.type(), x.offset(), x.size(),
                    x.signed() ? "yes" : "no", x.kind().name().toLowerCase(java.util.Locale.ROOT),
                    x.isString() ? " (string)" : ""));
        }
        for (ValueTable t : f.tables()) {
            sb.append("  ").append(t.kind() == ValueTable.Kind.FLAGS ? "flags" : "symbols").append(" of ").append(t.field())
                    .append(" (").append(t.size()).append("):");
            for (int i = 0; i < t.size(); i++) {
                sb.append(i % 6 == 0 ? "\n    " : "  ").append(t.value(i)).append('=').append(t.name(i));
            }
            sb.append('\n');
        }
        if (f.printFmt() != null) {
            sb.append("  print fmt: ").append(f.printFmt().text()).append('\n');
        }
        for (String w : f.warnings()) {
            sb.append("  warning: ").append(w).append('\n');
        }
        return sb.toString();
    }

    static String json(EventFormat f) {
        StringBuilder sb = new StringBuilder("{");
        Json.key(sb, "name", true);
        Json.string(sb, f.fullName());
        Json.key(sb, "id", false).append(f.id());
        Json.key(sb, "fixed_size", false).append(f.fixedSize());
        Json.key(sb, "fields", false).append('[');
        boolean first = true;
        for (Field x : f.fields()) {
            sb.append(first ? "{" : ",{");
            first = false;
            Json.key(sb, "name", true);
            Json.string(sb, x.name());
            Json.key(sb, "type", false);
            Json.string(sb, x.type());
            Json.key(sb, "offset", false).append(x.offset());
            Json.key(sb, "size", false).append(x.size());
            Json.key(sb, "signed", false).append(x.signed());
            Json.key(sb, "kind", false);
            Json.string(sb, x.kind().name().toLowerCase(java.util.Locale.ROOT));
            if (x.arrayLength() > 0) {
                Json.key(sb, "array_length", false).append(x.arrayLength());
            }
            Json.key(sb, "string", false).append(x.isString());
            sb.append('}');
        }
        sb.append(']');
        Json.key(sb, "tables", false).append('{');
        first = true;
        for (ValueTable t : f.tables()) {
            Json.key(sb, t.field(), first).append('{');
            first = false;
            Json.key(sb, "kind", true);
            Json.string(sb, t.kind() == ValueTable.Kind.FLAGS ? "flags" : "symbolic");
            Json.key(sb, "values", false).append('{');
            for (int i = 0; i < t.size(); i++) {
                Json.key(sb, Long.toString(t.value(i)), i == 0);
                Json.string(sb, t.name(i));
            }
            sb.append("}}");
        }
        sb.append('}');
        Json.key(sb, "print_fmt", false);
        Json.string(sb, f.printFmt() == null ? null : f.printFmt().text());
        return sb.append("}\n").toString();
    }
}
