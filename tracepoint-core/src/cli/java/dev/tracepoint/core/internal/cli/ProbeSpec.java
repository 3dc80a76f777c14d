package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.internal.elf.ElfException;
import dev.tracepoint.core.internal.elf.ElfFile;
import dev.tracepoint.core.probe.Probe;
import dev.tracepoint.core.probe.Probes;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A dynamic probe named on the command line beside tracepoint names, in bpftrace's spelling, with perf probe's
 * {@code NAME=FETCH} arguments after the location (the whole probe is one shell word: quote it):
 * <pre>
 *   uprobe:BINARY:SYMBOL[+OFFSET] [NAME=FETCH ...]     also u:     a function's entry
 *   uprobe:BINARY:0xOFFSET [NAME=FETCH ...]                        a file offset
 *   uretprobe:BINARY:SYMBOL [NAME=FETCH ...]           also ur:    its return ($retval)
 *   kprobe:SYMBOL [NAME=FETCH ...]                     also k:     where the kernel has kprobes
 *   kretprobe:SYMBOL [NAME=FETCH ...]                  also kr:
 *   usdt:BINARY:PROVIDER:NAME                          also U:     every site of a USDT marker
 * </pre>
 * BINARY is a path, or a name looked up on the PATH and then in the library directories ({@code libc} finds
 * {@code libc.so.6}); {@code libjvm} is the running JDK's {@code lib/server/libjvm.so}.
 *
 * @param probes the probes to define: one for a uprobe or kprobe, one per site for a USDT marker
 * @param text   the probe as written
 */
record ProbeSpec(List<Probe> probes, String text) {

    /** The syntax, for the commands' usage texts. */
    static final String HELP = """
              PROBE                a dynamic probe, one quoted word: bpftrace's location, perf probe's arguments
                                     'uprobe:BINARY:SYMBOL[+OFF] [NAME=FETCH ...]'   (u:)  function entry
                                     'uretprobe:BINARY:SYMBOL [NAME=FETCH ...]'      (ur:) its return
                                     'kprobe:SYMBOL [NAME=FETCH ...]' / 'kretprobe:SYMBOL'  (k: kr:)
                                     'usdt:BINARY:PROVIDER:NAME'                     (U:)  a USDT marker
                                   FETCH is the kernel's fetch syntax, e.g. '+0(%di):s64', '$retval:s32',
                                   '%si:ustring'; BINARY a path or a name (libc, libjvm, bash); the probe is
                                   defined in tracefs for the run and removed at exit
            """;

    private static final String[][] PREFIXES = {
            {"uprobe:", "u"}, {"u:", "u"}, {"uretprobe:", "ur"}, {"ur:", "ur"}, {"kprobe:", "k"}, {"k:", "k"},
            {"kretprobe:", "kr"}, {"kr:", "kr"}, {"usdt:", "U"}, {"U:", "U"},
    };

    /** @return whether an event argument names a probe rather than a tracepoint */
    static boolean isProbe(String arg) {
        return kind(arg) != null;
    }

    private static String[] kind(String arg) {
        for (String[] p : PREFIXES) {
            if (arg.startsWith(p[0])) {
                return p;
            }
        }
        return null;
    }

