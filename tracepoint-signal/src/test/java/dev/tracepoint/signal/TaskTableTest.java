package dev.tracepoint.signal;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The task table over a fake {@code /proc}, fed task records in the orders the per-CPU rings produce. */
class TaskTableTest {

    @TempDir
    Path proc;

    TaskTable table;

    @BeforeEach
    void setUp() throws IOException {
        process(1, "systemd", 0);
        process(100, "bash", 1000);
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(proc.resolve("sys"));
        table = new TaskTable(proc, 4, 1000);
    }

    void process(int pid, String comm, int uid) throws IOException {
        Path d = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(d.resolve("comm"), comm + "\n");
        Files.writeString(d.resolve("status"), "Name:\t" + comm + "\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t" + uid + "\t" + uid
                + "\t" + uid + "\t" + uid + "\nGid:\t0\t0\t0\t0\n");
    }

    void gone(int pid) throws IOException {
        Path d = proc.resolve(Integer.toString(pid));
        Files.deleteIfExists(d.resolve("comm"));
        Files.deleteIfExists(d.resolve("status"));
        Files.deleteIfExists(d);
    }

    @Test
    void seedsNamesAndRealUidsFromProc() {
        assertThat(table.seed()).isEqualTo(2);
        assertThat(table.comm(1)).isEqualTo("systemd");
        assertThat(table.uid(1)).isZero();
        assertThat(table.comm(100)).isEqualTo("bash");
        assertThat(table.uid(100)).isEqualTo(1000);
        assertThat(table.lookup(100)).isEqualTo(new TaskTable.Task(100, "bash", 1000, false));
        assertThat(table.procLookups()).isZero();
    }

    @Test
    void aForkInheritsItsParentsNameAndUidAndAnExecRenamesIt() throws IOException {
        table.seed();
        table.onFork(200, 100, 200, 100, 10);
        assertThat(table.lookup(200)).isEqualTo(new TaskTable.Task(200, "bash", 1000, false));
        process(200, "sudo", 0); // the exec'd program changed the real uid before exec: re-read
        table.onComm(200, 200, "sudo", true);
        assertThat(table.lookup(200)).isEqualTo(new TaskTable.Task(200, "sudo", 0, false));
    }

    @Test
    void threadsAreNotProcesses() {
        table.seed();
        table.onFork(100, 100, 101, 100, 10); // a new thread of bash
        table.onComm(100, 101, "worker", false); // a thread renamed itself
        assertThat(table.comm(100)).isEqualTo("bash");
        assertThat(table.size()).isEqualTo(2);
        table.onExit(100, 1, 101, 100, 20); // the thread exited, not the process
        assertThat(table.lookup(100).exited()).isFalse();
    }

    @Test
    void anExitedProcessIsNamedForTheNextExits() throws IOException {
        table.seed();
        table.onFork(300, 100, 300, 100, 10);
        table.onComm(300, 300, "kill", true);
        table.onExit(300, 100, 300, 100, 20);
        assertThat(table.lookup(300)).isEqualTo(new TaskTable.Task(300, "kill", 1000, true));
        // retainExited = 4: three more exits keep it, the fourth pushes it out
        for (int pid = 301; pid <= 303; pid++) {
            table.onFork(pid, 100, pid, 100, 30);
            table.onExit(pid, 100, pid, 100, 40);
        }
        assertThat(table.comm(300)).isEqualTo("kill");
        table.onFork(304, 100, 304, 100, 50);
        table.onExit(304, 100, 304, 100, 60);
        assertThat(table.comm(300)).as("forgotten, and not in /proc either").isNull();
    }

    @Test
    void aForkReadAfterTheChildsCommAndExitDoesNotRenameIt() throws IOException {
        table.seed();
        // the child ran on another CPU than its parent: its ring (COMM, EXIT) was drained first
        table.onComm(400, 400, "kill", true); // /proc/400 is already gone: uid unknown
        table.onExit(400, 100, 400, 100, 2_000);
        table.onFork(400, 100, 400, 100, 1_000);
        assertThat(table.lookup(400)).isEqualTo(new TaskTable.Task(400, "kill", 1000, true));
    }

    @Test
    void aForkAfterAnEarlierProcessWithThePidExitedNamesTheNewOne() throws IOException {
        table.seed();
        table.onFork(500, 100, 500, 100, 1_000);
        table.onComm(500, 500, "old", true);
        table.onExit(500, 100, 500, 100, 2_000);
        table.onFork(500, 1, 500, 1, 3_000); // the pid was reused by a child of systemd
        assertThat(table.lookup(500)).isEqualTo(new TaskTable.Task(500, "systemd", 0, false));
    }

    @Test
    void aForkReadAfterTheChildsExitKeepsItExited() throws IOException {
        table.seed();
        table.onExit(600, 100, 600, 100, 2_000); // a subshell that never exec'd, read before its FORK
        assertThat(table.comm(600)).isNull();
        table.onFork(600, 100, 600, 100, 1_000);
        assertThat(table.lookup(600)).isEqualTo(new TaskTable.Task(600, "bash", 1000, true));
    }

    @Test
    void aChildOfAnUnknownParentIsNamedOnceTheParentIs() throws IOException {
        table.seed();
        // grandchild's FORK read first; its parent 700 is not known yet and not in /proc
        table.onFork(701, 700, 701, 700, 2_000);
        assertThat(table.comm(701)).isNull();
        table.onFork(700, 100, 700, 100, 1_000);
        assertThat(table.comm(700)).isEqualTo("bash");
        assertThat(table.lookup(701)).isEqualTo(new TaskTable.Task(701, "bash", 1000, false));
    }

    @Test
    void anUnseenPidIsLookedUpInProcOnce() throws IOException {
        table.seed();
        process(800, "late", 7);
        assertThat(table.comm(800)).isEqualTo("late");
        assertThat(table.uid(800)).isEqualTo(7);
        assertThat(table.procLookups()).isEqualTo(1);
        assertThat(table.comm(900)).isNull();
        assertThat(table.comm(900)).isNull();
        assertThat(table.procLookups()).as("a miss is remembered").isEqualTo(2);
        table.onComm(900, 900, "found", true); // its record came late after all
        assertThat(table.comm(900)).isEqualTo("found");
    }

    @Test
    void pidZeroIsTheIdleTask() {
        assertThat(table.comm(0)).isEqualTo("swapper");
        assertThat(table.uid(0)).isZero();
    }

    @Test
    void theTableIsBounded() throws IOException {
        TaskTable small = new TaskTable(proc, 2, 10);
        small.seed();
        for (int pid = 1000; pid < 1100; pid++) {
            small.onFork(pid, 100, pid, 100, pid);
            if (pid % 2 == 0) {
                small.onExit(pid, 100, pid, 100, pid + 1);
            }
        }
        assertThat(small.size()).isLessThanOrEqualTo(10);
        gone(1);
        assertThat(small.comm(100)).isEqualTo("bash");
    }
}
