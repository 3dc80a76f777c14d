package dev.tracepoint.core.internal.jfr;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.testing.KernelTests;
import jdk.jfr.EventFactory;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bridge's warm-up commits synthetic events into a private recording only, and only when no other recording
 * runs (JFR would give them to it): a user's recording running at the time, or one started after, gets none.
 */
class JfrWarmUpTest {

    static JfrWarmUp.Type type() throws Exception {
        EventFormat f = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/signal/signal_generate/format"));
        JfrEventPlan plan = JfrEventPlan.of(f, true);
        return new JfrWarmUp.Type(f, plan, EventFactory.create(plan.annotations(), plan.descriptors()));
    }

    @Test
    void aRunningRecordingGetsNoneOfTheSyntheticEvents(@TempDir Path dir) throws Exception {
        JfrWarmUp.Type t = type();
        try (Recording user = new Recording()) {
            user.enable(t.factory().getEventType().getName());
            user.start();
            JfrWarmUp.run(List.of(t), JfrClock.get(), new TaskNames());
            user.stop();
            Path file = dir.resolve("user.jfr");
            user.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            assertThat(events).extracting(e -> e.getEventType().getName()).noneMatch(n -> n.contains("signal_generate"));
        } finally {
            t.factory().unregister();
        }
    }

    @Test
    void withNoRecordingTheRealTypeIsWarmedAndALaterRecordingGetsNone(@TempDir Path dir) throws Exception {
        JfrWarmUp.Type t = type();
        try {
            assertThat(FlightRecorder.getFlightRecorder().getRecordings()).noneMatch(r -> r.getState() == jdk.jfr.RecordingState.RUNNING);
            JfrWarmUp.run(List.of(t), JfrClock.get(), new TaskNames());
            try (Recording later = new Recording()) {
                later.enable(t.factory().getEventType().getName());
                later.start();
                later.stop();
                Path file = dir.resolve("later.jfr");
                later.dump(file);
                assertThat(RecordingFile.readAllEvents(file)).extracting(e -> e.getEventType().getName())
                        .noneMatch(n -> n.contains("signal_generate"));
            }
        } finally {
            t.factory().unregister();
        }
    }
}
