package dev.tracepoint.core.internal.probe;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates a USDT argument specification of x86_64 ({@code 8@%r13}, {@code -4@%r14d}, {@code -8@-64(%rbp)},
 * {@code 1@$1}) to a uprobe fetch argument ({@code %r13:u64}, {@code %r14:s32}, {@code -64(%bp):s64},
 * {@code \1:u8}).
 */
public final class UsdtArgs {

    private static final Pattern SPEC = Pattern.compile("^(-?)(1|2|4|8)@(.+)$");
    private static final Pattern REG = Pattern.compile("^%([a-z0-9]+)$");
    private static final Pattern DEREF = Pattern.compile("^(-?(?:0x[0-9a-fA-F]+|[0-9]+))?\\(%([a-z0-9]+)\\)$");
    private static final Pattern IMM = Pattern.compile("^\\$(-?(?:0x[0-9a-fA-F]+|[0-9]+))$");
    private static final Pattern RN = Pattern.compile("^r(8|9|1[0-5])[dwb]?$");
    private static final Map<String, String> LEGACY = Map.ofEntries(
            Map.entry("rax", "ax"), Map.entry("eax", "ax"), Map.entry("ax", "ax"), Map.entry("al", "ax"), Map.entry("ah", "ax"),
            Map.entry("rbx", "bx"), Map.entry("ebx", "bx"), Map.entry("bx", "bx"), Map.entry("bl", "bx"), Map.entry("bh", "bx"),
            Map.entry("rcx", "cx"), Map.entry("ecx", "cx"), Map.entry("cx", "cx"), Map.entry("cl", "cx"), Map.entry("ch", "cx"),
            Map.entry("rdx", "dx"), Map.entry("edx", "dx"), Map.entry("dx", "dx"), Map.entry("dl", "dx"), Map.entry("dh", "dx"),
            Map.entry("rsi", "si"), Map.entry("esi", "si"), Map.entry("si", "si"), Map.entry("sil", "si"),
            Map.entry("rdi", "di"), Map.entry("edi", "di"), Map.entry("di", "di"), Map.entry("dil", "di"),
            Map.entry("rbp", "bp"), Map.entry("ebp", "bp"), Map.entry("bp", "bp"), Map.entry("bpl", "bp"),
            Map.entry("rsp", "sp"), Map.entry("esp", "sp"), Map.entry("sp", "sp"), Map.entry("spl", "sp"),
            Map.entry("rip", "ip"));

    private UsdtArgs() {
    }

    /**
     * @param spec a USDT argument specification
     * @return the uprobe fetch argument
     * @throws IllegalArgumentException when the specification is not one of x86_64's forms
     */
    public static String x86(String spec) {
        Matcher s = SPEC.matcher(spec);
        if (!s.matches()) {
            throw new IllegalArgumentException("USDT argument '" + spec + "' is not [-]size@operand");
        }
        String type = (s.group(1).isEmpty() ? "u" : "s") + (Integer.parseInt(s.group(2)) * 8);
        String op = s.group(3);
        Matcher m;
        if ((m = REG.matcher(op)).matches()) {
            return "%" + register(m.group(1), spec) + ":" + type;
        }
        if ((m = DEREF.matcher(op)).matches()) {
            String off = m.group(1) == null ? "0" : m.group(1);
            return (off.startsWith("-") ? off : "+" + off) + "(%" + register(m.group(2), spec) + "):" + type;
        }
        if ((m = IMM.matcher(op)).matches()) {
            return "\\" + m.group(1) + ":" + type;
        }
        throw new IllegalArgumentException("USDT argument '" + spec + "': unsupported operand '" + op + "'");
    }

    private static String register(String r, String spec) {
        String legacy = LEGACY.get(r);
        if (legacy != null) {
            return legacy;
        }
        Matcher m = RN.matcher(r);
        if (m.matches()) {
            return "r" + m.group(1);
        }
        throw new IllegalArgumentException("USDT argument '" + spec + "': unknown x86_64 register %" + r);
    }
}
