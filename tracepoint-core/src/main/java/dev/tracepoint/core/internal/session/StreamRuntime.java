package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.internal.dispatch.Dispatcher;
import dev.tracepoint.core.internal.dispatch.FlightRecorder;
import dev.tracepoint.core.internal.dispatch.OrderedMerge;
import dev.tracepoint.core.internal.dispatch.StreamConsumer;
import dev.tracepoint.core.internal.dispatch.WarmUp;
import dev.tracepoint.core.internal.perf.Libc;
import dev.tracepoint.core.internal.ring.PerfRing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The running side of one stream, behind the public {@code TracepointStream}: its state (open, closed,
 * released), its locks, its consumer thread, and once open the parts it assembled: the {@link PerfSession},
 * the {@link StreamConsumer} (hotplug following and ordered delivery included) and, for a flight recorder,
 * the {@link FlightRecorder}. It opens them ({@link #open}), runs the consumer loop ({@link #start()},
 * {@link #startAsync()}), serves pulls and snapshots ({@link #poll}, {@link #snapshot()}), and releases
 * everything once ({@link #close()}); the counters and CPU sets other threads read come from here.
 *
 * <p>Threading, as documented on the stream: {@code drainLock} is held by whoever drains or releases (the
 * consumer thread, a poller, a snapshot, close()); {@code openLock} orders open, the claim of the consumer
 * thread and the first close.
 */
public final class StreamRuntime {

    private static final System.Logger LOG = System.getLogger("dev.tracepoint");
    private static final ViewAccess.Views VIEWS = ViewAccess.get();

    /**
     * The tracepoints to open, from the stream's subscriptions.
     *
     * @param targets what the session opens, one per tracepoint
     * @param entries the dispatcher's entries, in the same order
     */
    public record Tracepoints(List<PerfSession.Target> targets, Dispatcher.Entry[] entries) {
        /** Checks the components. */
        public Tracepoints {
            Objects.requireNonNull(targets, "targets");
            Objects.requireNonNull(entries, "entries");
        }
    }

    private final StreamConfig config;
    private final StreamListeners listeners;
    private final EventView view;

    /** Held by whoever drains or releases: the consumer thread, a poller, close(). */
    private final ReentrantLock drainLock = new ReentrantLock();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Object openLock = new Object();
    private volatile boolean opened;
    private volatile boolean closed;
    private volatile boolean released;
    private volatile Thread consumerThread;
    private volatile Throwable failure;

    // set once by open() under drainLock, read by the consumer under it; volatile for the readers of state
    private volatile PerfSession session;
    private volatile StreamConsumer consumer;
    /** A flight recorder's reader; null for a stream that is consumed as it fills. */
    private volatile FlightRecorder recorder;
    private volatile long wallClockOffset;

    /**
     * A runtime for a stream not yet open.
     *
     * @param config    the stream's settings
     * @param listeners the stream-wide listeners (read when the stream opens)
     * @param view      the stream's one view, which its dispatcher moves from record to record
     */
    public StreamRuntime(StreamConfig config, StreamListeners listeners, EventView view) {
        this.config = config;
        this.listeners = listeners;
        this.view = view;
    }

    /**
     * Checks the setup is still open.
     *
     * @throws IllegalStateException when the stream is open or closed: its setup is over
     */
    public void checkNotOpen() {
        if (opened || closed) {
            throw new IllegalStateException("stream is " + (closed ? "closed" : "open") + ": set tracepoints and listeners up before start/poll");
        }
    }

    // ------------------------------------------------------------------------------------------- open

    /**
     * Opens the session, assembles the consumer and enables the events; idempotent. On failure everything
     * opened so far is released (and the close listeners are told).
     *
     * @param hasTracepoints whether the stream has a tracepoint
     * @param tracepoints    the tracepoints, asked for only when the stream opens now
     * @throws TracepointException   as {@link PerfSession#open} or a failing ioctl
     * @throws IllegalStateException when the stream is closed or has no tracepoint
     */
    public void open(boolean hasTracepoints, Supplier<Tracepoints> tracepoints) throws TracepointException {
        synchronized (openLock) {
            if (opened) {
                return;
            }
            if (closed) {
                throw new IllegalStateException("stream is closed");
            }
            if (!hasTracepoints) {
                throw new IllegalStateException("no tracepoint enabled: call enable() or onEvent() first");
            }
            drainLock.lock();
            try {
                openLocked(tracepoints.get());
                opened = true;
            } catch (TracepointException | RuntimeException | Error e) {
                release();
                throw e;
            } finally {
                drainLock.unlock();
            }
        }
    }

    private void openLocked(Tracepoints tp) throws TracepointException {
        Dispatcher.Entry[] entries = tp.entries();
        List<TaskListener> tasks = new ArrayList<>(config.taskListeners());
        tasks.addAll(listeners.tasks());
        PerfSession s = PerfSession.open(new PerfSession.Spec(tp.targets(), config.cpus(), config.ringPages(),
                config.wakeupEvents(), config.wakeupBytes(), config.scope(), !tasks.isEmpty(),
                config.flightRecorder(), config.lateness() != null), listeners::report);
        session = s;
        wallClockOffset = Libc.clockGettimeNanos(Libc.CLOCK_REALTIME) - Libc.clockGettimeNanos(Libc.CLOCK_MONOTONIC);
        VIEWS.wallClockOffset(view, wallClockOffset);
        Dispatcher dispatcher = new Dispatcher(view, entries, listeners.lost(),
                tasks.toArray(new TaskListener[0]), listeners.error(), s.maxCpu());
        // one waiter object for the warm-up's consumer and the real one: the call site then sees one class
        StreamConsumer.Waiter waiter = new StreamConsumer.Waiter() {
            @Override
            public long await(int timeoutMs) {
                return s.await(timeoutMs);
            }

            @Override
            public void poke() {
                s.wake();
            }
        };
        PerfRing[] rings = s.rings();
        if (config.warmUp() && !config.flightRecorder()) {
            WarmUp.Done done = WarmUp.stream(rings, waiter, entries, listeners.batch() != null, listeners.batchCopy(),
                    config.lateness() == null ? 0 : config.lateness().toNanos());
            LOG.log(System.Logger.Level.DEBUG, "{0} ({1})", done, config.threadName());
        }
        // a flight recorder has no forward rings: its consumer only publishes the counters of its snapshots
        StreamConsumer c = new StreamConsumer(rings, waiter, dispatcher, listeners.batch(),
                listeners.flush(), listeners::report);
        if (config.flightRecorder()) {
            recorder = new FlightRecorder(s.backwardRings(), s::pauseOutput, s::quiesce, dispatcher,
                    listeners.flush(), listeners::report);
        } else {
            c.followHotplug(s, listeners.cpu(), s.maxCpu());
            if (config.lateness() != null) {
                c.ordered(config.lateness().toNanos(), OrderedMerge.MONOTONIC);
            }
        }
        consumer = c;
        s.enable();
    }

    // -------------------------------------------------------------------------------------- consuming

    /**
     * After {@link #open}: consumes events on the calling thread until {@link #close()}; a flight recorder
     * waits for {@link #close()} (or an interrupt) instead. Rethrows the {@link Error} that ended the loop.
     *
     * @throws IllegalStateException when the stream is already being consumed, or closed
     */
    public void start() {
        if (config.flightRecorder()) {
            try {
                terminated.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        claimConsumer(Thread.currentThread());
        runLoop();
        Throwable f = failure;
        if (f instanceof Error err) {
            throw err;
        }
    }

    /**
     * After {@link #open}: consumes events on a new daemon thread ({@link StreamConfig#threadName()}); a
     * flight recorder starts none.
     *
     * @throws IllegalStateException when the stream is already being consumed, or closed
     */
    public void startAsync() {
        if (config.flightRecorder()) {
            return;
        }
        Thread t = new Thread(this::runLoop, config.threadName());
        t.setDaemon(true);
        claimConsumer(t);
        t.start();
    }

    private void claimConsumer(Thread t) {
        synchronized (openLock) {
            if (closed) {
                throw new IllegalStateException("stream is closed");
            }
            if (consumerThread != null) {
                throw new IllegalStateException("stream is already consumed by thread " + consumerThread.getName()
                        + ": start() and startAsync() may be called once");
            }
            consumerThread = t;
        }
    }

    private void runLoop() {
        drainLock.lock();
        try {
            StreamConsumer c = consumer;
            int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.maxLatency().toMillis()));
            while (!closed) {
                c.pass(timeout);
            }
            // deliver what the rings still hold: stop the producers first, then one last pass (unless close()
            // released everything before this thread got the lock)
            if (!released) {
                session.disable();
                c.drainRemaining();
                c.reportUnannounced(session.kernelLost(listeners::report));
            }
        } catch (Throwable t) {
            failure = t;
            if (t instanceof Error) {
                // ends the stream; start() rethrows it, and a startAsync() caller learns it here
                LOG.log(System.Logger.Level.ERROR, "tracepoint consumer stopped by " + t, t);
            } else {
                listeners.report(t);
            }
        } finally {
            closed = true;
            release();
            drainLock.unlock();
            terminated.countDown();
        }
    }

    /**
     * After {@link #open}: pull mode on the calling thread (see {@link StreamConsumer#poll}).
     *
     * @param listener receives every event
     * @param limit    the most events, positive
     * @param timeout  how long to wait when no event is ready
     * @return the records handled, or -1 when the stream is closed
     */
    public int poll(EventListener listener, int limit, Duration timeout) {
        drainLock.lock();
        try {
            if (closed) {
                return -1;
            }
            int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
            return consumer.poll(listener, limit, ms, () -> closed);
        } finally {
            if (closed && consumerThread == null) {
                release();
            }
            drainLock.unlock();
        }
    }

    /**
     * A flight recorder's snapshot, delivered on the calling thread (see {@link FlightRecorder#snapshot()}),
     * then its counters published.
     *
     * @return what the snapshot held
     * @throws TracepointException   when a ring's output could not be paused or resumed
     * @throws IllegalStateException when not armed yet, closed, or called from one of its own listeners
     */
    public FlightRecorder.Result snapshot() throws TracepointException {
        if (drainLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("snapshot() called from a listener of this stream's own snapshot");
        }
        if (!opened && !closed) {
            throw new IllegalStateException("the flight recorder is not armed: call open() first");
        }
        drainLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("stream is closed");
            }
            FlightRecorder.Result result = recorder.snapshot();
            consumer.publish();
            return result;
        } finally {
            if (closed && !released) {
                release(); // close() was called from a listener during the snapshot
                terminated.countDown();
            }
            drainLock.unlock();
        }
    }

    /**
     * Waits until the consumer loop has ended and the stream released its resources.
     *
     * @throws InterruptedException when interrupted
     */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * Waits at most {@code timeout} until the consumer loop has ended and the stream released its resources.
     *
     * @param timeout how long to wait
     * @return whether the stream terminated in time
     * @throws InterruptedException when interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------------------------------ close

    /** Stops the stream (see {@code TracepointStream.close()}); idempotent, any thread, a listener included. */
    public void close() {
        boolean first;
        synchronized (openLock) {
            first = !closed;
            closed = true;
        }
        PerfSession s = session;
        if (first && s != null) {
            s.wake();
        }
        if (drainLock.isHeldByCurrentThread()) {
            return; // inside a listener: the draining thread releases on its way out
        }
        drainLock.lock(); // a running consumer holds it until it has drained and released
        try {
            release();
        } finally {
            drainLock.unlock();
        }
        Thread c = consumerThread;
        if (c != null && c != Thread.currentThread()) {
            try {
                terminated.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (c == null) {
            terminated.countDown();
        }
    }

    /** Releases every fd and mapping, then tells the close listeners; with drainLock held (or in a failed open). */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        PerfSession s = session;
        if (s != null) {
            s.release(listeners::report);
        }
        StreamConsumer c = consumer;
        if (c != null) {
            c.close();
        }
        listeners.fireClose();
    }

    // ------------------------------------------------------------------------------------------- state

    /** {@return whether {@link #close()} was called or the consumer ended} */
    public boolean isClosed() {
        return closed;
    }

    /** {@return the watched CPUs (after open; empty before)} */
    public int[] cpus() {
        PerfSession s = session;
        return s == null ? new int[0] : s.cpus();
    }

    /** {@return the armed CPUs as of the consumer's last check (after open; empty before)} */
    public int[] armedCpus() {
        StreamConsumer c = consumer;
        return c == null ? new int[0] : c.armedCpus();
    }

    /** {@return the consumer's counters as of its last pass; zero before open} */
    public StreamConsumer.Counts counts() {
        StreamConsumer c = consumer;
        return c == null ? StreamConsumer.Counts.ZERO_COUNTS : c.published();
    }

    /** {@return the consumer's hotplug gaps so far: CPUs found offline, CPUs armed again, their unobserved nanoseconds} */
    public long[] hotplugGaps() {
        StreamConsumer c = consumer;
        return c == null ? new long[3] : new long[] {c.cpuOfflines(), c.cpuRearms(), c.unobservedNanos()};
    }

    /** {@return the consumer's wake-ups so far (0 before open)} */
    public long wakeups() {
        PerfSession s = session;
        return s == null ? 0 : s.wakeups();
    }

    /** {@return the data bytes of the armed CPUs' rings (0 before open and after close)} */
    public long ringBytes() {
        PerfSession s = session;
        return s == null || released ? 0 : s.ringBytes();
    }

    /** {@return the thread that consumes the stream (start() or startAsync()), or null} */
    public Thread consumerThread() {
        return consumerThread;
    }

    /** {@return whether the stream is open: opened and not yet closed} */
    public boolean isOpen() {
        return opened && !closed;
    }

    /** {@return {@code CLOCK_REALTIME - CLOCK_MONOTONIC} at open} */
    public long wallClockOffsetNanos() {
        return wallClockOffset;
    }
}
