package dev.tracepoint.core.hardening;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.PermissionDeniedException;
import dev.tracepoint.core.TracefsUnavailableException;
import dev.tracepoint.core.TracepointException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile environments that need another process: a user without privileges (created for the test and
 * removed afterwards, even on failure), and RLIMIT_NOFILE / RLIMIT_MEMLOCK too low for the rings. Each runs
 * {@link ChildProbe} in a child JVM and checks the exception type, that the message names the cause, and
 * that the library left nothing open. System-wide settings (perf_event_paranoid, mounts) are not touched.
 */
class PrivilegeAndLimitsIT {

    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @BeforeEach
    void kernel() {
        KernelTests.require();
    }

    /** Runs ChildProbe with {@code prefix} (runuser, setpriv) in front; returns its stdout lines by key. */
    static Map<String, String> probe(List<String> prefix, String classPath, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(JAVA, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-cp", classPath,
                ChildProbe.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("probe hung: " + cmd);
            }
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0 && line.substring(0, sp).matches("[A-Z]+")) {
                m.put(line.substring(0, sp), line.substring(sp + 1));
            }
        }
        assertThat(m).as("probe output of %s:%n%s", cmd, out).containsKeys("RESULT", "LIBFDS", "MAPS");
        return m;
    }

    static String testClassPath() {
        return System.getProperty("java.class.path");
    }

    /** Copies the library's and the probe's classes to a world-readable directory for another user. */
    static Path worldReadableClasses(Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("classes"));
        for (String entry : testClassPath().split(File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.isDirectory(from)) {
                continue; // jars: the probe needs only the project's own classes
            }
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : walk.toList()) {
                    Path to = dir.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else if (p.toString().endsWith(".class") && !Files.exists(to)) {
                        Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        try (Stream<Path> walk = Files.walk(tmp)) {
            for (Path p : walk.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return dir;
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @Test
    void unprivilegedUserGetsTracefsUnavailableAndPermissionDenied(@TempDir Path tmp) throws Exception {
        String user = "tpq" + Long.toString(new SplittableRandom().nextLong(1L << 40, 1L << 41), 36);
        Path classes = worldReadableClasses(tmp);
        // a copy of the real signal_generate format, readable by anyone: gets the probe past tracefs to perf_event_open
        Path fake = Files.createDirectories(tmp.resolve("tracefs/events/signal/signal_generate"));
        Files.copy(Path.of("/sys/kernel/tracing/events/signal/signal_generate/format"), fake.resolve("format"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> walk = Files.walk(tmp.resolve("tracefs"))) {
            for (Path p : walk.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", user);
        try {
            List<String> asUser = List.of("runuser", "-u", user, "--");
            Map<String, String> locate = probe(asUser, classes.toString(), "locate");
            assertThat(locate.get("RESULT")).startsWith(TracefsUnavailableException.class.getName())
                    .contains("not readable").contains("user.name=" + user);
            Map<String, String> open = probe(asUser, classes.toString(), "open", tmp.resolve("tracefs").toString());
            assertThat(open.get("RESULT")).startsWith(PermissionDeniedException.class.getName())
                    .contains("perf_event_open").contains("perf_event_paranoid").contains("CAP_PERFMON");
            assertThat(open.get("LIBFDS")).isEqualTo("0");
            assertThat(open.get("MAPS")).isEqualTo("0");
        } finally {
            run("userdel", user);
        }
        assertThat(Files.readString(Path.of("/etc/passwd"))).doesNotContain(user + ":");
    }

    @Test
    void rlimitNofileTooLowNamesTheLimitAndLeavesNothingOpen() throws Exception {
        Map<String, String> r = probe(List.of(), testClassPath(), "nofile");
        assertThat(r.get("RESULT")).startsWith(TracepointException.class.getName()).contains("EMFILE").contains("RLIMIT_NOFILE")
                .contains("soft=" + r.get("NOFILE"));
        assertThat(r.get("LIBFDS")).isEqualTo("0");
        assertThat(r.get("MAPS")).isEqualTo("0");
    }

    /**
     * As root, CAP_IPC_LOCK lets any perf mapping past RLIMIT_MEMLOCK (kernel perf_mmap: the limit applies
     * only when {@code perf_is_paranoid() && !capable(CAP_IPC_LOCK)}), so the child runs without that
     * capability (setpriv drops it from the bounding and inheritable sets); it keeps CAP_PERFMON and opens
     * the events. Rings of 1024 pages per CPU exceed root's perf_event_mlock_kb allowance and the 64 KiB limit.
     */
    @Test
    void rlimitMemlockTooLowNamesTheLimitAndLeavesNothingOpen() throws Exception {
        List<String> noIpcLock = List.of("setpriv", "--inh-caps", "-ipc_lock", "--bounding-set", "-ipc_lock", "--");
        Map<String, String> r = probe(noIpcLock, testClassPath(), "memlock", "1024");
        assertThat(r.get("RESULT")).startsWith(TracepointException.class.getName()).contains("mmap").contains("EPERM")
                .contains("RLIMIT_MEMLOCK").contains("perf_event_mlock_kb");
        assertThat(r.get("LIBFDS")).isEqualTo("0");
        assertThat(r.get("MAPS")).isEqualTo("0");
        // control: with CAP_IPC_LOCK the same limits do not stop root
        Map<String, String> root = probe(List.of(), testClassPath(), "memlock", "1024");
        assertThat(root.get("RESULT")).isEqualTo("ok");
    }
}
