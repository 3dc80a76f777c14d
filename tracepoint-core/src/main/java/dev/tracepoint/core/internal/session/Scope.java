package dev.tracepoint.core.internal.session;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Which tasks a stream's events cover: every task (the default), one thread and the tasks it creates, every
 * thread of one process and the tasks they create, or the tasks of one cgroup. A value; {@link ScopeTargets}
 * resolves it against the running system when the session opens.
 *
 * @param kind   which of the four
 * @param id     the thread id ({@link Kind#THREAD}) or process id ({@link Kind#PROCESS}); else -1
 * @param cgroup the cgroup's directory ({@link Kind#CGROUP}); else null
 */
public record Scope(Kind kind, int id, Path cgroup) {

    /** The kinds of scope. */
    public enum Kind {
        /** Every task: {@code perf_event_open(pid = -1)} on each CPU. */
        ALL,
        /** One thread, and the tasks it creates after the stream opens ({@code inherit}). */
        THREAD,
        /** Every thread of a process, existing and new, and the tasks they create ({@code inherit}). */
        PROCESS,
        /** The tasks of a cgroup ({@code PERF_FLAG_PID_CGROUP}). */
        CGROUP
    }

    /** Every task. */
    public static final Scope ALL = new Scope(Kind.ALL, -1, null);

    /** Checks the components against the kind. */
    public Scope {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.THREAD || kind == Kind.PROCESS) != id > 0) {
            throw new IllegalArgumentException(kind + " scope with id=" + id);
        }
        if ((kind == Kind.CGROUP) != (cgroup != null)) {
            throw new IllegalArgumentException(kind + " scope with cgroup=" + cgroup);
        }
    }

    /**
     * One thread and the tasks it creates.
     *
     * @param tid the thread id, positive
     * @return the scope
     */
    public static Scope thread(int tid) {
        return new Scope(Kind.THREAD, tid, null);
    }

    /**
     * Every thread of a process and the tasks they create.
     *
     * @param pid the process id, positive
     * @return the scope
     */
    public static Scope process(int pid) {
        return new Scope(Kind.PROCESS, pid, null);
    }

    /**
     * The tasks of a cgroup.
     *
     * @param directory its directory
     * @return the scope
     */
    public static Scope cgroup(Path directory) {
        return new Scope(Kind.CGROUP, -1, Objects.requireNonNull(directory, "directory"));
    }

    /** {@return whether the events are bound to tasks, with {@code inherit}: a thread or process scope} */
    public boolean tasks() {
        return kind == Kind.THREAD || kind == Kind.PROCESS;
    }

    /** {@return what the scope covers, for messages: "every task", "thread 42", "process 42", "cgroup /sys/..."} */
    @Override
    public String toString() {
        return switch (kind) {
            case ALL -> "every task";
            case THREAD -> "thread " + id;
            case PROCESS -> "process " + id;
            case CGROUP -> "cgroup " + cgroup;
        };
    }
}
