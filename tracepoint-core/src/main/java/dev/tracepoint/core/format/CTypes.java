package dev.tracepoint.core.format;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the parser knows of C types by name: the byte width of the fixed-width integer types, the width an
 * array element is assumed to have when the sizes do not tell, and the signedness of a type for kernels that
 * print no {@code signed:} attribute.
 */
final class CTypes {

    /** Byte widths of the C types whose width is the same on every Linux ABI. */
    private static final Map<String, Integer> FIXED_WIDTHS = widths();

    /** C types whose width depends on the ABI (ILP32 or LP64); arrays assume LP64 when nothing better is known. */
    private static final Set<String> LONG_TYPES = Set.of(
            "long", "long int", "signed long", "signed long int", "unsigned long", "unsigned long int",
            "size_t", "ssize_t");

    /** Unsigned type names that do not start with {@code unsigned}, {@code __u}, {@code uint}, {@code __be} or {@code __le}. */
    private static final Set<String> UNSIGNED_TYPES = Set.of("u8", "u16", "u32", "u64", "bool", "_Bool", "size_t");


    private CTypes() {
    }

    private static Map<String, Integer> widths() {
        Map<String, Integer> m = new HashMap<>();
        for (String t : List.of("char", "signed char", "unsigned char", "u8", "s8", "__u8", "__s8", "uint8_t",
                "int8_t", "bool", "_Bool")) {
            m.put(t, 1);
        }
        for (String t : List.of("short", "short int", "signed short", "unsigned short", "unsigned short int",
                "u16", "s16", "__u16", "__s16", "__be16", "__le16", "uint16_t", "int16_t")) {
            m.put(t, 2);
        }
        for (String t : List.of("int", "signed int", "signed", "unsigned", "unsigned int", "u32", "s32", "__u32",
                "__s32", "__be32", "__le32", "uint32_t", "int32_t", "pid_t")) {
            m.put(t, 4);
        }
        for (String t : List.of("long long", "long long int", "signed long long", "unsigned long long",
                "unsigned long long int", "u64", "s64", "__u64", "__s64", "__be64", "__le64", "uint64_t", "int64_t")) {
            m.put(t, 8);
        }
        return Map.copyOf(m);
    }

    /** The type without leading {@code const}/{@code volatile} and trailing {@code const}. */
    private static String unqualified(String type) {
        String t = type;
        while (t.startsWith("const ") || t.startsWith("volatile ")) {
            t = t.substring(t.indexOf(' ') + 1);
        }
        return t.endsWith(" const") ? t.substring(0, t.length() - 6) : t;
    }

    /** The width of a fixed-width C type, 0 when it depends on the ABI or is unknown (typedefs, enums, structs). */
    static int fixedWidth(String type) {
        return FIXED_WIDTHS.getOrDefault(unqualified(type), 0);
    }

    /** The element width assumed for an array of {@code type} when the sizes do not tell: pointers and longs as LP64. */
    static int elementWidth(String type) {
        String t = unqualified(type);
        if (t.indexOf('*') >= 0 || LONG_TYPES.contains(t)) {
            return 8;
        }
        if (t.startsWith("enum ")) {
            return 4;
        }
        return fixedWidth(t);
    }

    /** Signedness for kernels that print no {@code signed:}: unsigned, u8..u64, __u*, bool, size_t and pointers are unsigned. */
    static boolean inferSigned(String type) {
        String t = unqualified(type);
        return t.indexOf('*') < 0 && !t.startsWith("unsigned") && !t.startsWith("__u") && !t.startsWith("uint")
                && !t.startsWith("__be") && !t.startsWith("__le") && !UNSIGNED_TYPES.contains(t);
    }
}
