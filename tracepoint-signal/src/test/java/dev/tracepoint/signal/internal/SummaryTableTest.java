package dev.tracepoint.signal.internal;

import dev.tracepoint.signal.SignalSummary;
import dev.tracepoint.signal.TaskTable;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SummaryTableTest {

    static void count(SummaryTable t, int sig, int sender, int target, String senderComm, String targetComm, boolean failed) {
        long k = SummaryTable.key(sig, sender, target);
        if (!t.increment(k, failed)) {
            t.add(k, senderComm, 0, targetComm, 1, failed ? 1 : 0);
        }
    }

    @Test
    void countsPerSignalSenderAndTargetTopFirst() {
        SummaryTable t = new SummaryTable(2);
        for (int i = 0; i < 1000; i++) {
            count(t, 17, 4000 + i % 7, 1, "make", "bash", false);
        }
        for (int i = 0; i < 500; i++) {
            count(t, 17, 9999, 1, "cc1", "bash", i % 2 == 0);
        }
        count(t, 9, 42, 1337, "bash", "nginx", false);
        assertThat(t.total()).isEqualTo(1501);
        assertThat(t.size()).isEqualTo(9);
        List<SignalSummary.Row> rows = t.rows(0, null);
        assertThat(rows).hasSize(9);
        assertThat(rows.get(0)).isEqualTo(new SignalSummary.Row(17, 9999, "cc1", 0, 1, "bash", 500, 250));
        assertThat(rows.get(rows.size() - 1)).isEqualTo(new SignalSummary.Row(9, 42, "bash", 0, 1337, "nginx", 1, 0));
        assertThat(t.rows(3, null)).hasSize(3);
    }

    @Test
    void growsKeepsKeysApartAndClears() {
        SummaryTable t = new SummaryTable(1);
        for (int pid = 1; pid <= 5000; pid++) {
            count(t, 64, pid, 4_194_303, "p" + pid, "t", false);
            count(t, 1, 4_194_303, pid, "s", "q" + pid, false);
        }
        assertThat(t.size()).isEqualTo(10_000);
        assertThat(t.rows(0, null)).extracting(SignalSummary.Row::count).containsOnly(1L);
        assertThat(t.rows(0, null)).filteredOn(r -> r.sig() == 64 && r.senderPid() == 4321)
                .singleElement().extracting(SignalSummary.Row::senderComm).isEqualTo("p4321");
        SummaryTable sum = new SummaryTable(4);
        t.addTo(sum);
        t.addTo(sum);
        assertThat(sum.total()).isEqualTo(20_000);
        assertThat(sum.rows(1, null).get(0).count()).isEqualTo(2);
        t.clear();
        assertThat(t.size()).isZero();
        assertThat(t.total()).isZero();
        assertThat(t.rows(0, null)).isEmpty();
    }

    @Test
    void sendersUnknownWhenCountedAreNamedWhenPrinted() {
        SummaryTable t = new SummaryTable(4);
        count(t, 15, 4242, 1, null, "init", false);
        List<SignalSummary.Row> rows = t.rows(0, pid -> pid == 4242 ? new TaskTable.Task(4242, "kill", 0, true) : null);
        assertThat(rows.get(0).senderComm()).isEqualTo("kill");
        assertThat(rows.get(0).senderUid()).isZero();
    }
}
