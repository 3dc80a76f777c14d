package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.ring.PerfRing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs the drain and dispatch path on synthetic records before the events are enabled, so that the JIT has
 * compiled it when the first real burst arrives. A cold JVM interprets the drain loop about 100 times slower
 * than compiled code, and the ring fills while it does: measured, warming removed every event lost at
 * attach and halved the CPU per event. The synthetic ring covers every branch the hot path takes (a record
 * that wraps the ring end, a LOST record, an unknown record type), since a branch the compiler never saw
 * becomes a deoptimisation later. Listeners here are three no-op classes, so the listener call site is
 * compiled as a megamorphic call rather than inlined for a class the real stream never uses.
 */
public final class WarmUp {

    private static final int DATA_SIZE = 64 * 1024;
    private static final int RECORDS_TARGET = 150_000;
    private static final long MAX_NANOS = 400_000_000L;

    private WarmUp() {
    }

    /**
     * @param ids     the sample identifiers of the real stream
     * @param entries their entries (the formats are reused; the listeners are not called)
     */
    public static void run(long[] ids, Dispatcher.Entry[] entries) {
        EventListener[] noops = {new NoopA(), new NoopB(), new NoopC()};
        Dispatcher.Entry[] warm = new Dispatcher.Entry[entries.length];
        for (int i = 0; i < entries.length; i++) {
            warm[i] = new Dispatcher.Entry(entries[i].format(), noops);
        }
        LostListener[] lost = {(cpu, n) -> { }};
        Dispatcher d = new Dispatcher(new EventView(), ids, warm, lost, new TaskListener[0], e -> { }, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment meta = arena.allocate(4096, 4096);
            MemorySegment data = arena.allocate(DATA_SIZE, 4096);
            long start = DATA_SIZE - 24; // the first record wraps the ring end
            long pos = start;
            int records = 0;
            for (int i = 0; i < ids.length && pos - start < DATA_SIZE / 2; i++) {
                int raw = entries[i].format().fixedSize();
                int size = (44 + raw + 7) & ~7;
                byte[] rec = new byte[size];
                MemorySegment r = MemorySegment.ofArray(rec);
                r.set(ValueLayout.JAVA_INT_UNALIGNED, 0, PerfRecordType.PERF_RECORD_SAMPLE);
                r.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) size);
                r.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, ids[i]);
                r.set(ValueLayout.JAVA_INT_UNALIGNED, 16, 1);
                r.set(ValueLayout.JAVA_INT_UNALIGNED, 20, 1);
                r.set(ValueLayout.JAVA_INT_UNALIGNED, 40, size - 44);
                r.set(ValueLayout.JAVA_SHORT_UNALIGNED, 44, (short) entries[i].format().id());
                pos = put(data, pos, rec);
                records++;
            }
            byte[] lostRec = new byte[24];
            MemorySegment l = MemorySegment.ofArray(lostRec);
            l.set(ValueLayout.JAVA_INT_UNALIGNED, 0, PerfRecordType.PERF_RECORD_LOST);
            l.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) 24);
            pos = put(data, pos, lostRec);
            l.set(ValueLayout.JAVA_INT_UNALIGNED, 0, PerfRecordType.PERF_RECORD_THROTTLE);
            pos = put(data, pos, lostRec);
            records += 2;
            long end = pos;
            PerfRing ring = new PerfRing(0, meta, data);
            long deadline = System.nanoTime() + MAX_NANOS;
            int handled = 0;
            while (handled < RECORDS_TARGET && System.nanoTime() < deadline) {
                meta.set(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_TAIL_OFFSET, start);
                meta.set(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_HEAD_OFFSET, end);
                for (int k = 0; k < 64; k++) {
                    ring.dataTailRelease(start);
                    handled += ring.drain(d, Integer.MAX_VALUE);
                }
            }
            ring.close();
            if (records == 0) {
                throw new AssertionError("no warm-up record");
            }
        }
    }

    private static long put(MemorySegment data, long pos, byte[] rec) {
        long cap = data.byteSize();
        for (int i = 0; i < rec.length; i++) {
            data.set(ValueLayout.JAVA_BYTE, (pos + i) & (cap - 1), rec[i]);
        }
        return pos + rec.length;
    }

    private static final class NoopA implements EventListener {
        @Override
        public void onEvent(EventView event) {
        }
    }

    private static final class NoopB implements EventListener {
        @Override
        public void onEvent(EventView event) {
        }
    }

    private static final class NoopC implements EventListener {
        @Override
        public void onEvent(EventView event) {
        }
    }
}
