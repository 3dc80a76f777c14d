package dev.tracepoint.core.internal.perf;

/**
 * Linux {@code errno} values: names and descriptions, so that a failed system call can be reported as
 * {@code perf_event_open: EACCES (Permission denied)} without depending on the C library's {@code strerror}.
 *
 * <p>The numbers are those of the kernel's {@code include/uapi/asm-generic/errno-base.h} and
 * {@code errno.h}, which x86_64 and aarch64 share. The descriptions are glibc's {@code strerror} texts.
 * Where C has two names for one number the kernel's spelling wins: {@code EAGAIN} (not {@code EWOULDBLOCK}),
 * {@code EDEADLK} (not {@code EDEADLOCK}), {@code EOPNOTSUPP} (not {@code ENOTSUP}). Numbers 41 and 58 are
 * unused on Linux. Kernel-internal values 512..530 (for instance {@code ENOTSUPP}, 524) should never reach
 * user space but occasionally do; they are listed too.
 *
 * <p>Thread-safe: the tables are filled once in the static initialiser and only read afterwards.
 */
public final class Errno {

    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory; for {@code perf_event_open}: no such tracepoint or PMU. */
    public static final int ENOENT = 2;
    /** No such process. */
    public static final int ESRCH = 3;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** Input/output error. */
    public static final int EIO = 5;
    /** Argument list too long; for {@code perf_event_open}: {@code attr.size} not understood. */
    public static final int E2BIG = 7;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** Resource temporarily unavailable (also {@code EWOULDBLOCK}). */
    public static final int EAGAIN = 11;
    /** Cannot allocate memory. */
    public static final int ENOMEM = 12;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Bad address. */
    public static final int EFAULT = 14;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** No such device; for {@code perf_event_open}: the CPU is offline. */
    public static final int ENODEV = 19;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Too many open files in system. */
    public static final int ENFILE = 23;
    /** Too many open files (RLIMIT_NOFILE). */
    public static final int EMFILE = 24;
    /** Function not implemented. */
    public static final int ENOSYS = 38;
    /** Operation not supported. */
    public static final int EOPNOTSUPP = 95;

    private static final int MAX = 530;
    private static final String[] NAMES = new String[MAX + 1];
    private static final String[] DESCRIPTIONS = new String[MAX + 1];

