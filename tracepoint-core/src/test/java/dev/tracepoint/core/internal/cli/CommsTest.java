package dev.tracepoint.core.internal.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Comms} over a proc tree of its own: the task records and /proc together. */
class CommsTest {

    static void thread(Path proc, int pid, int tid, String comm) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(pid + "/task/" + tid));
        Files.writeString(dir.resolve("comm"), comm + "\n");
    }

    @Test
    void namesComeFromProcAtFirstSightThenFromTheRecords(@TempDir Path proc) throws Exception {
        thread(proc, 100, 100, "bash");
        thread(proc, 100, 101, "worker");
        Comms c = new Comms(proc);
        assertThat(c.name(100, 100)).isEqualTo("bash");
        assertThat(c.name(100, 101)).as("a thread has its own name").isEqualTo("worker");
        assertThat(c.name(0, 0)).isEqualTo("<idle>");
        assertThat(c.name(555, 555)).as("neither in /proc nor in a record").isEqualTo(Comms.UNKNOWN);

        c.onFork(200, 100, 200, 100, 1);
        assertThat(c.name(200, 200)).as("a child is named after its parent").isEqualTo("bash");
        c.onComm(200, 200, "sleep", true);
        assertThat(c.name(200, 200)).isEqualTo("sleep");
        c.onFork(200, 100, 200, 100, 1); // a FORK read after the exec (another CPU's ring) does not undo it
        assertThat(c.name(200, 200)).isEqualTo("sleep");

        c.onExit(200, 100, 200, 100, 2);
        assertThat(c.name(200, 200)).as("an exited task keeps its name for events read late").isEqualTo("sleep");
        c.onFork(555, 100, 555, 100, 3);
        assertThat(c.name(555, 555)).as("a record names a task first seen as unknown").isEqualTo("bash");
    }

    @Test
    void seedReadsEveryThreadAndExitedTasksAreForgottenLater(@TempDir Path proc) throws Exception {
        thread(proc, 1, 1, "init");
        thread(proc, 300, 300, "java");
        thread(proc, 300, 301, "C2 CompilerThre");
        Comms c = new Comms(proc);
        assertThat(c.seed()).isEqualTo(3);
        Files.delete(proc.resolve("300/task/301/comm")); // gone from /proc: the seeded name stays
        assertThat(c.name(300, 301)).isEqualTo("C2 CompilerThre");
        assertThat(c.seed()).as("known threads are not read again").isZero();

        c.onExit(300, 1, 301, 300, 1);
        for (int tid = 10_000; tid < 10_000 + Comms.RETAIN_EXITED; tid++) {
            c.onComm(tid, tid, "t", false);
            c.onExit(tid, 1, tid, 1, 2);
        }
        assertThat(c.name(300, 301)).as("forgotten after RETAIN_EXITED later exits, then not in /proc")
                .isEqualTo(Comms.UNKNOWN);
        assertThat(c.size()).isLessThanOrEqualTo(Comms.RETAIN_EXITED + 3);
    }
}
