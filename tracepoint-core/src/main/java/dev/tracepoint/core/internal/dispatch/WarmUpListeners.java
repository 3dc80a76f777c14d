package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventBatch;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.LostListener;
import dev.tracepoint.core.TaskListener;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.internal.access.ViewAccess;

import java.util.List;

/**
 * The warm-up's own listeners and flush actions: several classes of each, so that every call site of the
 * stream's path is compiled megamorphic rather than inlined for a class the real stream never uses, and with
 * bodies that call the readers real listeners call, so those are compiled too before the first real event.
 * None has an effect outside the warm-up.
 */
final class WarmUpListeners {

    private WarmUpListeners() {
    }

    /** A dispatcher of the stream's formats whose listeners are the warm-up's, never the stream's. */
    static Dispatcher dispatcher(Dispatcher.Entry[] entries) {
        EventListener[] noops = {new ReadNumbers(), new ReadStrings(), new ReadHeader()};
        Dispatcher.Entry[] warm = new Dispatcher.Entry[entries.length];
        for (int i = 0; i < entries.length; i++) {
            warm[i] = new Dispatcher.Entry(entries[i].format(), noops);
        }
        LostListener[] lost = {(cpu, n) -> { }};
        // task listeners of three classes, so that a stream's COMM, FORK and EXIT records (a monitor naming
        // processes) meet a compiled, megamorphic call site and not a branch the JIT never saw taken
        TaskListener[] tasks = {new TaskA(), new TaskB(), new TaskC()};
        return new Dispatcher(ViewAccess.get().newView(), warm, lost, tasks, e -> { }, 0);
    }

    // Task listeners of three classes (see dispatcher()); each keeps what it reads alive in the sink.
    private static final class TaskA implements TaskListener {
        @Override
        public void onComm(int pid, int tid, String comm, boolean exec) {
            sink += comm.length();
        }

        @Override
        public void onFork(int pid, int ppid, int tid, int ptid, long timeNanos) {
            sink += pid;
        }

        @Override
        public void onExit(int pid, int ppid, int tid, int ptid, long timeNanos) {
            sink -= pid;
        }
    }

    private static final class TaskB implements TaskListener {
        @Override
        public void onComm(int pid, int tid, String comm, boolean exec) {
            sink += exec ? 1 : 2;
        }

        @Override
        public void onFork(int pid, int ppid, int tid, int ptid, long timeNanos) {
            sink += tid;
        }

        @Override
        public void onExit(int pid, int ppid, int tid, int ptid, long timeNanos) {
            sink -= tid;
        }
    }

    private static final class TaskC implements TaskListener {
        @Override
        public void onComm(int pid, int tid, String comm, boolean exec) {
            sink += tid;
        }

        @Override
        public void onFork(int pid, int ppid, int tid, int ptid, long timeNanos) {
            sink += timeNanos;
        }

        @Override
        public void onExit(int pid, int ppid, int tid, int ptid, long timeNanos) {
            sink -= timeNanos;
        }
    }

    /** @return three flush actions of three classes */
    static Runnable[] flushes() {
        return new Runnable[] {new FlushA(), new FlushB(), new FlushC()};
    }

    // Flush actions of three classes: the flush call site is then compiled megamorphic, not for one class.
    private static final class FlushA implements Runnable {
        @Override
        public void run() {
            sink++;
        }
    }

    private static final class FlushB implements Runnable {
        @Override
        public void run() {
            sink += 2;
        }
    }

    private static final class FlushC implements Runnable {
        @Override
        public void run() {
            sink += 3;
        }
    }

    /**
     * Keeps the warm-up listeners' reads alive (the JIT would drop reads whose results go nowhere). Written
     * only by the warm-up thread.
     */
    static long sink;

    // Three listener classes, so the listener call site is compiled megamorphic rather than inlined for a class
    // the real stream never uses. Their bodies call the accessors real listeners call, so that those are
    // compiled too before the first real event: a listener still interpreted at attach then calls into
    // compiled readers instead of reading memory segments in the interpreter.

    /** Reads every integer field the generic way. */
    private static final class ReadNumbers implements EventListener {
        @Override
        public void onEvent(EventView event) {
            long s = 0;
            List<Field> fields = event.format().fields();
            for (int i = 0; i < fields.size(); i++) {
                Field f = fields.get(i);
                if (f.isNumeric()) {
                    s += event.getLong(f) + event.getInt(f);
                }
            }
            sink += s;
        }
    }

    /** Measures and compares every string field without allocating. */
    private static final class ReadStrings implements EventListener {
        @Override
        public void onEvent(EventView event) {
            long s = 0;
            List<Field> fields = event.format().fields();
            for (int i = 0; i < fields.size(); i++) {
                Field f = fields.get(i);
                if (f.isString()) {
                    s += event.byteLength(f) + (event.stringEquals(f, "warm") ? 1 : 0);
                }
            }
            sink += s;
        }
    }

    /**
     * @param copy a warm-up copy of the stream's batch listener, or null
     * @return batch listeners of three classes (the batch call site is then compiled megamorphic), and the
     *         copy
     */
    static BatchListener[] batchListeners(BatchListener copy) {
        return copy == null ? new BatchListener[] {new BatchNumbers(), new BatchHeader(), new BatchFirst()}
                : new BatchListener[] {new BatchNumbers(), new BatchHeader(), new BatchFirst(), copy};
    }

    /** Reads every integer field of every event of the batch. */
    private static final class BatchNumbers implements BatchListener {
        private final ReadNumbers read = new ReadNumbers();

        @Override
        public void onBatch(EventBatch batch) {
            while (batch.next()) {
                read.onEvent(batch.view());
            }
        }
    }

    /** Reads the sample header and the first field of every event of the batch. */
    private static final class BatchHeader implements BatchListener {
        @Override
        public void onBatch(EventBatch batch) {
            long s = 0;
            while (batch.next()) {
                EventView v = batch.view();
                s += v.pid() + v.timeNanos() + v.getLong(v.format().fields().get(0)) + batch.cpu();
            }
            sink += s;
        }
    }

    /** Takes one event and leaves the rest of the batch in the ring, as a listener that stops early does. */
    static final class BatchFirst implements BatchListener {
        @Override
        public void onBatch(EventBatch batch) {
            if (batch.next()) {
                sink += batch.view().length();
            }
        }
    }

    /** Reads the sample header. */
    private static final class ReadHeader implements EventListener {
        @Override
        public void onEvent(EventView event) {
            sink += event.pid() + event.tid() + event.cpu() + event.timeNanos() + event.length();
        }
    }
}
