package dev.tracepoint.core.internal.ring;

import static dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor.ALIGNMENT;
import static dev.tracepoint.core.internal.perf.PerfSampleDescriptor.RAW_OFFSET;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor;
import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes synthetic perf records and rings the way the kernel writes them, for the warm-up, the tests and the
 * benchmarks: records as {@code byte[]} images in the layouts of {@link PerfEventHeaderDescriptor},
 * {@link PerfSampleDescriptor} and {@link PerfSideRecordDescriptor} (native byte order, 8-byte sizes), ring
 * images that are records one after the other, written into a data area at a free-running position and
 * wrapping byte-wise at its end, and {@code data_head}/{@code data_tail} in a
 * {@code perf_event_mmap_page} ({@link PerfMmapPageDescriptor}) with the kernel's and the reader's memory
 * ordering. Nothing here is on the path of a real record.
 *
 * <p>Records are written without {@code struct sample_id}, as a stream that does not set {@code sample_id_all}
 * gets them; {@link #withSampleId} appends one, as an ordered stream gets them.
 * {@link #header} and {@link #record} take any type, misc and size, so that tests can write records the
 * kernel does not.
 */
public final class RecordImages {

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final VarHandle U64 = ValueLayout.JAVA_LONG.varHandle();

    private RecordImages() {
    }

    // ---- records -------------------------------------------------------------------------------------------

    /**
     * Writes a {@code perf_event_header} as given, unchecked (a test may write a corrupt one).
     *
     * @param segment where the record starts
     * @param offset  its offset in {@code segment}
     * @param type    {@code header.type}, a {@code PERF_RECORD_*} of {@link PerfRecordType} or any other
     * @param misc    {@code header.misc}, its low 16 bits
     * @param size    {@code header.size}, its low 16 bits
     */
    public static void header(MemorySegment segment, long offset, int type, int misc, int size) {
        segment.set(I32, offset + PerfEventHeaderDescriptor.TYPE_OFFSET, type);
        segment.set(U16, offset + PerfEventHeaderDescriptor.MISC_OFFSET, (short) misc);
        segment.set(U16, offset + PerfEventHeaderDescriptor.SIZE_OFFSET, (short) size);
    }

    /**
     * A record of {@code size} bytes: the header, then zeros.
     *
     * @param type {@code header.type}
     * @param misc {@code header.misc}
     * @param size {@code header.size} and the image's length, at least the header's 8 bytes
     * @return the image
     * @throws IllegalArgumentException if {@code size} is shorter than the header or longer than a
     *                                  {@code __u16}
     */
    public static byte[] record(int type, int misc, int size) {
        if (size < PerfEventHeaderDescriptor.LENGTH || size > PerfEventHeaderDescriptor.MAX_RECORD_LENGTH) {
            throw new IllegalArgumentException("record size=" + size + " outside " + PerfEventHeaderDescriptor.LENGTH
                    + ".." + PerfEventHeaderDescriptor.MAX_RECORD_LENGTH);
        }
        byte[] rec = new byte[size];
        header(MemorySegment.ofArray(rec), 0, type, misc, size);
        return rec;
    }

    /**
     * The raw size the kernel writes for a tracepoint record of {@code rawLength} bytes: it pads the raw data
     * with zeros so that the sample, {@code u32 size} included, ends on 8 bytes, and counts the padding.
     *
     * @param rawLength bytes of the tracepoint's record
     * @return {@code rawLength} rounded up so that {@code RAW_OFFSET + size} is a multiple of 8
     */
    public static int paddedRawSize(int rawLength) {
        return ((RAW_OFFSET + rawLength + ALIGNMENT - 1) & -ALIGNMENT) - RAW_OFFSET;
    }

    /**
     * A tracepoint record of {@code format}'s fixed size padded as the kernel pads it
     * ({@link #paddedRawSize}), zero but for {@code common_type}, which names the format.
     *
     * @param format the tracepoint's format; it must have a {@code common_type} field
     * @return the raw bytes
     */
    public static byte[] raw(EventFormat format) {
        return raw(format, (int) format.id());
    }

    /**
     * A tracepoint record of {@code format}'s fixed size padded as the kernel pads it, zero but for
     * {@code common_type}.
     *
     * @param format     the layout; it must have a {@code common_type} field
     * @param commonType the value of {@code common_type} (the tracepoint id)
     * @return the raw bytes
     */
    public static byte[] raw(EventFormat format, int commonType) {
        return raw(format, commonType, paddedRawSize(format.fixedSize()));
    }

    /**
     * A tracepoint record of {@code length} bytes, zero but for {@code common_type}, written where and as
     * wide as {@code format} has it (1, 2 or 4 bytes).
     *
     * @param format     the layout; it must have a {@code common_type} field
     * @param commonType the value of {@code common_type}, its low bytes if the field is narrower
     * @param length     bytes, at least up to the end of {@code common_type}
     * @return the raw bytes
     * @throws IllegalArgumentException if the format has no {@code common_type} or {@code length} cuts it
     */
    public static byte[] raw(EventFormat format, int commonType, int length) {
        Field type = format.field("common_type");
        if (type == null || length < type.offset() + type.size()) {
            throw new IllegalArgumentException(format.fullName() + ": no common_type field within " + length
                    + " bytes");
        }
        byte[] raw = new byte[length];
        MemorySegment r = MemorySegment.ofArray(raw);
        switch (type.size()) {
            case 1 -> r.set(ValueLayout.JAVA_BYTE, type.offset(), (byte) commonType);
            case 2 -> r.set(U16, type.offset(), (short) commonType);
            case 4 -> r.set(I32, type.offset(), commonType);
            default -> throw new IllegalArgumentException(format.fullName() + ": common_type of " + type.size()
                    + " bytes");
        }
        return raw;
    }

    /**
     * A {@code PERF_RECORD_SAMPLE} of {@link PerfSampleDescriptor#SAMPLE_TYPE} as the kernel writes it:
     * {@code misc} 0, the raw data zero-padded and its size counting the padding ({@link #paddedRawSize}).
     *
     * @param pid  {@code pid}
     * @param tid  {@code tid}
     * @param time {@code time}
     * @param cpu  {@code cpu} ({@code res} is 0)
     * @param raw  the tracepoint's record
     * @return the image
     */
    public static byte[] sample(int pid, int tid, long time, int cpu, byte[] raw) {
        return sample(0, pid, tid, time, cpu, raw, paddedRawSize(raw.length));
    }

    /**
     * A {@code PERF_RECORD_SAMPLE} of {@link PerfSampleDescriptor#SAMPLE_TYPE} with every field given: the
     * record holds {@code raw} and zeros up to the next multiple of 8, and its {@code u32 size} reads
     * {@code rawSize} whatever that is (a test may lie).
     *
     * @param misc    {@code header.misc}, for instance {@link PerfEventHeaderDescriptor#PERF_RECORD_MISC_KERNEL}
     * @param pid     {@code pid}
     * @param tid     {@code tid}
     * @param time    {@code time}
     * @param cpu     {@code cpu} ({@code res} is 0)
     * @param raw     the tracepoint's record
     * @param rawSize the raw size field
     * @return the image
     */
    public static byte[] sample(int misc, int pid, int tid, long time, int cpu, byte[] raw, int rawSize) {
        byte[] rec = record(PerfRecordType.PERF_RECORD_SAMPLE, misc, RAW_OFFSET + paddedRawSize(raw.length));
        MemorySegment r = MemorySegment.ofArray(rec);
        r.set(I32, PerfSampleDescriptor.PID_OFFSET, pid);
        r.set(I32, PerfSampleDescriptor.TID_OFFSET, tid);
        r.set(I64, PerfSampleDescriptor.TIME_OFFSET, time);
        r.set(I32, PerfSampleDescriptor.CPU_OFFSET, cpu);
        r.set(I32, PerfSampleDescriptor.RAW_SIZE_OFFSET, rawSize);
        System.arraycopy(raw, 0, rec, RAW_OFFSET, raw.length);
        return rec;
    }

    /**
     * A {@code PERF_RECORD_LOST}.
     *
     * @param id    the id of the event whose samples were lost
     * @param count how many
     * @return the image, {@link PerfSideRecordDescriptor#LOST_LENGTH} bytes
     */
    public static byte[] lost(long id, long count) {
        byte[] rec = record(PerfRecordType.PERF_RECORD_LOST, 0, PerfSideRecordDescriptor.LOST_LENGTH);
        MemorySegment r = MemorySegment.ofArray(rec);
        r.set(I64, PerfSideRecordDescriptor.LOST_ID_OFFSET, id);
        r.set(I64, PerfSideRecordDescriptor.LOST_LOST_OFFSET, count);
        return rec;
    }

    /**
     * A {@code PERF_RECORD_THROTTLE}.
     *
     * @param time     {@code time}
     * @param id       {@code id}
     * @param streamId {@code stream_id}
     * @return the image, {@link PerfSideRecordDescriptor#THROTTLE_LENGTH} bytes
     */
    public static byte[] throttle(long time, long id, long streamId) {
        byte[] rec = record(PerfRecordType.PERF_RECORD_THROTTLE, 0, PerfSideRecordDescriptor.THROTTLE_LENGTH);
        MemorySegment r = MemorySegment.ofArray(rec);
        r.set(I64, PerfSideRecordDescriptor.THROTTLE_TIME_OFFSET, time);
        r.set(I64, PerfSideRecordDescriptor.THROTTLE_ID_OFFSET, id);
        r.set(I64, PerfSideRecordDescriptor.THROTTLE_STREAM_ID_OFFSET, streamId);
        return rec;
    }

    /**
     * A {@code PERF_RECORD_COMM}: the name in UTF-8, NUL-terminated and zero-padded to 8 bytes.
     *
     * @param pid  {@code pid}
     * @param tid  {@code tid}
     * @param comm the task's name
     * @param exec whether an {@code exec} set it ({@link PerfSideRecordDescriptor#PERF_RECORD_MISC_COMM_EXEC})
     * @return the image, {@link PerfSideRecordDescriptor#commLength} bytes
     */
    public static byte[] comm(int pid, int tid, String comm, boolean exec) {
        byte[] name = comm.getBytes(StandardCharsets.UTF_8);
        int misc = exec ? PerfSideRecordDescriptor.PERF_RECORD_MISC_COMM_EXEC : 0;
        byte[] rec = record(PerfRecordType.PERF_RECORD_COMM, misc, PerfSideRecordDescriptor.commLength(name.length));
        MemorySegment r = MemorySegment.ofArray(rec);
        r.set(I32, PerfSideRecordDescriptor.COMM_PID_OFFSET, pid);
        r.set(I32, PerfSideRecordDescriptor.COMM_TID_OFFSET, tid);
        System.arraycopy(name, 0, rec, PerfSideRecordDescriptor.COMM_COMM_OFFSET, name.length);
        return rec;
    }

    /**
     * A {@code PERF_RECORD_FORK}.
     *
     * @param pid  {@code pid}
     * @param ppid {@code ppid}
     * @param tid  {@code tid}
     * @param ptid {@code ptid}
     * @param time {@code time}
     * @return the image, {@link PerfSideRecordDescriptor#TASK_LENGTH} bytes
     */
    public static byte[] fork(int pid, int ppid, int tid, int ptid, long time) {
        return task(PerfRecordType.PERF_RECORD_FORK, pid, ppid, tid, ptid, time);
    }

    /**
     * A {@code PERF_RECORD_EXIT}.
     *
     * @param pid  {@code pid}
     * @param ppid {@code ppid}
     * @param tid  {@code tid}
     * @param ptid {@code ptid}
     * @param time {@code time}
     * @return the image, {@link PerfSideRecordDescriptor#TASK_LENGTH} bytes
     */
    public static byte[] exit(int pid, int ppid, int tid, int ptid, long time) {
        return task(PerfRecordType.PERF_RECORD_EXIT, pid, ppid, tid, ptid, time);
    }

    private static byte[] task(int type, int pid, int ppid, int tid, int ptid, long time) {
        byte[] rec = record(type, 0, PerfSideRecordDescriptor.TASK_LENGTH);
        MemorySegment r = MemorySegment.ofArray(rec);
        r.set(I32, PerfSideRecordDescriptor.TASK_PID_OFFSET, pid);
        r.set(I32, PerfSideRecordDescriptor.TASK_PPID_OFFSET, ppid);
        r.set(I32, PerfSideRecordDescriptor.TASK_TID_OFFSET, tid);
        r.set(I32, PerfSideRecordDescriptor.TASK_PTID_OFFSET, ptid);
        r.set(I64, PerfSideRecordDescriptor.TASK_TIME_OFFSET, time);
        return rec;
    }

    /**
     * A copy of a record other than a sample with the {@code struct sample_id} the kernel appends under
     * {@code sample_id_all} for {@link PerfSampleDescriptor#SAMPLE_TYPE} ({@code u32 pid, tid; u64 time; u32 cpu,
     * res;}), and {@code header.size} counting it.
     *
     * @param record a record image, such as {@link #comm}, {@link #fork}, {@link #exit} or {@link #lost}
     * @param pid    {@code pid}
     * @param tid    {@code tid}
     * @param time   {@code time}
     * @param cpu    {@code cpu} ({@code res} is 0)
     * @return the longer image
     */
    public static byte[] withSampleId(byte[] record, int pid, int tid, long time, int cpu) {
        int length = record.length + PerfSideRecordDescriptor.SAMPLE_ID_LENGTH;
        byte[] rec = java.util.Arrays.copyOf(record, length);
        MemorySegment r = MemorySegment.ofArray(rec);
        int at = record.length;
        r.set(I32, at, pid);
        r.set(I32, at + 4, tid);
        r.set(I64, at + PerfSideRecordDescriptor.SAMPLE_ID_TIME_OFFSET, time);
        r.set(I32, at + 16, cpu);
        r.set(U16, PerfEventHeaderDescriptor.SIZE_OFFSET, (short) length);
        return rec;
    }

    // ---- ring images ---------------------------------------------------------------------------------------

    /**
     * @param records the records, in order
     * @param count   how many to take
     * @return {@code count} records: {@code records} over and over (the same arrays)
     */
    public static List<byte[]> cycle(List<byte[]> records, int count) {
        if (records.isEmpty() && count > 0) {
            throw new IllegalArgumentException("no records to cycle through");
        }
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(records.get(i % records.size()));
        }
        return out;
    }

    /**
     * @param records the records, in order
     * @return the records one after the other, as they lie in a ring
     */
    public static byte[] image(List<byte[]> records) {
        int length = 0;
        for (byte[] rec : records) {
            length += rec.length;
        }
        byte[] image = new byte[length];
        int at = 0;
        for (byte[] rec : records) {
            System.arraycopy(rec, 0, image, at, rec.length);
            at += rec.length;
        }
        return image;
    }

    /**
     * @param records the records, in order
     * @return the records one after the other, as they lie in a ring
     */
    public static byte[] image(byte[]... records) {
        return image(List.of(records));
    }

    /**
     * Writes {@code image} into a data area at the free-running position {@code position}, as the kernel
     * does: from {@code position & (capacity - 1)} on, wrapping byte-wise at the end without padding.
     *
     * @param data     the data area, a power of two in size
     * @param position where the first byte goes, as {@code data_head} counts
     * @param image    the records
     * @return {@code position + image.length}: the position after the last byte
     * @throws IllegalArgumentException if {@code image} is larger than the data area
     */
    public static long write(MemorySegment data, long position, byte[] image) {
        return write(data, position, MemorySegment.ofArray(image), image.length);
    }

    /**
     * Writes the first {@code length} bytes of {@code bytes} into a data area at the free-running position
     * {@code position}, wrapping at its end ({@link #write(MemorySegment, long, byte[])}).
     *
     * @param data     the data area, a power of two in size
     * @param position where the first byte goes
     * @param bytes    the records
     * @param length   how many bytes of them
     * @return {@code position + length}
     * @throws IllegalArgumentException if {@code length} is larger than the data area
     */
    public static long write(MemorySegment data, long position, MemorySegment bytes, long length) {
        long capacity = data.byteSize();
        PerfMmapPageDescriptor.checkCapacity(capacity);
        if (length < 0 || length > capacity) {
            throw new IllegalArgumentException(length + " bytes do not fit a data area of " + capacity);
        }
        long offset = position & (capacity - 1);
        long first = Math.min(length, capacity - offset);
        MemorySegment.copy(bytes, 0, data, offset, first);
        if (first < length) {
            MemorySegment.copy(bytes, first, data, 0, length - first);
        }
        return position + length;
    }

    // ---- the metadata page ---------------------------------------------------------------------------------

    /**
     * Publishes {@code data_head} as the kernel does ({@code perf_output_put_handle}: {@code smp_wmb}, then
     * the store): a release store, so a reader that sees the head sees the records before it.
     *
     * @param metadataPage the {@code perf_event_mmap_page} image, 8-aligned
     * @param head         the new {@code data_head}
     */
    public static void setDataHead(MemorySegment metadataPage, long head) {
        U64.setRelease(metadataPage, (long) PerfMmapPageDescriptor.DATA_HEAD_OFFSET, head);
    }

    /**
     * Stores {@code data_tail} as a reader does: a release store.
     *
     * @param metadataPage the {@code perf_event_mmap_page} image, 8-aligned
     * @param tail         the new {@code data_tail}
     */
    public static void setDataTail(MemorySegment metadataPage, long tail) {
        U64.setRelease(metadataPage, (long) PerfMmapPageDescriptor.DATA_TAIL_OFFSET, tail);
    }

    /**
     * @param metadataPage the {@code perf_event_mmap_page} image, 8-aligned
     * @return {@code data_head}, read with acquire semantics
     */
    public static long dataHead(MemorySegment metadataPage) {
        return (long) U64.getAcquire(metadataPage, (long) PerfMmapPageDescriptor.DATA_HEAD_OFFSET);
    }

    /**
     * @param metadataPage the {@code perf_event_mmap_page} image, 8-aligned
     * @return {@code data_tail}, read with acquire semantics (as the kernel reads it)
     */
    public static long dataTail(MemorySegment metadataPage) {
        return (long) U64.getAcquire(metadataPage, (long) PerfMmapPageDescriptor.DATA_TAIL_OFFSET);
    }

    /**
     * Makes a ring of {@code [tail, head)} drainable: {@code data_tail} then {@code data_head}.
     *
     * @param metadataPage the {@code perf_event_mmap_page} image, 8-aligned
     * @param tail         the new {@code data_tail}
     * @param head         the new {@code data_head}
     */
    public static void publish(MemorySegment metadataPage, long tail, long head) {
        setDataTail(metadataPage, tail);
        setDataHead(metadataPage, head);
    }
}
