package dev.tracepoint.core;

import dev.tracepoint.core.internal.perf.Native;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Gate for tests that open real tracepoints. On a developer machine without root or tracefs they are
 * skipped; in CI ({@code CI=true}) a missing privilege or tracefs fails the run instead.
 */
public final class KernelAccess {

    private KernelAccess() {
    }

    /** @return whether this run is CI, where kernel tests must run */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (locally) or fails (CI) unless tracepoints can be opened here. */
    public static Tracefs require() {
        boolean root = Native.getuid() == 0;
        boolean mounted = Files.isDirectory(Path.of("/sys/kernel/tracing/events")) || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events"));
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
}
