package dev.tracepoint.core.jfr;

import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.internal.jfr.JfrClock;
import dev.tracepoint.core.internal.jfr.JfrEventPlan;
import dev.tracepoint.core.internal.jfr.JfrForwarder;
import dev.tracepoint.core.internal.jfr.JfrWarmUp;
import dev.tracepoint.core.internal.jfr.StreamEvents;
import dev.tracepoint.core.internal.jfr.TaskNames;

import jdk.jfr.EventFactory;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards a stream's tracepoints into JDK Flight Recorder, so that kernel events land in the same recording as
 * the JVM's own, on one timeline:
 *
 * {@snippet :
 * TracepointStream stream = TracepointStream.builder().name("signals").build();
 * JfrBridge.forward(stream, "signal:signal_generate", "signal:signal_deliver");
 * stream.startAsync();   // from now on every recording that enables tracepoint.signal.* gets them
 * }
 *
 * <h2>Event types</h2>
 * Each tracepoint gets a JFR event type generated from its format when it is forwarded
 * ({@link jdk.jfr.EventFactory}): named {@code tracepoint.<system>.<event>} ({@link #eventName(String)}), in
 * the category {@code Kernel / <system>}, with no stack trace. Its fields, in order:
 * <ul>
 *   <li>{@code kernelTime}: when the kernel wrote the event, a {@code @Timestamp(TICKS)} on the JVM's own time
 *       base, so that JMC and {@code jfr print} place it among the JVM's events (the event's start time is its
 *       commit time, up to the stream's {@code maxLatency} later); {@code kernelNanos}: the same time as
 *       CLOCK_MONOTONIC nanoseconds, as {@code EventView.timeNanos()} gives it;</li>
 *   <li>{@code cpu}, {@code currentPid}, {@code currentTid}: the CPU and the task that was running;
 *       {@code currentComm}: its name, from the kernel's task records and {@code /proc} ({@code <...>} when it
 *       exited unnamed);</li>
 *   <li>each payload field of the format, under its own name (prefixed {@code field_} when it collides with one
 *       of the above or a name JFR reserves): integers as {@code byte}/{@code short}/{@code int}/{@code long} by
 *       width, {@code @Unsigned} where the format says unsigned, {@code bool} as {@code boolean}; pointers as
 *       {@code @MemoryAddress long} (shown in hex); strings as {@code String}; other arrays, which JFR events
 *       cannot hold, as a {@code String} listing the elements ({@code [1, 2]}; byte arrays in hex);</li>
 *   <li>after a field with a {@code __print_symbolic} or {@code __print_flags} table, {@code <field>Name}: the
 *       name the kernel's table gives its value (null when the table has none).</li>
 * </ul>
 * Two streams of a JVM that forward the same tracepoint share its event type.
 *
 * <h2>Cost</h2>
 * Forwarding is an event listener on each tracepoint. The event types are enabled by default, as any event class
 * is: every running recording gets them unless its settings say {@code enabled=false} for them (in a
 * {@code .jfc} file or {@code Recording.disable("tracepoint.signal.signal_generate")}). A type that no running
 * recording enables (and every type while no recording runs) costs one {@code isEnabled()} check per kernel
 * event, and nothing is committed. When enabled, a recording's settings apply as to any event ({@code enabled}, {@code threshold}: kernel events have no duration, so a threshold
 * above 0 drops them). A committed event allocates its strings only (and, where the JIT does not inline
 * {@code Event.set}, the boxes of its numbers); one event instance per type is reused.
 *
 * <h2>Stream events</h2>
 * The stream's counters are committed as a periodic {@code tracepoint.Statistics} event (every second by
 * default; {@code period} setting), named by {@link TracepointStream#name()}, and each loss the kernel
 * announces as a {@code tracepoint.Lost} event (CPU, count).
 *
 * <p>Set up before the stream opens, like any listener. Not for a flight-recorder stream's snapshots alone:
 * those deliver through the same listeners, on the snapshot's thread, and are forwarded too.
 */
public final class JfrBridge {

    private static final Map<String, EventFactory> FACTORIES = new ConcurrentHashMap<>();
    private static final List<JfrBridge> LIVE = new CopyOnWriteArrayList<>();
    private static volatile boolean periodicRegistered;
    /** {@link #clockUncertainty()} when JFR's clock could not be measured. */
    private static final Duration UNCALIBRATED = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    private final TracepointStream stream;
    private final Map<String, EventType> types = new LinkedHashMap<>();
    private final List<JfrForwarder> forwarders = new ArrayList<>();

    private JfrBridge(TracepointStream stream) {
        this.stream = stream;
    }

    /**
     * Forwards tracepoints of a stream into JFR: enables each on the stream (as {@link TracepointStream#enable}
     * does, so a filter set on its subscription applies) and adds the listener that commits its events. Call it
     * before the stream opens. Generating the event types and, once per JVM, measuring JFR's clock take some
     * tens of milliseconds; then the path from a record to a committed event is run on synthetic records of
     * each tracepoint, committed into a private recording that is discarded, so that the first events of a
     * full-rate tracepoint do not meet that path cold (up to about 0.5 s of CPU). That is done only when no
     * recording is running: JFR gives every running recording the events any of them enables.
     *
     * @param stream      a stream not open yet, with event listeners (not a batch listener)
     * @param tracepoints {@code system:event} names
     * @return the bridge, to look the event types up
     * @throws TracepointException   when a tracepoint is unknown or its format unreadable
     * @throws IllegalStateException when the stream is open or closed, or has a batch listener
     * @throws IllegalArgumentException when no tracepoint is given
     */
    public static JfrBridge forward(TracepointStream stream, String... tracepoints) throws TracepointException {
        return forward(stream, Arrays.asList(tracepoints));
    }

    /**
     * Forwards tracepoints of a stream into JFR; see {@link #forward(TracepointStream, String...)}.
     *
     * @param stream      a stream not open yet
     * @param tracepoints {@code system:event} names
     * @return the bridge
     * @throws TracepointException   when a tracepoint is unknown or its format unreadable
     * @throws IllegalStateException when the stream is open or closed, or has a batch listener
     * @throws IllegalArgumentException when no tracepoint is given
     */
    public static JfrBridge forward(TracepointStream stream, Collection<String> tracepoints) throws TracepointException {
        Objects.requireNonNull(stream, "stream");
        if (tracepoints.isEmpty()) {
            throw new IllegalArgumentException("forward needs at least one tracepoint");
        }
        JfrBridge bridge = new JfrBridge(stream);
        JfrClock clock = JfrClock.get();
        TaskNames names = new TaskNames();
        List<JfrWarmUp.Type> warmUps = new ArrayList<>();
        for (String tp : tracepoints) {
            Subscription sub = stream.enable(tp);
            if (bridge.types.containsKey(sub.name())) {
                continue;
            }
            JfrEventPlan plan = JfrEventPlan.of(sub.format(), true);
            EventFactory factory = FACTORIES.computeIfAbsent(plan.key(),
                    k -> EventFactory.create(plan.annotations(), plan.descriptors()));
            JfrForwarder f = new JfrForwarder(factory, plan, clock, names);
            sub.onEvent(f);
            bridge.forwarders.add(f);
            bridge.types.put(sub.name(), factory.getEventType());
            warmUps.add(new JfrWarmUp.Type(sub.format(), plan, factory));
        }
        JfrWarmUp.run(warmUps, clock, names);
        stream.onTask(names);
        String name = stream.name();
        StreamEvents.Lost lost = new StreamEvents.Lost();
        stream.onLost((cpu, count) -> {
            if (lost.isEnabled()) {
                lost.stream = name;
                lost.cpu = cpu;
                lost.count = count;
                lost.commit();
            }
        });
        stream.onClose(() -> LIVE.remove(bridge));
        registerPeriodic();
        LIVE.add(bridge);
        return bridge;
    }

    private static void registerPeriodic() {
        if (periodicRegistered) {
            return;
        }
        synchronized (JfrBridge.class) {
            if (!periodicRegistered) {
                FlightRecorder.addPeriodicEvent(StreamEvents.Statistics.class, JfrBridge::emitStatistics);
                periodicRegistered = true;
            }
        }
    }

    private static void emitStatistics() {
        for (JfrBridge b : LIVE) {
            TracepointStream s = b.stream;
            StreamEvents.Statistics e = new StreamEvents.Statistics();
            e.stream = s.name();
            e.events = s.eventCount();
            e.committed = b.committedCount();
            e.lost = s.lostCount();
            e.corrupt = s.corruptCount();
            e.late = s.lateCount();
            e.rings = s.armedCpus().length;
            e.commit();
        }
    }

    /**
     * {@return the JFR event name of a tracepoint, {@code tracepoint.<system>.<event>}}
     *
     * @param tracepoint {@code system:event}
     * @throws IllegalArgumentException when the name has no colon
     */
    public static String eventName(String tracepoint) {
        int colon = tracepoint.indexOf(':');
        if (colon <= 0 || colon == tracepoint.length() - 1) {
            throw new IllegalArgumentException("not system:event: " + tracepoint);
        }
        return "tracepoint." + tracepoint.substring(0, colon) + "." + tracepoint.substring(colon + 1);
    }

    /**
     * {@return the most a forwarded event's {@code kernelTime} is off from the JVM's time base by its
     * conversion: half the window of the measurement of JFR's ticks against CLOCK_MONOTONIC, once per JVM}
     * Add the kernel's own skew between its perf clock and {@code CLOCK_MONOTONIC} (nanoseconds). Measures the
     * clock on first use; when it cannot be measured, the longest {@code Duration}.
     */
    public static Duration clockUncertainty() {
        JfrClock c = JfrClock.get();
        return c.calibrated() ? Duration.ofNanos(c.uncertaintyNanos()) : UNCALIBRATED;
    }

    /** {@return the stream this bridge forwards from} */
    public TracepointStream stream() {
        return stream;
    }

    /** {@return the tracepoints forwarded, {@code system:event}} */
    public List<String> tracepoints() {
        return List.copyOf(types.keySet());
    }

    /**
     * {@return the JFR event type of a forwarded tracepoint}
     *
     * @param tracepoint {@code system:event}
     * @throws IllegalArgumentException when this bridge does not forward it
     */
    public EventType eventType(String tracepoint) {
        EventType t = types.get(tracepoint);
        if (t == null) {
            throw new IllegalArgumentException(tracepoint + " is not forwarded by this bridge: " + types.keySet());
        }
        return t;
    }

    /** {@return the JFR event types, one per forwarded tracepoint, in the order forwarded} */
    public List<EventType> eventTypes() {
        return List.copyOf(types.values());
    }

    /** {@return the kernel events committed to JFR so far (as of the consumer's last commit)} */
    public long committedCount() {
        long n = 0;
        for (JfrForwarder f : forwarders) {
            n += f.committed();
        }
        return n;
    }
}
