package dev.tracepoint.core;

import dev.tracepoint.core.decode.EventView;

import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The listener {@link TracepointStream#snapshotWhen} adds to a trigger tracepoint of another stream: an event
 * the predicate accepts takes a snapshot of the flight recorder, on the trigger stream's consumer thread.
 */
final class SnapshotTrigger implements EventListener {

    private final TracepointStream recorder;
    private final String trigger;
    private final Predicate<? super EventView> when;
    private final Consumer<? super FlightSnapshot> then;

    SnapshotTrigger(TracepointStream recorder, String trigger, Predicate<? super EventView> when,
                    Consumer<? super FlightSnapshot> then) {
        this.recorder = recorder;
        this.trigger = trigger;
        this.when = when;
        this.then = then;
    }

    @Override
    public void onEvent(EventView event) {
        if (!when.test(event) || recorder.isClosed()) {
            return;
        }
        FlightSnapshot snapshot;
        try {
            snapshot = recorder.snapshot();
        } catch (IllegalStateException e) {
            if (recorder.isClosed()) {
                return; // closed since the check
            }
            throw e;
        } catch (TracepointException e) {
            throw new IllegalStateException("flight recorder snapshot triggered by " + trigger + " failed: " + e.getMessage(), e);
        }
        then.accept(snapshot);
    }
}
