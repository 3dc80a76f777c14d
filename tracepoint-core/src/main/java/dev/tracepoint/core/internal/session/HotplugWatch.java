package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.internal.perf.Cpus;
import dev.tracepoint.core.internal.perf.HotplugEvents;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What a session's hotplug checks read ({@link PerfSession#deadCpus}, {@link PerfSession#unarmedOnlineCpus}):
 * the kernel's device events, which announce each hotplug ({@link HotplugEvents}: the session's epoll set
 * holds the socket, so a hotplug wakes the consumer), and the online list, {@link Cpus#ONLINE}, open once and
 * read with one {@code pread(2)} per check, parsed in place ({@link Cpus#listed}).
 *
 * <p>The consumer checks when a hotplug is announced and once a second otherwise (every 100 ms when the
 * announcements cannot be had). A check runs too rarely to be compiled, so it is kept to what it needs: an
 * armed CPU missing from the online list is dead; and after an announcement, and at most once a second
 * otherwise ({@link #TIME_CHECK_NANOS}), each armed CPU's {@code time_enabled} is read too, which stops once its
 * events are detached: that finds a CPU that went offline and came back before the check, which the online
 * list cannot show. Reading an event that runs on another CPU makes the kernel interrupt that CPU to read it
 * ({@code smp_call_function_single}): measured in a 2-vCPU VM, 25 us of the reader's CPU per read against
 * 1.5 us for an event on its own CPU. Interpreted, a check took about 50 us in all; every 100 ms, with the
 * {@code time_enabled} reads each time, it cost 2-3 ns per event in a 550k/s drop load.
 *
 * <p>Consumer thread, except {@link #open} and {@link #close}.
 */
final class HotplugWatch {

    /** How often a check reads the armed CPUs' {@code time_enabled} at most, unless told of a hotplug. */
    static final long TIME_CHECK_NANOS = 1_000_000_000L;
    /** Room for {@link Cpus#ONLINE}: a list of ranges, far shorter than this on any machine. */
    private static final int ONLINE_TEXT_LENGTH = 4096;

    /** {@link Cpus#ONLINE}; -1 when it could not be opened (then every check reads {@code time_enabled}). */
    private int onlineFd;
    private final MemorySegment onlineText;
    /** The device events' socket; -1 when they could not be had. */
    private int socket;
    private final MemorySegment socketBuf;
    /** When a check last read {@code time_enabled}. */
    private long lastTimeCheck;

    private HotplugWatch(int onlineFd, int socket, Arena arena) {
        this.onlineFd = onlineFd;
        this.socket = socket;
        this.onlineText = arena.allocate(ONLINE_TEXT_LENGTH, 8);
        this.socketBuf = arena.allocate(HotplugEvents.BUFFER_LENGTH, 8);
    }

    /**
     * Opens the online list and the device events' socket; either may be missing, and then the checks do
     * without it.
     *
     * @param arena the session's, for the buffers
     * @return the watch
     */
    static HotplugWatch open(Arena arena) {
        int online;
        try {
            online = Libc.openReadOnly(Cpus.ONLINE.toString());
        } catch (SyscallException e) {
            online = -1;
        }
        int socket;
        try {
            socket = HotplugEvents.open();
        } catch (SyscallException e) {
            socket = -1;
        }
        return new HotplugWatch(online, socket, arena);
    }

    /** @return the device events' socket, for the session's epoll set; -1 when there is none */
    int socket() {
        return socket;
    }

    /** Closes the socket: the session could not add it to its epoll set (then the checks poll). */
    void dropSocket() {
        SessionCalls.closeQuietly(socket);
        socket = -1;
    }

    /** @return whether hotplug is announced as it happens */
    boolean notifies() {
        return socket >= 0;
    }

    /**
     * Reads the device events that came since the last check (the socket stays ready for epoll until then, and
     * a wait that found it ready made this check due); a check's first step: one {@code recv} when none came.
     *
     * @return whether there were any
     */
    boolean announced() {
        return socket >= 0 && HotplugEvents.drain(socket, socketBuf);
    }

    /**
     * Whether this check reads the armed CPUs' {@code time_enabled}: after an announcement, without an online
     * list, and at most once a second otherwise.
     *
     * @param announced what {@link #announced} said
     * @param length    what {@link #readOnline} said
     * @return whether to read them
     */
    boolean timesDue(boolean announced, int length) {
        long now = System.nanoTime();
        boolean due = length < 0 || announced || now - lastTimeCheck >= TIME_CHECK_NANOS;
        if (due) {
            lastTimeCheck = now;
        }
        return due;
    }

    /** @return the length of the online list just read, or -1 when it cannot be read */
    int readOnline() {
        if (onlineFd < 0) {
            return -1;
        }
        try {
            long n = Libc.pread(onlineFd, onlineText, ONLINE_TEXT_LENGTH, 0);
            return n > 0 && n < ONLINE_TEXT_LENGTH ? (int) n : -1;
        } catch (SyscallException e) {
            return -1;
        }
    }

    /**
     * @param length what {@link #readOnline} returned (not -1)
     * @param cpu    a CPU
     * @return 1 when the list read last holds the CPU, 0 when not, -1 when it is not a CPU list
     */
    int listed(int length, int cpu) {
        return Cpus.listed(onlineText, length, cpu);
    }

    /** Closes both descriptors; idempotent. */
    void close() {
        SessionCalls.closeQuietly(onlineFd);
        SessionCalls.closeQuietly(socket);
        onlineFd = -1;
        socket = -1;
    }
}
