package dev.tracepoint.signal;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The builder's checks, made when a setting is given (no kernel needed). */
class SignalMonitorBuilderTest {

    @Test
    void ringPagesMustBeAPowerOfTwo() {
        for (int pages : new int[] {0, -4, 3, 96}) {
            assertThatThrownBy(() -> SignalMonitor.builder().ringPages(pages))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ringPages must be a power of two >= 1: ringPages=" + pages);
        }
        assertThatCode(() -> SignalMonitor.builder().ringPages(1).ringPages(64).ringPages(1 << 10)).doesNotThrowAnyException();
    }

    @Test
    void maxLatencyMustBePositive() {
        assertThatThrownBy(() -> SignalMonitor.builder().maxLatency(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxLatency=PT0S");
        assertThatThrownBy(() -> SignalMonitor.builder().maxLatency(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxLatency=PT-0.001S");
        assertThatThrownBy(() -> SignalMonitor.builder().maxLatency(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void signalsPidsAndNamesAreCheckedWhenGiven() {
        assertThatThrownBy(() -> SignalMonitor.builder().signals(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("signal=0 is not in 1.." + Signals.SIGRTMAX);
        assertThatThrownBy(() -> SignalMonitor.builder().exclude(Signals.SIGRTMAX + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("signal=" + (Signals.SIGRTMAX + 1) + " is not in 1.." + Signals.SIGRTMAX);
        assertThatThrownBy(() -> SignalMonitor.builder().signals("FOO"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FOO");
        assertThatThrownBy(() -> SignalMonitor.builder().targetPids(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("targetPid=0");
        assertThatThrownBy(() -> SignalMonitor.builder().senderPids(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("senderPid=-1");
        assertThatThrownBy(() -> SignalMonitor.builder().targetComms("a\"b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a\"b'");
        assertThatThrownBy(() -> SignalMonitor.builder().senderComms(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("empty process name");
        assertThatCode(() -> SignalMonitor.builder().signals(1, Signals.SIGRTMAX).targetPids(1).senderPids(0)
                .targetComms("a-name-longer-than-fifteen")).doesNotThrowAnyException();
    }

    @Test
    void aMonitorHasOneScope() {
        assertThatThrownBy(() -> SignalMonitor.builder().process(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pid must be a positive int: pid=0");
        assertThatThrownBy(() -> SignalMonitor.builder().process(42).cgroup(java.nio.file.Path.of("/sys/fs/cgroup")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("scoped to process 42 already");
        assertThatThrownBy(() -> SignalMonitor.builder().cgroup(java.nio.file.Path.of("/sys/fs/cgroup")).process(42))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("scoped to cgroup /sys/fs/cgroup already");
    }

    @Test
    void listenersMustNotBeNull() {
        assertThatThrownBy(() -> SignalMonitor.builder().onSignal(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SignalMonitor.builder().onDeliver(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SignalMonitor.builder().onLost(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SignalMonitor.builder().onFlush(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SignalMonitor.builder().onError(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theWarmUpIsOffByDefault() {
        // signals come a few a second: the monitor enables its events without warming the decode path up
        assertThat(SignalMonitor.builder().warmUp).isFalse();
        assertThat(SignalMonitor.builder().warmUp(true).warmUp).isTrue();
        assertThat(SignalMonitor.builder().warmUp(true).warmUp(false).warmUp).isFalse();
    }
}
