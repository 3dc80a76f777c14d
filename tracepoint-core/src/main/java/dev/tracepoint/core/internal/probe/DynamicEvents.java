package dev.tracepoint.core.internal.probe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes and removes dynamic event definitions in a tracefs. Files are opened for appending only, never
 * truncated: opening {@code dynamic_events} with {@code O_TRUNC} would remove every definition of every
 * process.
 */
public final class DynamicEvents {

    /** The prefix of the groups this library creates; the creating process's pid follows. */
    public static final String GROUP_PREFIX = "tp_";

    private static final Pattern DEFINITION = Pattern.compile("^[a-z]:([^/\\s]+)/(\\S+)(?:\\s.*)?$");
    private static final Pattern OWN_GROUP = Pattern.compile("^" + GROUP_PREFIX + "([0-9]+)$");

    private final Path root;

    /**
     * @param root the tracefs root
     */
    public DynamicEvents(Path root) {
        this.root = root;
    }

    /** @return the group of the probes this process defines: {@code tp_<pid>} */
    public static String ownGroup() {
        return GROUP_PREFIX + ProcessHandle.current().pid();
    }

    /** @return {@code dynamic_events}, or {@code uprobe_events} on kernels without it */
    public Path controlFile() {
        Path d = root.resolve("dynamic_events");
        return Files.exists(d) ? d : root.resolve("uprobe_events");
    }

    /** @return whether this tracefs can define uprobes */
    public boolean hasUprobes() {
        return Files.exists(root.resolve("uprobe_events"));
    }

    /** @return whether this tracefs can define kprobes */
    public boolean hasKprobes() {
        return Files.exists(root.resolve("kprobe_events"));
    }

    /**
     * Appends one line to the control file.
     *
     * @param line a definition or a removal ({@code -:group/event})
     * @throws IOException when the kernel rejects it
     */
    public void write(String line) throws IOException {
        try (FileChannel ch = FileChannel.open(controlFile(), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    /**
     * Removes one event definition.
     *
     * @param group its group
     * @param event its name
     * @throws IOException when the kernel refuses (the event is in use, or gone)
     */
    public void remove(String group, String event) throws IOException {
        write("-:" + group + "/" + event);
    }

    /**
     * @param group a group
     * @param event an event name
     * @return whether tracefs has the event
     */
    public boolean exists(String group, String event) {
        return Files.isDirectory(root.resolve("events").resolve(group).resolve(event));
    }

    /**
     * The {@code group/event} of every definition of the control file.
     *
     * @return pairs {group, event}
     * @throws IOException when the control file cannot be read
     */
    public List<String[]> definitions() throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(controlFile(), StandardCharsets.UTF_8)) {
            Matcher m = DEFINITION.matcher(line);
            if (m.matches()) {
                out.add(new String[] {m.group(1), m.group(2)});
            }
        }
        return out;
    }

    /**
     * Removes the definitions of the groups {@code tp_<pid>} whose process is gone; other groups, and the groups
     * of live processes, are left alone.
     *
     * @return the {@code group/event} names removed
     * @throws IOException when the control file cannot be read or a removal is refused
     */
    public List<String> sweep() throws IOException {
        List<String> removed = new ArrayList<>();
        for (String[] d : definitions()) {
            Matcher m = OWN_GROUP.matcher(d[0]);
            if (!m.matches()) {
                continue;
            }
            long pid;
            try {
                pid = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                continue;
            }
            if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).isPresent()) {
                continue;
            }
            remove(d[0], d[1]);
            removed.add(d[0] + "/" + d[1]);
        }
        return removed;
    }

    /**
     * The kernel's explanation of a rejected definition: the last {@code error_log} entry whose command is the
     * definition, its three lines (the error, the command, the caret under the bad position).
     *
     * @param definition the rejected line
     * @return the entry, or {@code null} when {@code error_log} has none for it
     */
    public String errorFor(String definition) {
        List<String> lines;
        try {
            lines = Files.readAllLines(root.resolve("error_log"), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        for (int i = lines.size() - 1; i >= 1; i--) {
            String cmd = lines.get(i).trim();
            if (cmd.startsWith("Command: ") && definition.startsWith(cmd.substring("Command: ".length()))) {
                StringBuilder sb = new StringBuilder(lines.get(i - 1).replaceFirst("^\\[[^]]*\\]\\s*", ""));
                sb.append('\n').append(lines.get(i));
                if (i + 1 < lines.size() && lines.get(i + 1).trim().equals("^")) {
                    sb.append('\n').append(lines.get(i + 1));
                }
                return sb.toString();
            }
        }
        return null;
    }
}
