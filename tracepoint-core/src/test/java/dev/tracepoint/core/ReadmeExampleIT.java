package dev.tracepoint.core;

import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's library example, extracted from README.md and run as written (source-file mode) on the live kernel. */
class ReadmeExampleIT {

    @Test
    void theReadmeExampleRunsAsWritten(@TempDir Path tmp) throws Exception {
        KernelTests.require();
        Path readme = Path.of(System.getProperty("tracepoint.repo", "..")).resolve("README.md");
        Matcher m = Pattern.compile("```java\n(import dev\\.tracepoint.*?public class (\\w+).*?)```", Pattern.DOTALL)
                .matcher(Files.readString(readme));
        assertThat(m.find()).as("README has a complete Java example").isTrue();
        Path source = tmp.resolve(m.group(2) + ".java");
        Files.writeString(source, m.group(1));

        Path out = tmp.resolve("out");
        Process example = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), source.toString())
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        List<Process> victims = new ArrayList<>();
        String expected = "pid " + ProcessHandle.current().pid() + " sent signal 15 to sleep";
        try {
            // the example compiles itself and opens the stream; SIGTERM fresh victims until it reports one
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (example.isAlive() && !Files.readString(out).contains(expected) && System.nanoTime() < deadline) {
                Process victim = new ProcessBuilder("sleep", "60").start();
                victims.add(victim);
                Thread.sleep(300);
                victim.destroy(); // SIGTERM, sent by this JVM
            }
            example.waitFor();
            assertThat(Files.readString(out)).contains(expected);
            assertThat(example.exitValue()).isZero();
        } finally {
            example.destroyForcibly();
            victims.forEach(Process::destroyForcibly);
        }
    }
}
