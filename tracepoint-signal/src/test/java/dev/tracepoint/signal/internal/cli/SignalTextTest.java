package dev.tracepoint.signal.internal.cli;

import dev.tracepoint.testing.MiniJson;
import dev.tracepoint.signal.FailedKill;
import dev.tracepoint.signal.SignalDeliverRecord;
import dev.tracepoint.signal.SignalGenerateRecord;
import dev.tracepoint.signal.SignalSummary;
import dev.tracepoint.signal.TaskTable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SignalTextTest {

    static final SignalGenerateRecord KILL = new SignalGenerateRecord(5_000_000_000L, 1, 9, 0, 0, 1, 0, 4242, 4243, "bash", 0, 1337, "nginx");

    @Test
    void aLineSaysWhoKilledWhom() {
        assertThat(SignalText.line(new StringBuilder(), KILL).toString())
                .isEqualTo("SIGKILL  bash(4242) uid=0 -> nginx(1337)  code=SI_USER result=DELIVERED");
    }

    @Test
    void unknownSendersAndOldKernelsAreShownAsSuch() {
        SignalGenerateRecord e = new SignalGenerateRecord(1, 0, 17, 0, 1, SignalGenerateRecord.ABSENT, SignalGenerateRecord.ABSENT,
                77, 77, null, TaskTable.UNKNOWN_UID, 1, "init");
        assertThat(SignalText.line(new StringBuilder(), e).toString()).isEqualTo("SIGCHLD  ?(77) uid=? -> init(1)  code=CLD_EXITED");
    }

    @Test
    void jsonHasEveryPromisedKey() {
        Map<String, Object> o = MiniJson.object(SignalText.json(new StringBuilder(), KILL).toString());
        assertThat(o).containsEntry("event", "signal_generate").containsEntry("sig", 9L).containsEntry("signal", "SIGKILL")
                .containsEntry("code", 0L).containsEntry("code_name", "SI_USER").containsEntry("result", 0L)
                .containsEntry("result_name", "DELIVERED").containsEntry("sender_pid", 4242L).containsEntry("sender_tid", 4243L)
                .containsEntry("sender_comm", "bash").containsEntry("sender_uid", 0L).containsEntry("target_pid", 1337L)
                .containsEntry("target_comm", "nginx").containsEntry("time_ns", 5_000_000_000L).containsEntry("cpu", 1L)
                .containsEntry("group", 1L).containsEntry("errno", 0L);
        SignalGenerateRecord old = new SignalGenerateRecord(1, 0, 17, 0, 1, SignalGenerateRecord.ABSENT, SignalGenerateRecord.ABSENT,
                77, 77, "a\"b", TaskTable.UNKNOWN_UID, 1, "init");
        Map<String, Object> p = MiniJson.object(SignalText.json(new StringBuilder(), old).toString());
        assertThat(p).containsEntry("result", null).containsEntry("result_name", null).containsEntry("sender_uid", null)
                .containsEntry("sender_comm", "a\"b");
    }

    @Test
    void deliveries() {
        SignalDeliverRecord d = new SignalDeliverRecord(1, 0, 10, 0, 0, 0x55d0c1a0L, 0x14000000L, 1337, 1338, "bash", 0);
        assertThat(SignalText.line(new StringBuilder(), d).toString())
                .isEqualTo("SIGUSR1  => bash(1337/1338) delivered code=SI_USER handler=0x55d0c1a0 flags=0x14000000");
        Map<String, Object> o = MiniJson.object(SignalText.json(new StringBuilder(), d).toString());
        assertThat(o).containsEntry("event", "signal_deliver").containsEntry("sa_handler", "0x55d0c1a0").containsEntry("target_tid", 1338L);
    }

    @Test
    void failedKills() {
        FailedKill eperm = new FailedKill(1, 0, "kill", 9, 1, 1, 0, -1, "systemd", 567, 567, "bash", 1000);
        assertThat(SignalText.line(new StringBuilder(), eperm).toString())
                .isEqualTo("SIGKILL  bash(567) uid=1000 -> systemd(1)  kill(1, SIGKILL) failed: EPERM");
        FailedKill group = new FailedKill(1, 0, "kill", 15, 3, -77, 0, -1, null, 567, 568, "bash", 0);
        assertThat(SignalText.line(new StringBuilder(), group).toString())
                .isEqualTo("SIGTERM  bash(567) uid=0 -> (process group 77)  kill(-77, SIGTERM) failed: ESRCH");
        FailedKill everyone = new FailedKill(1, 0, "kill", 15, 1, -1, 0, -1, null, 567, 568, null, TaskTable.UNKNOWN_UID);
        assertThat(SignalText.line(new StringBuilder(), everyone).toString())
                .isEqualTo("SIGTERM  ?(567) uid=? -> (every process)  kill(-1, SIGTERM) failed: EPERM");
        FailedKill thread = new FailedKill(1, 0, "tgkill", 34, 3, 4242, 4250, -1, null, 567, 567, "java", 0);
        assertThat(SignalText.line(new StringBuilder(), thread).toString())
                .isEqualTo("SIGRTMIN+2 java(567) uid=0 -> ?(4242)  tgkill(4242, 4250, SIGRTMIN+2) failed: ESRCH");
        FailedKill pidfd = new FailedKill(1, 0, "pidfd_send_signal", 99, 22, 4242, 0, 5, "nginx", 567, 567, "java", 0);
        assertThat(SignalText.line(new StringBuilder(), pidfd).toString())
                .isEqualTo("99       java(567) uid=0 -> nginx(4242)  pidfd_send_signal(pidfd 5, 99) failed: EINVAL");
        assertThat(new FailedKill(1, 0, "kill", 9, 77, 1, 0, -1, null, 1, 1, null, 0).errnoName()).isEqualTo("errno 77");

        Map<String, Object> o = MiniJson.object(SignalText.json(new StringBuilder(), eperm).toString());
        assertThat(o).containsEntry("event", "failed_kill").containsEntry("syscall", "kill").containsEntry("sig", 9L)
                .containsEntry("signal", "SIGKILL").containsEntry("errno", 1L).containsEntry("errno_name", "EPERM")
                .containsEntry("target_pid", 1L).containsEntry("target_tid", 0L).containsEntry("pidfd", -1L)
                .containsEntry("target_comm", "systemd").containsEntry("sender_pid", 567L).containsEntry("sender_tid", 567L)
                .containsEntry("sender_comm", "bash").containsEntry("sender_uid", 1000L).containsEntry("time_ns", 1L)
                .containsEntry("cpu", 0L);
    }

    @Test
    void summaries() {
        SignalSummary s = new SignalSummary(5_000_000_000L, 1200, 0, 3,
                List.of(new SignalSummary.Row(17, 4242, "make", 1000, 1337, "bash", 1200, 7)));
        String table = SignalText.table(new StringBuilder(), "last 5.0 s", s, 1200).toString();
        assertThat(table).startsWith("--- last 5.0 s: 1200 signals, lost 3 (1200 events from the kernel)\n");
        assertThat(table).containsPattern("\\s+1200\\s+7\\s+SIGCHLD\\s+make\\(4242\\) uid=1000\\s+-> bash\\(1337\\)");
        Map<String, Object> o = MiniJson.object(SignalText.json(new StringBuilder(), s, true, 1200).toString());
        assertThat(o).containsEntry("event", "summary").containsEntry("final", true).containsEntry("signals", 1200L)
                .containsEntry("lost", 3L).containsEntry("kernel_events", 1200L).containsEntry("duration_ms", 5000L);
        @SuppressWarnings("unchecked")
        Map<String, Object> row = ((List<Map<String, Object>>) o.get("rows")).get(0);
        assertThat(row).containsEntry("signal", "SIGCHLD").containsEntry("sender_comm", "make").containsEntry("count", 1200L)
                .containsEntry("failed", 7L).containsEntry("target_pid", 1337L);
    }
}
