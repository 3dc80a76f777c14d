package dev.tracepoint.signal;

/**
 * An immutable copy of a {@code signal:signal_generate} event, with the sender named: what callers keep,
 * queue or hand to other threads (the {@link SignalGenerate} flyweight is valid only during its callback).
 *
 * @param timeNanos  the sample time, CLOCK_MONOTONIC nanoseconds
 * @param cpu        the CPU the signal was generated on
 * @param sig        the signal number
 * @param errno      the {@code si_errno}
 * @param code       the {@code si_code}
 * @param group      1 for a process-wide signal, 0 for one thread, {@link #ABSENT} when the kernel does not record it
 * @param result     {@link Signals#DELIVERED} ... {@link Signals#LOSE_INFO}, {@link #ABSENT} when the kernel
 *                   does not record it (before Linux 3.4)
 * @param senderPid  the sending process (the task that was current)
 * @param senderTid  the sending thread
 * @param senderComm the sending process's name, {@code null} when unknown
 * @param senderUid  the sending process's real uid, {@link TaskTable#UNKNOWN_UID} when unknown
 * @param targetPid  the target task
 * @param targetComm the target task's name
 */
public record SignalGenerateRecord(long timeNanos, int cpu, int sig, int errno, int code, int group, int result,
                                  int senderPid, int senderTid, String senderComm, int senderUid,
                                  int targetPid, String targetComm) {

    /** The value of {@link #group()} and {@link #result()} on kernels that lack the field. */
    public static final int ABSENT = -1;

    /**
     * Copies the current event of a flyweight, naming its sender from {@code tasks}.
     *
     * @param e     the flyweight, during its callback
     * @param tasks the task table to name the sender from, or {@code null} to leave it unnamed
     * @return the copy
     */
    public static SignalGenerateRecord from(SignalGenerate e, TaskTable tasks) {
        return of(e, tasks == null ? null : tasks.resolve(e.senderPid()));
    }

    /** Copies the flyweight's event with the sender's entry ({@code null}: unnamed). */
    static SignalGenerateRecord of(SignalGenerate e, TaskTable.Entry sender) {
        return new SignalGenerateRecord(e.timeNanos(), e.cpu(), e.sig(), e.errno(), e.code(),
                e.hasGroup() ? e.group() : ABSENT, e.hasResult() ? e.result() : ABSENT,
                e.senderPid(), e.senderTid(), sender == null ? null : sender.comm,
                sender == null ? TaskTable.UNKNOWN_UID : sender.uid, e.targetPid(), e.targetComm());
    }

    /**
     * @param comm the sender's name
     * @param uid  the sender's uid
     * @return a copy with the sender named
     */
    public SignalGenerateRecord withSender(String comm, int uid) {
        return new SignalGenerateRecord(timeNanos, cpu, sig, errno, code, group, result, senderPid, senderTid, comm, uid,
                targetPid, targetComm);
    }

    /** @return the signal's name, e.g. {@code "SIGKILL"} */
    public String signalName() {
        return Signals.name(sig);
    }

    /** @return the {@code si_code}'s name, e.g. {@code "SI_USER"} */
    public String codeName() {
        return Signals.codeName(sig, code);
    }

    /** @return whether the kernel recorded {@link #result()} */
    public boolean hasResult() {
        return result != ABSENT;
    }

    /** @return whether the kernel recorded {@link #group()} */
    public boolean hasGroup() {
        return group != ABSENT;
    }

    /** @return the result's name, e.g. {@code "DELIVERED"}, or {@code null} when not recorded */
    public String resultName() {
        return hasResult() ? Signals.resultName(result) : null;
    }

    /** @return whether the kernel recorded a result other than {@link Signals#DELIVERED} */
    public boolean failed() {
        return hasResult() && result != Signals.DELIVERED;
    }

    /** @return whether the sender's name is known */
    public boolean senderKnown() {
        return senderComm != null;
    }
}
