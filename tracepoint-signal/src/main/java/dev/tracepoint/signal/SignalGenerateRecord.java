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
     * Names the sender after the fact: for a record copied without a task table, or before the table knew
     * the sender.
     *
     * @param comm the sender's name
     * @param uid  the sender's uid
     * @return a copy with the sender named
     */
    public SignalGenerateRecord withSender(String comm, int uid) {
        return new SignalGenerateRecord(timeNanos, cpu, sig, errno, code, group, result, senderPid, senderTid, comm, uid,
                targetPid, targetComm);
    }

    /**
     * The name of {@link #sig()}, as {@link Signals#name(int)} gives it.
     *
     * @return the signal's name, for example {@code "SIGKILL"}
     */
    public String signalName() {
        return Signals.name(sig);
    }

    /**
     * The name of {@link #code()} for this signal, as {@link Signals#codeName(int, int)} gives it.
     *
     * @return the {@code si_code}'s name, for example {@code "SI_USER"}
     */
    public String codeName() {
        return Signals.codeName(sig, code);
    }

    /**
     * Tells whether {@link #result()} holds a result, rather than {@link #ABSENT} on a kernel without the
     * field.
     *
     * @return whether the kernel recorded {@link #result()}
     */
    public boolean hasResult() {
        return result != ABSENT;
    }

    /**
     * Tells whether {@link #group()} holds a value, rather than {@link #ABSENT} on a kernel without the
     * field.
     *
     * @return whether the kernel recorded {@link #group()}
     */
    public boolean hasGroup() {
        return group != ABSENT;
    }

    /**
     * The name of {@link #result()}, as {@link Signals#resultName(int)} gives it.
     *
     * @return the result's name, for example {@code "DELIVERED"}, or {@code null} when not recorded
     */
    public String resultName() {
        return hasResult() ? Signals.resultName(result) : null;
    }

    /**
     * Tells whether the kernel did anything but deliver the signal as sent: it ignored it, found it already
     * pending, or could not queue it or its information.
     *
     * @return whether the kernel recorded a result other than {@link Signals#DELIVERED}
     */
    public boolean failed() {
        return hasResult() && result != Signals.DELIVERED;
    }

    /**
     * Tells whether the task table could name the sender; a sender that exited before the stream saw it
     * may stay unnamed.
     *
     * @return whether the sender's name is known
     */
    public boolean senderKnown() {
        return senderComm != null;
    }
}
