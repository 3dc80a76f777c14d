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

    /** @return the signal number */
    int sig();

    /** @return the {@code si_errno} of the signal's info */
    int errno();

    /** @return the {@code si_code} (see {@link Signals#codeName(int, int)}) */
    int code();

    /** @return the handler: 0 {@code SIG_DFL}, 1 {@code SIG_IGN}, else the handler function's address */
    long saHandler();

    /** @return the handler's {@code sa_flags} ({@code SA_RESTART}, {@code SA_SIGINFO}, ...) */
    long saFlags();

    /** @return the process id (tgid) of the receiving task */
    default int targetPid() {
        return pid();
    }

    /** @return the thread id of the receiving task */
    default int targetTid() {
        return tid();
    }

    /** @return the signal's name (no allocation) */
    default String signalName() {
        return Signals.name(sig());
    }

    /** @return the {@code si_code}'s name (no allocation) */
    default String codeName() {
        return Signals.codeName(sig(), code());
    }

    /** @return whether a handler function runs (not {@code SIG_DFL} or {@code SIG_IGN}) */
    default boolean hasHandler() {
        return saHandler() != 0 && saHandler() != 1;
    }
}
