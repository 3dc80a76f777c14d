package dev.tracepoint.skb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Corpus location and the gate for tests that need the real kernel. */
public final class TestSupport {

    private TestSupport() {
    }

    /** @return the format corpus: system property {@code tracepoint.corpus}, else {@code ../testdata/corpus} */
    public static Path corpus() {
        String p = System.getProperty("tracepoint.corpus");
        Path root = p != null && !p.isBlank() ? Path.of(p) : Path.of("..", "testdata", "corpus");
        assertThat(root).as("format corpus (system property tracepoint.corpus)").isDirectory();
        return root;
    }

    /** @return whether this is a CI run ({@code CI=true}), where kernel tests must not skip */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** @return whether this process runs as uid 0 */
    public static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Skips (locally) or fails (CI) unless real tracepoints can be opened here. */
    public static void requireKernel() {
        boolean root = root();
        boolean mounted = Files.isDirectory(Path.of("/sys/kernel/tracing/events/skb"))
                || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events/skb"));
        if (ci()) {
            assertThat(root).as("CI must run the kernel tests as root").isTrue();
            assertThat(mounted).as("CI must mount tracefs (mount -t tracefs nodev /sys/kernel/tracing)").isTrue();
        } else {
            assumeTrue(root, "kernel tests need root; skipped outside CI");
            assumeTrue(mounted, "tracefs with the skb events is not mounted; skipped outside CI");
        }
    }

    /** Polls {@code condition} every 10 ms until it holds or {@code timeout} passes. */
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
