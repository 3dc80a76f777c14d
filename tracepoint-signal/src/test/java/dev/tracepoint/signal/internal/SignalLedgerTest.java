package dev.tracepoint.signal.internal;

import dev.tracepoint.signal.SignalGenerateRecord;
import dev.tracepoint.signal.SignalSummary;
import dev.tracepoint.signal.Signals;
import dev.tracepoint.signal.TaskTable;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignalLedgerTest {

    static SignalGenerateRecord signal(int sig, int sender, String senderComm, int target, int result) {
        return new SignalGenerateRecord(1, 0, sig, 0, 0, 1, result, sender, sender, senderComm,
                senderComm == null ? TaskTable.UNKNOWN_UID : 0, target, "sleep");
    }

    @Test
    void periodsMoveIntoTheTotalWithTheirLosses() {
        AtomicLong lost = new AtomicLong();
        SignalLedger l = new SignalLedger(true, lost::get, pid -> pid == 99 ? new TaskTable.Task(99, "late", 0, true) : null);
        l.open(System.nanoTime());
        for (int i = 0; i < 3; i++) {
            l.signal(signal(Signals.SIGWINCH, 7, "bash", 42, Signals.IGNORED));
        }
        l.signal(signal(Signals.SIGTERM, 99, null, 42, Signals.DELIVERED));
        l.delivery();
        lost.set(5);

        SignalSummary first = l.takeSummary(0);
        assertThat(first.signals()).isEqualTo(4);
        assertThat(first.deliveries()).isEqualTo(1);
        assertThat(first.lost()).isEqualTo(5);
        assertThat(first.rows()).containsExactly(
                new SignalSummary.Row(Signals.SIGWINCH, 7, "bash", 0, 42, "sleep", 3, 3),
                new SignalSummary.Row(Signals.SIGTERM, 99, "late", 0, 42, "sleep", 1, 0));

        l.signal(signal(Signals.SIGTERM, 99, null, 42, Signals.DELIVERED));
        lost.set(6);
        SignalSummary second = l.takeSummary(1);
        assertThat(second.signals()).isEqualTo(1);
        assertThat(second.deliveries()).isZero();
        assertThat(second.lost()).as("only this period's").isEqualTo(1);

        SignalSummary total = l.totalSummary(1);
        assertThat(total.signals()).isEqualTo(5);
        assertThat(total.deliveries()).isEqualTo(1);
        assertThat(total.lost()).isEqualTo(6);
        assertThat(total.rows()).containsExactly(new SignalSummary.Row(Signals.SIGWINCH, 7, "bash", 0, 42, "sleep", 3, 3));
        assertThat(l.signals()).isEqualTo(5);
        assertThat(l.deliveries()).isEqualTo(1);
    }

    @Test
    void withoutAggregationItCountsButHasNoSummaries() {
        SignalLedger l = new SignalLedger(false, () -> 0, pid -> null);
        l.open(System.nanoTime());
        l.signal(signal(Signals.SIGWINCH, 7, "bash", 42, Signals.IGNORED));
        l.delivery();
        assertThat(l.signals()).isEqualTo(1);
        assertThat(l.deliveries()).isEqualTo(1);
        assertThatThrownBy(() -> l.takeSummary(0)).isInstanceOf(IllegalStateException.class)
                .hasMessage("summaries need SignalMonitorBuilder.aggregate(true)");
        assertThatThrownBy(() -> l.totalSummary(0)).isInstanceOf(IllegalStateException.class);
    }
}
