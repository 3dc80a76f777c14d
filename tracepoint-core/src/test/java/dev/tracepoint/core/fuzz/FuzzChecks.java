package dev.tracepoint.core.fuzz;

import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.decode.SampleMetadata;
import dev.tracepoint.core.decode.EventReader;
import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.ErrorListener;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.DecodeException;
import dev.tracepoint.core.decode.Event;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.dispatch.BatchCursor;
import dev.tracepoint.core.internal.dispatch.Dispatcher;
import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import dev.tracepoint.core.internal.perf.PerfSampleDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;
import dev.tracepoint.core.internal.ring.RecordHandler;
import dev.tracepoint.core.internal.ring.RecordImages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The properties the fuzz targets check, shared by the Jazzer targets and by {@link CorpusReplayTest}. Each
 * method takes arbitrary bytes and throws {@link AssertionError} (or lets an unexpected exception escape)
 * when the code under test misbehaves: an unchecked exception other than the documented one, a read outside
 * its memory, a record whose size disagrees with its bytes, corruption not reported, or an allocation out
 * of proportion to the input (which is how an allocation sized by a number read from the input shows).
 */
final class FuzzChecks {

    /** Fixed allowance per input (strings, lists, exception messages) before the per-byte bound applies. */
    static final long ALLOCATION_ALLOWANCE = 2L << 20;
    /** Bytes allocated per input byte at most (chars are two bytes, plus lines, tokens and copies). */
    static final long ALLOCATION_PER_BYTE = 64;
    /**
     * The same under Jazzer, whose hooks (string comparisons, value profiles) allocate per call: measured up
     * to ~510 bytes per input byte on the 300 KB print fmt seed, whose plain-JVM figure fits the bound above
     * ({@link CorpusReplayTest} checks that one on every corpus file).
     */
    static final long ALLOCATION_PER_BYTE_INSTRUMENTED = 2048;

    private static volatile long perByte = ALLOCATION_PER_BYTE;

