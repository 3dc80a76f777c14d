package dev.tracepoint.core.internal.elf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ELF reader against the libc this JVM has mapped: a function's file offset must hold the very bytes
 * the process runs at the function's address, and its virtual address must be its distance from the
 * library's load base in {@code /proc/self/maps}. Then bad input: a truncated copy and a file that is not an ELF.
 */
class ElfFileTest {

    /** The libc of this process and its load base (the start of its mapping at file offset 0). */
    record Mapped(Path path, long base) { }

    static Mapped libc() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[5].matches(".*/libc\\.so\\.6$") && Long.parseLong(f[2], 16) == 0) {
                return new Mapped(Path.of(f[5]), Long.parseUnsignedLong(f[0].substring(0, f[0].indexOf('-')), 16));
            }
        }
        throw new AssertionError("no libc.so.6 in /proc/self/maps");
    }

    @Test
    void libcFunctionsSitAtTheirFileOffsets() throws Exception {
        Mapped libc = libc();
        ElfFile elf = ElfFile.open(libc.path());
        assertThat(elf.machine()).isIn(ElfFile.EM_X86_64, ElfFile.EM_AARCH64);
        assertThat(elf.section(".dynsym")).isPresent();
        byte[] file = Files.readAllBytes(libc.path());
        for (String fn : List.of("getpid", "nanosleep", "write", "clock_nanosleep")) {
            MemorySegment addr = Linker.nativeLinker().defaultLookup().find(fn).orElseThrow();
            ElfSymbol sym = elf.function(fn).orElseThrow();
            assertThat(sym.isDefinedFunction()).isTrue();
            assertThat(sym.value()).as(fn + " vaddr").isEqualTo(addr.address() - libc.base());
            long off = elf.functionOffset(fn);
            byte[] running = addr.reinterpret(32).toArray(ValueLayout.JAVA_BYTE);
            byte[] onDisk = Arrays.copyOfRange(file, (int) off, (int) off + 32);
            assertThat(onDisk).as(fn + " at file offset 0x" + Long.toHexString(off)).isEqualTo(running);
        }
        assertThat(elf.function("no_such_function_here")).isEmpty();
        assertThatThrownBy(() -> elf.functionOffset("no_such_function_here"))
                .isInstanceOf(ElfException.class)
                .hasMessageContaining(libc.path().toString())
                .hasMessageContaining("no function named no_such_function_here");
        assertThatThrownBy(() -> elf.fileOffset(-16L))
                .hasMessageContaining("no PT_LOAD segment holds address 0xfffffffffffffff0");
    }

    @Test
    void textSectionOffsetsMatchTheirSegments() throws Exception {
        ElfFile elf = ElfFile.open(libc().path());
        ElfFile.Section text = elf.section(".text").orElseThrow();
        assertThat(elf.fileOffset(text.addr())).isEqualTo(text.offset());
        assertThat(elf.fileOffset(text.addr() + text.size() - 1)).isEqualTo(text.offset() + text.size() - 1);
    }

    @Test
    void truncatedFileFailsNamingIt(@TempDir Path dir) throws Exception {
        Path libc = libc().path();
        byte[] all = Files.readAllBytes(libc);
        Path cut = dir.resolve("libc-cut.so");
        Files.write(cut, Arrays.copyOf(all, all.length / 2)); // the section headers sit at the end
        assertThatThrownBy(() -> ElfFile.open(cut))
                .isInstanceOf(ElfException.class)
                .hasMessageStartingWith(cut.toString() + ": ")
                .hasMessageContaining("beyond the end of the file");
        Path header = dir.resolve("header-only.so");
        Files.write(header, Arrays.copyOf(all, 40));
        assertThatThrownBy(() -> ElfFile.open(header))
                .hasMessage(header + ": too short for an ELF header (40 bytes)");
    }

    @Test
    void notAnElfFailsNamingIt(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("script.sh");
        Files.writeString(text, "#!/bin/sh\necho this is a shell script, not an ELF file, and long enough for a header\n");
        assertThatThrownBy(() -> ElfFile.open(text))
                .isInstanceOf(ElfException.class)
                .hasMessage(text + ": not an ELF file (no \\x7fELF magic)");
        byte[] elf32 = Files.readAllBytes(libc().path());
        elf32 = Arrays.copyOf(elf32, 4096);
        elf32[4] = 1;
        Path e32 = dir.resolve("elf32.so");
        Files.write(e32, elf32);
        assertThatThrownBy(() -> ElfFile.open(e32)).hasMessage(e32 + ": not a 64-bit ELF file (EI_CLASS 1)");
        Path missing = dir.resolve("missing.so");
        assertThatThrownBy(() -> ElfFile.open(missing)).hasMessage(missing + ": no such file");
    }
}
