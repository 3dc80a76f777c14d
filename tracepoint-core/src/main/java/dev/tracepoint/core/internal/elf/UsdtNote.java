package dev.tracepoint.core.internal.elf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A USDT (SystemTap SDT) marker of an ELF file, from one {@code NT_STAPSDT} note of {@code .note.stapsdt}.
 *
 * @param provider  the provider ({@code hotspot})
 * @param name      the marker's name ({@code gc__begin})
 * @param pc        its address, adjusted for prelinking by the {@code .stapsdt.base} section
 * @param base      the {@code .stapsdt.base} address the note was written for
 * @param semaphore the address of its semaphore, 0 when it has none
 * @param args      its argument specifications ({@code 8@%r13}, {@code -4@%r14d}, {@code -8@-64(%rbp)}, {@code 1@$1})
 */
public record UsdtNote(String provider, String name, long pc, long base, long semaphore, List<String> args) {

    static final int NT_STAPSDT = 3;

    /**
     * The markers of an ELF file, in note order.
     *
     * @param elf the file
     * @return its markers; none when it has no {@code .note.stapsdt}
     * @throws ElfException when the notes are corrupt
     */
    public static List<UsdtNote> of(ElfFile elf) throws ElfException {
        Optional<ElfFile.Section> notes = elf.section(".note.stapsdt");
        if (notes.isEmpty()) {
            return List.of();
        }
        long actualBase = elf.section(".stapsdt.base").map(ElfFile.Section::addr).orElse(0L);
        ByteBuffer b = elf.contents(notes.get());
        List<UsdtNote> out = new ArrayList<>();
        while (b.remaining() >= 12) {
            int at = b.position();
            int namesz = b.getInt();
            int descsz = b.getInt();
            int type = b.getInt();
            if (namesz < 0 || descsz < 0 || align4(namesz) > b.remaining() || align4(namesz) + (long) align4(descsz) > b.remaining()) {
                throw elf.bad(".note.stapsdt: note at " + at + " runs past the section's end");
            }
            byte[] owner = new byte[namesz];
            b.get(owner);
            b.position(b.position() + align4(namesz) - namesz);
            int descAt = b.position();
            b.position(descAt + align4(descsz));
            if (type != NT_STAPSDT || !cstring(owner, 0).equals("stapsdt")) {
                continue;
            }
            if (descsz < 24 + 3) {
                throw elf.bad(".note.stapsdt: note at " + at + " too short (" + descsz + " bytes)");
            }
            long pc = b.getLong(descAt);
            long base = b.getLong(descAt + 8);
            long sem = b.getLong(descAt + 16);
            byte[] strings = new byte[descsz - 24];
            b.get(descAt + 24, strings);
            int i = 0;
            String provider = cstring(strings, i);
            i += provider.getBytes(StandardCharsets.UTF_8).length + 1;
            String name = i < strings.length ? cstring(strings, i) : "";
            i += name.getBytes(StandardCharsets.UTF_8).length + 1;
            String argText = i < strings.length ? cstring(strings, i) : "";
            if (provider.isEmpty() || name.isEmpty()) {
                throw elf.bad(".note.stapsdt: note at " + at + " has no provider or name");
            }
            if (actualBase != 0 && base != 0) {
                pc += actualBase - base;
                if (sem != 0) {
                    sem += actualBase - base;
                }
            }
            List<String> args = argText.isBlank() ? List.of() : List.of(argText.trim().split("\\s+"));
            out.add(new UsdtNote(provider, name, pc, base, sem, args));
        }
        return List.copyOf(out);
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }

    private static String cstring(byte[] b, int from) {
        int end = from;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.UTF_8);
    }
}
