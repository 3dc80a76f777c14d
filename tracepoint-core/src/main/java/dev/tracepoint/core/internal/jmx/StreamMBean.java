package dev.tracepoint.core.internal.jmx;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Registration of the library's MXBeans in the platform MBean server under {@code dev.tracepoint:type=TYPE,name=NAME},
 * shared by the stream and the monitors; and the consumer-CPU reading they share.
 */
public final class StreamMBean {

    /** The domain of every MBean of the library. */
    public static final String DOMAIN = "dev.tracepoint";

    private StreamMBean() {
    }

    /**
     * {@return the object name {@code dev.tracepoint:type=TYPE,name=NAME}, the name quoted when it needs to be}
     *
     * @param type the MBean's type, e.g. {@code TracepointStream}
     * @param name its name
     */
    public static ObjectName objectName(String type, String name) {
        String n = name.matches("[A-Za-z0-9_.\\-/ ]+") ? name : ObjectName.quote(name);
        try {
            return new ObjectName(DOMAIN + ":type=" + type + ",name=" + n);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("not an MBean name: " + name, e);
        }
    }

    /**
     * Registers an MXBean.
     *
     * @param name the object name
     * @param bean the MXBean
     * @param <T>  its interface
     * @throws IllegalStateException when the name is taken (naming it)
     */
    public static <T> void register(ObjectName name, T bean) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.registerMBean(bean, name);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException("an MBean named " + name + " is registered already: give each stream or monitor"
                    + " of the JVM its own name (builder().name(...))", e);
        } catch (JMException e) {
            throw new IllegalStateException("could not register the MBean " + name + ": " + e, e);
        }
    }

    /**
     * Unregisters an MBean; nothing when it is not registered.
     *
     * @param name the object name
     */
    public static void unregister(ObjectName name) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (InstanceNotFoundException ignored) {
            // already gone
        } catch (JMException e) {
            throw new IllegalStateException("could not unregister the MBean " + name + ": " + e, e);
        }
    }

    /**
     * {@return the CPU time of a live thread in nanoseconds, or -1}
     *
     * @param thread a thread, or null
     */
    public static long cpuNanos(Thread thread) {
        if (thread == null || !thread.isAlive()) {
            return -1;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try {
            return threads.isThreadCpuTimeSupported() ? threads.getThreadCpuTime(thread.threadId()) : -1;
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }
}
