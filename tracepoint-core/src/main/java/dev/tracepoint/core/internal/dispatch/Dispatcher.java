package dev.tracepoint.core.internal.dispatch;

import static dev.tracepoint.core.internal.perf.PerfSampleDescriptor.RAW_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfSampleDescriptor.RAW_SIZE_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.COMM_COMM_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.COMM_MIN_LENGTH;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.COMM_PID_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.COMM_TID_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.LOST_LENGTH;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.LOST_LOST_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.PERF_RECORD_MISC_COMM_EXEC;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.TASK_LENGTH;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.TASK_PID_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.TASK_PPID_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.TASK_PTID_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.TASK_TID_OFFSET;
import static dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor.TASK_TIME_OFFSET;

import dev.tracepoint.core.ErrorListener;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.DecodeException;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.access.ViewAccess;
import dev.tracepoint.core.internal.perf.PerfRecordType;
import dev.tracepoint.core.internal.ring.RecordHandler;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Turns ring records into listener calls: parses {@code PERF_RECORD_SAMPLE} bodies of the layout
 * {@link dev.tracepoint.core.internal.perf.PerfSampleDescriptor} describes, finds the tracepoint by the raw record's {@code common_type} (the
 * tracepoint's id, which every format begins with), moves the one
 * {@link EventView} to the raw record and calls that tracepoint's listeners in order. Lost, task and
 * unknown records are counted and reported. Tables are frozen before the first record (JFR's
 * {@code Dispatcher}: arrays, a table indexed by type, indexed loops). Single-threaded: the consumer
 * thread or the thread in {@code poll}.
 */
public final class Dispatcher implements RecordHandler {

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** A constant: the JIT inlines the call. */
    private static final ViewAccess.Views WRAP = ViewAccess.get();
    private static final boolean BIG_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN;

    /** One tracepoint's decoding state. */
    public static final class Entry {
        final EventFormat format;
        final EventListener[] listeners;
        final int fixedSize;

        /**
         * @param format    the layout
         * @param listeners the listeners, in registration order
         */
        public Entry(EventFormat format, EventListener[] listeners) {
            this.format = format;
            this.listeners = listeners;
            this.fixedSize = format.fixedSize();
        }

        /** @return the layout */
        public EventFormat format() {
            return format;
        }
    }

    private final EventView view;
    /** Indexed by {@code common_type}; null where no tracepoint of this stream has that id. */
    private final Entry[] byType;
    private final int typeOffset;
    private final int typeSize;
    /** {@code typeOffset + typeSize}: the fewest raw bytes a sample can have. */
    private final int typeEnd;
    /** Whether {@code common_type} lies in the 8 bytes read with the raw size (little-endian, offset + size <= 4). */
    private final boolean typeInHead;
    private final int typeShift;
    private final long typeMask;
    private final LostListener[] lostListeners;
    private final TaskListener[] taskListeners;
    private final ErrorListener errors;
    private final long[] lostPerCpu;
    private EventListener override;
    /** Bytes of {@code struct sample_id} at the end of every record other than a sample: 0 unless {@code sample_id_all}. */
    private int sampleIdLength;
    private long samples;
    private long lost;
    private long corrupt;
    private long unknown;
    private long errorCount;

