package dev.tracepoint.core.internal.jfr;

import dev.tracepoint.core.decode.EventReader;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.decode.SampleMetadata;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.internal.dispatch.JitIdle;
import dev.tracepoint.core.internal.ring.RecordImages;
import jdk.jfr.EventFactory;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the path from a record to a committed JFR event before the stream's events arrive: without it, the first
 * events of a full-rate tracepoint meet the forwarder, the event's setters and JFR's writer in the interpreter,
 * and the rings overflow while they compile (seen: 58k of the first 91k signals lost, none after the first
 * second). Each tracepoint's synthetic record is committed as its own event type into a private in-memory
 * recording that is then discarded, and only when no other recording is running (the launcher's {@code record}
 * starts its recording after): JFR gives every running recording the events any of them enables, so with a
 * recording running the synthetic events would land in it, and the warm-up is left out.
 */
public final class JfrWarmUp {

    /** Commits per tracepoint and round: past C2's thresholds for the forwarder's loop and JFR's writer. */
    static final int EVENTS = 20_000;
    /** At most this many rounds of {@link #EVENTS}. */
    static final int ROUNDS = 6;
    /** The longest wait for the compilers after a round. */
    static final long COMPILER_WAIT_NANOS = 500_000_000L;

    /**
     * A tracepoint to warm up.
     *
     * @param format  its layout
     * @param plan    its event type's plan
     * @param factory its event type
     */
    public record Type(EventFormat format, JfrEventPlan plan, EventFactory factory) {
    }

    private JfrWarmUp() {
    }

    /**
     * Commits rounds of {@link #EVENTS} synthetic events of each type into a private recording, discarded after,
     * when no other recording is running; else does nothing. Never fails the bridge: a warm-up that cannot run
     * leaves the path to compile on the first events.
     *
     * @param types the tracepoints
     * @param clock the JVM's tick conversion
     * @param names the task names
     */
    public static void run(List<Type> types, JfrClock clock, TaskNames names) {
        if (types.isEmpty()) {
            return;
        }
        try (Recording recording = new Recording()) {
            recording.setName("tracepoint warm-up");
            recording.setToDisk(false);
            List<JfrForwarder> forwarders = new ArrayList<>();
            List<MemorySegment> records = new ArrayList<>();
            boolean alone = FlightRecorder.getFlightRecorder().getRecordings().stream()
                    .noneMatch(r -> r.getState() == RecordingState.RUNNING);
            if (!alone) {
                return; // its synthetic events would be that recording's too
            }
            for (Type t : types) {
                recording.enable(t.factory().getEventType().getName());
                forwarders.add(new JfrForwarder(t.factory(), t.plan(), clock, names));
                records.add(MemorySegment.ofArray(RecordImages.raw(t.format())));
            }
            recording.start();
            EventReader reader = new EventReader();
            long pid = ProcessHandle.current().pid();
            SampleMetadata sample = new SampleMetadata(0, (int) pid, (int) pid, System.nanoTime(), 0);
            // rounds until a round left the compilers nothing to do (at most ROUNDS): what the first rounds made
            // hot is compiled while the next ones run
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < EVENTS; i++) {
                    for (int t = 0; t < forwarders.size(); t++) {
                        MemorySegment r = records.get(t);
                        EventView v = reader.read(types.get(t).format(), r, 0, (int) r.byteSize(), sample);
                        forwarders.get(t).onEvent(v);
                    }
                }
                if (!JitIdle.await(COMPILER_WAIT_NANOS) && round > 0) {
                    break;
                }
            }
            recording.stop();
        } catch (RuntimeException e) {
            // left to compile on the first events
        }
    }
}
