package dev.tracepoint.skb;

import dev.tracepoint.testing.Launcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code drops} command's argument handling and its errors, which need neither root nor tracefs. */
class DropsCommandTest {

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of(args));
        int status = Launcher.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void isALauncherCommand() {
        Result help = run("help");
        assertThat(help.out()).containsPattern("drops\\s+packet drops per reason");
        Result usage = run("help", "drops");
        assertThat(usage.status()).isZero();
        assertThat(usage.out()).contains("--interval", "--top", "--json", "--reason", "--protocol", "--include-consumed",
                "--duration", "--pages", "--list-reasons", "--kallsyms", "--tracefs", "--ready");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(run("drops", "--bogus").status()).isEqualTo(2);
        Result protocol = run("drops", "--protocol", "nope");
        assertThat(protocol.status()).isEqualTo(2);
        assertThat(protocol.err()).contains("--protocol: unknown protocol 'nope' (give an ethertype");
        Result typo = run("drops", "--protocol", "IPv5");
        assertThat(typo.status()).isEqualTo(2);
        assertThat(typo.err()).contains("--protocol: unknown protocol 'IPv5'; did you mean IPv4 or IPv6?");
        assertThat(run("drops", "--interval", "0").status()).isEqualTo(2);
        assertThat(run("drops", "--pages", "3").status()).isEqualTo(2);
        assertThat(run("drops", "extra").status()).isEqualTo(2);
    }

    @Test
    void withoutTracefsTheErrorSaysSo(@TempDir Path dir) {
        Path missing = dir.resolve("no-tracefs");
        Result r = run("drops", "--tracefs", missing.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("tracepoint drops: no tracefs at " + missing).doesNotContain("\tat ");
    }
}
