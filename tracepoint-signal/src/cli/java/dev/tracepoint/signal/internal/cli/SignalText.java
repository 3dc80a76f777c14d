package dev.tracepoint.signal.internal.cli;

import dev.tracepoint.core.internal.cli.Json;
import dev.tracepoint.signal.FailedKill;
import dev.tracepoint.signal.SignalDeliverRecord;
import dev.tracepoint.signal.SignalGenerateRecord;
import dev.tracepoint.signal.SignalSummary;
import dev.tracepoint.signal.Signals;
import dev.tracepoint.signal.TaskTable;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Renders signal events and summaries as the monitor's text lines and JSON objects. */
public final class SignalText {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private SignalText() {
    }

    /**
     * {@code SIGKILL  bash(4242) uid=0 -> nginx(1337)  code=SI_USER result=DELIVERED}.
     *
     * @param sb the output
     * @param e  the event
     * @return {@code sb}
     */
    public static StringBuilder line(StringBuilder sb, SignalGenerateRecord e) {
        pad(sb, e.signalName(), 8).append(' ');
        process(sb, e.senderComm(), e.senderPid());
        sb.append(" uid=");
        uid(sb, e.senderUid());
        sb.append(" -> ");
        process(sb, e.targetComm(), e.targetPid());
        sb.append("  code=").append(e.codeName());
        if (e.hasResult()) {
            sb.append(" result=").append(e.resultName());
        }
        if (e.errno() != 0) {
            sb.append(" errno=").append(e.errno());
        }
        return sb;
    }

    /**
     * {@code SIGUSR1  => bash(1337/1338) delivered code=SI_USER handler=0x55d0c1a0 flags=0x14000000}.
     *
     * @param sb the output
     * @param e  the event
     * @return {@code sb}
     */
    public static StringBuilder line(StringBuilder sb, SignalDeliverRecord e) {
        pad(sb, e.signalName(), 8).append(" => ");
        sb.append(e.targetComm() == null ? "?" : e.targetComm()).append('(').append(e.targetPid());
        if (e.targetTid() != e.targetPid()) {
            sb.append('/').append(e.targetTid());
        }
        sb.append(") delivered code=").append(e.codeName()).append(" handler=");
        handler(sb, e.saHandler());
        sb.append(" flags=0x").append(Long.toHexString(e.saFlags()));
        return sb;
    }

    /**
     * {@code SIGKILL  bash(4242) uid=1000 -> systemd(1)  kill(1, SIGKILL) failed: EPERM}; a target that is no
     * single process is {@code (process group 77)}, {@code (own process group)} or {@code (every process)}.
     *
     * @param sb the output
     * @param e  the failed call
     * @return {@code sb}
     */
    public static StringBuilder line(StringBuilder sb, FailedKill e) {
        pad(sb, e.signalName(), 8).append(' ');
        process(sb, e.senderComm(), e.senderPid());
        sb.append(" uid=");
        uid(sb, e.senderUid());
        sb.append(" -> ");
        boolean byPid = e.syscall().equals("kill") || e.syscall().equals("rt_sigqueueinfo");
        if (byPid && e.targetPid() == 0) {
            sb.append("(own process group)");
        } else if (byPid && e.targetPid() == -1) {
            sb.append("(every process)");
        } else if (byPid && e.targetPid() < 0) {
            sb.append("(process group ").append(-(long) e.targetPid()).append(')');
        } else {
            process(sb, e.targetComm(), e.targetPid());
        }
        return sb.append("  ").append(e.call()).append(" failed: ").append(e.errnoName());
    }

    /**
     * One JSON object for a failed call: {@code event ("failed_kill"), time_ns, cpu, syscall, sig, signal,
     * errno, errno_name, target_pid, target_tid, pidfd, target_comm, sender_pid, sender_tid, sender_comm,
     * sender_uid}.
     *
     * @param sb the output
     * @param e  the failed call
     * @return {@code sb}
     */
    public static StringBuilder json(StringBuilder sb, FailedKill e) {
        sb.append('{');
        Json.key(sb, "event", true);
        Json.string(sb, "failed_kill");
        Json.key(sb, "time_ns", false).append(e.timeNanos());
        Json.key(sb, "cpu", false).append(e.cpu());
        Json.key(sb, "syscall", false);
        Json.string(sb, e.syscall());
        Json.key(sb, "sig", false).append(e.sig());
        Json.key(sb, "signal", false);
        Json.string(sb, e.signalName());
        Json.key(sb, "errno", false).append(e.errno());
        Json.key(sb, "errno_name", false);
        Json.string(sb, e.errnoName());
        Json.key(sb, "target_pid", false).append(e.targetPid());
        Json.key(sb, "target_tid", false).append(e.targetTid());
        Json.key(sb, "pidfd", false).append(e.pidfd());
        Json.key(sb, "target_comm", false);
        Json.string(sb, e.targetComm());
        Json.key(sb, "sender_pid", false).append(e.senderPid());
        Json.key(sb, "sender_tid", false).append(e.senderTid());
        Json.key(sb, "sender_comm", false);
        Json.string(sb, e.senderComm());
        Json.key(sb, "sender_uid", false);
        jsonUid(sb, e.senderUid());
        return sb.append('}');
    }

