package dev.tracepoint.launcher;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    /** Runs the launcher with JAVA_HOME unset and only a JDK 17 (if any) on the PATH: it must find a 22+ itself. */
    static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile());
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        env.remove("TRACEPOINT_JAVA_OPTS");
        String path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        env.put("PATH", path);
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

    @Test
    void unknownCommandExitsWithUsage() throws Exception {
        Result r = run("frobnicate");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("unknown command 'frobnicate'");
    }
}
