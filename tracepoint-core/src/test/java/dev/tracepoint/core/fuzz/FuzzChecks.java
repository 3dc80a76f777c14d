package dev.tracepoint.core.fuzz;

import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.decode.SampleMetadata;
import dev.tracepoint.core.decode.EventReader;
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
import dev.tracepoint.core.internal.dispatch.Dispatcher;
import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
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
        if (in.length < 19) {
            return;
        }
        int capacity = 8 << ((in[0] & 0xff) % 14);
        int mode = in[1] & 0xff;
        long tail = longAt(in, 2);
        long headWord = longAt(in, 10);
        long head = (mode & 1) != 0 ? tail + Long.remainderUnsigned(headWord, 2L * capacity + 1) : headWord;
        int limit = (in[18] & 0xff) % 5 == 0 ? Integer.MAX_VALUE : 1 + (in[18] & 0xff) % 7;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment meta = arena.allocate(PerfMmapPageDescriptor.LENGTH, 4096);
            MemorySegment data = arena.allocate(capacity, 4096);
            MemorySegment.copy(MemorySegment.ofArray(in), 19, data, 0, Math.min(capacity, in.length - 19));
            RecordImages.publish(meta, tail, head);

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
            Checking checking = new Checking(dispatcher, data, capacity, head - tail);
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

    /** Checks every record the ring hands out against its own bytes, then passes it on. */
    private static final class Checking implements RecordHandler {
        final RecordHandler next;
        final MemorySegment data;
        final long capacity;
        final long published;
        long records;
        long bytes;
        long corruptions;

        Checking(RecordHandler next, MemorySegment data, long capacity, long published) {
            this.next = next;
            this.data = data;
            this.capacity = capacity;
            this.published = published;
        }

        @Override
        public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
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
            check(problem != null && skippedBytes >= 0, "corruption report without problem: " + problem + " " + skippedBytes);
            corruptions++;
            next.onCorruption(cpu, problem, skippedBytes);
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
