package dev.tracepoint.launcher;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's start-up cache (an AOT cache on JDK 25+, a CDS archive on JDK 22-24): made by a training run the
 * first time, used by the commands after it, made again once a jar is newer than it, never used with
 * {@code TRACEPOINT_AOT=0}, and never a reason for a command to fail. Each test runs a copy of the launcher
 * beside copies of this build's jars (so the repository's own cache is left alone), and tells whether a run used
 * the cache by where its JVM loaded the launcher's main class from ({@code -Xlog:class+load}, written to a file:
 * "shared objects file" is the cache).
 */
class StartupCacheIT {

    static final List<String> MODULES = List.of("tracepoint-core", "tracepoint-signal", "tracepoint-skb");
    static final String MAIN = "dev.tracepoint.core.internal.cli.Main";

    @BeforeAll
    static void kernel() throws Exception {
        LauncherIT.kernel();
        LibraryJarsTest.packaged();
    }

    /** A launcher beside this build's jars, in {@code dir}. */
    static Path copy(Path dir) throws Exception {
        Path launcher = Files.copy(LauncherIT.LAUNCHER, dir.resolve("tracepoint"));
        for (String m : MODULES) {
            Path target = Files.createDirectories(dir.resolve(m).resolve("target"));
            for (Path jar : List.of(LauncherIT.jar(m), LauncherIT.cliJar(m))) {
                Files.copy(jar, target.resolve(jar.getFileName()));
            }
        }
        return launcher;
    }

    /** The cache the launcher makes under the copy's core module, whichever kind this JDK gets. */
    static Path cache(Path dir) throws Exception {
        Path aot = dir.resolve("tracepoint-core/target/aot");
        if (!Files.isDirectory(aot)) {
            return null;
        }
        try (var files = Files.list(aot)) {
            return files.filter(p -> p.getFileName().toString().matches("tracepoint\\.(aot|jsa)")).findFirst().orElse(null);
        }
    }

    /** One run of {@code list signal:*}, and where its JVM loaded the launcher's main class from. */
    record Run(LauncherIT.Result result, String mainSource) {
        boolean cached() {
            return mainSource.contains("shared objects file");
        }
    }

    static Run list(Path launcher, Map<String, String> env) throws Exception {
        Path log = Files.createTempFile(launcher.getParent(), "class-load", ".log");
        Map<String, String> all = new HashMap<>(env);
        all.put("TRACEPOINT_JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
        LauncherIT.Result r = LauncherIT.run(launcher, all, "list", "signal:*");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().lines()).as("the command's output, nothing of the cache's").containsExactly(
                "signal:signal_deliver", "signal:signal_generate");
        assertThat(r.err()).as("nothing on stderr (not a terminal)").isEmpty();
        String source = Files.readAllLines(log).stream().filter(l -> l.contains(" " + MAIN + " source: "))
                .findFirst().orElseThrow(() -> new AssertionError("no class-load line for " + MAIN + " in " + log));
        return new Run(r, source);
    }

    @Test
    void theCacheIsMadeOnceUsedAfterAndMadeAgainWhenAJarIsNewer(@TempDir Path dir) throws Exception {
        Path launcher = copy(dir);
        assertThat(cache(dir)).isNull();

        Run first = list(launcher, Map.of());
        Path cache = cache(dir);
        assertThat(cache).as("made by the first run").isNotNull().isNotEmptyFile();
        assertThat(first.cached()).as("the first run, after the training: " + first.mainSource()).isTrue();
        FileTime made = Files.getLastModifiedTime(cache);
        Object key = Files.readAttributes(cache, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        Run second = list(launcher, Map.of());
        assertThat(second.cached()).as(second.mainSource()).isTrue();
        assertThat(Files.getLastModifiedTime(cache)).as("used again, not made again").isEqualTo(made);
        assertThat(Files.readAttributes(cache, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(key);

        // a jar rebuilt after the cache was made: the cache is stale
        Path jar = LauncherIT.cliJar("tracepoint-signal").getFileName();
        Path copied = dir.resolve("tracepoint-signal/target").resolve(jar);
        Files.setLastModifiedTime(copied, FileTime.from(Instant.now().plusSeconds(5)));
        Run stale = list(launcher, Map.of());
        assertThat(stale.cached()).as(stale.mainSource()).isTrue();
        assertThat(Files.getLastModifiedTime(cache(dir))).as("made again").isGreaterThan(Files.getLastModifiedTime(copied));
    }

    @Test
    void tracepointAot0RunsWithoutTheCache(@TempDir Path dir) throws Exception {
        Path launcher = copy(dir);
        Run off = list(launcher, Map.of("TRACEPOINT_AOT", "0"));
        assertThat(off.cached()).as(off.mainSource()).isFalse();
        assertThat(off.mainSource()).contains("-cli.jar");
        assertThat(cache(dir)).as("none made").isNull();

        list(launcher, Map.of()); // makes it
        assertThat(cache(dir)).isNotNull();
        Run offAgain = list(launcher, Map.of("TRACEPOINT_AOT", "0"));
        assertThat(offAgain.cached()).as("a cache is there, and not used: " + offAgain.mainSource()).isFalse();
    }

    @Test
    void aCacheTheJvmCannotUseIsIgnored(@TempDir Path dir) throws Exception {
        Path launcher = copy(dir);
        list(launcher, Map.of());
        Path cache = cache(dir);
        assertThat(cache).isNotNull();
        // cut short, and newer than the jars: the launcher takes it for fresh, the JVM cannot map it
        byte[] head = new byte[4096];
        try (var in = Files.newInputStream(cache)) {
            assertThat(in.readNBytes(head, 0, head.length)).isEqualTo(head.length);
        }
        Files.write(cache, head);
        Run broken = list(launcher, Map.of()); // succeeds, with the command's output only (checked in list)
        assertThat(broken.cached()).as(broken.mainSource()).isFalse();
    }
}
