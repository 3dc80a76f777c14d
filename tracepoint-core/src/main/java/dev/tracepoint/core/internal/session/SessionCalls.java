package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.SyscallException;

/**
 * The two ways the session's classes make a system call: {@link #call}, which turns a failure into the
 * public exception ({@link SetupFailures#translate}), and {@link #closeQuietly}, for releasing. Stateless.
 */
final class SessionCalls {

    /** A system call that may fail with a {@link SyscallException}. */
    @FunctionalInterface
    interface Call {
        long run();
    }

    private SessionCalls() {
    }

    /** Runs {@code c}; a failure becomes the exception naming the call, errno, CPU and tracepoint. */
    static long call(Call c, int cpu, String tracepoint) throws TracepointException {
        try {
            return c.run();
        } catch (SyscallException e) {
            throw SetupFailures.translate(e, cpu, tracepoint);
        }
    }

    /** Closes an fd (nothing for a negative one), ignoring a failure: nothing more can be released. */
    static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                Libc.close(fd);
            } catch (SyscallException ignored) {
                // nothing more to release
            }
        }
    }
}
