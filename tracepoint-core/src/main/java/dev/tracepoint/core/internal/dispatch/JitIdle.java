package dev.tracepoint.core.internal.dispatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells whether the JIT compilers are at work, and waits until they are idle: the warm-up paces itself by
 * it (it runs a step of its path, and when the step made the JIT compile something, it sleeps until the
 * compilers are done instead of running the path on in slower code meanwhile), and waits for it before it
 * enables the events, so that no compilation it queued runs on the consumer's CPU during the first burst.
 *
 * <p>The compilers' work is read from their threads' own CPU time and run-queue wait ({@code schedstat} of
 * their tasks in {@code /proc/self/task}), plus the JVM's total compilation time
 * ({@link CompilationMXBean}). The last alone is not enough: it grows when a compilation ends, so a long C2
 * compilation in progress looks idle (measured: the compiler thread ran 240-350 ms into the load after such
 * a "quiet" wait, and the consumer lost events); a compiler thread that waits for a CPU has its run-queue
 * wait grow. Without {@code /proc}, the compilation time alone decides.
 */
public final class JitIdle {

    /** The compilers are idle once their work has not grown for this long. */
    private static final long QUIET_NANOS = 15_000_000L;
    private static final long QUIET_POLL_MILLIS = 5;

    private static final CompilationMXBean JIT = jit();
    /** The compiler threads' tasks as of the last look, by name in /proc/self/task; guarded by the class. */
    private static List<Task> compilerTasks = List.of();
    /** When {@link #compilerTasks} was looked up ({@link System#nanoTime()}), or 0 to look again. */
    private static long scanned;
    private static final long RESCAN_NANOS = 100_000_000L;

    private JitIdle() {
    }

    private static CompilationMXBean jit() {
        try {
            CompilationMXBean b = ManagementFactory.getCompilationMXBean();
            return b != null && b.isCompilationTimeMonitoringSupported() ? b : null;
        } catch (RuntimeException | LinkageError e) {
            return null; // no management in this runtime: /proc alone tells
        }
    }

    /**
     * A measure of the work the JIT compilers have done so far: it grows while any of them compiles or waits
     * for a CPU to compile on, and stands still while they are idle. Only differences mean anything.
     *
     * @return the compiler threads' CPU time and run-queue wait, in ns, plus the total compilation time
     */
    public static long activity() {
        long total = JIT == null ? 0 : JIT.getTotalCompilationTime() * 1_000_000L;
        return total + compilerCpuNanos();
    }

    /**
     * @return whether a JIT compiler thread is compiling right now: running, or runnable and waiting for a CPU
     *         (state {@code R} in its {@code /proc/self/task/TID/stat}); false when {@code /proc} cannot tell
     */
    public static synchronized boolean busy() {
        for (Task t : compilerTasksNow()) {
            if (t.running()) {
                return true;
            }
        }
        return false;
    }

    /** @return whether this JVM has JIT compilers whose work {@link #activity()} can see */
    public static boolean observable() {
        return JIT != null || !compilerTasksNow().isEmpty();
    }

    /**
     * Waits, at most {@code maxNanos}, until the JIT compilers are idle: until their {@link #activity()} has
     * not grown for 15 ms.
     *
     * @param maxNanos the longest wait
     * @return whether the compilers did any work during the wait
     */
    public static boolean await(long maxNanos) {
        return await(activity(), maxNanos);
    }

