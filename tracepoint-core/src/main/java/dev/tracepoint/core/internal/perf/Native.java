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
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The system calls the library makes, as FFM downcalls into the C library, linked through {@link Downcalls}
 * (which also captures errno and holds each thread's scratch area). Linux on x86_64 and aarch64 only; the
 * class fails to initialise elsewhere.
 *
 * <p>Every method says which C function it wraps. A C result of -1 becomes a {@link SyscallException}
 * carrying {@code errno}. Exceptions to "-1 throws" are documented per method ({@code EINTR} from
 * {@code epoll_wait} and {@code close}, {@code EAGAIN} from the non-blocking eventfd).
 *
 * <p>Thread-safe. No call except {@link #setFilter} and {@link #openReadOnly} allocates native memory per
 * call.
 *
 * <p>Callers need {@code --enable-native-access} for the module (or {@code ALL-UNNAMED}); {@link #mmap}
 * uses the restricted {@link MemorySegment#reinterpret(long)}.
 */
public final class Native {

    // ---- constants used with the calls below (Linux values, identical on x86_64 and aarch64) --------------

    /** {@code SIGINT}. */
    public static final int SIGINT = 2;
    /** {@code SIGTERM}. */
    public static final int SIGTERM = 15;
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
    /** {@code EPOLLIN}. */
    public static final int EPOLLIN = 0x001;
    /** {@code EPOLLERR}. */
    public static final int EPOLLERR = 0x008;
    /** {@code EPOLLHUP}. */
    public static final int EPOLLHUP = 0x010;

    // ---- architecture ------------------------------------------------------------------------------------

    /** {@code __NR_perf_event_open}: arch/x86/entry/syscalls/syscall_64.tbl; asm-generic/unistd.h. */
    private static final long SYS_PERF_EVENT_OPEN = X86_64 ? 298 : 241;
    /**
     * {@code sizeof(struct epoll_event)}: {@code { u32 events; u64 data; }} is declared
     * {@code __attribute__((packed))} on x86_64 only (EPOLL_PACKED in uapi eventpoll.h), so 12 bytes there
     * with {@code data} at offset 4, and 16 bytes with {@code data} at offset 8 on aarch64.
     */
    public static final int EPOLL_EVENT_LENGTH = X86_64 ? 12 : 16;
    /** Offset of {@code epoll_event.data}: see {@link #EPOLL_EVENT_LENGTH}. */
    static final long EPOLL_EVENT_DATA_OFFSET = X86_64 ? 4 : 8;

    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_SHARED = 0x01;
    private static final long MAP_FAILED = -1L;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;

    // ---- downcalls -----------------------------------------------------------------------------------------

    /** {@code long syscall(long number, ...)} with five variadic long arguments (perf_event_open). */
    private static final MethodHandle SYSCALL5 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(1));
    /** {@code int ioctl(int fd, unsigned long request, ...)} with an integer argument. */
    private static final MethodHandle IOCTL_LONG = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    /** {@code int ioctl(int fd, unsigned long request, ...)} with a pointer argument. */
    private static final MethodHandle IOCTL_PTR = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
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
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle CLOCK_GETTIME = downcall("clock_gettime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle GETPAGESIZE = downcall("getpagesize",
            FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETUID = downcall("getuid", FunctionDescriptor.of(JAVA_INT));
    /** {@code sighandler_t signal(int sig, sighandler_t handler)}. */
    private static final MethodHandle SIGNAL = downcall("signal",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle GETRLIMIT = downcall("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);

    private Native() {
    }

    // ---- perf_event_open and its ioctls --------------------------------------------------------------------

    /**
     * Wraps {@code syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, flags)} (glibc has no wrapper).
     * All variadic arguments are passed as {@code long}, which is how glibc's {@code syscall} reads them.
     *
     * @param attr    a {@code struct perf_event_attr} (see {@link PerfEventAttr}); at least {@code attr.size}
     *                bytes long
     * @param pid     thread id to monitor, 0 for the calling thread, -1 for every task on {@code cpu}
     * @param cpu     CPU to monitor, or -1 for any CPU the thread runs on
     * @param groupFd group leader fd, or -1
     * @param flags   {@code PERF_FLAG_*}, usually {@link PerfEventAttrDescriptor#PERF_FLAG_FD_CLOEXEC}
     * @return the new file descriptor
     * @throws SyscallException for instance {@code EACCES}/{@code EPERM} (privileges), {@code ENOENT} or
     *                          {@code EINVAL} (bad tracepoint id), {@code ENODEV} (offline CPU),
     *                          {@code EMFILE}
     * @throws IllegalArgumentException if {@code attr} is shorter than its {@code size} member says
     */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        long declared = Integer.toUnsignedLong(
                attr.get(ValueLayout.JAVA_INT_UNALIGNED, PerfEventAttrDescriptor.SIZE_OFFSET));
        long needed = declared == 0 ? PerfEventAttrDescriptor.PERF_ATTR_SIZE_VER0 : declared;
        if (attr.byteSize() < needed) {
            // The kernel would read past the segment.
            throw new IllegalArgumentException("perf_event_attr segment byteSize=" + attr.byteSize()
                    + " is smaller than attr.size=" + declared);
        }
        MemorySegment capture = CALL_STATE.get().capture();
        long fd;
        try {
            fd = (long) SYSCALL5.invokeExact(capture, SYS_PERF_EVENT_OPEN, attr,
                    (long) pid, (long) cpu, (long) groupFd, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd < 0) {
            throw new SyscallException("perf_event_open", errno(capture));
        }
        return (int) fd;
    }

    /**
     * Wraps {@code ioctl(fd, request, arg)} for requests whose argument is an integer (or unused).
     *
     * @param fd      the file descriptor
     * @param request the request, for instance {@link PerfEventAttrDescriptor#PERF_EVENT_IOC_ENABLE}
     * @param arg     the argument
     * @throws SyscallException on failure, naming the request
     */
    static void ioctl(int fd, long request, long arg) {
        MemorySegment capture = CALL_STATE.get().capture();
        int rc;
        try {
            rc = (int) IOCTL_LONG.invokeExact(capture, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            throw new SyscallException("ioctl", PerfEventAttrDescriptor.ioctlName(request), errno(capture));
        }
    }

    /**
     * Wraps {@code ioctl(fd, request, arg)} for requests whose argument is a pointer.
     *
     * @param fd      the file descriptor
     * @param request the request, for instance {@link PerfEventAttrDescriptor#PERF_EVENT_IOC_SET_FILTER}
     * @param arg     the argument
     * @throws SyscallException on failure, naming the request
     */
    static void ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment capture = CALL_STATE.get().capture();
        int rc;
        try {
            rc = (int) IOCTL_PTR.invokeExact(capture, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            throw new SyscallException("ioctl", PerfEventAttrDescriptor.ioctlName(request), errno(capture));
        }
    }

    /**
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter)}: an ftrace filter expression over the
     * tracepoint's fields, applied in the kernel before a sample is written.
     *
     * @param fd     a tracepoint perf event
     * @param filter for instance {@code "sig == 10 && common_pid != 1"}
     * @throws SyscallException {@code EINVAL} for an expression the kernel rejects (unknown field, syntax)
     */
    public static void setFilter(int fd, String filter) {
        try (Arena arena = Arena.ofConfined()) {
            ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_SET_FILTER, arena.allocateFrom(filter));
        }
    }

    /**
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)}.
     *
     * @param fd a perf event
     */
    public static void enable(int fd) {
        ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_ENABLE, 0L);
    }

    /**
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_DISABLE, 0)}.
     *
     * @param fd a perf event
     */
    public static void disable(int fd) {
        ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_DISABLE, 0L);
    }

    /**
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, targetFd)}: {@code fd}'s records go to
     * {@code targetFd}'s ring. The kernel requires both on the same CPU (or both per-thread).
     *
     * @param fd       a perf event without a mapping of its own
     * @param targetFd the event whose ring is shared, or -1 to stop redirecting
     */
    public static void setOutput(int fd, int targetFd) {
        ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_SET_OUTPUT, (long) targetFd);
    }

    // ---- memory mapping ------------------------------------------------------------------------------------

    /**
     * Wraps {@code mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)}. The mapping is writable
     * so that the reader can store {@code data_tail}; the kernel then never overwrites unread records.
     * FFM returns the address as a zero-length segment; it is reinterpreted to {@code length} bytes in the
     * global scope, so the caller owns it and must {@link #munmap} it (for instance through
     * {@code segment.reinterpret(arena, Native::munmap)}).
     *
     * @param length bytes, for a perf ring {@code (1 + 2^n) * pageSize()}
     * @param fd     the perf event
     * @return the mapping
     * @throws SyscallException {@code EPERM} when the size exceeds {@code perf_event_mlock_kb} plus
     *                          {@code RLIMIT_MEMLOCK} for an unprivileged user, {@code EINVAL} when it is
     *                          not 1 + 2^n pages
     */
    @SuppressWarnings("restricted") // the kernel guarantees length bytes at the returned address
    public static MemorySegment mmap(long length, int fd) {
        MemorySegment capture = CALL_STATE.get().capture();
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length,
                    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
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

    // ---- epoll and eventfd ---------------------------------------------------------------------------------

    /**
     * Wraps {@code epoll_create1(EPOLL_CLOEXEC)}.
     *
     * @return the epoll descriptor
     */
    public static int epollCreate() {
        MemorySegment capture = CALL_STATE.get().capture();
        int fd;
        try {
            fd = (int) EPOLL_CREATE1.invokeExact(capture, EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd == -1) {
            throw new SyscallException("epoll_create1", errno(capture));
        }
        return fd;
    }

    /**
     * Wraps {@code epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &(struct epoll_event){events, data})}. A perf event
     * fd becomes readable ({@link #EPOLLIN}) when its ring reaches the wake-up threshold, and reports
     * {@link #EPOLLHUP} when the monitored task exits.
     *
     * @param epfd   the epoll descriptor
     * @param fd     the descriptor to watch
     * @param events {@code EPOLL*} bits, usually {@link #EPOLLIN}
     * @param data   returned in {@code epoll_event.data} by {@link #epollWait} when {@code fd} is ready
     */
    public static void epollAdd(int epfd, int fd, int events, long data) {
        CallState state = CALL_STATE.get();
        MemorySegment event = state.buffer();
        event.set(JAVA_INT, 0, events);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA_OFFSET, data);
        int rc;
        try {
            rc = (int) EPOLL_CTL.invokeExact(state.capture(), epfd, EPOLL_CTL_ADD, fd, event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -1) {
            throw new SyscallException("epoll_ctl", "EPOLL_CTL_ADD", errno(state.capture()));
        }
    }

    /**
     * Wraps {@code epoll_wait(epfd, events, maxEvents, timeoutMs)}.
     *
     * @param epfd      the epoll descriptor
     * @param events    room for {@code maxEvents} entries of {@link #EPOLL_EVENT_LENGTH} bytes
     * @param maxEvents the most events to return, at least 1
     * @param timeoutMs -1 to block, 0 to poll
     * @return the number of ready entries; 0 on timeout and on {@code EINTR} (a signal arrived: the caller
     *         re-checks its stop flag and waits again)
     */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMs) {
        if (maxEvents < 1 || events.byteSize() < (long) maxEvents * EPOLL_EVENT_LENGTH) {
            throw new IllegalArgumentException("maxEvents=" + maxEvents + " does not fit events byteSize="
                    + events.byteSize() + " (" + EPOLL_EVENT_LENGTH + " bytes each)");
        }
        MemorySegment capture = CALL_STATE.get().capture();
        int n;
        try {
            n = (int) EPOLL_WAIT.invokeExact(capture, epfd, events, maxEvents, timeoutMs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n == -1) {
            int errno = errno(capture);
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new SyscallException("epoll_wait", errno);
        }
        return n;
    }

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
     * Wraps {@code eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)}: a descriptor another thread can make readable,
     * to wake a thread blocked in {@link #epollWait} (used by {@code close()}).
     *
     * @return the eventfd
     */
    public static int eventfd() {
        MemorySegment capture = CALL_STATE.get().capture();
        int fd;
        try {
            fd = (int) EVENTFD.invokeExact(capture, 0, EFD_CLOEXEC | EFD_NONBLOCK);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd == -1) {
            throw new SyscallException("eventfd", errno(capture));
        }
        return fd;
    }

    /**
     * Wraps {@code write(fd, &(uint64_t){1}, 8)}: adds 1 to the eventfd counter, making it readable.
     * {@code EAGAIN} (counter at its maximum) is ignored: the descriptor is readable already.
     *
     * @param fd an eventfd
     */
    public static void eventfdSignal(int fd) {
        CallState state = CALL_STATE.get();
        state.buffer().set(JAVA_LONG, 0, 1L);
        eventfdIo(WRITE, "write", fd, state);
    }

    /** One 8-byte {@code read} or {@code write} of an eventfd through the call state's buffer, retried on EINTR. */
    static void eventfdIo(MethodHandle io, String call, int fd, CallState state) {
        while (true) {
            long n;
            try {
                n = (long) io.invokeExact(state.capture(), fd, state.buffer(), (long) Long.BYTES);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) {
                return;
            }
            int errno = errno(state.capture());
            if (errno == Errno.EAGAIN) {
                return;
            }
            if (errno != Errno.EINTR) {
                throw new SyscallException(call, "eventfd", errno);
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

}
