package dev.tracepoint.core.internal.access;

import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;

import java.lang.foreign.MemorySegment;

/**
 * The dispatcher's way into {@link EventView} without a public method: moving the view to a perf sample
 * whose header (pid, tid, time, CPU) is read only if a listener asks for it. {@code EventView} registers the
 * implementation when it is initialized; callers keep it in a {@code static final} field, so the JIT sees one
 * constant receiver and inlines the call.
 */
public final class ViewAccess {

    /** Moves a view to a sample; see {@link #get()}. */
    @FunctionalInterface
    public interface SampleWrapper {
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
    }

    private static volatile SampleWrapper sampleWrapper;

    private ViewAccess() {
    }

    /**
     * Called once, by {@code EventView}'s static initializer.
     *
     * @param wrapper the implementation
     */
    public static void register(SampleWrapper wrapper) {
        sampleWrapper = wrapper;
    }

    /** @return the implementation, initializing {@code EventView} first if nothing has yet */
    public static SampleWrapper get() {
        SampleWrapper w = sampleWrapper;
        if (w == null) {
            try {
                Class.forName(EventView.class.getName(), true, EventView.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            w = sampleWrapper;
            if (w == null) {
                throw new AssertionError("EventView did not register its sample wrapper");
            }
        }
        return w;
    }
}
