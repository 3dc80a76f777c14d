package dev.tracepoint.core;

import dev.tracepoint.core.internal.dispatch.FlightRecorder;

import java.util.Arrays;

/**
 * What one {@link TracepointStream#snapshot()} of a flight recorder held: how many records each CPU's ring
 * gave, and what it could not give. Immutable.
 *
 * <p>A snapshot delivers the records written since the previous snapshot (the first one: since the stream
 * was armed) that the ring still held. What it reports beyond them is exact:
 * <ul>
 * <li>{@link #torn()}: records whose start was still in the ring but whose end the kernel had already
 *     overwritten with newer records (at most one per ring: the oldest). They are dropped, never parsed.</li>
 * <li>{@link #overwrittenBytes()}: bytes written since the previous snapshot that the ring no longer held
 *     (records of varying sizes: a byte count, not a record count).</li>
 * <li>{@link #lost()}: samples the kernel could not write at all, announced by the records delivered (the
 *     output is paused while a snapshot copies the rings, and samples that arrive meanwhile are counted
 *     lost and announced in the next snapshot). They also reach {@link TracepointStream#onLost} listeners.</li>
 * </ul>
 */
public final class FlightSnapshot {

    private final FlightRecorder.Result result;

    FlightSnapshot(FlightRecorder.Result result) {
        this.result = result;
    }

    /**
     * The CPUs this snapshot covers; the per-CPU counts of the other methods are for these.
     *
     * @return the CPUs whose rings the snapshot read, in order; a fresh copy
     */
    public int[] cpus() {
        return result.cpus().clone();
    }

    /**
     * How many tracepoint samples the snapshot handed to the stream, over every CPU.
     *
     * @return the samples delivered to the stream's event listeners
     */
    public long events() {
        return result.events();
    }

    /**
     * How many records the snapshot took from the rings: samples, and the lost and task records among them.
     *
     * @return the whole records delivered, over every CPU (samples, and lost or task records)
     */
    public long records() {
        return sum(result.records());
    }

    /**
     * How many records the snapshot took from one CPU's ring.
     *
     * @param cpu a CPU
     * @return the whole records delivered from that CPU's ring (0 for a CPU the stream does not read)
     */
    public long records(int cpu) {
        return byCpu(result.records(), cpu);
    }

    /**
     * How many records were dropped because the kernel had overwritten their end (see the class comment).
     *
     * @return the records dropped from torn ring tails, over every CPU
     */
    public long torn() {
        return sum(result.torn());
    }

    /**
     * Whether the oldest record of one CPU's ring was torn and dropped.
     *
     * @param cpu a CPU
     * @return the records dropped from that CPU's torn tail: 0 or 1
     */
    public long torn(int cpu) {
        return byCpu(result.torn(), cpu);
    }

    /**
     * How much the kernel wrote since the previous snapshot that the rings no longer held: the part of the
     * recording that is gone because the rings are too small for the interval between snapshots.
     *
     * @return the bytes written since the previous snapshot that the rings had overwritten, over every CPU
     */
    public long overwrittenBytes() {
        return sum(result.overwrittenBytes());
    }

    /**
     * How much the kernel wrote to one CPU's ring since the previous snapshot that the ring no longer held.
     *
     * @param cpu a CPU
     * @return the bytes written since the previous snapshot that this CPU's ring had overwritten
     */
    public long overwrittenBytes(int cpu) {
        return byCpu(result.overwrittenBytes(), cpu);
    }

    /**
     * How many samples the kernel could not write at all, as the lost records of this snapshot report them.
     *
     * @return the samples the kernel reported lost in the records delivered
     */
    public long lost() {
        return result.lost();
    }

    /**
     * How many rings held bytes that could not be parsed as records. Not expected with a sane kernel.
     *
     * @return rings whose records ended in bytes that cannot be a record: the rest of such a ring is dropped
     *         and reported to the stream's error listener (never happens with a sane kernel)
     */
    public long corrupt() {
        return result.corrupt();
    }

    /**
     * How long the snapshot kept the kernel from writing to the rings; samples arriving meanwhile are lost.
     *
     * @return how long the kernel's output was paused while the rings were copied, in nanoseconds
     */
    public long pausedNanos() {
        return result.pausedNanos();
    }

    /**
     * When the recording this snapshot delivered begins.
     *
     * @return the time of the oldest sample delivered (CLOCK_MONOTONIC ns, as {@code timeNanos()}), or -1
     *         when none was delivered
     */
    public long firstTimeNanos() {
        return result.firstTimeNanos();
    }

    /**
     * When the recording this snapshot delivered ends.
     *
     * @return the time of the newest sample delivered (CLOCK_MONOTONIC ns), or -1 when none was delivered
     */
    public long lastTimeNanos() {
        return result.lastTimeNanos();
    }

    private static long sum(long[] values) {
        return Arrays.stream(values).sum();
    }

    private long byCpu(long[] values, int cpu) {
        int[] cpus = result.cpus();
        for (int i = 0; i < cpus.length; i++) {
            if (cpus[i] == cpu) {
                return values[i];
            }
        }
        return 0;
    }

    /**
     * A one-line summary of the counts, for a log.
     *
     * @return {@code events=N records=N torn=N overwritten_bytes=N lost=N paused_us=N}, then per CPU
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(96).append("events=").append(events()).append(" records=").append(records())
                .append(" torn=").append(torn()).append(" overwritten_bytes=").append(overwrittenBytes())
                .append(" lost=").append(lost());
        if (corrupt() > 0) {
            sb.append(" corrupt=").append(corrupt());
        }
        sb.append(" paused_us=").append(pausedNanos() / 1000).append(" per_cpu=");
        int[] cpus = result.cpus();
        for (int i = 0; i < cpus.length; i++) {
            sb.append(i == 0 ? "" : ",").append(cpus[i]).append(':').append(result.records()[i]);
        }
        return sb.toString();
    }
}
