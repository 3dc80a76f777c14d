package dev.tracepoint.signal;

import dev.tracepoint.testing.ProcessCalls;

/** The few system calls the signal tests make, through the core's FFM layer ({@link ProcessCalls}). */
public final class Libc {

    private Libc() {
    }

    /** {@code kill(pid, sig)}; fails the test on an error. */
    public static void kill(long pid, int sig) {
        ProcessCalls.kill(Math.toIntExact(pid), sig);
    }

    /** {@code sigqueue(pid, sig, {.sival_int = value})}: a signal with {@code si_code == SI_QUEUE}. */
    public static void sigqueue(long pid, int sig, int value) {
        ProcessCalls.sigqueue(Math.toIntExact(pid), sig, value);
    }

    /** @return the real uid of this process */
    public static int getuid() {
        return ProcessCalls.getuid();
    }

    /** @return the calling thread's id */
    public static int gettid() {
        return ProcessCalls.gettid();
    }
}
