package dev.tracepoint.signal;

/**
 * An immutable copy of a {@code signal:signal_deliver} event: a task dequeued a signal to handle it.
 *
 * @param timeNanos  the sample time, CLOCK_MONOTONIC nanoseconds
 * @param cpu        the CPU
 * @param sig        the signal number
 * @param errno      the {@code si_errno}
 * @param code       the {@code si_code}
 * @param saHandler  the handler: 0 {@code SIG_DFL}, 1 {@code SIG_IGN}, else its address
 * @param saFlags    the handler's {@code sa_flags}
 * @param targetPid  the receiving process
 * @param targetTid  the receiving thread
 * @param targetComm the receiving process's name, {@code null} when unknown
 * @param targetUid  its real uid, {@link TaskTable#UNKNOWN_UID} when unknown
 */
public record SignalDeliverRecord(long timeNanos, int cpu, int sig, int errno, int code, long saHandler, long saFlags,
                                 int targetPid, int targetTid, String targetComm, int targetUid) {

    /**
     * Copies the current event of a flyweight, naming the receiving process from {@code tasks}.
     *
     * @param e     the flyweight, during its callback
     * @param tasks the task table, or {@code null}
     * @return the copy
     */
    public static SignalDeliverRecord from(SignalDeliver e, TaskTable tasks) {
        int pid = e.targetPid();
        String comm = null;
        int uid = TaskTable.UNKNOWN_UID;
        if (tasks != null) {
            TaskTable.Entry t = tasks.resolve(pid);
            if (t != null) {
                comm = t.comm;
                uid = t.uid;
            }
        }
        return new SignalDeliverRecord(e.timeNanos(), e.cpu(), e.sig(), e.errno(), e.code(), e.saHandler(), e.saFlags(),
                pid, e.targetTid(), comm, uid);
    }

    /**
     * The name of {@link #sig()}, as {@link Signals#name(int)} gives it.
     *
     * @return the signal's name
     */
    public String signalName() {
        return Signals.name(sig);
    }

    /**
     * The name of {@link #code()} for this signal, as {@link Signals#codeName(int, int)} gives it.
     *
     * @return the {@code si_code}'s name
     */
    public String codeName() {
        return Signals.codeName(sig, code);
    }

    /**
     * Tells whether the task catches the signal with its own code, rather than taking the default action or
     * ignoring it.
     *
     * @return whether a handler function runs (not {@code SIG_DFL} or {@code SIG_IGN})
     */
    public boolean hasHandler() {
        return saHandler != 0 && saHandler != 1;
    }
}
