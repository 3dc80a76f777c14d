package dev.tracepoint.core.hardening;

import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.TestCalls;

import java.nio.file.Path;

/**
 * The program {@link PrivilegeAndLimitsIT} runs in a child JVM (as another user, or with lowered limits, so
 * the test JVM is unharmed). Prints {@code RESULT <exception class> <message>} (or {@code RESULT ok}), then
 * {@code LIBFDS <n>} and {@code MAPS <n>}: what the library still holds after the failure.
 *
 * <pre>
 * ChildProbe locate                 Tracefs.locate() and open signal:signal_generate
 * ChildProbe open TRACEFS_ROOT      open signal:signal_generate with formats from TRACEFS_ROOT
 * ChildProbe nofile                 RLIMIT_NOFILE lowered to what is open now + 3, then open 4 tracepoints
 * ChildProbe memlock PAGES          RLIMIT_MEMLOCK lowered to 64 KiB, then open rings of PAGES pages
 * </pre>
 */
public final class ChildProbe {

    private ChildProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String[] tracepoints = {"signal:signal_generate", "signal:signal_deliver", "syscalls:sys_enter_kill", "syscalls:sys_exit_kill"};
        TracepointStream stream = null;
        try {
            switch (mode) {
                case "locate" -> {
                    stream = TracepointStream.builder().tracefs(Tracefs.locate()).build();
                    stream.enable(tracepoints[0]);
                    stream.open();
                }
                case "open" -> {
                    stream = TracepointStream.builder().tracefs(Tracefs.at(Path.of(args[1]))).warmUp(false).build();
                    stream.enable(tracepoints[0]);
                    stream.open();
                }
                case "nofile" -> {
                    // a first stream loads every class the failure path needs (class loading opens files too)
                    try (TracepointStream warm = TracepointStream.builder().warmUp(false).build()) {
                        for (String t : tracepoints) {
                            warm.enable(t);
                        }
                        warm.open();
                    }
                    stream = TracepointStream.builder().warmUp(false).build();
                    for (String t : tracepoints) {
                        stream.enable(t);
                    }
                    // the class path is directories here, so loading a class opens a file: load the error
                    // path's classes now (from a jar, as in production, they need no new fd)
                    for (String c : new String[] {"dev.tracepoint.core.internal.perf.Errno", "dev.tracepoint.core.internal.perf.SyscallException",
                            "dev.tracepoint.core.PermissionDeniedException", "dev.tracepoint.core.InvalidFilterException"}) {
                        Class.forName(c, true, ChildProbe.class.getClassLoader());
                    }
                    dev.tracepoint.core.internal.perf.Errno.describe(24);
                    long open = Fds.targets().size();
                    long[] lim = Libc.getrlimit(Libc.RLIMIT_NOFILE);
                    TestCalls.setrlimit(Libc.RLIMIT_NOFILE, open + 3, lim[1]);
                    System.out.println("NOFILE " + (open + 3));
                    stream.open();
                }
                case "memlock" -> {
                    long[] lim = Libc.getrlimit(Libc.RLIMIT_MEMLOCK);
                    TestCalls.setrlimit(Libc.RLIMIT_MEMLOCK, 64 << 10, Math.min(Long.compareUnsigned(lim[1], 64 << 10) < 0 ? lim[1] : 64 << 10, 64 << 10));
                    stream = TracepointStream.builder().warmUp(false).ringPages(Integer.parseInt(args[1])).build();
                    stream.enable(tracepoints[0]);
                    stream.open();
                }
                default -> throw new IllegalArgumentException(mode);
            }
            System.out.println("RESULT ok");
        } catch (Exception e) {
            System.out.println("RESULT " + e.getClass().getName() + " " + e.getMessage().replace('\n', ' '));
        } finally {
            System.out.println("LIBFDS " + Fds.library());
            System.out.println("MAPS " + Fds.perfMappings());
            if (stream != null) {
                stream.close();
            }
        }
    }
}
