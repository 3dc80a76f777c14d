package dev.tracepoint.testing;

import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.TestCalls;

/**
 * The core's test-only system calls for the tests of the other modules. Those compile against the core's
 * test jar from outside the core module, where a test class in one of the core's own packages
 * ({@link TestCalls}) is not visible; this class, in a package of the test jar alone, is.
 */
public final class ProcessCalls {

    private ProcessCalls() {
    }

    /**
     * {@code kill(pid, sig)}.
     *
     * @param pid process id
     * @param sig signal number
     * @throws dev.tracepoint.core.internal.perf.SyscallException on failure
     */
    public static void kill(int pid, int sig) {
        TestCalls.kill(pid, sig);
    }

    /**
     * {@code sigqueue(pid, sig, {.sival_int = value})}: a signal with {@code si_code == SI_QUEUE}.
     *
     * @param pid   process id
     * @param sig   signal number
     * @param value {@code sival_int}
     * @throws dev.tracepoint.core.internal.perf.SyscallException on failure
     */
    public static void sigqueue(int pid, int sig, int value) {
        TestCalls.sigqueue(pid, sig, value);
    }

    /** @return the real uid of this process */
    public static int getuid() {
        return Libc.getuid();
    }

    /** @return the calling thread's kernel thread id */
    public static int gettid() {
        return TestCalls.gettid();
    }
}
