package dev.tracepoint.skb;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The builder's checks, made when a setting is given (no kernel needed). */
class DropMonitorBuilderTest {

    @Test
    void ringPagesMustBeAPowerOfTwo() {
        for (int pages : new int[] {0, -4, 3, 96}) {
            assertThatThrownBy(() -> DropMonitor.builder().ringPages(pages))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ringPages must be a power of two >= 1: ringPages=" + pages);
        }
        assertThatCode(() -> DropMonitor.builder().ringPages(1).ringPages(128).ringPages(1 << 10)).doesNotThrowAnyException();
    }

    @Test
    void maxLatencyMustBePositive() {
        assertThatThrownBy(() -> DropMonitor.builder().maxLatency(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxLatency=PT0S");
        assertThatThrownBy(() -> DropMonitor.builder().maxLatency(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxLatency=PT-0.001S");
        assertThatThrownBy(() -> DropMonitor.builder().maxLatency(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aMonitorHasOneScope() {
        assertThatThrownBy(() -> DropMonitor.builder().process(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pid must be a positive int: pid=-1");
        assertThatThrownBy(() -> DropMonitor.builder().process(42).cgroup(java.nio.file.Path.of("/sys/fs/cgroup")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("scoped to process 42 already");
        assertThatCode(() -> DropMonitor.builder().process(42).process(43)).doesNotThrowAnyException();
    }

    @Test
    void protocolsAndReasonsAreCheckedWhenGiven() {
        assertThatThrownBy(() -> DropMonitor.builder().protocols(0x10000))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("protocol=65536 is not a 16-bit ethertype");
        assertThatThrownBy(() -> DropMonitor.builder().protocols(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("protocol=-1 is not a 16-bit ethertype");
        assertThatThrownBy(() -> DropMonitor.builder().reasons("NO_SOCKET", null)).isInstanceOf(NullPointerException.class);
        assertThatCode(() -> DropMonitor.builder().protocols(0, 0xffff).reasons("NO_SOCKET")).doesNotThrowAnyException();
    }

    @Test
    void listenersMustNotBeNull() {
        assertThatThrownBy(() -> DropMonitor.builder().onDrop(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DropMonitor.builder().onLost(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DropMonitor.builder().onFlush(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DropMonitor.builder().onError(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theWarmUpIsOnByDefault() {
        // drops come in floods: the monitor warms its decode path up before it enables the events, unless told
        assertThat(DropMonitor.builder().warmUp).isTrue();
        assertThat(DropMonitor.builder().warmUp(false).warmUp).isFalse();
        assertThat(DropMonitor.builder().warmUp(false).warmUp(true).warmUp).isTrue();
    }
}
