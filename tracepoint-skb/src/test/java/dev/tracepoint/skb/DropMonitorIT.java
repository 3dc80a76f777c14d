package dev.tracepoint.skb;

import dev.tracepoint.testing.KernelTests;
import dev.tracepoint.core.KernelSymbols;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real drops on the running kernel, caused by this test with loopback traffic. The monitor sees every drop
 * of the machine; each assertion counts only drops whose current process was this JVM (loopback delivery runs
 * in the sender's softirq), so background traffic cannot make a test pass or fail.
 */
class DropMonitorIT {

    static final int PID = (int) ProcessHandle.current().pid();
    static final Duration WAIT = Duration.ofSeconds(10);

    @BeforeEach
    void gate() {
        KernelTests.require();
    }

    @Test
    void typedStreamSeesNoSocketDropsWithTheirLocation() throws Exception {
        int n = 200;
        List<KfreeSkbRecord> mine = new CopyOnWriteArrayList<>();
        KernelSymbols symbols = KernelSymbols.system();
        assertThat(symbols.addressesHidden()).as("root sees kernel addresses").isFalse();
        try (TracepointStream stream = TracepointStream.builder().build()) {
            DropReasons reasons = DropReasons.of(stream.format(KfreeSkb.TRACEPOINT));
            assumeTrue(reasons.recorded(), "kernel before 5.17: no drop reasons");
            long noSocket = reasons.valueOf("NO_SOCKET");
            stream.enable(KfreeSkb.TRACEPOINT).filter("reason == " + noSocket).onEvent(KfreeSkb.class, e -> {
                if (e.pid() == PID) {
                    mine.add(e.toRecord());
                }
            });
            stream.startAsync();
            Packets.noSocket(n);
            KernelTests.await(() -> mine.size() >= n, WAIT);
        }
        assertThat(mine).as("NO_SOCKET drops of this JVM").hasSizeGreaterThanOrEqualTo(n);
        Set<String> functions = new HashSet<>();
        for (KfreeSkbRecord r : mine) {
            assertThat(r.reasonName()).isEqualTo("NO_SOCKET");
            assertThat(r.protocolName()).isEqualTo("IPv4");
            assertThat(r.protocol()).isEqualTo(0x0800);
            assertThat(r.rxSk()).as("no socket was found").isZero();
            String symbol = symbols.symbolize(r.location());
            assertThat(symbol).matches("[\\w.]+\\+0x[0-9a-f]+/0x[0-9a-f]+");
            functions.add(Packets.function(symbol));
        }
        assertThat(functions).isNotEmpty().isSubsetOf(Packets.NO_SOCKET_V4);
    }

    /**
     * A monitor built without the warm-up (it is on by default) is armed once it is open all the same: it
     * reports the drops this test causes right after, with their reason.
     */
    @Test
    void aMonitorWithoutTheWarmUpReportsTheDropsThisJvmCauses() throws Exception {
        int n = 50;
        java.util.concurrent.atomic.AtomicInteger mine = new java.util.concurrent.atomic.AtomicInteger();
        List<String> reasons = new CopyOnWriteArrayList<>();
        try (DropMonitor monitor = DropMonitor.builder()
                .warmUp(false)
                .protocols(EtherTypes.IPV4)
                .onDrop(d -> {
                    if (d.pid() == PID) { // the drop is valid during the call only: count it, keep its reason
                        mine.incrementAndGet();
                        reasons.add(d.reasonName());
                    }
                })
                .build()) {
            monitor.startAsync();
            Packets.noSocket(n);
            KernelTests.await(() -> mine.get() >= n, WAIT);
            assertThat(mine.get()).as("drops of this JVM").isGreaterThanOrEqualTo(n);
            if (monitor.reasons().recorded()) {
                assertThat(reasons).contains("NO_SOCKET");
            }
        }
    }

    @Test
    void monitorCountsFullReceiveBufferDropsPerLocation() throws Exception {
        List<KfreeSkbRecord> mine = new CopyOnWriteArrayList<>();
        try (DropMonitor monitor = DropMonitor.builder()
                .reasons("socket_rcvbuff")
                .protocols(EtherTypes.IPV4)
                .onDrop(d -> {
                    if (d.pid() == PID) {
                        mine.add((KfreeSkbRecord) d.toRecord());
                    }
                })
                .build()) {
            assertThat(monitor.kernelFilter()).isEqualTo("reason == " + monitor.reasons().valueOf("SOCKET_RCVBUFF") + " && protocol == 2048");
            monitor.startAsync();
            int dropped = Packets.fullReceiveBuffer(200);
            assertThat(dropped).as("datagrams the full socket could not take").isGreaterThan(100);
            KernelTests.await(() -> mine.size() >= dropped, WAIT);
            assertThat(mine).as("SOCKET_RCVBUFF drops of this JVM").hasSizeGreaterThanOrEqualTo(dropped);

            DropSummary totals = monitor.totalSummary(0);
            assertThat(totals.drops()).isGreaterThanOrEqualTo(dropped);
            DropSummary.Row top = totals.rows().get(0);
            assertThat(top.reasonName()).isEqualTo("SOCKET_RCVBUFF");
            assertThat(top.count()).isGreaterThanOrEqualTo(dropped);
            assertThat(top.function()).isIn(Packets.RCVBUFF);
            assertThat(top.symbol()).isEqualTo(monitor.symbols().symbolize(top.location()));
            assertThat(totals.rows()).allSatisfy(c -> assertThat(c.reasonName()).isEqualTo("SOCKET_RCVBUFF"));
            assertThat(monitor.totalSummary(1).rows()).containsExactly(top);

            DropSummary interval = monitor.takeSummary(0);
            assertThat(interval.drops()).isEqualTo(totals.drops());
            assertThat(monitor.takeSummary(0).drops()).isLessThan(dropped); // a new period
            assertThat(monitor.totalSummary(0).drops()).isGreaterThanOrEqualTo(totals.drops());
            assertThat(monitor.dropCount()).isGreaterThanOrEqualTo(dropped);
            monitor.close();
            assertThat(monitor.eventCount()).as("exact once closed: every event that crossed was counted")
                    .isEqualTo(monitor.dropCount());
            assertThat(monitor.lostCount()).isZero();
        }
        for (KfreeSkbRecord r : mine) {
            assertThat(r.reasonName()).isEqualTo("SOCKET_RCVBUFF");
            assertThat(r.protocolName()).isEqualTo("IPv4");
            assertThat(r.rxSk() != 0).as("receiving socket recorded (6.11+)").isEqualTo(kernelHasRxSk());
        }
    }

    @Test
    void startConsumesOnTheCallersThreadAndStartAsyncOnItsOwn() throws Exception {
        List<String> syncThreads = new CopyOnWriteArrayList<>();
        List<String> asyncThreads = new CopyOnWriteArrayList<>();
        try (DropMonitor sync = DropMonitor.builder().reasons("NO_SOCKET")
                     .onDrop(d -> {
                         if (d.pid() == PID) {
                             syncThreads.add(Thread.currentThread().getName());
                         }
                     }).build();
             DropMonitor async = DropMonitor.builder().reasons("NO_SOCKET")
                     .onDrop(d -> {
                         if (d.pid() == PID) {
                             asyncThreads.add(Thread.currentThread().getName());
                         }
                     }).build()) {
            sync.open(); // drops freed from now on are counted; start() opens no second time
            async.startAsync();
            Throwable[] failure = new Throwable[1];
            Thread caller = new Thread(() -> {
                try {
                    sync.start();
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }, "the-caller");
            caller.start();

            Packets.noSocket(5);
            KernelTests.await(() -> syncThreads.size() >= 5 && asyncThreads.size() >= 5, WAIT);
            assertThat(syncThreads).hasSize(5).containsOnly("the-caller");
            assertThat(asyncThreads).hasSize(5).containsOnly("tracepoint-drops");
            assertThat(caller.isAlive()).as("start() returns only at close()").isTrue();
            assertThatThrownBy(sync::startAsync).isInstanceOf(IllegalStateException.class)
                    .hasMessage("the monitor was started already");
            assertThatThrownBy(async::start).isInstanceOf(IllegalStateException.class)
                    .hasMessage("the monitor was started already");

            sync.close();
            caller.join(WAIT.toMillis());
            assertThat(caller.isAlive()).isFalse();
            assertThat(failure[0]).isNull();
            assertThat(sync.isClosed()).isTrue();
            assertThat(async.isClosed()).isFalse();
            async.close();
            assertThat(async.awaitTermination(WAIT)).isTrue();
            assertThat(async.isClosed()).isTrue();
        }
    }

    @Test
    void protocolFilterSelectsIpv6() throws Exception {
        InetAddress v6 = Packets.v6();
        assumeTrue(v6 != null, "no IPv6 loopback on this host");
        List<KfreeSkbRecord> mine = new CopyOnWriteArrayList<>();
        List<String> symbols = new CopyOnWriteArrayList<>();
        try (DropMonitor monitor = DropMonitor.builder()
                .reasons("NO_SOCKET")
                .protocols(EtherTypes.parse("ipv6"))
                .onDrop(d -> {
                    if (d.pid() == PID) {
                        mine.add((KfreeSkbRecord) d.toRecord());
                        symbols.add(d.symbol());
                    }
                })
                .build()) {
            monitor.startAsync();
            Packets.noSocket(50); // IPv4: filtered out in the kernel
            Packets.send(new InetSocketAddress(v6, Packets.closedPort(v6)), 50, 32);
            KernelTests.await(() -> mine.size() >= 50, WAIT);
            Thread.sleep(200); // let any wrongly passed IPv4 drop arrive too
        }
        assertThat(mine).hasSizeGreaterThanOrEqualTo(50);
        assertThat(mine).allSatisfy(r -> {
            assertThat(r.protocolName()).isEqualTo("IPv6");
            assertThat(r.reasonName()).isEqualTo("NO_SOCKET");
        });
        assertThat(symbols).allSatisfy(s -> assertThat(Packets.function(s)).isIn(Packets.NO_SOCKET_V6));
    }

    @Test
    void consumedPacketsAreCountedSeparately() throws Exception {
        List<String> consumedSymbols = new CopyOnWriteArrayList<>();
        List<Integer> drops = new CopyOnWriteArrayList<>();
        try (DropMonitor monitor = DropMonitor.builder()
                .reasons("NO_SOCKET")
                .includeConsumed(true)
                .onDrop(d -> {
                    if (d.pid() != PID) {
                        return;
                    }
                    if (d.consumed()) {
                        assertThat(d.reasonName()).isEqualTo(Drop.CONSUMED);
                        assertThat(d.reason()).isEqualTo(-1);
                        assertThat(d.protocolName()).isNull();
                        assertThat(d.toRecord()).isInstanceOf(ConsumeSkbRecord.class);
                        consumedSymbols.add(String.valueOf(d.symbol()));
                    } else {
                        drops.add(d.reason());
                    }
                })
                .build()) {
            monitor.startAsync();
            Packets.noSocket(20);
            tcpExchange(); // delivered TCP segments are consumed, not dropped
            KernelTests.await(() -> drops.size() >= 20 && !consumedSymbols.isEmpty(), WAIT);
            DropSummary s = monitor.totalSummary(0);
            assertThat(s.consumed()).isPositive();
            assertThat(monitor.consumedCount()).isGreaterThanOrEqualTo(s.consumed());
            assertThat(s.rows()).anySatisfy(c -> {
                assertThat(c.consumed()).isTrue();
                assertThat(c.reasonName()).isEqualTo(Drop.CONSUMED);
            });
        }
        assertThat(drops).hasSizeGreaterThanOrEqualTo(20);
        assertThat(consumedSymbols).isNotEmpty();
    }

    /** The kernel's own {@code %pS} text of the same drops, from a private tracefs instance, equals ours. */
    @Test
    void symbolsMatchTheKernelsOwnPercentPS() throws Exception {
        Tracefs tracefs = Tracefs.locate();
        Path instance = tracefs.root().resolve("instances").resolve("tracepoint-skb-it-" + PID + "-" + System.nanoTime());
        Files.createDirectory(instance);
        Path event = instance.resolve("events/skb/kfree_skb");
        List<String> ours = new CopyOnWriteArrayList<>();
        Set<Integer> tids = new HashSet<>();
        try {
            try (TracepointStream stream = TracepointStream.builder().build()) {
                KernelSymbols symbols = KernelSymbols.system();
                DropReasons reasons = DropReasons.of(stream.format(KfreeSkb.TRACEPOINT));
                assumeTrue(reasons.recorded(), "kernel before 5.17: no drop reasons");
                String filter = "reason == " + reasons.valueOf("NO_SOCKET");
                stream.enable(KfreeSkb.TRACEPOINT).filter(filter).onEvent(KfreeSkb.class, e -> {
                    if (e.pid() == PID) {
                        ours.add(symbols.symbolize(e.location()));
                        synchronized (tids) {
                            tids.add(e.tid());
                        }
                    }
                });
                Files.writeString(event.resolve("filter"), filter + "\n");
                Files.writeString(event.resolve("enable"), "1\n");
                stream.startAsync();
                Packets.noSocket(20);
                KernelTests.await(() -> ours.size() >= 20, WAIT);
            }
            Files.writeString(event.resolve("enable"), "0\n");
            // e.g. "  java-1234  [001] ..s1.  99.123: kfree_skb: skbaddr=... location=__udp4_lib_rcv+0x4bc/0xd00 reason: NO_SOCKET"
            Pattern line = Pattern.compile("-(\\d+)\\s+\\[\\d+\\].*\\skfree_skb: .*location=(\\S+) reason: NO_SOCKET");
            Set<String> kernel = new HashSet<>();
            for (String l : Files.readAllLines(instance.resolve("trace"))) {
                Matcher m = line.matcher(l);
                if (m.find() && tids.contains(Integer.parseInt(m.group(1)))) {
                    kernel.add(m.group(2));
                }
            }
            assertThat(ours).hasSizeGreaterThanOrEqualTo(20);
            assertThat(kernel).as("the kernel's %pS of the same drops").isNotEmpty();
            assertThat(new HashSet<>(ours)).isEqualTo(kernel);
        } finally {
            try {
                Files.writeString(event.resolve("enable"), "0\n");
            } catch (IOException ignored) {
                // removing the instance below disables it anyway
            }
            Files.delete(instance);
        }
    }

    private static boolean kernelHasRxSk() {
        try {
            return Tracefs.locate().format(KfreeSkb.TRACEPOINT).field("rx_sk") != null;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void tcpExchange() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, Packets.V4);
             Socket client = new Socket(Packets.V4, server.getLocalPort());
             Socket accepted = server.accept()) {
            client.setSoTimeout(5000);
            accepted.setSoTimeout(5000);
            OutputStream out = client.getOutputStream();
            InputStream in = accepted.getInputStream();
            byte[] buf = new byte[100];
            for (int k = 0; k < 10; k++) {
                out.write(buf);
                out.flush();
                in.readNBytes(buf, 0, buf.length);
            }
        }
    }
}
