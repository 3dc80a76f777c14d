package dev.tracepoint.skb;

/**
 * The management interface of a {@link DropMonitor} built with {@link DropMonitorBuilder#jmx(boolean)}:
 * registered in the platform MBean server as {@code dev.tracepoint:type=DropMonitor,name=NAME} when the
 * monitor opens, unregistered when it closes. Read-only; as of the consumer's last pass.
 */
public interface DropMonitorMXBean {

    /** {@return the monitor's name ({@link DropMonitorBuilder#name(String)})} */
    String getName();

    /** {@return whether the monitor is open} */
    boolean isOpen();

    /** {@return the events its stream dispatched ({@link DropMonitor#eventCount()})} */
    long getEvents();

    /** {@return the drops counted ({@link DropMonitor#dropCount()})} */
    long getDrops();

    /** {@return the consumed packets counted ({@link DropMonitor#consumedCount()})} */
    long getConsumed();

    /** {@return the samples the kernel lost ({@link DropMonitor#lostCount()})} */
    long getLost();

    /** {@return the kernel filter on {@code kfree_skb} ({@link DropMonitor#kernelFilter()})} */
    String getKernelFilter();
}
