package dev.tracepoint.signal.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReorderBufferTest {

    /** Releases what is ready or in its last chance, keeps the rest; notes what went and how. */
    static final class Sink implements ReorderBuffer.Release<String> {
        final List<String> out = new ArrayList<>();
        final Set<String> failing;

        Sink(String... failing) {
            this.failing = Set.of(failing);
        }

        @Override
        public boolean release(String event, boolean ready, boolean last) {
            if (!ready && !last) {
                return false;
            }
            out.add(event + (ready ? "" : "!"));
            if (failing.contains(event)) {
                throw new IllegalStateException(event);
            }
            return true;
        }
    }

    @Test
    void aPassIsReleasedInTimeOrderWhateverOrderItCameIn() {
        ReorderBuffer<String> b = new ReorderBuffer<>(100);
        // cpu 1's ring drained before cpu 0's
        b.add("c1", 30, true);
        b.add("d1", 40, true);
        b.add("a0", 10, true);
        b.add("b0", 20, true);
        b.add("b0'", 20, true); // same time: the order they came in
        Sink s = new Sink();
        b.flush(false, s);
        assertThat(s.out).containsExactly("a0", "b0", "b0'", "c1", "d1");
        assertThat(b.size()).isZero();
    }

    @Test
    void anIncompleteEventWaitsOnePassAndTheLaterOnesWaitWithIt() {
        ReorderBuffer<String> b = new ReorderBuffer<>(100);
        b.add("first", 10, true);
        b.add("unnamed", 20, false);
        b.add("later", 30, true);
        Sink s = new Sink();
        b.flush(false, s);
        assertThat(s.out).containsExactly("first");
        assertThat(b.size()).isEqualTo(2);

        b.add("next-pass-but-earlier", 25, true);
        b.flush(false, s);
        assertThat(s.out).as("its last chance: a pass later it goes, in order")
                .containsExactly("first", "unnamed!", "next-pass-but-earlier", "later");
        assertThat(b.size()).isZero();
    }

    @Test
    void forceAndAFullBufferReleaseAtOnce() {
        ReorderBuffer<String> b = new ReorderBuffer<>(3);
        b.add("x", 1, false);
        Sink s = new Sink();
        b.flush(true, s);
        assertThat(s.out).containsExactly("x!");

        b.add("p", 1, false);
        b.add("q", 2, false);
        b.flush(false, s);
        assertThat(s.out).as("below the limit: held").containsExactly("x!");
        b.add("r", 3, false);
        b.add("s", 4, false);
        b.flush(false, s);
        assertThat(s.out).containsExactly("x!", "p!", "q!", "r!", "s!");
    }

    @Test
    void aFailingReleaseStopsNoOtherAndIsThrownAtTheEnd() {
        ReorderBuffer<String> b = new ReorderBuffer<>(100);
        b.add("a", 1, true);
        b.add("b", 2, true);
        b.add("c", 3, true);
        Sink s = new Sink("a", "b");
        assertThatThrownBy(() -> b.flush(false, s)).isInstanceOf(IllegalStateException.class).hasMessage("a");
        assertThat(s.out).containsExactly("a", "b", "c");
        assertThat(b.size()).as("a failed event is done with").isZero();
        assertThatThrownBy(() -> new ReorderBuffer<String>(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
