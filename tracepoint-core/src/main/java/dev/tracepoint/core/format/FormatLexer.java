package dev.tracepoint.core.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The lexical layer of format files. It owns the character and word tests the parser applies to the lines of
 * a format file ({@code field:} declarations, keys, numbers), the C tokens of a print fmt as the kernel
 * stringifies it (string and character literals with their escapes, matching brackets, type names in casts,
 * lists split at top-level commas), and the split of a whole print fmt into its format string and arguments
 * ({@link FormatParser#parsePrintFmt(String)}). Columns in messages are 1-based.
 */
final class FormatLexer {

    /** Parts of a comma-separated list, or the reason it could not be split. */
    record Split(List<String> parts, String problem) {
    }

    private FormatLexer() {
    }

    /** The split of a print fmt text; see {@link FormatParser#parsePrintFmt(String)}. */
    static PrintFmt splitPrintFmt(String text) {
        String t = text == null ? "" : text;
        int n = t.length();
        int i = skipSpace(t, 0, n);
        if (i == n) {
            return unsplit(t, "empty print fmt");
        }
        if (t.charAt(i) != '"') {
            return unsplit(t, "print fmt does not start with a string literal");
        }
        StringBuilder format = new StringBuilder();
        while (i < n && t.charAt(i) == '"') {
            int end = unescape(t, i, n, format);
            if (end < 0) {
                return unsplit(t, "unterminated string literal at column " + (i + 1));
            }
            i = skipSpace(t, end, n);
        }
        if (i == n) {
            return new PrintFmt(t, format.toString(), List.of(), null);
        }
        if (t.charAt(i) != ',') {
            return unsplit(t, "unexpected '" + t.charAt(i) + "' after the format string at column " + (i + 1));
        }
        Split args = split(t, i + 1, n);
        if (args.problem() != null) {
            return unsplit(t, args.problem());
        }
        return new PrintFmt(t, format.toString(), args.parts(), null);
    }

    private static PrintFmt unsplit(String text, String problem) {
        return new PrintFmt(text, null, List.of(), problem);
    }

    static boolean isIdentifierPart(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    static boolean isIdentifier(String s) {
        if (s.isEmpty() || (s.charAt(0) >= '0' && s.charAt(0) <= '9')) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isIdentifierPart(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    static boolean startsWithAfterSpace(byte[] bytes, String prefix) {
        int i = 0;
        while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t')) {
            i++;
        }
        if (bytes.length - i < prefix.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (bytes[i + k] != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    static boolean startsWithWord(String s, String word) {
        return s.startsWith(word) && (s.length() == word.length() || s.charAt(word.length()) == ' ');
    }

    /** Runs of whitespace become one space. */
    static String collapseSpaces(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t') {
                space = true;
                continue;
            }
            if (space && !sb.isEmpty()) {
                sb.append(' ');
            }
            space = false;
            sb.append(c);
        }
        return sb.toString();
    }

    static int skipSpace(String s, int i, int to) {
        while (i < to && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The index after the literal opening at {@code i}, or -1 when it is not terminated before {@code to}. */
    static int skipLiteral(String s, int i, int to) {
        char quote = s.charAt(i);
        for (int j = i + 1; j < to; j++) {
            char c = s.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == quote) {
                return j + 1;
            }
        }
        return -1;
    }

    /** The index of the bracket closing the one at {@code open}, or -1. Literals are skipped. */
    static int matchClose(String s, int open, int to) {
        int depth = 0;
        for (int i = open; i < to; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                int end = skipLiteral(s, i, to);
                if (end < 0) {
                    return -1;
                }
                i = end - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (--depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Splits {@code [from, to)} at commas outside brackets and literals; parts are stripped and non-empty. */
    static Split split(String s, int from, int to) {
        List<String> parts = new ArrayList<>();
        int[] open = new int[16];
        int depth = 0;
        int start = from;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"', '\'' -> {
                    int end = skipLiteral(s, i, to);
                    if (end < 0) {
                        return new Split(List.of(), "unterminated " + (c == '"' ? "string" : "character")
                                + " literal at column " + (i + 1));
                    }
                    i = end - 1;
                }
                case '(', '[', '{' -> {
                    if (depth == open.length) {
                        open = Arrays.copyOf(open, depth * 2);
                    }
                    open[depth++] = i;
                }
                case ')', ']', '}' -> {
                    if (depth == 0 || s.charAt(open[depth - 1]) != (c == ')' ? '(' : c == ']' ? '[' : '{')) {
                        return new Split(List.of(), "unbalanced '" + c + "' at column " + (i + 1));
                    }
                    depth--;
                }
                case ',' -> {
                    if (depth == 0) {
                        if (!addPart(parts, s, start, i)) {
                            return new Split(List.of(), "empty argument before column " + (i + 1));
                        }
                        start = i + 1;
                    }
                }
                default -> {
                }
            }
        }
        if (depth > 0) {
            return new Split(List.of(), "unclosed '" + s.charAt(open[depth - 1]) + "' at column " + (open[depth - 1] + 1));
        }
        if (!addPart(parts, s, start, to)) {
            return new Split(List.of(), "empty argument at the end");
        }
        return new Split(parts, null);
    }

    private static boolean addPart(List<String> parts, String s, int from, int to) {
        String part = s.substring(from, to).strip();
        parts.add(part);
        return !part.isEmpty();
    }

    /**
     * Appends the unescaped content of the string literal opening at {@code i}; returns the index after its
     * closing quote, or -1 when it is not terminated before {@code to}.
     */
    static int unescape(String s, int i, int to, StringBuilder out) {
        int j = i + 1;
        while (j < to) {
            char c = s.charAt(j++);
            if (c == '"') {
                return j;
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (j == to) {
                return -1;
            }
            char e = s.charAt(j++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000b');
                case 'e' -> out.append('\u001b');
                case 'x' -> {
                    int value = 0;
                    int digits = 0;
                    while (digits < 2 && j < to && s.charAt(j) < 128 && Character.digit(s.charAt(j), 16) >= 0) {
                        value = value * 16 + Character.digit(s.charAt(j++), 16);
                        digits++;
                    }
                    out.append(digits == 0 ? 'x' : (char) value);
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int value = e - '0';
                    for (int digits = 1; digits < 3 && j < to && s.charAt(j) >= '0' && s.charAt(j) <= '7'; digits++) {
                        value = value * 8 + (s.charAt(j++) - '0');
                    }
                    out.append((char) value);
                }
                default -> out.append(e); // \\ \" \' \? (and unknown escapes) stand for the character
            }
        }
        return -1;
    }

    /** One or more adjacent string literals and nothing else, unescaped and concatenated; else {@code null}. */
    static String stringLiteral(String s) {
        int n = s.length();
        int i = skipSpace(s, 0, n);
        if (i == n || s.charAt(i) != '"') {
            return null;
        }
        StringBuilder out = new StringBuilder();
        while (i < n && s.charAt(i) == '"') {
            i = unescape(s, i, n, out);
            if (i < 0) {
                return null;
            }
            i = skipSpace(s, i, n);
        }
        return i == n ? out.toString() : null;
    }

    /** Whether {@code [from, to)} is a type name as used in a cast: identifiers, spaces and '*', at least one identifier. */
    static boolean isTypeName(String s, int from, int to) {
        boolean identifier = false;
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '*') {
                i++;
                continue;
            }
            if (!isIdentifierPart(c) || (c >= '0' && c <= '9')) {
                return false;
            }
            while (i < to && isIdentifierPart(s.charAt(i))) {
                i++;
            }
            identifier = true;
        }
        return identifier;
    }
}
