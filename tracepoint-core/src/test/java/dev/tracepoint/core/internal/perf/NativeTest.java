package dev.tracepoint.core.internal.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The downcalls that need no privileges. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class NativeTest {

    @Test
    void processAndThreadIds() {
        assertThat(TestCalls.getpid()).isEqualTo((int) ProcessHandle.current().pid());
        int tid = TestCalls.gettid();
        assertThat(tid).isPositive();
        assertThat(Files.exists(Path.of("/proc/self/task/" + tid))).isTrue();
        int[] other = new int[1];
        Thread t = Thread.ofPlatform().start(() -> other[0] = TestCalls.gettid());
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(other[0]).isPositive().isNotEqualTo(tid);
        assertThat(Libc.getuid()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void clocksAgreeWithTheJvm() {
        // HotSpot's System.nanoTime() is CLOCK_MONOTONIC on Linux.
        long before = System.nanoTime();
        long monotonic = Libc.clockGettimeNanos(Libc.CLOCK_MONOTONIC);
        long after = System.nanoTime();
        assertThat(monotonic).isBetween(before, after);
        long realtimeMillis = Libc.clockGettimeNanos(Libc.CLOCK_REALTIME) / 1_000_000;
        assertThat(Math.abs(realtimeMillis - System.currentTimeMillis())).isLessThan(1000);
        assertThatThrownBy(() -> Libc.clockGettimeNanos(-1000)).isInstanceOf(SyscallException.class)
                .hasMessage("clock_gettime: EINVAL (Invalid argument)");
    }

    @Test
    void pageSizeIsAPowerOfTwo() {
        int page = Libc.pageSize();
        assertThat(Integer.bitCount(page)).isEqualTo(1);
        assertThat(page).isGreaterThanOrEqualTo(4096);
    }

    @Test
    void eventfdWakesEpoll() throws Exception {
        int epfd = Epoll.epollCreate();
        int efd = EventFd.eventfd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate(4L * Epoll.EPOLL_EVENT_LENGTH, 8);
            Epoll.epollAdd(epfd, efd, Epoll.EPOLLIN, 0x1234_5678_9ABCL);
            assertThat(Epoll.epollWait(epfd, events, 4, 0)).isZero();

            EventFd.eventfdSignal(efd);
            EventFd.eventfdSignal(efd);
            assertThat(Epoll.epollWait(epfd, events, 4, 0)).isEqualTo(1);
            assertThat(TestCalls.epollEventData(events, 0)).isEqualTo(0x1234_5678_9ABCL);
            assertThat(TestCalls.epollEventEvents(events, 0) & Epoll.EPOLLIN).isNotZero();

            TestCalls.eventfdDrain(efd);
            TestCalls.eventfdDrain(efd); // already 0: EAGAIN is not an error
            assertThat(Epoll.epollWait(epfd, events, 4, 0)).isZero();

            // Another thread wakes a blocked epoll_wait.
            Thread waker = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                EventFd.eventfdSignal(efd);
            });
            long start = System.nanoTime();
            assertThat(Epoll.epollWait(epfd, events, 4, 10_000)).isEqualTo(1);
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
            waker.join();

            assertThatThrownBy(() -> Epoll.epollWait(epfd, events, 5, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxEvents=5");
        } finally {
            Libc.close(efd);
            Libc.close(epfd);
        }
    }

    @Test
    void descriptorsAreCloseOnExec() {
        int epfd = Epoll.epollCreate();
        int efd = EventFd.eventfd();
        try {
            assertThat(TestCalls.fcntlGetFd(epfd) & TestCalls.FD_CLOEXEC).isEqualTo(TestCalls.FD_CLOEXEC);
            assertThat(TestCalls.fcntlGetFd(efd) & TestCalls.FD_CLOEXEC).isEqualTo(TestCalls.FD_CLOEXEC);
        } finally {
            Libc.close(efd);
            Libc.close(epfd);
        }
    }

    @Test
    void closeTwiceIsEbadf() {
        int efd = EventFd.eventfd();
        Libc.close(efd);
        assertThatThrownBy(() -> Libc.close(efd)).isInstanceOfSatisfying(SyscallException.class, e -> {
            assertThat(e.syscall()).isEqualTo("close");
            assertThat(e.errno()).isEqualTo(Errno.EBADF);
            assertThat(e.errnoName()).isEqualTo("EBADF");
            assertThat(e).hasMessage("close: EBADF (Bad file descriptor)");
        });
        assertThatThrownBy(() -> TestCalls.fcntlGetFd(efd)).isInstanceOf(SyscallException.class)
                .hasMessage("fcntl(F_GETFD): EBADF (Bad file descriptor)");
    }

    @Test
    void readReturnsBytesAndChecksItsBuffer() {
        int efd = EventFd.eventfd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8, 8);
            assertThatThrownBy(() -> Libc.read(efd, buf, 8)).isInstanceOfSatisfying(SyscallException.class,
                    e -> assertThat(e.errnoName()).isEqualTo("EAGAIN"));
            EventFd.eventfdSignal(efd);
            assertThat(Libc.read(efd, buf, 8)).isEqualTo(8);
            assertThat(buf.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0)).isEqualTo(1);
            assertThatThrownBy(() -> Libc.read(efd, buf, 16))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("len=16");
        } finally {
            Libc.close(efd);
        }
    }

    @Test
    void rlimitsRoundTrip() {
        long[] nofile = Libc.getrlimit(Libc.RLIMIT_NOFILE);
        assertThat(nofile).hasSize(2);
        assertThat(Long.compareUnsigned(nofile[0], nofile[1])).isLessThanOrEqualTo(0);
        // Lower the soft limit a little (never below what a test JVM needs), then restore it.
        long lowered = nofile[0] == Libc.RLIM_INFINITY || nofile[0] > 4096 ? 4096 : nofile[0] - 1;
        try {
            TestCalls.setrlimit(Libc.RLIMIT_NOFILE, lowered, nofile[1]);
            assertThat(Libc.getrlimit(Libc.RLIMIT_NOFILE)[0]).isEqualTo(lowered);
        } finally {
            TestCalls.setrlimit(Libc.RLIMIT_NOFILE, nofile[0], nofile[1]);
        }
        assertThat(Libc.getrlimit(Libc.RLIMIT_NOFILE)).containsExactly(nofile);
        assertThat(Libc.getrlimit(Libc.RLIMIT_MEMLOCK)).hasSize(2);
        // soft above hard
        assertThatThrownBy(() -> TestCalls.setrlimit(Libc.RLIMIT_NOFILE, 100, 50))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"));
    }

    @Test
    void signals() throws IOException {
        int pid = TestCalls.getpid();
        assertThat(TestCalls.kill(pid, 0)).isZero(); // existence check, no signal
        // SIGWINCH's default action is "ignore": safe to send to ourselves.
        TestCalls.kill(pid, TestCalls.SIGWINCH);
        TestCalls.sigqueue(pid, TestCalls.SIGWINCH, 42);
        assertThatThrownBy(() -> TestCalls.kill(Integer.MAX_VALUE, 0))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("ESRCH"));
        assertThatThrownBy(() -> TestCalls.kill(pid, 12345))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"));

        Libc.restoreDefaultSignal(TestCalls.SIGURG);
        assertThat(ignoredSignals() & (1L << (TestCalls.SIGURG - 1))).isZero();
        assertThatThrownBy(() -> Libc.restoreDefaultSignal(9)) // SIGKILL cannot be changed
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"));
    }

    /** The SigIgn mask of /proc/self/status: bit n-1 set when signal n is ignored. */
    private static long ignoredSignals() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return Long.parseUnsignedLong(line.substring(7).strip(), 16);
            }
        }
        throw new AssertionError("no SigIgn in /proc/self/status");
    }
}
