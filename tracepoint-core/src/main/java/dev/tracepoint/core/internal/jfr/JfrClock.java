package dev.tracepoint.core.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.StackTrace;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Puts kernel time stamps on JFR's time base. A stream's perf events are opened with {@code use_clockid} and
 * {@code CLOCK_MONOTONIC}, and on Linux HotSpot's JFR ticks are {@code os::elapsed_counter()}, which is
 * CLOCK_MONOTONIC nanoseconds ({@code System.nanoTime()}) less the value it had when the JVM started; with
 * {@code -XX:+UseFastUnorderedTimeStamps} they are TSC cycles instead. Neither the offset nor the rate is
 * published, so they are measured once per JVM: a short private recording commits a few calibration events,
 * each between two {@code System.nanoTime()} reads, and reads their raw start ticks back
 * ({@code RecordedEvent.getLong("startTime")}). The conversion is then
 * {@code ticks = t0 + (monotonicNanos - m0) * rate}, with the rate exactly 1 when the ticks run at 1 GHz.
 *
 * <p>Error: the calibration pair's ticks lie between the two nanoTime reads around its commit, so a converted
 * time is off by at most half that window ({@link #uncertaintyNanos()}, typically well under a microsecond),
 * plus the kernel's own difference between the perf clock ({@code ktime_get_mono_fast_ns}) and
 * {@code clock_gettime(CLOCK_MONOTONIC)} (nanoseconds).
 */
public final class JfrClock {

    private static final System.Logger LOG = System.getLogger("dev.tracepoint");
    /** Calibration pairs: the early ones for the offset, then, 20 ms later, the ones for the rate. */
    private static final int PAIRS = 12;
    private static final int EARLY_PAIRS = 8;

    /** The calibration event: private to this class, enabled only in its own recording. */
    @Name("tracepoint.ClockCalibration")
    @Label("Tracepoint Clock Calibration")
    @Description("Committed by the tracepoint library when it measures JFR's ticks against CLOCK_MONOTONIC")
    @Category({"Kernel", "Tracepoint"})
    @StackTrace(false)
    @Enabled(false) // only in the calibration's own recording, never in the user's
    static final class Calibration extends Event {
        @Label("Sequence")
        int seq;
    }

    private static volatile JfrClock instance;

    private final long ticks0;
    private final long mono0;
    private final double rate;
    private final long uncertainty;
    private final boolean calibrated;

    private JfrClock(long ticks0, long mono0, double rate, long uncertainty, boolean calibrated) {
        this.ticks0 = ticks0;
        this.mono0 = mono0;
        this.rate = rate;
        this.uncertainty = uncertainty;
        this.calibrated = calibrated;
    }

    /** {@return the JVM's clock, calibrated on first use (some tens of milliseconds, once)} */
    public static JfrClock get() {
        JfrClock c = instance;
        if (c == null) {
            synchronized (JfrClock.class) {
                c = instance;
                if (c == null) {
                    c = calibrate();
                    instance = c;
                }
            }
        }
        return c;
    }

    /** The pair in {@code [from, to)} with the narrowest window whose ticks were read back, or -1. */
    private static int tightest(Map<Integer, Long> ticks, long[] before, long[] after, int from, int to) {
        int best = -1;
        for (int i = from; i < to; i++) {
            if (ticks.containsKey(i) && (best < 0 || after[i] - before[i] < after[best] - before[best])) {
                best = i;
            }
        }
        return best;
    }

    private static JfrClock calibrate() {
        Path tmp = null;
        try (Recording r = new Recording()) {
            r.setName("tracepoint clock calibration");
            r.enable(Calibration.class).withoutStackTrace().withoutThreshold(); // only this recording has it
            r.setToDisk(true);
            r.start();
            long[] before = new long[PAIRS];
            long[] after = new long[PAIRS];
            for (int i = 0; i < PAIRS; i++) {
                if (i == EARLY_PAIRS) {
                    Thread.sleep(20); // the late pairs far from the early ones: the rate
                }
                Calibration e = new Calibration();
                e.seq = i;
                before[i] = System.nanoTime();
                e.commit();
                after[i] = System.nanoTime();
            }
            r.stop();
            tmp = Files.createTempFile("tracepoint-clock", ".jfr");
            r.dump(tmp);
            Map<Integer, Long> ticks = new HashMap<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(tmp)) {
                if (e.getEventType().getName().equals("tracepoint.ClockCalibration")) {
                    ticks.put(e.getInt("seq"), e.getLong("startTime"));
                }
            }
            // the tightest early pair for the offset, the tightest late pair for the rate: a pair whose commit
            // was preempted has a wide window, and its midpoint can be milliseconds from its ticks; taken from
            // one late pair, such a window made the rate wrong by up to window / 20 ms, too little to snap to 1
            // and enough to put converted times milliseconds off seconds later
            int best = tightest(ticks, before, after, 0, EARLY_PAIRS);
            int late = tightest(ticks, before, after, EARLY_PAIRS, PAIRS);
            if (best < 0 || late < 0) {
                throw new IllegalStateException("calibration events not read back");
            }
            long m0 = before[best] + (after[best] - before[best]) / 2;
            long t0 = ticks.get(best);
            long mLast = before[late] + (after[late] - before[late]) / 2;
            double rate = (double) (ticks.get(late) - t0) / (mLast - m0);
            // ticks in nanoseconds run at exactly 1: snap to it when the measurement cannot tell it apart
            double rateError = (double) (after[best] - before[best] + after[late] - before[late]) / (mLast - m0);
            if (Math.abs(rate - 1) <= Math.max(1e-3, rateError)) {
                rate = 1;
            }
            long unc = (after[best] - before[best] + 1) / 2;
            return new JfrClock(t0, m0, rate, unc, true);
        } catch (Exception | Error e) {
            LOG.log(System.Logger.Level.WARNING, "tracepoint: could not measure JFR's ticks against CLOCK_MONOTONIC ("
                    + e + "); kernelTime assumes ticks are nanoseconds since the JVM's start");
            return new JfrClock(0, 0, 1, Long.MAX_VALUE, false);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (java.io.IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    /**
     * {@return the JFR ticks of a CLOCK_MONOTONIC time}
     *
     * @param monotonicNanos CLOCK_MONOTONIC nanoseconds
     */
    public long ticks(long monotonicNanos) {
        long d = monotonicNanos - mono0;
        return rate == 1 ? ticks0 + d : ticks0 + Math.round(d * rate);
    }

    /** {@return the CLOCK_MONOTONIC time of some JFR ticks, the inverse of {@link #ticks(long)}} */
    public long monotonic(long ticks) {
        long d = ticks - ticks0;
        return rate == 1 ? mono0 + d : mono0 + Math.round(d / rate);
    }

    /** {@return ticks per nanosecond: 1 unless JFR counts TSC cycles} */
    public double rate() {
        return rate;
    }

    /** {@return JFR ticks minus CLOCK_MONOTONIC nanoseconds, when the rate is 1} */
    public long offsetNanos() {
        return ticks0 - mono0;
    }

    /** {@return half the window of the calibration pair: the most a converted time is off by, from the calibration} */
    public long uncertaintyNanos() {
        return uncertainty;
    }

    /** {@return whether the calibration succeeded} */
    public boolean calibrated() {
        return calibrated;
    }

    @Override
    public String toString() {
        return "JfrClock[ticks - monotonic = " + offsetNanos() + " ns, rate " + rate + ", +-" + uncertainty + " ns]";
    }
}
