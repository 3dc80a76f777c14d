package dev.tracepoint.core.internal.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@code perf_event_mmap_page} image and data area in native memory written the way the kernel writes an
 * overwrite-mode ({@code write_backward}) ring: each record is reserved below the head
 * ({@code head -= size}) and written there upwards, wrapping byte-wise at the end of the data area, over
 * whatever older bytes were there; then {@code data_head} is published. The bytes are written by
 * {@link RecordImages}.
 */
public final class BackwardImage implements AutoCloseable {

    private final Arena arena = Arena.ofShared();
    /** The metadata page. */
    public final MemorySegment meta;
    /** The data area. */
    public final MemorySegment data;
    /** The writer's position: the newest record's start, as {@code data_head} counts (starts at 0, goes down). */
    public long head;

    /** @param capacity the data area's size, a power of two */
    public BackwardImage(long capacity) {
        this(capacity, 0);
    }

    /**
     * @param capacity the data area's size, a power of two
     * @param start    the initial {@code data_head} (a kernel starts at 0; another value places records anywhere)
     */
    public BackwardImage(long capacity, long start) {
        meta = arena.allocate(4096, 4096);
        data = arena.allocate(capacity, 4096);
        head = start;
        publish();
    }

    /** @return a reader of this image */
    public BackwardRing ring(int cpu) {
        return new BackwardRing(cpu, meta, data);
    }

    /**
     * Writes records as the kernel writes one reservation (a LOST record and the sample written with it are
     * one reservation: {@code write(lost, sample)}); does not publish.
     *
     * @param records the records of the reservation, lowest address first
     */
    public void write(byte[]... records) {
        byte[] block = RecordImages.image(records);
        head -= block.length;
        RecordImages.write(data, head, block);
    }

    /** Publishes {@code data_head}. */
    public void publish() {
        RecordImages.setDataHead(meta, head);
    }

    @Override
    public void close() {
        arena.close();
    }
}
