package dev.tracepoint.core.jfr;

import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.internal.jfr.JfrClock;
import dev.tracepoint.core.internal.jfr.JfrEventPlan;
import dev.tracepoint.core.internal.perf.TestCalls;
import dev.tracepoint.testing.KernelTests;

import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;
import jdk.jfr.Unsigned;
import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JFR bridge against the running kernel: real signals sent by this JVM to a child it started, forwarded into
 * a recording, read back with {@link RecordingFile} and compared field for field with the stream's own decoding
 * of the same events; each signal sent between two JFR events committed just before and just after it, whose
 * start times bound the forwarded event's {@code kernelTime}.
 */
class JfrBridgeIT {

    static final String GENERATE = "signal:signal_generate";
    static final int SIGURG = 23;
    static final int SIGWINCH = 28;

    /** Committed right before and right after each kill: its start time brackets the kernel's event. */
    @Name("test.tracepoint.Marker")
    @StackTrace(false)
    static final class Marker extends Event {
        int seq;
    }

    Tracefs tracefs;
    Process child;
    int childPid;

    @BeforeEach
    void startChild() throws Exception {
        tracefs = KernelTests.require();
        child = new ProcessBuilder("sleep", "120").start();
        childPid = (int) child.pid();
    }

    @AfterEach
    void stopChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void recordsEachSignalFieldForFieldAsTheStreamDecodesItWithinTheClockBound(@TempDir Path dir) throws Exception {
        int n = 40;
        Map<Long, Map<String, Object>> decoded = new ConcurrentHashMap<>();
        Path file = dir.resolve("signals.jfr");
        try (Recording recording = new Recording();
             TracepointStream stream = TracepointStream.builder().tracefs(tracefs).name("jfr-it").build()) {
            recording.enable(JfrBridge.eventName(GENERATE)).withoutThreshold();
            recording.enable(Marker.class);
            recording.enable("tracepoint.Statistics").withPeriod(Duration.ofMillis(100));
            Subscription sub = stream.enable(GENERATE).filter("pid == " + childPid);
            JfrBridge bridge = JfrBridge.forward(stream, GENERATE);
            JfrEventPlan plan = JfrEventPlan.of(sub.format(), true);
            sub.onEvent(e -> decoded.put(e.timeNanos(), expected(plan, e)));
            recording.start();
            stream.startAsync();
            for (int i = 0; i < n; i++) {
                Marker before = new Marker();
                before.seq = 2 * i;
                before.commit();
                TestCalls.kill(childPid, i % 2 == 0 ? SIGWINCH : SIGURG);
                Marker after = new Marker();
                after.seq = 2 * i + 1;
                after.commit();
            }
            await(() -> bridge.committedCount() >= n, Duration.ofSeconds(10));
            Thread.sleep(300); // a statistics period or more
            recording.stop();
            recording.dump(file);
            assertThat(bridge.committedCount()).isEqualTo(n);
            EventType type = bridge.eventType(GENERATE);
            assertThat(type.getName()).isEqualTo("tracepoint.signal.signal_generate");
            assertThat(type.getCategoryNames()).containsExactly("Kernel", "signal");
            ValueDescriptor kernelTime = type.getField("kernelTime");
            assertThat(kernelTime.getAnnotation(Timestamp.class).value()).isEqualTo(Timestamp.TICKS);
        }

        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Map<Integer, Instant> markers = new HashMap<>();
        List<RecordedEvent> kernel = new ArrayList<>();
        List<RecordedEvent> stats = new ArrayList<>();
        for (RecordedEvent e : events) {
            switch (e.getEventType().getName()) {
                case "test.tracepoint.Marker" -> markers.put(e.getInt("seq"), e.getStartTime());
                case "tracepoint.signal.signal_generate" -> kernel.add(e);
                case "tracepoint.Statistics" -> stats.add(e);
                default -> { }
            }
        }
        assertThat(kernel).hasSize(n);
        assertThat(decoded).hasSize(n);
        long bound = JfrClock.get().uncertaintyNanos() + 1_000; // + the kernel's perf clock against CLOCK_MONOTONIC
        System.out.println("JfrBridgeIT: " + JfrClock.get()); // before the checks: a failure's report shows the calibration
        long worstBefore = Long.MAX_VALUE;
        long worstAfter = Long.MAX_VALUE;
        kernel.sort((a, b) -> Long.compare(a.getLong("kernelNanos"), b.getLong("kernelNanos")));
        for (int i = 0; i < n; i++) {
            RecordedEvent e = kernel.get(i);
            Map<String, Object> want = decoded.get(e.getLong("kernelNanos"));
            assertThat(want).as("the stream decoded the event of kernel time %d", e.getLong("kernelNanos")).isNotNull();
            for (Map.Entry<String, Object> f : want.entrySet()) {
                Object got = recorded(e, type(e, f.getKey()), f.getKey());
                assertThat(got).as("field %s of signal %d", f.getKey(), i).isEqualTo(f.getValue());
            }
            assertThat(e.getInt("pid")).isEqualTo(childPid);
            assertThat(e.getString("comm")).isEqualTo("sleep");
            assertThat(e.getInt("currentPid")).isEqualTo((int) ProcessHandle.current().pid());
            assertThat(e.getString("currentComm")).isNotBlank();
            // the kernel's time lies between the markers committed just before and just after the kill
            Instant kt = e.getInstant("kernelTime");
            Instant before = markers.get(2 * i);
            Instant after = markers.get(2 * i + 1);
            long sinceBefore = Duration.between(before, kt).toNanos();
            long untilAfter = Duration.between(kt, after).toNanos();
            assertThat(sinceBefore).as("kernelTime - marker before, signal %d (bound %d ns)", i, bound).isGreaterThanOrEqualTo(-bound);
            assertThat(untilAfter).as("marker after - kernelTime, signal %d (bound %d ns)", i, bound).isGreaterThanOrEqualTo(-bound);
            worstBefore = Math.min(worstBefore, sinceBefore);
            worstAfter = Math.min(worstAfter, untilAfter);
            // and the start time is the commit, later
            assertThat(e.getStartTime()).isAfterOrEqualTo(kt);
        }
        System.out.printf("JfrBridgeIT: clock %s; kernelTime - marker before: min %d ns; marker after - kernelTime: min %d ns"
                + " (bound %d ns)%n", JfrClock.get(), worstBefore, worstAfter, bound);
        assertThat(stats).isNotEmpty();
        RecordedEvent last = stats.getLast();
        assertThat(last.getString("stream")).isEqualTo("jfr-it");
        assertThat(last.getLong("committed")).isBetween(0L, (long) n);
    }

