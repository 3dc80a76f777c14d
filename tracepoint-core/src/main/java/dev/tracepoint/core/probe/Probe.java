package dev.tracepoint.core.probe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An immutable description of a dynamic probe: where it fires and what it fetches. Fetch arguments use the
 * kernel's syntax ({@code Documentation/trace/uprobetracer.rst}): registers ({@code %di}, {@code %x0}),
 * {@code $retval}, {@code $comm}, {@code $stackN}, dereferences ({@code +8(%di)}), each optionally typed
 * ({@code :u8..u64}, {@code :s8..s64}, {@code :x8..x64}, {@code :string}, {@code :ustring}, {@code :symbol} (kprobes only),
 * {@code :char}, arrays {@code :u32[4]}, bitfields {@code :b4@2/32}). The kernel checks them when the probe is
 * defined.
 *
 * <pre>{@code
 * Probe p = Probe.uprobe(Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6"), "nanosleep")
 *         .fetch("sec", "+0(%di):s64")
 *         .fetch("nsec", "+8(%di):s64");
 * }</pre>
 */
public final class Probe {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** The kind of a probe. */
    public enum Kind {
        /** A uprobe: at an instruction of a user-space binary. */
        UPROBE,
        /** A uretprobe: when a function of a user-space binary returns. */
        URETPROBE,
        /** A kprobe: at a kernel function (needs {@code CONFIG_KPROBE_EVENTS}). */
        KPROBE,
        /** A kretprobe: when a kernel function returns (needs {@code CONFIG_KPROBE_EVENTS}). */
        KRETPROBE
    }

    private final Kind kind;
    private final Path binary;
    private final String symbol;
    private final long offset;
    private final String name;
    private final List<String[]> args;
    /** The file offset of a USDT semaphore the kernel increments while the probe is in use, or 0. */
    private final long refCtrOffset;

    private Probe(Kind kind, Path binary, String symbol, long offset, String name, List<String[]> args) {
        this(kind, binary, symbol, offset, name, args, 0);
    }

    private Probe(Kind kind, Path binary, String symbol, long offset, String name, List<String[]> args, long refCtrOffset) {
        this.kind = kind;
        this.binary = binary;
        this.symbol = symbol;
        this.offset = offset;
        this.name = name;
        this.args = List.copyOf(args);
        this.refCtrOffset = refCtrOffset;
    }

    /** A uprobe at a USDT site, with the file offset of the marker's semaphore (0 for none). */
    static Probe usdtSite(Path binary, long offset, long refCtrOffset, String name) {
        return new Probe(Kind.UPROBE, binary.toAbsolutePath(), null, offset, checkName(name, "event name"), List.of(), refCtrOffset);
    }

    long refCtrOffset() {
        return refCtrOffset;
    }

    /**
     * A uprobe at the entry of a function of a binary, found in its {@code .symtab} or {@code .dynsym}.
     *
     * @param binary an executable or shared library
     * @param symbol the function
     * @return the probe, named after the function
     */
    public static Probe uprobe(Path binary, String symbol) {
        return new Probe(Kind.UPROBE, binary.toAbsolutePath(), checkSymbol(symbol), 0, defaultName(symbol), List.of());
    }

    /**
     * A uprobe at a file offset of a binary.
     *
     * @param binary an executable or shared library
     * @param offset the offset in the file of the probed instruction
     * @return the probe, named {@code p_0x<offset>}
     */
    public static Probe uprobe(Path binary, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        return new Probe(Kind.UPROBE, binary.toAbsolutePath(), null, offset, "p_0x" + Long.toHexString(offset), List.of());
    }

    /**
     * A uretprobe: fires when a function of a binary returns ({@code $retval} is its return value).
     *
     * @param binary an executable or shared library
     * @param symbol the function
     * @return the probe, named {@code <function>_return}
     */
    public static Probe uretprobe(Path binary, String symbol) {
        return new Probe(Kind.URETPROBE, binary.toAbsolutePath(), checkSymbol(symbol), 0, defaultName(symbol) + "_return", List.of());
    }

    /**
     * A kprobe at the entry of a kernel function. Defining it fails with a {@link ProbeException} on kernels
     * built without {@code CONFIG_KPROBE_EVENTS}.
     *
     * @param symbol the kernel function
     * @return the probe, named after the function
     */
    public static Probe kprobe(String symbol) {
        return new Probe(Kind.KPROBE, null, checkSymbol(symbol), 0, defaultName(symbol), List.of());
    }

    /**
     * A kretprobe: fires when a kernel function returns. Defining it fails with a {@link ProbeException} on
     * kernels built without {@code CONFIG_KPROBE_EVENTS}.
     *
     * @param symbol the kernel function
     * @return the probe, named {@code <function>_return}
     */
    public static Probe kretprobe(String symbol) {
        return new Probe(Kind.KRETPROBE, null, checkSymbol(symbol), 0, defaultName(symbol) + "_return", List.of());
    }

    /**
     * The same probe under another event name.
     *
     * @param eventName letters, digits and underscores, not starting with a digit
     * @return a new probe
     */
    public Probe named(String eventName) {
        return new Probe(kind, binary, symbol, offset, checkName(eventName, "event name"), args, refCtrOffset);
    }

    /**
     * The same probe with one more fetch argument, which becomes a field of the event's format.
     *
     * @param fieldName the field's name: letters, digits and underscores, not starting with a digit
     * @param fetch     what to fetch, in the kernel's syntax: {@code %di}, {@code +0(%si):string}, {@code $retval:s32}
     * @return a new probe
     */
    public Probe fetch(String fieldName, String fetch) {
        checkName(fieldName, "field name");
        Objects.requireNonNull(fetch, "fetch");
        if (fetch.isBlank() || fetch.chars().anyMatch(c -> Character.isWhitespace(c))) {
            throw new IllegalArgumentException("fetch argument of " + fieldName + " is empty or has white space: '" + fetch + "'");
        }
        List<String[]> a = new ArrayList<>(args);
        a.add(new String[] {fieldName, fetch});
        return new Probe(kind, binary, symbol, offset, name, a, refCtrOffset);
    }

    /** {@return its kind} */
    public Kind kind() {
        return kind;
    }

    /** {@return the probed binary (absolute), or {@code null} for a kernel probe} */
    public Path binary() {
        return binary;
    }

    /** {@return the probed function, or {@code null} for a probe at an offset} */
    public String symbol() {
        return symbol;
    }

    /** {@return the file offset given at creation (0 for a probe on a function)} */
    public long offset() {
        return offset;
    }

    /** {@return the event name} */
    public String name() {
        return name;
    }

    /** {@return the fetch arguments, each {@code name=fetch}, in order} */
    public List<String> fetchArgs() {
        return args.stream().map(a -> a[0] + "=" + a[1]).toList();
    }

    /**
     * The definition line for a group, given the probe's resolved location.
     *
     * @param group    the group
     * @param location {@code /path:0xoffset} or a kernel symbol
     * @return the line
     */
    String definition(String group, String location) {
        char c = switch (kind) {
            case UPROBE, KPROBE -> 'p';
            case URETPROBE, KRETPROBE -> 'r';
        };
        StringBuilder sb = new StringBuilder().append(c).append(':').append(group).append('/').append(name)
                .append(' ').append(location);
        for (String[] a : args) {
            sb.append(' ').append(a[0]).append('=').append(a[1]);
        }
        return sb.toString();
    }

    private static String checkSymbol(String symbol) {
        Objects.requireNonNull(symbol, "symbol");
        if (symbol.isEmpty() || symbol.chars().anyMatch(c -> Character.isWhitespace(c) || c == ':')) {
            throw new IllegalArgumentException("bad symbol '" + symbol + "'");
        }
        return symbol;
    }

    private static String defaultName(String symbol) {
        String n = symbol.replaceAll("[^A-Za-z0-9_]", "_");
        return Character.isDigit(n.charAt(0)) ? "_" + n : n;
    }

    private static String checkName(String n, String what) {
        Objects.requireNonNull(n, what);
        if (!NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("bad " + what + " '" + n + "': letters, digits and underscores, not starting with a digit");
        }
        return n;
    }

    @Override
    public String toString() {
        return kind + "[" + (binary != null ? binary + ":" : "") + (symbol != null ? symbol : "0x" + Long.toHexString(offset))
                + (args.isEmpty() ? "" : " " + String.join(" ", fetchArgs())) + "]";
    }
}
