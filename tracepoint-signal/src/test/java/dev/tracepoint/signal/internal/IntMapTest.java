package dev.tracepoint.signal.internal;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class IntMapTest {

    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        IntMap<String> m = new IntMap<>(4);
        Map<Integer, String> ref = new HashMap<>();
        Random r = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            int k = r.nextInt(5000) - 100; // includes 0 and negatives
            switch (r.nextInt(3)) {
                case 0 -> assertThat(m.put(k, "v" + i)).isEqualTo(ref.put(k, "v" + i));
                case 1 -> assertThat(m.remove(k)).isEqualTo(ref.remove(k));
                default -> assertThat(m.get(k)).isEqualTo(ref.get(k));
            }
            assertThat(m.size()).isEqualTo(ref.size());
        }
        for (int k = -100; k < 4900; k++) {
            assertThat(m.get(k)).isEqualTo(ref.get(k));
        }
        int removed = m.removeIf((k, v) -> k % 3 == 0);
        ref.keySet().removeIf(k -> k % 3 == 0);
        assertThat(m.size()).isEqualTo(ref.size());
        assertThat(removed).isPositive();
        for (int k = -100; k < 4900; k++) {
            assertThat(m.get(k)).isEqualTo(ref.get(k));
        }
        m.clear();
        assertThat(m.size()).isZero();
        assertThat(m.get(1)).isNull();
    }
}
