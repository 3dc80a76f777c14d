package dev.tracepoint.core.internal.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CpusTest {

    @Test
    void parsesSingleCpusRangesAndTheTrailingNewline() {
        assertThat(Cpus.parseList("0\n")).containsExactly(0);
        assertThat(Cpus.parseList("0-1,4,6-7\n")).containsExactly(0, 1, 4, 6, 7);
        assertThat(Cpus.parseList("0-0")).containsExactly(0);
        assertThat(Cpus.parseList("12-15")).containsExactly(12, 13, 14, 15);
        assertThat(Cpus.parseList("0-3,8-11")).containsExactly(0, 1, 2, 3, 8, 9, 10, 11);
        assertThat(Cpus.parseList("  2,1  ")).containsExactly(1, 2);
        assertThat(Cpus.parseList("1,1-2")).containsExactly(1, 2);
        assertThat(Cpus.parseList("0-1023")).hasSize(1024);
    }

    @Test
    void emptyListIsEmpty() {
        // /sys/devices/system/cpu/offline reads "\n" when no CPU is offline.
        assertThat(Cpus.parseList("")).isEmpty();
        assertThat(Cpus.parseList("\n")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "0-", "-1", "3-1", "1,,2", "1 2", "0-1,", ",0", "1-2-3", "0x1", "99999999", "+1",
        "65536"})
    void rejectsGarbageNamingTheText(String text) {
        assertThatThrownBy(() -> Cpus.parseList(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a CPU list")
                .hasMessageContaining("\"" + text + "\"");
    }

    @Test
    void onlineCpusIncludeTheOnesTheJvmSees() {
        int[] online = Cpus.online();
        assertThat(online).isNotEmpty().isSorted();
        assertThat(online.length).isGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    }
}