    /**
     * @param view          the view moved to every record (its wall-clock offset already set)
     * @param entries       one entry per tracepoint, each format with a distinct id; all formats must place
     *                      {@code common_type} alike (the kernel's common fields)
     * @param lostListeners told about {@code PERF_RECORD_LOST}
     * @param taskListeners told about COMM, FORK and EXIT records
     * @param errors        told about listener exceptions and bad samples
     * @param maxCpu        the largest CPU number
     */
    public Dispatcher(EventView view, Entry[] entries, LostListener[] lostListeners,
                      TaskListener[] taskListeners, ErrorListener errors, int maxCpu) {
        int maxId = -1;
        int offset = 0;
        int size = 2;
        for (int i = 0; i < entries.length; i++) {
            EventFormat f = entries[i].format;
            Field type = f.field("common_type");
            if (type == null || !(type.size() == 1 || type.size() == 2 || type.size() == 4)) {
                throw new IllegalArgumentException(f.fullName() + " has no 1, 2 or 4-byte common_type field");
            }
            if (i > 0 && (type.offset() != offset || type.size() != size)) {
                throw new IllegalArgumentException(f.fullName() + " places common_type at offset " + type.offset()
                        + " size " + type.size() + ", unlike " + entries[0].format.fullName() + " (offset " + offset + " size " + size + ")");
            }
            offset = type.offset();
            size = type.size();
            if (f.id() < 0 || f.id() > 0xffff) {
                throw new IllegalArgumentException(f.fullName() + " has id " + f.id() + ", outside common_type's range");
            }
            maxId = Math.max(maxId, (int) f.id());
        }
        this.byType = new Entry[maxId + 1];
        for (Entry e : entries) {
            int id = (int) e.format.id();
            if (byType[id] != null) {
                throw new IllegalArgumentException("two entries for id " + id + ": "
                        + byType[id].format.fullName() + " and " + e.format.fullName());
            }
            byType[id] = e;
        }
        this.typeOffset = offset;
        this.typeSize = size;
        this.typeEnd = offset + size;
        this.typeInHead = !BIG_ENDIAN && offset + size <= 4;
        this.typeShift = 32 + 8 * offset;
        this.typeMask = size == 4 ? 0xffff_ffffL : (1L << (8 * size)) - 1;
        this.view = view;
        this.lostListeners = lostListeners.clone();
        this.taskListeners = taskListeners.clone();
        this.errors = errors;
        this.lostPerCpu = new long[maxCpu + 1];
    }

    /**
     * Sends every sample to one listener instead of the registered ones (pull mode), or back with {@code null}.
     *
     * @param listener the listener, or {@code null}
     */
    public void override(EventListener listener) {
        this.override = listener;
    }

    /**
     * Tells the dispatcher that the records other than samples end with a {@code struct sample_id} of this
     * many bytes (the events were opened with {@code sample_id_all}): it is not part of their bodies (a COMM
     * record's name ends before it).
     *
     * @param bytes the trailer's length, 0 for none
     */
    public void sampleIdLength(int bytes) {
        if (bytes < 0 || (bytes & 7) != 0) {
            throw new IllegalArgumentException("sample_id length=" + bytes);
        }
        this.sampleIdLength = bytes;
    }

    /** @return whether {@link #override} set a listener */
    public boolean overridden() {
        return override != null;
    }

