package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.internal.access.ViewAccess;

import java.lang.foreign.MemorySegment;

/**
 * The stream's side of {@link EventView} ({@link ViewAccess.Views}): making views and moving them from record
 * to record, setting their {@link EventView#late()} mark and wall-clock offset, none of which a listener may
 * do. {@code EventView} registers the one instance when it is initialized; each call is one static or
 * package-private call into the view. Stateless.
 */
final class StreamViews implements ViewAccess.Views {

    @Override
    public EventView newView() {
        return new EventView();
    }

    @Override
    public EventView wrapSample(EventView view, EventFormat format, MemorySegment segment, long sampleOffset, int rawLength) {
        return EventView.wrapSample(view, format, segment, sampleOffset, rawLength);
    }

    @Override
    public EventView wrap(EventView view, EventFormat format, MemorySegment segment, long offset, int length,
                          SampleMetadata sample) {
        return view.wrap(format, segment, offset, length).sample(sample);
    }

    @Override
    public void late(EventView view, boolean late) {
        view.markLate(late);
    }

    @Override
    public void wallClockOffset(EventView view, long realtimeMinusMonotonicNanos) {
        view.setWallClockOffset(realtimeMinusMonotonicNanos);
    }
}
