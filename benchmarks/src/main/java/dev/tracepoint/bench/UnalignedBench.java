package dev.tracepoint.bench;

import dev.tracepoint.core.decode.EventBinding;
import dev.tracepoint.core.decode.EventReader;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.decode.TracepointEvent;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
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
 * The same three fields (a {@code u16}, an {@code s32}, a {@code u64}) decoded from a tracepoint-like aligned
 * layout (offsets 16, 20, 24) and from the packed layout a uprobe's fetch arguments get (a {@code u8} first,
 * then 17, 19, 23: the kernel does not align probe fields), through {@link EventView} and through a typed
 * interface. The decoder has one read path for both (unaligned-capable layouts, which on x86-64 and arm64 are
 * plain loads), so the aligned figures are those of the decoder before probes existed; the raw loops beside
 * them are the floor: a hand-written read with the alignment-checked layouts an aligned-only decoder would use,
 * with the unaligned layouts at the same offsets, and at the packed offsets. Per op: move to one record, read
 * the three fields, add them up; 1024 records of 40 bytes in a native segment, values varying per record.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class UnalignedBench {

    static final int RECORDS = 1024;
    static final int STRIDE = 40;

    static final String COMMON = """
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
            \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            \tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;
            """;
    /** As a tracepoint's struct lays the fields out: each at its natural alignment. */
    static final String ALIGNED = "name: aligned\nID: 7001\n" + COMMON + """
            \tfield:u16 a;\toffset:16;\tsize:2;\tsigned:0;
            \tfield:s32 c;\toffset:20;\tsize:4;\tsigned:1;
            \tfield:u64 d;\toffset:24;\tsize:8;\tsigned:0;

            print fmt: "(%lx) a=%u c=%d d=%Lu", REC->__probe_ip, REC->a, REC->c, REC->d
            """;
    /** As the kernel lays out {@code x=+0(%di):u8 a=+2(%di):u16 c=+4(%di):s32 d=+8(%di):u64}: packed. */
    static final String PACKED = "name: packed\nID: 7002\n" + COMMON + """
            \tfield:u8 x;\toffset:16;\tsize:1;\tsigned:0;
            \tfield:u16 a;\toffset:17;\tsize:2;\tsigned:0;
            \tfield:s32 c;\toffset:19;\tsize:4;\tsigned:1;
            \tfield:u64 d;\toffset:23;\tsize:8;\tsigned:0;

            print fmt: "(%lx) x=%u a=%u c=%d d=%Lu", REC->__probe_ip, REC->x, REC->a, REC->c, REC->d
            """;

    /** The fields as a typed interface; the same interface binds to both layouts. */
    public interface Fields extends TracepointEvent {
        int a();

        int c();

        long d();
    }

    /** One layout: its records, its fields, and a view with a typed flyweight over it. */
    @State(Scope.Thread)
    public abstract static class Layout {
        Arena arena;
        MemorySegment records;
        EventFormat format;
        Field a;
        Field c;
        Field d;
        int offA;
        int offC;
        int offD;
        final EventReader reader = new EventReader();
        Fields typed;

        abstract String text();

        @Setup(Level.Trial)
        public void setUp() throws FormatException {
            format = FormatParser.parse("bench/" + text().substring(6, text().indexOf('\n')) + "/format", "bench",
                    text().getBytes(StandardCharsets.UTF_8));
            a = format.requireField("a");
            c = format.requireField("c");
            d = format.requireField("d");
            offA = a.offset();
            offC = c.offset();
            offD = d.offset();
            arena = Arena.ofShared();
            records = arena.allocate((long) RECORDS * STRIDE, 64);
            for (int i = 0; i < RECORDS; i++) {
                long r = (long) i * STRIDE;
                records.set(ValueLayout.JAVA_SHORT_UNALIGNED, r, (short) format.id());
                records.set(ValueLayout.JAVA_SHORT_UNALIGNED, r + offA, (short) (40_000 + i));
                records.set(ValueLayout.JAVA_INT_UNALIGNED, r + offC, -70_000 * i);
                records.set(ValueLayout.JAVA_LONG_UNALIGNED, r + offD, 0x1122_3344_5566_7788L + i);
            }
            typed = EventBinding.of(Fields.class, format).attach(reader.view());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** The tracepoint-like layout. */
    @State(Scope.Thread)
    public static class Aligned extends Layout {
        @Override
        String text() {
            return ALIGNED;
        }
    }

    /** The probe-like layout. */
    @State(Scope.Thread)
    public static class Packed extends Layout {
        @Override
        String text() {
            return PACKED;
        }
    }

    static long view(Layout l) {
        EventReader reader = l.reader;
        long sum = 0;
        for (int i = 0; i < RECORDS; i++) {
            EventView v = reader.read(l.format, l.records, (long) i * STRIDE, STRIDE);
            sum += v.getLong(l.a) + v.getLong(l.c) + v.getLong(l.d);
        }
        return sum;
    }

    static long typed(Layout l) {
        EventReader reader = l.reader;
        Fields t = l.typed;
        long sum = 0;
        for (int i = 0; i < RECORDS; i++) {
            reader.read(l.format, l.records, (long) i * STRIDE, STRIDE);
            sum += t.a() + t.c() + t.d();
        }
        return sum;
    }

    // The raw loops are written out each with its layouts as constants: a layout passed as an argument makes
    // every get() a generic var-handle call.
    private static final ValueLayout.OfShort A16 = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfInt A32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong A64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    /** EventView on the aligned layout. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long viewAligned(Aligned l) {
        return view(l);
    }

    /** EventView on the packed layout. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long viewPacked(Packed l) {
        return view(l);
    }

    /** The typed interface on the aligned layout. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long typedAligned(Aligned l) {
        return typed(l);
    }

    /** The typed interface on the packed layout. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long typedPacked(Packed l) {
        return typed(l);
    }

    /** Hand-written, with the alignment-checked layouts an aligned-only decoder would use. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long rawAlignedLayouts(Aligned l) {
        MemorySegment s = l.records;
        int offA = l.offA;
        int offC = l.offC;
        int offD = l.offD;
        long sum = 0;
        for (int i = 0; i < RECORDS; i++) {
            long r = (long) i * STRIDE;
            sum += (s.get(A16, r + offA) & 0xffff) + s.get(A32, r + offC) + s.get(A64, r + offD);
        }
        return sum;
    }

    /** Hand-written, with the unaligned layouts the decoder uses, at the aligned offsets. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long rawUnalignedLayoutsAligned(Aligned l) {
        return rawUnaligned(l);
    }

    /** Hand-written, with the unaligned layouts, at the packed offsets. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long rawUnalignedLayoutsPacked(Packed l) {
        return rawUnaligned(l);
    }

    private static long rawUnaligned(Layout l) {
        MemorySegment s = l.records;
        int offA = l.offA;
        int offC = l.offC;
        int offD = l.offD;
        long sum = 0;
        for (int i = 0; i < RECORDS; i++) {
            long r = (long) i * STRIDE;
            sum += (s.get(U16, r + offA) & 0xffff) + s.get(U32, r + offC) + s.get(U64, r + offD);
        }
        return sum;
    }
}