    /** Called by the Jazzer targets. */
    static void underJazzer() {
        perByte = ALLOCATION_PER_BYTE_INSTRUMENTED;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FuzzChecks() {
    }

    // ------------------------------------------------------------------------------------------ parser

    /** Any bytes: a format or a FormatException, nothing else, and allocation bounded by the input size. */
    static void formatParser(byte[] data) {
        if (!formatParser(data, false)) {
            formatParser(data, true); // the first run may have loaded (and instrumented) classes
        }
    }

    private static boolean formatParser(byte[] data, boolean mustFit) {
        long before = allocated();
        EventFormat f = null;
        try {
            f = FormatParser.parse("fuzz/event/format", "", data);
        } catch (FormatException e) {
            check(e.getMessage() != null && e.line() >= 0, "FormatException without message or line: " + e);
        }
        if (f != null) {
            for (Field x : f.fields()) {
                check(x.offset() >= 0 && x.size() >= 0, "negative offset or size: " + x);
                if (f.id() >= 0) {
                    check((long) x.offset() + x.size() <= FormatParser.MAX_RECORD_BYTES, "field beyond a record: " + x);
                }
            }
            check(f.fixedSize() >= 0 && f.fixedSize() <= FormatParser.MAX_RECORD_BYTES, "fixedSize=" + f.fixedSize());
            f.printFmt();
            f.tables();
        }
        return checkAllocation(before, data.length, mustFit);
    }

    // -------------------------------------------------------------------------------------------- ring

    /** The two layouts the ring target dispatches to (by their ids in the samples' {@code common_type}), and the decoder's. */
    static final class Layouts {
        static final EventFormat SIGNAL = corpusFormat("kernel-6.18/signal/signal_generate/format");
        static final EventFormat EXEC = corpusFormat("kernel-6.18/sched/sched_process_exec/format");
        static final List<EventFormat> DECODE = List.of(SIGNAL, EXEC,
                corpusFormat("kernel-6.18/skb/kfree_skb/format"),
                corpusFormat("kernel-6.18/raw_syscalls/sys_enter/format"),
                corpusFormat("found/lkml-2021-11-mhiramat-rel_loc-x86_64/sample-trace/foo_rel_loc/format"),
                corpusFormat("variants/2.6.31-x86_64/irq/irq_handler_entry/format"),
                corpusFormat("kernel-6.18/ftrace/bprint/format"),
                corpusFormat("kernel-6.18/ftrace/print/format"));

        static {
            // one-time work (class loading, symbol tables the text rendering loads on first use) is not
            // per-input allocation: do it before any input is measured
            for (EventFormat f : DECODE) {
                byte[] warm = new byte[1 + f.fixedSize() + 64];
                warm[0] = (byte) DECODE.indexOf(f);
                decoder(warm, false);
            }
        }
    }

    static EventFormat corpusFormat(String relative) {
        String property = System.getProperty("tracepoint.corpus");
        Path root = property != null && !property.isBlank() ? Path.of(property) : Path.of("..", "testdata", "corpus");
        try {
            return FormatParser.parse(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (FormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Input layout: byte 0 picks the capacity (8 B .. 64 KiB), byte 1 the mode, bytes 2-9 {@code data_tail},
     * 10-17 {@code data_head} (or, in "near" mode, its distance from the tail modulo 2 * capacity + 1),
     * 18 the drain limit, the rest the data area (zero-filled when shorter).
     */
    static void ring(byte[] in) {
        if (in.length < RingInput.LENGTH) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            RingInput r = new RingInput(in, arena);
            int capacity = r.capacity;
            long tail = r.tail;
            long head = r.head;
            int limit = r.limit;
            MemorySegment meta = r.meta;
            MemorySegment data = r.data;

            List<Throwable> errors = new ArrayList<>();
            ErrorListener onError = t -> {
                if (!(t instanceof DecodeException)) {
                    throw new AssertionError("error listener got something else than a DecodeException", t);
                }
                errors.add(t);
            };
            EventListener readAll = FuzzChecks::readEveryField;
            EventView view = ViewAccess.get().newView();
            Dispatcher dispatcher = new Dispatcher(view,
                    new Dispatcher.Entry[] {new Dispatcher.Entry(Layouts.SIGNAL, new EventListener[] {readAll}),
                            new Dispatcher.Entry(Layouts.EXEC, new EventListener[] {readAll})},
                    new LostListener[] {(cpu, n) -> { }}, new TaskListener[0], onError, 0);
            Checking checking = new Checking(dispatcher, 0, data, capacity, head - tail);
            long published = head - tail;
            try (PerfRing ring = new PerfRing(0, meta, data)) {
                int rounds = 0;
                int n;
                do {
                    n = ring.drain(checking, limit);
                    check(n >= 0 && n <= limit, "drain returned " + n + " for limit " + limit);
                    check(++rounds <= capacity / 8 + 2, "drain does not terminate: " + rounds + " rounds");
                } while (n > 0 && limit != Integer.MAX_VALUE);
                check(ring.dataTail() == head, "data_tail=" + ring.dataTail() + " not moved to data_head=" + head);
                check(ring.drain(checking, Integer.MAX_VALUE) == 0, "records after the ring was drained");
            }
            check(checking.records <= capacity / 8, "more records than fit: " + checking.records);
            if (checking.corruptions == 0) {
                check(checking.bytes == published, "consumed " + checking.bytes + " of " + published + " published bytes without reporting corruption");
            }
            long ringErrors = errors.stream().filter(e -> e.getMessage().contains("corrupted ring")).count();
            check(ringErrors == checking.corruptions, "corruptions " + checking.corruptions + " but error listener told " + ringErrors);
            check(dispatcher.corrupt() >= checking.corruptions, "dispatcher did not count corruption");
        }
    }

    /** An input in {@link #ring}'s layout, decoded, with its metadata page and data area. */
    private static final class RingInput {
        /** Bytes before the data area. */
        static final int LENGTH = 19;
        final int capacity;
        final int mode;
        final long tail;
        final long head;
        final int limit;
        final MemorySegment meta;
        final MemorySegment data;

        RingInput(byte[] in, Arena arena) {
            capacity = 8 << ((in[0] & 0xff) % 14);
            mode = in[1] & 0xff;
            tail = longAt(in, 2);
            long headWord = longAt(in, 10);
            head = (mode & 1) != 0 ? tail + Long.remainderUnsigned(headWord, 2L * capacity + 1) : headWord;
            limit = (in[18] & 0xff) % 5 == 0 ? Integer.MAX_VALUE : 1 + (in[18] & 0xff) % 7;
            meta = arena.allocate(PerfMmapPageDescriptor.LENGTH, 4096);
            data = arena.allocate(capacity, 4096);
            MemorySegment.copy(MemorySegment.ofArray(in), LENGTH, data, 0, Math.min(capacity, in.length - LENGTH));
            rewind();
        }

        /** Sets {@code data_tail} and {@code data_head} to the input's. */
        void rewind() {
            RecordImages.publish(meta, tail, head);
        }
    }

    /** Checks every record the ring hands out against its own bytes, then passes it on. */
    private static final class Checking implements RecordHandler {
        final RecordHandler next;
        final int cpu;
        final MemorySegment data;
        final long capacity;
        final long published;
        long records;
        long bytes;
        long corruptions;

        Checking(RecordHandler next, int cpu, MemorySegment data, long capacity, long published) {
            this.next = next;
            this.cpu = cpu;
            this.data = data;
            this.capacity = capacity;
            this.published = published;
        }

        @Override
        public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
            check(cpu == this.cpu, "record of CPU " + cpu + " from the ring of CPU " + this.cpu);
            check(size >= 8 && size % 8 == 0 && size <= capacity, "bad size handed out: " + size);
            check(offset >= 0 && offset + size <= segment.byteSize(), "record outside its segment");
            check(bytes + size <= published, "record beyond data_head");
            check(Short.toUnsignedInt(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 6)) == size,
                    "declared size disagrees with the record's header");
            check(segment.get(ValueLayout.JAVA_INT_UNALIGNED, offset) == type, "type disagrees with the header");
            check(segment.equals(data) || segment.byteSize() == 1 << 16, "record in a foreign segment");
            records++;
            bytes += size;
            next.onRecord(cpu, segment, offset, type, misc, size);
        }

        @Override
        public void onCorruption(int cpu, String problem, long skippedBytes) {
            check(cpu == this.cpu, "corruption of CPU " + cpu + " from the ring of CPU " + this.cpu);
            check(problem != null && skippedBytes >= 0, "corruption report without problem: " + problem + " " + skippedBytes);
            corruptions++;
            next.onCorruption(cpu, problem, skippedBytes);
        }
    }

    // ------------------------------------------------------------------------------ the two walks

    /** The CPU of the differential's rings: not 0, so that a walk that loses the ring's CPU shows. */
    private static final int WALK_CPU = 3;

    /**
     * The differential of the two walks over a ring, {@link PerfRing#drain} (the event path) and
     * {@link BatchCursor} (the batch path): the same bytes through both give the same records in the same
     * order (type, CPU and bytes, as the stream's dispatcher sees them), the same final {@code data_tail}
     * and the same corruption reports. Input layout as {@link #ring}; in byte 1, bits 1-2 pick the batch
     * listener (0: takes every event; 1: takes up to k and returns; 2: takes up to k and throws; 3: the
     * first and the third by turns), k being 1 + byte 18 % 7; byte 18 is also the drain limit.
     */
    static void walks(byte[] in) {
        if (in.length < RingInput.LENGTH) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            RingInput r = new RingInput(in, arena);
            int listenerKind = (r.mode >>> 1) & 3;
            int take = 1 + (in[18] & 0xff) % 7;
            // rounds: each pass takes at least one record (or resynchronises), and no more fit than capacity / 8
            int maxRounds = r.capacity / 8 + 2;

            Walk drained = new Walk();
            Dispatcher d1 = drained.dispatcher();
            Checking checking = new Checking(d1, WALK_CPU, r.data, r.capacity, r.head - r.tail);
            long drainTail;
            try (PerfRing ring = new PerfRing(WALK_CPU, r.meta, r.data)) {
                int rounds = 0;
                do {
                    int n = ring.drain(checking, r.limit);
                    check(n >= 0 && n <= r.limit, "drain returned " + n + " for limit " + r.limit);
                    check(++rounds <= maxRounds, "drain does not terminate: " + rounds + " rounds");
                } while (!ring.isEmpty());
                drainTail = ring.dataTail();
            }

            // the same bytes again: neither walk writes to the data area
            Walk batched = new Walk();
            Dispatcher d2 = batched.dispatcher();
            BatchListener listener = batched.listener(listenerKind, take);
            long batchTail;
            r.rewind();
            try (PerfRing ring = new PerfRing(WALK_CPU, r.meta, r.data)) {
                BatchCursor cursor = new BatchCursor(d2);
                int rounds = 0;
                do {
                    int n = cursor.run(ring, listener);
                    check(n >= 0, "run returned " + n);
                    check(++rounds <= maxRounds, "the batch walk does not terminate: " + rounds + " rounds");
                } while (!ring.isEmpty());
                batchTail = ring.dataTail();
            }

            check(drainTail == r.head, "drain left data_tail=" + drainTail + ", not data_head=" + r.head);
            check(batchTail == drainTail, "final data_tail: drain " + drainTail + ", batch " + batchTail);
            if (!drained.log.equals(batched.log)) {
                int i = 0;
                while (i < drained.log.size() && i < batched.log.size() && drained.log.get(i).equals(batched.log.get(i))) {
                    i++;
                }
                throw new AssertionError("the walks differ at entry " + i + " of " + drained.log.size() + "/"
                        + batched.log.size() + ": drain " + (i < drained.log.size() ? drained.log.get(i) : "(end)")
                        + ", batch " + (i < batched.log.size() ? batched.log.get(i) : "(end)"));
            }
            check(drained.corruptions == checking.corruptions, "corruptions " + checking.corruptions
                    + " but the error listener was told " + drained.corruptions);
            check(batched.corruptions == drained.corruptions, "corruptions: drain " + drained.corruptions
                    + ", batch " + batched.corruptions);
            check(d1.samples() == d2.samples() && d1.lost() == d2.lost() && d1.corrupt() == d2.corrupt()
                    && d1.unknown() == d2.unknown(), "counters: drain " + counters(d1) + ", batch " + counters(d2));
            check(d2.errors() == d1.errors() + batched.thrown, "errors: drain " + d1.errors() + ", batch "
                    + d2.errors() + " of which " + batched.thrown + " thrown by the listener");
        }
    }

    private static String counters(Dispatcher d) {
        return "samples=" + d.samples() + " lost=" + d.lost() + " corrupt=" + d.corrupt() + " unknown=" + d.unknown();
    }

    /** A batch listener's failure, told apart from what the stream reports. */
    private static final class ListenerFailure extends RuntimeException {
        ListenerFailure() {
            super("listener failure", null, false, false);
        }
    }

    /**
     * What one walk handed on, in order, as the dispatcher and its listeners see it: every sample delivered
     * (the whole record's bytes, from where the view found it), every lost and task record, every error the
     * stream reported (corruptions and bad samples). Each entry carries the count of records skipped as
     * unknown so far, so that those are in the comparison too, by position.
     */
    private static final class Walk {
        final List<String> log = new ArrayList<>();
        final EventView view = ViewAccess.get().newView();
        long corruptions;
        long thrown;
        Dispatcher dispatcher;

        Dispatcher dispatcher() {
            ErrorListener onError = t -> {
                if (t instanceof ListenerFailure) {
                    thrown++;
                    return;
                }
                if (!(t instanceof DecodeException)) {
                    throw new AssertionError("error listener got something else than a DecodeException", t);
                }
                if (t.getMessage().contains("corrupted ring")) {
                    corruptions++;
                }
                add("error " + t.getMessage());
            };
            TaskListener tasks = new TaskListener() {
                @Override
                public void onComm(int pid, int tid, String comm, boolean exec) {
                    add("comm pid=" + pid + " tid=" + tid + " comm=" + comm + " exec=" + exec);
                }

                @Override
                public void onFork(int pid, int ppid, int tid, int ptid, long timeNanos) {
                    add("fork " + pid + " " + ppid + " " + tid + " " + ptid + " " + timeNanos);
                }

                @Override
                public void onExit(int pid, int ppid, int tid, int ptid, long timeNanos) {
                    add("exit " + pid + " " + ppid + " " + tid + " " + ptid + " " + timeNanos);
                }
            };
            EventListener sample = v -> sample(v, WALK_CPU);
            dispatcher = new Dispatcher(view,
                    new Dispatcher.Entry[] {new Dispatcher.Entry(Layouts.SIGNAL, new EventListener[] {sample}),
                            new Dispatcher.Entry(Layouts.EXEC, new EventListener[] {sample})},
                    new LostListener[] {(cpu, n) -> add("lost cpu=" + cpu + " n=" + n)}, new TaskListener[] {tasks},
                    onError, WALK_CPU);
            return dispatcher;
        }

        /** The batch walk's listener: see {@link #walks} for the kinds. */
        BatchListener listener(int kind, int take) {
            int[] calls = {0};
            return batch -> {
                check(batch.view() == view, "the batch's view is not the dispatcher's");
                int k = kind == 3 ? (calls[0]++ % 2 == 0 ? Integer.MAX_VALUE : take) : kind == 0 ? Integer.MAX_VALUE : take;
                boolean throwing = kind == 2 || kind == 3 && k != Integer.MAX_VALUE;
                for (int i = 0; i < k && batch.next(); i++) {
                    sample(batch.view(), batch.cpu());
                }
                if (throwing) {
                    throw new ListenerFailure();
                }
            };
        }

        void sample(EventView v, int ringCpu) {
            MemorySegment segment = v.segment();
            long at = v.offset() - PerfSampleDescriptor.RAW_OFFSET;
            int size = Short.toUnsignedInt(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 6));
            check(at >= 0 && at + size <= segment.byteSize(), "sample outside its segment");
            add("sample cpu=" + ringCpu + " " + v.format().name() + " " + HexFormat.of().formatHex(segment.asSlice(at, size).toArray(ValueLayout.JAVA_BYTE)));
        }

        void add(String entry) {
            log.add("unknown=" + dispatcher.unknown() + " " + entry);
        }
    }

