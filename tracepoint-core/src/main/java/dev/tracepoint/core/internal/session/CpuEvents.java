package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.perf.PerfCalls;
import dev.tracepoint.core.internal.perf.SyscallException;
import dev.tracepoint.core.internal.ring.BackwardRing;
import dev.tracepoint.core.internal.ring.PerfRing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One CPU's part of a {@link PerfSession}: the fds of its events (the first one owns the ring, the others
 * write to it through {@code PERF_EVENT_IOC_SET_OUTPUT}), its mapping and the ring over it (a forward
 * {@link PerfRing}, or an overwrite-mode {@link BackwardRing}), and the {@code time_enabled} the session's
 * hotplug check saw last. In a scoped session the first fd is a CPU-wide owner that belongs to no task
 * ({@link EventOpener}), and a process scope's events of each thread are tracked here ({@link #tids}), so that
 * they can be closed and opened again ({@link #closeTaskEvents()}). {@link EventOpener} fills it; {@link #close} releases all of it. Package-private:
 * the session's owner thread or its consumer, one at a time, like the session.
 */
final class CpuEvents {

    /** {@code read(2)} of an event: {@code struct { u64 value; u64 time_enabled; u64 lost; }} (read_format order). */
    static final int READ_LENGTH = 24;

    final int cpu;
    final List<Integer> fds = new ArrayList<>();
    /** How many of the first {@link #fds} belong to no thread of a process scope (its ring owner). */
    int ownerFds;
    /** A process scope: the threads whose events are open on this CPU. */
    final Set<Integer> tids = new HashSet<>();
    /** The forward ring, or null in overwrite mode. */
    PerfRing ring;
    /** The overwrite-mode ring, or null. */
    BackwardRing backward;
    MemorySegment mapping;
    /** {@code time_enabled} of the first event at the last check: a dead event's stops moving. */
    long timeEnabled = -1;

    CpuEvents(int cpu) {
        this.cpu = cpu;
    }

    /** @return the fd of the event that owns the ring */
    int ringFd() {
        return fds.get(0);
    }

    /** Enables every event of the CPU. */
    void enable() throws TracepointException {
        for (int fd : fds) {
            SessionCalls.call(() -> {
                PerfCalls.enable(fd);
                return 0;
            }, cpu, null);
        }
    }

    /** Disables every event of the CPU, ignoring failures: for the end of a stream. */
    void disable() {
        for (int fd : fds) {
            try {
                PerfCalls.disable(fd);
            } catch (SyscallException ignored) {
                // closing anyway
            }
        }
    }

    /** Reads {@code { u64 value; u64 time_enabled; u64 lost; }} of the first event: the time, or -1 when the read fails. */
    long readTimeEnabled(MemorySegment readBuf) {
        try {
            long n = Libc.read(ringFd(), readBuf, READ_LENGTH);
            return n >= 16 ? readBuf.get(ValueLayout.JAVA_LONG, 8) : -1;
        } catch (SyscallException e) {
            return -1;
        }
    }

    /** The kernel's lost counters ({@code PERF_FORMAT_LOST}) of the CPU's events, summed. */
    long lost(MemorySegment readBuf, Consumer<Throwable> errors) {
        long sum = 0;
        for (int fd : fds) {
            try {
                if (Libc.read(fd, readBuf, READ_LENGTH) == READ_LENGTH) {
                    sum += readBuf.get(ValueLayout.JAVA_LONG, 16);
                }
            } catch (SyscallException e) {
                errors.accept(SetupFailures.translate(e, cpu, null));
            }
        }
        return sum;
    }

    /** Pauses or resumes the kernel's output into the ring ({@code PERF_EVENT_IOC_PAUSE_OUTPUT} on its owner). */
    void pauseOutput(boolean paused) throws TracepointException {
        try {
            PerfCalls.pauseOutput(ringFd(), paused);
        } catch (SyscallException e) {
            throw SetupFailures.translate(e, cpu, null);
        }
    }

    /**
     * A process scope: closes the events of its threads on this CPU (and with them every copy the kernel made
     * for the tasks they created since), keeping the ring owner and the ring.
     */
    void closeTaskEvents() {
        while (fds.size() > ownerFds) {
            SessionCalls.closeQuietly(fds.remove(fds.size() - 1));
        }
        tids.clear();
    }

    /** Closes the fds (which takes them out of the epoll set), the ring and the mapping. */
    void close(Consumer<Throwable> errors) {
        for (int fd : fds) {
            SessionCalls.closeQuietly(fd);
        }
        fds.clear();
        tids.clear();
        if (ring != null) {
            ring.close();
            ring = null;
        }
        if (backward != null) {
            backward.close();
            backward = null;
        }
        if (mapping != null) {
            try {
                Libc.munmap(mapping);
            } catch (SyscallException e) {
                errors.accept(e);
            }
            mapping = null;
        }
    }
}
