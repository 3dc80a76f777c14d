package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.ring.RecordImages;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Builds raw tracepoint records by field name, for decoding tests over captured formats; {@code common_type}
 * is set as {@link RecordImages#raw} sets it.
 */
final class Records {

    static final Path CORPUS = Path.of(System.getProperty("tracepoint.corpus", "../testdata/corpus"));

    private final EventFormat format;
    private final MemorySegment record;

    Records(EventFormat format, int length) {
        this.format = format;
        this.record = MemorySegment.ofArray(format.field("common_type") != null
                ? RecordImages.raw(format, (int) format.id(), length) : new byte[length]);
    }

    static EventFormat format(String relative) throws Exception {
        return FormatParser.parse(CORPUS.resolve(relative));
    }

    Records i32(String field, int v) {
        record.set(ValueLayout.JAVA_INT_UNALIGNED, format.requireField(field).offset(), v);
        return this;
    }

    Records i64(String field, long v) {
        record.set(ValueLayout.JAVA_LONG_UNALIGNED, format.requireField(field).offset(), v);
        return this;
    }

    Records i16(String field, int v) {
        record.set(ValueLayout.JAVA_SHORT_UNALIGNED, format.requireField(field).offset(), (short) v);
        return this;
    }

    Records i8(String field, int v) {
        record.set(ValueLayout.JAVA_BYTE, format.requireField(field).offset(), (byte) v);
        return this;
    }

    Records i32At(long offset, int v) {
        record.set(ValueLayout.JAVA_INT_UNALIGNED, offset, v);
        return this;
    }

    Records chars(String field, String s) {
        return bytesAt(format.requireField(field).offset(), s);
    }

    Records bytesAt(long offset, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, record, ValueLayout.JAVA_BYTE, offset, b.length);
        return this;
    }

    byte[] bytes() {
        return record.toArray(ValueLayout.JAVA_BYTE);
    }

    EventView view() {
        return new EventReader().read(format, record, 0, (int) record.byteSize(), SampleMetadata.of(1, 100, 101, 5_000_000_000L));
    }
}
