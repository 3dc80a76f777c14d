package dev.tracepoint.core.internal.dispatch;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells when the JIT compilers have gone idle: the warm-up waits for that before it enables the events, so
 * that no compilation it queued runs on the consumer's CPU during the first burst.
 */
public final class JitIdle {

    /** A compiler that has not finished a compilation for this long is taken to be idle. */
    private static final long QUIET_NANOS = 60_000_000L;
    private static final long QUIET_POLL_MILLIS = 15;

    /**
     * Waits, at most {@code maxNanos}, until the JIT compilers have finished what the warm-up queued. The
     * warm-up itself stops when the path stops getting faster, but C2 compiles in the background and its queue
     * can still hold dozens of methods then: measured with {@code -XX:+PrintCompilation} on this machine, C2
     * went on compiling the warm-up's methods for 0.3 s after the events were enabled, on the consumer's CPU,
     * 60-170 ms of CPU taken from the consumer during the first burst. A long queue also raises the tiered
     * thresholds, which kept the wake-up path ({@code pass}, {@code epollWait}) in profiled code for seconds.
     *
     * <p>Idle means: for 60 ms, the JVM's total compilation time ({@link CompilationMXBean}) has not moved and
     * the compiler threads have not run. The first alone is not enough: it grows when a compilation ends, so
     * a long C2 compilation in progress looks idle (measured: the compiler thread ran 240-350 ms into the
     * load after such a "quiet" wait, and the consumer lost events). The compiler threads' CPU time is read
     * from {@code /proc/self/task}; without it, the compilation time alone decides. No wait when the JVM has
     * no JIT or does not count compilation time.
     *
     * @param maxNanos the longest wait
     * @return whether anything was compiled during the wait
     */
    public static boolean await(long maxNanos) {
        CompilationMXBean jit;
        try {
            jit = ManagementFactory.getCompilationMXBean();
        } catch (RuntimeException | LinkageError e) {
            return false; // no management in this runtime: the warm-up's own plateau has to do
        }
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return false;
        }
        long begin = System.nanoTime();
        long first = jit.getTotalCompilationTime();
        long last = first;
        long firstCpu = compilerCpuNanos();
        long lastCpu = firstCpu;
        long lastChange = begin;
        while (true) {
            long now = System.nanoTime();
            if (now - lastChange >= QUIET_NANOS || now - begin >= maxNanos) {
                return last != first || lastCpu != firstCpu;
            }
            try {
                Thread.sleep(QUIET_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last != first || lastCpu != firstCpu;
            }
            long total = jit.getTotalCompilationTime();
            long cpu = compilerCpuNanos();
            if (total != last || cpu != lastCpu) {
                last = total;
                lastCpu = cpu;
                lastChange = System.nanoTime();
            }
        }
    }

    /**
     * @return the CPU time the JIT compiler threads have used (their {@code schedstat}, or their
     *         {@code stat} ticks), or 0 when {@code /proc/self/task} cannot tell
     */
    static long compilerCpuNanos() {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        continue;
                    }
                    sum += taskCpuNanos(task);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while we looked: it runs no more
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return sum;
    }

    private static long taskCpuNanos(Path task) throws IOException {
        try {
            // "time on CPU in ns, time waiting in ns, timeslices" (CONFIG_SCHED_INFO)
            String s = Files.readString(task.resolve("schedstat")).trim();
            return Long.parseLong(s.substring(0, s.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            // utime and stime, fields 14 and 15, in clock ticks, after the parenthesised command name
            String stat = Files.readString(task.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        }
    }

    private JitIdle() {
    }
}
