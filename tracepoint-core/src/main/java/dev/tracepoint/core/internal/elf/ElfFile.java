package dev.tracepoint.core.internal.elf;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A 64-bit little-endian ELF file, read through a read-only mapping: its machine, program headers, sections and
 * symbols. Every bound is checked against the file's size, so a truncated or corrupt file fails with an
 * {@link ElfException} naming the file and what is out of bounds.
 */
public final class ElfFile {

    /** {@code EM_X86_64}. */
    public static final int EM_X86_64 = 62;
    /** {@code EM_AARCH64}. */
    public static final int EM_AARCH64 = 183;

    static final int PT_LOAD = 1;
    static final int SHT_SYMTAB = 2;
    static final int SHT_NOTE = 7;
    static final int SHT_DYNSYM = 11;

    private final Path path;
    private final ByteBuffer buf;
    private final int machine;
    private final List<Segment> loads;
    private final List<Section> sections;

    /** A {@code PT_LOAD} segment. */
    record Segment(long offset, long vaddr, long filesz, long memsz, int flags) { }

    /**
     * A section header.
     *
     * @param name   its name
     * @param type   {@code SHT_*}
     * @param addr   its address when loaded
     * @param offset its offset in the file
     * @param size   its size in the file
     * @param link   {@code sh_link}
     */
    public record Section(String name, int type, long addr, long offset, long size, int link) { }

    private ElfFile(Path path, ByteBuffer buf) throws ElfException {
        this.path = path;
        this.buf = buf;
        if (buf.limit() < 64) {
            throw bad("too short for an ELF header (" + buf.limit() + " bytes)");
        }
        if (buf.get(0) != 0x7f || buf.get(1) != 'E' || buf.get(2) != 'L' || buf.get(3) != 'F') {
            throw bad("not an ELF file (no \\x7fELF magic)");
        }
        if (buf.get(4) != 2) {
            throw bad("not a 64-bit ELF file (EI_CLASS " + buf.get(4) + ")");
        }
        if (buf.get(5) != 1) {
            throw bad("not a little-endian ELF file (EI_DATA " + buf.get(5) + ")");
        }
        this.machine = u16(18);
        if (machine != EM_X86_64 && machine != EM_AARCH64) {
            throw bad("unsupported machine " + machine + " (x86_64 and aarch64 are)");
        }
        this.loads = readLoads();
        this.sections = readSections();
    }

