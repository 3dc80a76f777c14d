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

    /**
     * The signal sent, field {@code sig}: compare with the constants of {@link Signals}.
     *
     * @return the signal number
     */
    int sig();

    /**
     * The error number the sender put in the signal's {@code siginfo}, field {@code errno}; usually 0.
     *
     * @return the {@code si_errno} of the signal's info
     */
    int errno();

    /**
     * Where the signal came from, field {@code code}: {@code kill()}, the kernel, a timer, a fault.
     *
     * @return the {@code si_code} (see {@link Signals#codeName(int, int)})
     */
    int code();

    /**
     * The task the signal was sent to, field {@code pid}.
     *
     * @return the target's pid (thread id of the target task; for a process-wide signal its leader)
     */
    @TracepointField("pid")
    int targetPid();

    /**
     * The name of the task the signal was sent to, field {@code comm}.
     *
     * @return the target's name, {@code comm} (allocates)
     */
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

    /**
     * Whether the signal was sent to a process or to one of its threads, field {@code group}.
     *
     * @return 1 when the signal was sent to the whole thread group, 0 for one thread (Linux 3.4+)
     * @throws IllegalStateException when this kernel does not record it (see {@link #hasGroup()})
     */
    @TracepointField(value = "group", optional = true)
    int group();

    /**
     * Tells whether the running kernel's format has the {@code group} field.
     *
     * @return whether this kernel records {@link #group()}
     */
    boolean hasGroup();

    /**
     * What the kernel did with the signal, field {@code result}: delivered it, ignored it, found it already
     * pending, or could not queue it or its information.
     *
     * @return what became of the signal, {@link Signals#DELIVERED} ... {@link Signals#LOSE_INFO} (Linux 3.4+)
     * @throws IllegalStateException when this kernel does not record it (see {@link #hasResult()})
     */
    @TracepointField(value = "result", optional = true)
    int result();

    /**
     * Tells whether the running kernel's format has the {@code result} field.
     *
     * @return whether this kernel records {@link #result()}
     */
    boolean hasResult();

    /**
     * The process that sent the signal: the one running when the tracepoint fired (see the class comment for
     * signals raised from interrupts).
     *
     * @return the process id (tgid) of the sending task: the sample's pid
     */
    default int senderPid() {
        return pid();
    }

    /**
     * The thread that sent the signal, as {@link #senderPid()} names its process.
     *
     * @return the thread id of the sending task: the sample's tid
     */
    default int senderTid() {
        return tid();
    }

    /**
     * The name of {@link #sig()}, as {@link Signals#name(int)} gives it.
     *
     * @return the signal's name, for example {@code "SIGKILL"} (no allocation)
     */
    default String signalName() {
        return Signals.name(sig());
    }

    /**
     * The name of {@link #code()} for this signal, as {@link Signals#codeName(int, int)} gives it.
     *
     * @return the {@code si_code}'s name, for example {@code "SI_USER"} (no allocation)
     */
    default String codeName() {
        return Signals.codeName(sig(), code());
    }

    /**
     * The name of {@link #result()}, as {@link Signals#resultName(int)} gives it.
     *
     * @return the result's name, for example {@code "DELIVERED"}, or {@code null} when this kernel does not
     *         record it
     */
    default String resultName() {
        return hasResult() ? Signals.resultName(result()) : null;
    }

    /**
     * Tells whether the kernel did anything but deliver the signal as sent: it ignored it, found it already
     * pending, or could not queue it or its information.
     *
     * @return whether the kernel recorded a result other than {@link Signals#DELIVERED}
     */
    default boolean failed() {
        return hasResult() && result() != Signals.DELIVERED;
    }
}
