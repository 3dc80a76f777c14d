package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.ValueTable;
import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * A flyweight view of one tracepoint sample, reading its fields in place from the memory that holds the
 * record: the mmap'd perf ring, or a per-ring scratch segment for a record that wraps the ring end.
 *
 * <h2>Lifetime and reuse</h2>
 * A stream owns one view and moves it from record to record. The view handed to a listener is valid
 * <em>only during that call</em>: once the listener returns, the kernel may overwrite the bytes. Do not keep
 * it; call {@link #copy()} (or {@link #as(Class)} with a record type) for an immutable snapshot. A view is
 * not thread-safe.
 *
 * <h2>Reading fields</h2>
 * Look a {@link Field} up once ({@code format.field("sig")}), then read it per event. Integer readers are
 * sign- and size-correct for the width the kernel printed. Readers never allocate, except those that
 * return a {@code String}, an array or an {@link Event}. Every read is checked against the sample's real
 * length, including {@code __data_loc}/{@code __rel_loc} locators: a field that points outside the sample
 * throws {@link DecodeException}, never reads foreign memory.
 *
 * {@snippet :
 * Field sig = format.requireField("sig");
 * Field comm = format.requireField("comm");
 * stream.onEvent("signal:signal_generate", view -> {
 *     if (view.getInt(sig) == 9 && view.stringEquals(comm, "nginx")) {
 *         System.out.println("SIGKILL to nginx from pid " + view.pid());
 *     }
 * });
 * }
 */
public final class EventView {

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private EventFormat format;
    private MemorySegment segment = MemorySegment.NULL;
    private long base;
    private int length;
    private int cpu = -1;
    private int pid;
    private int tid;
    private long timeNanos;
    private long wallClockOffsetNanos;
    /**
     * Where the perf sample header of the current record is, when a stream moved the view there: pid, tid,
     * time and CPU are then read from it on demand instead of copied for every record. -1 when they were
     * set with {@link #sample}.
     */
    private long sampleAt = -1;
    /** Set by an ordered stream for an event older than one it delivered before (see {@link #late()}). */
    private boolean late;

    static {
        ViewAccess.register(new StreamViews());
    }

    /**
     * Views are made by their owners only: a stream (one per stream, moved from sample to sample), an
     * {@link EventReader} (records outside a live ring) and {@link Event#view()}. A listener receives a view it
     * can read but not move or re-clock, so every later listener of the same event reads what the first did.
     */
    EventView() {
    }

    /**
     * Moves the view to a raw tracepoint record (the {@code PERF_SAMPLE_RAW} payload, starting with
     * {@code common_type}); the sample metadata is cleared.
     *
     * @throws DecodeException when the record is shorter than the format's fixed part or lies outside the segment
     */
    EventView wrap(EventFormat format, MemorySegment segment, long offset, int length) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(segment, "segment");
        if (length < format.fixedSize() || offset < 0 || offset > segment.byteSize() - length) {
            throw new DecodeException("record of " + format.fullName() + " at offset=" + offset + " length=" + length
                    + " does not hold the format's fixed part (fixedSize=" + format.fixedSize()
                    + ") within the segment (byteSize=" + segment.byteSize() + ")");
        }
        this.format = format;
        this.segment = segment;
        this.base = offset;
        this.length = length;
        this.sampleAt = -1;
        return this;
    }

    /** See {@link ViewAccess.Views#wrapSample}: unchecked, the stream's dispatcher checked it all. */
    static EventView wrapSample(EventView view, EventFormat format, MemorySegment segment, long sampleOffset, int rawLength) {
        view.format = format;
        view.segment = segment;
        view.base = sampleOffset + PerfSampleDescriptor.RAW_OFFSET;
        view.length = rawLength;
        view.sampleAt = sampleOffset;
        return view;
    }

    /** Sets the metadata perf records beside the raw record, and the wall-clock offset. */
    EventView sample(SampleMetadata sample) {
        this.cpu = sample.cpu();
        this.pid = sample.pid();
        this.tid = sample.tid();
        this.timeNanos = sample.timeNanos();
        this.wallClockOffsetNanos = sample.wallClockOffsetNanos();
        this.sampleAt = -1;
        return this;
    }

    /** Sets what {@link #late()} answers until the next call (an ordered stream's mark). */
    void markLate(boolean late) {
        this.late = late;
    }

    /** Sets {@code CLOCK_REALTIME - CLOCK_MONOTONIC}, for {@link #wallClock()}. */
    void setWallClockOffset(long realtimeMinusMonotonicNanos) {
        this.wallClockOffsetNanos = realtimeMinusMonotonicNanos;
    }

    // ---------------------------------------------------------------- metadata

    /** {@return the layout of the current record} */
    public EventFormat format() {
        return format;
    }

    /** {@return the tracepoint's {@code system:name}} */
    public String tracepoint() {
        return format.fullName();
    }

    /** {@return the CPU the sample was recorded on} */
    public int cpu() {
        long at = sampleAt;
        return at < 0 ? cpu : segment.get(U32, at + PerfSampleDescriptor.CPU_OFFSET);
    }

    /** {@return the pid (tgid) of the task that was current when the tracepoint fired} */
    public int pid() {
        long at = sampleAt;
        return at < 0 ? pid : segment.get(U32, at + PerfSampleDescriptor.PID_OFFSET);
    }

    /** {@return the thread id of the task that was current} */
    public int tid() {
        long at = sampleAt;
        return at < 0 ? tid : segment.get(U32, at + PerfSampleDescriptor.TID_OFFSET);
    }

    /** {@return the sample time in CLOCK_MONOTONIC nanoseconds} */
    public long timeNanos() {
        long at = sampleAt;
        return at < 0 ? timeNanos : segment.get(U64, at + PerfSampleDescriptor.TIME_OFFSET);
    }

    /**
     * Whether the event came out of time order. Only a stream built with
     * {@link dev.tracepoint.core.TracepointStreamBuilder#ordered} delivers events in time order across CPUs;
     * it marks an event late when it was read after the ordering window had already let a later event
     * through (it was published later than the window allows, or the window was cut short: see there). A
     * late event is still delivered, at once, and counted ({@link dev.tracepoint.core.TracepointStream#lateCount()}).
     *
     * @return whether this event is older than an event delivered before it; always false in a stream that is
     *         not ordered, and for views of an {@link EventReader}
     */
    public boolean late() {
        return late;
    }

    /** {@return the sample time as wall-clock nanoseconds since the epoch} */
    public long wallClockNanos() {
        return timeNanos() + wallClockOffsetNanos;
    }

    /** {@return the sample time as a wall-clock instant (allocates)} */
    public Instant wallClock() {
        long t = wallClockNanos();
        return Instant.ofEpochSecond(Math.floorDiv(t, 1_000_000_000L), Math.floorMod(t, 1_000_000_000L));
    }

    /** {@return the memory the record lives in; valid only during the callback} */
    public MemorySegment segment() {
        return segment;
    }

    /** {@return the offset of the record in {@link #segment()}} */
    public long offset() {
        return base;
    }

    /** {@return the record's length in bytes (may include padding after the last field)} */
    public int length() {
        return length;
    }

    // ---------------------------------------------------------------- integers

    /**
     * Reads an integer, pointer, {@code bool} or {@code enum} field, sign- or zero-extended to 64 bits as
     * the format's {@code signed:} says.
     *
     * @param field a scalar or pointer field of this format
     * @return its value
     */
    public long getLong(Field field) {
        int off = field.offset();
        int size = field.size();
        if (off + size > length || off < 0) {
            throw outside(field, off, size);
        }
        return FieldReads.integral(segment, base + off, size, field.signed(), format, field);
    }

    /**
     * {@return the field as an {@code int} (truncating a wider value)}; see {@link #getLong(Field)}
     *
     * @param field a scalar or pointer field of this format
     */
    public int getInt(Field field) {
        return (int) getLong(field);
    }

    /**
     * {@return whether the field is non-zero}; see {@link #getLong(Field)}
     *
     * @param field a scalar or pointer field of this format
     */
    public boolean getBoolean(Field field) {
        return getLong(field) != 0;
    }

    /**
     * Reads the field by name. Convenient, not fast: prefer {@link #getLong(Field)} with a looked-up field.
     *
     * @param fieldName the field name
     * @return the value
     * @throws IllegalArgumentException when the format has no such field
     */
    public long getLong(String fieldName) {
        return getLong(format.requireField(fieldName));
    }

    /**
     * The accessor code of a scalar, which the bound accessors' read
     * ({@code dev.tracepoint.core.internal.binding.BoundEvent}) switches on: its size in the low nibble, 0x10
     * when signed.
     */
    static int code(Field f) {
        return (f.size() & 0xf) | (f.signed() ? 0x10 : 0);
    }

    // ---------------------------------------------------------------- arrays and strings

    /** The byte range of an array-like field (see {@link FieldReads#range}): {@code offset << 32 | length}. */
    private long range(Field f) {
        return FieldReads.range(segment, base, length, format, f);
    }

    /**
     * The number of bytes an array, string or dynamic field occupies in this record (for strings: up to and
     * including any NUL padding). For a probe's string fetch, 0 means the kernel could not fetch it (its
     * formatter prints {@code (fault)}); an empty string has 1, its NUL.
     *
     * @param field an array-like field
     * @return its byte length
     */
    public int byteLength(Field field) {
        return (int) range(field);
    }

    /**
     * Decodes a string field: {@code char name[N]}, {@code __data_loc char[]}, {@code __rel_loc char[]} or a
     * flexible {@code char[]}, up to the first NUL (or the field's end). Bytes are decoded as UTF-8. A probe's
     * string fetch that failed reads as {@code ""}; {@link #byteLength(Field)} tells it from an empty string
     * (0 bytes, where an empty string has its NUL).
     *
     * @param field a string field
     * @return the string (allocates)
     */
    public String getString(Field field) {
        long r = range(field);
        long start = base + (r >>> 32);
        int n = FieldReads.strlen(segment, start, (int) r);
        byte[] b = new byte[n];
        MemorySegment.copy(segment, U8, start, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Decodes one string of a probe's string array, {@code __data_loc char[][N]} (a {@code string[N]} fetch
     * argument), up to its first NUL. Bytes are decoded as UTF-8. A string the kernel could not fetch reads as
     * {@code ""}, with a {@link #byteLength(Field, int)} of 0.
     *
     * @param field a {@code __data_loc} field of {@link Field#arrayLength()} strings
     * @param index which string, from 0
     * @return the string (allocates)
     * @throws IndexOutOfBoundsException when the field has no string {@code index}
     */
    public String getString(Field field, int index) {
        long r = stringRange(field, index);
        long start = base + (r >>> 32);
        int n = FieldReads.strlen(segment, start, (int) r);
        byte[] b = new byte[n];
        MemorySegment.copy(segment, U8, start, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * The number of bytes string {@code index} of a probe's string array occupies in this record, its NUL
     * included: 0 when the kernel could not fetch it (a pointer into unmapped memory), which the kernel's
     * own formatter prints as {@code (fault)} and {@link #getString(Field, int)} reads as {@code ""}. The
     * same holds for a single fetched string and {@link #byteLength(Field)}.
     *
     * @param field a {@code __data_loc} field of {@link Field#arrayLength()} strings
     * @param index which string, from 0
     * @return its byte length
     * @throws IndexOutOfBoundsException when the field has no string {@code index}
     */
    public int byteLength(Field field, int index) {
        return (int) stringRange(field, index);
    }

    /** Where string {@code index} of a {@code __data_loc char[][N]} field lies: {@code offset << 32 | length}. */
    private long stringRange(Field field, int index) {
        if (field.kind() != dev.tracepoint.core.format.FieldKind.DATA_LOC || index < 0 || index >= Math.max(1, field.arrayLength())) {
            throw new IndexOutOfBoundsException("field " + field.name() + " of " + format.fullName() + " has no string " + index);
        }
        int off = field.offset() + 4 * index;
        if (off + 4 > length) {
            throw outside(field, off, 4);
        }
        int loc = segment.get(ValueLayout.JAVA_INT_UNALIGNED, base + off);
        int dataOff = loc & 0xffff;
        int dataLen = loc >>> 16;
        if (dataOff + dataLen > length) {
            throw outside(field, dataOff, dataLen);
        }
        return ((long) dataOff << 32) | dataLen;
    }

    /**
     * {@return the string field by name}; see {@link #getString(Field)}. Convenient, not fast.
     *
     * @param fieldName the field name
     * @throws IllegalArgumentException when the format has no such field
     */
    public String getString(String fieldName) {
        return getString(format.requireField(fieldName));
    }

    /**
     * Compares a string field with {@code expected} in place, without allocating. Characters are compared
     * with bytes, so a non-ASCII {@code expected} matches only its Latin-1 bytes.
     *
     * @param field    a string field
     * @param expected the text to compare with
     * @return whether the field holds exactly {@code expected}
     */
    public boolean stringEquals(Field field, CharSequence expected) {
        long r = range(field);
        long start = base + (r >>> 32);
        int max = (int) r;
        int n = expected.length();
        if (n > max) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if ((segment.get(U8, start + i) & 0xff) != expected.charAt(i)) {
                return false;
            }
        }
        return n == max || segment.get(U8, start + n) == 0;
    }

    /**
     * Copies a string field's bytes (up to the first NUL) into a caller's buffer, without allocating.
     *
     * @param field a string field
     * @param dst   the buffer; the string is truncated to its length
     * @return the number of bytes copied
     */
    public int copyString(Field field, byte[] dst) {
        long r = range(field);
        long start = base + (r >>> 32);
        int n = Math.min(FieldReads.strlen(segment, start, (int) r), dst.length);
        MemorySegment.copy(segment, U8, start, dst, 0, n);
        return n;
    }

    /**
     * Copies the raw bytes of an array-like field into a caller's buffer, without allocating.
     *
     * @param field     an array, string or dynamic field
     * @param dst       the buffer
     * @param dstOffset where to start writing
     * @return the number of bytes copied (the field's length, truncated to the room in {@code dst})
     */
    public int copyBytes(Field field, byte[] dst, int dstOffset) {
        long r = range(field);
        int n = Math.min((int) r, dst.length - dstOffset);
        MemorySegment.copy(segment, U8, base + (r >>> 32), dst, dstOffset, n);
        return n;
    }

    /**
     * {@return the raw bytes of an array-like field (allocates)}
     *
     * @param field an array, string or dynamic field
     */
    public byte[] getBytes(Field field) {
        long r = range(field);
        byte[] b = new byte[(int) r];
        MemorySegment.copy(segment, U8, base + (r >>> 32), b, 0, b.length);
        return b;
    }

    /**
     * {@return the number of elements of an array-like field in this record}
     *
     * @param field an array-like field
     */
    public int elementCount(Field field) {
        int es = Math.max(1, field.elementSize());
        return (int) range(field) / es;
    }

    /**
     * Reads element {@code i} of a numeric array field, sign-correct, without allocating.
     *
     * @param field an array-like field whose elements are 1, 2, 4 or 8 bytes
     * @param i     the element index
     * @return the element
     */
    public long getElement(Field field, int i) {
        long r = range(field);
        int es = field.elementSize();
        if (es < 1 || es > 8) {
            throw new DecodeException("field " + field.name() + " of " + format.fullName() + " has element size " + es);
        }
        if (i < 0 || (i + 1L) * es > (int) r) { // i + 1L: i + 1 overflows for i = Integer.MAX_VALUE
            throw new DecodeException("index " + i + " outside field " + field.name() + " of " + format.fullName()
                    + " (" + ((int) r / es) + " elements)");
        }
        return FieldReads.integral(segment, base + (r >>> 32) + (long) i * es, es, field.signed(), format, field);
    }

    /**
     * {@return the elements of a numeric array field (allocates)}; see {@link #getElement(Field, int)}
     *
     * @param field an array-like field whose elements are 1, 2, 4 or 8 bytes
     */
    public long[] getLongArray(Field field) {
        int n = elementCount(field);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = getElement(field, i);
        }
        return out;
    }

    // ---------------------------------------------------------------- symbols and generic access

    /**
     * The name of the field's value from its {@code __print_symbolic}/{@code __print_flags} table, as the
     * kernel would print it.
     *
     * @param field a field
     * @return the name (for a value missing from a symbolic table, the number), or {@code null} when the
     *         field has no table
     */
    public String symbol(Field field) {
        ValueTable t = field.table();
        return t == null ? null : t.format(getLong(field));
    }

    /**
     * Decodes any field to a Java value: {@code Long} for integers and pointers, {@code Boolean} for
     * {@code bool}, {@code String} for strings, {@code long[]} for numeric arrays, {@code byte[]} for other
     * arrays. Allocates; for listeners that do not know the layout in advance.
     *
     * @param field a field of this format
     * @return its value
     */
    public Object value(Field field) {
        return FieldReads.value(this, field);
    }

    /**
     * {@return the value of the named field}; see {@link #value(Field)}. Convenient, not fast.
     *
     * @param fieldName the field name
     * @throws IllegalArgumentException when the format has no such field
     */
    public Object get(String fieldName) {
        return value(format.requireField(fieldName));
    }

    /** {@return an immutable, detached copy of this event (allocates)} */
    public Event copy() {
        return new Event(this);
    }

    /**
     * Copies this event into a record whose components are named after the fields (see
     * {@link TracepointField} for other names and optional fields). Components named {@code cpu},
     * {@code samplePid}, {@code sampleTid} and {@code timeNanos} get the sample's metadata; one of these names
     * that is also a field of the format is an error unless annotated {@code @TracepointField} to read the
     * field. The binding is compiled once per record type and format.
     *
     * <p>The record must be public, with its canonical constructor, in a package exported or open to
     * {@code dev.tracepoint.core} (the class path and single-file programs are); otherwise use
     * {@link #as(Class, MethodHandles.Lookup)}.
     *
     * @param type a record type
     * @param <R>  the record type
     * @return a new record
     * @throws IllegalArgumentException naming every required field the format lacks, or, on the module path,
     *                                  the {@code exports} line the record's module lacks
     */
    public <R extends Record> R as(Class<R> type) {
        return RecordBinding.of(type, format, null).read(this);
    }

    /**
     * {@link #as(Class)} for a record of a named module that does not export its package to
     * {@code dev.tracepoint.core}: its canonical constructor is found with the caller's lookup, so it needs
     * only be accessible from there ({@code view.as(Kill.class, MethodHandles.lookup())}).
     *
     * @param type   a record type
     * @param lookup a lookup that can access the canonical constructor, usually {@link MethodHandles#lookup()}
     * @param <R>    the record type
     * @return a new record
     * @throws IllegalArgumentException naming every required field the format lacks, or when the lookup cannot
     *                                  access the constructor
     */
    public <R extends Record> R as(Class<R> type, MethodHandles.Lookup lookup) {
        Objects.requireNonNull(lookup, "lookup");
        return RecordBinding.of(type, format, lookup).read(this);
    }

    /** {@return the event as text, like the kernel's print fmt output} */
    @Override
    public String toString() {
        if (format == null) {
            return "EventView[unset]";
        }
        return EventText.format(this);
    }

    private DecodeException outside(Field f, int off, int size) {
        Objects.requireNonNull(f);
        return FieldReads.outside(format, length, f, off, size);
    }
}