    // ----------------------------------------------------------------------------------------- decoder

    /** Byte 0 picks a real layout, the rest is the raw sample; every reader either answers in bounds or throws DecodeException. */
    static void decoder(byte[] in) {
        if (!decoder(in, false)) {
            decoder(in, true); // the first run may have loaded (and instrumented) classes
        }
    }

    private static boolean decoder(byte[] in, boolean mustFit) {
        if (in.length < 1) {
            return true;
        }
        List<EventFormat> layouts = Layouts.DECODE;
        long before = allocated();
        EventFormat format = layouts.get((in[0] & 0xff) % layouts.size());
        int length = in.length - 1;
        try (Arena arena = Arena.ofConfined()) {
            // exactly the sample's bytes: a read one byte too far fails with IndexOutOfBoundsException
            MemorySegment sample = arena.allocate(Math.max(1, length), 1).asSlice(0, length);
            MemorySegment.copy(MemorySegment.ofArray(in), 1, sample, 0, length);
            EventReader reader = new EventReader();
            EventView view;
            try {
                view = reader.read(format, sample, 0, length, SampleMetadata.of(1, 2, 3, 4));
            } catch (DecodeException e) {
                check(length < format.fixedSize(), "wrap refused a long enough sample: " + e.getMessage());
                return true;
            }
            readEveryField(view);
            try {
                String text = view.toString();
                check(text != null, "toString null");
            } catch (DecodeException expected) {
                // a field points outside the record
            }
            try {
                Event copy = view.copy();
                check(copy.toString() != null, "copy toString null");
            } catch (DecodeException expected) {
                // a field points outside the record
            }
        }
        return checkAllocation(before, in.length, mustFit);
    }

