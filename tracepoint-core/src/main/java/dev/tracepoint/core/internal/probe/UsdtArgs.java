package dev.tracepoint.core.internal.probe;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates a USDT argument specification to a uprobe fetch argument: of x86_64 ({@code 8@%r13}, {@code -4@%r14d},
 * {@code -8@-64(%rbp)}, {@code 1@$1} become {@code %r13:u64}, {@code %r14:s32}, {@code -64(%bp):s64},
 * {@code \1:u8}) and of aarch64 ({@code 8@x0}, {@code -4@w1}, {@code 8@[sp, 16]}, {@code -8@[x29, -8]},
 * {@code 4@5} become {@code %x0:u64}, {@code %x1:s32}, {@code +16(%sp):u64}, {@code -8(%x29):s64}, {@code \5:u32}),
 * in the operand syntax GCC and Clang write into {@code .note.stapsdt}, as libbpf's {@code usdt.c} reads it.
 */
public final class UsdtArgs {

    private static final Pattern SPEC = Pattern.compile("^(-?)(1|2|4|8)@(.+)$");
    private static final Pattern REG = Pattern.compile("^%([a-z0-9]+)$");
    private static final Pattern DEREF = Pattern.compile("^(-?(?:0x[0-9a-fA-F]+|[0-9]+))?\\(%([a-z0-9]+)\\)$");
    private static final Pattern IMM = Pattern.compile("^\\$(-?(?:0x[0-9a-fA-F]+|[0-9]+))$");
    private static final Pattern RN = Pattern.compile("^r(8|9|1[0-5])[dwb]?$");
    private static final Pattern A64_REG = Pattern.compile("^([a-z0-9]+)$");
    private static final Pattern A64_DEREF = Pattern.compile("^\\[([a-z0-9]+)(?:, *(-?(?:0x[0-9a-fA-F]+|[0-9]+)))?\\]$");
    private static final Pattern A64_IMM = Pattern.compile("^#?(-?(?:0x[0-9a-fA-F]+|[0-9]+))$");
    private static final Pattern A64_XW = Pattern.compile("^[xw]([0-9]|[12][0-9]|30)$");
    private static final Map<String, String> LEGACY = Map.ofEntries(
            Map.entry("rax", "ax"), Map.entry("eax", "ax"), Map.entry("ax", "ax"), Map.entry("al", "ax"),
            Map.entry("rbx", "bx"), Map.entry("ebx", "bx"), Map.entry("bx", "bx"), Map.entry("bl", "bx"),
            Map.entry("rcx", "cx"), Map.entry("ecx", "cx"), Map.entry("cx", "cx"), Map.entry("cl", "cx"),
            Map.entry("rdx", "dx"), Map.entry("edx", "dx"), Map.entry("dx", "dx"), Map.entry("dl", "dx"),
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

    /**
     * @param spec a USDT argument specification of aarch64
     * @return the uprobe fetch argument
     * @throws IllegalArgumentException when the specification is not one of aarch64's forms
     */
    public static String aarch64(String spec) {
        Matcher s = SPEC.matcher(spec);
        if (!s.matches()) {
            throw new IllegalArgumentException("USDT argument '" + spec + "' is not [-]size@operand");
        }
        String type = (s.group(1).isEmpty() ? "u" : "s") + (Integer.parseInt(s.group(2)) * 8);
        String op = s.group(3);
        Matcher m;
        if ((m = A64_IMM.matcher(op)).matches()) {
            return "\\" + m.group(1) + ":" + type;
        }
        if ((m = A64_REG.matcher(op)).matches()) {
            return "%" + a64Register(m.group(1), spec) + ":" + type;
        }
        if ((m = A64_DEREF.matcher(op)).matches()) {
            String off = m.group(2) == null ? "0" : m.group(2);
            return (off.startsWith("-") ? off : "+" + off) + "(%" + a64Register(m.group(1), spec) + "):" + type;
        }
        throw new IllegalArgumentException("USDT argument '" + spec + "': unsupported aarch64 operand '" + op + "'");
    }

    /** {@code xN} and its 32-bit view {@code wN} are the kernel's {@code xN}; {@code sp} is {@code sp}. */
    private static String a64Register(String r, String spec) {
        if (r.equals("sp") || r.equals("wsp")) {
            return "sp";
        }
        if (A64_XW.matcher(r).matches()) {
            return "x" + r.substring(1);
        }
        throw new IllegalArgumentException("USDT argument '" + spec + "': unknown aarch64 register " + r);
    }

    private static String register(String r, String spec) {
        if (r.length() == 2 && r.charAt(1) == 'h' && "abcd".indexOf(r.charAt(0)) >= 0) {
            throw new IllegalArgumentException("USDT argument '" + spec + "': %" + r + " is bits 8-15 of %" + r.charAt(0)
                    + "x, which a fetch argument cannot address");
        }
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
