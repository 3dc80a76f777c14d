package dev.tracepoint.testing;

import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.internal.cli.Main;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The launcher for the tests of the other modules, which compile against the core's test jar from outside the
 * core module: the launcher's package is not exported (it is no part of the library; it is in the cli jar), so
 * they reach it through this class, as they reach the core's system calls through {@link ProcessCalls}.
 */
public final class Launcher {

    /** The launcher's main class, for a JVM started with {@link #classPath}. */
    public static final String MAIN = Main.class.getName();

    private Launcher() {
    }

    /**
     * Runs {@code tracepoint ARGS...} in this JVM.
     *
     * @param args the command and its arguments
     * @param out  standard output
     * @param err  standard error
     * @return the exit status
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return Main.run(args, out, err);
    }

    /**
     * @param classes classes of the other modules to run too (their library and launcher parts)
     * @return a class path with the core's library and launcher and the places of {@code classes}: jars or
     *         class directories, as this test runs them
     */
    public static String classPath(Class<?>... classes) {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(location(TracepointStream.class));
        entries.add(location(Main.class));
        for (Class<?> c : classes) {
            entries.add(location(c));
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The JVM option that makes a launched JVM log the library's {@code DEBUG} messages (the
     * {@code dev.tracepoint} logger, through {@code java.util.logging}) to its standard error, among them the
     * line {@code warm-up: N records, N wake-up passes in N ms} of each stream that warmed up.
     *
     * @param dir where to write the logging configuration
     * @return {@code -Djava.util.logging.config.file=...}
     * @throws IOException when the configuration cannot be written
     */
    public static String debugLogging(Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("logging-" + System.nanoTime() + ".properties"), """
                handlers=java.util.logging.ConsoleHandler
                java.util.logging.ConsoleHandler.level=FINE
                dev.tracepoint.level=FINE
                """);
        return "-Djava.util.logging.config.file=" + config;
    }

    /** What a stream that warmed up logs with {@link #debugLogging}, at the start of the line. */
    public static final String WARM_UP_LOG = "warm-up: ";

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException("no location for " + c, e);
        }
    }
}
