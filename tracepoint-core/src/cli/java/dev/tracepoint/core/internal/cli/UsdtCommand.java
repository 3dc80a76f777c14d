package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.internal.elf.ElfException;
import dev.tracepoint.core.internal.elf.ElfFile;
import dev.tracepoint.core.internal.elf.UsdtNote;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code tracepoint usdt BINARY [--json]}: the USDT markers of an executable or library. */
final class UsdtCommand implements Command {

    @Override
    public String name() {
        return "usdt";
    }

    @Override
    public String summary() {
        return "list the USDT markers of a binary (provider:name, sites, semaphore, argument specs)";
    }

    @Override
    public String usage() {
        return """
                usage: tracepoint usdt BINARY [--json]
                  BINARY  an executable or shared library with a .note.stapsdt section: a path, or a name as
                          probes take it (libjvm is the running JDK's libjvm.so, libc, python3, ...)
                  --json  one JSON object per marker
                A line per marker: provider:name, its number of sites, whether it has a semaphore (the kernel
                sets it while a probe is attached), and each site's file offset and argument specs (SIZE@OPERAND:
                a negative size is signed). Stream one with: tracepoint stream 'usdt:BINARY:PROVIDER:NAME'""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, Set.of("json"), Set.of());
        if (args.positional().size() != 1) {
            throw new UsageException("usdt takes one binary");
        }
        String what = args.positional().get(0);
        Path binary = ProbeSpec.binary(what, "usdt:" + what);
        ElfFile elf;
        List<UsdtNote> notes;
        try {
            elf = ElfFile.open(binary);
            notes = UsdtNote.of(elf);
        } catch (ElfException e) {
            throw new TracepointException("cannot read the USDT markers of " + binary + ": " + e.getMessage(), e);
        }
        Map<String, List<UsdtNote>> markers = new LinkedHashMap<>();
        for (UsdtNote n : notes) {
            markers.computeIfAbsent(n.provider() + ":" + n.name(), k -> new ArrayList<>()).add(n);
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<UsdtNote>> m : markers.entrySet()) {
            List<UsdtNote> sites = m.getValue();
            boolean semaphore = sites.stream().anyMatch(n -> n.semaphore() != 0);
            if (args.has("json")) {
                Json.key(sb.append('{'), "marker", true);
                Json.string(sb, m.getKey());
                Json.key(sb, "semaphore", false).append(semaphore);
                Json.key(sb, "sites", false).append('[');
                for (int i = 0; i < sites.size(); i++) {
                    Json.key(sb.append(i == 0 ? "{" : ",{"), "offset", true).append(offset(elf, sites.get(i)));
                    Json.key(sb, "args", false).append('[');
                    List<String> a = sites.get(i).args();
                    for (int j = 0; j < a.size(); j++) {
                        Json.string(j == 0 ? sb : sb.append(','), a.get(j));
                    }
                    sb.append("]}");
                }
                sb.append("]}\n");
            } else {
                sb.append(m.getKey()).append("  sites=").append(sites.size()).append(semaphore ? "  semaphore" : "").append('\n');
                for (UsdtNote n : sites) {
                    sb.append("    0x").append(Long.toHexString(offset(elf, n)));
                    sb.append(n.args().isEmpty() ? "  (no arguments)" : "  " + String.join(" ", n.args())).append('\n');
                }
            }
        }
        out.print(sb);
        if (markers.isEmpty()) {
            out.flush();
            err.println("tracepoint usdt: " + binary + " has no USDT markers (no .note.stapsdt section)");
            return 1;
        }
        return 0;
    }

    private static long offset(ElfFile elf, UsdtNote n) throws TracepointException {
        try {
            return elf.fileOffset(n.pc());
        } catch (ElfException e) {
            throw new TracepointException("USDT marker " + n.provider() + ":" + n.name() + ": " + e.getMessage(), e);
        }
    }
}
