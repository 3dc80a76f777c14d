package dev.tracepoint.core;

import dev.tracepoint.core.decode.EventBinding;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A JVM started as a process by a test: this JDK's {@code java}, with the core's classes where the test puts them. */
final class ChildJvm {

    private ChildJvm() {
    }

    /** @return this JDK's {@code java} launcher */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * @return the core's compiled classes (a directory with {@code module-info.class}, or the jar): usable on the
     *         class path and on the module path
     */
    static Path coreClasses() {
        try {
            return Path.of(EventBinding.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Runs {@code java} with {@code args} in {@code dir} and waits for it to exit.
     *
     * @return what it printed, stdout and stderr
     */
    static Result run(Path dir, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "jvm", ".out");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try {
            boolean exited = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            assertThat(exited).as("%s exits within %d s; it printed:%n%s", command, timeoutSeconds, Files.readString(out)).isTrue();
            return new Result(p.pid(), p.exitValue(), Files.readString(out));
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * @param pid      the JVM's pid
     * @param exitCode its exit code
     * @param output   what it printed
     */
    record Result(long pid, int exitCode, String output) {
    }
}
