package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.internal.perf.Errno;
import dev.tracepoint.core.internal.perf.SyscallException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves a {@link Scope} against the running system, from {@code /proc}: the threads of a process
 * ({@code /proc/PID/task}), the checks that a thread or a process exists and is what the scope says, the check
 * that a cgroup scope names a cgroup directory, and the errors that say what was wrong, naming the pid or
 * path. Stateless; each call reads {@code /proc} anew.
 */
final class ScopeTargets {

    private static final System.Logger LOG = System.getLogger("dev.tracepoint");

    private ScopeTargets() {
    }

    /**
     * The threads of a process now.
     *
     * @param pid the process id
     * @return its thread ids, ascending; empty when it exited meanwhile (its directory is gone)
     * @throws TracepointException when {@code pid} names no process, or a thread of another process
     */
    static Set<Integer> threadsOf(int pid) throws TracepointException {
        int tgid = tgidOf(pid);
        if (tgid < 0) {
            throw new TracepointException("no process with pid " + pid + " (/proc/" + pid + " does not exist)");
        }
        if (tgid != pid) {
            throw new TracepointException(pid + " is a thread of process " + tgid + ", not a process: scope to the process "
                    + tgid + " for every thread of it, or to the thread " + pid + " alone");
        }
        return tasks(pid);
    }

    /** The entries of {@code /proc/PID/task}; empty once the process is gone. */
    static Set<Integer> tasks(int pid) throws TracepointException {
        Set<Integer> tids = new TreeSet<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "task"))) {
            for (Path p : d) {
                tids.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (NoSuchFileException e) {
            return Set.of();
        } catch (IOException | NumberFormatException e) {
            throw new TracepointException("cannot list the threads of process " + pid + " in /proc/" + pid + "/task: " + e, e);
        }
        return tids;
    }

    /**
     * Checks a thread scope: the thread must exist. Warns (through {@link System.Logger}) when it is the main
     * thread of a process that has other threads: they are not in the scope.
     *
     * @param tid the thread id
     * @throws TracepointException when there is no such thread
     */
    static void checkThread(int tid) throws TracepointException {
        int tgid = tgidOf(tid);
        if (tgid < 0) {
            throw new TracepointException("no thread with id " + tid + " (/proc/" + tid + " does not exist)");
        }
        if (tgid == tid) {
            int others = tasks(tid).size() - 1;
            if (others > 0) {
                LOG.log(System.Logger.Level.WARNING, "a stream scoped to thread " + tid + " covers that thread and the tasks"
                        + " it creates from now on, not the " + others + " other threads of process " + tid
                        + ": scope to the process for all of them");
            }
        }
    }

    /**
     * Checks that a cgroup scope names a cgroup directory (one with a {@code cgroup.procs}).
     *
     * @param dir the directory
     * @throws TracepointException naming the directory and where cgroup hierarchies are mounted
     */
    static void checkCgroup(Path dir) throws TracepointException {
        if (!Files.isDirectory(dir)) {
            throw new TracepointException("cgroup " + dir + " is not a directory" + mounts());
        }
        if (!Files.exists(dir.resolve("cgroup.procs"))) {
            throw new TracepointException(dir + " is not a cgroup directory (it has no cgroup.procs)" + mounts());
        }
    }

    /**
     * The error of a {@code perf_event_open} that refused a cgroup's fd: the directory is a cgroup, but not of
     * a hierarchy with the {@code perf_event} controller (a cgroup v1 hierarchy of another controller).
     *
     * @param e   the failure
     * @param dir the directory
     * @param cpu the CPU
     * @return the exception, or null when the failure is about something else
     */
    static TracepointException cgroupRefused(SyscallException e, Path dir, int cpu) {
        if (e.errno() != Errno.EBADF) {
            return null;
        }
        return new TracepointException("perf_event_open refused cgroup " + dir + " (EBADF): it is not a cgroup of the"
                + " perf_event controller; give a directory of the cgroup v2 hierarchy or of a v1 perf_event hierarchy"
                + mounts(), "perf_event_open", e.errno(), e.errnoName(), cpu, null, e);
    }

    /** {@code Tgid:} of {@code /proc/ID/status}, or -1 when there is no such task. */
    private static int tgidOf(int id) throws TracepointException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(id), "status"))) {
                if (line.startsWith("Tgid:")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException | NumberFormatException e) {
            throw new TracepointException("cannot read /proc/" + id + "/status: " + e, e);
        }
        throw new TracepointException("/proc/" + id + "/status has no Tgid line");
    }

    /** "; cgroup2 is mounted at ..., the v1 perf_event hierarchy at ...", from {@code /proc/self/mountinfo}. */
    private static String mounts() {
        List<String> v2 = new ArrayList<>();
        List<String> v1 = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = List.of(f).indexOf("-");
                if (dash < 0 || dash + 3 >= f.length) {
                    continue;
                }
                if (f[dash + 1].equals("cgroup2")) {
                    v2.add(f[4]);
                } else if (f[dash + 1].equals("cgroup") && List.of(f[dash + 3].split(",")).contains("perf_event")) {
                    v1.add(f[4]);
                }
            }
        } catch (IOException e) {
            return "";
        }
        if (v2.isEmpty() && v1.isEmpty()) {
            return "; no cgroup2 or cgroup v1 perf_event hierarchy is mounted here";
        }
        return (v2.isEmpty() ? "" : "; cgroup2 is mounted at " + String.join(", ", v2))
                + (v1.isEmpty() ? "" : "; the v1 perf_event hierarchy at " + String.join(", ", v1));
    }
}
