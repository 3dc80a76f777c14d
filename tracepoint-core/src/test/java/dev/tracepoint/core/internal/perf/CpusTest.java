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

    /** The in-place check the hotplug path uses answers as parseList does, for every CPU, and rejects the same garbage. */
    @Test
    void inPlaceCheckAgreesWithTheParser() {
        java.util.List<String> lists = new java.util.ArrayList<>(java.util.List.of("0\n", "0-1,4,6-7\n", "0-0", "12-15",
                "0-3,8-11", "  2,1  ", "1,1-2", "0-1023", "", "\n", "7"));
        java.util.Random random = new java.util.Random(42);
        for (int k = 0; k < 300; k++) {
            StringBuilder sb = new StringBuilder();
            int parts = 1 + random.nextInt(5);
            for (int p = 0; p < parts; p++) {
                int first = random.nextInt(300);
                sb.append(p > 0 ? "," : "").append(first);
                if (random.nextBoolean()) {
                    sb.append('-').append(first + random.nextInt(40));
                }
            }
            lists.add(sb.append(random.nextBoolean() ? "\n" : "").toString());
        }
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            for (String list : lists) {
                java.lang.foreign.MemorySegment text = arena.allocateFrom(list);
                int length = list.length();
                java.util.Set<Integer> cpus = new java.util.HashSet<>();
                for (int c : Cpus.parseList(list)) {
                    cpus.add(c);
                }
                for (int cpu = 0; cpu < 1100; cpu++) {
                    assertThat(Cpus.listed(text, length, cpu)).as("cpu %d in \"%s\"", cpu, list)
                            .isEqualTo(cpus.contains(cpu) ? 1 : 0);
                }
            }
            for (String garbage : new String[] {"a", "0-", "-1", "3-1", "1,,2", "1 2", "0-1,", ",0", "1-2-3", "0x1",
                "99999999", "+1", "65536"}) {
                assertThat(Cpus.listed(arena.allocateFrom(garbage), garbage.length(), 1)).as(garbage).isEqualTo(-1);
            }
        }
    }

    @Test
    void onlineCpusIncludeTheOnesTheJvmSees() {
        int[] online = Cpus.online();
        assertThat(online).isNotEmpty().isSorted();
        assertThat(online.length).isGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    }
}
