package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;

import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable, detached copy of one tracepoint sample, made by {@link EventView#copy()}. Safe to keep and
 * to share between threads.
 */
public final class Event {

    private final EventFormat format;
    private final int cpu;
    private final int pid;
    private final int tid;
    private final long timeNanos;
    private final long wallClockNanos;
    private final byte[] raw;
    private final Map<String, Object> fields;
    private final Map<String, String> symbols;

    Event(EventView view) {
        this.format = view.format();
        this.cpu = view.cpu();
        this.pid = view.pid();
        this.tid = view.tid();
        this.timeNanos = view.timeNanos();
        this.wallClockNanos = view.wallClockNanos();
        this.raw = view.segment().asSlice(view.offset(), view.length()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        Map<String, Object> f = new LinkedHashMap<>();
        Map<String, String> s = new LinkedHashMap<>();
        for (Field field : format.fields()) {
            if (field.isCommon()) {
                continue;
            }
            Object v;
            try {
                v = view.value(field);
            } catch (DecodeException e) {
                v = null; // a locator pointing outside the sample: the field has no value in this record
            }
            f.put(field.name(), v);
            if (field.table() != null && v instanceof Long l) {
                s.put(field.name(), field.table().format(l));
            }
        }
        this.fields = Collections.unmodifiableMap(f);
        this.symbols = Collections.unmodifiableMap(s);
    }

    /**
     * The layout the record was decoded with, to look its fields up by name.
     *
     * @return the layout of the record
     */
    public EventFormat format() {
        return format;
    }

    /**
     * The tracepoint that fired, to tell the events of several tracepoints apart.
     *
     * @return the tracepoint's {@code system:name}
     */
    public String tracepoint() {
        return format.fullName();
    }

    /**
     * The CPU the tracepoint fired on.
     *
     * @return the CPU the sample was recorded on, or -1 when unknown
     */
    public int cpu() {
        return cpu;
    }

    /**
     * The process that was running when the tracepoint fired: not necessarily the one the event is about
     * (the target of a signal, say, is a field).
     *
     * @return the pid (tgid) of the task that was current
     */
    public int pid() {
        return pid;
    }

    /**
     * The thread that was running when the tracepoint fired.
     *
     * @return the thread id of the task that was current
     */
    public int tid() {
        return tid;
    }

    /**
     * When the tracepoint fired, on the clock that orders events across CPUs.
     *
     * @return the sample time, CLOCK_MONOTONIC ns
     */
    public long timeNanos() {
        return timeNanos;
    }

    /**
     * When the tracepoint fired, converted to wall-clock time with the offset between the two clocks that
     * the view had: measured when the stream opened, or given in the record's {@link SampleMetadata}.
     *
     * @return the sample time as wall-clock ns since the epoch
     */
    public long wallClockNanos() {
        return wallClockNanos;
    }

    /**
     * When the tracepoint fired, as {@link #wallClockNanos()} gives it, for printing or comparing with
     * other timestamps.
     *
     * @return the sample time as an instant
     */
    public Instant wallClock() {
        return Instant.ofEpochSecond(Math.floorDiv(wallClockNanos, 1_000_000_000L), Math.floorMod(wallClockNanos, 1_000_000_000L));
    }

    /**
     * The decoded non-common fields in declaration order, as {@link EventView#value(Field)} decodes them
     * ({@code null} for a dynamic field whose locator pointed outside the sample).
     *
     * @return an unmodifiable map of field name to value
     */
    public Map<String, Object> fields() {
        return fields;
    }

    /**
     * The symbolic names the print fmt gives the values of this record, as {@code trace_pipe} would print
     * them ({@code SIGKILL} rather than 9).
     *
     * @return the names of values that have a {@code __print_symbolic}/{@code __print_flags} table, by field;
     *         unmodifiable
     */
    public Map<String, String> symbols() {
        return symbols;
    }

    /**
     * One decoded field, as {@link #fields()} holds it.
     *
     * @param fieldName the field's name, as the format declares it
     * @return the value of a field, or {@code null} when absent
     */
    public Object get(String fieldName) {
        return fields.get(fieldName);
    }

    /**
     * The record as the kernel wrote it ({@code PERF_SAMPLE_RAW}), to store or decode again.
     *
     * @return a copy of the raw record bytes
     */
    public byte[] raw() {
        return raw.clone();
    }

    /**
     * Reads this copy through an {@link EventView} again, with the same metadata.
     *
     * @return a view over this copy (a new view each call), for code written against {@link EventView}
     */
    public EventView view() {
        return new EventView().wrap(format, MemorySegment.ofArray(raw.clone()), 0, raw.length)
                .sample(new SampleMetadata(cpu, pid, tid, timeNanos, wallClockNanos - timeNanos));
    }

    @Override
    public String toString() {
        return EventText.format(view());
    }
}
