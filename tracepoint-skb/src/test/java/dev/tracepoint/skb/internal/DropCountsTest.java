package dev.tracepoint.skb.internal;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DropCountsTest {

    @Test
    void countsPerKeyAcrossGrowth() {
        DropCounts c = new DropCounts();
        Map<String, Long> expected = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            int reason = i % 7;
            long location = 0xffffffff82000000L + (i % 1000) * 16L;
            c.add(reason, location, 1);
            expected.merge(reason + "@" + location, 1L, Long::sum);
        }
        Map<String, Long> seen = new HashMap<>();
        c.forEach((r, l, n) -> seen.put(r + "@" + l, n));
        assertThat(seen).isEqualTo(expected);
        assertThat(c.size()).isEqualTo(expected.size());

        DropCounts sum = new DropCounts();
        sum.addAll(c);
        sum.addAll(c);
        sum.forEach((r, l, n) -> assertThat(n).isEqualTo(2 * expected.get(r + "@" + l)));
        c.clear();
        assertThat(c.size()).isZero();
        c.forEach((r, l, n) -> {
            throw new AssertionError("not cleared");
        });
    }

    @Test
    void boundedKeys() {
        DropCounts c = new DropCounts();
        for (int i = 0; i < DropCounts.MAX_KEYS + 10; i++) {
            c.add(Integer.MIN_VALUE, i, 2);
        }
        assertThat(c.size()).isEqualTo(DropCounts.MAX_KEYS);
        assertThat(c.overflow()).isEqualTo(20);
    }
}