    /**
     * Parses a probe argument.
     *
     * @param arg the argument, e.g. {@code uprobe:libc:nanosleep sec=+0(%di):s64}
     * @return its probes
     * @throws UsageException naming what is wrong with it
     * @throws TracepointException when a USDT marker's binary cannot be read or lacks the marker
     */
    static ProbeSpec parse(String arg) throws UsageException, TracepointException {
        String[] k = kind(arg);
        if (k == null) {
            throw new UsageException("'" + arg + "' is no probe (uprobe:, uretprobe:, kprobe:, kretprobe:, usdt:)");
        }
        String[] words = arg.substring(k[0].length()).trim().split("\\s+");
        String location = words[0];
        if (location.isEmpty()) {
            throw new UsageException("probe '" + arg + "' has no location after '" + k[0] + "'");
        }
        List<String[]> fetches = new ArrayList<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0 || eq == words[i].length() - 1) {
                throw new UsageException("probe '" + arg + "': argument '" + words[i] + "' is not NAME=FETCH (e.g. sec=+0(%di):s64)");
            }
            fetches.add(new String[] {words[i].substring(0, eq), words[i].substring(eq + 1)});
        }
        List<Probe> probes = new ArrayList<>();
        try {
            switch (k[1]) {
                case "k", "kr" -> probes.add(k[1].equals("k") ? Probe.kprobe(location) : Probe.kretprobe(location));
                case "U" -> {
                    if (!fetches.isEmpty()) {
                        throw new UsageException("probe '" + arg + "': a USDT marker fetches its own arguments (arg1..argN)");
                    }
                    int last = location.lastIndexOf(':');
                    int mid = last > 0 ? location.lastIndexOf(':', last - 1) : -1;
                    if (mid <= 0 || last == location.length() - 1 || mid == last - 1) {
                        throw new UsageException("probe '" + arg + "' is not usdt:BINARY:PROVIDER:NAME");
                    }
                    probes.addAll(Probes.usdtSites(binary(location.substring(0, mid), arg), location.substring(mid + 1)));
                }
                default -> {
                    int colon = location.lastIndexOf(':');
                    if (colon <= 0 || colon == location.length() - 1) {
                        throw new UsageException("probe '" + arg + "' is not " + k[0] + "BINARY:SYMBOL");
                    }
                    Path binary = binary(location.substring(0, colon), arg);
                    String where = location.substring(colon + 1);
                    probes.add(uprobe(k[1].equals("ur"), binary, where, arg));
                }
            }
            for (String[] f : fetches) {
                probes.set(0, probes.get(0).fetch(f[0], f[1]));
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("probe '" + arg + "': " + e.getMessage());
        }
        return new ProbeSpec(List.copyOf(probes), arg);
    }

    private static Probe uprobe(boolean ret, Path binary, String where, String arg) throws UsageException {
        if (where.startsWith("0x")) {
            if (ret) {
                throw new UsageException("probe '" + arg + "': a uretprobe takes a symbol, not an offset");
            }
            return Probe.uprobe(binary, offset(where, arg));
        }
        int plus = where.indexOf('+');
        if (plus > 0) {
            if (ret) {
                throw new UsageException("probe '" + arg + "': a uretprobe takes a symbol, not SYMBOL+OFFSET");
            }
            String symbol = where.substring(0, plus);
            long off = offset(where.substring(plus + 1), arg);
            Probe p = Probe.uprobe(binary, symbol); // checks the symbol's name; its file offset is looked up when defined
            return Probe.uprobe(binary, symbolOffset(binary, symbol, arg) + off).named(p.name());
        }
        return ret ? Probe.uretprobe(binary, where) : Probe.uprobe(binary, where);
    }

    private static long symbolOffset(Path binary, String symbol, String arg) throws UsageException {
        try {
            return ElfFile.open(binary).functionOffset(symbol);
        } catch (ElfException e) {
            throw new UsageException("probe '" + arg + "': " + e.getMessage());
        }
    }

    private static long offset(String s, String arg) throws UsageException {
        try {
            return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new UsageException("probe '" + arg + "': '" + s + "' is no offset (decimal, or hex with 0x)");
        }
    }

    /**
     * Finds a binary: a path as given; {@code libjvm} is the running JDK's; any other name is looked up on the
     * PATH (an executable), then in the library directories as NAME, NAME.so* or libNAME.so*.
     */
    static Path binary(String name, String arg) throws UsageException {
        if (name.contains("/")) {
            Path p = Path.of(name);
            if (!Files.isRegularFile(p)) {
                throw new UsageException("probe '" + arg + "': no file " + name);
            }
            return p;
        }
        if (name.equals("libjvm") || name.equals("libjvm.so")) {
            Path p = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        String path = System.getenv("PATH");
        if (path != null && !name.startsWith("lib")) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        String base = name.startsWith("lib") ? name : "lib" + name;
        for (Path dir : libraryDirectories()) {
            Path exact = dir.resolve(name);
            if (Files.isRegularFile(exact)) {
                return exact;
            }
            Path best = null;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, base + ".so*")) {
                for (Path p : ds) { // libc.so (a linker script, on some systems) loses to libc.so.6
                    if (Files.isRegularFile(p) && (best == null || p.getFileName().toString().length() > best.getFileName().toString().length())) {
                        best = p;
                    }
                }
            } catch (IOException e) {
                continue;
            }
            if (best != null) {
                return best.toAbsolutePath();
            }
        }
        throw new UsageException("probe '" + arg + "': no binary '" + name + "' on the PATH or in " + libraryDirectories()
                + " (give its path)");
    }

    private static List<Path> libraryDirectories() {
        String triplet = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64" -> "aarch64-linux-gnu";
            default -> System.getProperty("os.arch") + "-linux-gnu";
        };
        List<Path> dirs = new ArrayList<>();
        for (String d : List.of("/lib/" + triplet, "/usr/lib/" + triplet, "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib")) {
            Path p = Path.of(d);
            if (Files.isDirectory(p)) {
                dirs.add(p);
            }
        }
        return dirs;
    }

    /**
     * Defines the probes and adds them to a stream, which removes them when it closes.
     *
     * @param stream a stream not yet open
     * @return their subscriptions
     * @throws TracepointException when the kernel rejects a probe (quoting its explanation)
     */
    List<Subscription> enable(TracepointStream stream) throws TracepointException {
        List<Subscription> subs = new ArrayList<>();
        for (Probe p : probes) {
            subs.add(Probes.enable(stream, p));
        }
        return subs;
    }
}
