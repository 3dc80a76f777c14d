package example.classpath;

import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.signal.SignalGenerate;
import dev.tracepoint.signal.Signals;
import dev.tracepoint.skb.EtherTypes;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A user's program on the class path: opens a stream on {@code signal:signal_generate} (typed, through the
 * signal module's {@link SignalGenerate}), sends SIGTERM to a child process of its own, and exits 0 once it has
 * received that event (sent by this process, to that child), 1 otherwise.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (TracepointStream.class.getModule().isNamed()) {
            fail("tracepoint-core was loaded as a named module; this program runs on the class path");
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
            stream.enable(SignalGenerate.TRACEPOINT)
                    .filter("sig == " + Signals.SIGTERM + " && pid == " + child.pid())   // runs in the kernel
                    .onEvent(SignalGenerate.class, e -> {
                        if (e.senderPid() == self && e.targetPid() == child.pid()) {
                            seen[0] = e.signalName() + " from " + e.senderPid() + " to " + e.targetComm()
                                    + "(" + e.targetPid() + ")";
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
        System.out.println("consumer-classpath: received " + seen[0] + "; " + Signals.name(Signals.SIGTERM)
                + " is " + Signals.SIGTERM + ", ethertype 0x86dd is " + EtherTypes.name(0x86DD));
    }

    private static void fail(String message) {
        System.err.println("consumer-classpath: FAILED: " + message);
        System.exit(1);
    }
}
