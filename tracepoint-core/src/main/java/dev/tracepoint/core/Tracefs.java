package dev.tracepoint.core;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The kernel's tracing file system: where the tracepoints are listed and their record layouts described.
 *
 * <p>{@link #locate()} finds it wherever it is mounted (a {@code tracefs} mount, or {@code tracing/} under a
 * {@code debugfs} mount, read from {@code /proc/self/mountinfo}). Names are {@code system:event}, as perf
 * and bpftrace write them ({@code system/event} is accepted too). Thread-safe.
 *
 * {@snippet :
 * Tracefs tracefs = Tracefs.locate();
 * for (String name : tracefs.tracepoints("signal:*")) {
 *     System.out.println(name + " id=" + tracefs.format(name).id());
 * }
 * }
 */
public final class Tracefs {

    /** The command that mounts tracefs at its usual place. */
    public static final String MOUNT_COMMAND = "mount -t tracefs nodev /sys/kernel/tracing";

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private final Path root;

    private Tracefs(Path root) {
        this.root = root;
    }

    /**
     * Finds the mounted tracefs.
     *
     * @return the tracefs
     * @throws TracefsUnavailableException when tracefs is not mounted (the message gives the mount command) or
     *                                     is not readable (the message says why)
     */
    public static Tracefs locate() throws TracefsUnavailableException {
        return locate(MOUNTINFO);
    }