    /**
     * Maps and checks an ELF file.
     *
     * @param path the file
     * @return the file
     * @throws ElfException when it is missing, unreadable, not a 64-bit little-endian x86_64/aarch64 ELF, or corrupt
     */
    public static ElfFile open(Path path) throws ElfException {
        MappedByteBuffer mapped;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new ElfException(path + ": too large (" + size + " bytes; at most 2 GiB are read)");
            }
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (ElfException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new ElfException(path + ": no such file", e);
        } catch (IOException e) {
            throw new ElfException(path + ": cannot read: " + e, e);
        }
        return new ElfFile(path, mapped.order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * Reads an ELF image from memory (for tests and fuzzing).
     *
     * @param name  the name errors give
     * @param bytes the file's bytes
     * @return the file
     * @throws ElfException when the bytes are not a valid ELF
     */
    public static ElfFile of(Path name, byte[] bytes) throws ElfException {
        return new ElfFile(name, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** @return the file */
    public Path path() {
        return path;
    }

    /** @return {@code e_machine}: {@link #EM_X86_64} or {@link #EM_AARCH64} */
    public int machine() {
        return machine;
    }

    /** @return the section headers, in file order */
    public List<Section> sections() {
        return sections;
    }

    /**
     * A section by name.
     *
     * @param name such as {@code ".note.stapsdt"}
     * @return the section, if the file has one
     */
    public Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * A read-only little-endian view of a section's bytes.
     *
     * @param s a section of this file
     * @return its bytes
     * @throws ElfException when it lies outside the file
     */
    public ByteBuffer contents(Section s) throws ElfException {
        checkRange(s.offset(), s.size(), "section " + s.name());
        return buf.slice((int) s.offset(), (int) s.size()).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The symbols of {@code .symtab} and {@code .dynsym}, those of {@code .symtab} first.
     *
     * @return every symbol with a name
     * @throws ElfException when a symbol table or its string table lies outside the file
     */
    public List<ElfSymbol> symbols() throws ElfException {
        List<ElfSymbol> out = new ArrayList<>();
        for (Section s : sections) {
            if (s.type() == SHT_SYMTAB) {
                readSymbols(s, false, out);
            }
        }
        for (Section s : sections) {
            if (s.type() == SHT_DYNSYM) {
                readSymbols(s, true, out);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The defined function of a name, from {@code .symtab} or else {@code .dynsym}; a global one is preferred to
     * a weak one, and a weak one to a local one.
     *
     * @param name the symbol's name
     * @return the symbol, if the file defines such a function
     * @throws ElfException when a symbol table is corrupt
     */
    public Optional<ElfSymbol> function(String name) throws ElfException {
        ElfSymbol best = null;
        for (ElfSymbol s : symbols()) {
            if (s.name().equals(name) && s.isDefinedFunction()) {
                if (best == null || rank(s.binding()) > rank(best.binding())) {
                    best = s;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static int rank(int binding) {
        return binding == 1 ? 2 : binding == 2 ? 1 : 0;
    }

    /**
     * The file offset of a virtual address: in the {@code PT_LOAD} segment whose file image holds it,
     * {@code vaddr - p_vaddr + p_offset}.
     *
     * @param vaddr a virtual address of the file
     * @return its offset in the file
     * @throws ElfException when no loadable segment holds it
     */
    public long fileOffset(long vaddr) throws ElfException {
        for (Segment seg : loads) {
            if (Long.compareUnsigned(vaddr, seg.vaddr()) >= 0 && Long.compareUnsigned(vaddr - seg.vaddr(), seg.filesz()) < 0) {
                return vaddr - seg.vaddr() + seg.offset();
            }
        }
        throw bad("no PT_LOAD segment holds address 0x" + Long.toHexString(vaddr));
    }

    /**
     * The file offset of a defined function.
     *
     * @param name the function's name
     * @return its offset in the file, where a uprobe on it is placed
     * @throws ElfException when the file defines no such function, or its address is in no loadable segment
     */
    public long functionOffset(String name) throws ElfException {
        ElfSymbol s = function(name).orElseThrow(() -> bad("no function named " + name + " in .symtab or .dynsym"));
        return fileOffset(s.value());
    }

    // --------------------------------------------------------------------------------------- parsing

    private List<Segment> readLoads() throws ElfException {
        long phoff = u64(32);
        int phentsize = u16(54);
        int phnum = u16(56);
        if (phnum == 0) {
            return List.of();
        }
        if (phentsize < 56) {
            throw bad("program header entries of " + phentsize + " bytes (56 expected)");
        }
        checkRange(phoff, (long) phentsize * phnum, "program headers");
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (u32(at) == PT_LOAD) {
                out.add(new Segment(u64(at + 8), u64(at + 16), u64(at + 32), u64(at + 40), u32(at + 4)));
            }
        }
        return List.copyOf(out);
    }

    private List<Section> readSections() throws ElfException {
        long shoff = u64(40);
        int shentsize = u16(58);
        int shnum = u16(60);
        int shstrndx = u16(62);
        if (shoff == 0 || shnum == 0) {
            return List.of();
        }
        if (shentsize < 64) {
            throw bad("section header entries of " + shentsize + " bytes (64 expected)");
        }
        checkRange(shoff, (long) shentsize * shnum, "section headers");
        if (shstrndx >= shnum) {
            throw bad("section name table index " + shstrndx + " out of " + shnum + " sections");
        }
        int strAt = (int) (shoff + (long) shstrndx * shentsize);
        long strOff = u64(strAt + 24);
        long strSize = u64(strAt + 32);
        checkRange(strOff, strSize, "section name table");
        List<Section> out = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * shentsize);
            int type = u32(at + 4);
            long size = u64(at + 32);
            long offset = u64(at + 24);
            String name = string(strOff, strSize, u32(at) & 0xffffffffL, "section name");
            out.add(new Section(name, type, u64(at + 16), offset, type == 8 ? 0 : size, u32(at + 40))); // SHT_NOBITS: no file bytes
        }
        return List.copyOf(out);
    }

    private void readSymbols(Section s, boolean dynamic, List<ElfSymbol> out) throws ElfException {
        checkRange(s.offset(), s.size(), "symbol table " + s.name());
        if (s.link() <= 0 || s.link() >= sections.size()) {
            throw bad("symbol table " + s.name() + " links to string table " + s.link() + " out of " + sections.size());
        }
        Section str = sections.get(s.link());
        checkRange(str.offset(), str.size(), "string table " + str.name());
        long n = s.size() / 24;
        for (long i = 1; i < n; i++) { // entry 0 is the null symbol
            int at = (int) (s.offset() + i * 24);
            long nameOff = u32(at) & 0xffffffffL;
            if (nameOff == 0) {
                continue;
            }
            int info = buf.get(at + 4) & 0xff;
            String name = string(str.offset(), str.size(), nameOff, "symbol name");
            out.add(new ElfSymbol(name, u64(at + 8), u64(at + 16), info & 0xf, info >>> 4, u16(at + 6), dynamic));
        }
    }

    private String string(long tableOff, long tableSize, long at, String what) throws ElfException {
        if (at >= tableSize) {
            throw bad(what + " at " + at + " beyond its string table of " + tableSize + " bytes");
        }
        int start = (int) (tableOff + at);
        int end = start;
        int limit = (int) (tableOff + tableSize);
        while (end < limit && buf.get(end) != 0) {
            end++;
        }
        if (end == limit) {
            throw bad(what + " at " + at + " is not NUL-terminated");
        }
        byte[] b = new byte[end - start];
        buf.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private void checkRange(long off, long len, String what) throws ElfException {
        if (off < 0 || len < 0 || off > buf.limit() || len > buf.limit() - off) {
            throw bad(what + " at offset " + off + " (" + len + " bytes) beyond the end of the file (" + buf.limit()
                    + " bytes): truncated or corrupt");
        }
    }

    private int u16(int at) throws ElfException {
        try {
            return buf.getShort(at) & 0xffff;
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            throw bad("read at " + at + " beyond the end of the file: truncated");
        }
    }

    private int u32(int at) throws ElfException {
        try {
            return buf.getInt(at);
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            throw bad("read at " + at + " beyond the end of the file: truncated");
        }
    }

    private long u64(int at) throws ElfException {
        try {
            return buf.getLong(at);
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            throw bad("read at " + at + " beyond the end of the file: truncated");
        }
    }

    ElfException bad(String what) {
        return new ElfException(path + ": " + what);
    }

    @Override
    public String toString() {
        return "ElfFile[" + path + "]";
    }
}
