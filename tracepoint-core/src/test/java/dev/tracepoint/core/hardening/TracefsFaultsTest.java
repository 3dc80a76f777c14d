package dev.tracepoint.core.hardening;

import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracefsUnavailableException;
import dev.tracepoint.core.UnknownTracepointException;
import dev.tracepoint.core.TracepointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile tracefs environments that need no kernel: not mounted, an empty mount point, and event
 * directories that disappear between listing and reading (a module unloaded, an instance removed). Each
 * must give the documented checked exception with a message that says what to do. (Unreadable tracefs is
 * tested as an unprivileged user in {@link PrivilegeAndLimitsIT}: root reads it regardless of modes.)
 */
class TracefsFaultsTest {

    static final String SIGNAL_FORMAT = """
            name: signal_generate
            ID: 200
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
            \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            \tfield:int sig;\toffset:8;\tsize:4;\tsigned:1;

            print fmt: "sig=%d", REC->sig
            """;

    /** Calls the package-private {@code Tracefs.locate(Path mountinfo)} seam. */
    static Tracefs locate(Path mountinfo) throws Throwable {
        Method m = Tracefs.class.getDeclaredMethod("locate", Path.class);
        m.setAccessible(true);
        try {
            return (Tracefs) m.invoke(null, mountinfo);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    static Path fakeTracefs(Path root) throws Exception {
        Path dir = Files.createDirectories(root.resolve("events/signal/signal_generate"));
        Files.writeString(dir.resolve("format"), SIGNAL_FORMAT);
        Files.createDirectories(root.resolve("events/sched/sched_switch"));
        Files.writeString(root.resolve("events/sched/sched_switch/format"), SIGNAL_FORMAT.replace("signal_generate", "sched_switch"));
        return root;
    }

    @Test
    void notMountedNamesTheMountCommand(@TempDir Path tmp) throws Exception {
        Path mountinfo = tmp.resolve("mountinfo");
        Files.writeString(mountinfo, """
                22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
                23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw
                24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:3 - sysfs sysfs rw
                """);
        assertThatThrownBy(() -> locate(mountinfo)).isInstanceOf(TracefsUnavailableException.class)
                .hasMessageContaining("not mounted").hasMessageContaining(Tracefs.MOUNT_COMMAND);
        // a tracefs mount whose mount point has no events/ (e.g. an unmounted stale entry) is no tracefs either
        Files.writeString(mountinfo, "30 24 0:12 / " + tmp.resolve("nowhere") + " rw - tracefs nodev rw\n");
        assertThatThrownBy(() -> locate(mountinfo)).isInstanceOf(TracefsUnavailableException.class)
                .hasMessageContaining(Tracefs.MOUNT_COMMAND);
        // unreadable mountinfo
        assertThatThrownBy(() -> locate(tmp.resolve("no-such-mountinfo"))).isInstanceOf(TracefsUnavailableException.class)
                .hasMessageContaining("no-such-mountinfo");
    }

    @Test
    void locateFindsAFakeMountThroughMountinfoWithEscapedSpaces(@TempDir Path tmp) throws Throwable {
        Path root = fakeTracefs(Files.createDirectories(tmp.resolve("trace fs")));
        Path mountinfo = tmp.resolve("mountinfo");
        Files.writeString(mountinfo, "30 24 0:12 / " + root.toString().replace(" ", "\\040") + " rw - tracefs nodev rw\n");
        assertThat(locate(mountinfo).root()).isEqualTo(root);
    }

    @Test
    void emptyMountPointGivesTracefsUnavailable(@TempDir Path tmp) {
        assertThatThrownBy(() -> Tracefs.at(tmp)).isInstanceOf(TracefsUnavailableException.class)
                .hasMessageContaining(tmp.toString()).hasMessageContaining(Tracefs.MOUNT_COMMAND);
        assertThatThrownBy(() -> TracepointStream.builder().tracefs(Tracefs.at(tmp)))
                .isInstanceOf(TracefsUnavailableException.class);
    }

    @Test
    void eventDirectoryDisappearingBetweenListingAndOpening(@TempDir Path tmp) throws Exception {
        Tracefs t = Tracefs.at(fakeTracefs(tmp));
        assertThat(t.tracepoints()).containsExactly("sched:sched_switch", "signal:signal_generate");
        // listed, then the event goes away (module unloaded) before its format is read
        Path dir = tmp.resolve("events/signal/signal_generate");
        Files.delete(dir.resolve("format"));
        Files.delete(dir);
        assertThatThrownBy(() -> t.format("signal:signal_generate")).isInstanceOf(UnknownTracepointException.class)
                .hasMessageContaining("signal:signal_generate");
        try (TracepointStream s = TracepointStream.builder().tracefs(t).build()) {
            assertThatThrownBy(() -> s.enable("signal:signal_generate")).isInstanceOf(UnknownTracepointException.class);
        }
        // a whole system vanishing while the list is being built is skipped, not an error
        Files.delete(tmp.resolve("events/sched/sched_switch/format"));
        Files.delete(tmp.resolve("events/sched/sched_switch"));
        Files.delete(tmp.resolve("events/sched"));
        assertThat(t.tracepoints()).isEmpty();
    }

    @Test
    void formatFileReplacedByGarbageGivesFormatException(@TempDir Path tmp) throws Exception {
        Tracefs t = Tracefs.at(fakeTracefs(tmp));
        Files.write(tmp.resolve("events/signal/signal_generate/format"), new byte[] {'I', 'D', ':', ' ', 0, (byte) 0xff});
        assertThatThrownBy(() -> t.format("signal:signal_generate")).isInstanceOf(TracepointException.class)
                .hasMessageContaining("signal_generate");
    }
}
