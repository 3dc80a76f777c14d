package dev.tracepoint.core;

import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Typed interfaces where users declare them, each in a JVM of its own on the live kernel: in a single-file
 * source program ({@code java Prog.java}, whose classes live in the launcher's in-memory class loader), and in
 * a named module that does not export the interface's package (without a Lookup: the error gives the exact
 * {@code exports} line, which then works; with {@code MethodHandles.lookup()}: it binds as it is). Each program
 * signals a child of its own and prints what its typed listener received.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TypedInterfacesLaunchIT {

    /** The listener's line: signal, sender (the sample's pid), target comm and pid (the field), then a record copy. */
    private static final Pattern SEEN = Pattern.compile("victim (\\d+)\\R.*signal 15 from (\\d+) to sleep (\\d+)( copy .*)?\\R.*seen",
            Pattern.DOTALL);

    private static final String PROGRAM = """
            import dev.tracepoint.core.TracepointStream;
            import dev.tracepoint.core.decode.TracepointEvent;
            import dev.tracepoint.core.decode.TracepointField;

            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.TimeUnit;

            public class WhoKillsTyped {
                interface Kill extends TracepointEvent {   // not public: a single-file program's types need not be
                    int sig();

                    @TracepointField("pid")
                    int targetPid();

                    String comm();
                }

                public static void main(String[] args) throws Exception {
                    Process victim = new ProcessBuilder("sleep", "30").start();
                    System.out.println("victim " + victim.pid());
                    try (TracepointStream stream = TracepointStream.builder().warmUp(false).build()) {
                        CountDownLatch seen = new CountDownLatch(1);
                        stream.enable("signal:signal_generate").filter("sig == 15 && pid == " + victim.pid())
                                .onEvent(Kill.class, e -> {
                                    System.out.println("signal " + e.sig() + " from " + e.pid() + " to " + e.comm() + " " + e.targetPid());
                                    seen.countDown();
                                });
                        stream.startAsync();
                        victim.destroy();
                        System.out.println(seen.await(10, TimeUnit.SECONDS) ? "seen" : "not seen");
                    } finally {
                        victim.destroyForcibly();
                    }
                }
            }
            """;

    @Test
    void aTypedInterfaceInASingleFileProgramBinds(@TempDir Path tmp) throws Exception {
        KernelTests.require();
        Path source = Files.writeString(tmp.resolve("WhoKillsTyped.java"), PROGRAM);
        ChildJvm.Result r = ChildJvm.run(tmp, 40, "--enable-native-access=ALL-UNNAMED", "-cp", ChildJvm.coreClasses().toString(),
                source.toString());
        assertSeen(r);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private static final String MODULE_INFO = """
            module demo.events {
                requires dev.tracepoint.core;
            %s}
            """;

    private static final String KILL = """
            package demo.events;

            import dev.tracepoint.core.decode.TracepointEvent;
            import dev.tracepoint.core.decode.TracepointField;

            public interface Kill extends TracepointEvent {
                int sig();

                @TracepointField("pid")
                int targetPid();

                String comm();
            }
            """;

    private static final String COPY = """
            package demo.events;

            public record Copy(int sig, String comm) {
            }
            """;

    /** In another package of the module than the interface, also not exported; "lookup" binds with its Lookup. */
    private static final String MAIN = """
            package demo.app;

            import demo.events.Copy;
            import demo.events.Kill;
            import dev.tracepoint.core.Subscription;
            import dev.tracepoint.core.TracepointStream;
            import dev.tracepoint.core.TypedListener;

            import java.lang.invoke.MethodHandles;
            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.TimeUnit;

            public class Main {
                public static void main(String[] args) throws Exception {
                    boolean lookup = args[0].equals("lookup");
                    Process victim = new ProcessBuilder("sleep", "30").start();
                    System.out.println("victim " + victim.pid());
                    try (TracepointStream stream = TracepointStream.builder().warmUp(false).build()) {
                        Subscription kills = stream.enable("signal:signal_generate").filter("sig == 15 && pid == " + victim.pid());
                        CountDownLatch seen = new CountDownLatch(1);
                        TypedListener<Kill> listener = e -> {
                            Copy copy = lookup ? e.view().as(Copy.class, MethodHandles.lookup()) : e.view().as(Copy.class);
                            System.out.println("signal " + e.sig() + " from " + e.pid() + " to " + e.comm() + " " + e.targetPid()
                                    + " copy " + copy);
                            seen.countDown();
                        };
                        try {
                            if (lookup) {
                                kills.onEvent(Kill.class, MethodHandles.lookup(), listener);
                            } else {
                                kills.onEvent(Kill.class, listener);
                            }
                        } catch (IllegalArgumentException e) {
                            System.out.println("ERROR " + e.getMessage());
                            return;
                        }
                        stream.startAsync();
                        victim.destroy();
                        System.out.println(seen.await(10, TimeUnit.SECONDS) ? "seen" : "not seen");
                    } finally {
                        victim.destroyForcibly();
                    }
                }
            }
            """;

    @Test
    void onTheModulePathWithoutALookupTheErrorGivesTheExportsLineAndTheLineWorks(@TempDir Path tmp) throws Exception {
        KernelTests.require();
        Path mod = compileModule(tmp.resolve("v1"), "");
        ChildJvm.Result r = runModule(tmp, mod, "nolookup");
        assertThat(r.output()).as(r.output()).contains("ERROR cannot bind typed event interface demo.events.Kill: package"
                + " demo.events of module demo.events is not exported to dev.tracepoint.core. Either add to module-info.java"
                + " of module demo.events: exports demo.events to dev.tracepoint.core; or bind with your module's Lookup:"
                + " subscription.onEvent(Kill.class, MethodHandles.lookup(), listener)");

        // the line as the error gives it, added to module-info.java: the same program binds, and copies records
        Matcher line = Pattern.compile("module demo\\.events: (exports [^;]+;)").matcher(r.output());
        assertThat(line.find()).isTrue();
        Path exported = compileModule(tmp.resolve("v2"), "    " + line.group(1) + "\n");
        ChildJvm.Result ok = runModule(tmp, exported, "nolookup");
        assertSeen(ok);
        assertThat(ok.output()).contains(" copy Copy[sig=15, comm=sleep]");
    }

    @Test
    void onTheModulePathWithALookupAnUnexportedInterfaceBinds(@TempDir Path tmp) throws Exception {
        KernelTests.require();
        Path mod = compileModule(tmp, "");
        ChildJvm.Result r = runModule(tmp, mod, "lookup");
        assertSeen(r);
        assertThat(r.output()).contains(" copy Copy[sig=15, comm=sleep]");
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private static void assertSeen(ChildJvm.Result r) {
        Matcher m = SEEN.matcher(r.output());
        assertThat(m.find()).as("the program reports the signal it sent; it printed:%n%s", r.output()).isTrue();
        assertThat(Long.parseLong(m.group(2))).as("sender: the program's JVM").isEqualTo(r.pid());
        assertThat(m.group(3)).as("target: the program's victim").isEqualTo(m.group(1));
    }

    private static ChildJvm.Result runModule(Path dir, Path module, String mode) throws IOException, InterruptedException {
        return ChildJvm.run(dir, 40, "--enable-native-access=dev.tracepoint.core",
                "--module-path", ChildJvm.coreClasses() + File.pathSeparator + module,
                "-m", "demo.events/demo.app.Main", mode);
    }

    /** Compiles module demo.events (no package exported, plus {@code extra} in module-info) against the core. */
    private static Path compileModule(Path dir, String extra) throws IOException, InterruptedException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("demo/events"));
        Files.createDirectories(src.resolve("demo/app"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO.formatted(extra));
        Files.writeString(src.resolve("demo/events/Kill.java"), KILL);
        Files.writeString(src.resolve("demo/events/Copy.java"), COPY);
        Files.writeString(src.resolve("demo/app/Main.java"), MAIN);
        Path out = dir.resolve("demo.events");
        Path log = dir.resolve("javac.out");
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d", out.toString(), "--module-path", ChildJvm.coreClasses().toString(),
                src.resolve("module-info.java").toString(), src.resolve("demo/events/Kill.java").toString(),
                src.resolve("demo/events/Copy.java").toString(), src.resolve("demo/app/Main.java").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(javac.waitFor(30, TimeUnit.SECONDS)).as("javac exits").isTrue();
            assertThat(javac.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            javac.destroyForcibly();
        }
        return out;
    }
}
