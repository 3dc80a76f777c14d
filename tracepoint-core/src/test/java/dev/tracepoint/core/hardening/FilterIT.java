package dev.tracepoint.core.hardening;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.Filter;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.perf.TestCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The typed filter against the real kernel: a hostile value cannot widen the filter, and a task whose name
 * contains a quote and filter operators is matched exactly by its name.
 */
class FilterIT {

    static final String GENERATE = "signal:signal_generate";

    record Seen(int pid, int sig, String comm) {
    }

    List<Seen> run(Tracefs tracefs, Filter filter, Runnable send) throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        try (TracepointStream s = TracepointStream.builder().tracefs(tracefs).maxLatency(Duration.ofMillis(10)).build()) {
            Field pid = s.format(GENERATE).requireField("pid");
            Field sig = s.format(GENERATE).requireField("sig");
            Field comm = s.format(GENERATE).requireField("comm");
            s.enable(GENERATE).filter(filter);
            s.onEvent(GENERATE, e -> seen.add(new Seen(e.getInt(pid), e.getInt(sig), e.getString(comm))));
            s.startAsync();
            send.run();
            Thread.sleep(300);
        }
        return seen;
    }

    @Test
    void hostileValuesMatchNothingExtraAndQuotedNamesMatchExactly(@TempDir Path tmp) throws Exception {
        Tracefs tracefs = KernelTests.require();
        // a child whose comm holds a double quote and filter syntax
        String odd = "tp\"q||sig";
        Path binary = tmp.resolve(odd);
        Files.copy(Path.of("/bin/sleep"), binary);
        binary.toFile().setExecutable(true);
        Process named = new ProcessBuilder(binary.toString(), "60").start();
        Process plain = new ProcessBuilder("sleep", "60").start();
        int namedPid = (int) named.pid();
        int plainPid = (int) plain.pid();
        try {
            Runnable send = () -> {
                for (int i = 0; i < 5; i++) {
                    TestCalls.kill(namedPid, TestCalls.SIGWINCH);
                    TestCalls.kill(plainPid, TestCalls.SIGWINCH);
                    TestCalls.kill(plainPid, TestCalls.SIGURG);
                }
            };
            // injection attempt: unquoted, this would be  comm == "sleep" || sig == 28 || comm == "x"
            String hostile = "sleep\" || sig == 28 || comm == \"x";
            Filter injected = Filter.field("comm").eq(hostile);
            assertThat(run(tracefs, injected, send)).isEmpty();
            assertThat(run(tracefs, Filter.field("comm").eq("sleep' || sig == 28 || comm == 'x"), send)).isEmpty();
            // the odd name, quoted with ', matches exactly that child's events
            List<Seen> oddSeen = run(tracefs, Filter.field("comm").eq(odd), send);
            assertThat(oddSeen).hasSize(5).allSatisfy(x -> assertThat(x).isEqualTo(new Seen(namedPid, 28, odd)));
            // a control: the typed filter with ordinary values works as the raw one would
            List<Seen> plainSeen = run(tracefs, Filter.field("pid").eq(plainPid).and(Filter.field("sig").eq(TestCalls.SIGURG)), send);
            assertThat(plainSeen).hasSize(5).allSatisfy(x -> assertThat(x).isEqualTo(new Seen(plainPid, TestCalls.SIGURG, "sleep")));
            // the stream checks fields before the kernel sees them
            try (TracepointStream s = TracepointStream.builder().tracefs(tracefs).build()) {
                assertThatThrownBy(() -> s.enable(GENERATE).filter(Filter.field("signal").eq(9)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field=signal");
            }
        } finally {
            named.destroyForcibly();
            plain.destroyForcibly();
        }
    }
}
