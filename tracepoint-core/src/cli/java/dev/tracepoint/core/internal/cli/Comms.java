package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.TaskListener;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Thread names for {@code stream}'s lines, as {@code trace_pipe} and {@code perf script} show them: the name
 * of the task that was running, by thread id. A thread is named by the kernel's COMM records (exec,
 * {@code prctl(PR_SET_NAME)}), a new one by its FORK record after its parent, and one seen first in an event
 * by {@code /proc/<pid>/task/<tid>/comm}, read once; {@link #seed()} reads every thread's at once. A thread
 * gone from {@code /proc} before its first event was read, and not named by a record before, is {@code <...>},
 * as in {@code trace_pipe}. An unordered stream reads one CPU's ring after the other, so a short-lived task's
 * FORK and exec records may come after its events; an ordered stream ({@code --ordered}) has them in time order.
 *
 * <p>Bounded: exited threads are forgotten after {@value #RETAIN_EXITED} later exits, and the table is
 * emptied should it ever exceed {@value #MAX_ENTRIES} threads. Not thread-safe: it is fed and read on the
 * stream's consumer thread (or under the snapshot lock of a flight recorder).
 */
final class Comms implements TaskListener {

    /** What a thread unknown to the table and to {@code /proc} is called. */
    static final String UNKNOWN = "<...>";

    static final int RETAIN_EXITED = 4096;
    static final int MAX_ENTRIES = 1 << 18;

    private static final class Task {
        String comm;
        boolean exited;

        Task(String comm) {
            this.comm = comm;
        }
    }

    private final Path proc;
    private final Map<Integer, Task> tasks = new HashMap<>();
    private final int[] exitedTids = new int[RETAIN_EXITED];
    private long exits;

    /** A table over {@code /proc}. */
    Comms() {
        this(Path.of("/proc"));
    }

    /** @param proc the proc file system (another root for tests) */
    Comms(Path proc) {
        this.proc = proc;
    }

    /**
     * @param pid the process of the thread
     * @param tid the thread
     * @return its name: known, read from {@code /proc} now, or {@link #UNKNOWN}
     */
    String name(int pid, int tid) {
        if (tid == 0) {
            return "<idle>"; // interrupt context on an idle CPU, as trace_pipe names it
        }
        Task t = tasks.get(tid);
        if (t == null) {
            t = new Task(read(pid, tid));
            put(tid, t);
        }
        return t.comm;
    }

    /**
     * Reads the name of every thread in {@code /proc} that the table does not know yet: call it once the events
     * are enabled, before they are read, so that tasks which started earlier are named even if they exit
     * before their events are read.
     *
     * @return the threads added
     */
    int seed() {
        int added = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path p : procs) {
                int pid = number(p.getFileName().toString());
                if (pid <= 0) {
                    continue;
                }
                try (DirectoryStream<Path> threads = Files.newDirectoryStream(p.resolve("task"), "[0-9]*")) {
                    for (Path t : threads) {
                        int tid = number(t.getFileName().toString());
                        if (tid > 0 && !tasks.containsKey(tid)) {
                            String comm = read(pid, tid);
                            if (comm != UNKNOWN) {
                                put(tid, new Task(comm));
                                added++;
                            }
                        }
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process exited meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: every name is then read at first sight (and fails: <...>)
        }
        return added;
    }

    private static int number(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private String read(int pid, int tid) {
        try {
            String s = Files.readString(proc.resolve(Integer.toString(pid)).resolve("task").resolve(Integer.toString(tid))
                    .resolve("comm"), StandardCharsets.UTF_8);
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    private void put(int tid, Task t) {
        if (tasks.size() >= MAX_ENTRIES) {
            tasks.clear(); // only if exits were lost on a machine with this many threads: names are read again
        }
        tasks.put(tid, t);
    }

    @Override
    public void onComm(int pid, int tid, String comm, boolean exec) {
        Task t = tasks.get(tid);
        if (t == null || t.exited) {
            put(tid, new Task(comm));
        } else {
            t.comm = comm;
        }
    }

    @Override
    public void onFork(int pid, int ppid, int tid, int ptid, long timeNanos) {
        Task t = tasks.get(tid);
        if (t != null && !t.exited && t.comm != UNKNOWN) {
            return; // named already (its COMM may be read before its FORK, on another CPU's ring)
        }
        Task parent = tasks.get(ptid);
        put(tid, new Task(parent != null ? parent.comm : read(ppid, ptid)));
    }

    @Override
    public void onExit(int pid, int ppid, int tid, int ptid, long timeNanos) {
        Task t = tasks.get(tid);
        if (t == null || t.exited) {
            return;
        }
        t.exited = true;
        // events read after the exit record (another CPU's ring) still find the name until RETAIN_EXITED exits later
        int slot = (int) (exits++ % RETAIN_EXITED);
        if (exits > RETAIN_EXITED) {
            Task old = tasks.get(exitedTids[slot]);
            if (old != null && old.exited) {
                tasks.remove(exitedTids[slot]);
            }
        }
        exitedTids[slot] = tid;
    }

    /** @return the threads the table holds */
    int size() {
        return tasks.size();
    }
}
