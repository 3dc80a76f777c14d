package dev.tracepoint.core.internal.elf;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The USDT markers of the running JDK's {@code libjvm.so} ({@code hotspot} provider) against {@code readelf -n},
 * which prints every {@code NT_STAPSDT} note's provider, name, location, base, semaphore and arguments.
 */
class UsdtNoteTest {

    @Test
    void libjvmMarkersMatchReadelf() throws Exception {
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        assumeTrue(Files.exists(libjvm), "no server libjvm.so");
        ElfFile elf = ElfFile.open(libjvm);
        List<UsdtNote> notes = UsdtNote.of(elf);
        assumeTrue(!notes.isEmpty(), "this JDK is built without DTrace markers");
        Process p = new ProcessBuilder("readelf", "-n", libjvm.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "no readelf");
        Pattern note = Pattern.compile("Provider: (\\S+)\\s+Name: (\\S+)\\s+Location: 0x([0-9a-f]+), Base: 0x([0-9a-f]+), "
                + "Semaphore: 0x([0-9a-f]+)\\s+Arguments:[ \\t]*([^\\n]*)");
        List<String> expected = new ArrayList<>();
        Matcher m = note.matcher(text);
        long baseShift = elf.section(".stapsdt.base").map(ElfFile.Section::addr).orElse(0L);
        while (m.find()) {
            long pc = Long.parseUnsignedLong(m.group(3), 16);
            long base = Long.parseUnsignedLong(m.group(4), 16);
            long adjusted = baseShift != 0 && base != 0 ? pc + baseShift - base : pc;
            expected.add(m.group(1) + ":" + m.group(2) + " 0x" + Long.toHexString(adjusted) + " base 0x" + m.group(4)
                    + " sem 0x" + Long.toHexString(Long.parseUnsignedLong(m.group(5), 16)) + " [" + m.group(6).trim() + "]");
        }
        List<String> ours = notes.stream().map(n -> n.provider() + ":" + n.name() + " 0x" + Long.toHexString(n.pc())
                + " base 0x" + String.format("%016x", n.base()) + " sem 0x" + Long.toHexString(n.semaphore())
                + " [" + String.join(" ", n.args()) + "]").toList();
        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(ours).containsExactlyElementsOf(expected);
        assertThat(notes).anyMatch(n -> n.provider().equals("hotspot") && n.name().equals("thread__start"));
        UsdtNote gc = notes.stream().filter(n -> n.name().equals("gc__begin")).findFirst().orElseThrow();
        assertThat(elf.fileOffset(gc.pc())).isBetween(0L, Files.size(libjvm));
    }
}
