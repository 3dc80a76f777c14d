package dev.tracepoint.core.format;

/**
 * Evaluates the integer constant expressions of value-table entries (the values of
 * {@code __print_symbolic}/{@code __print_flags} pairs, see {@link PrintFmtTables}): decimal, octal and hex
 * literals with {@code U}/{@code L} suffixes, casts (ignored: values are 64-bit), parentheses, unary
 * {@code - ~ +} and binary {@code * / % + - << >> & ^ |}. Anything else (identifiers, overflow, division by
 * zero, shifts of 64 or more) makes the expression non-constant.
 */
final class ConstantExpression {

    private static final int MAX_DEPTH = 64;

    /** Thrown (without a stack trace) when the expression is not a constant this evaluator understands. */
    private static final class NotConstant extends Exception {
        /** Never serialized: one shared, stackless instance signals the parser's failure. */
        private static final long serialVersionUID = 1L;

        NotConstant() {
            super(null, null, false, false);
        }
    }

    private static final NotConstant NOT_CONSTANT = new NotConstant();

    private final String s;
    private int pos;
    private int depth;

    private ConstantExpression(String s) {
        this.s = s;
    }

    /** The value, or {@code null} when the text is not a constant expression. */
    static Long evaluate(String text) {
        ConstantExpression e = new ConstantExpression(text);
        try {
            long value = e.or();
            e.skipSpace();
            return e.pos == text.length() ? value : null;
        } catch (NotConstant notConstant) {
            return null;
        }
    }

    private long or() throws NotConstant {
        long v = xor();
        while (operator("|", "||")) {
            v |= xor();
        }
        return v;
    }

    private long xor() throws NotConstant {
        long v = and();
        while (operator("^", null)) {
            v ^= and();
        }
        return v;
    }

    private long and() throws NotConstant {
        long v = shift();
        while (operator("&", "&&")) {
            v &= shift();
        }
        return v;
    }

    private long shift() throws NotConstant {
        long v = additive();
        while (true) {
            if (operator("<<", null)) {
                v <<= shiftCount(additive());
            } else if (operator(">>", null)) {
                v >>= shiftCount(additive());
            } else {
                return v;
            }
        }
    }

    private static int shiftCount(long count) throws NotConstant {
        if (count < 0 || count > 63) {
            throw NOT_CONSTANT;
        }
        return (int) count;
    }

    private long additive() throws NotConstant {
        long v = multiplicative();
        while (true) {
            if (operator("+", null)) {
                v += multiplicative();
            } else if (operator("-", null)) {
                v -= multiplicative();
            } else {
                return v;
            }
        }
    }

    private long multiplicative() throws NotConstant {
        long v = unary();
        while (true) {
            if (operator("*", null)) {
                v *= unary();
            } else if (operator("/", null)) {
                v /= divisor(unary());
            } else if (operator("%", null)) {
                v %= divisor(unary());
            } else {
                return v;
            }
        }
    }

    private static long divisor(long d) throws NotConstant {
        if (d == 0) {
            throw NOT_CONSTANT;
        }
        return d;
    }

    private long unary() throws NotConstant {
        if (++depth > MAX_DEPTH) {
            throw NOT_CONSTANT;
        }
        try {
            skipSpace();
            if (pos == s.length()) {
                throw NOT_CONSTANT;
            }
            char c = s.charAt(pos);
            switch (c) {
                case '-' -> {
                    pos++;
                    return -unary();
                }
                case '~' -> {
                    pos++;
                    return ~unary();
                }
                case '+' -> {
                    pos++;
                    return unary();
                }
                case '(' -> {
                    if (skipCast()) {
                        return unary();
                    }
                    pos++;
                    long v = or();
                    if (!operator(")", null)) {
                        throw NOT_CONSTANT;
                    }
                    return v;
                }
                default -> {
                    if (c >= '0' && c <= '9') {
                        return number();
                    }
                    throw NOT_CONSTANT;
                }
            }
        } finally {
            depth--;
        }
    }

    /** Skips {@code (type name)} at {@code pos} when that is what it is. */
    private boolean skipCast() {
        int close = pos + 1;
        while (close < s.length() && (FormatLexer.isIdentifierPart(s.charAt(close)) || " \t*".indexOf(s.charAt(close)) >= 0)) {
            close++;
        }
        if (close == s.length() || s.charAt(close) != ')' || !FormatLexer.isTypeName(s, pos + 1, close)) {
            return false;
        }
        pos = close + 1;
        return true;
    }

    private long number() throws NotConstant {
        int radix = 10;
        if (s.startsWith("0x", pos) || s.startsWith("0X", pos)) {
            radix = 16;
            pos += 2;
        } else if (s.charAt(pos) == '0' && pos + 1 < s.length() && s.charAt(pos + 1) >= '0' && s.charAt(pos + 1) <= '9') {
            radix = 8;
            pos++;
        }
        int start = pos;
        while (pos < s.length() && s.charAt(pos) < 128 && Character.digit(s.charAt(pos), radix) >= 0) {
            pos++;
        }
        String digits = s.substring(start, pos);
        while (pos < s.length() && "uUlL".indexOf(s.charAt(pos)) >= 0) {
            pos++;
        }
        if (digits.isEmpty() || (pos < s.length() && FormatLexer.isIdentifierPart(s.charAt(pos)))) {
            throw NOT_CONSTANT;
        }
        try {
            return Long.parseUnsignedLong(digits, radix);
        } catch (NumberFormatException overflow) {
            throw NOT_CONSTANT;
        }
    }

    /** Consumes {@code op} when it comes next and is not the start of {@code longer}. */
    private boolean operator(String op, String longer) {
        skipSpace();
        if (!s.startsWith(op, pos) || (longer != null && s.startsWith(longer, pos))) {
            return false;
        }
        pos += op.length();
        return true;
    }

    private void skipSpace() {
        pos = FormatLexer.skipSpace(s, pos, s.length());
    }
}
