package dev.tracepoint.bench;

import dev.tracepoint.core.internal.ring.RecordHandler;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-JVM equivalents of {@code ../shared/bench}'s C decodebench loops, on the same 88-byte
 * signal_generate records the library's dispatch benchmarks use: the ratio of {@link DispatchBench} to these
 * is the cost of the library's abstractions, and these against the C loop the cost of the JVM. Per record:
 * read {@code header.size} and {@code header.type}, check {@code common_type}, read the {@code sig} field
 * and add it up.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 6, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 30, time = 100, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class BaselineBench {

    static final int LINEAR_RECORDS = 1_000_000;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final int RAW = 36;

    Arena arena;
    MemorySegment linear;
    SyntheticRing ring;
    MemorySegment wrapBuf;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        byte[][] recs = new byte[8][];
        for (int i = 0; i < 8; i++) {
            recs[i] = SyntheticRing.signalGenerate(i);
        }
        int size = recs[0].length;
        linear = arena.allocate((long) LINEAR_RECORDS * size, 4096);
        for (int i = 0; i < LINEAR_RECORDS; i++) {
            MemorySegment.copy(MemorySegment.ofArray(recs[i & 7]), 0, linear, (long) i * size, size);
        }
        ring = new SyntheticRing(DispatchBench.CAPACITY).fill(DispatchBench.CAPACITY - 40, DispatchBench.BATCH, recs);
        wrapBuf = arena.allocate(1 << 16, 8);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ring.close();
        arena.close();
    }

    /** decodebench {@code linear-field}: records back to back in one big buffer (streams from memory). */
    @Benchmark
    @OperationsPerInvocation(LINEAR_RECORDS)
    public long linearField() {
        MemorySegment buf = linear;
        long sum = 0;
        long bad = 0;
        long off = 0;
        for (int i = 0; i < LINEAR_RECORDS; i++) {
            int type = buf.get(I32, off);
            int size = Short.toUnsignedInt(buf.get(I16, off + 6));
            if (type == 9) {
                bad += buf.get(I16, off + RAW) != SyntheticRing.SIGNAL_GENERATE_ID ? 1 : 0;
                sum += buf.get(I32, off + RAW + 8);
            }
            off += size;
        }
        return sum + bad;
    }

    /**
     * decodebench {@code ring-field}: one lap of the 512 KiB ring with masking and a copy of the record that
     * crosses the end, no head/tail protocol and no dispatch.
     */
    @Benchmark
    @OperationsPerInvocation(DispatchBench.BATCH)
    public long ringField() {
        MemorySegment data = ring.data;
        long cap = ring.capacity;
        long mask = cap - 1;
        long tail = ring.start;
        long sum = 0;
        long bad = 0;
        for (int i = 0; i < DispatchBench.BATCH; i++) {
            long off = tail & mask;
            int size = Short.toUnsignedInt(data.get(I16, off + 6));
            MemorySegment seg = data;
            long at = off;
            if (off + size > cap) {
                long first = cap - off;
                MemorySegment.copy(data, off, wrapBuf, 0, first);
                MemorySegment.copy(data, 0, wrapBuf, first, size - first);
                seg = wrapBuf;
                at = 0;
            }
            if (seg.get(I32, at) == 9) {
                bad += seg.get(I16, at + RAW) != SyntheticRing.SIGNAL_GENERATE_ID ? 1 : 0;
                sum += seg.get(I32, at + RAW + 8);
            }
            tail += size;
        }
        return sum + bad;
    }

    /** The library's {@code PerfRing.drain} alone (acquire head, walk, wrap copy, release tail), no decoding. */
    @Benchmark
    @OperationsPerInvocation(DispatchBench.BATCH)
    public long ringDrainOnly(Handler h) {
        ring.rewind();
        ring.ring.drain(h, Integer.MAX_VALUE);
        return h.sum;
    }

    /** A record handler that only adds up the sizes. */
    @State(Scope.Thread)
    public static class Handler implements RecordHandler {
        long sum;

        @Override
        public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
            sum += size;
        }

        @Override
        public void onCorruption(int cpu, String problem, long skippedBytes) {
            throw new AssertionError(problem);
        }
    }
}
