package dev.tracepoint.testing;

import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracefsUnavailableException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Shared by the tests of every module (through the core's test jar): the gate for tests that open real
 * tracepoints, and the paths of the repository and the format corpus. On a developer machine without root or
 * tracefs the kernel tests are skipped; in CI ({@code CI=true}) a missing privilege or tracefs fails them.
 */
public final class KernelTests {

    private KernelTests() {
    }

    /** @return whether this run is CI, where kernel tests must run */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** @return whether this process runs with effective uid 0 */
    public static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /**
     * Skips (locally) or fails (CI) unless tracepoints can be opened here.
     *
     * @return the tracefs to use
     */
    public static Tracefs require() {
        boolean root = root();
        boolean mounted = Files.isDirectory(Path.of("/sys/kernel/tracing/events"))
                || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events"));
        if (ci()) {
            assertThat(root).as("CI must run the kernel tests as root").isTrue();
            assertThat(mounted).as("CI must mount tracefs: " + Tracefs.MOUNT_COMMAND).isTrue();
        } else {
            assumeTrue(root, "kernel tests need root (or CAP_PERFMON); skipped outside CI");
            assumeTrue(mounted, "tracefs is not mounted; skipped outside CI");
        }
        try {
            return Tracefs.locate();
        } catch (TracefsUnavailableException e) {
            throw new AssertionError(e);
        }
    }

    /** @return the repository root: the {@code tracepoint.repo} system property, else {@code ..} */
    public static Path repo() {
        String p = System.getProperty("tracepoint.repo");
        return p != null && !p.isBlank() ? Path.of(p) : Path.of("..");
    }

    /** @return the format corpus: the {@code tracepoint.corpus} system property, else {@code ../testdata/corpus} */
    public static Path corpus() {
        String p = System.getProperty("tracepoint.corpus");
        Path root = p != null && !p.isBlank() ? Path.of(p) : Path.of("..", "testdata", "corpus");
        assertThat(root).as("format corpus (system property tracepoint.corpus)").isDirectory();
        return root;
    }

    /** @return this JVM's process name as the kernel has it ({@code /proc/self/comm}) */
    public static String selfComm() throws IOException {
        return Files.readString(Path.of("/proc/self/comm")).trim();
    }

    /**
     * Polls {@code condition} every 10 ms until it holds or {@code timeout} passes.
     *
     * @return whether it held
     */
    public static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
