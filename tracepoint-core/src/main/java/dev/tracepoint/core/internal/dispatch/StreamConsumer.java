package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.CpuListener;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.internal.perf.PerfSideRecordDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;
import dev.tracepoint.core.internal.ring.RingSet;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The consumer side of a stream: waits for records, drains every ring into the {@link Dispatcher} (or, for a
 * batch listener, through a {@link BatchCursor}; for an ordered stream, through an {@link OrderedMerge}),
 * runs the flush actions after a pass that delivered something, and publishes its counters for other threads.
 *
 * <p>The stream builds one over its real rings; the warm-up builds its own over the same (still disabled)
 * rings plus a synthetic ring, with its own dispatcher, so that the JIT compiles this class's methods before
 * the first real event without the stream's own state ever seeing a synthetic record.
 *
 * <p>Threading: every method but the {@code published*} readers is for one thread at a time (the stream's
 * consumer, or the thread in {@code poll}, under the stream's lock). The counters are plain fields of the
 * dispatcher on that thread; after each pass that changed them they are published with one volatile write, so
 * a reader on another thread sees the counts as of a whole pass, never a half-updated or a warm-up's.
 */
public final class StreamConsumer {

    /** How the consumer waits for records. */
    public interface Waiter {
        /**
         * @param timeoutMs the longest wait; 0 returns at once
         * @return how many CPU hotplug announcements came meanwhile (not 0: the CPUs are checked at once)
         */
        long await(int timeoutMs);

        /** Makes the next {@link #await} return at once, as {@code close()} does: the warm-up's, so that a wait that ends on a ready descriptor is compiled too. */
        void poke();
    }

    /**
     * How often {@link #pass} asks the ring set whether CPUs came or went, when the set is not told of hotplug
     * as it happens ({@link RingSet#notifiesHotplug}).
     */
    private static final long CPU_CHECK_NANOS = 100_000_000L;
    /**
     * How often {@link #pass} asks when the set is told: a fallback for announcements that never came (a
     * container's own network namespace gets none). Each check costs the consumer about 50 us (interpreted
     * code: it runs too rarely to be compiled, and a {@code read(2)} of an event on another CPU interrupts that
     * CPU); checking every 100 ms was measured at 2-3 ns per event in a 550k/s drop load.
     */
    private static final long CPU_CHECK_NOTIFIED_NANOS = 1_000_000_000L;

    private PerfRing[] rings;
    private final Waiter waiter;
    private final Dispatcher dispatcher;
    /** Null when the stream delivers to event listeners. */
    private final BatchCursor cursor;
    private BatchListener batchListener;
    private final Runnable[] flushes;
    private final Consumer<Throwable> errors;
    private volatile Counts published = Counts.ZERO_COUNTS;
    /** Null when the rings are fixed (the warm-up's, tests'). */
    private RingSet ringSet;
    private CpuListener cpuListener;
    private long lastCpuCheck;
    /** {@link #CPU_CHECK_NANOS}, but for the warm-up's consumer ({@link #cpuCheckInterval}). */
    private long cpuCheckNanos = CPU_CHECK_NANOS;
    /** By CPU: the lost samples the dispatcher had counted when the CPU's current events were armed. */
    private long[] lostAtArm = new long[0];
    /** By CPU: when a check last found it offline or its events stopped, or 0. */
    private long[] offlineSince = new long[0];
    private volatile int[] armedCpus = new int[0];
    /** Hotplug gaps: CPUs found offline (or their events stopped), CPUs armed again, and the sum of their unobserved windows. */
    private volatile long cpuOfflines;
    private volatile long cpuRearms;
    private volatile long unobservedNanos;
    /** Null unless the stream delivers in time order across CPUs ({@link #ordered}). */
    private OrderedMerge merge;

    /**
     * A snapshot of a consumer's counters.
     *
     * @param samples    samples delivered
     * @param lost       samples the kernel lost
     * @param corrupt    corrupted records and rings
     * @param late       records delivered out of time order (ordered streams; see {@link OrderedMerge})
     * @param early      records delivered before their ordering window closed, to make room (ordered streams)
     * @param lostPerCpu lost samples by CPU (do not modify)
     */
    public record Counts(long samples, long lost, long corrupt, long late, long early, long[] lostPerCpu) {
        /** No counts yet. */
        public static final Counts ZERO_COUNTS = new Counts(0, 0, 0, 0, 0, new long[0]);

        /**
         * @param cpu a CPU
         * @return the samples lost on it
         */
        public long lost(int cpu) {
            return cpu >= 0 && cpu < lostPerCpu.length ? lostPerCpu[cpu] : 0;
        }
    }

    /**
     * @param rings         the rings to drain, in order
     * @param waiter        how to wait for records
     * @param dispatcher    where records go
     * @param batchListener the batch listener, or null to deliver to the dispatcher's event listeners
     * @param flushes       run after each pass that delivered records
     * @param errors        told about a flush action's exception
     */
    public StreamConsumer(PerfRing[] rings, Waiter waiter, Dispatcher dispatcher, BatchListener batchListener,
                          Runnable[] flushes, Consumer<Throwable> errors) {
        this.rings = rings.clone();
        this.waiter = waiter;
        this.dispatcher = dispatcher;
        this.cursor = batchListener != null ? new BatchCursor(dispatcher) : null;
        this.batchListener = batchListener;
        this.flushes = flushes.clone();
        this.errors = errors;
        this.armedCpus = cpusOf(this.rings);
    }

    private static int[] cpusOf(PerfRing[] rings) {
        int[] cpus = new int[rings.length];
        for (int i = 0; i < rings.length; i++) {
            cpus[i] = rings[i].cpu();
        }
        return cpus;
    }

    /**
     * One wake-up of the consumer loop: wait until a ring passes its watermark (or the timeout), then drain
     * every ring. A method of its own so that the JIT compiles it: the stream's loop is entered once and never
     * returns, so its own loop body stays interpreted (its loop would need tens of thousands of wake-ups to be
     * compiled on stack). Measured before: 8-13% of the consumer thread's CPU was the interpreter, once per
     * wake-up. The warm-up compiles it before the events are enabled.
     *
     * @param timeoutMs the longest wait
     */
    public void pass(int timeoutMs) {
        long hotplugs = waiter.await(waitMillis(timeoutMs));
        drainAll(Integer.MAX_VALUE);
        checkCpusWhenDue(hotplugs);
    }

    /**
     * Runs {@link #checkCpus} when the ring set follows hotplug and the wait heard of a hotplug or the last check
     * is older than the interval (100 ms, or 1 s where the set hears of hotplug as it happens).
     *
     * @param hotplugs the hotplug announcements the wait saw
     */
    private void checkCpusWhenDue(long hotplugs) {
        if (ringSet != null) {
            long now = System.nanoTime();
            // one branch, which the warm-up's forced checks take both ways, and none for an announcement
            // alone (the warm-up never has one: the JIT would compile it as never taken). overdue is 1 when
            // the last check is older than the interval (the sign of lastCpuCheck + interval - now)
            long overdue = (lastCpuCheck + cpuCheckNanos - now) >>> 63;
            if ((hotplugs | overdue) != 0) {
                lastCpuCheck = now;
                checkCpus();
            }
        }
    }

    /**
     * Makes the rings follow CPU hotplug (see {@link dev.tracepoint.core.CpuListener}): the rings of CPUs whose
     * events stopped are drained one last time, their unannounced losses counted, and closed; CPUs online
     * without events are armed again. Consumer thread.
     *
     * @param ringSet  the stream's ring set
     * @param listener told about each change, or null
     * @param maxCpu   the largest CPU number the set may arm
     */
    public void followHotplug(RingSet ringSet, CpuListener listener, int maxCpu) {
        this.ringSet = ringSet;
        this.cpuListener = listener;
        this.lostAtArm = new long[maxCpu + 1];
        this.offlineSince = new long[maxCpu + 1];
        this.lastCpuCheck = System.nanoTime();
        this.cpuCheckNanos = ringSet.notifiesHotplug() ? CPU_CHECK_NOTIFIED_NANOS : CPU_CHECK_NANOS;
    }

    /**
     * Delivers in time order across CPUs from now on: every pass goes through an {@link OrderedMerge} over the
     * dispatcher, whose records other than samples carry a {@code struct sample_id} (the session must open the
     * events with {@code sample_id_all}).
     *
     * @param latenessNanos how late after its time a record may be published and still be put in order
     * @param clock         the clock of the samples' times ({@link OrderedMerge#MONOTONIC})
     */
    public void ordered(long latenessNanos, LongSupplier clock) {
        int trailer = PerfSideRecordDescriptor.SAMPLE_ID_LENGTH;
        dispatcher.sampleIdLength(trailer);
        this.merge = new OrderedMerge(dispatcher, latenessNanos, clock, trailer);
    }

    /** How long to wait: at most {@code timeoutMs}, and no longer than until a staged record is due. */
    private int waitMillis(int timeoutMs) {
        OrderedMerge m = merge;
        return m == null ? timeoutMs : m.waitMillis(timeoutMs);
    }

    /** Checks the CPUs now (a pass does it at most every 100 ms). */
    public void checkCpus() {
        RingSet set = ringSet;
        if (set == null) {
            return;
        }
        boolean changed = false;
        for (int cpu : set.deadCpus()) {
            int at = indexOf(cpu);
            if (at >= 0) {
                PerfRing r = rings[at];
                // what the ring still holds is delivered before it goes (a stopped event writes no more);
                // ordered, it is staged, and merged by the next passes
                if (merge != null) {
                    merge.stage(r, cursor != null && !dispatcher.overridden() ? batchListener : null);
                } else if (cursor != null && !dispatcher.overridden()) {
                    cursor.run(r, batchListener);
                } else {
                    r.drain(dispatcher, Integer.MAX_VALUE);
                }
            }
            long kernelLost = set.disarm(cpu, errors);
            reportMissing(cpu, kernelLost);
            if (at >= 0) {
                PerfRing[] next = new PerfRing[rings.length - 1];
                System.arraycopy(rings, 0, next, 0, at);
                System.arraycopy(rings, at + 1, next, at, rings.length - at - 1);
                rings = next;
            }
            if (cpu < offlineSince.length) {
                offlineSince[cpu] = System.nanoTime();
            }
            changed = true;
            cpuOfflines++; // one writer, the consumer thread
            tell(l -> l.onCpuOffline(cpu));
        }
        for (int cpu : set.unarmedOnlineCpus()) {
            PerfRing r;
            try {
                r = set.arm(cpu);
            } catch (Exception e) {
                errors.accept(e); // tried again at the next check
                continue;
            }
            if (r == null) {
                continue;
            }
            long now = System.nanoTime();
            long since = cpu < offlineSince.length && offlineSince[cpu] != 0 ? offlineSince[cpu] : lastCpuCheck;
            if (cpu < lostAtArm.length) {
                lostAtArm[cpu] = dispatcher.lost(cpu);
            }
            PerfRing[] next = java.util.Arrays.copyOf(rings, rings.length + 1);
            next[rings.length] = r;
            java.util.Arrays.sort(next, java.util.Comparator.comparingInt(PerfRing::cpu));
            rings = next;
            changed = true;
            long unobserved = Math.max(0, now - since);
            cpuRearms++; // one writer, the consumer thread
            unobservedNanos += unobserved;
            tell(l -> l.onCpuArmed(cpu, unobserved));
        }
        if (changed) {
            armedCpus = cpusOf(rings);
            publish();
        }
    }

    private int indexOf(int cpu) {
        for (int i = 0; i < rings.length; i++) {
            if (rings[i].cpu() == cpu) {
                return i;
            }
        }
        return -1;
    }

    private void tell(Consumer<CpuListener> call) {
        CpuListener l = cpuListener;
        if (l != null) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                errors.accept(e);
            }
        }
    }

    /** @return the CPUs whose rings this consumer drains now, ascending; any thread */
    public int[] armedCpus() {
        return armedCpus.clone();
    }

    /** {@return how often a CPU was found offline or its events stopped by a hotplug} */
    public long cpuOfflines() {
        return cpuOfflines;
    }

    /** {@return how often a CPU was armed again after it came (back) online} */
    public long cpuRearms() {
        return cpuRearms;
    }

    /** {@return the sum of the unobserved windows of the CPUs armed again ({@code CpuListener.onCpuArmed}'s bound)} */
    public long unobservedNanos() {
        return unobservedNanos;
    }

    /** Reports what the kernel counted lost on a CPU's current events but never announced with a LOST record. */
    private void reportMissing(int cpu, long kernelLost) {
        long base = cpu >= 0 && cpu < lostAtArm.length ? lostAtArm[cpu] : 0;
        long missing = kernelLost - (dispatcher.lost(cpu) - base);
        if (missing > 0) {
            dispatcher.reportLost(cpu, missing);
        }
    }

    /**
     * Drains every ring once, up to the head each had when its turn began.
     *
     * @param limit the most records to hand to event listeners (batches ignore it)
     * @return the records handled
     */
    public int drainAll(int limit) {
        int total = 0;
        PerfRing[] rs = rings;
        BatchCursor c = cursor;
        if (merge != null) {
            total = merge.pass(rs, limit, c != null && !dispatcher.overridden() ? batchListener : null);
        } else if (c != null && !dispatcher.overridden()) {
            // batches ignore the limit: poll(), the only caller with one, overrides the listener
            BatchListener b = batchListener;
            for (int i = 0; i < rs.length; i++) {
                total += c.run(rs[i], b);
            }
        } else {
            for (int i = 0; i < rs.length && total < limit; i++) {
                total += rs[i].drain(dispatcher, limit - total);
            }
        }
        afterPass(total);
        return total;
    }

    /** Runs the flush actions and publishes the counters after a pass that delivered {@code total} records. */
    private void afterPass(int total) {
        if (total > 0) {
            for (Runnable r : flushes) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    errors.accept(e);
                }
            }
            publish();
        }
    }

    /**
     * The last drain of a stream whose events are disabled: every ring once, then, ordered, every staged
     * record whatever its ordering window.
     *
     * @return the records handled
     */
    public int drainRemaining() {
        int total = drainAll(Integer.MAX_VALUE);
        if (merge != null) {
            int more = merge.flush(cursor != null ? batchListener : null);
            afterPass(more);
            total += more;
        }
        return total;
    }

    /** Frees what the consumer holds besides the rings (an ordered stream's staging); the stream's release. */
    public void close() {
        if (merge != null) {
            merge.close();
        }
    }

    /**
     * Pull mode: up to {@code limit} records to {@code listener} instead of the registered listeners, waiting
     * up to {@code timeoutMs} for the first.
     *
     * @param listener  the listener
     * @param limit     the most records
     * @param timeoutMs the longest wait when nothing is ready
     * @param closed    whether the stream was closed meanwhile (checked after the wait)
     * @return the records handled
     */
    public int poll(EventListener listener, int limit, int timeoutMs, java.util.function.BooleanSupplier closed) {
        dispatcher.override(listener);
        try {
            long hotplugs = 0;
            int n = drainAll(limit);
            if (n == 0 && timeoutMs > 0 && !closed.getAsBoolean()) {
                hotplugs = waiter.await(waitMillis(timeoutMs));
                n = closed.getAsBoolean() ? 0 : drainAll(limit);
            }
            checkCpusWhenDue(hotplugs);
            return n;
        } finally {
            dispatcher.override(null);
        }
    }

    /**
     * The kernel announces lost samples with a {@code PERF_RECORD_LOST} written in front of the next sample
     * that fits: samples lost in a burst followed by silence are never announced. At the end, each event's own
     * lost counter tells how many the rings did not announce; they are reported like any other loss, so
     * delivered + lost is exact.
     *
     * @param kernelLost the kernel's lost counters by CPU (see {@code PerfSession.kernelLost})
     */
    public void reportUnannounced(Map<Integer, Long> kernelLost) {
        for (Map.Entry<Integer, Long> e : kernelLost.entrySet()) {
            reportMissing(e.getKey(), e.getValue());
        }
        publish();
    }

    /**
     * Publishes the dispatcher's counters for {@link #published()}; consumer thread. One object per pass that
     * delivered records, and one branch: the per-CPU lost counts are copied only when a loss changed them (the
     * first publication keeps the empty array, which reads as 0 lost on every CPU). No other test of the counts
     * here: each would be a branch the warm-up's passes may never take (a late or an early record, the first
     * publication), and the first real pass to take it deoptimized the whole compiled pass.
     */
    public void publish() {
        Dispatcher d = dispatcher;
        OrderedMerge m = merge;
        long late = m == null ? 0 : m.late();
        long early = m == null ? 0 : m.early();
        Counts p = published;
        long[] perCpu = p.lost() == d.lost() ? p.lostPerCpu() : d.lostPerCpu();
        published = new Counts(d.samples(), d.lost(), d.corrupt(), late, early, perCpu);
    }

    /** @return the counters as of the last pass that changed them; any thread */
    public Counts published() {
        return published;
    }

    /**
     * Sets how old the last CPU check must be for a pass to check again. For the warm-up only: its passes come
     * microseconds apart, so with the stream's 100 ms no pass of the warm-up would ever be due, the JIT would
     * compile the check as never due, and the stream's first due check would deoptimize the whole compiled
     * pass (measured: {@code unstable_if} in {@code checkCpusWhenDue} at the first 100 ms of a live stream).
     *
     * @param nanos the interval; -1 makes the next pass check (no more than about 2^62: the due test adds it to a time)
     */
    void cpuCheckInterval(long nanos) {
        this.cpuCheckNanos = nanos;
    }

    /** @param nanos added to an ordered consumer's clock from now on (the warm-up's; see OrderedMerge) */
    void clockShift(long nanos) {
        if (merge != null) {
            merge.clockShift(nanos);
        }
    }

    /** @param listener the batch listener the next passes hand batches to (the warm-up rotates its own) */
    void batchListener(BatchListener listener) {
        this.batchListener = listener;
    }

    /** @return the dispatcher */
    Dispatcher dispatcher() {
        return dispatcher;
    }
}
