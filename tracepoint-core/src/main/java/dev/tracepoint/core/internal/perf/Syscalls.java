package dev.tracepoint.core.internal.perf;

import static dev.tracepoint.core.internal.perf.Downcalls.ERRNO_OPTION;
import static dev.tracepoint.core.internal.perf.Downcalls.X86_64;
import static dev.tracepoint.core.internal.perf.Downcalls.downcall;
import static dev.tracepoint.core.internal.perf.Downcalls.rethrow;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Every system call the library makes, by number, through one downcall: glibc's
 * {@code long syscall(long number, ...)} with six variadic {@code long} arguments (the kernel ignores those a
 * call does not take; glibc loads all six registers either way), returning -1 with {@code errno} set on
 * failure. Pointers are passed as their addresses ({@link MemorySegment#address()}), and the caller keeps the
 * segment reachable across the call.
 *
 * <p>One downcall shape instead of one per C function: linking a downcall spins a stub class and a dozen
 * method handle forms for its shape, and the JIT then compiled the class-file code that spins them. Measured
 * on a 2-vCPU VM: linking the 14 shapes the library had took 0.25-0.36 s of CPU, one shape 0.12 s; a stream
 * opened without warm-up spun 70 lambda forms instead of 224 and 1 downcall stub instead of 15, and was armed
 * after 0.37 s of CPU instead of 0.56 s.
 *
 * <p>Numbers from {@code arch/x86/entry/syscalls/syscall_64.tbl} (x86_64) and
 * {@code include/uapi/asm-generic/unistd.h} (aarch64, which has no {@code epoll_wait}: {@code epoll_pwait}
 * with no signal mask is the same call on both).
 */
final class Syscalls {

    static final long SYS_READ = X86_64 ? 0 : 63;
    static final long SYS_WRITE = X86_64 ? 1 : 64;
    static final long SYS_CLOSE = X86_64 ? 3 : 57;
    static final long SYS_MMAP = X86_64 ? 9 : 222;
    static final long SYS_MUNMAP = X86_64 ? 11 : 215;
    static final long SYS_RT_SIGACTION = X86_64 ? 13 : 134;
    static final long SYS_IOCTL = X86_64 ? 16 : 29;
    static final long SYS_PREAD64 = X86_64 ? 17 : 67;
    static final long SYS_SOCKET = X86_64 ? 41 : 198;
    static final long SYS_RECVFROM = X86_64 ? 45 : 207;
    static final long SYS_BIND = X86_64 ? 49 : 200;
    static final long SYS_KILL = X86_64 ? 62 : 129;
    static final long SYS_GETUID = X86_64 ? 102 : 174;
    static final long SYS_CLOCK_GETTIME = X86_64 ? 228 : 113;
    static final long SYS_EPOLL_CTL = X86_64 ? 233 : 21;
    static final long SYS_OPENAT = X86_64 ? 257 : 56;
    static final long SYS_EPOLL_PWAIT = X86_64 ? 281 : 22;
    static final long SYS_EVENTFD2 = X86_64 ? 290 : 19;
    static final long SYS_EPOLL_CREATE1 = X86_64 ? 291 : 20;
    static final long SYS_PERF_EVENT_OPEN = X86_64 ? 298 : 241;
    static final long SYS_PRLIMIT64 = X86_64 ? 302 : 261;
    static final long SYS_MEMBARRIER = X86_64 ? 324 : 283;

    /** {@code long syscall(long number, ...)} with six variadic long arguments. */
    private static final MethodHandle SYSCALL = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(1));

    private Syscalls() {
    }

    /**
     * Makes a system call.
     *
     * @param capture the calling thread's errno capture ({@link Downcalls.CallState#capture()})
     * @param nr      the system call's number
     * @param a1      its first argument (0 if it takes none), and so on
     * @param a2      the second
     * @param a3      the third
     * @param a4      the fourth
     * @param a5      the fifth
     * @param a6      the sixth
     * @return the kernel's result; -1 on failure, with errno in {@code capture} ({@link Downcalls#errno})
     */
    static long call(MemorySegment capture, long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) SYSCALL.invokeExact(capture, nr, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@link #call} with three arguments. */
    static long call(MemorySegment capture, long nr, long a1, long a2, long a3) {
        return call(capture, nr, a1, a2, a3, 0, 0, 0);
    }
}
