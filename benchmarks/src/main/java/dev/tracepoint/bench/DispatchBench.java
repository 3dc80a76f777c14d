package dev.tracepoint.bench;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.ErrorListener;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.EventBinding;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.decode.TracepointEvent;
import dev.tracepoint.core.decode.TracepointField;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.internal.dispatch.BatchCursor;
import dev.tracepoint.core.internal.dispatch.Dispatcher;
import dev.tracepoint.core.internal.dispatch.WarmUp;

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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Decode and dispatch through the real {@code PerfRing.drain} and {@code Dispatcher}, from a synthetic
 * 512 KiB ring (128 pages, the default) in native memory. One operation is one record: every invocation
 * drains a full lap of the ring ({@value #BATCH} records, the first of which wraps the ring end, as in the
 * C decodebench's ring mode), so the score is ns per record and the gc profiler's B/op is bytes per record.
 *
 * <p>{@code profile=clean}: only the benchmark's own listener has ever been called, so the JIT sees a
 * monomorphic listener call. {@code profile=stream}: {@code WarmUp.run} was called first, as
 * {@code TracepointStream.open} does before enabling the events, for a stream of the benchmark's own
 * tracepoint (the {@code sig}, {@code skb} or {@code exec} of its name) with a batch listener or event
 * listeners as the benchmark has, so the profile is the one such a real stream has.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 6, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 30, time = 100, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class DispatchBench {

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    /** Records per lap: 512 KiB / 88-byte signal_generate samples. */
    static final int BATCH = 5957;
    /** Records per lap: 512 KiB / 80-byte kfree_skb samples. */
    static final int SKB_BATCH = 6553;
    /** Records per lap: 512 KiB / 72-byte sched_process_exec samples. */
    static final int EXEC_BATCH = 7281;
    static final long CAPACITY = 128 * 4096;

    /** Typed accessors for three fields of signal_generate, compiled to constant offsets. */
    public interface SignalGenerate extends TracepointEvent {
        int sig();

        @TracepointField("pid")
        int targetPid();

        int result();
    }

    /** Typed accessors for three fields of kfree_skb. */
    public interface KfreeSkb extends TracepointEvent {
        long location();

        int protocol();

        int reason();
    }

    @Param({"clean", "stream"})
    public String profile;

    SyntheticRing sig;
    SyntheticRing skb;
    SyntheticRing exec;
    SyntheticRing wrapOnly;
    EventFormat sigFormat;
    EventFormat skbFormat;
    EventFormat execFormat;

    /** The listeners' results, read by the benchmark methods so nothing is dead code. */
    long sum;
    final byte[] name = new byte[256];

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        sigFormat = SyntheticRing.format("signal", "signal_generate");
        skbFormat = SyntheticRing.format("skb", "kfree_skb");
        execFormat = SyntheticRing.format("sched", "sched_process_exec");

        byte[][] sigRecs = new byte[8][];
        byte[][] skbRecs = new byte[8][];
        byte[][] execRecs = new byte[8][];
        for (int i = 0; i < 8; i++) {
            sigRecs[i] = SyntheticRing.signalGenerate(i);
            skbRecs[i] = SyntheticRing.kfreeSkb(i);
            execRecs[i] = SyntheticRing.schedProcessExec(i);
        }
        // the per-operation counts below are constants (JMH's annotation): they must still be one lap
        checkLap("signal_generate", sigRecs, BATCH);
        checkLap("kfree_skb", skbRecs, SKB_BATCH);
        checkLap("sched_process_exec", execRecs, EXEC_BATCH);
        // start 40 bytes before the end: the first record of every lap crosses the ring end
        sig = new SyntheticRing(CAPACITY).fill(CAPACITY - 40, BATCH, sigRecs);
        skb = new SyntheticRing(CAPACITY).fill(CAPACITY - 40, SKB_BATCH, skbRecs);
        exec = new SyntheticRing(CAPACITY).fill(CAPACITY - 40, EXEC_BATCH, execRecs);
        // a ring whose every drain is one record split by the ring end: the wrap-copy path alone
        wrapOnly = new SyntheticRing(4096).fill(4096 - 40, 1, sigRecs);
        if (profile.equals("stream")) {
            String name = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            EventFormat own = name.startsWith("skb") ? skbFormat : name.startsWith("exec") ? execFormat : sigFormat;
            Dispatcher.Entry[] entries = {new Dispatcher.Entry(own, new EventListener[0])};
            // the warm-up of the stream the benchmark models: of its tracepoint, with its kind of listener
            WarmUp.run(entries, name.endsWith("Batch"), null);
        }
    }

    private static void checkLap(String what, byte[][] recs, int batch) {
        if (CAPACITY / recs[0].length != batch) {
            throw new IllegalStateException(what + " samples are " + recs[0].length + " bytes: a lap is "
                    + CAPACITY / recs[0].length + " records, but the benchmark counts " + batch + " per operation");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sig.close();
        skb.close();
        exec.close();
        wrapOnly.close();
    }

    /** A dispatcher with {@code listeners} on every tracepoint, as {@code TracepointStream.open} builds it. */
    Dispatcher dispatcher(EventView view, EventListener... listeners) {
        Dispatcher.Entry[] entries = {
                new Dispatcher.Entry(sigFormat, listeners),
                new Dispatcher.Entry(skbFormat, listeners),
                new Dispatcher.Entry(execFormat, listeners)};
        ErrorListener errors = t -> {
            throw new AssertionError(t);
        };
        return new Dispatcher(view, entries, new LostListener[0], new TaskListener[0], errors, 1);
    }

    long drain(SyntheticRing r, Dispatcher d) {
        r.rewind();
        int n = r.ring.drain(d, Integer.MAX_VALUE);
        if (n != r.records) {
            throw new AssertionError("drained " + n + " of " + r.records);
        }
        return sum;
    }

    // ------------------------------------------------------------------ signal_generate, one listener

    /** The state for one listener of each kind; built per trial so each benchmark has its own dispatcher. */
    @State(Scope.Thread)
    public static class Typed {
        Dispatcher d;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            SignalGenerate g = EventBinding.of(SignalGenerate.class, b.sigFormat).attach(view);
            d = b.dispatcher(view, e -> b.sum += g.sig() + g.targetPid() + g.result());
        }
    }

    /** Three fields of signal_generate through a typed interface (EventBinding): the recommended API. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sigTyped3(Typed s) {
        return drain(sig, s.d);
    }

    @State(Scope.Thread)
    public static class Offsets {
        Dispatcher d;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            // the layout must be a constant (static final): a captured local is not folded by the JIT, and
            // every get() then takes the slow, non-inlined VarHandle path (measured: 62.7 against 13.8 ns/record)
            d = b.dispatcher(view, e -> {
                MemorySegment seg = e.segment();
                long o = e.offset();
                b.sum += seg.get(I32, o + 8) + seg.get(I32, o + 36) + seg.get(I32, o + 44);
            });
        }
    }

    /** The same three fields read by hand at hard-coded offsets from the view's segment: the floor. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sigOffsets3(Offsets s) {
        return drain(sig, s.d);
    }

    @State(Scope.Thread)
    public static class Fields {
        Dispatcher d;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            Field fSig = b.sigFormat.requireField("sig");
            Field fPid = b.sigFormat.requireField("pid");
            Field fResult = b.sigFormat.requireField("result");
            d = b.dispatcher(view, e -> b.sum += e.getLong(fSig) + e.getLong(fPid) + e.getLong(fResult));
        }
    }

    /** Generic access with looked-up {@code Field}s: {@code getLong(Field)}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sigFields3(Fields s) {
        return drain(sig, s.d);
    }

    @State(Scope.Thread)
    public static class ByName {
        Dispatcher d;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            d = b.dispatcher(view, e -> b.sum += e.getLong("sig") + e.getLong("pid") + e.getLong("result"));
        }
    }

    /** Generic access by name: {@code getLong("sig")}, a map lookup per field. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sigByName3(ByName s) {
        return drain(sig, s.d);
    }

    @State(Scope.Thread)
    public static class Count {
        Dispatcher d;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            Field first = b.sigFormat.payloadFields().get(0);
            d = b.dispatcher(view, e -> b.sum += e.getLong(first));
        }
    }

    /** What {@code tracepoint stream --count-only} does per event: the first payload field, by Field. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sigCountOnly(Count s) {
        return drain(sig, s.d);
    }

    @State(Scope.Thread)
    public static class Ten {
        Dispatcher d;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            Field f0 = b.sigFormat.requireField("sig");
            Field f1 = b.sigFormat.requireField("errno");
            Field f2 = b.sigFormat.requireField("code");
            Field f3 = b.sigFormat.requireField("pid");
            Field f4 = b.sigFormat.requireField("group");
            Field f5 = b.sigFormat.requireField("result");
            Field f6 = b.sigFormat.requireField("common_pid");
            // ten distinct listener classes (one per lambda site), as ten independent subscribers would be
            d = b.dispatcher(view,
                    e -> b.sum += e.getLong(f0),
                    e -> b.sum += e.getLong(f1),
                    e -> b.sum += e.getLong(f2),
                    e -> b.sum += e.getLong(f3),
                    e -> b.sum += e.getLong(f4),
                    e -> b.sum += e.getLong(f5),
                    e -> b.sum += e.getLong(f6),
                    e -> b.sum += e.cpu(),
                    e -> b.sum += e.pid(),
                    e -> b.sum += e.timeNanos());
        }
    }

    /** Ten listeners on one tracepoint, each reading one value: per record, not per listener. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sigTenListeners(Ten s) {
        return drain(sig, s.d);
    }

    // ------------------------------------------------------------------ batch listeners

    long batch(SyntheticRing r, BatchCursor c, BatchListener l) {
        r.rewind();
        int n = c.run(r.ring, l);
        if (n != r.records) {
            throw new AssertionError("batch took " + n + " of " + r.records);
        }
        return sum;
    }

    @State(Scope.Thread)
    public static class TypedBatch {
        BatchCursor c;
        BatchListener l;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            SignalGenerate g = EventBinding.of(SignalGenerate.class, b.sigFormat).attach(view);
            c = new BatchCursor(b.dispatcher(view));
            l = batch -> {
                long s = 0;
                while (batch.next()) {
                    s += g.sig() + g.targetPid() + g.result();
                }
                b.sum += s;
            };
        }
    }

    /** {@link #sigTyped3} through a {@code BatchListener}: the listener's loop walks the ring. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sigTyped3Batch(TypedBatch s) {
        return batch(sig, s.c, s.l);
    }

    @State(Scope.Thread)
    public static class CountBatch {
        BatchCursor c;
        BatchListener l;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            Field first = b.sigFormat.payloadFields().get(0);
            c = new BatchCursor(b.dispatcher(view));
            l = batch -> {
                EventView v = batch.view();
                long s = 0;
                while (batch.next()) {
                    s += v.getLong(first);
                }
                b.sum += s;
            };
        }
    }

    /** What {@code tracepoint stream --count-only} does: the first payload field, in a batch listener. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sigCountOnlyBatch(CountBatch s) {
        return batch(sig, s.c, s.l);
    }

    @State(Scope.Thread)
    public static class SkbTypedBatch {
        BatchCursor c;
        BatchListener l;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            KfreeSkb k = EventBinding.of(KfreeSkb.class, b.skbFormat).attach(view);
            c = new BatchCursor(b.dispatcher(view));
            l = batch -> {
                long s = 0;
                while (batch.next()) {
                    s += k.location() + k.protocol() + k.reason();
                }
                b.sum += s;
            };
        }
    }

    /** {@link #skbTyped3} through a {@code BatchListener}. */
    @Benchmark
    @OperationsPerInvocation(SKB_BATCH)
    public long skbTyped3Batch(SkbTypedBatch s) {
        return batch(skb, s.c, s.l);
    }

    // ------------------------------------------------------------------ kfree_skb

    @State(Scope.Thread)
    public static class SkbTyped {
        Dispatcher d;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            KfreeSkb k = EventBinding.of(KfreeSkb.class, b.skbFormat).attach(view);
            d = b.dispatcher(view, e -> b.sum += k.location() + k.protocol() + k.reason());
        }
    }

    /** Three fields of kfree_skb (80-byte samples) through a typed interface. */
    @Benchmark
    @OperationsPerInvocation(SKB_BATCH)
    public long skbTyped3(SkbTyped s) {
        return drain(skb, s.d);
    }

    // ------------------------------------------------------------------ __data_loc string

    @State(Scope.Thread)
    public static class ExecCopy {
        Dispatcher d;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            Field filename = b.execFormat.requireField("filename");
            d = b.dispatcher(view, e -> b.sum += e.copyString(filename, b.name) + b.name[5]);
        }
    }

    /** sched_process_exec's {@code __data_loc char[] filename} copied into a reused byte[] (no allocation). */
    @Benchmark
    @OperationsPerInvocation(EXEC_BATCH)
    public long execDataLocCopy(ExecCopy s) {
        return drain(exec, s.d);
    }

    @State(Scope.Thread)
    public static class ExecString {
        Dispatcher d;

        @Setup(Level.Trial)
        public void setUp(DispatchBench b) {
            EventView view = ViewAccess.get().newView();
            Field filename = b.execFormat.requireField("filename");
            d = b.dispatcher(view, e -> b.sum += e.getString(filename).length());
        }
    }

    /** The same field as a {@code String}: allocates by design (the String and its bytes). */
    @Benchmark
    @OperationsPerInvocation(EXEC_BATCH)
    public long execDataLocString(ExecString s) {
        return drain(exec, s.d);
    }

    // ------------------------------------------------------------------ wrap-around

    /** One record split by the ring end, per drain: head/tail protocol plus the copy to scratch. */
    @Benchmark
    public long sigWrappedRecord(Typed s) {
        return drain(wrapOnly, s.d);
    }
}
