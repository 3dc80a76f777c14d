package dev.tracepoint.bench;

import dev.tracepoint.core.decode.EventReader;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.decode.SampleMetadata;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.jfr.JfrClock;
import dev.tracepoint.core.internal.jfr.JfrEventPlan;
import dev.tracepoint.core.internal.jfr.JfrForwarder;
import dev.tracepoint.core.internal.jfr.TaskNames;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;

import jdk.jfr.Event;
import jdk.jfr.EventFactory;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of turning a kernel record into a committed JFR event, into a running recording (written to disk by
 * JFR's own threads, as in production): {@link #bridge} is the library's path ({@code JfrBridge}'s forwarder on
 * a {@code signal_generate} record: the generated event type, 13 fields); {@link #handWritten} decodes the same
 * record with the view's getters into a hand-written static JFR event with the same fields and commits it (what
 * a user would write by hand); {@link #handWrittenFromJava} commits the hand-written event with the values
 * already in Java fields (JFR's own cost, no decoding). {@link #bridgeDisabled} is the library's path for an
 * event type the recording disables. Run with {@code -prof gc} for the bytes allocated per event.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class JfrBench {

    /** A hand-written event with the fields of the generated {@code signal_generate} type. */
    @Name("bench.HandWrittenSignalGenerate")
    @StackTrace(false)
    static final class HandSignal extends Event {
        @Timestamp(Timestamp.TICKS)
        long kernelTime;
        long kernelNanos;
        int cpu;
        int currentPid;
        int currentTid;
        String currentComm;
        int sig;
        int errno;
        int code;
        String comm;
        int pid;
        int group;
        int result;
    }

    private static final int RECORDS = 8;
    private static final int PAYLOAD = 48;

    private Recording recording;
    private Path dir;
    private MemorySegment records;
    private final EventReader reader = new EventReader();
    private final SampleMetadata[] metadata = new SampleMetadata[RECORDS];
    private EventFormat format;
    private JfrForwarder forwarder;
    private JfrForwarder disabled;
    private Field sig, errno, code, comm, pid, group, result;
    private final TaskNames names = new TaskNames();
    private JfrClock clock;
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        format = SyntheticRing.format("signal", "signal_generate");
        records = Arena.ofAuto().allocate((long) RECORDS * PAYLOAD, 8);
        int self = (int) ProcessHandle.current().pid();
        for (int r = 0; r < RECORDS; r++) {
            byte[] sample = SyntheticRing.signalGenerate(r);
            // the raw payload, after the sample's header, pid/tid, time, cpu and raw size (see RecordImages)
            MemorySegment.copy(MemorySegment.ofArray(sample), PerfSampleDescriptor.RAW_OFFSET, records, (long) r * PAYLOAD, PAYLOAD);
            metadata[r] = SampleMetadata.of(r & 1, self, self, 1_000_000_000L + 250L * r);
        }
        clock = JfrClock.get();
        JfrEventPlan plan = JfrEventPlan.of(format, true);
        forwarder = new JfrForwarder(EventFactory.create(plan.annotations(), plan.descriptors()), plan, clock, names);
        EventFormat off = SyntheticRing.format("benchoff", "signal_generate"); // tracepoint.benchoff.*: disabled below
        JfrEventPlan offPlan = JfrEventPlan.of(off, true);
        disabled = new JfrForwarder(EventFactory.create(offPlan.annotations(), offPlan.descriptors()), offPlan, clock, names);
        sig = format.requireField("sig");
        errno = format.requireField("errno");
        code = format.requireField("code");
        comm = format.requireField("comm");
        pid = format.requireField("pid");
        group = format.requireField("group");
        result = format.requireField("result");
        dir = Files.createTempDirectory("jfrbench");
        recording = new Recording();
        recording.enable(plan.eventName()).withoutStackTrace().withoutThreshold();
        recording.enable(HandSignal.class).withoutStackTrace().withoutThreshold();
        recording.disable(offPlan.eventName()); // forwarded types are enabled by default: this one is turned off
        recording.setToDisk(true);
        recording.setDestination(dir.resolve("bench.jfr"));
        recording.setMaxSize(64L << 20);
        recording.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        recording.stop();
        recording.close();
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private EventView next() {
        int r = i++ & (RECORDS - 1);
        return reader.read(format, records, (long) r * PAYLOAD, PAYLOAD, metadata[r]);
    }

    /** The library's forwarder: the record into a committed event of the generated type. */
    @Benchmark
    public void bridge() {
        forwarder.onEvent(next());
    }

    /** The forwarder of a type no recording enables: the cost of the check. */
    @Benchmark
    public void bridgeDisabled() {
        disabled.onEvent(next());
    }

    /** The same record decoded by hand into a hand-written event of the same fields. */
    @Benchmark
    public void handWritten() {
        EventView v = next();
        HandSignal e = new HandSignal();
        if (!e.isEnabled()) {
            return;
        }
        e.kernelTime = clock.ticks(v.timeNanos());
        e.kernelNanos = v.timeNanos();
        e.cpu = v.cpu();
        e.currentPid = v.pid();
        e.currentTid = v.tid();
        e.currentComm = names.name(v.pid(), v.tid());
        e.sig = v.getInt(sig);
        e.errno = v.getInt(errno);
        e.code = v.getInt(code);
        e.comm = v.getString(comm);
        e.pid = v.getInt(pid);
        e.group = v.getInt(group);
        e.result = v.getInt(result);
        e.commit();
    }

    private final String javaComm = "sigload";
    private long javaTime = 1_000_000_000L;

    /** The hand-written event with its values in Java already: JFR's cost alone. */
    @Benchmark
    public void handWrittenFromJava() {
        HandSignal e = new HandSignal();
        long t = javaTime++;
        e.kernelTime = t;
        e.kernelNanos = t;
        e.cpu = 1;
        e.currentPid = 4242;
        e.currentTid = 4242;
        e.currentComm = javaComm;
        e.sig = 10;
        e.errno = 0;
        e.code = 0;
        e.comm = javaComm;
        e.pid = 4243;
        e.group = 0;
        e.result = 1;
        e.commit();
    }
}
