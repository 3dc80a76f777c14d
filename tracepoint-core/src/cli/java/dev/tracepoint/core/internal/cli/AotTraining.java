package dev.tracepoint.core.internal.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the launcher's start-up cache: {@code ./tracepoint} runs this once, under
 * {@code -XX:AOTCacheOutput} (JDK 25+, JEP 483/514/515) or a dynamic CDS archive (JDK 22-24), when the cache
 * is missing or older than the jars, and every later command starts from the classes it loaded and linked
 * (and, with the AOT cache, the method profiles it gathered). It runs the commands as users start them, for
 * a fraction of a second each, with their output discarded: {@code help}, {@code list}, {@code describe},
 * {@code stream} (printing, and {@code --count-only}), {@code signals} and {@code drops}. A command that
 * cannot run here (no privileges, no tracefs, a module missing) is skipped: the classes it loaded until then
 * are still in the cache.
 */
public final class AotTraining {

    private AotTraining() {
    }

    /**
     * Runs the training and exits with status 0 whatever the commands returned.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        Path dir = null;
        try {
            dir = Files.createTempDirectory("tracepoint-aot");
            String ready = dir.resolve("ready").toString();
            for (List<String> command : List.of(
                    List.of("help"),
                    List.of("list", "signal:*"),
                    List.of("describe", "signal:signal_generate"),
                    List.of("stream", "signal:signal_generate", "--duration", "0.2", "--ready", ready),
                    List.of("stream", "syscalls:sys_enter_getppid", "--count-only", "--duration", "0.2"),
                    List.of("signals", "--duration", "0.2"),
                    List.of("drops", "--duration", "0.2"))) {
                try {
                    Main.run(command, none, none);
                } catch (RuntimeException | LinkageError e) {
                    // skipped: what it loaded until here is trained all the same
                }
            }
        } catch (IOException e) {
            // no temporary directory: nothing more to train
        } finally {
            delete(dir);
        }
        System.exit(0);
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary file left behind
        }
    }
}
