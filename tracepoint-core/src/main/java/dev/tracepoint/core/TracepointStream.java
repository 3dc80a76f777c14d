package dev.tracepoint.core;

import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.internal.jmx.StreamMBean;
import dev.tracepoint.core.internal.jmx.StreamManagement;
import dev.tracepoint.core.internal.session.StreamConfig;
import dev.tracepoint.core.internal.session.StreamListeners;
import dev.tracepoint.core.internal.session.StreamRuntime;

import javax.management.ObjectName;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A live stream of kernel tracepoint events: one {@code perf_event_open(PERF_TYPE_TRACEPOINT)} event per
 * tracepoint and online CPU, all tracepoints of a CPU sharing one mmap'd ring ({@code PERF_EVENT_IOC_SET_OUTPUT}),
 * decoded in place and dispatched to listeners.
 *
 * {@snippet :
 * try (TracepointStream stream = TracepointStream.builder().build()) {
 *     Subscription kills = stream.enable("signal:signal_generate").filter("sig == 9");
 *     Field sig = kills.format().requireField("sig");
 *     Field comm = kills.format().requireField("comm");
 *     kills.onEvent(e -> System.out.println(e.pid() + " killed " + e.getString(comm) + " with signal " + e.getInt(sig)));
 *     stream.startAsync();
 *     Thread.sleep(10_000);
 * }
 * }
 *
 * <h2>Lifecycle</h2>
 * Set each tracepoint up through the {@link Subscription} that {@link #enable} returns (format, filter,
 * listeners), and add stream-wide listeners here; then either push ({@link #start()} on the caller's thread,
 * or {@link #startAsync()} on a consumer thread, with {@link #awaitTermination()}), or pull
 * ({@link #poll(EventListener, int, Duration)} on the caller's thread). Setting up after the stream is open
 * throws {@link IllegalStateException}. {@link #close()} is idempotent, may be called from any thread (a
 * listener included), wakes a blocked consumer at once, and releases every fd and mapping; it waits for a
 * listener call in progress to return.
 *
 * <h2>Threading</h2>
 * Listeners run on the consumer thread (push) or the polling thread (pull), one event at a time. The
 * {@link EventView} they get is valid only during the call, and read-only: every listener of an event reads
 * the same. A listener's {@link Exception} goes to the error listener and dispatch continues; an
 * {@link Error} ends the stream. The counters ({@link #eventCount()}, {@link #lostCount()}, ...) may be read
 * from any thread: they are as of the consumer's last pass over the rings, and exact once the stream is closed.
 *
 * <h2>Delivery</h2>
 * The consumer sleeps in {@code epoll_wait} until a ring passes its wakeup watermark (half the ring by
 * default) or {@link TracepointStreamBuilder#maxLatency(Duration)} passes, then drains every ring: events reach listeners at
 * most that late. Each CPU's events come in time order, but not the events of different CPUs, unless the
 * stream is {@link TracepointStreamBuilder#ordered ordered}. Samples the kernel could not write because a ring was full are reported through
 * {@link #onLost(LostListener)} and counted in {@link #lostCount()}. Before it enables the events, the stream
 * runs its decode and dispatch path on synthetic records so the JIT has compiled it when real events arrive
 * ({@link TracepointStreamBuilder#warmUp(boolean)}).
 *
 * <h2>Flight recorder</h2>
 * Built with {@link TracepointStreamBuilder#flightRecorder(boolean)}, the stream reads nothing while it records: its rings are
 * overwrite-mode rings that the kernel fills and then keeps writing over, oldest records first, with no
 * consumer thread and no wakeups. {@link #open()} arms it; each {@link #snapshot()} delivers to the event
 * listeners, on the calling thread, what the rings hold that no earlier snapshot delivered, oldest first across
 * CPUs, and says what it could not deliver ({@link FlightSnapshot}). {@link #snapshotWhen} takes a snapshot when another stream sees
 * a given event.
 */
public final class TracepointStream implements AutoCloseable {

    private final Tracefs tracefs;
    private final TracepointStreamBuilder config;
    private final Subscriptions subscriptions;
    private final StreamListeners listeners = new StreamListeners();
    private final EventView view = ViewAccess.get().newView();
    /** The stream's state, threads and, once open, its session and consumer. */
    private final StreamRuntime runtime;
    /** The MXBean's name when the builder asked for one, else null. */
    private final ObjectName mbeanName;
    private boolean mbeanRegistered;

    TracepointStream(Tracefs tracefs, TracepointStreamBuilder config) {
        this.tracefs = tracefs;
        this.config = config;
        this.subscriptions = new Subscriptions(this, tracefs);
        this.runtime = new StreamRuntime(new StreamConfig(config.cpus, config.ringPages, config.wakeupEvents,
                config.wakeupBytes, config.maxLatency, config.scope, config.warmUp, config.flightRecorder,
                config.threadName, config.lateness, config.taskListeners), listeners, view);
        this.mbeanName = config.jmx ? StreamMBean.objectName("TracepointStream", config.name) : null;
        if (mbeanName != null) {
            listeners.addClose(this::unregisterMBean);
        }
    }

    /**
     * A builder of streams.
     *
     * @return a builder with the defaults: all online CPUs, 128 pages per ring, wakeup at half a ring, 100 ms max latency
     */
    public static TracepointStreamBuilder builder() {
        return new TracepointStreamBuilder();
    }

    // ------------------------------------------------------------------------------------ registration

    /**
     * Adds a tracepoint to the stream, or returns the subscription it already has: set up its filter and
     * listeners there. A tracepoint without listeners is still opened: for pull mode ({@link #poll}) or a
     * {@link #onBatch batch listener}.
     *
     * @param tracepoint {@code system:event}
     * @return the tracepoint's subscription
     * @throws UnknownTracepointException when the kernel has no such tracepoint (naming the closest ones)
     * @throws TracepointException        when its format cannot be read or parsed
     * @throws IllegalStateException      when the stream is open or closed
     */
    public Subscription enable(String tracepoint) throws TracepointException {
        checkNotOpen();
        return subscriptions.enable(tracepoint);
    }

    /**
     * The running kernel's layout of a tracepoint, without adding it to the stream: the format of a
     * tracepoint the stream has, or else the one tracefs gives.
     *
     * @param tracepoint {@code system:event}
     * @return its format
     * @throws TracepointException when the tracepoint is unknown or its format unreadable
     */
    public EventFormat format(String tracepoint) throws TracepointException {
        return subscriptions.format(tracepoint);
    }

    /**
     * Shorthand for {@code enable(tracepoint).onEvent(listener)}.
     *
     * @param tracepoint {@code system:event}
     * @param listener   called for each event, on the consumer thread
     * @return this stream
     * @throws TracepointException when the tracepoint is unknown or its format unreadable
     */
    public TracepointStream onEvent(String tracepoint, EventListener listener) throws TracepointException {
        enable(tracepoint).onEvent(listener);
        return this;
    }

    /**
     * Shorthand for {@code enable(tracepoint).onEvent(type, listener)}: a typed listener, bound to the running
     * kernel's layout now (see {@link Subscription#onEvent(Class, TypedListener)}).
     *
     * @param tracepoint {@code system:event}
     * @param type       a public interface whose accessors name the tracepoint's fields
     * @param listener   called with a reused typed flyweight for each event
     * @param <T>        the interface
     * @return this stream
     * @throws TracepointException      when the tracepoint is unknown or its format unreadable
     * @throws IllegalArgumentException naming the missing fields or ill-typed accessors
     */
    public <T> TracepointStream onEvent(String tracepoint, Class<T> type, TypedListener<T> listener) throws TracepointException {
        enable(tracepoint).onEvent(type, listener);
        return this;
    }

    /**
     * Shorthand for {@code enable(tracepoint).onEvent(type, lookup, listener)}: a typed listener bound with your
     * module's lookup (see {@link Subscription#onEvent(Class, java.lang.invoke.MethodHandles.Lookup, TypedListener)}).
     *
     * @param tracepoint {@code system:event}
     * @param type       an interface whose accessors name the tracepoint's fields, accessible from {@code lookup}
     * @param lookup     {@link java.lang.invoke.MethodHandles#lookup()}, called in your code
     * @param listener   called with a reused typed flyweight for each event
     * @param <T>        the interface
     * @return this stream
     * @throws TracepointException      when the tracepoint is unknown or its format unreadable
     * @throws IllegalArgumentException naming the missing fields or ill-typed accessors, or a lookup that lacks
     *                                  full privilege access or cannot access {@code type}
     */
    public <T> TracepointStream onEvent(String tracepoint, Class<T> type, java.lang.invoke.MethodHandles.Lookup lookup,
                                        TypedListener<T> listener) throws TracepointException {
        enable(tracepoint).onEvent(type, lookup, listener);
        return this;
    }

    /**
     * Delivers the events of every tracepoint of the stream ({@link #enable}) to one batch listener, a ring at
     * a time, instead of calling a listener per event: the listener iterates them itself (see
     * {@link EventBatch}). For high event rates: the JIT compiles the walk over the ring into the
     * listener's loop. A stream has either event listeners or one batch listener. {@link #poll} still
     * delivers to the listener it is given.
     *
     * @param listener called on the consumer thread with the events of each ring that has some
     * @return this stream
     * @throws IllegalStateException    when the stream already has a batch listener or event listeners, or
     *                                  is open
     * @throws IllegalArgumentException when the listener's {@link BatchListener#warmUpCopy()} is not a new
     *                                  listener of its class
     */
    public TracepointStream onBatch(BatchListener listener) {
        Objects.requireNonNull(listener, "listener");
        checkNotOpen();
        if (config.flightRecorder) {
            throw new IllegalStateException("a flight recorder delivers its snapshots to event listeners, not to a batch listener");
        }
        listeners.checkNoBatchYet();
        subscriptions.checkNoEventListeners();
        listeners.setBatch(listener);
        return this;
    }

    /**
     * Adds a listener of lost samples, called on the consumer thread.
     *
     * @param listener told when the kernel drops samples because a ring is full
     * @return this stream
     * @throws IllegalStateException when the stream is open or closed
     */
    public TracepointStream onLost(LostListener listener) {
        checkNotOpen();
        listeners.addLost(listener);
        return this;
    }

    /**
     * Adds a listener of the kernel's task records (COMM, FORK, EXIT), as
     * {@link TracepointStreamBuilder#onTask(TaskListener)} does: for a part of a program that gets the stream
     * built, before it opens. The records are asked for when the stream (or its builder) has a task listener.
     *
     * @param listener the task listener, called on the consumer thread
     * @return this stream
     * @throws IllegalStateException when the stream is open or closed
     */
    public TracepointStream onTask(TaskListener listener) {
        checkNotOpen();
        listeners.addTask(listener);
        return this;
    }

    /**
     * Replaces the error listener (the default logs through {@link System.Logger}, rate-limited).
     *
     * @param listener told about listener exceptions, bad samples and corrupted rings
     * @return this stream
     * @throws IllegalStateException when the stream is open or closed
     */
    public TracepointStream onError(ErrorListener listener) {
        checkNotOpen();
        listeners.setError(listener);
        return this;
    }

    /**
     * Adds a flush listener, called on the consumer thread.
     *
     * @param listener called after each drain pass that delivered events (a batch end: flush output here)
     * @return this stream
     * @throws IllegalStateException when the stream is open or closed
     */
    public TracepointStream onFlush(Runnable listener) {
        checkNotOpen();
        listeners.addFlush(listener);
        return this;
    }

    /**
     * Sets the CPU listener, called on the consumer thread.
     *
     * @param listener told when a CPU goes offline and when the stream has armed it again (see
     *                 {@link CpuListener}); replaces the previous one
     * @return this stream
     * @throws IllegalStateException when the stream is open or closed
     */
    public TracepointStream onCpu(CpuListener listener) {
        checkNotOpen();
        listeners.setCpu(listener);
        return this;
    }

    /**
     * Adds a close listener.
     *
     * @param listener called once, after the stream has released its resources
     * @return this stream
     * @throws IllegalStateException when the stream is open or closed
     */
    public TracepointStream onClose(Runnable listener) {
        checkNotOpen();
        listeners.addClose(listener);
        return this;
    }

    void checkNotOpen() {
        runtime.checkNotOpen();
    }

    void checkNoBatch() {
        if (listeners.batch() != null) {
            throw new IllegalStateException("the stream has a batch listener: a stream delivers either to event listeners or to one batch listener");
        }
    }

    EventView view() {
        return view;
    }

    // ------------------------------------------------------------------------------------------- open

    /**
     * Opens the perf events and rings, sets the filters, warms the decode path up and enables the events.
     * {@link #start()}, {@link #startAsync()} and {@link #poll} call it; call it yourself to fail early.
     * Idempotent. On failure everything opened so far is released.
     *
     * @throws PermissionDeniedException when perf_event_open is refused (naming perf_event_paranoid and CAP_PERFMON)
     * @throws InvalidFilterException    when the kernel rejects a filter
     * @throws TracepointException       for any other failing call, naming the call, errno, CPU and tracepoint;
     *                                   or naming the scope's process, thread or cgroup that is not one
     * @throws IllegalStateException     when the stream is closed or has no tracepoint
     */
    public void open() throws TracepointException {
        runtime.open(!subscriptions.isEmpty(), subscriptions::toOpen);
        if (mbeanName != null) {
            registerMBean();
        }
    }

    private void registerMBean() throws TracepointException {
        synchronized (mbeanName) {
            if (mbeanRegistered || runtime.isClosed()) {
                return;
            }
            try {
                StreamMBean.register(mbeanName, new StreamManagement(this, runtime));
            } catch (IllegalStateException e) {
                close();
                throw new TracepointException(e.getMessage(), e);
            }
            mbeanRegistered = true;
        }
    }

    private void unregisterMBean() {
        synchronized (mbeanName) {
            if (mbeanRegistered) {
                StreamMBean.unregister(mbeanName);
                mbeanRegistered = false;
            }
        }
    }

    // -------------------------------------------------------------------------------------- consuming

    /**
     * Opens the stream if needed and consumes events on the calling thread until {@link #close()}. A flight
     * recorder is armed and the call waits until {@link #close()} (or until the thread is interrupted).
     *
     * @throws TracepointException   when opening fails
     * @throws IllegalStateException when the stream is already being consumed, or closed
     */
    public void start() throws TracepointException {
        open();
        runtime.start();
    }

    /**
     * Opens the stream on the calling thread (so setup errors are thrown here) and consumes events on a new
     * daemon thread, named by {@link TracepointStreamBuilder#threadName(String)}. A flight recorder is armed, and no thread
     * is started.
     *
     * @throws TracepointException   when opening fails
     * @throws IllegalStateException when the stream is already being consumed, or closed
     */
    public void startAsync() throws TracepointException {
        open();
        runtime.startAsync();
    }

    /**
     * Pull mode: delivers up to {@code limit} events to {@code listener} on the calling thread, waiting up to
     * {@code timeout} for the first one. The registered listeners are not called; lost records and errors
     * still go to theirs. Opens the stream on first use.
     *
     * @param listener receives every event of every tracepoint of the stream
     * @param limit    the most events to deliver
     * @param timeout  how long to wait when no event is ready; zero to return at once
     * @return the number of records handled, or -1 when the stream is closed
     * @throws TracepointException      when opening fails
     * @throws IllegalStateException    for a flight recorder (read it with {@link #snapshot()})
     * @throws IllegalArgumentException when {@code limit} is not positive
     */
    public int poll(EventListener listener, int limit, Duration timeout) throws TracepointException {
        Objects.requireNonNull(listener, "listener");
        if (config.flightRecorder) {
            throw new IllegalStateException("a flight recorder is read by snapshot(), not poll()");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("limit=" + limit);
        }
        open();
        return runtime.poll(listener, limit, timeout);
    }

    // ------------------------------------------------------------------------------------ flight recorder

    /**
     * A flight recorder's snapshot: pauses the kernel's output into every ring ({@code PERF_EVENT_IOC_PAUSE_OUTPUT}),
     * waits until writes already under way have finished, copies out what each ring recorded since the previous
     * snapshot and resumes output; then delivers those records to the event, lost and task listeners on the
     * calling thread, oldest first across CPUs (merged by sample time). Output is paused only while the rings
     * are copied, not while the listeners run; samples the kernel could not write meanwhile are announced as
     * lost in the next snapshot. Each record is delivered once: a record already delivered by a snapshot is
     * not delivered again.
     *
     * <p>Callable from any thread while the stream is armed, repeatedly, including from a listener of another
     * stream (see {@link #snapshotWhen}); concurrent snapshots run one after the other, and {@link #close()}
     * waits for one in progress. The listeners run on the calling thread, as in {@link #poll}.
     *
     * @return what the snapshot held, and what it could not deliver
     * @throws TracepointException   when a ring's output could not be paused or resumed (naming the CPU and errno)
     * @throws IllegalStateException when the stream is not a flight recorder, not armed yet ({@link #open()}),
     *                               closed, or when called from one of its own listeners
     */
    public FlightSnapshot snapshot() throws TracepointException {
        if (!config.flightRecorder) {
            throw new IllegalStateException("snapshot() is for a flight recorder: build the stream with builder().flightRecorder(true)");
        }
        return new FlightSnapshot(runtime.snapshot());
    }

    /**
     * Makes another stream trigger this flight recorder: each event of {@code trigger} (a tracepoint of an
     * ordinary stream) that {@code when} accepts takes a {@link #snapshot()} of this one and hands it to
     * {@code then}, both on the trigger stream's consumer thread, right after the trigger's event. For
     * instance, the last seconds of scheduler events when a given process is sent SIGKILL:
     *
     * {@snippet :
     * Subscription kills = watcher.enable("signal:signal_generate").filter("sig == 9 && pid == " + pid);
     * recorder.snapshotWhen(kills, e -> true, snap -> System.err.println("SIGKILL to " + pid + ": " + snap));
     * }
     *
     * <p>Set it up before the trigger stream opens (it adds a listener to {@code trigger}). A trigger while this
     * stream is not armed yet is reported to the trigger stream's error listener; once this stream is closed,
     * triggers are ignored. The trigger stream's own view stays valid across the snapshot. A listener of this
     * stream that closes the trigger stream during a snapshot some other thread took would wait for the
     * trigger's consumer, which may be waiting for that snapshot: close it from elsewhere.
     *
     * @param trigger a tracepoint of another stream
     * @param when    which of its events trigger a snapshot (reads the event during the call)
     * @param then    receives each snapshot taken
     * @return this stream
     * @throws IllegalStateException    when this stream is not a flight recorder, or the trigger's stream is open
     * @throws IllegalArgumentException when the trigger is a tracepoint of this stream
     */
    public TracepointStream snapshotWhen(Subscription trigger, Predicate<? super EventView> when,
                                         Consumer<? super FlightSnapshot> then) {
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(when, "when");
        Objects.requireNonNull(then, "then");
        if (!config.flightRecorder) {
            throw new IllegalStateException("snapshotWhen() is for a flight recorder: build the stream with builder().flightRecorder(true)");
        }
        if (trigger.stream() == this) {
            throw new IllegalArgumentException("the trigger " + trigger.name() + " is a tracepoint of this flight recorder,"
                    + " whose listeners run only during its snapshots: subscribe it on another stream");
        }
        trigger.onEvent(new SnapshotTrigger(this, trigger.name(), when, then));
        return this;
    }

    /**
     * Waits until the consumer loop has ended and the stream released its resources.
     *
     * @throws InterruptedException when interrupted
     */
    public void awaitTermination() throws InterruptedException {
        runtime.awaitTermination();
    }

    /**
     * Waits at most {@code timeout} until the consumer loop has ended and the stream released its resources.
     *
     * @param timeout how long to wait
     * @return whether the stream terminated in time
     * @throws InterruptedException when interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return runtime.awaitTermination(timeout);
    }

    /**
     * Stops the stream: wakes the consumer, which disables the events, delivers what the rings still hold and
     * releases every fd and mapping. Idempotent and callable from any thread, a listener included (the
     * release then happens when the listener returns). From another thread it returns once everything is
     * released.
     */
    @Override
    public void close() {
        runtime.close();
    }

    // ------------------------------------------------------------------------------------------- state

    /** {@return whether {@link #close()} was called or the consumer ended} */
    public boolean isClosed() {
        return runtime.isClosed();
    }

    /** {@return the tracepoints of the stream, {@code system:event}} */
    public List<String> tracepoints() {
        return subscriptions.names();
    }

    /** {@return the CPUs the stream watches (after open; empty before): those asked for, or every possible CPU} */
    public int[] cpus() {
        return runtime.cpus();
    }

    /**
     * {@return the CPUs whose events are open and read now (after open; empty before): the watched CPUs that
     * are online, as of the consumer's last check (see {@link CpuListener})}
     */
    public int[] armedCpus() {
        return runtime.armedCpus();
    }

    /** {@return the events dispatched so far (as of the consumer's last pass; exact once closed)} */
    public long eventCount() {
        return runtime.counts().samples();
    }

    /** {@return the samples the kernel reported lost so far (as of the consumer's last pass; exact once closed)} */
    public long lostCount() {
        return runtime.counts().lost();
    }

    /**
     * The samples lost on one CPU (as of the consumer's last pass; exact once closed).
     *
     * @param cpu a CPU
     * @return the samples lost on that CPU
     */
    public long lostCount(int cpu) {
        return runtime.counts().lost(cpu);
    }

    /**
     * {@return the records of an {@link TracepointStreamBuilder#ordered ordered} stream delivered out of time order: older than
     *         a record delivered before them (each was marked {@link EventView#late()}, or was a task or lost
     *         record); 0 for a stream that is not ordered}
     */
    public long lateCount() {
        return runtime.counts().late();
    }

    /**
     * {@return the records of an {@link TracepointStreamBuilder#ordered ordered} stream delivered before their ordering window
     *         had closed, because the staging of their CPU was full (see {@link TracepointStreamBuilder#ordered}); such a cut
     *         may let a record come late. 0 for a stream that is not ordered}
     */
    public long earlyCount() {
        return runtime.counts().early();
    }

    /** {@return corrupted samples or ring states seen and skipped} */
    public long corruptCount() {
        return runtime.counts().corrupt();
    }

    /** {@return {@code CLOCK_REALTIME - CLOCK_MONOTONIC} at open, to turn event times into wall-clock times} */
    public long wallClockOffsetNanos() {
        return runtime.wallClockOffsetNanos();
    }

    /** {@return the stream's name ({@link TracepointStreamBuilder#name(String)}; by default its consumer thread's)} */
    public String name() {
        return config.name;
    }

    /**
     * {@return the MXBean's object name, {@code dev.tracepoint:type=TracepointStream,name=NAME}, when the stream
     * was built with {@link TracepointStreamBuilder#jmx(boolean)}; else empty}
     */
    public java.util.Optional<ObjectName> mbeanName() {
        return java.util.Optional.ofNullable(mbeanName);
    }

    /** {@return the tracefs the stream reads formats from} */
    public Tracefs tracefs() {
        return tracefs;
    }
}
