package dev.tracepoint.skb.internal;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.KernelSymbols;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.skb.Drop;
import dev.tracepoint.skb.DropReasons;
import dev.tracepoint.skb.DropSummary;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class DropLedgerTest {

    static final long UDP = 0xffffffff81a00000L;
    static final long TCP = 0xffffffff81b00000L;
    static final KernelSymbols SYMBOLS = KernelSymbols.parse("""
            ffffffff81a00000 T __udp4_lib_rcv
            ffffffff81a00d00 T udp_rcv
            ffffffff81b00000 T tcp_v4_rcv
            ffffffff81b00800 T tcp_v4_do_rcv
            """.getBytes(StandardCharsets.US_ASCII), "test");

    static DropReasons reasons(String relative) throws Exception {
        return DropReasons.of(FormatParser.parse(KernelTests.corpus().resolve(relative)));
    }

    @Test
    void periodsMoveIntoTheTotalWithTheirLosses() throws Exception {
        DropReasons r = reasons("kernel-6.18/skb/kfree_skb/format");
        AtomicLong lost = new AtomicLong();
        DropLedger l = new DropLedger(r, () -> SYMBOLS, lost::get);
        l.open(System.nanoTime());
        int noSocket = (int) r.valueOf("NO_SOCKET");
        int rcvbuff = (int) r.valueOf("SOCKET_RCVBUFF");
        for (int i = 0; i < 3; i++) {
            l.drop(noSocket, UDP + 0x4bc);
        }
        l.drop(rcvbuff, TCP + 0x10);
        l.consumed(TCP + 0x20);
        l.consumed(0);
        lost.set(4);

        DropSummary first = l.takeSummary(0);
        assertThat(first.drops()).isEqualTo(4);
        assertThat(first.consumed()).isEqualTo(2);
        assertThat(first.lost()).isEqualTo(4);
        assertThat(first.rows()).first().isEqualTo(
                new DropSummary.Row(noSocket, "NO_SOCKET", UDP + 0x4bc, "__udp4_lib_rcv+0x4bc/0xd00", 3, false));
        assertThat(first.rows()).hasSize(4).contains(
                new DropSummary.Row(rcvbuff, "SOCKET_RCVBUFF", TCP + 0x10, "tcp_v4_rcv+0x10/0x800", 1, false),
                new DropSummary.Row(-1, Drop.CONSUMED, TCP + 0x20, "tcp_v4_rcv+0x20/0x800", 1, true),
                new DropSummary.Row(-1, Drop.CONSUMED, 0, null, 1, true));
        assertThat(first.rows().get(0).function()).isEqualTo("__udp4_lib_rcv");

        l.drop(noSocket, UDP + 0x4bc);
        lost.set(5);
        DropSummary second = l.takeSummary(0);
        assertThat(second.drops()).isEqualTo(1);
        assertThat(second.consumed()).isZero();
        assertThat(second.lost()).as("only this period's").isEqualTo(1);
        assertThat(l.takeSummary(0).rows()).as("a new period").isEmpty();

        DropSummary total = l.totalSummary(1);
        assertThat(total.drops()).isEqualTo(5);
        assertThat(total.consumed()).isEqualTo(2);
        assertThat(total.lost()).isEqualTo(5);
        assertThat(total.rows()).containsExactly(
                new DropSummary.Row(noSocket, "NO_SOCKET", UDP + 0x4bc, "__udp4_lib_rcv+0x4bc/0xd00", 4, false));
        assertThat(l.drops()).isEqualTo(5);
        assertThat(l.consumed()).isEqualTo(2);
    }

    @Test
    void withoutReasonsTheRowsHaveNone() throws Exception {
        DropReasons r = reasons("variants/4.19-x86_64/skb/kfree_skb/format");
        assertThat(r.recorded()).isFalse();
        DropLedger l = new DropLedger(r, () -> SYMBOLS, () -> 0);
        l.drop(-1, UDP + 0x10);
        l.drop(-1, UDP + 0x10);
        assertThat(l.totalSummary(0).rows())
                .containsExactly(new DropSummary.Row(-1, null, UDP + 0x10, "__udp4_lib_rcv+0x10/0xd00", 2, false));
    }
}
