package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.CpuListener;
import dev.tracepoint.core.ErrorListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The stream-wide listeners of one stream, as its setup registers them (the per-tracepoint event listeners
 * are the subscriptions'): lost, flush, close, CPU and error listeners, and the batch listener with its
 * warm-up copy. It also reports to the error listener ({@link #report}) and tells the close listeners
 * ({@link #fireClose()}).
 *
 * <p>Registration is the stream's setup: one thread, before the stream opens (the stream checks that). Once
 * open, the lists are read only: by the thread that opens and then by the consumer or the releasing thread.
 */
public final class StreamListeners {

    private final List<LostListener> lost = new ArrayList<>();
    private final List<Runnable> flush = new ArrayList<>();
    private final List<Runnable> close = new ArrayList<>();
    private final List<TaskListener> tasks = new ArrayList<>();
    private CpuListener cpu;
    private ErrorListener error = new LoggingErrorListener();
    /** The registered batch listener, or null when the stream delivers to event listeners. */
    private BatchListener batch;
    /** The batch listener's warm-up copy, or null. */
    private BatchListener batchCopy;

    /** No listener yet; the error listener logs ({@link LoggingErrorListener}). */
    public StreamListeners() {
    }

    /**
     * Registers a listener.
     *
     * @param listener a lost listener, added after the others
     */
    public void addLost(LostListener listener) {
        lost.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Registers a listener.
     *
     * @param listener an action run after each drain pass that delivered events
     */
    public void addFlush(Runnable listener) {
        flush.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Registers a listener.
     *
     * @param listener an action run once, after the stream released its resources
     */
    public void addClose(Runnable listener) {
        close.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Registers a listener.
     *
     * @param listener the CPU listener, replacing the previous one
     */
    public void setCpu(CpuListener listener) {
        cpu = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Registers a listener.
     *
     * @param listener the error listener, replacing the previous one
     */
    public void setError(ErrorListener listener) {
        error = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Checks that no batch listener is registered yet.
     *
     * @throws IllegalStateException when a batch listener is registered already
     */
    public void checkNoBatchYet() {
        if (batch != null) {
            throw new IllegalStateException("the stream already has a batch listener: it takes one, which receives every tracepoint's events");
        }
    }

    /**
     * Registers the batch listener, with its warm-up copy.
     *
     * @param listener the batch listener
     * @throws IllegalArgumentException when its {@link BatchListener#warmUpCopy()} is not a new listener of its class
     */
    public void setBatch(BatchListener listener) {
        BatchListener copy = listener.warmUpCopy();
        if (copy != null && (copy == listener || copy.getClass() != listener.getClass())) {
            throw new IllegalArgumentException("warmUpCopy() of " + listener.getClass().getName()
                    + " must return a new listener of the same class, got " + (copy == listener ? "the listener itself" : copy.getClass().getName()));
        }
        batchCopy = copy;
        batch = listener;
    }

    /** {@return the batch listener, or null} */
    public BatchListener batch() {
        return batch;
    }

    /** {@return the batch listener's warm-up copy, or null} */
    public BatchListener batchCopy() {
        return batchCopy;
    }

    /**
     * Registers a listener.
     *
     * @param listener a task listener, after those of the builder
     */
    public void addTask(TaskListener listener) {
        tasks.add(Objects.requireNonNull(listener, "listener"));
    }

    /** {@return the task listeners registered on the stream (after those of its builder)} */
    public List<TaskListener> tasks() {
        return List.copyOf(tasks);
    }

    /** {@return the lost listeners, in registration order} */
    public LostListener[] lost() {
        return lost.toArray(new LostListener[0]);
    }

    /** {@return the flush actions, in registration order} */
    public Runnable[] flush() {
        return flush.toArray(new Runnable[0]);
    }

    /** {@return the CPU listener, or null} */
    public CpuListener cpu() {
        return cpu;
    }

    /** {@return the error listener} */
    public ErrorListener error() {
        return error;
    }

    /**
     * Tells the error listener, ignoring its own exception (there is nowhere left to report it).
     *
     * @param t the error
     */
    public void report(Throwable t) {
        try {
            error.onError(t);
        } catch (RuntimeException ignored) {
            // nowhere left to report
        }
    }

    /** Runs the close listeners, in order; their exceptions go to {@link #report(Throwable)}. */
    public void fireClose() {
        for (Runnable r : close) {
            try {
                r.run();
            } catch (RuntimeException e) {
                report(e);
            }
        }
    }
}
