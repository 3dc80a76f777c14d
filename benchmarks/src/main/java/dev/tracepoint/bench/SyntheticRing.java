package dev.tracepoint.bench;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.perf.PerfEventHeaderDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;
import dev.tracepoint.core.internal.ring.RecordImages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A perf ring in native memory (a {@code perf_event_mmap_page} image and a 2^n data area) holding sample
 * records laid out exactly as the kernel writes them for the library's sample type
 * ({@code TID | TIME | CPU | RAW}): header 8, pid/tid 8, time 8, cpu/res 8, raw size 4,
 * raw bytes padded so that the record is a multiple of 8 (written by the core's {@link RecordImages}). The
 * raw payloads follow the formats of the 6.18 kernel this project was measured on (captured in
 * {@code formats/}).
 *
 * <p>The ring is filled once; each benchmark operation rewinds {@code data_tail} and republishes
 * {@code data_head}, so the real {@link PerfRing#drain} walks the same bytes every time, like a consumer
 * woken at the watermark.
 */
final class SyntheticRing implements AutoCloseable {

    static final int SIGNAL_GENERATE_ID = 261;
    static final int KFREE_SKB_ID = 2310;
    static final int SCHED_PROCESS_EXEC_ID = 365;

    private final Arena arena = Arena.ofShared();
    final MemorySegment meta;
    final MemorySegment data;
    final PerfRing ring;
    final long capacity;
    long start;
    long end;
    int records;

    SyntheticRing(long capacity) {
        this(capacity, 0);
    }

    /** A ring of CPU {@code cpu}. */
    SyntheticRing(long capacity, int cpu) {
        this.capacity = capacity;
        this.meta = arena.allocate(4096, 4096);
        this.data = arena.allocate(capacity, 4096);
        this.ring = new PerfRing(cpu, meta, data);
    }

    /**
     * Writes {@code count} records from position {@code start} on, cycling through {@code recs}, wrapping at
     * the end of the data area as the kernel does (no padding).
     */
    SyntheticRing fill(long start, int count, byte[]... recs) {
        byte[] image = RecordImages.image(RecordImages.cycle(List.of(recs), count));
        if (image.length > capacity) {
            throw new IllegalArgumentException("ring of " + capacity + " bytes holds fewer than " + count + " records");
        }
        this.start = start;
        this.end = RecordImages.write(data, start, image);
        this.records = count;
        return this;
    }

    /** Publishes the filled records again: tail back to the start, head at the end. */
    void rewind() {
        RecordImages.setDataHead(meta, end);
        ring.dataTailRelease(start);
    }

    @Override
    public void close() {
        ring.close();
        arena.close();
    }

    // ------------------------------------------------------------------ records

    /**
     * A {@code PERF_RECORD_SAMPLE} record around {@code raw}, taken in the kernel; the kernel pads raw so the
     * record stays 8-aligned, and counts the padding in the raw size.
     */
    static byte[] sample(int pid, int tid, long time, int cpu, byte[] raw) {
        return RecordImages.sample(PerfEventHeaderDescriptor.PERF_RECORD_MISC_KERNEL, pid, tid, time, cpu, raw,
                RecordImages.paddedRawSize(raw.length));
    }

    /** {@code signal:signal_generate} as sigload produces it: kill(self, SIGUSR1) with SIGUSR1 ignored. */
    static byte[] signalGenerate(int i) {
        byte[] raw = new byte[48];
        MemorySegment s = MemorySegment.ofArray(raw);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) SIGNAL_GENERATE_ID);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 4242); // common_pid
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 8, 10 + (i & 3)); // sig
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 12, 0); // errno
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 16, 0); // code (SI_USER)
        byte[] comm = "sigload".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(comm, 0, raw, 20, comm.length); // comm[16]
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 36, 4242 + (i & 7)); // pid
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 40, 0); // group
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 44, 1); // result: TRACE_SIGNAL_IGNORED
        return sample(4242, 4242, 1_000_000_000L + 250L * i, i & 1, raw);
    }

    /** {@code skb:kfree_skb} as skbload produces it: a UDP datagram to a closed port, reason NO_SOCKET. */
    static byte[] kfreeSkb(int i) {
        byte[] raw = new byte[40];
        MemorySegment s = MemorySegment.ofArray(raw);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) KFREE_SKB_ID);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 4343);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0xffff_8880_0123_4500L + 256L * i); // skbaddr
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, 0xffff_ffff_81a2_b3c4L); // location
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 24, 0L); // rx_sk
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 32, (short) 0x0800); // protocol ETH_P_IP
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 36, 3); // reason NO_SOCKET
        return sample(4343, 4343, 2_000_000_000L + 4500L * i, i & 1, raw);
    }

    /** {@code sched:sched_process_exec}: a {@code __data_loc char[] filename} after the fixed part. */
    static byte[] schedProcessExec(int i) {
        byte[] name = "/usr/bin/true\0".getBytes(StandardCharsets.US_ASCII);
        byte[] raw = new byte[20 + name.length];
        MemorySegment s = MemorySegment.ofArray(raw);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) SCHED_PROCESS_EXEC_ID);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 5000 + i);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 8, (name.length << 16) | 20); // __data_loc: length << 16 | offset
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 12, 5000 + i); // pid
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 16, 5000 + i); // old_pid
        System.arraycopy(name, 0, raw, 20, name.length);
        return sample(5000 + i, 5000 + i, 3_000_000_000L + i, i & 1, raw);
    }

    // ------------------------------------------------------------------ formats

    static EventFormat format(String system, String name) {
        String res = "/formats/" + name;
        try (InputStream in = SyntheticRing.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + res);
            }
            return FormatParser.parse(res, system, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (FormatException e) {
            throw new IllegalStateException(e);
        }
    }
}
