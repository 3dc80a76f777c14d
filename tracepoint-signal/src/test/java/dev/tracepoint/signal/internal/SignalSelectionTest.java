package dev.tracepoint.signal.internal;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignalSelectionTest {

    static EventFormat format(String dir, String event) throws Exception {
        return FormatParser.parse(KernelTests.corpus().resolve(dir).resolve("signal").resolve(event).resolve("format"));
    }

    @Test
    void everythingPassesAnEmptySelection() throws Exception {
        SignalSelection s = SignalSelection.builder().build();
        assertThat(s.generateFilter(format("kernel-6.18", "signal_generate"))).isNull();
        assertThat(s.deliverFilter(format("kernel-6.18", "signal_deliver"))).isNull();
        assertThat(s.senderPidMatches(1)).isTrue();
        assertThat(s.hasSenderComms()).isFalse();
        assertThat(s.senderCommMatches(null)).as("no name filter: unknown names pass").isTrue();
        assertThat(s.deliveryPidMatches(1)).isTrue();
        assertThat(s.hasTargetComms()).isFalse();
        assertThat(s.deliveryCommMatches(null)).isTrue();
        assertThat(s.failedOnly()).isFalse();
    }

    @Test
    void kernelSelectionsBecomeFiltersAndTheRestIsMatchedHere() throws Exception {
        SignalSelection.Builder b = SignalSelection.builder();
        b.include("TERM");
        b.include(9);
        b.targetPids(42, 43);
        b.targetComms("nginx");
        b.senderPids(7);
        b.senderComms("a-name-longer-than-fifteen");
        b.failedOnly(true);
        SignalSelection s = b.build();
        assertThat(s.generateFilter(format("kernel-6.18", "signal_generate")))
                .isEqualTo("(sig == 15 || sig == 9) && (pid == 42 || pid == 43) && comm == \"nginx\" && result != 0");
        assertThat(s.deliverFilter(format("kernel-6.18", "signal_deliver"))).isEqualTo("sig == 15 || sig == 9");
        assertThat(s.senderPidMatches(7)).isTrue();
        assertThat(s.senderPidMatches(8)).isFalse();
        assertThat(s.hasSenderComms()).isTrue();
        assertThat(s.senderCommMatches("a-name-longer-t")).as("cut to 15 as the kernel cuts").isTrue();
        assertThat(s.senderCommMatches("a-name-longer-than-fifteen")).isFalse();
        assertThat(s.senderCommMatches(null)).as("an unknown name passes no name filter").isFalse();
        assertThat(s.deliveryPidMatches(43)).isTrue();
        assertThat(s.deliveryPidMatches(44)).isFalse();
        assertThat(s.hasTargetComms()).isTrue();
        assertThat(s.deliveryCommMatches("nginx")).isTrue();
        assertThat(s.deliveryCommMatches("bash")).isFalse();
        assertThat(s.deliveryCommMatches(null)).isFalse();
        assertThat(s.failedOnly()).isTrue();
    }

    @Test
    void anInclusionListSaysItAllAndMayNotBeExcludedAway() throws Exception {
        SignalSelection.Builder b = SignalSelection.builder();
        b.include("KILL", "TERM");
        b.exclude("TERM", "CHLD");
        assertThat(b.build().generateFilter(format("kernel-6.18", "signal_generate"))).isEqualTo("sig == 9");

        SignalSelection.Builder excluding = SignalSelection.builder();
        excluding.exclude(17, 28);
        assertThat(excluding.build().deliverFilter(format("kernel-6.18", "signal_deliver"))).isEqualTo("sig != 17 && sig != 28");

        SignalSelection.Builder none = SignalSelection.builder();
        none.include("KILL");
        none.exclude("KILL");
        assertThatThrownBy(none::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("every signal selected with signals() is also excluded: signals=[SIGKILL] exclude=[SIGKILL]");
    }

    @Test
    void failedOnlyNeedsTheResultField() throws Exception {
        SignalSelection.Builder b = SignalSelection.builder();
        b.failedOnly(true);
        assertThatThrownBy(() -> b.build().generateFilter(format("variants/3.2-x86_64", "signal_generate")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'result'");
    }
}
