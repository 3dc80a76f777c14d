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

    /** @return the layout of the record */
    public EventFormat format() {
        return format;
    }

    /** @return the tracepoint's {@code system:name} */
    public String tracepoint() {
        return format.fullName();
    }

    /** @return the CPU the sample was recorded on */
    public int cpu() {
        return cpu;
    }

    /** @return the pid (tgid) of the task that was current */
    public int pid() {
        return pid;
    }

    /** @return the thread id of the task that was current */
    public int tid() {
        return tid;
    }

    /** @return the sample time, CLOCK_MONOTONIC ns */
    public long timeNanos() {
        return timeNanos;
    }

    /** @return the sample time as wall-clock ns since the epoch */
    public long wallClockNanos() {
        return wallClockNanos;
    }

    /** @return the sample time as an instant */
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

    /** @return the names of values that have a {@code __print_symbolic}/{@code __print_flags} table, by field */
    public Map<String, String> symbols() {
        return symbols;
    }

    /** @return the value of a field, or {@code null} when absent */
    public Object get(String fieldName) {
        return fields.get(fieldName);
    }

    /** @return a copy of the raw record bytes */
    public byte[] raw() {
        return raw.clone();
    }

    /** @return a view over this copy (a new view each call), for code written against {@link EventView} */
    public EventView view() {
        return new EventView().wrap(format, MemorySegment.ofArray(raw.clone()), 0, raw.length)
                .sample(new SampleMetadata(cpu, pid, tid, timeNanos, wallClockNanos - timeNanos));
    }

    @Override
    public String toString() {
        return EventText.format(view());
    }
}