    static {
        entry(1, "EPERM", "Operation not permitted");
        entry(2, "ENOENT", "No such file or directory");
        entry(3, "ESRCH", "No such process");
        entry(4, "EINTR", "Interrupted system call");
        entry(5, "EIO", "Input/output error");
        entry(6, "ENXIO", "No such device or address");
        entry(7, "E2BIG", "Argument list too long");
        entry(8, "ENOEXEC", "Exec format error");
        entry(9, "EBADF", "Bad file descriptor");
        entry(10, "ECHILD", "No child processes");
        entry(11, "EAGAIN", "Resource temporarily unavailable");
        entry(12, "ENOMEM", "Cannot allocate memory");
        entry(13, "EACCES", "Permission denied");
        entry(14, "EFAULT", "Bad address");
        entry(15, "ENOTBLK", "Block device required");
        entry(16, "EBUSY", "Device or resource busy");
        entry(17, "EEXIST", "File exists");
        entry(18, "EXDEV", "Invalid cross-device link");
        entry(19, "ENODEV", "No such device");
        entry(20, "ENOTDIR", "Not a directory");
        entry(21, "EISDIR", "Is a directory");
        entry(22, "EINVAL", "Invalid argument");
        entry(23, "ENFILE", "Too many open files in system");
        entry(24, "EMFILE", "Too many open files");
        entry(25, "ENOTTY", "Inappropriate ioctl for device");
        entry(26, "ETXTBSY", "Text file busy");
        entry(27, "EFBIG", "File too large");
        entry(28, "ENOSPC", "No space left on device");
        entry(29, "ESPIPE", "Illegal seek");
        entry(30, "EROFS", "Read-only file system");
        entry(31, "EMLINK", "Too many links");
        entry(32, "EPIPE", "Broken pipe");
        entry(33, "EDOM", "Numerical argument out of domain");
        entry(34, "ERANGE", "Numerical result out of range");
        entry(35, "EDEADLK", "Resource deadlock avoided");
        entry(36, "ENAMETOOLONG", "File name too long");
        entry(37, "ENOLCK", "No locks available");
        entry(38, "ENOSYS", "Function not implemented");
        entry(39, "ENOTEMPTY", "Directory not empty");
        entry(40, "ELOOP", "Too many levels of symbolic links");
        entry(42, "ENOMSG", "No message of desired type");
        entry(43, "EIDRM", "Identifier removed");
        entry(44, "ECHRNG", "Channel number out of range");
        entry(45, "EL2NSYNC", "Level 2 not synchronized");
        entry(46, "EL3HLT", "Level 3 halted");
        entry(47, "EL3RST", "Level 3 reset");
        entry(48, "ELNRNG", "Link number out of range");
        entry(49, "EUNATCH", "Protocol driver not attached");
        entry(50, "ENOCSI", "No CSI structure available");
        entry(51, "EL2HLT", "Level 2 halted");
        entry(52, "EBADE", "Invalid exchange");
        entry(53, "EBADR", "Invalid request descriptor");
        entry(54, "EXFULL", "Exchange full");
        entry(55, "ENOANO", "No anode");
        entry(56, "EBADRQC", "Invalid request code");
        entry(57, "EBADSLT", "Invalid slot");
        entry(59, "EBFONT", "Bad font file format");
        entry(60, "ENOSTR", "Device not a stream");
        entry(61, "ENODATA", "No data available");
        entry(62, "ETIME", "Timer expired");
        entry(63, "ENOSR", "Out of streams resources");
        entry(64, "ENONET", "Machine is not on the network");
        entry(65, "ENOPKG", "Package not installed");
        entry(66, "EREMOTE", "Object is remote");
        entry(67, "ENOLINK", "Link has been severed");
        entry(68, "EADV", "Advertise error");
        entry(69, "ESRMNT", "Srmount error");
        entry(70, "ECOMM", "Communication error on send");
        entry(71, "EPROTO", "Protocol error");
        entry(72, "EMULTIHOP", "Multihop attempted");
        entry(73, "EDOTDOT", "RFS specific error");
        entry(74, "EBADMSG", "Bad message");
        entry(75, "EOVERFLOW", "Value too large for defined data type");
        entry(76, "ENOTUNIQ", "Name not unique on network");
        entry(77, "EBADFD", "File descriptor in bad state");
        entry(78, "EREMCHG", "Remote address changed");
        entry(79, "ELIBACC", "Can not access a needed shared library");
        entry(80, "ELIBBAD", "Accessing a corrupted shared library");
        entry(81, "ELIBSCN", ".lib section in a.out corrupted");
        entry(82, "ELIBMAX", "Attempting to link in too many shared libraries");
        entry(83, "ELIBEXEC", "Cannot exec a shared library directly");
        entry(84, "EILSEQ", "Invalid or incomplete multibyte or wide character");
        entry(85, "ERESTART", "Interrupted system call should be restarted");
        entry(86, "ESTRPIPE", "Streams pipe error");
        entry(87, "EUSERS", "Too many users");
        entry(88, "ENOTSOCK", "Socket operation on non-socket");
        entry(89, "EDESTADDRREQ", "Destination address required");
        entry(90, "EMSGSIZE", "Message too long");
        entry(91, "EPROTOTYPE", "Protocol wrong type for socket");
        entry(92, "ENOPROTOOPT", "Protocol not available");
        entry(93, "EPROTONOSUPPORT", "Protocol not supported");
        entry(94, "ESOCKTNOSUPPORT", "Socket type not supported");
        entry(95, "EOPNOTSUPP", "Operation not supported");
        entry(96, "EPFNOSUPPORT", "Protocol family not supported");
        entry(97, "EAFNOSUPPORT", "Address family not supported by protocol");
        entry(98, "EADDRINUSE", "Address already in use");
        entry(99, "EADDRNOTAVAIL", "Cannot assign requested address");
        entry(100, "ENETDOWN", "Network is down");
        entry(101, "ENETUNREACH", "Network is unreachable");
        entry(102, "ENETRESET", "Network dropped connection on reset");
        entry(103, "ECONNABORTED", "Software caused connection abort");
        entry(104, "ECONNRESET", "Connection reset by peer");
        entry(105, "ENOBUFS", "No buffer space available");
        entry(106, "EISCONN", "Transport endpoint is already connected");
        entry(107, "ENOTCONN", "Transport endpoint is not connected");
        entry(108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown");
        entry(109, "ETOOMANYREFS", "Too many references: cannot splice");
        entry(110, "ETIMEDOUT", "Connection timed out");
        entry(111, "ECONNREFUSED", "Connection refused");
        entry(112, "EHOSTDOWN", "Host is down");
        entry(113, "EHOSTUNREACH", "No route to host");
        entry(114, "EALREADY", "Operation already in progress");
        entry(115, "EINPROGRESS", "Operation now in progress");
        entry(116, "ESTALE", "Stale file handle");
        entry(117, "EUCLEAN", "Structure needs cleaning");
        entry(118, "ENOTNAM", "Not a XENIX named type file");
        entry(119, "ENAVAIL", "No XENIX semaphores available");
        entry(120, "EISNAM", "Is a named type file");
        entry(121, "EREMOTEIO", "Remote I/O error");
        entry(122, "EDQUOT", "Disk quota exceeded");
        entry(123, "ENOMEDIUM", "No medium found");
        entry(124, "EMEDIUMTYPE", "Wrong medium type");
        entry(125, "ECANCELED", "Operation canceled");
        entry(126, "ENOKEY", "Required key not available");
        entry(127, "EKEYEXPIRED", "Key has expired");
        entry(128, "EKEYREVOKED", "Key has been revoked");
        entry(129, "EKEYREJECTED", "Key was rejected by service");
        entry(130, "EOWNERDEAD", "Owner died");
        entry(131, "ENOTRECOVERABLE", "State not recoverable");
        entry(132, "ERFKILL", "Operation not possible due to RF-kill");
        entry(133, "EHWPOISON", "Memory page has hardware error");
        // Kernel-internal codes (include/linux/errno.h): "should never be seen by user programs".
        entry(512, "ERESTARTSYS", "Interrupted system call (restart)");
        entry(513, "ERESTARTNOINTR", "Interrupted system call (restart, no interrupt)");
        entry(514, "ERESTARTNOHAND", "Interrupted system call (restart if no handler)");
        entry(515, "ENOIOCTLCMD", "No ioctl command");
        entry(516, "ERESTART_RESTARTBLOCK", "Interrupted system call (restart block)");
        entry(517, "EPROBE_DEFER", "Driver requests probe retry");
        entry(518, "EOPENSTALE", "Open found a stale dentry");
        entry(519, "ENOPARAM", "Parameter not supported");
        entry(521, "EBADHANDLE", "Illegal NFS file handle");
        entry(522, "ENOTSYNC", "Update synchronization mismatch");
        entry(523, "EBADCOOKIE", "Cookie is stale");
        entry(524, "ENOTSUPP", "Operation is not supported");
        entry(525, "ETOOSMALL", "Buffer or request is too small");
        entry(526, "ESERVERFAULT", "An untranslatable error occurred");
        entry(527, "EBADTYPE", "Type not supported by server");
        entry(528, "EJUKEBOX", "Request initiated, but will not complete before timeout");
        entry(529, "EIOCBQUEUED", "iocb queued, will get completion event");
        entry(530, "ERECALLCONFLICT", "Conflict with recalled state");
    }

    private Errno() {
    }

    private static void entry(int errno, String name, String description) {
        NAMES[errno] = name;
        DESCRIPTIONS[errno] = description;
    }

    /**
     * The symbolic name of an errno value.
     *
     * @param errno the value (positive, as in C's {@code errno})
     * @return for instance {@code "EACCES"}; {@code "errno N"} for a number this table does not know
     */
    public static String name(int errno) {
        String name = errno > 0 && errno <= MAX ? NAMES[errno] : null;
        return name != null ? name : "errno " + errno;
    }

    /**
     * The description of an errno value, as {@code strerror(3)} gives it.
     *
     * @param errno the value (positive, as in C's {@code errno})
     * @return for instance {@code "Permission denied"}; {@code "errno N"} for a number this table does not know
     */
    public static String describe(int errno) {
        String description = errno > 0 && errno <= MAX ? DESCRIPTIONS[errno] : null;
        return description != null ? description : "errno " + errno;
    }
}
