package dev.tracepoint.signal;

import java.util.List;

/**
 * A call of the kill family of system calls that failed: no signal was generated, so {@code signal_generate}
 * never saw it. {@code kill(1, SIGKILL)} by an unprivileged user ({@code EPERM}), a signal to a process that is
 * gone ({@code ESRCH}), an invalid signal ({@code EINVAL}). Seen through the syscall tracepoints
 * ({@code syscalls:sys_enter_kill} and {@code sys_exit_kill}, and those of the other calls in {@link #SYSCALLS}),
 * paired per thread; enabled with {@link SignalMonitorBuilder#onFailedKill}.
 *
 * @param timeNanos  the time the call returned, CLOCK_MONOTONIC nanoseconds
 * @param cpu        the CPU it returned on
 * @param syscall    the call, one of {@link #SYSCALLS}
 * @param sig        the signal asked for (any value the caller passed; {@link #signalName()} names it)
 * @param errno      the error, positive ({@code 1} for {@code EPERM}; {@link #errnoName()} names it)
 * @param targetPid  the process the call named: {@code kill}'s and {@code rt_sigqueueinfo}'s {@code pid}
 *                   (0, -1 and negative values mean a process group or every process, see {@code kill(2)}),
 *                   the {@code tgid} of {@code tgkill} and {@code rt_tgsigqueueinfo}, the thread of
 *                   {@code tkill}, or for {@code pidfd_send_signal} the process its pidfd refers to (read from
 *                   {@code /proc/<sender>/fdinfo} when the failure is read; 0 when that was no longer possible)
 * @param targetTid  the thread of {@code tgkill}, {@code rt_tgsigqueueinfo} and {@code tkill}; 0 for the others
 * @param pidfd      {@code pidfd_send_signal}'s file descriptor; -1 for the others
 * @param targetComm the target's name from the task table, {@code null} when unknown (a pid that does not exist)
 * @param senderPid  the calling process
 * @param senderTid  the calling thread
 * @param senderComm the calling process's name, {@code null} when unknown
 * @param senderUid  its real uid, {@link TaskTable#UNKNOWN_UID} when unknown
 */
public record FailedKill(long timeNanos, int cpu, String syscall, int sig, int errno, int targetPid, int targetTid,
                         int pidfd, String targetComm, int senderPid, int senderTid, String senderComm, int senderUid) {

    /** The system calls watched, when the running kernel has their tracepoints. */
    public static final List<String> SYSCALLS = List.of("kill", "tkill", "tgkill", "rt_sigqueueinfo",
            "rt_tgsigqueueinfo", "pidfd_send_signal");

    /** The errors these calls return ({@code kill(2)}, {@code tgkill(2)}, {@code pidfd_send_signal(2)}, ...). */
    private static final String[] ERRNO_NAMES = new String[40];

    static {
        ERRNO_NAMES[1] = "EPERM";
        ERRNO_NAMES[3] = "ESRCH";
        ERRNO_NAMES[4] = "EINTR";
        ERRNO_NAMES[9] = "EBADF";
        ERRNO_NAMES[11] = "EAGAIN";
        ERRNO_NAMES[12] = "ENOMEM";
        ERRNO_NAMES[14] = "EFAULT";
        ERRNO_NAMES[22] = "EINVAL";
        ERRNO_NAMES[38] = "ENOSYS";
    }

    /**
     * Returns the signal's name, for example {@code "SIGKILL"}, or the number as text.
     *
     * @return the signal's name, for example {@code "SIGKILL"}, or the number as text
     */
    public String signalName() {
        return Signals.name(sig);
    }

    /**
     * Returns the error's name ({@code "EPERM"}, {@code "ESRCH"}, ...), or {@code "errno N"} for another.
     *
     * @return the error's name ({@code "EPERM"}, {@code "ESRCH"}, ...), or {@code "errno N"} for another
     */
    public String errnoName() {
        return errno > 0 && errno < ERRNO_NAMES.length && ERRNO_NAMES[errno] != null ? ERRNO_NAMES[errno] : "errno " + errno;
    }

    /**
     * Returns the call as its caller wrote it, for example {@code kill(1, SIGKILL)} or {@code tgkill(4242, 4243, SIGTERM)}.
     *
     * @return the call as its caller wrote it, for example {@code kill(1, SIGKILL)} or {@code tgkill(4242, 4243, SIGTERM)}
     */
    public String call() {
        StringBuilder sb = new StringBuilder(syscall).append('(');
        switch (syscall) {
            case "tgkill", "rt_tgsigqueueinfo" -> sb.append(targetPid).append(", ").append(targetTid);
            case "tkill" -> sb.append(targetTid);
            case "pidfd_send_signal" -> sb.append("pidfd ").append(pidfd);
            default -> sb.append(targetPid);
        }
        return sb.append(", ").append(signalName()).append(')').toString();
    }
}
