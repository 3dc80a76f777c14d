package dev.tracepoint.core.internal.cli;

/** Minimal JSON output helpers: string escaping and value rendering into a {@link StringBuilder}. */
public final class Json {

    private Json() {
    }

    /**
     * Appends {@code s} as a JSON string literal.
     *
     * @param sb the output
     * @param s  the text ({@code null} gives {@code null})
     * @return {@code sb}
     */
    public static StringBuilder string(StringBuilder sb, CharSequence s) {
        if (s == null) {
            return sb.append("null");
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /**
     * Appends a Java value as JSON: numbers, booleans, strings, {@code long[]}/{@code byte[]} as arrays.
     *
     * @param sb the output
     * @param v  the value
     * @return {@code sb}
     */
    public static StringBuilder value(StringBuilder sb, Object v) {
        if (v == null) {
            return sb.append("null");
        }
        if (v instanceof Number || v instanceof Boolean) {
            return sb.append(v);
        }
        if (v instanceof long[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                sb.append(i == 0 ? "" : ",").append(a[i]);
            }
            return sb.append(']');
        }
        if (v instanceof byte[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                sb.append(i == 0 ? "" : ",").append(a[i] & 0xff);
            }
            return sb.append(']');
        }
        return string(sb, v.toString());
    }

    /**
     * Appends {@code "key":} (with a leading comma unless {@code first}).
     *
     * @param sb    the output
     * @param key   the key
     * @param first whether this is the first member
     * @return {@code sb}
     */
    public static StringBuilder key(StringBuilder sb, String key, boolean first) {
        if (!first) {
            sb.append(',');
        }
        return string(sb, key).append(':');
    }
}
