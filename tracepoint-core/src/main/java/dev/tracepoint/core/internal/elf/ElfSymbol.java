package dev.tracepoint.core.internal.elf;

/**
 * A symbol of {@code .symtab} or {@code .dynsym}.
 *
 * @param name    its name (without a version)
 * @param value   its virtual address ({@code st_value})
 * @param size    its size in bytes
 * @param type    {@code STT_*}: 2 a function, 10 an indirect function, 1 an object
 * @param binding {@code STB_*}: 0 local, 1 global, 2 weak
 * @param section its section index, 0 when undefined
 * @param dynamic whether it comes from {@code .dynsym}
 */
public record ElfSymbol(String name, long value, long size, int type, int binding, int section, boolean dynamic) {

    /** {@code STT_FUNC}. */
    public static final int STT_FUNC = 2;
    /** {@code STT_GNU_IFUNC}. */
    public static final int STT_GNU_IFUNC = 10;

    /** @return whether it is a defined function (or indirect function) with an address */
    public boolean isDefinedFunction() {
        return section != 0 && value != 0 && (type == STT_FUNC || type == STT_GNU_IFUNC);
    }
}
