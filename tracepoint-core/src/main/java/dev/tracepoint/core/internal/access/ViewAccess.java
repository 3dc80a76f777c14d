package dev.tracepoint.core.internal.access;

import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.decode.SampleMetadata;
import dev.tracepoint.core.format.EventFormat;

import java.lang.foreign.MemorySegment;

/**
 * The stream's way into {@link EventView} without a public method: creating views, moving them to perf
 * samples (whose header, pid, tid, time and CPU, is read only if a listener asks) and setting their
 * wall-clock offset. Listeners get a view they can only read. {@code EventView} registers the implementation
 * when it is initialized; callers keep {@link #get()} in a {@code static final} field, so the JIT sees one
 * constant receiver and inlines the calls.
 */
public final class ViewAccess {

    /** What the stream may do to a view that a listener may not. */
    public interface Views {
        /** @return a new view, on no record yet */
        EventView newView();

        /**
         * Moves {@code view} to the raw record of the {@code PERF_RECORD_SAMPLE} at {@code sampleOffset}, laid
         * out as {@code PERF_SAMPLE_TID | TIME | CPU | RAW} asks: the raw record starts 36 bytes in. Unchecked:
         * the caller has checked that the sample and its {@code rawLength} bytes lie in {@code segment} and
         * that {@code rawLength} covers the format's fixed part.
         *
         * @param view         the view
         * @param format       the raw record's layout
         * @param segment      the memory holding the sample
         * @param sampleOffset the offset of the sample's {@code perf_event_header}
         * @param rawLength    the raw record's length
         * @return {@code view}
         */
        EventView wrapSample(EventView view, EventFormat format, MemorySegment segment, long sampleOffset, int rawLength);

        /**
         * Moves {@code view} to a raw record, checked as {@link dev.tracepoint.core.decode.EventReader} checks it.
         *
         * @param view    the view
         * @param format  the record's layout
         * @param segment the memory holding it
         * @param offset  its offset
         * @param length  its length
         * @param sample  the metadata perf recorded beside it
         * @return {@code view}
         */
        EventView wrap(EventView view, EventFormat format, MemorySegment segment, long offset, int length, SampleMetadata sample);

        /**
         * @param view the view
         * @param late what {@link EventView#late()} answers until the next call
         */
        void late(EventView view, boolean late);

        /**
         * @param view                        the view
         * @param realtimeMinusMonotonicNanos {@code CLOCK_REALTIME - CLOCK_MONOTONIC}, for {@link EventView#wallClock()}
         */
        void wallClockOffset(EventView view, long realtimeMinusMonotonicNanos);
    }

    private static volatile Views views;

    private ViewAccess() {
    }

    /**
     * Called once, by {@code EventView}'s static initializer.
     *
     * @param implementation the implementation
     */
    public static void register(Views implementation) {
        views = implementation;
    }

    /** @return the implementation, initializing {@code EventView} first if nothing has yet */
    public static Views get() {
        Views v = views;
        if (v == null) {
            try {
                Class.forName(EventView.class.getName(), true, EventView.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            v = views;
            if (v == null) {
                throw new AssertionError("EventView did not register its accessor");
            }
        }
        return v;
    }
}
