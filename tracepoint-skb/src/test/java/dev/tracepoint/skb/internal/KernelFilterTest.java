package dev.tracepoint.skb.internal;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.skb.DropReasons;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelFilterTest {

    static DropReasons of(String relative) throws Exception {
        return DropReasons.of(FormatParser.parse(KernelTests.corpus().resolve(relative)));
    }

    @Test
    void reasonNamesAreResolvedAgainstTheKernelsOwnTable() throws Exception {
        DropReasons r = of("kernel-6.18/skb/kfree_skb/format");
        assertThat(KernelFilter.kfreeSkb(r, List.of(), new int[0])).isNull();
        assertThat(KernelFilter.kfreeSkb(r, List.of("NO_SOCKET"), new int[0])).isEqualTo("reason == 3");
        assertThat(KernelFilter.kfreeSkb(r, List.of("no_socket", "SOCKET_RCVBUFF", "3"), new int[] {0x800}))
                .isEqualTo("(reason == 3 || reason == 6) && protocol == 2048");
        assertThat(KernelFilter.kfreeSkb(r, List.of(), new int[] {0x800, 0x86DD, 0x800}))
                .isEqualTo("protocol == 2048 || protocol == 34525");
        DropReasons v517 = of("variants/5.17-x86_64/skb/kfree_skb/format");
        assertThat(KernelFilter.kfreeSkb(v517, List.of("NO_SOCKET"), new int[0])).isEqualTo("reason == 1");
        assertThatThrownBy(() -> KernelFilter.kfreeSkb(r, List.of("NO_SUCH_REASON"), new int[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NO_SUCH_REASON");
    }
}
