package dev.tracepoint.core.internal.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the launcher's {@code Main} in a separate JVM, on this test's class path (the same classes the
 * {@code ./tracepoint} script runs from the jars), and captures its output.
 */
public final class CliProcess implements AutoCloseable {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CliProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code tracepoint ARGS...}. */
    public static CliProcess start(String... args) throws IOException {
        return start(List.of(), args);
    }

    /** Starts {@code tracepoint ARGS...} in a JVM with these options too. */
    public static CliProcess start(List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("tracepoint-cli", ".out");
        Path err = Files.createTempFile("tracepoint-cli", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new CliProcess(p, out, err);
    }

    /** Runs {@code tracepoint ARGS...} to completion (at most 60 s). */
    public static CliProcess run(String... args) throws Exception {
        CliProcess c = start(args);
        c.waitFor(Duration.ofSeconds(60));
        return c;
    }

    /** Waits for the process to exit; fails the test if it does not. */
    public int waitFor(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("tracepoint did not exit within " + timeout + "; stderr: " + err());
        }
        return process.exitValue();
    }

    /** Waits until {@code file} exists (the command's --ready file). */
    public void awaitFile(Path file, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            if (!process.isAlive()) {
                throw new AssertionError("tracepoint exited early: " + err());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("tracepoint did not get ready within " + timeout + "; stderr: " + err());
            }
            Thread.sleep(20);
        }
    }

    public long pid() {
        return process.pid();
    }

    public int exitValue() {
        return process.exitValue();
    }

    public String out() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    public String err() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
    }
}