    @Test
    void commitsNothingWhileTheRunningRecordingDisablesTheType(@TempDir Path dir) throws Exception {
        int n = 10;
        long[] seen = {0};
        try (Recording recording = new Recording();
             TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            recording.disable(JfrBridge.eventName(GENERATE)); // forwarded types are enabled by default
            recording.enable(Marker.class);
            recording.start();
            stream.enable(GENERATE).filter("pid == " + childPid).onEvent(e -> seen[0]++);
            JfrBridge bridge = JfrBridge.forward(stream, GENERATE);
            stream.startAsync();
            for (int i = 0; i < n; i++) {
                TestCalls.kill(childPid, SIGWINCH);
            }
            await(() -> seen[0] >= n, Duration.ofSeconds(10));
            assertThat(seen[0]).isEqualTo(n);
            assertThat(bridge.committedCount()).isZero();
            recording.stop();
            recording.dump(dir.resolve("off.jfr"));
        }
        assertThat(RecordingFile.readAllEvents(dir.resolve("off.jfr")))
                .noneMatch(e -> e.getEventType().getName().equals(JfrBridge.eventName(GENERATE)));
    }

    @Test
    void recordsByDefaultInARecordingThatDoesNotMentionTheType(@TempDir Path dir) throws Exception {
        int n = 5;
        try (Recording recording = new Recording();
             TracepointStream stream = TracepointStream.builder().tracefs(tracefs).build()) {
            recording.enable(Marker.class); // a recording of other events: the forwarded type is on by default
            recording.start();
            stream.enable(GENERATE).filter("pid == " + childPid);
            JfrBridge bridge = JfrBridge.forward(stream, GENERATE);
            stream.startAsync();
            for (int i = 0; i < n; i++) {
                TestCalls.kill(childPid, SIGURG);
            }
            await(() -> bridge.committedCount() >= n, Duration.ofSeconds(10));
            assertThat(bridge.committedCount()).isEqualTo(n);
            recording.stop();
            recording.dump(dir.resolve("on.jfr"));
        }
        assertThat(RecordingFile.readAllEvents(dir.resolve("on.jfr")))
                .filteredOn(e -> e.getEventType().getName().equals(JfrBridge.eventName(GENERATE)))
                .hasSize(n).allSatisfy(e -> assertThat(e.getInt("sig")).isEqualTo(SIGURG));
    }

    /** What the recorded event must hold, from the stream's own view of the same record. */
    static Map<String, Object> expected(JfrEventPlan plan, EventView e) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (JfrEventPlan.Slot s : plan.slots()) {
            var f = s.field();
            Object v = switch (s.kind()) {
                case META_TICKS, META_COMM -> null; // checked against the markers / by name
                case META_NANOS -> e.timeNanos();
                case META_CPU -> (long) e.cpu();
                case META_PID -> (long) e.pid();
                case META_TID -> (long) e.tid();
                case BYTE, SHORT, INT, LONG -> f.signed() || f.size() == 8 ? e.getLong(f) : e.getLong(f);
                case BOOLEAN -> e.getLong(f) != 0;
                case STRING -> e.getString(f);
                case SYMBOL -> f.table().nameOf(e.getLong(f));
                case FLAGS -> f.table().format(e.getLong(f));
                case ARRAY_TEXT, HEX -> null;
            };
            if (v != null) {
                m.put(s.name(), v);
            }
        }
        return m;
    }

    static String type(RecordedEvent e, String field) {
        ValueDescriptor d = e.getEventType().getField(field);
        return d.getTypeName() + (d.getAnnotation(Unsigned.class) != null ? " unsigned" : "");
    }

    static Object recorded(RecordedEvent e, String type, String field) {
        return switch (type) {
            case "boolean" -> e.getBoolean(field);
            case "java.lang.String" -> e.getString(field);
            case "byte", "short", "int", "long" -> e.getLong(field); // signed: sign-extended like getLong(Field)
            default -> e.getLong(field); // @Unsigned: zero-extended, as the view reads an unsigned field
        };
    }
}