    /** Reads every field every way; only DecodeException may come out, and results stay within the record. */
    static void readEveryField(EventView view) {
        int length = view.length();
        byte[] small = new byte[8];
        for (Field f : view.format().fields()) {
            try {
                Object v = view.value(f);
                if (v instanceof String s) {
                    check(s.length() <= length, "string longer than the record");
                } else if (v instanceof byte[] b) {
                    check(b.length <= length, "bytes longer than the record");
                } else if (v instanceof long[] l) {
                    check(l.length <= length, "array longer than the record");
                }
            } catch (DecodeException expected) {
                // out of the record
            }
            try {
                view.symbol(f);
            } catch (DecodeException expected) {
                // not a scalar, or outside
            }
            if (f.kind() != dev.tracepoint.core.format.FieldKind.SCALAR && f.kind() != dev.tracepoint.core.format.FieldKind.POINTER) {
                try {
                    int n = view.byteLength(f);
                    check(n >= 0 && n <= length, "byteLength " + n + " of " + length);
                    check(view.copyBytes(f, small, 3) <= 5, "copyBytes beyond the buffer");
                    view.copyString(f, small);
                    view.stringEquals(f, "x");
                    int count = view.elementCount(f);
                    check(count >= 0 && count <= length, "elementCount " + count);
                    for (int i : new int[] {-1, 0, count - 1, count, Integer.MAX_VALUE}) {
                        try {
                            view.getElement(f, i);
                        } catch (DecodeException expected) {
                            // outside the array, or not numeric
                        }
                    }
                } catch (DecodeException expected) {
                    // out of the record
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------- helpers

    static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** @return whether the allocation since {@code before} fits the bound; fails when it must and does not */
    static boolean checkAllocation(long before, int inputLength, boolean mustFit) {
        long used = allocated() - before;
        long bound = ALLOCATION_ALLOWANCE + perByte * inputLength;
        check(used <= bound || !mustFit, "allocated " + used + " bytes for a " + inputLength + "-byte input (bound " + bound + ")");
        return used <= bound;
    }

    static long longAt(byte[] b, int i) {
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = (v << 8) | (b[i + k] & 0xffL);
        }
        return v;
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
