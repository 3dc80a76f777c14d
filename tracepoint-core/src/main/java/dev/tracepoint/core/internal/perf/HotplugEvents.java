package dev.tracepoint.core.internal.perf;

import static dev.tracepoint.core.internal.perf.Downcalls.CALL_STATE;
import static dev.tracepoint.core.internal.perf.Downcalls.errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;

/**
 * The kernel's device events ({@code NETLINK_KOBJECT_UEVENT}, what udev listens to), for noticing CPU hotplug
 * as it happens: taking a CPU offline or online through sysfs sends {@code offline@/devices/system/cpu/cpuN}
 * or {@code online@...} once the change is complete. A stream adds the socket to its epoll set, so a hotplug
 * wakes its consumer, which then checks its CPUs at once instead of polling for changes.
 *
 * <p>Receiving these needs no privilege in the initial network namespace; elsewhere (a container with a
 * network namespace of its own) none may arrive, which is why the stream still checks once a second.
 */
public final class HotplugEvents {

    private static final int AF_NETLINK = 16;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_KOBJECT_UEVENT = 15;
    /** The multicast group the kernel sends its events to (udev listens to it before re-broadcasting). */
    private static final int KERNEL_GROUP = 1;
    /** {@code sizeof(struct sockaddr_nl)}: {@code u16 nl_family; u16 nl_pad; u32 nl_pid; u32 nl_groups}. */
    private static final int SOCKADDR_NL_LENGTH = 12;
    /** Room for one event: the kernel's are a few hundred bytes ({@code UEVENT_BUFFER_SIZE} is 2048). */
    public static final int BUFFER_LENGTH = 4096;

    private HotplugEvents() {
    }

    /**
     * Opens a non-blocking socket bound to the kernel's device events.
     *
     * @return the socket
     * @throws SyscallException when it cannot be created or bound
     */
    public static int open() {
        MemorySegment capture = CALL_STATE.get().capture();
        long fd = Syscalls.call(capture, Syscalls.SYS_SOCKET, AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                NETLINK_KOBJECT_UEVENT);
        if (fd == -1) {
            throw new SyscallException("socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT)", errno(capture));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SOCKADDR_NL_LENGTH, 4);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            addr.set(ValueLayout.JAVA_INT, 4, 0); // nl_pid: the kernel assigns one
            addr.set(ValueLayout.JAVA_INT, 8, KERNEL_GROUP);
            if (Syscalls.call(capture, Syscalls.SYS_BIND, fd, addr.address(), SOCKADDR_NL_LENGTH) == -1) {
                SyscallException e = new SyscallException("bind(NETLINK_KOBJECT_UEVENT)", errno(capture));
                try {
                    Libc.close((int) fd);
                } catch (SyscallException ignored) {
                    // the bind's failure is the one to report
                }
                throw e;
            }
        }
        return (int) fd;
    }

    /**
     * Reads every event waiting on the socket (a readable socket stays readable for epoll until then).
     *
     * @param fd  the socket
     * @param buf at least {@link #BUFFER_LENGTH} bytes
     * @return whether any event, or a loss of events ({@code ENOBUFS}: the socket's buffer overflowed), was
     *         found; either means the CPUs should be checked
     */
    public static boolean drain(int fd, MemorySegment buf) {
        MemorySegment capture = CALL_STATE.get().capture();
        boolean any = false;
        while (true) {
            long n = Syscalls.call(capture, Syscalls.SYS_RECVFROM, fd, buf.address(), BUFFER_LENGTH, 0, 0, 0);
            Reference.reachabilityFence(buf);
            if (n >= 0) {
                any = true;
                continue;
            }
            int errno = errno(capture);
            if (errno == Errno.EINTR) {
                continue;
            }
            return any || errno != Errno.EAGAIN; // ENOBUFS: events were lost, so something happened
        }
    }
}
