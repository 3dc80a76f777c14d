package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.InvalidFilterException;
import dev.tracepoint.core.PermissionDeniedException;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.perf.Errno;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a failed system call of a stream's setup into the public exception a user can act on: the call, the
 * errno name and its meaning, the CPU and tracepoint, and for the failures a user can fix (permissions,
 * limits, filters, cgroups) what to change, with this machine's values. Stateless.
 */
public final class SetupFailures {

    private SetupFailures() {
    }

    /**
     * @param e          the failure
     * @param cpu        the CPU it was for, or -1
     * @param tracepoint the tracepoint it was for, or null
     * @return a {@link PermissionDeniedException} for EACCES/EPERM, else a {@link TracepointException}
     */
    public static TracepointException translate(SyscallException e, int cpu, String tracepoint) {
        String head = e.syscall() + where(cpu, tracepoint) + ": " + e.errnoName() + " (" + Errno.describe(e.errno()) + ")";
        if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM) {
            return new PermissionDeniedException(head + ". " + permissionHint(), e.syscall(), e.errno(), e.errnoName(), cpu, tracepoint);
        }
        if (e.errno() == Errno.EMFILE || e.errno() == Errno.ENFILE) {
            long[] lim = rlimit(Libc.RLIMIT_NOFILE);
            return new TracepointException(head + ". Too many open files: RLIMIT_NOFILE is soft=" + lim[0] + " hard=" + lim[1]
                    + "; a stream needs one fd per tracepoint and CPU plus two (raise it with ulimit -n)",
                    e.syscall(), e.errno(), e.errnoName(), cpu, tracepoint, e);
        }
        return new TracepointException(head, e.syscall(), e.errno(), e.errnoName(), cpu, tracepoint, e);
    }

    /**
     * @param e      the failure of mmap
     * @param cpu    the CPU of the ring
     * @param tracepoint the tracepoint whose event the ring was for
     * @param length the mapping's length
     * @return the exception, naming perf_event_mlock_kb and RLIMIT_MEMLOCK when the ring did not fit them
     */
    public static TracepointException mmap(SyscallException e, int cpu, String tracepoint, long length) {
        String head = "mmap of a " + length + "-byte perf ring" + where(cpu, tracepoint) + ": " + e.errnoName()
                + " (" + Errno.describe(e.errno()) + ")";
        if (e.errno() == Errno.EPERM || e.errno() == Errno.ENOMEM || e.errno() == Errno.EACCES) {
            long[] lim = rlimit(Libc.RLIMIT_MEMLOCK);
            return new TracepointException(head + ". Ring memory counts against kernel.perf_event_mlock_kb ("
                    + read("/proc/sys/kernel/perf_event_mlock_kb") + " KiB per user) and then RLIMIT_MEMLOCK (soft=" + lim[0]
                    + " hard=" + lim[1] + "); use fewer ring pages, or raise the limit (ulimit -l)",
                    "mmap", e.errno(), e.errnoName(), cpu, tracepoint, e);
        }
        return new TracepointException(head, "mmap", e.errno(), e.errnoName(), cpu, tracepoint, e);
    }

    /**
     * @param e          the failure of {@code PERF_EVENT_IOC_SET_FILTER}
     * @param tracepoint the tracepoint
     * @param filter     the filter the kernel rejected
     * @param format     the tracepoint's format, whose fields the message lists
     * @return the exception
     */
    public static InvalidFilterException filter(SyscallException e, String tracepoint, String filter, EventFormat format) {
        List<String> names = new ArrayList<>();
        for (Field f : format.fields()) {
            names.add(f.name());
        }
        return new InvalidFilterException("the kernel rejected the filter for " + tracepoint + ": \"" + filter + "\" ("
                + e.errnoName() + "); filters use ftrace syntax over the tracepoint's fields: " + String.join(", ", names),
                tracepoint, filter, e.errno(), e.errnoName());
    }

    /**
     * @param e      the failure to open the cgroup directory
     * @param cgroup the directory
     * @return the exception
     */
    public static TracepointException cgroup(SyscallException e, Path cgroup) {
        return new TracepointException("open cgroup " + cgroup + ": " + e.errnoName() + " (" + Errno.describe(e.errno())
                + "); give the cgroup v2 directory, e.g. /sys/fs/cgroup/system.slice/nginx.service",
                "open", e.errno(), e.errnoName(), -1, null, e);
    }

    /** @return the perf_event_open permission model, explained with this machine's values */
    public static String permissionHint() {
        return "Tracepoints need root or CAP_PERFMON (Linux 5.8+; CAP_SYS_ADMIN before) plus read access to tracefs; "
                + "kernel.perf_event_paranoid is " + read("/proc/sys/kernel/perf_event_paranoid") + " here (system-wide tracepoint "
                + "sampling needs <= -1 without those capabilities). Run as root, or grant the capability: setcap cap_perfmon+ep on the java binary";
    }

    private static String where(int cpu, String tracepoint) {
        return (tracepoint != null ? " for " + tracepoint : "") + (cpu >= 0 ? " on CPU " + cpu : "");
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return "unreadable";
        }
    }

    private static long[] rlimit(int resource) {
        try {
            return Libc.getrlimit(resource);
        } catch (RuntimeException ex) {
            return new long[] {-2, -2};
        }
    }
}