    /**
     * Waits, at most {@code maxNanos}, until the JIT compilers are idle, as {@link #await(long)}.
     *
     * @param since    an {@link #activity()} read before: work since then counts
     * @param maxNanos the longest wait
     * @return whether the compilers did any work since {@code since}
     */
    public static boolean await(long since, long maxNanos) {
        if (!observable()) {
            return false; // no JIT (or nothing to see it by): nothing to wait for
        }
        long begin = System.nanoTime();
        long last = activity();
        long lastChange = begin;
        while (true) {
            long now = System.nanoTime();
            if (now - lastChange >= QUIET_NANOS || now - begin >= maxNanos) {
                return last != since;
            }
            try {
                Thread.sleep(QUIET_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last != since;
            }
            long a = activity();
            if (a != last) {
                last = a;
                lastChange = System.nanoTime();
            }
        }
    }

    /**
     * @return the CPU time and run-queue wait of the JIT compiler threads ({@code schedstat} of their tasks,
     *         or their {@code stat} ticks), or 0 when {@code /proc/self/task} cannot tell
     */
    static synchronized long compilerCpuNanos() {
        long sum = 0;
        for (Task t : compilerTasksNow()) {
            sum += t.nanos();
        }
        return sum;
    }

    /**
     * The compiler threads' tasks; looked up again at most every 100 ms, and after a read of one failed (the
     * JVM starts and stops compiler threads as their queue grows and shrinks).
     */
    private static synchronized List<Task> compilerTasksNow() {
        long now = System.nanoTime();
        if (scanned != 0 && now - scanned < RESCAN_NANOS) {
            return compilerTasks;
        }
        Path dir = Path.of("/proc/self/task");
        List<Task> compilers = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(dir)) {
            for (Path task : tasks) {
                String tid = task.getFileName().toString();
                Task known = null;
                for (Task t : compilerTasks) {
                    if (t.tid.equals(tid)) {
                        known = t;
                    }
                }
                if (known != null) {
                    compilers.add(known);
                    continue;
                }
                try {
                    if (Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        compilers.add(new Task(task));
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended while we looked: it compiles no more
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: the compilation time alone tells
        }
        for (Task t : compilerTasks) {
            if (!compilers.contains(t)) {
                t.close();
            }
        }
        compilerTasks = List.copyOf(compilers);
        scanned = now;
        return compilerTasks;
    }

    /**
     * One compiler thread's {@code schedstat} and {@code stat}, kept open and read again from their start
     * (the kernel writes them anew for each read at offset 0): a poll costs two reads, no open and no close.
     */
    private static final class Task {
        final String tid;
        private final FileChannel schedstat;
        private final FileChannel stat;
        private final ByteBuffer buf = ByteBuffer.allocate(512);

        Task(Path dir) throws IOException {
            this.tid = dir.getFileName().toString();
            FileChannel s;
            try {
                s = FileChannel.open(dir.resolve("schedstat"), StandardOpenOption.READ);
            } catch (IOException | RuntimeException e) {
                s = null; // no CONFIG_SCHED_INFO: stat's ticks instead
            }
            this.schedstat = s;
            this.stat = FileChannel.open(dir.resolve("stat"), StandardOpenOption.READ);
        }

        /** Reads a file from its start into {@link #buf}; @return the bytes read, or -1 (the thread is gone). */
        private int read(FileChannel c) {
            try {
                buf.clear();
                int n = c.read(buf, 0);
                if (n <= 0) {
                    scanned = 0;
                }
                return n;
            } catch (IOException | RuntimeException e) {
                scanned = 0; // the thread ended: look for the compiler threads again next time
                return -1;
            }
        }

        /** @return the number at {@code at} in {@link #buf}, and where it ends in {@code end[0]} */
        private long number(int at, int n, int[] end) {
            long v = 0;
            int i = at;
            while (i < n && buf.get(i) >= '0' && buf.get(i) <= '9') {
                v = v * 10 + buf.get(i) - '0';
                i++;
            }
            end[0] = i;
            return v;
        }

        /** @return CPU time plus run-queue wait in ns ({@code schedstat}), or ticks of {@code stat} in ns */
        long nanos() {
            int[] end = new int[1];
            if (schedstat != null) {
                int n = read(schedstat);
                if (n > 0) {
                    // "time on CPU in ns, time waiting on a run queue in ns, timeslices"
                    long cpu = number(0, n, end);
                    return cpu + number(end[0] + 1, n, end);
                }
            }
            int n = read(stat);
            int at = afterComm(n);
            if (at < 0) {
                return 0;
            }
            // state, then fields 4..13, then utime and stime (fields 14 and 15), in clock ticks
            int field = 3;
            int i = at;
            while (i < n && field < 14) {
                if (buf.get(i++) == ' ') {
                    field++;
                }
            }
            long utime = number(i, n, end);
            long stime = number(end[0] + 1, n, end);
            // a running or runnable compiler counts as work, whatever its ticks say
            return (utime + stime) * 10_000_000L + (buf.get(at) == 'R' ? System.nanoTime() : 0);
        }

        /** @return whether the thread is running or runnable (state {@code R}) */
        boolean running() {
            int n = read(stat);
            int at = afterComm(n);
            return at >= 0 && buf.get(at) == 'R';
        }

        /** @return where the state starts in {@link #buf} (after "pid (comm) "), or -1 */
        private int afterComm(int n) {
            for (int i = n - 1; i > 0; i--) {
                if (buf.get(i) == ')') {
                    return i + 2 < n ? i + 2 : -1;
                }
            }
            return -1;
        }

        void close() {
            try {
                if (schedstat != null) {
                    schedstat.close();
                }
                stat.close();
            } catch (IOException e) {
                // nothing held
            }
        }
    }
}
