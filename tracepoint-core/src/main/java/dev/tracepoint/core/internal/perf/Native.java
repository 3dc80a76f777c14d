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
    /** {@code SIGUSR1}. */
    public static final int SIGUSR1 = 10;
    /** {@code SIGTERM}. */
    public static final int SIGTERM = 15;
    /** {@code SIGURG}: default action "ignore". */
    public static final int SIGURG = 23;
    /** {@code SIGWINCH}: default action "ignore", so sending it to oneself is harmless. */
    public static final int SIGWINCH = 28;
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
    /** {@code FD_CLOEXEC}, the flag {@link #fcntlGetFd} returns for a close-on-exec descriptor. */
    public static final int FD_CLOEXEC = 1;
    /** {@code EPOLLIN}. */
    public static final int EPOLLIN = 0x001;
    /** {@code EPOLLERR}. */
    public static final int EPOLLERR = 0x008;
    /** {@code EPOLLHUP}. */
    public static final int EPOLLHUP = 0x010;

    // ---- architecture ------------------------------------------------------------------------------------

    /** {@code __NR_perf_event_open}: arch/x86/entry/syscalls/syscall_64.tbl; asm-generic/unistd.h. */
    private static final long SYS_PERF_EVENT_OPEN = X86_64 ? 298 : 241;
    /** {@code __NR_gettid} (called through {@code syscall}: glibc before 2.30 has no wrapper). */
    private static final long SYS_GETTID = X86_64 ? 186 : 178;

    /**
     * {@code sizeof(struct epoll_event)}: {@code { u32 events; u64 data; }} is declared
     * {@code __attribute__((packed))} on x86_64 only (EPOLL_PACKED in uapi eventpoll.h), so 12 bytes there
     * with {@code data} at offset 4, and 16 bytes with {@code data} at offset 8 on aarch64.
     */
    public static final int EPOLL_EVENT_LENGTH = X86_64 ? 12 : 16;
    private static final long EPOLL_EVENT_DATA_OFFSET = X86_64 ? 4 : 8;

    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_SHARED = 0x01;
    private static final long MAP_FAILED = -1L;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int F_GETFD = 1;

    // ---- downcalls -----------------------------------------------------------------------------------------

    /** {@code long syscall(long number, ...)} with five variadic long arguments (perf_event_open). */
    private static final MethodHandle SYSCALL5 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(1));
    /** {@code long syscall(long number)} without arguments (gettid). */
    private static final MethodHandle SYSCALL0 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
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
    private static final MethodHandle READ = downcall("read",
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
    private static final MethodHandle GETPID = downcall("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETUID = downcall("getuid", FunctionDescriptor.of(JAVA_INT));
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
    /** {@code sighandler_t signal(int sig, sighandler_t handler)}. */
    private static final MethodHandle SIGNAL = downcall("signal",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle GETRLIMIT = downcall("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle SETRLIMIT = downcall("setrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
    /** {@code int fcntl(int fd, int cmd, ...)} with one (ignored for F_GETFD) variadic long. */
    private static final MethodHandle FCNTL = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));

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
    public static void ioctl(int fd, long request, long arg) {
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

    private static void ioctl(int fd, long request, MemorySegment arg) {
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
     * Wraps {@code ioctl(fd, PERF_EVENT_IOC_ID, &id)}: the kernel's id of the event, as found in
     * {@code PERF_SAMPLE_ID}/{@code PERF_SAMPLE_IDENTIFIER} and in {@code PERF_RECORD_LOST.id}.
     *
     * @param fd a perf event
     * @return the id
     */
    public static long eventId(int fd) {
        MemorySegment buffer = CALL_STATE.get().buffer();
        ioctl(fd, PerfEventAttrDescriptor.PERF_EVENT_IOC_ID, buffer);
        return buffer.get(JAVA_LONG, 0);
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
     * @param data   returned by {@link #epollEventData} when {@code fd} is ready
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
     * Reads {@code epoll_event.data} of entry {@code i} filled in by {@link #epollWait}.
     *
     * @param events the array passed to {@code epollWait}
     * @param i      the entry, below the count it returned
     * @return the {@code data} given to {@link #epollAdd}
     */
    public static long epollEventData(MemorySegment events, int i) {
        // Unaligned: on x86_64 the struct is packed and data sits at offset 4 of a 12-byte entry.
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * EPOLL_EVENT_LENGTH + EPOLL_EVENT_DATA_OFFSET);
    }

    /**
     * Reads {@code epoll_event.events} of entry {@code i} filled in by {@link #epollWait}.
     *
     * @param events the array passed to {@code epollWait}
     * @param i      the entry, below the count it returned
     * @return the ready {@code EPOLL*} bits
     */
    public static int epollEventEvents(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_INT_UNALIGNED, (long) i * EPOLL_EVENT_LENGTH);
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

    /**
     * Wraps {@code read(fd, &counter, 8)}: resets the eventfd counter to 0. {@code EAGAIN} (already 0) is
     * not an error.
     *
     * @param fd an eventfd created by {@link #eventfd()}
     */
    public static void eventfdDrain(int fd) {
        eventfdIo(READ, "read", fd, CALL_STATE.get());
    }

    /** One 8-byte {@code read} or {@code write} of an eventfd through the call state's buffer, retried on EINTR. */
    private static void eventfdIo(MethodHandle io, String call, int fd, CallState state) {
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
     * Wraps {@code setrlimit(resource, &(struct rlimit){soft, hard})}.
     *
     * @param resource {@link #RLIMIT_NOFILE}, {@link #RLIMIT_MEMLOCK}, ...
     * @param soft     {@code rlim_cur}, {@link #RLIM_INFINITY} for unlimited
     * @param hard     {@code rlim_max}, {@link #RLIM_INFINITY} for unlimited
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
}
