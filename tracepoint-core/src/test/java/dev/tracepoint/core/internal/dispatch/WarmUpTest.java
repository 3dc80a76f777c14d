package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.BatchListener;
import dev.tracepoint.core.EventBatch;
import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.testing.KernelTests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the warm-up hands a batch listener's warm-up copy: batches as long as a real burst's (the JIT's view
 * of where a batch ends comes from them), and only samples of the stream's own formats.
 */
class WarmUpTest {

    private static EventFormat signal;
    private static EventFormat skb;

    @BeforeAll
    static void formats() throws IOException, FormatException {
        signal = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/signal/signal_generate/format"));
        skb = FormatParser.parse(KernelTests.corpus().resolve("kernel-6.18/skb/kfree_skb/format"));
    }

    /** Counts what it is given; one instance per test, through {@link #warmUpCopy()}. */
    private static final class Recorder implements BatchListener {
        long batches;
        long records;
        final Set<String> formats = new HashSet<>();
        final Set<Integer> cpus = new HashSet<>();
        /** Events with a non-zero field other than common_type: the contract says synthetic fields are zero. */
        long nonZero;

        @Override
        public void onBatch(EventBatch batch) {
            int n = 0;
            while (batch.next()) {
                n++;
                EventView v = batch.view();
                formats.add(v.format().fullName());
                for (Field f : v.format().fields()) {
                    if (f.isNumeric() && !f.name().equals("common_type") && v.getLong(f) != 0) {
                        nonZero++;
                        break;
                    }
                }
            }
            cpus.add(batch.cpu());
            batches++;
            records += n;
        }
    }

    private static Dispatcher.Entry[] entries(EventFormat... formats) {
        Dispatcher.Entry[] entries = new Dispatcher.Entry[formats.length];
        for (int i = 0; i < formats.length; i++) {
            entries[i] = new Dispatcher.Entry(formats[i], new EventListener[0]);
        }
        return entries;
    }

    @Test
    void theCopyGetsLongBatchesOfTheStreamsFormats() {
        Recorder copy = new Recorder();
        WarmUp.run(entries(signal, skb), true, copy);

        assertThat(copy.batches).isPositive();
        // many records per batch on average, as in a real burst, not the handful of a short synthetic ring:
        // the JIT compiles the copy's loop for a rare end of batch (see WarmUp.run)
        assertThat(copy.records / copy.batches).isGreaterThan(100);
        // BatchListener.warmUpCopy's contract: samples of the stream's own tracepoints, fields zero, CPU 0
        assertThat(copy.formats).containsExactlyInAnyOrder("signal:signal_generate", "skb:kfree_skb");
        assertThat(copy.nonZero).isZero();
        assertThat(copy.cpus).containsExactly(0);
    }

    @Test
    void anOrderedStreamsWarmUpGivesTheCopyLongBatchesOverBothCpus() {
        Recorder copy = new Recorder();
        OrderedWarmUp.run(entries(signal, skb), true, copy);

        assertThat(copy.batches).isPositive();
        assertThat(copy.records / copy.batches).isGreaterThan(100);
        assertThat(copy.formats).containsExactlyInAnyOrder("signal:signal_generate", "skb:kfree_skb");
        assertThat(copy.nonZero).isZero();
        assertThat(copy.cpus).isSubsetOf(0, 1);
    }

    @Test
    void anEventListenerStreamsWarmUpCallsNoBatchListener() {
        Recorder copy = new Recorder();
        WarmUp.run(entries(signal), false, copy);

        assertThat(copy.batches).isZero();
    }
}
