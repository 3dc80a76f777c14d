package dev.tracepoint.core.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** The JFR events a forwarding stream adds of its own: its statistics, periodically, and each loss. */
public final class StreamEvents {

    private StreamEvents() {
    }

    /** A stream's counters, every second of a recording that enables it. */
    @Name("tracepoint.Statistics")
    @Label("Tracepoint Stream Statistics")
    @Description("The counters of a tracepoint stream that forwards kernel events to JFR, since it opened")
    @Category({"Kernel", "Tracepoint"})
    @StackTrace(false)
    @Period("1 s")
    public static final class Statistics extends Event {
        /** The stream's name. */
        @Label("Stream")
        public String stream;
        /** Events dispatched. */
        @Label("Events")
        @Description("Events the stream dispatched")
        public long events;
        /** Events committed to JFR. */
        @Label("Committed")
        @Description("Kernel events this stream committed as JFR events (those the recordings enabled)")
        public long committed;
        /** Samples lost. */
        @Label("Lost")
        @Description("Samples the kernel lost because a ring was full")
        public long lost;
        /** Corrupt samples. */
        @Label("Corrupt")
        @Description("Corrupt samples or ring states skipped")
        public long corrupt;
        /** Late records. */
        @Label("Late")
        @Description("Records an ordered stream delivered out of time order")
        public long late;
        /** Armed CPUs. */
        @Label("Rings")
        @Description("Rings read: one per armed CPU")
        public int rings;
    }

    /** The kernel lost samples of a stream on one CPU ({@code PERF_RECORD_LOST}). */
    @Name("tracepoint.Lost")
    @Label("Tracepoint Samples Lost")
    @Description("The kernel could not write samples of a tracepoint stream because the CPU's ring was full")
    @Category({"Kernel", "Tracepoint"})
    @StackTrace(false)
    public static final class Lost extends Event {
        /** The stream's name. */
        @Label("Stream")
        public String stream;
        /** The CPU. */
        @Label("CPU")
        public int cpu;
        /** The samples lost. */
        @Label("Count")
        @Description("Samples lost")
        public long count;
    }
}
