package dev.tracepoint.core;

import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JVM that denies native access ({@code --illegal-native-access=deny}) to the library: opening a stream
 * throws an {@link IllegalCallerException} that names the {@code --enable-native-access} value to add, for the
 * class path and the module path, and so does the next attempt (no {@code NoClassDefFoundError}); with that
 * value the same program opens its stream.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NativeAccessDeniedIT {

    private static final String PROGRAM = """
            import dev.tracepoint.core.TracepointStream;

            public class Denied {
                public static void main(String[] args) throws Exception {
                    for (int attempt = 1; attempt <= 2; attempt++) {
                        try (TracepointStream stream = TracepointStream.builder().warmUp(false).build()) {
                            stream.enable("signal:signal_generate");
                            stream.open();
                            System.out.println("attempt " + attempt + ": opened");
                        } catch (Throwable t) {
                            System.out.println("attempt " + attempt + ": " + t);
                        }
                    }
                }
            }
            """;

    @Test
    void onTheClassPathTheErrorNamesAllUnnamed(@TempDir Path tmp) throws Exception {
        KernelTests.require();
        Path source = Files.writeString(tmp.resolve("Denied.java"), PROGRAM);
        String cp = ChildJvm.coreClasses().toString();
        String denied = ChildJvm.run(tmp, 30, "--illegal-native-access=deny", "-cp", cp, source.toString()).output();
        String expected = "java.lang.IllegalCallerException: native access is not enabled for ALL-UNNAMED (the tracepoint"
                + " library is on the class path): start java with --enable-native-access=ALL-UNNAMED (the JVM was started"
                + " with --illegal-native-access=deny";
        assertThat(denied).as(denied).contains("attempt 1: " + expected).contains("attempt 2: " + expected)
                .doesNotContain("ExceptionInInitializerError").doesNotContain("NoClassDefFoundError");

        String enabled = ChildJvm.run(tmp, 30, "--illegal-native-access=deny", "--enable-native-access=ALL-UNNAMED",
                "-cp", cp, source.toString()).output();
        assertThat(enabled).as(enabled).contains("attempt 1: opened").contains("attempt 2: opened");
    }

    @Test
    void onTheModulePathTheErrorNamesTheModule(@TempDir Path tmp) throws Exception {
        KernelTests.require();
        Path source = Files.writeString(tmp.resolve("Denied.java"), PROGRAM);
        String mp = ChildJvm.coreClasses().toString();
        String denied = ChildJvm.run(tmp, 30, "--illegal-native-access=deny", "--module-path", mp,
                "--add-modules", "dev.tracepoint.core", source.toString()).output();
        String expected = "java.lang.IllegalCallerException: native access is not enabled for module dev.tracepoint.core:"
                + " start java with --enable-native-access=dev.tracepoint.core (the JVM was started with"
                + " --illegal-native-access=deny";
        assertThat(denied).as(denied).contains("attempt 1: " + expected).contains("attempt 2: " + expected);

        String enabled = ChildJvm.run(tmp, 30, "--illegal-native-access=deny", "--enable-native-access=dev.tracepoint.core",
                "--module-path", mp, "--add-modules", "dev.tracepoint.core", source.toString()).output();
        assertThat(enabled).as(enabled).contains("attempt 1: opened").contains("attempt 2: opened");
    }
}
