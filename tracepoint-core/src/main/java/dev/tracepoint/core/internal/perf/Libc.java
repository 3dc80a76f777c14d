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
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The plain C library calls the library makes, as FFM downcalls linked through {@link Downcalls}: memory
 * mapping, file descriptors, the clock, the page size, the user id, resource limits, a signal's
 * disposition, sending a signal and {@code membarrier}. A C result of -1 becomes a {@link SyscallException} carrying {@code errno}; exceptions are
 * documented per method ({@code EINTR} from {@link #close} and {@link #read}).
 *
 * <p>Thread-safe. No call except {@link #openReadOnly} allocates native memory.
 *
 * <p>Callers need {@code --enable-native-access} for the module (or {@code ALL-UNNAMED}); {@link #mmap}
 * uses the restricted {@link MemorySegment#reinterpret(long)}.
 */
public final class Libc {

    // ---- constants used with the calls below (Linux values, identical on x86_64 and aarch64) --------------

    /** {@code SIGINT}. */
    public static final int SIGINT = 2;
    /** {@code SIGTERM}. */
    public static final int SIGTERM = 15;
    /** {@code SIGCONT}: resumes a stopped process. */
    public static final int SIGCONT = 18;
    /** {@code CLOCK_REALTIME}. */
    public static final int CLOCK_REALTIME = 0;
    /** {@code CLOCK_MONOTONIC}. */
    public static final int CLOCK_MONOTONIC = 1;
    /** {@code RLIMIT_NOFILE}: open file descriptors. */
    public static final int RLIMIT_NOFILE = 7;
    /** {@code RLIMIT_MEMLOCK}: locked memory; perf mmaps beyond {@code perf_event_mlock_kb} count here. */
    public static final int RLIMIT_MEMLOCK = 8;
    /** {@code RLIM_INFINITY} as a Java long (all ones, the unsigned maximum). */
    public static final long RLIM_INFINITY = -1L;

    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_SHARED = 0x01;
    private static final long MAP_FAILED = -1L;
    /** {@code __NR_membarrier}: arch/x86/entry/syscalls/syscall_64.tbl; asm-generic/unistd.h. */
    private static final long SYS_MEMBARRIER = X86_64 ? 324 : 283;
    /** {@code MEMBARRIER_CMD_GLOBAL} (formerly {@code MEMBARRIER_CMD_SHARED}), include/uapi/linux/membarrier.h. */
    public static final int MEMBARRIER_CMD_GLOBAL = 1;

    // ---- downcalls -----------------------------------------------------------------------------------------

    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            ERRNO_OPTION);
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
    static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle CLOCK_GETTIME = downcall("clock_gettime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle GETPAGESIZE = downcall("getpagesize",
            FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETUID = downcall("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle KILL = downcall("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    /** {@code sighandler_t signal(int sig, sighandler_t handler)}. */
    private static final MethodHandle SIGNAL = downcall("signal",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle GETRLIMIT = downcall("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
    /** {@code long syscall(long number, ...)} with three variadic long arguments (membarrier: glibc has no wrapper). */
    private static final MethodHandle SYSCALL3 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(1));

    private Libc() {
    }

    // ---- memory mapping ------------------------------------------------------------------------------------

    /**
     * Wraps {@code mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)}. The mapping is writable
     * so that the reader can store {@code data_tail}; the kernel then never overwrites unread records.
     * FFM returns the address as a zero-length segment; it is reinterpreted to {@code length} bytes in the
     * global scope, so the caller owns it and must {@link #munmap} it (for instance through
     * {@code segment.reinterpret(arena, Libc::munmap)}).
     *
     * @param length bytes, for a perf ring {@code (1 + 2^n) * pageSize()}
     * @param fd     the perf event
     * @return the mapping
     * @throws SyscallException {@code EPERM} when the size exceeds {@code perf_event_mlock_kb} plus
     *                          {@code RLIMIT_MEMLOCK} for an unprivileged user, {@code EINVAL} when it is
     *                          not 1 + 2^n pages
     */
    public static MemorySegment mmap(long length, int fd) {
        return mmap(length, fd, PROT_READ | PROT_WRITE);
    }

    /**
     * Wraps {@code mmap(NULL, length, PROT_READ, MAP_SHARED, fd, 0)}: for a perf ring, overwrite mode (the
     * kernel's {@code rb->overwrite}: it never reads {@code data_tail} and writes over the oldest records).
     * Ownership as for {@link #mmap(long, int)}; any write through the segment faults.
     *
     * @param length bytes, for a perf ring {@code (1 + 2^n) * pageSize()}
     * @param fd     the perf event
     * @return the mapping
     * @throws SyscallException as {@link #mmap(long, int)}
     */
    public static MemorySegment mmapReadOnly(long length, int fd) {
        return mmap(length, fd, PROT_READ);
    }

    @SuppressWarnings("restricted") // the kernel guarantees length bytes at the returned address
    private static MemorySegment mmap(long length, int fd, int prot) {
        MemorySegment capture = CALL_STATE.get().capture();
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length, prot, MAP_SHARED, fd, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (address.address() == MAP_FAILED) {
            throw new SyscallException("mmap", errno(capture));
        }
        return address.reinterpret(length);
    }

    /**
     * Wraps {@code munmap(segment.address(), segment.byteSize())}. Any other segment still pointing into the
     * mapping must no longer be used.
     *
     * @param segment a segment returned by {@link #mmap}
     */
    public static void munmap(MemorySegment segment) {
        MemorySegment capture = CALL_STATE.get().capture();
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(capture, segment, segment.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            throw new SyscallException("munmap", errno(capture));
        }
    }

    // ---- file descriptors ----------------------------------------------------------------------------------

    /**
     * Wraps {@code open(path, O_RDONLY | O_CLOEXEC)}: a descriptor for a file or directory, e.g. a cgroup
     * directory for {@code perf_event_open} with {@code PERF_FLAG_PID_CGROUP}.
     *
     * @param path the path
     * @return the descriptor
     */
    public static int openReadOnly(String path) {
        MemorySegment capture = CALL_STATE.get().capture();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(capture, arena.allocateFrom(path), 02000000 /* O_RDONLY | O_CLOEXEC */);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd == -1) {
            throw new SyscallException("open", errno(capture));
        }
        return fd;
    }

    /**
     * Wraps {@code close(fd)}. {@code EINTR} is ignored: on Linux the descriptor is released even then, and
     * retrying could close a descriptor another thread has just been given.
     *
     * @param fd the descriptor
     * @throws SyscallException for other errors, notably {@code EBADF} (callers decide whether that matters)
     */
    public static void close(int fd) {
        MemorySegment capture = CALL_STATE.get().capture();
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            int errno = errno(capture);
            if (errno != Errno.EINTR) {
                throw new SyscallException("close", errno);
            }
        }
    }

    /**
     * Wraps {@code read(fd, buf, len)}, retrying on {@code EINTR}. On a perf event fd without
     * {@code read_format} bits it returns the 8-byte counter: how often the event fired.
     *
     * @param fd  the descriptor
     * @param buf destination
     * @param len bytes to read at most, no more than {@code buf.byteSize()}
     * @return bytes read, 0 at end of file
     * @throws SyscallException on failure (including {@code EAGAIN} on a non-blocking descriptor)
     */
    public static long read(int fd, MemorySegment buf, long len) {
        if (len < 0 || len > buf.byteSize()) {
            throw new IllegalArgumentException("len=" + len + " outside buffer byteSize=" + buf.byteSize());
        }
        MemorySegment capture = CALL_STATE.get().capture();
        while (true) {
            long n;
            try {
                n = (long) READ.invokeExact(capture, fd, buf, len);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) {
                return n;
            }
            int errno = errno(capture);
            if (errno != Errno.EINTR) {
                throw new SyscallException("read", errno);
            }
        }
    }

    // ---- process, clock, limits ----------------------------------------------------------------------------

    /**
     * Wraps {@code clock_gettime(clockId, &ts)}.
     *
     * @param clockId {@link #CLOCK_REALTIME}, {@link #CLOCK_MONOTONIC}, ...
     * @return {@code ts.tv_sec * 1e9 + ts.tv_nsec}
     */
    public static long clockGettimeNanos(int clockId) {
        CallState state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) CLOCK_GETTIME.invokeExact(state.capture(), clockId, state.buffer());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            throw new SyscallException("clock_gettime", errno(state.capture()));
        }
        // struct timespec { time_t tv_sec; long tv_nsec; } on LP64
        return state.buffer().get(JAVA_LONG, 0) * 1_000_000_000L + state.buffer().get(JAVA_LONG, 8);
    }

    /**
     * Wraps {@code getpagesize()}.
     *
     * @return the page size in bytes (4096 on x86_64; 4096, 16384 or 65536 on aarch64)
     */
    public static int pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Wraps {@code getuid()}.
     *
     * @return the real user id (0 for root)
     */
    public static int getuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Wraps {@code kill(pid, sig)}.
     *
     * @param pid the process
     * @param sig the signal, e.g. {@link #SIGCONT}
     * @throws SyscallException {@code ESRCH} when there is no such process, {@code EPERM}
     */
    public static void kill(int pid, int sig) {
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
    }

    /**
     * Wraps {@code signal(sig, SIG_DFL)}. A JVM started in the background by a non-interactive shell
     * inherits {@code SIGINT} (and {@code SIGQUIT}) as ignored, and then silently installs no handler for
     * it: neither shutdown hooks nor {@code jdk.internal.misc.Signal} handlers run on Ctrl-C/{@code kill
     * -INT}. Restoring the default disposition first lets a handler installed afterwards work.
     *
     * @param sig the signal
     */
    public static void restoreDefaultSignal(int sig) {
        MemorySegment capture = CALL_STATE.get().capture();
        MemorySegment previous;
        try {
            previous = (MemorySegment) SIGNAL.invokeExact(capture, sig, MemorySegment.NULL); // SIG_DFL == 0
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (previous.address() == -1L) { // SIG_ERR
            throw new SyscallException("signal", errno(capture));
        }
    }

    /**
     * Wraps {@code getrlimit(resource, &rlim)}.
     *
     * @param resource {@link #RLIMIT_NOFILE}, {@link #RLIMIT_MEMLOCK}, ...
     * @return {@code {rlim_cur, rlim_max}}; {@link #RLIM_INFINITY} (-1) for unlimited
     */
    public static long[] getrlimit(int resource) {
        CallState state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) GETRLIMIT.invokeExact(state.capture(), resource, state.buffer());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            throw new SyscallException("getrlimit", errno(state.capture()));
        }
        return new long[] {state.buffer().get(JAVA_LONG, 0), state.buffer().get(JAVA_LONG, 8)};
    }

    /**
     * Wraps {@code syscall(__NR_membarrier, cmd, 0, 0)}. With {@link #MEMBARRIER_CMD_GLOBAL} it returns once
     * every CPU has passed through a full memory barrier since the call: the kernel implements it as
     * {@code synchronize_rcu()}, so every RCU read-side critical section that was in progress when the call
     * began has ended.
     *
     * @param cmd a {@code MEMBARRIER_CMD_*}
     * @throws SyscallException {@code EINVAL} for {@code MEMBARRIER_CMD_GLOBAL} on a {@code nohz_full} kernel,
     *                          {@code ENOSYS} before Linux 4.3
     */
    public static void membarrier(int cmd) {
        MemorySegment capture = CALL_STATE.get().capture();
        long rc;
        try {
            rc = (long) SYSCALL3.invokeExact(capture, SYS_MEMBARRIER, (long) cmd, 0L, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            throw new SyscallException("membarrier", errno(capture));
        }
    }
}