    /**
     * Prefixes a line with the wall-clock time of the event.
     *
     * @param sb                the output
     * @param timeNanos         the event's CLOCK_MONOTONIC time
     * @param wallClockOffset   {@code CLOCK_REALTIME - CLOCK_MONOTONIC}
     * @return {@code sb}
     */
    public static StringBuilder time(StringBuilder sb, long timeNanos, long wallClockOffset) {
        long t = timeNanos + wallClockOffset;
        Instant i = Instant.ofEpochSecond(Math.floorDiv(t, 1_000_000_000L), Math.floorMod(t, 1_000_000_000L));
        return sb.append(CLOCK.format(LocalTime.ofInstant(i, ZoneId.systemDefault()))).append(' ');
    }

    /** The keys both events share, opening the object: event, time_ns, cpu, sig, signal, errno, code, code_name. */
    private static void header(StringBuilder sb, String event, long timeNanos, int cpu, int sig, String signalName,
                               int errno, int code, String codeName) {
        sb.append('{');
        Json.key(sb, "event", true);
        Json.string(sb, event);
        Json.key(sb, "time_ns", false).append(timeNanos);
        Json.key(sb, "cpu", false).append(cpu);
        Json.key(sb, "sig", false).append(sig);
        Json.key(sb, "signal", false);
        Json.string(sb, signalName);
        Json.key(sb, "errno", false).append(errno);
        Json.key(sb, "code", false).append(code);
        Json.key(sb, "code_name", false);
        Json.string(sb, codeName);
    }

    /**
     * One JSON object with the keys {@code event, time_ns, cpu, sig, signal, errno, code, code_name, result,
     * result_name, group, sender_pid, sender_tid, sender_comm, sender_uid, target_pid, target_comm}.
     *
     * @param sb the output
     * @param e  the event
     * @return {@code sb}
     */
    public static StringBuilder json(StringBuilder sb, SignalGenerateRecord e) {
        header(sb, "signal_generate", e.timeNanos(), e.cpu(), e.sig(), e.signalName(), e.errno(), e.code(), e.codeName());
        Json.key(sb, "result", false);
        if (e.hasResult()) {
            sb.append(e.result());
        } else {
            sb.append("null");
        }
        Json.key(sb, "result_name", false);
        Json.string(sb, e.resultName());
        Json.key(sb, "group", false);
        if (e.hasGroup()) {
            sb.append(e.group());
        } else {
            sb.append("null");
        }
        Json.key(sb, "sender_pid", false).append(e.senderPid());
        Json.key(sb, "sender_tid", false).append(e.senderTid());
        Json.key(sb, "sender_comm", false);
        Json.string(sb, e.senderComm());
        Json.key(sb, "sender_uid", false);
        jsonUid(sb, e.senderUid());
        Json.key(sb, "target_pid", false).append(e.targetPid());
        Json.key(sb, "target_comm", false);
        Json.string(sb, e.targetComm());
        return sb.append('}');
    }

    /**
     * One JSON object for a delivery: {@code event, time_ns, cpu, sig, signal, errno, code, code_name,
     * sa_handler, sa_flags, target_pid, target_tid, target_comm, target_uid}.
     *
     * @param sb the output
     * @param e  the event
     * @return {@code sb}
     */
    public static StringBuilder json(StringBuilder sb, SignalDeliverRecord e) {
        header(sb, "signal_deliver", e.timeNanos(), e.cpu(), e.sig(), e.signalName(), e.errno(), e.code(), e.codeName());
        Json.key(sb, "sa_handler", false);
        StringBuilder h = new StringBuilder();
        handler(h, e.saHandler());
        Json.string(sb, h);
        Json.key(sb, "sa_flags", false).append(e.saFlags());
        Json.key(sb, "target_pid", false).append(e.targetPid());
        Json.key(sb, "target_tid", false).append(e.targetTid());
        Json.key(sb, "target_comm", false);
        Json.string(sb, e.targetComm());
        Json.key(sb, "target_uid", false);
        jsonUid(sb, e.targetUid());
        return sb.append('}');
    }

