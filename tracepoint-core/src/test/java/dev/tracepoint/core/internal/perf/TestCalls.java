package dev.tracepoint.core.internal.perf;

import static dev.tracepoint.core.internal.perf.Downcalls.CALL_STATE;
import static dev.tracepoint.core.internal.perf.Downcalls.ERRNO_OPTION;
import static dev.tracepoint.core.internal.perf.Downcalls.X86_64;
import static dev.tracepoint.core.internal.perf.Downcalls.downcall;
import static dev.tracepoint.core.internal.perf.Downcalls.errno;
import static dev.tracepoint.core.internal.perf.Downcalls.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.tracepoint.core.internal.perf.Downcalls.CallState;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The downcalls only the tests make (signals, process and thread ids, {@code setrlimit}, {@code fcntl}, the
 * event id ioctl, draining an eventfd, reading {@code epoll_wait}'s results, CPU affinity, a {@code close}
 * that only makes the system call), linked through the library's
 * own {@link Downcalls} so that they capture errno and fail exactly as the library's calls do. Kept out of
 * the library's jar. Tests of other modules reach them through {@code dev.tracepoint.testing.ProcessCalls}.
 */
public final class TestCalls {

    /** {@code SIGUSR1}. */
    public static final int SIGUSR1 = 10;
    /** {@code SIGURG}: default action "ignore". */
    public static final int SIGURG = 23;
    /** {@code SIGWINCH}: default action "ignore", so sending it to oneself is harmless. */
    public static final int SIGWINCH = 28;
    /** {@code FD_CLOEXEC}, the flag {@link #fcntlGetFd} returns for a close-on-exec descriptor. */
    public static final int FD_CLOEXEC = 1;

    /** {@code __NR_gettid} (called through {@code syscall}: glibc before 2.30 has no wrapper). */
    private static final long SYS_GETTID = X86_64 ? 186 : 178;
    private static final int F_GETFD = 1;

