package dev.tracepoint.bench;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.ErrorListener;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.EventBinding;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.internal.dispatch.BatchCursor;
import dev.tracepoint.core.internal.dispatch.Dispatcher;
import dev.tracepoint.core.internal.dispatch.OrderedMerge;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;

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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What ordered delivery costs per record: the same two rings (CPU 0 and CPU 1, {@value #PER_RING} 88-byte
 * {@code signal_generate} samples each, their times interleaved as two busy CPUs write them) drained the
 * plain way, one ring after the other, and through {@link OrderedMerge}, which copies every record into its
 * CPU's staging lane and merges the lanes by time ({@link #times}). The listeners do the same work both ways: three typed
 * fields in an event listener, the first payload field in a batch listener ({@code --count-only}). Before
 * each invocation the samples' times are moved past the previous invocation's (outside the measurement), so
 * the merge sees time go forward as in a real stream and nothing is late; its clock is far enough ahead that
 * every record is due in the pass that stages it, as for rings that are all busy.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 6, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 30, time = 100, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class OrderedBench {

    /** Samples per ring: half a lap of the 512 KiB ring each, so both rings together hold one lap. */
    static final int PER_RING = 2978;
    static final int RECORDS = 2 * PER_RING;
    static final int SAMPLE_LENGTH = 88;
    static final long LATENESS_NANOS = 1_000_000;
    /** How far the times move each invocation: past every time of the one before. */
    static final long SPAN = 250L * RECORDS + 1;

    /**
     * How the two rings' times interleave: {@code alternate}, every record of CPU 0 is followed in time by one of
     * CPU 1 (the merge switches rings at every record: its worst case); {@code runs}, runs of {@value #RUN}
     * records of one CPU, then of the other (CPUs busy in turns).
     */
    @Param({"alternate", "runs"})
    public String times;

    static final int RUN = 64;

    EventFormat format;
    SyntheticRing cpu0;
    SyntheticRing cpu1;
    PerfRing[] rings;
    long shift;
    long sum;

    @Setup(Level.Trial)
    public void setUp() {
        format = SyntheticRing.format("signal", "signal_generate");
        byte[][] even = new byte[PER_RING][];
        byte[][] odd = new byte[PER_RING][];
        for (int i = 0; i < PER_RING; i++) {
            even[i] = SyntheticRing.signalGenerate(2 * i); // time 1e9 + 500 i, cpu 0
            odd[i] = SyntheticRing.signalGenerate(2 * i + 1); // 250 ns later, cpu 1
        }
        if (even[0].length != SAMPLE_LENGTH) {
            throw new IllegalStateException("signal_generate samples are " + even[0].length + " bytes, not " + SAMPLE_LENGTH);
        }
        cpu0 = new SyntheticRing(DispatchBench.CAPACITY, 0).fill(0, PER_RING, even);
        cpu1 = new SyntheticRing(DispatchBench.CAPACITY, 1).fill(0, PER_RING, odd);
        rings = new PerfRing[] {cpu0.ring, cpu1.ring};
    }

    /** Moves every sample's time past the previous invocation's, and publishes both rings again. */
    @Setup(Level.Invocation)
    public void restamp() {
        shift += SPAN;
        for (SyntheticRing r : new SyntheticRing[] {cpu0, cpu1}) {
            for (int k = 0; k < PER_RING; k++) {
                long at = (long) k * SAMPLE_LENGTH + PerfSampleDescriptor.TIME_OFFSET;
                long cpu = r == cpu0 ? 0 : 1;
                long order = times.equals("alternate") ? 2 * k + cpu : (2L * (k / RUN) + cpu) * RUN + k % RUN;
                r.data.set(ValueLayout.JAVA_LONG_UNALIGNED, at, 1_000_000_000L + 250L * order + shift);
            }
            r.rewind();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu0.close();
        cpu1.close();
    }

    Dispatcher dispatcher(EventView view, EventListener... listeners) {
        ErrorListener errors = t -> {
            throw new AssertionError(t);
        };
        Dispatcher d = new Dispatcher(view, new Dispatcher.Entry[] {new Dispatcher.Entry(format, listeners)},
                new LostListener[0], new TaskListener[0], errors, 1);
        d.sampleIdLength(PerfSideRecordDescriptor.SAMPLE_ID_LENGTH);
        return d;
    }

    OrderedMerge merge(Dispatcher d) {
        // a clock past every record's time plus the lateness: every staged record is due at once
        return new OrderedMerge(d, LATENESS_NANOS, () -> 1_000_000_000L + shift + SPAN + 2 * LATENESS_NANOS,
                PerfSideRecordDescriptor.SAMPLE_ID_LENGTH);
    }

    static int check(int n) {
        if (n != RECORDS) {
            throw new AssertionError("delivered " + n + " of " + RECORDS);
        }
        return n;
    }

    // ------------------------------------------------------------------ event listeners

    @State(Scope.Thread)
    public static class Events {
        Dispatcher d;
        OrderedMerge merge;

        @Setup(Level.Trial)
        public void setUp(OrderedBench b) {
            EventView view = ViewAccess.get().newView();
            DispatchBench.SignalGenerate g = EventBinding.of(DispatchBench.SignalGenerate.class, b.format).attach(view);
            d = b.dispatcher(view, e -> b.sum += g.sig() + g.targetPid() + g.result());
            merge = b.merge(d);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            merge.close();
        }
    }

    /** Three typed fields in an event listener, the rings drained one after the other. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long eventsUnordered(Events s) {
        check(cpu0.ring.drain(s.d, Integer.MAX_VALUE) + cpu1.ring.drain(s.d, Integer.MAX_VALUE));
        return sum;
    }

    /** The same, in time order across the two rings. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long eventsOrdered(Events s) {
        check(s.merge.pass(rings, Integer.MAX_VALUE, null));
        return sum;
    }

    // ------------------------------------------------------------------ batch listeners

    @State(Scope.Thread)
    public static class Batches {
        BatchCursor cursor;
        OrderedMerge merge;
        BatchListener listener;

        @Setup(Level.Trial)
        public void setUp(OrderedBench b) {
            EventView view = ViewAccess.get().newView();
            Field first = b.format.payloadFields().get(0);
            Dispatcher d = b.dispatcher(view);
            cursor = new BatchCursor(d);
            merge = b.merge(d);
            listener = batch -> {
                EventView v = batch.view();
                long s = 0;
                while (batch.next()) {
                    s += v.getLong(first);
                }
                b.sum += s;
            };
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            merge.close();
        }
    }

    /** The first payload field in a batch listener ({@code --count-only}), a ring at a time. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long batchUnordered(Batches s) {
        check(s.cursor.run(cpu0.ring, s.listener) + s.cursor.run(cpu1.ring, s.listener));
        return sum;
    }

    /** The same, one batch over both rings merged in time order. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long batchOrdered(Batches s) {
        check(s.merge.pass(rings, Integer.MAX_VALUE, s.listener));
        return sum;
    }
}
