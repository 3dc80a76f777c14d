package dev.tracepoint.skb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Set;

/**
 * Provokes drops with loopback traffic only. Loopback delivery runs in the softirq of the sending thread, so
 * the kernel records this JVM as the current process of each drop.
 */
final class Packets {

    /** Functions that drop a UDP datagram for a port nobody listens on (NO_SOCKET), by kernel generation. */
    static final Set<String> NO_SOCKET_V4 = Set.of("__udp4_lib_rcv", "udp_rcv");
    static final Set<String> NO_SOCKET_V6 = Set.of("__udp6_lib_rcv", "udpv6_rcv");
    /** Functions that drop a datagram for a socket whose receive buffer is full (SOCKET_RCVBUFF). */
    static final Set<String> RCVBUFF = Set.of("udp_queue_rcv_one_skb", "__udp_enqueue_schedule_skb",
            "udp_queue_rcv_skb", "__udp_queue_rcv_skb", "udpv6_queue_rcv_one_skb");

    static final InetAddress V4 = InetAddress.getLoopbackAddress();

    private Packets() {
    }

    /** @return a UDP port on {@code address} that nothing listens on (it was free a moment ago) */
    static int closedPort(InetAddress address) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open(family(address))) {
            probe.bind(new InetSocketAddress(address, 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    static ProtocolFamily family(InetAddress address) {
        return address instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /** Sends {@code n} datagrams of {@code size} bytes to {@code to}, bounded: a short pause every 50. */
    static void send(InetSocketAddress to, int n, int size) throws IOException, InterruptedException {
        try (DatagramChannel ch = DatagramChannel.open(family(to.getAddress()))) {
            ByteBuffer payload = ByteBuffer.allocate(size);
            for (int k = 0; k < n; k++) {
                payload.clear();
                ch.send(payload, to);
                if (k % 50 == 49) {
                    Thread.sleep(2);
                }
            }
        }
    }

    /** Datagrams to a closed port on 127.0.0.1: each is a NO_SOCKET drop. */
    static void noSocket(int n) throws IOException, InterruptedException {
        send(new InetSocketAddress(V4, closedPort(V4)), n, 32);
    }

    /** @return the IPv6 loopback address, or null when this host has none */
    static InetAddress v6() {
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            InetAddress a = InetAddress.getByName("::1");
            ch.bind(new InetSocketAddress(a, 0));
            return a;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Floods a bound socket with the smallest receive buffer that it never reads: all but the first few
     * datagrams are SOCKET_RCVBUFF drops.
     *
     * @return the number of datagrams that were dropped (sent minus those the socket had queued)
     */
    static int fullReceiveBuffer(int n) throws IOException, InterruptedException {
        try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET)) {
            receiver.setOption(StandardSocketOptions.SO_RCVBUF, 1); // the kernel rounds up to its minimum
            receiver.bind(new InetSocketAddress(V4, 0));
            send((InetSocketAddress) receiver.getLocalAddress(), n, 1024);
            receiver.configureBlocking(false);
            ByteBuffer b = ByteBuffer.allocate(2048);
            int queued = 0;
            while (receiver.receive(b) != null) {
                b.clear();
                queued++;
            }
            return n - queued;
        }
    }

    /** @return the function name of a {@code %pS} symbol ({@code tcp_v4_rcv+0x1a/0x80} gives {@code tcp_v4_rcv}) */
    static String function(String symbol) {
        int plus = symbol.indexOf('+');
        return plus > 0 ? symbol.substring(0, plus) : symbol;
    }
}
