package dev.tracepoint.core;

import java.util.List;

/**
 * The management interface of a {@link TracepointStream} built with {@link TracepointStreamBuilder#jmx(boolean)}:
 * registered in the platform MBean server as {@code dev.tracepoint:type=TracepointStream,name=NAME} when the
 * stream opens, unregistered when it closes. Every attribute is read-only and as of the consumer's last pass
 * over the rings, as the stream's own getters.
 */
public interface TracepointStreamMXBean {

    /** {@return the stream's name ({@link TracepointStreamBuilder#name(String)})} */
    String getName();

    /** {@return the stream's tracepoints, {@code system:event}} */
    List<String> getTracepoints();

    /** {@return whether the stream is open: opened and not closed} */
    boolean isOpen();

    /** {@return the events dispatched ({@link TracepointStream#eventCount()})} */
    long getEvents();

    /** {@return the samples the kernel lost, all CPUs ({@link TracepointStream#lostCount()})} */
    long getLost();

    /** {@return the samples lost per CPU, indexed by CPU number (0 for a CPU without loss)} */
    long[] getLostPerCpu();

    /** {@return the corrupt samples or ring states skipped ({@link TracepointStream#corruptCount()})} */
    long getCorrupt();

    /** {@return the records an ordered stream delivered late ({@link TracepointStream#lateCount()}); 0 when not ordered} */
    long getLate();

    /** {@return the records an ordered stream delivered early ({@link TracepointStream#earlyCount()}); 0 when not ordered} */
    long getEarly();

    /** {@return the CPUs whose rings are read now ({@link TracepointStream#armedCpus()})} */
    int[] getArmedCpus();

    /** {@return the number of rings mapped: one per armed CPU} */
    int getRings();

    /** {@return the data bytes of the mapped rings, control pages excluded} */
    long getRingBytes();

    /** {@return how often the consumer woke up (its {@code epoll_wait} returned)} */
    long getWakeups();

    /** {@return the CPU time of the consumer thread in nanoseconds, or -1 when it has none (not started, ended, a flight recorder)} */
    long getConsumerCpuNanos();

    /** {@return how often a CPU of the stream went offline or had its events stopped by a hotplug ({@link CpuListener#onCpuOffline})} */
    long getCpuOfflines();

    /** {@return how often the stream armed a CPU again once it was online ({@link CpuListener#onCpuArmed})} */
    long getCpuRearms();

    /**
     * {@return the hotplug gaps: the sum, over the CPUs armed again, of the window in which such a CPU may have run
     * with no events of the stream, in nanoseconds (an upper bound, as {@link CpuListener#onCpuArmed} gives it)}
     */
    long getUnobservedNanos();
}
