package dev.tracepoint.core;

/**
 * Receives the kernel's own task records ({@code PERF_RECORD_COMM}, {@code FORK}, {@code EXIT}), so a consumer
 * can name processes that have already exited by the time an event is read. Enable with
 * {@link TracepointStreamBuilder#onTask(TaskListener)}. Called on the consumer thread.
 */
public interface TaskListener {

    /**
     * A task got a new name: {@code exec} or {@code prctl(PR_SET_NAME)}.
     *
     * @param pid  the process id
     * @param tid  the thread id
     * @param comm the new name
     * @param exec whether the name changed because of an exec
     */
    void onComm(int pid, int tid, String comm, boolean exec);

    /**
     * A task was created.
     *
     * @param pid       the new task's process id
     * @param ppid      its parent's process id
     * @param tid       the new task's thread id
     * @param ptid      the parent thread id
     * @param timeNanos the time (CLOCK_MONOTONIC ns)
     */
    void onFork(int pid, int ppid, int tid, int ptid, long timeNanos);

    /**
     * A task exited.
     *
     * @param pid       the process id
     * @param ppid      the parent's process id
     * @param tid       the thread id
     * @param ptid      the parent thread id
     * @param timeNanos the time (CLOCK_MONOTONIC ns)
     */
    void onExit(int pid, int ppid, int tid, int ptid, long timeNanos);
}
