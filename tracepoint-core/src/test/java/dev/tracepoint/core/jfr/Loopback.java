package dev.tracepoint.core.jfr;

import javax.management.MBeanServer;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.server.RMIServerSocketFactory;
import java.util.HashMap;
import java.util.Map;

/** A JMX connector server for the platform MBean server, on the loopback address only (RMI, no registry). */
final class Loopback {

    private Loopback() {
    }

    /**
     * Starts a connector server listening on 127.0.0.1 only, its stub naming 127.0.0.1.
     *
     * @return the started server; {@link JMXConnectorServer#getAddress()} is the URL a client connects to
     */
    static JMXConnectorServer start() throws IOException {
        System.setProperty("java.rmi.server.hostname", "127.0.0.1"); // what the stub tells clients to connect to
        InetAddress lo = InetAddress.getLoopbackAddress();
        RMIServerSocketFactory sockets = new LoopbackSockets(lo);
        Map<String, Object> env = new HashMap<>();
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets);
        MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
        JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("rmi", "127.0.0.1", 0), env, mbs);
        server.start();
        return server;
    }

    /** Server sockets bound to the loopback address. */
    private record LoopbackSockets(InetAddress address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }
    }
}
