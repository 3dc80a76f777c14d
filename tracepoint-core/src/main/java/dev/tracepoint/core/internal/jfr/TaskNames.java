package dev.tracepoint.core.internal.jfr;

import dev.tracepoint.core.TaskListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The names of tasks by thread id, for the {@code currentComm} field: fed by the kernel's COMM and EXIT records
 * (a stream's task listener) and, for a thread not seen yet, read once from {@code /proc/TID/comm}. An
 * open-addressing table of {@code int} keys: a lookup allocates nothing; only a thread's first lookup (its
 * {@code /proc} read) and a rename do. Bounded: when it fills, it starts over. Consumer thread only.
 */
public final class TaskNames implements TaskListener {

    private static final int CAPACITY = 1 << 15;
    private static final String UNKNOWN = "<...>";
    /** A thread whose name is to be read from {@code /proc} at its next lookup (a fork of an unknown parent). */
    private static final String READ = new String("<read>");

    private final int[] keys = new int[CAPACITY];
    private final String[] names = new String[CAPACITY];
    private int size;

    /**
     * {@return the name of a thread, or {@code "<...>"} when it exited before it was named; tid 0 is
     * {@code swapper}}
     *
     * @param pid its process
     * @param tid the thread
     */
    public String name(int pid, int tid) {
        if (tid == 0) {
            return "swapper";
        }
        int i = slot(tid);
        String n = names[i];
        if (n != null && n != READ) {
            return n;
        }
        n = read(pid, tid);
        put(tid, n);
        return n;
    }

    private int slot(int tid) {
        int mask = CAPACITY - 1;
        int i = (tid * 0x9E3779B9) >>> 17 & mask;
        while (names[i] != null && keys[i] != tid) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void put(int tid, String name) {
        if (size >= CAPACITY * 3 / 4) {
            java.util.Arrays.fill(names, null);
            size = 0;
        }
        int i = slot(tid);
        if (names[i] == null) {
            size++;
        }
        keys[i] = tid;
        names[i] = name;
    }

    private static String read(int pid, int tid) {
        try {
            String s = Files.readString(Path.of("/proc/" + (pid > 0 ? pid : tid) + "/task/" + tid + "/comm"));
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    @Override
    public void onComm(int pid, int tid, String comm, boolean exec) {
        if (tid > 0) {
            put(tid, comm);
        }
    }

    @Override
    public void onFork(int pid, int ppid, int tid, int ptid, long timeNanos) {
        // a new task is named after its parent until its COMM record (a reused tid must not keep an old name)
        if (tid > 0 && tid != ptid) {
            String parent = names[slot(ptid)];
            if (parent == null || parent == READ) {
                parent = read(ppid, ptid); // the parent usually outlives the fork record: named while it can be
                put(ptid, parent);
            }
            put(tid, parent);
        }
    }

    @Override
    public void onExit(int pid, int ppid, int tid, int ptid, long timeNanos) {
        // kept: the exited task's last events may be read after its EXIT record; a reused tid gets a COMM record
    }
}
