package dev.tracepoint.core.internal.perf;

import static dev.tracepoint.core.internal.perf.Downcalls.CALL_STATE;
import static dev.tracepoint.core.internal.perf.Downcalls.errno;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.tracepoint.core.internal.perf.Downcalls.CallState;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The plain system calls the library makes, through {@link Syscalls} (one downcall for all): memory mapping,
 * file descriptors, the clock, the user id, resource limits, a signal's disposition, sending a signal and
 * {@code membarrier}; and the page size (from the auxiliary vector). A result of -1 becomes a
 * {@link SyscallException} carrying {@code errno}; exceptions are documented per method ({@code EINTR} from
 * {@link #close} and {@link #read}).
 *
 * <p>Thread-safe. No call except {@link #openReadOnly} and {@link #restoreDefaultSignal} allocates native memory.
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
    /** {@code MEMBARRIER_CMD_GLOBAL} (formerly {@code MEMBARRIER_CMD_SHARED}), include/uapi/linux/membarrier.h. */
    public static final int MEMBARRIER_CMD_GLOBAL = 1;
    /** {@code AT_FDCWD}: openat's directory argument for a path relative to the working directory (or absolute). */
    private static final long AT_FDCWD = -100;
    /** {@code O_RDONLY | O_CLOEXEC}. */
    private static final long O_RDONLY_CLOEXEC = 02000000;
    /** {@code AT_PAGESZ} in the auxiliary vector (include/uapi/linux/auxvec.h). */
    private static final long AT_PAGESZ = 6;
    /** The page size, read once. */
    private static volatile int pageSize;

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
        long address = Syscalls.call(capture, Syscalls.SYS_MMAP, 0L, length, prot, MAP_SHARED, fd, 0L);
        if (address == MAP_FAILED) {
            throw new SyscallException("mmap", errno(capture));
        }
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    /**
     * Wraps {@code munmap(segment.address(), segment.byteSize())}. Any other segment still pointing into the
     * mapping must no longer be used.
     *
     * @param segment a segment returned by {@link #mmap}
     */
    public static void munmap(MemorySegment segment) {
        MemorySegment capture = CALL_STATE.get().capture();
        long rc = Syscalls.call(capture, Syscalls.SYS_MUNMAP, segment.address(), segment.byteSize(), 0L);
        if (rc == -1) {
            throw new SyscallException("munmap", errno(capture));
        }
    }

    // ---- file descriptors ----------------------------------------------------------------------------------

    /**
     * Wraps {@code openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC)}: a descriptor for a file or directory, e.g. a cgroup
     * directory for {@code perf_event_open} with {@code PERF_FLAG_PID_CGROUP}.
     *
     * @param path the path
     * @return the descriptor
     */
    public static int openReadOnly(String path) {
        MemorySegment capture = CALL_STATE.get().capture();
        long fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = Syscalls.call(capture, Syscalls.SYS_OPENAT, AT_FDCWD, arena.allocateFrom(path).address(), O_RDONLY_CLOEXEC);
        }
        if (fd == -1) {
            throw new SyscallException("open", errno(capture));
        }
        return (int) fd;
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
        long rc = Syscalls.call(capture, Syscalls.SYS_CLOSE, fd, 0L, 0L);
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
        return transfer(Syscalls.SYS_READ, "read", fd, buf, len, 0);
    }

    /**
     * Wraps {@code pread(fd, buf, len, offset)}, retrying on {@code EINTR}: reads without moving the file offset.
     * A sysfs file read again at offset 0 is generated anew, so one descriptor serves a check that repeats.
     *
     * @param fd     the descriptor
     * @param buf    destination
     * @param len    bytes to read at most, no more than {@code buf.byteSize()}
     * @param offset where in the file
     * @return bytes read, 0 at end of file
     * @throws SyscallException on failure
     */
    public static long pread(int fd, MemorySegment buf, long len, long offset) {
        return transfer(Syscalls.SYS_PREAD64, "pread", fd, buf, len, offset);
    }

    /** {@code read} or {@code pread}, retried on {@code EINTR}; {@code read} takes no fourth argument, so the offset goes unread. */
    private static long transfer(long nr, String call, int fd, MemorySegment buf, long len, long offset) {
        if (len < 0 || len > buf.byteSize()) {
            throw new IllegalArgumentException("len=" + len + " outside buffer byteSize=" + buf.byteSize());
        }
        MemorySegment capture = CALL_STATE.get().capture();
        while (true) {
            long n = Syscalls.call(capture, nr, fd, buf.address(), len, offset, 0, 0);
            Reference.reachabilityFence(buf);
            if (n >= 0) {
                return n;
            }
            int errno = errno(capture);
            if (errno != Errno.EINTR) {
                throw new SyscallException(call, errno);
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
        long rc = Syscalls.call(state.capture(), Syscalls.SYS_CLOCK_GETTIME, clockId, state.buffer().address(), 0L);
        if (rc == -1) {
            throw new SyscallException("clock_gettime", errno(state.capture()));
        }
        // struct timespec { time_t tv_sec; long tv_nsec; } on LP64
        return state.buffer().get(JAVA_LONG, 0) * 1_000_000_000L + state.buffer().get(JAVA_LONG, 8);
    }

    /**
     * The page size, as {@code getpagesize()} gives it: {@code AT_PAGESZ} of the auxiliary vector the kernel
     * gave this process ({@code /proc/self/auxv}); 4096 when that cannot be read (x86_64's only size).
     *
     * @return the page size in bytes (4096 on x86_64; 4096, 16384 or 65536 on aarch64)
     */
    public static int pageSize() {
        int p = pageSize;
        if (p == 0) {
            p = 4096;
            try {
                // pairs of unsigned longs (type, value) in native order, up to AT_NULL
                ByteBuffer auxv = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv"))).order(ByteOrder.nativeOrder());
                while (auxv.remaining() >= 16) {
                    long type = auxv.getLong();
                    long value = auxv.getLong();
                    if (type == AT_PAGESZ && value > 0 && value <= 1 << 30 && Long.bitCount(value) == 1) {
                        p = (int) value;
                        break;
                    }
                    if (type == 0) {
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no /proc: the default
            }
            pageSize = p;
        }
        return p;
    }

    /**
     * Wraps {@code getuid()}.
     *
     * @return the real user id (0 for root)
     */
    public static int getuid() {
        return (int) Syscalls.call(CALL_STATE.get().capture(), Syscalls.SYS_GETUID, 0L, 0L, 0L);
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
        long rc = Syscalls.call(capture, Syscalls.SYS_KILL, pid, sig, 0L);
        if (rc == -1) {
            throw new SyscallException("kill", errno(capture));
        }
    }

    /**
     * Sets a signal's disposition to {@code SIG_DFL}, as {@code signal(sig, SIG_DFL)} does:
     * {@code rt_sigaction(sig, &(struct sigaction){SIG_DFL}, NULL, 8)}, no flags, no mask. A JVM started in the background by a non-interactive shell
     * inherits {@code SIGINT} (and {@code SIGQUIT}) as ignored, and then silently installs no handler for
     * it: neither shutdown hooks nor {@code jdk.internal.misc.Signal} handlers run on Ctrl-C/{@code kill
     * -INT}. Restoring the default disposition first lets a handler installed afterwards work.
     *
     * @param sig the signal
     */
    public static void restoreDefaultSignal(int sig) {
        MemorySegment capture = CALL_STATE.get().capture();
        long rc;
        // the kernel's struct sigaction: handler (SIG_DFL == 0), flags, restorer, mask: 32 zero bytes on x86_64
        // and aarch64
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment act = arena.allocate(32, 8);
            rc = Syscalls.call(capture, Syscalls.SYS_RT_SIGACTION, sig, act.address(), 0L, 8L /* sizeof(sigset_t) */, 0L, 0L);
        }
        if (rc == -1) {
            throw new SyscallException("signal", errno(capture));
        }
    }

    /**
     * Wraps {@code getrlimit(resource, &rlim)}, as {@code prlimit64(0, resource, NULL, &rlim)}.
     *
     * @param resource {@link #RLIMIT_NOFILE}, {@link #RLIMIT_MEMLOCK}, ...
     * @return {@code {rlim_cur, rlim_max}}; {@link #RLIM_INFINITY} (-1) for unlimited
     */
    public static long[] getrlimit(int resource) {
        CallState state = CALL_STATE.get();
        long rc = Syscalls.call(state.capture(), Syscalls.SYS_PRLIMIT64, 0L, resource, 0L, state.buffer().address(), 0L, 0L);
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
        long rc = Syscalls.call(capture, Syscalls.SYS_MEMBARRIER, cmd, 0L, 0L);
        if (rc == -1) {
            throw new SyscallException("membarrier", errno(capture));
        }
    }
}
