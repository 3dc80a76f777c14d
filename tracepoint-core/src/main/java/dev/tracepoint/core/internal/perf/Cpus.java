package dev.tracepoint.core.internal.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The online CPUs, from {@code /sys/devices/system/cpu/online}. Per-CPU perf events ({@code pid = -1})
 * are opened once for each of them.
 */
public final class Cpus {

    /** The sysfs file listing the online CPUs, for instance {@code 0-1,4,6-7}. */
    public static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    /** The sysfs file listing the CPUs that can ever be online (the ones hotplug may bring up). */
    public static final Path POSSIBLE = Path.of("/sys/devices/system/cpu/possible");

    /** Upper bound for a CPU number, far above any real system ({@code NR_CPUS} is at most 8192). */
    private static final int MAX_CPU = 1 << 16;

    private Cpus() {
    }

    /**
     * Reads and parses {@link #ONLINE}.
     *
     * @return the online CPU numbers, ascending
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if its content is not a CPU list
     */
    public static int[] online() {
        return read(ONLINE);
    }

    /**
     * Reads and parses {@link #POSSIBLE}; the online CPUs where it cannot be read.
     *
     * @return the possible CPU numbers, ascending
     */
    public static int[] possible() {
        try {
            return read(POSSIBLE);
        } catch (UncheckedIOException e) {
            return online();
        }
    }

    private static int[] read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return parseList(text);
    }

    /**
     * Parses a kernel CPU list ({@code Documentation/admin-guide/cgroup-v1/cpusets.rst} "list format"):
     * comma-separated numbers and inclusive ranges {@code a-b}, with surrounding white space (the trailing
     * newline of a sysfs file) allowed. The result is sorted and without duplicates.
     *
     * @param text for instance {@code "0-1,4,6-7\n"}
     * @return for instance {@code [0, 1, 4, 6, 7]}; empty for an empty (or blank) list
     * @throws IllegalArgumentException naming the text if it is not such a list
     */
    public static int[] parseList(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return new int[0];
        }
        int[] cpus = new int[16];
        int n = 0;
        for (String part : trimmed.split(",", -1)) {
            int dash = part.indexOf('-');
            int first = parseCpu(part, dash < 0 ? part : part.substring(0, dash), text);
            int last = dash < 0 ? first : parseCpu(part, part.substring(dash + 1), text);
            if (last < first) {
                throw bad(text, "range '" + part + "' is descending");
            }
            for (int cpu = first; cpu <= last; cpu++) {
                if (n == cpus.length) {
                    cpus = Arrays.copyOf(cpus, n * 2);
                }
                cpus[n++] = cpu;
            }
        }
        return Arrays.stream(cpus, 0, n).sorted().distinct().toArray();
    }

    /**
     * Whether {@code cpu} is in the CPU list held by the first {@code length} bytes of {@code text} (the format
     * {@link #parseList} reads), read in place: no string, no allocation. For a check that runs every 100 ms on
     * a stream's consumer thread, too rarely for the JIT to compile it, where {@link #online()}'s file API cost
     * more than the events did.
     *
     * @param text   the list's bytes, for instance a {@code pread(2)} of {@link #ONLINE}
     * @param length how many bytes of {@code text} hold it
     * @param cpu    the CPU number
     * @return 1 when listed, 0 when not, -1 when the bytes are not a CPU list
     */
    public static int listed(MemorySegment text, int length, int cpu) {
        int i = 0;
        // surrounding white space, as parseList allows
        while (length > 0 && isSpace(text.get(ValueLayout.JAVA_BYTE, length - 1))) {
            length--;
        }
        while (i < length && isSpace(text.get(ValueLayout.JAVA_BYTE, i))) {
            i++;
        }
        boolean found = false;
        while (i < length) {
            int first = 0;
            int digits = 0;
            byte b;
            while (i < length && (b = text.get(ValueLayout.JAVA_BYTE, i)) >= '0' && b <= '9' && digits <= 6) {
                first = first * 10 + (b - '0');
                digits++;
                i++;
            }
            if (digits == 0 || digits > 6 || first >= MAX_CPU) {
                return -1;
            }
            int last = first;
            if (i < length && text.get(ValueLayout.JAVA_BYTE, i) == '-') {
                i++;
                last = 0;
                digits = 0;
                while (i < length && (b = text.get(ValueLayout.JAVA_BYTE, i)) >= '0' && b <= '9' && digits <= 6) {
                    last = last * 10 + (b - '0');
                    digits++;
                    i++;
                }
                if (digits == 0 || digits > 6 || last >= MAX_CPU || last < first) {
                    return -1;
                }
            }
            found |= cpu >= first && cpu <= last;
            if (i < length) {
                if (text.get(ValueLayout.JAVA_BYTE, i) != ',' || i == length - 1) {
                    return -1;
                }
                i++;
            }
        }
        return found ? 1 : 0;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }

    private static int parseCpu(String part, String number, String text) {
        if (number.isEmpty() || number.length() > 6) {
            throw bad(text, "bad element '" + part + "'");
        }
        int value = 0;
        for (int i = 0; i < number.length(); i++) {
            char c = number.charAt(i);
            if (c < '0' || c > '9') {
                throw bad(text, "bad element '" + part + "'");
            }
            value = value * 10 + (c - '0');
        }
        if (value >= MAX_CPU) {
            throw bad(text, "CPU number " + value + " out of range");
        }
        return value;
    }

    private static IllegalArgumentException bad(String text, String problem) {
        return new IllegalArgumentException("not a CPU list: \"" + text.strip() + "\": " + problem);
    }
}
