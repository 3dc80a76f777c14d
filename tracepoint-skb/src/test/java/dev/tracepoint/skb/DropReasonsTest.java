package dev.tracepoint.skb;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatParser;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reason names come from each kernel's own table: the same name has different values across releases. */
class DropReasonsTest {

    static DropReasons of(String relative) throws Exception {
        Path p = KernelTests.corpus().resolve(relative);
        EventFormat f = FormatParser.parse(p);
        return DropReasons.of(f);
    }

    @Test
    void numberingDiffersBetweenReleases() throws Exception {
        DropReasons v517 = of("variants/5.17-x86_64/skb/kfree_skb/format");
        DropReasons v618 = of("kernel-6.18/skb/kfree_skb/format");
        assertThat(v517.valueOf("NO_SOCKET")).isEqualTo(1);
        assertThat(v618.valueOf("NO_SOCKET")).isEqualTo(3);
        assertThat(v517.name(1)).isEqualTo("NO_SOCKET");
        assertThat(v618.name(1)).isNull();
        assertThat(v618.name(3)).isEqualTo("NO_SOCKET");
        assertThat(v618.name(6)).isEqualTo("SOCKET_RCVBUFF");
        assertThat(v517.names()).containsExactly("NOT_SPECIFIED", "NO_SOCKET", "PKT_TOO_SMALL", "TCP_CSUM",
                "SOCKET_FILTER", "UDP_CSUM", "NETFILTER_DROP", "MAX");
        assertThat(v618.names()).hasSizeGreaterThan(100).contains("NO_SOCKET", "SOCKET_RCVBUFF", "NETFILTER_DROP");
    }

    @Test
    void namesAreAcceptedInAnyCaseWithOrWithoutThePrefix() throws Exception {
        DropReasons r = of("kernel-6.18/skb/kfree_skb/format");
        assertThat(r.valueOf("no_socket")).isEqualTo(3);
        assertThat(r.valueOf("SKB_DROP_REASON_NO_SOCKET")).isEqualTo(3);
        assertThat(r.valueOf(" Socket_Rcvbuff ")).isEqualTo(6);
        assertThat(r.valueOf("3")).isEqualTo(3);
        assertThat(r.valueOf("0x30005")).isEqualTo(0x30005);
        assertThatThrownBy(() -> r.valueOf("NO_SOKET")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown drop reason NO_SOKET; did you mean NO_SOCKET? (this kernel names "
                        + r.names().size() + " reasons");
        assertThatThrownBy(() -> r.valueOf("skb_drop_reason_socket_rcvbuf")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("did you mean SOCKET_RCVBUFF?");
        assertThatThrownBy(() -> r.valueOf("NO_SUCH_REASON")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown drop reason NO_SUCH_REASON (this kernel names")
                .hasMessageContaining("--list-reasons").as("no list of every name").hasMessageNotContaining("NETFILTER_DROP");
        assertThatThrownBy(() -> r.valueOf("-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unnamedValuesAreNumbers() throws Exception {
        DropReasons r = of("kernel-6.18/skb/kfree_skb/format");
        long subsys = (2L << DropReasons.SUBSYS_SHIFT) | 1;
        assertThat(r.name(subsys)).isNull();
        assertThat(r.format(subsys)).isEqualTo(Long.toString(subsys));
        assertThat(r.append(new StringBuilder(), subsys).toString()).isEqualTo(Long.toString(subsys));
        assertThat(r.append(new StringBuilder(), 3).toString()).isEqualTo("NO_SOCKET");
        assertThat(DropReasons.subsystem(subsys)).isEqualTo(2);
        assertThat(DropReasons.subsystem(3)).isZero();
    }

    @Test
    void kernelsWithoutReasons() throws Exception {
        DropReasons r = of("variants/4.19-x86_64/skb/kfree_skb/format");
        assertThat(r.recorded()).isFalse();
        assertThat(r.named()).isFalse();
        assertThat(r.names()).isEmpty();
        assertThatThrownBy(() -> r.valueOf("NO_SOCKET")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5.17");
    }

    @Test
    void reasonWithoutTable() throws Exception {
        DropReasons r = of("found/netdev-2024-06-rostedt-6.10rc-x86_64/skb/kfree_skb/format.partial");
        assertThat(r.recorded()).isTrue();
        assertThat(r.named()).isFalse();
        assertThat(r.format(3)).isEqualTo("3");
        assertThat(r.valueOf("3")).isEqualTo(3);
        assertThatThrownBy(() -> r.valueOf("NO_SOCKET")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numbers");
    }
}