    @Override
    public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
        if (type == PerfRecordType.PERF_RECORD_SAMPLE) {
            sample(cpu, segment, offset, size);
        } else {
            other(cpu, segment, offset, type, misc, size);
        }
    }

    /**
     * The hot path, once per sample. Kept under C2's inlining budget for hot methods ({@code FreqInlineSize},
     * 325 bytecode bytes) so that it is compiled into {@code PerfRing.drain}'s loop rather than called from it
     * (measured with {@code -XX:+PrintInlining}: at 402 bytes it was "hot method too big"): every message is
     * built in a cold method of its own.
     */
    private void sample(int ringCpu, MemorySegment segment, long offset, int size) {
        Entry e = locate(view, ringCpu, segment, offset, size);
        if (e != null) {
            deliver(e.listeners);
        }
    }

    /**
     * Moves the view to a {@code PERF_RECORD_SAMPLE} of a tracepoint of this stream and counts it, for a
     * reader that walks the ring itself ({@link BatchCursor}); no listener is called. The cursor passes the
     * view (this dispatcher's) from its own field, so that the JIT sees the view it stores to and the view
     * the listener reads from as one object.
     *
     * @return whether the view is on the sample; false when it was skipped (unknown type, or reported as bad)
     */
    boolean takeSample(EventView v, int ringCpu, MemorySegment segment, long offset, int size) {
        return locate(v, ringCpu, segment, offset, size) != null;
    }

    /** Checks a sample, finds its tracepoint and moves the view to it; null when it is skipped. */
    private Entry locate(EventView v, int ringCpu, MemorySegment segment, long offset, int size) {
        if (size < RAW_OFFSET + 4) {
            shortSample(ringCpu, size);
            return null;
        }
        // u32 raw size and the raw record's first 4 bytes, where every kernel's common_type is: one read
        long sizeAndHead = segment.get(I64, offset + RAW_SIZE_OFFSET);
        int rawSize = BIG_ENDIAN ? (int) (sizeAndHead >>> 32) : (int) sizeAndHead;
        if (rawSize < typeEnd || RAW_OFFSET + (long) rawSize > size) {
            badRawSize(ringCpu, rawSize, size);
            return null;
        }
        int type = typeInHead ? (int) ((sizeAndHead >>> typeShift) & typeMask) : otherType(segment, offset + RAW_OFFSET + typeOffset);
        Entry[] table = byType;
        Entry e;
        if (type < 0 || type >= table.length || (e = table[type]) == null) {
            unknown++;
            return null;
        }
        if (rawSize < e.fixedSize) {
            shortForFormat(ringCpu, e, rawSize);
            return null;
        }
        WRAP.wrapSample(v, e.format, segment, offset, rawSize); // the header is read only if a listener asks
        samples++;
        return e;
    }

    /** @return the view every sample is delivered through */
    public EventView view() {
        return view;
    }

    private void deliver(EventListener[] ls) {
        EventListener o = override;
        if (o != null) {
            call(o);
            return;
        }
        for (int i = 0; i < ls.length; i++) {
            call(ls[i]);
        }
    }

    /** {@code common_type} outside the raw record's first 4 bytes, or on a big-endian machine. */
    private int otherType(MemorySegment segment, long typeAt) {
        return switch (typeSize) {
            case 1 -> Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, typeAt));
            case 2 -> Short.toUnsignedInt(segment.get(U16, typeAt));
            default -> segment.get(I32, typeAt);
        };
    }

    private void shortSample(int ringCpu, int size) {
        badSample(ringCpu, "sample record of size " + size + " is shorter than its fixed part and 4 raw bytes (" + (RAW_OFFSET + 4) + " bytes)");
    }

    private void badRawSize(int ringCpu, int rawSize, int size) {
        if (rawSize < 0 || RAW_OFFSET + (long) rawSize > size) {
            badSample(ringCpu, "sample declares a raw size of " + Integer.toUnsignedString(rawSize)
                    + " bytes but the record holds " + (size - RAW_OFFSET));
        } else {
            badSample(ringCpu, "sample of " + rawSize + " raw bytes is too short for its common_type");
        }
    }

    private void shortForFormat(int ringCpu, Entry e, int rawSize) {
        badSample(ringCpu, "sample of " + e.format.fullName() + " has " + rawSize + " raw bytes, fewer than its format's "
                + e.format.fixedSize());
    }

    private void call(EventListener l) {
        try {
            l.onEvent(view);
        } catch (Exception ex) {
            // a listener's exception must never stop the others (Errors propagate, as in JFR's dispatcher)
            error(ex);
        }
    }

    private void other(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
        switch (type) {
            case PerfRecordType.PERF_RECORD_LOST -> {
                if (size < LOST_LENGTH) {
                    badSample(cpu, "PERF_RECORD_LOST of size " + size);
                    return;
                }
                reportLost(cpu, segment.get(I64, offset + LOST_LOST_OFFSET));
            }
            case PerfRecordType.PERF_RECORD_COMM -> {
                // struct { u32 pid, tid; char comm[]; struct sample_id; } the name is NUL-terminated and
                // padded to 8 bytes; the trailer (sample_id_all) is no part of it
                if (taskListeners.length == 0 || size < COMM_MIN_LENGTH + sampleIdLength) {
                    return;
                }
                int pid = segment.get(I32, offset + COMM_PID_OFFSET);
                int tid = segment.get(I32, offset + COMM_TID_OFFSET);
                int max = size - COMM_COMM_OFFSET - sampleIdLength;
                int n = 0;
                while (n < max && segment.get(ValueLayout.JAVA_BYTE, offset + COMM_COMM_OFFSET + n) != 0) {
                    n++;
                }
                byte[] b = new byte[n];
                MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset + COMM_COMM_OFFSET, b, 0, n);
                String comm = new String(b, StandardCharsets.UTF_8);
                boolean exec = (misc & PERF_RECORD_MISC_COMM_EXEC) != 0;
                for (TaskListener l : taskListeners) {
                    try {
                        l.onComm(pid, tid, comm, exec);
                    } catch (Exception ex) {
                        error(ex);
                    }
                }
            }
            case PerfRecordType.PERF_RECORD_FORK, PerfRecordType.PERF_RECORD_EXIT -> {
                // struct { u32 pid, ppid; u32 tid, ptid; u64 time; }
                if (taskListeners.length == 0 || size < TASK_LENGTH) {
                    return;
                }
                int pid = segment.get(I32, offset + TASK_PID_OFFSET);
                int ppid = segment.get(I32, offset + TASK_PPID_OFFSET);
                int tid = segment.get(I32, offset + TASK_TID_OFFSET);
                int ptid = segment.get(I32, offset + TASK_PTID_OFFSET);
                long time = segment.get(I64, offset + TASK_TIME_OFFSET);
                for (TaskListener l : taskListeners) {
                    try {
                        if (type == PerfRecordType.PERF_RECORD_FORK) {
                            l.onFork(pid, ppid, tid, ptid, time);
                        } else {
                            l.onExit(pid, ppid, tid, ptid, time);
                        }
                    } catch (Exception ex) {
                        error(ex);
                    }
                }
            }
            default -> unknown++; // THROTTLE and future record types: skipped, counted
        }
    }

    /**
     * Counts lost samples and tells the lost listeners.
     *
     * @param cpu   the CPU whose ring was full
     * @param count how many samples were lost
     */
    public void reportLost(int cpu, long count) {
        lost += count;
        if (cpu >= 0 && cpu < lostPerCpu.length) {
            lostPerCpu[cpu] += count;
        }
        for (LostListener l : lostListeners) {
            try {
                l.onLost(cpu, count);
            } catch (Exception ex) {
                error(ex);
            }
        }
    }

    private void badSample(int cpu, String problem) {
        corrupt++;
        error(new DecodeException("CPU " + cpu + ": " + problem + "; record skipped"));
    }

    @Override
    public void onCorruption(int cpu, String problem, long skippedBytes) {
        corrupt++;
        error(new DecodeException("CPU " + cpu + ": corrupted ring: " + problem + "; resynchronised to data_head, "
                + skippedBytes + " bytes skipped"));
    }

    void error(Throwable t) {
        errorCount++;
        try {
            errors.onError(t);
        } catch (RuntimeException ignored) {
            // an error listener that throws has nowhere left to report to
        }
    }

    /** @return samples dispatched so far */
    public long samples() {
        return samples;
    }

    /** @return samples the kernel reported lost so far */
    public long lost() {
        return lost;
    }

    /**
     * @param cpu a CPU
     * @return samples lost on that CPU
     */
    public long lost(int cpu) {
        return cpu >= 0 && cpu < lostPerCpu.length ? lostPerCpu[cpu] : 0;
    }

    /** @return a copy of the lost samples by CPU, indexed by CPU number */
    public long[] lostPerCpu() {
        return lostPerCpu.clone();
    }

    /** @return corrupted records and rings seen */
    public long corrupt() {
        return corrupt;
    }

    /** @return records of unknown record type or tracepoint id skipped */
    public long unknown() {
        return unknown;
    }

    /** @return errors reported */
    public long errors() {
        return errorCount;
    }
}
