package dev.tracepoint.launcher;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code ./tracepoint} launcher script itself, run as users run it. This module builds after the core,
 * signal and skb jars are packaged, so the launcher finds them fresh and runs without a nested build.
 */
class LauncherIT {

    static final Path REPO = Path.of(System.getProperty("tracepoint.repo", "..")).toAbsolutePath().normalize();
    static final Path LAUNCHER = REPO.resolve("tracepoint");

    record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void kernel() {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean ready = Files.isDirectory(Path.of("/sys/kernel/tracing/events")) && "root".equals(System.getProperty("user.name"));
        if (ci) {
            assertThat(ready).as("CI runs the launcher tests as root with tracefs mounted").isTrue();
        } else {
            assumeTrue(ready, "needs root and tracefs; skipped outside CI");
        }
    }

    /** The PATH the launcher runs with: the system's, where at most a JDK 17 is found. */
    static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Runs the launcher with JAVA_HOME unset and only a JDK 17 (if any) on the PATH: it must find a 22+ itself. */
    static Result run(String... args) throws Exception {
        return run(LAUNCHER, Map.of(), args);
    }

    /** Runs {@code launcher} as {@link #run(String...)} does, with {@code extraEnv} added to its environment. */
    static Result run(Path launcher, Map<String, String> extraEnv, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(launcher.getParent().toFile());
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        env.remove("TRACEPOINT_JAVA_OPTS");
        env.remove("MAVEN_OPTS");
        env.put("PATH", SYSTEM_PATH);
        env.putAll(extraEnv);
        File out = File.createTempFile("launcher", ".out");
        File err = File.createTempFile("launcher", ".err");
        try {
            Process p = pb.redirectOutput(out).redirectError(err).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("launcher did not exit: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    @Test
    void findsAJdkAndListsTracepoints() throws Exception {
        Result r = run("list", "signal:*");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().lines()).containsExactly("signal:signal_deliver", "signal:signal_generate");
        assertThat(r.err()).doesNotContain("building the jars");
        Result home = run("--java-home");
        assertThat(home.out().trim()).isNotEmpty();
        assertThat(Path.of(home.out().trim(), "bin", "javac")).isExecutable();
    }

    @Test
    void describesAnEventAsJson() throws Exception {
        Result r = run("describe", "signal:signal_generate", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("{\"name\":\"signal:signal_generate\"").contains("\"name\":\"comm\",\"type\":\"char[16]\",\"offset\":20,\"size\":16");
    }

    @Test
    void everyModulesSubcommandIsWiredIn() throws Exception {
        Result help = run("help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("list", "describe", "formats", "stream", "signals", "drops");
        for (String c : List.of("signals", "drops", "stream")) {
            Result r = run(c, "--help");
            assertThat(r.status()).as(c + ": " + r.err()).isZero();
            assertThat(r.out()).contains("usage: tracepoint " + c);
        }
    }

    /**
     * The builds the launcher runs (of the jars, when they are missing or stale, and {@code ./tracepoint test})
     * show Maven's output only: no JDK warnings about Maven's own use of {@code sun.misc.Unsafe} or of native
     * access, which JDK 24 and later print. A stand-in {@code mvn}, first on the PATH, records the options
     * Maven's JVM gets and runs the real Maven on an empty project instead of the build asked for; for the
     * jar build it also provides the jars, copied from this build, to a copy of the launcher that has none.
     */
    @Test
    void mavenRunsWithoutJdkWarnings(@TempDir Path dir) throws Exception {
        Path realMvn = onPath(System.getenv("PATH") + ":" + SYSTEM_PATH, "mvn");
        assumeTrue(realMvn != null, "no mvn on the PATH");
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>dev.tracepoint.launcher</groupId>
                  <artifactId>empty</artifactId>
                  <version>1</version>
                  <packaging>pom</packaging>
                </project>
                """);
        Path copy = Files.createDirectories(dir.resolve("copy"));
        Path launcher = Files.copy(LAUNCHER, copy.resolve("tracepoint"));
        Path options = dir.resolve("maven-opts");
        StringBuilder stub = new StringBuilder("#!/bin/sh\n");
        stub.append("printf '%s\\n' \"$MAVEN_OPTS\" >> '").append(options).append("'\n");
        for (String module : List.of("tracepoint-core", "tracepoint-signal", "tracepoint-skb")) {
            Path target = copy.resolve(module).resolve("target");
            stub.append("mkdir -p '").append(target).append("' && cp '").append(jar(module)).append("' '")
                    .append(cliJar(module)).append("' '").append(target).append("'\n");
        }
        stub.append("exec '").append(realMvn).append("' -q -B -o -f '").append(project.resolve("pom.xml")).append("' validate\n");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path mvn = Files.writeString(bin.resolve("mvn"), stub);
        assertThat(mvn.toFile().setExecutable(true)).isTrue();
        Map<String, String> env = Map.of("PATH", bin + ":" + SYSTEM_PATH, "MAVEN_OPTS", "-Dtracepoint.users.own=kept");

        // the copy has no jars: the launcher builds them first (the stand-in copies them in)
        Result build = run(launcher, env, "list", "signal:*");
        assertThat(build.status()).as(build.err()).isZero();
        assertThat(withoutAnsi(build.err())).as("the jar build: only the launcher's own line")
                .isEqualTo("tracepoint: building the jars (mvn package)...\n");
        assertThat(build.out().lines()).containsExactly("signal:signal_deliver", "signal:signal_generate");
        assertThat(Files.readString(options).strip()).as("the options Maven's JVM got for the jar build")
                .startsWith("--enable-native-access=ALL-UNNAMED").endsWith("-Dtracepoint.users.own=kept");

        Files.delete(options);
        Result test = run(launcher, env, "test", "-DskipTests");
        assertThat(test.status()).as(test.err()).isZero();
        assertThat(withoutAnsi(test.err())).as("./tracepoint test: nothing from Maven's JVM").isBlank();
        assertThat(withoutAnsi(test.out())).isBlank();
        assertThat(Files.readString(options).strip()).as("the options Maven's JVM got for ./tracepoint test")
                .startsWith("--enable-native-access=ALL-UNNAMED").endsWith("-Dtracepoint.users.own=kept");
    }

    /** @return the first executable {@code name} in the directories of {@code path}, or null */
    static Path onPath(String path, String name) {
        for (String d : path.split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /** @return a module's library jar as this build packaged it */
    static Path jar(String module) throws Exception {
        try (var files = Files.list(REPO.resolve(module).resolve("target"))) {
            return files.filter(p -> p.getFileName().toString().matches(module + "-[^-]+.*\\.jar")
                            && !p.getFileName().toString().matches(".*-(sources|javadoc|tests|cli)\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + module + " jar in " + REPO.resolve(module).resolve("target")));
        }
    }

    /** @return a module's cli jar (the launcher's commands) as this build packaged it */
    static Path cliJar(String module) throws Exception {
        try (var files = Files.list(REPO.resolve(module).resolve("target"))) {
            return files.filter(p -> p.getFileName().toString().matches(module + "-[^-]+.*-cli\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + module + " cli jar in " + REPO.resolve(module).resolve("target")));
        }
    }

    /** @return {@code s} without ANSI SGR sequences (some Maven builds print resets even in batch mode) */
    static String withoutAnsi(String s) {
        return s.replaceAll("\u001B\\[[0-9;]*m", "");
    }

    @Test
    void unknownCommandExitsWithUsage() throws Exception {
        Result r = run("frobnicate");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("unknown command 'frobnicate'");
    }
}
