package dev.tracepoint.signal;

import dev.tracepoint.core.decode.TracepointEvent;
import dev.tracepoint.core.decode.TracepointField;

/**
 * {@code signal:signal_generate}, typed: a signal was sent (raised, queued, merged or dropped). Bound by field
 * name to the running kernel's format (see {@link dev.tracepoint.core.decode.EventBinding}), so no offset is
 * hard-coded and the layouts of old kernels decode too.
 *
 * <p><b>Sender and target.</b> The <em>target</em> is the event's {@code pid}/{@code comm} fields:
 * {@link #targetPid()}, {@link #targetComm()}. The <em>sender</em> is the task that was current when the
 * tracepoint fired, i.e. the sample's pid/tid ({@link #senderPid()}, {@link #senderTid()}); for signals the
 * kernel raises from interrupt context (timers) that is whichever task the interrupt hit. Name the sender with
 * a {@link TaskTable}.
 *
 * <p><b>Lifetime.</b> A flyweight: valid only during the listener call, reused for the next event. The
 * accessors that return primitives, {@link #targetComm(byte[])} and the {@code *Name()} defaults do not
 * allocate; {@link #targetComm()} does. Keep a {@link SignalGenerateRecord} ({@link SignalGenerateRecord#from})
 * instead of the flyweight.
 *
 * {@snippet :
 * stream.onEvent(SignalGenerate.TRACEPOINT, SignalGenerate.class, e -> {
 *     if (e.sig() == Signals.SIGKILL) {
 *         System.out.println(e.senderPid() + " -> " + e.targetComm() + "(" + e.targetPid() + ") " + e.resultName());
 *     }
 * });
 * }
 *
 * <p><b>Old kernels.</b> {@code group} and {@code result} appeared in Linux 3.4: {@link #hasGroup()} and
 * {@link #hasResult()} report them absent before, and their accessors then throw
 * {@link IllegalStateException}.
 */
public interface SignalGenerate extends TracepointEvent {

    /** The tracepoint, {@code system:event}. */
    String TRACEPOINT = "signal:signal_generate";

    /** @return the signal number */
    int sig();

    /** @return the {@code si_errno} of the signal's info */
    int errno();

    /** @return the {@code si_code} (see {@link Signals#codeName(int, int)}) */
    int code();

    /** @return the target's pid (thread id of the target task; for a process-wide signal its leader) */
    @TracepointField("pid")
    int targetPid();

    /** @return the target's name, {@code comm} (allocates) */
    @TracepointField("comm")
    String targetComm();

    /**
     * Copies the target's name without allocating.
     *
     * @param dst the buffer (16 bytes hold any {@code comm})
     * @return the number of bytes copied
     */
    @TracepointField("comm")
    int targetComm(byte[] dst);

    /** @return 1 when the signal was sent to the whole thread group, 0 for one thread (Linux 3.4+) */
    @TracepointField(value = "group", optional = true)
    int group();

    /** @return whether this kernel records {@link #group()} */
    boolean hasGroup();

    /** @return what became of the signal, {@link Signals#DELIVERED} ... {@link Signals#LOSE_INFO} (Linux 3.4+) */
    @TracepointField(value = "result", optional = true)
    int result();

    /** @return whether this kernel records {@link #result()} */
    boolean hasResult();

    /** @return the process id (tgid) of the sending task: the sample's pid */
    default int senderPid() {
        return pid();
    }

    /** @return the thread id of the sending task: the sample's tid */
    default int senderTid() {
        return tid();
    }

    /** @return the signal's name, e.g. {@code "SIGKILL"} (no allocation) */
    default String signalName() {
        return Signals.name(sig());
    }

    /** @return the {@code si_code}'s name, e.g. {@code "SI_USER"} (no allocation) */
    default String codeName() {
        return Signals.codeName(sig(), code());
    }

    /** @return the result's name, e.g. {@code "DELIVERED"}, or {@code null} when this kernel does not record it */
    default String resultName() {
        return hasResult() ? Signals.resultName(result()) : null;
    }

    /** @return whether the kernel recorded a result other than {@link Signals#DELIVERED} */
    default boolean failed() {
        return hasResult() && result() != Signals.DELIVERED;
    }
}
