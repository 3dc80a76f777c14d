package dev.tracepoint.signal;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Gate for tests that open real tracepoints: skipped on a developer machine without root or tracefs, a
 * failure in CI ({@code CI=true}), which runs as root on a real kernel.
 */
public final class KernelGate {

    private KernelGate() {
    }

    /** @return whether this run is CI */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (locally) or fails (CI) unless tracepoints can be opened here. */
    public static void require() {
        boolean root = Libc.getuid() == 0;
        boolean mounted = Files.isDirectory(Path.of("/sys/kernel/tracing/events/signal"))
                || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events/signal"));
        if (ci()) {
            assertThat(root).as("CI must run the kernel tests as root").isTrue();
            assertThat(mounted).as("CI must mount tracefs (mount -t tracefs nodev /sys/kernel/tracing)").isTrue();
        } else {
            assumeTrue(root, "kernel tests need root; skipped outside CI");
            assumeTrue(mounted, "tracefs with signal events is not mounted; skipped outside CI");
        }
    }

    /** @return the repository root: the {@code tracepoint.repo} system property, else {@code ..} */
    public static Path repo() {
        String p = System.getProperty("tracepoint.repo");
        return p != null && !p.isBlank() ? Path.of(p) : Path.of("..");
    }

    /** @return the format corpus root: the {@code tracepoint.corpus} system property, else {@code ../testdata/corpus} */
    public static Path corpus() {
        String p = System.getProperty("tracepoint.corpus");
        Path root = p != null && !p.isBlank() ? Path.of(p) : Path.of("..", "testdata", "corpus");
        assertThat(root).as("format corpus (system property tracepoint.corpus)").isDirectory();
        return root;
    }

    /** @return this JVM's process name, as the kernel has it ({@code /proc/self/comm}) */
    public static String selfComm() throws java.io.IOException {
        return Files.readString(Path.of("/proc/self/comm")).trim();
    }
}
