package dev.tracepoint.signal;

/**
 * The management interface of a {@link SignalMonitor} built with {@link SignalMonitorBuilder#jmx(boolean)}:
 * registered in the platform MBean server as {@code dev.tracepoint:type=SignalMonitor,name=NAME} when the
 * monitor opens, unregistered when it closes. Read-only; as of the consumer's last pass.
 */
public interface SignalMonitorMXBean {

    /** {@return the monitor's name ({@link SignalMonitorBuilder#name(String)})} */
    String getName();

    /** {@return whether the monitor is open} */
    boolean isOpen();

    /** {@return the events its stream dispatched ({@link SignalMonitor#eventCount()})} */
    long getEvents();

    /** {@return the signals that matched ({@link SignalMonitor#signalCount()})} */
    long getSignals();

    /** {@return the deliveries that matched ({@link SignalMonitor#deliveryCount()})} */
    long getDeliveries();

    /** {@return the failed kill-family calls reported ({@link SignalMonitor#failedKillCount()})} */
    long getFailedKills();

    /** {@return the samples the kernel lost ({@link SignalMonitor#lostCount()})} */
    long getLost();

    /** {@return the records delivered out of time order ({@link SignalMonitor#lateCount()})} */
    long getLate();

    /** {@return the kernel filter on {@code signal_generate} ({@link SignalMonitor#kernelFilter()})} */
    String getKernelFilter();
}
