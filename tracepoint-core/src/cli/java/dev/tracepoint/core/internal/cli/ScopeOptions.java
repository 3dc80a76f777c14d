package dev.tracepoint.core.internal.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The scope options the monitoring commands share: {@code --pid PID} (every thread of a process, and the
 * tasks they create) and {@code --cgroup PATH} (the tasks of a cgroup), one of them at most, with the lines of
 * help they print. The commands hand the values to their builders' {@code process} and {@code cgroup}.
 */
public final class ScopeOptions {

    /** The name of {@code --pid}, for {@link Args}. */
    public static final String PID = "pid";
    /** The name of {@code --cgroup}, for {@link Args}. */
    public static final String CGROUP = "cgroup";

    /** The help lines, in the commands' layout (two spaces in, a line break at the end). */
    public static final String HELP = """
              --pid PID            only events of process PID: every thread it has or creates, and the
                                   processes they start from now on (events are counted where they happen,
                                   in the task that was running)
              --cgroup PATH        only events of the tasks in the cgroup at PATH (a cgroup v2 directory,
                                   e.g. /sys/fs/cgroup/system.slice/nginx.service)
            """;

    private final long pid;
    private final Path cgroup;

    private ScopeOptions(long pid, Path cgroup) {
        this.pid = pid;
        this.cgroup = cgroup;
    }

    /**
     * Reads {@code --pid} and {@code --cgroup}.
     *
     * @param args the parsed arguments (with {@link #PID} and {@link #CGROUP} among the options that take a value)
     * @return the options
     * @throws UsageException for a pid that is not a positive number, a cgroup path that is not a directory, or both
     */
    public static ScopeOptions of(Args args) throws UsageException {
        long pid = args.getLong(PID, -1);
        if (args.has(PID) && (pid <= 0 || pid > Integer.MAX_VALUE)) {
            throw new UsageException("--pid needs a process id, got " + args.get(PID, null));
        }
        Path cgroup = args.has(CGROUP) ? Path.of(args.get(CGROUP, null)) : null;
        if (cgroup != null && !Files.isDirectory(cgroup)) {
            throw new UsageException("--cgroup needs a cgroup directory, got " + cgroup + ": not a directory");
        }
        if (pid > 0 && cgroup != null) {
            throw new UsageException("--pid and --cgroup are two scopes: give one");
        }
        return new ScopeOptions(pid, cgroup);
    }

    /** {@return whether a scope was given} */
    public boolean given() {
        return pid > 0 || cgroup != null;
    }

    /** {@return the process of {@code --pid}, or -1} */
    public long pid() {
        return pid;
    }

    /** {@return the directory of {@code --cgroup}, or null} */
    public Path cgroup() {
        return cgroup;
    }
}
