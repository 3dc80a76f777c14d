package dev.tracepoint.core.internal.dispatch;

import org.junit.jupiter.api.Test;

import java.util.function.LongUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the warm-up paces itself by: the JIT compilers' work, seen from {@code /proc/self/task} and the
 * compilation MXBean of this JVM (the tests run on HotSpot with its JIT on).
 */
class JitIdleTest {

    @Test
    void theCompilersOfThisJvmAreSeen() {
        assertThat(JitIdle.observable()).isTrue();
        assertThat(JitIdle.compilerCpuNanos()).as("the compiler threads have run: this JVM compiled its start-up").isPositive();
    }

    @Test
    void codeMadeHotIsCompiledAndTheWaitSeesIt() {
        long since = JitIdle.activity();
        // a method of its own, called far past the thresholds of C1 (200) and C2 (5000)
        LongUnaryOperator hot = x -> x * 31 + (x >>> 3);
        long sink = 0;
        for (int i = 0; i < 200_000; i++) {
            sink += hot.applyAsLong(i);
        }
        assertThat(JitIdle.await(since, 30_000_000_000L)).as("the compilers worked since (sink %s)", sink).isTrue();
        assertThat(JitIdle.activity()).isGreaterThan(since);
    }

    @Test
    void theWarmUpsPaceEndsOnceItsWorkIsDoneAndTheCompilersIdle() {
        JitPace pace = new JitPace(30_000_000_000L);
        assertThat(pace.done(10)).as("no work yet").isFalse();
        while (!pace.done(10)) {
            pace.step(1);
        }
        assertThat(pace.work()).isGreaterThanOrEqualTo(10);
    }
}