    /** {@link #locate()} reading another mountinfo file: the seam for the not-mounted tests. */
    static Tracefs locate(Path mountinfo) throws TracefsUnavailableException {
        List<Path> candidates = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(mountinfo)) {
                // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
                String[] parts = line.split(" ");
                int dash = List.of(parts).indexOf("-");
                if (dash < 0 || dash + 1 >= parts.length || parts.length < 5) {
                    continue;
                }
                String fstype = parts[dash + 1];
                Path mountPoint = Path.of(unescape(parts[4]));
                if (fstype.equals("tracefs")) {
                    candidates.add(mountPoint);
                } else if (fstype.equals("debugfs")) {
                    candidates.add(mountPoint.resolve("tracing"));
                }
            }
        } catch (IOException e) {
            throw new TracefsUnavailableException("cannot read " + mountinfo + " to find tracefs: " + e, e);
        }
        // prefer a real tracefs mount, then debugfs/tracing (which the kernel automounts as tracefs)
        candidates.sort(Comparator.comparing(p -> p.endsWith("tracing") && !p.toString().equals("/sys/kernel/tracing") ? 1 : 0));
        TracefsUnavailableException unreadable = null;
        for (Path p : candidates) {
            if (!Files.isDirectory(p.resolve("events"))) {
                if (Files.isDirectory(p) && !(Files.isReadable(p) && Files.isExecutable(p))) {
                    // mounted but closed to this user (tracefs is 0700 root): say so, not "not mounted"
                    unreadable = new TracefsUnavailableException(unreadableMessage(p.resolve("events")));
                }
                continue;
            }
            try {
                return at(p);
            } catch (TracefsUnavailableException e) {
                unreadable = e;
            }
        }
        if (unreadable != null) {
            throw unreadable;
        }
        throw new TracefsUnavailableException("tracefs is not mounted (no tracefs or debugfs mount with an events/ "
                + "directory in " + mountinfo + "). Mount it as root with: " + MOUNT_COMMAND);
    }

    /**
     * Uses the tracefs mounted at {@code root}.
     *
     * @param root the mount point (the directory holding {@code events/})
     * @return the tracefs
     * @throws TracefsUnavailableException when {@code root/events} is missing or unreadable
     */
    public static Tracefs at(Path root) throws TracefsUnavailableException {
        Objects.requireNonNull(root, "root");
        Path events = root.resolve("events");
        if (!Files.isDirectory(events)) {
            throw new TracefsUnavailableException("no tracefs at " + root + " (" + events + " is not a directory). "
                    + "Mount it as root with: " + MOUNT_COMMAND);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(events)) {
            ds.iterator().hasNext();
        } catch (AccessDeniedException e) {
            throw new TracefsUnavailableException(unreadableMessage(events), e);
        } catch (IOException e) {
            throw new TracefsUnavailableException("cannot list " + events + ": " + e, e);
        }
        return new Tracefs(root);
    }

    private static String unreadableMessage(Path p) {
        Path mount = p.endsWith("events") ? p.getParent() : p;
        return "permission denied: tracefs is mounted at " + mount + " but " + p + " is not readable by this user (uid="
                + dev.tracepoint.core.internal.perf.Libc.getuid() + ", user.name=" + System.getProperty("user.name")
                + "): tracefs is root-only (mode 0700) by default. Run as root, or grant read access to a group "
                + "(mount -o remount,gid=<group>,mode=0750 " + mount + ") together with CAP_PERFMON for perf_event_open "
                + "(setcap cap_perfmon+ep on the java binary)";
    }

    /**
     * The directory tracefs is mounted at: the one that holds {@code events/}.
     *
     * @return the mount point, {@code /sys/kernel/tracing} on most systems
     */
    public Path root() {
        return root;
    }

    /**
     * Lists the tracepoint systems of the running kernel ({@code sched}, {@code signal}, {@code skb}...).
     *
     * @return the tracepoint systems (subdirectories of {@code events/}), sorted
     * @throws TracepointException when tracefs cannot be read
     */
    public List<String> systems() throws TracepointException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("events"), Files::isDirectory)) {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        } catch (AccessDeniedException e) {
            throw new TracefsUnavailableException(unreadableMessage(root.resolve("events")), e);
        } catch (IOException e) {
            throw new TracepointException("cannot list " + root.resolve("events") + ": " + e, e);
        }
        out.sort(null);
        return out;
    }

    /**
     * Lists every tracepoint of the running kernel that has a format file, and so can be enabled.
     *
     * @return every tracepoint of the running kernel as {@code system:event}, sorted
     * @throws TracepointException when tracefs cannot be read
     */
    public List<String> tracepoints() throws TracepointException {
        List<String> out = new ArrayList<>();
        for (String system : systems()) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("events").resolve(system), Files::isDirectory)) {
                for (Path p : ds) {
                    if (Files.exists(p.resolve("format"))) {
                        out.add(system + ":" + p.getFileName());
                    }
                }
            } catch (NoSuchFileException e) {
                // a system that disappeared between listing and reading (a module unloaded): skip it
            } catch (IOException e) {
                throw new TracepointException("cannot list " + root.resolve("events").resolve(system) + ": " + e, e);
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * The tracepoints whose {@code system:event} name matches a glob, as a shell matches file names except
     * that {@code :} is an ordinary character: {@code "*skb*"} matches {@code skb:kfree_skb} and
     * {@code "sched*"} every tracepoint of {@code sched}. The glob matches the whole name.
     * <ul>
     *   <li>{@code *} matches any characters, none included, {@code :} included;</li>
     *   <li>{@code ?} matches one character;</li>
     *   <li>{@code [abc]}, {@code [a-z]} match one character of the set, {@code [!abc]} (or {@code [^abc]}) one
     *       not in it;</li>
     *   <li>{@code {a,b}} matches either alternative (no nesting);</li>
     *   <li>{@code \} makes the next character literal; {@code /} matches the {@code :} between system and
     *       event, as in {@code signal/*}.</li>
     * </ul>
     * Everything else matches itself, case-sensitively.
     *
     * @param glob the glob; {@code null} or empty for all
     * @return the matching tracepoints, sorted (empty when none matches)
     * @throws IllegalArgumentException when the glob is malformed (an unclosed <code>[</code> or
     *                                  <code>&#123;</code>, a trailing <code>\</code>)
     * @throws TracepointException      when tracefs cannot be read
     */
    public List<String> tracepoints(String glob) throws TracepointException {
        if (glob == null || glob.isEmpty()) {
            return tracepoints();
        }
        Pattern p = globPattern(glob); // before reading tracefs: a bad glob is the caller's mistake
        List<String> out = new ArrayList<>();
        for (String name : tracepoints()) {
            if (p.matcher(name).matches()) {
                out.add(name);
            }
        }
        return out;
    }

    /** The glob of {@link #tracepoints(String)} as a regular expression. */
    static Pattern globPattern(String glob) {
        StringBuilder re = new StringBuilder(glob.length() * 2);
        boolean inBraces = false;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '/' -> re.append(':');
                case '\\' -> {
                    if (++i >= glob.length()) {
                        throw new IllegalArgumentException("glob '" + glob + "' ends with a lone \\");
                    }
                    re.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                }
                case '[' -> {
                    int end = glob.indexOf(']', i + 2); // a ']' right after '[' (or '[!') is a member
                    boolean negated = i + 1 < glob.length() && (glob.charAt(i + 1) == '!' || glob.charAt(i + 1) == '^');
                    if (negated) {
                        end = glob.indexOf(']', i + 3);
                    }
                    if (end < 0) {
                        throw new IllegalArgumentException("glob '" + glob + "' has a '[' without its ']'");
                    }
                    re.append(negated ? "[^" : "[");
                    for (int j = i + (negated ? 2 : 1); j < end; j++) {
                        char m = glob.charAt(j);
                        if (m == '-' && j > i + (negated ? 2 : 1) && j < end - 1) {
                            re.append('-'); // a range
                        } else if (Character.isLetterOrDigit(m)) {
                            re.append(m);
                        } else {
                            re.append('\\').append(m); // ']', '^', '&', '[' ... literally
                        }
                    }
                    re.append(']');
                    i = end;
                }
                case '{' -> {
                    if (inBraces) {
                        throw new IllegalArgumentException("glob '" + glob + "' nests '{': alternatives do not nest");
                    }
                    inBraces = true;
                    re.append("(?:");
                }
                case ',' -> re.append(inBraces ? "|" : ",");
                case '}' -> {
                    if (!inBraces) {
                        re.append("\\}");
                    } else {
                        inBraces = false;
                        re.append(')');
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (inBraces) {
            throw new IllegalArgumentException("glob '" + glob + "' has a '{' without its '}'");
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /**
     * Tells whether the running kernel has a tracepoint, without throwing for a malformed name.
     *
     * @param tracepoint {@code system:event}
     * @return whether the running kernel has it
     */
    public boolean exists(String tracepoint) {
        String[] se = split(tracepoint);
        return se != null && Files.isRegularFile(root.resolve("events").resolve(se[0]).resolve(se[1]).resolve("format"));
    }

    /**
     * Locates the format file of a tracepoint, to read or copy it.
     *
     * @param tracepoint {@code system:event}
     * @return the path of its format file
     * @throws UnknownTracepointException when the kernel has no such tracepoint
     */
    public Path formatPath(String tracepoint) throws TracepointException {
        String[] se = split(tracepoint);
        if (se == null || !exists(tracepoint)) {
            throw unknown(tracepoint);
        }
        return root.resolve("events").resolve(se[0]).resolve(se[1]).resolve("format");
    }

    /**
     * Reads and parses a tracepoint's format file.
     *
     * @param tracepoint {@code system:event}
     * @return its layout
     * @throws UnknownTracepointException when the kernel has no such tracepoint (naming the closest ones)
     * @throws FormatException            when the file does not parse
     * @throws TracepointException        when it cannot be read
     */
    public EventFormat format(String tracepoint) throws TracepointException {
        Path p = formatPath(tracepoint);
        try {
            return FormatParser.parse(p);
        } catch (NoSuchFileException e) {
            throw unknown(tracepoint); // removed between the check and the read
        } catch (AccessDeniedException e) {
            throw new TracefsUnavailableException(unreadableMessage(p), e);
        } catch (IOException e) {
            throw new TracepointException("cannot read " + p + ": " + e, e);
        }
    }

    /** @return {system, event}, or null when the name has no separator */
    static String[] split(String tracepoint) {
        if (tracepoint == null) {
            return null;
        }
        int i = tracepoint.indexOf(':');
        if (i < 0) {
            i = tracepoint.indexOf('/');
        }
        if (i <= 0 || i == tracepoint.length() - 1) {
            return null;
        }
        String system = tracepoint.substring(0, i);
        String event = tracepoint.substring(i + 1);
        if (system.contains("/") || system.contains("..") || event.contains("/") || event.contains("..")) {
            return null;
        }
        return new String[] {system, event};
    }

    /** Builds the not-found exception with the closest names. */
    UnknownTracepointException unknown(String tracepoint) {
        List<String> all;
        try {
            all = tracepoints();
        } catch (TracepointException e) {
            all = List.of();
        }
        String wanted = String.valueOf(tracepoint);
        String wantedEvent = split(wanted) != null ? split(wanted)[1] : wanted;
        List<String> best = new ArrayList<>(all);
        best.sort(Comparator.comparingInt((String n) -> Math.min(distance(n, wanted), distance(n.substring(n.indexOf(':') + 1), wantedEvent)))
                .thenComparing(n -> n));
        List<String> top = best.subList(0, Math.min(3, best.size()));
        String hint = split(wanted) == null ? " (tracepoint names are system:event, e.g. signal:signal_generate)" : "";
        return new UnknownTracepointException(wanted, top, "unknown tracepoint '" + wanted + "'" + hint
                + " in " + root.resolve("events") + (top.isEmpty() ? "" : "; closest: " + String.join(", ", top)));
    }

    /** Levenshtein distance, for suggestions. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String unescape(String s) {
        // mountinfo escapes space, tab, newline and backslash as \ooo
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 4 <= s.length() && s.substring(i + 1, i + 4).chars().allMatch(ch -> ch >= '0' && ch <= '7')) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Tracefs[" + root + "]";
    }
}
