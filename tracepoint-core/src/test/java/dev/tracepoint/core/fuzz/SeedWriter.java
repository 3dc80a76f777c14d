package dev.tracepoint.core.fuzz;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FieldKind;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.ring.RecordImages;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the committed seed inputs of the fuzz targets (run once from the module directory, with the test
 * class path; the files are committed):
 * {@code java -cp target/classes:target/test-classes:... dev.tracepoint.core.fuzz.SeedWriter src/test/resources}.
 * The parser's seeds are a cross-section of the format corpus; the ring's are well-formed and broken rings
 * in {@link FuzzChecks#ring} layout, and so are the two walks' ({@link FuzzChecks#walks}), with every kind
 * of record, wraps at every split and every kind of corruption; the decoder's are well-formed samples of
 * each layout.
 */
public final class SeedWriter {

    private SeedWriter() {
    }

    public static void main(String[] args) throws IOException {
        Path resources = Path.of(args.length > 0 ? args[0] : "src/test/resources");
        Path base = resources.resolve("dev/tracepoint/core/fuzz");
        Path corpus = Path.of(System.getProperty("tracepoint.corpus", "../testdata/corpus"));
        writeParserSeeds(corpus, base.resolve("FormatParserFuzzTestInputs/parse"));
        writeRingSeeds(base.resolve("PerfRingFuzzTestInputs/drain"));
        writeWalkSeeds(base.resolve("RingWalksFuzzTestInputs/walks"));
        writeDecoderSeeds(base.resolve("EventViewFuzzTestInputs/decode"));
    }

    static void writeParserSeeds(Path corpus, Path out) throws IOException {
        Files.createDirectories(out);
        List<Path> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".md")).sorted().toList();
        }
        int kernel = 0;
        for (Path p : files) {
            String rel = corpus.relativize(p).toString();
            // every adversarial, found and reconstructed file; every 40th real 6.18 file (a cross-section)
            if (rel.startsWith("kernel-6.18") && kernel++ % 40 != 0 && !rel.contains("header_")) {
                continue;
            }
            Files.write(out.resolve("seed-" + rel.replace('/', '_')), Files.readAllBytes(p));
        }
    }

    // ---------------------------------------------------------------------------------------- ring

    /** A ring input: capacity index, mode, tail, head, limit, data. */
    static byte[] ringInput(int capacityIndex, int mode, long tail, long head, int limit, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(19 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) capacityIndex).put((byte) mode).putLong(tail).putLong(head).put((byte) limit).put(data);
        return b.array();
    }

    /** Records written the kernel's way ({@link RecordImages}) into a data area of {@code capacity} bytes. */
    static final class Writer {
        final byte[] data;
        long head;

        Writer(int capacity, long start) {
            this.data = new byte[capacity];
            this.head = start;
        }

        void put(byte[] record) {
            head = RecordImages.write(MemorySegment.ofArray(data), head, record);
        }
    }

    /** A PERF_RECORD_SAMPLE in the Dispatcher's layout, {@code raw} padded as the kernel pads it. */
    static byte[] sample(byte[] raw) {
        return RecordImages.sample(100, 101, 123456789L, 0, raw);
    }

    /** A PERF_RECORD_SAMPLE whose raw record has the given {@code common_type} and no more. */
    static byte[] sampleOfType(int commonType) {
        byte[] raw = new byte[8];
        raw[0] = (byte) commonType;
        raw[1] = (byte) (commonType >>> 8);
        return sample(raw);
    }

    /** A record of any type: the header, then {@code body}. */
    static byte[] record(int type, byte[] body) {
        byte[] r = RecordImages.record(type, 0, 8 + body.length);
        System.arraycopy(body, 0, r, 8, body.length);
        return r;
    }

    static byte[] comm(int pid, String name) {
        return RecordImages.comm(pid, pid + 1, name, false);
    }

    /** A FORK (type 7) or EXIT (type 4) record of {@code pid}, child of pid 1. */
    static byte[] fork(int type, int pid) {
        return type == PerfRecordType.PERF_RECORD_FORK ? RecordImages.fork(pid, 1, pid, 1, 987654321L)
                : RecordImages.exit(pid, 1, pid, 1, 987654321L);
    }

    static byte[] lost(long n) {
        return RecordImages.lost(7, n);
    }

    static void writeRingSeeds(Path out) throws IOException {
        Files.createDirectories(out);
        EventFormat signal = FuzzChecks.Layouts.SIGNAL;
        EventFormat exec = FuzzChecks.Layouts.EXEC;
        // capacity index i means 8 << i bytes: 7 = 1 KiB, 9 = 4 KiB
        int[][] shapes = {{7, 0}, {7, 1000}, {9, 0}, {9, 4000}, {5, 200}};
        int n = 0;
        for (int[] shape : shapes) {
            int capacity = 8 << shape[0];
            Writer w = new Writer(capacity, shape[1]);
            long start = w.head;
            for (int i = 0; w.head - start < capacity - 200; i++) {
                w.put(i % 3 == 2 ? lost(i) : sample(raw(i % 2 == 0 ? signal : exec, i)));
            }
            for (int limitByte : new int[] {0, 1}) {
                Files.write(out.resolve("seed-ring-" + n++), ringInput(shape[0], 0, start, w.head, limitByte, w.data));
            }
            // the same ring with a corrupted header size, a head behind the tail, a head far ahead
            byte[] broken = w.data.clone();
            broken[(int) ((start + 6) & (capacity - 1))] = 3;
            Files.write(out.resolve("seed-ring-" + n++), ringInput(shape[0], 0, start, w.head, 0, broken));
            Files.write(out.resolve("seed-ring-" + n++), ringInput(shape[0], 0, w.head, start, 0, w.data));
            Files.write(out.resolve("seed-ring-" + n++), ringInput(shape[0], 1, start, 3L * capacity, 0, w.data));
        }
        // a record whose header straddles the end (unaligned tail)
        Writer w = new Writer(256, 252);
        w.put(sample(raw(signal, 1)));
        Files.write(out.resolve("seed-ring-" + n++), ringInput(5, 0, 252, w.head, 0, w.data));
        Files.write(out.resolve("seed-ring-empty"), ringInput(3, 0, 0, 0, 0, new byte[0]));
    }

    /**
     * The two walks' seeds ({@link FuzzChecks#walks}): runs of samples of both layouts with every other
     * record kind between them (lost, comm, fork, exit, throttle, a sample of a tracepoint the stream did not
     * open, one of a bad raw size), started so that one record crosses the ring end at a different split in
     * each, for every batch listener kind; then the same rings broken in every way the ring reports.
     */
    static void writeWalkSeeds(Path out) throws IOException {
        Files.createDirectories(out);
        EventFormat signal = FuzzChecks.Layouts.SIGNAL;
        EventFormat exec = FuzzChecks.Layouts.EXEC;
        int n = 0;
        // capacity index i means 8 << i bytes: 7 = 1 KiB, 9 = 4 KiB
        int[] capacities = {7, 9};
        int[] splits = {8, 16, 48, 96}; // bytes of the first record before the ring end
        for (int ci : capacities) {
            int capacity = 8 << ci;
            for (int si = 0; si < splits.length; si++) {
                long start = 3L * capacity - splits[si];
                Writer w = new Writer(capacity, start);
                long mid = start;
                for (int i = 0; w.head - start < capacity - 160; i++) {
                    if (i == 4) {
                        mid = w.head; // a record in the middle of the run
                    }
                    w.put(switch (i % 11) {
                        case 3 -> lost(i);
                        case 5 -> comm(100 + i, "proc" + i);
                        case 6 -> fork(7, 200 + i);
                        case 7 -> fork(4, 300 + i);
                        case 8 -> record(5, new byte[16]); // THROTTLE: counted as unknown
                        case 9 -> sampleOfType(999); // a tracepoint of no entry
                        default -> sample(raw(i % 2 == 0 ? signal : exec, i));
                    });
                }
                // every listener kind (mode bits 1-2), each with another k / drain limit (byte 18)
                for (int kind = 0; kind < 4; kind++) {
                    int limitByte = (si + kind) % 3 == 0 ? 0 : 1 + kind + si;
                    Files.write(out.resolve("seed-walk-" + n++), ringInput(ci, kind << 1, start, w.head, limitByte, w.data));
                }
                // broken: a bad size at the record that wraps, and at a record in the middle
                byte[] atWrap = w.data.clone();
                atWrap[(int) ((start + 6) & (capacity - 1))] = 12;
                Files.write(out.resolve("seed-walk-" + n++), ringInput(ci, 2, start, w.head, 3, atWrap));
                byte[] middle = w.data.clone();
                middle[(int) ((mid + 6) & (capacity - 1))] = (byte) 0xff; // size beyond what was published
                middle[(int) ((mid + 7) & (capacity - 1))] = (byte) 0x7f;
                // read by a listener that takes every event (so inside a batch) and by one that takes one and throws
                Files.write(out.resolve("seed-walk-" + n++), ringInput(ci, si % 2 == 0 ? 0 : 4, start, w.head, 0, middle));
            }
        }
        // a ring whose every record is a sample, the last one ending exactly at the ring end
        Writer w = new Writer(256, 0);
        w.put(record(5, new byte[8])); // 16 bytes
        w.put(sampleOfType(999)); // 48
        w.put(sample(raw(signal, 1))); // 96
        w.put(sample(raw(signal, 2))); // 96: ends at 256
        if (w.head != 256) {
            throw new IllegalStateException("the records end at " + w.head + ", not at the ring end");
        }
        Files.write(out.resolve("seed-walk-" + n++), ringInput(5, 0, 0, w.head, 0, w.data));
        // a LOST record across the ring end, then a sample
        w = new Writer(256, 256 - 8);
        w.put(lost(5));
        w.put(sample(raw(exec, 2)));
        Files.write(out.resolve("seed-walk-" + n++), ringInput(5, 2, 256 - 8, w.head, 2, w.data));
        // a header that straddles the end (unaligned tail), for the batch listener kinds
        w = new Writer(256, 252);
        w.put(sample(raw(signal, 1)));
        w.put(sample(raw(exec, 1)));
        Files.write(out.resolve("seed-walk-" + n++), ringInput(5, 0, 252, w.head, 0, w.data));
        Files.write(out.resolve("seed-walk-" + n++), ringInput(5, 6, 252, w.head, 1, w.data));
        // a size of 0, a size larger than the data area, a bad raw size, a head behind the tail, a head
        // more than the data area ahead, a head that cuts the last record short
        w = new Writer(1024, 4096 - 40);
        long start = w.head;
        for (int i = 0; i < 8; i++) {
            w.put(sample(raw(i % 2 == 0 ? signal : exec, i)));
        }
        byte[] zero = w.data.clone();
        zero[(int) ((start + 6) & 1023)] = 0;
        zero[(int) ((start + 7) & 1023)] = 0;
        Files.write(out.resolve("seed-walk-" + n++), ringInput(7, 0, start, w.head, 0, zero));
        int second = sample(raw(signal, 0)).length; // where the second record starts
        byte[] huge = w.data.clone();
        huge[(int) ((start + second + 7) & 1023)] = 0x10; // 4096 + ..., past the 1 KiB data area
        Files.write(out.resolve("seed-walk-" + n++), ringInput(7, 2, start, w.head, 0, huge));
        byte[] badRaw = w.data.clone();
        badRaw[(int) ((start + second + 32 + 1) & 1023)] = 0x7f; // raw size far beyond the record
        Files.write(out.resolve("seed-walk-" + n++), ringInput(7, 0, start, w.head, 0, badRaw));
        Files.write(out.resolve("seed-walk-" + n++), ringInput(7, 0, w.head, start, 0, w.data));
        Files.write(out.resolve("seed-walk-" + n++), ringInput(7, 1, start, 3L * 1024, 0, w.data));
        for (int mode : new int[] {0, 2, 4}) { // the cut record inside a batch, and at the start of one
            Files.write(out.resolve("seed-walk-" + n++), ringInput(7, mode, start, w.head - 4, 2, w.data));
        }
        Files.write(out.resolve("seed-walk-empty"), ringInput(3, 0, 0, 0, 0, new byte[0]));
    }

    // ------------------------------------------------------------------------------------- decoder

    /** A well-formed raw sample of {@code format}: fixed part filled, dynamic strings after it. */
    static byte[] raw(EventFormat format, int seed) {
        int fixed = format.fixedSize();
        List<byte[]> tails = new ArrayList<>();
        int tailLength = 0;
        for (Field f : format.fields()) {
            if (f.kind() == FieldKind.DATA_LOC || f.kind() == FieldKind.REL_LOC) {
                byte[] s = ("/usr/bin/x" + seed + "\0").getBytes(StandardCharsets.US_ASCII);
                tails.add(s);
                tailLength += s.length;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(fixed + tailLength + 8).order(ByteOrder.LITTLE_ENDIAN);
        int dyn = fixed;
        int t = 0;
        for (Field f : format.fields()) {
            int off = f.offset();
            switch (f.kind()) {
                case SCALAR, POINTER -> {
                    for (int i = 0; i < f.size(); i++) {
                        b.put(off + i, (byte) (seed + off + i));
                    }
                }
                case ARRAY -> {
                    byte[] s = ("name" + seed).getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < f.size() && i < s.length; i++) {
                        b.put(off + i, s[i]);
                    }
                }
                case DATA_LOC, REL_LOC -> {
                    byte[] s = tails.get(t++);
                    int rel = f.kind() == FieldKind.REL_LOC ? dyn - (off + f.size()) : dyn;
                    if (f.size() == 2) {
                        b.putShort(off, (short) dyn);
                    } else {
                        b.putInt(off, (s.length << 16) | (rel & 0xffff));
                    }
                    b.put(dyn, s);
                    dyn += s.length;
                }
                default -> {
                    // flexible arrays: the bytes after the fixed part
                }
            }
        }
        b.putShort(0, (short) format.id());
        byte[] out = new byte[Math.max(dyn, fixed) + 8];
        b.get(0, out);
        return out;
    }

    static void writeDecoderSeeds(Path out) throws IOException {
        Files.createDirectories(out);
        List<EventFormat> formats = FuzzChecks.Layouts.DECODE;
        for (int i = 0; i < formats.size(); i++) {
            byte[] raw = raw(formats.get(i), i);
            byte[] in = new byte[raw.length + 1];
            in[0] = (byte) i;
            System.arraycopy(raw, 0, in, 1, raw.length);
            Files.write(out.resolve("seed-" + formats.get(i).name()), in);
            // the same sample cut short inside the dynamic part
            Files.write(out.resolve("seed-" + formats.get(i).name() + "-cut"), java.util.Arrays.copyOf(in, Math.max(1, in.length - 9)));
        }
    }
}
