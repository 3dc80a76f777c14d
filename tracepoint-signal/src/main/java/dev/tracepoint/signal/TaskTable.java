package dev.tracepoint.signal;

import dev.tracepoint.core.TaskListener;
import dev.tracepoint.signal.internal.IntMap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process names and real uids by pid, kept from the kernel's own task records so that a process that has
 * already exited when its event is read (a {@code kill} command, a short shell) is still named.
 *
 * <h2>Sources</h2>
 * <ol>
 *   <li>{@link #seed()}: every process in {@code /proc} ({@code comm}, and the real uid from the {@code Uid:}
 *       line of {@code status}). Call it before the stream opens and again after (as {@link SignalMonitor}
 *       does), so that no process falls in the gap between the two sources;</li>
 *   <li>as a {@link TaskListener} ({@link dev.tracepoint.core.TracepointStreamBuilder#onTask}): a FORK
 *       record names the child after its parent (same uid), a COMM record renames a process (on exec the
 *       uid is read again from {@code /proc}, since {@code sudo}-like programs change it before the exec), an
 *       EXIT record marks it exited;</li>
 *   <li>a lookup ({@link #comm(int)}, {@link #uid(int)}, {@link #lookup(int)}) of a pid the table has never
 *       seen reads {@code /proc/<pid>} once.</li>
 * </ol>
 * Only processes are tracked (records of other threads than the leader are ignored): the name is the
 * process's, as {@code /proc/<pid>/comm} and {@code ps} show it.
 *
 * <h2>Ordering</h2>
 * The kernel writes a task record to the ring of the CPU where it happened. An
 * {@link dev.tracepoint.core.TracepointStreamBuilder#ordered ordered} stream (the signal monitor's) hands the
 * records of all CPUs on in time order; any other stream drains one ring after the other: a child's FORK (written on its parent's CPU) may be read after its COMM and EXIT (written on its
 * own), and after a signal it sent. So: a FORK never overwrites what a COMM, {@code /proc} or an EXIT later
 * than the fork (by the records' times) said about the same process, it only fills in a missing uid; a FORK
 * whose parent is not known yet links the child to the parent, named once the parent is; and a pid never seen
 * is looked up in {@code /proc}, once. Pid reuse within the retention window combined with such reordering
 * can still misname a process; it needs a pid to wrap around within a fraction of a second.
 *
 * <h2>Bounds</h2>
 * Exited processes stay for the last {@code retainExited} exits (default 8192), so events read late still
 * resolve; older ones are dropped. Live entries are bounded by the processes the machine has; past
 * {@code maxEntries} (default 1M, beyond Linux's {@code PID_MAX_LIMIT} of 4M only if EXIT records were lost)
 * exited entries are purged and new processes are not recorded.
 *
 * <h2>Threading</h2>
 * The stream's consumer thread writes; any thread may read. Every method is synchronized (uncontended in
 * practice: one lock per lookup, and a lookup of a known pid allocates nothing except {@link #lookup(int)}'s
 * snapshot).
 */
public final class TaskTable implements TaskListener {

    /** The uid of a process whose uid is unknown. */
    public static final int UNKNOWN_UID = -1;

    /** Default number of exited processes remembered. */
    public static final int DEFAULT_RETAIN_EXITED = 8192;

    private static final int DEFAULT_MAX_ENTRIES = 1 << 20;

    /**
     * What the table knows about a process. Immutable: updates replace it.
     */
    static final class Entry {
        /**
         * The name; {@code null} for a pid probed in /proc and not found (so it is not probed again), for an
         * exit read before the fork, or for a child forked from a parent not known yet ({@link #parent} then
         * names it once the parent is known).
         */
        final String comm;
        final int uid;
        /** 0 while alive; else the exit's sequence number (for the retention ring). */
        final long exitSeq;
        /** For an unnamed child: the parent to inherit the name from, else 0. */
        final int parent;
        /** The EXIT record's time (CLOCK_MONOTONIC ns), 0 when no EXIT was read. */
        final long exitTime;

        Entry(String comm, int uid, long exitSeq, int parent, long exitTime) {
            this.comm = comm;
            this.uid = uid;
            this.exitSeq = exitSeq;
            this.parent = parent;
            this.exitTime = exitTime;
        }

        static Entry live(String comm, int uid) {
            return new Entry(comm, uid, 0, 0, 0);
        }

        boolean live() {
            return exitSeq == 0;
        }

        /** Whether this entry says anything about the process (not a bare /proc miss or exit marker). */
        boolean known() {
            return comm != null || parent != 0;
        }

        /** Whether an EXIT at or after {@code time} was read for this pid: a fork at {@code time} made this process. */
        boolean exitedAfter(long time) {
            return !live() && exitTime != 0 && exitTime >= time;
        }

        Entry withUid(int newUid) {
            return new Entry(comm, newUid, exitSeq, parent, exitTime);
        }
    }

    /**
     * A snapshot of one process, for callers.
     *
     * @param pid    the process id
     * @param comm   its name
     * @param uid    its real uid, or {@link #UNKNOWN_UID}
     * @param exited whether it has exited (the table keeps exited processes for a while)
     */
    public record Task(int pid, String comm, int uid, boolean exited) {
    }

    /** pid 0, the per-CPU idle tasks ({@code swapper/N}): never in /proc. */
    private static final Entry IDLE = Entry.live("swapper", 0);

    private final Path proc;
    private final int retainExited;
    private final int maxEntries;
    private final IntMap<Entry> entries = new IntMap<>(4096);
    /** Pids of exited entries in exit order, a ring of retainExited slots, with their exit sequence numbers. */
    private final int[] exitedPids;
    private final long[] exitedSeqs;
    private long exits;
    private long procLookups;

    /** A table over {@code /proc} with the default bounds. */
    public TaskTable() {
        this(Path.of("/proc"), DEFAULT_RETAIN_EXITED, DEFAULT_MAX_ENTRIES);
    }

    /**
     * A table over a given proc file system, with its own bounds (see the class comment).
     *
     * @param proc         the proc file system (another root for tests)
     * @param retainExited how many exited processes to remember
     * @param maxEntries   the most entries to hold
     * @throws IllegalArgumentException when a bound is less than 1
     */
    public TaskTable(Path proc, int retainExited, int maxEntries) {
        if (retainExited < 1 || maxEntries < 1) {
            throw new IllegalArgumentException("retainExited=" + retainExited + " maxEntries=" + maxEntries);
        }
        this.proc = proc;
        this.retainExited = retainExited;
        this.maxEntries = maxEntries;
        this.exitedPids = new int[retainExited];
        this.exitedSeqs = new long[retainExited];
    }

    // ------------------------------------------------------------------------------------------- reading

    /**
     * The entry for a process, reading {@code /proc/<pid>} once when the table has never seen it.
     *
     * @param pid a process id
     * @return the entry, or {@code null} when unknown
     */
    synchronized Entry resolve(int pid) {
        if (pid == 0) {
            return IDLE; // interrupt context on an idle CPU: the idle task was current
        }
        Entry e = entries.get(pid);
        if (e == null) {
            e = probe(pid);
        } else if (e.comm == null && e.parent != 0) {
            e = inherit(pid, e, 0);
        }
        return e == null || e.comm == null ? null : e;
    }

    /**
     * Names a child whose FORK was read before its parent was known, once the parent is: follows the chain of
     * such children (a subshell of a subshell) up to a few levels. Holds the lock.
     */
    private Entry inherit(int pid, Entry child, int depth) {
        Entry p = entries.get(child.parent);
        if (p != null && p.comm == null && p.parent != 0 && depth < 8) {
            p = inherit(child.parent, p, depth + 1);
        }
        if (p == null || p.comm == null) {
            return child;
        }
        Entry named = new Entry(p.comm, child.uid != UNKNOWN_UID ? child.uid : p.uid, child.exitSeq, 0, child.exitTime);
        entries.put(pid, named);
        return named;
    }

    /**
     * Names a process from what the table last learnt of it (a task record or {@code /proc}), also after it
     * has exited.
     *
     * @param pid a process id
     * @return its name, or {@code null} when unknown (looks in {@code /proc} once for an unseen pid)
     */
    public String comm(int pid) {
        Entry e = resolve(pid);
        return e == null ? null : e.comm;
    }

    /**
     * The real uid of a process, to tell which user sent a signal.
     *
     * @param pid a process id
     * @return its real uid, or {@link #UNKNOWN_UID}
     */
    public int uid(int pid) {
        Entry e = resolve(pid);
        return e == null ? UNKNOWN_UID : e.uid;
    }

    /**
     * Everything the table knows of a process at once: name, uid and whether it has exited.
     *
     * @param pid a process id
     * @return what the table knows, or {@code null} when unknown (allocates the snapshot)
     */
    public Task lookup(int pid) {
        Entry e = resolve(pid);
        return e == null ? null : new Task(pid, e.comm, e.uid, !e.live());
    }

    /**
     * How many processes the table holds, for monitoring its size against its bounds.
     *
     * @return the number of entries (live and exited)
     */
    public synchronized int size() {
        return entries.size();
    }

    /**
     * How often a lookup met a pid that neither the seed nor the task records had named, and read
     * {@code /proc} for it.
     *
     * @return how many times a pid had to be looked up in /proc because the table did not know it
     */
    public synchronized long procLookups() {
        return procLookups;
    }

    // ------------------------------------------------------------------------------------------- seeding

    /**
     * Adds every process in {@code /proc}. Entries already present are overwritten: {@code /proc} is newer
     * than any record read before.
     *
     * @return the number of processes added
     */
    public int seed() {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc)) {
            for (Path p : ds) {
                int pid = pidOf(p.getFileName().toString());
                if (pid <= 0) {
                    continue;
                }
                String comm = readComm(pid);
                if (comm == null) {
                    continue; // exited meanwhile
                }
                int uid = readUid(pid);
                synchronized (this) {
                    store(pid, Entry.live(comm, uid));
                }
                n++;
            }
        } catch (IOException e) {
            // no /proc (a container without it): the task records alone must do
        }
        return n;
    }

    private static int pidOf(String name) {
        if (name.isEmpty() || name.length() > 10) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    // ------------------------------------------------------------------------------------- task records

    /**
     * A task was renamed (exec or {@code prctl(PR_SET_NAME)}). Only the thread group leader's name is the
     * process's; other threads' renames are ignored.
     */
    @Override
    public void onComm(int pid, int tid, String comm, boolean exec) {
        if (pid != tid) {
            return;
        }
        int uid = UNKNOWN_UID;
        if (exec) {
            uid = readUid(pid); // a setuid program may have changed it before exec; gone already: keep the old
        }
        synchronized (this) {
            Entry old = entries.get(pid);
            if (uid == UNKNOWN_UID && old != null) {
                uid = old.uid;
            }
            if (old != null && !old.live() && old.exitTime != 0) {
                // its EXIT (another CPU's ring) was read first: renamed, and still exited
                store(pid, new Entry(comm, uid, old.exitSeq, 0, old.exitTime));
            } else {
                store(pid, Entry.live(comm, uid));
            }
        }
    }

    /**
     * A process was created (new threads are ignored): it inherits its parent's name and uid, unless the
     * table already knows better (see the class comment on ordering).
     */
    @Override
    public void onFork(int pid, int ppid, int tid, int ptid, long timeNanos) {
        if (pid != tid) {
            return; // a new thread of an existing process
        }
        synchronized (this) {
            Entry old = entries.get(pid);
            boolean exitedAlready = old != null && old.exitedAfter(timeNanos);
            if (old != null && old.comm != null && (old.live() || exitedAlready)) {
                // its own COMM or /proc was read first and is newer than the fork: just fill in the uid
                if (old.uid == UNKNOWN_UID) {
                    Entry parent = entries.get(ppid);
                    if (parent != null && parent.uid != UNKNOWN_UID) {
                        store(pid, old.withUid(parent.uid));
                    }
                }
                return;
            }
            Entry parent = entries.get(ppid);
            if (parent == null) {
                parent = probe(ppid);
            } else if (parent.comm == null && parent.parent != 0) {
                parent = inherit(ppid, parent, 0);
            }
            long exitSeq = exitedAlready ? old.exitSeq : 0;
            long exitTime = exitedAlready ? old.exitTime : 0;
            if (parent != null && parent.comm != null) {
                store(pid, new Entry(parent.comm, parent.uid, exitSeq, 0, exitTime));
            } else {
                // the parent's own FORK is still unread (another CPU's ring): name the child when it is
                store(pid, new Entry(null, UNKNOWN_UID, exitSeq, ppid, exitTime));
            }
        }
    }

    /** A task exited; when it is the leader (the process), its entry is kept, marked exited, for a while. */
    @Override
    public void onExit(int pid, int ppid, int tid, int ptid, long timeNanos) {
        if (pid != tid) {
            return;
        }
        synchronized (this) {
            Entry old = entries.get(pid);
            if (old != null && !old.live() && old.exitTime != 0) {
                return;
            }
            long seq = ++exits;
            if (old == null || !old.known()) {
                // read before its FORK (or never forked while we watched): a marker, so a late FORK knows
                store(pid, new Entry(null, UNKNOWN_UID, seq, 0, timeNanos));
            } else {
                store(pid, new Entry(old.comm, old.uid, seq, old.parent, timeNanos));
            }
            retire(pid, seq);
        }
    }

    // ------------------------------------------------------------------------------------------ internals

    /** Remembers an exit; forgets the oldest remembered one when the ring is full. Holds the lock. */
    private void retire(int pid, long seq) {
        int slot = (int) ((seq - 1) % retainExited);
        if (seq > retainExited) {
            int oldPid = exitedPids[slot];
            long oldSeq = exitedSeqs[slot];
            Entry e = entries.get(oldPid);
            if (e != null && e.exitSeq == oldSeq) {
                entries.remove(oldPid); // still that exited process, not a new one with the same pid
            }
        }
        exitedPids[slot] = pid;
        exitedSeqs[slot] = seq;
    }

    /** Looks an unseen pid up in /proc, remembering a miss as a placeholder so it is not read again. Holds the lock. */
    private Entry probe(int pid) {
        procLookups++;
        String comm = readComm(pid);
        Entry e;
        if (comm != null) {
            e = Entry.live(comm, readUid(pid));
        } else {
            long seq = ++exits;
            e = new Entry(null, UNKNOWN_UID, seq, 0, 0); // an exited placeholder: retired like any exit
            if (!store(pid, e)) {
                return null;
            }
            retire(pid, seq);
            return e;
        }
        store(pid, e);
        return e;
    }

    /** Puts an entry unless the table is full of live ones. Holds the lock. */
    private boolean store(int pid, Entry e) {
        if (entries.size() >= maxEntries && entries.get(pid) == null) {
            entries.removeIf((k, v) -> !v.live());
            if (entries.size() >= maxEntries) {
                return false;
            }
        }
        entries.put(pid, e);
        return true;
    }

    private String readComm(int pid) {
        try {
            byte[] b = Files.readAllBytes(proc.resolve(Integer.toString(pid)).resolve("comm"));
            int n = b.length;
            while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == 0)) {
                n--;
            }
            return new String(b, 0, n, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The real uid: the first number of the {@code Uid:} line of {@code /proc/<pid>/status}. */
    private int readUid(int pid) {
        try {
            for (String line : Files.readAllLines(proc.resolve(Integer.toString(pid)).resolve("status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    String[] parts = line.substring(4).trim().split("\\s+");
                    return Integer.parseInt(parts[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or unreadable
        }
        return UNKNOWN_UID;
    }
}
