package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FieldKind;
import dev.tracepoint.core.format.PrintFmt;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders an event as text the way the kernel's print fmt would, for the common shapes of print fmt
 * arguments ({@code REC->field}, {@code __get_str(field)}, {@code __print_symbolic}, {@code __print_flags});
 * when an argument is anything else (C arithmetic, helper calls) it falls back to {@code name=value} pairs.
 */
final class EventText {

    private static final Pattern REC = Pattern.compile("\\(?\\s*(?:\\([^()]*\\)\\s*)?REC->(\\w+)\\s*\\)?");
    private static final Pattern GET_STR = Pattern.compile("__get_(?:rel_)?str\\(\\s*(\\w+)\\s*\\)");
    private static final Pattern TABLE = Pattern.compile("__print_(?:symbolic|flags)\\(\\s*(?:\\([^()]*\\)\\s*)?REC->(\\w+)\\s*,.*", Pattern.DOTALL);
    private static final Pattern SPEC = Pattern.compile("%([-#0 +]*)(\\d*|\\*)(?:\\.(\\d+))?(hh|h|ll|l|L|z|j|t)?([diouxXcspS%])([SsIiMUB]?[\\w]*)?");

    private EventText() {
    }

    static String format(EventView view) {
        EventFormat format = view.format();
        PrintFmt pf = format.printFmt();
        if (pf != null && pf.parsed()) {
            String s = render(view, pf);
            if (s != null) {
                return s;
            }
        }
        return dump(view);
    }

    /** {@code name=value} for every payload field, symbols in brackets. */
    static String dump(EventView view) {
        StringBuilder sb = new StringBuilder();
        for (Field f : view.format().payloadFields()) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(f.name()).append('=');
            try {
                appendValue(sb, view, f);
            } catch (DecodeException e) {
                sb.append("<bad>");
            }
        }
        return sb.toString();
    }

    private static void appendValue(StringBuilder sb, EventView view, Field f) {
        if (f.kind() == FieldKind.POINTER) {
            sb.append("0x").append(Long.toHexString(view.getLong(f)));
            return;
        }
        Object v = view.value(f);
        if (v instanceof long[] a) {
            sb.append(java.util.Arrays.toString(a));
        } else if (v instanceof byte[] b) {
            sb.append(hex(b));
        } else {
            sb.append(v);
        }
        String sym = f.table() != null ? view.symbol(f) : null;
        if (sym != null) {
            sb.append(" (").append(sym).append(')');
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }

    /** Renders the print fmt, or returns null when an argument is beyond this simple evaluator. */
    private static String render(EventView view, PrintFmt pf) {
        String fmt = pf.format();
        List<String> args = pf.args();
        StringBuilder sb = new StringBuilder(fmt.length() + 32);
        Matcher m = SPEC.matcher(fmt);
        int pos = 0;
        int arg = 0;
        while (m.find(pos)) {
            sb.append(fmt, pos, m.start());
            pos = m.end();
            String conv = m.group(5);
            if (conv.equals("%")) {
                sb.append('%');
                continue;
            }
            if ("*".equals(m.group(2)) || arg >= args.size()) {
                return null;
            }
            String ext = m.group(6) == null ? "" : m.group(6);
            if (conv.equals("p") && !ext.isEmpty() && !ext.startsWith("S") && !ext.startsWith("s")) {
                return null; // %pI4, %pM, %pU...: binary formats this evaluator does not render
            }
            if (!conv.equals("p") && !ext.isEmpty()) {
                pos = m.end(5); // the letters after the conversion are plain text
            }
            String expr = args.get(arg++).trim();
            String text = evaluate(view, expr, conv, m.group(4), m.group(1));
            if (text != null && conv.equals("p") && !ext.isEmpty()) {
                text = symbol(text, ext.charAt(0) == 'S');
            }
            if (text == null) {
                return null;
            }
            String width = m.group(2);
            if (width != null && !width.isEmpty() && !width.equals("*")) {
                int w = Integer.parseInt(width);
                boolean left = m.group(1) != null && m.group(1).contains("-");
                while (text.length() < w) {
                    text = left ? text + " " : " " + text;
                }
            }
            sb.append(text);
        }
        sb.append(fmt, pos, fmt.length());
        return sb.toString();
    }

    /** {@code %pS}: {@code func+0xoff/0xlen}; {@code %ps}: {@code func}; from /proc/kallsyms, loaded on first use. */
    private static String symbol(String hex, boolean withOffset) {
        long address = Long.parseUnsignedLong(hex.substring(2), 16);
        dev.tracepoint.core.KernelSymbols symbols = dev.tracepoint.core.KernelSymbols.system();
        if (withOffset) {
            return symbols.symbolize(address);
        }
        int i = symbols.indexOf(address);
        return i < 0 ? hex : symbols.name(i);
    }

    private static String evaluate(EventView view, String expr, String conv, String lengthMod, String flags) {
        EventFormat format = view.format();
        Matcher t = TABLE.matcher(expr);
        if (t.matches()) {
            Field f = format.field(t.group(1));
            return f == null ? null : f.table() != null ? view.symbol(f) : Long.toString(view.getLong(f));
        }
        Matcher g = GET_STR.matcher(expr);
        if (g.matches()) {
            Field f = format.field(g.group(1));
            return f == null ? null : view.getString(f);
        }
        Matcher r = REC.matcher(expr);
        if (!r.matches()) {
            return null;
        }
        Field f = format.field(r.group(1));
        if (f == null) {
            return null;
        }
        if (conv.equals("s")) {
            return f.isString() ? view.getString(f) : null;
        }
        if (!f.isNumeric()) {
            return null;
        }
        long v = view.getLong(f);
        int bits = "hh".equals(lengthMod) ? 8 : "h".equals(lengthMod) ? 16
                : lengthMod == null ? (f.size() >= 8 && conv.equals("p") ? 64 : Math.min(32, f.size() * 8)) : 64;
        if (f.size() >= 8 && lengthMod == null && !conv.equals("p")) {
            bits = 32; // C varargs: an int conversion reads the low 32 bits
        }
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        switch (conv) {
            case "d":
            case "i":
                return Long.toString(bits == 64 ? v : (v << (64 - bits)) >> (64 - bits));
            case "u":
                return Long.toUnsignedString(v & mask);
            case "x":
            case "X": {
                String h = Long.toHexString(v & mask);
                h = conv.equals("X") ? h.toUpperCase(java.util.Locale.ROOT) : h;
                return flags != null && flags.contains("#") ? "0x" + h : h;
            }
            case "o":
                return Long.toOctalString(v & mask);
            case "c":
                return String.valueOf((char) (v & 0xff));
            case "p":
                return "0x" + Long.toHexString(v);
            default:
                return null;
        }
    }
}