    /** {@code long syscall(long number)} without arguments (gettid). */
    private static final MethodHandle SYSCALL0 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle GETPID = downcall("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPPID = downcall("getppid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle KILL = downcall("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    /**
     * {@code int sigqueue(pid_t pid, int sig, const union sigval value)}. The union
     * {@code { int sival_int; void *sival_ptr; }} is 8 bytes and passed by value; both the SysV x86_64 ABI
     * (class INTEGER) and AAPCS64 (composite of at most 16 bytes) pass it in one general-purpose register,
     * exactly like a {@code long}. Both are little-endian, so {@code sival_int} is the low 32 bits.
     */
    private static final MethodHandle SIGQUEUE = downcall("sigqueue",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle SETRLIMIT = downcall("setrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
    /** {@code int fcntl(int fd, int cmd, ...)} with one (ignored for F_GETFD) variadic long. */
    private static final MethodHandle FCNTL = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    /** {@code int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask)}; setaffinity alike. */
    private static final MethodHandle SCHED_GETAFFINITY = downcall("sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle SCHED_SETAFFINITY = downcall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO_OPTION);
    /** {@code int close(int fd)} without errno capture: the cheapest system call with an argument a tracepoint shows. */
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** {@code sizeof(cpu_set_t)}: 1024 CPUs. */
    private static final int CPU_SET_BYTES = 128;

    private TestCalls() {
    }

    // ---- perf ----------------------------------------------------------------------------------------------

    /**
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_ID, &id)}: the kernel's id of the event, as found in
     * {@code PERF_SAMPLE_ID}/{@code PERF_SAMPLE_IDENTIFIER} and in {@code PERF_RECORD_LOST.id}.
     *
     * @param fd a perf event
     * @return the id
     */
    public static long eventId(int fd) {
        MemorySegment buffer = CALL_STATE.get().buffer();
        PerfCalls.ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_ID, buffer);
        return buffer.get(JAVA_LONG, 0);
    }

    // ---- epoll and eventfd ---------------------------------------------------------------------------------

    /**
     * Reads {@code epoll_event.data} of entry {@code i} filled in by {@link Epoll#epollWait}.
     *
     * @param events the array passed to {@code epollWait}
     * @param i      the entry, below the count it returned
     * @return the {@code data} given to {@link Epoll#epollAdd}
     */
    public static long epollEventData(MemorySegment events, int i) {
        // Unaligned: on x86_64 the struct is packed and data sits at offset 4 of a 12-byte entry.
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED,
                (long) i * Epoll.EPOLL_EVENT_LENGTH + Epoll.EPOLL_EVENT_DATA_OFFSET);
    }

    /**
     * Reads {@code epoll_event.events} of entry {@code i} filled in by {@link Epoll#epollWait}.
     *
     * @param events the array passed to {@code epollWait}
     * @param i      the entry, below the count it returned
     * @return the ready {@code EPOLL*} bits
     */
    public static int epollEventEvents(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_INT_UNALIGNED, (long) i * Epoll.EPOLL_EVENT_LENGTH);
    }

    /**
     * Wraps {@code read(fd, &counter, 8)}: resets the eventfd counter to 0. {@code EAGAIN} (already 0) is
     * not an error.
     *
     * @param fd an eventfd created by {@link EventFd#eventfd()}
     */
    public static void eventfdDrain(int fd) {
        EventFd.eventfdIo(Syscalls.SYS_READ, "read", fd, CALL_STATE.get());
    }

    // ---- descriptors, processes, limits --------------------------------------------------------------------

    /**
     * Wraps {@code fcntl(fd, F_GETFD)}.
     *
     * @param fd the descriptor
     * @return the descriptor flags; {@code (flags & FD_CLOEXEC) != 0} for a close-on-exec descriptor
     */
    public static int fcntlGetFd(int fd) {
        MemorySegment capture = CALL_STATE.get().capture();
        int flags;
        try {
            flags = (int) FCNTL.invokeExact(capture, fd, F_GETFD, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (flags == -1) {
            throw new SyscallException("fcntl", "F_GETFD", errno(capture));
        }
        return flags;
    }

    /**
     * Wraps {@code getpid()}.
     *
     * @return the process id (thread group id)
     */
    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Wraps {@code getppid()}: a system call without side effects, for tests that count their own
     * {@code syscalls:sys_enter_getppid} events (glibc does not cache it).
     *
     * @return the parent's process id
     */
    public static int getppid() {
        try {
            return (int) GETPPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Wraps {@code syscall(__NR_gettid)}. Note that a Java {@code main} thread is not the process's initial
     * thread (the launcher starts the JVM on a new thread), so {@code gettid() != getpid()} there: a
     * per-thread perf event for the current Java thread needs this id, or {@code pid = 0}.
     *
     * @return the calling thread's kernel thread id
     */
    public static int gettid() {
        try {
            return (int) (long) SYSCALL0.invokeExact(SYS_GETTID);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Wraps {@code kill(pid, sig)}.
     *
     * @param pid process id
     * @param sig signal number (0 only checks that the process exists; it generates no signal)
     * @return 0
     * @throws SyscallException {@code ESRCH}, {@code EPERM}, {@code EINVAL}
     */
    public static int kill(int pid, int sig) {
        MemorySegment capture = CALL_STATE.get().capture();
        int rc;
        try {
            rc = (int) KILL.invokeExact(capture, pid, sig);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            throw new SyscallException("kill", errno(capture));
        }
        return rc;
    }

    /**
     * Wraps {@code sigqueue(pid, sig, (union sigval){.sival_int = value})}: a signal with a payload
     * ({@code SI_QUEUE}). The union is passed by value as a {@code long}; see the field comment for why that
     * matches the C ABI on x86_64 and aarch64.
     *
     * @param pid   process id
     * @param sig   signal number
     * @param value {@code sival_int}
     */
    public static void sigqueue(int pid, int sig, int value) {
        MemorySegment capture = CALL_STATE.get().capture();
        int rc;
        try {
            rc = (int) SIGQUEUE.invokeExact(capture, pid, sig, Integer.toUnsignedLong(value));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            throw new SyscallException("sigqueue", errno(capture));
        }
    }

    /**
     * Wraps {@code setrlimit(resource, &(struct rlimit){soft, hard})}.
     *
     * @param resource {@link Libc#RLIMIT_NOFILE}, {@link Libc#RLIMIT_MEMLOCK}, ...
     * @param soft     {@code rlim_cur}, {@link Libc#RLIM_INFINITY} for unlimited
     * @param hard     {@code rlim_max}, {@link Libc#RLIM_INFINITY} for unlimited
     * @throws SyscallException {@code EPERM} when raising the hard limit without privileges, {@code EINVAL}
     *                          when soft exceeds hard
     */
    public static void setrlimit(int resource, long soft, long hard) {
        CallState state = CALL_STATE.get();
        state.buffer().set(JAVA_LONG, 0, soft);
        state.buffer().set(JAVA_LONG, 8, hard);
        int rc;
        try {
            rc = (int) SETRLIMIT.invokeExact(state.capture(), resource, state.buffer());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            throw new SyscallException("setrlimit", errno(state.capture()));
        }
    }

    // ---- CPU affinity, raw system calls --------------------------------------------------------------------

    /**
     * Wraps {@code sched_getaffinity(0, sizeof(cpu_set_t), &mask)} for the calling thread.
     *
     * @return the mask, 16 words of 64 CPUs
     */
    public static long[] getAffinity() {
        return affinity(SCHED_GETAFFINITY, "sched_getaffinity", new long[CPU_SET_BYTES / 8]);
    }

    /**
     * Wraps {@code sched_setaffinity(0, sizeof(cpu_set_t), &mask)} for the calling thread.
     *
     * @param mask 16 words of 64 CPUs, as {@link #getAffinity()} returns
     */
    public static void setAffinity(long[] mask) {
        affinity(SCHED_SETAFFINITY, "sched_setaffinity", mask);
    }

    /** {@code sched_[gs]etaffinity(0, sizeof(cpu_set_t), mask)}: the mask in, the mask (as the call left it) out. */
    private static long[] affinity(MethodHandle call, String name, long[] mask) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment m = arena.allocate(CPU_SET_BYTES, 8);
            MemorySegment.copy(mask, 0, m, JAVA_LONG, 0, Math.min(mask.length, CPU_SET_BYTES / 8));
            MemorySegment capture = CALL_STATE.get().capture();
            int rc;
            try {
                rc = (int) call.invokeExact(capture, 0, (long) CPU_SET_BYTES, m);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc == -1) {
                throw new SyscallException(name, errno(capture));
            }
            return m.toArray(JAVA_LONG);
        }
    }

    /**
     * Pins the calling thread to one CPU.
     *
     * @param cpu the CPU
     * @return the thread's previous mask, for {@link #setAffinity} afterwards
     */
    public static long[] pinTo(int cpu) {
        long[] previous = getAffinity();
        long[] one = new long[CPU_SET_BYTES / 8];
        one[cpu / 64] = 1L << (cpu % 64);
        setAffinity(one);
        return previous;
    }

    /**
     * {@code close(fd)}, nothing more: no errno capture and no exception, for a test that makes a system call
     * with an argument it chooses (a descriptor that is not open: {@code EBADF}, no effect) many times.
     *
     * @param fd the descriptor
     * @return the C result
     */
    public static int closeRaw(int fd) {
        try {
            return (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