    /**
     * A summary as a text table, top counts first.
     *
     * @param sb     the output
     * @param title  the heading, e.g. {@code "last 5.0 s"}
     * @param s      the summary
     * @param kernel the events that crossed into user space, or -1 to leave out
     * @return {@code sb}
     */
    public static StringBuilder table(StringBuilder sb, String title, SignalSummary s, long kernel) {
        sb.append("--- ").append(title).append(": ").append(s.signals()).append(s.signals() == 1 ? " signal" : " signals");
        if (s.deliveries() > 0) {
            sb.append(", ").append(s.deliveries()).append(" deliveries");
        }
        sb.append(", lost ").append(s.lost());
        if (kernel >= 0) {
            sb.append(" (").append(kernel).append(kernel == 1 ? " event" : " events").append(" from the kernel)");
        }
        sb.append('\n');
        if (s.rows().isEmpty()) {
            return sb;
        }
        sb.append(String.format("%8s %8s  %-12s %-28s    %s%n", "COUNT", "FAILED", "SIGNAL", "SENDER", "TARGET"));
        for (SignalSummary.Row r : s.rows()) {
            StringBuilder sender = new StringBuilder();
            process(sender, r.senderComm(), r.senderPid());
            sender.append(" uid=");
            uid(sender, r.senderUid());
            StringBuilder target = new StringBuilder();
            process(target, r.targetComm(), r.targetPid());
            sb.append(String.format("%8d %8d  %-12s %-28s -> %s%n", r.count(), r.failed(), r.signalName(), sender, target));
        }
        return sb;
    }

    /**
     * A summary as one JSON object: {@code {"event":"summary","final":…,"duration_ms":…,"signals":…,
     * "deliveries":…,"lost":…,"rows":[{"sig","signal","sender_pid","sender_comm","sender_uid","target_pid",
     * "target_comm","count","failed"}…]}}.
     *
     * With {@code kernel >= 0} it also has {@code "kernel_events"}: the events that crossed into user space.
     *
     * @param sb      the output
     * @param s       the summary
     * @param isFinal whether it is the whole run's, printed at exit
     * @param kernel  the events from the kernel, or -1 to leave out
     * @return {@code sb}
     */
    public static StringBuilder json(StringBuilder sb, SignalSummary s, boolean isFinal, long kernel) {
        sb.append('{');
        Json.key(sb, "event", true);
        Json.string(sb, "summary");
        Json.key(sb, "final", false).append(isFinal);
        Json.key(sb, "duration_ms", false).append(s.durationNanos() / 1_000_000);
        Json.key(sb, "signals", false).append(s.signals());
        Json.key(sb, "deliveries", false).append(s.deliveries());
        Json.key(sb, "lost", false).append(s.lost());
        if (kernel >= 0) {
            Json.key(sb, "kernel_events", false).append(kernel);
        }
        Json.key(sb, "rows", false).append('[');
        boolean first = true;
        for (SignalSummary.Row r : s.rows()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('{');
            Json.key(sb, "sig", true).append(r.sig());
            Json.key(sb, "signal", false);
            Json.string(sb, r.signalName());
            Json.key(sb, "sender_pid", false).append(r.senderPid());
            Json.key(sb, "sender_comm", false);
            Json.string(sb, r.senderComm());
            Json.key(sb, "sender_uid", false);
            jsonUid(sb, r.senderUid());
            Json.key(sb, "target_pid", false).append(r.targetPid());
            Json.key(sb, "target_comm", false);
            Json.string(sb, r.targetComm());
            Json.key(sb, "count", false).append(r.count());
            Json.key(sb, "failed", false).append(r.failed());
            sb.append('}');
        }
        return sb.append("]}");
    }

    private static StringBuilder pad(StringBuilder sb, String s, int width) {
        sb.append(s);
        for (int i = s.length(); i < width; i++) {
            sb.append(' ');
        }
        return sb;
    }

    private static void process(StringBuilder sb, String comm, int pid) {
        sb.append(comm == null ? "?" : comm).append('(').append(pid).append(')');
    }

    private static void uid(StringBuilder sb, int uid) {
        if (uid == TaskTable.UNKNOWN_UID) {
            sb.append('?');
        } else {
            sb.append(Integer.toUnsignedString(uid));
        }
    }

    private static void jsonUid(StringBuilder sb, int uid) {
        if (uid == TaskTable.UNKNOWN_UID) {
            sb.append("null");
        } else {
            sb.append(Integer.toUnsignedLong(uid));
        }
    }

    private static void handler(StringBuilder sb, long handler) {
        String n = Signals.handlerName(handler);
        if (n != null) {
            sb.append(n);
        } else {
            sb.append("0x").append(Long.toHexString(handler));
        }
    }
}
