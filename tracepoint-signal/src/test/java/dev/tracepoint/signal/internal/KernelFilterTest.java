package dev.tracepoint.signal.internal;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatParser;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelFilterTest {

    static final int[] NONE = new int[0];

    static EventFormat format(String dir, String event) throws Exception {
        return FormatParser.parse(KernelTests.corpus().resolve(dir).resolve("signal").resolve(event).resolve("format"));
    }

    @Test
    void noSelectionIsNoFilter() throws Exception {
        EventFormat f = format("kernel-6.18", "signal_generate");
        assertThat(KernelFilter.generate(f, NONE, NONE, NONE, List.of(), false)).isNull();
        assertThat(KernelFilter.deliver(format("kernel-6.18", "signal_deliver"), NONE, NONE)).isNull();
    }

    @Test
    void signalsToIncludeAreAlternatives() throws Exception {
        EventFormat f = format("kernel-6.18", "signal_generate");
        assertThat(KernelFilter.generate(f, new int[] {9}, NONE, NONE, List.of(), false)).isEqualTo("sig == 9");
        assertThat(KernelFilter.generate(f, new int[] {9, 15}, NONE, NONE, List.of(), false)).isEqualTo("sig == 9 || sig == 15");
    }

    @Test
    void signalsToExcludeAreConjoined() throws Exception {
        EventFormat f = format("kernel-6.18", "signal_generate");
        assertThat(KernelFilter.generate(f, NONE, new int[] {17}, NONE, List.of(), false)).isEqualTo("sig != 17");
        assertThat(KernelFilter.generate(f, NONE, new int[] {17, 28}, NONE, List.of(), false)).isEqualTo("sig != 17 && sig != 28");
        assertThat(KernelFilter.deliver(format("kernel-6.18", "signal_deliver"), NONE, new int[] {17})).isEqualTo("sig != 17");
    }

    @Test
    void everythingCombines() throws Exception {
        EventFormat f = format("kernel-6.18", "signal_generate");
        assertThat(KernelFilter.generate(f, new int[] {9, 15}, NONE, new int[] {42, 43}, List.of("nginx"), true))
                .isEqualTo("(sig == 9 || sig == 15) && (pid == 42 || pid == 43) && comm == \"nginx\" && result != 0");
        assertThat(KernelFilter.generate(f, NONE, new int[] {17}, new int[] {42}, List.of("a", "b"), false))
                .isEqualTo("sig != 17 && pid == 42 && (comm == \"a\" || comm == \"b\")");
    }

    @Test
    void failedOnlyNeedsTheResultField() throws Exception {
        EventFormat old = format("variants/2.6.33-x86_64", "signal_generate");
        assertThat(KernelFilter.generate(old, new int[] {9}, NONE, new int[] {1}, List.of("init"), false))
                .isEqualTo("sig == 9 && pid == 1 && comm == \"init\"");
        assertThatThrownBy(() -> KernelFilter.generate(old, NONE, NONE, NONE, List.of(), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("result").hasMessageContaining("3.4");
    }

    @Test
    void namesThatCannotBeMatchedAreRefused() throws Exception {
        EventFormat f = format("kernel-6.18", "signal_generate");
        assertThat(KernelFilter.generate(f, NONE, NONE, NONE, List.of("kworker/0:1", "my prog"), false))
                .isEqualTo("comm == \"kworker/0:1\" || comm == \"my prog\"");
        for (String bad : new String[] {"", "a\"b", "a\\b", "a\nb", "\u00e9t\u00e9"}) {
            assertThatThrownBy(() -> KernelFilter.checkComm(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> KernelFilter.generate(f, NONE, NONE, NONE, List.of("ok", bad), false)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("process name");
        }
    }

    @Test
    void requestsAreCheckedAgainstTheFormat() throws Exception {
        // signal_deliver has no pid, comm or result: only its signal can be filtered in the kernel
        EventFormat d = format("kernel-6.18", "signal_deliver");
        assertThat(KernelFilter.deliver(d, new int[] {9}, NONE)).isEqualTo("sig == 9");
        assertThatThrownBy(() -> KernelFilter.generate(d, NONE, NONE, new int[] {1}, List.of(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'pid'").hasMessageContaining("signal_deliver");
    }
}
