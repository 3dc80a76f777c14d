package dev.tracepoint.core.format;

import dev.tracepoint.core.format.FormatLexer.Split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Extracts the {@link ValueTable}s of a print fmt and attaches them to their fields. It owns the search for
 * {@code __print_symbolic}/{@code __print_flags} calls (and their {@code _u64} forms) applied directly to a
 * {@code REC->field}, the reading of their {@code { value, "name" }} entries (values through
 * {@link ConstantExpression}) and, for flags, of the delimiter.
 */
final class PrintFmtTables {

    private PrintFmtTables() {
    }

    /** A new list of the fields in their order, each with the table the print fmt {@code text} gives it, if any. */
    static List<Field> attach(List<Field> fields, String text) {
        Map<String, ValueTable> tables = valueTables(text);
        List<Field> result = new ArrayList<>(fields.size());
        for (Field f : fields) {
            ValueTable table = tables.get(f.name());
            result.add(table == null ? f : f.withTable(table));
        }
        return result;
    }

    /**
     * Finds every {@code __print_symbolic}/{@code __print_flags} call (and their {@code _u64} forms) anywhere
     * in a print fmt, outside string literals, and turns those applied directly to a {@code REC->field} into
     * tables. The first table of a field wins. Linear: the text after a call continues after its ')'.
     */
    private static Map<String, ValueTable> valueTables(String text) {
        Map<String, ValueTable> tables = new HashMap<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = FormatLexer.skipLiteral(text, i, n);
                if (i < 0) {
                    break;
                }
                continue;
            }
            if (!FormatLexer.isIdentifierPart(c)) {
                i++;
                continue;
            }
            int end = i;
            while (end < n && FormatLexer.isIdentifierPart(text.charAt(end))) {
                end++;
            }
            ValueTable.Kind kind = switch (text.substring(i, end)) {
                case "__print_symbolic", "__print_symbolic_u64" -> ValueTable.Kind.SYMBOLIC;
                case "__print_flags", "__print_flags_u64" -> ValueTable.Kind.FLAGS;
                default -> null;
            };
            i = end;
            if (kind == null) {
                continue;
            }
            int open = FormatLexer.skipSpace(text, end, n);
            if (open == n || text.charAt(open) != '(') {
                continue;
            }
            int close = FormatLexer.matchClose(text, open, n);
            if (close < 0) {
                break;
            }
            ValueTable table = valueTable(kind, text, open + 1, close);
            if (table != null) {
                tables.putIfAbsent(table.field(), table);
            }
            i = close + 1;
        }
        return tables;
    }

    /** One helper call's table, or {@code null} when its field is not a plain {@code REC->name} or no entry evaluates. */
    private static ValueTable valueTable(ValueTable.Kind kind, String text, int from, int to) {
        Split split = FormatLexer.split(text, from, to);
        if (split.problem() != null) {
            return null;
        }
        List<String> args = split.parts();
        int first = kind == ValueTable.Kind.FLAGS ? 2 : 1;
        String field = args.isEmpty() ? null : fieldReference(args.get(0));
        if (field == null || args.size() <= first) {
            return null;
        }
        String delimiter = kind == ValueTable.Kind.FLAGS ? FormatLexer.stringLiteral(args.get(1)) : "";
        if (delimiter == null) {
            return null;
        }
        long[] values = new long[args.size() - first];
        String[] names = new String[values.length];
        int count = 0;
        for (String entry : args.subList(first, args.size())) {
            if (entry.length() < 2 || entry.charAt(0) != '{' || entry.charAt(entry.length() - 1) != '}') {
                continue;
            }
            Split pair = FormatLexer.split(entry, 1, entry.length() - 1);
            if (pair.problem() != null || pair.parts().size() != 2) {
                continue;
            }
            Long value = ConstantExpression.evaluate(pair.parts().get(0));
            String name = FormatLexer.stringLiteral(pair.parts().get(1));
            if (value != null && name != null) {
                values[count] = value;
                names[count++] = name;
            }
        }
        return count == 0 ? null
                : new ValueTable(field, kind, delimiter, Arrays.copyOf(values, count), Arrays.copyOf(names, count));
    }

    /**
     * The field an expression reads unchanged: {@code REC->x}, {@code (REC->x)} or {@code (unsigned long)REC->x}.
     * Derived values ({@code REC->x & 0xff}, constants) give {@code null}: their table does not describe the field.
     */
    private static String fieldReference(String expression) {
        String e = expression.strip();
        if (e.length() > 256) {
            return null;
        }
        while (e.startsWith("(")) {
            int close = FormatLexer.matchClose(e, 0, e.length());
            if (close == e.length() - 1) {
                e = e.substring(1, close).strip();
            } else if (close > 0 && FormatLexer.isTypeName(e, 1, close)) {
                e = e.substring(close + 1).strip();
            } else {
                break;
            }
        }
        if (!e.startsWith("REC->")) {
            return null;
        }
        String name = e.substring(5);
        return FormatLexer.isIdentifier(name) ? name : null;
    }
}
