package dev.tracepoint.core.hardening;

import dev.tracepoint.core.FlightSnapshot;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.internal.perf.TestCalls;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flight recorder holds one perf fd per tracepoint and CPU and one read-only mapping per CPU while armed,
 * and nothing once closed: after snapshots, after close() from another thread during snapshots, and after
 * close() from a snapshot's own listener. The events are this thread's close() of descriptors that are not
 * open (EBADF, no effect), filtered in the kernel on this thread.
 */
class FlightRecorderReleaseIT {

    static final String CLOSE = "syscalls:sys_enter_close";
    static final int BASE_FD = 1_000_000;

    Tracefs tracefs;
    String mine;
    long libraryFds0;
    long mappings0;

    @BeforeEach
    void recordWhatIsOpen() {
        tracefs = KernelTests.require();
        mine = "common_pid == " + TestCalls.gettid() + " && fd >= " + BASE_FD;
        libraryFds0 = Fds.library();
        mappings0 = Fds.perfMappings();
    }

    @AfterEach
    void nothingIsLeftOpen() {
        assertThat(Fds.library()).as("library fds after the test").isEqualTo(libraryFds0);
        assertThat(Fds.perfMappings()).as("perf mappings after the test").isEqualTo(mappings0);
    }

    static void closeNotOpen(int n) {
        for (int i = 0; i < n; i++) {
            TestCalls.closeRaw(BASE_FD + i);
        }
    }

    /** @return the permissions of this process's perf ring mappings, as /proc/self/maps shows them */
    static List<String> perfMappingModes() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("perf_event"))
                .map(l -> l.split("\\s+")[1]).toList();
    }

    @Test
    void armedRingsAreReadOnlyAndCloseReleasesEveryFdAndMapping() throws Exception {
        TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).ringPages(2).build();
        recorder.enable(CLOSE).filter(mine);
        recorder.enable("syscalls:sys_exit_close").filter("common_pid == " + TestCalls.gettid() + " && ret == -9"); // EBADF
        recorder.open();
        int cpus = recorder.cpus().length;
        assertThat(Fds.library()).as("two perf events per CPU, an epoll instance and an eventfd")
                .isEqualTo(libraryFds0 + 2L * cpus + 2);
        // overwrite mode: the kernel's rb->overwrite comes from a mapping without PROT_WRITE
        assertThat(perfMappingModes()).hasSize((int) mappings0 + cpus).allSatisfy(mode -> assertThat(mode).isEqualTo("r--s"));
        closeNotOpen(1);
        FlightSnapshot snap = recorder.snapshot();
        assertThat(snap.events()).as("sys_enter_close and sys_exit_close").isEqualTo(2);
        recorder.close();
        assertThat(Fds.library()).isEqualTo(libraryFds0);
        assertThat(Fds.perfMappings()).isEqualTo(mappings0);
        assertThat(recorder.awaitTermination(Duration.ofSeconds(1))).isTrue();
    }

    /** close() from another thread while snapshots run: it waits for the one in progress, then releases. */
    @Test
    void closeDuringSnapshotsWaitsForTheOneInProgress() throws Exception {
        TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).ringPages(1).build();
        recorder.enable(CLOSE).filter(mine);
        AtomicInteger snapshots = new AtomicInteger();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        recorder.open();
        Thread taker = new Thread(() -> {
            while (true) {
                try {
                    recorder.snapshot();
                    snapshots.incrementAndGet();
                } catch (IllegalStateException closed) {
                    if (!recorder.isClosed()) {
                        unexpected.add(closed);
                    }
                    return;
                } catch (Exception e) {
                    unexpected.add(e);
                    return;
                }
            }
        });
        taker.start();
        closeNotOpen(200);
        assertThat(KernelTests.await(() -> snapshots.get() >= 3, Duration.ofSeconds(10))).isTrue();
        recorder.close();
        taker.join(10_000);
        assertThat(taker.isAlive()).isFalse();
        assertThat(unexpected).isEmpty();
        assertThat(Fds.library()).isEqualTo(libraryFds0);
        assertThat(Fds.perfMappings()).isEqualTo(mappings0);
    }

    @Test
    void closeFromASnapshotsListenerReleasesWhenTheSnapshotEnds() throws Exception {
        TracepointStream recorder = TracepointStream.builder().tracefs(tracefs).flightRecorder(true).build();
        List<Long> mappingsSeen = new CopyOnWriteArrayList<>();
        recorder.onEvent(CLOSE, e -> {
            recorder.close();
            mappingsSeen.add(Fds.perfMappings()); // nothing is released before the snapshot ends
        });
        recorder.enable(CLOSE).filter(mine);
        recorder.open();
        closeNotOpen(2);
        assertThat(recorder.snapshot().events()).isEqualTo(2);
        assertThat(mappingsSeen).hasSize(2).allSatisfy(n -> assertThat(n).isGreaterThan(mappings0));
        assertThat(recorder.isClosed()).isTrue();
        assertThat(Fds.library()).isEqualTo(libraryFds0);
        assertThat(Fds.perfMappings()).isEqualTo(mappings0);
        assertThat(recorder.awaitTermination(Duration.ofSeconds(1))).isTrue();
    }
}
