package example.modulepath;

import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.signal.Signals;
import dev.tracepoint.skb.EtherTypes;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A user's program as a named module: opens a stream on {@code signal:signal_generate} (by field, through the
 * core's {@code EventView}), sends SIGTERM to a child process of its own, and exits 0 once it has received that
 * event (sent by this process, to that child), 1 otherwise. The signal module's {@link Signals} names the
 * signal, the skb module's {@link EtherTypes} a protocol.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (!"dev.tracepoint.core".equals(TracepointStream.class.getModule().getName())
                || !Main.class.getModule().isNamed()) {
            fail("not on the module path: " + TracepointStream.class.getModule() + ", " + Main.class.getModule());
        }
        if (!"IPv6".equals(EtherTypes.name(0x86DD))) {
            fail("EtherTypes.name(0x86dd) is " + EtherTypes.name(0x86DD));
        }
        long self = ProcessHandle.current().pid();
        Process child = new ProcessBuilder("sleep", "60").start();
        CountDownLatch received = new CountDownLatch(1);
        String[] seen = new String[1];
        boolean ok;
        long events;
        try (TracepointStream stream = TracepointStream.builder().build()) {
            Subscription signals = stream.enable("signal:signal_generate")
                    .filter("sig == " + Signals.SIGTERM + " && pid == " + child.pid());   // runs in the kernel
            Field sig = signals.format().requireField("sig");
            Field target = signals.format().requireField("pid");
            Field comm = signals.format().requireField("comm");
            signals.onEvent(e -> {
                if (e.pid() == self && e.getInt(target) == child.pid()) {
                    seen[0] = Signals.name(e.getInt(sig)) + " from " + e.pid() + " to " + e.getString(comm)
                            + "(" + e.getInt(target) + ")";
                    received.countDown();
                }
            });
            stream.startAsync();   // the events are enabled when it returns
            child.destroy();       // SIGTERM, sent by this process
            ok = received.await(20, TimeUnit.SECONDS);
            events = stream.eventCount();
        } finally {
            child.destroyForcibly();
        }
        if (!ok) {
            fail("no signal_generate event for the SIGTERM this process sent to " + child.pid() + " (events=" + events + ")");
        }
        System.out.println("consumer-modulepath: received " + seen[0] + " in module " + Main.class.getModule().getName()
                + "; ethertype 0x86dd is " + EtherTypes.name(0x86DD));
    }

    private static void fail(String message) {
        System.err.println("consumer-modulepath: FAILED: " + message);
        System.exit(1);
    }
}
