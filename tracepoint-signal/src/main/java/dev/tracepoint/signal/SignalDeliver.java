package dev.tracepoint.signal;

import dev.tracepoint.core.decode.TracepointEvent;

/**
 * {@code signal:signal_deliver}, typed: a task dequeued a signal on its way back to user space and is about to
 * run its handler (or the default action). Fires in the context of the <em>receiving</em> task, so the target
 * is the sample's pid/tid ({@link #targetPid()}, {@link #targetTid()}); the sender is not recorded (match it
 * with the {@link SignalGenerate} event before).
 *
 * <p>A flyweight, valid only during the listener call; keep a {@link SignalDeliverRecord} instead. The
 * accessors do not allocate.
 */
public interface SignalDeliver extends TracepointEvent {

    /** The tracepoint, {@code system:event}. */
    String TRACEPOINT = "signal:signal_deliver";

    /**
     * The signal being delivered, field {@code sig}: compare with the constants of {@link Signals}.
     *
     * @return the signal number
     */
    int sig();

    /**
     * The error number in the signal's {@code siginfo}, field {@code errno}; usually 0.
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
     * What the receiving task will run for the signal, field {@code sa_handler} (see
     * {@link Signals#handlerName(long)}).
     *
     * @return the handler: 0 {@code SIG_DFL}, 1 {@code SIG_IGN}, else the handler function's address
     */
    long saHandler();

    /**
     * How the handler was installed, field {@code sa_flags}.
     *
     * @return the handler's {@code sa_flags} ({@code SA_RESTART}, {@code SA_SIGINFO}, ...)
     */
    long saFlags();

    /**
     * The process that receives the signal: the one running when the tracepoint fired.
     *
     * @return the process id (tgid) of the receiving task
     */
    default int targetPid() {
        return pid();
    }

    /**
     * The thread that dequeued the signal and runs its handler.
     *
     * @return the thread id of the receiving task
     */
    default int targetTid() {
        return tid();
    }

    /**
     * The name of {@link #sig()}, as {@link Signals#name(int)} gives it.
     *
     * @return the signal's name (no allocation)
     */
    default String signalName() {
        return Signals.name(sig());
    }

    /**
     * The name of {@link #code()} for this signal, as {@link Signals#codeName(int, int)} gives it.
     *
     * @return the {@code si_code}'s name (no allocation)
     */
    default String codeName() {
        return Signals.codeName(sig(), code());
    }

    /**
     * Tells whether the task catches the signal with its own code, rather than taking the default action or
     * ignoring it.
     *
     * @return whether a handler function runs (not {@code SIG_DFL} or {@code SIG_IGN})
     */
    default boolean hasHandler() {
        return saHandler() != 0 && saHandler() != 1;
    }
}
