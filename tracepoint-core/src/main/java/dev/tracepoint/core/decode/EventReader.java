package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Decodes tracepoint records that are not in a live ring: a file, a test buffer, a recording, a snapshot.
 * Given a record's {@link EventFormat} and the memory holding it, {@link #read} moves this reader's one
 * {@link EventView} there and returns it: the same view, with the same readers and typed bindings
 * ({@link EventBinding#attach}) that stream listeners get, and no allocation per record.
 *
 * {@snippet :
 * EventFormat format = FormatParser.parse(Path.of("signal_generate.format"));
 * Field sig = format.requireField("sig");
 * EventReader reader = new EventReader();
 * EventView e = reader.read(format, MemorySegment.ofArray(rawBytes), 0, rawBytes.length,
 *         SampleMetadata.of(cpu, pid, tid, timeNanos));
 * int signal = e.getInt(sig);
 * }
 *
 * <p>The record is the {@code PERF_SAMPLE_RAW} payload, as the kernel writes it: it starts with the common
 * fields ({@code common_type} first). Every read through the view is checked against its length. The view
 * stays valid as long as the memory does, until the next {@link #read}. Not thread-safe: one reader per thread.
 */
public final class EventReader {

    private final EventView view = new EventView();

    /** A reader whose view is on no record yet. */
    public EventReader() {
    }

    /**
     * Moves the view to a raw record, with no sample metadata ({@link SampleMetadata#NONE}).
     *
     * @param format  the record's layout
     * @param segment the memory holding it (heap or native)
     * @param offset  the record's byte offset in {@code segment}
     * @param length  the record's length in bytes
     * @return this reader's view, on the record
     * @throws DecodeException when the record is shorter than the format's fixed part or lies outside the segment
     */
    public EventView read(EventFormat format, MemorySegment segment, long offset, int length) {
        return read(format, segment, offset, length, SampleMetadata.NONE);
    }

    /**
     * Moves the view to a raw record, with the metadata perf recorded beside it.
     *
     * @param format  the record's layout
     * @param segment the memory holding it (heap or native)
     * @param offset  the record's byte offset in {@code segment}
     * @param length  the record's length in bytes
     * @param sample  its CPU, pid, tid and times
     * @return this reader's view, on the record
     * @throws DecodeException when the record is shorter than the format's fixed part or lies outside the segment
     */
    public EventView read(EventFormat format, MemorySegment segment, long offset, int length, SampleMetadata sample) {
        Objects.requireNonNull(sample, "sample");
        return view.wrap(format, segment, offset, length).sample(sample);
    }

    /**
     * The reader's one view, the object every {@link #read} returns: bind typed flyweights to it once
     * ({@link EventBinding#attach}) and they follow each read.
     *
     * @return the view {@link #read} moves; on no record before the first call
     */
    public EventView view() {
        return view;
    }
}
