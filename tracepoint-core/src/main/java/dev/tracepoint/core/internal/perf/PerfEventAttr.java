package dev.tracepoint.core.internal.perf;

import static dev.tracepoint.core.internal.perf.PerfEventAttrDescriptor.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A small mutable builder for {@code struct perf_event_attr} (layout in {@link PerfEventAttrDescriptor}).
 * It holds only the members this library sets; {@link #write(MemorySegment)} zeroes the whole struct first,
 * so everything else stays 0, which the kernel requires of members it does not know.
 *
 * {@snippet :
 * try (Arena arena = Arena.ofConfined()) {
 *     MemorySegment attr = PerfEventAttr.tracepoint(id)
 *             .sampleType(PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW)
 *             .flags(FLAG_DISABLED)
 *             .allocate(arena);
 *     int fd = PerfCalls.perfEventOpen(attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
 * }
 * }
 *
 * <p>Not thread-safe; build, write, discard.
 */
public final class PerfEventAttr {

    private int type;
    private long config;
    private long samplePeriod;
    private long sampleType;
    private long readFormat;
    private long flags;
    private int wakeup;
    private int clockid;

    /** An all-zero attr: {@code type} 0 (hardware), no sampling, no flags. */
    public PerfEventAttr() {
    }

    /**
     * An attr for one tracepoint: {@link PerfEventAttrDescriptor#PERF_TYPE_TRACEPOINT}, {@code config = id}
     * and {@code sample_period = 1} (every hit is a sample).
     *
     * @param tracepointId the id from tracefs {@code events/SYS/NAME/id}
     * @return a new builder
     */
    public static PerfEventAttr tracepoint(long tracepointId) {
        return new PerfEventAttr().type(PERF_TYPE_TRACEPOINT).config(tracepointId).samplePeriod(1);
    }

    /**
     * @param type {@code attr.type}
     * @return this
     */
    public PerfEventAttr type(int type) {
        this.type = type;
        return this;
    }

    /**
     * @param config {@code attr.config} (the tracepoint id for {@code PERF_TYPE_TRACEPOINT})
     * @return this
     */
    public PerfEventAttr config(long config) {
        this.config = config;
        return this;
    }

    /**
     * Sets {@code attr.sample_period} and clears {@link PerfEventAttrDescriptor#FLAG_FREQ}.
     *
     * @param period sample every {@code period} events
     * @return this
     */
    public PerfEventAttr samplePeriod(long period) {
        this.samplePeriod = period;
        this.flags &= ~FLAG_FREQ;
        return this;
    }

    /**
     * Sets {@code attr.sample_freq} (same word as the period) and {@link PerfEventAttrDescriptor#FLAG_FREQ}.
     *
     * @param hz samples per second
     * @return this
     */
    public PerfEventAttr sampleFreq(long hz) {
        this.samplePeriod = hz;
        this.flags |= FLAG_FREQ;
        return this;
    }

    /**
     * @param sampleType {@code attr.sample_type}, {@code PERF_SAMPLE_*} bits
     * @return this
     */
    public PerfEventAttr sampleType(long sampleType) {
        this.sampleType = sampleType;
        return this;
    }

    /**
     * @param readFormat {@code attr.read_format}, {@code PERF_FORMAT_*} bits
     * @return this
     */
    public PerfEventAttr readFormat(long readFormat) {
        this.readFormat = readFormat;
        return this;
    }

    /**
     * Sets the given bitfield flags ({@code FLAG_*}), keeping those already set.
     *
     * @param bits flags to set
     * @return this
     */
    public PerfEventAttr flags(long bits) {
        this.flags |= bits;
        return this;
    }

    /**
     * Clears the given bitfield flags.
     *
     * @param bits flags to clear
     * @return this
     */
    public PerfEventAttr clearFlags(long bits) {
        this.flags &= ~bits;
        return this;
    }

    /**
     * Wake up a poller every {@code n} samples ({@code attr.wakeup_events}); clears
     * {@link PerfEventAttrDescriptor#FLAG_WATERMARK}. 0 means the kernel default (half the ring).
     *
     * @param n samples per wake-up
     * @return this
     */
    public PerfEventAttr wakeupEvents(int n) {
        checkNotNegative("wakeupEvents", n);
        this.wakeup = n;
        this.flags &= ~FLAG_WATERMARK;
        return this;
    }

    /**
     * Wake up a poller once {@code bytes} are in the ring ({@code attr.wakeup_watermark}); sets
     * {@link PerfEventAttrDescriptor#FLAG_WATERMARK}.
     *
     * @param bytes bytes per wake-up
     * @return this
     */
    public PerfEventAttr wakeupWatermark(int bytes) {
        checkNotNegative("wakeupWatermark", bytes);
        this.wakeup = bytes;
        this.flags |= FLAG_WATERMARK;
        return this;
    }

    /**
     * Time stamps ({@code PERF_SAMPLE_TIME}) from this clock ({@code attr.clockid}, for instance
     * {@code CLOCK_MONOTONIC} = 1); sets {@link PerfEventAttrDescriptor#FLAG_USE_CLOCKID}.
     *
     * @param clockid a {@code clockid_t}
     * @return this
     */
    public PerfEventAttr clockid(int clockid) {
        this.clockid = clockid;
        this.flags |= FLAG_USE_CLOCKID;
        return this;
    }

    /** @return {@code attr.type} */
    public int type() {
        return type;
    }

    /** @return {@code attr.config} */
    public long config() {
        return config;
    }

    /** @return {@code attr.sample_type} */
    public long sampleType() {
        return sampleType;
    }

    /** @return the bitfield word ({@code FLAG_*}) */
    public long flags() {
        return flags;
    }

    /**
     * Zeroes the first {@link PerfEventAttrDescriptor#LENGTH} bytes of {@code attr} and writes this attr
     * into them, with {@code size = LENGTH}.
     *
     * @param attr a segment of at least {@code LENGTH} bytes
     * @return {@code attr}
     * @throws IllegalArgumentException if the segment is too small
     */
    public MemorySegment write(MemorySegment attr) {
        checkLength(attr);
        attr.asSlice(0, LENGTH).fill((byte) 0);
        // Unaligned layouts: the caller's segment need not be 8-aligned (the kernel copies it byte-wise).
        attr.set(ValueLayout.JAVA_INT_UNALIGNED, TYPE_OFFSET, type);
        attr.set(ValueLayout.JAVA_INT_UNALIGNED, SIZE_OFFSET, LENGTH);
        attr.set(ValueLayout.JAVA_LONG_UNALIGNED, CONFIG_OFFSET, config);
        attr.set(ValueLayout.JAVA_LONG_UNALIGNED, SAMPLE_PERIOD_OFFSET, samplePeriod);
        attr.set(ValueLayout.JAVA_LONG_UNALIGNED, SAMPLE_TYPE_OFFSET, sampleType);
        attr.set(ValueLayout.JAVA_LONG_UNALIGNED, READ_FORMAT_OFFSET, readFormat);
        attr.set(ValueLayout.JAVA_LONG_UNALIGNED, FLAGS_OFFSET, flags);
        attr.set(ValueLayout.JAVA_INT_UNALIGNED, WAKEUP_EVENTS_OFFSET, wakeup);
        attr.set(ValueLayout.JAVA_INT_UNALIGNED, CLOCKID_OFFSET, clockid);
        return attr;
    }

    /**
     * Allocates a zeroed, 8-aligned attr in {@code arena} and writes this attr into it.
     *
     * @param arena owner of the new segment
     * @return the segment, {@link PerfEventAttrDescriptor#LENGTH} bytes
     */
    public MemorySegment allocate(Arena arena) {
        return write(arena.allocate(LENGTH, Long.BYTES));
    }

    private static void checkNotNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + "=" + value + " must not be negative");
        }
    }
}
